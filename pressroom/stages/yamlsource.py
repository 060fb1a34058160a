"""YAML read with a line number for every value, and no implicit typing.

PyYAML's own constructors turn `no` into False, `010` into 8 and raise a bare
ValueError without a line for `2020-13-01`.  Here every scalar stays a string
and pydantic does the typing, so every error keeps the line it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pressroom import limits
from pressroom.problems import Problem, error
from pressroom.stages import files

NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass
class Located:
    """A plain Python value plus the 1-based line of each nested key path."""

    value: object
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, loc: tuple, default: int = 1) -> int:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), default)

    def strings(self) -> list[tuple[str, int]]:
        """Every text value with its line: what a YAML escape (`"\\x00"`, `"\\U0001F600"`) really wrote."""
        found: list[tuple[str, int]] = []

        def walk(value, path):
            if isinstance(value, str):
                found.append((value, self.line_of(path)))
            elif isinstance(value, dict):
                for key, item in value.items():
                    walk(item, path + (key,))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, path + (index,))

        walk(self.value, ())
        return found


MAX_DEPTH = 64  # content nests four or five levels; more is a mistake or an attack


class _Walk:
    """What converting one document has seen: the nodes (an alias is a node seen again) and the problems."""

    def __init__(self, lines: dict, problems: list, source: Path):
        self.lines, self.problems, self.source = lines, problems, source
        self.seen: set[int] = set()

    def again(self, node, line: int) -> bool:
        # An alias would be copied once for every reference to it: a few lines of `&a [*b, *b]` make
        # billions of values ("billion laughs"), and `&a [*a]` never ends.
        if id(node) in self.seen:
            self.problems.append(error(self.source, line, "YAML aliases (*name) are not allowed; write the value out", code="yaml.alias"))
            return True
        self.seen.add(id(node))
        return False


def _convert(node, path: tuple, walk: _Walk):
    lines, problems, source = walk.lines, walk.problems, walk.source
    lines[path] = node.start_mark.line + 1
    if len(path) > MAX_DEPTH:
        problems.append(error(source, node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep", code="yaml.too-deep"))
        return None
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(error(source, key_node.start_mark.line + 1, "keys must be plain names", code="yaml.key"))
                continue
            key = key_node.value
            if key in out:
                problems.append(error(source, key_node.start_mark.line + 1, f"duplicate key '{key}'", code="yaml.duplicate-key"))
                continue
            if walk.again(value_node, key_node.start_mark.line + 1):
                continue
            out[key] = _convert(value_node, path + (key,), walk)
            # Point at the key, which is where an editor looks for "title: ..."
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [None if walk.again(item, lines[path]) else _convert(item, path + (i,), walk)
                for i, item in enumerate(node.value)]
    # A plain scalar's style is None from PyYAML's parser and "" from libyaml's.
    if node.tag == "tag:yaml.org,2002:null" or (not node.style and node.value in NULLS):
        return None
    return node.value


def _compose(text: str) -> yaml.Node | None:
    """The node tree, from libyaml when it is there (ten times faster); a document it rejects is parsed
    again by PyYAML's own parser, whose messages are the ones the errors quote."""
    if getattr(yaml, "CSafeLoader", None) is not None:
        try:
            return yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def load_yaml_text(text: str, source: Path, first_line: int = 1) -> tuple[Located | None, list[Problem]]:
    """Parse YAML text; `first_line` is the file line the text starts on (front matter)."""
    problems: list[Problem] = []
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        what = exc.problem or exc.context or "invalid YAML"
        return None, [error(source, line, f"YAML syntax error: {what}", code="yaml.syntax")]
    except yaml.YAMLError as exc:
        return None, [error(source, first_line, f"YAML syntax error: {exc}", code="yaml.syntax")]
    except RecursionError:  # PyYAML's composer recurses once a level; libyaml refuses such depth itself
        return None, [error(source, first_line, f"YAML syntax error: nested more than {MAX_DEPTH} levels deep", code="yaml.too-deep")]
    if node is None:
        return Located({}, {(): first_line}), []
    lines: dict[tuple, int] = {}
    value = _convert(node, (), _Walk(lines, problems, source))
    if first_line != 1:
        shift = first_line - 1
        lines = {k: v + shift for k, v in lines.items()}
        problems = [Problem(p.path, p.line + shift, p.severity, p.message, p.code) for p in problems]
    return Located(value, lines), problems


def load_yaml_file(path: Path, root: Path | None = None) -> tuple[Located | None, list[Problem]]:
    """A YAML file inside `root` (default: its own folder), read through files.read_text's checks."""
    text, problems = files.read_text(path, root if root is not None else path.parent, limits.MAX_YAML_BYTES)
    if text is None:
        return None, problems
    return load_yaml_text(files.plain_breaks(text), path)
