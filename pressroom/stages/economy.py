"""Page economy: no near-empty pages, and short parts flow on instead of opening a page each.

The print edition is laid out once with every part on a new page; the parts are
measured (weasy/measure.py), and this module decides, from those numbers alone,
which classes to add (print.css gives them their meaning):

- `flow`: the foreword after the contents, the answer key after the practice
  questions and the index after either open on the same page when the part is
  short (under half a page) or when the page before would otherwise be nearly
  empty; with `whole` (a short part) the part is not split across two pages.
- `push-page` on a heading, article or question near the foot of a part's
  second-to-last page, when the part would otherwise end on a near-empty page:
  the page break moves up to it, so both pages are well filled.

Then the edition is laid out again with the classes.  The decision for a part
depends only on its own layout and on the part before it when it may flow, and
those parts are always laid out together (chunkplan.py keeps them in one chunk),
so a chunked render and a single-document render decide the same.  Covers and
section openers are pages of their own by design and are not changed.
"""

from __future__ import annotations

import re

NEAR_EMPTY = 0.15    # a page filled less than this (share of its text area) is near-empty
SHORT = 0.5          # a part shorter than half a page does not open a page of its own
PUSH_TARGET = 0.18   # a moved break leaves at least this much on the last page...
KEEP_BEFORE = 0.35   # ...and at least this much on the page before it
# Which part may flow on after which.
FLOWS_AFTER = {"foreword": ("contents",), "answers": ("practice",), "index": ("answers", "practice")}
PUSHABLE = re.compile(r"^(sec-|practice$|answers$|foreword$)")


def refit(html: str, pages) -> str:
    """The HTML to lay out again after a layout of it gave `pages` (WeasyPrint page boxes); `html` if none."""
    from pressroom.weasy import measure

    classes = decide(measure.parts(pages))
    return apply(html, classes) if classes else html


def decide(parts) -> dict[str, str]:
    """{element id: classes to add} for parts measured with each on a new page (weasy.measure.PartLayout)."""
    classes: dict[str, str] = {}
    flowed: set[str] = set()
    for index, part in enumerate(parts):
        before = parts[index - 1] if index else None
        if before is None or before.id not in FLOWS_AFTER.get(part.id, ()) or not part.starts_at_top:
            continue
        fills = before.tail < NEAR_EMPTY
        if part.height < SHORT or fills:
            classes[part.id] = "flow" if fills else "flow whole"
            flowed.add(part.id)
    for index, part in enumerate(parts):
        after = parts[index + 1] if index + 1 < len(parts) else None
        if (not PUSHABLE.match(part.id) or part.id in flowed or (after is not None and after.id in flowed)
                or part.tail >= NEAR_EMPTY or part.last_page == part.first_page or not part.starts_at_top):
            continue
        target = _push_target(part)
        if target:
            classes[target] = "push-page"
    return classes


def _push_target(part) -> str | None:
    """The lowest break on the page before the last that leaves both pages well filled."""
    for name, top in sorted(part.breaks, key=lambda b: -b[1]):
        moved = part.penult_bottom - top
        if top >= KEEP_BEFORE and part.tail + moved >= PUSH_TARGET:
            return name
    return None


def apply(html: str, classes: dict[str, str]) -> str:
    """The HTML with `classes` added to the elements with those ids."""
    for element_id, names in sorted(classes.items()):
        pattern = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z:-]+="[^"]*")*?)\s+id="'
                             + re.escape(element_id) + r'"')
        match = pattern.search(html)
        if match is None:
            continue
        tag_end = html.find(">", match.start())
        tag = html[match.start():tag_end]
        if ' class="' in tag:
            new_tag = tag.replace(' class="', f' class="{names} ', 1)
        else:
            new_tag = tag + f' class="{names}"'
        html = html[:match.start()] + new_tag + html[tag_end:]
    return html
