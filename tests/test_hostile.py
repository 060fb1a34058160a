"""Issue 11 from the outside: broken and hostile content through `build.py`, as an editor or an attacker runs it.

Each test copies the mini edition, breaks it one way, and runs the command line. The promise:
exit 0 with every word printed, or exit 1 with `path:line: error: message` lines and the previous
outputs untouched; never a traceback, never a hang, never a read outside the content folder.
Test names carry the finding's number (f01…f17) from the issue; test_hostile_units.py has the
same classes stage by stage.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_build
from helpers import pdf_pages_text
from hostile import PLAIN_SVG, UNSAFE_SVGS, png_header, write
from test_errors import append, edit, line_of

EDITION = "mini/mini-2020"
EDITION_YAML = f"{EDITION}/edition.yaml"
BRAND = "mini/brand.yaml"
COUNCIL = f"{EDITION}/gs2/01-council-reform.md"
RIVERS = f"{EDITION}/gs1/01-river-towns.md"
PDF = "out/mini-2020/mini-press-mini-2020.pdf"
EPUB = "out/mini-2020/mini-press-mini-2020.epub"


def check(tmp_path: Path, *args: str):
    return run_build("check", EDITION, *args, cwd=tmp_path)


def build(tmp_path: Path, *args: str):
    return run_build(EDITION, "--out", "out", "--jobs", "1", *args, cwd=tmp_path)


def errors(result) -> list[str]:
    """The problem lines, with no traceback anywhere."""
    assert "Traceback" not in result.stderr and "Warning:" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]


def refused(tmp_path: Path, *lines: str) -> None:
    """`check` and the build both fail with exactly these lines, and the build writes nothing."""
    for result in (check(tmp_path), build(tmp_path)):
        assert result.returncode == 1, result.stderr
        assert errors(result) == list(lines), result.stderr
    assert not (tmp_path / "out" / "mini-2020").exists()


def err(path: str, line: int, message: str) -> str:
    return f"{path}:{line}: error: {message}"


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xhtml"))


# --------------------------------------------------------------------------- silent loss and literal markup

def test_f01_a_list_nested_ten_deep_stops_the_build_at_its_line(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\n" + "".join("  " * i + f"- level {i}\n" for i in range(10)) + "\nThe closing paragraph.\n")
    refused(tmp_path, err(COUNCIL, line_of(path, "- level 8"), "lists, quotes, boxes and footnotes are nested 9 deep "
                                                                "here; at most 8 levels are allowed"))


def test_f01_a_blockquote_twenty_deep_stops_the_build(mini, tmp_path):
    path = tmp_path / COUNCIL
    append(path, "\n" + "> " * 20 + "deep\n\nAfter the quote.\n")
    refused(tmp_path, err(COUNCIL, line_of(path, "> > >"), "lists, quotes, boxes and footnotes are nested 9 deep "
                                                            "here; at most 8 levels are allowed"))


def test_f02_an_unclosed_box_stops_the_build_at_its_opening_line(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "Open accounts let citizens see where their taxes go.\n:::\n",
         "Open accounts let citizens see where their taxes go.\n")
    refused(tmp_path, err(COUNCIL, line_of(path, "::: note"), "the box '::: note' is not closed; end it with a line "
                                                               "':::' (else it takes in the rest of the article)"))


def test_f03_a_heading_without_a_space_stops_the_build(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "## Way ahead", "#Way ahead")
    refused(tmp_path, err(COUNCIL, line_of(path, "#Way ahead"), "'#Way ahead' is printed as it is; write '## Way "
                                                                 "ahead' (a space after the '#') for a heading, or "
                                                                 "'\\#' for a '#'"))


def test_f03_a_heading_that_skips_a_level_is_a_warning_the_build_prints(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "## Way ahead", "#### Way ahead")
    warning = (f"{COUNCIL}:{line_of(path, '#### Way')}: warning: heading '#### Way ahead' skips a level (it follows "
               "a level-2 heading); use '###'")
    checked = check(tmp_path)
    assert checked.returncode == 0 and errors(checked) == [warning]
    built = build(tmp_path, "--format", "epub")
    assert built.returncode == 0 and errors(built) == [warning]


def test_f04_an_image_path_with_a_space_stops_the_build(mini, tmp_path):
    shutil.copy(tmp_path / EDITION / "gs1" / "images" / "bars.png", tmp_path / EDITION / "gs1" / "images" / "My Chart.png")
    path = tmp_path / RIVERS
    edit(path, "(images/bars.png)", "(images/My Chart.png)")
    refused(tmp_path, err(RIVERS, line_of(path, "My Chart"), "the image path 'images/My Chart.png' has a space, so "
                                                              "it would be printed as text; write it as "
                                                              "(<images/My Chart.png>) or rename the file without "
                                                              "spaces"))


@pytest.mark.parametrize("markdown, message", [
    ("[the budget](javascript:alert(1))", "link 'javascript:alert(1)' is a 'javascript:' address, which is never "
                                          "allowed; remove it"),
    ("[the list](vbscript:msgbox(1))", "link 'vbscript:msgbox(1)' is a 'vbscript:' address, which is never "
                                       "allowed; remove it"),
    ("[the file](file:///etc/passwd)", "link 'file:///etc/passwd' is a 'file:' address, which is never allowed; "
                                       "copy the file into the content folder and use a path relative to the article"),
    ("![A dot](data:image/png;base64,iVBORw0KGgo=)", "image 'data:image/png;base64,iVBORw0KGgo=' is a 'data:' "
                                                     "address, which is never allowed; save the picture in images/ "
                                                     "and use its path"),
])
def test_f05_refused_addresses_stop_the_build_at_their_line(mini, tmp_path, markdown, message):
    path = tmp_path / COUNCIL
    append(path, f"\nSee {markdown} for more.\n")
    refused(tmp_path, err(COUNCIL, line_of(path, "for more."), message))


def test_f05_markup_left_in_the_text_stops_the_build(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "The council now publishes its budget every quarter.",
         "The council now publishes its **budget every quarter.")
    refused(tmp_path, err(COUNCIL, line_of(path, "**budget"), "'**' would be printed as it is (bold text that did "
                                                              "not take: 'The council now publishes its **budget "
                                                              "every quart…'); close the bold text with '**', or write "
                                                              "'\\*\\*' for two asterisks"))


def test_f06_html_comments_build_and_print_nowhere(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, "## Way ahead", "<!-- TODO: ask the council for the 2021 figures -->\n\n## Way ahead")
    edit(path, "every quarter.", "every quarter <!-- check this -->online.")
    assert check(tmp_path).returncode == 0
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = "\n".join(pdf_pages_text(tmp_path / PDF))
    epub = epub_text(tmp_path / EPUB)
    for text in (pdf, epub):
        assert "TODO" not in text and "check this" not in text and "<!--" not in text and "&lt;!--" not in text
    assert "every quarter online." in " ".join(pdf.split()) and "every quarter online." in epub


# --------------------------------------------------------------------------- f07: which edition

def newer_edition(tmp_path: Path, published: str = "2020-04-01") -> Path:
    newer = tmp_path / "mini" / "mini-2020-04"
    shutil.copytree(tmp_path / EDITION, newer)
    edit(newer / "edition.yaml", 'published: "2020-03-01"', f'published: "{published}"')
    return newer


def test_f07_a_broken_newest_edition_yaml_stops_build_check_and_new(mini, tmp_path):
    newer = newer_edition(tmp_path)
    edit(newer / "edition.yaml", "  headline:", "\theadline:")
    expected = [err("mini/mini-2020-04/edition.yaml", line_of(newer / "edition.yaml", "\theadline"),
                    "YAML syntax error: found character '\\t' that cannot start any token")]
    before = sorted(p.name for p in (tmp_path / EDITION / "gs1").iterdir())
    for args in (("--content", "mini", "--out", "out"), ("check", "--content", "mini"),
                 ("new", "gs1", "A new story", "--content", "mini")):
        result = run_build(*args, cwd=tmp_path)
        assert result.returncode == 1, (args, result.stderr)
        assert errors(result) == expected
        assert "cannot tell which edition is the newest" in result.stderr.splitlines()[-1]
    assert sorted(p.name for p in (tmp_path / EDITION / "gs1").iterdir()) == before  # `new` wrote nothing
    assert not (tmp_path / "out").exists()


def test_f07_two_editions_with_one_date_are_an_error_naming_both(mini, tmp_path):
    newer = newer_edition(tmp_path, "2020-03-01")
    result = run_build("check", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 1
    assert errors(result) == [err("mini/mini-2020-04/edition.yaml", line_of(newer / "edition.yaml", "published:"),
                                  "editions 'mini-2020' and 'mini-2020-04' have the same published date 2020-03-01, "
                                  "so neither is the newest; give one of them another date")]


def test_f07_new_edition_refuses_a_month_that_exists_unless_forced(mini, tmp_path):
    result = run_build("new-edition", "Mar 2020", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ("build.py new-edition: an edition of March 2020 already exists: mini/mini-2020 "
                             "(published 2020-03-01); give --force to start another one; nothing was written\n")
    assert sorted(p.name for p in (tmp_path / "mini").iterdir()) == ["brand.yaml", "mini-2020"]
    forced = run_build("new-edition", "Mar 2020", "--content", "mini", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "mini" / "2020-03-mar" / "edition.yaml").is_file()


# --------------------------------------------------------------------------- f08: nothing read from outside

def outside_article(tmp_path: Path) -> Path:
    secret = tmp_path / "private" / "01-secret.md"
    write(secret, (tmp_path / COUNCIL).read_text(encoding="utf-8").replace("Reforming", "SECRET"))
    return secret


def test_f08_a_symlinked_article_outside_content_is_refused(mini, tmp_path):
    os.symlink(outside_article(tmp_path), tmp_path / EDITION / "gs2" / "02-secret.md")
    refused(tmp_path, err(f"{EDITION}/gs2/02-secret.md", 1, "02-secret.md is a link to a place outside the content "
                                                            "folder"))


def test_f08_a_symlinked_section_folder_outside_content_is_refused(mini, tmp_path):
    outside_article(tmp_path)
    shutil.rmtree(tmp_path / EDITION / "gs2")
    os.symlink(tmp_path / "private", tmp_path / EDITION / "gs2")
    refused(tmp_path, err(EDITION_YAML, line_of(tmp_path / EDITION_YAML, "id: gs2"),
                          "section folder 'gs2' is a link to a place outside the content folder"))


def test_f08_a_symlinked_edition_yaml_outside_content_is_refused(mini, tmp_path):
    shutil.move(tmp_path / EDITION_YAML, tmp_path / "edition.yaml")
    os.symlink(tmp_path / "edition.yaml", tmp_path / EDITION_YAML)
    refused(tmp_path, err(EDITION_YAML, 1, "edition.yaml is a link to a place outside the content folder"))


def test_f08_links_inside_the_content_folder_still_work(mini, tmp_path):
    shutil.move(tmp_path / COUNCIL, tmp_path / "mini" / "shared-council.md")
    os.symlink("../../shared-council.md", tmp_path / COUNCIL)
    assert check(tmp_path).returncode == 0


def test_f08_a_fifo_article_is_refused_without_hanging(mini, tmp_path):
    os.mkfifo(tmp_path / EDITION / "gs2" / "02-pipe.md")
    refused(tmp_path, err(f"{EDITION}/gs2/02-pipe.md", 1, "02-pipe.md is a named pipe (FIFO), not a file"))


@pytest.mark.parametrize("make, message", [
    (lambda p: os.symlink("/dev/zero", p), "image 'images/zero.png' points outside the content folder"),
    (lambda p: os.mkfifo(p), "image 'images/zero.png' is not a file (a folder, a FIFO or a device)"),
])
def test_f08_a_device_or_fifo_picture_is_refused_without_hanging(mini, tmp_path, make, message):
    make(tmp_path / EDITION / "gs1" / "images" / "zero.png")
    path = tmp_path / RIVERS
    edit(path, "(images/bars.png)", "(images/zero.png)")
    refused(tmp_path, err(RIVERS, line_of(path, "zero.png"), message))


def test_f08_files_no_article_uses_are_never_opened(mini, tmp_path):
    images = tmp_path / EDITION / "gs1" / "images"
    os.mkfifo(images / "pipe.png")
    os.symlink("/dev/zero", images / "zero.png")
    os.mkfifo(tmp_path / EDITION / "gs1" / "notes.txt")
    result = build(tmp_path)  # a FIFO or /dev/zero that were opened would hang this, and the test time out
    assert result.returncode == 0, result.stderr
    again = build(tmp_path)  # the no-change check looks at every file too
    assert again.returncode == 0, again.stderr


# --------------------------------------------------------------------------- f09: drawings

@pytest.mark.parametrize("name", ["script", "foreign-object", "onload", "external-href", "billion-laughs", "xxe",
                                  "use-bomb", "stylesheet-pi"])
def test_f09_an_unsafe_svg_stops_check_and_both_formats(mini, tmp_path, name):
    text, words = UNSAFE_SVGS[name]
    write(tmp_path / EDITION / "gs1" / "images" / "chart.svg", text)
    path = tmp_path / RIVERS
    edit(path, "(images/bars.png)", "(images/chart.svg)")
    for result in (check(tmp_path), build(tmp_path, "--format", "pdf"), build(tmp_path, "--format", "epub")):
        assert result.returncode == 1
        [line] = errors(result)
        assert line.startswith(f"{RIVERS}:{line_of(path, 'chart.svg')}: error: image 'images/chart.svg' cannot be "
                               "used: ") and words in line, line
    assert not (tmp_path / "out").exists()


def test_f09_a_plain_svg_builds_into_a_valid_epub(mini, tmp_path):
    from validators import epubcheck

    write(tmp_path / EDITION / "gs1" / "images" / "chart.svg", PLAIN_SVG)
    edit(tmp_path / RIVERS, "(images/bars.png)", "(images/chart.svg)")
    result = build(tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / EPUB) as book:
        [name] = [n for n in book.namelist() if n.endswith(".svg")]
        assert book.read(name).decode() == PLAIN_SVG
    report = epubcheck(tmp_path / EPUB)
    assert report.errors == [], report.errors


# --------------------------------------------------------------------------- f10: brand addresses

@pytest.mark.parametrize("old, new, key", [
    ('website: "https://minipress.example.org"', 'website: "javascript:alert(1)//"', "website:"),
    ('url: "https://t.me/minipress"', 'url: "file:///etc/passwd"', "file:///"),
])
def test_f10_brand_addresses_other_than_web_are_errors_at_their_line(mini, tmp_path, old, new, key):
    path = tmp_path / BRAND
    edit(path, old, new)
    result = check(tmp_path)
    assert result.returncode == 1
    [line] = errors(result)
    assert line.startswith(f"{BRAND}:{line_of(path, key)}: error: ") and "only https: or http:" in line


# --------------------------------------------------------------------------- f11: pictures

@pytest.mark.parametrize("data, reason", [
    (png_header(30000, 30000), "it is 30000×30000 pixels (900 megapixels), over the limit of 40 megapixels; "
                               "scale it down"),
    (png_header(12000, 12000), "it is 12000×12000 pixels (144 megapixels), over the limit of 40 megapixels; "
                               "scale it down"),
    (b"<html>not a picture</html>", "it is not a picture (the file's contents are not PNG, JPEG, GIF or WebP)"),
])
def test_f11_a_bomb_or_a_non_picture_is_an_error_at_its_line_in_check_pdf_and_epub(mini, tmp_path, data, reason):
    write(tmp_path / EDITION / "gs1" / "images" / "bars.png", data)
    expected = err(RIVERS, line_of(tmp_path / RIVERS, "bars.png"), f"image 'images/bars.png' cannot be used: {reason}")
    for result in (check(tmp_path), build(tmp_path, "--format", "epub"), build(tmp_path, "--format", "pdf")):
        assert result.returncode == 1
        assert errors(result) == [expected]  # and no DecompressionBombWarning on stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- f12: values check passes and the build crashes on

@pytest.mark.parametrize("escape, message", [
    ("\\x00", "invisible control character U+0000 in the text; delete it"),
    ("\\u202E", "invisible control character U+202E (RIGHT-TO-LEFT OVERRIDE) in the text; delete it"),
    ("\\U0001F600", "character '\U0001F600' (U+1F600 GRINNING FACE) is in none of the shipped fonts and would "
                    "print as a box"),
])
def test_f12_escaped_characters_are_errors_in_check_and_build(mini, tmp_path, escape, message):
    path = tmp_path / COUNCIL
    edit(path, 'topic: "Governance"', f'topic: "Govern{escape}ance"')
    refused(tmp_path, err(COUNCIL, line_of(path, "topic:"), message))


def test_f12_published_after_2099_is_an_error_at_its_line(mini, tmp_path):
    path = tmp_path / EDITION_YAML
    edit(path, 'published: "2020-03-01"', 'published: "2108-01-01"')
    refused(tmp_path, err(EDITION_YAML, line_of(path, "published:"), "published: 2108-01-01 is outside the dates "
                                                                       "Pressroom can write; use a date from "
                                                                       "1980-01-01 to 2099-12-31"))


def test_f12_a_line_separator_in_front_matter_does_not_shift_the_body_lines(mini, tmp_path):
    path = tmp_path / COUNCIL
    edit(path, 'summary: "A small council', 'summary: "A\u2028small council')
    edit(path, "every quarter.", "every quarter <b>now</b>.")
    text = path.read_text(encoding="utf-8")
    line = text[:text.index("<b>now")].count("\n") + 1  # as an editor counts: U+2028 ends no line
    refused(tmp_path,
            err(COUNCIL, line_of(path, "summary:"), "invisible control character U+2028 (LINE SEPARATOR) in the "
                                                     "text; delete it"),
            err(COUNCIL, line, "raw HTML is not allowed: '</b>'; write **bold** instead (for a literal '<' write "
                               "'\\<')"),
            err(COUNCIL, line, "raw HTML is not allowed: '<b>'; write **bold** instead (for a literal '<' write "
                               "'\\<')"))


# --------------------------------------------------------------------------- f13, f16: outputs

def test_f13_an_output_folder_that_cannot_be_made_is_one_line_and_exit_1(mini, tmp_path):
    write(tmp_path / "out", "a file where the output folder should be")
    result = build(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["build.py: error: cannot write to out/mini-2020: a file is in the way of "
                                          "the folder; the previous outputs are kept"]


FAULTY_BUILD = """
import errno, os, sys
sys.path.insert(0, {root!r})
from pressroom import cli, output
real_replace, real_fsync, renamed, synced = os.replace, os.fsync, [], []
KILL_AFTER, FULL_AFTER = {kill_after!r}, {full_after!r}
def replace(src, dst):
    if KILL_AFTER is not None and not str(dst).endswith(output.JOURNAL) and "/.cache/" not in str(dst):
        if len(renamed) == KILL_AFTER:
            os._exit(137)  # killed between two renames
        renamed.append(dst)
    return real_replace(src, dst)
def fsync(fd):
    synced.append(fd)
    if FULL_AFTER is not None and len(synced) > FULL_AFTER and "mini-2020" in os.readlink(f"/proc/self/fd/{{fd}}"):
        raise OSError(errno.ENOSPC, "No space left on device")
    return real_fsync(fd)
os.replace, os.fsync = replace, fsync
sys.exit(cli.main({args!r}))
"""


def faulty_build(tmp_path: Path, kill_after=None, full_after=None) -> subprocess.CompletedProcess:
    code = FAULTY_BUILD.format(root=str(ROOT), kill_after=kill_after, full_after=full_after,
                               args=[EDITION, "--out", "out", "--jobs", "1", "--no-cache"])
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)


def outputs(tmp_path: Path, out: str = "out") -> dict[str, bytes]:
    """Every file of the edition's output folder; the report without its timings and paths."""
    folder = tmp_path / out / "mini-2020"
    found = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    if "build-report.json" in found:
        report = json.loads(found["build-report.json"])
        found["build-report.json"] = json.dumps({k: v for k, v in report.items() if k not in ("seconds", "artefacts")})
    return found


def old_and_new(tmp_path: Path) -> tuple[dict, dict]:
    """The outputs built into out/, then edits the article and builds the new set into ref/ to compare with."""
    assert build(tmp_path, "--no-cache").returncode == 0
    edit(tmp_path / COUNCIL, "every quarter.", "every month.")
    ref = run_build(EDITION, "--out", "ref", "--jobs", "1", "--no-cache", cwd=tmp_path)
    assert ref.returncode == 0, ref.stderr
    old, new = outputs(tmp_path), outputs(tmp_path, "ref")
    assert old.keys() == new.keys() and all(old[name] != new[name] for name in old)
    return old, new


def test_f16_a_full_disk_keeps_the_whole_previous_set(mini, tmp_path):
    old, _ = old_and_new(tmp_path)
    result = faulty_build(tmp_path, full_after=1)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["build.py: error: cannot write to out/mini-2020: the disk is full; the "
                                          "previous outputs are kept"]
    assert outputs(tmp_path) == old  # no new PDF beside the old EPUB, and no stray temporary file


@pytest.mark.parametrize("kill_after", [1, 2])
def test_f16_a_kill_between_renames_is_finished_by_the_next_run_even_a_failing_one(mini, tmp_path, kill_after):
    old, new = old_and_new(tmp_path)
    killed = faulty_build(tmp_path, kill_after=kill_after)
    assert killed.returncode == 137
    mixed = outputs(tmp_path)
    assert any(mixed.get(name) == old[name] for name in old) and any(mixed.get(name) == new[name] for name in new)
    edit(tmp_path / COUNCIL, "## Way ahead", "# Way ahead")  # the next run fails, yet finishes the switch first
    assert build(tmp_path, "--no-cache").returncode == 1
    assert outputs(tmp_path) == new


# --------------------------------------------------------------------------- f14, f17: the cache

@pytest.mark.parametrize("shape", ["null", "[]", '{"seal": "x", "body": {}}'])
def test_f14_a_no_change_record_of_another_shape_means_build(mini, tmp_path, shape):
    assert build(tmp_path).returncode == 0
    [record] = (tmp_path / "out" / ".cache" / "noop").glob("*.json")
    record.write_text(shape)
    again = build(tmp_path)
    assert again.returncode == 0, again.stderr
    assert errors(again) == []


def test_f17_a_chunk_record_changed_by_hand_is_discarded_and_the_contents_stay_right(mini, tmp_path):
    args = ("--jobs", "2", "--format", "pdf")
    assert run_build(EDITION, "--out", "out", *args, cwd=tmp_path).returncode == 0
    clean = (tmp_path / PDF).read_bytes()
    changed = 0
    for meta in (tmp_path / "out" / ".cache" / "chunks").rglob("*.json"):
        record = json.loads(meta.read_text())
        anchors = record.get("body", record)["anchors"]
        for name in anchors:
            anchors[name] += 1  # a page number that would print a wrong contents page
            changed += 1
        meta.write_text(json.dumps(record))
    assert changed
    shutil.rmtree(tmp_path / "out" / ".cache" / "noop")
    (tmp_path / PDF).unlink()
    result = run_build(EDITION, "--out", "out", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / PDF).read_bytes() == clean


# --------------------------------------------------------------------------- clearer errors

def test_clearer_invalid_utf8_names_its_line_and_what_the_file_looks_like(mini, tmp_path):
    path = tmp_path / COUNCIL
    data = path.read_bytes().replace(b"every quarter.", b"every quarter \x96 online.")
    path.write_bytes(data)
    refused(tmp_path, err(COUNCIL, line_of(path.with_name("x"), "x") if False else
                          data[:data.index(b"\x96")].count(b"\n") + 1,
                          "not UTF-8 text: byte 0x96 cannot start a character here; it looks like Windows-1252 "
                          "(byte 0x96 is '–' there); save the file with the encoding UTF-8"))


def test_clearer_an_empty_article_says_so(mini, tmp_path):
    (tmp_path / COUNCIL).write_bytes(b"")
    refused(tmp_path, err(COUNCIL, 1, "the file is empty"))


def test_clearer_an_unknown_command_suggests_the_closest(tmp_path):
    result = run_build("chek", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "build.py: error: unknown command 'chek' (did you mean 'check'?)\n"


def test_clearer_a_picture_problem_found_while_rendering_is_at_its_line(mini, tmp_path):
    # Pictures are checked before rendering, so only a picture that changes in between can reach the renderer;
    # its problem is then reported at the line that shows it, with a reason (here: it was deleted).
    from pressroom import pipeline
    from pressroom.problems import Problem

    os.chdir(tmp_path)
    prepared = pipeline.prepare(tmp_path / EDITION, pipeline.Timer())
    [picture] = prepared.images
    message = f"PDF renderer: Failed to load image at 'content:mini-2020/gs1/images/{picture.name}': "
    [located] = pipeline.locate([Problem("mini/mini-2020/edition.yaml", 1, "error", message, "pdf.renderer")],
                                prepared)
    assert (located.path, located.line) == (RIVERS, line_of(tmp_path / RIVERS, "bars.png"))
    assert located.message.endswith(": the picture cannot be decoded")


# --------------------------------------------------------------------------- compilations read by the same rules

def test_f12_a_compilation_yaml_escape_is_checked_as_read(tmp_path):
    from conftest import copy_fixture

    books = copy_fixture("books", tmp_path)
    definition = books / "compilations" / "book" / "compilation.yaml"
    edit(definition, 'title: "Year Book: Polity and More"', 'title: "Year Book\\u202E: Polity and More"')
    result = run_build("check", "compilations/book", "--content", "books", cwd=tmp_path)
    assert result.returncode == 1
    assert errors(result) == [err("books/compilations/book/compilation.yaml", line_of(definition, "title:"),
                                  "invisible control character U+202E (RIGHT-TO-LEFT OVERRIDE) in the text; "
                                  "delete it")]
