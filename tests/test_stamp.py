"""Personalised copies: `build.py stamp` and `build.py trace`, run as a user runs them.

The mini edition is stamped once for a roster with good rows (Latin and
Devanagari names) and hostile ones; the copies are then read back with poppler,
qpdf and pikepdf.  Expectations come from the roster written here, not from the
code under test.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from conftest import BUILD_PY, ROOT, copy_fixture
from helpers import MM, drawn_glyphs, pdf_words

SECRET = "test-secret-for-pressroom-copies"
SLUG = "mini-2020"
MASTER = "mini-press-mini-2020.pdf"
COPY_ID = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")
LONG_NAME = "Ananya " + "Lakshmi " * 15 + "Sharma"  # 133 characters
GOOD = {
    "S001": ("Ananya Sharma", "ananya.sharma@example.com"),
    "S002": ("क्षितिज त्रिपाठी", "kshitij@example.in"),
    "S003": ("Sharma, Rohan", "rohan@example.com"),
    "S007": ("श्रीमती ऋद्धि शर्मा", "riddhi@example.org"),
}
ROSTER = (
    "\ufeffstudent_id,name,email,batch\n"
    "S001,Ananya Sharma,ananya.sharma@example.com,Morning\n"
    "S002,क्षितिज त्रिपाठी,kshitij@example.in,Evening\n"
    '"S003","Sharma, Rohan",rohan@example.com,\n'
    "../x,Evil,evil@example.com,\n"
    "a/b,Slash,slash@example.com,\n"
    "a\\b,Backslash,backslash@example.com,\n"
    "ta\tb,Tab,tab@example.com,\n"
    ".hidden,Dot,dot@example.com,\n"
    ",No Id,noid@example.com,\n"
    "S004,,noname@example.com,\n"
    "S001,Again,again@example.com,\n"
    f"S005,{LONG_NAME},long@example.com,\n"
    "S006,Bad Mail,not-an-email,\n"
    "S007,श्रीमती ऋद्धि शर्मा,riddhi@example.org,\n"
    "s001,Case Twin,case@example.com,\n"
    "S008,Tamil த,tamil@example.com,\n"
)
BAD = [
    "students.csv:5: error: student_id '../x' is not safe as a file name: it contains '/'",
    "students.csv:6: error: student_id 'a/b' is not safe as a file name: it contains '/'",
    "students.csv:7: error: student_id 'a\\\\b' is not safe as a file name: it contains '\\'",
    "students.csv:8: error: student_id 'ta\\tb' is not safe as a file name: it contains a control character (U+0009)",
    "students.csv:9: error: student_id '.hidden' is not safe as a file name: it starts with '.'",
    "students.csv:10: error: missing student_id",
    "students.csv:11: error: missing name",
    "students.csv:12: error: duplicate student_id 'S001' (first on line 2)",
    "students.csv:13: error: name is 133 characters long; the limit is 120",
    "students.csv:14: error: malformed email 'not-an-email'",
    "students.csv:16: error: duplicate student_id 's001' (first on line 2)",
    "students.csv:17: error: name 'Tamil த' has a character the shipped fonts cannot print: 'த' "
    "(U+0BA4 TAMIL LETTER TA)",
]


def run_cli(*args, cwd: Path, secret: str | None = SECRET, extra_env: dict | None = None, **kw):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRESSROOM_SECRET")}
    if secret is not None:
        env["PRESSROOM_SECRET"] = secret
    env.update(extra_env or {})
    return subprocess.run([sys.executable, str(BUILD_PY), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


@dataclass(frozen=True)
class Stamped:
    base: Path
    content: Path
    out: Path
    roster: Path
    result: subprocess.CompletedProcess

    @property
    def copies(self) -> Path:
        return self.out / SLUG / "copies"

    @property
    def master(self) -> Path:
        return self.out / SLUG / MASTER

    def ledger(self, name: str = "ledger.csv") -> list[dict]:
        with (self.copies / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def stamp(self, *more, out: Path | None = None, roster: Path | None = None, **kw):
        return run_cli("stamp", self.content / SLUG, "--roster", roster or self.roster, "--out", out or self.out,
                       *more, cwd=self.base, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_master(stamped: Stamped, out: Path) -> Path:
    """A second output folder holding the same master (and its input record), so it is not rebuilt."""
    (out / SLUG).mkdir(parents=True)
    for name in (MASTER, MASTER + ".inputs.json"):
        shutil.copy2(stamped.out / SLUG / name, out / SLUG / name)
    return out


@pytest.fixture(scope="module")
def stamped(tmp_path_factory) -> Stamped:
    base = tmp_path_factory.mktemp("stamp")
    content = copy_fixture("mini", base)
    roster = base / "students.csv"
    roster.write_bytes(ROSTER.encode("utf-8"))
    result = run_cli("stamp", content / SLUG, "--roster", roster.name, "--out", "out", cwd=base)
    return Stamped(base, content, base / "out", roster, result)


# --------------------------------------------------------------------------- rows and ledger


def test_every_good_row_gets_a_copy_and_bad_rows_exit_1(stamped):
    assert stamped.result.returncode == 1, stamped.result.stderr
    assert sorted(p.stem for p in stamped.copies.glob("*.pdf")) == sorted(GOOD)
    assert [r["student_id"] for r in stamped.ledger()] == list(GOOD)  # roster order
    assert "4 copies (4 stamped, 0 unchanged)" in stamped.result.stdout


def test_bad_rows_are_reported_at_their_line(stamped):
    errors = [line for line in stamped.result.stderr.splitlines() if ": error: " in line]
    assert errors == BAD
    assert stamped.result.stderr.splitlines()[-1] == "students.csv: 12 error(s); those rows were not stamped"


def test_hostile_ids_write_nothing_outside_the_copies_folder(stamped):
    assert sorted(p.name for p in stamped.copies.iterdir()) == sorted(
        [".ledger.state.json", "ledger.csv"] + [f"{sid}.pdf" for sid in GOOD])
    pdfs = [p for p in stamped.base.rglob("*.pdf") if p.parent != stamped.copies and ".cache" not in p.parts]
    assert pdfs == [stamped.master]


def test_ledger_rows_match_the_files(stamped):
    pages = len(pikepdf.open(stamped.master).pages)
    ids = set()
    for row in stamped.ledger():
        path = stamped.copies / f"{row['student_id']}.pdf"
        assert (row["name"], row["email"]) == GOOD[row["student_id"]]
        assert row["sha256"] == sha256(path)
        assert int(row["bytes"]) == path.stat().st_size
        assert int(row["pages"]) == pages == len(pikepdf.open(path).pages)
        assert COPY_ID.match(row["copy_id"])
        ids.add(row["copy_id"])
    assert len(ids) == len(GOOD)


# --------------------------------------------------------------------------- what each copy shows


def licence_line(sid: str, copy_id: str) -> str:
    name, email = GOOD[sid]
    return f"Licensed to {name} · {sid} · {email} — not for redistribution · copy {copy_id}"


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [unicodedata.normalize("NFC", " ".join(p.split())) for p in out.split("\f")[:-1]]


def test_every_page_carries_its_students_line(stamped):
    for row in stamped.ledger():
        line = licence_line(row["student_id"], row["copy_id"])
        texts = page_texts(stamped.copies / f"{row['student_id']}.pdf")
        assert texts and all(line in text for text in texts), row["student_id"]
        for other in GOOD.keys() - {row["student_id"]}:
            assert all(GOOD[other][1] not in text for text in texts)


def test_devanagari_name_reads_back_and_is_drawn_with_real_glyphs(stamped):
    copy = stamped.copies / "S002.pdf"
    assert any("क्षितिज त्रिपाठी" in text for text in page_texts(copy))
    uses = {u.name: u for u in drawn_glyphs(copy).values()}
    deva = [u for name, u in uses.items() if name == "NotoSansDevanagari-Regular"]
    assert deva, sorted(uses)
    font = TTFont(ROOT / "styles/fonts/NotoSansDevanagari-Regular.ttf")
    space = font.getGlyphID(font.getBestCmap()[32])
    for use in deva:
        drawn = set(use.drawn)
        assert 0 not in drawn, ".notdef drawn"
        assert drawn & use.empty <= {space}, "glyphs without outlines drawn"
        assert len(drawn - {space}) >= 8


def test_the_line_sits_in_the_bottom_margin_clear_of_the_page_text(stamped):
    master_pages = pdf_words(stamped.master)
    copy_pages = pdf_words(stamped.copies / "S007.pdf")
    for number, (master, copy) in enumerate(zip(master_pages, copy_pages), 1):
        original = {(w.text, round(w.x0, 1), round(w.y0, 1)) for w in master.words}
        added = [w for w in copy.words if (w.text, round(w.x0, 1), round(w.y0, 1)) not in original]
        assert added, f"page {number}: no stamp"
        for w in added:
            assert copy.height - 8.5 * MM <= w.y0 and w.y1 <= copy.height - 3.5 * MM, (number, w)
            assert 0 <= w.x0 and w.x1 <= copy.width
        top = min(w.y0 for w in added)
        assert all(w.y1 < top for w in master.words), f"page {number}: master text in the stamp's band"


def test_copies_keep_outline_links_fonts_and_tags(stamped):
    def summary(path: Path):
        with pikepdf.open(path) as pdf:
            with pdf.open_outline() as outline:
                titles = [(item.title, len(item.children)) for item in outline.root]
            links = [[(str(a.get("/Subtype")), repr(a.get("/Dest")), repr(a.get("/A")))
                      for a in page.get("/Annots", [])] for page in pdf.pages]
            fonts = sorted({str(f.get("/BaseFont")) for page in pdf.pages
                            for f in page.Resources.get("/Font", {}).values()})
            tags = (bool(pdf.Root.MarkInfo.Marked), str(pdf.Root.get("/Lang")),
                    len(pdf.Root.StructTreeRoot.ParentTree.Nums))
            return titles, links, fonts, tags
    master = summary(stamped.master)
    assert master[0] and any(master[1])
    for copy in stamped.copies.glob("*.pdf"):
        assert summary(copy) == master


def test_the_stamp_is_an_artifact_drawn_after_the_page(stamped):
    with pikepdf.open(stamped.copies / "S001.pdf") as pdf:
        for page in pdf.pages:
            streams = list(page.obj.Contents)
            assert streams[0].read_bytes().strip() == b"q"
            last = streams[-1].read_bytes()
            assert last.startswith(b"Q\nq\n") and b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC" in last
            assert last.rstrip().endswith(b"Q")


def test_qpdf_check_is_clean(stamped):
    for copy in stamped.copies.glob("*.pdf"):
        result = subprocess.run(["qpdf", "--check", str(copy)], capture_output=True, text=True)
        assert result.returncode == 0 and "WARNING" not in result.stdout + result.stderr, result.stdout


def test_copy_id_is_in_document_id_info_and_xmp(stamped):
    with pikepdf.open(stamped.master) as master:
        title = str(master.docinfo["/Title"])
        master_dates = set(re.findall(rb"\d{4}-\d\d-\d\dT[\d:+-]+", master.Root.Metadata.read_bytes()))
    for row in stamped.ledger():
        with pikepdf.open(stamped.copies / f"{row['student_id']}.pdf") as pdf:
            first, second = (bytes(x) for x in pdf.trailer.ID)
            assert first == second and len(first) == 16
            assert str(pdf.docinfo["/CopyID"]) == row["copy_id"]
            assert str(pdf.docinfo["/Title"]) == title
            meta = pdf.open_metadata()
            assert meta["pdfx:CopyID"] == row["copy_id"]
            assert meta["dc:rights"] == licence_line(row["student_id"], row["copy_id"])
            dates = set(re.findall(rb"\d{4}-\d\d-\d\dT[\d:+-]+", pdf.Root.Metadata.read_bytes()))
            assert dates == master_dates  # none from the clock


# --------------------------------------------------------------------------- determinism, resume, shards


def test_copies_are_byte_identical_across_runs_and_worker_counts(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "again")
    result = stamped.stamp("--jobs", "1", out=out)
    assert result.returncode == 1, result.stderr
    for copy in stamped.copies.glob("*.pdf"):
        assert (out / SLUG / "copies" / copy.name).read_bytes() == copy.read_bytes(), copy.name


def test_a_rerun_skips_matching_copies_and_redoes_changed_ones(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "resume")
    assert stamped.stamp(out=out).returncode == 1
    copies = out / SLUG / "copies"
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies.glob("*.pdf")}
    again = stamped.stamp(out=out)
    assert "4 copies (0 stamped, 4 unchanged)" in again.stdout, again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in copies.glob("*.pdf")} == {k: v[0] for k, v in before.items()}
    (copies / "S001.pdf").unlink()
    (copies / "S002.pdf").write_bytes(b"%PDF-1.7 tampered")
    third = stamped.stamp(out=out)
    assert "4 copies (2 stamped, 2 unchanged)" in third.stdout, third.stdout
    assert {p.name: p.read_bytes() for p in copies.glob("*.pdf")} == {k: v[1] for k, v in before.items()}


def test_a_changed_roster_row_is_restamped(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "renamed")
    assert stamped.stamp(out=out).returncode == 1
    roster = tmp_path / "students.csv"
    roster.write_text(ROSTER.replace("Ananya Sharma,", "Ananya S. Sharma,"), encoding="utf-8")
    result = stamped.stamp(out=out, roster=roster)
    assert "4 copies (1 stamped, 3 unchanged)" in result.stdout, result.stdout
    assert any("Licensed to Ananya S. Sharma · S001" in t for t in page_texts(out / SLUG / "copies/S001.pdf"))


def test_a_changed_master_restamps_every_copy(stamped, tmp_path):
    base = tmp_path / "changed"
    content = copy_fixture("mini", base)
    roster = base / "students.csv"
    roster.write_text("student_id,name,email\nS1,Asha Rao,asha@example.com\nS2,हर्ष कुमार,harsh@example.com\n",
                      encoding="utf-8")
    first = run_cli("stamp", content / SLUG, "--roster", roster, "--out", base / "out", cwd=base)
    assert first.returncode == 0 and "built the master" in first.stdout, first.stderr
    article = next((content / SLUG).glob("gs1/*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    second = run_cli("stamp", content / SLUG, "--roster", roster, "--out", base / "out", cwd=base)
    assert second.returncode == 0 and "built the master" in second.stdout
    assert "2 copies (2 stamped, 0 unchanged)" in second.stdout, second.stdout


def test_shards_partition_the_roster_and_their_ledgers_concatenate(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "shards")
    for k in (1, 2, 3):
        assert stamped.stamp("--shard", f"{k}/3", out=out).returncode == 1
    copies = out / SLUG / "copies"
    shares = [{r["student_id"] for r in csv.DictReader((copies / f"ledger-{k}-of-3.csv").open(encoding="utf-8"))}
              for k in (1, 2, 3)]
    assert sum(map(len, shares)) == len(GOOD) and set().union(*shares) == set(GOOD)
    for copy in stamped.copies.glob("*.pdf"):
        assert (copies / copy.name).read_bytes() == copy.read_bytes()
    combined = tmp_path / "ledger.csv"
    combined.write_bytes(b"".join((copies / f"ledger-{k}-of-3.csv").read_bytes() for k in (1, 2, 3)))
    found = run_cli("trace", copies / "S007.pdf", "--ledger", combined, cwd=tmp_path)
    assert found.returncode == 0 and "S007" in found.stdout


def test_bad_shard_and_missing_secret_are_usage_errors(stamped, tmp_path):
    bad = stamped.stamp("--shard", "4/3")
    assert bad.returncode == 2 and "K must be between 1 and N" in bad.stderr
    home = tmp_path / "home"
    home.mkdir()
    nosecret = stamped.stamp(secret=None, extra_env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})
    assert nosecret.returncode == 2
    assert "no secret for copy ids: set PRESSROOM_SECRET" in nosecret.stderr
    (home / "key").write_text(SECRET + "\n")
    out = with_master(stamped, tmp_path / "keyfile")
    from_file = stamped.stamp("--secret-file", home / "key", out=out, secret=None)
    assert from_file.returncode == 1
    assert (out / SLUG / "copies/S001.pdf").read_bytes() == (stamped.copies / "S001.pdf").read_bytes()


@pytest.mark.parametrize("how", ["SIGKILL to every process", "SIGTERM to the main process"])
def test_a_killed_run_leaves_no_truncated_copy_and_the_next_run_completes(stamped, tmp_path, how):
    out = with_master(stamped, tmp_path / "killed")
    roster = tmp_path / "many.csv"
    roster.write_text("student_id,name,email\n" + "".join(f"K{i:04d},Student {i},k{i}@example.com\n"
                                                           for i in range(600)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PRESSROOM_SECRET": SECRET}
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "stamp", stamped.content / SLUG, "--roster", roster,
                                "--out", out, "--jobs", "2"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    copies = out / SLUG / "copies"
    deadline = time.monotonic() + 60
    while len(list(copies.glob("*.pdf"))) < 40 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    if how.startswith("SIGKILL"):
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-f", str(roster)], capture_output=True, text=True).stdout.split()
    assert not left, f"workers left running: {left}"
    partial = list(copies.glob("*.pdf"))
    assert 0 < len(partial) < 600, "the run was not interrupted half way"
    for copy in partial:
        with pikepdf.open(copy) as pdf:
            assert len(pdf.pages) > 0
    for row in csv.DictReader((copies / "ledger.csv").open(encoding="utf-8")):
        assert sha256(copies / f"{row['student_id']}.pdf") == row["sha256"]
    result = run_cli("stamp", stamped.content / SLUG, "--roster", roster, "--out", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader((copies / "ledger.csv").open(encoding="utf-8")))
    assert len(rows) == 600 and all(sha256(copies / f"{r['student_id']}.pdf") == r["sha256"] for r in rows)
    assert not list(copies.glob(".*.tmp"))


def test_a_row_that_cannot_be_stamped_is_reported_and_the_others_go_on(stamped, tmp_path, monkeypatch, capsys):
    from pressroom import cli, overlay

    out = with_master(stamped, tmp_path / "failing")
    real = overlay.render

    def render(template, fonts, licence):
        if "S002" in licence.licensee:
            raise ValueError("no glyphs")
        return real(template, fonts, licence)

    monkeypatch.setattr(overlay, "render", render)
    monkeypatch.setenv("PRESSROOM_SECRET", SECRET)
    monkeypatch.chdir(stamped.base)
    code = cli.main(["stamp", str(stamped.content / SLUG), "--roster", "students.csv", "--out", str(out),
                     "--jobs", "1"])
    assert code == 1
    assert "students.csv:3: error: could not stamp this row: ValueError: no glyphs" in capsys.readouterr().err
    assert sorted(p.stem for p in (out / SLUG / "copies").glob("*.pdf")) == sorted(set(GOOD) - {"S002"})


# --------------------------------------------------------------------------- trace


def trace(stamped: Stamped, suspect: Path):
    return run_cli("trace", suspect, "--ledger", stamped.copies / "ledger.csv", cwd=stamped.base, secret=None)


def evidence(output: str) -> dict[str, bool]:
    return {m[1]: m[2] == "matched" for m in re.finditer(r"^  (sha256|document ID|metadata|visible line):\s+"
                                                          r"(matched|no match)", output, re.M)}


def test_trace_finds_an_untouched_copy_by_every_evidence(stamped):
    result = trace(stamped, stamped.copies / "S002.pdf")
    assert result.returncode == 0
    assert "the copy of S002 क्षितिज त्रिपाठी <kshitij@example.in>" in result.stdout
    assert evidence(result.stdout) == dict.fromkeys(("sha256", "document ID", "metadata", "visible line"), True)


def test_trace_finds_a_resaved_copy_by_its_document_id_and_metadata(stamped, tmp_path):
    suspect = tmp_path / "resaved.pdf"
    with pikepdf.open(stamped.copies / "S001.pdf") as pdf:
        pdf.save(suspect)
    result = trace(stamped, suspect)
    assert result.returncode == 0 and "the copy of S001" in result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": True, "metadata": True,
                                       "visible line": True}


def test_trace_finds_a_copy_by_its_metadata_alone(stamped, tmp_path):
    suspect = tmp_path / "noid.pdf"
    with pikepdf.open(stamped.copies / "S003.pdf") as pdf:
        for page in pdf.pages:
            page.obj.Contents = pikepdf.Array(list(page.obj.Contents)[1:-1])
        del pdf.trailer["/ID"]
        pdf.save(suspect, static_id=True)
    result = trace(stamped, suspect)
    assert result.returncode == 0 and "the copy of S003" in result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": True,
                                       "visible line": False}


def test_trace_finds_a_stripped_copy_by_its_visible_line(stamped, tmp_path):
    suspect = tmp_path / "stripped.pdf"
    with pikepdf.open(stamped.copies / "S007.pdf") as pdf:
        del pdf.trailer["/Info"]
        del pdf.trailer["/ID"]
        del pdf.Root["/Metadata"]
        pdf.save(suspect, static_id=True)
    with pikepdf.open(suspect) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert bytes(pdf.trailer.ID[0]) != bytes(pikepdf.open(stamped.copies / "S007.pdf").trailer.ID[0])
    result = trace(stamped, suspect)
    assert result.returncode == 0 and "the copy of S007 श्रीमती ऋद्धि शर्मा" in result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": False,
                                       "visible line": True}
    assert re.search(r"visible line: matched: copy id \S+ on (\d+) of \1 pages", result.stdout)


def test_trace_of_the_master_finds_nobody(stamped):
    result = trace(stamped, stamped.master)
    assert result.returncode == 1 and "no match in the ledgers" in result.stdout
    assert trace(stamped, stamped.base / "nope.pdf").returncode == 2


# --------------------------------------------------------------------------- a Hindi edition

HINDI = {
    "S002": ("क्षितिज त्रिपाठी", "kshitij@example.in"),
    "S003": ("Rohan Sharma", "rohan@example.com"),
}


def hindi_line(sid: str, copy_id: str) -> str:
    name, email = HINDI[sid]
    return f"{name} · {sid} · {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति {copy_id}"


@pytest.fixture(scope="module")
def stamped_hi(tmp_path_factory) -> Stamped:
    """The mini edition made a Hindi one (`language: hi`), stamped for a Devanagari and a Latin name."""
    base = tmp_path_factory.mktemp("stamp-hi")
    content = copy_fixture("mini", base)
    edition = content / SLUG / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    assert 'language: "en"' in text
    edition.write_text(text.replace('language: "en"', 'language: "hi"'), encoding="utf-8")
    roster = base / "students.csv"
    roster.write_text("student_id,name,email\n" + "".join(f"{sid},{name},{email}\n"
                                                          for sid, (name, email) in HINDI.items()), encoding="utf-8")
    result = run_cli("stamp", content / SLUG, "--roster", roster.name, "--out", "out", cwd=base)
    return Stamped(base, content, base / "out", roster, result)


def test_a_hindi_editions_copies_carry_the_licence_line_in_hindi(stamped_hi):
    assert stamped_hi.result.returncode == 0, stamped_hi.result.stderr
    rows = {row["student_id"]: row for row in stamped_hi.ledger()}
    assert sorted(rows) == sorted(HINDI)
    line = hindi_line("S002", rows["S002"]["copy_id"])
    assert line == ("क्षितिज त्रिपाठी · S002 · kshitij@example.in को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति "
                    + rows["S002"]["copy_id"])
    for sid, row in rows.items():
        copy = stamped_hi.copies / f"{sid}.pdf"
        texts = page_texts(copy)
        assert texts and all(hindi_line(sid, row["copy_id"]) in text for text in texts), sid
        assert not any("Licensed to" in text or "redistribution" in text for text in texts)
        with pikepdf.open(copy) as pdf:
            assert pdf.open_metadata()["dc:rights"] == hindi_line(sid, row["copy_id"])


def test_the_hindi_wording_is_shaped_with_the_devanagari_font(stamped_hi):
    """Rohan's name is Latin: every Devanagari glyph in his stamp is the wording's, conjuncts included."""
    copy = stamped_hi.copies / "S003.pdf"
    with pikepdf.open(copy) as pdf:
        form = next(v for k, v in pdf.pages[0].Resources.XObject.items() if k.startswith("/PRLine"))
        deva = form.Resources.Font.PRD.objgen
    use = drawn_glyphs(copy)[deva]
    font = TTFont(ROOT / "styles/fonts/NotoSansDevanagari-Regular.ttf")
    space = font.getGlyphID(font.getBestCmap()[32])
    mapped = {font.getGlyphID(name) for name in font.getBestCmap().values()}
    drawn = set(use.drawn)
    assert 0 not in drawn, ".notdef drawn"
    # The font's reph-with-i-matra ligature in वर्जित leaves an empty, zero-width mark where the reph was.
    blank = {gid for gid in drawn & use.empty if gid != space}
    assert all(font["hmtx"][font.getGlyphName(gid)][0] == 0 for gid in blank), "blank glyphs that take space"
    assert {font.getGlyphName(gid) for gid in drawn - mapped} >= {"ivowelsignreph07deva", "tatadeva"}, \
        "no conjuncts: the wording was not shaped"


def black_out_copy_id(pdf: pikepdf.Pdf) -> None:
    """Drop the text after the licence line's last font change: the copy id, its last Latin run."""
    form = next(v for k, v in pdf.pages[0].Resources.XObject.items() if k.startswith("/PRLine"))
    ops = list(pikepdf.parse_content_stream(form))
    last = max(i for i, (_, op) in enumerate(ops) if str(op) == "Tf")
    assert ops[last][0][0] == pikepdf.Name("/PRL")
    form.write(pikepdf.unparse_content_stream([(operands, op) for i, (operands, op) in enumerate(ops)
                                               if i <= last or str(op) != "TJ"]))


def test_trace_finds_a_stripped_hindi_copy_by_its_licence_line(stamped_hi, tmp_path):
    suspect = tmp_path / "stripped-hi.pdf"
    with pikepdf.open(stamped_hi.copies / "S002.pdf") as pdf:
        del pdf.trailer["/Info"]
        del pdf.trailer["/ID"]
        del pdf.Root["/Metadata"]
        black_out_copy_id(pdf)
        pdf.save(suspect, static_id=True)
    texts = page_texts(suspect)
    name, email = HINDI["S002"]
    assert all(f"{name} · S002 · {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति" in t for t in texts)
    assert not any(re.search(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", t) for t in texts)
    result = trace(stamped_hi, suspect)
    assert result.returncode == 0 and f"the copy of S002 {name} <{email}>" in result.stdout, result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": False,
                                       "visible line": True}
    assert re.search(rf"visible line: matched: licence line of S002 · {re.escape(email)} on (\d+) of \1 pages",
                     result.stdout), result.stdout


# --------------------------------------------------------------------------- units: roster, ids, layout


def read(tmp_path: Path, data: bytes):
    from pressroom import roster
    from pressroom.problems import ContentError

    path = tmp_path / "students.csv"
    path.write_bytes(data)
    try:
        return [str(item) if not isinstance(item, roster.Student) else item for item in
                roster.read_roster(path, lambda text: None)]
    except ContentError as exc:
        return [str(p) for p in exc.problems]


def test_roster_header_problems_stop_at_line_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert read(tmp_path, b"student_id,name,mail,phone\nS1,A,a@example.com,1\n") == [
        "students.csv:1: error: missing column 'email'; the header must be student_id,name,email "
        "(and optionally batch)",
        "students.csv:1: error: unknown column 'mail' (did you mean 'email'?); the columns are student_id, name, "
        "email and optionally batch",
        "students.csv:1: error: unknown column 'phone'; the columns are student_id, name, email and optionally batch"]
    assert read(tmp_path, b"student_id;name;email\n") == [
        "students.csv:1: error: columns are separated by ';'; save the roster as CSV with commas "
        "(header: student_id,name,email[,batch])"]
    assert read(tmp_path, b"") == ["students.csv:1: error: the roster is empty; its first line must be the "
                                   "header student_id,name,email (and optionally batch)"]
    assert read(tmp_path, "student_id,näme,email\n".encode("latin-1")) == [
        "students.csv:1: error: not UTF-8 text; save the roster as 'CSV UTF-8 (Comma delimited)'"]


def test_roster_rows_bom_quotes_and_bad_bytes(tmp_path, monkeypatch):
    from pressroom.roster import Student

    monkeypatch.chdir(tmp_path)
    rows = read(tmp_path, b"\xef\xbb\xbfStudent ID,Name,Email,Batch\r\n"
                          b"S1,\"Rao,  Asha \",asha@example.com,B1\r\n"
                          b"S2,Ren\xe9,rene@example.com,\r\n"
                          b"S3,\"Two\nLines\",two@example.com,\r\n"
                          b"\r\n"
                          b"S4,Four,four@example.com,x,extra\r\n"
                          b"S5,Five,five@example.com\r\n")
    assert rows == [Student(2, "S1", "Rao,  Asha", "asha@example.com", "B1"),
                    "students.csv:3: error: not UTF-8 text; save the roster as 'CSV UTF-8 (Comma delimited)'",
                    "students.csv:4: error: name contains a control character (U+000A)",
                    "students.csv:7: error: 5 values but the header has 4 columns (quote a value that contains a "
                    "comma)",
                    Student(8, "S5", "Five", "five@example.com", "")]


@pytest.mark.parametrize("student_id, why", [
    ("../x", "contains '/'"), ("/", "contains '/'"), ("a\\b", "contains '\\'"), ("C:x", "contains ':'"),
    ("x\x00", "contains a control character (U+0000)"), ("x\u200bz", "contains a control character (U+200B)"),
    (".x", "starts with '.'"), ("..", "starts with '.'"), ("x.", "ends with a space or '.'"),
    ("CON", "is a reserved device name on Windows"), ("nul.txt", "is a reserved device name on Windows"),
    ("x" * 65, "is 65 characters long; the limit is 64")])
def test_unsafe_student_ids(student_id, why):
    from pressroom.roster import id_problem

    assert id_problem(student_id) == why


@pytest.mark.parametrize("email, ok", [
    ("a@example.com", True), ("first.last+tag@sub.example.co.in", True), ("a@b", False), ("a@@b.com", False),
    ("a b@example.com", False), (".a@example.com", False), ("a..b@example.com", False), ("a@-x.com", False),
    ("a@example.c", False), ("@example.com", False)])
def test_email_shapes(email, ok):
    from pressroom.roster import EMAIL

    assert bool(EMAIL.match(email)) is ok


def test_copy_ids_are_keyed_by_secret_edition_and_student():
    from pressroom import ledger

    ids = {ledger.copy_id(ledger.copy_digest(secret, edition, sid))
           for secret in (b"one", b"two") for edition in ("e1", "e2") for sid in ("S1", "S2")}
    assert len(ids) == 8
    digest = ledger.copy_digest(b"one", "e1", "S1")
    assert ledger.copy_id(digest) == ledger.copy_id(ledger.copy_digest(b"one", "e1", "S1"))
    assert ledger.copy_id_of_document_id(ledger.document_id(digest)) == ledger.copy_id(digest)


def test_shards_are_a_partition():
    from pressroom.stamp import in_shard

    ids = [f"S{i}" for i in range(300)]
    shares = [[i for i in ids if in_shard(i, (k, 4))] for k in range(1, 5)]
    assert sorted(sum(shares, [])) == sorted(ids) and all(50 < len(s) < 100 for s in shares)
    assert in_shard("Abc", (2, 3)) == in_shard("aBC", (2, 3))  # case twins land together


@pytest.fixture(scope="module")
def fonts():
    from pressroom.stamp import load_fonts

    return load_fonts()


def render_one(master: Path, out: Path, fonts, name: str, email: str, watermark: bool,
               language: str = "en") -> Path:
    from pressroom import ledger, overlay
    from pressroom.roster import Student
    from pressroom.stamp import licence, wording

    template = overlay.prepare(master.read_bytes(), watermark)
    digest = ledger.copy_digest(b"k", SLUG, "S9")
    lic = licence(Student(2, "S9", name, email), ledger.copy_id(digest), ledger.document_id(digest), fonts,
                  template.line_width, wording(language))
    out.write_bytes(overlay.render(template, fonts, lic))
    return out


def test_a_line_too_long_for_one_line_is_set_in_two_inside_the_band(stamped, tmp_path, fonts):
    email = "a.very.long.address." + "x" * 60 + "@example.com"
    copy = render_one(stamped.master, tmp_path / "long.pdf", fonts, "अनन्या " + "Lakshmi " * 13, email, False)
    texts = page_texts(copy)
    assert all(f"Licensed to अनन्या {'Lakshmi ' * 12}Lakshmi · S9" in t and f"{email} — not for redistribution"
               in t for t in texts)
    for page in pdf_words(copy)[:2]:
        stamp = [w for w in page.words if w.y0 > page.height - 9 * MM]
        assert stamp and all(page.height - 8.5 * MM <= w.y0 and w.y1 <= page.height - 3 * MM for w in stamp)
        assert all(0 < w.x0 and w.x1 < page.width for w in stamp)


def test_the_diagonal_watermark_is_a_faint_artifact_across_the_page(stamped, tmp_path, fonts):
    from pressroom import schema

    assert schema.Brand(name="X", watermark={"diagonal": True}).watermark.diagonal
    copy = render_one(stamped.master, tmp_path / "mark.pdf", fonts, "हर्ष कुमार", "h@example.com", True)
    result = subprocess.run(["qpdf", "--check", str(copy)], capture_output=True, text=True)
    assert result.returncode == 0 and "WARNING" not in result.stdout
    with pikepdf.open(copy) as pdf:
        for page in pdf.pages:
            overlay_ops = list(page.obj.Contents)[-1].read_bytes()
            assert b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC" in overlay_ops
            mark = page.Resources.XObject.PRMark
            assert float(mark.Resources.ExtGState.PRGS.ca) <= 0.1
    page = pdf_words(copy)[2]
    middle = [w for w in page.words if page.height * 0.2 < w.y0 < page.height * 0.8 and w.text in ("हर्ष", "कुमार")]
    assert middle, "no watermark in the middle of the page"


def test_a_name_prints_and_reads_back_exactly_as_written(stamped, tmp_path, fonts):
    name = "\u095eातिमा \u0958ुरैशी"  # फ़ and क़ precomposed, which NFC would decompose
    copy = render_one(stamped.master, tmp_path / "as-written.pdf", fonts, name, "f@example.com", False)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(copy), "-"], check=True,
                         capture_output=True, text=True).stdout
    assert f"Licensed to {name} · S9 · f@example.com" in out


def test_empty_columns_at_the_right_and_joiners_in_names_are_fine(tmp_path, monkeypatch):
    from pressroom.roster import Student

    monkeypatch.chdir(tmp_path)
    rows = read(tmp_path, "student_id,name,email,,\nS1,क्\u200dष अर्\u200cजुन,s1@example.com,,\n"
                          "S2,Bidi \u202eeman,s2@example.com\n".encode("utf-8"))
    assert rows == [Student(2, "S1", "क्\u200dष अर्\u200cजुन", "s1@example.com"),
                    "students.csv:3: error: name contains a control character (U+202E)"]


def test_the_longest_name_allowed_still_fits_on_one_line(fonts):
    from pressroom import overlay
    from pressroom.roster import MAX_NAME, Student
    from pressroom.stamp import licence, wording

    name = ("Venkata Lakshmi Narasimha " * 5)[:MAX_NAME]
    lic = licence(Student(2, "S2020-00042", name, "venkata.narasimha@example.co.in"), "ABCD-EFGH-IJKL-MNOP",
                  b"0" * 16, fonts, 595.28 - 2 * overlay.SIDE_MARGIN, wording("en"))
    assert len(lic.lines) == 1


def test_the_licence_wording_falls_back_to_english_key_by_key(tmp_path, monkeypatch):
    from pressroom import compose, stamp
    from pressroom.problems import ContentError

    (tmp_path / "strings").mkdir()
    shutil.copy(ROOT / "templates/strings/en.yaml", tmp_path / "strings")
    xx = tmp_path / "strings/xx.yaml"
    xx.write_text('contents: X\nstamp:\n  line: "{name} / {student_id} / {email} / copy {copy_id}"\n',
                  encoding="utf-8")
    monkeypatch.setattr(compose, "TEMPLATES", tmp_path)
    english = stamp.wording("en")
    assert english.line == "Licensed to {name} · {student_id} · {email} — not for redistribution · copy {copy_id}"
    assert stamp.wording("xx") == stamp.Wording("{name} / {student_id} / {email} / copy {copy_id}",
                                                english.first, english.second)
    assert stamp.wording("mr") == english  # no strings file at all
    xx.write_text('stamp:\n  line: "{name} · {student_id} · {email}"\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        stamp.wording("xx")
    assert str(caught.value) == (f"{xx}:2: error: stamp: line must use each of {{name}}, {{student_id}}, {{email}}, "
                                 "{copy_id} exactly once; found 'name', 'student_id', 'email'")


def test_a_long_hindi_line_is_set_in_two_and_trace_reads_both(stamped, tmp_path, fonts):
    from pressroom import trace

    email = "a.very.long.address." + "x" * 90 + "@example.com"
    name = "अनन्या " + "लक्ष्मीनारायण " * 7 + "शर्मा"
    copy = render_one(stamped.master, tmp_path / "long-hi.pdf", fonts, name, email, False, "hi")
    for text in page_texts(copy):
        assert f"{name} · S9 {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति" in text
        cut = re.sub(r"प्रति \S+", "प्रति", text)  # the copy id blacked out
        found = {(m["sid"], m["email"]) for pattern in trace.line_patterns() for m in pattern.finditer(cut)}
        assert found == {("S9", email)}
