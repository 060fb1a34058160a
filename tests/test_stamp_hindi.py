"""A Hindi edition (`language: hi`) stamped with `build.py stamp` and traced with `build.py trace`.

The mini edition made a Hindi one is stamped for a Devanagari and a Latin name; the
copies must carry the licence line in Hindi, shaped with the Devanagari font, and trace
must find a stripped copy by that line alone.
"""

from __future__ import annotations

import re

import pikepdf
from conftest import ROOT
from fontTools.ttLib import TTFont
from helpers import drawn_glyphs
from stampkit import (
    HINDI,
    black_out_copy_id,
    evidence,
    hindi_line,
    page_texts,
    remove_mark,
    strip_metadata,
    trace,
)


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


def test_a_stripped_hindi_copy_is_found_by_its_licence_line_but_only_the_mark_verifies_it(stamped_hi, tmp_path):
    suspect = tmp_path / "stripped-hi.pdf"
    with pikepdf.open(stamped_hi.copies / "S002.pdf") as pdf:
        strip_metadata(pdf)
        black_out_copy_id(pdf)
        pdf.save(suspect, static_id=True)
    texts = page_texts(suspect)
    name, email = HINDI["S002"]
    assert all(f"{name} · S002 · {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति" in t for t in texts)
    assert not any(re.search(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", t) for t in texts)
    result = trace(stamped_hi, suspect)
    assert result.returncode == 0 and f"verified: the copy of S002 {name} <{email}>" in result.stdout, result.stdout
    assert evidence(result.stdout) == {"sha256": False, "document ID": False, "metadata": False, "header": False,
                                       "visible line": True, "page mark": True}
    assert re.search(rf"visible line: found: licence line of S002 · {re.escape(email)} on (\d+) of \1 pages",
                     result.stdout), result.stdout
    # Without the mark, the line alone names the student but proves nothing: anyone can type it.
    with pikepdf.open(suspect) as pdf:
        remove_mark(pdf)
        pdf.save(tmp_path / "line-only.pdf")
    alone = trace(stamped_hi, tmp_path / "line-only.pdf")
    assert alone.returncode == 3 and f"unverified: the copy of S002 {name} <{email}>" in alone.stdout, alone.stdout
    assert evidence(alone.stdout) == {"sha256": False, "document ID": False, "metadata": False, "header": False,
                                      "visible line": True, "page mark": False}
