"""Stage 2, markup: article Markdown to HTML fragments, one for print and one for the EPUB.

Checks what only the body can tell: unknown boxes, undefined footnotes, images or links that
leave the content folder, pictures that cannot be used (images.py); what markdown-it would
print wrongly is found by markupcheck.py while it parses, and a body whose text does not all
reach the HTML is refused (conserve.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from pressroom.problems import Problem, did_you_mean, error, short, warning
from pressroom.stages import conserve, markupcheck, targets, typography
from pressroom.stages.targets import IMAGE_TYPES

BOX_KINDS = ("prelims", "note", "didyouknow", "keyterms")
DEVANAGARI = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
NUMERIC_CELL = re.compile(r"^[\s(]*[-+−–]?[₹$€£]?\s*[\d.,]+\s*(%|crore|lakh|cr|bn|mn)?[)\s]*$", re.I)
DEVANAGARI_LANGS = {"hi", "mr", "ne", "sa", "mai", "kok", "bho"}
SHORT_TABLE_ROWS = 6
LONG_TOKEN = re.compile(r"\S{28,}")


@dataclass(frozen=True)
class MarkupContext:
    """What the renderer needs to know about the edition, and nothing else."""

    content_root: Path
    language: str
    box_labels: dict[str, str]
    figure_label: str
    article_slugs: dict[Path, str]  # resolved article path -> slug, for cross-references
    quotes: str = typography.ENGLISH_QUOTES  # the language's quote marks, for the typographer
    unlinked: frozenset[Path] = frozenset()  # articles a link may name that are not in this book: text only


@dataclass(frozen=True)
class Fragment:
    print_html: str
    epub_html: str
    words: int
    images: tuple[Path, ...]
    figures: int
    warnings: tuple[Problem, ...] = ()
    image_lines: tuple[tuple[Path, int], ...] = ()  # each picture shown, with the file line that shows it


@dataclass
class _State:
    """Per-render scratch that markdown-it's render rules read through `env`."""

    flavour: str
    anchor: str
    notes: dict[int, str] = field(default_factory=dict)
    figure_start: int = 0
    image_href: dict[Path, str] = field(default_factory=dict)
    link_href: dict[str, str | None] = field(default_factory=dict)  # None: the link keeps its text only
    open_links: list[bool] = field(default_factory=list)  # for each open link, whether it printed an <a>


def _validate_box(params: str, *_args) -> bool:
    return bool(params.strip())


def _make_parser() -> MarkdownIt:
    # html=True only so that raw HTML becomes tokens we can report; it is never rendered.
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": True, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin, inline=False)
    md.use(container_plugin, name="box", validate=_validate_box)
    for rule, fn in RULES.items():
        md.add_render_rule(rule, fn)
    markupcheck.install(md)
    return md


def _st(env) -> _State:
    return env["state"]


def _attrs(token: Token) -> str:
    return "".join(f' {k}="{escape(v)}"' for k, v in (token.attrs or {}).items())


def _paragraph_open(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.meta.get("figure"):
        return f'<figure class="figure"{_attrs(token)}>'
    return f"<p{_attrs(token)}>" if not token.hidden else ""


def _paragraph_close(self, tokens, idx, options, env):
    token = tokens[idx]
    if token.meta.get("figure"):
        return "</figure>\n"
    return "</p>\n" if not token.hidden else ""


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    state = _st(env)
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = state.image_href.get(token.meta["resolved"], "")
    img = f'<img src="{escape(src)}" alt="{escape(alt)}" />'
    if token.meta.get("figure_number"):
        number = state.figure_start + token.meta["figure_number"]
        label = escape(env["figure_label"])
        return f'{img}<figcaption><span class="fig-num">{label} {number}.</span> {escape(alt)}</figcaption>'
    return img


def _link_open(self, tokens, idx, options, env):
    state = _st(env)
    href = state.link_href.get(tokens[idx].attrGet("href") or "", "#")
    state.open_links.append(href is not None)
    return f'<a href="{escape(href)}">' if href is not None else ""


def _link_close(self, tokens, idx, options, env):
    state = _st(env)
    return "</a>" if not state.open_links or state.open_links.pop() else ""


def _footnote_ref(self, tokens, idx, options, env):
    state = _st(env)
    note_id = tokens[idx].meta["id"]
    number = note_id + 1
    if state.flavour == "print":
        # Numbered per article: the number travels with the note (print.css shows attr(data-n)).
        return f'<span class="footnote" data-n="{number}">{state.notes.get(note_id, "")}</span>'
    sub = tokens[idx].meta.get("subId", 0)
    ref_id = f"{state.anchor}-fnref{number}" + (f"-{sub}" if sub else "")
    return (f'<sup class="noteref"><a epub:type="noteref" role="doc-noteref" id="{ref_id}" '
            f'href="#{state.anchor}-fn{number}">{number}</a></sup>')


def _box_open(self, tokens, idx, options, env):
    token = tokens[idx]
    kind, _, title = token.info.strip().partition(" ")
    label = escape(env["box_labels"].get(kind, kind))
    heading = f'<p class="box-label">{label}</p>'
    if title.strip():
        heading += f'<p class="box-title">{escape(title.strip())}</p>'
    return f'<aside class="box box-{escape(kind)}" aria-label="{label}">{heading}\n'


def _box_close(self, tokens, idx, options, env):
    return "</aside>\n"


def _reject(self, tokens, idx, options, env):
    # Raw HTML is reported as an error before rendering; never let it through regardless.
    # Comments are editors' notes: allowed, and never printed.
    content = tokens[idx].content
    return "" if markupcheck.only_comments(content) else escape(content)


def _cell_open(self, tokens, idx, options, env):
    token = tokens[idx]
    return f"<{token.tag}{_attrs(token)}>"


RULES = {
    "paragraph_open": _paragraph_open, "paragraph_close": _paragraph_close, "image": _image,
    "link_open": _link_open, "link_close": _link_close, "footnote_ref": _footnote_ref, "container_box_open": _box_open,
    "container_box_close": _box_close, "html_block": _reject, "html_inline": _reject,
    "th_open": _cell_open, "td_open": _cell_open,
}
PARSER = _make_parser()  # without the typographer: what was typed (house rules compare headings)


@functools.lru_cache(maxsize=8)
def _parser(quotes: str) -> MarkdownIt:
    """The renderer's parser: curly quotes, dashes and ellipses in the language's style."""
    return typography.configure(_make_parser(), quotes)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(typography.AS_TYPED)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _text_of(inline: Token) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def _script_lang(text: str, edition_lang: str) -> str | None:
    """A block written in the other script gets its own lang, for hyphenation and screen readers."""
    deva, latin = len(DEVANAGARI.findall(text)), len(LATIN_LETTER.findall(text))
    base = edition_lang.split("-")[0].lower()
    if deva > latin and base not in DEVANAGARI_LANGS:
        return "hi"
    if latin > deva and base in DEVANAGARI_LANGS:
        return "en"
    return None


def render_markdown(body: str, path: Path, body_line: int, anchor: str, ctx: MarkupContext,
                    figure_start: int = 0, image_urls=(None, None)) -> tuple[Fragment | None, list[Problem]]:
    """Render one Markdown body; `anchor` prefixes every id so articles can share one document."""
    problems: list[Problem] = []
    env: dict = {"box_labels": ctx.box_labels, "figure_label": ctx.figure_label, "pressroom_first_line": body_line}
    md = _parser(ctx.quotes)
    tokens = md.parse(body, env)
    warnings = []
    for found in markupcheck.findings(env):
        (warnings if found.severity == "warning" else problems).append(
            (warning if found.severity == "warning" else error)(path, body_line + found.line, found.message,
                                                                code=found.code))
    shown: list[tuple[Path, int]] = []
    link_targets: dict[str, tuple[str, str]] = {}
    words = 0
    figures = 0
    heading_ids: set[str] = set()
    lang_tokens = {"paragraph_open", "list_item_open", "heading_open", "th_open", "td_open"}

    for i, token in enumerate(tokens):
        line = body_line + (token.map[0] if token.map else 0)
        if token.type == "heading_open":
            if token.tag == "h1":
                problems.append(error(path, line, "body headings start at '##'; '#' is reserved for the article "
                                                  "title, which comes from the front matter", code="markup.heading-level"))
            text = _text_of(tokens[i + 1])
            hid = f"{anchor}-{slugify(text) or 'h'}"
            while hid in heading_ids:
                hid += "-x"
            heading_ids.add(hid)
            token.attrSet("id", hid)
        elif token.type == "container_box_open":
            kind = token.info.strip().split(" ")[0]
            if kind not in BOX_KINDS:
                problems.append(error(path, line, f"unknown box '::: {kind}'{did_you_mean(kind, BOX_KINDS)}; "
                                                  f"boxes are {', '.join(BOX_KINDS)}", code="markup.unknown-box"))
        elif token.type == "table_open":
            _mark_numeric_columns(tokens, i)
        if token.type in lang_tokens and i + 1 < len(tokens):
            nxt = tokens[i + 1] if tokens[i + 1].type == "inline" else (
                tokens[i + 2] if i + 2 < len(tokens) and tokens[i + 2].type == "inline" else None)
            lang = _script_lang(nxt.content, ctx.language) if nxt is not None else None
            if lang:
                token.attrSet("lang", lang)
        if token.type == "paragraph_open" and i + 2 < len(tokens):
            inline = tokens[i + 1]
            kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
            if len(kids) == 1 and kids[0].type == "image":
                figures += 1
                token.meta["figure"] = True
                tokens[i + 2].meta["figure"] = True
                kids[0].meta["figure_number"] = figures
        if token.type != "inline":
            continue
        child_line = body_line + (token.map or [0])[0]  # markdown-it maps blocks only: count the line breaks
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                child_line += 1
            elif child.type == "text":
                words += len(child.content.split())
            elif child.type == "image":
                resolved = targets.picture(child.attrGet("src") or "", path, child_line, ctx, "image", IMAGE_TYPES,
                                           problems)
                if resolved is None:
                    continue
                if not (child.children and _plain(child.children)):
                    problems.append(error(path, child_line, "an image needs a caption: ![What it shows](images/x.png)", code="markup.image-caption"))
                child.meta["resolved"] = resolved
                shown.append((resolved, child_line))
            elif child.type == "link_open":
                href = child.attrGet("href") or ""
                target, problem = targets.link_target(href, path, child_line, ctx, anchor)
                if problem:
                    problems.append(problem)
                else:
                    link_targets[href] = target

    if problems:
        return None, problems + warnings
    pictures = list(dict.fromkeys(p for p, _ in shown))
    notes_tokens = _split_notes(tokens)
    outputs = {}
    for flavour in ("print", "epub"):
        state = _State(flavour, anchor, figure_start=figure_start)
        namer = image_urls[0] if flavour == "print" else image_urls[1]
        state.image_href = {p: namer(p) for p in pictures}
        state.link_href = {h: (t[0 if flavour == "print" else 1] if t else None) for h, t in link_targets.items()}
        env["state"] = state
        for note_id, note_tokens in notes_tokens.items():
            html = md.renderer.render(note_tokens, md.options, env).strip()
            state.notes[note_id] = re.sub(r"^<p>|</p>$", "", html)
        main = [t for t in tokens if not t.meta.get("in_notes")]
        html = md.renderer.render(main, md.options, env)
        if flavour == "epub" and notes_tokens:
            html += _epub_notes(state)
        if flavour == "epub":
            html = re.sub(r' lang="([^"]+)"', r' lang="\1" xml:lang="\1"', html)
        outputs[flavour] = html
    lost = conserve.lost_text(body, outputs["print"]) or conserve.lost_text(body, outputs["epub"])
    if lost is not None:
        line, words_lost = lost
        return None, [error(path, body_line + line, f"the text '{short(words_lost, 50)}' would not be printed: "
                                                    "the Markdown around this line is broken (look for a list, quote or "
                                                    "box that is not closed)", code="markup.text-lost")] + warnings
    return Fragment(outputs["print"], outputs["epub"], words, tuple(pictures), figures, tuple(warnings),
                    tuple(shown)), []


def _plain(children) -> bool:
    return any(c.type == "text" and c.content.strip() for c in children)


def _mark_numeric_columns(tokens: list[Token], start: int) -> None:
    """Right-align a column whose every body cell is a number (UPSC tables are full of ₹ crore)."""
    rows: list[list[int]] = []
    row: list[int] = []
    i = start
    while tokens[i].type != "table_close":
        if tokens[i].type in ("th_open", "td_open"):
            row.append(i)
        elif tokens[i].type == "tr_close":
            rows.append(row)
            row = []
        i += 1
    if len(rows) - 1 <= SHORT_TABLE_ROWS:  # print.css never breaks a table this short
        tokens[start].attrJoin("class", "short")
    for cell in (index for row in rows for index in row):  # a URL or long number may wrap anywhere in its cell
        if LONG_TOKEN.search(tokens[cell + 1].content):
            tokens[cell].attrJoin("class", "wrap")
    columns = max((len(r) for r in rows), default=0)
    for col in range(columns):
        texts = [tokens[r[col] + 1].content.strip() for r in rows[1:] if col < len(r)]
        if any(texts) and all(NUMERIC_CELL.match(t) or not t for t in texts):
            for r in rows:
                if col < len(r):
                    tokens[r[col]].attrJoin("class", "num")


def _split_notes(tokens: list[Token]) -> dict[int, list[Token]]:
    """Cut the footnote block off the end; each note's tokens, without back-anchors."""
    notes: dict[int, list[Token]] = {}
    current: int | None = None
    inside = False
    for token in tokens:
        if token.type == "footnote_block_open":
            inside = True
        if inside:
            token.meta["in_notes"] = True
        if token.type == "footnote_open":
            current = token.meta["id"]
            notes[current] = []
        elif token.type == "footnote_close":
            current = None
        elif current is not None and token.type != "footnote_anchor":
            notes[current].append(token)
    return notes


def _epub_notes(state: _State) -> str:
    items = []
    for note_id, html in sorted(state.notes.items()):
        n = note_id + 1
        items.append(f'<aside epub:type="footnote" role="doc-footnote" id="{state.anchor}-fn{n}" class="footnote">'
                     f'<p><a href="#{state.anchor}-fnref{n}" role="doc-backlink" class="note-back">{n}.</a> {html}</p></aside>')
    return '<section class="footnotes" epub:type="footnotes">\n' + "\n".join(items) + "\n</section>\n"
