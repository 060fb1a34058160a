"""Practice questions: the part under "Practice questions" (or "Prelims questions", "MCQs") and the part
under "Mains questions", read into the front matter's `questions`.

A prelims question is a number, a stem, optional numbered statements, options (a) to (d), an "Answer: b"
line and an optional "Explanation: ..." — typed as plain paragraphs or made with Word's numbering.
A question that cannot be read completely stays in the article as text, with a finding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pressroom.wordimport.findings import Finding
from pressroom.wordimport.pandoc_ast import (
    block_text,
    first_paragraph,
    flatten_divs,
    plain,
    unmark,
)

PRELIMS_HEADINGS = ("practice questions", "prelims questions", "prelims practice questions", "mcqs", "mcq",
                    "multiple choice questions", "प्रारंभिक परीक्षा प्रश्न", "अभ्यास प्रश्न", "बहुविकल्पीय प्रश्न")
MAINS_HEADINGS = ("mains questions", "mains question", "mains practice questions", "मुख्य परीक्षा प्रश्न")
# "1. text", "1) text", "Q1. text", "Q.1 text", "Question 1: text"
NUMBERED = re.compile(r"^(?:Q(?:uestion)?\s*\.?\s*(\d{1,3})\s*[.):]?|(\d{1,3})\s*[.)])\s+(.*)$",
                      re.IGNORECASE | re.DOTALL)
OPTION = re.compile(r"^\(?([a-dA-D])\s*[.)]\s*(.*)$", re.DOTALL)
INLINE_OPTIONS = re.compile(r"\(([a-dA-D])\)\s*")
ANSWER = re.compile(r"^(?:answer|ans|correct answer|correct option|उत्तर)\s*[:.\-–]?\s*(?:option\s*)?"
                    r"\(?([a-dA-D])\)?(?:$|[\s.)].*$)", re.IGNORECASE | re.DOTALL)
EXPLANATION = re.compile(r"^(?:explanation|व्याख्या)\s*[:.\-–]\s*(.*)$", re.IGNORECASE | re.DOTALL)


def part_kind(heading: str) -> str | None:
    text = re.sub(r"\s+", " ", unmark(heading)).strip(" :.-–—").casefold()
    text = re.sub(r"^\d+[.)]\s*", "", text)
    if text in PRELIMS_HEADINGS:
        return "prelims"
    if text in MAINS_HEADINGS:
        return "mains"
    return None


@dataclass(frozen=True)
class Line:
    text: str
    number: int | None  # a number from Word's numbering or typed at the start, at the outer level
    letter: str | None  # an option letter from Word's numbering
    nested: bool        # inside a list item: a statement, not a question
    paragraph: int


@dataclass
class Draft:
    number: int
    paragraph: int
    stem: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    answer: str | None = None
    explanation: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Prelims:
    q: str
    options: tuple[str, str, str, str]
    answer: str
    explanation: str
    statements: tuple[str, ...] = ()  # "Consider the following statements": one each, as UPSC prints them
    ask: str = ""                     # the question after the statements


def lines_of(blocks: list[dict], nested: bool = False) -> list[Line]:
    out: list[Line] = []
    for block in flatten_divs(blocks):
        kind, c = block["t"], block.get("c")
        if kind in ("OrderedList", "BulletList"):
            items = c[1] if kind == "OrderedList" else c
            start, style = (c[0][0], c[0][1]["t"]) if kind == "OrderedList" else (0, "Bullet")
            for i, item in enumerate(items):
                inner = lines_of(item, nested=True)
                if not inner:
                    continue
                first = inner[0]
                number = start + i if style in ("Decimal", "DefaultStyle", "Example") else None
                letter = chr(ord("a") + start + i - 1) if style in ("LowerAlpha", "UpperAlpha") else None
                inner[0] = Line(first.text, number, letter, nested, first.paragraph)
                out += inner
        elif kind in ("Para", "Plain", "Header"):
            inlines = c[2] if kind == "Header" else c
            where = first_paragraph(block)
            for piece in _split_at_breaks(inlines):  # Shift+Enter puts a question's lines in one paragraph
                text = re.sub(r"\s+", " ", unmark(plain(piece))).strip()
                if text:
                    out.append(Line(text, None, None, nested, where))
        else:
            text = re.sub(r"\s+", " ", unmark(block_text(block))).strip()
            if text:
                out.append(Line(text, None, None, nested, first_paragraph(block)))
    return out


def _split_at_breaks(inlines: list[dict]) -> list[list[dict]]:
    pieces: list[list[dict]] = [[]]
    for node in inlines:
        if node["t"] == "LineBreak":
            pieces.append([])
        else:
            pieces[-1].append(node)
    return pieces


def read_prelims(blocks: list[dict]) -> tuple[list[Prelims], list[Line], list[Finding]]:
    """The questions read, the lines of those that could not be read (to keep as text), and findings."""
    drafts: list[Draft] = []
    loose: list[Line] = []
    for line in lines_of(blocks):
        current = drafts[-1] if drafts else None
        typed = NUMBERED.match(line.text) if line.number is None and line.letter is None else None
        number = line.number if line.number is not None else (_number(typed) if typed else None)
        text = typed[3].strip() if typed else line.text
        if number is not None and not line.nested and not _is_statement(current, line):
            drafts.append(Draft(number, line.paragraph, [text], lines=[line]))
            continue
        if current is None:
            loose.append(line)
            continue
        current.lines.append(line)
        _add(current, line, number, text)
    questions, kept, findings = [], list(loose), []
    for draft in drafts:
        missing = _missing(draft)
        if missing:
            findings.append(Finding(draft.paragraph, f"question {draft.number} could not be read ({missing}); "
                                                     "it is kept as text in the article", "import.question"))
            kept += draft.lines
            continue
        if not draft.explanation:
            findings.append(Finding(draft.paragraph, f"question {draft.number} has no explanation; write one "
                                                     "in the front matter (build.py check asks for it)",
                                    "import.explanation"))
        stem = " ".join(draft.stem).strip()
        ask = " ".join(draft.tail).strip()
        if not draft.statements:
            stem, ask = " ".join([stem, ask]).strip(), ""
        options = tuple(draft.options[k] for k in "abcd")
        questions.append(Prelims(stem, options, draft.answer, " ".join(draft.explanation).strip(),
                                 tuple(draft.statements), ask))
    return questions, kept, findings


def _number(typed: re.Match) -> int:
    return int(typed[1] or typed[2])


def _is_statement(current: Draft | None, line: Line) -> bool:
    """A typed "1." inside a question that asks about statements is a statement, not the next question."""
    if current is None or current.options or current.answer or current.explanation:
        return False
    return current.stem[-1].rstrip().endswith((":", "：")) or bool(current.statements)


def _add(draft: Draft, line: Line, number: int | None, text: str) -> None:
    if draft.explanation and not ANSWER.match(line.text):
        draft.explanation.append(line.text)
        return
    answer = ANSWER.match(line.text)
    if answer:
        draft.answer = answer[1].lower()
        return
    explanation = EXPLANATION.match(line.text)
    if explanation:
        draft.explanation.append(explanation[1].strip())
        return
    if line.letter:
        draft.options[line.letter] = line.text
        return
    options = _options(line.text)
    if options:
        draft.options.update(options)
        return
    if number is not None and not draft.options:
        draft.statements.append(text)
        return
    if draft.options:  # text after the options and before the answer: the last option goes on
        last = max(draft.options)
        draft.options[last] += " " + line.text
    elif draft.statements:
        draft.tail.append(line.text)
    else:
        draft.stem.append(line.text)


def _options(text: str) -> dict[str, str]:
    """'(a) x' or '(a) x (b) y (c) z (d) w' on one line."""
    parts = INLINE_OPTIONS.split(text)
    if len(parts) >= 3 and not parts[0].strip():
        return {parts[i].lower(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    single = OPTION.match(text)
    if single and single[1].lower() in "abcd" and (text.startswith("(") or text[1:2] in ".)"):
        return {single[1].lower(): single[2].strip()}
    return {}


def _missing(draft: Draft) -> str:
    gaps = []
    if not " ".join(draft.stem).strip():
        gaps.append("no question text")
    letters = "".join(sorted(draft.options))
    if letters != "abcd" or not all(draft.options.values()):
        gaps.append(f"options {', '.join(sorted(draft.options)) or 'none'} instead of (a) to (d)")
    if draft.answer is None:
        gaps.append("no 'Answer:' line")
    return "; ".join(gaps)


def read_mains(blocks: list[dict]) -> list[str]:
    """Each numbered item or paragraph is a question; an unnumbered paragraph after one continues it."""
    questions: list[str] = []
    numbered_seen = False
    for line in lines_of(blocks):
        typed = NUMBERED.match(line.text) if line.number is None else None
        if line.number is not None or typed:
            numbered_seen = True
            questions.append(typed[3].strip() if typed else line.text)
        elif numbered_seen and questions:
            questions[-1] += " " + line.text
        elif line.text:
            questions.append(line.text)
    return [q for q in questions if q.strip()]


def kept_text(lines: list[Line]) -> list[dict]:
    """Lines of unread questions as paragraphs, each starting with its paragraph marker."""
    return [{"t": "Para", "c": [{"t": "Str", "c": f"\ufdd0{line.paragraph}\ufdd1"},
                                {"t": "Str", "c": _shown(line)}]} for line in lines if line.text]


def _shown(line: Line) -> str:
    if line.letter:
        return f"({line.letter}) {line.text}"
    if line.number is not None:
        return f"{line.number}. {line.text}"
    return line.text
