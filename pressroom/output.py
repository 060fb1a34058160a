"""Stage 5, write: an edition's outputs replace the previous ones as one set, or not at all.

`write_set` writes every new file (PDF, EPUB, build-report.json, proofs…) beside its target as a
hidden temporary file, flushed to disk. Only when all of them are written does it write a
journal, `.pressroom-journal.json`, naming each rename to make; then it makes them and removes
the journal. So:
- a full disk, a read-only folder or a kill before the journal leaves the previous set as it was
  (the temporary files are removed then, or by the next run);
- a kill after the journal is finished by the next run into that folder (`recover`), before it
  does anything else: the set is then the new one, whole.
Writers into one folder take turns (a lock on the folder), so that one never removes another's files.
An OSError becomes an OutputError: one line for the user, never a traceback.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

JOURNAL = ".pressroom-journal.json"
TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # what write_atomic and write_set leave if killed


class OutputError(Exception):
    """The outputs could not be written; the message is one line for the user."""


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _stage(path: Path, data: bytes) -> Path:
    """`data` in a hidden temporary file beside `path`, on disk; removed again if writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename: a reader sees the old file or the new, never half."""
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, value) -> None:
    write_atomic(path, json_bytes(value))


def json_bytes(value) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")


def reason(exc: OSError) -> str:
    return {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is on a read-only disk",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EDQUOT: "the disk quota is used up",
            errno.ENOTDIR: "a file is in the way of the folder", errno.EEXIST: "a file is in the way of the folder"}.get(
        exc.errno, exc.strerror or str(exc))


def _shown(folder: Path) -> str:
    from pressroom.problems import display_path

    return display_path(folder)


@contextmanager
def _turn(folder: Path):
    """The folder to oneself for a while: other Pressroom processes writing into it wait (a lock on the
    folder itself, so that no lock file is left among the outputs)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _apply(folder: Path, journal: dict) -> None:
    for tmp, final in journal["replace"]:
        if (folder / tmp).exists():
            os.replace(folder / tmp, folder / final)
    for name in journal["remove"]:
        (folder / name).unlink(missing_ok=True)
    for sub in {Path(final).parent for _, final in journal["replace"]} | {Path(".")}:
        _fsync_dir(folder / sub)
    (folder / JOURNAL).unlink(missing_ok=True)
    _fsync_dir(folder)


def _read_journal(folder: Path) -> dict | None:
    try:
        journal = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
        pairs, removed = journal["replace"], journal["remove"]
        names = [name for pair in pairs for name in pair] + list(removed)
        if not all(isinstance(p, list) and len(p) == 2 for p in pairs) or not all(
                isinstance(n, str) and n and not Path(n).is_absolute() and ".." not in Path(n).parts for n in names):
            return None
        return journal
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _clean(folder: Path) -> None:
    """Remove temporary files a killed run left behind (here and in proofs/; copies/ is stamp's own)."""
    for parent in (folder, folder / "proofs"):
        if not parent.is_dir() or parent.is_symlink():
            continue
        for entry in parent.iterdir():
            if TEMPORARY.match(entry.name) and entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)


def recover(folder: Path) -> None:
    """Finish a switch that a killed run journaled, then remove stale temporary files. Raises OutputError."""
    shown, folder = _shown(folder), Path(os.path.abspath(folder))
    if not folder.is_dir():
        return
    try:
        with _turn(folder):
            _recover(folder)
    except OSError as exc:
        raise OutputError(f"cannot write to {shown}: {reason(exc)}") from None


def _recover(folder: Path) -> None:
    if (folder / JOURNAL).exists():
        journal = _read_journal(folder)
        if journal is not None:
            _apply(folder, journal)
        else:  # not Pressroom's or damaged: the switch was never decided; the old files stand
            (folder / JOURNAL).unlink(missing_ok=True)
    _clean(folder)


def write_set(folder: Path, files: dict[str, bytes], remove: tuple[str, ...] = ()) -> None:
    """Replace `files` (names relative to `folder`, e.g. 'x.pdf', 'proofs/page-001.png') and remove `remove`,
    as one change. Raises OutputError, leaving the previous files as they were."""
    shown, folder = _shown(folder), Path(os.path.abspath(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _turn(folder):
            _recover(folder)
            staged: list[tuple[Path, Path]] = []
            try:
                for name, data in files.items():
                    staged.append((_stage(folder / name, data), folder / name))
                journal = {"replace": [[str(t.relative_to(folder)), str(f.relative_to(folder))] for t, f in staged],
                           "remove": [name for name in remove if name not in files]}
                write_atomic(folder / JOURNAL, json_bytes(journal))
            except BaseException:
                for tmp, _ in staged:
                    tmp.unlink(missing_ok=True)
                raise
            _fsync_dir(folder)
            try:
                _apply(folder, journal)
            except OSError as exc:
                raise OutputError(f"the outputs in {shown} were not all replaced ({reason(exc)}); the next build "
                                  "into this folder finishes it") from None
    except OSError as exc:
        raise OutputError(f"cannot write to {shown}: {reason(exc)}; the previous outputs are kept") from None
