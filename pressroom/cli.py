"""Command line: `python build.py [EDITION] [--all] [--format pdf|epub] [--out DIR]`.

Exit codes: 0 built, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, pipeline, reader
from .problems import ContentError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on usage errors already; keep its words, our format
        self.print_usage(sys.stderr)
        print(f"build.py: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="Build a magazine edition as a print PDF and an EPUB 3.")
    parser.add_argument("edition", nargs="?", help="edition slug under content/, or a path to an edition folder "
                                                   "(default: the newest edition by `published`)")
    parser.add_argument("--all", action="store_true", help="build every edition under content/")
    parser.add_argument("--format", choices=("pdf", "epub"), help="build only this format (default: both)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument("--profile", choices=("screen", "print"), default="screen",
                        help="screen: tagged, linked PDF (default); print: for the press")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--version", action="version", version=f"pressroom {__version__}")
    return parser


def default_content_root() -> Path:
    here = Path("content")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "content"


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    content_root = args.content or default_content_root()
    try:
        if args.all:
            if args.edition:
                raise reader.UsageError("give either EDITION or --all, not both")
            editions = reader.find_editions(content_root)
            if not editions:
                raise reader.UsageError(f"no edition found under {content_root}/")
        else:
            editions = [reader.resolve_edition(args.edition, content_root)]
    except reader.UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    formats = (args.format,) if args.format else ("pdf", "epub")
    options = pipeline.Options(formats=formats, out_dir=args.out, profile=args.profile)
    status = EXIT_OK
    for edition_dir in editions:
        try:
            report = pipeline.build(edition_dir, options)
        except ContentError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            errors = sum(p.severity == "error" for p in exc.problems)
            print(f"{edition_dir.name}: {errors} error(s); nothing was written", file=sys.stderr)
            status = EXIT_CONTENT
            continue
        pages = f"{report['pages']} pages, " if report["pages"] else ""
        print(f"{report['edition']}: {pages}{report['articles']} articles, {report['words']} words "
              f"in {report['seconds']['total']:.1f} s")
        for kind, path in report["artefacts"].items():
            print(f"  {kind}: {path} ({report['bytes'][kind] / 1e6:.2f} MB)")
    return status
