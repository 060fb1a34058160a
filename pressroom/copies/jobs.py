"""The stamping work: one copy per job, on a pool of worker processes.

Each worker prepares the fonts once, then stamps the jobs of each task it is
given: it renders the copy from the template, writes it into the run's own
folder and renames it into the copies folder.  A copy whose file on disk still
has the ledger's sha256 is not made again.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pressroom.copies import ledger, linefont, overlay, runs
from pressroom.copies.roster import Student
from pressroom.copies.wording import Wording
from pressroom.paths import FONTS

FONT_FILES = (("latin", "NotoSans-Regular.ttf"), ("deva", "NotoSansDevanagari-Regular.ttf"))
CHUNK = 8  # rows per task: enough to amortise the round trip, small enough to balance


def load_fonts() -> linefont.Fonts:
    return linefont.Fonts([linefont.FontProgram(FONTS / name, key) for key, name in FONT_FILES])


@dataclass(frozen=True)
class Job:
    student: Student
    copy_id: str
    document_id: bytes
    row: ledger.Row               # the row this copy gets; sha256, pages and bytes are filled in when it is made
    previous: ledger.Row | None   # the ledger's row, when the file on disk may still be this copy


@dataclass(frozen=True)
class Done:
    student: Student
    row: ledger.Row | None      # None when the row could not be stamped
    stamped: bool
    failure: str = ""


@dataclass(frozen=True)
class Setup:
    """What every worker needs, sent once when it starts."""

    template: overlay.Template
    copies: Path
    scratch: Path                # the run's own folder: files are written there, then renamed into copies
    wording: Wording


_WORKER: dict = {}


def _init_worker(setup: Setup, parent: int | None = None) -> None:
    _WORKER.update(setup=setup, fonts=load_fonts())
    if parent is not None:
        # Ctrl-C is the parent's to handle: it saves the ledger and stops the pool.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with(parent)


def _die_with(parent: int) -> None:
    """A killed run must leave no worker behind, blocked for ever on a queue nobody writes to (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def licence(student: Student, copy_id: str, document_id: bytes, fonts: linefont.Fonts, width: float,
            wording: Wording) -> overlay.Licence:
    fields = dict(name=student.name, student_id=student.student_id, email=student.email, copy_id=copy_id)
    single = wording.line.format(**fields)
    split = (wording.first.format(**fields), wording.second.format(**fields))
    # The metadata's licensee is data for tools, the same in every language.
    who = f"{student.name} · {student.student_id} · {student.email}"
    return overlay.Licence(overlay.fit_lines(fonts, single, split, width), student.name, copy_id, document_id, who)


def _work(jobs: list[Job]) -> list[Done]:
    setup, fonts = _WORKER["setup"], _WORKER["fonts"]
    template = setup.template
    out = []
    for job in jobs:
        s = job.student
        path = setup.copies / f"{s.student_id}.pdf"
        if job.previous is not None and ledger.sha256_file(path) == job.previous.sha256:
            out.append(Done(s, job.previous, False))
            continue
        try:
            data = overlay.render(template, fonts, licence(s, job.copy_id, job.document_id, fonts,
                                                           template.line_width, setup.wording))
        except Exception as exc:  # one row the stamp cannot set must not cost the others their copies
            out.append(Done(s, None, False, f"could not stamp this row: {type(exc).__name__}: {exc}"))
            continue
        runs.write_via(setup.scratch, path, data)
        row = ledger.Row(**{**job.row.__dict__, "sha256": hashlib.sha256(data).hexdigest(),
                            "pages": template.pages, "bytes": len(data)})
        out.append(Done(s, row, True))
    return out


def _chunks(items: Iterator[Job]) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_jobs(jobs: Iterator[Job], workers: int, setup: Setup) -> Iterator[Done]:
    """Results as they finish.  At most two tasks per worker are queued, so memory does not grow with the roster."""
    if workers <= 1:
        _init_worker(setup)
        for chunk in _chunks(jobs):
            yield from _work(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(setup, os.getpid())) as pool:
        pending = set()
        chunks = _chunks(jobs)
        try:
            for chunk in chunks:
                pending.add(pool.submit(_work, chunk))
                if len(pending) >= 2 * workers:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        yield from future.result()
            for future in pending:
                yield from future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise
