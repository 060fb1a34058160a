"""pandoc's document tree to the magazine's Markdown (docs/authoring.md section 5), and nothing else.

What the Markdown cannot hold is turned into what it can, with a finding: external links become their
text and address, super- and subscripts become Unicode characters where they exist, merged table cells
are split. The writer decides where pictures go; here a picture is a numbered placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pressroom.stages.markup import NUMERIC_CELL
from pressroom.wordimport.findings import Finding
from pressroom.wordimport.pandoc_ast import flatten_divs, nfc, plain, table_rows, unmark
from pressroom.wordimport.scan import MARKER

SUPERSCRIPT = str.maketrans("0123456789+-=()ni−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ⁻")
SUBSCRIPT = str.maketrans("0123456789+-=()aeox−", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓ₋")
ORDINAL = re.compile(r"^(st|nd|rd|th|er|e|re)$", re.IGNORECASE)
IMAGE_SLOT = "\ufdd2{}\ufdd3"  # replaced by the picture's path once the writer has named it
ESCAPED = re.compile(r"([\\`*_\[\]<|~])")  # `>` matters only at a line start, see LINE_START
ENTITY = re.compile(r"&(?=#?\w+;)")
LINE_START = re.compile(r"^(\s*)(#|>|[-+*](?=\s|$)|\d+(?=[.)](\s|$))|:::|=+\s*$)")


@dataclass(frozen=True)
class Picture:
    media: str  # pandoc's name, relative to the main document's folder: media/image1.png
    alt: str
    paragraph: int


@dataclass
class Emitter:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    paragraph: int = 0  # the last paragraph marker met, for findings
    tables: int = 0

    def warn(self, message: str, code: str) -> None:
        self.findings.append(Finding(self.paragraph, message, code))

    # ----------------------------------------------------------------- blocks

    def blocks(self, blocks: list[dict], in_box: bool = False) -> list[str]:
        out = []
        for block in flatten_divs(blocks):
            text = self.block(block, in_box)
            if text.strip():
                out.append(text)
        return out

    def block(self, block: dict, in_box: bool = False) -> str:
        kind, c = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            return protect_start(self.inlines(c).strip())
        if kind == "Header":
            text = self.inlines(_unbold(c[2])).strip()
            if in_box:  # a box holds no headings; its heading reads as a bold line
                return f"**{text}**" if text else ""
            return f"{'#' * {1: 2, 2: 2}.get(c[0], min(c[0], 4))} {text}" if text else ""
        if kind == "BulletList":
            return self.list_items(c, lambda i: "- ", in_box)
        if kind == "OrderedList":
            start, style, _delim = c[0][0], c[0][1]["t"], c[0][2]["t"]
            if style in ("Decimal", "DefaultStyle", "Example"):
                return self.list_items(c[1], lambda i: f"{start + i}. ", in_box)
            return self.list_items(c[1], lambda i: f"- {_label(style, start + i)} ", in_box)
        if kind == "BlockQuote":
            inner = "\n\n".join(self.blocks(c, in_box))
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if kind == "Table":
            return self.table(block)
        if kind == "Figure":
            return self.figure(block)
        if kind == "LineBlock":
            return protect_start("\\\n".join(self.inlines(line).strip() for line in c))
        if kind == "DefinitionList":
            return "\n\n".join(f"**{self.inlines(term).strip()}**\n\n" + "\n\n".join(
                "\n\n".join(self.blocks(d, in_box)) for d in definitions) for term, definitions in c)
        if kind == "HorizontalRule":
            return "* * *"
        if kind == "CodeBlock":
            return protect_start(escape(nfc(c[1])).replace("\n", "\\\n"))
        if kind == "RawBlock":
            self.warn(f"raw {c[0]} content dropped", "import.dropped")
            return ""
        self.warn(f"a part pandoc calls {kind} was dropped", "import.dropped")
        return ""

    def list_items(self, items: list[list[dict]], marker, in_box: bool) -> str:
        rendered = []
        for i, item in enumerate(items):
            lead = marker(i)
            text = ""
            for block in flatten_divs(item):
                part = self.block(block, in_box)
                if part.strip():
                    tight = block["t"] in ("BulletList", "OrderedList") and text
                    text += ("\n" if tight else "\n\n" if text else "") + part
            pad = " " * len(lead)
            lines = text.split("\n")
            rendered.append(lead + lines[0] + "".join(f"\n{pad}{line}" if line else "\n" for line in lines[1:]))
        loose = any(_not_just_a_list(item) for item in items)
        return ("\n\n" if loose else "\n").join(rendered)

    def figure(self, block: dict) -> str:
        _attr, caption, body = block["c"]
        caption_text = unmark(plain([i for b in caption[1] for i in b.get("c", []) if isinstance(i, dict)]))
        parts = []
        for inner in flatten_divs(body):
            parts.append(self.block(inner))
        text = "\n\n".join(p for p in parts if p)
        if caption_text.strip() and self.pictures and not self.pictures[-1].alt:
            self.pictures[-1] = Picture(self.pictures[-1].media, caption_text.strip(), self.pictures[-1].paragraph)
            text = text.replace("![]", f"![{escape(caption_text.strip())}]", 1)
        return text

    def table(self, block: dict) -> str:
        self.tables += 1
        grid, merged = self.grid(block)
        if merged:
            self.warn(f"table {self.tables} has merged cells, which a Markdown table cannot hold; they were "
                      "split, with the text in the first cell of each merge: check the table", "import.merged-cells")
        if not grid or not any(any(cell.strip() for cell in row) for row in grid):
            return ""
        width = max(len(row) for row in grid)
        grid = [row + [""] * (width - len(row)) for row in grid]
        head, body = grid[0], grid[1:]
        numeric = [bool(body) and any(r[i].strip() for r in body)
                   and all(NUMERIC_CELL.match(unescape_cell(r[i])) or not r[i].strip() for r in body)
                   for i in range(width)]
        lines = [_row(head), "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
        lines += [_row(row) for row in body]
        caption = block["c"][1][1]
        if caption:
            lines += ["", "\n\n".join(self.blocks(caption))]
        return "\n".join(lines)

    def grid(self, block: dict) -> tuple[list[list[str]], bool]:
        """Rows of cell text, every merge split so that each row has all its cells."""
        rows: list[list[str]] = []
        pending: dict[int, int] = {}  # column -> rows still covered by a merge from above
        merged = False
        for row in table_rows(block):
            out: list[str] = []
            column = 0
            cells = list(row[1])
            while cells or any(v > 0 for k, v in pending.items() if k >= column):
                if pending.get(column, 0) > 0:
                    pending[column] -= 1
                    out.append("")
                    column += 1
                    continue
                if not cells:
                    column += 1
                    if column > 200:
                        break
                    continue
                _attr, _align, rowspan, colspan, content = cells.pop(0)
                if rowspan > 1 or colspan > 1:
                    merged = True
                out.append(self.cell(content))
                for extra in range(colspan):
                    if rowspan > 1:
                        pending[column + extra] = rowspan - 1
                    if extra:
                        out.append("")
                column += colspan
            rows.append(out)
        return rows, merged

    def cell(self, blocks: list[dict]) -> str:
        texts = []
        for block in flatten_divs(blocks):
            if block["t"] in ("BulletList", "OrderedList"):
                items = block["c"] if block["t"] == "BulletList" else block["c"][1]
                texts.append("; ".join(self.cell(item) for item in items))
            elif block["t"] == "Table":
                texts.append(" ".join(self.cell(c[4]) for row in table_rows(block) for c in row[1]))
            else:
                texts.append(self.block(block, in_box=True).replace("\\\n", " ").replace("\n", " "))
        return " ".join(t for t in texts if t.strip())

    # ----------------------------------------------------------------- inlines

    def inlines(self, inlines: list[dict]) -> str:
        return "".join(self.inline(node) for node in inlines)

    def inline(self, node: dict) -> str:
        kind, c = node["t"], node.get("c")
        if kind == "Str":
            return self.text(c)
        if kind in ("Space", "SoftBreak"):
            return " "
        if kind == "LineBreak":
            return "\\\n"
        if kind == "Emph":
            return wrap("*", self.inlines(c))
        if kind == "Strong":
            return wrap("**", self.inlines(c))
        if kind == "Strikeout":
            return wrap("~~", self.inlines(c))
        if kind in ("Underline", "SmallCaps"):
            return self.inlines(c)
        if kind in ("Superscript", "Subscript"):
            return self.script(kind, c)
        if kind == "Quoted":
            quote = ("\u201c", "\u201d") if c[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
            return quote[0] + self.inlines(c[1]) + quote[1]
        if kind in ("Span", "Cite"):
            return self.inlines(c[1])
        if kind == "Code":
            return escape(nfc(c[1]))
        if kind == "Link":
            return self.link(c)
        if kind == "Image":
            return self.image(c)
        if kind == "Note":
            return self.note(c)
        if kind == "Math":
            self.warn("equation dropped (the magazine cannot print Word equations); write it in words",
                      "import.equation")
            return ""
        if kind == "RawInline":
            self.warn(f"raw {c[0]} content dropped", "import.dropped")
            return ""
        self.warn(f"a part pandoc calls {kind} was dropped", "import.dropped")
        return ""

    def text(self, value: str) -> str:
        for match in MARKER.finditer(value):
            self.paragraph = int(match[1])
        return escape(nfc(unmark(value)))

    def script(self, kind: str, content: list[dict]) -> str:
        raw = unmark(plain(content))
        table = SUPERSCRIPT if kind == "Superscript" else SUBSCRIPT
        mapped = raw.translate(table)
        if all(ch != orig or ch.isspace() for ch, orig in zip(mapped, raw)) and raw.strip():
            self.inlines(content)  # keeps the paragraph marker current
            return mapped
        if kind == "Superscript" and ORDINAL.match(raw.strip()):
            return self.inlines(content)
        text = self.inlines(content)
        what = "superscript" if kind == "Superscript" else "subscript"
        self.warn(f"{what} '{raw}' written as plain text (the magazine has no {what} for it)", "import.script")
        return text

    def link(self, c: list) -> str:
        text = self.inlines(c[1])
        url = c[2][0]
        if url.startswith("#") or not url:
            return text
        shown = url.removeprefix("mailto:")
        label = unmark(plain(c[1])).strip()
        if label in (url, shown, url.split("://", 1)[-1]):
            self.warn(f"link '{shown}' kept as plain text (the magazine prints addresses, it does not link "
                      "them)", "import.link")
            return escape(shown)
        self.warn(f"link '{label}' became its text and address, '{shown}' (the magazine does not link "
                  "to the web)", "import.link")
        return f"{text} ({escape(shown)})"

    def image(self, c: list) -> str:
        alt = unmark(plain(c[1])).strip()
        self.inlines(c[1])
        self.pictures.append(Picture(c[2][0], alt, self.paragraph))
        slot = IMAGE_SLOT.format(len(self.pictures))
        if not alt:
            self.warn(f"picture {len(self.pictures)} has no alt text in Word; write what it shows between "
                      "the [ ] (build.py check asks for it)", "import.alt-text")
        return f"![{escape(alt)}]({slot})"

    def note(self, blocks: list[dict]) -> str:
        here = self.paragraph
        text = " ".join(part.replace("\n", " ") for part in self.blocks(blocks, in_box=True))
        self.paragraph = here
        self.notes.append(text)
        return f"[^{len(self.notes)}]"

    def footnotes(self) -> str:
        return "\n".join(f"[^{n}]: {text}" for n, text in enumerate(self.notes, 1))


def escape(text: str) -> str:
    return ENTITY.sub("\\\\&", ESCAPED.sub(r"\\\1", text))


def unescape_cell(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def protect_start(text: str) -> str:
    """Text that would start a list, heading, quote or box at the start of a line stays text."""
    return "\n".join(LINE_START.sub(_escape_start, line) for line in text.split("\n"))


def _escape_start(match: re.Match) -> str:
    lead, token = match[1], match[2]
    if token[0].isdigit():
        return f"{lead}{token}\\"  # "1\." keeps the number, loses the list
    return f"{lead}\\{token}"


def wrap(mark: str, inner: str) -> str:
    """Emphasis around text, with its outer spaces moved outside (`* a*` is not emphasis)."""
    stripped = inner.strip()
    if not stripped:
        return inner
    left = inner[:len(inner) - len(inner.lstrip())]
    right = inner[len(inner.rstrip()):]
    return f"{left}{mark}{stripped}{mark}{right}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"  # every cell's text went through escape(), `|` included


def _label(style: str, number: int) -> str:
    if style in ("LowerAlpha", "UpperAlpha"):
        letter = chr(ord("a") + (number - 1) % 26)
        return f"({letter.upper() if style == 'UpperAlpha' else letter})"
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out, n = "", number
    for value, numeral in numerals:
        while n >= value:
            out, n = out + numeral, n - value
    return f"({out.upper() if style == 'UpperRoman' else out})"


def _unbold(inlines: list[dict]) -> list[dict]:
    """A heading made bold by hand is still just a heading (its paragraph marker is kept)."""
    visible = [n for n in inlines if n["t"] != "Space" and not (n["t"] == "Str" and not unmark(n["c"]))]
    if len(visible) == 1 and visible[0]["t"] == "Strong":
        return [n for n in inlines if n["t"] == "Str" and not unmark(n["c"])] + visible[0]["c"]
    return inlines


def _not_just_a_list(item: list[dict]) -> bool:
    blocks = flatten_divs(item)
    return sum(b["t"] not in ("BulletList", "OrderedList") for b in blocks) > 1
