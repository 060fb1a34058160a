"""The OPDS 1.2 catalogue: the Atom feeds e-reader apps subscribe to, so a new month simply appears.

    opds/index.xml           navigation: All editions, Compilations, By month
    opds/editions.xml        acquisition: every edition, newest first
    opds/compilations.xml    acquisition: every compilation, newest first
    opds/months.xml          navigation: one entry per month that has a publication
    opds/month-YYYY-MM.xml   acquisition: that month's editions and compilations

Each publication's entry carries the EPUB's own dc:identifier, so an app that already
has the book knows it.  Links are relative to the feed, or absolute under --base-url.
Every date is a publication date: two runs write the same bytes.
"""

from __future__ import annotations

import posixpath
import uuid
from urllib.parse import quote

from lxml import etree

from pressroom.site.library import month_label
from pressroom.site.sources import Record, newest_first

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
ACQUIRE = "http://opds-spec.org/acquisition"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
ROOT = "opds/index.xml"


def _stamp(day: str) -> str:
    return f"{day}T00:00:00Z"


class _Feed:
    def __init__(self, path: str, title: str, kind: str, catalogue: Catalogue, updated: str):
        self.path, self.catalogue = path, catalogue
        self.root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "dc": DC, "opds": OPDS})
        self.add(self.root, "id", catalogue.urn(path))
        self.add(self.root, "title", title)
        self.add(self.root, "updated", _stamp(updated))
        catalogue.author(self.root)
        self.link(self.root, "self", path, kind)
        self.link(self.root, "start", ROOT, NAVIGATION)
        if path != ROOT:
            self.link(self.root, "up", ROOT, NAVIGATION)
        self.link(self.root, "alternate", "index.html", "text/html")

    @staticmethod
    def add(parent, name: str, text: str | None = None, namespace: str = ATOM, **attributes):
        element = etree.SubElement(parent, f"{{{namespace}}}{name}", {k: str(v) for k, v in attributes.items()})
        element.text = text
        return element

    def link(self, parent, rel: str, target: str, media_type: str, **attributes):
        return self.add(parent, "link", rel=rel, href=self.catalogue.href(target, self.path), type=media_type,
                        **attributes)

    def bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="utf-8", pretty_print=True)


class Catalogue:
    def __init__(self, records: list[Record], brand, strings: dict, base_url: str | None):
        self.records = newest_first(records)
        self.brand, self.strings, self.base_url = brand, strings, base_url
        self.s = strings["site"]

    def urn(self, name: str) -> str:
        """A feed's id: the same for the same brand and feed on every run and every host."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pressroom:{self.brand.name}:{name}')}"

    def href(self, target: str, feed: str) -> str:
        """`target` (a path from the site's top) as the feed at `feed` links to it."""
        if self.base_url:
            return self.base_url + quote(target)
        return quote(posixpath.relpath(target, posixpath.dirname(feed)))

    def author(self, parent) -> None:
        author = _Feed.add(parent, "author")
        _Feed.add(author, "name", self.brand.name)
        if self.brand.website:
            website = self.brand.website
            _Feed.add(author, "uri", website if "://" in website else f"https://{website}")

    def _updated(self, records: list[Record]) -> str:
        return max((r.published for r in records or self.records), default="1970-01-01")

    def navigation(self, path: str, title: str, entries: list[tuple[str, str, str, str, list[Record]]]) -> bytes:
        """A navigation feed: (title, about, target feed, its kind, the records under it) per entry."""
        feed = _Feed(path, title, NAVIGATION, self, self._updated(self.records))
        for entry_title, about, target, kind, records in entries:
            entry = feed.add(feed.root, "entry")
            feed.add(entry, "title", entry_title)
            feed.add(entry, "id", self.urn(f"entry:{target}"))
            feed.add(entry, "updated", _stamp(self._updated(records)))
            feed.add(entry, "content", about, type="text")
            feed.link(entry, "subsection", target, kind)
        return feed.bytes()

    def acquisition(self, path: str, title: str, records: list[Record]) -> bytes:
        feed = _Feed(path, title, ACQUISITION, self, self._updated(records))
        for record in records:
            entry = feed.add(feed.root, "entry", **{"{http://www.w3.org/XML/1998/namespace}lang": record.language})
            feed.add(entry, "title", record.full_title)
            feed.add(entry, "id", record.identifier)
            feed.add(entry, "updated", _stamp(record.published))
            self.author(entry)
            feed.add(entry, "identifier", record.identifier, DC)
            feed.add(entry, "issued", record.published, DC)
            feed.add(entry, "language", record.language, DC)
            feed.add(entry, "publisher", self.brand.name, DC)
            feed.add(entry, "summary", self._summary(record), type="text")
            feed.link(entry, IMAGE, record.cover, "image/jpeg")
            feed.link(entry, THUMBNAIL, record.thumbnail, "image/jpeg")
            for download in record.downloads:
                feed.link(entry, ACQUIRE, download.href, download.media_type, length=download.size)
            feed.link(entry, "alternate", record.page, "text/html")
        return feed.bytes()

    def _summary(self, record: Record) -> str:
        facts = [month_label(record, self.strings)]
        if record.pages:
            facts.append(self.s["pages"].replace("{n}", str(record.pages)))
        facts.append(self.s["articles"].replace("{n}", str(record.articles)))
        return " · ".join(facts) + (f". {record.headline}" if record.headline else "")

    def feeds(self) -> dict[str, bytes]:
        s = self.s
        editions = [r for r in self.records if r.kind == "edition"]
        compilations = [r for r in self.records if r.kind == "compilation"]
        months: dict[str, list[Record]] = {}
        for record in self.records:
            months.setdefault(record.published[:7], []).append(record)
        out = {
            "opds/editions.xml": self.acquisition("opds/editions.xml", s["all_editions"], editions),
            "opds/compilations.xml": self.acquisition("opds/compilations.xml", s["compilations"], compilations),
        }
        month_entries = []
        for month, records in months.items():
            path = f"opds/month-{month}.xml"
            title = month_label(records[0], self.strings)
            out[path] = self.acquisition(path, title, records)
            month_entries.append((title, " · ".join(r.full_title for r in records), path, ACQUISITION, records))
        out["opds/months.xml"] = self.navigation("opds/months.xml", s["by_month"], month_entries)
        title = s["library"].replace("{brand}", self.brand.name)
        out[ROOT] = self.navigation(ROOT, title, [
            (s["all_editions"], s["all_editions_about"], "opds/editions.xml", ACQUISITION, editions),
            (s["compilations"], s["compilations_about"], "opds/compilations.xml", ACQUISITION, compilations),
            (s["by_month"], s["by_month_about"], "opds/months.xml", NAVIGATION, self.records),
        ])
        return out
