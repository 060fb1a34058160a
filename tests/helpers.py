"""Reading built outputs the way a reader's tools do: poppler's pdftotext, pikepdf, the EPUB zip.

And reading the edition's source independently of pressroom, so that expectations
do not come from the code under test.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

MM = 72 / 25.4


# --------------------------------------------------------------------------- edition source (independent of pressroom)

@dataclass(frozen=True)
class SourceArticle:
    path: Path
    slug: str
    meta: dict
    body: str

    @property
    def title(self) -> str:
        return self.meta["title"]

    @property
    def topic(self) -> str:
        return self.meta.get("topic") or ""


@dataclass(frozen=True)
class SourceSection:
    id: str
    label: str
    title: str
    articles: tuple[SourceArticle, ...]


def read_source(edition_dir: Path) -> tuple[dict, dict, list[SourceSection]]:
    """(brand, edition meta, sections in edition order with their articles in file-name order)."""
    brand = yaml.safe_load((edition_dir.parent / "brand.yaml").read_text(encoding="utf-8"))
    meta = yaml.safe_load((edition_dir / "edition.yaml").read_text(encoding="utf-8"))
    sections = []
    for s in meta["sections"]:
        articles = []
        for path in sorted((edition_dir / s["id"]).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            _, front, body = text.split("---\n", 2)
            slug = re.sub(r"^\d+-", "", path.stem)
            articles.append(SourceArticle(path, slug, yaml.safe_load(front), body))
        sections.append(SourceSection(s["id"], s["label"], s["title"], tuple(articles)))
    return brand, meta, sections


# --------------------------------------------------------------------------- text normalisation

# The typographer turns typed quotes, dashes and dots into these; comparisons of words fold them back
# (on both sides, so a curly quote typed in the source still matches). test_print_finish.py checks them.
TYPED = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "--", "—": "---", "…": "..."})


def typed(text: str) -> str:
    return text.translate(TYPED)


def squash(text: str) -> str:
    """Text with every kind of white space and line-end hyphen removed, in NFC, with the typographer's quotes and
    dashes as typed: compares what a reader reads."""
    text = unicodedata.normalize("NFC", typed(text))
    return re.sub(r"[\s\u00ad\u2010]+", "", text)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", typed(text)).strip()


def plain_markdown(text: str) -> str:
    """Inline Markdown to the words a reader sees (emphasis, code marks and link targets removed)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text)


# --------------------------------------------------------------------------- PDF text with poppler

def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout


@functools.lru_cache(maxsize=16)
def pdf_pages_text(pdf: Path, layout: bool = False) -> tuple[str, ...]:
    """pdftotext of each page (index 0 is page 1)."""
    out = _run(["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8", str(pdf), "-"])
    pages = out.split("\f")
    return tuple(pages[:-1] if pages and not pages[-1].strip() else pages)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the top of the page, like pdftotext
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    words: tuple[Word, ...]

    def in_box(self, x0: float, y0: float, x1: float, y1: float) -> list[Word]:
        """Words whose centre lies inside the box (top-left origin), in reading order."""
        found = [w for w in self.words
                 if x0 <= (w.x0 + w.x1) / 2 <= x1 and y0 <= (w.y0 + w.y1) / 2 <= y1]
        return sorted(found, key=lambda w: (round(w.y0), w.x0))


@functools.lru_cache(maxsize=16)
def pdf_words(pdf: Path) -> tuple[Page, ...]:
    out = _run(["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf), "-"])
    pages = []
    for match in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S):
        words = tuple(Word(html.unescape(m[5]), float(m[1]), float(m[2]), float(m[3]), float(m[4]))
                      for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                                           r'yMax="([\d.]+)">(.*?)</word>', match[3]))
        pages.append(Page(float(match[1]), float(match[2]), words))
    return tuple(pages)


def pdffonts(pdf: Path) -> list[dict]:
    """pdffonts rows as {name, emb, sub, uni}; names have no spaces, the last five columns are fixed."""
    rows = _run(["pdffonts", str(pdf)]).splitlines()[2:]
    out = []
    for row in rows:
        tokens = row.split()
        out.append({"name": tokens[0], "emb": tokens[-5], "sub": tokens[-4], "uni": tokens[-3], "row": row})
    return out


# --------------------------------------------------------------------------- glyphs drawn in a PDF

@dataclass
class FontUse:
    name: str                 # BaseFont without the subset tag
    num_glyphs: int
    empty: frozenset[int]     # glyph ids with no outline in the embedded font
    advance: dict             # glyph id -> advance width
    drawn: dict               # glyph id -> first page (1-based) where it is drawn


def _font_use(font) -> FontUse:
    import io

    from fontTools.ttLib import TTFont

    assert font.get("/Subtype") == "/Type0" and font.get("/Encoding") == "/Identity-H", \
        f"{font.get('/BaseFont')}: expected a Type0 Identity-H font, got {font.get('/Subtype')} {font.get('/Encoding')}"
    descendant = font.DescendantFonts[0]
    program = descendant.FontDescriptor.get("/FontFile2")
    assert program is not None, f"{font.BaseFont} has no embedded TrueType program"
    tt = TTFont(io.BytesIO(program.read_bytes()))
    order = tt.getGlyphOrder()
    glyf = tt["glyf"]
    empty = frozenset(i for i, g in enumerate(order) if glyf[g].numberOfContours == 0)
    advance = {i: tt["hmtx"][g][0] for i, g in enumerate(order)}
    name = str(font.BaseFont).lstrip("/").split("+", 1)[-1]
    return FontUse(name, tt["maxp"].numGlyphs, empty, advance, {})


def drawn_glyphs(pdf_path: Path) -> dict:
    """{font object id: FontUse} for every glyph drawn by a text operator, pages and form XObjects included."""
    import pikepdf

    uses: dict = {}
    cid_maps: dict = {}

    def gids(font, data: bytes):
        key = font.objgen
        if key not in cid_maps:
            mapping = font.DescendantFonts[0].get("/CIDToGIDMap")
            cid_maps[key] = None if mapping is None or mapping == pikepdf.Name.Identity else mapping.read_bytes()
        table = cid_maps[key]
        for i in range(0, len(data) - 1, 2):
            cid = int.from_bytes(data[i:i + 2], "big")
            yield cid if table is None else int.from_bytes(table[2 * cid:2 * cid + 2], "big")

    def walk(owner, resources, page_number, seen):
        fonts = resources.get("/Font", {}) if resources is not None else {}
        xobjects = resources.get("/XObject", {}) if resources is not None else {}
        font = None
        for operands, operator in pikepdf.parse_content_stream(owner):
            op = str(operator)
            if op == "Tf":
                font = fonts[operands[0]]
                if font.objgen not in uses:
                    uses[font.objgen] = _font_use(font)
            elif op in ("Tj", "'", '"', "TJ"):
                assert font is not None, f"page {page_number}: text drawn before any font was selected"
                if op == "TJ":
                    strings = [x for x in operands[0] if isinstance(x, pikepdf.String)]
                else:
                    strings = [operands[-1]]
                use = uses[font.objgen]
                for s in strings:
                    for gid in gids(font, bytes(s)):
                        use.drawn.setdefault(gid, page_number)
            elif op == "Do":
                xobject = xobjects[operands[0]]
                if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
                    walk(xobject, xobject.get("/Resources", resources), page_number, seen | {xobject.objgen})

    with pikepdf.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            walk(page, page.obj.get("/Resources"), number, frozenset())
    return uses
