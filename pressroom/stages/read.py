"""Stage 1, read: find the edition, load brand, edition and articles, validate them.

Produces an immutable `Edition` or raises ContentError with every problem found.
Nothing here renders or writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from pressroom.problems import ContentError, Problem, UsageError, did_you_mean, error
from pressroom.stages import schema
from pressroom.stages.yamlsource import load_yaml_file, load_yaml_text

ARTICLE_NAME = re.compile(r"^(?P<num>\d{2,3})-(?P<slug>[a-z0-9][a-z0-9-]*)\.md$")
ASSET_FOLDER = "images"  # an edition- or section-level folder that is not a section


@dataclass(frozen=True)
class Origin:
    """Where an article of a compilation comes from: it is read from its edition, never copied."""

    edition: str                # the source edition's slug
    edition_title: str          # e.g. "April 2020": the provenance line and the month label
    section: schema.Section     # its section in that edition: its kicker
    file: str                   # its path inside the edition, e.g. "gs2/03-electoral-bonds.md"
    note: str = ""              # printed beside its title in the contents (the month, or the section)


@dataclass(frozen=True)
class ArticleSource:
    path: Path
    section_id: str
    slug: str
    meta: schema.ArticleMeta
    body: str
    body_line: int  # file line of the body's first line
    question_lines: tuple[int, ...] = ()  # file line of each prelims question's stem
    front_lines: Mapping[tuple, int] = field(default_factory=dict, compare=False)  # file line of each front-matter key path
    origin: Origin | None = None  # set in a compilation only

    def line_of(self, *keys) -> int:
        """File line of a front-matter key (or its nearest parent); the opening '---' when it is absent."""
        return _line_of(self.front_lines, keys, absent=1)


@dataclass(frozen=True)
class SectionSource:
    section: schema.Section
    articles: tuple[ArticleSource, ...]


@dataclass(frozen=True)
class Book:
    """What makes an `Edition` a compilation: its definition file and what it was drawn from."""

    definition: Path                        # compilation.yaml
    group_by: str                           # "section", "month" or "topic"
    editions: tuple[tuple[str, str], ...]   # (slug, title) of each source edition, in order
    outside: frozenset[Path] = frozenset()  # the source editions' articles left out: links to them keep their text
    warnings: tuple[Problem, ...] = ()      # found while choosing (an `exclude` entry that matches nothing)


@dataclass(frozen=True)
class Edition:
    slug: str
    folder: Path
    content_root: Path  # the folder holding brand.yaml; nothing outside it is read
    brand: schema.Brand
    meta: schema.EditionMeta
    sections: tuple[SectionSource, ...]
    source_files: tuple[Path, ...]  # every file read, for cache keys and watching
    meta_lines: Mapping[tuple, int] = field(default_factory=dict, compare=False)   # edition.yaml: line of each key path
    brand_lines: Mapping[tuple, int] = field(default_factory=dict, compare=False)  # brand.yaml: line of each key path
    book: Book | None = None  # a compilation (content/compilations/<slug>/) rather than a monthly edition

    @property
    def definition(self) -> Path:
        """The file that defines it: edition.yaml, or a compilation's compilation.yaml."""
        return self.book.definition if self.book is not None else self.folder / "edition.yaml"

    def line_of(self, *keys) -> int:
        """The line in edition.yaml of a key path such as ("cover", "image"), or of its nearest parent."""
        return _line_of(self.meta_lines, keys)

    def brand_line_of(self, *keys) -> int:
        return _line_of(self.brand_lines, keys)

    @property
    def articles(self) -> tuple[ArticleSource, ...]:
        return tuple(a for s in self.sections for a in s.articles)


def _line_of(lines: Mapping[tuple, int], keys: tuple, absent: int | None = None) -> int:
    while keys:
        if keys in lines:
            return lines[keys]
        keys = keys[:-1]
    return absent if absent is not None else lines.get((), 1)


def split_front_matter(text: str, path: Path) -> tuple[str | None, int, str, int, list[Problem]]:
    """Return (yaml, yaml_first_line, body, body_first_line, problems)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, 1, text, 1, [error(path, 1, "an article must start with front matter between '---' lines", code="read.front-matter")]
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return "".join(lines[1:i]), 2, "".join(lines[i + 1:]), i + 2, []
    return None, 1, text, 1, [error(path, 1, "front matter is not closed with a '---' line", code="read.front-matter")]


def read_article(path: Path, section_id: str, slug: str) -> tuple[ArticleSource | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [error(path, 1, f"not UTF-8 text: {exc.reason}", code="read.encoding")]
    text = text.removeprefix("\ufeff")
    front, front_line, body, body_line, problems = split_front_matter(text, path)
    if front is None:
        return None, problems
    located, problems = load_yaml_text(front, path, first_line=front_line)
    if located is None:
        return None, problems
    meta, more = schema.validate(schema.ArticleMeta, located, path)
    problems += more
    if meta is None or problems:
        return None, problems
    lines = tuple(located.line_of(("questions", "prelims", i, "q")) for i in range(len(meta.questions.prelims)))
    return ArticleSource(path, section_id, slug, meta, body, body_line, lines,
                         MappingProxyType(dict(located.lines))), []


def _question_key(stem: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", stem.casefold()).split())


def duplicate_questions(articles) -> list[Problem]:
    """The same prelims question twice in one edition is an error at the second one."""
    seen: dict[str, tuple[Path, int]] = {}
    problems = []
    for article in articles:
        for question, line in zip(article.meta.questions.prelims, article.question_lines):
            key = _question_key(" ".join([question.q, *question.statements, question.ask]))
            if key in seen:
                first, first_line = seen[key]
                problems.append(error(article.path, line, f"duplicate prelims question (also at "
                                                          f"{first.parent.name}/{first.name}:{first_line})", code="read.duplicate-question"))
            else:
                seen[key] = (article.path, line)
    return problems


def _read_model(path: Path, model):
    if not path.is_file():
        return None, [error(path, 1, f"{path.name} not found", code="read.missing-file")]
    located, problems = load_yaml_file(path)
    if located is None:
        return None, problems
    value, more = schema.validate(model, located, path)
    return (value if not problems else None), problems + more, located


def _sections_despite_errors(located) -> list[str]:
    sections = located.value.get("sections") if located and isinstance(located.value, dict) else None
    if not isinstance(sections, list):
        return []
    return [s["id"] for s in sections if isinstance(s, dict) and isinstance(s.get("id"), str)
            and schema.SLUG.match(s["id"])]


@dataclass(frozen=True)
class Scan:
    """An edition read as far as it can be: a compilation takes its good articles and reports its chosen bad ones."""

    edition: Edition | None          # every article that read cleanly; None when edition.yaml or brand.yaml did not
    problems: tuple[Problem, ...]


def read_edition(folder: Path) -> Edition:
    scan = scan_edition(folder)
    if scan.problems or scan.edition is None:
        raise ContentError(scan.problems)
    return scan.edition


def scan_edition(folder: Path) -> Scan:
    folder = folder.resolve()
    content_root = folder.parent
    problems: list[Problem] = []
    brand_path, edition_path = content_root / "brand.yaml", folder / "edition.yaml"
    brand, more, *brand_rest = _read_model(brand_path, schema.Brand)
    problems += more
    meta, more, *rest = _read_model(edition_path, schema.EditionMeta)
    problems += more
    if meta is None:
        # Still read the articles of every well-formed section, so one bad date does not hide their errors.
        for section in _sections_despite_errors(rest[0] if rest else None):
            for path in sorted((folder / section).glob("*.md")):
                match = ARTICLE_NAME.match(path.name)
                if match:
                    problems += read_article(path, section, match["slug"])[1]
        return Scan(None, tuple(problems))
    located = rest[0]
    sources = [brand_path, edition_path]

    listed = {s.id for s in meta.sections}
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and not entry.name.startswith(".") and entry.name != ASSET_FOLDER and entry.name not in listed:
            problems.append(error(edition_path, located.line_of(("sections",)),
                                  f"section folder '{entry.name}' is not listed in sections"
                                  f"{did_you_mean(entry.name, listed)}", code="read.unlisted-section"))

    sections: list[SectionSource] = []
    seen_ids: dict[str, int] = {}
    seen_slugs: dict[str, Path] = {}
    for index, section in enumerate(meta.sections):
        line = located.line_of(("sections", index))
        if section.id in seen_ids:
            problems.append(error(edition_path, line, f"section '{section.id}' is listed twice", code="read.section-twice"))
            continue
        seen_ids[section.id] = line
        section_dir = folder / section.id
        articles: list[ArticleSource] = []
        files = sorted(section_dir.glob("*.md")) if section_dir.is_dir() else []
        for path in files:
            match = ARTICLE_NAME.match(path.name)
            if not match:
                problems.append(error(path, 1, f"article file name '{path.name}' must look like NN-slug.md "
                                                "(two digits, a dash, lowercase words joined by dashes)", code="read.file-name"))
                continue
            slug = match["slug"]
            if slug in seen_slugs:
                other = seen_slugs[slug]
                problems.append(error(path, 1, f"duplicate article slug '{slug}' (also {other.parent.name}/{other.name})", code="read.duplicate-slug"))
                continue
            seen_slugs[slug] = path
            sources.append(path)
            article, more = read_article(path, section.id, slug)
            problems += more
            if article:
                articles.append(article)
        if not files:
            has_folder = section_dir.is_dir()
            problems.append(error(edition_path, line, f"section '{section.id}' " + (
                "has no articles" if has_folder else f"has no folder {section.id}/"),
                code="read.empty-section" if has_folder else "read.no-section-folder", subject=section.id))
        sections.append(SectionSource(section, tuple(articles)))

    problems += duplicate_questions(a for s in sections for a in s.articles)
    if brand is None:
        return Scan(None, tuple(problems))
    return Scan(Edition(folder.name, folder, content_root, brand, meta, tuple(sections), tuple(sources),
                        MappingProxyType(dict(located.lines)), MappingProxyType(dict(brand_rest[0].lines))),
                tuple(problems))


def find_editions(content_root: Path) -> list[Path]:
    return sorted(p.parent for p in content_root.glob("*/edition.yaml"))


def newest_edition(content_root: Path) -> Path:
    """The edition with the latest `published` date; its yaml is read only for that date."""
    best: tuple[str, str] | None = None
    chosen = None
    for folder in find_editions(content_root):
        located, _ = load_yaml_file(folder / "edition.yaml")
        published = located.value.get("published") if located and isinstance(located.value, dict) else None
        key = (str(published or ""), folder.name)
        if best is None or key > best:
            best, chosen = key, folder
    if chosen is None:
        raise UsageError(f"no edition found under {content_root}/ (expected {content_root}/<slug>/edition.yaml)")
    return chosen


def resolve_edition(name: str | None, content_root: Path) -> Path:
    """EDITION on the command line: a slug under content/, or a path to an edition folder."""
    if name is None:
        return newest_edition(content_root)
    as_path = Path(name)
    if (as_path / "edition.yaml").is_file():
        return as_path.resolve()
    if "/" not in name and (content_root / name / "edition.yaml").is_file():
        return (content_root / name).resolve()
    slugs = [p.name for p in find_editions(content_root)]
    if as_path.is_dir():
        raise UsageError(f"{name} has no edition.yaml")
    raise UsageError(f"no edition '{name}' under {content_root}/{did_you_mean(name, slugs)}")
