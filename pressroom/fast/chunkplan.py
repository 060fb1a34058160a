"""Planning the print edition's chunks: where it can be cut and what each chunk's HTML is.

A chunk is a run of the edition that begins on a forced page break, so
it lays out exactly as it does inside the whole edition: the front (cover,
contents and foreword), runs of whole sections, and the back matter (practice
questions, answer key and index, which may flow on after each other, then the
back cover).  Sections are
grouped by size only (never by the number of workers), so the output does not
depend on the machine.  Each chunk's HTML is the edition's own template output
for its parts, plus a `<style>` that starts the footnote counter where the
previous chunks left it and hides the parts that are composed only so that
the contents can list them.

Rendering them is chunks.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html as html_module
import os
import re
import sys
import time
from dataclasses import dataclass

from pressroom.stages import compose

TARGET_CHUNKS = 16        # sections are grouped so that the body makes about this many chunks...
MIN_CHUNK_CHARS = 12_000  # ...but no chunk is smaller than this much HTML (about 2 pages) unless it is alone
PLACEHOLDER_PAGE = 88     # printed by a chunk laid out before the real page numbers are known

ID = re.compile(r'\sid="([^"]+)"')
HREF = re.compile(r'\shref="#([^"]+)"')
FOOTNOTE = 'class="footnote"'
CARRIER = "pressroom-carried"
# CSS that would make a chunk lay out differently than inside the whole edition.
UNSAFE_CSS = re.compile(r"@page\s*:(first|blank|nth)|:nth\(|break-(before|after)\s*:\s*(left|right|recto|verso)"
                        r"|running\(|element\(|target-text\(|counter-(reset|increment|set)\s*:\s*(?!none\b|page\b|footnote\b)")


_T0 = time.perf_counter()


def trace(text: str) -> None:
    if os.environ.get("PRESSROOM_TRACE"):
        print(f"[{time.perf_counter() - _T0:7.3f}] {text}", file=sys.stderr, flush=True)


def trace_exception(exc: BaseException) -> None:
    """With PRESSROOM_TRACE, the traceback of a chunked render given up for one document."""
    if os.environ.get("PRESSROOM_TRACE"):
        import traceback

        trace("chunked render given up:\n" + "".join(traceback.format_exception(exc)))


class ChunkingUnsafe(Exception):
    """The edition cannot be rendered in chunks that match a single-document render; render it whole."""


@dataclass(frozen=True)
class Unit:
    """A part of the edition that begins on a forced page break: the foreword, a section, a back part."""

    label: str
    kind: str                 # "body" or "back"
    parts: frozenset
    sections: tuple
    foreword: str | None
    size: int                 # characters of HTML, to group small units


@dataclass(frozen=True)
class Chunk:
    label: str
    kind: str                 # "front", "body" or "back" (a chunk with back matter waits for page numbers)
    html: str
    ids: frozenset[str]       # anchors laid out in this chunk
    refs: tuple[str, ...]     # anchors it links to or prints the page of, laid out in other chunks
    footnotes: int            # footnotes in this chunk
    key: str = ""             # hash of everything its rendering depends on, but its first page
    units: tuple = ()         # the Units it holds (none for the front)
    notes_before: int = 0     # footnotes in the chunks before it
    carried: tuple = ()       # HTML of footnotes carried over from the last page of the chunk before it


def unsafe_css(texts: list[str]) -> str | None:
    for text in texts:
        match = UNSAFE_CSS.search(re.sub(r"/\*.*?\*/", "", text, flags=re.S))
        if match:
            return f"the stylesheet uses '{match[0]}'"
    return None


class Planner:
    """Composes the chunks of an edition's print PDF: the first plan, and two chunks joined into one."""

    def __init__(self, edition, fragments: dict, foreword_html: str | None, strings: dict, logo_uri: str | None,
                 cover_uri: str | None, practice, show: dict, salt: str, images: tuple = ()):
        self.edition, self.fragments, self.foreword_html, self.strings = edition, fragments, foreword_html, strings
        self.logo_uri, self.cover_uri, self.practice, self.show = logo_uri, cover_uri, practice, show
        self.salt, self.images = salt, images  # images: (url, sha256) pairs; a chunk's key covers those it shows
        self._composed: dict = {}
        units = []
        if show.get("main"):
            units += [(s.section.id, "body", {"main"}, (s,), None) for s in edition.sections]
        # The practice questions, answer key and index flow on after each other when short (economy.py): one unit.
        back = [part for part in ("practice", "answers", "index") if show.get(part)]
        if back:
            units.append(("+".join(back), "back", set(back), (), None))
        if show.get("back"):
            units.append(("back", "back", {"back"}, (), None))
        self.units = []
        for label, kind, parts, sections, foreword in units:
            text = _body_of(self._html(parts, sections, foreword))
            if text:  # a part with nothing to print (no questions) makes no chunk
                self.units.append(Unit(label, kind, frozenset(parts), sections, foreword, len(text)))

    def _html(self, parts, sections=None, foreword=None, hidden=()) -> str:
        key = (frozenset(parts), None if sections is None else tuple(s.section.id for s in sections),
               foreword, tuple(hidden))
        if key not in self._composed:
            self._composed[key] = self._compose(parts, sections, foreword, hidden)
        return self._composed[key]

    def _compose(self, parts, sections, foreword, hidden) -> str:
        flags = {p: p in parts for p in compose.PRINT_PARTS}
        for part in hidden:
            flags[part] = True
        edition = self.edition if sections is None else dataclasses.replace(self.edition, sections=tuple(sections))
        return compose.compose_print(edition, self.fragments, foreword, self.strings, self.logo_uri, self.cover_uri,
                                     self.practice, flags, None)

    def plan(self) -> list[Chunk]:
        """The chunks in reading order: the front, then sections and back parts grouped by size."""
        groups: list[list[Unit]] = []
        for kind in ("body", "back"):
            members = [u for u in self.units if u.kind == kind]
            target = max(MIN_CHUNK_CHARS, sum(u.size for u in members) // TARGET_CHUNKS)
            current, size = [], 0
            for unit in members:
                if current and size + unit.size > target * 1.5 and size >= target / 2:
                    groups.append(current)
                    current, size = [], 0
                current.append(unit)
                size += unit.size
                if size >= target:
                    groups.append(current)
                    current, size = [], 0
            if current:
                groups.append(current)
        chunks = []
        front = self.front()
        if front is not None:
            chunks.append(front)
        notes = front.footnotes if front is not None else 0
        for group in groups:
            chunks.append(self.make(group, notes))
            notes += chunks[-1].footnotes
        seen: set[str] = set()
        for chunk in chunks:
            if chunk.ids & seen:
                raise ChunkingUnsafe(f"anchors in more than one chunk: {sorted(chunk.ids & seen)[:3]}")
            seen |= chunk.ids
        return chunks

    def front(self) -> Chunk | None:
        """The cover, the whole edition's contents and the foreword (which may flow on after the contents);
        the back parts are composed (hidden) for their entries."""
        parts = {p for p in ("cover", "contents", "foreword") if self.show.get(p)}
        if not parts - {"foreword"}:
            return None
        hidden = tuple(p for p in ("practice", "answers", "index") if self.show.get(p))
        visible = self._html(parts, foreword=self.foreword_html)
        text = _with_style(self._html(parts, foreword=self.foreword_html, hidden=hidden), 0, hidden)
        return self._chunk("front", "front", text, visible, (), 0)

    def make(self, units: list[Unit], notes_before: int, carried: tuple[str, ...] = ()) -> Chunk:
        parts = set().union(*(u.parts for u in units))
        sections = tuple(s for u in units for s in u.sections)
        foreword = next((u.foreword for u in units if u.foreword), None)
        # The answer key links to the questions: they are composed (hidden) if they are not in this chunk.
        hidden = ("practice",) if "answers" in parts and "practice" not in parts and self.show.get("practice") else ()
        visible = self._html(parts, sections, foreword)
        full = self._html(parts, sections, foreword, hidden) if hidden else visible
        text = _with_style(full, notes_before - len(carried), hidden, carried)
        kind = "back" if any(u.kind == "back" for u in units) else "body"
        chunk = self._chunk("+".join(u.label for u in units), kind, text, visible, tuple(units), notes_before)
        return dataclasses.replace(chunk, carried=tuple(carried))

    def carry(self, chunk: Chunk, carried: tuple[str, ...]) -> Chunk:
        """The chunk again, starting with the footnotes the chunk before it could not fit on its last page.

        In the whole edition those notes go to the foot of this chunk's first page, before its own; here
        they are put first in the chunk, in a box of no height whose note calls print nothing."""
        if not chunk.units:
            raise ChunkingUnsafe(f"footnotes carried over into chunk {chunk.label}")
        return self.make(list(chunk.units), chunk.notes_before, carried)

    def _chunk(self, label, kind, text, visible, units, notes_before) -> Chunk:
        ids = frozenset(html_module.unescape(i) for i in ID.findall(visible))
        refs = tuple(sorted({html_module.unescape(r) for r in HREF.findall(text)} - ids))
        key = hashlib.sha256(f"{self.salt}\n{text}".encode())
        for url, sha in self.images:
            if url in text:
                key.update(f"\n{url}={sha}".encode())
        return Chunk(label, kind, text, ids, refs, visible.count(FOOTNOTE), key.hexdigest(), units, notes_before)


def _body_of(text: str) -> str:
    start, end = text.find("<body"), text.rfind("</body>")
    return text[text.find(">", start) + 1:end].strip() if start >= 0 and end >= 0 else ""


def _with_style(text: str, notes_before: int, hidden: tuple[str, ...], carried: tuple[str, ...] = ()) -> str:
    rules = []
    if notes_before:
        rules.append(f"html {{ counter-set: footnote {notes_before} }}")
    if hidden:
        rules.append(", ".join(f"#{part}" for part in hidden) + " { display: none !important }")
    if carried:
        rules.append(f".{CARRIER} {{ margin: 0; padding: 0; border: 0; line-height: 0 }} "
                     f".{CARRIER} .footnote::footnote-call {{ content: none }}")
        # Inside the chunk's first element, after its page break: before it, the notes would make a page
        # of their own.
        match = re.compile(r"<body\b[^>]*>\s*(?:<!--.*?-->\s*)*<[a-zA-Z][^>]*>", re.S).search(text)
        if match is None:
            raise ChunkingUnsafe("the print template has no element in <body>")
        text = text[:match.end()] + f'<div class="{CARRIER}">' + "".join(carried) + "</div>" + text[match.end():]
    if not rules:
        return text
    style = "<style>/* this chunk */ " + " ".join(rules) + "</style>\n"
    head = text.find("</head>")
    if head < 0:
        raise ChunkingUnsafe("the print template has no </head>")
    return text[:head] + style + text[head:]


def footnote_sources(text: str) -> list[str]:
    """Each footnote element of a chunk's HTML, in document order."""
    out, position = [], 0
    opening = re.compile(r"<span " + FOOTNOTE + r"[\s>]")
    while (found := opening.search(text, position)) is not None:
        start = found.start()
        depth = 0
        for match in re.finditer(r"<span\b[^>]*>|</span>", text[start:]):
            depth += -1 if match[0] == "</span>" else 1
            if depth == 0:
                out.append(text[start:start + match.end()])
                position = start + match.end()
                break
        else:
            raise ChunkingUnsafe("a footnote's <span> is not closed")
    return out
