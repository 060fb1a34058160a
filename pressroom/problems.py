"""Problems found in content, reported as `path:line: severity: message`."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    severity: str  # "error" or "warning"
    message: str
    code: str = field(default="", compare=False)  # stable, documented in docs/errors.md, e.g. "markup.raw-html"
    subject: str = field(default="", compare=False)  # what it is about, for tools (e.g. the empty section's id)

    def __str__(self) -> str:
        suffix = f" [{self.code}]" if self.code else ""
        return f"{self.path}:{self.line}: {self.severity}: {self.message}{suffix}"


def display_path(path: Path | str) -> str:
    """Shortest honest name for a file: relative to the working folder when inside it."""
    path = Path(path)
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("..") else str(path)


def error(path: Path | str, line: int, message: str, code: str = "", subject: str = "") -> Problem:
    return Problem(display_path(path), max(line, 1), "error", message, code, subject)


def warning(path: Path | str, line: int, message: str, code: str = "") -> Problem:
    return Problem(display_path(path), max(line, 1), "warning", message, code)


def did_you_mean(word: str, choices) -> str:
    """A ' (did you mean 'x'?)' suffix when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def short(text: str, limit: int = 60) -> str:
    """Text as a message quotes it: one line, cut, so that a 20 MB data: address is not printed back."""
    text = str(text).replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


class ContentError(Exception):
    """Raised by a stage with every problem it found; the build stops before writing."""

    def __init__(self, problems):
        self.problems = tuple(sorted(problems))
        super().__init__("\n".join(map(str, self.problems)))


class UsageError(Exception):
    """The command line names something that does not exist (exit 2)."""
