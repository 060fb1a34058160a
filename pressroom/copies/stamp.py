"""Stamp a personalised, traceable copy of an edition's PDF for every student on a roster.

    python build.py stamp [EDITION] --roster students.csv [--copies-dir DIR] [--shard K/N] [--secret-file PATH]
                          [--jobs N]

Writes <out>/copies/<slug>/<student_id>.pdf (or DIR/<student_id>.pdf) and adds
a row for every copy issued to the ledger there (ledger.csv, or ledger-K-of-N.csv
for a shard), building the master PDF first when it is missing or stale.  The
whole roster is checked first: when any row is bad, nothing is stamped and the
ledger is left as it was.  Exit 0 when every row was stamped, 1 when the roster
or the content has errors (or a row could not be stamped), 2 for usage errors
and when another run is writing the same ledger.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pressroom import command
from pressroom.copies import copyid, ledger, overlay, runs
from pressroom.copies.jobs import FONT_FILES, Job, Setup, load_fonts, run_jobs
from pressroom.copies.master import ensure_master
from pressroom.copies.roster import id_key, read_roster
from pressroom.copies.wording import Wording, wording
from pressroom.fingerprint import digest, digest_files, package_code
from pressroom.output import OutputError
from pressroom.paths import FONTS
from pressroom.problems import ContentError, Problem, error
from pressroom.progress import Counter

CHECKPOINT_SECONDS = 2.0  # how often the ledger is saved, so an interrupted run loses little


def add_arguments(parser: argparse.ArgumentParser) -> None:
    command.add_edition_arguments(parser)
    parser.add_argument("--roster", type=Path, required=True, metavar="CSV",
                        help="students: a UTF-8 CSV with the header student_id,name,email[,batch]")
    parser.add_argument("--copies-dir", type=Path, metavar="DIR",
                        help="where the copies and their ledger go (default: <out>/copies/<slug>/, outside the "
                             "edition's output folder that `watch` previews)")
    parser.add_argument("--shard", type=parse_shard, metavar="K/N",
                        help="stamp only the K-th of N deterministic shares of the roster (e.g. 1/4)")
    parser.add_argument("--secret-file", type=Path, metavar="PATH",
                        help=f"the copy-id secret (default: ${copyid.SECRET_ENV}, else "
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


def made_from(master_sha256: str, code: str, watermark: bool) -> str:
    """What a ledger row's copy was made from: a copy made another way is another copy, with a row of its own."""
    return digest(master_sha256, code, watermark)[:16]


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


def check_roster(roster: Path, fonts, shard) -> tuple[int, list[Problem]]:
    """(the rows in this shard, every problem of the roster): the whole file is read before anything is made."""
    total, problems = 0, []
    for item in read_roster(roster, fonts.missing):
        if isinstance(item, Problem):
            problems.append(item)
        elif in_shard(item.student_id, shard):
            total += 1
    return total, problems


def _run(args) -> int:
    try:
        secret = copyid.load_secret(args.secret_file)
    except copyid.SecretError as exc:
        return _usage(str(exc))
    if not args.roster.is_file():
        return _usage(f"roster {args.roster} not found")
    if args.jobs < 1:
        return _usage("--jobs must be at least 1")
    chosen = command.chosen_editions(args, "build.py stamp")
    if isinstance(chosen, int):
        return chosen
    (edition_dir,) = chosen
    fonts = load_fonts()
    try:
        total, problems = check_roster(args.roster, fonts, args.shard)
    except ContentError as exc:
        problems = exc.problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{args.roster}: {len(problems)} error(s); nothing was stamped", file=sys.stderr)
        return command.EXIT_CONTENT
    copies = args.copies_dir or args.out / "copies" / edition_dir.name
    ledger_path = copies / ("ledger.csv" if args.shard is None else f"ledger-{args.shard[0]}-of-{args.shard[1]}.csv")
    try:
        with runs.LedgerLock(ledger_path), runs.RunFolder(copies) as scratch:
            runs.remove_dead_runs(copies)
            return _stamp(args, edition_dir, secret, fonts, total, (copies, ledger_path, scratch.path))
    except runs.Busy as exc:
        return _usage(str(exc))
    except OSError as exc:  # the copies folder cannot be made or written
        return _usage(f"cannot write to {copies}: {exc.strerror or exc}")


def _stamp(args, edition_dir: Path, secret: bytes, fonts, total: int, where: tuple[Path, Path, Path]) -> int:
    """Stamp, holding the ledger's lock; `where` is the copies folder, the ledger and this run's own folder."""
    copies, ledger_path, scratch = where
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
    made = made_from(hashlib.sha256(master_bytes).hexdigest(), stamp_code(words), watermark)
    del master_bytes
    book = ledger.Appender(ledger_path, lambda path, data: runs.write_via(scratch, path, data))
    book.save()  # a new ledger exists from the start, with its header
    previous = book.latest(edition.slug, made)
    lines: dict[str, int] = {}
    problems: list[Problem] = []

    def jobs() -> Iterator[Job]:
        for item in read_roster(args.roster, fonts.missing):
            if isinstance(item, Problem):  # the file changed since it was checked
                raise ContentError([item])
            if not in_shard(item.student_id, args.shard):
                continue
            digest = copyid.copy_digest(secret, edition.slug, item.student_id)
            copy = copyid.copy_id(digest)
            row = ledger.Row(item.student_id, item.name, item.email, copy, "", 0, 0, edition.slug, made)
            old = previous.get(item.student_id)
            same = old is not None and (old.name, old.email, old.copy_id) == (item.name, item.email, copy)
            lines[item.student_id] = item.line
            yield Job(item, copy, copyid.document_id(digest), row, old if same else None)

    done = stamped = 0
    label = edition.slug + (f" shard {args.shard[0]}/{args.shard[1]}" if args.shard else "")
    progress = Counter(total, label)
    last_checkpoint = time.perf_counter()
    setup = Setup(template, copies, scratch, words)
    try:
        for result in run_jobs(jobs(), args.jobs, setup):
            progress.advance()
            if result.row is None:
                problems.append(error(args.roster, result.student.line, result.failure, code="copies.stamp-failed"))
                print(problems[-1], file=sys.stderr, flush=True)
                continue
            book.add(result.row)
            done += 1
            stamped += result.stamped
            if time.perf_counter() - last_checkpoint > CHECKPOINT_SECONDS:
                book.save()
                last_checkpoint = time.perf_counter()
    except (KeyboardInterrupt, OSError, ContentError) as exc:
        progress.stop()
        book.save()
        for problem in exc.problems if isinstance(exc, ContentError) else ():
            print(problem, file=sys.stderr)
        why = ("interrupted" if isinstance(exc, KeyboardInterrupt) else f"error: {exc}" if isinstance(exc, OSError)
               else f"{args.roster} changed during the run")
        print(f"{label}: {why}; {done} copies are done and in the ledger, run again to finish", file=sys.stderr)
        return 130 if isinstance(exc, KeyboardInterrupt) else command.EXIT_CONTENT
    progress.stop()
    new_rows = len(book.added)
    book.save(order=lambda row: lines.get(row.student_id, 0))  # this run's rows in roster order
    seconds = time.perf_counter() - started
    print(f"{label}: {done} copies ({stamped} stamped, {done - stamped} unchanged) of a "
          f"{template.pages}-page master in {seconds:.1f} s ({stamped / max(seconds, 1e-9):.1f} copies/s)")
    print(f"  copies: {copies}/  ledger: {ledger_path} ({new_rows} new row(s))")
    if problems:
        print(f"{args.roster}: {len(problems)} row(s) could not be stamped", file=sys.stderr)
        return command.EXIT_CONTENT
    return command.EXIT_OK
