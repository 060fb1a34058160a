"""Compilations (issue 15): articles gathered from the monthly editions into one book.

The fixture tests/fixtures/books/ has two English months (ed-2020-01, ed-2020-02, whose sections come in
different orders), a Hindi month and a compilation `compilations/book`. Expectations come from the
fixture's files, read here with PyYAML, and from the rules of docs/authoring.md section 13.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap
import zipfile
from pathlib import Path

import pikepdf
import pytest
import yaml
from conftest import ROOT, copy_fixture, run_build
from helpers import collapse, pdf_pages_text, pdf_words, squash
from validators import ace, epubcheck

BOOK = "compilations/book"
DEFINITION = "books/compilations/book/compilation.yaml"


@pytest.fixture
def books(tmp_path) -> Path:
    return copy_fixture("books", tmp_path)


def define(books: Path, text: str) -> None:
    (books / "compilations" / "book" / "compilation.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def check(tmp_path: Path, *args: str):
    return run_build("check", BOOK, "--content", "books", *args, cwd=tmp_path)


def problems(result) -> list[str]:
    """The problem lines, without the closing summary line."""
    return [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]


HEAD = '''
title: "Year Book"
published: "2020-03-01"
'''


# --------------------------------------------------------------------------- errors, one per kind

def test_an_edition_that_does_not_exist(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-2]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        f"{DEFINITION}:4: error: no edition 'ed-2020-2' under books/ (did you mean 'ed-2020-02'?)"]


def test_from_and_to_that_match_no_edition(books, tmp_path):
    define(books, HEAD + "select:\n  from: 2021-01\n  to: 2021-06\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        f"{DEFINITION}:4: error: select: from 2021-01 to 2021-06 matches no edition in 'en' by its published month"]


def test_from_and_to_take_only_editions_of_the_books_language(books, tmp_path):
    define(books, HEAD + 'language: "hi"\nselect:\n  from: 2020-02\n')
    result = check(tmp_path)
    assert problems(result) == [f"{DEFINITION}:5: error: select: from 2020-02 matches no edition in 'hi' by its "
                                "published month (ed-2020-02 is in 'en')"]
    define(books, HEAD + 'language: "hi"\nselect:\n  from: 2020-01\n  to: 2020-01\n')
    assert check(tmp_path).returncode == 0  # the Hindi January only, not the English one


def test_a_selection_that_matches_no_article(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02]\n  tags: [Astronomy]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [f"{DEFINITION}:3: error: select matches no article of ed-2020-01, ed-2020-02"]


def test_an_exclude_entry_that_matches_nothing_is_a_warning(books, tmp_path):
    define(books, HEAD + textwrap.dedent('''
        select:
          editions: [ed-2020-01, ed-2020-02]
          sections: [gs2, gs3]
          exclude:
            - ed-2020-01/gs3/02-left-out
            - ed-2020-01/gs2/03-river-bords
            - ed-2020-02/gs1/temple-architecture
        '''))
    result = check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert problems(result) == [
        f"{DEFINITION}:9: warning: exclude: 'ed-2020-01/gs2/03-river-bords' names no article of the chosen editions "
        "(did you mean 'ed-2020-01/gs2/01-river-boards'?)",
        f"{DEFINITION}:10: warning: exclude: 'ed-2020-02/gs1/temple-architecture' is not selected anyway (by its "
        "section, tags or topic)"]
    assert check(tmp_path, "--strict").returncode == 1


def test_an_edition_listed_twice_picks_its_articles_twice(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02, ed-2020-01]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [f"{DEFINITION}:4: error: edition 'ed-2020-01' is listed twice, so each of its "
                                "articles would be picked twice"]


def test_the_same_article_in_two_editions_is_picked_twice(books, tmp_path):
    source = books / "ed-2020-01" / "gs2" / "01-river-boards.md"
    (books / "ed-2020-02" / "gs2" / "02-river-boards.md").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02]\n  sections: [gs2]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        f"{DEFINITION}:4: error: 'River boards for shared rivers' is picked twice: ed-2020-01/gs2/01-river-boards "
        "and ed-2020-02/gs2/02-river-boards; leave one out with `exclude: [ed-2020-02/gs2/02-river-boards]`"]
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02]\n  sections: [gs2]\n"
                         "  exclude: [ed-2020-02/gs2/02-river-boards]\n")
    assert check(tmp_path).returncode == 0


def test_unknown_keys_suggest_the_right_one(books, tmp_path):
    define(books, HEAD + "grup_by: month\nselect:\n  form: 2020-01\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [f"{DEFINITION}:3: error: unknown key 'grup_by' (did you mean 'group_by'?)",
                                f"{DEFINITION}:5: error: select: unknown key 'form' (did you mean 'from'?)"]


def test_editions_and_months_together_are_refused(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01]\n  from: 2020-01\n")
    assert problems(check(tmp_path)) == [
        f"{DEFINITION}:3: error: select: give either `editions` or `from`/`to`, not both"]


def test_an_articles_own_errors_are_reported_at_its_own_path(books, tmp_path):
    chosen = books / "ed-2020-01" / "gs2" / "02-tribunal-reform.md"
    chosen.write_text(chosen.read_text(encoding="utf-8").replace('topic: "Judiciary"', 'topic: "Judiciary"\nfeaturd: true'),
                      encoding="utf-8")
    other = books / "ed-2020-02" / "gs3" / "01-monsoon-forecast.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nA <b>bold</b> claim.\n", encoding="utf-8")
    # Broken too, but not chosen: an excluded article, and one in a section the book does not take.
    for path in (books / "ed-2020-01" / "gs3" / "02-left-out.md", books / "ed-2020-02" / "gs1" / "01-temple-architecture.md"):
        path.write_text(path.read_text(encoding="utf-8").replace("title:", "titel:"), encoding="utf-8")
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02]\n  sections: [gs2, gs3]\n"
                         "  exclude: [ed-2020-01/gs3/02-left-out]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        "books/ed-2020-01/gs2/02-tribunal-reform.md:4: error: unknown key 'featurd' (did you mean 'featured'?)"]
    # Once the front matter reads, the body is checked as the build would check it.
    chosen.write_text(chosen.read_text(encoding="utf-8").replace("featurd: true\n", ""), encoding="utf-8")
    result = run_build(BOOK, "--content", "books", "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        f"books/ed-2020-02/gs3/01-monsoon-forecast.md:28: error: raw HTML is not allowed: '{tag}'; write **bold** "
        "instead (for a literal '<' write '\\<')" for tag in ("</b>", "<b>")]
    assert not (tmp_path / "out" / "book").exists()


def test_mixing_languages_is_an_error(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-01-hi]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [f"{DEFINITION}:4: error: edition 'ed-2020-01-hi' is in 'hi' and this compilation in "
                                "'en': a compilation draws only on editions of its own language"]


def test_a_section_no_chosen_edition_has(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01, ed-2020-02]\n  sections: [gs2, gs9]\n")
    result = check(tmp_path)
    assert result.returncode == 1
    assert problems(result) == [f"{DEFINITION}:5: error: no chosen edition has a section 'gs9' (did you mean 'gs3'?); "
                                "they have gs1, gs2, gs3"]


def test_a_compilation_named_like_an_edition(books, tmp_path):
    (books / "compilations" / "book").rename(books / "compilations" / "ed-2020-01")
    result = run_build("check", "compilations/ed-2020-01", "--content", "books", cwd=tmp_path)
    assert result.returncode == 1
    assert problems(result) == [
        "books/compilations/ed-2020-01/compilation.yaml:1: error: the compilation 'ed-2020-01' has the name of an "
        "edition; both would be written to ed-2020-01/ in the output folder: rename the compilation's folder"]


def test_an_oversized_definition_is_not_read(books, tmp_path):
    define(books, HEAD + "select:\n  editions: [ed-2020-01]\n" + "# padding\n" * 30_000)
    assert problems(check(tmp_path)) == [
        f"{DEFINITION}:1: error: compilation.yaml is 300,076 bytes; a definition is at most 256,000"]


def test_a_compilation_that_does_not_exist_is_a_usage_error(books, tmp_path):
    result = run_build("compilations/bok", "--content", "books", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "build.py: error: no compilation 'compilations/bok' under books/ (did you mean " \
                            "'compilations/book'?)\n"


# --------------------------------------------------------------------------- grouping, from the build report and the EPUB

def chosen(out: Path) -> list[tuple[str, str]]:
    """(group, EDITION/FILE) of each article in book order, as build-report.json lists them."""
    report = json.loads((out / "book" / "build-report.json").read_text(encoding="utf-8"))
    return [(a["group"], f"{a['edition']}/{a['file']}") for a in report["compilation"]["articles"]]


GROUPINGS = {
    # Sections in the order of their first edition (January: gs2, gs3; February adds gs1), then by month.
    "section": [("GS-II: Polity and Governance", "ed-2020-01/gs2/01-river-boards.md"),
                ("GS-II: Polity and Governance", "ed-2020-01/gs2/02-tribunal-reform.md"),
                ("GS-II: Polity and Governance", "ed-2020-02/gs2/01-anti-defection.md"),
                ("GS-III: Economy and Environment", "ed-2020-01/gs3/01-solar-parks.md"),
                ("GS-III: Economy and Environment", "ed-2020-02/gs3/01-monsoon-forecast.md"),
                ("GS-I: Heritage and Culture", "ed-2020-02/gs1/01-temple-architecture.md")],
    # Editions in order, then each edition's own section order (February puts gs3 first).
    "month": [("The January 2020 edition", "ed-2020-01/gs2/01-river-boards.md"),
              ("The January 2020 edition", "ed-2020-01/gs2/02-tribunal-reform.md"),
              ("The January 2020 edition", "ed-2020-01/gs3/01-solar-parks.md"),
              ("The February 2020 edition", "ed-2020-02/gs3/01-monsoon-forecast.md"),
              ("The February 2020 edition", "ed-2020-02/gs2/01-anti-defection.md"),
              ("The February 2020 edition", "ed-2020-02/gs1/01-temple-architecture.md")],
    # Topics alphabetically, whatever their capitals ("Judiciary", "judiciary"); no topic comes last.
    "topic": [("Energy", "ed-2020-01/gs3/01-solar-parks.md"),
              ("Federalism", "ed-2020-01/gs2/01-river-boards.md"),
              ("Geography", "ed-2020-02/gs3/01-monsoon-forecast.md"),
              ("Judiciary", "ed-2020-01/gs2/02-tribunal-reform.md"),
              ("Judiciary", "ed-2020-02/gs2/01-anti-defection.md"),
              ("Other topics", "ed-2020-02/gs1/01-temple-architecture.md")],
}


@pytest.mark.parametrize("group_by", list(GROUPINGS))
def test_group_by_orders_the_contents_and_the_questions(books, tmp_path, group_by):
    text = (books / "compilations" / "book" / "compilation.yaml").read_text(encoding="utf-8")
    (books / "compilations" / "book" / "compilation.yaml").write_text(
        text.replace("group_by: section", f"group_by: {group_by}"), encoding="utf-8")
    result = run_build(BOOK, "--content", "books", "--out", "out", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert chosen(tmp_path / "out") == GROUPINGS[group_by]
    epub = tmp_path / "out" / "book" / "mini-press-book.epub"
    with zipfile.ZipFile(epub) as z:
        nav = z.read("EPUB/nav.xhtml").decode("utf-8")
        practice = z.read("EPUB/practice.xhtml").decode("utf-8")
    groups = list(dict.fromkeys(g for g, _ in GROUPINGS[group_by]))
    positions = [nav.index(f">{g}<") for g in groups]
    assert positions == sorted(positions), "the EPUB's contents are not in the book's order"
    # Questions numbered 1..N through the book, under the same groups, in the order of their articles.
    stems = [q["q"] for _, name in GROUPINGS[group_by] for q in source_questions(books, name)]
    printed = re.findall(r'<strong class="qnum">(\d+)\.</strong> (.*?)</p>', practice)
    assert [(int(n), collapse(html.unescape(s))) for n, s in printed] == [(i, collapse(s)) for i, s in enumerate(stems, 1)]
    headings = re.findall(r"<h2>(.*?)</h2>", practice)
    assert [h for h in headings if h in groups] == [g for g in groups
                                                     if any(source_questions(books, n) for gg, n in GROUPINGS[group_by] if gg == g)]


def source_questions(books: Path, name: str) -> list[dict]:
    front = (books / name).read_text(encoding="utf-8").split("---\n")[1]
    return (yaml.safe_load(front).get("questions") or {}).get("prelims") or []


def test_an_edit_to_an_article_reaches_the_next_build_of_the_compilation(books, tmp_path):
    args = (BOOK, "--content", "books", "--out", "out", "--format", "epub")
    assert run_build(*args, cwd=tmp_path).returncode == 0
    again = run_build(*args, cwd=tmp_path)
    assert again.returncode == 0 and "unchanged" in again.stdout, again.stdout  # the no-change record, replayed
    article = books / "ed-2020-02" / "gs2" / "01-anti-defection.md"
    article.write_text(article.read_text(encoding="utf-8").replace("at thirty-five", "at thirty-six"), encoding="utf-8")
    result = run_build(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "unchanged" not in result.stdout
    report = json.loads((tmp_path / "out" / "book" / "build-report.json").read_text(encoding="utf-8"))
    assert "The anti-defection law at thirty-six" in [a["title"] for a in report["compilation"]["articles"]]
    with zipfile.ZipFile(tmp_path / "out" / "book" / "mini-press-book.epub") as z:
        assert "at thirty-six" in z.read("EPUB/art-anti-defection.xhtml").decode("utf-8")


def test_all_builds_every_edition_and_compilation(books, tmp_path):
    result = run_build("--all", "--content", "books", "--out", "out", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        "book", "ed-2020-01", "ed-2020-01-hi", "ed-2020-02"]
    # An edition's report has no compilation part; the book's names each article's edition.
    edition = json.loads((tmp_path / "out" / "ed-2020-01" / "build-report.json").read_text(encoding="utf-8"))
    assert "compilation" not in edition


def test_a_hindi_compilation_speaks_hindi(books, tmp_path):
    define(books, '''
        title: "वार्षिकी: राजव्यवस्था"
        language: "hi"
        published: "2020-03-01"
        select:
          editions: [ed-2020-01-hi]
        foreword: "इसे खंड दर खंड पढ़ें।"
        ''')
    result = run_build(BOOK, "--content", "books", "--out", "out", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "book" / "mini-press-book.epub") as z:
        article = z.read("EPUB/art-nadi-board.xhtml").decode("utf-8")
        foreword = z.read("EPUB/foreword.xhtml").decode("utf-8")
    assert '<p class="provenance">जनवरी 2020 अंक से</p>' in article
    assert "इस पुस्तक का उपयोग कैसे करें" in foreword


def test_links_to_articles_left_out_keep_their_text(books, tmp_path):
    result = run_build(BOOK, "--content", "books", "--out", "out", "--format", "epub", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out" / "book" / "mini-press-book.epub") as z:
        body = z.read("EPUB/art-river-boards.xhtml").decode("utf-8")
    assert '<a href="art-tribunal-reform.xhtml#art-tribunal-reform">the tribunal article</a>' in body
    assert "and the river towns story." in body  # the article left out: its words, no link


def test_new_compilation_scaffolds_a_definition_that_checks(books, tmp_path):
    result = run_build("new-compilation", "PT 365: Polity", "--content", "books", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created books/compilations/pt-365-polity/compilation.yaml (from 2020-01 to 2020-02: 2 edition(s))",
        "next: choose the articles under `select:`, then `build.py check compilations/pt-365-polity` and "
        "`build.py compilations/pt-365-polity`"]
    check = run_build("check", "compilations/pt-365-polity", "--content", "books", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("pt-365-polity: 7 articles, 0 error(s), 0 warning(s)")
    again = run_build("new-compilation", "PT 365: Polity", "--content", "books", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr == "build.py new-compilation: books/compilations/pt-365-polity already exists; nothing was written\n"


# --------------------------------------------------------------------------- the book itself: PDF and EPUB

@pytest.fixture(scope="module")
def book(tmp_path_factory):
    base = tmp_path_factory.mktemp("book")
    content = copy_fixture("books", base)
    result = run_build(BOOK, "--content", content, "--out", base / "out", cwd=base)
    assert result.returncode == 0, result.stderr
    folder = base / "out" / "book"
    return content, folder / "mini-press-book.pdf", folder / "mini-press-book.epub", base


def articles_in_order(content: Path) -> list[tuple[dict, dict, dict]]:
    """(edition meta, section, front matter) of each article, in the section grouping's order (see GROUPINGS)."""
    out = []
    for _, name in GROUPINGS["section"]:
        edition = yaml.safe_load((content / name.split("/")[0] / "edition.yaml").read_text(encoding="utf-8"))
        section = next(s for s in edition["sections"] if s["id"] == name.split("/")[1])
        front = yaml.safe_load((content / name).read_text(encoding="utf-8").split("---\n")[1])
        out.append((edition, section, front))
    return out


def start_page(pages: list[str], section: dict, front: dict) -> int:
    kicker = f"{section['label']}: " + (f"{front['topic']}: " if front["topic"] else "") + front["title"]
    hits = [n for n, text in enumerate(pages, 1) if squash(kicker) in text]
    assert len(hits) == 1, f"heading {kicker!r} on pages {hits}"
    return hits[0]


def test_each_article_opens_with_its_kicker_title_and_edition(book):
    content, pdf, _, _ = book
    pages = [squash(t) for t in pdf_pages_text(pdf)]
    for edition, section, front in articles_in_order(content):
        page = start_page(pages, section, front)
        heading = squash(front["title"] + f"From the {edition['title']} edition")
        assert heading in pages[page - 1], f"no provenance line under {front['title']!r} on page {page}"


def test_contents_show_the_month_and_the_right_page(book):
    content, pdf, _, _ = book
    pages = [squash(t) for t in pdf_pages_text(pdf)]
    contents = collapse(pdf_pages_text(pdf)[1])
    assert "Contents" in contents
    positions = []
    for edition, section, front in articles_in_order(content):
        entry = (f"{front['topic']}: " if front["topic"] else "") + f"{front['title']} ({edition['title']})"
        match = re.search(re.escape(entry) + r"[ .]*?(\d+)(?!\S)", contents)
        assert match, f"contents has no entry {entry!r}"
        assert int(match[1]) == start_page(pages, section, front), f"wrong page for {entry!r}"
        positions.append(match.start())
    assert positions == sorted(positions)


def test_questions_are_renumbered_through_the_book_and_the_key_matches(book):
    content, pdf, _, _ = book
    questions = [q for _, _, front in articles_in_order(content)
                 for q in (front.get("questions") or {}).get("prelims", [])]
    report = json.loads((pdf.parent / "build-report.json").read_text(encoding="utf-8"))
    assert report["questions"]["prelims"] == len(questions) == sum(a["prelims"] for a in report["compilation"]["articles"])
    text = squash(" ".join(pdf_pages_text(pdf)))
    for number, q in enumerate(questions, 1):
        assert squash(f"{number}. {q['q']}") in text, f"question {number} is not {q['q']!r}"
    key_page = next(n for n, t in enumerate(pdf_pages_text(pdf), 1) if "Answers at a glance" in t)
    grid = " ".join(w.text for w in pdf_words(pdf)[key_page - 1].words)
    pairs = re.findall(r"(\d+) ([a-d])\b", grid)
    assert pairs[:len(questions)] == [(str(n), q["answer"]) for n, q in enumerate(questions, 1)]


def test_outline_has_the_groups_and_their_articles(book):
    content, pdf, _, _ = book
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        got = [(item.title, [child.title for child in item.children]) for item in outline.root]
    expected: dict[str, list[str]] = {}
    for (group, _), (_, _, front) in zip(GROUPINGS["section"], articles_in_order(content)):
        expected.setdefault(group, []).append(front["title"])
    assert got == list(expected.items()) + [("Practice Questions", []), ("Answer Key", []), ("Index", [])]


def test_the_books_epub_passes_epubcheck_and_ace(book):
    _, _, epub, _ = book
    report = epubcheck(epub)
    assert report.errors == [] and report.warnings == [], str(report)
    assert ace(epub).serious_or_critical == []


def test_a_rebuild_of_the_book_is_byte_identical(book):
    content, pdf, epub, base = book
    again = run_build(BOOK, "--content", content, "--out", base / "again", "--no-cache", cwd=base)
    assert again.returncode == 0, again.stderr
    for path in (pdf, epub):
        copy = base / "again" / "book" / path.name
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_sample_compilation_builds_and_checks():
    result = run_build("check", "compilations/pt-365-polity", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("pt-365-polity: 8 articles, 0 error(s), 0 warning(s)")
