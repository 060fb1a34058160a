"""Conservation: every word an editor wrote in an article body reaches the HTML that is printed.

markdown-it never fails; what goes wrong goes wrong quietly (past its nesting limit it drops the
rest of the article). So after rendering, the words of the source are counted and compared with
the words of the HTML: a build that would lose one is refused, at the line of the first word lost.

The comparison is by words, not characters, so what the renderer is meant to change does not
count: Markdown's own marks, quotes made curly, `--` made a dash, `...` an ellipsis, entities,
list numbers (drawn by the list), link targets, footnote labels, box kinds and HTML comments
(never printed). Words are runs of letters and digits; both sides are NFKC-normalised and
case-folded. A word may appear more often in the HTML (labels, numbers), never less.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter

from pressroom.stages import markupcheck

WORD = re.compile(r"[^\W_]+")
TAGS = re.compile(r"<[^>]*>")
ALT = re.compile(r'\balt="([^"]*)"')
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# What the source has that is never printed as text, each replaced by a space (newlines kept for line numbers).
# Each pattern consumes what it starts (to the end of the line when it is not closed), so that no
# text makes a pattern scan the same line again from every position: the check stays linear.
NOT_PRINTED = [
    re.compile(r"^[ \t]*(`{3,}|~{3,}).*$", re.M),                      # a fence's line, with its language
    re.compile(r"\]\([^)\n]*\)?"),                                     # link and picture targets (and titles)
    re.compile(r"\]\[[^\]\n]*\]?"),                                     # reference links' labels
    re.compile(r"\[\^[^\]\n]*\]?:?"),                                   # footnote labels
    re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:.*$", re.M),                  # link reference definitions
    re.compile(r"^([ \t>]*):{3,}[ \t]*\S*", re.M),                     # a box's marks and kind
    re.compile(r"^(?:[ \t>]*(?:[-+*]|\d{1,9}[.)]))+(?=[ \t]|$)", re.M),  # list markers (numbers included)
    re.compile(r"\((?:c|tm|r|p)\)", re.I),                             # the typographer's ©, ™, ®
    re.compile(r"\\[!-/:-@\[-`{-~]"),                                # escaped punctuation
]


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _strip(body: str) -> str:
    body = markupcheck.without_comments(body)
    for pattern in NOT_PRINTED:
        body = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), body)
    return ENTITY.sub(lambda m: html.unescape(m[0]), body)


def html_words(fragment: str) -> Counter:
    """The words printed. Code keeps an entity as written (`&eacute;` prints as such) while the source side
    decodes it: so the words of the text decoded once more count too, each as often as the more of the two."""
    alts = " ".join(html.unescape(a) for a in ALT.findall(fragment))
    text = f"{html.unescape(TAGS.sub(' ', fragment))} {alts}"
    return Counter(WORD.findall(_normal(text))) | Counter(WORD.findall(_normal(html.unescape(text))))


def lost_text(body: str, fragment: str) -> tuple[int, str] | None:
    """(0-based body line, a few of the words lost from there) when the HTML lacks a word of the body."""
    printed = html_words(fragment)
    seen: Counter = Counter()
    for number, line in enumerate(_strip(body.replace("\r\n", "\n").replace("\r", "\n")).split("\n")):
        words = WORD.findall(_normal(line))
        for index, word in enumerate(words):
            seen[word] += 1
            if seen[word] > printed[word]:
                return number, " ".join(words[index:index + 6])
    return None
