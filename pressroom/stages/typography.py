"""Typography from plain typing: curly quotes, apostrophes, dashes and ellipses, per language.

markdown-it's own typographer does the work (its `smartquotes` rule and the
dash and ellipsis part of its `replacements` rule); this module only configures
it.  Three things are changed on purpose:

- the quote characters come from the edition's language (`quotes:` in
  templates/strings/*.yaml), so a Hindi edition keeps its own conventions;
- `(c)`, `(r)` and `(tm)` are never turned into ©, ® and ™: a UPSC text is full
  of options "(a) … (c)";
- URLs, e-mail addresses and file names written as plain text are left as they
  were typed (`a--b` in a URL is not a dash); code spans are never touched.

`typeset(text, quotes)` gives YAML text (titles, stems, options) the same
treatment, so the PDF and the EPUB agree everywhere.
"""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.replacements import RARE_RE, replace_rare
from markdown_it.rules_core.smartquotes import smartquotes
from markdown_it.token import Token

ENGLISH_QUOTES = "“”‘’"
# What must reach the page exactly as typed: web and e-mail addresses, and dotted or slashed names.
LITERAL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s<>]*[^\s<>.,;:!?)\]'\"]"
                     r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                     r"|\b[\w-]+(?:[/\\][\w.-]+)+\b", re.I)
LITERAL_TYPE = "text_literal"
AS_TYPED = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "--", "—": "---", "…": "..."})


def _protect(state: StateCore) -> None:
    """Split literal names out of text tokens under a type the typographer rules skip."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            if token.type != "text" or not LITERAL.search(token.content):
                children.append(token)
                continue
            position = 0
            for match in LITERAL.finditer(token.content):
                if match.start() > position:
                    children.append(_text(token, token.content[position:match.start()], "text"))
                children.append(_text(token, match[0], LITERAL_TYPE))
                position = match.end()
            if position < len(token.content):
                children.append(_text(token, token.content[position:], "text"))
        block.children = children


def _unprotect(state: StateCore) -> None:
    """Literal names become plain text again (markdown-it's text_join then merges the pieces)."""
    for block in state.tokens:
        for token in block.children or ():
            if token.type == LITERAL_TYPE:
                token.type = "text"


def _text(like: Token, content: str, kind: str) -> Token:
    token = Token(kind, "", 0)
    token.content, token.level = content, like.level
    return token


def _dashes_and_ellipses(state: StateCore) -> None:
    """markdown-it's `replacements` without its (c)/(r)/(tm) part."""
    for token in state.tokens:
        if token.type == "inline" and token.children and RARE_RE.search(token.content):
            replace_rare(token.children)


def configure(md: MarkdownIt, quotes: str = ENGLISH_QUOTES) -> MarkdownIt:
    """Turn on the typographer of `md` with the language's quote characters."""
    md.options["typographer"] = True
    md.options["quotes"] = quotes
    md.core.ruler.enable(["smartquotes"])
    md.core.ruler.disable(["replacements"])
    md.core.ruler.before("replacements", "literal_protect", _protect)
    md.core.ruler.after("replacements", "dashes_ellipses", _dashes_and_ellipses)
    md.core.ruler.after("smartquotes", "literal_unprotect", _unprotect)
    return md


@functools.lru_cache(maxsize=8)
def _inline_parser(quotes: str) -> MarkdownIt:
    return configure(MarkdownIt("zero"), quotes)


def typeset(text: str, quotes: str = ENGLISH_QUOTES) -> str:
    """Plain text (not Markdown) with the same quotes, dashes and ellipses as the article bodies."""
    if not text or not re.search(r"['\"]|--|\.\.|\+-", text):
        return text
    md = _inline_parser(quotes)
    state = StateCore(text, md, {})
    inline = Token("inline", "", 0)
    inline.content = text
    inline.children = [_text(inline, text, "text")]
    state.tokens = [inline]
    for rule in (_protect, _dashes_and_ellipses, smartquotes, _unprotect):
        rule(state)
    return "".join(child.content for child in inline.children)
