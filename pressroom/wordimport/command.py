"""Import Word documents (.docx) as articles: text, tables, notes, pictures, boxes and practice questions.

    python build.py import FILE.docx [FILE.docx ...] SECTION [--edition SLUG] [--number N]

Exit codes: 0 every file imported, 1 a file was refused (the others are still imported), 2 usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from pressroom.command import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, content_root
from pressroom.editor import scaffold
from pressroom.problems import UsageError, display_path
from pressroom.stages import read as reader
from pressroom.stages.yamlsource import load_yaml_file
from pressroom.wordimport.convert import EmptyDocument, convert
from pressroom.wordimport.docx_reader import Refused, open_docx
from pressroom.wordimport.pandoc_ast import read_docx
from pressroom.wordimport.scan import scan
from pressroom.wordimport.writer import Written, write


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.docx", help="Word documents to import")
    parser.add_argument("section", help="the section id, e.g. gs2 (as listed in edition.yaml)")
    parser.add_argument("--edition", help="edition slug or folder (default: the newest edition)")
    parser.add_argument("--number", type=int, help="the first file's number (default: one after the last)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")


def run(args) -> int:
    root = content_root(args)
    try:
        edition_dir = reader.resolve_edition(args.edition, root)
    except UsageError as exc:
        print(f"build.py import: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.number is not None and args.number < 0:
        print("build.py import: error: --number must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    labels = _paper_labels(edition_dir)
    status = EXIT_OK
    number = args.number
    for path in args.files:
        name = display_path(path)
        try:
            written = import_file(path, args.section, edition_dir, root, labels, number)
        except Refused as exc:
            print(f"{name}: error: {exc} [{exc.code}]", file=sys.stderr)
            status = EXIT_CONTENT
            continue
        for finding in written.findings:
            print(finding.render(name), file=sys.stderr)
        pictures = f" and {len(written.images)} picture(s) in {display_path(written.images[0].parent)}/" \
            if written.images else ""
        print(f"created {display_path(written.article)}{pictures} from {name}")
        if number is not None:
            number += 1
    if status == EXIT_OK:
        print("next: fix what the warnings say, add tags, then run `build.py check`")
    return status


def import_file(path: Path, section: str, edition_dir: Path, content_root: Path, labels: tuple[str, ...],
                number: int | None) -> Written:
    package = open_docx(path)
    scanned = scan(package.clean)
    try:
        article = convert(read_docx(scanned.prepared), scanned, labels)
        plan = scaffold.plan_article(content_root, section, article.title, str(edition_dir), None, number)
        written = write(article, package, plan)
    except EmptyDocument as exc:
        raise Refused(str(exc), code="import.empty") from None
    except scaffold.Refused as exc:
        raise Refused(str(exc), code="import.exists") from None
    except UsageError as exc:  # the edition is known to be good by now, so it is the section
        raise Refused(str(exc), code="import.section") from None
    return dataclasses.replace(written, findings=article.findings + written.findings)


def _paper_labels(edition_dir: Path) -> tuple[str, ...]:
    """The sections' short labels ("GS-II"), which a writer may put before the topic in the title."""
    located, _problems = load_yaml_file(edition_dir / "edition.yaml")
    sections = located.value.get("sections") if located and isinstance(located.value, dict) else None
    return tuple(str(s["label"]) for s in sections or [] if isinstance(s, dict) and isinstance(s.get("label"), str))
