"""Month names in edition titles and prelims labels, in English and Hindi.

An edition title names its months and year ("Feb-March 2020", "अप्रैल 2020"); from
that `new-edition` derives the folder name, the publication date and the prelims
label, keeping the way the previous label was written ("Feb-PT 2020" -> "Apr-PT 2020").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pressroom.stages.markup import slugify

FULL = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December")
ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HINDI = ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर")
# Spellings seen in print besides the ones above (no nukta, half-m instead of anusvara).
HINDI_VARIANTS = {"फरवरी": 2, "सितम्बर": 9, "अक्तूबर": 10, "नवम्बर": 11, "दिसम्बर": 12}
DEVANAGARI_LANGS = {"hi", "mr", "ne", "sa", "mai", "kok", "bho"}


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    month: int  # 1-12
    style: str  # "full", "abbr" or "hindi"
    text: str


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _names() -> list[tuple[str, int, str]]:
    names = [(n, i + 1, "full") for i, n in enumerate(FULL)]
    names += [(n, i + 1, "abbr") for i, n in enumerate(ABBR) if n != "May"] + [("Sept", 9, "abbr")]
    names += [(_nfc(n), i + 1, "hindi") for i, n in enumerate(HINDI)]
    names += [(_nfc(n), m, "hindi") for n, m in HINDI_VARIANTS.items()]
    return sorted(names, key=lambda n: -len(n[0]))  # "March" before "Mar"


NAMES = _names()
PATTERN = re.compile("|".join(
    rf"(?<![A-Za-z\u0900-\u097F])({re.escape(name)})(?![A-Za-z\u0900-\u097F])" for name, _, _ in NAMES), re.I)
YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def find(text: str) -> list[Token]:
    """Every month named in the text, in order."""
    text = _nfc(text)
    tokens = []
    for match in PATTERN.finditer(text):
        index = next(i for i, group in enumerate(match.groups()) if group is not None)
        _, month, style = NAMES[index]
        tokens.append(Token(match.start(), match.end(), month, style, match.group()))
    return tokens


def year_in(text: str) -> int | None:
    match = YEAR.search(_nfc(text))
    return int(match.group(1)) if match else None


def name(month: int, style: str, like: str = "") -> str:
    word = {"full": FULL, "abbr": ABBR, "hindi": HINDI}[style][month - 1]
    return word.upper() if like.isupper() and len(like) > 1 else word


def edition_slug(title: str, tokens: list[Token], year: int, language: str, previous_slug: str) -> str:
    """'Feb-March 2020' -> '2020-02-feb-march'; a Hindi title gets English month names and keeps the '-hi'."""
    words = slugify(YEAR.sub(" ", _nfc(title)))
    if not words:
        words = "-".join(dict.fromkeys(FULL[t.month - 1].lower() for t in tokens))
    base = language.split("-")[0].lower()
    suffix = f"-{base}" if base != "en" and previous_slug.endswith(f"-{base}") else ""
    if words.endswith(suffix):
        suffix = ""
    return f"{year}-{tokens[0].month:02d}-{words}{suffix}"


def prelims_label(previous: str, tokens: list[Token], year: int) -> str:
    """The previous label with this edition's first month and year, written the same way; else 'April-PT 2020'."""
    month = tokens[0].month
    previous = _nfc(previous)
    old = find(previous)
    if not old:
        return f"{FULL[month - 1]}-PT {year}"
    first = old[0]
    label = previous[:first.start] + name(month, first.style, first.text) + previous[first.end:]
    return YEAR.sub(str(year), label, count=1) if YEAR.search(label) else f"{label} {year}"
