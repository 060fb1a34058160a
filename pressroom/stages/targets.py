"""Where a link or an image in the content may point: a file inside the content folder, and for a
link, a heading of the same article or another article of the book.

Split from markup.py, which calls these for every link and image; the pipeline checks the logo and
the cover image with `check_target`.  `ctx` is markup's MarkupContext (content_root, article_slugs,
unlinked).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pressroom.problems import Problem, error


def check_target(ref: str, path: Path, line: int, ctx, what: str) -> tuple[Path | None, Problem | None]:
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith("//"):
        return None, error(path, line, f"{what} '{ref}' points to a remote URL; put the file next to the article", code="markup.remote")
    if not parts.path:
        return None, error(path, line, f"{what} has no target", code="markup.no-target")
    target = Path(unquote(parts.path))
    if target.is_absolute():
        return None, error(path, line, f"{what} '{ref}' is an absolute path; use a path relative to the article", code="markup.absolute-path")
    resolved = Path(os.path.realpath(path.parent / target))
    root = Path(os.path.realpath(ctx.content_root))
    if not resolved.is_relative_to(root):
        return None, error(path, line, f"{what} '{ref}' points outside the content folder", code="markup.outside")
    if not resolved.is_file():
        return None, error(path, line, f"{what} '{ref}' does not exist", code="markup.missing-file")
    return resolved, None


def link_target(href: str, path: Path, line: int, ctx, anchor: str):
    """A link may go to a heading of this article (#id) or to another article of the edition."""
    if href.startswith("#"):
        return (f"#{anchor}-{href[1:]}", f"#{anchor}-{href[1:]}"), None
    resolved, problem = check_target(href, path, line, ctx, "link")
    if problem:
        return None, problem
    slug = ctx.article_slugs.get(resolved)
    if slug is None and resolved in ctx.unlinked:  # an article of the edition that this compilation leaves out
        return None, None
    if slug is None:
        return None, error(path, line, f"link '{href}' does not point to an article of this edition", code="markup.bad-link")
    return (f"#art-{slug}", f"art-{slug}.xhtml#art-{slug}"), None
