"""Hostile and broken content, made to order: crafted picture headers, unsafe drawings, content trees.

Shared by test_hostile.py (the command line), test_hostile_units.py (the stages) and test_fuzz.py.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is width×height but holds no pixel data: 40 bytes that decode to gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IEND", b""))


def picture(kind: str = "PNG", size: tuple[int, int] = (40, 30), colour: str = "#2E6B3A") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=kind)
    return out.getvalue()


def svg(body: str, head: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{head}<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60" viewBox="0 0 120 60">{body}</svg>\n')


PLAIN_SVG = svg('<title>Bars</title><rect x="10" y="10" width="30" height="40" fill="#2E6B3A"/>'
                '<text x="50" y="30" font-size="10">Rivers</text>')
# name -> (drawing, words the error must contain)
UNSAFE_SVGS = {
    "script": (svg("<script>alert(1)</script>"), "<script>"),
    "foreign-object": (svg('<foreignObject width="9" height="9"><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
                           "</foreignObject>"), "<foreignObject>"),
    "onload": (svg('<rect width="9" height="9" onload="alert(1)"/>'), "'onload'"),
    "external-href": (svg('<image xlink:href="file:///etc/passwd" width="9" height="9"/>'), "file:///etc/passwd"),
    "remote-use": (svg('<use href="https://example.com/a.svg#x"/>'), "https://example.com"),
    "billion-laughs": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
                       '<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>', "DOCTYPE"),
    "xxe": ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>', "DOCTYPE"),
    "use-bomb": (svg('<defs><rect id="g0" width="1" height="1"/>' + "".join(
        f'<g id="g{i}">' + f'<use href="#g{i - 1}"/>' * 10 + "</g>" for i in range(1, 8)) + '</defs><use href="#g7"/>'),
        "<use>"),
    "use-loop": (svg('<g id="a"><use href="#a"/></g>'), "loop"),
    "css-import": (svg("<style>@import url(https://example.com/x.css);</style>"), "@import"),
    "css-url": (svg('<rect width="9" height="9" style="fill:url(https://example.com/p.svg#x)"/>'), "example.com"),
    "stylesheet-pi": ('<?xml version="1.0"?><?xml-stylesheet href="https://example.com/x.css"?>'
                      '<svg xmlns="http://www.w3.org/2000/svg"/>', "processing instruction"),
    "not-svg": ('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "not an SVG"),
    "broken": ("<svg xmlns='http://www.w3.org/2000/svg'><rect></svg>", "not well-formed"),
}


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path
