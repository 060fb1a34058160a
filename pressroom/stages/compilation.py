"""Stage 1 for a compilation: read compilation.yaml, choose the editions and articles, group them.

A compilation is a book of articles gathered from the monthly editions under
content/ (`content/compilations/<slug>/compilation.yaml`).  Articles are read
from their editions with stages/read.py, never copied: an edit to an article
reaches every compilation that contains it.  The result is an `Edition` whose
sections are the groups the contents show (`group_by`), whose articles carry
their `Origin` (edition, section, month label) and a unique anchor, and whose
`book` says what it was made from; the rest of the pipeline renders it as it
renders an edition.  Nothing here renders or writes.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections import Counter
from pathlib import Path
from types import MappingProxyType

from pressroom.problems import ContentError, Problem, UsageError, did_you_mean, error, warning
from pressroom.stages import editions as editions_
from pressroom.stages import read, schema
from pressroom.stages.compilation_schema import CompilationMeta
from pressroom.stages.compose import load_strings
from pressroom.stages.markup import slugify
from pressroom.stages.practice import sort_key
from pressroom.stages.yamlsource import load_yaml_file

COMPILATIONS = "compilations"     # the folder under content/ that holds them
DEFINITION = "compilation.yaml"
MAX_DEFINITION_BYTES = 256_000    # a definition is a few dozen lines; anything larger is a mistake or an attack


def find_compilations(content_root: Path) -> list[Path]:
    return sorted(p.parent for p in (content_root / COMPILATIONS).glob(f"*/{DEFINITION}"))


def is_compilation(folder: Path) -> bool:
    return (folder / DEFINITION).is_file()


def resolve(name: str | None, content_root: Path) -> Path:
    """What to build, as named on the command line: an edition (see editions.resolve_edition), or a compilation
    by its folder, by `compilations/<slug>` under the content folder, or by its bare slug."""
    if name is not None:
        as_path = Path(name)
        if is_compilation(as_path):
            return as_path.resolve()
        relative = not as_path.is_absolute() and ".." not in as_path.parts
        if relative and is_compilation(content_root / as_path):
            return (content_root / as_path).resolve()
        if relative and "/" not in name and not (content_root / name / "edition.yaml").is_file() \
                and is_compilation(content_root / COMPILATIONS / name):
            return (content_root / COMPILATIONS / name).resolve()
        if as_path.parts[:1] == (COMPILATIONS,) or as_path.parent.name == COMPILATIONS:
            names = [f"{COMPILATIONS}/{p.name}" for p in find_compilations(content_root)]
            raise UsageError(f"no compilation '{name}' under {content_root}/{did_you_mean(name, names)}")
    return editions_.resolve_edition(name, content_root)


# --------------------------------------------------------------------------- reading

def _load(path: Path, model, problems: list[Problem]):
    """(value, located) of a YAML file validated against `model`; (None, None) with problems when it is not."""
    try:
        info = os.lstat(path)
    except OSError:
        problems.append(error(path, 1, f"{path.name} not found", code="read.missing-file"))
        return None, None
    if not stat.S_ISREG(info.st_mode):
        problems.append(error(path, 1, f"{path.name} is not a regular file", code="read.missing-file"))
        return None, None
    if info.st_size > MAX_DEFINITION_BYTES:
        problems.append(error(path, 1, f"{path.name} is {info.st_size:,} bytes; a definition is at most "
                                       f"{MAX_DEFINITION_BYTES:,}", code="compilation.too-large"))
        return None, None
    located, more = load_yaml_file(path)
    problems += more
    if located is None:
        return None, None
    value, more = schema.validate(model, located, path)
    problems += more
    return value, located


def _language(tag: str) -> str:
    return tag.split("-")[0].lower()


def _peek(folder: Path) -> tuple[str, str]:
    """(published, language) as edition.yaml writes them, without reading the articles."""
    located, _ = load_yaml_file(folder / "edition.yaml")
    raw = located.value if located is not None and isinstance(located.value, dict) else {}
    return str(raw.get("published") or ""), str(raw.get("language") or "en")


def _choose_editions(meta: CompilationMeta, located, definition: Path, content_root: Path,
                     problems: list[Problem]) -> list[tuple[Path, int]]:
    """The edition folders the selection names, each with the line of compilation.yaml that chose it."""
    available = {p.name: p for p in editions_.find_editions(content_root)}
    select = meta.select
    if select.editions:
        chosen, seen = [], set()
        for index, slug in enumerate(select.editions):
            line = located.line_of(("select", "editions", index))
            if slug not in available:
                problems.append(error(definition, line, f"no edition '{slug}' under {content_root.name}/"
                                                        f"{did_you_mean(slug, available)}", code="compilation.unknown-edition"))
            elif slug in seen:
                problems.append(error(definition, line, f"edition '{slug}' is listed twice, so each of its articles "
                                                        "would be picked twice", code="compilation.picked-twice"))
            else:
                seen.add(slug)
                chosen.append((available[slug], line))
        return chosen
    low, high = select.from_ or "0000-00", select.to or "9999-99"
    line = located.line_of(("select", "from") if select.from_ else ("select", "to"))
    chosen, other_language = [], []
    for slug, folder in sorted(available.items()):
        published, language = _peek(folder)
        if low <= published[:7] <= high:
            if _language(language) == _language(meta.language):
                chosen.append((folder, line))
            else:
                other_language.append(f"{slug} is in '{language}'")
    if not chosen:
        span = " ".join(f"{k} {v}" for k, v in (("from", select.from_), ("to", select.to)) if v)
        also = f" ({'; '.join(other_language)})" if other_language else ""
        problems.append(error(definition, line, f"select: {span} matches no edition in '{meta.language}' by its "
                                                f"published month{also}", code="compilation.no-edition"))
    return chosen


def _ids(edition: str, section: str, path: Path) -> set[str]:
    """The names an `exclude` entry may use for an article: EDITION/SECTION/NN-slug or EDITION/SECTION/slug."""
    match = read.ARTICLE_NAME.match(path.name)
    ids = {f"{edition}/{section}/{path.stem}"}
    if match:
        ids.add(f"{edition}/{section}/{match['slug']}")
    return ids


def _normal_exclude(entry: str) -> str:
    return entry.strip().strip("/").removesuffix(".md")


def _matches(article: read.ArticleSource, tags: set[str], topics: set[str]) -> bool:
    if tags and not any(t.casefold() in tags for t in article.meta.tags):
        return False
    return not topics or article.meta.topic.strip().casefold() in topics


def read_compilation(folder: Path) -> read.Edition:
    """The compilation as an Edition; raises ContentError with every problem (and warning) found."""
    folder = folder.resolve()
    content_root = folder.parent.parent
    definition = folder / DEFINITION
    problems: list[Problem] = []
    brand, brand_located = _load(content_root / "brand.yaml", schema.Brand, problems)
    meta, located = _load(definition, CompilationMeta, problems)
    if meta is None or brand is None or problems:
        raise ContentError(problems)
    if not schema.SLUG.match(folder.name):
        problems.append(error(definition, 1, f"the folder name '{folder.name}' must be lowercase letters, digits and "
                                             "'-' (it names the output files)", code="compilation.slug"))
    if (content_root / folder.name / "edition.yaml").is_file():
        problems.append(error(definition, 1, f"the compilation '{folder.name}' has the name of an edition; both would "
                                             f"be written to {folder.name}/ in the output folder: rename the "
                                             "compilation's folder", code="compilation.slug"))
    editions: list[tuple[read.Scan, int]] = []
    for edition_dir, line in _choose_editions(meta, located, definition, content_root, problems):
        scan = read.scan_edition(edition_dir)
        if scan.edition is None:  # its edition.yaml is broken: nothing can be chosen from it
            problems += [p for p in scan.problems if not p.path.endswith("brand.yaml")]
            continue
        language = scan.edition.meta.language
        if _language(language) != _language(meta.language):
            problems.append(error(definition, line, f"edition '{edition_dir.name}' is in '{language}' and this "
                                                    f"compilation in '{meta.language}': a compilation draws only on "
                                                    "editions of its own language", code="compilation.language"))
            continue
        editions.append((scan, line))
    editions.sort(key=lambda e: (e[0].edition.meta.published, e[0].edition.slug))
    picked = _select(meta, located, definition, editions, problems)
    if not picked and editions:
        problems.append(error(definition, located.line_of(("select",)), "select matches no article of "
                                                                         f"{', '.join(s.edition.slug for s, _ in editions)}",
                              code="compilation.no-article"))
    if any(p.severity == "error" for p in problems):
        raise ContentError(dict.fromkeys(problems))
    return _book(folder, definition, content_root, brand, brand_located, meta, located, editions, picked,
                 tuple(dict.fromkeys(problems)))


# --------------------------------------------------------------------------- selecting

@dataclasses.dataclass(frozen=True)
class _Pick:
    edition: read.Edition
    section: schema.Section
    article: read.ArticleSource
    line: int  # the line of compilation.yaml that chose its edition


def _select(meta: CompilationMeta, located, definition: Path, editions, problems: list[Problem]) -> list[_Pick]:
    select = meta.select
    known = {s.id for scan, _ in editions for s in scan.edition.meta.sections}
    for index, section in enumerate(select.sections):
        if editions and section not in known:
            problems.append(error(definition, located.line_of(("select", "sections", index)),
                                  f"no chosen edition has a section '{section}'{did_you_mean(section, known)}; "
                                  f"they have {', '.join(sorted(known))}", code="compilation.unknown-section"))
    tags = {t.casefold() for t in select.tags}
    topics = {t.casefold() for t in select.topics}
    excludes = [_normal_exclude(e) for e in select.exclude]
    existing: set[str] = set()
    excluded_picks: set[int] = set()
    picked: list[_Pick] = []
    for scan, line in editions:
        edition = scan.edition
        wanted = [s for s in edition.meta.sections if not select.sections or s.id in select.sections]
        readable = {os.path.realpath(a.path) for a in edition.articles}
        for section in edition.meta.sections:
            for path in sorted((edition.folder / section.id).glob("*.md")):
                ids = _ids(edition.slug, section.id, path)
                existing |= ids
                if section in wanted and os.path.realpath(path) not in readable:
                    # Unreadable, so its tags are unknown: excluding it is what keeps its errors out.
                    excluded_picks |= {i for i, e in enumerate(excludes) if e in ids}
        chosen_paths: set[str] = set()
        for source in edition.sections:
            if source.section not in wanted:
                continue
            for article in source.articles:
                if not _matches(article, tags, topics):
                    continue
                hits = {i for i, e in enumerate(excludes) if e in _ids(edition.slug, source.section.id, article.path)}
                if hits:
                    excluded_picks |= hits
                    continue
                picked.append(_Pick(edition, source.section, article, line))
                chosen_paths.add(os.path.realpath(article.path))
        problems += _own_problems(scan, wanted, chosen_paths, excludes)
    for index, entry in enumerate(excludes):
        where = located.line_of(("select", "exclude", index))
        if entry not in existing:
            problems.append(warning(definition, where, f"exclude: '{entry}' names no article of the chosen editions"
                                                       f"{did_you_mean(entry, existing)}", code="compilation.exclude-unmatched"))
        elif index not in excluded_picks:
            problems.append(warning(definition, where, f"exclude: '{entry}' is not selected anyway (by its section, "
                                                       "tags or topic)", code="compilation.exclude-unmatched"))
    return _once_each(picked, definition, problems)


def _own_problems(scan: read.Scan, wanted, chosen_paths: set[str], excludes: list[str]) -> list[Problem]:
    """The edition's problems that are the chosen articles' own: those of an article picked, and of an article
    in a section the selection takes that could not be read at all (its tags cannot be known)."""
    edition = scan.edition
    readable = {os.path.realpath(a.path) for a in edition.articles}
    folders = {os.path.realpath(edition.folder / s.id): s.id for s in wanted}
    out = []
    for problem in scan.problems:
        where = os.path.realpath(problem.path)
        if where in readable:
            if where in chosen_paths:
                out.append(problem)
            continue
        section = folders.get(os.path.dirname(where))
        if section is not None and where.endswith(".md") \
                and not _ids(edition.slug, section, Path(where)) & set(excludes):
            out.append(problem)
    return out


def _once_each(picked: list[_Pick], definition: Path, problems: list[Problem]) -> list[_Pick]:
    """The same article twice (one file reached twice, or the same slug and title in two editions) is an error."""
    seen: dict[tuple, _Pick] = {}
    out = []
    for pick in picked:
        keys = [("file", os.path.realpath(pick.article.path)),
                ("copy", pick.article.slug, " ".join(pick.article.meta.title.casefold().split()))]
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            name = _name(pick)
            problems.append(error(definition, pick.line, f"'{pick.article.meta.title}' is picked twice: {_name(first)} "
                                                         f"and {name}; leave one out with `exclude: [{name}]`",
                                  code="compilation.picked-twice"))
            continue
        for key in keys:
            seen[key] = pick
        out.append(pick)
    return out


def _name(pick: _Pick) -> str:
    return f"{pick.edition.slug}/{pick.section.id}/{pick.article.path.stem}"


# --------------------------------------------------------------------------- grouping

def _groups(meta: CompilationMeta, picked: list[_Pick], strings: dict) -> list[tuple[schema.Section, list, str]]:
    """(group section, its picks in order, what the contents print beside each title) in book order."""
    if meta.group_by == "month":
        groups: dict[str, tuple] = {}
        for pick in picked:  # already in edition order, then section order, then file order
            title = pick.edition.meta.title
            groups.setdefault(pick.edition.slug, (schema.Section(
                id=pick.edition.slug, label=title, title=strings["group_month"].replace("{edition}", title)), []))[1].append(pick)
        return [(section, picks, "section") for section, picks in groups.values()]
    if meta.group_by == "topic":
        by_topic: dict[str, tuple[str, list]] = {}
        for pick in picked:
            topic = pick.article.meta.topic.strip()
            by_topic.setdefault(topic.casefold(), (topic, []))[1].append(pick)
        keys = sorted((k for k in by_topic if k), key=lambda k: sort_key(by_topic[k][0])) + ([""] if "" in by_topic else [])
        out, ids = [], set()
        for number, key in enumerate(keys, 1):
            shown, picks = by_topic[key]
            ident = f"topic-{slugify(shown) or number}"
            while ident in ids:
                ident += f"-{number}"
            ids.add(ident)
            out.append((schema.Section(id=ident, label=strings["group_topic"], title=shown or strings["no_topic"]),
                        picks, "month"))
        return out
    by_section: dict[str, tuple[schema.Section, list]] = {}
    for pick in picked:  # a section keeps its label and title from the first edition that has it
        by_section.setdefault(pick.section.id, (pick.section, []))[1].append(pick)
    return [(section, picks, "month") for section, picks in by_section.values()]


def _anchors(picked: list[_Pick]) -> dict[int, str]:
    """A slug per pick, unique in the book: the article's own, or prefixed by its edition where two share one."""
    counts = Counter(p.article.slug for p in picked)
    taken: set[str] = set()
    out = {}
    for index, pick in enumerate(picked):
        slug = pick.article.slug if counts[pick.article.slug] == 1 else f"{pick.edition.slug}-{pick.article.slug}"
        while slug in taken:
            slug += "-x"
        taken.add(slug)
        out[index] = slug
    return out


def _book(folder, definition, content_root, brand, brand_located, meta: CompilationMeta, located, editions,
          picked: list[_Pick], warnings: tuple[Problem, ...]) -> read.Edition:
    strings = load_strings(meta.language)
    anchors = _anchors(picked)
    index_of = {id(p): i for i, p in enumerate(picked)}
    sections = []
    for section, picks, note in _groups(meta, picked, strings):
        articles = []
        for pick in picks:
            origin = read.Origin(pick.edition.slug, pick.edition.meta.title, pick.section,
                                 pick.article.path.relative_to(pick.edition.folder).as_posix(),
                                 pick.edition.meta.title if note == "month" else pick.section.label)
            articles.append(dataclasses.replace(pick.article, slug=anchors[index_of[id(pick)]], origin=origin))
        sections.append(read.SectionSource(section, tuple(articles)))
    edition_meta = schema.EditionMeta(
        title=meta.title, prelims_label=meta.prelims_label, language=meta.language, published=meta.published,
        sections=[s.section for s in sections], cover=meta.cover, foreword=meta.foreword, practice=meta.practice,
        epub_budget_mb=meta.epub_budget_mb, answers=meta.answers)
    chosen = {Path(os.path.realpath(p.article.path)) for p in picked}
    outside = frozenset(Path(os.path.realpath(path)) for scan, _ in editions for s in scan.edition.meta.sections
                        for path in (scan.edition.folder / s.id).glob("*.md")) - chosen
    sources = [content_root / "brand.yaml", definition]
    sources += [scan.edition.folder / "edition.yaml" for scan, _ in editions]
    sources += [p.article.path for p in picked]
    book = read.Book(definition, meta.group_by, tuple((s.edition.slug, s.edition.meta.title) for s, _ in editions),
                     outside, warnings)
    # brand.yaml and compilation.yaml as written and as read, for the glyph and control-character check.
    texts = (read.file_texts(content_root / "brand.yaml", brand_located, content_root),
             read.file_texts(definition, located, content_root))
    return read.Edition(folder.name, folder, content_root, brand, edition_meta, tuple(sections), tuple(sources),
                        MappingProxyType(dict(located.lines)), MappingProxyType(dict(brand_located.lines)), book,
                        texts)
