"""Stage 2b, practice: number the edition's questions and gather the index from tags and topics.

Prelims questions are numbered continuously through the edition in reading
order; every question keeps the article it belongs to, for "See p. N".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pressroom.problems import Problem, warning
from pressroom.stages.read import ArticleSource, Edition

OPTION_LETTERS = ("a", "b", "c", "d")
# "…: 1. Sea surface … 2. It generally …" (or "(1) … (2) …", or Devanagari digits) inside a stem.
INLINE_STATEMENTS = re.compile(r"(?:^|[\s:;—–-])\(?[1१][.)]\s+\S.*?[\s.;:]\(?[2२][.)]\s+\S", re.S)


@dataclass(frozen=True)
class PrelimsItem:
    number: int
    section_id: str
    article: ArticleSource
    q: str
    options: tuple[tuple[str, str], ...]  # (letter, text)
    answer: str
    explanation: str
    statements: tuple[str, ...] = ()  # numbered 1, 2, … under the stem
    ask: str = ""                     # the question after the statements


@dataclass(frozen=True)
class MainsItem:
    number: int
    section_id: str
    article: ArticleSource
    q: str


@dataclass(frozen=True)
class SectionQuestions:
    section: object
    prelims: tuple[PrelimsItem, ...]
    mains: tuple[MainsItem, ...]


@dataclass(frozen=True)
class IndexEntry:
    term: str
    articles: tuple[ArticleSource, ...]


@dataclass(frozen=True)
class Practice:
    sections: tuple[SectionQuestions, ...]  # only sections that have questions
    index: tuple[IndexEntry, ...]

    @property
    def prelims(self) -> tuple[PrelimsItem, ...]:
        return tuple(q for s in self.sections for q in s.prelims)

    @property
    def mains(self) -> tuple[MainsItem, ...]:
        return tuple(q for s in self.sections for q in s.mains)


def sort_key(term: str) -> tuple:
    """Alphabetical for Latin and Devanagari alike.

    NFD puts nukta letters (क़) beside their base letter; Devanagari code points
    otherwise follow the varnamala, so this is the Hindi dictionary order a
    student expects, without an ICU dependency.
    """
    decomposed = unicodedata.normalize("NFD", term.casefold())
    return ("".join(c for c in decomposed if unicodedata.category(c) != "Mn" or "\u0900" <= c <= "\u097f"), term)


def gather(edition: Edition) -> Practice:
    sections, prelims_number, mains_number = [], 0, 0
    index: dict[str, tuple[str, list[ArticleSource]]] = {}
    for source in edition.sections:
        prelims, mains = [], []
        for article in source.articles:
            for question in article.meta.questions.prelims:
                prelims_number += 1
                prelims.append(PrelimsItem(prelims_number, source.section.id, article, question.q,
                                           tuple(zip(OPTION_LETTERS, question.options)), question.answer,
                                           question.explanation, tuple(question.statements), question.ask))
            for question in article.meta.questions.mains:
                mains_number += 1
                mains.append(MainsItem(mains_number, source.section.id, article, question))
            for term in [*article.meta.tags, article.meta.topic]:
                term = term.strip()
                if not term:
                    continue
                shown, articles = index.setdefault(term.casefold(), (term, []))
                if article not in articles:
                    articles.append(article)
        if prelims or mains:
            sections.append(SectionQuestions(source.section, tuple(prelims), tuple(mains)))
    entries = [IndexEntry(shown, tuple(articles)) for shown, articles in index.values()]
    entries.sort(key=lambda e: sort_key(e.term))
    return Practice(tuple(sections), tuple(entries))


def inline_statements(edition: Edition) -> list[Problem]:
    """A warning for each stem that numbers its statements inline instead of listing them in `statements:`."""
    problems = []
    for article in edition.articles:
        for index, question in enumerate(article.meta.questions.prelims):
            if INLINE_STATEMENTS.search(question.q):
                problems.append(warning(article.path, article.line_of("questions", "prelims", index, "q"),
                                        "the stem numbers its statements inline ('1. … 2. …'); list them under "
                                        "'statements:' so that each is printed on its own line",
                                        code="practice.inline-statements"))
    return problems
