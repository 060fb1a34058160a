"""The site's files besides its pages: stylesheet, web fonts, favicon, logo, covers and thumbnails.

Fonts are the shipped Noto fonts, cut down by HarfBuzz (as for the EPUB) to the
scripts the magazine writes in plus every character the site shows, and packed as
WOFF2.  The fixed ranges make the set rarely change, so one new edition does not
rewrite the fonts every reader has cached.  Every file here is a function of its
inputs alone: no timestamps, so two runs give the same bytes.
"""

from __future__ import annotations

import io
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from fontTools.ttLib import TTFont
from lxml import etree
from PIL import Image, ImageDraw, ImageFont, ImageOps

from pressroom.fontsubset import for_text
from pressroom.site.library import COVER, THUMBNAIL

# (CSS family, file stem, weight, style)
WEB_FONTS = (
    ("Noto Serif", "NotoSerif-Regular", "normal", "normal"),
    ("Noto Serif", "NotoSerif-Bold", "bold", "normal"),
    ("Noto Serif", "NotoSerif-Italic", "normal", "italic"),
    ("Noto Sans", "NotoSans-Regular", "normal", "normal"),
    ("Noto Sans", "NotoSans-Bold", "bold", "normal"),
    ("Noto Serif Devanagari", "NotoSerifDevanagari-Regular", "normal", "normal"),
    ("Noto Serif Devanagari", "NotoSerifDevanagari-Bold", "bold", "normal"),
    ("Noto Sans Devanagari", "NotoSansDevanagari-Regular", "normal", "normal"),
    ("Noto Sans Devanagari", "NotoSansDevanagari-Bold", "bold", "normal"),
)
# Basic Latin, Latin-1, general punctuation, the rupee, Devanagari and its extension, the joiners
# and the dotted circle HarfBuzz shows under a stray matra.
BASE_RANGES = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x205E), (0x20B9, 0x20B9), (0x0900, 0x097F),
               (0xA8E0, 0xA8FF), (0x200C, 0x200D), (0x25CC, 0x25CC))
MAX_IMAGE_PIXELS = 40_000_000
MAX_LOGO = 2 * 1024 * 1024
SVG_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object"}


class AssetError(Exception):
    """An input the site will not publish, with the reason."""


def font_text(page_text: str) -> str:
    chars = {chr(c) for low, high in BASE_RANGES for c in range(low, high + 1)}
    chars |= {c for c in page_text if c.isprintable()}
    return "".join(sorted(chars))


def web_font(path: Path, text: str) -> bytes:
    """The font subset to `text` as for the EPUB (every layout feature: Devanagari shaping needs them), as WOFF2."""
    font = TTFont(io.BytesIO(for_text(path, text)), recalcTimestamp=False)  # the same bytes every run
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def web_fonts(fonts_dir: Path, text: str, workers: int) -> dict[str, bytes]:
    """Every web font; Brotli at WOFF2's quality takes half a second a font, so they are made side by side."""
    paths = [fonts_dir / f"{stem}.ttf" for _, stem, _, _ in WEB_FONTS]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(paths))) as pool:
            made = list(pool.map(web_font, paths, [text] * len(paths)))
    else:
        made = [web_font(path, text) for path in paths]
    return {f"assets/fonts/{path.stem}.woff2": data for path, data in zip(paths, made)}


def stylesheet(site_css: str, palette: dict) -> str:
    """The brand colours as custom properties, the font faces, then styles/site.css."""
    lines = [":root { " + " ".join(f"--{name.replace('_', '-')}: {value};" for name, value in palette.items()) + " }"]
    for family, stem, weight, style in WEB_FONTS:
        lines.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: {style}; '
                     f'font-display: swap; src: url(fonts/{stem}.woff2) format("woff2"); }}')
    return "\n".join(lines) + "\n\n" + site_css


def _open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.width * image.height > MAX_IMAGE_PIXELS:
        raise AssetError(f"the image is {image.width}×{image.height} pixels, more than the site will scale")
    image.load()
    return image


def _jpeg(image: Image.Image, box: tuple[int, int]) -> bytes:
    fitted = ImageOps.pad(image.convert("RGB"), box, method=Image.Resampling.LANCZOS, color="#FFFFFF")
    out = io.BytesIO()
    fitted.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def covers(cover_png: bytes) -> tuple[bytes, bytes]:
    """The EPUB's cover as the publication page's cover and the library's thumbnail, both at twice
    their CSS size for sharp phone screens."""
    with _open_image(cover_png) as image:
        return (_jpeg(image, (COVER[0] * 2, COVER[1] * 2)), _jpeg(image, (THUMBNAIL[0] * 2, THUMBNAIL[1] * 2)))


def favicon(brand_name: str, palette: dict, fonts_dir: Path, logo_png: bytes | None) -> bytes:
    """The brand's PNG logo on a square, or its initial on the brand colour; browsers ask for one on every page."""
    size = 96
    if logo_png is not None:
        with _open_image(logo_png) as logo:
            square = ImageOps.pad(logo.convert("RGBA"), (size, size), color=(255, 255, 255, 0))
    else:
        square = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(square)
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=18, fill=palette["primary"])
        initial = next((c for c in brand_name if c.isalnum()), "·")
        deva = "\u0900" <= initial <= "\u097f"
        face = ImageFont.truetype(str(fonts_dir / ("NotoSansDevanagari-Bold.ttf" if deva else "NotoSans-Bold.ttf")),
                                  64, layout_engine=ImageFont.Layout.RAQM)
        draw.text((size / 2, size / 2), initial.upper(), font=face, fill=palette["on_primary"], anchor="mm")
    out = io.BytesIO()
    square.save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


def logo(path: Path) -> bytes:
    """The brand's logo, checked: a PNG that is an image, or an SVG that cannot run a script in the site."""
    if path.stat().st_size > MAX_LOGO:
        raise AssetError(f"the logo is {path.stat().st_size} bytes; the site takes at most {MAX_LOGO}")
    data = path.read_bytes()
    if path.suffix.lower() == ".png":
        _open_image(data).close()
    else:
        check_svg(data)
    return data


def check_svg(data: bytes) -> None:
    """An SVG opened on its own runs its scripts in the site's origin: the site publishes only SVG that
    draws, with no script, no event handler and no link to another file."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise AssetError(f"not well-formed SVG: {exc}") from None
    declared = root.getroottree().docinfo.internalDTD
    if declared is not None and any(True for _ in declared.iterentities()):
        raise AssetError("the SVG declares entities in its DOCTYPE; an SVG on the web may only draw")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in SVG_FORBIDDEN:
            raise AssetError(f"the SVG has a <{etree.QName(element).localname}> element; an SVG on the web "
                             f"may only draw")
        for name, value in element.attrib.items():
            local = etree.QName(name).localname.lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                raise AssetError(f'the SVG has {local}="{value[:40]}"; an SVG on the web may only draw, with '
                                 f"no scripts or outside files")
