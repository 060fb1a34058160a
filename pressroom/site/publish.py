"""Making the site: each publication's pages, the shared files, the catalogue and the search index.

A publication is made again only when something it is made from has changed: its
content folder, brand.yaml, its build report, PDF and EPUB, or Pressroom itself
(code, templates, styles).  The library page, the catalogue, the stylesheet and the
favicon are made from the publications' records on every run (they take
milliseconds) and written only when their bytes change.  The fonts are made again
when the characters the site shows change, the search index when an article page
changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pressroom import pipeline
from pressroom.fingerprint import tool_trees, tree_files
from pressroom.paths import FONTS, STYLES, TEMPLATES
from pressroom.problems import ContentError, error
from pressroom.site import assets, search
from pressroom.site.articles import compilation_contents, edition_articles, edition_contents, nav_contents, web_fragment
from pressroom.site.epubfile import EpubError, EpubFile
from pressroom.site.library import SITE_LANGUAGE, Frame, article_page, library_page, publication_page, strings_for
from pressroom.site.opds import Catalogue
from pressroom.site.sources import Built, Download, Record, Source, newest_first, read_meta
from pressroom.site.writer import State, Writer
from pressroom.stages import compose, practice

SITE_FORMAT = 1  # bump when the same inputs should give different pages
SEARCH_SCRIPT = TEMPLATES / "site" / "search.js"
MEDIA_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip"}


@dataclass(frozen=True)
class Settings:
    content_root: Path
    out_dir: Path
    base_url: str | None
    workers: int = 1  # processes for the web fonts

    @property
    def site(self) -> Path:
        return self.out_dir / "site"


@dataclass(frozen=True)
class Outcome:
    records: tuple[Record, ...]
    made: tuple[str, ...]       # the publications whose pages were made this run
    rewritten: tuple[str, ...]  # files written because their bytes changed
    removed: tuple[str, ...]
    indexed: bool               # whether Pagefind ran


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


class Site:
    def __init__(self, settings: Settings, brand):
        self.settings, self.brand = settings, brand
        self.state = State(settings.out_dir / ".cache" / "site" / "state.json")
        self.writer = Writer(settings.site)
        self.hashes = self.state.hashes
        self.tools = _digest([SITE_FORMAT, search.version(), settings.base_url,
                              [(str(p), self.hashes.of(p)) for tree in tool_trees() for p in tree_files(tree)]])
        self.colors = compose.palette(brand.colors)
        self.logo_path = self._logo_path()
        self.frame = Frame(brand, f"assets/logo{self.logo_path.suffix.lower()}" if self.logo_path else None)
        self.editions: set[str] = set()  # the editions this run publishes: a compilation links to their pages
        self.logo = None
        if self.logo_path is not None:  # checked before anything is written
            try:
                self.logo = assets.logo(self.logo_path)
            except assets.AssetError as exc:
                raise ContentError([error(self.logo_path, 1, str(exc), code="site.logo")]) from None

    def _logo_path(self) -> Path | None:
        if not self.brand.logo:
            return None
        root = self.settings.content_root.resolve()
        path = (root / self.brand.logo).resolve()
        if not path.is_relative_to(root) or path.suffix.lower() not in (".svg", ".png") or not path.is_file():
            raise ContentError([error(root / "brand.yaml", 1, f"logo '{self.brand.logo}' must be an SVG or PNG "
                                                              f"file inside the content folder", code="site.logo")])
        return path

    def publish(self, sources: list[tuple[Source, Built]]) -> Outcome:
        publications, records, made, text = {}, [], [], []
        self.editions = {source.slug for source, _ in sources if source.kind == "edition"}
        for source, built in sources:
            key = self._key(source, built)
            entry, record = self._unchanged(source.slug, key)
            if entry is None:
                entry = {"key": key, **self._make(source, built)}
                record = Record.from_json(entry["record"])
                made.append(source.slug)
            publications[source.slug] = entry
            records.append(record)
            text.append(entry["text"])
        parts = {"fonts": self._fonts("".join(text))}
        self._shared(records)
        removed = self.writer.prune(spare="pagefind/")  # before Pagefind reads the site: no stale page is indexed
        parts["search"] = self._search(publications)
        removed += self.writer.prune()
        self.state.save(publications, parts)
        return Outcome(tuple(newest_first(records)), tuple(made), tuple(self.writer.rewritten), tuple(removed),
                       parts["search"].get("ran", False))

    def _unchanged(self, slug: str, key: str) -> tuple[dict | None, Record | None]:
        """The last run's entry and record for a publication whose inputs and files are as they were."""
        old = self.state.publications.get(slug)
        try:
            if old["key"] != key or not isinstance(old["text"], str) or not self.writer.intact(old["files"]):
                return None, None
            record = Record.from_json(old["record"])
        except (KeyError, TypeError, ValueError):  # no entry, or one this version cannot read: make it anew
            return None, None
        self.writer.keep(old["files"])
        return old, record

    def _key(self, source: Source, built: Built) -> str:
        # Not the whole build report: it records how long the build took. Its page count follows the PDF.
        files = [*tree_files(source.folder), self.settings.content_root / "brand.yaml", built.pdf, built.epub]
        return _digest([self.tools, source.kind, source.slug, [(str(p), self.hashes.of(p)) for p in files],
                        built.compilation, sorted(self.editions)])

    def _make(self, source: Source, built: Built) -> dict:
        """One publication's pages and files; returns what the state keeps of it."""
        before = set(self.writer.files)
        meta, problems = read_meta(source)
        if meta is None:
            raise ContentError(problems)
        strings = strings_for(meta.language)
        slug, articles, foreword = source.slug, (), None
        try:
            with EpubFile(built.epub) as book:
                identifier = book.identifier()
                cover = book.cover_href()
                if cover is None:
                    raise EpubError("the EPUB has no cover image")
                cover_png = book.resource(cover)
                if source.kind == "edition":
                    prepared = pipeline.prepare(source.folder, pipeline.Timer())
                    labels = (strings["site"]["table"], strings["notes"])
                    articles = edition_articles(prepared, practice.gather(prepared.edition), *labels)
                    groups = edition_contents(prepared, slug)
                    images = [name for a in articles for name in a.images]
                    if prepared.foreword_epub:
                        foreword, more = web_fragment(prepared.foreword_epub, *labels)
                        images += more
                    for name in dict.fromkeys(images):
                        data = book.resource(name)
                        if name.lower().endswith(".svg"):
                            assets.check_svg(data)
                        self.writer.put(f"{slug}/{name}", data)
                else:
                    groups = compilation_contents(built.compilation, self.editions) or nav_contents(book.nav())
            cover_jpg, thumbnail_jpg = assets.covers(cover_png)
        except EpubError as exc:
            raise ContentError([error(built.epub, 1, str(exc), code="site.epub")]) from None
        except assets.AssetError as exc:
            raise ContentError([error(built.epub, 1, str(exc), code="site.image")]) from None
        self.writer.put(f"{slug}/cover.jpg", cover_jpg)
        self.writer.put(f"{slug}/thumbnail.jpg", thumbnail_jpg)
        downloads = []
        for kind, path in (("pdf", built.pdf), ("epub", built.epub)):
            data = path.read_bytes()
            self.writer.put(f"{slug}/{path.name}", data)
            downloads.append(Download(kind, f"{slug}/{path.name}", len(data), MEDIA_TYPES[kind]))
        record = Record(source.kind, slug, meta.title, meta.prelims_label, meta.language, meta.published.isoformat(),
                        meta.headline, identifier, built.pages, len(articles) or built.articles, tuple(downloads),
                        f"{slug}/cover.jpg", f"{slug}/thumbnail.jpg", groups)
        pages = {f"{slug}/index.html": publication_page(self.frame, record, foreword)}
        for article in articles:
            pages[f"{slug}/{article.file}"] = article_page(self.frame, record, article)
        for relative, html in pages.items():
            self.writer.put(relative, html.encode("utf-8"))
        files = {k: v for k, v in self.writer.files.items() if k not in before}
        return {"record": record.to_json(), "files": files,
                "text": "".join(sorted(set("".join(pages.values()))))}

    def _shared(self, records: list[Record]) -> None:
        put = self.writer.put
        put("index.html", library_page(self.frame, newest_first(records)).encode("utf-8"))
        for relative, data in Catalogue(records, self.brand, strings_for(SITE_LANGUAGE),
                                        self.settings.base_url).feeds().items():
            put(relative, data)
        css = assets.stylesheet((STYLES / "site.css").read_text(encoding="utf-8"), self.colors)
        put("assets/site.css", css.encode("utf-8"))
        put("assets/search.js", SEARCH_SCRIPT.read_bytes())
        if self.logo is not None:
            put(self.frame.logo, self.logo)
        logo_png = self.logo if self.logo_path and self.logo_path.suffix.lower() == ".png" else None
        put("favicon.ico", assets.favicon(self.brand.name, self.colors, FONTS, logo_png))

    def _fonts(self, page_text: str) -> dict:
        text = assets.font_text(page_text)
        key = _digest([self.tools, text])
        old = self.state.parts.get("fonts", {})
        if old.get("key") == key and self.writer.intact(old.get("files", {})):
            self.writer.keep(old["files"])
            return old
        before = set(self.writer.files)
        for relative, data in assets.web_fonts(FONTS, text, self.settings.workers).items():
            self.writer.put(relative, data)
        return {"key": key, "files": {k: v for k, v in self.writer.files.items() if k not in before}}

    def _search(self, publications: dict) -> dict:
        pages = sorted(k for entry in publications.values() for k in entry["files"] if "/art-" in k)
        key = _digest([self.tools, [(k, self.hashes.of(self.settings.site / k)) for k in pages]])
        old = self.state.parts.get("search", {})
        if old.get("key") == key and self.writer.intact(old.get("files", {})):
            self.writer.keep(old["files"])
            return {**old, "ran": False}
        before = set(self.writer.files)
        work = self.settings.out_dir / ".cache" / "site"
        work.mkdir(parents=True, exist_ok=True)
        files = search.index(self.settings.site, work, SITE_LANGUAGE)  # SearchError: Pagefind missing or failed, for the command
        for relative, data in files.items():
            self.writer.put(relative, data)
        return {"key": key, "files": {k: v for k, v in self.writer.files.items() if k not in before}, "ran": True}
