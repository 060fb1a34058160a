"""Join the PDFs of an edition's chunks into one document with pikepdf.

Concatenating pages loses what WeasyPrint builds for a whole document, so it is
rebuilt here:
- named destinations (every anchor, at the page and point WeasyPrint put it),
  which the links of every chunk already name: links across chunks resolve;
- the outline, chunk after chunk (sections with their articles, then the
  practice questions, the answer key and the index);
- the tagged structure (PDF/UA): one Document element holding every chunk's
  elements in order, and one parent tree, with each page's /StructParents and
  each annotation's /StructParent renumbered into it;
- each font once (fontmerge.py): the chunks' subsets of one shipped font are
  replaced by one subset holding all their glyphs.
Everything else (catalog, metadata, XMP, language) comes from the first chunk,
whose head is the edition's.  The output depends only on the chunk PDFs.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name


@dataclass(frozen=True)
class Part:
    data: bytes
    anchors: tuple[str, ...]  # the chunk's own anchors; any other named destination in it is a stand-in


def stitch(parts: list[Part], tagged: bool, originals: dict | None = None) -> bytes:
    """One PDF of the chunks' PDFs; `originals` (base font name -> (shipped file, .notdef drawn)) lets
    the copies of a font in several chunks be merged into one (fontmerge.py)."""
    base = pikepdf.open(io.BytesIO(parts[0].data))
    sources = [base] + [pikepdf.open(io.BytesIO(p.data)) for p in parts[1:]]
    struct = _StructMerger(base) if tagged and "/StructTreeRoot" in base.Root else None
    names: dict[str, object] = {}
    outline: list[tuple] = []
    for index, (part, src) in enumerate(zip(parts, sources)):
        first_page = len(base.pages) if index else 0
        if index:
            if struct is not None:
                _detach_structure(src)
            with warnings.catch_warnings():  # named destinations are rebuilt below
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                                      else UserWarning)
                base.pages.extend(src.pages)
        pages = list(base.pages)[first_page:first_page + len(src.pages)]
        copy = (lambda obj: obj) if index == 0 else _copier(base)
        if struct is not None:
            struct.add(src, copy, pages)
        own = set(part.anchors)
        for name, dest in _name_tree_items(src):
            if name in own and name not in names:
                names[name] = copy(dest)
        outline += _outline_items(src, copy)
    _write_names(base, names)
    _write_outline(base, outline)
    if struct is not None:
        struct.finish()
    if originals:
        from pressroom.fast import fontmerge

        fontmerge.merge_fonts(base, originals)
    out = io.BytesIO()
    base.save(out, deterministic_id=True, compress_streams=True,
              object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _copier(base: pikepdf.Pdf):
    """Copy objects of another PDF into `base`: indirect ones by reference (each once), direct ones by value."""
    def copy(obj):
        if isinstance(obj, pikepdf.Object) and obj.is_indirect:
            return base.copy_foreign(obj)
        if isinstance(obj, Array):
            return Array([copy(item) for item in obj])
        if isinstance(obj, Dictionary):
            return Dictionary({key: copy(value) for key, value in obj.items()})
        return obj

    return copy


# --------------------------------------------------------------------------- named destinations

def _name_tree_items(pdf: pikepdf.Pdf):
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return list(pikepdf.NameTree(names.Dests).items())


def _write_names(base: pikepdf.Pdf, names: dict) -> None:
    flat = Array()
    for name in sorted(names):  # a flat name tree must be sorted by key
        flat.append(pikepdf.String(name))
        flat.append(names[name])
    base.Root.Names = Dictionary(Dests=base.make_indirect(Dictionary(Names=flat)))


# --------------------------------------------------------------------------- outline

def _outline_items(pdf: pikepdf.Pdf, copy) -> list[tuple]:
    """[(title, destination, children, open)] of the chunk's outline, destinations copied into the target."""
    root = pdf.Root.get("/Outlines")

    def walk(item):
        out = []
        while item is not None:
            children = walk(item.get("/First"))
            out.append((item.Title, copy(item.Dest), children, int(item.get("/Count", 0)) >= 0))
            item = item.get("/Next")
        return out

    return walk(root.get("/First")) if root is not None else []


def _write_outline(base: pikepdf.Pdf, items: list[tuple]) -> None:
    if "/Outlines" in base.Root:
        del base.Root["/Outlines"]
    if not items:
        return
    root = base.make_indirect(Dictionary(Type=Name.Outlines))

    def build(entries, parent) -> int:
        made, visible = [], len(entries)
        for title, dest, children, is_open in entries:
            node = base.make_indirect(Dictionary(Title=title, Dest=dest, Parent=parent))
            count = build(children, node)
            node.Count = count if is_open else -count
            if is_open:
                visible += count
            if made:
                node.Prev = made[-1]
                made[-1].Next = node
            made.append(node)
        if made:
            parent.First, parent.Last = made[0], made[-1]
        return visible

    root.Count = build(items, root)
    base.Root.Outlines = root


# --------------------------------------------------------------------------- structure tree

def _detach_structure(src: pikepdf.Pdf) -> None:
    """Cut the links from a chunk's elements up to its own root, so copying them does not copy the root."""
    tree = src.Root.get("/StructTreeRoot")
    if tree is None:
        return
    for document in _as_list(tree.get("/K")):
        for kid in _as_list(document.get("/K")):
            if isinstance(kid, Dictionary) and "/P" in kid:
                del kid["/P"]


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


class _StructMerger:
    def __init__(self, base: pikepdf.Pdf):
        self.base = base
        self.root = base.Root.StructTreeRoot
        documents = _as_list(self.root.K)
        self.document = documents[0]
        self.kids = Array()
        self.nums: list[tuple[int, object]] = []
        self.next_key = 0

    def add(self, src: pikepdf.Pdf, copy, pages: list) -> None:
        tree = src.Root.get("/StructTreeRoot")
        if tree is None:
            raise ValueError("a chunk of a tagged edition has no structure tree")
        offset = self.next_key
        for document in _as_list(tree.get("/K")):
            for kid in _as_list(document.get("/K")):
                kid = copy(kid)
                if isinstance(kid, Dictionary):
                    kid.P = self.document
                self.kids.append(kid)
        nums = _number_tree_items(tree.ParentTree)
        for key, value in nums:
            if isinstance(value, (Array, Dictionary)) and not value.is_indirect:
                value = src.make_indirect(value)  # copied whole by QPDF, not element by element here
            self.nums.append((key + offset, copy(value)))
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annot in page.obj.get("/Annots", []):
                if "/StructParent" in annot:
                    annot.StructParent = int(annot.StructParent) + offset
        self.next_key = offset + (max(key for key, _ in nums) + 1 if nums else 0)

    def finish(self) -> None:
        self.document.K = self.kids
        flat = Array()
        for key, value in sorted(self.nums, key=lambda kv: kv[0]):
            flat.append(key)
            flat.append(value)
        self.root.ParentTree = self.base.make_indirect(Dictionary(Nums=flat))
        self.root.ParentTreeNextKey = self.next_key


def _number_tree_items(tree) -> list[tuple[int, object]]:
    out = []
    if "/Nums" in tree:
        nums = tree.Nums
        out += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in tree.get("/Kids", []):
        out += _number_tree_items(kid)
    return out
