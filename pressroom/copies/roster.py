"""The roster: a UTF-8 CSV of students, read one row at a time and checked like content.

Every bad row is reported as `students.csv:LINE: error: …`; `stamp` reads the
whole roster first and stamps nothing when any row is bad.  A wrong header stops
the reading at once, since every row would be read wrongly.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pressroom.problems import ContentError, Problem, did_you_mean, error

REQUIRED = ("student_id", "name", "email")
OPTIONAL = ("batch",)
MAX_NAME, MAX_ID, MAX_EMAIL = 120, 64, 254
# A student id names a file and fills a spreadsheet cell: plain ASCII letters and digits, '-', '_' and '.',
# starting with a letter or digit, so that it is never a path, a hidden file or a formula.
ID_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
ID_CHARS = ID_FIRST | frozenset("-_.")
ID_RULE = "(an id is letters, digits, '-', '_' and '.', starting with a letter or digit)"
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?<!\.)"
                   r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


@dataclass(frozen=True)
class Student:
    line: int
    student_id: str
    name: str
    email: str
    batch: str = ""


# Joiners shape Indic text (a half form, a kept virama) and belong in names; other format characters
# (bidi overrides, zero-width spaces) only hide or reorder what is printed.
JOINERS = frozenset("\u200c\u200d")


def _control(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    return next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in allowed),
                None)


def _char(c: str) -> str:
    return f"U+{ord(c):04X}"


def id_problem(student_id: str) -> str | None:
    """Why this id is not allowed, or None: it must be one plain file name in copies/ and plain text in a cell."""
    bad = _control(student_id)
    if bad:
        return f"contains a control character ({_char(bad)})"
    if student_id[0] not in ID_FIRST:
        return f"starts with {student_id[0]!r}"
    bad = next((c for c in student_id if c not in ID_CHARS), None)
    if bad:
        return f"contains {bad!r}"
    if student_id.endswith("."):
        return "ends with '.'"
    if student_id.split(".")[0].lower() in WINDOWS_DEVICES:
        return "is a reserved device name on Windows"
    if len(student_id) > MAX_ID:
        return f"is {len(student_id)} characters long; the limit is {MAX_ID}"
    return None


def id_key(student_id: str) -> str:
    """Ids that name the same file on a case-insensitive disk, or differ only in Unicode form, are one id."""
    return unicodedata.normalize("NFC", student_id).casefold()


def _decoded_lines(path: Path, bad_lines: set[int]) -> Iterator[str]:
    """The file's lines as text, BOM removed; undecodable lines are replaced and remembered."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                bad_lines.add(number)
                yield raw.decode("utf-8", "replace")


def _header(cells: list[str], path: Path, line: int) -> list[str]:
    while len(cells) > 1 and not cells[-1].strip():
        cells = cells[:-1]  # a spreadsheet's empty columns at the right
    names = [c.strip().lower().replace(" ", "_").replace("-", "_") for c in cells]
    problems = []
    if len(names) == 1 and ";" in cells[0]:
        problems.append(error(path, line, "columns are separated by ';'; save the roster as CSV with commas "
                                       "(header: student_id,name,email[,batch])", code="roster.header"))
        raise ContentError(problems)
    known = REQUIRED + OPTIONAL
    for name in names:
        if name not in known:
            problems.append(error(path, line, f"unknown column '{name}'{did_you_mean(name, known)}; "
                                           "the columns are student_id, name, email and optionally batch", code="roster.header"))
    for name in sorted({n for n in names if names.count(n) > 1 and n in known}):
        problems.append(error(path, line, f"column '{name}' appears twice", code="roster.header"))
    for name in REQUIRED:
        if name not in names:
            problems.append(error(path, line, f"missing column '{name}'; the header must be student_id,name,email"
                                           " (and optionally batch)", code="roster.header"))
    if problems:
        raise ContentError(problems)
    return names


def read_roster(path: Path, missing_glyph: Callable[[str], str | None]) -> Iterator[Student | Problem]:
    """Students and problems in file order.  Raises ContentError for an unreadable file or a bad header.

    `missing_glyph(text)` returns a character the stamp's fonts cannot draw, or None.
    """
    bad_lines: set[int] = set()
    reader = csv.reader(_decoded_lines(path, bad_lines), strict=True)
    header: list[str] | None = None
    seen: dict[str, int] = {}
    end = 0
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            end = reader.line_num
            yield error(path, start, f"not a valid CSV row: {exc}", code="roster.csv")
            continue
        end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            if bad_lines:
                raise ContentError([error(path, min(bad_lines), "not UTF-8 text; save the roster as "
                                                                "'CSV UTF-8 (Comma delimited)'", code="roster.encoding")])
            header = _header(record, path, start)
            continue
        if any(start <= n <= end for n in bad_lines):
            yield error(path, start, "not UTF-8 text; save the roster as 'CSV UTF-8 (Comma delimited)'", code="roster.encoding")
            continue
        yield from _row(record, header, path, start, seen, missing_glyph)
    if header is None:
        raise ContentError([error(path, 1, "the roster is empty; its first line must be the header "
                                           "student_id,name,email (and optionally batch)", code="roster.empty")])


def _row(record: list[str], header: list[str], path: Path, line: int, seen: dict[str, int],
         missing_glyph: Callable[[str], str | None]) -> Iterator[Student | Problem]:
    while len(record) > len(header) and not record[-1].strip():
        record = record[:-1]
    if len(record) > len(header):
        yield error(path, line, f"{len(record)} values but the header has {len(header)} columns "
                                "(quote a value that contains a comma)", code="roster.csv")
        return
    # Kept as written (only trimmed): the copy, its file name and the ledger show what the roster says.
    values = dict(zip(header, record))
    sid = values.get("student_id", "").strip()
    name = values.get("name", "").strip()
    email = values.get("email", "").strip()
    problems = []
    if not sid:
        problems.append("missing student_id")
    else:
        why = id_problem(sid)
        key = id_key(sid)
        if why:
            rule = f" {ID_RULE}" if why.startswith(("contains", "starts", "ends")) else ""
            problems.append(f"student_id {sid!r} is not allowed: it {why}{rule}")
        elif key in seen:
            problems.append(f"duplicate student_id '{sid}' (first on line {seen[key]})")
        else:
            seen[key] = line
            missing = missing_glyph(sid)
            if missing:
                problems.append(f"student_id '{sid}' has a character the shipped fonts cannot print: "
                                f"'{missing}' ({_char(missing)})")
    if not name:
        problems.append("missing name")
    elif _control(name, JOINERS):
        problems.append(f"name contains a control character ({_char(_control(name, JOINERS))})")
    elif len(name) > MAX_NAME:
        problems.append(f"name is {len(name)} characters long; the limit is {MAX_NAME}")
    elif missing_glyph(name):
        c = missing_glyph(name)
        problems.append(f"name '{name}' has a character the shipped fonts cannot print: '{c}' ({_char(c)} "
                        f"{unicodedata.name(c, 'unnamed character')})")
    if not email:
        problems.append("missing email")
    elif len(email) > MAX_EMAIL or not EMAIL.match(email):
        problems.append(f"malformed email {email!r}")
    batch = values.get("batch", "").strip()
    if _control(batch):
        problems.append(f"batch contains a control character ({_char(_control(batch))})")
    if problems:
        yield from (error(path, line, p, code="roster.row") for p in problems)
        return
    yield Student(line, sid, name, email, batch)
