"""Every character of the content must be in a shipped font: a missing glyph prints as a box.

Control characters are refused too, whether typed or written as a YAML escape (`"\\x00"`,
`"\\u202E"`): they print as nothing or as a box, reorder the text around them (bidi overrides),
break the XML of the EPUB (NUL), or end a line that an editor does not see end (U+2028), which
would shift every line number after it.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont

from pressroom.problems import Problem, error
from pressroom.stages.files import lines

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
    for offset, line in enumerate(lines(text)):
        for char in line:
            if char in seen or char in INVISIBLE or char in " \t":
                continue
            if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
                seen.add(char)
                name = f"({unicodedata.name(char)}) " if unicodedata.name(char, "") else ""
                problems.append(error(path, first_line + offset,
                                      f"invisible control character U+{ord(char):04X} {name}in the text; delete it",
                                      code="text.control-char"))
                continue
            if ord(char) in known or char.isspace():
                continue
            seen.add(char)
            name = unicodedata.name(char, "unnamed character")
            problems.append(error(path, first_line + offset,
                                  f"character '{char}' (U+{ord(char):04X} {name}) is in none of the shipped fonts "
                                  f"and would print as a box", code="text.no-glyph"))
    return problems
