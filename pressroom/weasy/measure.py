"""How full WeasyPrint's pages are, part by part, read from a finished layout.

A part is a child of `<body>` with an id: the contents, the foreword, a section
(`sec-…`), the practice questions, the answer key, the index.  For each, the
pages it spans, how much of its last page it fills (its text and the notes at
the foot), and the elements with an id that begin on its second-to-last page
(headings, articles, questions), where a page break could be moved.  The page
economy (stages/economy.py) decides from this alone; it works on page boxes
from a single document or from a chunk alike.
"""

from __future__ import annotations

from dataclasses import dataclass

# Elements before which a page break may be moved (kept out: boxes, figures and tables, which have no id).
BREAK_TAGS = {"h2", "h3", "h4", "article", "div", "li"}


@dataclass(frozen=True)
class PartLayout:
    id: str
    first_page: int                 # 0-based page index where the part starts
    last_page: int
    starts_at_top: bool             # it begins at the top of its first page (a new page)
    tail: float                     # share of its last page's text area used (its text and the notes there)
    breaks: tuple[tuple[str, float], ...]  # (id, top) of elements starting on the page before its last
    penult_bottom: float            # where the part's text ends on the page before its last

    @property
    def height(self) -> float:
        """Its length in pages, counted from the top of its first page."""
        return self.last_page - self.first_page + self.tail


def _notes_share(page, height: float) -> float:
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    return sum(child.margin_height() for child in page.children
               if isinstance(child, FootnoteAreaBox) and child.children) / height


def _body(page):
    root = page.children[0] if page.children else None
    for child in getattr(root, "children", ()):
        if getattr(child, "element_tag", "") == "body":
            return child
    return None


def parts(pages) -> list[PartLayout]:
    """Every part with an id, in document order, measured on `pages` (WeasyPrint page boxes)."""
    spans: dict[str, dict] = {}
    order: list[str] = []
    first_seen: dict[str, int] = {}
    for index, page in enumerate(pages):
        body = _body(page)
        if body is None:
            continue
        top, height = page.content_box_y(), page.height
        notes = _notes_share(page, height)
        for box in body.children:
            element = getattr(box, "element", None)
            part = element.get("id") if element is not None else None
            if not part:
                continue
            if part not in spans:
                order.append(part)
                spans[part] = {"first": index, "top": (box.position_y - top) / height, "pages": {}}
            bottom = (box.position_y + box.margin_height() - top) / height
            starts = []
            for child in box.descendants():
                child_element = getattr(child, "element", None)
                name = child_element.get("id") if child_element is not None else None
                if (name and name not in first_seen and child.element_tag in BREAK_TAGS
                        and child is not box and not getattr(child, "is_for_root_element", False)):
                    first_seen[name] = index
                    starts.append((name, round((child.position_y - top) / height, 4)))
            spans[part]["pages"][index] = (bottom, notes, starts)
    out = []
    for part in order:
        span = spans[part]
        page_numbers = sorted(span["pages"])
        last = page_numbers[-1]
        bottom, notes, _ = span["pages"][last]
        penult = span["pages"].get(last - 1)
        out.append(PartLayout(part, span["first"], last, span["top"] < 0.02, round(min(1.0, bottom + notes), 4),
                              tuple(penult[2]) if penult else (), round(penult[0], 4) if penult else 0.0))
    return out
