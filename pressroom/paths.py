"""Where Pressroom's own data lives, and how content files are named inside the outputs.

Standard library only: the no-change check and `trace` import this before anything heavy.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import quote

PACKAGE = Path(__file__).resolve().parent
PROJECT = PACKAGE.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
FONTS = STYLES / "fonts"

# The PDF names content images by URL, so the URL must not depend on where the content folder lives.
CONTENT_SCHEME = "content"


def default_content_root() -> Path:
    here = Path("content")
    if here.is_dir():
        return here
    return PROJECT / "content"


def print_image_namer(content_root: Path):
    """`content:gs3/images/x.png` for an image under `content_root`."""
    root = Path(os.path.realpath(content_root))
    return lambda path: f"{CONTENT_SCHEME}:{quote(path.relative_to(root).as_posix())}"


def epub_image_namer(content_root: Path):
    """Stable, unique names inside the EPUB for content images, the same wherever the content folder lives."""
    root = Path(os.path.realpath(content_root))

    def name(path: Path) -> str:
        key = path.relative_to(root).as_posix()
        digest = hashlib.sha256(key.encode()).hexdigest()[:8]
        stem = re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "image"
        return f"images/{stem}-{digest}{path.suffix.lower().replace('.jpeg', '.jpg')}"

    return name
