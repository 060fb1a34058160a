"""The EPUB's subset fonts, cached by the set of characters the book shows and made in parallel.

Subsetting eight fonts with every layout feature is most of an EPUB build's
time; its result depends only on the font and the set of characters, so it is
cached under that key and, when missing, made by idle print workers.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .cache import digest, tool_key

KIND = "epub-fonts"
COVER = "epub-cover"


class Subsets:
    """The EPUB's font subsets and its cover picture: from the cache, else tasks for idle workers."""

    def __init__(self, text: str, fonts_dir: Path, cache, content=None):
        self.text = text
        self.fonts_dir = fonts_dir
        self.cache = cache
        characters = "".join(sorted(set(text)))
        self.keys = {name: digest(tool_key(), KIND, name, characters) for name in font_names()}
        self.found = {name: cache.get_blob(KIND, key) for name, key in self.keys.items()}
        self.content = content
        self.cover_key = None if content is None else digest(
            tool_key(), COVER, content.brand.model_dump_json(), content.meta.model_dump_json(),
            sorted(content.palette.items()), content.devanagari)
        self.cover = None if content is None else cache.get_blob(COVER, self.cover_key)

    def tasks(self) -> list:
        # The Devanagari fonts take longest: first, so that the last tasks to finish are short.
        missing = sorted((name for name, data in self.found.items() if data is None),
                         key=lambda name: ("Devanagari" not in name, name))
        tasks = [((KIND, name), subset_font, (self.fonts_dir / f"{name}.ttf", self.text)) for name in missing]
        if self.content is not None and self.cover is None:
            tasks.append(((COVER,), cover_png, (self.content, self.fonts_dir)))
        return tasks

    def cover_png(self, results: dict) -> bytes | None:
        """The cover made beforehand (cache or worker), stored in the cache; None: epub makes it."""
        if self.cover is None and results.get((COVER,)) is not None:
            self.cover = results[(COVER,)]
            self.cache.put_blob(COVER, self.cover_key, self.cover)
        return self.cover

    def subset(self, results: dict):
        """`subset_font(path, text)` for epub.build_epub: cached, made by a worker, or made here."""

        def lookup(path: Path, text: str) -> bytes:
            name = path.stem
            data = self.found.get(name) if text == self.text else None
            if data is None:
                data = results.get((KIND, name)) if text == self.text else None
                if data is None:
                    data = subset_font(path, text)
                if text == self.text and name in self.keys:
                    self.cache.put_blob(KIND, self.keys[name], data)
                    self.found[name] = data
            return data

        return lookup

    def table(self, results: dict) -> dict[str, bytes]:
        """Every subset, from the cache or `results`; the new ones are stored in the cache."""
        out = {}
        for name, key in self.keys.items():
            data = self.found.get(name) or results.get((KIND, name))
            if data is not None and self.found.get(name) is None:
                self.cache.put_blob(KIND, key, data)
                self.found[name] = data
            out[name] = data
        return out

    def task(self, content, images, fonts_dir) -> object:
        """A worker task that packages the EPUB once every subset is ready."""
        from .chunks import Task

        missing = [(KIND, name) for name, data in self.found.items() if data is None]
        if self.cover is None:
            missing.append((COVER,))
        found, cover = dict(self.found), self.cover

        def arguments(results):
            table = {name: found.get(name) or results[(KIND, name)] for name in found}
            return (content, images, fonts_dir, functools.partial(from_table, table, self.text),
                    cover or results[(COVER,)])

        return Task("epub", package, arguments, tuple(missing), urgent=True)


def from_table(table: dict, text: str, path: Path, asked: str) -> bytes:
    """subset_font for epub.build_epub from subsets made beforehand (for this text only)."""
    if asked == text and table.get(path.stem) is not None:
        return table[path.stem]
    return subset_font(path, asked)


def font_names() -> tuple[str, ...]:
    """epub.EPUB_FONTS, read from epub.py's source: importing epub would import fontTools' subsetter and
    Pillow into a process that only waits for the workers to package the EPUB."""
    import ast

    source = Path(__file__).with_name("epub.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EPUB_FONTS" for t in node.targets):
            try:
                return tuple(ast.literal_eval(node.value))
            except ValueError:
                break
    from . import epub

    return tuple(epub.EPUB_FONTS)


def cover_png(content, fonts_dir: Path) -> bytes:
    """epub._cover_png, imported where it runs (a worker)."""
    from . import epub

    return epub._cover_png(content, fonts_dir)


def package(*args, **kwargs) -> bytes:
    """epub.build_epub, imported where it runs (a worker)."""
    from . import epub

    return epub.build_epub(*args, **kwargs)


def fast_name_scan() -> None:
    """Make fontTools' subsetter skip the lookups when it looks for the names a font still uses.

    After subsetting, fontTools walks every table that may name a `name` record (GSUB, GPOS, STAT,
    fvar, CPAL) down to the last lookup, a third of the time of subsetting a Noto font.  Names are
    only referred to from feature parameters, which live in the feature list, never in a lookup, so
    leaving the lookup lists out finds the same names and gives the same bytes; idempotent."""
    from fontTools.ttLib.tables import otTables
    from fontTools.ttLib.tables._n_a_m_e import NameRecordVisitor

    if getattr(NameRecordVisitor, "_pressroom_fast", False):
        return

    def visit(visitor, obj, attr, value):  # fontTools insists on this name
        return False

    NameRecordVisitor.register_attrs(((otTables.GSUB, ("LookupList",)), (otTables.GPOS, ("LookupList",))))(visit)

    NameRecordVisitor._pressroom_fast = True


def subset_font(path: Path, text: str) -> bytes:
    """epub._subset_font, with the faster name scan (same bytes)."""
    from . import epub

    fast_name_scan()
    return epub._subset_font(path, text)
