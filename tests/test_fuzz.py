"""Fuzzing: mutated articles, front matter, edition.yaml and brand.yaml, so that issue 11's classes stay closed.

Every example must either pass, with every word printed and no Markdown left in the text, or be
refused with problems that each name a content file and a line in it. Nothing may raise, and each
example has a deadline (a hang guard, far above what an example takes).

Most examples run in-process on the stages (markup, read, check) for speed; a few run a whole
build, PDF and EPUB. CI runs a bounded, fixed set of examples (the "ci" profile, about a minute
on two cores). A longer, random run, for finding new cases:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py -p no:cacheprovider

Whatever it finds is fixed and kept below as a regression example (`@example`).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import DOCUMENTED_CODES, FIXTURES, ROOT

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pressroom import pipeline  # noqa: E402
from pressroom.editor import check  # noqa: E402
from pressroom.problems import ContentError, display_path  # noqa: E402
from pressroom.stages import files, markup  # noqa: E402
from pressroom.stages import read as reader  # noqa: E402

settings.register_profile("ci", max_examples=60, deadline=dt.timedelta(seconds=30), derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])
settings.register_profile("long", max_examples=3000, deadline=dt.timedelta(seconds=60),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                 HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
LONG = os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci"


def examples(ci: int, long: int = 3000) -> int:
    """How many examples a test gets: its share of the CI minute, or of a long run."""
    return long if LONG else ci

MINI = FIXTURES / "mini"
ARTICLES = sorted([*MINI.glob("*/*/*.md"), *(ROOT / "content").glob("*/*/*.md")])
# What editors and attackers type: Markdown's own marks, its traps, and characters that break things.
SNIPPETS = [
    "::: note Why", "::: prelims", ":::", "::: tip", "**", "*", "_", "~~", "`", "```", "~~~", "[^1]", "[^x]: a note",
    "[^1]: one", "![A chart](images/bars.png)", "![A chart](images/My Chart.png)", "![](images/bars.png)",
    "[a link](javascript:alert(1))", "![x](data:image/png;base64,iVBORw0KGgo=)", "[f](file:///etc/passwd)",
    "[ref][y]", "[y]: ../gs1/01-river-towns.md", "<!--", "-->", "<!-- a note -->", "<b>", "</i>", "<br>", "<div>",
    "#Heading", "# H1", "## H2", "#### H4", "> ", "> > > > > > > > > >", "- ", "  - ", "1. ", "2) ", "* * *",
    "| a | b |\n| --- | --- |\n| 1 | 2 |", "|", "\\", "\\*", "&amp;", "&#0;", "&bogus;", "<https://example.com>",
    "www.example.com", "\x00", "\x07", "\x1b", "\u202e", "\u2066", "\u2028", "\u2029", "\x85", "\x0c", "\ufeff",
    "\U0001F600", "\u200d", "\u0301", "हिन्दी", "₹1,000 crore", "“quoted”", "don't", "--", "...", "(c)", "\t",
    "\r", "\r\n", "\n", "\n\n", " " * 4, "[", "]", "(", ")", "![", "](", "[^", "^[inline]",
]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
PAYLOAD = st.one_of(st.sampled_from(SNIPPETS), TEXT, st.sampled_from(SNIPPETS).map(lambda s: s * 25))


@st.composite
def mutated(draw, text: str, steps: int = 6) -> str:
    """`text` after a few edits: insertions, deletions, repeats, indentation."""
    for _ in range(draw(st.integers(1, steps))):
        where = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "insert", "insert", "delete", "repeat", "indent", "line"]))
        if kind == "insert":
            text = text[:where] + draw(PAYLOAD) + text[where:]
        elif kind == "delete":
            text = text[:where] + text[where + draw(st.integers(1, 80)):]
        elif kind == "repeat":
            span = text[where:where + draw(st.integers(1, 60))]
            text = text[:where] + span * draw(st.integers(2, 40)) + text[where:]
        elif kind == "indent":
            start = text.rfind("\n", 0, where) + 1
            text = text[:start] + draw(st.sampled_from(["  ", "    ", "> ", "- ", "1. "])) * draw(
                st.integers(1, 12)) + text[start:]
        else:
            start = text.rfind("\n", 0, where) + 1
            text = text[:start] + draw(PAYLOAD) + "\n" + text[start:]
    return text


def valid_problems(problems, allowed: set[str], text_by_path: dict[str, str] | None = None) -> None:
    """Each problem names a content file, a line in it, and a documented code."""
    assert problems, "refused without saying why"
    for problem in problems:
        assert problem.path in allowed, (problem, allowed)
        assert problem.code in DOCUMENTED_CODES, problem
        assert problem.line >= 1
        if text_by_path and problem.path in text_by_path:
            assert problem.line <= len(files.lines(text_by_path[problem.path])) + 1, problem


def printed_text(fragment_html: str) -> str:
    """The text a reader sees: tags and code taken out."""
    without_code = re.sub(r"<code>.*?</code>|<pre>.*?</pre>", " ", fragment_html, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_code))


LEFTOVER = re.compile(r"!\[|\]\(|\[\^|:::|\*\*|<!--")


def rendered_cleanly(body: str, fragment) -> None:
    for flavour in (fragment.print_html, fragment.epub_html):
        if "\\" not in body and "&" not in body:  # an escaped mark is meant to print
            assert not LEFTOVER.search(printed_text(flavour)), LEFTOVER.search(printed_text(flavour))
        assert "<script" not in flavour and "<!--" not in flavour
        assert not re.search(r'(href|src)="\s*(javascript|vbscript|data|file):', flavour, re.I), flavour


# --------------------------------------------------------------------------- article bodies, in-process

@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(MINI, root / "mini")
    return root


def article_context(workspace: Path):
    content = workspace / "mini"
    article = content / "mini-2020" / "gs1" / "01-river-towns.md"
    ctx = markup.MarkupContext(content, "en", {"note": "Note", "prelims": "Prelims Pointers", "didyouknow": "Did You Know?",
                                               "keyterms": "Key Terms"}, "Figure",
                               {Path(os.path.realpath(article)): "river-towns"})
    return article, ctx


@given(source=st.sampled_from(ARTICLES), data=st.data())
@example(source=ARTICLES[0], data=None)
@settings(max_examples=examples(600))
def test_fuzz_article_bodies(workspace, source, data):
    text = source.read_text(encoding="utf-8").split("---\n", 2)[-1]
    body = data.draw(mutated(text)) if data is not None else text
    article, ctx = article_context(workspace)
    fragment, problems = markup.render_markdown(body, article, 5, "art-x", ctx, 0, (str, str))
    if fragment is None:
        hypothesis.event("refused")
        valid_problems(problems, {display_path(article)})
        assert all(p.line <= 5 + len(files.lines(body)) for p in problems), problems
    else:
        hypothesis.event("rendered")
        assert problems == []
        rendered_cleanly(body, fragment)


# --------------------------------------------------------------------------- whole article files, in-process

@given(source=st.sampled_from(ARTICLES), data=st.data(), raw=st.booleans())
@settings(max_examples=examples(300))
def test_fuzz_article_files(workspace, source, data, raw):
    written = source.read_bytes()
    if raw:  # bytes: bad UTF-8, UTF-16, NULs
        where = data.draw(st.integers(0, len(written)))
        written = written[:where] + data.draw(st.binary(max_size=40)) + written[where:]
    else:
        written = data.draw(mutated(written.decode("utf-8"))).encode("utf-8", "surrogatepass")
    path = workspace / "mini" / "mini-2020" / "gs1" / "09-fuzzed.md"
    path.write_bytes(written)
    article, problems = reader.read_article(path, "gs1", "fuzzed", workspace / "mini")
    if article is None:
        valid_problems(problems, {display_path(path)})
    else:
        assert problems == []


# --------------------------------------------------------------------------- edition.yaml and brand.yaml, through check

@given(which=st.sampled_from(["mini-2020/edition.yaml", "brand.yaml", "mini-2020/gs2/01-council-reform.md"]),
       data=st.data())
@settings(max_examples=examples(200, 1000))
def test_fuzz_yaml_through_check(tmp_path_factory, which, data):
    root = tmp_path_factory.mktemp("check")
    shutil.copytree(MINI, root / "mini")
    path = root / "mini" / which
    path.write_text(data.draw(mutated(path.read_text(encoding="utf-8"))), encoding="utf-8", errors="surrogatepass")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        result = check.check_edition(Path("mini/mini-2020"))
    finally:
        os.chdir(cwd)
    errors = [p for p in result.problems if p.severity == "error"]
    if errors:
        texts = {f"mini/{p.relative_to(root / 'mini')}": p.read_text("utf-8", "replace")
                 for p in (root / "mini").rglob("*") if p.suffix in (".md", ".yaml")}
        valid_problems(errors, set(texts), texts)


# --------------------------------------------------------------------------- whole builds: every word printed

NESTING = ["- ", "> ", "1. "]
# Between the paragraphs: mostly Markdown that builds, now and then a trap.
BETWEEN = ["", "**Bold** and *italic* text.", "> A quoted line.", "- one\n- two\n  - two and a half", "1. first\n2. second",
           "| Year | ₹ crore |\n| --- | ---: |\n| 2019 | 1,056 |", "<!-- a note for the editor -->", "`code` and ``co`de``",
           "### A smaller heading", "::: didyouknow\nA fact.\n:::", "A note.[^n]\n\n[^n]: The note's text.",
           "Text with \\*escaped\\* stars.", "He said \"don't\" -- and left...", "हिन्दी में एक वाक्य।",
           "![Finds by season](../gs1/images/bars.png)", "See [the river article](../gs1/01-river-towns.md)."]


@st.composite
def article_with_sentinels(draw) -> tuple[str, list[str]]:
    """A body of paragraphs, each holding a word found nowhere else, inside random lists, quotes and boxes,
    with junk from SNIPPETS between them."""
    words, parts = [], []
    for index in range(draw(st.integers(1, 6))):
        word = f"sentinel{index}x{draw(st.integers(0, 999))}"
        words.append(word)
        prefix = "".join(draw(st.lists(st.sampled_from(NESTING), max_size=9)))
        boxed = draw(st.booleans())
        paragraph = f"{prefix}Here is {word} in plain text."
        parts.append(f"::: note Box\n{paragraph}\n:::" if boxed else paragraph)
        parts.append(draw(st.sampled_from(BETWEEN * 8 + SNIPPETS)))
    return "\n\n".join(parts) + "\n", words


@given(case=article_with_sentinels())
# Found by the long run: eight levels deep the column is narrow, and the word is hyphenated in the PDF.
@example(case=("- - > > > > > > Here is sentinel0x0 in plain text.\n\n## H2\n", ["sentinel0x0"]))
@settings(max_examples=examples(10, 150),
          deadline=dt.timedelta(seconds=120))
def test_fuzz_whole_builds_print_every_word_or_refuse_at_a_line(tmp_path_factory, case):
    from helpers import pdf_pages_text

    body, words = case
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(MINI, root / "mini")
    path = root / "mini" / "mini-2020" / "gs2" / "01-council-reform.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        report = pipeline.build(Path("mini/mini-2020"), pipeline.Options(out_dir=Path("out"), jobs=1, cache=False))
    except ContentError as exc:
        valid_problems([p for p in exc.problems if p.severity == "error"],
                       {f"mini/{p.relative_to(root / 'mini')}" for p in (root / "mini").rglob("*")})
        hypothesis.event(f"refused: {min(p.code for p in exc.problems)}")
        return
    finally:
        os.chdir(cwd)
    # A word in a narrow column may be hyphenated or broken across lines: compare without spaces and hyphens.
    pdf = re.sub(r"[\s\u00ad\u2010\u2011-]", "", "".join(pdf_pages_text(root / report.artefacts["pdf"])))
    with zipfile.ZipFile(root / report.artefacts["epub"]) as book:
        epub = " ".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    for word in words:
        assert word in pdf and word in epub, word
    hypothesis.event("built, every word printed")
