"""Layout state that the footnote patch and the chunked renderer share, kept on WeasyPrint's LayoutContext.

WeasyPrint's LayoutContext has no place for it, so it lives in the context's
`__dict__` under the keys below; every reader and writer goes through these
functions, so the keys are declared once.
"""

from __future__ import annotations

CARRIED = "_pressroom_carried"  # {page index: footnote boxes that page carried to the next}; -1: carried into the document
SEED = "_pressroom_seed"        # notes handed to the first page, consumed by make_page


def carried(context) -> dict:
    return context.__dict__.setdefault(CARRIED, {})


def carry_into_document(context, notes) -> None:
    """The notes that the previous chunk carried over; they open this document's first page."""
    context.__dict__[CARRIED] = {-1: list(notes)}


def seed_first_page(context) -> None:
    context.__dict__[SEED] = list(carried(context).get(-1, ()))


def take_seed(context):
    return context.__dict__.pop(SEED, None)
