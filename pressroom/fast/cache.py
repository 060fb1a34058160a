"""The build cache under `<out>/.cache/`: finished PDF chunks.

Every key starts from `tool_key()`: the hashes of Pressroom's own code, the
templates, the styles and the shipped fonts, and the versions of the libraries
that draw the outputs.  A chunk is then keyed by its HTML (content and
template output), the hashes of the images it shows, its first page and the
page numbers it printed for other chunks.  A cached file is the same bytes a fresh render makes,
so a build with the cache and one without (`--no-cache`) write identical
outputs.  Entries no edition uses any more are pruned after each build.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from pressroom.fingerprint import digest
from pressroom.output import write_atomic

FORMAT = 3
KEEP_PER_CHUNK = 3


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
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
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
        write_atomic(folder / f"{name}.pdf", pdf.data)
        write_atomic(folder / f"{name}.json", json.dumps(meta, sort_keys=True).encode())

    # ------------------------------------------------------------------ keeping it small
    def remember(self, edition: str) -> None:
        """Record what this edition's build used, then drop whatever no edition uses."""
        if not self.enabled:
            return
        editions = self.root / "editions"
        write_atomic(editions / f"{edition}.json", json.dumps(
            {"chunks": sorted(self.used_chunks)}).encode())
        chunks = set()
        for path in editions.glob("*.json"):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            chunks |= set(record.get("chunks", ()))
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
