"""A shipped font subset exactly as WeasyPrint 70 embeds it, through WeasyPrint's own HarfBuzz binding.

The stitched PDF merges the chunks' subsets of one font into one (fast/fontmerge.py);
the merged program must be the bytes a one-document render embeds, so it must
come from the same HarfBuzz library WeasyPrint draws with (the system's
libharfbuzz-subset), not from the copy inside uharfbuzz (fontsubset.py), whose
newer release writes a different GDEF table.  The steps are those of
weasyprint.pdf.fonts.Font._harfbuzz_subset.  WeasyPrint's binding declares no way
to open a font file, so two declarations are added to its cffi interface.
"""

from __future__ import annotations

from pathlib import Path

DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
_declared = False


def _binding():
    global _declared
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not _declared:
        ffi.cdef("hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);"
                 "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);")
        _declared = True
    return ffi, harfbuzz, harfbuzz_subset


def for_pdf(path: Path, gids: list[int], notdef_outline: bool) -> bytes | None:
    """The font subset to glyph ids `gids`: glyph ids kept, WeasyPrint's tables dropped, no hinting, and the
    empty glyphs after the last one used removed; None if HarfBuzz refuses."""
    ffi, hb, hb_subset = _binding()
    blob = ffi.gc(hb.hb_blob_create_from_file_or_fail(str(path).encode()), hb.hb_blob_destroy)
    if blob == ffi.NULL:
        return None
    face = ffi.gc(hb.hb_face_create(blob, 0), hb.hb_face_destroy)
    request = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
    glyphs = hb_subset.hb_subset_input_glyph_set(request)
    wanted = sorted(gids)
    hb.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(wanted)}]", wanted), len(wanted))
    notdef = hb_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE if notdef_outline else 0
    hb_subset.hb_subset_input_set_flags(request, hb_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
                                        | hb_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
                                        | hb_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE | notdef)
    drop = hb_subset.hb_subset_input_set(request, hb_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(hb.hb_tag_from_string(tag, -1) for tag in DROP_TABLES)
    hb.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    first = hb_subset.hb_subset_or_fail(face, request)
    if first == ffi.NULL:
        return None
    first = ffi.gc(first, hb.hb_face_destroy)
    keep = list(range(max(gids) + 1))
    hb.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(keep)}]", keep), len(keep))
    hb_subset.hb_subset_input_set_flags(request, hb_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
                                        | hb_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
                                        | hb_subset.HB_SUBSET_FLAGS_NO_HINTING | notdef)
    second = hb_subset.hb_subset_or_fail(first, request)
    if second == ffi.NULL:
        return None
    second = ffi.gc(second, hb.hb_face_destroy)
    out = ffi.gc(hb.hb_face_reference_blob(second), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    data = hb.hb_blob_get_data(out, length)
    return bytes(ffi.buffer(data, length[0])) if data != ffi.NULL else None
