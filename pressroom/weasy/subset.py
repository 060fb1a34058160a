"""A shipped font subset exactly as WeasyPrint 70 embeds it, from the HarfBuzz library WeasyPrint draws with.

The stitched PDF merges the chunks' subsets of one font into one (fast/fontmerge.py);
the merged program must be the bytes a one-document render embeds, so it must
come from the same HarfBuzz library WeasyPrint loads (the system's
libharfbuzz-subset, by the names WeasyPrint 70's text/ffi.py tries), not from the
copy inside uharfbuzz (fontsubset.py), whose newer release writes a different
GDEF table.  The steps are those of weasyprint.pdf.fonts.Font._harfbuzz_subset.
The binding is cffi, as WeasyPrint's; it is declared here rather than borrowed
from weasyprint.text.ffi because importing that imports all of WeasyPrint
(0.4 s), and the stitch runs in the parent process, which never needs it.
"""

from __future__ import annotations

from pathlib import Path

DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")
# hb-subset.h; the values are part of HarfBuzz's stable ABI.
RETAIN_GIDS, DESUBROUTINIZE, PASSTHROUGH_UNRECOGNIZED, NO_HINTING, NOTDEF_OUTLINE = 2, 4, 32, 1, 64
SETS_DROP_TABLE_TAG = 3
DECLARATIONS = """
    typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t; typedef struct hb_set_t hb_set_t;
    typedef struct hb_subset_input_t hb_subset_input_t; typedef uint32_t hb_codepoint_t; typedef uint32_t hb_tag_t;
    hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
    void hb_blob_destroy (hb_blob_t *blob);
    const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
    hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
    void hb_face_destroy (hb_face_t *face);
    hb_blob_t * hb_face_reference_blob (hb_face_t *face);
    hb_tag_t hb_tag_from_string (const char *str, int len);
    void hb_set_add_sorted_array (hb_set_t *set, const hb_codepoint_t *sorted_codepoints, unsigned int num_codepoints);
    hb_subset_input_t * hb_subset_input_create_or_fail (void);
    void hb_subset_input_destroy (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_glyph_set (hb_subset_input_t *input);
    hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
    void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
    hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
HARFBUZZ = ("libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz.so.0", "libharfbuzz.0.dylib")
HARFBUZZ_SUBSET = ("libharfbuzz-subset-0", "harfbuzz-subset", "harfbuzz-subset-0.0", "libharfbuzz-subset.so.0",
                   "libharfbuzz-subset.0.dylib")
_binding = None


def _open(ffi, names):
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise OSError(f"none of {', '.join(names)} could be loaded")


def _load():
    global _binding
    if _binding is None:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(DECLARATIONS)
        _binding = ffi, _open(ffi, HARFBUZZ), _open(ffi, HARFBUZZ_SUBSET)
    return _binding


def for_pdf(path: Path, gids: list[int], notdef_outline: bool) -> bytes | None:
    """The font subset to glyph ids `gids`: glyph ids kept, WeasyPrint's tables dropped, no hinting, and the
    empty glyphs after the last one used removed; None if HarfBuzz refuses."""
    ffi, hb, hb_subset = _load()
    blob = ffi.gc(hb.hb_blob_create_from_file_or_fail(str(path).encode()), hb.hb_blob_destroy)
    if blob == ffi.NULL:
        return None
    face = ffi.gc(hb.hb_face_create(blob, 0), hb.hb_face_destroy)
    request = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
    glyphs = hb_subset.hb_subset_input_glyph_set(request)
    wanted = sorted(gids)
    hb.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(wanted)}]", wanted), len(wanted))
    notdef = NOTDEF_OUTLINE if notdef_outline else 0
    hb_subset.hb_subset_input_set_flags(request, RETAIN_GIDS
                                        | PASSTHROUGH_UNRECOGNIZED
                                        | DESUBROUTINIZE | notdef)
    drop = hb_subset.hb_subset_input_set(request, SETS_DROP_TABLE_TAG)
    tags = sorted(hb.hb_tag_from_string(tag, -1) for tag in DROP_TABLES)
    hb.hb_set_add_sorted_array(drop, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    first = hb_subset.hb_subset_or_fail(face, request)
    if first == ffi.NULL:
        return None
    first = ffi.gc(first, hb.hb_face_destroy)
    keep = list(range(max(gids) + 1))
    hb.hb_set_add_sorted_array(glyphs, ffi.new(f"hb_codepoint_t[{len(keep)}]", keep), len(keep))
    hb_subset.hb_subset_input_set_flags(request, PASSTHROUGH_UNRECOGNIZED
                                        | DESUBROUTINIZE
                                        | NO_HINTING | notdef)
    second = hb_subset.hb_subset_or_fail(first, request)
    if second == ffi.NULL:
        return None
    second = ffi.gc(second, hb.hb_face_destroy)
    out = ffi.gc(hb.hb_face_reference_blob(second), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    data = hb.hb_blob_get_data(out, length)
    return bytes(ffi.buffer(data, length[0])) if data != ffi.NULL else None
