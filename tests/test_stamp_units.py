"""Units behind `build.py stamp`: roster reading, student ids and emails, copy ids, shards, line fit, wording.

Called in-process, without stamping an edition: the roster reader on bytes written here,
the id, email and shard checks, the copy-id derivation, whether the longest name allowed
fits on one line, and how the licence wording falls back to English key by key.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT
from stampkit import read


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
    from pressroom.copies.roster import Student

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
    ("../x", "starts with '.'"), ("/", "starts with '/'"), ("a\\b", "contains '\\\\'"), ("C:x", "contains ':'"),
    ("x\x00", "contains a control character (U+0000)"), ("x\u200bz", "contains a control character (U+200B)"),
    (".x", "starts with '.'"), ("..", "starts with '.'"), ("x.", "ends with '.'"),
    ("CON", "is a reserved device name on Windows"), ("nul.txt", "is a reserved device name on Windows"),
    ("x" * 65, "is 65 characters long; the limit is 64"),
    # What a spreadsheet would run as a formula, and whatever is not a letter, digit, '-', '_' or '.'.
    ("=1+1", "starts with '='"), ("+SUM(1)", "starts with '+'"), ("-2+3", "starts with '-'"),
    ("@cmd", "starts with '@'"), ("_x", "starts with '_'"), ("S 1", "contains ' '"), ("S1,2", "contains ','"),
    ("Sé", "contains 'é'"), ("S١", "contains '١'"), ("S1=", "contains '='"), ("S1\t", "contains a control character (U+0009)")])
def test_unsafe_student_ids(student_id, why):
    from pressroom.copies.roster import id_problem

    assert id_problem(student_id) == why


@pytest.mark.parametrize("student_id", ["S001", "2020-A.17", "a_b", "X", "x" * 64, "COM10", "con1"])
def test_plain_student_ids_are_allowed(student_id):
    from pressroom.copies.roster import id_problem

    assert id_problem(student_id) is None


@pytest.mark.parametrize("email, ok", [
    ("a@example.com", True), ("first.last+tag@sub.example.co.in", True), ("a@b", False), ("a@@b.com", False),
    ("a b@example.com", False), (".a@example.com", False), ("a..b@example.com", False), ("a@-x.com", False),
    ("a@example.c", False), ("@example.com", False)])
def test_email_shapes(email, ok):
    from pressroom.copies.roster import EMAIL

    assert bool(EMAIL.match(email)) is ok


def test_copy_ids_are_keyed_by_secret_edition_and_student():
    from pressroom.copies import copyid

    ids = {copyid.copy_id(copyid.copy_digest(secret, edition, sid))
           for secret in (b"one", b"two") for edition in ("e1", "e2") for sid in ("S1", "S2")}
    assert len(ids) == 8
    digest = copyid.copy_digest(b"one", "e1", "S1")
    assert copyid.copy_id(digest) == copyid.copy_id(copyid.copy_digest(b"one", "e1", "S1"))
    assert copyid.copy_id_of_document_id(copyid.document_id(digest)) == copyid.copy_id(digest)
    assert copyid.checks(b"one", "e1", "S1", copyid.copy_id(digest))
    assert not copyid.checks(b"two", "e1", "S1", copyid.copy_id(digest))
    assert not copyid.checks(b"one", "e1", "S2", copyid.copy_id(digest))


def test_shards_are_a_partition():
    from pressroom.copies.stamp import in_shard

    ids = [f"S{i}" for i in range(300)]
    shares = [[i for i in ids if in_shard(i, (k, 4))] for k in range(1, 5)]
    assert sorted(sum(shares, [])) == sorted(ids) and all(50 < len(s) < 100 for s in shares)
    assert in_shard("Abc", (2, 3)) == in_shard("aBC", (2, 3))  # case twins land together


def test_empty_columns_at_the_right_and_joiners_in_names_are_fine(tmp_path, monkeypatch):
    from pressroom.copies.roster import Student

    monkeypatch.chdir(tmp_path)
    rows = read(tmp_path, "student_id,name,email,,\nS1,क्\u200dष अर्\u200cजुन,s1@example.com,,\n"
                          "S2,Bidi \u202eeman,s2@example.com\n".encode("utf-8"))
    assert rows == [Student(2, "S1", "क्\u200dष अर्\u200cजुन", "s1@example.com"),
                    "students.csv:3: error: name contains a control character (U+202E)"]


def test_the_longest_name_allowed_still_fits_on_one_line(fonts):
    from pressroom.copies import overlay
    from pressroom.copies.roster import MAX_NAME, Student
    from pressroom.copies.jobs import licence
    from pressroom.copies.wording import wording

    name = ("Venkata Lakshmi Narasimha " * 5)[:MAX_NAME]
    lic = licence(Student(2, "S2020-00042", name, "venkata.narasimha@example.co.in"), "ABCD-EFGH-IJKL-MNOP",
                  b"0" * 16, fonts, 595.28 - 2 * overlay.SIDE_MARGIN, wording("en"))
    assert len(lic.lines) == 1


def test_the_licence_wording_falls_back_to_english_key_by_key(tmp_path, monkeypatch):
    from pressroom.copies import wording as wording_module
    from pressroom.problems import ContentError

    (tmp_path / "strings").mkdir()
    shutil.copy(ROOT / "templates/strings/en.yaml", tmp_path / "strings")
    xx = tmp_path / "strings/xx.yaml"
    xx.write_text('contents: X\nstamp:\n  line: "{name} / {student_id} / {email} / copy {copy_id}"\n',
                  encoding="utf-8")
    monkeypatch.setattr(wording_module, "STRINGS", tmp_path / "strings")
    english = wording_module.wording("en")
    assert english.line == "Licensed to {name} · {student_id} · {email} — not for redistribution · copy {copy_id}"
    assert wording_module.wording("xx") == wording_module.Wording("{name} / {student_id} / {email} / copy {copy_id}",
                                                english.first, english.second)
    assert wording_module.wording("mr") == english  # no strings file at all
    xx.write_text('stamp:\n  line: "{name} · {student_id} · {email}"\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        wording_module.wording("xx")
    assert str(caught.value) == (f"{xx}:2: error: stamp: line must use each of {{name}}, {{student_id}}, {{email}}, "
                                 "{copy_id} exactly once; found 'name', 'student_id', 'email' [copies.wording]")


def test_the_mark_carries_the_whole_copy_id_and_a_check_that_catches_misreads():
    from pressroom.copies import copyid

    copy = copyid.copy_id(copyid.copy_digest(b"k", "mini-2020", "S001"))
    text = copyid.mark_payload(copy)
    assert len(text) == 27 and text.isdigit()  # a version 1 QR code at level Q holds 27 digits
    assert copyid.copy_id_of_mark(text) == copy
    for i in range(len(text)):
        for digit in "0123456789":
            if digit != text[i]:
                assert copyid.copy_id_of_mark(text[:i] + digit + text[i + 1:]) is None, (i, digit)
        if i + 1 < len(text) and text[i] != text[i + 1]:
            assert copyid.copy_id_of_mark(text[:i] + text[i + 1] + text[i] + text[i + 2:]) is None, i
    for other in ("", text[:-1], text + "0", "https://example.com", "A" * 27):
        assert copyid.copy_id_of_mark(other) is None


def test_ledger_cells_that_a_spreadsheet_would_run_are_quoted_and_read_back(tmp_path):
    from pressroom.copies import ledger

    cells = ["=1+1", "+SUM(1)", "-2+3", "@cmd", "\tx", "\rx", "'x", "''x", "plain", "", "a=b"]
    for cell in cells:
        written = ledger.neutralise(cell)
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert ledger.restore(written) == cell
    assert [ledger.neutralise(c) for c in ("plain", "", "a=b")] == ["plain", "", "a=b"]
