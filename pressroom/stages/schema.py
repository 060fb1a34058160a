"""The content contract: every key an editor may write, with what it means.

`brand.yaml`, `edition.yaml` and article front matter are validated against
these models.  Unknown keys are errors; so are wrong types.  Each field's
docstring is the documentation an editor sees in docs/authoring.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from pressroom.limits import MAX_LONG_TEXT, MAX_SHORT_TEXT
from pressroom.problems import Problem, did_you_mean, error, short
from pressroom.stages import values
from pressroom.stages.yamlsource import Located

# ISO 639-1 codes: a BCP 47 tag must start with a real language, not just the right shape.
ISO_639_1 = set(
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)
LANGUAGE_NAMES = {
    "english": "en", "hindi": "hi", "marathi": "mr", "bengali": "bn", "tamil": "ta",
    "telugu": "te", "gujarati": "gu", "kannada": "kn", "malayalam": "ml", "punjabi": "pa",
    "urdu": "ur", "odia": "or", "assamese": "as", "nepali": "ne", "sanskrit": "sa",
}
BCP47 = re.compile(r"^(?P<lang>[a-zA-Z]{2,3})(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8}|-[0-9][a-zA-Z0-9]{3})*$")
HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _language(value: str) -> str:
    match = BCP47.match(value)
    if not match or match["lang"].lower() not in ISO_639_1 and len(match["lang"]) == 2:
        hint = LANGUAGE_NAMES.get(value.strip().lower())
        raise ValueError(
            f"'{value}' is not a BCP 47 language tag"
            + (f" (did you mean '{hint}'?)" if hint else " (for example 'en', 'hi' or 'en-IN')")
        )
    if len(match["lang"]) == 3 and value.lower() in LANGUAGE_NAMES:
        raise ValueError(f"'{value}' is not a BCP 47 language tag (did you mean '{LANGUAGE_NAMES[value.lower()]}'?)")
    return value


def _colour(value: str) -> str:
    if not HEX.match(value):
        raise ValueError(f"'{value}' is not a colour; write it as #RRGGBB, for example '#1F3A68'")
    if len(value) == 4:
        value = "#" + "".join(c * 2 for c in value[1:])
    return value.upper()


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"'{value}' is not a valid id: use lowercase letters, digits and '-', e.g. 'gs2'")
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _four(options: list[str]) -> list[str]:
    if len(options) != 4:
        raise ValueError(f"a prelims question needs exactly 4 options, not {len(options)}")
    return options


Line = Annotated[str, StringConstraints(max_length=MAX_SHORT_TEXT)]  # a name, a title, a label: one line
Para = Annotated[str, StringConstraints(max_length=MAX_LONG_TEXT)]   # a summary, an address, an explanation
Text = Annotated[Line, AfterValidator(_nonblank)]
LongText = Annotated[Para, AfterValidator(_nonblank)]
Language = Annotated[str, AfterValidator(_language)]
Colour = Annotated[str, AfterValidator(_colour)]
Slug = Annotated[str, AfterValidator(_slug)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True, str_strip_whitespace=True)


class Colors(Model):
    primary: Colour = "#1F3A68"
    """Section identity: cover block, opener bands, kickers, bullets, rules. Default a deep blue."""
    accent: Colour = "#B45309"
    """Used sparingly, for what a student must not miss (prelims pointers). Default a warm amber."""


class Social(Model):
    name: Text
    """What the reader sees under "Follow Us On", e.g. "YouTube: Aspire IAS"."""
    url: Annotated[Line, AfterValidator(_nonblank), AfterValidator(values.social_url)]
    """Where it leads, e.g. "https://www.youtube.com/@aspireias" (`https:`, `http:`, `mailto:` or `tel:`)."""


class HouseRules(Model):
    """The institute's style, checked by `build.py check` as warnings (errors with `--strict`); a build ignores it."""

    required_headings: list[Text] = []
    """Headings every article must have, e.g. ["Context", "Way ahead | Way forward"]; `|` separates accepted wordings."""
    max_title_length: int | None = Field(default=None, ge=1)
    """The longest article title allowed, in characters."""
    require_tags: bool = False
    """Every article must list at least one tag."""
    require_summary: bool = False
    """Every article must have a summary."""
    exempt_sections: list[Slug] = []
    """Section ids whose articles need not have the required headings, e.g. `prelims`."""


class Watermark(Model):
    diagonal: bool = False
    """Personalised copies (`build.py stamp`) also carry the student's name faintly across each page."""


class Brand(Model):
    """`content/brand.yaml`: the institute, shared by all its editions."""

    name: Text
    """The institute's name, e.g. "ASPIRE IAS". Required."""
    tagline: Line = ""
    """A line under the name, e.g. "The Name Associated with Excellence"."""
    slogan: Line = ""
    """Printed in every page's running foot and at the foot of the cover."""
    address: Para = ""
    """Postal address; line breaks are kept (use a `|` block)."""
    phones: list[Text] = []
    """Phone numbers, as a list of quoted strings."""
    website: Annotated[Line, AfterValidator(values.website)] = ""
    """The institute's web address: `https://…` or `http://…` (a bare `www.example.org` gets `https://`)."""
    social: list[Social] = []
    """Social channels shown under "Follow Us On", each `{name, url}`."""
    copyright: Line = ""
    """The copyright line on the back cover."""
    logo: Line | None = None
    """Optional path to an SVG or PNG logo, relative to brand.yaml."""
    colors: Colors = Colors()
    """Optional brand colours `{primary, accent}` as #RRGGBB."""
    house_rules: HouseRules = HouseRules()
    """Optional style rules for articles, checked by `build.py check`."""
    watermark: Watermark = Watermark()
    """Optional `{diagonal: true}`: a faint diagonal name on every page of each student's copy."""


class Section(Model):
    id: Slug
    """The section's folder name inside the edition, e.g. `gs2`."""
    label: Text
    """The short paper label used in kickers, e.g. "GS-II"."""
    title: Text
    """The full title printed on the section opener and in the contents."""
    short_title: str = ""
    """Optional shorter title for the running heads, e.g. "GS-III: Economy and Environment"; without it a long title is shortened at a word boundary."""


class Cover(Model):
    image: Line | None = None
    """Optional cover picture, relative to edition.yaml."""
    headline: Line | None = None
    """Optional headline printed on the front cover."""


class EditionMeta(Model):
    """`content/<edition-slug>/edition.yaml`: one month's compilation."""

    title: Text
    """The edition's name, e.g. "Feb-March 2020". Required."""
    prelims_label: Line = ""
    """The prelims badge, e.g. "Feb-PT 2020"."""
    language: Language = "en"
    """The edition's language as a BCP 47 tag: `en`, `hi`, `en-IN`…"""
    published: Annotated[dt.date, AfterValidator(values.published)]
    """Publication date, YYYY-MM-DD, from 1980-01-01 to 2099-12-31. Required. Every date in the outputs comes from it."""
    sections: list[Section] = Field(min_length=1)
    """The sections in reading order, each `{id, label, title}`. Required."""
    cover: Cover = Cover()
    """Optional `{image, headline}` for the front cover."""
    foreword: str | None = None
    """Optional Markdown text for a "How to use this magazine" page."""
    practice: bool = True
    """Print the Practice Questions part, Answer Key and Index; `false` leaves them out."""
    epub_budget_mb: float = Field(default=20, gt=0)
    """The build warns when the EPUB is larger than this many megabytes (phones on slow data)."""
    answers: Literal["inline", "separate"] = "inline"
    """`inline`: the answer key is in the magazine; `separate`: it is written as its own PDF, `<name>-answers.pdf`."""


_PUBLISHED = TypeAdapter(Annotated[dt.date, AfterValidator(values.published)])


class PrelimsQuestion(Model):
    q: LongText
    """The question stem, e.g. "Consider the following statements about the Union Budget 2020-21:"."""
    statements: list[LongText] = []
    """Optional numbered statements, printed one to a line under the stem as UPSC sets them (1., 2., …); write them here, not as "1. … 2. …" inside the stem."""
    ask: Para = ""
    """Optional question printed after the statements, e.g. "Which of the statements given above is/are correct?"."""
    options: Annotated[list[Text], AfterValidator(_four)]
    """Exactly four options, in order (a) to (d)."""
    answer: Literal["a", "b", "c", "d"]
    """The correct option: a, b, c or d."""
    explanation: LongText
    """Why that answer is right; printed in the answer key."""


class Questions(Model):
    prelims: list[PrelimsQuestion] = []
    """Multiple-choice questions in the UPSC prelims style."""
    mains: list[LongText] = []
    """Mains questions, each ending with its word limit, e.g. "(250 words)"."""


class ArticleMeta(Model):
    """The front matter between `---` lines at the top of an article."""

    title: Text
    """The article's title, without the paper label or topic. Required."""
    topic: Line = ""
    """The kicker shown after the section label, e.g. "Techno-Politics"."""
    tags: list[Text] = []
    """Index terms for the article."""
    summary: Para = ""
    """A one-sentence standfirst printed under the title."""
    featured: bool = False
    """Lists the article under "In this issue" on the front cover."""
    questions: Questions = Questions()
    """Practice questions: `prelims` (multiple choice) and `mains`."""


def invalid_date(value: object) -> str:
    reason = values.date_problem(value)
    shown = short(str(value))
    return f"'{shown}' is not a valid date ({reason})" if reason.startswith("write ") else \
        f"'{shown}' is not a valid date: {reason}"


def parse_published(value: object) -> tuple[dt.date | None, str]:
    """A `published` value checked exactly as edition.yaml's is: (the date, '') or (None, why not)."""
    try:
        return _PUBLISHED.validate_python(value), ""
    except ValidationError as exc:
        return None, _describe(exc.errors(include_url=False)[0])


def _describe(err: dict) -> str:
    """Why the value is wrong, without naming where (the caller puts the key's name in front)."""
    kind, ctx = err["type"], err.get("ctx") or {}
    value = err.get("input")
    shown = short(str(value))
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"):
        return invalid_date(value)
    if kind == "literal_error":
        return f"'{shown}' is not one of {ctx.get('expected', '')}"
    if kind == "bool_parsing":
        return f"'{shown}' is not true or false"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type", "string_type"):
        want = {"list_type": "a list", "dict_type": "a mapping", "string_type": "text"}.get(kind, "a mapping of keys")
        return f"expected {want}, got {type(value).__name__ if value is not None else 'nothing'}"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if kind == "string_too_long":
        return f"is {len(str(value))} characters long; at most {ctx.get('max_length')} are allowed"
    return err["msg"].removeprefix("Value error, ")


SCHEMA_CODES = {
    "extra_forbidden": "schema.unknown-key", "missing": "schema.missing-key", "literal_error": "schema.choice",
    "bool_parsing": "schema.bool", "too_short": "schema.too-short", "date_parsing": "schema.date",
    "date_from_datetime_parsing": "schema.date", "date_from_datetime_inexact": "schema.date", "date_type": "schema.date",
    "list_type": "schema.type", "dict_type": "schema.type", "model_type": "schema.type",
    "model_attributes_type": "schema.type", "string_type": "schema.type", "date_range": "schema.date",
}


def schema_code(err: dict) -> str:
    """The stable code of a pydantic error, as docs/errors.md lists it."""
    return SCHEMA_CODES.get(err["type"], "schema.value")


def validate(model: type[Model], located: Located, source, prefix: tuple = ()) -> tuple[Model | None, list[Problem]]:
    """Validate a located YAML value against a model; every problem keeps its line."""
    data = located.value
    if not isinstance(data, dict):
        return None, [error(source, located.line_of(()), f"expected a mapping of keys, got {type(data).__name__}", code="schema.not-mapping")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            if err["type"] in ("extra_forbidden", "missing"):
                if err["type"] == "extra_forbidden":
                    parent = _model_at(model, loc[:-1])
                    known = [info.alias or name for name, info in parent.model_fields.items()] if parent else []
                    message = f"unknown key '{short(str(loc[-1]))}'{did_you_mean(str(loc[-1]), known)}"
                else:
                    message = f"missing required key '{loc[-1]}'"
                where = human_path(prefix + loc[:-1])
            else:
                message, where = _describe(err), human_path(prefix + loc)
            if where:
                message = f"{where}: {message}"
            problems.append(error(source, located.line_of(loc), message, code=schema_code(err)))
        return None, problems


# How an editor names the n-th item of a list: "prelims question 2" rather than questions.prelims[1].
ITEM_NAMES = {"prelims": "prelims question", "mains": "mains question", "sections": "section", "social": "social link",
              "options": "option", "phones": "phone", "tags": "tag", "statements": "statement"}


def human_path(loc: tuple) -> str:
    """('questions', 'prelims', 0, 'answer') -> 'prelims question 1, answer'; ('colors', 'accent') -> 'colors.accent'."""
    parts: list[tuple[str, bool]] = []  # (text, is a list item)
    for part in loc:
        if not isinstance(part, int):
            parts.append((str(part), False))
            continue
        name = parts.pop()[0] if parts and not parts[-1][1] else "item"
        if name in ("prelims", "mains") and parts and parts[-1] == ("questions", False):
            parts.pop()
        parts.append((f"{ITEM_NAMES[name]} {part + 1}" if name in ITEM_NAMES else f"{name} item {part + 1}", True))
    out = ""
    for index, (text, _) in enumerate(parts):
        out += text if index == 0 else (", " if parts[index - 1][1] else ".") + text
    return out


def _model_at(model, loc):
    """The model class that owns the key at `loc`, for "did you mean" suggestions."""
    current = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ()) or ()
        candidates = [annotation, *args]
        while candidates and not any(isinstance(c, type) and issubclass(c, BaseModel) for c in candidates):
            candidates = [a for c in candidates for a in (getattr(c, "__args__", ()) or ())]
        nxt = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if nxt is None:
            return None
        current = nxt
    return current
