"""A document tree read from Word to an article: title, topic, summary, body, boxes and questions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressroom.wordimport import boxes, questions
from pressroom.wordimport.findings import Finding
from pressroom.wordimport.markdown import Emitter, Picture
from pressroom.wordimport.pandoc_ast import (
    block_text,
    first_paragraph,
    flatten_divs,
    nfc,
    plain,
    unmark,
)
from pressroom.wordimport.scan import Scan

PAPER = r"GS\s*[-‐–]?\s*(?:I{1,3}|IV|[1-4])|Prelims|Mains|Essay|Ethics"


@dataclass(frozen=True)
class Article:
    title: str
    topic: str
    summary: str
    body: str  # Markdown; pictures are IMAGE_SLOT placeholders until the writer names them
    prelims: tuple[questions.Prelims, ...]
    mains: tuple[str, ...]
    pictures: tuple[Picture, ...]
    findings: tuple[Finding, ...]


def convert(tree: dict, scan: Scan, paper_labels: tuple[str, ...] = ()) -> Article:
    findings = list(scan.findings)
    blocks = flatten_divs(tree.get("blocks", []))
    meta = tree.get("meta", {})
    title, where = _meta_text(meta.get("title")), 0
    if not title:
        heading = next((b for b in blocks if b["t"] == "Header" and b["c"][0] == 1), None)
        if heading is not None:
            blocks.remove(heading)
            title, where = plain(heading["c"][2]), first_paragraph(heading)
    if not unmark(title).strip():
        first = next((b for b in blocks if b["t"] in ("Para", "Plain") and unmark(block_text(b)).strip()), None)
        if first is None:
            raise EmptyDocument("has no text to import")
        blocks.remove(first)
        title, where = block_text(first), first_paragraph(first)
        findings.append(Finding(where, "no paragraph has the Title or Heading 1 style, so the first paragraph "
                                       "became the title", "import.title"))
    title = _clean(title)
    topic, title = split_topic(title, paper_labels)
    summary = _clean(_meta_text(meta.get("subtitle")) or _meta_text(meta.get("abstract")))
    if not summary and blocks and _all_italic(blocks[0]):
        summary = _clean(block_text(blocks.pop(0)))
    findings.append(Finding(0, "tags left empty; add the article's index terms under `tags:`", "import.tags"))
    body, prelims, mains, emitter = _body(blocks, scan, findings)
    findings += emitter.findings
    return Article(title, topic, summary, body, tuple(prelims), tuple(mains), tuple(emitter.pictures),
                   tuple(sorted(set(findings))))


class EmptyDocument(Exception):
    """Nothing to import (reported as import.empty)."""


def _meta_text(value: dict | None) -> str:
    if not value:
        return ""
    if value["t"] == "MetaInlines":
        return plain(value["c"])
    if value["t"] == "MetaBlocks":
        return " ".join(block_text(b) for b in value["c"])
    if value["t"] == "MetaString":
        return value["c"]
    return ""


def _clean(text: str) -> str:
    return nfc(re.sub(r"\s+", " ", unmark(text)).strip())


def split_topic(title: str, paper_labels: tuple[str, ...] = ()) -> tuple[str, str]:
    """'GS-II: Techno-Politics: Facial recognition' -> ('Techno-Politics', 'Facial recognition')."""
    papers = "|".join([PAPER] + [re.escape(label) for label in paper_labels if label.strip()])
    match = re.match(rf"^\s*(?:{papers})\s*[:：]\s*(.+)$", title, re.IGNORECASE)
    if not match:
        return "", title
    rest = match[1]
    topic, sep, name = rest.partition(":")
    if sep and topic.strip() and name.strip():
        return topic.strip(), name.strip()
    return "", rest.strip()


def _all_italic(block: dict) -> bool:
    if block["t"] != "Para":
        return False
    nodes = [n for n in block["c"] if not (n["t"] == "Str" and not unmark(n["c"]).strip()) and n["t"] != "Space"]
    return bool(nodes) and all(n["t"] == "Emph" for n in nodes)


def _body(blocks: list[dict], scan: Scan, findings: list[Finding]):
    emitter = Emitter()
    chunks: list[str] = []
    prelims: list[questions.Prelims] = []
    mains: list[str] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        kind = _part_kind(block)
        if kind:
            end = _part_end(blocks, i)
            part = blocks[i + 1:end]
            if kind == "prelims":
                read, kept, more = questions.read_prelims(part)
                prelims += read
                findings += more
                if kept:
                    chunks.append(emitter.block(block))
                    chunks += emitter.blocks(questions.kept_text(kept))
            else:
                mains += questions.read_mains(part)
            i = end
            continue
        if block["t"] == "Table" and boxes.one_cell(block) is not None:
            chunks.append(_table_box(block, emitter))
            i += 1
            continue
        label = boxes.label_of(block_text(block)) if block["t"] in ("Para", "Plain") else None
        shaded = _shaded(block, scan)
        if label and (not label.rest or shaded):
            end = i + 1
            while end < len(blocks) and blocks[end]["t"] not in ("Header", "HorizontalRule") \
                    and (not shaded or _shaded(blocks[end], scan)) and not boxes.starts_box(blocks[end:end + 1]):
                end += 1
            chunks.append(_box(label.kind, boxes.without_label(blocks[i:end], label), emitter))
            i = end
            continue
        if i + 1 < len(blocks) and _caption_fills_alt(block, blocks[i + 1], scan):
            i += 1  # the caption is now the picture's text
        chunks.append(emitter.block(block))
        i += 1
    body = "\n\n".join(c for c in chunks if c.strip())
    if emitter.notes:
        body += "\n\n" + emitter.footnotes()
    return body + "\n", prelims, mains, emitter


FIGURE_NUMBER = re.compile(r"^\s*(figure|fig\.|chart|चित्र)\s*\d+\s*[:.\-–—]?\s*", re.IGNORECASE)


def _caption_fills_alt(block: dict, following: dict, scan: Scan) -> bool:
    """A picture without alt text, followed by a Caption-style paragraph: the caption describes it."""
    if block["t"] != "Para" or following["t"] != "Para":
        return False
    info = scan.paragraphs.get(first_paragraph(following))
    images = [n for n in block["c"] if n["t"] == "Image"]
    if not info or info.style != "Caption" or len(images) != 1 or unmark(plain(images[0]["c"][1])).strip():
        return False
    caption = FIGURE_NUMBER.sub("", _clean(block_text(following)))  # the magazine numbers its figures itself
    if not caption:
        return False
    images[0]["c"][1] = [{"t": "Str", "c": caption}]
    return True


def _part_kind(block: dict) -> str | None:
    """"prelims" or "mains" for a question part's heading: a heading, or a paragraph holding only its words."""
    if block["t"] == "Header":
        return questions.part_kind(plain(block["c"][2]))
    if block["t"] in ("Para", "Plain"):
        return questions.part_kind(block_text(block))
    return None


def _part_end(blocks: list[dict], start: int) -> int:
    """A part ends at the next heading of its level or above, or at the next part."""
    level = blocks[start]["c"][0] if blocks[start]["t"] == "Header" else 99
    end = start + 1
    while end < len(blocks):
        nxt = blocks[end]
        if (nxt["t"] == "Header" and nxt["c"][0] <= level) or _part_kind(nxt):
            break
        end += 1
    return end


def _shaded(block: dict, scan: Scan) -> bool:
    info = scan.paragraphs.get(first_paragraph(block))
    return bool(info and info.shaded)


def _table_box(block: dict, emitter: Emitter) -> str:
    content = boxes.one_cell(block)
    label = boxes.starts_box(content)
    if label is None:
        emitter.paragraph = first_paragraph(block) or emitter.paragraph
        emitter.warn("a one-cell table without a box label became plain paragraphs; start it with a label "
                     "such as 'Note' to make it a box", "import.box")
        return "\n\n".join(emitter.blocks(content))
    return _box(label.kind, boxes.without_label(content, label), emitter)


def _box(kind: str, content: list[dict], emitter: Emitter) -> str:
    inner = emitter.blocks(content, in_box=True)
    if not inner:
        emitter.warn(f"a '{kind}' box label with nothing after it was dropped", "import.box")
        return ""
    return f"::: {kind}\n" + "\n\n".join(inner) + "\n:::"
