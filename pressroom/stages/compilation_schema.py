"""The contract of `content/compilations/<slug>/compilation.yaml`: a book gathered from the monthly editions.

Validated like `edition.yaml` (schema.py): unknown keys are errors with a
"did you mean", and every field's docstring is what docs/authoring.md says.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from pressroom.stages.schema import Cover, Language, Model, Slug, Text

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _month(value: str) -> str:
    if not MONTH.match(value):
        raise ValueError(f"'{value}' is not a month; write YYYY-MM, e.g. 2020-04")
    return value


Month = Annotated[str, AfterValidator(_month)]


class Select(Model):
    """Which articles the compilation takes. The filters that are given must all match."""

    editions: list[Slug] = []
    """The editions to draw on, by folder name under content/, e.g. [2020-01-january, 2020-02-feb-march]."""
    from_: Month | None = Field(default=None, alias="from")
    """Instead of `editions`: every edition of the compilation's language published in this month or later (YYYY-MM)."""
    to: Month | None = None
    """Instead of `editions`: every edition of the compilation's language published in this month or earlier (YYYY-MM)."""
    sections: list[Slug] = []
    """Only the articles of these section ids, e.g. [gs2, gs3]. Default: every section."""
    tags: list[Text] = []
    """Only the articles that have at least one of these tags (capitals do not matter)."""
    topics: list[Text] = []
    """Only the articles whose topic is one of these (capitals do not matter)."""
    exclude: list[Text] = []
    """Articles to leave out, as EDITION/SECTION/FILE, e.g. 2020-01-january/gs2/03-bru-reang-agreement."""

    @model_validator(mode="after")
    def _editions_or_months(self) -> Select:
        if self.editions and (self.from_ or self.to):
            raise ValueError("give either `editions` or `from`/`to`, not both")
        if not self.editions and not (self.from_ or self.to):
            raise ValueError("name the editions to draw on: `editions: [...]`, or `from:` and `to:` months (YYYY-MM)")
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError(f"`from: {self.from_}` is after `to: {self.to}`")
        return self


class CompilationMeta(Model):
    """`content/compilations/<slug>/compilation.yaml`: articles gathered from the monthly editions into one book."""

    title: Text
    """The book's title, e.g. "PT 365: Polity and Governance". Required."""
    prelims_label: str = ""
    """The badge on the cover, e.g. "Prelims 2020"."""
    language: Language = "en"
    """The book's language; every edition it draws on must be in the same language."""
    published: dt.date
    """Publication date, YYYY-MM-DD. Required. Every date in the outputs comes from it."""
    select: Select
    """Which articles to take: `editions` (or `from`/`to`), then optional `sections`, `tags`, `topics`, `exclude`."""
    group_by: Literal["section", "month", "topic"] = "section"
    """How the contents, the articles and the practice questions are grouped: `section`, `month` or `topic`."""
    cover: Cover = Cover()
    """Optional `{image, headline}` for the front cover; the image is relative to compilation.yaml."""
    foreword: str | None = None
    """Optional Markdown text for a "How to use this book" page."""
    practice: bool = True
    """Print the Practice Questions, Answer Key and Index; `false` leaves them out."""
    answers: Literal["inline", "separate"] = "inline"
    """`inline`: the answer key is in the book; `separate`: it is written as its own PDF, `<name>-answers.pdf`."""
    epub_budget_mb: float = Field(default=40, gt=0)
    """The build warns when the EPUB is larger than this many megabytes."""
