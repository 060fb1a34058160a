"""A footnote carried to the next page reaches that page, and no other, when pages are laid out again.

WeasyPrint lays a document out, then lays out again only the pages whose
content changed (a contents page or a section opener, once the page numbers
they print are known).  Footnotes that do not fit on a page are carried to the
next page through one shared list, which WeasyPrint does not reset when it
skips the unchanged pages in between: the footnotes carried out of one page it
lays out again land on the next page it lays out again, however far on.  In a
long edition a section opener then printed, at its foot, a note that belongs
forty pages earlier ("1. ..." under a call numbered 13).  Here each page
remembers what it carried over, and a page laid out again starts from what
the page before it carried.

It also lets a chunk of the edition (pdfchunk.py) begin with the notes carried over from the chunk
before it, as the whole edition's page would.  Replaces weasyprint.layout.page.make_all_pages and wraps
make_page (WeasyPrint 70); idempotent.
"""

from __future__ import annotations

from pressroom.weasy import state


def install() -> bool:
    from weasyprint import layout
    from weasyprint.layout import page as page_module

    if getattr(page_module.make_all_pages, "_pressroom_carry", False):
        return True
    original = page_module.make_all_pages
    remake_page = page_module.remake_page
    logger = page_module.PROGRESS_LOGGER

    def make_all_pages(context, root_box, html, pages):
        """weasyprint.layout.page.make_all_pages, with the footnotes each page carries kept per page."""
        carried = state.carried(context)
        i = 0
        reported_footnotes = None
        context.rendered_notes = []
        while True:
            remake_state = context.page_maker[i][-1]
            if len(pages) == 0 or remake_state["content_changed"] or remake_state["pages_wanted"]:
                logger.info("Step 5 - Creating layout - Page %d", i + 1)
                remake_state["content_changed"] = False
                remake_state["pages_wanted"] = False
                remake_state["anchors"] = []
                remake_state["content_lookups"] = []
                if i == 0:
                    # Notes carried into the document (pdfchunk.py) go to its first page. Handed over inside
                    # make_page: remake_page would take a first page with notes waiting for a blank page.
                    context.reported_footnotes = []
                    state.seed_first_page(context)
                else:
                    context.reported_footnotes = list(carried.get(i - 1, ()))
                page, resume_at = remake_page(i, context, root_box, html)
                reported_footnotes = context.reported_footnotes
                carried[i] = list(reported_footnotes)
                yield page
            else:
                logger.info("Step 5 - Creating layout - Page %d (up-to-date)", i + 1)
                resume_at = context.page_maker[i + 1][0]
                reported_footnotes = carried.get(i) or None
                yield pages[i]
            i += 1
            if resume_at is None and not reported_footnotes:
                context.page_maker = context.page_maker[:i + 1]
                context.broken_out_of_flow.clear()
                context.reported_footnotes.clear()
                for stale in [k for k in carried if k >= i]:
                    del carried[stale]
                return

    original_make_page = page_module.make_page

    def make_page(context, root_box, page_type, resume_at, page_number, page_state):
        seed = state.take_seed(context)
        if seed:
            context.reported_footnotes = seed
        return original_make_page(context, root_box, page_type, resume_at, page_number, page_state)

    make_all_pages._pressroom_carry = True
    make_all_pages._pressroom_original = original
    page_module.make_all_pages = make_all_pages
    page_module.make_page = make_page
    layout.make_all_pages = make_all_pages  # layout_document calls it by this name
    return True
