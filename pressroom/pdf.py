"""Stage 4a, print: the composed HTML to a PDF with WeasyPrint, reading only allowed files.

WeasyPrint is imported lazily, after fontconfig has been pointed at the
shipped fonts only, so that no machine font can ever be drawn.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .problems import Problem, display_path

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  <config><rescan><int>0</int></rescan></config>
</fontconfig>
"""


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    problems: tuple[Problem, ...]
    anchor_pages: dict[str, int]  # article anchor -> 1-based page where it starts


def isolate_fonts(fonts_dir: Path) -> None:
    """Make fontconfig (and so Pango) see the shipped fonts and nothing else. Call before importing WeasyPrint."""
    folder = Path(tempfile.gettempdir()) / f"pressroom-fontconfig-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    conf = folder / "fonts.conf"
    text = FONTS_CONF.format(fonts=fonts_dir.resolve(), cache=folder / "cache")
    if not conf.is_file() or conf.read_text() != text:
        conf.write_text(text)
    os.environ["FONTCONFIG_FILE"] = str(conf)


def _make_fetcher(roots: tuple[Path, ...], schemes: dict[str, Path], refused: list[str]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real_roots = tuple(Path(os.path.realpath(r)) for r in roots)

    class RestrictedFetcher(URLFetcher):
        """Serves file: URLs inside the allowed roots and data: URLs; refuses everything else."""

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data", *schemes}, allow_redirects=False, fail_on_errors=True)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme in schemes and not parts.netloc:
                url = (schemes[parts.scheme] / unquote(parts.path)).resolve().as_uri()
                parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                refused.append(f"refused to fetch '{url}': only files inside the project are read")
                raise ValueError(refused[-1])
            path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
            if not any(path.is_relative_to(root) for root in real_roots) or not path.is_file():
                refused.append(f"refused to read '{path}': outside the content, templates and styles folders"
                               if path.exists() else f"file not found: '{path}'")
                raise ValueError(refused[-1])
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return RestrictedFetcher()


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def prepare_weasyprint(fonts_dir: Path, published: dt.date) -> None:
    """Shipped fonts only, a reproducible clock, and Pressroom's WeasyPrint fixes; then import WeasyPrint."""
    isolate_fonts(fonts_dir)
    # fontTools stamps subset fonts with the clock unless this is set; builds must be reproducible.
    os.environ["SOURCE_DATE_EPOCH"] = str(int(dt.datetime.combine(published, dt.time(), dt.timezone.utc).timestamp()))
    import weasyprint  # noqa: F401

    from . import actualtext, ellipsis, footnotecarry, layoutfix

    actualtext.install()
    ellipsis.install()
    footnotecarry.install()
    layoutfix.install()


def render_pdf(html: str, base_dir: Path, stylesheets: tuple[Path, ...], roots: tuple[Path, ...],
               fonts_dir: Path, schemes: dict[str, Path], published: dt.date, tagged: bool, source: Path) -> PdfResult:
    prepare_weasyprint(fonts_dir, published)
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    refused: list[str] = []
    fetcher = _make_fetcher(roots, schemes, refused)
    collector = _Collector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        font_config = FontConfiguration()
        css = [weasyprint.CSS(filename=str(p), url_fetcher=fetcher, font_config=font_config) for p in stylesheets]
        document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=css, font_config=font_config, pdf_tags=tagged)
        options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
        data = document.write_pdf(pdf_identifier=None, **options)
    finally:
        logger.removeHandler(collector)
    where = display_path(source)
    messages = list(dict.fromkeys(refused + collector.messages))
    problems = tuple(Problem(where, 1, "error", f"PDF renderer: {m}") for m in messages)
    anchor_pages = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            if name.startswith("art-") and name not in anchor_pages:
                anchor_pages[name] = number
    return PdfResult(data, len(document.pages), problems, anchor_pages)
