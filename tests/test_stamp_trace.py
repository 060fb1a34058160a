"""`build.py trace` on what leaks in practice, and the grade it gives its evidence.

Copies of the mini edition are damaged the way leakers and their tools damage
them: re-distilled by Ghostscript and MuPDF, truncated, rasterised to screenshots
at 150 and 96 dpi, saved as JPEG at quality 60 and as WebP, cropped, rotated,
photographed (perspective, blur, uneven light, noise), scanned into a PDF of page
images.  A licence line forged from scratch must never be reported as verified.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import MM, pdf_words
from PIL import Image, ImageChops, ImageFilter
from stampkit import GOOD, evidence, grade, licence_line, run_cli, trace

# --------------------------------------------------------------------------- helpers


def rasterise(pdf: Path, page: int, dpi: int, tmp: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                    str(tmp / "raster")], check=True, capture_output=True)
    with Image.open(tmp / "raster.png") as image:
        return image.convert("RGB")


def saved(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def photographed(image: Image.Image) -> Image.Image:
    """A phone photo of the page: tilted in perspective, slightly out of focus, lit from one side, grainy."""
    w, h = image.size
    tilted = image.transform((w, h), Image.Transform.QUAD, (0.03 * w, 0.01 * h, 0.0, 0.99 * h, w, h, 0.97 * w, 0),
                             resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    blurred = tilted.filter(ImageFilter.GaussianBlur(0.8))
    light = Image.linear_gradient("L").rotate(90).resize((w, h)).point(lambda v: 150 + v * 105 // 255)
    lit = ImageChops.multiply(blurred, Image.merge("RGB", [light] * 3))
    rng = random.Random(12)
    noise = Image.frombytes("L", (w, h), bytes(rng.randrange(108, 148) for _ in range(w * h)))
    return ImageChops.add(lit, Image.merge("RGB", [noise] * 3), scale=1.0, offset=-128)


def forged_pdf(path: Path, text: str, mark: str | None = None) -> Path:
    """A page made from scratch with WeasyPrint, carrying only a visible licence line (and perhaps a QR code)."""
    import segno
    from weasyprint import HTML

    code = ""
    if mark:
        svg = io.BytesIO()
        segno.make_qr(mark, error="q").save(svg, kind="svg", scale=4, border=2)
        code = '<img style="position: absolute; right: 6mm; bottom: 5mm; width: 10mm" src="data:image/svg+xml,' \
               + svg.getvalue().decode().replace('"', "'").replace("#", "%23") + '"/>'
    font = (ROOT / "styles/fonts/NotoSans-Regular.ttf").as_uri()
    HTML(string=f"""<html><head><style>@font-face {{ font-family: N; src: url({font}); }}
        @page {{ size: A4; margin: 0 }} body {{ font: 6.5pt N; }}
        p {{ position: absolute; bottom: 5mm; width: 100%; text-align: center; }}</style></head>
        <body><p>{text}</p>{code}</body></html>""").write_pdf(path)
    return path


# --------------------------------------------------------------------------- what leaks: screenshots, photos, scans


@pytest.fixture(scope="module")
def page_images(stamped, tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("leaks")
    copy = stamped.copies / "S001.pdf"
    at150, at96 = rasterise(copy, 3, 150, tmp), rasterise(copy, 2, 96, tmp)
    w, h = at150.size
    return {
        "png-150dpi": saved(at150, tmp / "page-150.png"),
        "png-96dpi": saved(at96, tmp / "page-96.png"),
        "jpeg-q60": saved(at150, tmp / "page.jpg", quality=60),
        "jpeg-q60-96dpi": saved(at96, tmp / "page-96.jpg", quality=60),
        "webp": saved(at150, tmp / "page.webp", quality=70),
        "half-page-crop": saved(at150.crop((0, h // 2, w, h)), tmp / "half.png"),
        "rotated-2-degrees": saved(at150.rotate(2, resample=Image.Resampling.BICUBIC, expand=True,
                                                fillcolor=(255, 255, 255)), tmp / "rotated.jpg", quality=80),
        "rotated-2-degrees-96dpi": saved(at96.rotate(-2, resample=Image.Resampling.BICUBIC, expand=True,
                                                     fillcolor=(255, 255, 255)), tmp / "rotated-96.png"),
        "photographed": saved(photographed(at150), tmp / "photo.jpg", quality=75),
        "scanned-pdf": saved(rasterise(copy, 1, 150, tmp), tmp / "scan.pdf", save_all=True, resolution=150,
                             append_images=[rasterise(copy, 4, 150, tmp)]),
    }


@pytest.mark.parametrize("kind", ["png-150dpi", "png-96dpi", "jpeg-q60", "jpeg-q60-96dpi", "webp", "half-page-crop",
                                  "rotated-2-degrees", "rotated-2-degrees-96dpi", "photographed", "scanned-pdf"])
def test_a_picture_of_a_page_is_traced_to_its_copy_by_the_mark(stamped, page_images, kind):
    result = trace(stamped, page_images[kind])
    assert result.returncode == 0, result.stdout + result.stderr
    assert grade(result.stdout) == ("verified", "S001"), result.stdout
    assert evidence(result.stdout)["page mark"]


def test_a_picture_without_the_secret_is_unverified(stamped, page_images):
    result = trace(stamped, page_images["png-150dpi"], secret=None)
    assert result.returncode == 3 and grade(result.stdout) == ("unverified", "S001"), result.stdout
    assert "PRESSROOM_SECRET" in result.stdout


def test_a_picture_without_a_mark_finds_nobody(stamped, tmp_path):
    page = rasterise(stamped.master, 3, 150, tmp_path)
    result = trace(stamped, saved(page, tmp_path / "master.png"))
    assert result.returncode == 1 and "no match in the ledgers" in result.stdout, result.stdout


def test_the_mark_sits_in_the_bottom_corner_clear_of_the_page(stamped, tmp_path):
    for number in (1, 2, 3):
        master = rasterise(stamped.master, number, 100, tmp_path)
        copy = rasterise(stamped.copies / "S003.pdf", number, 100, tmp_path)
        changed = ImageChops.difference(master, copy).getbbox()
        assert changed, f"page {number}: no stamp"
        w, h = copy.size
        px = 100 / 25.4  # pixels per mm
        assert changed[1] >= h - 17 * px, f"page {number}: the stamp reaches above the bottom 17 mm: {changed}"
        right = copy.crop((int(w - 17 * px), int(h - 17 * px), w, h))
        assert ImageChops.difference(right, master.crop((int(w - 17 * px), int(h - 17 * px), w, h))).getbbox()
        words = pdf_words(stamped.master)[number - 1]
        corner = (words.width - 17 * MM, words.height - 17 * MM)
        assert not [w for w in words.words if w.x1 > corner[0] and w.y1 > corner[1]], f"page {number}"


# --------------------------------------------------------------------------- re-distilled and truncated PDFs


@pytest.mark.parametrize("tool", ["ghostscript", "mutool"])
def test_a_redistilled_copy_is_still_verified(stamped, tmp_path, tool):
    suspect = tmp_path / f"{tool}.pdf"
    if tool == "ghostscript":
        command = ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", f"-sOutputFile={suspect}",
                   str(stamped.copies / "S002.pdf")]
    else:
        command = ["mutool", "convert", "-F", "pdf", "-o", str(suspect), str(stamped.copies / "S002.pdf")]
    assert shutil.which(command[0]), f"{command[0]} is not installed (apt-get install ghostscript mupdf-tools)"
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    result = trace(stamped, suspect)
    assert result.returncode == 0 and grade(result.stdout) == ("verified", "S002"), result.stdout
    assert evidence(result.stdout)["page mark"], result.stdout


def test_a_truncated_copy_is_verified_by_the_id_at_its_start(stamped, tmp_path):
    data = (stamped.copies / "S003.pdf").read_bytes()
    suspect = tmp_path / "truncated.pdf"
    suspect.write_bytes(data[:min(300_000, len(data) // 2)])
    result = trace(stamped, suspect)
    assert result.returncode == 0 and grade(result.stdout) == ("verified", "S003"), result.stdout
    assert evidence(result.stdout)["header"]


# --------------------------------------------------------------------------- forgeries


@pytest.mark.parametrize("ending", [" · copy", " · copy AAAA-BBBB-CCCC-DDDD"])
def test_a_forged_licence_line_is_never_verified(stamped, tmp_path, ending):
    name, email = GOOD["S001"]
    suspect = forged_pdf(tmp_path / "forged.pdf",
                         f"Licensed to {name} · S001 · {email} — not for redistribution{ending}")
    for secret in ("test-secret-for-pressroom-copies", None):
        result = trace(stamped, suspect, secret=secret)
        assert result.returncode == 3, result.stdout
        assert grade(result.stdout) == ("unverified", "S001"), result.stdout
        assert "verified: the copy" not in result.stdout.replace("unverified: the copy", "")


def test_a_forged_mark_with_a_made_up_copy_id_is_never_verified(stamped, tmp_path):
    from pressroom.copies import copyid

    name, email = GOOD["S001"]
    made_up = copyid.mark_payload("AAAA-BBBB-CCCC-DDDD")
    suspect = forged_pdf(tmp_path / "forged-mark.pdf", licence_line("S001", "AAAA-BBBB-CCCC-DDDD"), mark=made_up)
    result = trace(stamped, suspect)
    assert result.returncode == 3 and grade(result.stdout) == ("unverified", "S001"), result.stdout
    assert "AAAA-BBBB-CCCC-DDDD" in result.stdout and "in no ledger" in result.stdout


# --------------------------------------------------------------------------- not a PDF or an image


@pytest.mark.parametrize("data, why", [
    (b"hello, world\n", "it starts with 'hello, world', not with %PDF- or a PNG, JPEG or WebP signature"),
    (b"", "it is empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "its PNG data cannot be read"),
])
def test_trace_of_something_else_says_what_it_is_not(stamped, tmp_path, data, why):
    suspect = tmp_path / "suspect.bin"
    suspect.write_bytes(data)
    result = run_cli("trace", suspect, "--ledger", stamped.copies / "ledger.csv", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"build.py trace: error: {suspect} is not a PDF or image: {why}"
