"""Boxes: a one-cell table, or a run of paragraphs, that starts with a box label becomes a `:::` box.

The labels are the printed ones in templates/strings (every language), plus a few spellings writers use.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from pressroom.paths import TEMPLATES
from pressroom.stages.markup import BOX_KINDS
from pressroom.wordimport.pandoc_ast import block_text, flatten_divs, table_rows, unmark

STRINGS = TEMPLATES / "strings"
SPELLINGS = {
    "prelims": ("prelims pointers", "prelims pointer", "pointers for prelims", "prelims facts"),
    "note": ("note",),
    "didyouknow": ("did you know", "did you know?"),
    "keyterms": ("key terms", "key term", "keyterms", "key words"),
}
TRAIL = " \t:：-–—.?"


@functools.lru_cache(maxsize=1)
def labels() -> dict[str, str]:
    """Label as compared (case-folded, no final punctuation) -> box kind."""
    found: dict[str, str] = {}
    for kind, words in SPELLINGS.items():
        for word in words:
            found[_norm(word)] = kind
    for path in sorted(STRINGS.glob("*.yaml")):
        boxes = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("boxes") or {}
        for kind, label in boxes.items():
            if kind in BOX_KINDS and isinstance(label, str):
                found[_norm(label)] = kind
    return found


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip(TRAIL)


@dataclass(frozen=True)
class Label:
    kind: str
    rest: str  # the text after the label in the same paragraph, if any


def label_of(text: str) -> Label | None:
    """The box label a paragraph starts with: alone, or followed by ':' / '-' and more text."""
    plain = re.sub(r"\s+", " ", unmark(text)).strip()
    folded = plain.casefold()
    for label, kind in sorted(labels().items(), key=lambda item: -len(item[0])):
        if not folded.startswith(label):
            continue
        after = plain[len(label):]
        if not after.strip(TRAIL):
            return Label(kind, "")
        match = re.match(r"^\s*\??\s*[:：\-–—]\s*(.+)$", after)
        if match:
            return Label(kind, match[1].strip())
    return None


def one_cell(block: dict) -> list[dict] | None:
    """The blocks of a table with a single cell, or None for any other table."""
    rows = table_rows(block)
    if len(rows) != 1 or len(rows[0][1]) != 1:
        return None
    return flatten_divs(rows[0][1][0][4])


def starts_box(blocks: list[dict]) -> Label | None:
    return label_of(block_text(blocks[0])) if blocks and blocks[0]["t"] in ("Para", "Plain") else None


def without_label(blocks: list[dict], label: Label) -> list[dict]:
    """The box's content: the label paragraph goes; text after the label stays as the first paragraph."""
    rest = [{"t": "Para", "c": [{"t": "Str", "c": label.rest}]}] if label.rest else []
    marker = re.match(r"^\s*(\ufdd0\d+\ufdd1)", block_text(blocks[0]))
    if marker and rest:
        rest[0]["c"].insert(0, {"t": "Str", "c": marker[1]})
    return rest + blocks[1:]
