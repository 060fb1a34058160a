"""Visual regression: chosen pages of the sample edition against committed reference images.

A change that moves what a reader sees fails here until someone looks at it
and runs `pytest tests/test_visual.py --update-proofs` on purpose.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat

from pressroom.stages.proofs import render_pages

REFERENCES = __import__("pathlib").Path(__file__).resolve().parent / "proofs"
DPI = 40
# Mean absolute difference per channel (0–255) and share of clearly changed pixels allowed:
# enough for rasteriser noise, far too little for a moved line or a changed colour.
MEAN_TOLERANCE = 0.3
CHANGED_SHARE = 0.0005


def page_text(pdf, number: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def page_texts(pdf) -> dict[int, str]:
    total = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    return {n: page_text(pdf, n) for n in range(1, total + 1)}


def chosen_pages(pdf) -> dict[str, int]:
    """The kinds of page the design must keep: found by what they say, not by number."""
    texts = page_texts(pdf)
    opener = next(n for n, t in texts.items() if n > 2 and "Governance, Constitution" in t and "Focus on China" in t)
    box_and_table = next(n for n, t in texts.items() if "Major allocations" in t)
    return {"cover": 1, "contents": 2, "section-opener": opener, "article-box-table": box_and_table,
            "mcq": next(n for n, t in texts.items() if "1. Real GDP grew by 4.7%" in t),
            "answer-key": next(n for n, t in texts.items() if "Answers at a glance" in t), "back-cover": len(texts)}


def table_break(pdf) -> tuple[int, int]:
    """The two pages of the stress edition's first table that is broken over a page."""
    seen: dict[str, int] = {}
    for number, text in page_texts(pdf).items():
        for name in re.findall(r"\b(T\d\d) row \d+", text):
            if seen.setdefault(name, number) != number:
                return seen[name], number
    raise AssertionError("no table of the stress edition is broken over a page")


def back_matter(pdf) -> tuple[int, int]:
    """From the page where the answer key starts to the last page before the back cover."""
    texts = page_texts(pdf)
    return next(n for n, t in texts.items() if "Answers at a glance" in t), len(texts) - 1


def last_pages(pdf) -> tuple[int, int]:
    total = len(page_texts(pdf))
    return total - 3, total


def side_by_side(images: list[Image.Image]) -> Image.Image:
    sheet = Image.new("RGB", (sum(i.width for i in images) + 4 * (len(images) - 1), max(i.height for i in images)),
                      "#808080")
    x = 0
    for image in images:
        sheet.paste(image.convert("RGB"), (x, 0))
        x += image.width + 4
    return sheet


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mean = sum(ImageStat.Stat(diff).mean) / 3
    changed = sum(diff.convert("L").histogram()[65:]) / (diff.width * diff.height)
    return mean, changed


@pytest.mark.parametrize("kind", ["cover", "contents", "section-opener", "article-box-table", "mcq", "answer-key",
                                  "back-cover", "table-break", "small-back-matter", "press-last-pages"])
def test_page_looks_as_approved(request, kind, update_proofs):
    if kind == "table-break":
        pdf = request.getfixturevalue("stressed")
        first, last = table_break(pdf)
    elif kind == "small-back-matter":
        pdf = request.getfixturevalue("three")
        first, last = back_matter(pdf)
    elif kind == "press-last-pages":
        pdf = request.getfixturevalue("three_press")
        first, last = last_pages(pdf)
    else:
        pdf = request.getfixturevalue("sample").pdf
        first = last = chosen_pages(pdf)[kind]
    image = side_by_side(render_pages(pdf, DPI, first, last))
    number = f"{first}-{last}" if last != first else first
    reference = REFERENCES / f"{kind}.png"
    if update_proofs:
        REFERENCES.mkdir(exist_ok=True)
        image.save(reference, optimize=True)
        return
    assert reference.is_file(), f"no reference for {kind}: run pytest tests/test_visual.py --update-proofs and look at it"
    with Image.open(reference) as approved:
        assert approved.size == image.size, f"{kind}: page size changed {approved.size} -> {image.size}"
        mean, changed = difference(approved, image)
    if mean > MEAN_TOLERANCE or changed > CHANGED_SHARE:
        image.save(REFERENCES / f"{kind}.actual.png")
    assert mean <= MEAN_TOLERANCE and changed <= CHANGED_SHARE, (
        f"{kind} (page {number}) differs from tests/proofs/{kind}.png: mean {mean:.2f}, "
        f"{changed:.2%} of pixels changed; see tests/proofs/{kind}.actual.png")
