"""Visual regression: chosen pages of the sample edition against committed reference images.

A change that moves what a reader sees fails here until someone looks at it
and runs `pytest tests/test_visual.py --update-proofs` on purpose.
"""

from __future__ import annotations

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


def chosen_pages(pdf) -> dict[str, int]:
    """The kinds of page the design must keep: found by what they say, not by number."""
    total = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    texts = {n: page_text(pdf, n) for n in range(1, total + 1)}
    opener = next(n for n, t in texts.items() if n > 2 and "GS-II: Governance" in t and "Focus on China" in t)
    box_and_table = next(n for n, t in texts.items() if "Major allocations" in t)
    return {"cover": 1, "contents": 2, "section-opener": opener, "article-box-table": box_and_table,
            "answer-key": next(n for n, t in texts.items() if "Answers at a glance" in t), "back-cover": total}


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mean = sum(ImageStat.Stat(diff).mean) / 3
    changed = sum(diff.convert("L").histogram()[65:]) / (diff.width * diff.height)
    return mean, changed


@pytest.mark.parametrize("kind", ["cover", "contents", "section-opener", "article-box-table", "answer-key",
                                  "back-cover"])
def test_page_looks_as_approved(sample, kind, update_proofs):
    number = chosen_pages(sample.pdf)[kind]
    image = render_pages(sample.pdf, DPI, number, number)[0]
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
