"""Text for the stamp: HarfBuzz shaping, per-copy font subsets, and the PDF text operators.

A hand-built content stream cannot rely on a layout engine, so the line is shaped
here (conjuncts and matras need it) and drawn as glyph ids.  Each copy embeds
only the glyphs it draws; copying glyph records verbatim at their original ids
(no renumbering, so composite glyphs stay valid) takes well under a millisecond,
where a fontTools subset costs ~15 ms a font and would halve the throughput.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import unicodedata
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb

# Marks and joiners stay with the run of the letter they follow: they have no script of their own.
INHERIT = {"Mn", "Mc", "Me", "Cf"}
DEVANAGARI = ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF), (0x11B00, 0x11B5F))
KEPT_TABLES = (b"cvt ", b"fpgm", b"prep", b"gasp", b"hhea", b"maxp")  # copied as they are; hinting stays valid
COMPOSITE_FLAGS = (0x0001, 0x0008, 0x0040, 0x0080, 0x0020)  # words, scale, xy scale, 2x2, more components


class FontProgram:
    """One shipped TrueType font, parsed once per process: glyph records, metrics and a HarfBuzz face."""

    def __init__(self, path: Path, key: str):
        self.key, self.path = key, path
        data = path.read_bytes()
        self.tables = _tables(data)
        head, hhea = self.tables[b"head"], self.tables[b"hhea"]
        self.upem = struct.unpack(">H", head[18:20])[0]
        bbox = struct.unpack(">4h", head[36:44])
        long_loca = struct.unpack(">h", head[50:52])[0] == 1
        self.num_glyphs = struct.unpack(">H", self.tables[b"maxp"][4:6])[0]
        self.num_hmetrics = struct.unpack(">H", hhea[34:36])[0]
        ascent, descent = struct.unpack(">hh", hhea[4:8])
        loca = array("I" if long_loca else "H", self.tables[b"loca"])
        if array("H", [1]).tobytes() != b"\x00\x01":
            loca.byteswap()
        scale = 1 if long_loca else 2
        glyf = self.tables[b"glyf"]
        self.glyphs = [glyf[loca[i] * scale:loca[i + 1] * scale] for i in range(self.num_glyphs)]
        self.cmap = frozenset(hb.Face(data).unicodes)
        os2 = self.tables.get(b"OS/2", b"")
        cap = struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else ascent
        self.name = _postscript_name(self.tables.get(b"name", b"")) or path.stem
        self.descriptor = {"bbox": [self.to_pdf(v) for v in bbox], "ascent": self.to_pdf(ascent),
                           "descent": self.to_pdf(descent), "cap": self.to_pdf(cap)}
        self.hb_font = hb.Font(hb.Face(data))
        post = self.tables.get(b"post", b"\x00" * 32)
        self.post = b"\x00\x03\x00\x00" + post[4:32]  # format 3: no glyph names, the rest of the header kept

    def to_pdf(self, units: float) -> float:
        """Font units to thousandths of the font size, the unit of /W, /FontBBox and TJ."""
        return units * 1000 / self.upem

    def components(self, gid: int) -> tuple[int, ...]:
        return _components(self.glyphs[gid])

    def subset(self, gids: set[int]) -> bytes:
        """A TrueType program with the same glyph ids where every glyph not in `gids` is empty."""
        keep = {0}
        todo = list(gids)
        while todo:
            gid = todo.pop()
            if gid not in keep:
                keep.add(gid)
                todo.extend(self.components(gid))
        glyf, loca, offset = bytearray(), array("I", [0]), 0
        hmtx = bytearray(4 * self.num_hmetrics + 2 * (self.num_glyphs - self.num_hmetrics))
        source = self.tables[b"hmtx"]
        for gid in range(self.num_glyphs):
            if gid in keep:
                record = self.glyphs[gid]
                glyf += record + b"\x00" * (-len(record) % 4)
                offset = len(glyf)
                at = 4 * gid if gid < self.num_hmetrics else 4 * self.num_hmetrics + 2 * (gid - self.num_hmetrics)
                width = 4 if gid < self.num_hmetrics else 2
                hmtx[at:at + width] = source[at:at + width]
            loca.append(offset)
        if array("H", [1]).tobytes() != b"\x00\x01":
            loca.byteswap()
        head = bytearray(self.tables[b"head"])
        head[8:12] = b"\x00\x00\x00\x00"
        head[50:52] = b"\x00\x01"
        tables = {tag: self.tables[tag] for tag in KEPT_TABLES if tag in self.tables}
        tables.update({b"head": bytes(head), b"glyf": bytes(glyf), b"loca": loca.tobytes(), b"hmtx": bytes(hmtx),
                       b"post": self.post})
        return _sfnt(tables)


def _tables(data: bytes) -> dict[bytes, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    out = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        out[tag] = data[offset:offset + length]
    return out


def _postscript_name(table: bytes) -> str:
    if len(table) < 6:
        return ""
    count, strings = struct.unpack(">HH", table[2:6])
    for i in range(count):
        platform, _, _, name_id, length, offset = struct.unpack_from(">6H", table, 6 + 12 * i)
        if name_id == 6:
            raw = table[strings + offset:strings + offset + length]
            return raw.decode("utf-16-be" if platform in (0, 3) else "latin-1", "replace")
    return ""


@functools.lru_cache(maxsize=None)
def _components(record: bytes) -> tuple[int, ...]:
    if len(record) < 10 or struct.unpack(">h", record[:2])[0] >= 0:
        return ()
    words, scale, xy_scale, two_by_two, more = COMPOSITE_FLAGS
    out, at = [], 10
    while True:
        flags, gid = struct.unpack_from(">HH", record, at)
        out.append(gid)
        at += 4 + (4 if flags & words else 2)
        at += 2 if flags & scale else 4 if flags & xy_scale else 8 if flags & two_by_two else 0
        if not flags & more:
            return tuple(out)


def _checksum(data: bytes) -> int:
    padded = array("I", data + b"\x00" * (-len(data) % 4))
    if array("H", [1]).tobytes() != b"\x00\x01":
        padded.byteswap()
    return sum(padded) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    directory, body, offset = bytearray(), bytearray(), 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\x00" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    head_at = 12 + 16 * count + sum(len(tables[t]) + (-len(tables[t]) % 4) for t in tags[:tags.index(b"head")])
    font[head_at + 8:head_at + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


# --------------------------------------------------------------------------- shaping


@dataclass(frozen=True)
class Glyph:
    font: str         # FontProgram.key
    gid: int
    x: float          # where the glyph's origin goes, in thousandths of the font size from the line start
    y: float
    pen_end: float    # where the pen stands after it: HarfBuzz's advance, which kerning and marks change
    text: str         # what the glyph stands for; "" for the second and later glyphs of a cluster
    cluster: int      # index of its cluster in the line; glyphs of one cluster share it
    cluster_text: str
    cluster_size: int  # glyphs in the cluster: more than one needs /ActualText to read back right


@dataclass(frozen=True)
class ShapedLine:
    text: str
    glyphs: tuple[Glyph, ...]
    width: float      # thousandths of the font size


class Fonts:
    """The fonts a stamp may use, in order of preference for each character."""

    def __init__(self, programs: list[FontProgram]):
        self.programs = {p.key: p for p in programs}
        self.order = programs

    def missing(self, text: str) -> str | None:
        """The first character no font can draw, or None."""
        for char in text:
            if char.isspace() or unicodedata.category(char) == "Cf":
                continue
            if not any(ord(char) in p.cmap for p in self.order):
                return char
        return None

    def _font_for(self, char: str, current: str | None) -> str:
        code = ord(char)
        if current and (unicodedata.category(char) in INHERIT or char == " ") and code in self.programs[current].cmap:
            return current
        if any(lo <= code <= hi for lo, hi in DEVANAGARI) or char in "\u0964\u0965\u25cc":
            for program in self.order:
                if program.key == "deva" and code in program.cmap:
                    return program.key
        for program in self.order:
            if code in program.cmap:
                return program.key
        return current or self.order[0].key

    def runs(self, text: str) -> list[tuple[str, str]]:
        runs: list[list[str]] = []
        current = None
        for char in text:
            key = self._font_for(char, current)
            if key != current:
                runs.append([key, ""])
                current = key
            runs[-1][1] += char
        return [(k, t) for k, t in runs]

    def shape(self, text: str) -> ShapedLine:
        glyphs: list[Glyph] = []
        pen, cluster_index = 0.0, 0
        for key, run in self.runs(text):
            program = self.programs[key]
            buf = hb.Buffer()
            buf.add_str(run)
            buf.guess_segment_properties()
            hb.shape(program.hb_font, buf, {})
            infos, positions = buf.glyph_infos, buf.glyph_positions
            starts = sorted({info.cluster for info in infos}) + [len(run)]
            sizes: dict[int, int] = {}
            for info in infos:
                sizes[info.cluster] = sizes.get(info.cluster, 0) + 1
            seen: set[int] = set()
            for info, pos in zip(infos, positions):
                c = info.cluster
                cluster_text = run[c:starts[starts.index(c) + 1]]
                first = c not in seen
                if first:
                    seen.add(c)
                    cluster_index += 1
                end = pen + program.to_pdf(pos.x_advance)
                glyphs.append(Glyph(key, info.codepoint, pen + program.to_pdf(pos.x_offset),
                                    program.to_pdf(pos.y_offset), end, cluster_text if first else "",
                                    cluster_index, cluster_text, sizes[c]))
                pen = end
        return ShapedLine(text, tuple(glyphs), pen)


# --------------------------------------------------------------------------- PDF operators and font objects


@dataclass(frozen=True)
class FontUse:
    """What one copy needs from one font: CIDs in order of first use, each a (glyph id, text, width).

    The same glyph gets one CID per text it stands for (a glyph may be part of
    different clusters) and per width.  The width in /W is the distance from where
    the glyph is drawn to where HarfBuzz leaves the pen, not the font's advance:
    extractors measure a character by /W, and a mark drawn left of its base would
    otherwise end short of the next letter and read as a space.
    """

    key: str
    cids: tuple[tuple[int, str, int], ...]  # index + 1 is the CID

    def cid_of(self) -> dict[tuple[int, str, int], int]:
        return {entry: i + 1 for i, entry in enumerate(self.cids)}


def cid_width(g: Glyph) -> int:
    return max(0, round(g.pen_end - g.x))


def font_uses(lines: list[ShapedLine], keys: list[str]) -> dict[str, FontUse]:
    entries: dict[str, dict[tuple[int, str, int], None]] = {k: {} for k in keys}
    for line in lines:
        for g in line.glyphs:
            entries[g.font].setdefault((g.gid, g.text, cid_width(g)), None)
    return {k: FontUse(k, tuple(v)) for k, v in entries.items()}


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def text_operators(line: ShapedLine, size: float, x: float, y: float, resource: dict[str, str],
                   uses: dict[str, FontUse]) -> bytes:
    """BT…ET drawing `line` with its origin at (x, y), in points.

    Positions go in TJ adjustments so the glyphs land exactly where HarfBuzz put
    them; a multi-glyph cluster (a reordered matra, a stacked conjunct) is wrapped
    in /ActualText so text extraction returns the characters in logical order.
    """
    out = [b"BT", b"1 0 0 1 %s %s Tm" % (_num(x), _num(y))]
    cid_maps = {k: u.cid_of() for k, u in uses.items()}
    font, rise, span, here = None, 0.0, None, 0.0
    tj: list[bytes] = []

    def flush():
        if tj:
            out.append(b"[" + b"".join(tj) + b"] TJ")
            tj.clear()

    for g in line.glyphs:
        if span is not None and g.cluster != span:
            flush()
            out.append(b"EMC")
            span = None
        if g.font != font:
            flush()
            out.append(b"/%s %s Tf" % (resource[g.font].encode(), _num(size)))
            font = g.font
        if g.y != rise:
            flush()
            out.append(b"%s Ts" % _num(g.y * size / 1000))
            rise = g.y
        if g.cluster_size > 1 and span is None:
            flush()
            out.append(b"/Span <</ActualText <FEFF%s>>> BDC" % _utf16_hex(g.cluster_text).encode())
            span = g.cluster
        delta = g.x - here
        if abs(delta) > 0.005:
            tj.append(_num(-delta))
        width = cid_width(g)
        tj.append(b"<%04X>" % cid_maps[g.font][(g.gid, g.text, width)])
        here = g.x + width
    flush()
    if span is not None:
        out.append(b"EMC")
    out.append(b"ET")
    return b"\n".join(out)


def _num(value: float) -> bytes:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return (text if text not in ("-0", "") else "0").encode()


def subset_tag(program: FontProgram, use: FontUse) -> str:
    """Six capitals naming the subset, as PDF asks; derived from the glyphs so equal input gives equal bytes."""
    digest = hashlib.sha256(repr((program.key, use.cids)).encode()).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


def to_unicode(use: FontUse) -> bytes:
    entries = [f"<{cid:04X}> <{_utf16_hex(text)}>" for cid, (_, text, _) in enumerate(use.cids, 1)]
    blocks = []
    for i in range(0, len(entries), 100):
        chunk = entries[i:i + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks) + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").encode()


def cid_to_gid(use: FontUse) -> bytes:
    return b"\x00\x00" + b"".join(struct.pack(">H", gid) for gid, _, _ in use.cids)


def widths(use: FontUse) -> list:
    """/W: [1 [w1 w2 …]], CIDs being numbered from 1 without gaps."""
    return [1, [w for _, _, w in use.cids]]


def deflate(data: bytes) -> bytes:
    return zlib.compress(data, 6)
