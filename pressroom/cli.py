"""Command line.

    python build.py [EDITION] [--all] [--format pdf|epub] [--out DIR] [--profile screen|print]
    python build.py COMMAND ...      (see COMMANDS below)

Exit codes: 0 done, 1 content errors (or not found, for trace), 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__, progress
from .problems import ContentError


class _Lazy:
    """A stage module imported on first use, so that a no-change rebuild never imports the stages."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        import importlib

        return getattr(importlib.import_module(self._name, __package__), attribute)


pipeline, reader = _Lazy(".pipeline"), _Lazy(".reader")

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with one clear line (argparse's own default, kept explicit)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def add_edition_arguments(parser: argparse.ArgumentParser, optional_edition: bool = True) -> None:
    parser.add_argument("edition", nargs="?" if optional_edition else None,
                        help="edition slug under content/, or a path to an edition folder "
                             "(default: the newest edition by `published`)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def make_build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="build.py", description="Build a magazine edition as a print PDF and an EPUB 3. "
                    f"Other commands: {', '.join(COMMANDS)} (build.py COMMAND --help).")
    add_edition_arguments(parser)
    parser.add_argument("--all", action="store_true", help="build every edition under content/")
    parser.add_argument("--format", choices=("pdf", "epub"), help="build only this format (default: both)")
    parser.add_argument("--profile", choices=("screen", "print"), default="screen",
                        help="screen: tagged, linked PDF (default); print: 3 mm bleed and crop marks")
    parser.add_argument("--proofs", action="store_true",
                        help="also write PNG pages and a contact sheet to <out>/<slug>/proofs/")
    parser.add_argument("--quiz-only", action="store_true",
                        help="write only the Practice Questions and Answer Key, as <name>-quiz.pdf")
    parser.add_argument("--jobs", type=positive_int, metavar="N",
                        help="worker processes (default: one per core); 1 lays the PDF out as one document")
    parser.add_argument("--no-cache", action="store_true",
                        help="ignore and do not update the build cache in <out>/.cache")
    parser.add_argument("--quiet", action="store_true", help="print only problems (errors and warnings)")
    parser.add_argument("--version", action="version", version=f"pressroom {__version__}")
    return parser


def default_content_root() -> Path:
    here = Path("content")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "content"


def resolve_editions(args) -> list[Path]:
    """Editions named on the command line; raises reader.UsageError."""
    content_root = args.content or default_content_root()
    if getattr(args, "all", False):
        if args.edition:
            raise reader.UsageError("give either EDITION or --all, not both")
        editions = reader.find_editions(content_root)
        if not editions:
            raise reader.UsageError(f"no edition found under {content_root}/")
        return editions
    return [reader.resolve_edition(args.edition, content_root)]


def print_problems(exc: ContentError, what: str) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in exc.problems)
    print(f"{what}: {errors} error(s); nothing was written", file=sys.stderr)


def run_build(args) -> int:
    from . import fastpath

    record = None if args.no_cache else fastpath.Record(args, args.content or default_content_root())
    unchanged = record.unchanged() if record is not None else None
    if unchanged is not None:
        return replay_unchanged(args, unchanged, record.elapsed())
    from . import pool

    try:
        return build_editions(args, record, pool)
    finally:
        pool.discard()


def build_editions(args, record, pool) -> int:
    import os

    from . import fastpath

    jobs = args.jobs or os.cpu_count() or 1
    if args.format != "epub":  # an EPUB alone is made in this process
        # Workers start now and import WeasyPrint while this process reads the content.
        pool.prestart(jobs, Path(__file__).resolve().parent.parent / "styles" / "fonts")
    try:
        editions = resolve_editions(args)
    except reader.UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    formats = (args.format,) if args.format else ("pdf", "epub")
    options = pipeline.Options(formats=formats, out_dir=args.out, profile=args.profile, quiz_only=args.quiz_only,
                               proofs=args.proofs, jobs=args.jobs, cache=not args.no_cache)
    status = EXIT_OK
    built = []
    err = fastpath.Tee(sys.stderr)
    with progress.reporter(quiet=args.quiet, err=err) as shown:
        for edition_dir in editions:
            try:
                report = pipeline.build(edition_dir, options, progress=shown.stage_callback(edition_dir.name))
            except ContentError as exc:
                shown.stop()
                print_problems(exc, edition_dir.name)
                status = EXIT_CONTENT
                continue
            for message in report["warnings"]:
                print(message, file=sys.stderr)
            del err.lines[:]
            shown.built(edition_dir, report)
            built.append({"report": report, "house": list(err.lines)})
    if record is not None and status == EXIT_OK:  # a failed build changes nothing, not even this record
        record.save(built)
    return status


def replay_unchanged(args, editions: list[dict], seconds: float) -> int:
    """Nothing changed since the last successful run with these arguments: say what was built, write nothing."""
    with progress.reporter(quiet=args.quiet) as shown:
        for edition in editions:
            report = {**edition["report"], "seconds": {"unchanged": seconds, "total": seconds}}
            for message in report["warnings"]:
                print(message, file=sys.stderr)
            for line in edition["house"]:
                print(line, file=sys.stderr)
            shown.show(progress.summarise(report, len(edition["house"]) + len(report["warnings"])))
    return EXIT_OK


# Each command module has `add_arguments(parser)` and `run(args) -> int`; listed here, not discovered.
COMMANDS: dict[str, str] = {
    "check": "check",
    "new": "scaffold",
    "new-edition": "scaffold",
    "watch": "watch",
    "stamp": "stamp",
    "trace": "trace",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        import importlib

        module = importlib.import_module(f".{COMMANDS[argv[0]]}", __package__)
        parser = Parser(prog=f"build.py {argv[0]}", description=module.__doc__.strip().splitlines()[0])
        module.add_arguments(parser)
        return module.run(parser.parse_args(argv[1:]))
    return run_build(make_build_parser().parse_args(argv))
