"""Make Devanagari in the PDF copy, search and read aloud as what was written.

A PDF maps each glyph to text once, through the font's ToUnicode table.
Devanagari shaping reorders glyphs (the i-matra is drawn before its
consonant) and reuses one glyph for different clusters (a half form, a
reph), so no glyph-level map can give the source text back: मार्च comes out
as मार्ग.  PDF's answer is an /ActualText span: the exact text of a run of
glyphs, which extractors (poppler, Acrobat) and screen readers use instead.
WeasyPrint draws each text box in one call; wrapping that call puts the
box's own source text on its glyphs.
"""

from __future__ import annotations

import re

NEEDS_ACTUAL_TEXT = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF]")


def _pdf_text_string(text: str) -> bytes:
    # UTF-16BE with a byte order mark, as a hex string: safe for any character, no escaping.
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def install() -> bool:
    """Wrap WeasyPrint's text drawing once per process; idempotent."""
    from weasyprint import draw

    if getattr(draw.draw_text, "_pressroom_actual_text", False):
        return True
    original = draw.draw_text

    def draw_text(stream, textbox, *args, **kwargs):
        text = getattr(textbox, "text", "")
        if not NEEDS_ACTUAL_TEXT.search(text):
            return original(stream, textbox, *args, **kwargs)
        # The soft hyphen WeasyPrint shows at a break is drawn, so it is part of the run's text.
        stream.begin_marked_content("Span", b"<< /ActualText " + _pdf_text_string(text) + b" >>")
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text._pressroom_actual_text = True
    draw.draw_text = draw_text
    return True
