"""What every command shares: exit codes, common arguments, how problems are printed.

Standard library only (and the problem type): `trace` and the no-change path
start from here without importing the build.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pressroom.paths import default_content_root
from pressroom.problems import ContentError, UsageError

EXIT_OK = 0        # done
EXIT_CONTENT = 1   # the content (or a roster, a document to import) has errors; for trace: no copy found
EXIT_USAGE = 2     # the command line names something that does not exist, or is malformed
EXIT_UNVERIFIED = 3  # trace: only the visible text matched; the copy id could not be checked


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with one clear line (argparse's own default, kept explicit)."""

    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def add_edition_arguments(parser: argparse.ArgumentParser, optional_edition: bool = True) -> None:
    parser.add_argument("edition", nargs="?" if optional_edition else None,
                        help="edition slug under content/, a path to an edition folder, or a compilation: "
                             "compilations/<slug> (default: the newest edition by `published`)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def content_root(args) -> Path:
    return args.content or default_content_root()


def print_problems(exc: ContentError, what: str) -> None:
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in exc.problems)
    print(f"{what}: {errors} error(s); nothing was written", file=sys.stderr)


def resolve_editions(args) -> list[Path]:
    """Editions (or compilations) named on the command line; --all: every edition, then every compilation.
    Raises UsageError, or ContentError when no edition is named and the newest cannot be told (an
    edition.yaml that cannot be read, two editions with one date)."""
    from pressroom.stages import compilation  # the no-change path and `trace` never need them
    from pressroom.stages import editions as found

    root = content_root(args)
    if getattr(args, "all", False):
        if args.edition:
            raise UsageError("give either EDITION or --all, not both")
        editions = found.find_editions(root)
        if not editions:
            raise UsageError(f"no edition found under {root}/")
        return editions + compilation.find_compilations(root)
    return [compilation.resolve(args.edition, root)]


def chosen_editions(args, prog: str) -> list[Path] | int:
    """resolve_editions, or the exit status once it is said why no edition could be chosen."""
    try:
        return resolve_editions(args)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        return print_choice_problems(exc, prog)


def print_choice_problems(exc: ContentError, prog: str) -> int:
    """The newest edition could not be chosen: the problems, one line saying so, and exit 1."""
    for problem in exc.problems:
        print(problem, file=sys.stderr)
    print(f"{prog}: cannot tell which edition is the newest until this is fixed; nothing was done "
          "(name an edition to work on another one)", file=sys.stderr)
    return EXIT_CONTENT
