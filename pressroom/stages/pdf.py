"""Stage 4a, print: the composed HTML to a PDF with WeasyPrint, reading only allowed files.

WeasyPrint is imported lazily, after fontconfig has been pointed at the
shipped fonts only, so that no machine font can ever be drawn.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from pressroom import weasy
from pressroom.paths import CONTENT_SCHEME, STYLES, TEMPLATES
from pressroom.problems import Problem, display_path
from pressroom.stages import economy
from pressroom.weasy import fetch


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    problems: tuple[Problem, ...]
    anchor_pages: dict[str, int]  # article anchor -> 1-based page where it starts


@dataclass(frozen=True)
class PrintSetup:
    """What WeasyPrint may read and which stylesheets it applies, for one edition and profile."""

    roots: tuple[Path, ...]
    sheets: tuple[Path, ...]
    schemes: dict[str, Path]
    tagged: bool  # the screen profile is a tagged PDF/UA-1; the press gets an untagged PDF


def print_setup(content_root: Path, profile: str) -> PrintSetup:
    sheets = (STYLES / "print.css",) + ((STYLES / "profile-print.css",) if profile == "print" else ())
    return PrintSetup((content_root, TEMPLATES, STYLES), sheets, {CONTENT_SCHEME: content_root}, profile == "screen")


def render_pdf(html: str, base_dir: Path, stylesheets: tuple[Path, ...], roots: tuple[Path, ...],
               fonts_dir: Path, schemes: dict[str, Path], published: dt.date, tagged: bool, source: Path) -> PdfResult:
    weasy.prepare(fonts_dir, published)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    refused: list[str] = []
    fetcher = fetch.make_fetcher(roots, schemes, refused)
    collector = fetch.Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        font_config = FontConfiguration()
        css = [weasyprint.CSS(filename=str(p), url_fetcher=fetcher, font_config=font_config) for p in stylesheets]

        def lay_out(text: str):
            return weasyprint.HTML(string=text, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
                stylesheets=css, font_config=font_config, pdf_tags=tagged)

        document = lay_out(html)
        fitted = economy.refit(html, [page._page_box for page in document.pages])
        if fitted != html:  # the page economy moved a break or let a short part flow on: lay it out again
            del refused[:], collector.messages[:]
            document = lay_out(fitted)
        options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
        data = document.write_pdf(pdf_identifier=None, **options)
    finally:
        logger.removeHandler(collector)
    where = display_path(source)
    messages = list(dict.fromkeys(refused + collector.messages))
    problems = tuple(Problem(where, 1, "error", f"PDF renderer: {m}", "pdf.renderer") for m in messages)
    anchor_pages = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            if name.startswith("art-") and name not in anchor_pages:
                anchor_pages[name] = number
    return PdfResult(data, len(document.pages), problems, anchor_pages)
