"""Look at the document the way Word shows it, with python-docx: number its paragraphs, note their styles
and shading, and take out what the magazine cannot hold, saying where.

pandoc converts the rest, but it drops these silently (or, for a paragraph holding a text box, drops the
paragraph's own words too), and it cannot say where anything was. So each paragraph gets an invisible
marker, `\\uFDD0N\\uFDD1` (Unicode non-characters, never in real text), that survives the conversion and
tells the converter which paragraph a piece of output came from.
"""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from pressroom.wordimport.docx_reader import Refused
from pressroom.wordimport.findings import Finding, grouped

MARK_OPEN, MARK_CLOSE = "\ufdd0", "\ufdd1"
MARKER = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
}
DIAGRAM = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
PICTURE = "http://schemas.openxmlformats.org/drawingml/2006/picture"
NO_FILL = {None, "", "auto", "FFFFFF", "ffffff"}

DROPPED = {
    "tracked": ("tracked changes: the text is imported as if every change were accepted", "import.tracked-changes"),
    "comment": ("comment dropped (comments are not printed)", "import.comment"),
    "equation": ("equation dropped (the magazine cannot print Word equations); write it in words or as an image",
                 "import.equation"),
    "textbox": ("text box dropped, with its text; move the text into the article (or into a box, see the guide)",
                "import.text-box"),
    "smartart": ("SmartArt dropped; save it as a picture and insert the picture", "import.smartart"),
    "chart": ("chart dropped (an embedded chart is not a picture); save it as a picture and insert that",
              "import.chart"),
    "object": ("embedded object dropped; insert a picture of it instead", "import.object"),
    "shape": ("drawing shape dropped; save it as a picture and insert the picture", "import.shape"),
    "page": ("page break dropped (the magazine lays out its own pages)", "import.break"),
    "section": ("section break dropped (the magazine lays out its own pages)", "import.break"),
    "colour": ("text colour dropped (direct formatting; the magazine's styles decide colours)", "import.formatting"),
    "font": ("font dropped (direct formatting; the magazine uses its own fonts)", "import.formatting"),
    "size": ("font size dropped (direct formatting)", "import.formatting"),
    "highlight": ("highlighting dropped (direct formatting); use bold for what matters", "import.formatting"),
    "underline": ("underline dropped (direct formatting); use italic or bold", "import.formatting"),
}


@dataclass(frozen=True)
class ParagraphInfo:
    number: int
    style: str
    shaded: bool  # the paragraph or its table cell has a fill or a border: a box drawn by hand


@dataclass(frozen=True)
class Scan:
    prepared: bytes  # the package pandoc reads: markers in, dropped elements out
    paragraphs: dict[int, ParagraphInfo]
    findings: tuple[Finding, ...]


def scan(clean: bytes) -> Scan:
    try:
        document = docx.Document(io.BytesIO(clean))
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise Refused(f"cannot be read as a Word document ({exc})", "import.unreadable") from None
    body = document.element.body
    drops: dict[tuple[str, str], list[int]] = {}
    paragraphs: dict[int, ParagraphInfo] = {}
    number = 0
    for p in list(body.iter(qn("w:p"))):
        if _inside(p, "w:txbxContent"):
            continue
        number += 1
        kinds = _strip(p) + _formatting(Paragraph(p, document.part))
        for kind in kinds:
            drops.setdefault(DROPPED[kind], []).append(number)
        paragraphs[number] = ParagraphInfo(number, _style_name(p, document), _shaded(p))
        _mark(p, number)
    out = io.BytesIO()
    document.save(out)
    return Scan(out.getvalue(), paragraphs, tuple(grouped(drops)))


def _x(element, expression: str) -> list:
    """XPath with the namespaces of drawings and markup compatibility, which python-docx's own map lacks."""
    return _compiled(expression)(element)


@functools.lru_cache(maxsize=64)
def _compiled(expression: str) -> etree.XPath:
    return etree.XPath(expression, namespaces=NS)


def _inside(element, tag: str) -> bool:
    return any(a.tag == qn(tag) for a in element.iterancestors())


def _remove(element) -> None:
    element.getparent().remove(element)


def _strip(p) -> list[str]:
    """Take out what is dropped; return the kinds found, in the order a reader meets them."""
    kinds: list[str] = []
    def x(expression):
        return _x(p, expression)

    if x(".//w:ins | .//w:del | .//w:moveFrom | .//w:moveTo | .//w:rPrChange | .//w:pPrChange"):
        kinds.append("tracked")
    if x(".//w:commentRangeStart | .//w:commentReference"):
        kinds.append("comment")
    for math in x("./m:oMathPara | .//m:oMath[not(ancestor::m:oMathPara)]"):
        kinds.append("equation")
        _remove(math)
    for alternate in x(".//mc:AlternateContent"):
        kind = _drawing_kind(alternate)
        if kind:
            kinds.append(kind)
            _remove(alternate)
    for drawing in x(".//w:drawing | .//w:pict | .//w:object"):
        kind = _drawing_kind(drawing)
        if kind:
            kinds.append(kind)
            _remove(drawing)
    for brk in x(".//w:br[@w:type='page' or @w:type='column'] | ./w:pPr/w:pageBreakBefore"):
        kinds.append("page")
        _remove(brk)
    if x("./w:pPr/w:sectPr"):
        kinds.append("section")
    return list(dict.fromkeys(kinds))


def _drawing_kind(element) -> str | None:
    """What a drawing holds, when it is anything but a plain picture (pictures carry over)."""
    def x(expression):
        return _x(element, expression)

    if x(".//w:txbxContent | .//v:textbox"):
        return "textbox"
    if element.tag == qn("w:object") or x(".//w:object"):
        return "object"
    uris = set(x(".//a:graphicData/@uri"))
    if DIAGRAM in uris:
        return "smartart"
    if CHART in uris or any(u.endswith("/chart") or "chartex" in u for u in uris):
        return "chart"
    if element.tag == qn("w:drawing") and uris and uris != {PICTURE}:
        return "shape"
    if element.tag == qn("w:pict") and not x(".//v:imagedata"):
        return "shape"
    return None


def _formatting(paragraph: Paragraph) -> list[str]:
    kinds = []
    for r in paragraph._p.iter(qn("w:r")):
        font = Run(r, paragraph).font
        if font.color is not None and font.color.type is not None and str(font.color.rgb or "") not in ("000000",):
            kinds.append("colour")
        if font.name is not None or _x(r, "./w:rPr/w:rFonts[@w:cs or @w:eastAsia]"):
            kinds.append("font")
        if font.size is not None:
            kinds.append("size")
        if font.highlight_color is not None or _x(r, "./w:rPr/w:shd[@w:fill and @w:fill!='auto']"):
            kinds.append("highlight")
        if font.underline and not _x(r, "ancestor::w:hyperlink"):
            kinds.append("underline")
    return list(dict.fromkeys(kinds))


def _style_name(p, document) -> str:
    try:
        return Paragraph(p, document.part).style.name or ""
    except (KeyError, ValueError, AttributeError):
        return ""


def _shaded(p) -> bool:
    fills = _x(p, "./w:pPr/w:shd/@w:fill | ancestor::w:tc[1]/w:tcPr/w:shd/@w:fill")
    return any(fill not in NO_FILL for fill in fills) or bool(_x(p, "./w:pPr/w:pBdr"))


def _mark(p, number: int) -> None:
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = f"{MARK_OPEN}{number}{MARK_CLOSE}"
    run.append(text)
    ppr = p.find(qn("w:pPr"))
    p.insert(1 if ppr is not None else 0, run)
