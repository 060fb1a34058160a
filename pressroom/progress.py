"""What a build shows while it runs and when it ends.

Three ways to show it, chosen once per run:
- a terminal gets a rich progress display (stage, a bar over the articles, then
  the number of the page WeasyPrint is laying out) and a summary table;
- anything else (CI logs, pipes) gets plain lines, and no progress at all, so
  logs stay readable and stable;
- `--quiet` prints only problems.

WeasyPrint has no progress callback; it does log each page it lays out, and
that log is what the page count follows. The total is not known until the
layout ends, so the PDF stage has a pulsing bar rather than a filling one.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pressroom.report import BuildReport

STAGE_LABELS = {
    "read": "reading files",
    "markup": "converting articles",
    "compose": "composing pages",
    "pdf": "laying out the PDF (WeasyPrint)",
    "epub": "packaging the EPUB",
    "write": "writing files",
}


@dataclass(frozen=True)
class Summary:
    """One edition's build, as the summary shows it."""

    edition: str
    title: str
    pages: int | None
    articles: int
    words: int
    images: int
    warnings: int
    seconds: tuple[tuple[str, float], ...]  # per stage, in build order, then "total"
    outputs: tuple[tuple[str, str, int], ...]  # (kind, path, bytes)

    @property
    def total(self) -> float:
        return dict(self.seconds).get("total", 0.0)


def summarise(report: BuildReport, warnings: int) -> Summary:
    outputs = tuple((kind, path, report.bytes.get(kind, 0)) for kind, path in report.artefacts.items())
    return Summary(report.edition, report.title, report.pages, report.articles,
                   report.words, report.images, warnings, tuple(report.seconds.items()), outputs)


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def headline(s: Summary) -> str:
    pages = f"{s.pages} pages, " if s.pages else ""
    return f"{s.edition}: {pages}{s.articles} articles, {s.words} words in {s.total:.1f} s"


class Reporter:
    """Plain lines: the headline, one line per output, then the remaining figures."""

    def __init__(self, out: TextIO, err: TextIO):
        self.out, self.err = out, err

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stage_callback(self, edition: str) -> Callable[[str, int, int], None] | None:
        return None

    def stop(self) -> None:
        """Clear any live display, so that problems print on a clean line."""

    def built(self, edition_dir: Path, report: BuildReport) -> Summary:
        warnings = report.house_rules
        self.stop()
        for problem in warnings:
            print(problem, file=self.err)
        summary = summarise(report, len(warnings) + len(report.warnings))
        self.show(summary)
        return summary

    def show(self, s: Summary) -> None:
        print(headline(s), file=self.out)
        for kind, path, size in s.outputs:
            print(f"  {kind}: {path} ({megabytes(size)})", file=self.out)
        print(f"  images: {s.images}, warnings: {s.warnings}", file=self.out)
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in s.seconds if name != "total")
        print(f"  seconds: {stages}", file=self.out)


class QuietReporter(Reporter):
    def show(self, s: Summary) -> None:
        pass


class PageCounter(logging.Handler):
    """WeasyPrint has no progress callback, but it logs each page it lays out; count those lines."""

    PAGE = re.compile(r"Step (?:5 - Creating layout - (?:Page (?P<page>\d+)|Repagination)|(?P<pdf>6) - Creating PDF)")
    LOGGER = "weasyprint.progress"

    def __init__(self, on_page: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.on_page = on_page
        self.logger = logging.getLogger(self.LOGGER)
        self.saved_level = self.logger.level

    def emit(self, record: logging.LogRecord) -> None:
        match = self.PAGE.match(record.getMessage())
        if match:
            self.on_page(-1 if match["pdf"] else int(match["page"] or 0))

    def attach(self) -> None:
        self.logger.addHandler(self)
        self.logger.setLevel(logging.INFO)  # only this logger: WeasyPrint's warnings keep their own handling

    def detach(self) -> None:
        self.logger.removeHandler(self)
        self.logger.setLevel(self.saved_level)


class RichReporter(Reporter):
    """A live display on the terminal; transient, so only the summary table stays on screen."""

    def __init__(self, out: TextIO, err: TextIO):
        super().__init__(out, err)
        from rich.console import Console

        self.console = Console(file=out)
        self.progress = None
        self.task = None
        self.pages: PageCounter | None = None

    def _start(self, edition: str) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.stop()
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[count]}"), TimeElapsedColumn(), console=self.console,
                                 transient=True)
        self.progress.start()
        self.task = self.progress.add_task(edition, total=None, count="")

    def stage_callback(self, edition: str) -> Callable[[str, int, int], None]:
        self._start(edition)
        current = {"stage": None}

        def update(stage: str, done: int, total: int) -> None:
            counted = stage == "markup" and total > 1  # the one stage with a natural unit: articles
            if stage != current["stage"]:
                # A new task per stage: rich cannot turn a counted bar back into a pulsing one.
                current["stage"] = stage
                self.progress.remove_task(self.task)
                self.task = self.progress.add_task(f"{edition}: {STAGE_LABELS.get(stage, stage)}",
                                                   total=total if counted else None, count="")
            if counted:
                self.progress.update(self.task, total=total, completed=done, count=f"{done}/{total} articles")
            self._count_pages(stage == "pdf")

        return update

    def _count_pages(self, on: bool) -> None:
        if on and self.pages is None:
            task = self.task

            def page(number: int) -> None:
                # 0: WeasyPrint starts the layout again (page references changed); -1: layout done.
                count = {0: "again", -1: "writing"}.get(number, f"page {number}")
                self.progress.update(task, count=count)

            self.pages = PageCounter(page)
            self.pages.attach()
        elif not on and self.pages is not None:
            self.pages.detach()
            self.pages = None

    def stop(self) -> None:
        self._count_pages(False)
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def show(self, s: Summary) -> None:
        from rich.table import Table

        table = Table(title=headline(s), title_justify="left", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(justify="right")
        table.add_column(overflow="fold")
        for name, value in (("pages", s.pages if s.pages else "-"), ("articles", s.articles), ("words", s.words),
                            ("images", s.images), ("warnings", s.warnings)):
            table.add_row(name, str(value), "")
        for name, seconds in s.seconds:
            table.add_row(f"{name} (s)" if name == "total" else f"  {name} (s)", f"{seconds:.2f}", "")
        for kind, path, size in s.outputs:
            table.add_row(kind, megabytes(size), path)
        self.console.print(table)


def reporter(quiet: bool = False, out: TextIO | None = None, err: TextIO | None = None) -> Reporter:
    out, err = out or sys.stdout, err or sys.stderr
    if quiet:
        return QuietReporter(out, err)
    if out.isatty():
        return RichReporter(out, err)
    return Reporter(out, err)


class Counter:
    """Progress through a known number of things (copies stamped): a rich bar on a terminal; in logs a
    plain line every tenth of the way."""

    def __init__(self, total: int, label: str, unit: str = "copies"):
        self.total, self.label, self.unit, self.count, self.started = total, label, unit, 0, time.perf_counter()
        self.bar = None
        if sys.stdout.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeRemainingColumn())
            self.bar.start()
            self.task = self.bar.add_task(label, total=total)
        self.step = max(1, total // 10)

    def advance(self) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.advance(self.task)
        elif self.count % self.step == 0 or self.count == self.total:
            rate = self.count / max(time.perf_counter() - self.started, 1e-9)
            print(f"{self.label}: {self.count}/{self.total} {self.unit} ({rate:.1f}/s)", flush=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
