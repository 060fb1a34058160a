"""Check an edition without building it: every problem as `path:line: error|warning: message`.

Reads and validates everything a build would (YAML, front matter, article bodies,
images, fonts) and applies the house rules from brand.yaml as warnings, but lays
out nothing: WeasyPrint is never imported, so it takes a fraction of a second.
Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict), 2 usage errors.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from pressroom import pipeline
from pressroom.command import EXIT_CONTENT, EXIT_OK
from pressroom.editor import draft
from pressroom.problems import ContentError, Problem
from pressroom.stages import houserules
from pressroom.stages import read as reader


@dataclass(frozen=True)
class CheckResult:
    edition: str
    articles: int | None  # None when the edition could not be read
    problems: tuple[Problem, ...]
    seconds: float

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)


def add_arguments(parser) -> None:
    parser.add_argument("edition", nargs="?", help="edition slug under content/, a path to an edition folder, or a "
                                                   "compilation: compilations/<slug> (default: the newest edition)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--all", action="store_true", help="check every edition and compilation under content/")
    parser.add_argument("--strict", action="store_true", help="treat house-rule warnings as errors (for CI)")


def explain(problem: Problem) -> Problem:
    """A new edition's empty section is expected; say how to fill it rather than only that it is empty."""
    if problem.code != "read.empty-section":
        return problem
    return replace(problem, message=f"{problem.message}; add one with: build.py new {problem.subject} \"Title\"")


def _validate(edition_dir: Path, without: frozenset[str] = frozenset()) -> tuple[list[Problem], reader.Edition | None,
                                                                              list[Problem]]:
    """(problems, the edition when its files read cleanly, house-rule warnings); `without`: sections left out."""
    problems: list[Problem] = []
    try:
        prepared = pipeline.prepare(edition_dir, pipeline.Timer(), without)
        edition = prepared.edition
        problems += prepared.warnings
    except ContentError as exc:
        problems += exc.problems
        # The bodies may be what failed; house rules only need the front matter, so read again for them.
        try:
            edition = pipeline.read_source(edition_dir, without)
        except ContentError:
            edition = None
    warnings = houserules.check_edition(edition) if edition is not None else []
    if edition is not None and edition.book is not None:  # a compilation's warnings, e.g. an unused `exclude`
        warnings += edition.book.warnings
    return problems, edition, warnings


def check_edition(edition_dir: Path, strict: bool = False) -> CheckResult:
    """Validate one edition exactly as a build would, plus house rules; never raises ContentError."""
    started = time.perf_counter()
    problems, edition, warnings = _validate(edition_dir)
    articles = len(edition.articles) if edition is not None else None
    empty = draft.empty_sections(problems)
    if empty:
        # A new edition: still check the articles written so far, leaving the empty sections out.
        more, partial, warnings = _validate(edition_dir, empty)
        problems += more
        articles = len(partial.articles) if partial is not None else None
    problems += [replace(w, severity="error") for w in warnings] if strict else warnings
    problems = sorted(dict.fromkeys(explain(p) for p in problems))
    return CheckResult(edition_dir.name, articles, tuple(problems), time.perf_counter() - started)


def summary_line(result: CheckResult) -> str:
    checked = f"{result.articles} articles, " if result.articles is not None else ""
    return (f"{result.edition}: {checked}{result.errors} error(s), {result.warnings} warning(s) "
            f"in {result.seconds:.2f} s")


def run(args) -> int:
    from pressroom.command import chosen_editions

    editions = chosen_editions(args, "build.py check")
    if isinstance(editions, int):
        return editions
    status = EXIT_OK
    for edition_dir in editions:
        result = check_edition(edition_dir, args.strict)
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(summary_line(result), file=sys.stderr if result.errors else sys.stdout)
        if result.errors:
            status = EXIT_CONTENT
    return status
