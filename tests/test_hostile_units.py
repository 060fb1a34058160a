"""Issue 11, stage by stage: each finding's class closed where it is decided, in-process and fast.

The command line sees the same cases in test_hostile.py; the fuzzing is in test_fuzz.py.
Test names carry the finding's number (f01…f17) from the issue.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from hostile import PLAIN_SVG, UNSAFE_SVGS, picture, png_header, write

from pressroom import limits, output
from pressroom.fast import cache
from pressroom.problems import ContentError
from pressroom.stages import conserve, coverage, editions, files, images, markup, schema, values
from pressroom.stages import read as reader
from pressroom.stages.yamlsource import load_yaml_text

FONTS = Path(__file__).resolve().parent.parent / "styles" / "fonts"


# --------------------------------------------------------------------------- a body rendered on its own

@pytest.fixture
def article(tmp_path) -> Path:
    path = write(tmp_path / "ed" / "gs1" / "01-a.md", "placeholder")
    shutil.copy(FIXTURES / "mini" / "mini-2020" / "gs1" / "images" / "bars.png", path.parent / "bars.png")
    return path


def render(article: Path, body: str):
    ctx = markup.MarkupContext(article.parent.parent.parent, "en", {"note": "Note"}, "Figure", {})
    return markup.render_markdown(body, article, 10, "art-a", ctx, 0, (lambda p: p.name, lambda p: p.name))


def problems_of(article: Path, body: str) -> list[tuple[int, str, str]]:
    """(file line, code, message) of each problem; the body starts at file line 10."""
    fragment, problems = render(article, body)
    return [(p.line, p.code, p.message) for p in problems]


def only(article, body, code):
    found = problems_of(article, body)
    assert [c for _, c, _ in found] == [code], found
    return found[0]


# --------------------------------------------------------------------------- f01: nesting, and conservation

def test_f01_a_list_nested_ten_deep_is_an_error_at_its_line_naming_the_limit(article):
    body = "Intro.\n\n" + "\n".join("  " * i + f"- level {i}" for i in range(10)) + "\n\nThe end of the article.\n"
    line, _, message = only(article, body, "markup.too-deep")
    assert line == 10 + 2 + limits.MAX_NESTING  # the list that passes the limit
    assert message == "lists, quotes, boxes and footnotes are nested 9 deep here; at most 8 levels are allowed"


def test_f01_a_blockquote_twenty_deep_is_an_error(article):
    only(article, "> " * 20 + "deep\n\nAfter the quote.\n", "markup.too-deep")


def test_f01_eight_levels_are_allowed_and_every_word_is_printed(article):
    body = "\n".join("  " * i + f"- level{i}" for i in range(limits.MAX_NESTING)) + "\n\nThe end.\n"
    fragment, problems = render(article, body)
    assert problems == []
    for i in range(limits.MAX_NESTING):
        assert f"level{i}" in fragment.print_html and f"level{i}" in fragment.epub_html


def test_f01_conservation_catches_text_the_renderer_drops(article, monkeypatch):
    # Past markdown-it's own limit the rest of the article is dropped without a word; with Pressroom's limit
    # lifted, the conservation check is what stops the build, at the first line lost.
    monkeypatch.setattr(limits, "MAX_NESTING", 100)
    body = "> " * 25 + "swallowed words\n\nand this paragraph too.\n"
    line, code, message = only(article, body, "markup.text-lost")
    assert line == 10 and "swallowed words" in message


@pytest.mark.parametrize("body", [
    "He said \"don't\" -- and left... (c) 2020\n",
    "Dates[^a] and *emphasis*, `code &amp; more`, [a link](#context).\n\n[^a]: A note &eacute;t&eacute;.\n",
    "1. one\n2. two\n\n- a\n- b\n\n| x | y |\n|---|--:|\n| 1 | 2 |\n",
    "::: note Title words\nInside the box.\n:::\n\n<!-- an editor's note that never prints -->\n",
    "C:\\Users\\name and \\*stars\\* and \\# hash\n",
])
def test_f01_conservation_passes_what_the_renderer_only_reshapes(article, body):
    fragment, problems = render(article, body)
    assert problems == [], problems
    assert conserve.lost_text(body, fragment.print_html) is None
    assert conserve.lost_text(body, fragment.epub_html) is None


def test_f01_conservation_survives_curly_quotes_and_dashes():
    # What a typographer (smart quotes, dashes) makes of the source still counts as the same words.
    html = "<p>He said “don’t” – and left… © 2020</p>"
    assert conserve.lost_text("He said \"don't\" -- and left... (c) 2020\n", html) is None
    assert conserve.lost_text("He said \"don't\" and stayed\n", html) == (0, "stayed")


# --------------------------------------------------------------------------- f02-f06: markup printed literally

def test_f02_an_unclosed_box_is_an_error_at_its_opening_line(article):
    line, _, message = only(article, "Before.\n\n::: note Why\nInside.\n\n## Later heading\n\nMore.\n",
                            "markup.unclosed-box")
    assert line == 12
    assert message == ("the box '::: note' is not closed; end it with a line ':::' "
                       "(else it takes in the rest of the article)")


def test_f03_heading_without_space_is_an_error_suggesting_the_heading(article):
    line, _, message = only(article, "Text.\n\n#Way ahead\n\nMore.\n", "markup.heading-space")
    assert line == 12
    assert message == ("'#Way ahead' is printed as it is; write '## Way ahead' (a space after the '#') "
                       "for a heading, or '\\#' for a '#'")
    assert problems_of(article, "###Data\n")[0][2].startswith("'###Data' is printed as it is; write '### Data'")


def test_f03_a_number_or_an_escaped_hash_is_not_a_heading(article):
    assert problems_of(article, "#1 in the world.\n\n\\#hashtag\n") == []


def test_f03_a_heading_that_skips_a_level_is_a_warning(article):
    fragment, problems = render(article, "## Context\n\n#### Detail\n\n### Fine\n")
    assert problems == []
    assert [(w.line, w.severity, w.code, w.message) for w in fragment.warnings] == [
        (12, "warning", "markup.heading-skip",
         "heading '#### Detail' skips a level (it follows a level-2 heading); use '###'")]


def test_f04_an_image_path_with_a_space_is_an_error(article):
    line, _, message = only(article, "Text.\n\n![A chart](images/My Chart.png)\n", "markup.space-in-path")
    assert line == 12
    assert message == ("the image path 'images/My Chart.png' has a space, so it would be printed as text; "
                       "write it as (<images/My Chart.png>) or rename the file without spaces")
    assert only(article, "See [the budget](../gs2/02 budget.md).\n", "markup.space-in-path")[2].startswith(
        "the link path '../gs2/02 budget.md' has a space")


def test_f04_a_path_with_a_space_in_angle_brackets_works_and_is_named_as_written(article):
    shutil.copy(article.parent / "bars.png", article.parent / "My Chart.png")
    fragment, problems = render(article, "![A chart](<My Chart.png>)\n")
    assert problems == [] and fragment.images == (Path(os.path.realpath(article.parent / "My Chart.png")),)
    # and a missing one is named as written, not URL-encoded
    assert only(article, "![A chart](<No Such.png>)\n", "markup.missing-file")[2] == \
        "image 'No Such.png' does not exist"


@pytest.mark.parametrize("scheme, what", [
    ("javascript:alert(1)", "link"), ("JaVaScRiPt:alert(1)", "link"), ("vbscript:msgbox(1)", "link"),
    ("file:///etc/passwd", "link"), ("data:text/html;base64,PHNjcmlwdD4=", "link"),
])
def test_f05_refused_schemes_in_links_are_errors(article, scheme, what):
    line, _, message = only(article, f"Intro.\n\nClick [here]({scheme}) now.\n", "markup.refused-scheme")
    assert line == 12 and message.startswith(f"{what} '{scheme}' is a '{scheme.split(':')[0].lower()}:' address")


@pytest.mark.parametrize("src", ["data:image/png;base64,iVBORw0KGgo=", "file:///etc/passwd",
                                 "javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zz4="])
def test_f05_refused_schemes_in_images_are_errors(article, src):
    line, _, message = only(article, f"![Caption]({src})\n", "markup.refused-scheme")
    assert message.startswith("image '") and "never allowed" in message


def test_f15_a_huge_data_address_is_not_echoed_whole(article):
    line, _, message = only(article, "![Caption](data:image/png;base64," + "A" * 200_000 + ")\n",
                            "markup.refused-scheme")
    assert len(message) < 300 and "…" in message


@pytest.mark.parametrize("body, marker", [
    ("Some **bold that never closes.\n", "**"), ("A stray\n\n:::\n", ":::"),
    ("An [unfinished](link\n", "]("), ("An open <!-- comment\n", "<!--"),
])
def test_f05_leftover_markup_is_an_error_at_its_line(article, body, marker):
    line, _, message = only(article, body, "markup.literal")
    assert line == 10 + body.count("\n") - 1 and message.startswith(f"'{marker}' would be printed as it is")


def test_f05_escaped_markup_is_meant_and_passes(article):
    assert problems_of(article, "Two \\*\\* stars, a \\[^note\\] and `**code**`.\n") == []


def test_f06_html_comments_are_allowed_and_never_printed(article):
    body = "<!-- TODO: check the figures -->\n\nText <!-- inline note --> goes on.\n\n<!--\nmulti\nline\n-->\n"
    fragment, problems = render(article, body)
    assert problems == []
    for html in (fragment.print_html, fragment.epub_html):
        assert "TODO" not in html and "inline note" not in html and "multi" not in html and "&lt;!--" not in html
        assert "Text  goes on." in html


def test_f06_an_unclosed_comment_is_an_error_not_a_hidden_article(article):
    assert only(article, "<!-- TODO\n\nThe rest of the article.\n", "markup.comment")[2].startswith(
        "the HTML comment '<!--' is not closed")


@pytest.mark.parametrize("html, suggestion", [
    ("<b>x</b>", "**bold**"), ("<i>x</i>", "*italic*"), ("<br>", "a blank line"), ("<h2>x</h2>", "'## Heading'"),
    ("<img src=x>", "![What it shows](images/x.png)"), ("<table><tr><td>1</td></tr></table>", "a Markdown table"),
    ("<sup>1</sup>", "a footnote"), ("<div>x</div>", "a box"),
])
def test_f06_other_raw_html_is_an_error_suggesting_the_markdown(article, html, suggestion):
    found = problems_of(article, f"{html}\n")
    assert found and all(code == "markup.raw-html" for _, code, _ in found)
    assert suggestion in found[0][2]


# --------------------------------------------------------------------------- f08 and f11: files and pictures

def test_f08_special_files_are_refused_without_being_opened(tmp_path):
    os.mkfifo(tmp_path / "02-x.md")  # opening it for reading would block for ever
    with pytest.raises(files.Refused, match="named pipe"):
        files.read_bytes(tmp_path / "02-x.md", tmp_path, 1000)
    os.symlink("/dev/zero", tmp_path / "zero.png")  # reading it would never end
    with pytest.raises(files.Refused, match="outside the content folder"):
        files.read_bytes(tmp_path / "zero.png", tmp_path, 1000)
    with pytest.raises(files.Refused, match="a device"):
        files.read_bytes(Path("/dev/zero"), Path("/dev"), 1000)


def test_f08_links_inside_the_root_are_followed_and_links_out_refused(tmp_path):
    root = tmp_path / "content"
    write(root / "real.md", "inside")
    os.symlink(root / "real.md", root / "link.md")
    write(tmp_path / "secret.md", "outside")
    os.symlink(tmp_path / "secret.md", root / "out.md")
    assert files.read_bytes(root / "link.md", root, 100) == b"inside"
    with pytest.raises(files.Refused, match="outside the content folder"):
        files.read_bytes(root / "out.md", root, 100)


def test_f15_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.md"
    with open(path, "wb") as handle:
        handle.truncate(limits.MAX_ARTICLE_BYTES + 1)  # sparse: reading it would cost, measuring does not
    text, problems = files.read_text(path, tmp_path, limits.MAX_ARTICLE_BYTES, "the article")
    assert text is None and [p.message for p in problems] == ["the article is 512.0 MB, over the limit of 512 KB"
                                                              .replace("512.0 MB", files.megabytes(path.stat().st_size))]


@pytest.mark.parametrize("size", [(30000, 30000), (12000, 12000), (limits.MAX_PIXELS + 1, 1)])
def test_f11_a_picture_over_the_pixel_budget_is_refused_from_its_header(tmp_path, size):
    path = write(tmp_path / "bomb.png", png_header(*size))
    why = images.problem(path)
    assert why is not None and "over the limit of 40 megapixels" in why


def test_f11_not_a_picture_damaged_or_misnamed(tmp_path):
    assert "not a picture" in images.problem(write(tmp_path / "a.png", b"hello, I am text"))
    assert "damaged" in images.problem(write(tmp_path / "b.png", picture("PNG", (200, 200))[:80]))
    assert images.problem(write(tmp_path / "c.png", picture("JPEG"))) == \
        "it is a JPEG file, not PNG; rename it to end in .jpg"
    assert images.problem(write(tmp_path / "d.jpg", picture("JPEG"))) is None


@pytest.mark.parametrize("name", sorted(UNSAFE_SVGS))
def test_f09_unsafe_drawings_are_refused(tmp_path, name):
    text, words = UNSAFE_SVGS[name]
    why = images.problem(write(tmp_path / f"{name}.svg", text))
    assert why is not None and words in why, why


def test_f09_a_plain_drawing_and_an_embedded_picture_pass(tmp_path):
    assert images.problem(write(tmp_path / "plain.svg", PLAIN_SVG)) is None
    import base64

    embedded = base64.b64encode(picture("PNG", (4, 4))).decode()
    drawing = PLAIN_SVG.replace("<title>", f'<image href="data:image/png;base64,{embedded}" width="4" height="4"/>'
                                           "<title>")
    assert images.problem(write(tmp_path / "embedded.svg", drawing)) is None
    bomb = base64.b64encode(png_header(30000, 30000)).decode()
    drawing = PLAIN_SVG.replace("<title>", f'<image href="data:image/png;base64,{bomb}"/><title>')
    assert "megapixels" in images.problem(write(tmp_path / "bomb.svg", drawing))


# --------------------------------------------------------------------------- f10, f12: values

@pytest.mark.parametrize("url", ["javascript:alert(1)//", "file:///etc/passwd", "JAVASCRIPT:x", "data:text/html,x",
                                 "java\tscript:alert(1)", "vbscript:x", "//evil.example", "ftp://example.org",
                                 "https://", "https://exa mple.org"])
def test_f10_brand_addresses_outside_the_allow_list_are_errors(url):
    with pytest.raises(ValueError):
        values.website(url)
    with pytest.raises(ValueError):
        values.social_url(url)


def test_f10_brand_addresses_that_are_fine():
    for url in ("https://www.aspireias.com", "http://example.org/a?b=c", "www.example.org", "example.org:8080/x"):
        assert values.website(url) == url
    assert values.social_url("mailto:office@example.org") and values.social_url("tel:+919999801394")
    with pytest.raises(ValueError, match="only https: or http: addresses"):
        values.website("mailto:office@example.org")


def yaml_values(text: str, path: Path):
    located, problems = load_yaml_text(text, path)
    assert problems == []
    return [p for value, line in located.strings() for p in coverage.check_text(value, path, line, FONTS)]


@pytest.mark.parametrize("escape, code", [("\\x00", "text.control-char"), ("\\u202E", "text.control-char"),
                                          ("\\x1b", "text.control-char"), ("\\u2028", "text.control-char"),
                                          ("\\U0001F600", "text.no-glyph"), ("\\u0007", "text.control-char")])
def test_f12_characters_written_as_yaml_escapes_are_checked_as_read(tmp_path, escape, code):
    found = yaml_values(f'title: "ok"\ntopic: "a{escape}b"\n', tmp_path / "x.md")
    assert [(p.line, p.code) for p in found] == [(2, code)]


def test_f12_line_separators_do_not_shift_the_lines_after_them():
    text = "---\ntitle: \"A\u2028B\"\n---\n\nline 5\n"
    front, front_line, body, body_line, problems = reader.split_front_matter(files.plain_breaks(text), Path("x.md"))
    assert body_line == 4 and files.lines(text)[4] == "line 5"
    assert [(p.line, p.code) for p in coverage.check_text(text, Path("x.md"), 1, FONTS)] == [(2, "text.control-char")]


@pytest.mark.parametrize("value, message", [
    ("2108-01-01", "2108-01-01 is outside the dates Pressroom can write; use a date from 1980-01-01 to 2099-12-31"),
    ("1979-12-31", "1979-12-31 is outside the dates Pressroom can write; use a date from 1980-01-01 to 2099-12-31"),
    ("2020-04-31", "'2020-04-31' is not a valid date: April 2020 has 30 days"),
    ("2021-02-29", "'2021-02-29' is not a valid date: February 2021 has 28 days"),
    ("2020-13-01", "'2020-13-01' is not a valid date: there is no month 13 (write YYYY-MM-DD, e.g. 2020-03-01)"),
    ("01/03/2020", "'01/03/2020' is not a valid date (write YYYY-MM-DD, e.g. 2020-03-01)"),
])
def test_f12_published_dates_outside_the_range_or_impossible(value, message):
    assert schema.parse_published(value) == (None, message)
    assert schema.parse_published("2099-12-31")[0] is not None


def test_clearer_prelims_question_is_named_by_its_number():
    assert schema.human_path(("questions", "prelims", 0, "answer")) == "prelims question 1, answer"
    assert schema.human_path(("questions", "mains", 2)) == "mains question 3"
    assert schema.human_path(("colors", "accent")) == "colors.accent"


# --------------------------------------------------------------------------- clearer errors: encodings

def test_clearer_invalid_utf8_is_reported_at_the_line_of_the_bad_byte(tmp_path):
    data = ("---\ntitle: x\n---\n" + "fine\n" * 76).encode() + b"caf\xe9 au lait\n"
    text, problems = files.decode(data, tmp_path / "a.md")
    assert text is None and problems[0].line == 80
    assert problems[0].message == ("not UTF-8 text: byte 0xE9 cannot start a character here; it looks like "
                                   "Windows-1252 (byte 0xE9 is 'é' there); save the file with the encoding UTF-8")


def test_clearer_utf16_and_empty_files(tmp_path):
    assert "UTF-16" in files.decode("title: x\n".encode("utf-16"), tmp_path / "a.yaml")[1][0].message
    assert files.decode(b"", tmp_path / "a.yaml")[1][0].message == "the file is empty"
    assert files.decode(b"\n  \n", tmp_path / "a.yaml")[1][0].code == "read.empty"


# --------------------------------------------------------------------------- f07: the newest edition

def edition(root: Path, slug: str, published: str, extra: str = "") -> Path:
    write(root / slug / "edition.yaml", f'title: "T"\npublished: "{published}"\n{extra}sections: []\n')
    return root / slug


def test_f07_an_unreadable_edition_makes_the_newest_unknowable(tmp_path):
    edition(tmp_path, "a", "2020-03-01")
    write(tmp_path / "b" / "edition.yaml", 'title: "T"\npublished: "2020-04-01"\n\theadline: x\n')
    with pytest.raises(ContentError) as caught:
        editions.newest_edition(tmp_path)
    assert [(Path(p.path).parent.name, p.line, p.code) for p in caught.value.problems] == [("b", 3, "yaml.syntax")]


def test_f07_two_editions_on_one_date_are_ambiguous_and_both_are_named(tmp_path):
    edition(tmp_path, "a", "2020-03-01")
    edition(tmp_path, "b", "2020-03-01")
    with pytest.raises(ContentError) as caught:
        editions.newest_edition(tmp_path)
    assert [p.message for p in caught.value.problems] == [
        "editions 'a' and 'b' have the same published date 2020-03-01, so neither is the newest; "
        "give one of them another date"]


def test_f07_the_newest_is_the_latest_date(tmp_path):
    edition(tmp_path, "a", "2020-03-01")
    edition(tmp_path, "b", "2020-05-01")
    edition(tmp_path, "c", "2020-04-01")
    assert editions.newest_edition(tmp_path).name == "b"
    assert editions.same_month(tmp_path, schema.parse_published("2020-04-20")[0], "en")[0].name == "c"
    assert editions.same_month(tmp_path, schema.parse_published("2020-04-20")[0], "hi") is None


# --------------------------------------------------------------------------- f13, f16: outputs as one set

def old_set(folder: Path) -> dict[str, bytes]:
    files_ = {"book.pdf": b"old pdf", "book.epub": b"old epub", "build-report.json": b"{\"old\": true}\n"}
    for name, data in files_.items():
        write(folder / name, data)
    return files_


NEW = {"book.pdf": b"new pdf" * 100, "book.epub": b"new epub" * 100, "build-report.json": b"{\"new\": true}\n"}


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("fail_at", [1, 2, 3, 4])
def test_f16_a_full_disk_while_writing_keeps_the_whole_old_set_and_no_temporary_file(tmp_path, monkeypatch, fail_at):
    old = old_set(tmp_path)
    real_fsync, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == fail_at:  # the 4th is the journal's
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(output.OutputError, match="the disk is full; the previous outputs are kept"):
        output.write_set(tmp_path, NEW)
    assert contents(tmp_path) == old and visible(tmp_path) == sorted(old)


@pytest.mark.parametrize("killed_after", [0, 1, 2])
def test_f16_a_kill_between_the_renames_is_finished_by_the_next_run(tmp_path, monkeypatch, killed_after):
    old_set(tmp_path)
    real_replace, done = os.replace, []

    def replace(src, dst):
        if str(dst).endswith(output.JOURNAL) or len(done) < killed_after:
            done.append(dst)
            return real_replace(src, dst)
        raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        output.write_set(tmp_path, NEW)
    monkeypatch.undo()
    output.recover(tmp_path)  # what the next build into the folder does first
    assert contents(tmp_path) == NEW and visible(tmp_path) == sorted(NEW)


def test_f16_stale_temporary_files_and_a_foreign_journal_are_cleaned(tmp_path):
    old = old_set(tmp_path)
    write(tmp_path / ".book.pdf.abcd1234.tmp", b"half a pdf")
    write(tmp_path / output.JOURNAL, b"[not, ours")
    output.recover(tmp_path)
    assert contents(tmp_path) == old and visible(tmp_path) == sorted(old)


def test_f16_proofs_switch_with_the_set_and_old_pages_go(tmp_path):
    old_set(tmp_path)
    write(tmp_path / "proofs" / "page-009.png", b"old page 9")
    output.write_set(tmp_path, {**NEW, "proofs/page-001.png": b"p1"}, remove=("proofs/page-009.png",))
    assert sorted(p.name for p in (tmp_path / "proofs").iterdir()) == ["page-001.png"]


def test_f13_a_file_in_the_way_is_one_clear_error(tmp_path):
    write(tmp_path / "out", b"a file, not a folder")
    with pytest.raises(output.OutputError) as caught:
        output.write_set(tmp_path / "out" / "ed", NEW)
    assert "\n" not in str(caught.value) and "the previous outputs are kept" in str(caught.value)


# --------------------------------------------------------------------------- f17: cache records

def chunk_cache(tmp_path):
    store = cache.Cache(tmp_path / ".cache")

    class Info:
        pages, content_pages, carried, anchors = 3, 3, (), {"art-a": 0, "art-b": 2}

    class Pdf:
        data, pages, anchors, fonts = b"%PDF-1.7 chunk", 3, {"art-a": 0}, {}

    store.store("k" * 64, 5, {"art-x": 4}, False, Info, Pdf)
    [meta] = (tmp_path / ".cache" / "chunks").rglob("*.json")
    return store, meta


def test_f17_a_sound_cache_record_is_used(tmp_path):
    store, _ = chunk_cache(tmp_path)
    [entry] = store.entries("k" * 64)
    assert entry.anchors == {"art-a": 0, "art-b": 2} and entry.load().data == b"%PDF-1.7 chunk"


@pytest.mark.parametrize("change", [
    lambda r: r["body"]["anchors"].update({"art-b": 3}),  # one digit changed by hand: the contents would lie
    lambda r: r["body"].update(first_page="5"),
    lambda r: r["body"].pop("carried"),
    lambda r: r.update(body=None),
    lambda r: r.update(seal="0" * 64),
])
def test_f17_an_altered_cache_record_is_discarded_and_rebuilt(tmp_path, change):
    store, meta = chunk_cache(tmp_path)
    record = json.loads(meta.read_text())
    change(record)
    meta.write_text(json.dumps(record))
    assert store.entries("k" * 64) == []
    assert not meta.exists() and not meta.with_suffix(".pdf").exists()


@pytest.mark.parametrize("text", ["null", "[]", "{}", "7", "{\"seal\": 1, \"body\": []}", "not json"])
def test_f17_cache_records_of_another_shape_are_discarded(tmp_path, text):
    store, meta = chunk_cache(tmp_path)
    meta.write_text(text)
    assert store.entries("k" * 64) == []


def test_f17_a_changed_chunk_pdf_is_not_used(tmp_path):
    store, meta = chunk_cache(tmp_path)
    meta.with_suffix(".pdf").write_bytes(b"%PDF-1.7 other")
    [entry] = store.entries("k" * 64)
    assert entry.load() is None and not meta.exists()


# --------------------------------------------------------------------------- f15: limits and linear time

def test_f15_too_many_footnotes_images_and_rows_are_errors(article):
    notes = "".join(f"Text[^{i}].\n\n" for i in range(limits.MAX_FOOTNOTES + 1))
    notes += "".join(f"[^{i}]: Note {i}.\n\n" for i in range(limits.MAX_FOOTNOTES + 1))
    assert "markup.too-many" in {code for _, code, _ in problems_of(article, notes)}
    table = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (limits.MAX_TABLE_ROWS + 1)
    assert only(article, table, "markup.too-many")[2] == f"this table has more than {limits.MAX_TABLE_ROWS} rows; split it"
    pictures = "".join("![Bars](bars.png)\n\n" for _ in range(limits.MAX_IMAGES + 1))
    assert only(article, pictures, "markup.too-many")[0] == 10 + 2 * limits.MAX_IMAGES


def test_f15_line_numbers_of_a_long_paragraph_are_right_at_its_end(article):
    body = "".join(f"line {i}\n" for i in range(3000)) + "a <b>tag</b> here\n"
    assert {line for line, _, _ in problems_of(article, body)} == {10 + 3000}


def test_f15_a_footnote_used_and_defined_wrongly(article):
    found = problems_of(article, "Text.[^a]\n\n[^a]: one\n\n[^a]: two\n\n[^b]: never used\n")
    assert sorted(code for _, code, _ in found) == ["markup.footnote-twice", "markup.unused-footnote"]
    assert any("(also at line 12)" in message for _, _, message in found)


# --------------------------------------------------------------------------- found by fuzzing (tests/test_fuzz.py)

def test_fuzz_found_a_box_title_holding_markup_that_would_print(article):
    found = problems_of(article, "::: note Why::: note Why\nText.\n:::\n")
    assert [(line, code) for line, code, _ in found] == [(10, "markup.literal")]


def test_fuzz_found_a_comment_joining_a_box_mark_that_would_print(article):
    found = problems_of(article, ":<!-- a note -->:: note Why\n\nText.\n")
    assert [(line, code) for line, code, _ in found] == [(10, "markup.literal")]


def test_fuzz_found_a_box_left_open_inside_another_box(article):
    # The inner box ends where the outer one does: the ':::' line is the outer box's, not the inner's.
    found = problems_of(article, "::: note Outer\nText.\n\n::: prelims\n- a point\n:::\n\nAfter.\n")
    assert [(line, code) for line, code, _ in found] == [(13, "markup.unclosed-box")]
