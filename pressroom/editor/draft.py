"""A new edition before every section has an article: checked and previewed as a draft.

A build rightly refuses a listed section with no article, but that is the normal
state of an edition that `new-edition` has just started. `check` and `watch` then
read the same edition again leaving those sections out (`read_edition(without=...)`),
so the articles already written are checked and shown, at their own files and lines.
Nothing is copied, and nothing is written to the output folder.
"""

from __future__ import annotations


def empty_sections(problems) -> frozenset[str]:
    """The sections reported empty, when that is the only fault; else an empty set."""
    if any(problem.code not in ("read.empty-section", "read.no-section-folder") for problem in problems):
        return frozenset()
    return frozenset(problem.subject for problem in problems)
