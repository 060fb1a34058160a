"""What markdown-it accepts quietly but prints wrongly, found while it parses an article body.

markdown-it never fails: what it cannot read it prints as text (`#Heading`, a link with a space
in its path, a `javascript:` link), and past its nesting limit it drops the rest of the article.
One core rule, run after the inline parse and before the footnotes are moved to the end,
looks at the tokens with their source lines and records a Finding for each of these:

- nesting past limits.MAX_NESTING (lists, quotes, boxes, footnotes inside each other);
- a `:::` box that is never closed (it would swallow the rest of the article);
- `#Heading` without a space, and headings that skip a level (a warning);
- footnotes defined twice or never used (their text would be dropped), and too many of them;
- tables and pictures past their limits;
- raw HTML, with the Markdown that does the same; HTML comments are allowed and never print;
- Markdown left in the printed text (`![`, `](`, `[^`, `:::`, `**`, `<!--`), with the reason
  when it is known: a space in a path, or a `file:`/`javascript:`/`vbscript:`/`data:` address.
markup.py turns the findings into problems at file lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pressroom import limits
from pressroom.problems import short

REFUSED_SCHEMES = ("javascript", "vbscript", "file", "data")
CONTAINERS = {"bullet_list_open", "ordered_list_open", "blockquote_open", "container_box_open",
              "footnote_reference_open"}
CLOSE_BOX = re.compile(r"^\s*:{3,}\s*$")
NO_SPACE_HEADING = re.compile(r"^(#{1,6})([^\s#\d\\][^\n]*)$")
TAG = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9]*)")
LEFTOVERS = (("![", "an image"), ("](", "a link or an image"), ("][", "a link"), ("[^", "a footnote"),
             (":::", "a box"), ("**", "bold text"), ("<!--", "an HTML comment"))
UNDEFINED_NOTE = re.compile(r"\[\^([^\]\s\[]+)\]")  # no '[' inside: "[^[^[^…" is not scanned again from each one
NEUTRAL = "\x00"  # stands for escaped characters, code and tags: text that is meant as it is written
INSTEAD = {
    "b": "**bold**", "strong": "**bold**", "i": "*italic*", "em": "*italic*", "u": "*italic*",
    "br": "a blank line for a new paragraph, or a backslash '\\' at the end of the line",
    "p": "a blank line between paragraphs", "a": "[text](../gs2/01-article.md)",
    "img": "![What it shows](images/x.png)", "ul": "lines starting '- '", "li": "lines starting '- '",
    "ol": "lines starting '1. '", "blockquote": "lines starting '> '", "code": "`code`", "pre": "a ``` block",
    "hr": "'---' on a line of its own", "div": "a box, '::: note' ... ':::'", "sup": "a footnote, [^1]",
    "s": "~~struck~~", "del": "~~struck~~", "strike": "~~struck~~", "span": "the text alone",
    **{f"h{n}": "'## Heading'" for n in range(1, 7)},
    **{tag: "a Markdown table, '| a | b |'" for tag in ("table", "tr", "td", "th", "thead", "tbody")},
}


@dataclass(frozen=True)
class Finding:
    line: int  # 0-based line of the body (the file line is env["pressroom_first_line"] plus this)
    code: str
    message: str
    severity: str = "error"


def install(md) -> None:
    md.core.ruler.before("footnote_tail", "pressroom_check", _check)


def findings(env: dict) -> list[Finding]:
    return env.get("pressroom_findings", [])


def without_comments(text: str) -> str:
    """The text with each complete `<!-- … -->` blanked (newlines kept); linear, however many `<!--` it holds."""
    out, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out += [text[pos:start], re.sub(r"[^\n]", " ", text[start:end + 3])]
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


def only_comments(html: str) -> bool:
    """An HTML block or inline tag that is nothing but complete comments (allowed, never printed)."""
    return "<!--" in html and not without_comments(html).strip()


def _check(state) -> None:
    found: list[Finding] = state.env.setdefault("pressroom_findings", [])
    lines = state.src.split("\n")
    tokens = state.tokens
    _nesting(tokens, found)
    _boxes(tokens, lines, found)
    _headings(tokens, found)
    _footnotes(tokens, state.env, found)
    _tables(tokens, found)
    _html_blocks(tokens, found)
    images = 0
    for token in tokens:
        if token.type == "inline":
            images = _inline(token, found, images)


def _nesting(tokens, found) -> None:
    depth = 0
    for token in tokens:
        if token.type in CONTAINERS:
            depth += 1
            if depth > limits.MAX_NESTING:
                found.append(Finding(token.map[0] if token.map else 0, code="markup.too-deep",
                                     message=f"lists, quotes, boxes and footnotes are nested {depth} deep here; at "
                                     f"most {limits.MAX_NESTING} levels are allowed"))
                return
        elif token.type.replace("_close", "_open") in CONTAINERS and token.nesting == -1:
            depth -= 1


def _boxes(tokens, lines, found) -> None:
    """A box is closed when the line after its content is ':::' and that line is not its enclosing box's:
    an unclosed box inside another ends where the other does."""
    open_boxes: list = []
    for token in tokens:
        if token.type == "container_box_close":
            open_boxes.pop()
        elif token.type == "container_box_open" and token.map:
            end = token.map[1]
            shared = bool(open_boxes) and open_boxes[-1].map and open_boxes[-1].map[1] == end
            if end >= len(lines) or not CLOSE_BOX.match(lines[end]) or shared:
                kind = token.info.strip().split(" ")[0]
                found.append(Finding(token.map[0], code="markup.unclosed-box",
                                     message=f"the box '::: {short(kind, 30)}' is not closed; end it with a line "
                                     f"':::' (else it takes in the rest of the article)"))
            _leftovers(token.info.strip().partition(" ")[2], token.map[0], found)  # its title is printed
            open_boxes.append(token)


def _headings(tokens, found) -> None:
    level = 1  # the article's title
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            now = int(token.tag[1])
            if now > max(level, 1) + 1:
                found.append(Finding(token.map[0], code="markup.heading-skip",
                                     message=f"heading '{'#' * now} {short(tokens[index + 1].content, 40)}' skips a "
                                     f"level (it follows a level-{level} heading); use '{'#' * (max(level, 1) + 1)}'",
                                     severity="warning"))
            level = now
        elif (token.type == "paragraph_open" and token.map and token.map[1] - token.map[0] == 1
              and index + 1 < len(tokens) and tokens[index + 1].type == "inline"):
            text = tokens[index + 1].content
            match = NO_SPACE_HEADING.match(text)
            if match and len(text) <= 120 and not text.rstrip().endswith((".", "?", "!")):
                marks = "#" * max(2, len(match[1]))
                found.append(Finding(token.map[0], code="markup.heading-space",
                                     message=f"'{short(text, 40)}' is printed as it is; write '{marks} "
                                     f"{short(match[2].strip(), 40)}' (a space after the '#') for a heading, or "
                                     f"'\\#' for a '#'"))


def _footnotes(tokens, env, found) -> None:
    first = env.get("pressroom_first_line", 1)
    defined: dict[str, int] = {}
    count = 0
    for token in tokens:
        if token.type != "footnote_reference_open":
            continue
        label, line = token.meta["label"], token.map[0] if token.map else 0
        count += 1
        if count == limits.MAX_FOOTNOTES + 1:
            found.append(Finding(line, code="markup.too-many",
                                 message=f"more than {limits.MAX_FOOTNOTES} footnotes in one article; split it"))
        if label in defined:
            found.append(Finding(line, code="markup.footnote-twice",
                                 message=f"footnote [^{short(label, 30)}] is defined twice (also at line "
                                 f"{defined[label] + first}); give one of them another name"))
        else:
            defined[label] = line
    refs = (env.get("footnotes") or {}).get("refs", {})
    for label, line in defined.items():
        if refs.get(":" + label, -1) < 0:
            found.append(Finding(line, code="markup.unused-footnote",
                                 message=f"footnote [^{short(label, 30)}] is never used, so it would not be printed; "
                                 f"put [^{short(label, 30)}] where it belongs, or delete it"))


def _tables(tokens, found) -> None:
    rows = columns = 0
    start = 0
    for token in tokens:
        if token.type == "table_open":
            rows, columns, start = 0, 0, token.map[0] if token.map else 0
        elif token.type == "tr_open":
            rows += 1
            columns = 0
            if rows == limits.MAX_TABLE_ROWS + 2:  # the header row is not counted
                found.append(Finding(start, code="markup.too-many",
                                     message=f"this table has more than {limits.MAX_TABLE_ROWS} rows; split it"))
        elif token.type in ("th_open", "td_open"):
            columns += 1
            if columns == limits.MAX_TABLE_COLUMNS + 1:
                found.append(Finding(start, code="markup.too-many",
                                     message=f"this table has more than {limits.MAX_TABLE_COLUMNS} columns"))


def raw_html(html: str) -> str:
    """The message for raw HTML, with the Markdown that does the same when there is one."""
    tag = TAG.search(html)
    instead = INSTEAD.get(tag[1].lower()) if tag else None
    message = f"raw HTML is not allowed: '{short(html.strip(), 60)}'"
    if instead:
        return f"{message}; write {instead} instead (for a literal '<' write '\\<')"
    return f"{message} (escape a literal '<' as '\\<')"


def _html_blocks(tokens, found) -> None:
    for token in tokens:
        if token.type != "html_block":
            continue
        line = token.map[0] if token.map else 0
        rest = without_comments(token.content)
        if "<!--" in rest and "-->" not in rest[rest.index("<!--"):]:
            found.append(Finding(line, code="markup.comment",
                                 message="the HTML comment '<!--' is not closed with '-->' (else it hides the rest "
                                 "of the article)"))
        elif rest.strip() and "<!--" in token.content and "<" not in rest:
            found.append(Finding(line, code="markup.comment",
                                 message=f"text after a comment's '-->' on the same line is not printed: "
                                 f"'{short(rest.strip(), 40)}'; start it on a line of its own"))
        elif rest.strip():
            first = rest.strip().split("\n")[0]
            found.append(Finding(line, code="markup.raw-html", message=raw_html(first)))


def _inline(inline, found, images: int, base: int | None = None) -> int:
    """Scan the text an inline token will print, line by line, for Markdown that did not take."""
    base = base if base is not None else inline.map[0] if inline.map else 0
    breaks = 0
    line_text: list[str] = []

    def flush():
        _leftovers("".join(line_text), base + breaks, found)
        line_text.clear()

    for child in inline.children or []:
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            flush()
            breaks += 1
        elif kind == "text":
            line_text.append(child.content)
        elif kind == "html_inline":
            comment = only_comments(child.content)
            line_text.append("" if comment else NEUTRAL)  # a comment prints nothing: what is around it meets
            if not comment:
                found.append(Finding(base + breaks, code="markup.raw-html", message=raw_html(child.content)))
        elif kind == "image":
            line_text.append(NEUTRAL)
            _inline(child, found, 0, base + breaks)  # the caption is printed too
            images += 1
            if images == limits.MAX_IMAGES + 1:
                found.append(Finding(base + breaks, code="markup.too-many",
                                     message=f"more than {limits.MAX_IMAGES} pictures in one article; split it"))
        else:  # escapes, code, links' and emphasis' own tokens
            line_text.append(NEUTRAL)
    flush()
    return images


def _leftovers(text: str, line: int, found) -> None:
    if not text:
        return
    for label in UNDEFINED_NOTE.findall(text):  # a defined one would be a footnote_ref token, not text
        label = short(label, 30)
        found.append(Finding(line, code="markup.undefined-footnote",
                             message=f"footnote [^{label}] is not defined; add a line '[^{label}]: text' below the "
                             f"paragraph"))
    pos = text.find("](")
    while 0 <= pos:  # a link or picture that did not take: what is between '(' and ')' says why
        opened = text.rfind("[", max(0, pos - 500), pos)
        what = "image" if opened > 0 and text[opened - 1] == "!" else "link"
        close = text.find(")", pos + 2, pos + 2002)
        while close >= 0 and text.count("(", pos + 2, close) > text.count(")", pos + 2, close):
            close = text.find(")", close + 1, pos + 2002)  # javascript:alert(1) has its own ( )
        target = text[pos + 2:close if close >= 0 else pos + 2002].strip().removeprefix("<").removesuffix(">")
        scheme = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", target)
        if scheme and scheme[1].lower() in REFUSED_SCHEMES:
            found.append(Finding(line, code="markup.refused-scheme", message=refused_scheme(what, target, scheme[1].lower())))
            return
        if close >= 0 and re.search(r"\s", target.strip()):
            found.append(Finding(line, code="markup.space-in-path",
                                 message=f"the {what} path '{short(target.strip())}' has a space, so it would be "
                                 f"printed as text; write it as (<{short(target.strip())}>) or rename the file "
                                 f"without spaces"))
            return
        pos = text.find("](", close if close > pos else pos + 2)
    plain = UNDEFINED_NOTE.sub(NEUTRAL, text)  # reported above
    for marker, what in LEFTOVERS:
        if marker in plain:
            hint = {"**": "close the bold text with '**', or write '\\*\\*' for two asterisks",
                    ":::": "a box opens with '::: kind Title' on its own line and closes with ':::' alone",
                    "<!--": "close the comment with '-->'",
                    "[^": "a footnote is written [^name], with no space"}.get(
                marker, "write a link as [text](path) and an image as ![Caption](images/x.png)")
            found.append(Finding(line, code="markup.literal",
                                 message=f"'{marker}' would be printed as it is ({what} that did not take: "
                                 f"'{short(plain.replace(NEUTRAL, ' ').strip(), 50)}'); {hint}"))
            return


def refused_scheme(what: str, target: str, scheme: str) -> str:
    instead = {"data": "save the picture in images/ and use its path",
               "file": "copy the file into the content folder and use a path relative to the article"}.get(
        scheme, "remove it")
    return f"{what} '{short(target, 50)}' is a '{scheme}:' address, which is never allowed; {instead}"
