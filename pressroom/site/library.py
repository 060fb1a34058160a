"""The library's HTML pages: the library itself, one page per publication, one per article.

Templates are data (templates/site/); this module only chooses each page's language
and strings, and the path that leads from the page back to the site's top.  The
library page speaks English, the site's interface language; a publication's pages
speak the publication's language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup

from pressroom.site.articles import ArticlePage
from pressroom.site.sources import Download, Record
from pressroom.stages import compose

THUMBNAIL = (160, 240)  # the size of the library's cover thumbnails, and of the catalogue's
COVER = (400, 600)      # the cover on a publication's page, and the catalogue's image
SITE_LANGUAGE = "en"


@functools.cache
def strings_for(language: str) -> dict:
    """The edition strings of a language, with the site's strings merged key by key over the English ones."""
    english, local = compose.load_strings(SITE_LANGUAGE), compose.load_strings(language)
    return {**local, "site": {**english["site"], **local.get("site", {})}}


def month_label(record: Record, strings: dict) -> str:
    return f"{strings['site']['months'][record.date.month - 1]} {record.date.year}"


def size_label(download: Download, strings: dict) -> str:
    megabytes = max(download.size / 1e6, 0.1)
    return strings["site"][f"download_{download.kind}"].replace("{size}", f"{megabytes:.1f}")


@dataclass(frozen=True)
class Frame:
    """What every page shows around its content."""

    brand: object          # schema.Brand
    logo: str | None       # the logo's path from the site's top, if the brand has one

    def library_title(self, strings: dict) -> str:
        return strings["site"]["library"].replace("{brand}", self.brand.name)


def _render(template: str, frame: Frame, language: str, root: str, **values) -> str:
    strings = strings_for(language)
    return compose.environment().get_template(f"site/{template}").render(
        brand=frame.brand, logo=frame.logo, lang=language, root=root, t=strings, s=strings["site"],
        library=frame.library_title(strings), month=lambda r: month_label(r, strings),
        size=lambda d: size_label(d, strings), description=values.pop("description", ""), **values)


def library_page(frame: Frame, records: list[Record]) -> str:
    strings = strings_for(SITE_LANGUAGE)
    heading = frame.library_title(strings)
    return _render("library.html.j2", frame, SITE_LANGUAGE, "", kind="library", title=heading, heading=heading,
                   description=strings["site"]["intro"], records=records, thumb=THUMBNAIL)


def publication_page(frame: Frame, record: Record, foreword_html: str | None) -> str:
    return _render("publication.html.j2", frame, record.language, "../", kind="publication",
                   title=f"{record.full_title} · {frame.brand.name}", description=record.headline, r=record,
                   cover=COVER, foreword=Markup(foreword_html) if foreword_html else None)


def article_page(frame: Frame, record: Record, article: ArticlePage) -> str:
    return _render("article.html.j2", frame, record.language, "../", kind="article",
                   title=f"{article.title} · {record.title} · {frame.brand.name}", description=article.summary,
                   r=record, a=article, body=Markup(article.body))
