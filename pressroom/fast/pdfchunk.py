"""One chunk of the print edition laid out by WeasyPrint in two steps, so that its page numbers can come last.

A chunk is a run of the edition that starts on a forced page break (a section,
the practice questions, the index...).  Its layout does not depend on where it
starts: left and right pages have the same text width, so only the running heads
and feet, the page numbers printed inside the chunk and the side of each page
depend on the first page number.  So a chunk is laid out once as if it started
on page 1, a right page (`lay_out`), and then `finish` moves it to its real first
page: the page counters are shifted, every page whose side changes is re-sided
(same box tree, moved sideways by the difference of the mirrored margins), pages
that print a page number of their own chunk (a section opener's list) are laid
out again by WeasyPrint's own re-pagination, and only then are the margin boxes
made and the PDF drawn.  Output depends only on (chunk HTML, first page, the
page numbers given for anchors outside the chunk), never on the order in which
things happened, so a cached chunk and a fresh one are the same bytes.

Anchors outside the chunk: `target-counter()` to them reads the page number
given in `external`; links to them are kept as named destinations, which the
stitcher resolves against the whole edition.

This module uses WeasyPrint's layout internals (pinned: WeasyPrint 70); the
chunked build is checked against a single-document render by the test suite.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from pressroom import weasy
from pressroom.fast.repaginate import finish_layout, paginate, rebase, resolve_attr
from pressroom.stages import economy
from pressroom.weasy import fetch, state


@dataclass(frozen=True)
class LayoutInfo:
    pages: int                     # every page laid out
    content_pages: int             # without the last pages that hold only footnotes carried over
    carried: tuple[int, ...]       # footnotes (0-based, in document order) carried off the last content page
    anchors: dict[str, int]        # anchor -> 0-based page inside the chunk (first occurrence)
    external_used: dict[str, int]  # anchors of other chunks whose page number was printed, with the number
    footnotes: int                 # footnotes laid out


@dataclass
class ChunkPdf:
    data: bytes
    pages: int
    anchors: dict[str, int]          # anchor -> 0-based page index inside the chunk (first occurrence)
    external_used: dict[str, int]    # external anchors whose page number was printed, with the number used
    problems: list[str] = field(default_factory=list)
    fonts: dict = field(default_factory=dict)  # base font name -> (SHA-256 of the font file, .notdef drawn)


class _ExternalTarget:
    """Stands in for a target box that lives in another chunk: only its counters are read.

    With `late`, the page is given the way WeasyPrint gives a target's page once it is laid out, so
    that the content printing it can be computed again when the real page is known (the front)."""

    def __init__(self, page: int, late: bool = False):
        self.page = page
        self.cached_counter_values = {} if late else {"page": [page]}


class Renderer:
    """One per worker process: one font configuration and one set of parsed stylesheets for all its chunks."""

    def __init__(self, stylesheets: tuple[Path, ...], roots: tuple[Path, ...], fonts_dir: Path,
                 schemes: dict[str, Path], published, tagged: bool):
        weasy.prepare(fonts_dir, published)
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        self.tagged = tagged
        self.refused: list[str] = []
        self.fetcher = fetch.make_fetcher(roots, schemes, self.refused)
        self.font_config = FontConfiguration()
        self.collector = fetch.Collector()
        logging.getLogger("weasyprint").addHandler(self.collector)
        self.css = [weasyprint.CSS(filename=str(p), url_fetcher=self.fetcher, font_config=self.font_config)
                    for p in stylesheets]
        self.init_messages = self._take_messages()

    def _take_messages(self) -> list[str]:
        messages = list(dict.fromkeys(self.refused + self.collector.messages))
        del self.refused[:], self.collector.messages[:]
        return messages

    # ------------------------------------------------------------------ step 1
    def lay_out(self, html: str, base_dir: Path, external: dict[str, int], late: bool = False) -> "LaidOut":
        """Lay the chunk out from page 1; `external` gives the pages of anchors in other chunks (with
        `late`, stand-ins that `finish` replaces). Laid out again if the page economy changes it."""
        laid = self._lay_out(html, base_dir, external, late)
        fitted = economy.refit(html, laid.pages)
        return laid if fitted == html else self._lay_out(fitted, base_dir, external, late)

    def _lay_out(self, html: str, base_dir: Path, external: dict[str, int], late: bool) -> "LaidOut":
        import weasyprint
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.css.targets import TargetLookupItem
        from weasyprint.document import Document
        from weasyprint.formatting_structure.build import build_formatting_structure
        from weasyprint.layout import initialize_page_maker

        self._take_messages()
        document = weasyprint.HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=self.fetcher)
        options = dict(DEFAULT_OPTIONS)
        options.update(stylesheets=self.css, pdf_tags=self.tagged)
        counter_style = CounterStyle()
        context = Document._build_layout_context(document, self.font_config, counter_style, {}, options)
        collector = context.target_collector
        used: dict[str, int] = {}
        for name, page in external.items():  # also replaces anchors of parts hidden in this chunk
            item = TargetLookupItem("up-to-date")
            item.target_box = _ExternalTarget(page, late)
            item.page_maker_index = -1
            if late:
                item.cached_page_counter_values = {"page": [page]}
            collector.target_lookup_items[name] = item
        original_lookup = collector.lookup_target

        def lookup_target(anchor_token, source_box, css_token, parse_again):
            item = original_lookup(anchor_token, source_box, css_token, parse_again)
            if isinstance(item.target_box, _ExternalTarget):
                from weasyprint.css.targets import anchor_name_from_token

                token = anchor_token
                if token[0] == "attr()":
                    token = resolve_attr(token, source_box)
                name = anchor_name_from_token(token)
                if name is not None:
                    used[name] = item.target_box.page
            return item

        collector.lookup_target = lookup_target
        root_box = build_formatting_structure(
            document.etree_element, context.style_for, context.get_image_from_uri, document.base_url,
            collector, counter_style, context.footnotes)
        initialize_page_maker(context, root_box)
        carried = carried_in(html)
        if carried:
            # Footnotes carried over from the chunk before: in the whole edition WeasyPrint lays them out at
            # the top of this chunk's first page, before anything else, as notes reported from the page
            # before; so they are given to the first page that way, and not laid out again at their calls.
            state.carry_into_document(context, context.footnotes[:carried])
            del context.footnotes[:carried]
        context.original_footnotes = context.footnotes.copy()
        pages = paginate(document, root_box, context, [], first=True)
        laid = LaidOut(self, document, root_box, context, pages, used, counter_style)
        laid.messages = self.init_messages + self._take_messages()
        return laid


class LaidOut:
    """A chunk laid out as if it began on page 1 (a right page), waiting for its real first page."""

    def __init__(self, renderer, document, root_box, context, pages, external_used, counter_style):
        self.renderer, self.document, self.root_box, self.context = renderer, document, root_box, context
        self.pages, self.external_used, self.counter_style = pages, external_used, counter_style

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def info(self) -> LayoutInfo:
        content = self.content_pages()
        carried = ()
        if content < len(self.pages):
            boxes = state.carried(self.context).get(content - 1, [])
            notes = self.context.original_footnotes
            carried = tuple(next(i for i, note in enumerate(notes) if note is box) for box in boxes)
        return LayoutInfo(self.page_count, content, carried, self.anchors(), dict(self.external_used),
                          len(self.context.original_footnotes))

    def _external(self, name: str):
        item = self.context.target_collector.target_lookup_items.get(name)
        target = getattr(item, "target_box", None)
        return target if isinstance(target, _ExternalTarget) else None

    def _renumber(self, external: dict[str, int]) -> bool:
        """Give the anchors of other chunks their real pages; True if a number printed changes."""
        changed = False
        for name, page in external.items():
            target = self._external(name)
            if target is not None and target.page != page:
                target.page = page
                self.context.target_collector.target_lookup_items[name].cached_page_counter_values = {"page": [page]}
                changed = changed or name in self.external_used
        return changed

    def content_pages(self) -> int:
        """Pages up to the last one that holds more than footnotes carried over from the page before it.

        Those last pages belong, in the whole edition, to the foot of the next chunk's first page:
        the chunk is finished without them and the next chunk carries their notes (see chunks.py)."""
        count = len(self.pages)
        while count > 1 and self.context.page_maker[count - 1][0] is None:
            count -= 1
        return count

    def anchors(self) -> dict[str, int]:
        """Anchor -> 0-based page inside the chunk, for every anchor laid out (first occurrence)."""
        found: dict[str, int] = {}
        for index, entry in enumerate(self.context.page_maker[:len(self.pages)]):
            for name in entry[-1]["anchors"]:
                found.setdefault(name, index)
        return found

    # ------------------------------------------------------------------ step 2
    def finish(self, first_page: int, trim: bool = False, external: dict[str, int] | None = None) -> ChunkPdf:
        """Draw the chunk from `first_page`; `trim` leaves out its last pages of carried footnotes;
        `external` replaces the stand-in pages of a chunk laid out with `late` numbers."""
        from weasyprint.document import Document, Page
        from weasyprint.html import get_html_metadata
        from weasyprint.pdf.metadata import DocumentMetadata

        context, pages = self.context, self.pages
        self.renderer._take_messages()
        renumbered = bool(external) and self._renumber(external)
        rebase(self.document, self.root_box, context, pages, first_page, force=renumbered)
        if renumbered:
            self.external_used = {name: self._external(name).page for name in self.external_used}
        if trim:
            del pages[self.content_pages():]
        page_boxes = list(finish_layout(context, pages))
        document = Document([Page(box) for box in page_boxes], DocumentMetadata(**get_html_metadata(self.document)),
                            self.document.url_fetcher, self.renderer.font_config, {}, None)
        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        # Links to anchors of other chunks stay as named destinations; WeasyPrint drops links it cannot
        # resolve, so each gets a stand-in anchor here, which the stitcher replaces with the real one.
        if document.pages:
            first = document.pages[0]
            for page in document.pages:
                for link_type, target, _, _ in page.links:
                    if link_type == "internal" and target not in anchors and target not in first.anchors:
                        first.anchors[target] = (0, 0, 0, 0)
        options = {"pdf_variant": "pdf/ua-1"} if self.renderer.tagged else {}
        data = document.write_pdf(pdf_identifier=None, **options)
        messages = list(dict.fromkeys(self.messages + self.renderer._take_messages()))
        return ChunkPdf(data, len(document.pages), anchors, dict(self.external_used), messages,
                        _font_files(document))


def _font_files(document) -> dict:
    """Which font file each embedded font was subset from, so that the stitcher can merge them."""
    import hashlib

    from weasyprint.text.fonts import get_hb_object_data

    out = {}
    for font in document.fonts.values():
        data = get_hb_object_data(font.hb_face)
        if data:
            out[font.name.decode().lstrip("/")] = (hashlib.sha256(data).hexdigest(), bool(font.missing))
    return out


CARRIER = '<div class="pressroom-carried">'


def carried_in(html: str) -> int:
    """How many footnotes the chunk's HTML carries in from the chunk before (see chunks.py)."""
    start = html.find(CARRIER)
    if start < 0:
        return 0
    end = html.find("</div>", start)
    return len(re.findall(r'<span class="footnote"[\s>]', html[start:end]))
