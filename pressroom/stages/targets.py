"""Where a link or a picture in an article points, checked: inside the content folder, a regular file,
an article of the edition or a usable picture; never a web address or a refused scheme.

Split from markup.py, which calls these for every link and picture; the pipeline checks the logo and
the cover image with `picture`. `ctx` is markup.MarkupContext (content_root, article_slugs, unlinked).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.common.normalize_url import normalizeLinkText

from pressroom.problems import Problem, error, short
from pressroom.stages import images, markupcheck

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


def check_target(ref: str, path: Path, line: int, ctx, what: str) -> tuple[Path | None, Problem | None]:
    """The real path of a link's or picture's target inside the content folder, or the problem with it."""
    shown = short(normalizeLinkText(ref))  # as written: 'My Chart.png', not 'My%20Chart.png'
    parts = urlsplit(ref)
    scheme = parts.scheme.lower()
    if scheme in markupcheck.REFUSED_SCHEMES:
        return None, error(path, line, markupcheck.refused_scheme(what, shown, scheme), code="markup.refused-scheme")
    if parts.scheme or parts.netloc or ref.startswith("//"):
        advice = ("save the picture in images/ next to the article and use its path" if what != "link" else
                  "write the address as plain text, without [ ](…)")
        return None, error(path, line, f"{what} '{shown}' points to a web address; {advice}", code="markup.remote")
    if not parts.path:
        return None, error(path, line, f"{what} has no target", code="markup.no-target")
    target = Path(unquote(parts.path))
    if target.is_absolute():
        return None, error(path, line, f"{what} '{shown}' is an absolute path; use a path relative to the article", code="markup.absolute-path")
    resolved = Path(os.path.realpath(path.parent / target))
    root = Path(os.path.realpath(ctx.content_root))
    if not resolved.is_relative_to(root):
        return None, error(path, line, f"{what} '{shown}' points outside the content folder", code="markup.outside")
    if not resolved.exists():
        return None, error(path, line, f"{what} '{shown}' does not exist", code="markup.missing-file")
    if not resolved.is_file() or not os.path.isfile(resolved):
        return None, error(path, line, f"{what} '{shown}' is not a file (a folder, a FIFO or a device)",
                           code="markup.not-a-file")
    return resolved, None


def picture(ref: str, path: Path, line: int, ctx, what: str, kinds, problems: list) -> Path | None:
    """A picture's real path once it is a usable file of one of `kinds`; else None, with the problem added."""
    resolved, problem = check_target(ref, path, line, ctx, what)
    if problem:
        problems.append(problem)
        return None
    shown = short(normalizeLinkText(ref))
    if resolved.suffix.lower() not in kinds:
        problems.append(error(path, line, f"{what} '{shown}' is not PNG, JPEG, GIF, SVG or WebP" if kinds == IMAGE_TYPES
                              else f"{what} '{shown}' must be {' or '.join(sorted(k[1:].upper() for k in kinds))}",
                              code="markup.image-type"))
        return None
    why = images.problem(resolved)
    if why:
        problems.append(error(path, line, f"{what} '{shown}' cannot be used: {why}", code="markup.bad-image"))
        return None
    return resolved


def link_target(href: str, path: Path, line: int, ctx, anchor: str):
    """A link may go to a heading of this article (#id) or to another article of the edition."""
    if href.startswith("#"):
        return (f"#{anchor}-{href[1:]}", f"#{anchor}-{href[1:]}"), None
    resolved, problem = check_target(href, path, line, ctx, "link")
    if problem:
        return None, problem
    slug = ctx.article_slugs.get(resolved)
    if slug is None and resolved in ctx.unlinked:  # an article this compilation leaves out: its text only
        return None, None
    if slug is None:
        return None, error(path, line, f"link '{short(normalizeLinkText(href))}' does not point to an article of this "
                                       "edition", code="markup.bad-link")
    return (f"#art-{slug}", f"art-{slug}.xhtml#art-{slug}"), None
