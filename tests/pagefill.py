"""How full each page of a built PDF is, read from the PDF alone (pdfplumber), the way a reader sees it.

A page's fill is the share of its text area (inside the running head and foot)
taken by its text and pictures, from the top of the area to the foot of the
main text, plus the height of the block of notes at the foot of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
# The text area of print.css's @page main: 22 mm from the top, 20 mm from the bottom of the trimmed page.
TOP_MM, BOTTOM_MM = 22.0, 20.0
NOTE_SIZE = 8.2  # footnotes are set in 8 pt


@dataclass(frozen=True)
class PageFill:
    number: int
    fill: float
    text: str


def _trim(page) -> tuple[float, float, float, float]:
    """(x0, top, x1, bottom) of the trimmed page in pdfplumber's top-down coordinates."""
    box = page.page_obj.attrs.get("TrimBox") if hasattr(page, "page_obj") else None
    if box:
        x0, y0, x1, y1 = (float(v) for v in box)
        height = float(page.mediabox[3])
        return x0, height - y1, x1, height - y0
    return 0.0, 0.0, float(page.width), float(page.height)


def _inside(thing: dict, top: float, bottom: float) -> bool:
    return thing["top"] >= top - 1 and thing["bottom"] <= bottom + 1


def page_fills(pdf: Path) -> list[PageFill]:
    out = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, 1):
            _, top, _, bottom = _trim(page)
            area_top, area_bottom = top + TOP_MM * MM, bottom - BOTTOM_MM * MM
            height = area_bottom - area_top
            chars = [c for c in page.chars if _inside(c, area_top, area_bottom) and c["text"].strip()]
            things = [o for o in page.images + page.rects if _inside(o, area_top, area_bottom) and o["height"] > 1]
            main = [c["bottom"] for c in chars if c["size"] > NOTE_SIZE] + [o["bottom"] for o in things]
            main_bottom = max(main, default=area_top)
            notes = [c for c in chars if c["size"] <= NOTE_SIZE and c["top"] > main_bottom]
            notes_height = (max(c["bottom"] for c in notes) - min(c["top"] for c in notes)) if notes else 0.0
            small = [c["bottom"] for c in chars if c["size"] <= NOTE_SIZE and c["top"] <= main_bottom]
            main_bottom = max([main_bottom, *small])
            fill = (main_bottom - area_top + notes_height) / height
            out.append(PageFill(number, round(max(0.0, fill), 3), page.extract_text() or ""))
    return out
