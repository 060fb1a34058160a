"""Page economy: no near-empty pages, and short parts flow on instead of opening a page each.

The print edition is laid out once with every part on a new page; the parts are
measured (weasy/measure.py), and this module decides, from those numbers alone,
which classes to add (print.css gives them their meaning):

- `flow`: the foreword after the contents, the answer key after the practice
  questions and the index after either open on the same page instead of a new
  one; with `whole` (a short part) the part is not split across two pages.  Of
  the ways to let a run of such parts flow, the one chosen leaves no near-empty
  page, then keeps the rule that only a part of at least half a page opens a
  page, then uses the fewest pages (estimated from the measured heights).
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

import itertools
import re

NEAR_EMPTY = 0.15    # a page filled less than this (share of its text area) is near-empty
SHORT = 0.5          # a part shorter than half a page does not open a page of its own
PUSH_TARGET = 0.18   # a moved break leaves at least this much on the last page...
KEEP_BEFORE = 0.35   # ...and at least this much on the page before it
GAP = 0.035          # the space above a part that flows on (9 mm of the 255 mm text area)
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
    for chain in _chains(parts):
        for part, names in zip(chain[1:], _best_flows(chain)):
            if names:
                classes[part.id] = names
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


def _chains(parts) -> list[list]:
    """Runs of parts each of which may flow on after the one before it, with the part they start from."""
    chains, current = [], []
    for part in parts:
        if current and current[-1].id in FLOWS_AFTER.get(part.id, ()) and part.starts_at_top:
            current.append(part)
            continue
        if len(current) > 1:
            chains.append(current)
        current = [part]
    if len(current) > 1:
        chains.append(current)
    return chains


def _best_flows(chain) -> list[str]:
    """The classes for chain[1:] whose estimated pages have no near-empty page, keep the rule that only a part
    of half a page or more opens a page, and use the fewest pages, in that order of importance."""
    best, best_score = None, None
    for choice in itertools.product((True, False), repeat=len(chain) - 1):
        names, fills, pages, opened_short = [], [], 0, 0
        position = chain[0].tail
        for part, flow in zip(chain[1:], choice):
            if not flow:
                opened_short += part.height < SHORT
                fills.append(position)
                pages += part.last_page - part.first_page + 1
                position = part.tail
                names.append("")
                continue
            must_fill = position < NEAR_EMPTY
            whole = part.height < SHORT and not must_fill
            names.append("flow whole" if whole else "flow")
            end = position + GAP + part.height
            if end <= 1:
                position = end
            elif whole:  # it would move to the next page whole: open that page instead (no gap above it)
                names[-1] = ""
                opened_short += 1
                fills.append(position)
                pages += 1
                position = part.height
            else:
                whole_pages = int(end)
                fills += [position] + [1.0] * (whole_pages - 1)
                pages += whole_pages
                position = end - whole_pages
        fills.append(position)
        score = (sum(fill < NEAR_EMPTY for fill in fills), opened_short, pages, -sum(choice))
        if best_score is None or score < best_score:
            best, best_score = names, score
    return best


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
