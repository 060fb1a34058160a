"""The front cover's photograph: set full-bleed, with the title and lead stories over it, readable.

The title block and the lead stories sit on panels of the brand colour laid
over the photo.  Each panel is made just opaque enough that its text (the brand's
`on_primary` colour) reaches 4.5:1 against every part of the photo under it,
measured on the photo as the page crops it (`object-fit: cover`), averaged over
patches of about 3.5 mm so that single noisy pixels do not decide.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

PAGE_MM = (210.0, 297.0)
# The parts of the page that carry text, as print.css sets them for a photo cover: the title block at
# the top (.cover-block, 120 mm) and the lead stories and slogan at the foot (from 142 mm down).
TOP_PANEL_MM = (0.0, 120.0)
BOTTOM_PANEL_MM = (142.0, 297.0)
CELL_MM = 3.5
MIN_CONTRAST = 4.5
STEPS = [round(i * 0.05, 2) for i in range(21)]


@dataclass(frozen=True)
class Scrim:
    top: float     # opacity of the brand colour over the photo behind the title block
    bottom: float  # ... and behind the lead stories
    worst: float   # the lowest contrast of text on panel anywhere over the photo, with those opacities


def _channels(hex_colour: str) -> tuple[float, float, float]:
    return tuple(int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(rgb) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: float, b: float) -> float:
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def _cells(path: Path, band_mm: tuple[float, float]) -> list[tuple[float, float, float]]:
    """The photo as the page shows it (scaled to cover the page, centred), averaged per cell, in one band."""
    from PIL import Image

    with Image.open(path) as source:
        image = source.convert("RGB")
    columns, rows = round(PAGE_MM[0] / CELL_MM), round(PAGE_MM[1] / CELL_MM)
    scale = max(columns / image.width, rows / image.height)
    width, height = max(columns, round(image.width * scale)), max(rows, round(image.height * scale))
    fitted = image.resize((width, height), Image.Resampling.BOX)
    left, top = (width - columns) // 2, (height - rows) // 2
    page = fitted.crop((left, top, left + columns, top + rows))
    first, last = (round(mm / PAGE_MM[1] * rows) for mm in band_mm)
    band = page.crop((0, first, columns, max(first + 1, last)))
    raw = band.tobytes()  # RGB, three bytes a cell
    return [(raw[i] / 255, raw[i + 1] / 255, raw[i + 2] / 255) for i in range(0, len(raw), 3)]


def _opacity(cells, panel: str, ink: str) -> tuple[float, float]:
    """The least opacity of `panel` over `cells` at which `ink` reads at 4.5:1 everywhere, and that contrast."""
    fill, text = _channels(panel), _luminance(_channels(ink))
    worst = 1.0
    for alpha in STEPS:
        worst = min(_contrast(text, _luminance([alpha * f + (1 - alpha) * c for f, c in zip(fill, cell)]))
                    for cell in cells)
        if worst >= MIN_CONTRAST:
            return alpha, worst
    return 1.0, worst


@functools.lru_cache(maxsize=8)
def _scrim(path: str, mtime_ns: int, panel: str, ink: str) -> Scrim:
    top, top_worst = _opacity(_cells(Path(path), TOP_PANEL_MM), panel, ink)
    bottom, bottom_worst = _opacity(_cells(Path(path), BOTTOM_PANEL_MM), panel, ink)
    return Scrim(top, bottom, min(top_worst, bottom_worst))


def scrim(path: Path, panel: str, ink: str) -> Scrim:
    """How opaque the cover's panels of colour `panel` must be over the photo at `path` for `ink` text."""
    return _scrim(str(path), path.stat().st_mtime_ns, panel, ink)


def rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (round(c * 255) for c in _channels(hex_colour))
    return f"rgba({r}, {g}, {b}, {alpha:g})"
