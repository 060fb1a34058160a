"""Stamp a personalised, traceable copy of an edition's PDF for every student on a roster.

    python build.py stamp [EDITION] --roster students.csv [--shard K/N] [--secret-file PATH] [--jobs N]

Writes <out>/<slug>/copies/<student_id>.pdf and the ledger (ledger.csv, or
ledger-K-of-N.csv for a shard), building the master PDF first when it is
missing or stale.  Exit 0 when every row was stamped, 1 when some rows were bad
(the others are stamped) or the content has errors, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pressroom import command
from pressroom.copies import ledger, linefont, overlay
from pressroom.copies.master import ensure_master
from pressroom.copies.roster import Student, id_key, read_roster
from pressroom.copies.wording import Wording, wording
from pressroom.fingerprint import digest, digest_files, package_code
from pressroom.output import OutputError, write_atomic
from pressroom.paths import FONTS
from pressroom.problems import ContentError, Problem, UsageError, error

FONT_FILES = (("latin", "NotoSans-Regular.ttf"), ("deva", "NotoSansDevanagari-Regular.ttf"))
CHUNK = 8                 # rows per task: enough to amortise the round trip, small enough to balance
CHECKPOINT_SECONDS = 2.0  # how often the ledger is rewritten, so an interrupted run loses little


def add_arguments(parser: argparse.ArgumentParser) -> None:
    command.add_edition_arguments(parser)
    parser.add_argument("--roster", type=Path, required=True, metavar="CSV",
                        help="students: a UTF-8 CSV with the header student_id,name,email[,batch]")
    parser.add_argument("--shard", type=parse_shard, metavar="K/N",
                        help="stamp only the K-th of N deterministic shares of the roster (e.g. 1/4)")
    parser.add_argument("--secret-file", type=Path, metavar="PATH",
                        help=f"the copy-id secret (default: ${ledger.SECRET_ENV}, else "
                             "~/.config/pressroom/secret)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (default: every core)")


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not K/N, e.g. 1/4") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"'{text}': K must be between 1 and N")
    return k, n


def in_shard(student_id: str, shard: tuple[int, int] | None) -> bool:
    """A stable hash of the id, not the row's position: a student stays in his shard when rows are added."""
    if shard is None:
        return True
    digest = hashlib.sha256(id_key(student_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shard[1] == shard[0] - 1


def stamp_code(wording: Wording) -> str:
    """What the stamp's bytes depend on besides the master and the student."""
    files = package_code("copies") + [FONTS / name for _, name in FONT_FILES]
    return digest(digest_files(files), wording.line, wording.first, wording.second)[:16]


def load_fonts() -> linefont.Fonts:
    return linefont.Fonts([linefont.FontProgram(FONTS / name, key) for key, name in FONT_FILES])


# --------------------------------------------------------------------------- workers


@dataclass(frozen=True)
class Job:
    student: Student
    copy_id: str
    document_id: bytes
    previous: ledger.Row | None   # the ledger's row, when the file on disk may still be this copy


@dataclass(frozen=True)
class Done:
    student: Student
    row: ledger.Row | None      # None when the row could not be stamped
    stamped: bool
    failure: str = ""


_WORKER: dict = {}


def _init_worker(template: overlay.Template, copies: Path, wording: Wording, parent: int | None = None) -> None:
    _WORKER.update(template=template, copies=copies, wording=wording, fonts=load_fonts())
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
    template, copies, fonts, wording = (_WORKER[k] for k in ("template", "copies", "fonts", "wording"))
    out = []
    for job in jobs:
        s = job.student
        path = copies / f"{s.student_id}.pdf"
        if job.previous is not None and ledger.sha256_file(path) == job.previous.sha256:
            out.append(Done(s, job.previous, False))
            continue
        try:
            data = overlay.render(template, fonts,
                                  licence(s, job.copy_id, job.document_id, fonts, template.line_width, wording))
        except Exception as exc:  # one row the stamp cannot set must not cost the others their copies
            out.append(Done(s, None, False, f"could not stamp this row: {type(exc).__name__}: {exc}"))
            continue
        write_atomic(path, data)
        row = ledger.Row(s.student_id, s.name, s.email, job.copy_id, hashlib.sha256(data).hexdigest(),
                         template.pages, len(data))
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


def run_jobs(jobs: Iterator[Job], workers: int, template: overlay.Template, copies: Path,
             wording: Wording) -> Iterator[Done]:
    """Results as they finish.  At most two tasks per worker are queued, so memory does not grow with the roster."""
    if workers <= 1:
        _init_worker(template, copies, wording)
        for chunk in _chunks(jobs):
            yield from _work(chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                             initargs=(template, copies, wording, os.getpid())) as pool:
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


# --------------------------------------------------------------------------- progress


class Progress:
    """A rich bar on a terminal; in logs a plain line every tenth of the way."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.count, self.started = total, label, 0, time.perf_counter()
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
            print(f"{self.label}: {self.count}/{self.total} copies ({rate:.1f}/s)", flush=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# --------------------------------------------------------------------------- the command


def _remove_leftovers(copies: Path, ledger_path: Path, shard: tuple[int, int] | None) -> None:
    """Temporary files a killed run left half written; only this shard's, as others may be running."""
    ours = [f".{ledger_path.name}.*.tmp", f".{ledger.state_path(ledger_path).name}.*.tmp"]
    for pattern in ours:
        for leftover in copies.glob(pattern):
            leftover.unlink(missing_ok=True)
    for leftover in copies.glob(".*.pdf.*.tmp"):
        if in_shard(leftover.name[1:].rsplit(".pdf.", 1)[0], shard):
            leftover.unlink(missing_ok=True)


def _usage(message: str) -> int:
    print(f"build.py stamp: error: {message}", file=sys.stderr)
    return command.EXIT_USAGE


def _terminate(signum, frame):
    raise KeyboardInterrupt  # `kill` stops a run the way Ctrl-C does: ledger saved, workers stopped


def run(args) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args) -> int:
    try:
        secret = ledger.load_secret(args.secret_file)
    except ledger.SecretError as exc:
        return _usage(str(exc))
    if not args.roster.is_file():
        return _usage(f"roster {args.roster} not found")
    if args.jobs < 1:
        return _usage("--jobs must be at least 1")
    try:
        (edition_dir,) = command.resolve_editions(args)
    except UsageError as exc:
        return _usage(str(exc))
    except ContentError as exc:
        return command.print_choice_problems(exc, "build.py stamp")
    fonts = load_fonts()
    try:
        # A first pass for the bar's total; it also stops a wrong header before the master is built.
        total = sum(isinstance(item, Student) and in_shard(item.student_id, args.shard)
                    for item in read_roster(args.roster, fonts.missing))
    except ContentError as exc:
        command.print_problems(exc, str(args.roster))
        return command.EXIT_CONTENT
    try:
        edition, master, built = ensure_master(edition_dir, args.out)
        words = wording(edition.meta.language)
    except ContentError as exc:
        command.print_problems(exc, edition_dir.name)
        return command.EXIT_CONTENT
    except OutputError as exc:
        print(f"build.py stamp: error: {exc}", file=sys.stderr)
        return command.EXIT_CONTENT
    if built:
        print(f"{edition.slug}: built the master {master}")
    started = time.perf_counter()
    master_bytes = master.read_bytes()
    watermark = edition.brand.watermark.diagonal
    template = overlay.prepare(master_bytes, watermark)
    copies = args.out / edition.slug / "copies"
    ledger_path = copies / ("ledger.csv" if args.shard is None else f"ledger-{args.shard[0]}-of-{args.shard[1]}.csv")
    _remove_leftovers(copies, ledger_path, args.shard)
    state = ledger.State(hashlib.sha256(master_bytes).hexdigest(), stamp_code(words), watermark)
    del master_bytes
    previous = {}
    if ledger.read_state(ledger_path) == state:
        previous = {row.student_id: row for row in ledger.read_ledger(ledger_path)}
    else:
        # The old rows describe copies of another master: forget them before claiming anything new.
        ledger.write_ledger(ledger_path, [])
        ledger.write_state(ledger_path, state)
    problems: list[Problem] = []
    order: list[str] = []

    def jobs() -> Iterator[Job]:
        for item in read_roster(args.roster, fonts.missing):
            if isinstance(item, Problem):
                problems.append(item)
                print(item, file=sys.stderr, flush=True)
                continue
            if not in_shard(item.student_id, args.shard):
                continue
            digest = ledger.copy_digest(secret, edition.slug, item.student_id)
            copy_id = ledger.copy_id(digest)
            old = previous.get(item.student_id)
            same = old is not None and (old.name, old.email, old.copy_id) == (item.name, item.email, copy_id)
            order.append(item.student_id)
            yield Job(item, copy_id, ledger.document_id(digest), old if same else None)

    done: dict[str, ledger.Row] = {}
    stamped = 0
    label = edition.slug + (f" shard {args.shard[0]}/{args.shard[1]}" if args.shard else "")
    progress = Progress(total, label)
    last_checkpoint = time.perf_counter()
    try:
        for result in run_jobs(jobs(), args.jobs, template, copies, words):
            progress.advance()
            if result.row is None:
                problems.append(error(args.roster, result.student.line, result.failure, code="copies.stamp-failed"))
                print(problems[-1], file=sys.stderr, flush=True)
                continue
            done[result.row.student_id] = result.row
            stamped += result.stamped
            if time.perf_counter() - last_checkpoint > CHECKPOINT_SECONDS:
                ledger.write_ledger(ledger_path, [*done.values(),
                                                  *(r for k, r in previous.items() if k not in done)])
                last_checkpoint = time.perf_counter()
    except (KeyboardInterrupt, OSError) as exc:
        progress.stop()
        ledger.write_ledger(ledger_path, [*done.values(), *(r for k, r in previous.items() if k not in done)])
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"error: {exc}"
        print(f"{label}: {why}; {len(done)} copies are in the ledger, run again to finish", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else command.EXIT_CONTENT
    progress.stop()
    ledger.write_ledger(ledger_path, [done[sid] for sid in order if sid in done])
    seconds = time.perf_counter() - started
    print(f"{label}: {len(done)} copies ({stamped} stamped, {len(done) - stamped} unchanged) of a "
          f"{template.pages}-page master in {seconds:.1f} s ({stamped / max(seconds, 1e-9):.1f} copies/s)")
    print(f"  copies: {copies}/  ledger: {ledger_path}")
    if problems:
        print(f"{args.roster}: {len(problems)} error(s); those rows were not stamped", file=sys.stderr)
        return command.EXIT_CONTENT
    return command.EXIT_OK
