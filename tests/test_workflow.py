"""The editor's workflow: check, new, new-edition, progress output, and watch with its live preview.

Each test works on a private copy of the mini edition (or only reads the sample),
runs `python build.py ...` with cwd=tmp_path so paths print relative to it, and
asserts exact files and messages.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from cdp import Chromium, chromium_path
from conftest import BUILD_PY, ROOT, run_build, without_codes

from pressroom import pipeline, progress
from pressroom.editor import preview, scaffold, server, watch
from pressroom.report import BuildReport
from pressroom.stages import months

EDITION = "mini/mini-2020"
RIVERS = f"{EDITION}/gs1/01-river-towns.md"
MONSOON = f"{EDITION}/gs1/02-monsoon-rivers.md"
COUNCIL = f"{EDITION}/gs2/01-council-reform.md"
HOUSE_RULES = """
house_rules:
  required_headings:
    - "Context"
    - "Way ahead | Way forward"
  max_title_length: 30
  require_tags: true
  require_summary: true
"""
RULE_WARNINGS = [
    f"{RIVERS}:23: warning: no '## Way ahead' heading; house rules ask for one (also accepted: 'Way forward')",
    f"{MONSOON}:1: warning: no summary; house rules ask for a one-sentence summary",
    f"{MONSOON}:2: warning: title is 36 characters; house rules allow at most 30",
]
SUMMARY = re.compile(r"(?P<slug>[\w-]+): (?:(?P<articles>\d+) articles, )?(?P<errors>\d+) error\(s\), "
                     r"(?P<warnings>\d+) warning\(s\) in \d+\.\d\d s")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def ruled(mini, tmp_path) -> Path:
    """The mini content with house rules that three of its articles break."""
    with (mini / "brand.yaml").open("a", encoding="utf-8") as brand:
        brand.write(HOUSE_RULES)
    return tmp_path


def summary(text: str) -> re.Match:
    match = SUMMARY.fullmatch(text.strip().splitlines()[-1])
    assert match, text
    return match


# --------------------------------------------------------------------------- check

def test_check_clean_edition(mini, tmp_path):
    result = run_build("check", EDITION, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    found = summary(result.stdout)
    assert (found["slug"], found["articles"], found["errors"], found["warnings"]) == ("mini-2020", "3", "0", "0")


def test_check_house_rules_are_warnings(ruled):
    result = run_build("check", EDITION, cwd=ruled)
    assert result.returncode == 0
    assert result.stderr.splitlines() == RULE_WARNINGS
    found = summary(result.stdout)
    assert (found["errors"], found["warnings"]) == ("0", "3")


def test_check_strict_turns_warnings_into_errors(ruled):
    result = run_build("check", EDITION, "--strict", cwd=ruled)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == [w.replace(": warning: ", ": error: ") for w in RULE_WARNINGS]
    assert (summary(lines[-1])["errors"], summary(lines[-1])["warnings"]) == ("3", "0")
    assert result.stdout == ""


def test_check_reports_body_errors_and_house_rules_together(ruled):
    edit(ruled / COUNCIL, "::: note Why it matters", "::: notes Why it matters")
    result = run_build("check", EDITION, cwd=ruled)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:-1] == sorted(RULE_WARNINGS + [
        f"{COUNCIL}:13: error: unknown box '::: notes' (did you mean 'note'?); boxes are prelims, note, "
        "didyouknow, keyterms"])
    assert not (ruled / "output").exists()


def test_check_never_imports_weasyprint(mini, tmp_path):
    code = ("import sys; from pressroom.cli import main; status = main(['check', 'mini/mini-2020']); "
            "print('weasyprint' in sys.modules, status)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines()[-1] == "False 0", result.stdout + result.stderr


def test_check_unknown_edition_is_a_usage_error(mini, tmp_path):
    result = run_build("check", "mini/nope", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("build.py check: error: no edition 'mini/nope'")


# --------------------------------------------------------------------------- new

NEW_ARTICLE = """---
title: "Electoral bonds: who pays?"
topic: ""
tags: []
summary: ""
---

## Context

## Way ahead
"""


def test_new_creates_next_article_with_house_skeleton(ruled):
    result = run_build("new", "gs2", "Electoral bonds: who pays?", "--content", "mini", cwd=ruled)
    assert result.returncode == 0, result.stderr
    path = f"{EDITION}/gs2/02-electoral-bonds-who-pays.md"
    assert result.stdout.splitlines()[0] == f"created {path}"
    assert (ruled / path).read_text(encoding="utf-8") == NEW_ARTICLE
    check = run_build("check", EDITION, cwd=ruled)
    assert check.returncode == 0
    assert [line for line in check.stderr.splitlines() if path in line] == [
        f"{path}:4: warning: no tags; house rules ask for at least one tag",
        f"{path}:5: warning: no summary; house rules ask for a one-sentence summary"]


def test_new_without_house_rules_and_with_a_hindi_title(mini, tmp_path):
    result = run_build("new", "gs1", "मानसून और नदियाँ", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    created = tmp_path / EDITION / "gs1" / "03-article-03.md"
    assert created.read_text(encoding="utf-8") == (
        '---\ntitle: "मानसून और नदियाँ"\ntopic: ""\ntags: []\nsummary: ""\n---\n\n')


def test_new_refuses_to_overwrite(mini, tmp_path):
    before = (tmp_path / COUNCIL).read_bytes()
    result = run_build("new", "gs2", "Council reform", "--number", "1", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == f"build.py new: refusing to overwrite {COUNCIL}; nothing was written\n"
    assert (tmp_path / COUNCIL).read_bytes() == before


def test_new_refuses_a_slug_used_elsewhere_in_the_edition(mini, tmp_path):
    result = run_build("new", "gs1", "Council reform", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ("build.py new: an article named 'council-reform' already exists "
                             "(gs2/01-council-reform.md); give another title or --slug; nothing was written\n")
    assert sorted(p.name for p in (tmp_path / EDITION / "gs1").glob("*.md")) == [
        "01-river-towns.md", "02-monsoon-rivers.md"]


def test_new_unknown_section_suggests_one(mini, tmp_path):
    result = run_build("new", "gs-2", "Anything", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("build.py new: error: no section 'gs-2' in mini-2020 (did you mean 'gs2'?); "
                             "its sections are gs1, gs2\n")


# --------------------------------------------------------------------------- new-edition

NEW_EDITION_YAML = """# Made by `build.py new-edition` from mini-2020: check every value, then add articles
# with `build.py new SECTION "Title"`.
title: "April 2020"
prelims_label: "April-PT 2020"
language: "en"
published: "2020-04-01"
sections:
  - id: gs1
    label: "GS-I"
    title: "GS-I: Heritage and Geography"
  - id: gs2
    label: "GS-II"
    title: "GS-II: Polity and Governance"
"""


def test_new_edition_copies_sections_into_empty_folders(mini, tmp_path):
    result = run_build("new-edition", "April 2020", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created mini/2020-04-april/edition.yaml (sections copied from mini-2020)",
        "  title: April 2020; published: 2020-04-01; prelims label: April-PT 2020",
        "  empty section folders: gs1, gs2",
        'next: add an article with `build.py new gs1 "Title"`']
    folder = mini / "2020-04-april"
    assert (folder / "edition.yaml").read_text(encoding="utf-8") == NEW_EDITION_YAML
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == [
        "edition.yaml", "gs1", "gs1/.gitkeep", "gs2", "gs2/.gitkeep"]

    again = run_build("new-edition", "April 2020", "--content", "mini", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr == "build.py new-edition: mini/2020-04-april already exists; nothing was written\n"

    # It is now the newest edition: `check` says what is missing and how to add it.
    check = run_build("check", "--content", "mini", cwd=tmp_path)
    assert check.returncode == 1
    assert check.stderr.splitlines()[:-1] == [
        'mini/2020-04-april/edition.yaml:8: error: section \'gs1\' has no articles; add one with: build.py new gs1 "Title"',
        'mini/2020-04-april/edition.yaml:11: error: section \'gs2\' has no articles; add one with: build.py new gs2 "Title"']

    new = run_build("new", "gs1", "Heat waves", "--content", "mini", cwd=tmp_path)
    assert new.stdout.splitlines()[0] == "created mini/2020-04-april/gs1/01-heat-waves.md"

    # With one article written, its own mistakes are reported too, before every section is filled.
    with (folder / "gs1" / "01-heat-waves.md").open("a", encoding="utf-8") as article:
        article.write("::: tip\nDrink water.\n:::\n")
    check = run_build("check", "--content", "mini", cwd=tmp_path)
    assert check.returncode == 1
    assert check.stderr.splitlines() == [
        'mini/2020-04-april/edition.yaml:11: error: section \'gs2\' has no articles; add one with: build.py new gs2 "Title"',
        "mini/2020-04-april/gs1/01-heat-waves.md:8: error: unknown box '::: tip'; boxes are prelims, note, didyouknow, "
        "keyterms",
        "2020-04-april: 1 articles, 2 error(s), 0 warning(s) in " + check.stderr.rsplit(" in ", 1)[1].strip()]


def test_new_edition_overrides(mini, tmp_path):
    result = run_build("new-edition", "Special issue", "--slug", "2020-05-special", "--published", "2020-05-15",
                       "--prelims-label", "Special-PT 2020", "--from", "mini-2020", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (mini / "2020-05-special" / "edition.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[2:6] == ['title: "Special issue"', 'prelims_label: "Special-PT 2020"',
                                      'language: "en"', 'published: "2020-05-15"']


def test_new_edition_needs_a_month_or_overrides(mini, tmp_path):
    result = run_build("new-edition", "Special issue", "--content", "mini", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("build.py new-edition: error: cannot tell the month and year from 'Special issue'; "
                             "write them in the title (e.g. \"April 2020\") or give --slug and --published\n")
    assert sorted(p.name for p in mini.iterdir()) == ["brand.yaml", "mini-2020"]


@pytest.mark.parametrize("title, source, slug, published, label", [
    ("April 2020", "2020-02-feb-march", "2020-04-april", "2020-04-01", "Apr-PT 2020"),
    ("Feb-March 2021", "2020-02-feb-march", "2021-02-feb-march", "2021-03-01", "Feb-PT 2021"),
    ("अप्रैल 2020", "2020-02-feb-march-hi", "2020-04-april-hi", "2020-04-01", "अप्रैल-पीटी 2020"),
    ("Sept 2020", "2020-02-feb-march", "2020-09-sept", "2020-09-01", "Sep-PT 2020"),
])
def test_new_edition_derives_slug_date_and_label_from_the_sample(title, source, slug, published, label):
    plan = scaffold.plan_edition(ROOT / "content", title, source)
    assert (plan.folder.name, plan.published.isoformat(), plan.prelims_label) == (slug, published, label)


def test_month_names():
    assert [(t.month, t.style) for t in months.find("Feb-March 2020")] == [(2, "abbr"), (3, "full")]
    assert months.prelims_label("", months.find("June 2020"), 2020) == "June-PT 2020"
    assert months.prelims_label("FEB-PT 2020", months.find("July 2020"), 2020) == "JUL-PT 2020"


# --------------------------------------------------------------------------- progress and summary

REPORT = BuildReport(edition="mini-2020", title="Mini March 2020", pages=9, articles=3, words=112, images=1,
                     artefacts={"pdf": "out/mini-2020/m.pdf", "epub": "out/mini-2020/m.epub"},
                     bytes={"pdf": 61234, "epub": 270000},
                     seconds={"read": 0.01, "markup": 0.02, "pdf": 1.5, "epub": 0.7, "write": 0.0, "total": 2.3},
                     warnings=(), house_rules=(), questions={"prelims": 0, "mains": 0}, index_entries=0,
                     pdf_render=None)


def test_plain_summary_when_not_a_terminal():
    out = io.StringIO()
    progress.Reporter(out, io.StringIO()).show(progress.summarise(REPORT, warnings=2))
    assert out.getvalue().splitlines() == [
        "mini-2020: 9 pages, 3 articles, 112 words in 2.3 s",
        "  pdf: out/mini-2020/m.pdf (0.06 MB)",
        "  epub: out/mini-2020/m.epub (0.27 MB)",
        "  images: 1, warnings: 2",
        "  seconds: read 0.01, markup 0.02, pdf 1.50, epub 0.70, write 0.00"]


def test_rich_progress_and_summary_table():
    out = io.StringIO()
    shown = progress.RichReporter(out, io.StringIO())
    update = shown.stage_callback("mini-2020")
    for stage, done, total in (("read", 0, 1), ("markup", 0, 3), ("markup", 2, 3), ("pdf", 0, 1)):
        update(stage, done, total)
    shown.stop()
    shown.show(progress.summarise(REPORT, warnings=0))
    table = out.getvalue()
    for row in ("pages", "articles", "words", "images", "warnings", "pdf (s)", "0.27 MB"):
        assert row in table, table


def test_pages_are_counted_from_weasyprints_progress_log():
    import logging

    seen = []
    counter = progress.PageCounter(seen.append)
    log = logging.getLogger("weasyprint.progress")
    before = log.level
    counter.attach()
    try:
        for message in ("Step 4 - Creating formatting structure", "Step 5 - Creating layout - Page 1",
                        "Step 5 - Creating layout - Page 2", "Step 5 - Creating layout - Repagination #1",
                        "Step 5 - Creating layout - Page 1 (up-to-date)", "Step 6 - Creating PDF"):
            log.info(message)
    finally:
        counter.detach()
    assert seen == [1, 2, 0, 1, -1]
    assert log.level == before and counter not in log.handlers


def test_quiet_build_prints_nothing_when_all_is_well(mini, tmp_path):
    result = run_build(EDITION, "--out", "out", "--format", "epub", "--quiet", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert (tmp_path / "out" / "mini-2020" / "mini-press-mini-2020.epub").is_file()


# --------------------------------------------------------------------------- preview server

def test_preview_refuses_paths_outside_the_output_folder(tmp_path):
    root = tmp_path / "out" / "ed"
    (root / "preview").mkdir(parents=True)
    (root / "preview" / "a.html").write_text("ok")
    (tmp_path / "secret.html").write_text("secret")
    (root / "preview" / "link.html").symlink_to(tmp_path / "secret.html")
    assert server.resolve_inside(root, "/preview/a.html") == root.resolve() / "preview" / "a.html"
    for bad in ("/../secret.html", "/%2e%2e/secret.html", "/..%2fsecret.html", "/preview/link.html",
                "/preview/a.html%00"):
        assert server.resolve_inside(root, bad) is None, bad

    board = preview.StatusBoard()
    running, thread = server.serve(root, board, 0)
    try:
        port = running.server_address[1]
        assert running.server_address[0] == "127.0.0.1"
        for path, status in (("/preview/a.html", 200), ("/../secret.html", 404), ("/%2e%2e/secret.html", 404),
                             ("/preview/%2e%2e/%2e%2e/%2e%2e/secret.html", 404), ("/preview/link.html", 404),
                             ("/missing", 404)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            assert connection.getresponse().status == status, path
            connection.close()
        board.update(ok=False, problems=("x.md:1: error: broken",), message="Fix these and save:")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__status", timeout=10) as reply:
            assert json.load(reply) == {"built": 0, "ok": False, "building": False, "message": "Fix these and save:",
                                        "problems": ["x.md:1: error: broken"], "warnings": []}
    finally:
        running.shutdown()
        running.server_close()
        thread.join(timeout=5)


def test_preview_takes_a_free_port_when_asked_for_a_busy_one(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        running, thread = server.serve(tmp_path, preview.StatusBoard(), taken)
        try:
            assert running.server_address[1] not in (taken, 0)
        finally:
            running.shutdown()
            running.server_close()
            thread.join(timeout=5)


def test_watch_previews_a_new_edition_as_a_draft_and_writes_nothing(mini, tmp_path, monkeypatch):
    """A new edition with one article: each empty section is an error, but the editor still sees the article."""
    monkeypatch.chdir(tmp_path)
    assert run_build("new-edition", "April 2020", "--content", "mini", cwd=tmp_path).returncode == 0
    assert run_build("new", "gs2", "Heat waves", "--content", "mini", cwd=tmp_path).returncode == 0
    board = preview.StatusBoard()
    root = tmp_path / "out" / "2020-04-april"
    builder = watch.Builder(mini / "2020-04-april", pipeline.Options(out_dir=tmp_path / "out"), board, root)
    assert builder.rebuild() is False
    now = board.current
    assert (now.ok, now.built) == (False, 1)
    assert tuple(map(without_codes, now.problems)) == ('mini/2020-04-april/edition.yaml:8: error: section \'gs1\' has no articles; '
                            'add one with: build.py new gs1 "Title"',)
    assert now.message.startswith("Draft: no article yet in gs1, so this preview leaves those sections out")
    assert (root / "preview" / "book" / "art-heat-waves.xhtml").is_file()
    assert sorted(p.name for p in root.iterdir()) == ["preview"]  # no PDF, EPUB or report for an incomplete edition


# --------------------------------------------------------------------------- watch, end to end in Chromium

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def status(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__status", timeout=5) as reply:
            return json.load(reply)
    except OSError:
        return None


def test_watch_preview_follows_edits_and_keeps_the_last_good_build(mini, tmp_path):
    browser_path = chromium_path()
    assert browser_path, "Chromium not found (apt-get install chromium, or run ./setup.sh)"
    port = free_port()
    log = (tmp_path / "watch.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY")}
    watch = subprocess.Popen([sys.executable, str(BUILD_PY), "watch", EDITION, "--out", "out", "--port", str(port),
                              "--no-open"], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=env)
    council = tmp_path / COUNCIL
    out = tmp_path / "out" / "mini-2020"
    try:
        wait_for(lambda: (status(port) or {}).get("built") == 1, 120, "the first build")
        with Chromium(tmp_path / "chromium-profile", browser_path) as browser:
            page = browser.open(f"http://127.0.0.1:{port}/preview/book/art-council-reform.xhtml")
            wait_for(lambda: "publishes its budget every quarter" in page.text(), 30, "the article in the preview")
            assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Serif"')

            # A mini build takes about 3 s; the bound leaves room for a loaded CI machine.
            edit(council, "publishes its budget every quarter", "publishes its budget every single month")
            wait_for(lambda: "publishes its budget every single month" in page.text(), 20,
                     "the preview to reload with the edit")
            good = {p.name: p.read_bytes() for p in (out / "mini-press-mini-2020.pdf",
                                                      out / "mini-press-mini-2020.epub")}
            # Not necessarily 2: a save in templates/ or styles/ also rebuilds, and that is right.
            shown = status(port)["built"]

            edit(council, 'title: "Reforming the town council"', 'titel: "Reforming the town council"')
            expected = [f"{COUNCIL}:2: error: missing required key 'title'",
                        f"{COUNCIL}:2: error: unknown key 'titel' (did you mean 'title'?)"]
            wait_for(lambda: all(line in page.text() for line in expected), 30, "the error on the preview page")
            assert "publishes its budget every single month" in page.text()  # the last good build stays
            now = status(port)
            assert (now["ok"], now["built"], [without_codes(p) for p in now["problems"]]) == (False, shown, expected)
            assert {name: (out / name).read_bytes() for name in good} == good
    finally:
        if watch.poll() is None:
            watch.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            code = watch.wait(timeout=20)
        except subprocess.TimeoutExpired:
            watch.kill()
            watch.wait(timeout=10)
            code = None
        log.close()
    transcript = (tmp_path / "watch.log").read_text(encoding="utf-8")
    assert code == 0, transcript
    assert transcript.splitlines()[-1].endswith("] stopped"), transcript
    for line in expected:
        assert line in transcript
