"""Every picture is checked once, before anything renders it, by the same rules for `check`, the PDF,
the EPUB and the preview (which shows the EPUB's own files).

- A raster picture (PNG, JPEG, GIF, WebP) is measured from its header, and refused over
  limits.MAX_PIXELS before a pixel is decoded; then it is decoded once, so a broken file is
  reported here, at the line that shows it, and not by a renderer.
- An SVG is parsed with defusedxml: no DTD, no entities, nothing fetched. Only drawing elements
  are allowed (no script, no foreignObject, no HTML), no event attributes (`onload`…), and a
  reference (`href`, `url(…)`) may only point inside the drawing (`#id`) or be an embedded
  picture (`data:image/png;base64,…`) that passes the raster rules. Copies made by `<use>` count
  towards limits.MAX_SVG_ELEMENTS, so a "billion laughs" of nested `<use>` is refused too.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import io
import os
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser
from PIL import Image, ImageFile, UnidentifiedImageError

from pressroom import limits
from pressroom.stages import files

FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Drawing elements only: what a chart or a map exported from Inkscape, Illustrator or a plotting library uses.
SVG_ELEMENTS = frozenset("""
    svg g defs desc title metadata symbol use switch a view style
    path rect circle ellipse line polyline polygon text tspan textPath image
    linearGradient radialGradient stop pattern clipPath mask marker filter
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
    feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
    feSpotLight feTile feTurbulence
""".split())
# Editors' bookkeeping (Inkscape, Sodipodi, RDF licence blocks): never drawn, never run.
METADATA_NS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://creativecommons.org/ns#",
    "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/", "http://web.resource.org/cc/",
})
EMBEDDED = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.I)
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.I)
CSS_UNSAFE = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


class Unfit(Exception):
    """Why a picture cannot be used, said so that an editor can act on it."""


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f} megapixels" if pixels >= 10_000_000 else f"{pixels / 1_000_000:.1f} megapixels"


@contextlib.contextmanager
def _strict():
    """Pillow as this check needs it, whoever imported what before: its own bomb limit off while the header
    is read (the size is measured against limits.MAX_PIXELS before a pixel is decoded, and the message gives
    it), and a truncated file is damaged, not half a picture (WeasyPrint sets LOAD_TRUNCATED_IMAGES when it
    is imported, so a long-lived process would otherwise differ). Both are put back after."""
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    bombs, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS = truncated, bombs


def _raster(data: bytes, expected: str | None) -> tuple[int, int]:
    """Measure, then decode, a raster picture; raises Unfit."""
    try:
        with warnings.catch_warnings(), _strict(), Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > limits.MAX_PIXELS:
                raise Unfit(f"it is {width}×{height} pixels ({_megapixels(width * height)}), over the limit of "
                            f"{_megapixels(limits.MAX_PIXELS)}; scale it down")
            found = image.format
            if found not in FORMATS.values():
                raise Unfit(f"it is a {found} file; use PNG, JPEG, GIF, SVG or WebP")
            if expected is not None and found != expected:
                right = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}[found]
                raise Unfit(f"it is a {found} file, not {expected}; rename it to end in {right}")
            image.load()
    except UnidentifiedImageError:
        raise Unfit("it is not a picture (the file's contents are not PNG, JPEG, GIF or WebP)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt data
        raise Unfit(f"the picture is damaged and cannot be decoded ({exc or type(exc).__name__})") from None
    return width, height


def _css_problem(text: str) -> str | None:
    if CSS_UNSAFE.search(text):
        return "style sheets with @import, expressions or scripts"
    for target in CSS_URL.findall(text):
        if not target.startswith("#"):
            return f"a style that loads '{target[:40]}'"
    return None


def _reference(value: str) -> str | None:
    """Why an href is refused, or None for '#id' and a sound embedded picture."""
    value = value.strip()
    if value.startswith("#") or not value:
        return None
    if EMBEDDED.match(value):
        try:
            data = base64.b64decode(value.split(",", 1)[1], validate=False)
            _raster(data, None)
        except binascii.Error:
            return "an embedded picture that is not valid base64"
        except Unfit as exc:
            return f"an embedded picture that cannot be used: {exc}"
        return None
    return f"a reference to '{value[:40]}{'…' if len(value) > 40 else ''}' outside the drawing"


def _local(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def _count(root, by_id: dict) -> int:
    """Elements drawn, counting each <use> as a copy of what it points to; raises Unfit on a loop.
    Iterative (a drawing may nest deeper than Python recurses): a depth-first walk with an explicit stack."""
    cap = limits.MAX_SVG_ELEMENTS + 1

    def needs(element) -> list:
        found = list(element)
        if _local(element.tag)[1] == "use":
            target = by_id.get((element.get("href") or element.get(f"{{{XLINK_NS}}}href") or "")[1:])
            if target is not None:
                found.append(target)
        return found

    sizes: dict[int, int] = {}
    walking: set[int] = set()
    stack = [(root, False)]
    while stack:
        element, done = stack.pop()
        key = id(element)
        if done:
            sizes[key] = min(cap, 1 + sum(sizes[id(n)] for n in needs(element)))
            walking.discard(key)
            continue
        if key in sizes:
            continue
        walking.add(key)
        stack.append((element, True))
        for needed in needs(element):
            if id(needed) in walking:
                raise Unfit("a <use> element refers to itself or to what contains it (a loop)")
            if id(needed) not in sizes:
                stack.append((needed, False))
    return sizes[id(root)]


def _svg(data: bytes) -> None:
    """Raises Unfit for anything but a plain drawing."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2:] if b"?>" in head else b""
    if b"<?" in head:  # outside the root element a processing instruction is in no tree, but is in the file
        raise Unfit("it has a processing instruction (<?…?>), which may load a style sheet")
    builder = ET.TreeBuilder(insert_comments=False, insert_pis=True)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise Unfit("it has a <!DOCTYPE …> declaration, which is not allowed; delete that line (a drawing does "
                    "not need it)") from None
    except DefusedXmlException:
        raise Unfit("it declares entities (<!ENTITY …>), which are not allowed in a drawing") from None
    except ET.ParseError as exc:
        raise Unfit(f"it is not well-formed XML ({exc})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Unfit("it is not an SVG drawing (its first element is not <svg>)")
    by_id = {}
    elements = 0
    for element in root.iter():
        elements += 1
        if elements > limits.MAX_SVG_ELEMENTS:
            raise Unfit(f"it has more than {limits.MAX_SVG_ELEMENTS} elements")
        if element.tag is ET.ProcessingInstruction:
            raise Unfit("it has a processing instruction (<?…?>), which may load a style sheet")
        ns, local = _local(element.tag)
        if ns == SVG_NS and local not in SVG_ELEMENTS:
            raise Unfit(f"it has a <{local}> element; scripts, foreignObject, animation and HTML are not allowed")
        if ns != SVG_NS and ns not in METADATA_NS:
            raise Unfit(f"it has a <{local}> element from outside SVG ({ns or 'no namespace'})")
        for name, value in element.attrib.items():
            attr_ns, attr = _local(name)
            if attr.lower().startswith("on"):
                raise Unfit(f"it has an event attribute '{attr}', which runs a script")
            if attr == "href" or (attr_ns == XLINK_NS and attr == "href"):
                why = _reference(value)
                if why:
                    raise Unfit(f"it has {why}")
            elif attr == "base" or "url(" in value.lower() or attr == "style":
                why = "an xml:base attribute" if attr == "base" else _css_problem(value)
                if why:
                    raise Unfit(f"it has {why}")
        if local == "style" and ns == SVG_NS:
            why = _css_problem("".join(element.itertext()))
            if why:
                raise Unfit(f"it has {why}")
        if element.get("id"):
            by_id[element.get("id")] = element
    if _count(root, by_id) > limits.MAX_SVG_ELEMENTS:
        raise Unfit(f"its <use> elements copy more than {limits.MAX_SVG_ELEMENTS} elements")


@functools.lru_cache(maxsize=256)
def _checked(real: str, size: int, mtime_ns: int, suffix: str) -> str | None:
    """Why the file cannot be used, or None; cached, so a picture shown twice is decoded once."""
    path = Path(real)
    try:
        if suffix == ".svg":
            _svg(files.read_bytes(path, path.parent, limits.MAX_SVG_BYTES, "the drawing"))
        else:
            _raster(files.read_bytes(path, path.parent, limits.MAX_IMAGE_BYTES, "the picture"), FORMATS.get(suffix))
    except Unfit as exc:
        return str(exc)
    except files.Refused as exc:
        return exc.message
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    return None


def problem(path: Path) -> str | None:
    """Why the picture at `path` (a real path inside the content folder, already checked) cannot be used."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    return _checked(str(path), info.st_size, info.st_mtime_ns, path.suffix.lower())
