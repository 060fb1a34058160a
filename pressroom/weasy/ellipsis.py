"""An ellipsis drawn by `text-overflow: ellipsis` copies and searches as "…".

Pango draws the ellipsis as a glyph whose cluster covers the text it hides.
WeasyPrint maps each glyph to text once per font, from the first cluster it
sees, so the ellipsis glyph of a running head came out as the hidden end of
whichever head was cut first ("…Envihe World and Society" on every later
page).  The text a reader copies, searches or hears then depends on another
page, and a chunked build (each chunk with its own fonts) would read
differently from a single document.  After drawing a cut line, the ellipsis
glyph is mapped to U+2026 in every font it was newly mapped in.
"""

from __future__ import annotations

import io

ELLIPSIS = "\u2026"
_glyphs: dict[str, int | None] = {}


def _ellipsis_glyph(font) -> int | None:
    if font.hash not in _glyphs:
        from fontTools.ttLib import TTFont

        try:
            tt = TTFont(io.BytesIO(font.file_content), lazy=True, fontNumber=font.index)
            _glyphs[font.hash] = tt.getGlyphID(tt.getBestCmap()[ord(ELLIPSIS)])
        except Exception:  # no cmap entry, or not a font fontTools reads: leave WeasyPrint's mapping
            _glyphs[font.hash] = None
    return _glyphs[font.hash]


def install() -> bool:
    """Wrap WeasyPrint's line drawing once per process; idempotent."""
    from weasyprint.draw import text

    if getattr(text.draw_first_line, "_pressroom_ellipsis", False):
        return True
    original = text.draw_first_line

    def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
        if text_overflow != "ellipsis":
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        fonts = stream._fonts
        before = {key: set(font.to_unicode) for key, font in fonts.items()}
        result = original(stream, textbox, text_overflow, block_ellipsis, matrix)
        for key, font in fonts.items():
            glyph = _ellipsis_glyph(font)
            if glyph is not None and glyph in font.to_unicode and glyph not in before.get(key, ()):
                font.to_unicode[glyph] = ELLIPSIS
        return result

    draw_first_line._pressroom_ellipsis = True
    text.draw_first_line = draw_first_line
    return True
