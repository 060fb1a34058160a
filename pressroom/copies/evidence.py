"""What a suspect file still shows of the copy it was made from, looked up in the ledgers.

Each kind of evidence (KINDS) points to ledger rows.  Evidence that carries a
value only the stamp writes (a copy id, the document ID) keeps that value as
its `token`, so that `trace` can check it against the secret; the file's hash
and the licence line's name, student id and email carry none.
"""

from __future__ import annotations

import functools
import io
import os
import re
import string
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pressroom.copies import copyid, ledger, scan
from pressroom.copies.wording import wordings

KINDS = ("sha256", "document ID", "metadata", "header", "visible line", "page mark")
KEYS = {"student_id": "sid", "email": "email"}  # the fields a ledger row is found by, and their groups
HEADER = re.compile(rb"%PressroomCopy ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})\r?\n")
HEADER_SPAN = 4096   # the note follows the PDF header: it is in the first bytes or nowhere
MAX_LEDGERS = 10_000


@dataclass(frozen=True)
class Entry:
    row: ledger.Row
    source: Path


@dataclass(frozen=True)
class Evidence:
    kind: str                     # one of KINDS
    detail: str
    copy_id: str                  # the copy it points to
    entries: tuple[Entry, ...]    # its rows in the ledgers; none when the copy id is in no ledger
    token: str | bytes | None = None  # the copy id or document ID as read from the file, to check with the secret


class Index:
    """Ledger rows by everything a copy may still show."""

    def __init__(self, entries: list[Entry]):
        self.by_sha: dict[str, list[Entry]] = {}
        self.by_copy: dict[str, list[Entry]] = {}
        self.by_person: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            self.by_sha.setdefault(e.row.sha256, []).append(e)
            self.by_copy.setdefault(e.row.copy_id, []).append(e)
            self.by_person.setdefault((e.row.student_id, e.row.email.lower()), []).append(e)

    def copy(self, kind: str, detail: str, copy: str, token) -> Evidence:
        return Evidence(kind, detail, copy, tuple(self.by_copy.get(copy, ())), token)


def ledger_files(paths: list[Path] | None, out: Path) -> list[Path]:
    """The ledgers named, or in the folders named; by default every ledger*.csv anywhere under the output folder."""
    if paths:
        found = []
        for path in paths:
            found += _ledgers_under(path) if path.is_dir() else [path]
        return found
    return _ledgers_under(out)


def _ledgers_under(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):  # symbolic links to folders are not followed
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files)
                  if f.startswith("ledger") and f.endswith(".csv") and (Path(root) / f).is_file()
                  and not (Path(root) / f).is_symlink()]
        if len(found) >= MAX_LEDGERS:
            break
    return found[:MAX_LEDGERS]


def edition_of(path: Path) -> str:
    """The edition a ledger of an earlier version (whose rows do not say) belongs to, from where it lies."""
    return path.parent.parent.name if path.parent.name == "copies" else path.parent.name


def read_entries(files: list[Path]) -> list[Entry]:
    return [Entry(row, path) for path in files for row in ledger.read_ledger(path, edition_of(path))]


def _copy_ids(text: str) -> list[str]:
    return ["-".join(m.groups()) for m in copyid.COPY_ID.finditer(text)]


def from_hash(digest: str, index: Index) -> list[Evidence]:
    entries = index.by_sha.get(digest, [])
    return [Evidence("sha256", f"{digest[:16]}… is byte-identical to the copy stamped", e.row.copy_id, (e,))
            for e in entries[:1]]


def from_header(data: bytes, index: Index) -> list[Evidence]:
    """The copy id in the comment after the PDF header: what a truncated copy still has."""
    match = HEADER.search(data[:HEADER_SPAN])
    if not match:
        return []
    copy = match[1].decode("ascii")
    return [index.copy("header", f"copy id {copy} in the comment after the PDF header", copy, copy)]


def from_structure(data: bytes, index: Index) -> tuple[list[Evidence], str | None, int | None]:
    """Evidence from the document ID and the metadata; (evidence, why the file could not be read, page count)."""
    import pikepdf

    found: list[Evidence] = []
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except Exception as exc:  # a damaged file still has its header, its text and its pictures to offer
        return [], f"{type(exc).__name__}: {exc}", None
    with pdf:
        pages = len(pdf.pages)
        for i, part in enumerate(pdf.trailer.get("/ID", [])):
            ident = bytes(part)
            copy = copyid.copy_id_of_document_id(ident)
            if copy in index.by_copy:
                found.append(index.copy("document ID", f"/ID[{i}] = {ident.hex()}", copy, ident[:16]))
                break
        places = []
        info = pdf.trailer.get("/Info")
        if info is not None:
            for key in ("/CopyID", "/LicensedTo", "/Subject", "/Keywords"):
                if key in info:
                    places.append((f"Info {key}", str(info[key])))
        if "/Metadata" in pdf.Root:
            try:
                places.append(("XMP", pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")))
            except Exception:  # an unreadable XMP stream is simply no evidence
                pass
        seen = set()
        for where, text in places:
            for copy in dict.fromkeys(_copy_ids(text)):
                if copy not in seen:
                    seen.add(copy)
                    found.append(index.copy("metadata", f"{where} has copy id {copy}", copy, copy))
    return found, None, pages


def page_texts(path: Path) -> list[str] | None:
    """Each page's text as poppler reads it, or None when pdftotext cannot read the file."""
    try:
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", os.path.abspath(path), "-"], capture_output=True,
                                timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 and not result.stdout:
        return None
    text = unicodedata.normalize("NFC", result.stdout.decode("utf-8", "replace"))
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


@functools.lru_cache(maxsize=None)
def line_patterns() -> tuple[re.Pattern, ...]:
    """The licence line, in one and in two lines, in every language in templates/strings/."""

    templates = {t for w in wordings().values() for t in (w.line, f"{w.first} {w.second}")}
    return tuple(line_pattern(t) for t in sorted(templates))


def line_pattern(template: str) -> re.Pattern:
    """A regex for the line a template prints, with groups `sid` and `email`.

    It ends with the words after the last of those fields, so a line whose copy
    id was cropped or blacked out still matches.  A match must not start in the
    page text above the line (a running foot may have a '·' too), so a leading
    field that no row is found by (the name) is left out, and a field cannot
    contain the words after it.
    """
    text = unicodedata.normalize("NFC", " ".join(template.split()))  # as page_texts reads the page
    parts = [(literal, field) for literal, field, _, _ in string.Formatter().parse(text)]
    last = max(i for i, (_, field) in enumerate(parts) if field in KEYS)
    ending = parts[last + 1][0].rstrip() if last + 1 < len(parts) else ""
    parts = parts[:last + 1]
    while parts[0][0] == "" and parts[0][1] not in KEYS:
        parts = [(parts[1][0].lstrip(), parts[1][1]), *parts[2:]]
    regex = ""
    for i, (literal, field) in enumerate(parts):
        after = parts[i + 1][0] if i + 1 < len(parts) else ending
        value = (r"[^\s@]+@\S+?" if field == "email" else f"(?:(?!{re.escape(after)}).)+?" if after.strip()
                 else r"\S+?" if after else ".+?")
        regex += re.escape(literal) + (f"(?P<{KEYS[field]}>{value})" if field in KEYS else f"(?:{value})")
    return re.compile(regex + (re.escape(ending) if ending else r"(?!\S)"))


def from_text(pages: list[str], index: Index) -> list[Evidence]:
    """Copy ids printed on the pages, and licence lines naming a student of the ledgers."""
    hits: dict[tuple, tuple[Evidence, set[int]]] = {}
    for number, page in enumerate(pages, 1):
        flat = " ".join(page.split())
        for copy in _copy_ids(flat):
            key = ("id", copy)
            if key not in hits:
                hits[key] = (index.copy("visible line", f"copy id {copy}", copy, copy), set())
            hits[key][1].add(number)
        for pattern in line_patterns():
            for match in pattern.finditer(flat):
                for entry in index.by_person.get((match["sid"], match["email"].lower()), []):
                    key = ("person", entry.row.copy_id)
                    if key not in hits:
                        what = f"licence line of {match['sid']} · {match['email']}"
                        hits[key] = (Evidence("visible line", what, entry.row.copy_id,
                                              tuple(index.by_copy[entry.row.copy_id])), set())
                    hits[key][1].add(number)
    return [Evidence(e.kind, f"{e.detail} on {len(numbers)} of {len(pages)} pages", e.copy_id, e.entries, e.token)
            for e, numbers in hits.values()]


def from_marks(pictures, index: Index) -> list[Evidence]:
    """The copy id of the first page mark read from `pictures`: (where, image) pairs, tried in order."""
    for where, picture in pictures:
        if picture is None:
            continue
        found = scan.marks(picture)
        if found:
            return [index.copy("page mark", f"copy id {copy} in the QR code {where}", copy, copy) for copy in found]
    return []
