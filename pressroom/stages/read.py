"""Stage 1, read: find the edition, load brand, edition and articles, validate them.

Produces an immutable `Edition` or raises ContentError with every problem found.
Nothing here renders or writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from pressroom import limits
from pressroom.problems import ContentError, Problem, error
from pressroom.stages import files, schema
from pressroom.stages.yamlsource import load_yaml_text

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
    text: str = field(default="", compare=False, repr=False)  # the whole file as written, for the glyph check
    values: tuple[tuple[str, int], ...] = field(default=(), compare=False, repr=False)  # front-matter text, with lines
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
    texts: tuple[tuple[Path, str, tuple[tuple[str, int], ...]], ...] = field(default=(), compare=False, repr=False)
    """brand.yaml and edition.yaml (or compilation.yaml) as written, with their text values and lines."""

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
    parts = files.LINE_BREAK.split(text)
    if parts[0].strip() != "---":
        return None, 1, text, 1, [error(path, 1, "an article must start with front matter between '---' lines", code="read.front-matter")]
    for i in range(1, len(parts)):
        if parts[i] in ("---", "..."):
            return "\n".join(parts[1:i]) + "\n", 2, "\n".join(parts[i + 1:]), i + 2, []
    return None, 1, text, 1, [error(path, 1, "front matter is not closed with a '---' line", code="read.front-matter")]


def read_article(path: Path, section_id: str, slug: str, root: Path | None = None
                 ) -> tuple[ArticleSource | None, list[Problem]]:
    """One article file; `root` is the content folder it must lie in (default: the edition's parent)."""
    root = root if root is not None else path.parent.parent.parent
    written, problems = files.read_text(path, root, limits.MAX_ARTICLE_BYTES, "the article")
    if written is None:
        return None, problems
    front, front_line, body, body_line, problems = split_front_matter(files.plain_breaks(written), path)
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
                         MappingProxyType(dict(located.lines)), written, tuple(located.strings())), []


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


def _read_model(path: Path, model, root: Path):
    written, problems = files.read_text(path, root, limits.MAX_YAML_BYTES)
    if written is None:
        return None, problems, None, ""
    located, problems = load_yaml_text(files.plain_breaks(written), path)
    if located is None:
        return None, problems, None, written
    value, more = schema.validate(model, located, path)
    return (value if not problems else None), problems + more, located, written


def _sections_despite_errors(located) -> list[str]:
    sections = located.value.get("sections") if located and isinstance(located.value, dict) else None
    if not isinstance(sections, list):
        return []
    return [s["id"] for s in sections if isinstance(s, dict) and isinstance(s.get("id"), str)
            and schema.SLUG.match(s["id"])]


def _article_files(section_dir: Path, root: Path) -> tuple[list[Path], list[Problem]]:
    """The `.md` files of a section folder (hidden files left out), each a regular file inside `root`."""
    found, problems = [], []
    for name in sorted(os.listdir(section_dir)):
        if name.startswith(".") or not name.endswith(".md"):
            continue
        path = section_dir / name
        try:
            what = files.kind(path, root)
        except files.Refused as exc:
            problems.append(error(path, 1, f"{name} {exc.message}", code=exc.code))
            continue
        if what == "file":
            found.append(path)
    return found, problems


def _section_folder(section_dir: Path, root: Path) -> tuple[bool, str | None, str]:
    """(is a folder to read, why not as a problem message, its code)."""
    try:
        return files.kind(section_dir, root) == "dir", None, ""
    except files.Refused as exc:
        return False, f"section folder '{section_dir.name}' {exc.message}", exc.code


@dataclass(frozen=True)
class Scan:
    """An edition read as far as it can be: a compilation takes its good articles and reports its chosen bad ones."""

    edition: Edition | None          # every article that read cleanly; None when edition.yaml or brand.yaml did not
    problems: tuple[Problem, ...]


def read_edition(folder: Path, without: frozenset[str] = frozenset()) -> Edition:
    """Read and validate one edition; raises ContentError with every problem found.
    `without`: listed sections to leave out (a draft's empty sections)."""
    scan = scan_edition(folder, without)
    if scan.problems or scan.edition is None:
        raise ContentError(scan.problems)
    return scan.edition


def file_texts(path: Path, located, root: Path) -> tuple[Path, str, tuple[tuple[str, int], ...]]:
    """A YAML file as written (for the glyph check of what its comments hold) and its values as read."""
    written, _ = files.read_text(path, root, limits.MAX_YAML_BYTES)
    return path, written or "", tuple(located.strings()) if located is not None else ()


def scan_edition(folder: Path, without: frozenset[str] = frozenset()) -> Scan:
    """An edition with every article that reads cleanly, and the problems of the others."""
    folder = Path(os.path.abspath(folder))
    without = frozenset(without)
    content_root = folder.parent
    problems: list[Problem] = []
    brand_path, edition_path = content_root / "brand.yaml", folder / "edition.yaml"
    try:
        files.real_inside(folder, content_root)
    except files.Refused as exc:
        return Scan(None, (error(edition_path, 1, f"the edition folder {exc.message}", code=exc.code),))
    brand, more, brand_located, brand_text = _read_model(brand_path, schema.Brand, content_root)
    problems += more
    meta, more, located, edition_text = _read_model(edition_path, schema.EditionMeta, content_root)
    problems += more
    if meta is None:
        # Still read the articles of every well-formed section, so one bad date does not hide their errors.
        for section in _sections_despite_errors(located):
            section_dir = folder / section
            if _section_folder(section_dir, content_root)[0]:
                paths, more = _article_files(section_dir, content_root)
                problems += more
                for path in paths:
                    match = ARTICLE_NAME.match(path.name)
                    if match:
                        problems += read_article(path, section, match["slug"], content_root)[1]
        return Scan(None, tuple(problems))
    sources = [brand_path, edition_path]

    listed = {s.id for s in meta.sections}
    if listed <= without:  # a draft of nothing: read it whole, and say that every section is empty
        without = frozenset()
    for entry in sorted(os.listdir(folder)):
        entry_path = folder / entry
        if (not entry.startswith(".") and entry != ASSET_FOLDER and entry not in listed
                and os.path.isdir(entry_path)):
            problems.append(error(edition_path, located.line_of(("sections",)),
                                  f"section folder '{entry}' is not listed in sections; list it in sections or "
                                  "delete the folder", code="read.unlisted-section"))

    sections: list[SectionSource] = []
    seen_ids: dict[str, int] = {}
    seen_slugs: dict[str, Path] = {}
    for index, section in enumerate(meta.sections):
        line = located.line_of(("sections", index))
        if section.id in seen_ids:
            problems.append(error(edition_path, line, f"section '{section.id}' is listed twice", code="read.section-twice"))
            continue
        seen_ids[section.id] = line
        if section.id in without:
            continue
        section_dir = folder / section.id
        articles: list[ArticleSource] = []
        has_folder, refused, code = _section_folder(section_dir, content_root)
        if refused:
            problems.append(error(edition_path, line, refused, code=code))
            continue
        paths, more = _article_files(section_dir, content_root) if has_folder else ([], [])
        problems += more
        for path in paths:
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
            article, more = read_article(path, section.id, slug, content_root)
            problems += more
            if article:
                articles.append(article)
        if not paths and not more:
            problems.append(error(edition_path, line, f"section '{section.id}' " + (
                "has no articles" if has_folder else f"has no folder {section.id}/"),
                code="read.empty-section" if has_folder else "read.no-section-folder", subject=section.id))
        sections.append(SectionSource(section, tuple(articles)))

    problems += duplicate_questions(a for s in sections for a in s.articles)
    if brand is None:
        return Scan(None, tuple(problems))
    if without:
        meta = meta.model_copy(update={"sections": [s for s in meta.sections if s.id not in without]})
    texts = ((brand_path, brand_text, tuple(brand_located.strings())),
             (edition_path, edition_text, tuple(located.strings())))
    return Scan(Edition(folder.name, folder, content_root, brand, meta, tuple(sections), tuple(sources),
                        meta_lines=MappingProxyType(dict(located.lines)),
                        brand_lines=MappingProxyType(dict(brand_located.lines)), texts=texts), tuple(problems))
