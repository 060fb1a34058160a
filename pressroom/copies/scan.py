"""Reading page marks (copies/pagemark.py) from pictures: screenshots, photos, scans, and PDF pages rasterised.

zxing-cpp finds and decodes the QR code; this module only prepares the
picture (grey, and enlarged when the code may be too few pixels wide) and keeps
the decoded texts that are marks of ours (copyid.copy_id_of_mark).  Every input
is hostile: its size is checked before it is decoded.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

from pressroom.copies import copyid

MAX_PIXELS = 100_000_000    # a 10,000 x 10,000 picture; beyond that, a decompression bomb more likely than a page
UPSCALE_BELOW = 3000        # pictures are also tried enlarged, up to twice this on their longer side
RENDER_SIDE = 1800          # PDF pages are rasterised to this many pixels on their longer side (A4: ~150 dpi)
RENDER_TIMEOUT = 60
SIGNATURES = {"PNG": (b"\x89PNG\r\n\x1a\n",), "JPEG": (b"\xff\xd8\xff",)}


class Unreadable(Exception):
    """The file is not a picture this module can read; the message says why."""


def picture_format(data: bytes) -> str | None:
    """PNG, JPEG or WebP by its signature, or None."""
    for name, starts in SIGNATURES.items():
        if data.startswith(starts):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return None


def open_picture(data: bytes, kind: str):
    """A Pillow image of `data`, its size checked before its pixels are decoded."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise Unreadable(f"it is {image.width} x {image.height} pixels; the limit is {MAX_PIXELS:,} pixels")
            image.load()
    except Unreadable:
        raise
    except Exception:  # Pillow raises many kinds for a damaged file
        raise Unreadable(f"its {kind} data cannot be read") from None
    return image


def marks(image) -> list[str]:
    """The copy ids of the marks in a picture, in the order found; none when it holds none of ours."""
    import zxingcpp
    from PIL import Image

    grey = image.convert("L")
    tries = [grey]
    side = max(grey.size)
    for factor in (2, 3):
        if side * factor <= 2 * UPSCALE_BELOW:  # a screenshot's code may be under 2 pixels a module
            tries.append(grey.resize((grey.width * factor, grey.height * factor), Image.Resampling.BICUBIC))
    for picture in tries:
        found = [copyid.copy_id_of_mark(result.text)
                 for result in zxingcpp.read_barcodes(picture, formats=(zxingcpp.BarcodeFormat.QRCode,))]
        found = list(dict.fromkeys(c for c in found if c))
        if found:
            return found
    return []


def pdf_page(pdf: Path, number: int):
    """Page `number` of a PDF rasterised in grey by poppler, or None when it cannot be."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="pressroom-trace-") as tmp:
        try:
            subprocess.run(["pdftoppm", "-gray", "-png", "-singlefile", "-scale-to", str(RENDER_SIDE), "-f",
                            str(number), "-l", str(number), os.path.abspath(pdf), str(Path(tmp) / "page")],
                           capture_output=True, timeout=RENDER_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            return None
        page = Path(tmp) / "page.png"
        if not page.is_file():
            return None
        with Image.open(page) as image:
            image.load()
            return image.copy()


def pages_to_try(count: int | None) -> list[int]:
    """Which pages to rasterise, first to last: the first three (a leak may be an excerpt) and two further in."""
    if not count:
        return [1, 2]
    return list(dict.fromkeys(n for n in (1, 2, 3, count // 2, count) if 1 <= n <= count))
