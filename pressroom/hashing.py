"""File hashes and file listings shared by the build cache, the no-change check and the stamp ledger.

Standard library only: the no-change check imports this before anything heavy.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def tree_files(folder: Path) -> list[Path]:
    """Files under `folder`, sorted, without caches, editor backups, temporary or hidden files."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        out += [Path(root) / f for f in sorted(files)
                if not f.startswith(".") and not f.endswith(("~", ".pyc", ".swp", ".tmp"))]
    return out
