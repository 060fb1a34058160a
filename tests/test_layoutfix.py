"""The footnote fixes: notes print on the page of their call."""

from __future__ import annotations

import subprocess

import weasyprint

from pressroom.weasy import layoutfix

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} " + "text " * 60 + (f'<span class="footnote">Note for {i}</span>' if i == 3 else "") + "</p>"
    for i in range(20))
# Found by bisecting spacing values: with 2.5 mm after paragraphs, the split at the foot of
# page 1 falls where unpatched WeasyPrint 70 pushes the note for paragraph 3 to page 2.
HTML = ("<html><style>@page{size:A4;margin:20mm} .footnote{float:footnote} "
        "html{font:10.5pt/15pt serif} p{margin:0 0 2.5mm}</style><body>" + PARAGRAPHS + "</body></html>")


def pages_with(pdf_path, needle: str) -> list[int]:
    found = []
    for n in range(1, 4):
        text = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf_path), "-"],
                              capture_output=True, text=True).stdout
        if needle in text:
            found.append(n)
    return found


def test_note_stays_on_the_page_of_its_call(tmp_path):
    assert layoutfix.install(), "the WeasyPrint line the fix targets was not found (WeasyPrint upgraded?)"
    pdf = tmp_path / "notes.pdf"
    weasyprint.HTML(string=HTML).write_pdf(pdf)
    assert pages_with(pdf, "Paragraph 3 ") == [1]
    assert pages_with(pdf, "Note for 3") == [1]


def long_note_html(space_mm: float) -> str:
    paragraphs = "".join(
        f"<p>Paragraph {i} " + "text " * 50 + f"closing{i}"
        + (f'<span class="footnote">Note for {i}: ' + "long note " * 30 + "</span>" if i in (5, 9) else "")
        + " end.</p>" for i in range(16))
    return ("<html><style>@page{size:A4;margin:20mm} .footnote{float:footnote} "
            f"html{{font:10.5pt/15pt serif}} p{{margin:0 0 {space_mm}mm}}</style><body>{paragraphs}</body></html>")


def test_a_line_whose_note_does_not_fit_goes_to_the_next_page_with_it(tmp_path):
    # With 5.4 to 7.6 mm after paragraphs, the call of note 9 falls on the last lines of page 1 and its
    # five-line note does not fit below them: unpatched WeasyPrint keeps the call on page 1 and prints
    # the note on page 2.
    assert layoutfix.install()
    wrong = []
    for space in (5.0, 5.6, 6.4, 7.2, 8.0):
        pdf = tmp_path / f"notes-{space}.pdf"
        weasyprint.HTML(string=long_note_html(space)).write_pdf(pdf)
        pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
        for i in (5, 9):
            call = [n for n, text in enumerate(pages, 1) if f"closing{i}" in text]
            note = [n for n, text in enumerate(pages, 1) if f"Note for {i}:" in text]
            if call != note:
                wrong.append(f"{space} mm: call {i} on page(s) {call}, its note on {note}")
    assert wrong == []
