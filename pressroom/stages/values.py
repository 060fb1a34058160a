"""Values in brand.yaml and edition.yaml that need more than a type: web addresses and dates.

Used by schema.py's models; kept apart so that each rule can be read, and tested, on its own.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from pydantic_core import PydanticCustomError

from pressroom.problems import short

# ZIP (and so EPUB) timestamps run from 1980 to 2107; a magazine date outside this range is a typing mistake.
PUBLISHED_FIRST, PUBLISHED_LAST = dt.date(1980, 1, 1), dt.date(2099, 12, 31)
URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
HOST_PORT = re.compile(r"^[^/:?#]+\.[^/:?#]+:\d+(?:[/?#]|$)")  # example.org:8080/x has no scheme
UNSAFE_IN_URL = re.compile(r"[\s\\<>\"'`{}|^\x00-\x1f\x7f-\x9f]")


def url(value: str, schemes: tuple[str, ...]) -> str:
    """A web address the PDF, the EPUB and the preview may make a live link of: only the schemes allowed."""
    match = URL_SCHEME.match(value)
    scheme = match[1].lower() if match and not HOST_PORT.match(value) else None
    allowed = " or ".join(f"{s}:" for s in schemes)
    if scheme is not None and scheme not in schemes:
        raise ValueError(f"'{short(value)}' is a '{scheme}:' address; only {allowed} addresses may be linked")
    if UNSAFE_IN_URL.search(value):
        raise ValueError(f"'{short(value)}' has a space, a quote or a control character; write the address as the "
                         "browser shows it, e.g. https://www.example.org/page")
    if scheme is None and (value.startswith(("/", ".")) or "." not in value.split("/")[0]):
        raise ValueError(f"'{short(value)}' is not a web address; write it in full, e.g. https://www.example.org")
    if scheme in ("http", "https") and not re.match(r"^https?://[^/?#]+", value, re.I):
        raise ValueError(f"'{short(value)}' has no site name after '{scheme}://'")
    return value


def website(value: str) -> str:
    return url(value, ("https", "http")) if value else value


def social_url(value: str) -> str:
    return url(value, ("https", "http", "mailto", "tel"))


def published(value: dt.date) -> dt.date:
    if not PUBLISHED_FIRST <= value <= PUBLISHED_LAST:
        raise PydanticCustomError("date_range", "{date} is outside the dates Pressroom can write; use a date from "
                                  "{first} to {last}", {"date": value.isoformat(), "first": PUBLISHED_FIRST.isoformat(),
                                                        "last": PUBLISHED_LAST.isoformat()})
    return value


def date_problem(value: object) -> str:
    """Why a written date is not a date, as an editor would say it."""
    match = re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$", str(value))
    if match:
        year, month, day = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            return f"there is no month {month} (write YYYY-MM-DD, e.g. 2020-03-01)"
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        if day == 0 or day > days:
            return f"{calendar.month_name[month]} {year} has {days} days"
    return "write YYYY-MM-DD, e.g. 2020-03-01"
