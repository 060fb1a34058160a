"""Content errors as an editor sees them: `path:line: error: message` on stderr, exit 1, nothing written.

Every test copies the mini edition into tmp_path, introduces one fault (or a
deliberate set of faults), runs `python build.py mini/mini-2020 --out out`
with cwd=tmp_path so that paths print relative to it, and checks the exact
stderr, the exit code and that the output folder was not created.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import run_build

EDITION = "mini/mini-2020"
BRAND = "mini/brand.yaml"
EDITION_YAML = f"{EDITION}/edition.yaml"
RIVERS = f"{EDITION}/gs1/01-river-towns.md"     # front matter with prelims questions; table, footnote, figure
MONSOON = f"{EDITION}/gs1/02-monsoon-rivers.md"  # Hindi paragraph
COUNCIL = f"{EDITION}/gs2/01-council-reform.md"  # a `note` box and a list


# --------------------------------------------------------------------------- helpers

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture changed? {old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def line_of(path: Path, needle: str) -> int:
    """1-based number of the only line containing needle."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits} of {path}"
    return hits[0]


def expect_errors(tmp_path: Path, *lines: str, edition: str = EDITION) -> None:
    """Build; the build must fail with exactly these error lines (in this order) and write nothing."""
    out = tmp_path / "out"
    result = run_build(edition, "--out", "out", cwd=tmp_path)
    summary = f"{Path(edition).name}: {len(lines)} error(s); nothing was written"
    assert result.stderr.splitlines() == [*lines, summary], result.stderr
    assert result.returncode == 1
    assert result.stdout == ""
    assert not out.exists(), f"a failed build wrote {sorted(p.name for p in out.rglob('*'))}"


def err(path: str, line: int, message: str) -> str:
    return f"{path}:{line}: error: {message}"


# --------------------------------------------------------------------------- the mini edition itself is valid

def test_mini_fixture_builds(mini, tmp_path):
    """Guard for every test below: the unmodified mini edition builds, so each failure is the one fault."""
    result = run_build(EDITION, "--out", "out", "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "out" / "mini-2020" / "mini-press-mini-2020.pdf").is_file()


# --------------------------------------------------------------------------- YAML

def test_yaml_syntax_error_in_front_matter_points_at_its_file_line(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, 'title: "River towns of the Vaigai"', "title: River towns: the Vaigai")
    expect_errors(tmp_path, err(RIVERS, 2, "YAML syntax error: mapping values are not allowed here"))


def test_yaml_syntax_error_in_edition_yaml(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'headline: "Two rivers, one budget"', "headline: Two rivers: one budget")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "headline:"),
                                "YAML syntax error: mapping values are not allowed here"))


def test_tab_indentation(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, "  headline:", "\theadline:")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "\theadline"),
                                "YAML syntax error: found character '\\t' that cannot start any token"))


def test_unquoted_colour_is_read_as_a_comment(mini, tmp_path):
    path = tmp_path / BRAND
    edit(path, 'primary: "#2E6B3A"', "primary: #2E6B3A")
    expect_errors(tmp_path, err(BRAND, line_of(path, "primary:"), "colors.primary: expected text, got nothing"))


def test_empty_required_text(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'title: "Reforming the town council"', 'title: ""')
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "title:"), "title: must not be empty"))


def test_duplicate_key_in_front_matter(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'topic: "Governance"\n', 'topic: "Governance"\ntopic: "Local bodies"\n')
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "Local bodies"), "duplicate key 'topic'"))


def test_yaml_alias_is_an_error_not_a_copy(mini, tmp_path):
    # Aliases would let a few lines expand to billions of values ("billion laughs").
    path = tmp_path / COUNCIL
    edit(path, 'topic: "Governance"\n', 'topic: &t "Governance"\nsummary: *t\n')
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "summary: *t"),
                                "YAML aliases (*name) are not allowed; write the value out"))


def test_yaml_nested_past_any_use_is_an_error(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'topic: "Governance"\n', 'topic: "Governance"\nextra: ' + "[" * 70 + "]" * 70 + "\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "extra: "), "nested more than 64 levels deep"),
                  err(COUNCIL, line_of(path, "extra: "), "unknown key 'extra'"))


# --------------------------------------------------------------------------- required keys

def test_missing_title_in_front_matter(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'title: "Reforming the town council"\n', "")
    # A missing key has no line of its own: it is reported where the front matter starts.
    expect_errors(tmp_path, err(COUNCIL, 2, "missing required key 'title'"))


def test_missing_name_in_brand(mini, tmp_path):
    path = tmp_path / BRAND
    edit(path, 'name: "Mini Press"\n', "")
    first_key = line_of(path, "tagline:")  # the mapping starts at its first key, after the comment
    expect_errors(tmp_path, err(BRAND, first_key, "missing required key 'name'"))


def test_missing_published_in_edition(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'published: "2020-03-01"\n', "")
    expect_errors(tmp_path, err(EDITION_YAML, 1, "missing required key 'published'"))


# --------------------------------------------------------------------------- unknown keys

def test_misspelt_key_gets_did_you_mean(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, 'title: "River towns', 'titel: "River towns')
    line = line_of(path, "titel:")
    expect_errors(tmp_path,
                  err(RIVERS, line, "missing required key 'title'"),
                  err(RIVERS, line, "unknown key 'titel' (did you mean 'title'?)"))


def test_misspelt_nested_key_names_its_parent_and_line(mini, tmp_path):
    path = tmp_path / BRAND
    edit(path, 'primary: "#2E6B3A"', 'primery: "#2E6B3A"')
    expect_errors(tmp_path, err(BRAND, line_of(path, "primery:"),
                                "colors: unknown key 'primery' (did you mean 'primary'?)"))


# --------------------------------------------------------------------------- values

def test_impossible_date(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'published: "2020-03-01"', "published: 2020-13-01")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "published:"),
                                "published: '2020-13-01' is not a valid date: there is no month 13 (write YYYY-MM-DD, e.g. 2020-03-01)"))


def test_answer_not_a_to_d(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, 'answer: "b"', "answer: e")
    expect_errors(tmp_path, err(RIVERS, line_of(path, "answer:"),
                                "prelims question 1, answer: 'e' is not one of 'a', 'b', 'c' or 'd'"))


def test_language_name_instead_of_tag(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'language: "en"', "language: english")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "language:"),
                                "language: 'english' is not a BCP 47 language tag (did you mean 'en'?)"))


def test_prelims_question_with_three_options(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, '        - "Palar"\n', "")
    expect_errors(tmp_path, err(RIVERS, line_of(path, "options:"),
                                "prelims question 1, options: a prelims question needs exactly 4 options, not 3"))


def test_bad_colour(mini, tmp_path):
    path = tmp_path / BRAND
    edit(path, 'accent: "#C2410C"', 'accent: "orange"')
    expect_errors(tmp_path, err(BRAND, line_of(path, "accent:"),
                                "colors.accent: 'orange' is not a colour; write it as #RRGGBB, for example '#1F3A68'"))


# --------------------------------------------------------------------------- edition structure

def test_section_folder_not_listed(mini, tmp_path):
    folder = tmp_path / EDITION / "economy"
    folder.mkdir()
    shutil.copy(tmp_path / COUNCIL, folder / "01-town-budget.md")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(tmp_path / EDITION_YAML, "sections:"),
                                "section folder 'economy' is not listed in sections; list it in sections or delete the folder"))


def test_listed_section_with_no_articles(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    append(path, '  - id: gs3\n    label: "GS-III"\n    title: "GS-III: Economy"\n')
    (tmp_path / EDITION / "gs3").mkdir()
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "id: gs3"), "section 'gs3' has no articles"))


def test_listed_section_with_no_folder(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    append(path, '  - id: gs3\n    label: "GS-III"\n    title: "GS-III: Economy"\n')
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "id: gs3"), "section 'gs3' has no folder gs3/"))


def test_empty_edition(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("sections:")] + "sections: []\n", encoding="utf-8")
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "sections:"), "sections: must have at least 1 item(s)"))


def test_duplicate_article_slug_across_sections(mini, tmp_path):
    shutil.copy(tmp_path / RIVERS, tmp_path / EDITION / "gs2" / "02-river-towns.md")
    expect_errors(tmp_path, err(f"{EDITION}/gs2/02-river-towns.md", 1,
                                "duplicate article slug 'river-towns' (also gs1/01-river-towns.md)"))


def test_article_file_name_not_nn_slug(mini, tmp_path):
    (tmp_path / COUNCIL).rename(tmp_path / EDITION / "gs2" / "1-Council_Reform.md")
    expect_errors(tmp_path, err(f"{EDITION}/gs2/1-Council_Reform.md", 1,
                                "article file name '1-Council_Reform.md' must look like NN-slug.md "
                                "(two digits, a dash, lowercase words joined by dashes)"))


def test_front_matter_not_closed(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'summary: "A small council learns to publish its accounts."\n---\n',
         'summary: "A small council learns to publish its accounts."\n')
    expect_errors(tmp_path, err(COUNCIL, 1, "front matter is not closed with a '---' line"))


def test_article_without_front_matter(mini, tmp_path):
    path = tmp_path / COUNCIL
    text = path.read_text(encoding="utf-8")
    path.write_text(text[text.index("## Context"):], encoding="utf-8")
    expect_errors(tmp_path, err(COUNCIL, 1, "an article must start with front matter between '---' lines"))


# --------------------------------------------------------------------------- images and links

def test_image_that_does_not_exist(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\n![Map of the ward boundaries](images/wards.png)\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "wards.png"), "image 'images/wards.png' does not exist"))


def test_image_outside_content_folder_by_dots(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\n![A system file](../../../etc/x.png)\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "etc/x.png"),
                                "image '../../../etc/x.png' points outside the content folder"))


def test_image_outside_content_folder_by_symlink(mini, tmp_path):
    outside = tmp_path / "private.png"
    shutil.copy(tmp_path / EDITION / "gs1" / "images" / "bars.png", outside)
    images = tmp_path / EDITION / "gs2" / "images"
    images.mkdir()
    os.symlink(outside, images / "chart.png")
    path = tmp_path / COUNCIL
    append(path, "\n![Council spending by ward](images/chart.png)\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "images/chart.png"),
                                "image 'images/chart.png' points outside the content folder"))


def test_remote_image(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\n![The town hall](https://example.com/hall.png)\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "hall.png"),
                                "image 'https://example.com/hall.png' points to a web address; "
                                "save the picture in images/ next to the article and use its path"))


def test_remote_link(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\nRead the [council's budget](https://example.com/budget) online.\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "example.com/budget"),
                                "link 'https://example.com/budget' points to a web address; "
                                "write the address as plain text, without [ ](…)"))


def test_image_without_caption(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, "![Finds by season at the four trenches](images/bars.png)", "![](images/bars.png)")
    expect_errors(tmp_path, err(RIVERS, line_of(path, "images/bars.png"),
                                "an image needs a caption: ![What it shows](images/x.png)"))


def test_link_to_a_file_that_is_not_an_article(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\nSee [the chart](../gs1/images/bars.png) for the finds.\n")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "the chart"),
                                "link '../gs1/images/bars.png' does not point to an article of this edition"))


def test_cover_image_that_does_not_exist(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'cover:\n', 'cover:\n  image: "images/cover.jpg"\n')
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "cover.jpg"), "image 'images/cover.jpg' does not exist"))


def test_logo_of_the_wrong_type(mini, tmp_path):
    path = tmp_path / BRAND
    shutil.copy(tmp_path / EDITION / "gs1" / "images" / "bars.png", tmp_path / "mini" / "logo.gif")
    append(path, 'logo: "logo.gif"\n')
    expect_errors(tmp_path, err(BRAND, line_of(path, "logo:"), "logo 'logo.gif' must be PNG or SVG"))


# --------------------------------------------------------------------------- Markdown body

def test_raw_html_block(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, '\n<div class="warning">Mind the gap</div>\n')
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "<div"),
                                "raw HTML is not allowed: '<div class=\"warning\">Mind the gap</div>'; "
                                "write a box, '::: note' ... ':::' instead (for a literal '<' write '\\<')"))


def test_raw_inline_html(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "The council now publishes its budget every quarter.",
         "The council now publishes its <b>budget</b> every quarter.")
    line = line_of(path, "<b>")
    expect_errors(tmp_path,
                  err(COUNCIL, line, "raw HTML is not allowed: '</b>'; write **bold** instead (for a literal '<' write '\\<')"),
                  err(COUNCIL, line, "raw HTML is not allowed: '<b>'; write **bold** instead (for a literal '<' write '\\<')"))


def test_inline_html_on_a_later_line_of_a_paragraph(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "The council now publishes its budget every quarter.",
         "The council now publishes\nits budget every\nquarter <br/> online.")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "<br/>"),
                                "raw HTML is not allowed: '<br/>'; write a blank line for a new paragraph, or a "
                                "backslash '\\' at the end of the line instead (for a literal '<' write '\\<')"))


def test_level_one_heading_in_body(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "## Way ahead", "# Way ahead")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "# Way ahead"),
                                "body headings start at '##'; '#' is reserved for the article title, "
                                "which comes from the front matter"))


def test_unknown_box(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "::: note Why it matters", "::: warning Why it matters")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "::: warning"),
                                "unknown box '::: warning'; boxes are prelims, note, didyouknow, keyterms"))


def test_misspelt_box_gets_did_you_mean(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "::: note Why it matters", "::: notes Why it matters")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "::: notes"),
                                "unknown box '::: notes' (did you mean 'note'?); "
                                "boxes are prelims, note, didyouknow, keyterms"))


def test_undefined_footnote(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "every quarter.", "every quarter.[^audit]")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "[^audit]"),
                                "footnote [^audit] is not defined; add a line '[^audit]: text' below the paragraph"))


# --------------------------------------------------------------------------- characters no shipped font has

def test_emoji_in_body(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "Hold an open hearing before the budget.", "Hold an open hearing before the budget \U0001F600.")
    expect_errors(tmp_path, err(COUNCIL, line_of(path, "\U0001F600"),
                                "character '\U0001F600' (U+1F600 GRINNING FACE) is in none of the shipped fonts "
                                "and would print as a box"))


def test_chinese_character_in_front_matter(mini, tmp_path):
    path = tmp_path / RIVERS
    edit(path, 'topic: "Archaeology"', 'topic: "Archaeology 考古"')
    line = line_of(path, "topic:")
    expect_errors(tmp_path,
                  err(RIVERS, line, "character '古' (U+53E4 CJK UNIFIED IDEOGRAPH-53E4) is in none of the shipped "
                                    "fonts and would print as a box"),
                  err(RIVERS, line, "character '考' (U+8003 CJK UNIFIED IDEOGRAPH-8003) is in none of the shipped "
                                    "fonts and would print as a box"))


def test_unprintable_character_in_edition_title(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'title: "Mini March 2020"', 'title: "Mini March 2020 \u2603"')
    expect_errors(tmp_path, err(EDITION_YAML, line_of(path, "Mini March"),
                                "character '\u2603' (U+2603 SNOWMAN) is in none of the shipped fonts "
                                "and would print as a box"))


# --------------------------------------------------------------------------- many faults at once

def test_several_faults_in_one_stage_are_all_reported_sorted_by_path_and_line(mini, tmp_path):
    """Front matter and structure faults in four files: every one is reported, by path then line."""
    edit(tmp_path / BRAND, 'accent: "#C2410C"', 'accent: "orange"')
    edit(tmp_path / COUNCIL, 'title: "Reforming the town council"', 'titel: "Reforming the town council"')
    edit(tmp_path / RIVERS, 'answer: "b"', "answer: e")
    edit(tmp_path / RIVERS, 'featured: true', "featured: sometimes")
    edit(tmp_path / MONSOON, 'title: "Monsoon and the rivers of the plains"', "title: Monsoon: the plains")
    expect_errors(
        tmp_path,
        err(BRAND, line_of(tmp_path / BRAND, "accent:"),
            "colors.accent: 'orange' is not a colour; write it as #RRGGBB, for example '#1F3A68'"),
        err(RIVERS, line_of(tmp_path / RIVERS, "featured:"), "featured: 'sometimes' is not true or false"),
        err(RIVERS, line_of(tmp_path / RIVERS, "answer:"),
            "prelims question 1, answer: 'e' is not one of 'a', 'b', 'c' or 'd'"),
        err(MONSOON, 2, "YAML syntax error: mapping values are not allowed here"),
        err(COUNCIL, 2, "missing required key 'title'"),
        err(COUNCIL, 2, "unknown key 'titel' (did you mean 'title'?)"),
    )


def test_several_body_faults_are_all_reported_sorted_by_path_and_line(mini, tmp_path):
    edit(tmp_path / COUNCIL, "## Way ahead", "# Way ahead")
    edit(tmp_path / COUNCIL, "::: note Why it matters", "::: warning Why it matters")
    edit(tmp_path / RIVERS, "(images/bars.png)", "(images/missing.png)")
    edit(tmp_path / MONSOON, "for the dry months.", "for the dry months.[^tanks]")
    expect_errors(
        tmp_path,
        err(RIVERS, line_of(tmp_path / RIVERS, "missing.png"), "image 'images/missing.png' does not exist"),
        err(MONSOON, line_of(tmp_path / MONSOON, "[^tanks]"),
            "footnote [^tanks] is not defined; add a line '[^tanks]: text' below the paragraph"),
        err(COUNCIL, line_of(tmp_path / COUNCIL, "::: warning"),
            "unknown box '::: warning'; boxes are prelims, note, didyouknow, keyterms"),
        err(COUNCIL, line_of(tmp_path / COUNCIL, "# Way ahead"),
            "body headings start at '##'; '#' is reserved for the article title, which comes from the front matter"),
    )


def test_a_bad_edition_yaml_value_does_not_hide_front_matter_faults(mini, tmp_path):
    """docs/authoring.md: "first the YAML files and front matter, then the article bodies". A wrong
    `published` date leaves the section list intact, so the articles' front matter is checked too."""
    edit(tmp_path / EDITION_YAML, 'published: "2020-03-01"', "published: 2020-13-01")
    edit(tmp_path / RIVERS, 'answer: "b"', "answer: e")
    edit(tmp_path / BRAND, 'accent: "#C2410C"', 'accent: "orange"')
    expect_errors(
        tmp_path,
        err(BRAND, line_of(tmp_path / BRAND, "accent:"),
            "colors.accent: 'orange' is not a colour; write it as #RRGGBB, for example '#1F3A68'"),
        err(EDITION_YAML, line_of(tmp_path / EDITION_YAML, "published:"),
            "published: '2020-13-01' is not a valid date: there is no month 13 (write YYYY-MM-DD, e.g. 2020-03-01)"),
        err(RIVERS, line_of(tmp_path / RIVERS, "answer:"),
            "prelims question 1, answer: 'e' is not one of 'a', 'b', 'c' or 'd'"),
    )


# --------------------------------------------------------------------------- usage errors (exit 2)

def test_unknown_edition_slug_suggests_the_closest(mini, tmp_path):
    result = run_build("mini-202", "--content", "mini", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["build.py: error: no edition 'mini-202' under mini/ (did you mean 'mini-2020'?)"]
    assert not (tmp_path / "out").exists()


def test_unknown_format_is_a_usage_error(mini, tmp_path):
    result = run_build(EDITION, "--format", "docx", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: build.py")
    assert lines[-1] == "build.py: error: argument --format: invalid choice: 'docx' (choose from 'pdf', 'epub')"
    assert not (tmp_path / "out").exists()


def test_edition_and_all_together_is_a_usage_error(mini, tmp_path):
    result = run_build(EDITION, "--all", "--content", "mini", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["build.py: error: give either EDITION or --all, not both"]
    assert not (tmp_path / "out").exists()
