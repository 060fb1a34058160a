"""Every content file the build opens goes through here, and nothing is read that should not be.

The rules, for brand.yaml, edition.yaml, section folders, articles and images alike:
- a link (symlink) is followed, and its real target must lie inside the content folder;
- only regular files and folders are opened: a FIFO would block a read for ever and a
  device (`/dev/zero`) would never end, so they are refused from `lstat`/`fstat`, unopened
  or opened without blocking and closed unread;
- a file's size is checked against its budget before a byte is read;
- text must be UTF-8; the error names the line of the first bad byte and what the file
  looks like instead (UTF-16, Windows-1252).
The limits are in limits.py and docs/authoring.md, "What the build refuses, and why".
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from pressroom.problems import Problem, error

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what markdown-it and YAML count as a line, and so an editor does
# Characters that Python or YAML take for line ends although an editor shows none: they would shift every
# line number after them. They are reported (coverage.py) and read as spaces.
HIDDEN_BREAKS = str.maketrans({"\u2028": " ", "\u2029": " ", "\x85": " ", "\x0b": " ", "\x0c": " ",
                               "\x1c": " ", "\x1d": " ", "\x1e": " "})


class Refused(Exception):
    """The path is not a file the build may read; `message` says why, `code` is the problem's code."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def _special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def real_inside(path: Path, root: Path) -> Path:
    """The real path of `path` (links followed); raises Refused when it is outside `root`."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(root))):
        raise Refused("is a link to a place outside the content folder", "read.outside")
    return real


def kind(path: Path, root: Path) -> str:
    """'file', 'dir' or 'missing'; raises Refused for links out of `root` and for special files."""
    real = real_inside(path, root)
    try:
        mode = os.lstat(real).st_mode
    except OSError:
        return "missing"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    raise Refused(f"is {_special(mode)}, not a file", "read.not-a-file")


def read_bytes(path: Path, root: Path, limit: int, what: str = "the file") -> bytes:
    """The bytes of a regular file inside `root`, at most `limit` of them; raises Refused, or OSError."""
    real = real_inside(path, root)
    mode = os.lstat(real).st_mode
    if not stat.S_ISREG(mode):
        raise Refused(f"is {_special(mode)}, not a file", "read.not-a-file")
    # O_NONBLOCK: should a FIFO be swapped in after the lstat, opening it still returns at once.
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"is {_special(info.st_mode)}, not a file", "read.not-a-file")
        if info.st_size > limit:
            raise Refused(f"{what} is {megabytes(info.st_size)}, over the limit of {megabytes(limit)}",
                          "read.too-large")
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise Refused(f"{what} is over the limit of {megabytes(limit)}", "read.too-large")
    return data


def line_at(data: bytes, offset: int) -> int:
    """1-based line of a byte offset, counting line ends as LINE_BREAK does."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def _looks_utf16(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = data[:400]
    return len(sample) >= 4 and sample.count(b"\0") * 3 >= len(sample)


def _windows_1252(data: bytes, offset: int) -> str:
    byte = data[offset:offset + 1]
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return ""


def decode(data: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """UTF-8 text without a byte-order mark, or the problem with the line of the first bad byte."""
    if not data.strip():
        return None, [error(path, 1, "the file is empty", code="read.empty")]
    if _looks_utf16(data):
        return None, [error(path, 1, "the file is UTF-16 text, not UTF-8; open it in your editor and save it "
                                     "with the encoding UTF-8", code="read.encoding")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        char = _windows_1252(data, exc.start)
        looks = (f" it looks like Windows-1252 (byte 0x{data[exc.start]:02X} is '{char}' there);"
                 if char and data[exc.start] >= 0x80 else "")
        return None, [error(path, line_at(data, exc.start), f"not UTF-8 text: byte 0x{data[exc.start]:02X} "
                                                             f"cannot start a character here;{looks} save the file "
                                                             "with the encoding UTF-8", code="read.encoding")]
    return text.removeprefix("\ufeff"), []


def read_text(path: Path, root: Path, limit: int, what: str = "the file") -> tuple[str | None, list[Problem]]:
    """The decoded text of a content file, or the problems that stop it being read (at their lines)."""
    try:
        data = read_bytes(path, root, limit, what)
    except Refused as exc:
        return None, [error(path, 1, f"{path.name} {exc.message}" if exc.code != "read.too-large" else exc.message,
                            code=exc.code)]
    except FileNotFoundError:
        return None, [error(path, 1, f"{path.name} not found", code="read.missing-file")]
    except OSError as exc:
        return None, [error(path, 1, f"{path.name} cannot be read: {exc.strerror or exc}", code="read.unreadable")]
    return decode(data, path)


def lines(text: str) -> list[str]:
    """The lines of a text as an editor numbers them (not str.splitlines, which also breaks at U+2028)."""
    return LINE_BREAK.split(text)


def plain_breaks(text: str) -> str:
    """The text with characters that only some readers take for line ends made spaces (see HIDDEN_BREAKS)."""
    return text.translate(HIDDEN_BREAKS)
