"""Section titles as the openers and running heads print them.

The opener shows the section's label once, as a chip over the title, so a title
that starts with its label ("GS-III: Technology, …") loses that prefix there.
A running head has half the text width: a title too long for it is shortened at
a word boundary (or replaced by the section's `short_title`), never cut mid-word.
Widths come from the shipped fonts' advance widths, which are never smaller
than the shaped text (Devanagari conjuncts are narrower than their letters).
"""

from __future__ import annotations

import functools
import re

from pressroom.paths import FONTS

RUNNING_HEAD_PT = 8.0
# Half of the 168 mm text width (the running heads are two half-width boxes), less a little air.
RUNNING_HEAD_WIDTH_PT = 84 / 25.4 * 72 - 6
ELLIPSIS = "…"
TRAILING = re.compile(r"[\s,;:·–—-]+$")


def opener_title(label: str, title: str) -> str:
    """'GS-III: Technology, …' under a 'GS-III' chip reads 'Technology, …'."""
    rest = title[len(label):] if title.casefold().startswith(label.casefold()) else None
    if rest is None:
        return title
    stripped = re.sub(r"^\s*[:–—-]\s*", "", rest)
    return stripped if stripped and stripped != rest else title


@functools.lru_cache(maxsize=4)
def _advances(font_file: str) -> tuple[dict[int, int], int]:
    from fontTools.ttLib import TTFont

    font = TTFont(str(FONTS / font_file), lazy=True)
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    units = font["head"].unitsPerEm
    return {code: hmtx[name][0] for code, name in cmap.items()}, units


def text_width(text: str, size_pt: float = RUNNING_HEAD_PT) -> float:
    """Width in points of `text` in Noto Sans (Devanagari from Noto Sans Devanagari), unshaped."""
    latin, latin_units = _advances("NotoSans-Regular.ttf")
    deva, deva_units = _advances("NotoSansDevanagari-Regular.ttf")
    total = 0.0
    for char in text:
        code = ord(char)
        if code in latin:
            total += latin[code] / latin_units
        elif code in deva:
            total += deva[code] / deva_units
        else:
            total += 0.6
    return total * size_pt


def running_head(title: str, short_title: str = "", dangling: tuple[str, ...] = (),
                 width_pt: float = RUNNING_HEAD_WIDTH_PT) -> str:
    """The section's running head: `short_title` if given, else the title, shortened at a word boundary
    (and before a `dangling` word such as "and", which reads badly before the ellipsis)."""
    text = (short_title or title).strip()
    if text_width(text) <= width_pt:
        return text
    words = text.split()
    kept = ""
    for word in words:
        trial = f"{kept} {word}".strip()
        if text_width(TRAILING.sub("", trial) + ELLIPSIS) > width_pt:
            break
        kept = trial
    kept = TRAILING.sub("", kept)
    weak = {w.casefold() for w in dangling}
    while " " in kept and kept.rsplit(" ", 1)[1].casefold() in weak:
        kept = TRAILING.sub("", kept.rsplit(" ", 1)[0])
    return (kept or words[0]) + ELLIPSIS
