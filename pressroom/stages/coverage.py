"""Every character of the content must be in a shipped font: a missing glyph prints as a box."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from pressroom.problems import Problem, error

# Characters the layout engine handles without a glyph (joiners, marks of direction, breaks).
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f"}


@functools.lru_cache(maxsize=4)
def shipped_characters(fonts_dir: Path) -> frozenset[int]:
    codepoints: set[int] = set()
    for path in sorted(fonts_dir.glob("*.ttf")):
        font = TTFont(path, lazy=True)
        codepoints.update(font.getBestCmap() or {})
        font.close()
    return frozenset(codepoints)


def check_text(text: str, path: Path, first_line: int, fonts_dir: Path) -> list[Problem]:
    """One problem per missing character, at the line of its first use."""
    known = shipped_characters(fonts_dir)
    problems, seen = [], set()
    for offset, line in enumerate(text.splitlines()):
        for char in line:
            if char in seen or ord(char) in known or char in INVISIBLE or char.isspace():
                continue
            if unicodedata.category(char) in ("Cc", "Cf") and char not in INVISIBLE:
                seen.add(char)
                problems.append(error(path, first_line + offset, f"control character U+{ord(char):04X} in text", code="text.control-char"))
                continue
            seen.add(char)
            name = unicodedata.name(char, "unnamed character")
            problems.append(error(path, first_line + offset,
                                  f"character '{char}' (U+{ord(char):04X} {name}) is in none of the shipped fonts "
                                  f"and would print as a box", code="text.no-glyph"))
    return problems
