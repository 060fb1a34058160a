"""The footnote fix: a page's earlier footnotes stay on it when a later paragraph is split."""

from __future__ import annotations

import subprocess

import weasyprint

from pressroom import layoutfix

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
