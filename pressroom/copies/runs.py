"""Runs of `build.py stamp` side by side: one writer per ledger, and temporary files that are each run's own.

A run holds an exclusive lock on `.<ledger>.lock` (fcntl) while it works, so a
second run on the same ledger refuses at once with a clear message; runs on
other ledgers (other shards) may share the copies folder.  Each run writes its
files first into its own folder, `.stamp-run-*`, then renames them into place;
that folder holds a lock too, so a run cleans up only the folders of runs that
died (whose lock nobody holds), never those of runs still going.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from pathlib import Path

RUN_PREFIX = ".stamp-run-"
LOCK = "lock"
STALE_SECONDS = 24 * 3600


class Busy(Exception):
    """Another run is writing this ledger."""


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


class LedgerLock:
    """Held for the whole run: `with LedgerLock(ledger):` raises Busy when another process holds it."""

    def __init__(self, ledger: Path):
        self.path = ledger.with_name(f".{ledger.name}.lock")
        self.ledger = ledger
        self.fd: int | None = None

    def __enter__(self) -> LedgerLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f"process {holder}" if holder.isdigit() else "another process"
            raise Busy(f"another stamp run ({who}) is writing {self.ledger}; wait for it to finish, then run again")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.close(self.fd)  # releases the lock; the file stays, so no other run can race on creating it
            self.fd = None


class RunFolder:
    """This run's temporary folder inside the copies folder (same file system, so a rename is atomic)."""

    def __init__(self, copies: Path):
        copies.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=RUN_PREFIX, dir=copies))
        # Lock first, name it second: a folder is only ever seen with a lock file that is already held.
        fd, pending = tempfile.mkstemp(dir=self.path)
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(pending, self.path / LOCK)
        self.fd = fd

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.fd is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            os.close(self.fd)
            self.fd = None


def write_via(folder: Path, path: Path, data: bytes) -> None:
    """Write `data` to a new file in `folder`, flush it to disk, then rename it to `path`: never half a file."""
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_dead_runs(copies: Path) -> int:
    """Remove the folders of runs that were killed; a folder whose lock is held belongs to a live run."""
    removed = 0
    for folder in copies.glob(RUN_PREFIX + "*"):
        try:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            # No lock file: a run is starting, or one died before it could make it (a day is long enough to tell).
            if folder.is_dir() and not folder.is_symlink() and time.time() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        try:
            if _try_lock(fd):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        finally:
            os.close(fd)
    return removed
