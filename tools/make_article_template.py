"""Write docs/article-template.docx: the Word document writers copy to write an article for import.

    .venv/bin/python tools/make_article_template.py

Every convention of docs/authoring.md ("Importing from Word") is in it, as text the writer replaces,
and `build.py import` reads it into an article that passes `build.py check`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

OUT = Path(__file__).resolve().parent.parent / "docs" / "article-template.docx"
SHADE = "E8EEF7"


def shade(element_properties) -> None:
    element_properties.append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{SHADE}"/>'))


def build() -> Document:
    doc = Document()
    core = doc.core_properties
    core.title, core.author, core.comments = "Article template", "", "Copy this file for each article."
    doc.add_paragraph("GS-II: Polity: Replace this with the article's title", style="Title")
    doc.add_paragraph("One sentence that says what the article is about (the Subtitle style).", style="Subtitle")
    doc.add_heading("Context", 1)
    intro = doc.add_paragraph("Write in the Normal style. Use ")
    intro.add_run("bold").bold = True
    intro.add_run(" for what a student must not miss and ")
    intro.add_run("italic").italic = True
    intro.add_run(" for names of reports and schemes. Footnotes (References > Insert Footnote) are kept.")
    doc.add_heading("Key features", 1)
    doc.add_paragraph("Bulleted lists use the List Bullet style;", style="List Bullet")
    doc.add_paragraph("a second point.", style="List Bullet")
    doc.add_paragraph("Numbered lists use the List Number style.", style="List Number")
    doc.add_paragraph("Press Tab at the start of an item for a list inside a list.", style="List Number")
    doc.add_heading("Numbers at a glance", 3)
    table = doc.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    for row, values in enumerate((("Year", "Amount (₹ crore)"), ("2019", "1,056"), ("2020", "5,071"))):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    box = doc.add_table(rows=1, cols=1)
    box.style = "Table Grid"
    cell = box.cell(0, 0)
    shade(cell._tc.get_or_add_tcPr())
    cell.paragraphs[0].add_run("Prelims Pointers").bold = True
    cell.add_paragraph("A box is a one-cell table whose first line is its label: Prelims Pointers, Note, "
                       "Did you know? or Key terms.", style="List Bullet")
    doc.add_heading("Way ahead", 1)
    doc.add_paragraph("End with a conclusion a student can use in an answer.")
    label = doc.add_paragraph()
    label.add_run("Did you know?").bold = True
    shade(label._p.get_or_add_pPr())
    fact = doc.add_paragraph("Shaded paragraphs after a label make a box too; the box ends where the shading ends.")
    shade(fact._p.get_or_add_pPr())
    doc.add_heading("Practice questions", 2)
    for line in ("1. Consider the following statements:", "1. The first statement.", "2. The second statement.",
                 "Which of the statements given above is/are correct?", "(a) 1 only", "(b) 2 only",
                 "(c) Both 1 and 2", "(d) Neither 1 nor 2", "Answer: a",
                 "Explanation: Why (a) is right, in a sentence or two."):
        doc.add_paragraph(line)
    doc.add_heading("Mains questions", 2)
    doc.add_paragraph("1. Write the mains question here, ending with its word limit. (250 words)")
    return doc


def main() -> int:
    build().save(OUT)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
