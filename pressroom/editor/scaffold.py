"""Start a new article (`new`) or next month's edition (`new-edition`).

Both write only new files and refuse to overwrite anything, so they are safe to
run on a folder full of work. Exit codes: 0 created, 1 refused (nothing written),
2 usage errors such as an unknown section.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from pressroom.command import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, print_choice_problems
from pressroom.problems import ContentError, UsageError, did_you_mean, display_path
from pressroom.stages import editions, houserules, months, schema
from pressroom.stages import read as reader
from pressroom.stages.markup import slugify
from pressroom.stages.yamlsource import load_yaml_file

MAX_SLUG = 50
HELP = {
    "new": "Create the next numbered article in a section, with its front matter and headings filled in.",
    "new-edition": "Start a new edition: its edition.yaml and empty section folders, copied from the previous one.",
}


class Refused(Exception):
    """Writing would overwrite or clash with existing content (exit 1)."""


@dataclass(frozen=True)
class NewArticle:
    path: Path
    text: str


@dataclass(frozen=True)
class NewEdition:
    folder: Path
    source: Path
    yaml: str
    sections: tuple[str, ...]
    title: str
    published: dt.date
    prelims_label: str


def _command(parser) -> str:
    return "new-edition" if parser.prog.endswith("new-edition") else "new"


def add_arguments(parser) -> None:
    command = _command(parser)
    parser.description = HELP[command]
    parser.set_defaults(scaffold_command=command)
    if command == "new":
        parser.add_argument("section", help="the section id, e.g. gs2 (as listed in edition.yaml)")
        parser.add_argument("title", help='the article title, in quotes: "Electoral bonds and party funding"')
        parser.add_argument("--edition", help="edition slug or folder (default: the newest edition)")
        parser.add_argument("--slug", help="the file name's words (default: made from the title)")
        parser.add_argument("--number", type=int, help="the file's number (default: one after the last)")
    else:
        parser.add_argument("title", help='the edition title, in quotes: "April 2020"')
        parser.add_argument("--from", dest="source", metavar="SLUG",
                            help="copy the sections of this edition (default: the newest edition)")
        parser.add_argument("--slug", help="the new folder name (default: from the title, e.g. 2020-04-april)")
        parser.add_argument("--published", metavar="YYYY-MM-DD",
                            help="publication date (default: the first day of the title's last month)")
        parser.add_argument("--prelims-label", metavar="LABEL",
                            help="the prelims badge (default: the previous one with this month, e.g. Apr-PT 2020)")
        parser.add_argument("--force", action="store_true",
                            help="start it even when an edition of that month in that language already exists")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")


def run(args) -> int:
    from pressroom.paths import default_content_root

    content_root = args.content or default_content_root()
    prog = f"build.py {args.scaffold_command}"
    try:
        if args.scaffold_command == "new":
            article = plan_article(content_root, args.section, args.title, args.edition, args.slug, args.number)
            write_article(article)
            print(f"created {display_path(article.path)}")
            print("next: write the article, then run `build.py check` (or `build.py watch` to see it laid out)")
        else:
            edition = plan_edition(content_root, args.title, args.source, args.slug, args.published,
                                   args.prelims_label, args.force)
            write_edition(edition)
            print(f"created {display_path(edition.folder / 'edition.yaml')} (sections copied from "
                  f"{edition.source.name})")
            print(f"  title: {edition.title}; published: {edition.published.isoformat()}; "
                  f"prelims label: {edition.prelims_label}")
            print(f"  empty section folders: {', '.join(edition.sections)}")
            print(f'next: add an article with `build.py new {edition.sections[0]} "Title"`')
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:  # the newest edition cannot be told: writing into a guess would be worse
        return print_choice_problems(exc, prog)
    except Refused as exc:
        print(f"{prog}: {exc}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


# --------------------------------------------------------------------------- new

def quoted(text: str) -> str:
    """A YAML double-quoted scalar; JSON's escaping is valid YAML and keeps Devanagari readable."""
    return json.dumps(text, ensure_ascii=False)


def article_slug(title: str, number: str) -> str:
    """ASCII words of the title, cut at a word boundary; titles with no Latin letters get `article-NN`."""
    slug = slugify(title)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG + 1].rsplit("-", 1)[0]
    return slug or f"article-{number}"


def _edition_yaml(edition_dir: Path) -> dict:
    located, problems = load_yaml_file(edition_dir / "edition.yaml", edition_dir.parent)
    if located is None or not isinstance(located.value, dict):
        raise UsageError(f"{display_path(edition_dir / 'edition.yaml')} cannot be read: "
                                f"{problems[0].message if problems else 'not a mapping'}")
    return located.value


def _house_rules(content_root: Path) -> schema.HouseRules:
    located, problems = load_yaml_file(content_root / "brand.yaml", content_root)
    if located is None or problems:
        return schema.HouseRules()
    brand, _ = schema.validate(schema.Brand, located, content_root / "brand.yaml")
    return brand.house_rules if brand else schema.HouseRules()


def _section_ids(raw: dict) -> list[str]:
    sections = raw.get("sections")
    return [s["id"] for s in sections if isinstance(s, dict) and isinstance(s.get("id"), str)] \
        if isinstance(sections, list) else []


def skeleton(title: str, rules: schema.HouseRules, language: str) -> str:
    head = f'---\ntitle: {quoted(title)}\ntopic: ""\ntags: []\nsummary: ""\n---\n'
    body = "".join(f"\n## {houserules.skeleton_heading(entry, language)}\n" for entry in rules.required_headings)
    return head + (body or "\n")


def plan_article(content_root: Path, section: str, title: str, edition: str | None = None,
                 slug: str | None = None, number: int | None = None) -> NewArticle:
    edition_dir = editions.resolve_edition(edition, content_root)
    raw = _edition_yaml(edition_dir)
    ids = _section_ids(raw)
    if section not in ids:
        raise UsageError(f"no section '{section}' in {edition_dir.name}{did_you_mean(section, ids)}; "
                                f"its sections are {', '.join(ids) or 'none'}")
    if not title.strip() or "\n" in title:
        raise UsageError("the title must be one line of text")
    if slug is not None and not schema.SLUG.match(slug):
        raise UsageError(f"--slug '{slug}' must be lowercase letters, digits and '-', e.g. electoral-bonds")
    existing = {p: m for p in sorted(edition_dir.glob("*/*.md")) if (m := reader.ARTICLE_NAME.match(p.name))}
    here = [int(m["num"]) for p, m in existing.items() if p.parent.name == section]
    width = max([2] + [len(m["num"]) for p, m in existing.items() if p.parent.name == section])
    if number is not None and number < 0:
        raise UsageError("--number must be 0 or more")
    chosen = number if number is not None else max(here, default=0) + 1
    digits = f"{chosen:0{max(width, len(str(chosen)))}d}"
    slug = slug or article_slug(title, digits)
    path = edition_dir / section / f"{digits}-{slug}.md"
    if path.exists():
        raise Refused(f"refusing to overwrite {display_path(path)}")
    for other, match in existing.items():
        if match["slug"] == slug:
            raise Refused(f"an article named '{slug}' already exists ({other.parent.name}/{other.name}); "
                          f"give another title or --slug")
    text = skeleton(title.strip(), _house_rules(content_root), str(raw.get("language") or "en"))
    return NewArticle(path, text)


def write_article(article: NewArticle) -> None:
    article.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with article.path.open("x", encoding="utf-8") as handle:  # "x": never replace a file that appeared meanwhile
            handle.write(article.text)
    except FileExistsError:
        raise Refused(f"refusing to overwrite {display_path(article.path)}") from None


# --------------------------------------------------------------------------- new-edition

def plan_edition(content_root: Path, title: str, source: str | None = None, slug: str | None = None,
                 published: str | None = None, prelims_label: str | None = None, force: bool = False) -> NewEdition:
    title = title.strip()
    if not title or "\n" in title:
        raise UsageError("the title must be one line of text")
    source_dir = editions.resolve_edition(source, content_root)
    raw = _edition_yaml(source_dir)
    found = months.find(title)
    year = months.year_in(title)
    if (not found or year is None) and not (slug and published):
        raise UsageError(f"cannot tell the month and year from '{title}'; write them in the title "
                                "(e.g. \"April 2020\") or give --slug and --published")
    if published:
        date, why = schema.parse_published(published)
        if date is None:
            raise UsageError(f"--published {why}")
    else:
        date, why = schema.parse_published(dt.date(year, found[-1].month, 1).isoformat())
        if date is None:
            raise UsageError(f"'{title}': {why}")
    language = str(raw.get("language") or "en")
    if slug is None:
        slug = months.edition_slug(title, found, year, language, source_dir.name)
    if not schema.SLUG.match(slug):
        raise UsageError(f"--slug '{slug}' must be lowercase letters, digits and '-', e.g. 2020-04-april")
    folder = content_root / slug
    if folder.exists():
        raise Refused(f"{display_path(folder)} already exists")
    clash = editions.same_month(content_root, date, language)
    if clash is not None and not force:
        other, when = clash
        raise Refused(f"an edition of {months.name(when.month, 'full')} {when.year} already exists: "
                      f"{display_path(other)} (published {when.isoformat()}); give --force to start another one")
    if prelims_label is None:
        prelims_label = months.prelims_label(str(raw.get("prelims_label") or ""), found, year) if found else ""
    sections = [s for s in raw.get("sections") or [] if isinstance(s, dict)]
    if not sections:
        raise Refused(f"{source_dir.name}/edition.yaml lists no sections to copy")
    yaml = edition_yaml(title, prelims_label, date, language, raw, sections, source_dir.name)
    return NewEdition(folder, source_dir, yaml, tuple(str(s.get("id")) for s in sections), title, date,
                      prelims_label)


COPIED_AS_IS = ("title", "prelims_label", "language", "published", "cover", "foreword", "sections")


def edition_yaml(title: str, label: str, published: dt.date, language: str, raw: dict, sections: list[dict],
                 source: str) -> str:
    lines = [f"# Made by `build.py new-edition` from {source}: check every value, then add articles",
             '# with `build.py new SECTION "Title"`.',
             f"title: {quoted(title)}", f"prelims_label: {quoted(label)}", f"language: {quoted(language)}",
             f"published: {quoted(published.isoformat())}"]
    # Settings added to the schema later (yes/no switches and the like) carry over as they were.
    lines += [f"{key}: {quoted(value)}" for key, value in raw.items()
              if key not in COPIED_AS_IS and isinstance(value, str)]
    foreword = raw.get("foreword")
    if isinstance(foreword, str) and foreword.strip():
        # The foreword is the house's "how to use this magazine" text; it rarely changes between months.
        if foreword[:1].isspace():
            lines.append(f"foreword: {quoted(foreword)}")
        else:
            lines.append("foreword: |")
            lines += [f"  {line}" if line.strip() else "" for line in foreword.rstrip("\n").split("\n")]
    lines.append("sections:")
    for section in sections:
        ident = str(section.get("id"))
        lines.append(f"  - id: {ident if schema.SLUG.match(ident) else quoted(ident)}")
        lines += [f"    {key}: {quoted(str(section[key]))}" for key in ("label", "title") if key in section]
    return "\n".join(lines) + "\n"


def write_edition(edition: NewEdition) -> None:
    try:
        edition.folder.mkdir(parents=True)
    except FileExistsError:
        raise Refused(f"{display_path(edition.folder)} already exists") from None
    for section in edition.sections:
        (edition.folder / section).mkdir()
        # Git keeps no empty folders; without this a fresh clone would lose the sections.
        (edition.folder / section / ".gitkeep").touch()
    (edition.folder / "edition.yaml").write_text(edition.yaml, encoding="utf-8")
