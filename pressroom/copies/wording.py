"""The licence line printed on every copy, in each shipped language: `stamp:` in templates/strings/*.yaml.

Light to import: `trace` reads the wording to find the line on a page without
importing the build.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from pressroom.paths import TEMPLATES
from pressroom.problems import ContentError, error
from pressroom.stages.yamlsource import Located, load_yaml_file

FIELDS = ("name", "student_id", "email", "copy_id")
KEYS = ("line", "first", "second")
STRINGS = TEMPLATES / "strings"


@dataclass(frozen=True)
class Wording:
    """The licence line's `str.format` templates in one language."""

    line: str      # the whole line
    first: str     # the same, in two lines, for a line too long for one
    second: str


def _stamp_strings(path: Path) -> tuple[dict, Located | None]:
    located, _ = load_yaml_file(path) if path.is_file() else (None, [])
    value = located.value if located is not None and isinstance(located.value, dict) else {}
    stamp = value.get("stamp")
    return (stamp if isinstance(stamp, dict) else {}), located


def wording(language: str) -> Wording:
    """The edition language's wording, each key it lacks taken from English.

    Raises ContentError when a template names an unknown field or does not use
    every field exactly once: caught here, not as a failure on every row.
    """
    english, english_lines = _stamp_strings(STRINGS / "en.yaml")
    own = STRINGS / f"{language.split('-')[0].lower()}.yaml"
    local, local_lines = _stamp_strings(own)
    chosen = {key: str(local.get(key, english.get(key, ""))) for key in KEYS}
    problems = []
    for keys in (("line",), ("first", "second")):
        try:
            used = [name for key in keys for _, name, _, _ in string.Formatter().parse(chosen[key]) if name is not None]
        except ValueError as exc:  # an unpaired brace
            used = [str(exc)]
        if sorted(used) != sorted(FIELDS):
            translated = own.is_file() and any(chosen[key] != english.get(key) for key in keys)
            where, lines = (own, local_lines) if translated else (STRINGS / "en.yaml", english_lines)
            line = lines.lines.get(("stamp", keys[0]), 1) if lines is not None else 1
            problems.append(error(where, line, f"stamp: {' and '.join(keys)} must use each of "
                                               f"{', '.join('{' + f + '}' for f in FIELDS)} exactly once; found "
                                               f"{', '.join(map(repr, used)) or 'none'}", code="copies.wording"))
    if problems:
        raise ContentError(problems)
    return Wording(**chosen)


def wordings() -> dict[str, Wording]:
    """Every shipped language's wording, by its strings file's name: what trace looks for on a page."""
    return {path.stem: wording(path.stem) for path in sorted(STRINGS.glob("*.yaml"))}
