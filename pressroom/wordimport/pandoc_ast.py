"""pandoc reads the .docx; this runs it, sandboxed, and gives small helpers over its JSON document tree.

pandoc (from the `pypandoc_binary` wheel, so a fresh machine gets it from pip) reads what Word writes:
numbering definitions, footnotes and endnotes, merged table cells, tracked changes (accepted) and the
alt text of pictures. `--sandbox` keeps it from reading or fetching anything but the bytes it is given.
"""

from __future__ import annotations

import json
import subprocess
import unicodedata

import pypandoc

from pressroom.wordimport.docx_reader import Refused
from pressroom.wordimport.scan import MARKER

TIMEOUT = 60
HEAP_MB = 1024


def read_docx(package: bytes) -> dict:
    # The heap cap keeps a pathological document from taking the machine's memory (pandoc then fails cleanly).
    command = [pypandoc.get_pandoc_path(), "+RTS", f"-M{HEAP_MB}m", "-RTS", "--sandbox", "--from", "docx+styles",
               "--to", "json", "--track-changes=accept"]
    try:
        done = subprocess.run(command, input=package, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise Refused(f"took longer than {TIMEOUT} s to read; refused", "import.unreadable") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Refused(f"cannot be read as a Word document ({reason[-1] if reason else 'pandoc failed'})",
                      "import.unreadable")
    return json.loads(done.stdout)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def plain(inlines: list) -> str:
    """The text of inlines as a reader sees it, markers left in (see `unmark`)."""
    out: list[str] = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            out.append(plain(content))
        elif kind == "Quoted":
            quote = ("\u201c", "\u201d") if content[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
            out.append(quote[0] + plain(content[1]) + quote[1])
        elif kind in ("Span", "Cite") or kind in ("Link", "Image"):
            out.append(plain(content[1]))
        elif kind == "Code":
            out.append(content[1])
    return nfc("".join(out))


def unmark(text: str) -> str:
    return MARKER.sub("", text)


def block_text(block: dict) -> str:
    """All the text of a block and what it holds, markers left in."""
    kind, content = block["t"], block.get("c")
    if kind in ("Para", "Plain"):
        return plain(content)
    if kind == "Header":
        return plain(content[2])
    if kind == "Div":
        return " ".join(block_text(b) for b in content[1])
    if kind == "BlockQuote":
        return " ".join(block_text(b) for b in content)
    if kind in ("BulletList", "OrderedList"):
        items = content if kind == "BulletList" else content[1]
        return " ".join(block_text(b) for item in items for b in item)
    if kind == "Table":
        return " ".join(block_text(b) for cell in table_cells(block) for b in cell[4])
    if kind == "LineBlock":
        return " ".join(plain(line) for line in content)
    if kind == "Figure":
        return " ".join(block_text(b) for b in content[2])
    return ""


def first_paragraph(block: dict) -> int:
    """The document paragraph a block starts at, from the scan's markers; 0 when it has none."""
    match = MARKER.search(block_text(block))
    return int(match[1]) if match else 0


def table_rows(table: dict) -> list[list]:
    """Every row of a table, head first, as pandoc's Row values."""
    _attr, _caption, _specs, head, bodies, foot = table["c"]
    rows = list(head[1])
    for body in bodies:
        rows += body[2] + body[3]
    return rows + list(foot[1])


def table_cells(table: dict) -> list[list]:
    return [cell for row in table_rows(table) for cell in row[1]]


def flatten_divs(blocks: list[dict]) -> list[dict]:
    """pandoc wraps each styled paragraph in a Div; the style is known from the scan, so unwrap them."""
    out: list[dict] = []
    for block in blocks:
        if block["t"] == "Div":
            out += flatten_divs(block["c"][1])
        else:
            out.append(block)
    return out
