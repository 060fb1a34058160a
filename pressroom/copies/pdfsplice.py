"""PDF bytes without a PDF library: a prepared file cut once, and copies spliced from it.

A copy is the prepared file's header, a comment of a fixed length that differs
per copy (right at the start, where a truncated file still has it), the
prepared file's unchanged objects, byte for byte, then the objects that differ
per copy and a new cross-reference stream.  This module knows that layout, and
how to write the few objects a copy adds; it knows nothing of stamps.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

import pikepdf

from pressroom.copies import linefont

ROW = struct.Struct(">BIH")  # a cross-reference stream entry: /W [1 4 2]


@dataclass(frozen=True)
class XrefPlan:
    """The cross-reference entries, cut around the slots.

    Compressing all 20,000 entries took 16 ms a copy, most of the stamp's time.
    The constant runs are compressed once, each alone and ended with a full
    flush, so they can be joined with the few per-copy entries compressed the
    same way: deflate blocks concatenate when no block refers back across them.
    """

    runs: tuple[tuple[int, int], ...]   # (first object number, count) of entries that change per copy
    raw: tuple[bytes, ...]              # the constant entries before each run, and after the last
    deflated: tuple[bytes, ...]         # the same, compressed


def _deflate_alone(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


@dataclass(frozen=True)
class Skeleton:
    """A prepared file without its per-copy objects ("slots") and its cross-reference stream."""

    head: bytes                   # the header
    note: int                     # the length of the per-copy comment after it
    constant: bytes               # every unchanged object, in the file's order
    xref: XrefPlan
    size: int                     # /Size
    xref_num: int                 # the cross-reference stream's object number, reused by every copy
    root: int
    info: int


def cut(data: bytes, table: dict, size: int, root: int, info: int, slots: set[int], note: int = 0) -> Skeleton:
    """Cut a file that qpdf wrote (`table` is pikepdf's get_xref_table()) around its slots.

    `note` bytes are kept free after the header for a comment that `splice` writes there.
    """
    startxref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-64:])[1])
    located = sorted((e.offset, num) for (num, gen), e in table.items() if e.type == 1)
    xref_num = next(num for offset, num in located if offset == startxref)
    if any(gen for _, gen in table) or located[-1][1] != xref_num:
        raise RuntimeError("qpdf wrote the template in an unexpected layout (generations, or objects after "
                           "the cross-reference stream)")
    head = data[:located[0][0]]
    start = len(head) + note
    constant = bytearray()
    rows = bytearray(ROW.size * size)
    ROW.pack_into(rows, 0, 0, 0, 65535)
    for (offset, num), (end, _) in zip(located, located[1:]):
        if num in slots:
            continue
        ROW.pack_into(rows, ROW.size * num, 1, start + len(constant), 0)
        constant += data[offset:end]
    for (num, _), entry in table.items():
        if entry.type == 2:
            ROW.pack_into(rows, ROW.size * num, 2, entry.obj_stream_number, entry.obj_stream_index)
    return Skeleton(head, note, bytes(constant), _plan(bytes(rows), sorted(slots | {xref_num})), size, xref_num,
                    root, info)


def _plan(rows: bytes, slots: list[int]) -> XrefPlan:
    runs: list[list[int]] = []
    for num in slots:
        if runs and runs[-1][0] + runs[-1][1] == num:
            runs[-1][1] += 1
        else:
            runs.append([num, 1])
    cuts = [0] + [edge for first, count in runs for edge in (first, first + count)] + [len(rows) // ROW.size]
    raw = tuple(rows[ROW.size * a:ROW.size * b] for a, b in zip(cuts[::2], cuts[1::2]))
    return XrefPlan(tuple((a, b) for a, b in runs), raw, tuple(_deflate_alone(r) for r in raw))


def _xref_data(plan: XrefPlan, offsets: dict[int, int]) -> bytes:
    """The zlib stream of every entry: the constant runs as compressed once, the slots' entries now."""
    pieces, adler = [b"\x78\x9c"], 1
    for i, (first, count) in enumerate(plan.runs):
        pieces.append(plan.deflated[i])
        adler = zlib.adler32(plan.raw[i], adler)
        rows = b"".join(ROW.pack(1, offsets[n], 0) if n in offsets else ROW.pack(0, 0, 0)
                        for n in range(first, first + count))
        pieces.append(_deflate_alone(rows))
        adler = zlib.adler32(rows, adler)
    pieces.append(plan.deflated[-1])
    adler = zlib.adler32(plan.raw[-1], adler)
    pieces.append(zlib.compressobj(6, zlib.DEFLATED, -15).flush())  # the final, empty block
    return b"".join(pieces) + struct.pack(">I", adler)


def serialise(value) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, (int, float)):
        return linefont._num(value)
    if isinstance(value, Ref):
        return b"%d 0 R" % value.num
    if isinstance(value, pikepdf.Name):
        return value.unparse()
    if isinstance(value, str):
        return text_string(value)
    if isinstance(value, (list, tuple)):
        return b"[" + b" ".join(serialise(v) for v in value) + b"]"
    if isinstance(value, dict):
        return b"<<" + b"".join(b"/" + k.encode() + b" " + serialise(v) for k, v in value.items()) + b">>"
    raise TypeError(type(value))


def text_string(text: str) -> bytes:
    """A PDF text string: literal when printable ASCII, else UTF-16BE with a byte order mark."""
    if all(32 <= ord(c) < 127 for c in text):
        return b"(" + text.encode().replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass(frozen=True)
class Ref:
    num: int


def stream(entries: dict, data: bytes, compress: bool = True) -> bytes:
    if compress:
        data, entries = linefont.deflate(data), {**entries, "Filter": pikepdf.Name.FlateDecode}
    return serialise({**entries, "Length": len(data)}) + b"\nstream\n" + data + b"\nendstream"


def splice(skeleton: Skeleton, objects: dict[int, bytes], document_id: bytes, note: bytes = b"") -> bytes:
    """The header, `note`, the skeleton's constant bytes, then `objects`, then a cross-reference stream.

    `note` is a comment line (`%...` and a newline) exactly as long as the skeleton reserved.
    """
    if len(note) != skeleton.note or (note and not (note.startswith(b"%") and note.index(b"\n") == len(note) - 1)):
        raise ValueError(f"the note must be one comment line of {skeleton.note} bytes")
    out = [skeleton.head, note, skeleton.constant]
    offset = len(skeleton.head) + len(note) + len(skeleton.constant)
    offsets = {}
    for num in sorted(objects):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (num, objects[num])
        offsets[num] = offset
        out.append(chunk)
        offset += len(chunk)
    offsets[skeleton.xref_num] = offset
    data = _xref_data(skeleton.xref, offsets)
    trailer = serialise({"Type": pikepdf.Name.XRef, "Size": skeleton.size, "W": [1, 4, 2],
                          "Root": Ref(skeleton.root), "Info": Ref(skeleton.info),
                          "Filter": pikepdf.Name.FlateDecode, "Length": len(data)})
    ident = b"<" + document_id.hex().upper().encode() + b">"
    trailer = trailer[:-2] + b"/ID [" + ident + b" " + ident + b"]>>"
    out.append(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (skeleton.xref_num, trailer, data))
    out.append(b"startxref\n%d\n%%%%EOF\n" % offset)
    return b"".join(out)
