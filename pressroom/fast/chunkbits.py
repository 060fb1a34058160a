"""Small pieces of a chunk's rendering (pdfchunk.py): what a chunk's HTML carries in, which font files
its PDF embeds, and the anchor an `attr()` names."""

from __future__ import annotations

import re


def font_files(document) -> dict:
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


def resolve_attr(anchor_token, source_box):
    from weasyprint.urls import get_url_tuple

    attr_name, type_, fallback = anchor_token[1]
    value = source_box.element.get(attr_name, fallback)
    if type_ == "url":
        return ("url", get_url_tuple(value, source_box.style.base_url))
    return ("string", value)
