"""House rules: the institute's style (brand.yaml `house_rules`), checked on a valid edition as warnings.

A build never fails on these; `build.py check --strict` turns them into errors for CI.
"""

from __future__ import annotations

import re

from pressroom.problems import Problem, warning
from pressroom.stages import markup, practice
from pressroom.stages.read import ArticleSource, Edition
from pressroom.stages.schema import HouseRules

DEVANAGARI = re.compile(r"[\u0900-\u097F]")
DEVANAGARI_LANGS = {"hi", "mr", "ne", "sa", "mai", "kok", "bho"}


def alternatives(entry: str) -> list[str]:
    """'Way ahead | Way forward' -> ['Way ahead', 'Way forward']."""
    return [part.strip() for part in entry.split("|") if part.strip()]


def skeleton_heading(entry: str, language: str) -> str:
    """The wording a new article starts with: the first alternative written in the edition's script."""
    options = alternatives(entry)
    devanagari = language.split("-")[0].lower() in DEVANAGARI_LANGS
    for option in options:
        if bool(DEVANAGARI.search(option)) == devanagari:
            return option
    return options[0]


def _normal(text: str) -> str:
    # "Way forward:" and "WAY FORWARD" are the same heading to an editor.
    return " ".join(text.strip().rstrip(":.").split()).casefold()


def headings(body: str) -> list[str]:
    """The text of every heading in a Markdown body, as the reader sees it."""
    tokens = markup.PARSER.parse(body, {})
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            found.append("".join(c.content for c in tokens[i + 1].children or []
                                 if c.type in ("text", "code_inline")))
    return found


def _first_text_line(article: ArticleSource) -> int:
    """Where a missing heading is reported: the body's first written line, not the blank after '---'."""
    for offset, line in enumerate(article.body.splitlines()):
        if line.strip():
            return article.body_line + offset
    return article.body_line


def check_article(article: ArticleSource, rules: HouseRules) -> list[Problem]:
    meta, path = article.meta, article.path
    problems = []
    limit = rules.max_title_length
    if limit is not None and len(meta.title) > limit:
        problems.append(warning(path, article.line_of("title"),
                                f"title is {len(meta.title)} characters; house rules allow at most {limit}", code="house.title-length"))
    if rules.require_tags and not meta.tags:
        problems.append(warning(path, article.line_of("tags"),
                                "no tags; house rules ask for at least one tag", code="house.tags"))
    if rules.require_summary and not meta.summary.strip():
        problems.append(warning(path, article.line_of("summary"),
                                "no summary; house rules ask for a one-sentence summary", code="house.summary"))
    if rules.required_headings and article.section_id not in rules.exempt_sections:
        present = {_normal(h) for h in headings(article.body)}
        for entry in rules.required_headings:
            options = alternatives(entry)
            if not any(_normal(option) in present for option in options):
                also = ", ".join(f"'{o}'" for o in options[1:])
                problems.append(warning(path, _first_text_line(article),
                                        f"no '## {options[0]}' heading; house rules ask for one"
                                        + (f" (also accepted: {also})" if also else ""), code="house.heading"))
    return problems


def check_edition(edition: Edition) -> list[Problem]:
    """Every house-rule warning for a valid edition, and the practice questions' (inline statements), in file order."""
    rules = edition.brand.house_rules
    found = [p for article in edition.articles for p in check_article(article, rules)]
    return sorted(found + practice.inline_statements(edition))
