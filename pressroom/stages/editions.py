"""Which edition a command means: a slug or a folder named on the command line, or the newest one.

The newest edition is the one with the latest `published` date. An edition.yaml that cannot be
read, or a date that two editions share, makes "the newest" unknowable: rather than silently
choosing the edition before it (and writing a new article into last month's edition), the
default commands report it and stop.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pressroom.problems import ContentError, Problem, UsageError, did_you_mean, error
from pressroom.stages import schema
from pressroom.stages.yamlsource import load_yaml_file


def find_editions(content_root: Path) -> list[Path]:
    """Every folder under `content_root` that has an edition.yaml (hidden folders left out)."""
    try:
        names = sorted(os.listdir(content_root))
    except OSError:
        return []
    return [Path(content_root) / name for name in names
            if not name.startswith(".") and os.path.lexists(Path(content_root) / name / "edition.yaml")]


def published_date(folder: Path, content_root: Path) -> tuple[dt.date | None, int, list[Problem]]:
    """The edition's `published` date and its line, read from its edition.yaml only; or why it cannot be."""
    path = folder / "edition.yaml"
    located, problems = load_yaml_file(path, content_root)
    if located is None:
        return None, 1, problems
    if not isinstance(located.value, dict):
        return None, 1, [error(path, 1, "expected a mapping of keys, got " + type(located.value).__name__,
                               code="schema.not-mapping")]
    line = located.line_of(("published",))
    value = located.value.get("published")
    if value is None:
        return None, line, problems + [error(path, line, "missing required key 'published'", code="schema.missing-key")]
    date, why = schema.parse_published(value)
    if date is None:
        return None, line, problems + [error(path, line, f"published: {why}", code="schema.date")]
    return date, line, problems


def dated_editions(content_root: Path) -> list[tuple[dt.date, Path, int]]:
    """(published, folder, line) of every edition; raises ContentError when any edition.yaml cannot be read
    or two editions share a date, since either makes "the newest edition" a guess."""
    problems: list[Problem] = []
    dated = []
    for folder in find_editions(content_root):
        date, line, more = published_date(folder, content_root)
        if date is None:
            problems += more or [error(folder / "edition.yaml", line, "edition.yaml cannot be read",
                                       code="read.unreadable")]
        else:
            dated.append((date, folder, line))
    first: dict[dt.date, Path] = {}
    for date, folder, line in sorted(dated, key=lambda d: (d[0], d[1].name)):
        if date in first:
            problems.append(error(folder / "edition.yaml", line,
                                  f"editions '{first[date].name}' and '{folder.name}' have the same published date "
                                  f"{date.isoformat()}, so neither is the newest; give one of them another date",
                                  code="read.same-date"))
        else:
            first[date] = folder
    if problems:
        raise ContentError(problems)
    return sorted(dated, key=lambda d: (d[0], d[1].name))


def newest_edition(content_root: Path) -> Path:
    """The edition with the latest `published` date; raises ContentError (see dated_editions) or UsageError."""
    only = find_editions(content_root)
    if len(only) == 1:  # no choice to make: its problems are reported where it is read, with all the others
        return Path(os.path.abspath(only[0]))
    dated = dated_editions(content_root)
    if not dated:
        raise UsageError(f"no edition found under {content_root}/ (expected {content_root}/<slug>/edition.yaml)")
    return Path(os.path.abspath(dated[-1][1]))


def resolve_edition(name: str | None, content_root: Path) -> Path:
    """EDITION on the command line: a slug under content/, or a path to an edition folder."""
    if name is None:
        return newest_edition(content_root)
    as_path = Path(name)
    if os.path.lexists(as_path / "edition.yaml"):
        return Path(os.path.abspath(as_path))
    if "/" not in name and os.path.lexists(content_root / name / "edition.yaml"):
        return Path(os.path.abspath(content_root / name))
    slugs = [p.name for p in find_editions(content_root)]
    if as_path.is_dir():
        raise UsageError(f"{name} has no edition.yaml")
    raise UsageError(f"no edition '{name}' under {content_root}/{did_you_mean(name, slugs)}")


def same_month(content_root: Path, date: dt.date, language: str) -> tuple[Path, dt.date] | None:
    """An edition of the same language already published in `date`'s month, for `new-edition`."""
    for folder in find_editions(content_root):
        located, _ = load_yaml_file(folder / "edition.yaml", content_root)
        value = located.value if located is not None and isinstance(located.value, dict) else {}
        published, _ = schema.parse_published(value.get("published"))
        if published is None:
            continue
        other_language = str(value.get("language") or "en").split("-")[0].lower()
        if (published.year, published.month) == (date.year, date.month) and \
                other_language == language.split("-")[0].lower():
            return folder, published
    return None
