"""Find the student a leaked copy was stamped for, from whatever evidence survives, and say how sure that is.

    python build.py trace SUSPECT [--ledger PATH ...] [--out DIR] [--secret-file PATH]

SUSPECT is a PDF, or a picture of a page (PNG, JPEG or WebP: a screenshot, a
photo, a scan).  In a PDF it looks at the file's sha256, its document ID, its
metadata (Info and XMP), the copy id after the PDF header, the visible licence
line and the page mark (the QR code, read from the rasterised pages); in a
picture, at the page mark.  It grades what it found:

  verified    a copy id (or document ID) read from the file is the HMAC of the
              ledger row's edition and student id under the secret;
  matched     no copy id could be checked, but the file's sha256 or its
              document ID is in a ledger;
  unverified  neither: only the visible licence line, or copy ids that cannot
              be checked without the secret, point to the copy.

Exit 0: verified or matched; 3: unverified; 1: not found; 2: usage error, or the
file is not a PDF or a picture.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

from pressroom import command
from pressroom.copies import copyid, evidence, scan
from pressroom.copies.evidence import KINDS, Evidence, Index

MAX_SUSPECT_BYTES = 1024 * 1024 * 1024
PDF_KINDS = KINDS
PICTURE_KINDS = ("page mark",)
GRADES = ("verified", "matched", "unverified")
EXIT = {"verified": command.EXIT_OK, "matched": command.EXIT_OK, "unverified": command.EXIT_UNVERIFIED}
NO_SECRET = f"no secret to check copy ids with: set {copyid.SECRET_ENV} or pass --secret-file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suspect", type=Path, help="the PDF, or the picture of a page (PNG, JPEG, WebP), found in "
                                                   "the wild")
    parser.add_argument("--ledger", type=Path, action="append", metavar="PATH",
                        help="a ledger CSV, or a folder to search for ledger*.csv; may be repeated "
                             "(default: every ledger*.csv under the output folder)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument("--secret-file", type=Path, metavar="PATH",
                        help=f"the copy-id secret, to verify copy ids (default: ${copyid.SECRET_ENV}, else "
                             "~/.config/pressroom/secret; without one, nothing is verified)")


class NotTraceable(Exception):
    """The suspect is not a PDF or a picture; the message says why."""


@dataclass(frozen=True)
class Finding:
    """One copy the evidence points to, and how strongly."""

    copy_id: str
    items: tuple[Evidence, ...]
    grade: str
    why: str


def _usage(message: str) -> int:
    print(f"build.py trace: error: {message}", file=sys.stderr)
    return command.EXIT_USAGE


def _secret(path: Path | None) -> bytes | None:
    try:
        return copyid.load_secret(path)
    except copyid.SecretError:
        if path is not None:
            raise
        return None


def run(args) -> int:
    suspect: Path = args.suspect
    if not suspect.is_file():
        return _usage(f"{suspect} not found")
    try:
        secret = _secret(args.secret_file)
    except copyid.SecretError as exc:
        return _usage(str(exc))
    files = evidence.ledger_files(args.ledger, args.out)
    entries = evidence.read_entries(files)
    if not entries:
        where = ", ".join(map(str, args.ledger)) if args.ledger else f"{args.out}/"
        return _usage(f"no ledger rows found in {where}; pass --ledger PATH")
    index = Index(entries)
    try:
        if suspect.stat().st_size > MAX_SUSPECT_BYTES:
            raise NotTraceable(f"it is {suspect.stat().st_size:,} bytes; the limit is {MAX_SUSPECT_BYTES:,}")
        data = suspect.read_bytes()
        found, kinds, notes = _gather(suspect, data, index)
    except (NotTraceable, scan.Unreadable) as exc:
        return _usage(f"{suspect} is not a PDF or image: {exc}")
    except OSError as exc:
        return _usage(f"cannot read {suspect}: {exc.strerror or exc}")
    return report(suspect, grade(found, secret), found, kinds, notes + ([] if secret else [NO_SECRET]))


def _gather(suspect: Path, data: bytes, index: Index) -> tuple[list[Evidence], tuple[str, ...], list[str]]:
    """(evidence, the kinds looked for, notes on what could not be read)."""
    if not data:
        raise NotTraceable("it is empty")
    picture = scan.picture_format(data)
    if picture is not None:
        image = scan.open_picture(data, picture)
        return evidence.from_marks([("in the picture", image)], index), PICTURE_KINDS, []
    if b"%PDF-" not in data[:1024]:
        start = data[:12].decode("utf-8", "replace")
        raise NotTraceable(f"it starts with {start!r}, not with %PDF- or a PNG, JPEG or WebP signature")
    notes = []
    found = evidence.from_hash(hashlib.sha256(data).hexdigest(), index)
    structural, unreadable, pages = evidence.from_structure(data, index)
    found += structural + evidence.from_header(data, index)
    if unreadable:
        notes.append(f"the PDF structure could not be read: {unreadable}")
    texts = evidence.page_texts(suspect)
    if texts is None:
        notes.append("pdftotext could not read its text")
    found += evidence.from_text(texts or [], index)
    pictures = ((f"on page {n}", scan.pdf_page(suspect, n)) for n in scan.pages_to_try(pages))
    found += evidence.from_marks(pictures, index)
    return found, PDF_KINDS, notes


def grade(found: list[Evidence], secret: bytes | None) -> list[Finding]:
    """The copies the evidence points to, strongest first."""
    by_copy: dict[str, list[Evidence]] = {}
    for item in found:
        by_copy.setdefault(item.copy_id, []).append(item)
    findings = []
    for copy, items in by_copy.items():
        entries = {e for item in items for e in item.entries}
        if not entries:
            continue  # a copy id in no ledger: reported as such by `report`
        tokens = [item for item in items if item.token is not None]
        checked = [item for item in tokens if secret is not None and any(
            copyid.checks(secret, e.row.edition, e.row.student_id, item.token) for e in entries)]
        kinds = ", ".join(dict.fromkeys(item.kind for item in checked or tokens))
        if checked:
            findings.append(Finding(copy, tuple(items), "verified", f"the copy id in the {kinds} checks with the "
                                                                     "secret: only the stamp could have written it"))
            continue
        structural = [item.kind for item in items if item.kind in ("sha256", "document ID")]
        if tokens and secret is not None:
            why = f"the copy id in the {kinds} does not check with this secret (a forgery, or the wrong secret)"
        elif tokens:
            why = f"the copy id in the {kinds} cannot be checked without the secret"
        else:
            why = "only the visible licence line names this student, and anyone can type that line"
        if structural:
            findings.append(Finding(copy, tuple(items), "matched", f"the file's {' and '.join(structural)} "
                                                                   f"{'is' if len(structural) == 1 else 'are'} in "
                                                                   f"the ledger; {why}"))
        else:
            findings.append(Finding(copy, tuple(items), "unverified", f"{why}; nothing in the file proves it is "
                                                                      "this copy"))
    return sorted(findings, key=lambda f: (GRADES.index(f.grade), -len({i.kind for i in f.items})))


def _row_shown(finding: Finding) -> evidence.Entry:
    """The ledger row to show: the one whose file this is, else the last row issued for this copy id."""
    entries = [e for item in finding.items for e in item.entries]
    by_hash = [e for item in finding.items if item.kind == "sha256" for e in item.entries]
    return (by_hash or entries)[-1]


def report(suspect: Path, findings: list[Finding], found: list[Evidence], kinds: tuple[str, ...],
           notes: list[str]) -> int:
    unknown = dict.fromkeys(f"copy id {item.copy_id} ({item.kind}) is in no ledger"
                            for item in found if not item.entries)
    if not findings:
        print(f"{suspect}: no match in the ledgers (checked {', '.join(kinds)})")
        for line in [*unknown, *notes]:
            print(f"  {line}")
        return command.EXIT_CONTENT
    if len(findings) > 1:
        print(f"{suspect}: the evidence points to {len(findings)} copies; the strongest first")
    blocks = []
    for finding in findings:
        entry = _row_shown(finding)
        row = entry.row
        lines = [f"{suspect}: {finding.grade}: the copy of {row.student_id} {row.name} <{row.email}>, "
                 f"copy id {row.copy_id}", f"  why: {finding.why}", f"  ledger: {entry.source}"]
        rows = {(e.row.name, e.row.email, e.row.sha256) for item in finding.items for e in item.entries}
        if len(rows) > 1:
            lines.append(f"  the ledgers hold {len(rows)} rows for this copy id (the roster or the master changed)")
        found_by_kind: dict[str, list[str]] = {}
        for item in finding.items:
            found_by_kind.setdefault(item.kind, []).append(item.detail)
        for kind in kinds:
            status = f"found: {'; '.join(found_by_kind[kind])}" if kind in found_by_kind else "no match"
            lines.append(f"  {kind + ':':14}{status}")
        blocks.append("\n".join(lines))
    print("\n\n".join(blocks))
    for line in [*unknown, *notes]:
        print(f"  {line}")
    return EXIT[findings[0].grade]
