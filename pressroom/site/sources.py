"""What the library publishes: every edition and compilation under content/, once built.

A publication is a content folder (`content/<slug>/edition.yaml`, or
`content/compilations/<slug>/compilation.yaml`) whose output folder holds its
`build-report.json`, PDF and EPUB.  Its `Record` is what the library page, its own
page and the catalogue show; records are kept between runs, so a publication that
has not changed is not read again.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from pressroom.problems import Problem, error
from pressroom.stages import read as reader
from pressroom.stages.yamlsource import load_yaml_file

# The site's own folders: a publication with one of these names would be written over them.
RESERVED = ("assets", "opds", "pagefind", "site")
MAX_REPORT = 1024 * 1024


@dataclass(frozen=True)
class Source:
    kind: str          # "edition" or "compilation"
    slug: str          # its folder name, and its folder in the output and in the site
    folder: Path
    definition: Path   # edition.yaml or compilation.yaml
    build_name: str    # what `build.py NAME` is given to build it


def discover(content_root: Path) -> tuple[list[Source], list[Problem]]:
    """Every edition and compilation under the content folder, and the problems with their names."""
    sources = [Source("edition", f.name, f, f / "edition.yaml", f.name) for f in reader.find_editions(content_root)]
    for definition in sorted((content_root / "compilations").glob("*/compilation.yaml")):
        folder = definition.parent
        sources.append(Source("compilation", folder.name, folder, definition, f"compilations/{folder.name}"))
    problems, seen = [], {}
    for source in sources:
        if source.slug in RESERVED:
            problems.append(error(source.definition, 1, f"a publication cannot be named '{source.slug}': the site "
                                                        f"keeps its own files in {source.slug}/; rename the folder",
                                  code="site.reserved-name"))
        elif source.slug in seen:
            problems.append(error(source.definition, 1, f"'{source.slug}' is also the name of "
                                                        f"{seen[source.slug].definition.parent}; both would be "
                                                        f"built into the same output folder",
                                  code="site.same-name"))
        seen.setdefault(source.slug, source)
    return sources, problems


@dataclass(frozen=True)
class Built:
    """A publication's outputs, as its last successful build left them."""

    report: Path
    pdf: Path
    epub: Path
    pages: int | None
    articles: int
    compilation: dict | None = None  # a compilation's report of the articles it chose (issue 15)


def built(source: Source, out_dir: Path) -> tuple[Built | None, list[Problem]]:
    folder = out_dir / source.slug
    path = folder / "build-report.json"
    try:
        size = path.stat().st_size
        if size > MAX_REPORT:
            return None, [error(path, 1, f"the build report is {size} bytes, more than a report can be",
                                  code="site.report")]
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [error(source.definition, 1, f"{source.build_name} has not been built: no {path}",
                                      code="site.not-built")]
    except (OSError, ValueError) as exc:
        return None, [error(path, 1, f"cannot read the build report: {exc}", code="site.report")]
    artefacts = report.get("artefacts") if isinstance(report, dict) else None
    files = {}
    for kind in ("pdf", "epub"):
        name = artefacts.get(kind) if isinstance(artefacts, dict) else None
        file = folder / Path(name).name if isinstance(name, str) else None
        if file is None or not file.is_file():
            return None, [error(path, 1, f"the last build of {source.build_name} made no {kind.upper()}; "
                                         f"build both formats", code="site.not-built")]
        files[kind] = file
    pages = report.get("pages")
    articles = report.get("articles")
    chosen = report.get("compilation")
    return Built(path, files["pdf"], files["epub"], pages if isinstance(pages, int) else None,
                 articles if isinstance(articles, int) else 0, chosen if isinstance(chosen, dict) else None), []


@dataclass(frozen=True)
class Meta:
    """The keys editions and compilations share: their title, label, language and date."""

    title: str
    prelims_label: str
    language: str
    published: dt.date
    headline: str


def read_meta(source: Source) -> tuple[Meta | None, list[Problem]]:
    """The definition's shared keys; the build has validated them, so only their types are checked here."""
    located, problems = load_yaml_file(source.definition)
    if located is None:
        return None, problems
    value = located.value if isinstance(located.value, dict) else {}
    cover = value.get("cover") if isinstance(value.get("cover"), dict) else {}

    def text(mapping, key, default=""):
        found = mapping.get(key, default)
        return found.strip() if isinstance(found, str) else default

    try:
        published = dt.date.fromisoformat(text(value, "published"))
    except ValueError:
        return None, [error(source.definition, located.line_of(("published",)), "published: not a date (YYYY-MM-DD)",
                              code="site.definition")]
    title = text(value, "title")
    if not title:
        return None, [error(source.definition, 1, "missing required key 'title'", code="site.definition")]
    return Meta(title, text(value, "prelims_label"), text(value, "language", "en") or "en", published,
                text(cover, "headline")), []


@dataclass(frozen=True)
class Download:
    kind: str        # "pdf" or "epub"
    href: str        # from the site's root
    size: int
    media_type: str


@dataclass(frozen=True)
class Item:
    """One line of a publication's contents."""

    title: str
    href: str        # the article's page from the site's root, or "" when the site has none
    kicker: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Group:
    label: str
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Record:
    """One publication as the library, its page and the catalogue show it."""

    kind: str
    slug: str
    title: str
    prelims_label: str
    language: str
    published: str   # ISO date
    headline: str
    identifier: str  # the EPUB's dc:identifier
    pages: int | None
    articles: int
    downloads: tuple[Download, ...]
    cover: str       # from the site's root
    thumbnail: str
    groups: tuple[Group, ...]

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.published)

    @property
    def page(self) -> str:
        return f"{self.slug}/index.html"

    @property
    def full_title(self) -> str:
        return self.title + (f" ({self.prelims_label})" if self.prelims_label else "")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Record:
        groups = tuple(Group(g["label"], g["title"], tuple(Item(**i) for i in g["items"])) for g in data["groups"])
        return cls(**{**data, "downloads": tuple(Download(**d) for d in data["downloads"]), "groups": groups})


def newest_first(records) -> list[Record]:
    return sorted(records, key=lambda r: (r.published, r.slug), reverse=True)
