"""Font subsetting, one way for the whole package: HarfBuzz's subsetter through uharfbuzz.

The EPUB embeds fonts cut to the characters it shows; the stitched PDF merges
the chunks' subsets of one shipped font into one, as WeasyPrint 70 subsets
(Font._harfbuzz_subset).  HarfBuzz is what WeasyPrint itself uses for the PDF
and is a hundred times faster than fontTools' subsetter for the same glyphs.
"""

from __future__ import annotations

from pathlib import Path

import uharfbuzz as hb

# The tables WeasyPrint 70 drops from the fonts it embeds in a PDF.
PDF_DROP_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")


def _face(path: Path) -> hb.Face:
    return hb.Face(hb.Blob.from_file_path(str(path)))


def for_text(path: Path, text: str) -> bytes:
    """The font cut down to the characters of `text`, with every layout feature (Devanagari conjuncts and
    matras need them all) and every name: for an EPUB, where the reader shapes the text."""
    request = hb.SubsetInput()
    for character in sorted(set(text)):
        request.unicode_set.add(ord(character))
    for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID):
        keep = request.sets(kind)
        keep.clear()
        keep.invert()  # an empty set inverted: all of them
    return hb.subset(_face(path), request).blob.data


def for_pdf(path: Path, gids: list[int], notdef_outline: bool) -> bytes | None:
    """The font subset to glyph ids `gids` exactly as WeasyPrint 70 embeds it: glyph ids kept, its tables
    dropped, no hinting, and the empty glyphs after the last one used removed; None if HarfBuzz refuses."""
    request = hb.SubsetInput()
    glyphs = request.sets(hb.SubsetInputSets.GLYPH_INDEX)
    for gid in sorted(gids):
        glyphs.add(gid)
    drop = request.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in PDF_DROP_TABLES:
        drop.add(int.from_bytes(tag.encode("ascii"), "big"))
    notdef = hb.SubsetFlags.NOTDEF_OUTLINE if notdef_outline else hb.SubsetFlags.DEFAULT
    request.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                     | hb.SubsetFlags.DESUBROUTINIZE | notdef)
    first = hb.subset(_face(path), request)
    if first is None:
        return None
    for gid in range(max(gids) + 1):
        glyphs.add(gid)
    request.flags = (hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
                     | hb.SubsetFlags.NO_HINTING | notdef)
    second = hb.subset(first, request)
    return second.blob.data if second is not None else None

