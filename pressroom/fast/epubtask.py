"""The EPUB packaged on an idle print worker, while the other workers lay the PDF out.

A module of its own, light to import, so that the parent can hand the task over
without importing the packager (EbookLib, Pillow, HarfBuzz's subsetter) itself.
"""

from __future__ import annotations


def package(*args) -> bytes:
    """epub.build_epub, imported where it runs (a worker)."""
    from pressroom.stages import epub

    return epub.build_epub(*args)
