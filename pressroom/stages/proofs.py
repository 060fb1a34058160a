"""Proofs: PNG page images and one contact sheet, for editors who would rather look than read.

Pages are rasterised by poppler's pdftoppm (a system dependency already
needed for the tests); the contact sheet is assembled with Pillow.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

SHEET_COLUMNS = 8
GUTTER = 12


def render_pages(pdf: Path, dpi: int, first: int | None = None, last: int | None = None) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm not found: install poppler-utils (sudo apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as tmp:
        command = ["pdftoppm", "-r", str(dpi), "-png"]
        if first:
            command += ["-f", str(first)]
        if last:
            command += ["-l", str(last)]
        subprocess.run(command + [str(pdf), f"{tmp}/p"], check=True, timeout=600)
        images = []
        for path in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            with Image.open(path) as image:
                images.append(image.convert("RGB"))
        return images


def contact_sheet(pages: list[Image.Image], columns: int = SHEET_COLUMNS) -> Image.Image:
    """All pages as thumbnails on one image, spreads side by side as a reader sees them."""
    width, height = pages[0].size
    rows = math.ceil(len(pages) / columns)
    sheet = Image.new("RGB", (columns * (width + GUTTER) + GUTTER, rows * (height + GUTTER) + GUTTER), "#8A8D93")
    draw = ImageDraw.Draw(sheet)
    for index, page in enumerate(pages):
        x = GUTTER + (index % columns) * (width + GUTTER)
        y = GUTTER + (index // columns) * (height + GUTTER)
        sheet.paste(page, (x, y))
        draw.rectangle((x, y, x + width - 1, y + height - 1), outline="#55575E")
    return sheet


def proof_files(pdf: bytes, dpi: int = 60, thumb_scale: float = 0.4) -> dict[str, bytes]:
    """The proofs of a PDF as files to write: 'page-001.png'… and 'contact-sheet.png'."""
    files, thumbs = {}, []
    with tempfile.TemporaryDirectory(prefix="pressroom-proofs-") as tmp:
        source = Path(tmp) / "edition.pdf"
        source.write_bytes(pdf)
        for number, image in enumerate(render_pages(source, dpi), 1):
            files[f"page-{number:03d}.png"] = _png(image)
            thumbs.append(image.resize((round(image.width * thumb_scale), round(image.height * thumb_scale)),
                                       Image.Resampling.LANCZOS))
    files["contact-sheet.png"] = _png(contact_sheet(thumbs))
    return files


def _png(image: Image.Image) -> bytes:
    import io

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=6)
    return out.getvalue()
