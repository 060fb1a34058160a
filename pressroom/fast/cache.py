"""The build cache under `<out>/.cache/`: finished PDF chunks.

Every key starts from `tool_key()`: the hashes of Pressroom's own code, the
templates, the styles and the shipped fonts, and the versions of the libraries
that draw the outputs.  A chunk is then keyed by its HTML (content and
template output), the hashes of the images it shows, its first page and the
page numbers it printed for other chunks.  A cached file is the same bytes a fresh render makes,
so a build with the cache and one without (`--no-cache`) write identical
outputs.  Entries no edition uses any more are pruned after each build.

A record is trusted only when it is whole: it carries a seal (the sha256 of its key and its
body), every field is checked for its type on load, and the chunk's PDF must match the hash the
record gives. Anything else (a digit changed by hand, a truncated file, JSON of another shape)
is deleted and the chunk is laid out again. A cache that cannot be written (a read-only or full
disk) is simply not kept.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from pressroom.fingerprint import digest
from pressroom.output import write_atomic

FORMAT = 4
KEEP_PER_CHUNK = 3
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class CacheEntry:
    first_page: int
    used: dict[str, int]
    trim: bool
    pages: int                 # every page laid out
    content_pages: int
    carried: tuple[int, ...]
    anchors: dict[str, int]
    load: object               # () -> ChunkPdf or None


class Cache:
    """`<out>/.cache`; with `enabled=False` it finds nothing and keeps nothing."""

    def __init__(self, root: Path, enabled: bool = True):
        self.root = root
        self.enabled = enabled
        self.used_chunks: set[str] = set()

    # ------------------------------------------------------------------ chunks
    def _chunk_dir(self, key: str) -> Path:
        return self.root / "chunks" / key[:2] / key

    def entries(self, key: str) -> list:
        self.used_chunks.add(key)
        folder = self._chunk_dir(key)
        if not self.enabled or not folder.is_dir():
            return []
        out = []
        for meta_path in sorted(folder.glob("*.json"), key=lambda p: -p.stat().st_mtime_ns):
            meta = _load_record(meta_path, key)
            if meta is None:  # altered, damaged or of another shape: discarded, and the chunk laid out again
                for path in (meta_path, meta_path.with_suffix(".pdf")):
                    path.unlink(missing_ok=True)
                continue
            pdf_path = meta_path.with_suffix(".pdf")
            out.append(CacheEntry(meta["first_page"], meta["used"], meta["trim"], meta["pages"],
                                  meta["content_pages"], tuple(meta["carried"]), meta["anchors"],
                                  lambda pdf_path=pdf_path, meta=meta: self._load_chunk(pdf_path, meta)))
        return out

    @staticmethod
    def _load_chunk(pdf_path: Path, meta: dict):
        from pressroom.fast.pdfchunk import ChunkPdf

        try:
            data = pdf_path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            pdf_path.unlink(missing_ok=True)
            pdf_path.with_suffix(".json").unlink(missing_ok=True)
            return None
        return ChunkPdf(data, meta["pdf_pages"], meta["pdf_anchors"], meta["used"], [],
                        {name: tuple(value) for name, value in meta.get("fonts", {}).items()})

    def store(self, key: str, first_page: int, used: dict, trim: bool, info, pdf) -> None:
        """A finished chunk, with what its layout said (pdfchunk.LayoutInfo)."""
        if not self.enabled:
            return
        folder = self._chunk_dir(key)
        name = f"{first_page}-{int(trim)}-{digest(json.dumps(used, sort_keys=True))[:16]}"
        meta = {"first_page": first_page, "used": used, "trim": trim, "pages": info.pages,
                "content_pages": info.content_pages, "carried": list(info.carried), "anchors": info.anchors,
                "pdf_pages": pdf.pages, "pdf_anchors": pdf.anchors, "fonts": pdf.fonts,
                "sha256": hashlib.sha256(pdf.data).hexdigest()}
        try:
            write_atomic(folder / f"{name}.pdf", pdf.data)
            write_atomic(folder / f"{name}.json", json.dumps({"seal": _seal(key, meta), "body": meta},
                                                             sort_keys=True).encode())
        except OSError:  # a read-only or full disk: the build goes on without keeping this chunk
            self.enabled = False

    # ------------------------------------------------------------------ keeping it small
    def remember(self, edition: str) -> None:
        """Record what this edition's build used, then drop whatever no edition uses."""
        if not self.enabled:
            return
        editions = self.root / "editions"
        try:
            write_atomic(editions / f"{edition}.json", json.dumps(
                {"chunks": sorted(self.used_chunks)}).encode())
            self._prune(editions)
        except OSError:  # a read-only or full disk: the cache is not kept, the build is still good
            return

    def _prune(self, editions: Path) -> None:
        chunks = set()
        for path in editions.glob("*.json"):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(record, dict) and isinstance(record.get("chunks"), list):
                chunks |= {name for name in record["chunks"] if isinstance(name, str)}
        for folder in (self.root / "chunks").glob("*/*"):
            if folder.name not in chunks:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                metas = sorted(folder.glob("*.json"), key=lambda p: -p.stat().st_mtime_ns)
                for old in metas[KEEP_PER_CHUNK:]:
                    old.unlink(missing_ok=True)
                    old.with_suffix(".pdf").unlink(missing_ok=True)
        for kind in ("epub-fonts", "epub-cover"):  # what builds before 2026-11-26 kept here
            shutil.rmtree(self.root / kind, ignore_errors=True)


def _seal(key: str, body: dict) -> str:
    return hashlib.sha256(json.dumps([key, body], sort_keys=True).encode()).hexdigest()


def _int(value, least: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def _pages(mapping) -> bool:
    return isinstance(mapping, dict) and all(isinstance(k, str) and _int(v) for k, v in mapping.items())


def _load_record(path: Path, key: str) -> dict | None:
    """A chunk's record when it is sealed for this key and every field has its type; else None."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("body"), dict):
        return None
    meta = record["body"]
    if record.get("seal") != _seal(key, meta):
        return None
    fonts = meta.get("fonts")
    valid = (_int(meta.get("first_page"), 1) and _pages(meta.get("used")) and isinstance(meta.get("trim"), bool)
             and _int(meta.get("pages")) and _int(meta.get("content_pages")) and _int(meta.get("pdf_pages"))
             and isinstance(meta.get("carried"), list) and all(_int(n) for n in meta["carried"])
             and _pages(meta.get("anchors")) and _pages(meta.get("pdf_anchors"))
             and isinstance(meta.get("sha256"), str) and SHA256.match(meta["sha256"]) is not None
             and isinstance(fonts, dict) and all(isinstance(name, str) and isinstance(value, list)
                                                 for name, value in fonts.items()))
    return meta if valid else None
