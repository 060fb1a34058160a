"""An edition's article pages, made from the same HTML fragments as its EPUB.

`pipeline.prepare()` renders each article's Markdown once, for the print PDF and for
the EPUB.  The site takes the EPUB fragment and changes only what a web page needs:
no EPUB-only attributes, links to the other articles' pages instead of their XHTML
files, and every table in a region that scrolls sideways on a narrow screen.  The
fragment is well-formed XHTML (EPUBCheck reads it as XML), so it is parsed as XML and
written back as HTML, never edited as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from pressroom.site.sources import Group, Item

EPUB_NS = "http://www.idpf.org/2007/ops"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
ARTICLE_LINK = re.compile(r"art-([a-z0-9][a-z0-9-]*)\.xhtml(#[^\s]*)?")


def article_file(slug: str) -> str:
    """The page of an article: named as in the EPUB, so that no article slug can take the edition's index.html."""
    return f"art-{slug}.html"


@dataclass(frozen=True)
class Question:
    number: int  # as numbered through the edition, the same as in the PDF and the EPUB
    q: str
    options: tuple[tuple[str, str], ...]
    answer: str
    explanation: str
    statements: tuple[str, ...] = ()  # numbered under the stem, as UPSC prints them
    ask: str = ""                     # the question after the statements

    @property
    def answer_text(self) -> str:
        return dict(self.options).get(self.answer, "")


@dataclass(frozen=True)
class Neighbour:
    title: str
    file: str


@dataclass(frozen=True)
class ArticlePage:
    slug: str
    section_label: str
    section_title: str
    topic: str
    title: str
    summary: str
    tags: tuple[str, ...]
    body: str                      # HTML
    images: tuple[str, ...]        # "images/<name>", as the EPUB names them beside its pages
    prelims: tuple[Question, ...]
    mains: tuple[tuple[int, str], ...]
    previous: Neighbour | None
    next: Neighbour | None

    @property
    def file(self) -> str:
        return article_file(self.slug)


def web_fragment(epub_html: str, table_label: str, notes_label: str) -> tuple[str, tuple[str, ...]]:
    """The EPUB fragment as HTML for a web page, and the images it shows."""
    root = etree.fromstring(f'<div xmlns:epub="{EPUB_NS}">{epub_html}</div>'.encode(), PARSER)
    images, tables = [], []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in [n for n in element.attrib if n.startswith("{")]:  # epub:type, xml:lang
            del element.attrib[name]
        if element.tag == "a":
            match = ARTICLE_LINK.fullmatch(element.get("href", ""))
            if match:
                element.set("href", article_file(match[1]) + (match[2] or ""))
        elif element.tag == "img" and element.get("src"):
            images.append(element.get("src"))
        elif element.tag == "table":
            tables.append(element)
        elif element.tag == "section" and "footnotes" in (element.get("class") or "").split():
            element.set("aria-label", notes_label)
    etree.cleanup_namespaces(root)  # the epub prefix is no longer used: written out, no element declares it
    for table in tables:
        # A region with a name and a tab stop: a keyboard can scroll it, and a screen reader announces it.
        region = etree.Element("div", {"class": "table-scroll", "role": "region", "aria-label": table_label,
                                       "tabindex": "0"})
        region.tail, table.tail = table.tail, None
        table.getparent().replace(table, region)
        region.append(table)
    html = (root.text or "") + "".join(etree.tostring(child, method="html", encoding="unicode") for child in root)
    return html, tuple(dict.fromkeys(images))


def edition_articles(prepared, practice, table_label: str, notes_label: str) -> tuple[ArticlePage, ...]:
    """Every article of a prepared edition, in reading order, with its questions and neighbours."""
    prelims: dict = {}
    for item in practice.prelims:
        prelims.setdefault(item.article.path, []).append(
            Question(item.number, item.q, item.options, item.answer, item.explanation, item.statements, item.ask))
    mains: dict = {}
    for item in practice.mains:
        mains.setdefault(item.article.path, []).append((item.number, item.q))
    flat = [(s.section, a) for s in prepared.edition.sections for a in s.articles]
    pages = []
    for index, (section, article) in enumerate(flat):
        body, images = web_fragment(prepared.fragments[article.path].epub_html, table_label, notes_label)
        before = flat[index - 1][1] if index > 0 else None
        after = flat[index + 1][1] if index + 1 < len(flat) else None
        meta = article.meta
        pages.append(ArticlePage(
            article.slug, section.label, section.title, meta.topic, meta.title, meta.summary, tuple(meta.tags),
            body, images, tuple(prelims.get(article.path, ())), tuple(mains.get(article.path, ())),
            Neighbour(before.meta.title, article_file(before.slug)) if before else None,
            Neighbour(after.meta.title, article_file(after.slug)) if after else None))
    return tuple(pages)


def edition_contents(prepared, slug: str) -> tuple[Group, ...]:
    """The edition's contents, section by section, each article linked to its page."""
    return tuple(
        Group(s.section.label, s.section.title,
              tuple(Item(a.meta.title, f"{slug}/{article_file(a.slug)}", a.meta.topic, a.meta.summary)
                    for a in s.articles))
        for s in prepared.edition.sections)


def compilation_contents(chosen, published: set[str]) -> tuple[Group, ...] | None:
    """A compilation's contents from its build report (issue 15: every article chosen, in book order, with
    its source edition and file), each linked to its page in its edition; None when the report has none."""
    if not isinstance(chosen, dict) or not isinstance(chosen.get("articles"), list):
        return None
    months = {e.get("slug"): e.get("title") for e in chosen.get("editions", []) if isinstance(e, dict)}
    groups: dict[str, list[Item]] = {}
    for entry in chosen["articles"]:
        fields = {k: entry.get(k) for k in ("edition", "file", "title", "group")} if isinstance(entry, dict) else {}
        if not all(isinstance(v, str) for v in fields.values()):
            return None
        match = re.fullmatch(r"[a-z0-9-]+/\d{2,3}-([a-z0-9][a-z0-9-]*)\.md", fields["file"])
        href = f"{fields['edition']}/{article_file(match[1])}" if match and fields["edition"] in published else ""
        kicker = months.get(fields["edition"]) if isinstance(months.get(fields["edition"]), str) else ""
        groups.setdefault(fields["group"], []).append(Item(fields["title"], href, kicker))
    return tuple(Group("", title, tuple(items)) for title, items in groups.items())


def nav_contents(nav) -> tuple[Group, ...]:
    """A book's contents from its EPUB navigation: the parts that hold articles, without pages of their own."""
    return tuple(Group("", entry.title, tuple(Item(child.title, "") for child in entry.children))
                 for entry in nav if entry.children)
