"""The ledger: who received which copy, kept as a permanent, append-only CSV.

A row is written for every copy issued and never removed or rewritten: a
student who leaves the roster keeps his row, and a copy made again for a
changed name, email or master gets a row of its own.  Re-stamping the same copy
adds nothing.  The office opens the file in a spreadsheet, so a cell that a
spreadsheet would run as a formula is written behind a quote (OWASP, "CSV
injection") and read back without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from pressroom.fingerprint import file_sha256

COLUMNS = ("student_id", "name", "email", "copy_id", "sha256", "pages", "bytes", "edition", "made_from")
FIRST_COLUMNS = COLUMNS[:7]          # the ledgers of earlier versions had only these
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_LEDGER_BYTES = 512 * 1024 * 1024  # about two million rows; a larger file is not a ledger this tool wrote


@dataclass(frozen=True)
class Row:
    student_id: str
    name: str
    email: str
    copy_id: str
    sha256: str
    pages: int
    bytes: int
    edition: str = ""     # the edition's slug (empty in a ledger of an earlier version)
    made_from: str = ""   # a digest of the master, the stamp's code and the watermark setting


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would read as a formula gets a leading quote; so does one that starts with a quote,
    so that `restore` gives back exactly what was written."""
    return "'" + cell if cell.startswith((*FORMULA_START, "'")) else cell


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _record(row: Row) -> list[str]:
    return [neutralise(str(v)) for v in astuple(row)]


def _line(values) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue().encode("utf-8")


def parse(text: str, edition: str = "") -> list[Row]:
    """Rows of a ledger, or of several concatenated: each header line says what the lines after it hold.

    `edition` stands in for the edition of rows that do not name one.  Lines that
    are not rows (a damaged line, a row with too few values) are left out.
    """
    rows = []
    columns: list[str] = list(FIRST_COLUMNS)
    for record in _records(text):
        if _is_header(record):
            columns = record
            continue
        values = {name: restore(value) for name, value in zip(columns, record)}
        if any(name not in values for name in FIRST_COLUMNS):
            continue
        try:
            values["pages"], values["bytes"] = int(values["pages"]), int(values["bytes"])
        except ValueError:
            continue
        values["edition"] = values.get("edition") or edition
        rows.append(Row(**{f.name: values.get(f.name, "") for f in fields(Row)}))
    return rows


def _records(text: str):
    """CSV records up to the first line the csv module cannot read (e.g. a cell over its size limit)."""
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            yield next(reader)
        except (StopIteration, csv.Error):
            return


def _is_header(record: list[str]) -> bool:
    # "email" is no email address, so no row of a roster can look like this.
    return record[:3] == list(COLUMNS[:3])


def read_ledger(path: Path, edition: str = "") -> list[Row]:
    """The rows of a ledger file; none when it cannot be read."""
    try:
        if path.stat().st_size > MAX_LEDGER_BYTES:
            return []
        return parse(path.read_text(encoding="utf-8-sig"), edition)
    except (OSError, UnicodeDecodeError):
        return []


class Appender:
    """A ledger that only grows: its bytes so far are kept as they are, and new rows are added after them.

    The caller holds the ledger's lock (runs.LedgerLock), so nobody else writes
    it meanwhile; `write` must replace the file atomically.
    """

    def __init__(self, path: Path, write: Callable[[Path, bytes], None]):
        self.path, self.write = path, write
        try:
            self.base = path.read_bytes()
        except FileNotFoundError:
            self.base = b""
        text = self.base.decode("utf-8-sig", "replace")
        self.rows = parse(text)
        self.header = next((r for r in reversed(list(_records(text))) if _is_header(r)), None)
        self.known = {astuple(row) for row in self.rows}
        self.added: list[Row] = []
        self.saved = 0

    def latest(self, edition: str, made_from: str) -> dict[str, Row]:
        """The last row of each student for copies made the current way: the file on disk may be that copy."""
        return {row.student_id: row for row in self.rows if row.edition == edition and row.made_from == made_from}

    def add(self, row: Row) -> bool:
        """Add the row unless the ledger has it already (the same copy, stamped again)."""
        if astuple(row) in self.known:
            return False
        self.known.add(astuple(row))
        self.added.append(row)
        return True

    def save(self, order: Callable[[Row], object] | None = None) -> None:
        """Write the file: the old bytes unchanged, then this run's rows (sorted by `order` when given)."""
        if not self.base and not self.path.exists():
            self.base = _line(COLUMNS)  # a new ledger starts with its header, rows or not
            self.header = list(COLUMNS)
            self.write(self.path, self.base)
        if not self.added or (len(self.added) == self.saved and order is None):
            return  # nothing new: the file stays as it is, byte for byte
        added = sorted(self.added, key=order) if order is not None else self.added
        head = self.base
        if head and not head.endswith(b"\n"):
            head += b"\n"
        if self.header != list(COLUMNS):
            head += _line(COLUMNS)
        self.write(self.path, head + b"".join(_line(_record(row)) for row in added))
        self.saved = len(self.added)


def sha256_file(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None
