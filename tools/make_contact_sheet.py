#!/usr/bin/env python3
"""Draw docs/images/contact-sheet.png: every page of the sample edition's PDF, small, on one sheet.

    .venv/bin/python build.py 2020-02-feb-march
    .venv/bin/python tools/make_contact_sheet.py [PDF] [OUT]

Needs pdftoppm (poppler-utils) and Pillow. The sheet is quantised to a small
palette so that it stays well under 400 KB in the repository.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "output" / "2020-02-feb-march" / "aspire-ias-2020-02-feb-march.pdf"
OUT = ROOT / "docs" / "images" / "contact-sheet.png"
COLUMNS, THUMB_WIDTH, GAP, LABEL = 10, 132, 12, 18
FONT = ROOT / "styles" / "fonts" / "NotoSans-Regular.ttf"


def main(pdf: Path = PDF, out: Path = OUT) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-scale-to-x", str(THUMB_WIDTH), "-scale-to-y", "-1", str(pdf),
                        f"{tmp}/page"], check=True)
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        pages = [Image.open(p).convert("RGB") for p in files]
    height = max(p.height for p in pages)
    rows = -(-len(pages) // COLUMNS)
    sheet = Image.new("RGB", (GAP + COLUMNS * (THUMB_WIDTH + GAP), GAP + rows * (height + LABEL + GAP)), "#E9EAEE")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.truetype(str(FONT), 11)
    for index, page in enumerate(pages):
        x = GAP + (index % COLUMNS) * (THUMB_WIDTH + GAP)
        y = GAP + (index // COLUMNS) * (height + LABEL + GAP)
        draw.rectangle((x, y, x + page.width + 1, y + page.height + 1), outline="#B8BBC4")
        sheet.paste(page, (x + 1, y + 1))
        draw.text((x + page.width / 2, y + page.height + 4), str(index + 1), fill="#555", font=font, anchor="mt")
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(out, optimize=True)
    print(f"{out}: {len(pages)} pages, {out.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:3]))
