"""The stamp on the master: a template prepared once with pikepdf, then each copy spliced from bytes.

Rewriting a 120-page tagged master with qpdf costs ~100 ms a copy (its structure
tree alone is 20,000 objects), too slow for thousands of students.  So pikepdf
prepares the master once: every page gets a `q` before its content and, after
it, an overlay stream that draws three placeholder form XObjects (the licence
line, the page mark with the copy id as a QR code, and the optional diagonal
watermark) as artifacts.  A copy is then the template's unchanged objects byte
for byte, the placeholders serialised for that student (forms, subset fonts,
info, XMP) and a new cross-reference stream: a single revision whose bytes
depend only on the master and the student, with nothing left of the unstamped
pages to recover.  The copy id is also in a comment right after the header
(HEADER_NOTE), so that the first kilobyte of a truncated copy still names it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

import pikepdf

from pressroom.copies import linefont, pagemark, pdfsplice
from pressroom.copies.pdfsplice import Ref, serialise, stream, text_string

MM = 72 / 25.4
LINE_SIZE = 6.5          # points; small but legible
TWO_LINE_BELOW = 4.0     # a line that would need a smaller size is set in two lines instead
BASELINE = 5.3 * MM      # above the trim edge: the 4–8 mm band below the running foot (11–14 mm)
SIDE_MARGIN = pagemark.LEFT_EDGE + 2 * MM  # the line, centred, ends 2 mm before the page mark
LINE_GREY, MARK_GREY, MARK_OPACITY = 0.3, 0.5, 0.08
MARK_WIDTH = 1000        # the mark form is drawn this wide, and scaled to the page by the overlay stream
FONT_RESOURCES = {"latin": "PRL", "deva": "PRD"}
PLACEHOLDERS = {"line": "PRESSROOM0LINE", "copy_id": "PRESSROOM0COPYID", "licensee": "PRESSROOM0LICENSEE"}
HEADER_NOTE = "%PressroomCopy {copy_id}\n"  # a PDF comment: every copy id has 19 characters, so every note 35
NOTE_BYTES = len(HEADER_NOTE.format(copy_id="XXXX-XXXX-XXXX-XXXX"))


@dataclass(frozen=True)
class FontSlots:
    type0: int
    cidfont: int
    descriptor: int
    fontfile: int
    to_unicode: int
    cid_to_gid: int


@dataclass(frozen=True)
class Template:
    """The master, prepared: everything a worker needs to splice a copy without pikepdf."""

    skeleton: pdfsplice.Skeleton  # the bytes that are the same in every copy
    line: int                     # slot object numbers
    code: int
    mark: int | None
    metadata: int
    fonts: dict[str, FontSlots]
    info_entries: bytes           # the master's /Info entries, serialised
    xmp: bytes                    # the master's XMP with PLACEHOLDERS in it
    line_width: float             # points available to the licence line on the narrowest page
    pages: int


# --------------------------------------------------------------------------- preparing the template


def _display_matrix(box, rotate: int) -> tuple[list[float], float, float]:
    """The cm that makes the page's displayed bottom-left the origin, and the displayed width and height."""
    x0, y0, x1, y1 = (float(v) for v in box)
    w, h = x1 - x0, y1 - y0
    return {0: ([1, 0, 0, 1, x0, y0], w, h), 90: ([0, 1, -1, 0, x1, y0], h, w),
            180: ([-1, 0, 0, -1, x1, y1], w, h), 270: ([0, -1, 1, 0, x0, y1], h, w)}[rotate % 360]


def _overlay_ops(box, rotate: int, mark_name: str | None, line_name: str, code_name: str) -> bytes:
    matrix, width, height = _display_matrix(box, rotate)
    ops = [b"Q", b"q", b"%s cm" % b" ".join(linefont._num(v) for v in matrix)]
    if mark_name:
        angle = math.atan2(height, width)
        scale = 0.6 * math.hypot(width, height) / MARK_WIDTH
        c, s = math.cos(angle), math.sin(angle)
        rotate_cm = b" ".join(linefont._num(v) for v in (c * scale, s * scale, -s * scale, c * scale,
                                                             width / 2, height / 2))
        ops += [b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC",
                b"q %s cm /%s Do Q" % (rotate_cm, mark_name.encode()), b"EMC"]
    code_x, code_y = pagemark.origin(width)
    ops += [b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC",
            b"q 1 0 0 1 %s %s cm /%s Do Q" % (linefont._num(width / 2), linefont._num(BASELINE), line_name.encode()),
            b"q 1 0 0 1 %s %s cm /%s Do Q" % (linefont._num(code_x), linefont._num(code_y), code_name.encode()),
            b"EMC", b"Q", b""]
    return b"\n".join(ops)


def _free_name(existing, wanted: str) -> str:
    name, n = wanted, 1
    while pikepdf.Name("/" + name) in existing:
        name, n = f"{wanted}{n}", n + 1
    return name


def _own_resources(page: pikepdf.Page) -> pikepdf.Dictionary:
    """The page's /Resources, copied down from an ancestor if inherited, so adding to it touches only pages."""
    if "/Resources" not in page.obj:
        node = page.obj
        while "/Resources" not in node and "/Parent" in node:
            node = node.Parent
        page.obj.Resources = pikepdf.Dictionary(dict(node.get("/Resources", pikepdf.Dictionary()).items()))
    return page.obj.Resources


def _font_placeholders(pdf: pikepdf.Pdf) -> pikepdf.Object:
    def stream():
        return pikepdf.Stream(pdf, b" ")
    descriptor = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontFile2=stream()))
    cidfont = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, FontDescriptor=descriptor,
                                                   CIDToGIDMap=stream()))
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, DescendantFonts=pikepdf.Array([cidfont]),
                                                ToUnicode=stream()))


def prepare(master: bytes, watermark: bool) -> Template:
    pdf = pikepdf.open(io.BytesIO(master))
    if not any(e.type == 2 for e in pdf.get_xref_table().values()):
        # Placeholders must be top-level objects; with object streams in place, qpdf keeps new ones out of them.
        buffer = io.BytesIO()
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        pdf = pikepdf.open(io.BytesIO(buffer.getvalue()))
    fonts = pikepdf.Dictionary({"/" + FONT_RESOURCES[k]: _font_placeholders(pdf) for k in FONT_RESOURCES})
    form = dict(Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 1, 1],
                Resources=pikepdf.Dictionary(Font=fonts))
    line = pikepdf.Stream(pdf, b" ", **form)
    code = pikepdf.Stream(pdf, b" ", Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 1, 1])
    diagonal = pikepdf.Stream(pdf, b" ", **form) if watermark else None
    start = pdf.make_indirect(pikepdf.Stream(pdf, b"q\n"))
    overlays: dict[tuple, pikepdf.Object] = {}
    widths = []
    for page in pdf.pages:
        resources = _own_resources(page)
        if "/XObject" not in resources:
            resources.XObject = pikepdf.Dictionary()
        xobjects = resources.XObject
        line_name = _free_name(xobjects, "PRLine")
        xobjects[pikepdf.Name("/" + line_name)] = line
        code_name = _free_name(xobjects, "PRCode")
        xobjects[pikepdf.Name("/" + code_name)] = code
        mark_name = None
        if diagonal is not None:
            mark_name = _free_name(xobjects, "PRMark")
            xobjects[pikepdf.Name("/" + mark_name)] = diagonal
        box, rotate = tuple(float(v) for v in page.trimbox), int(page.obj.get("/Rotate", 0))
        key = (box, rotate, line_name, mark_name, code_name)
        if key not in overlays:
            overlays[key] = pdf.make_indirect(pikepdf.Stream(pdf, _overlay_ops(box, rotate, mark_name, line_name,
                                                                              code_name)))
        widths.append(_display_matrix(box, rotate)[1] - 2 * SIDE_MARGIN)
        contents = page.obj.get("/Contents")
        existing = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        page.obj.Contents = pikepdf.Array([start, *existing, overlays[key]])
    info = pdf.trailer.get("/Info")
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(dict(info.items()) if info is not None else {}))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:rights"] = PLACEHOLDERS["line"]
        meta["pdfx:CopyID"] = PLACEHOLDERS["copy_id"]
        meta["pdfx:LicensedTo"] = PLACEHOLDERS["licensee"]
        meta["xmpRights:Marked"] = "True"
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.preserve, static_id=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return _index(buffer.getvalue(), min(widths), watermark)


def _index(data: bytes, line_width: float, watermark: bool) -> Template:
    """Find the placeholders in the saved template and cut it into constant bytes and slots."""
    pdf = pikepdf.open(io.BytesIO(data))
    xobjects = pdf.pages[0].Resources.XObject
    line = next(v for k, v in xobjects.items() if k.startswith("/PRLine"))
    code = next(v for k, v in xobjects.items() if k.startswith("/PRCode"))
    mark = next((v for k, v in xobjects.items() if k.startswith("/PRMark")), None)
    fonts = {}
    for key, res in FONT_RESOURCES.items():
        type0 = line.Resources.Font[pikepdf.Name("/" + res)]
        cid = type0.DescendantFonts[0]
        fonts[key] = FontSlots(type0.objgen[0], cid.objgen[0], cid.FontDescriptor.objgen[0],
                               cid.FontDescriptor.FontFile2.objgen[0], type0.ToUnicode.objgen[0],
                               cid.CIDToGIDMap.objgen[0])
    info, metadata = pdf.trailer.Info.objgen[0], pdf.Root.Metadata.objgen[0]
    xmp = pdf.Root.Metadata.read_bytes()
    info_entries = b" ".join(pikepdf.Name(k).unparse() + b" " + v.unparse(resolved=True)
                             for k, v in pdf.trailer.Info.items())
    slots = {line.objgen[0], code.objgen[0], info, metadata} | ({mark.objgen[0]} if mark is not None else set())
    for f in fonts.values():
        slots |= set(vars(f).values())
    line_num, mark_num, pages = line.objgen[0], mark.objgen[0] if mark is not None else None, len(pdf.pages)
    skeleton = pdfsplice.cut(data, pdf.get_xref_table(), int(pdf.trailer.Size), pdf.Root.objgen[0], info, slots,
                             NOTE_BYTES)
    code_num = code.objgen[0]
    pdf.close()
    return Template(skeleton, line_num, code_num, mark_num, metadata, fonts, info_entries, xmp, line_width, pages)


# --------------------------------------------------------------------------- each copy


@dataclass(frozen=True)
class Licence:
    """What one copy says: the visible line, the mark, and the identifiers behind them."""

    lines: tuple[str, ...]        # one line, or two when one would not fit
    mark: str                     # the diagonal watermark text (the student's name)
    copy_id: str
    document_id: bytes            # 16 bytes for /ID
    licensee: str                 # "NAME · STUDENT_ID · EMAIL", for the metadata


def _font_objects(slots: FontSlots, program: linefont.FontProgram, use: linefont.FontUse) -> dict[int, bytes]:
    name = pikepdf.Name(f"/{linefont.subset_tag(program, use)}+{program.name}")
    font = program.subset({gid for gid, _, _ in use.cids})
    d = program.descriptor
    return {
        slots.type0: serialise({"Type": pikepdf.Name.Font, "Subtype": pikepdf.Name.Type0, "BaseFont": name,
                                 "Encoding": pikepdf.Name("/Identity-H"), "DescendantFonts": [Ref(slots.cidfont)],
                                 "ToUnicode": Ref(slots.to_unicode)}),
        slots.cidfont: serialise({"Type": pikepdf.Name.Font, "Subtype": pikepdf.Name.CIDFontType2, "BaseFont": name,
                                   "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0},
                                   "FontDescriptor": Ref(slots.descriptor), "DW": 0,
                                   "W": linefont.widths(use) if use.cids else [],
                                   "CIDToGIDMap": Ref(slots.cid_to_gid)}),
        slots.descriptor: serialise({"Type": pikepdf.Name.FontDescriptor, "FontName": name, "Flags": 4,
                                      "FontBBox": d["bbox"], "ItalicAngle": 0, "Ascent": d["ascent"],
                                      "Descent": d["descent"], "CapHeight": d["cap"], "StemV": 80,
                                      "FontFile2": Ref(slots.fontfile)}),
        slots.fontfile: stream({"Length1": len(font)}, font),
        slots.to_unicode: stream({}, linefont.to_unicode(use)),
        slots.cid_to_gid: stream({}, linefont.cid_to_gid(use)),
    }


def _layout(fonts: linefont.Fonts, lines: tuple[str, ...], width: float):
    """(size, [(shaped, x, y)]): centred on the form's origin, the first baseline at 0."""
    shaped = [fonts.shape(text) for text in lines]
    widest = max(s.width for s in shaped) or 1
    size = min(LINE_SIZE if len(lines) == 1 else TWO_LINE_BELOW, width * 1000 / widest)
    leading = size * 1.15
    placed = [(s, -s.width * size / 2000, (len(lines) - 1 - i) * leading - (len(lines) - 1) * leading / 2)
              for i, s in enumerate(shaped)]
    return size, placed


def fit_lines(fonts: linefont.Fonts, single: str, split: tuple[str, str], width: float) -> tuple[str, ...]:
    """The licence as one line if it fits at TWO_LINE_BELOW points or more, else as two."""
    return (single,) if fonts.shape(single).width * TWO_LINE_BELOW / 1000 <= width else split


def render(template: Template, fonts: linefont.Fonts, licence: Licence) -> bytes:
    size, placed = _layout(fonts, licence.lines, template.line_width)
    mark = fonts.shape(licence.mark) if template.mark is not None else None
    uses = linefont.font_uses([s for s, _, _ in placed] + ([mark] if mark else []), list(FONT_RESOURCES))
    resources = {"Font": {FONT_RESOURCES[k]: Ref(template.fonts[k].type0) for k in FONT_RESOURCES}}
    half = max(s.width for s, _, _ in placed) * size / 2000 + 2
    # A white ground under the text: invisible on a white margin, it keeps the line legible on a page that
    # is dark to its edge, such as the back cover.
    low = min(y for _, _, y in placed) - 0.45 * size - 1
    high = max(y for _, _, y in placed) + 1.15 * size + 1
    ops = [b"q 1 g %s re f Q" % b" ".join(linefont._num(v) for v in (-half - 1, low, 2 * half + 2, high - low)),
           b"q %s g" % linefont._num(LINE_GREY)]
    ops += [linefont.text_operators(s, size, x, y, FONT_RESOURCES, uses) for s, x, y in placed]
    ops.append(b"Q")
    objects = {template.line: stream({"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Form,
                                       "BBox": [-half, -3 * size, half, 3 * size], "Resources": resources},
                                      b"\n".join(ops)),
               template.code: stream({"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Form,
                                       "BBox": [0, 0, pagemark.GROUND, pagemark.GROUND]},
                                      pagemark.form_content(licence.copy_id))}
    if mark is not None:
        mark_size = min(MARK_WIDTH * 1000 / (mark.width or 1), MARK_WIDTH / 8)
        x = -mark.width * mark_size / 2000
        y = -fonts.programs["latin"].descriptor["cap"] * mark_size / 2000
        ops = b"q /PRGS gs %s g\n%s\nQ" % (linefont._num(MARK_GREY),
                                           linefont.text_operators(mark, mark_size, x, y, FONT_RESOURCES, uses))
        gs = {"PRGS": {"Type": pikepdf.Name.ExtGState, "ca": MARK_OPACITY, "CA": MARK_OPACITY}}
        objects[template.mark] = stream({"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Form,
                                          "BBox": [-MARK_WIDTH, -MARK_WIDTH / 2, MARK_WIDTH, MARK_WIDTH / 2],
                                          "Resources": {**resources, "ExtGState": gs}}, ops)
    for key, use in uses.items():
        objects.update(_font_objects(template.fonts[key], fonts.programs[key], use))
    objects[template.skeleton.info] = (b"<<" + template.info_entries + b" /CopyID " + text_string(licence.copy_id)
                              + b" /LicensedTo " + text_string(licence.licensee) + b">>")
    xmp = template.xmp
    for key, value in (("line", " ".join(licence.lines)), ("copy_id", licence.copy_id),
                       ("licensee", licence.licensee)):
        xmp = xmp.replace(PLACEHOLDERS[key].encode(), escape(value).encode())
    objects[template.metadata] = stream({"Type": pikepdf.Name.Metadata, "Subtype": pikepdf.Name.XML}, xmp,
                                         compress=False)
    note = HEADER_NOTE.format(copy_id=licence.copy_id).encode("ascii")
    return pdfsplice.splice(template.skeleton, objects, licence.document_id, note)


