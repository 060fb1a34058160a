"""Start a compilation (`new-compilation`): content/compilations/<slug>/compilation.yaml, ready to edit.

It selects every edition of its language, from the earliest month to the
newest, and writes the other filters as comments to fill in.  Like `new`, it
writes only a new file and refuses to overwrite anything. Exit codes: 0
created, 1 refused (nothing written), 2 usage errors.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from pressroom.command import EXIT_CONTENT, EXIT_OK, EXIT_USAGE
from pressroom.editor.scaffold import MAX_SLUG, Refused, quoted
from pressroom.problems import UsageError, display_path
from pressroom.stages import compilation, editions, schema
from pressroom.stages.markup import slugify
from pressroom.stages.yamlsource import load_yaml_file


def add_arguments(parser) -> None:
    parser.add_argument("title", help='the book\'s title, in quotes: "PT 365: Polity and Governance"')
    parser.add_argument("--slug", help="the folder name under content/compilations/ (default: from the title)")
    parser.add_argument("--language", default="en", help="the book's language, as its editions': en, hi… (default: en)")
    parser.add_argument("--published", metavar="YYYY-MM-DD",
                        help="publication date (default: that of the newest edition in the language)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")


def run(args) -> int:
    from pressroom.paths import default_content_root

    content_root = args.content or default_content_root()
    prog = "build.py new-compilation"
    try:
        path, text, months, count = plan(content_root, args.title, args.slug, args.language, args.published)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as handle:  # never replace a file that appeared meanwhile
                handle.write(text)
        except FileExistsError:
            raise Refused(f"refusing to overwrite {display_path(path)}") from None
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as exc:
        print(f"{prog}: {exc}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    name = f"{compilation.COMPILATIONS}/{path.parent.name}"
    print(f"created {display_path(path)} (from {months[0]} to {months[1]}: {count} edition(s))")
    print(f"next: choose the articles under `select:`, then `build.py check {name}` and `build.py {name}`")
    return EXIT_OK


def _editions(content_root: Path, language: str) -> list[tuple[str, str]]:
    """(published, slug) of every edition in `language`, oldest first, as their edition.yaml say."""
    out = []
    for folder in editions.find_editions(content_root):
        located, _ = load_yaml_file(folder / "edition.yaml")
        raw = located.value if located is not None and isinstance(located.value, dict) else {}
        published = str(raw.get("published") or "")
        if str(raw.get("language") or "en").split("-")[0].lower() == language.split("-")[0].lower() \
                and compilation_month(published):
            out.append((published, folder.name))
    return sorted(out)


def compilation_month(published: str) -> str:
    try:
        return dt.date.fromisoformat(published).isoformat()[:7]
    except ValueError:
        return ""


def plan(content_root: Path, title: str, slug: str | None, language: str,
         published: str | None) -> tuple[Path, str, tuple[str, str], int]:
    """(file to write, its text, (from, to) months, how many editions they span)."""
    title = title.strip()
    if not title or "\n" in title:
        raise UsageError("the title must be one line of text")
    if not schema.BCP47.match(language):
        raise UsageError(f"--language '{language}' is not a language code such as en or hi")
    slug = slug or slugify(title)[:MAX_SLUG].strip("-")
    if not schema.SLUG.match(slug or "-"):
        raise UsageError(f"--slug '{slug}' must be lowercase letters, digits and '-', e.g. pt-365-polity"
                         if slug else "the title has no English letters; give the folder name with --slug")
    editions = _editions(content_root, language)
    if not editions:
        raise UsageError(f"no edition in '{language}' under {content_root}/ to draw on")
    if published is not None:
        try:
            dt.date.fromisoformat(published)
        except ValueError:
            raise UsageError(f"--published '{published}' is not a date; write YYYY-MM-DD") from None
    if (content_root / slug / "edition.yaml").is_file():
        raise Refused(f"an edition is named '{slug}' already (content/{slug}); give another --slug")
    folder = content_root / compilation.COMPILATIONS / slug
    if folder.exists():
        raise Refused(f"{display_path(folder)} already exists")
    months = (compilation_month(editions[0][0]), compilation_month(editions[-1][0]))
    lines = [
        "# Made by `build.py new-compilation`. The articles are read from their editions, never copied:",
        "# narrow the selection below, then build with `build.py compilations/" + slug + "`.",
        f"title: {quoted(title)}",
        'prelims_label: ""',
        f"language: {quoted(language)}",
        f"published: {quoted(published or editions[-1][0])}",
        "select:",
        f"  from: {quoted(months[0])}        # editions by published month, YYYY-MM (or: editions: [slug, ...])",
        f"  to: {quoted(months[1])}",
        "  # sections: [gs2]            # only these sections",
        "  # tags: [Polity]             # only articles with one of these tags",
        "  # topics: [Governance]       # only articles with one of these topics",
        "  # exclude: [EDITION/SECTION/NN-slug]",
        "group_by: section              # or: month, topic",
        "# cover:",
        '#   headline: "Every polity story of the year"',
        "# foreword: |",
        "#   How to use this book.",
    ]
    return folder / compilation.DEFINITION, "\n".join(lines) + "\n", months, len(editions)
