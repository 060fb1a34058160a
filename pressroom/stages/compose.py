"""Stage 3, compose: the edition plus rendered fragments, poured into the templates.

Templates and styles are data: this module only prepares values (colours
that pass contrast, localised strings, featured articles) and renders Jinja.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import jinja2
import yaml
from markupsafe import Markup

from pressroom.paths import CONTENT_SCHEME, STYLES, TEMPLATES
from pressroom.stages import cover as cover_art
from pressroom.stages import titles
from pressroom.stages.read import ArticleSource, Edition
from pressroom.stages.typography import ENGLISH_QUOTES, typeset

NEAR_BLACK = "#1C1C1F"
DEVANAGARI_LANGS = {"hi", "mr", "ne", "sa", "mai", "kok", "bho"}


@dataclass(frozen=True)
class ArticleView:
    source: ArticleSource
    section: object  # the article's own section (in a compilation, in its edition): its kicker
    html: Markup
    lang: str | None

    @property
    def meta(self):
        return self.source.meta

    @property
    def origin(self):
        """A compilation's article: its edition, for the provenance line and the month beside its title."""
        return self.source.origin

    @property
    def slug(self):
        return self.source.slug


@dataclass(frozen=True)
class SectionView:
    section: object
    articles: tuple[ArticleView, ...]
    opener: str = ""   # the title under the opener's label chip, without the label repeated
    running: str = ""  # the running head: short_title, or the title shortened at a word boundary


def load_strings(language: str, book: bool = False) -> dict:
    """Interface strings for the edition's language, falling back to English per key; a compilation
    (`book`) takes the words of `book:` in place of the magazine's."""
    base = yaml.safe_load((TEMPLATES / "strings" / "en.yaml").read_text(encoding="utf-8"))
    path = TEMPLATES / "strings" / f"{language.split('-')[0].lower()}.yaml"
    if path.is_file():
        local = yaml.safe_load(path.read_text(encoding="utf-8"))
        base = {**base, **local, "boxes": {**base["boxes"], **local.get("boxes", {})},
                "book": {**base.get("book", {}), **local.get("book", {})}}
    if book:
        base = {**base, **base.get("book", {})}
    return base


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _darken(hex_colour: str, factor: float) -> str:
    return "#" + "".join(f"{round(int(hex_colour[i:i + 2], 16) * factor):02X}" for i in (1, 3, 5))


def ink_for(colour: str, background: str = "#FFFFFF") -> str:
    """The colour itself if it passes WCAG AA (4.5:1) as text, else the nearest darker shade that does."""
    factor = 1.0
    ink = colour
    while contrast(ink, background) < 4.5 and factor > 0:
        factor -= 0.05
        ink = _darken(colour, factor)
    return ink


def palette(colors) -> dict[str, str]:
    on_primary = "#FFFFFF" if contrast("#FFFFFF", colors.primary) >= contrast(NEAR_BLACK, colors.primary) else NEAR_BLACK
    return {"primary": colors.primary, "primary_ink": ink_for(colors.primary), "on_primary": on_primary,
            "accent": colors.accent, "accent_ink": ink_for(colors.accent)}


def cssstr(value: str) -> Markup:
    """Escape text for a CSS string inside <style>: hex escapes cannot close the string or the element."""
    out = []
    for char in str(value).replace("\n", " "):
        # The space after a hex escape is part of the escape, so the next real space survives.
        out.append(char if char.isalnum() or char in " .,:;-·" else f"\\{ord(char):06X} ")
    return Markup("".join(out))


@jinja2.pass_context
def smart(context, value) -> str:
    """Text from YAML with the typographer's quotes, dashes and ellipses, as the article bodies have."""
    strings = context.get("t") or {}
    return typeset(str(value), strings.get("quotes", ENGLISH_QUOTES)) if value is not None else ""


def href(url: str) -> str:
    """A website written without a scheme still has to be a link, not a relative file. brand.yaml's schema
    allows no other scheme than these (schema._url), so nothing else can become a live link."""
    return url if re.match(r"^(https?://|mailto:|tel:)", url, re.I) else f"https://{url}"


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """One per process: Jinja compiles each template once (and again if its file changes)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["cssstr"] = cssstr
    env.filters["href"] = href
    env.filters["smart"] = smart
    return env


def featured(edition: Edition) -> list[ArticleView]:
    """Cover's "In this issue": articles marked featured, else the first of each section; 4 to 6."""
    chosen = [(s, a) for s in edition.sections for a in s.articles if a.meta.featured]
    if len(chosen) < 4:
        extra = [(s, a) for s in edition.sections for a in s.articles[:1] if (s, a) not in chosen]
        extra += [(s, a) for s in edition.sections for a in s.articles[1:] if (s, a) not in chosen]
        chosen += extra[: 4 - len(chosen)]
    return chosen[:6]


def section_views(edition: Edition, fragments: dict[Path, object], flavour: str,
                  strings: dict | None = None) -> list[SectionView]:
    views = []
    dangling = tuple((strings or {}).get("dangling_words", ()))
    for s in edition.sections:
        arts = []
        for a in s.articles:
            frag = fragments[a.path]
            html = frag.print_html if flavour == "print" else frag.epub_html
            own = a.origin.section if a.origin is not None else s.section  # a compilation's article keeps its kicker
            arts.append(ArticleView(a, own, Markup(html), None))
        section = s.section
        views.append(SectionView(section, tuple(arts), titles.opener_title(section.label, section.title),
                                 titles.running_head(section.title, section.short_title, dangling)))
    return views


def published_iso(edition: Edition) -> str:
    day: dt.date = edition.meta.published
    return f"{day.isoformat()}T00:00:00+00:00"


PRINT_PARTS = ("cover", "contents", "foreword", "main", "practice", "answers", "index", "back")


def print_parts(meta, quiz_only: bool = False, answers_only: bool = False) -> dict[str, bool]:
    """Which parts a print document carries: the magazine, the quiz handout, or the answer key alone."""
    if answers_only:
        return {p: p == "answers" for p in PRINT_PARTS}
    if quiz_only:
        return {p: p in ("practice", "answers") for p in PRINT_PARTS}
    show = {p: True for p in PRINT_PARTS}
    show["practice"] = show["index"] = meta.practice
    show["answers"] = meta.practice and meta.answers == "inline"
    return show


def compose_print(edition: Edition, fragments: dict, foreword_html: str | None, strings: dict,
                  logo_uri: str | None, cover_uri: str | None, practice=None, show: dict | None = None,
                  pages: dict | None = None, notes: int = 0) -> str:
    """The print HTML; `pages` gives article page numbers when the articles are not in this document;
    `notes` asks for that many "Notes" pages (the press PDF's padding)."""
    env = environment()
    sections = section_views(edition, fragments, "print", strings)
    by_path = {a.source.path: a for s in sections for a in s.articles}
    keywords = sorted({t for a in edition.articles for t in a.meta.tags})
    subject = f"{edition.meta.title}" + (f" ({edition.meta.prelims_label})" if edition.meta.prelims_label else "")
    brand = edition.brand
    colors = palette(brand.colors)
    show = show or print_parts(edition.meta)
    panels = _cover_panels(edition, cover_uri, colors) if show.get("cover") else None
    return env.get_template("print.html.j2").render(
        brand=brand, edition=edition.meta, colors=colors, t=strings, sections=sections,
        featured=[_view(by_path, a) for _, a in featured(edition)], foreword=Markup(foreword_html) if foreword_html else None,
        logo=logo_uri, cover_image=cover_uri, cover_panels=panels, keywords=keywords, subject=subject,
        date_iso=published_iso(edition), practice=practice, show=show, pages=pages, notes=notes,
    )


def _cover_panels(edition: Edition, cover_uri: str | None, colors: dict) -> dict | None:
    """The colour panels over a full-bleed cover photo, each as opaque as its text needs (cover.py)."""
    prefix = f"{CONTENT_SCHEME}:"
    if not cover_uri or not cover_uri.startswith(prefix):
        return None
    path = edition.content_root / unquote(cover_uri[len(prefix):])
    scrim = cover_art.scrim(path, colors["primary"], colors["on_primary"])
    return {"top": cover_art.rgba(colors["primary"], scrim.top),
            "bottom": cover_art.rgba(colors["primary"], scrim.bottom)}


def _view(by_path, article: ArticleSource) -> ArticleView:
    return by_path[article.path]


@dataclass(frozen=True)
class EpubDocument:
    uid: str
    file_name: str
    title: str
    xhtml: str


@dataclass(frozen=True)
class TocEntry:
    uid: str
    file_name: str
    title: str
    children: tuple["TocEntry", ...] = ()


@dataclass(frozen=True)
class EpubContent:
    """Everything the EPUB packager needs, already rendered; it adds no words of its own."""

    slug: str
    brand: object
    meta: object
    palette: dict
    devanagari: bool
    documents: tuple[EpubDocument, ...]  # in reading order; the first is the cover page
    toc: tuple[TocEntry, ...]
    nav_title: str
    css: str
    subjects: tuple[str, ...]
    text: str  # every character the book shows, for font subsetting


def compose_epub(edition: Edition, fragments: dict, foreword_html: str | None, strings: dict,
                 practice=None) -> EpubContent:
    meta, brand = edition.meta, edition.brand
    page = environment().get_template("epub/page.xhtml.j2")
    common = dict(lang=meta.language, t=strings, brand=brand, edition=meta, logo=None)
    views = section_views(edition, fragments, "epub", strings)
    def typed(text: str) -> str:  # the navigation's titles as the pages print them
        return typeset(text, strings.get("quotes", ENGLISH_QUOTES))

    by_path = {a.source.path: a for s in views for a in s.articles}
    docs = [EpubDocument("cover", "cover.xhtml", strings["cover"], page.render(
        kind="cover", title=meta.title, featured=[by_path[a.path] for _, a in featured(edition)], **common))]
    toc = [TocEntry("cover", "cover.xhtml", strings["cover"])]
    if foreword_html:
        docs.append(EpubDocument("foreword", "foreword.xhtml", strings["foreword"], page.render(
            kind="foreword", title=strings["foreword"], body=Markup(foreword_html), **common)))
        toc.append(TocEntry("foreword", "foreword.xhtml", strings["foreword"]))
    for view in views:
        uid = f"sec-{view.section.id}"
        docs.append(EpubDocument(uid, f"{uid}.xhtml", typed(view.section.title), page.render(
            kind="section", title=view.section.title, section=view.section, opener=view.opener,
            articles=view.articles, **common)))
        children = []
        for a in view.articles:
            art_uid = f"art-{a.slug}"
            docs.append(EpubDocument(art_uid, f"{art_uid}.xhtml", typed(a.meta.title), page.render(
                kind="article", title=a.meta.title, a=a, section=a.section, body=a.html, **common)))
            children.append(TocEntry(art_uid, f"{art_uid}.xhtml", typed(a.meta.title)))
        toc.append(TocEntry(uid, f"{uid}.xhtml", typed(view.section.title), tuple(children)))
    show = print_parts(meta)
    if practice is not None and show["practice"] and practice.sections:
        docs.append(EpubDocument("practice", "practice.xhtml", strings["practice"], page.render(
            kind="practice", title=strings["practice"], practice=practice, answers=show["answers"], **common)))
        toc.append(TocEntry("practice", "practice.xhtml", strings["practice"]))
        if show["answers"] and practice.prelims:
            docs.append(EpubDocument("answers", "answers.xhtml", strings["answer_key"], page.render(
                kind="answers", title=strings["answer_key"], practice=practice, **common)))
            toc.append(TocEntry("answers", "answers.xhtml", strings["answer_key"]))
    if practice is not None and show["index"] and practice.index:
        docs.append(EpubDocument("index", "index.xhtml", strings["index"], page.render(
            kind="index", title=strings["index"], practice=practice, **common)))
        toc.append(TocEntry("index", "index.xhtml", strings["index"]))
    docs.append(EpubDocument("back", "back.xhtml", strings["back_cover"], page.render(
        kind="back", title=strings["back_cover"], **common)))
    toc.append(TocEntry("back", "back.xhtml", strings["back_cover"]))
    colors = palette(brand.colors)
    css = f":root {{ --primary: {colors['primary']}; --accent: {colors['accent']}; }}\n"
    css += (STYLES / "epub.css").read_text(encoding="utf-8")
    text = "".join(d.xhtml for d in docs) + strings["contents"]
    return EpubContent(edition.slug, brand, meta, colors, meta.language.split("-")[0] in DEVANAGARI_LANGS,
                       tuple(docs), tuple(toc), strings["contents"], css,
                       tuple(sorted({t for a in edition.articles for t in a.meta.tags})), text)
