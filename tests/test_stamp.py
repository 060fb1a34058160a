"""Personalised copies: `build.py stamp` and `build.py trace`, run as a user runs them.

The mini edition is stamped once for a roster with good rows (Latin and
Devanagari names) and hostile ones; the copies are then read back with poppler,
qpdf and pikepdf.  Expectations come from the roster written here, not from the
code under test.

The roster, the helpers and the fixtures live in stampkit.py; the Hindi edition is
tested in test_stamp_hindi.py and the units in test_stamp_units.py.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import BUILD_PY, ROOT, copy_fixture
from fontTools.ttLib import TTFont
from helpers import MM, drawn_glyphs, pdf_words
from stampkit import (
    BAD,
    BAD_ROSTER,
    COPY_ID,
    GOOD,
    ROSTER,
    SECRET,
    SLUG,
    evidence,
    grade,
    licence_line,
    page_texts,
    run_cli,
    sha256,
    strip_metadata,
    trace,
    with_master,
)

# --------------------------------------------------------------------------- rows and ledger


def test_every_row_gets_a_copy_in_the_copies_folder_outside_the_editions_output(stamped):
    assert stamped.result.returncode == 0, stamped.result.stderr
    assert sorted(p.stem for p in stamped.copies.glob("*.pdf")) == sorted(GOOD)
    assert [r["student_id"] for r in stamped.ledger()] == list(GOOD)  # roster order
    assert "4 copies (4 stamped, 0 unchanged)" in stamped.result.stdout
    # The copies and their ledger are not in <out>/<slug>/, the folder `watch` previews.
    assert stamped.copies == stamped.out / "copies" / SLUG
    assert sorted(p.name for p in stamped.copies.iterdir()) == sorted(
        [".ledger.csv.lock", "ledger.csv"] + [f"{sid}.pdf" for sid in GOOD])
    pdfs = [p for p in stamped.base.rglob("*.pdf") if p.parent != stamped.copies and ".cache" not in p.parts]
    assert pdfs == [stamped.master]


def test_a_roster_with_bad_rows_stamps_nothing_and_reports_every_row_at_its_line(stamped, tmp_path):
    roster = tmp_path / "students.csv"
    roster.write_text(BAD_ROSTER, encoding="utf-8")
    result = run_cli("stamp", stamped.content / SLUG, "--roster", roster.name, "--out", "out", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == BAD
    assert result.stderr.splitlines()[-1] == f"students.csv: {len(BAD)} error(s); nothing was stamped"
    assert not (tmp_path / "out").exists(), "a roster with errors wrote something"
    assert not [p for p in stamped.base.rglob("*") if p.name in ("x.pdf", "b.pdf", "=1+1.pdf")]


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
    assert result.returncode == 0, result.stderr
    for copy in stamped.copies.glob("*.pdf"):
        assert (out / "copies" / SLUG / copy.name).read_bytes() == copy.read_bytes(), copy.name


def test_a_rerun_skips_matching_copies_and_redoes_changed_ones(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "resume")
    assert stamped.stamp(out=out).returncode == 0
    copies = out / "copies" / SLUG
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in copies.glob("*.pdf")}
    again = stamped.stamp(out=out)
    assert "4 copies (0 stamped, 4 unchanged)" in again.stdout, again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in copies.glob("*.pdf")} == {k: v[0] for k, v in before.items()}
    (copies / "S001.pdf").unlink()
    (copies / "S002.pdf").write_bytes(b"%PDF-1.7 tampered")
    ledger = (copies / "ledger.csv").read_bytes()
    third = stamped.stamp(out=out)
    assert "4 copies (2 stamped, 2 unchanged)" in third.stdout, third.stdout
    assert {p.name: p.read_bytes() for p in copies.glob("*.pdf")} == {k: v[1] for k, v in before.items()}
    assert (copies / "ledger.csv").read_bytes() == ledger  # the same copies again: no new row


def test_a_changed_roster_row_is_restamped_and_gets_a_new_ledger_row(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "renamed")
    assert stamped.stamp(out=out).returncode == 0
    ledger = out / "copies" / SLUG / "ledger.csv"
    before = ledger.read_bytes()
    roster = tmp_path / "students.csv"
    roster.write_text(ROSTER.replace("Ananya Sharma,", "Ananya S. Sharma,"), encoding="utf-8")
    result = stamped.stamp(out=out, roster=roster)
    assert "4 copies (1 stamped, 3 unchanged)" in result.stdout, result.stdout
    assert any("Licensed to Ananya S. Sharma · S001" in t for t in page_texts(out / "copies" / SLUG / "S001.pdf"))
    after = ledger.read_bytes()
    assert after.startswith(before)  # history: the first copy's row is kept as it was
    rows = list(csv.DictReader(after.decode("utf-8").splitlines()))
    assert [(r["student_id"], r["name"]) for r in rows] == [(sid, GOOD[sid][0]) for sid in GOOD] + [
        ("S001", "Ananya S. Sharma")]


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
    rows = list(csv.DictReader((base / "out" / "copies" / SLUG / "ledger.csv").open(encoding="utf-8")))
    assert [r["student_id"] for r in rows] == ["S1", "S2", "S1", "S2"]  # the first master's copies stay on record
    assert len({r["sha256"] for r in rows}) == 4


def test_shards_partition_the_roster_and_their_ledgers_concatenate(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "shards")
    for k in (1, 2, 3):
        assert stamped.stamp("--shard", f"{k}/3", out=out).returncode == 0
    copies = out / "copies" / SLUG
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
    assert from_file.returncode == 0
    assert (out / "copies" / SLUG / "S001.pdf").read_bytes() == (stamped.copies / "S001.pdf").read_bytes()


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
    copies = out / "copies" / SLUG
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
    assert sorted(p.name for p in copies.iterdir() if p.name.startswith(".")) == [".ledger.csv.lock"]


def test_a_row_that_cannot_be_stamped_is_reported_and_the_others_go_on(stamped, tmp_path, monkeypatch, capsys):
    from pressroom import cli
    from pressroom.copies import overlay

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
    assert sorted(p.stem for p in (out / "copies" / SLUG).glob("*.pdf")) == sorted(set(GOOD) - {"S002"})


# --------------------------------------------------------------------------- trace


def test_trace_verifies_an_untouched_copy_by_every_evidence(stamped):
    result = trace(stamped, stamped.copies / "S002.pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert grade(result.stdout) == ("verified", "S002")
    assert "verified: the copy of S002 क्षितिज त्रिपाठी <kshitij@example.in>" in result.stdout
    assert evidence(result.stdout) == dict.fromkeys(("sha256", "document ID", "metadata", "header", "visible line",
                                                     "page mark"), True)


def test_without_the_secret_an_untouched_copy_is_matched_by_its_hash_and_document_id(stamped):
    result = trace(stamped, stamped.copies / "S002.pdf", secret=None)
    assert result.returncode == 0 and grade(result.stdout) == ("matched", "S002"), result.stdout
    assert "no secret" in result.stdout


def test_trace_verifies_a_resaved_copy_by_its_document_id_metadata_line_and_mark(stamped, tmp_path):
    suspect = tmp_path / "resaved.pdf"
    with pikepdf.open(stamped.copies / "S001.pdf") as pdf:
        pdf.save(suspect)
    result = trace(stamped, suspect)
    assert result.returncode == 0 and grade(result.stdout) == ("verified", "S001"), result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": True, "metadata": True, "header": False,
                                       "visible line": True, "page mark": True}


def test_trace_verifies_a_copy_by_its_metadata_alone(stamped, tmp_path):
    suspect = tmp_path / "noid.pdf"
    with pikepdf.open(stamped.copies / "S003.pdf") as pdf:
        for page in pdf.pages:
            page.obj.Contents = pikepdf.Array(list(page.obj.Contents)[1:-1])
        del pdf.trailer["/ID"]
        pdf.save(suspect, static_id=True)
    result = trace(stamped, suspect)
    assert result.returncode == 0 and grade(result.stdout) == ("verified", "S003"), result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": True, "header": False,
                                       "visible line": False, "page mark": False}


def test_a_stripped_copy_is_verified_by_its_line_and_mark_and_unverified_without_the_secret(stamped, tmp_path):
    suspect = tmp_path / "stripped.pdf"
    with pikepdf.open(stamped.copies / "S007.pdf") as pdf:
        strip_metadata(pdf)
        pdf.save(suspect, static_id=True)
    with pikepdf.open(suspect) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
        assert bytes(pdf.trailer.ID[0]) != bytes(pikepdf.open(stamped.copies / "S007.pdf").trailer.ID[0])
    result = trace(stamped, suspect)
    assert result.returncode == 0 and grade(result.stdout) == ("verified", "S007"), result.stdout
    assert "the copy of S007 श्रीमती ऋद्धि शर्मा" in result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": False, "header": False,
                                       "visible line": True, "page mark": True}
    assert re.search(r"visible line: found: copy id \S+ on (\d+) of \1 pages", result.stdout)
    blind = trace(stamped, suspect, secret=None)
    assert blind.returncode == 3 and grade(blind.stdout) == ("unverified", "S007"), blind.stdout


def test_trace_of_the_master_finds_nobody(stamped):
    result = trace(stamped, stamped.master)
    assert result.returncode == 1 and "no match in the ledgers" in result.stdout
    assert trace(stamped, stamped.base / "nope.pdf").returncode == 2


# --------------------------------------------------------------------------- one copy rendered from the master


def render_one(master: Path, out: Path, fonts, name: str, email: str, watermark: bool,
               language: str = "en") -> Path:
    from pressroom.copies import copyid, overlay
    from pressroom.copies.jobs import licence
    from pressroom.copies.roster import Student
    from pressroom.copies.wording import wording

    template = overlay.prepare(master.read_bytes(), watermark)
    digest = copyid.copy_digest(b"k", SLUG, "S9")
    lic = licence(Student(2, "S9", name, email), copyid.copy_id(digest), copyid.document_id(digest), fonts,
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
    from pressroom.stages import schema

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


def test_a_long_hindi_line_is_set_in_two_and_trace_reads_both(stamped, tmp_path, fonts):
    from pressroom.copies import evidence

    email = "a.very.long.address." + "x" * 90 + "@example.com"
    name = "अनन्या " + "लक्ष्मीनारायण " * 7 + "शर्मा"
    copy = render_one(stamped.master, tmp_path / "long-hi.pdf", fonts, name, email, False, "hi")
    for text in page_texts(copy):
        assert f"{name} · S9 {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति" in text
        cut = re.sub(r"प्रति \S+", "प्रति", text)  # the copy id blacked out
        found = {(m["sid"], m["email"]) for pattern in evidence.line_patterns() for m in pattern.finditer(cut)}
        assert found == {("S9", email)}
