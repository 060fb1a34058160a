"""Unit tests, stage by stage: yamlsource, schema, markup, compose, output."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from pressroom import output
from pressroom.stages import compose, markup, schema
from pressroom.stages.yamlsource import load_yaml_text

PNG = FIXTURES / "mini" / "mini-2020" / "gs1" / "images" / "bars.png"


# --------------------------------------------------------------------------- yamlsource

def load(text: str, first_line: int = 1):
    located, problems = load_yaml_text(text, Path("/nowhere/x.yaml"), first_line=first_line)
    assert located is not None, problems
    return located, problems


def test_yaml_keeps_norway_and_friends_as_text():
    located, problems = load("a: no\nb: yes\nc: off\nd: On\ne: NO\n")
    assert problems == []
    assert located.value == {"a": "no", "b": "yes", "c": "off", "d": "On", "e": "NO"}


def test_yaml_keeps_leading_zeros_numbers_and_dates_as_text():
    located, _ = load('phone: 010\nother: 0x1F\nyear: 2020\nratio: 1.50\nwhen: 2020-03-01\nq: "010"\n')
    assert located.value == {"phone": "010", "other": "0x1F", "year": "2020", "ratio": "1.50",
                             "when": "2020-03-01", "q": "010"}


def test_yaml_null_only_when_empty_or_tilde_not_when_quoted():
    located, _ = load('a:\nb: ~\nc: null\nd: ""\ne: "null"\n')
    assert located.value == {"a": None, "b": None, "c": None, "d": "", "e": "null"}


def test_yaml_line_numbers_of_nested_keys_and_list_items():
    text = ("title: T\n"                    # 1
            "questions:\n"                  # 2
            "  prelims:\n"                  # 3
            "    - q: Q1\n"                 # 4
            "      options: [a, b, c, d]\n"  # 5
            "      answer: b\n"             # 6
            "    - q: Q2\n"                 # 7
            "      answer: c\n")            # 8
    located, _ = load(text)
    assert located.line_of(("title",)) == 1
    assert located.line_of(("questions", "prelims")) == 3
    assert located.line_of(("questions", "prelims", 0)) == 4
    assert located.line_of(("questions", "prelims", 0, "answer")) == 6
    assert located.line_of(("questions", "prelims", 1, "answer")) == 8
    assert located.line_of(("questions", "prelims", 0, "options", 2)) == 5
    # A key that is not there is located at its nearest existing parent.
    assert located.line_of(("questions", "prelims", 1, "explanation")) == 7


def test_yaml_line_numbers_are_file_lines_for_front_matter():
    """Front matter starts on line 2 of the article (after '---'); every line must be a file line."""
    located, _ = load("title: T\ntopic: X\nquestions:\n  mains:\n    - M\n", first_line=2)
    assert located.line_of(("title",)) == 2
    assert located.line_of(("questions", "mains", 0)) == 6


def test_yaml_duplicate_key_is_reported_at_the_second_occurrence():
    located, problems = load_yaml_text("title: A\ntopic: B\ntitle: C\n", Path("/nowhere/x.yaml"))
    assert [(p.line, p.severity, p.message) for p in problems] == [(3, "error", "duplicate key 'title'")]
    assert located.value["title"] == "A"


def test_yaml_duplicate_key_in_front_matter_is_reported_at_its_file_line():
    # Front matter text starting on file line 2: the duplicate `title` is on file line 4.
    _, problems = load_yaml_text("title: A\ntopic: B\ntitle: C\n", Path("/nowhere/x.md"), first_line=2)
    assert [(p.line, p.message) for p in problems] == [(4, "duplicate key 'title'")]


def test_yaml_syntax_error_carries_the_line_of_the_problem():
    located, problems = load_yaml_text("title: ok\nsummary: a: b\n", Path("/nowhere/x.yaml"))
    assert located is None
    assert [(p.line, p.message) for p in problems] == [(2, "YAML syntax error: mapping values are not allowed here")]


# --------------------------------------------------------------------------- schema

def validate(model, text: str):
    located, problems = load(text)
    return schema.validate(model, located, Path("/nowhere/x.yaml"))


BRAND_OK = 'name: "X"\n'


def test_schema_unknown_key_suggests_the_closest_known_key():
    value, problems = validate(schema.ArticleMeta, 'title: "T"\nsumary: "S"\n')
    assert value is None
    assert [(p.line, p.message) for p in problems] == [(2, "unknown key 'sumary' (did you mean 'summary'?)")]


def test_schema_unknown_key_without_a_close_match_gets_no_suggestion():
    _, problems = validate(schema.ArticleMeta, 'title: "T"\nauthorship: "S"\n')
    assert [p.message for p in problems] == ["unknown key 'authorship'"]


def test_schema_nested_unknown_key_suggests_from_the_nested_model():
    _, problems = validate(schema.ArticleMeta,
                           'title: "T"\nquestions:\n  prelim:\n    - q: "x"\n')
    assert [(p.line, p.message) for p in problems] == [(3, "questions: unknown key 'prelim' (did you mean 'prelims'?)")]


@pytest.mark.parametrize("written, stored", [
    ("#1f3a68", "#1F3A68"),
    ("#1F3A68", "#1F3A68"),
    ("#abc", "#AABBCC"),
    ("#0F0", "#00FF00"),
])
def test_schema_colours_are_normalised_to_upper_case_six_digits(written, stored):
    brand, problems = validate(schema.Brand, f'{BRAND_OK}colors:\n  primary: "{written}"\n')
    assert problems == []
    assert brand.colors.primary == stored
    assert brand.colors.accent == "#B45309"  # the documented default


@pytest.mark.parametrize("written", ["#12345", "1F3A68", "#GGGGGG", "navy"])
def test_schema_colour_that_is_not_hex_is_an_error(written):
    _, problems = validate(schema.Brand, f'{BRAND_OK}colors:\n  accent: "{written}"\n')
    assert [(p.line, p.message) for p in problems] == [
        (3, f"colors.accent: '{written}' is not a colour; write it as #RRGGBB, for example '#1F3A68'")]


@pytest.mark.parametrize("tag", ["en", "hi", "en-IN", "hi-Deva-IN"])
def test_schema_accepts_bcp47_language_tags(tag):
    meta, problems = validate(schema.EditionMeta,
                              f'title: T\npublished: 2020-03-01\nlanguage: {tag}\nsections:\n'
                              '  - {id: gs1, label: L, title: T}\n')
    assert problems == [] and meta.language == tag


@pytest.mark.parametrize("written, hint", [("Hindi", "hi"), ("english", "en"), ("xx", None)])
def test_schema_rejects_language_names_with_a_hint(written, hint):
    _, problems = validate(schema.EditionMeta,
                           f'title: T\npublished: 2020-03-01\nlanguage: {written}\nsections:\n'
                           '  - {id: gs1, label: L, title: T}\n')
    suffix = f" (did you mean '{hint}'?)" if hint else " (for example 'en', 'hi' or 'en-IN')"
    assert [(p.line, p.message) for p in problems] == [
        (3, f"language: '{written}' is not a BCP 47 language tag{suffix}")]


def test_schema_dates_come_from_text_and_featured_accepts_yes():
    meta, problems = validate(schema.EditionMeta,
                              'title: T\npublished: "2020-03-01"\nsections:\n  - {id: gs1, label: L, title: T}\n')
    assert problems == [] and meta.published.isoformat() == "2020-03-01"
    article, problems = validate(schema.ArticleMeta, 'title: T\nfeatured: yes\n')
    assert problems == [] and article.featured is True


# --------------------------------------------------------------------------- markup

@pytest.fixture
def article(tmp_path) -> Path:
    """An article path inside a content root (tmp_path) with one image next to it."""
    (tmp_path / "ed" / "gs1" / "images").mkdir(parents=True)
    shutil.copy(PNG, tmp_path / "ed" / "gs1" / "images" / "bars.png")
    path = tmp_path / "ed" / "gs1" / "01-a.md"
    path.write_text("placeholder", encoding="utf-8")
    return path


def render(article: Path, body: str, language: str = "en", figure_start: int = 0):
    ctx = markup.MarkupContext(article.parent.parent.parent, language, {"note": "Note", "prelims": "Prelims Pointers"},
                               "Figure", {})
    namers = (lambda p: f"content:{p.name}", lambda p: f"images/{p.name}")
    fragment, problems = markup.render_markdown(body, article, 10, "art-a", ctx, figure_start, namers)
    assert problems == [], problems
    return fragment


def test_markup_figures_are_numbered_through_the_edition(article):
    body = "![Finds by season](images/bars.png)\n\nText.\n\n![Finds by site](images/bars.png)\n"
    first = render(article, body)
    assert first.figures == 2
    assert re.findall(r'<span class="fig-num">([^<]*)</span>', first.print_html) == ["Figure 1.", "Figure 2."]
    # The next article continues the count where this one ended.
    later = render(article, body, figure_start=first.figures)
    assert re.findall(r'<span class="fig-num">([^<]*)</span>', later.print_html) == ["Figure 3.", "Figure 4."]
    assert re.findall(r'<span class="fig-num">([^<]*)</span>', later.epub_html) == ["Figure 3.", "Figure 4."]


def test_markup_image_inside_text_is_not_a_figure(article):
    fragment = render(article, "See ![a tiny chart](images/bars.png) here.\n")
    assert fragment.figures == 0
    assert "<figure" not in fragment.print_html and "fig-num" not in fragment.print_html
    assert 'alt="a tiny chart"' in fragment.print_html


def cells(html: str) -> list[tuple[str, str]]:
    """(attributes, text) of every th/td, in order."""
    return re.findall(r"<t[hd]([^>]*)>([^<]*)</t[hd]>", html)


def test_markup_numeric_table_column_is_marked_num(article):
    body = ("| Scheme | Outlay (₹ crore) | Share | Note |\n"
            "| --- | --- | --- | --- |\n"
            "| PM-KISAN | 75,000 | 12.5% | direct transfer |\n"
            "| MGNREGA | 61,500 | (10%) | demand driven |\n"
            "| Jal Jeevan | −3,600 | 0.6 % | |\n")
    rows = cells(render(article, body).print_html)
    classes = [("num" in attrs) for attrs, _ in rows]
    assert classes == [False, True, True, False] * 4, rows


def test_markup_column_with_one_word_is_not_numeric(article):
    body = "| Year | Growth |\n| --- | --- |\n| 2019 | 4.2% |\n| 2020 | n/a |\n"
    rows = cells(render(article, body).print_html)
    assert [("num" in attrs) for attrs, _ in rows] == [True, False] * 3


def test_markup_devanagari_paragraph_in_english_edition_gets_lang_hi(article):
    body = ("The river feeds the plain.\n\n"
            "गंगा और यमुना के मैदानों में मानसून की वर्षा से नदियाँ भर जाती हैं।\n\n"
            "- भारत की नदियाँ\n- English item\n")
    fragment = render(article, body)
    assert '<p lang="hi">गंगा' in fragment.print_html
    assert "<p>The river" in fragment.print_html
    assert '<li lang="hi">' in fragment.print_html and "<li>English item" in fragment.print_html.replace("<p>", "")
    # XHTML needs xml:lang as well.
    assert '<p lang="hi" xml:lang="hi">गंगा' in fragment.epub_html


def test_markup_latin_paragraph_in_hindi_edition_gets_lang_en(article):
    fragment = render(article, "भारत की नदियाँ।\n\nThe Supreme Court ruled on 17 February 2020.\n", language="hi")
    assert '<p lang="en">The Supreme Court' in fragment.print_html
    assert "<p>भारत" in fragment.print_html


def test_markup_footnote_print_flavour_is_an_inline_span(article):
    fragment = render(article, "Dates are contested.[^c]\n\n[^c]: Carbon dates from *Florida*.\n")
    assert fragment.print_html.strip() == (
        '<p>Dates are contested.<span class="footnote" data-n="1">Carbon dates from <em>Florida</em>.</span></p>')


def test_markup_footnote_epub_flavour_is_a_linked_aside(article):
    html = render(article, "Dates are contested.[^c]\n\n[^c]: Carbon dates from *Florida*.\n").epub_html
    ref = re.search(r'<a epub:type="noteref"[^>]* id="([^"]+)" href="#([^"]+)">1</a>', html)
    assert ref, html
    ref_id, note_id = ref.groups()
    note = re.search(rf'<aside epub:type="footnote" role="doc-footnote" id="{note_id}"[^>]*>(.*?)</aside>', html, re.S)
    assert note, html
    assert "Carbon dates from <em>Florida</em>." in note.group(1)
    assert f'href="#{ref_id}"' in note.group(1)  # a way back to the text
    assert '<span class="footnote">' not in html


def test_markup_box_gets_its_label_and_title(article):
    html = render(article, "::: prelims Keep in mind\n- Point one.\n:::\n").print_html
    assert '<aside class="box box-prelims" aria-label="Prelims Pointers">' in html
    assert '<p class="box-label">Prelims Pointers</p><p class="box-title">Keep in mind</p>' in html


def test_markup_escapes_text_that_looks_like_markup_or_templates(article):
    html = render(article, "Use \\<script> and {{ 7*7 }} literally.\n").print_html
    assert "&lt;script&gt;" in html and "{{ 7*7 }}" in html and "<script" not in html


# --------------------------------------------------------------------------- compose: colours

@pytest.mark.parametrize("colour", ["#FFD700", "#FFFF00", "#87CEEB", "#F0F0F0", "#FF8C00"])
def test_light_brand_colour_is_darkened_for_text(colour):
    ink = compose.ink_for(colour)
    assert compose.contrast(colour, "#FFFFFF") < 4.5
    assert compose.contrast(ink, "#FFFFFF") >= 4.5
    # A darker shade of the same colour: every channel scaled by one factor (hue kept).
    original = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    darker = [int(ink[i:i + 2], 16) for i in (1, 3, 5)]
    assert all(d <= o for d, o in zip(darker, original))
    factor = max(darker) / max(original)
    assert all(abs(d - o * factor) <= 1.5 for d, o in zip(darker, original))
    assert factor > 0.2, f"{colour} darkened to near black ({ink})"


def test_gold_becomes_a_readable_dark_gold():
    ink = compose.ink_for("#FFD700")
    assert compose.contrast(ink, "#FFFFFF") >= 4.5
    assert ink != "#000000"
    assert ink.upper() == ink and re.fullmatch(r"#[0-9A-F]{6}", ink)


@pytest.mark.parametrize("colour", ["#1F3A68", "#B45309", "#000000"])
def test_readable_brand_colour_is_kept(colour):
    assert compose.ink_for(colour) == colour


def test_contrast_matches_wcag_reference_values():
    assert compose.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert compose.contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert compose.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_palette_picks_readable_text_on_the_primary_block():
    dark = compose.palette(schema.Colors(primary="#1F3A68", accent="#B45309"))
    assert dark["on_primary"] == "#FFFFFF"
    light = compose.palette(schema.Colors(primary="#FFD700", accent="#FFD700"))
    assert light["on_primary"] != "#FFFFFF"
    assert compose.contrast(light["on_primary"], "#FFD700") >= 4.5
    assert compose.contrast(light["primary_ink"], "#FFFFFF") >= 4.5
    assert compose.contrast(light["accent_ink"], "#FFFFFF") >= 4.5


def test_css_string_escape_keeps_quotes_and_spaces():
    """Running heads are CSS strings: a quote must not end the string, and no space may be eaten."""
    import tinycss2

    value = 'Easy to PICK UPSC "PT" DNA \\ </style> ;}'
    css = f'p {{ content: "{compose.cssstr(value)}"; }}'
    rule = tinycss2.parse_stylesheet(css)[0]
    [declaration] = tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True)
    strings = [t.value for t in declaration.value if t.type == "string"]
    assert strings == [value]
    assert "</style" not in str(compose.cssstr(value)).lower()


# --------------------------------------------------------------------------- output

def test_write_atomic_replaces_the_file(tmp_path):
    target = tmp_path / "out" / "book.pdf"
    output.write_atomic(target, b"first")
    output.write_atomic(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["book.pdf"]


def test_write_atomic_failure_at_rename_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"old edition")

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        output.write_atomic(target, b"new edition" * 1000)
    assert target.read_bytes() == b"old edition"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


def test_write_atomic_failure_while_writing_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "book.epub"
    target.write_bytes(b"old edition")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        output.write_atomic(target, b"new edition")
    assert target.read_bytes() == b"old edition"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub"]


def test_written_files_are_readable_by_everyone(tmp_path):
    target = tmp_path / "book.pdf"
    output.write_atomic(target, b"x")
    assert target.stat().st_mode & 0o777 == 0o644
