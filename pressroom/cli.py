"""Command line.

    python build.py [EDITION] [--all] [--format pdf|epub] [--out DIR] [--profile screen|print]
    python build.py COMMAND ...      (see COMMANDS below)

Exit codes are in command.py: 0 done, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pressroom import __version__, progress
from pressroom.command import (
    EXIT_CONTENT,
    EXIT_OK,
    EXIT_USAGE,
    Parser,
    add_edition_arguments,
    chosen_editions,
    content_root,
    positive_int,
    print_problems,
)
from pressroom.output import OutputError
from pressroom.paths import FONTS, default_content_root
from pressroom.problems import ContentError, did_you_mean


def make_build_parser() -> Parser:
    parser = Parser(prog="build.py", description="Build a magazine edition as a print PDF and an EPUB 3. "
                    f"Other commands: {', '.join(COMMANDS)} (build.py COMMAND --help).")
    add_edition_arguments(parser)
    parser.add_argument("--all", action="store_true", help="build every edition and compilation under content/")
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


def run_build(args) -> int:
    # The no-change path imports only the standard library: a rebuild with nothing to do stays instant.
    from pressroom.fast import nochange

    record = None if args.no_cache else nochange.Record(args, content_root(args))
    unchanged = record.unchanged() if record is not None else None
    if unchanged is not None:
        return replay_unchanged(args, unchanged, record.elapsed())
    from pressroom.fast import pool

    try:
        return build_editions(args, record)
    finally:
        pool.discard()


def build_editions(args, record) -> int:
    from pressroom import pipeline
    from pressroom.fast import nochange, pool

    jobs = args.jobs or os.cpu_count() or 1
    if args.format != "epub":  # an EPUB alone is made in this process
        # Workers start now and import WeasyPrint while this process reads the content.
        pool.prestart(jobs, FONTS)
    editions = chosen_editions(args, "build.py")
    if isinstance(editions, int):
        return editions
    formats = (args.format,) if args.format else ("pdf", "epub")
    options = pipeline.Options(formats=formats, out_dir=args.out, profile=args.profile, quiz_only=args.quiz_only,
                               proofs=args.proofs, jobs=args.jobs, cache=not args.no_cache)
    status = EXIT_OK
    built = []
    err = nochange.Tee(sys.stderr)
    with progress.reporter(quiet=args.quiet, err=err) as shown:
        for edition_dir in editions:
            try:
                report = pipeline.build(edition_dir, options, progress=shown.stage_callback(edition_dir.name))
            except ContentError as exc:
                shown.stop()
                print_problems(exc, edition_dir.name)
                status = EXIT_CONTENT
                continue
            except OutputError as exc:  # a read-only or full --out: one line, the previous outputs kept
                shown.stop()
                print(f"build.py: error: {exc}", file=sys.stderr)
                status = EXIT_CONTENT
                continue
            for message in report.warnings:
                print(message, file=sys.stderr)
            del err.lines[:]
            shown.built(edition_dir, report)
            built.append(nochange.Built(report, tuple(err.lines)))
    if record is not None and status == EXIT_OK:  # a failed build changes nothing, not even this record
        record.save(built)
    return status


def replay_unchanged(args, editions, seconds: float) -> int:
    """Nothing changed since the last successful run with these arguments: say what was built, write nothing."""
    with progress.reporter(quiet=args.quiet) as shown:
        for edition in editions:
            report = edition.report.with_seconds({"unchanged": seconds, "total": seconds})
            for message in report.warnings:
                print(message, file=sys.stderr)
            for line in edition.house:
                print(line, file=sys.stderr)
            shown.show(progress.summarise(report, len(edition.house) + len(report.warnings)))
    return EXIT_OK


# Each command module has `add_arguments(parser)` and `run(args) -> int`. The imports are written out
# here, one function each, so that a command imports only what it uses and a reader sees them all.
def _check():
    from pressroom.editor import check
    return check


def _scaffold():
    from pressroom.editor import scaffold
    return scaffold


def _new_compilation():
    from pressroom.editor import newcompilation
    return newcompilation


def _watch():
    from pressroom.editor import watch
    return watch


def _stamp():
    from pressroom.copies import stamp
    return stamp


def _trace():
    from pressroom.copies import trace
    return trace


def _wordimport():
    from pressroom.wordimport import command
    return command


def _site():
    from pressroom.site import command
    return command


COMMANDS = {
    "check": _check,
    "new": _scaffold,
    "new-edition": _scaffold,
    "new-compilation": _new_compilation,
    "watch": _watch,
    "stamp": _stamp,
    "trace": _trace,
    "import": _wordimport,
    "site": _site,
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS and "/" not in argv[0]:
        hint = did_you_mean(argv[0], COMMANDS)
        if hint and not Path(argv[0]).exists() and not (default_content_root() / argv[0]).exists():
            print(f"build.py: error: unknown command '{argv[0]}'{hint}", file=sys.stderr)
            return EXIT_USAGE
    if argv and argv[0] in COMMANDS:
        module = COMMANDS[argv[0]]()
        parser = Parser(prog=f"build.py {argv[0]}", description=module.__doc__.strip().splitlines()[0])
        module.add_arguments(parser)
        return module.run(parser.parse_args(argv[1:]))
    return run_build(make_build_parser().parse_args(argv))
