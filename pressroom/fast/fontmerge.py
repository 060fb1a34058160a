"""Each font once in a stitched PDF: the chunks' subsets of one shipped font merged into one.

Every chunk embeds its own subset of each font it uses: WeasyPrint keeps glyph
ids (CID = glyph id) and names a font after its description, so the same font
has the same name in every chunk.  For each name used by more than one chunk,
the shipped font is subset again (weasy/subset.py, as WeasyPrint does it: glyph
ids kept, the same tables dropped, no hinting) to the union of the glyphs the
chunks drew, and one width table and one ToUnicode map are made from theirs.
Every page then points at that one font.  Fonts not found among the shipped
ones, or encoded otherwise than Identity-H, are left as they are.
"""

from __future__ import annotations

import re
from math import ceil
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

from pressroom.weasy import subset

BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _widths(w: Array) -> dict[int, object]:
    out, items, i = {}, list(w), 0
    while i < len(items):
        first, rest = int(items[i]), items[i + 1]
        if isinstance(rest, Array):
            for offset, width in enumerate(rest):
                out.setdefault(first + offset, width)
            i += 2
        else:  # c_first c_last w
            for gid in range(first, int(rest) + 1):
                out.setdefault(gid, items[i + 2])
            i += 3
    return out


def _width_array(widths: dict[int, object]) -> Array:
    out, current = Array(), None
    for gid in sorted(widths):
        if gid - 1 not in widths:
            current = Array()
            out.append(gid)
            out.append(current)
        current.append(widths[gid])
    return out


def _to_unicode(stream) -> dict[int, bytes]:
    mapping: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream.read_bytes(), re.S):
        for gid, text in BFCHAR.findall(block):
            mapping.setdefault(int(gid, 16), text.lower())
    return mapping


def _to_unicode_stream(pdf: pikepdf.Pdf, mapping: dict[int, bytes]) -> pikepdf.Stream:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
             b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
             b"<0000> <ffff>", b"endcodespacerange"]
    items = list(mapping.items())
    for i in range(ceil(len(items) / 100)):
        batch = items[i * 100:(i + 1) * 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (gid, text) for gid, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return pikepdf.Stream(pdf, b"\n".join(lines))


def _font_dicts(pdf: pikepdf.Pdf):
    """Every /Font resource dictionary of the pages and of the form XObjects they draw."""
    seen, todo = set(), [page.obj.get("/Resources") for page in pdf.pages]
    while todo:
        resources = todo.pop()
        if not isinstance(resources, Dictionary) or resources.objgen in seen and resources.objgen != (0, 0):
            continue
        if resources.objgen != (0, 0):
            seen.add(resources.objgen)
        fonts = resources.get("/Font")
        if isinstance(fonts, Dictionary):
            yield fonts
        for xobject in (resources.get("/XObject") or {}).values():
            if isinstance(xobject, pikepdf.Stream) and "/Resources" in xobject:
                todo.append(xobject.Resources)


def merge_fonts(pdf: pikepdf.Pdf, originals: dict[str, tuple[Path, bool]]) -> int:
    """Merge same-named Type0 fonts; `originals` maps a base font name to (shipped file, notdef drawn).
    Returns how many fonts were merged."""
    groups: dict[str, list] = {}
    for fonts in _font_dicts(pdf):
        for key, font in fonts.items():
            if isinstance(font, Dictionary) and font.get("/Subtype") == "/Type0" \
                    and font.get("/Encoding") == "/Identity-H" and "/DescendantFonts" in font:
                name = str(font.BaseFont).lstrip("/")
                members = groups.setdefault(name, [])
                if not any(member.objgen == font.objgen for member in members):
                    members.append(font)
    merged = 0
    for name, members in groups.items():
        programs = {m.DescendantFonts[0].FontDescriptor.FontFile2.objgen for m in members
                    if "/FontFile2" in m.DescendantFonts[0].FontDescriptor}
        if len(members) < 2 or len(programs) < 2 or name not in originals:
            continue
        widths: dict[int, object] = {}
        mapping: dict[int, bytes] = {}
        for member in members:
            for gid, width in _widths(member.DescendantFonts[0].get("/W", Array())).items():
                widths.setdefault(gid, width)
            if "/ToUnicode" in member:
                for gid, text in _to_unicode(member.ToUnicode).items():
                    mapping.setdefault(gid, text)
        path, notdef = originals[name]
        program = subset.for_pdf(path, sorted(set(widths) | set(mapping)), notdef) if widths else None
        if program is None:
            continue
        keep = members[0]
        descendant = keep.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        descriptor.FontFile2 = pikepdf.Stream(pdf, program, Length1=len(program))
        bbox = descriptor.get("/FontBBox")
        if isinstance(bbox, Array) and len(bbox) == 4 and widths:
            descriptor.FontBBox = Array([bbox[0], bbox[1], max(float(w) for w in widths.values()), bbox[3]])
        if "/CIDSet" in descriptor:
            width = ceil((max(widths) + 1) / 8)
            bits = ["0"] * width * 8
            for gid in widths:
                bits[gid] = "1"
            descriptor.CIDSet = pikepdf.Stream(pdf, int("".join(bits), 2).to_bytes(width, "big"))
        descendant.W = _width_array(widths)
        keep.ToUnicode = pdf.make_indirect(_to_unicode_stream(pdf, mapping))
        others = {m.objgen for m in members[1:]}
        for fonts in _font_dicts(pdf):
            for key in list(fonts.keys()):
                if fonts[key].objgen in others:
                    fonts[key] = keep
        merged += 1
    return merged
