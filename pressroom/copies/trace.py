"""Find the student a leaked copy was stamped for, from whatever evidence survives.

    python build.py trace SUSPECT.pdf [--ledger PATH ...] [--out DIR]

Looks, in order of strength, at the file's sha256, its document ID, its
metadata (Info and XMP) and the visible licence line read back from the page
text, so a copy whose metadata was stripped or that was re-saved is still found.
Exit 0: found; 1: not found; 2: usage error.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import re
import string
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pressroom import command
from pressroom.copies import ledger
from pressroom.copies.wording import wordings

KINDS = ("sha256", "document ID", "metadata", "visible line")
KEYS = {"student_id": "sid", "email": "email"}  # the fields a ledger row is found by, and their groups


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suspect", type=Path, help="the PDF found in the wild")
    parser.add_argument("--ledger", type=Path, action="append", metavar="PATH",
                        help="a ledger CSV, or a folder to search for ledger*.csv; may be repeated "
                             "(default: every ledger under <out>/*/copies/)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")


@dataclass(frozen=True)
class Entry:
    row: ledger.Row
    source: Path


@dataclass(frozen=True)
class Evidence:
    kind: str       # one of KINDS
    detail: str
    entry: Entry


class Index:
    """Ledger rows by everything a copy may still show."""

    def __init__(self, entries: list[Entry]):
        self.by_sha = {e.row.sha256: e for e in entries}
        self.by_copy = {e.row.copy_id: e for e in entries}
        self.by_person: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            self.by_person.setdefault((e.row.student_id, e.row.email.lower()), []).append(e)


def ledger_files(paths: list[Path] | None, out: Path) -> list[Path]:
    if not paths:
        return sorted(out.glob("*/copies/ledger*.csv"))
    found = []
    for path in paths:
        found += sorted(path.glob("ledger*.csv")) if path.is_dir() else [path]
    return found


def _copy_ids(text: str) -> list[str]:
    return ["-".join(m.groups()) for m in ledger.COPY_ID.finditer(text)]


def from_structure(data: bytes, index: Index) -> tuple[list[Evidence], str | None]:
    """Evidence from the document ID and the metadata; (evidence, why the file could not be read)."""
    import pikepdf

    found: list[Evidence] = []
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except Exception as exc:  # a damaged file still has its visible text to offer
        return [], f"{type(exc).__name__}: {exc}"
    with pdf:
        for i, part in enumerate(pdf.trailer.get("/ID", [])):
            copy = ledger.copy_id_of_document_id(bytes(part))
            if copy in index.by_copy:
                found.append(Evidence("document ID", f"/ID[{i}] = {bytes(part).hex()}", index.by_copy[copy]))
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
        for where, text in places:
            for copy in dict.fromkeys(_copy_ids(text)):
                if copy in index.by_copy:
                    found.append(Evidence("metadata", f"{where} has copy id {copy}", index.by_copy[copy]))
    return found, None


def page_texts(path: Path) -> list[str] | None:
    """Each page's text as poppler reads it, or None when pdftotext cannot read the file."""
    try:
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300)
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
    hits: dict[str, tuple[Entry, set[int], str]] = {}
    for number, page in enumerate(pages, 1):
        flat = " ".join(page.split())
        for copy in _copy_ids(flat):
            if copy in index.by_copy:
                entry = index.by_copy[copy]
                hits.setdefault(copy, (entry, set(), f"copy id {copy}"))[1].add(number)
        for pattern in line_patterns():
            for match in pattern.finditer(flat):
                for entry in index.by_person.get((match["sid"], match["email"].lower()), []):
                    hits.setdefault(entry.row.copy_id, (entry, set(), f"licence line of {match['sid']} · "
                                                                      f"{match['email']}"))[1].add(number)
    return [Evidence("visible line", f"{what} on {len(numbers)} of {len(pages)} pages", entry)
            for entry, numbers, what in hits.values()]


def run(args) -> int:
    if not args.suspect.is_file():
        print(f"build.py trace: error: {args.suspect} not found", file=sys.stderr)
        return command.EXIT_USAGE
    files = ledger_files(args.ledger, args.out)
    entries = [Entry(row, path) for path in files for row in ledger.read_ledger(path)]
    if not entries:
        where = ", ".join(map(str, args.ledger)) if args.ledger else f"{args.out}/*/copies/"
        print(f"build.py trace: error: no ledger rows found in {where}; pass --ledger PATH", file=sys.stderr)
        return command.EXIT_USAGE
    index = Index(entries)
    data = args.suspect.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    evidence: list[Evidence] = []
    if digest in index.by_sha:
        evidence.append(Evidence("sha256", f"{digest[:16]}… is byte-identical to the stamped copy",
                                 index.by_sha[digest]))
    structural, unreadable = from_structure(data, index)
    evidence += structural
    pages = page_texts(args.suspect)
    evidence += from_text(pages, index) if pages is not None else []
    return report(args.suspect, evidence, unreadable, pages is None)


def report(suspect: Path, evidence: list[Evidence], unreadable: str | None, no_text: bool) -> int:
    if not evidence:
        print(f"{suspect}: no match in the ledgers (checked {', '.join(KINDS)})")
        if unreadable:
            print(f"  the PDF structure could not be read: {unreadable}")
        if no_text:
            print("  pdftotext could not read its text")
        return command.EXIT_CONTENT
    by_copy: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_copy.setdefault(item.entry.row.copy_id, []).append(item)
    ranked = sorted(by_copy.values(), key=lambda items: (-len({i.kind for i in items}),
                                                          min(KINDS.index(i.kind) for i in items)))
    if len(ranked) > 1:
        print(f"{suspect}: the evidence points to {len(ranked)} copies; the strongest first")
    for items in ranked:
        row = items[0].entry.row
        print(f"{suspect}: the copy of {row.student_id} {row.name} <{row.email}>, copy id {row.copy_id}")
        print(f"  ledger: {items[0].entry.source}")
        matched: dict[str, list[str]] = {}
        for item in items:
            matched.setdefault(item.kind, []).append(item.detail)
        for kind in KINDS:
            status = f"matched: {'; '.join(matched[kind])}" if kind in matched else "no match"
            print(f"  {kind + ':':14}{status}")
    return command.EXIT_OK
