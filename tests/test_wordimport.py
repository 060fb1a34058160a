"""`build.py import`: Word documents become articles; what cannot carry over is dropped with a warning;
hostile files are refused.

Documents are made two ways: with python-docx in the tests, and by LibreOffice Writer once
(tests/fixtures/docx/, made by make_fixtures.py there).
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, run_build
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import RGBColor
from PIL import Image
from validators import epubcheck

from pressroom.cli import main
from pressroom.wordimport import docx_reader

DOCX = FIXTURES / "docx"


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def here(tmp_path, monkeypatch, mini):
    """Work in tmp_path (messages name files relative to it) with a copy of the mini content."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def imported(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["import", *map(str, args), "--content", "mini"])
    out = capsys.readouterr()
    return code, out.out, out.err


def article(section: str = "gs2", number: str = "02") -> str:
    found = sorted(Path("mini/mini-2020", section).glob(f"{number}-*.md"))
    assert len(found) == 1, found
    return found[0].read_text(encoding="utf-8")


def body_of(text: str) -> str:
    return text.split("\n---\n", 1)[1]


def save(document, name: str = "doc.docx") -> Path:
    path = Path(name)
    document.save(path)
    return path


def new_doc(title: str = "Electoral bonds") -> Document:
    document = Document()
    document.add_paragraph(title, style="Title")
    return document


def png(width: int, height: int, path: Path) -> Path:
    Image.new("RGB", (width, height), "#1F3A68").save(path)
    return path


def shade_paragraph(paragraph, fill: str = "E8EEF7") -> None:
    paragraph._p.get_or_add_pPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="{fill}"/>'))


def rewrite_zip(source: Path, target: Path, change) -> Path:
    """A copy of a .docx with some members changed: change(name, bytes) -> bytes."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))
    return target


# --------------------------------------------------------------------------- carry-over: title, topic, summary, tags

def test_title_style_fills_title_and_the_middle_of_a_gs_prefix_fills_topic(here, capsys):
    document = new_doc("GS-II: Techno-Politics: Focus on facial recognition")
    document.add_paragraph("Body text.")
    code, out, _ = imported(capsys, save(document), "gs2")
    assert code == 0
    text = article()
    assert 'title: "Focus on facial recognition"' in text
    assert 'topic: "Techno-Politics"' in text
    assert "created mini/mini-2020/gs2/02-focus-on-facial-recognition.md from doc.docx" in out


def test_without_title_style_the_first_heading_1_is_the_title(here, capsys):
    document = Document()
    document.add_paragraph("An opening line.")
    document.add_heading("Desert locusts", 1)
    document.add_heading("Context", 1)
    imported(capsys, save(document), "gs2")
    text = article()
    assert 'title: "Desert locusts"' in text
    assert "## Context" in text and "Desert locusts" not in body_of(text)


def test_summary_from_subtitle(here, capsys):
    document = new_doc()
    document.add_paragraph("Who pays for parties.", style="Subtitle")
    document.add_paragraph("Body.")
    imported(capsys, save(document), "gs2")
    assert 'summary: "Who pays for parties."' in article()


def test_summary_from_first_italic_paragraph(here, capsys):
    document = new_doc()
    document.add_paragraph().add_run("The court hears the challenge.").italic = True
    document.add_paragraph("Body.")
    imported(capsys, save(document), "gs2")
    text = article()
    assert 'summary: "The court hears the challenge."' in text
    assert "court hears" not in body_of(text)


def test_tags_left_empty_with_a_warning(here, capsys):
    document = new_doc()
    document.add_paragraph("Body.")
    _, _, err = imported(capsys, save(document), "gs2")
    assert "tags: []" in article()
    assert "doc.docx: warning: tags left empty; add the article's index terms under `tags:` [import.tags]" in err


# --------------------------------------------------------------------------- carry-over: text

def test_headings_levels(here, capsys):
    document = new_doc()
    document.add_heading("Context", 1)
    document.add_heading("Features", 2)
    document.add_heading("Numbers", 3)
    imported(capsys, save(document), "gs2")
    assert "## Context\n\n## Features\n\n### Numbers" in article()


def test_a_heading_made_bold_by_hand_is_just_a_heading(here, capsys):
    document = new_doc()
    document.add_heading("", 1).add_run("Context").bold = True
    imported(capsys, save(document), "gs2")
    assert "## Context\n" in article()


def test_bold_italic_superscript_subscript(here, capsys):
    document = new_doc()
    paragraph = document.add_paragraph("Plain, ")
    paragraph.add_run("bold").bold = True
    paragraph.add_run(", ")
    paragraph.add_run("italic").italic = True
    paragraph.add_run(", CO")
    paragraph.add_run("2").font.subscript = True
    paragraph.add_run(", 10")
    paragraph.add_run("3").font.superscript = True
    paragraph.add_run(", 21")
    paragraph.add_run("st").font.superscript = True
    paragraph.add_run(" and H")
    paragraph.add_run("xyz").font.superscript = True
    _, _, err = imported(capsys, save(document), "gs2")
    assert "Plain, **bold**, *italic*, CO₂, 10³, 21st and Hxyz" in article()
    assert "doc.docx: paragraph 2: warning: superscript 'xyz' written as plain text (the magazine has no " \
           "superscript for it) [import.script]" in err


def test_nested_bulleted_and_numbered_lists_from_writer(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert ("- A minimum export price applies to basmati:\n  - at 1,200 dollars a tonne until October;\n"
            "  - at 950 dollars a tonne after that.\n- Non-basmati white rice stays banned.") in article()
    assert "1. The exporter registers the contract.\n2. The authority checks the price.[^2]" in article()


def test_markdown_characters_in_text_stay_text(here, capsys):
    document = new_doc()
    document.add_paragraph("1. Not a list, *not emphasis*, <b>not HTML</b> and a | pipe")
    document.add_paragraph("# not a heading")
    document.add_paragraph("> not a quote, and 2 > 1")
    imported(capsys, save(document), "gs2")
    body = body_of(article())
    assert "\\> not a quote, and 2 > 1" in body
    assert "1\\. Not a list, \\*not emphasis\\*, \\<b>not HTML\\</b> and a \\| pipe" in body
    assert "\\# not a heading" in body


def test_hindi_and_mixed_text_kept_exactly_in_nfc(here, capsys):
    document = new_doc("चुनावी बॉन्ड")
    document.add_paragraph("संसद ने 2017 में योजना शुरू की। The cafe\u0301 is open.")
    imported(capsys, save(document), "gs2")
    text = article(number="02")
    assert 'title: "चुनावी बॉन्ड"' in text
    assert "संसद ने 2017 में योजना शुरू की। The caf\u00e9 is open." in text


# --------------------------------------------------------------------------- carry-over: tables, notes, pictures, links

def test_table_header_row_and_numeric_columns(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert ("| Year | Basmati (lakh tonnes) | Value (₹ crore) |\n| --- | ---: | ---: |\n"
            "| 2021-22 | 39.5 | 26,416 |\n| 2022-23 | 45.6 | 38,524 |") in article()


def test_merged_cells_are_split_with_a_warning_naming_the_table(here, capsys):
    document = new_doc()
    document.add_paragraph("Before.")
    table = document.add_table(rows=3, cols=2)
    for row, values in enumerate((("State", "Seats"), ("North", "10"), ("", "12"))):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    table.cell(1, 0).merge(table.cell(2, 0))
    _, _, err = imported(capsys, save(document), "gs2")
    assert "| State | Seats |\n| --- | ---: |\n| North | 10 |\n|  | 12 |" in article()
    assert re.search(r"doc\.docx: paragraph \d+: warning: table 1 has merged cells, which a Markdown table "
                     r"cannot hold; they were split, with the text in the first cell of each merge: check "
                     r"the table \[import\.merged-cells\]", err)


def test_footnotes_and_endnotes_become_notes(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    text = article()
    assert "of world trade in *2022-23*.[^1] Water use" in text
    assert "[^1]: Figures from the Agricultural and Processed Food Products Export Development Authority." in text
    assert "[^2]: Under the Foreign Trade Policy, 2023." in text


def test_picture_extracted_with_its_alt_text(here, capsys):
    _, out, _ = imported(capsys, DOCX / "lo-article.docx", "gs2")
    image = Path("mini/mini-2020/images/rice-exports-and-the-new-minimum-export-price-1.png")
    assert image.is_file() and Image.open(image).size == (120, 60)
    assert "![Bar chart of basmati exports, three years](../images/rice-exports-and-the-new-minimum-export-price-1.png)" \
        in article()
    assert "and 1 picture(s) in mini/mini-2020/images/" in out


def test_caption_paragraph_describes_a_picture_without_alt_text(here, capsys):
    document = new_doc()
    document.add_picture(str(png(50, 40, Path("p.png"))))
    document.add_paragraph("Figure 1: Real GDP growth by quarter", style="Caption")
    _, _, err = imported(capsys, save(document), "gs2")
    assert body_of(article()).strip() == "![Real GDP growth by quarter](../images/electoral-bonds-1.png)"
    assert "alt text" not in err


def test_picture_without_alt_text_is_warned_about(here, capsys):
    document = new_doc()
    document.add_picture(str(png(50, 40, Path("p.png"))))
    _, _, err = imported(capsys, save(document), "gs2")
    assert "![](../images/electoral-bonds-1.png)" in article()
    assert "doc.docx: paragraph 2: warning: picture 1 has no alt text in Word; write what it shows between " \
           "the [ ] (build.py check asks for it) [import.alt-text]" in err


def test_huge_picture_is_scaled(here, capsys):
    document = new_doc()
    document.add_picture(str(png(4800, 1200, Path("p.png"))))
    document.paragraphs[-1]._p.xpath(".//wp:docPr")[0].set("descr", "A wide band")
    imported(capsys, save(document), "gs2")
    assert Image.open("mini/mini-2020/images/electoral-bonds-1.png").size == (2400, 600)


def test_picture_over_the_pixel_budget_is_left_out_before_decoding(here, capsys):
    document = new_doc()
    document.add_picture(str(png(20, 20, Path("p.png"))))
    document.paragraphs[-1]._p.xpath(".//wp:docPr")[0].set("descr", "Tiny")
    path = save(document)
    # A PNG header claiming 9000 x 9000 pixels (81 million): refused from its size alone.
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, "PNG")
    rewrite_zip(path, Path("big.docx"), lambda name, data: big.getvalue() if name.startswith("word/media/") else data)
    _, _, err = imported(capsys, "big.docx", "gs2")
    assert "big.docx: paragraph 2: warning: picture 1 is 9000 x 9000 pixels, more than the 40 million allowed; " \
           "it was left out [import.picture]" in err
    assert "![" not in article() and not Path("mini/mini-2020/images").exists()


def test_external_link_becomes_text_and_address_with_a_warning(here, capsys):
    _, _, err = imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert "Read the notification on the trade directorate's site (https://dgft.gov.in/notifications)." \
        in article()
    assert re.search(r"lo-article\.docx: paragraph \d+: warning: link 'the trade directorate's site' became its "
                     r"text and address, 'https://dgft\.gov\.in/notifications' \(the magazine does not link to "
                     r"the web\) \[import\.link\]", err)


def test_internal_link_keeps_its_text(here, capsys):
    document = new_doc()
    paragraph = document.add_paragraph("See ")
    link = parse_xml(f'<w:hyperlink {nsdecls("w")} w:anchor="_Toc1"><w:r><w:t>the context</w:t></w:r></w:hyperlink>')
    paragraph._p.append(link)
    paragraph.add_run(" above.")
    _, _, err = imported(capsys, save(document), "gs2")
    assert "See the context above." in article() and "link" not in err


# --------------------------------------------------------------------------- carry-over: boxes

def test_shaded_one_cell_table_with_a_label_becomes_a_box(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert ("::: prelims\n- APEDA works under the Ministry of Commerce.\n- Basmati has a geographical "
            "indication.\n:::") in article()


def test_unshaded_one_cell_table_with_a_label_and_text_after_it(here, capsys):
    document = new_doc()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "Key terms: Bearer instrument means whoever holds it may encash it."
    cell.add_paragraph("Second line.")
    imported(capsys, save(document), "gs2")
    assert "::: keyterms\nBearer instrument means whoever holds it may encash it.\n\nSecond line.\n:::" in article()


def test_one_cell_table_without_a_label_becomes_paragraphs_with_a_warning(here, capsys):
    document = new_doc()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "Just framed text."
    _, _, err = imported(capsys, save(document), "gs2")
    assert "Just framed text." in body_of(article()) and ":::" not in article()
    assert "doc.docx: paragraph 2: warning: a one-cell table without a box label became plain paragraphs; " \
           "start it with a label such as 'Note' to make it a box [import.box]" in err


def test_shaded_paragraphs_after_a_label_become_a_box_and_end_where_the_shading_ends(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert ("::: didyouknow\nPakistan is the only other exporter of basmati.\n:::\n\n"
            "The floor will be reviewed every quarter.") in article()


def test_shaded_label_with_text_in_the_same_paragraph(here, capsys):
    document = new_doc()
    shade_paragraph(document.add_paragraph("Note: Always quote the latest estimate."))
    shade_paragraph(document.add_paragraph("And say which one."))
    document.add_paragraph("Unshaded text.")
    document.add_paragraph("Note: an unshaded sentence that starts with the word note.")
    imported(capsys, save(document), "gs2")
    body = body_of(article())
    assert "::: note\nAlways quote the latest estimate.\n\nAnd say which one.\n:::\n\nUnshaded text." in body
    assert "\n\nNote: an unshaded sentence that starts with the word note." in body


def test_label_alone_and_unshaded_runs_to_the_next_heading(here, capsys):
    document = new_doc()
    document.add_paragraph().add_run("Did you know?").bold = True
    document.add_paragraph("Locusts fly 150 km a day.")
    document.add_heading("Way ahead", 1)
    document.add_paragraph("After.")
    imported(capsys, save(document), "gs2")
    assert "::: didyouknow\nLocusts fly 150 km a day.\n:::\n\n## Way ahead\n\nAfter." in article()


def test_hindi_box_label_from_the_strings(here, capsys):
    imported(capsys, DOCX / "lo-hindi.docx", "gs2")
    assert "::: didyouknow\nएक वर्ग किलोमीटर का दल एक दिन में 35,000 लोगों जितना भोजन खाता है।\n:::" in article()


# --------------------------------------------------------------------------- carry-over: questions

def test_typed_mcqs_with_statements_options_answer_and_explanation(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    text = article()
    assert '''  prelims:
    - q: "Consider the following statements about APEDA:"
      statements:
        - "It works under the Ministry of Commerce and Industry."
        - "It fixes the minimum support price of rice."
      ask: "Which of the statements given above is/are correct?"
      options:
        - "1 only"
        - "2 only"
        - "Both 1 and 2"
        - "Neither 1 nor 2"
      answer: "a"
      explanation: "The minimum support price is set on the advice of the Commission for Agricultural Costs and Prices."
    - q: "Which country is the largest exporter of rice?"
      options:
        - "Thailand"
        - "India"
        - "Vietnam"
        - "Pakistan"
      answer: "b"
      explanation: "India has led since 2012."
''' in text
    assert "Practice questions" not in body_of(text) and "Answer" not in body_of(text)


def test_mains_questions(here, capsys):
    imported(capsys, DOCX / "lo-article.docx", "gs2")
    text = article()
    assert '  mains:\n    - "Examine whether export bans are a sound tool of food-price policy. (250 words)"\n---' in text
    assert "Mains questions" not in body_of(text)


def test_questions_made_with_word_numbering_and_hindi_answer_lines(here, capsys):
    imported(capsys, DOCX / "lo-hindi.docx", "gs2")
    assert '''    - q: "Consider the following statements about the desert locust:"
      statements:
        - "It is a migratory pest."
        - "It breeds only in India."
        - "It can fly 150 km a day."
      ask: "How many of the statements given above are correct?"
      options:
        - "Only one"
        - "Only two"
        - "All three"
        - "None"
      answer: "b"
      explanation: "टिड्डी भारत के बाहर भी प्रजनन करती है।"''' in article()


def test_options_made_with_word_numbering(here, capsys):
    imported(capsys, DOCX / "lo-hindi.docx", "gs2")
    assert '''    - q: "Which body issues desert locust warnings?"
      options:
        - "UNEP"
        - "WMO"
        - "FAO"
        - "WHO"
      answer: "c"
      explanation: "The FAO runs the Desert Locust Information Service."''' in article()


def test_question_lines_in_one_paragraph_and_other_ways_of_numbering_and_answering(here, capsys):
    document = new_doc()
    document.add_heading("MCQs", 2)
    paragraph = document.add_paragraph("Q.1 Which bank sells bonds?")
    for line in ("(a) RBI", "(b) SBI", "(c) PNB", "(d) None", "Correct Answer: (b) SBI", "Explanation: Only SBI."):
        paragraph.add_run().add_break()  # Shift+Enter
        paragraph.add_run(line)
    for line in ("Q2) Who audits them?", "a) CAG", "b) RBI", "c) ECI", "d) None", "Ans. a",
                 "Explanation: The CAG."):
        document.add_paragraph(line)
    imported(capsys, save(document), "gs2")
    assert '''    - q: "Which bank sells bonds?"
      options:
        - "RBI"
        - "SBI"
        - "PNB"
        - "None"
      answer: "b"
      explanation: "Only SBI."
    - q: "Who audits them?"
      options:
        - "CAG"
        - "RBI"
        - "ECI"
        - "None"
      answer: "a"
      explanation: "The CAG."
---''' in article()


def test_question_parts_headed_by_a_bold_paragraph(here, capsys):
    document = new_doc()
    document.add_paragraph("Body.")
    document.add_paragraph().add_run("Prelims Questions:").bold = True
    for line in ("1. Which bank?", "(a) RBI (b) SBI (c) PNB (d) None", "Answer: b", "Explanation: SBI."):
        document.add_paragraph(line)
    document.add_paragraph().add_run("Mains Questions").bold = True
    document.add_paragraph("Discuss state funding of elections. (250 words)")
    imported(capsys, save(document), "gs2")
    text = article()
    assert '    - q: "Which bank?"' in text
    assert '  mains:\n    - "Discuss state funding of elections. (250 words)"' in text
    assert body_of(text).strip() == "Body."


def test_question_it_cannot_read_stays_as_text_with_a_warning(here, capsys):
    document = new_doc()
    document.add_heading("MCQs", 2)
    for line in ("1. Which bank sells electoral bonds?", "(a) RBI (b) SBI (c) PNB", "Answer: b",
                 "2. Who audits them?", "(a) CAG", "(b) RBI", "(c) ECI", "(d) None", "Answer: a",
                 "Explanation: The CAG audits."):
        document.add_paragraph(line)
    _, _, err = imported(capsys, save(document), "gs2")
    text = article()
    assert "## MCQs\n\n1\\. Which bank sells electoral bonds?\n\n(a) RBI (b) SBI (c) PNB\n\nAnswer: b" in text
    assert '    - q: "Who audits them?"' in text and "Who audits" not in body_of(text)
    assert "doc.docx: paragraph 3: warning: question 1 could not be read (options a, b, c instead of (a) to " \
           "(d)); it is kept as text in the article [import.question]" in err


def test_question_without_explanation_is_kept_with_a_warning(here, capsys):
    document = new_doc()
    document.add_heading("Prelims questions", 2)
    for line in ("1. Which bank?", "(a) RBI", "(b) SBI", "(c) PNB", "(d) None", "Answer: (b)"):
        document.add_paragraph(line)
    _, _, err = imported(capsys, save(document), "gs2")
    assert '      answer: "b"\n      explanation: ""' in article()
    assert "doc.docx: paragraph 3: warning: question 1 has no explanation; write one in the front matter " \
           "(build.py check asks for it) [import.explanation]" in err


# --------------------------------------------------------------------------- drops, each with a warning

def drop_warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "tags left empty" not in line]


def test_writer_document_drops_are_each_warned_about_where_they_are(here, capsys):
    code, _, err = imported(capsys, DOCX / "lo-drops.docx", "gs2")
    assert code == 0
    name = str(DOCX / "lo-drops.docx")
    assert drop_warnings(err) == [f"{name}: paragraph {n}: warning: {m} [import.{code}]" for n, m, code in (
        (3, "tracked changes: the text is imported as if every change were accepted", "tracked-changes"),
        (4, "comment dropped (comments are not printed)", "comment"),
        (5, "page break dropped (the magazine lays out its own pages)", "break"),
        (5, "text box dropped, with its text; move the text into the article (or into a box, see the guide)",
         "text-box"),
        (7, "font dropped (direct formatting; the magazine uses its own fonts)", "formatting"),
        (7, "text colour dropped (direct formatting; the magazine's styles decide colours)", "formatting"),
        (8, "section break dropped (the magazine lays out its own pages) (also in paragraph 10)", "break"),
    )]
    body = body_of(article())
    assert "Swarms crossed into Rajasthan again in May and the warning stands." in body  # accepted
    assert "withdrawn" not in body and "Source for this?" not in body and "floating box" not in body
    assert "A sidebar follows." in body  # the paragraph that anchored the text box keeps its words


def test_python_docx_drops(here, capsys):
    document = new_doc()
    equation = document.add_paragraph("Energy is ")
    equation._p.append(parse_xml('<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
                                 '<m:r><m:t>E=mc2</m:t></m:r></m:oMath>'))
    equation.add_run(" here.")
    smart = document.add_paragraph("Diagram:")
    smart.add_run()._r.append(parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a")}><wp:inline><wp:extent cx="1" cy="1"/><wp:docPr id="9" name="d"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"/></a:graphic>'
        '</wp:inline></w:drawing>'))
    document.add_paragraph("Object:").add_run()._r.append(parse_xml(f'<w:object {nsdecls("w")}/>'))
    document.add_paragraph("Chart:").add_run()._r.append(parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a")}><wp:inline><wp:extent cx="1" cy="1"/><wp:docPr id="8" name="c"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"/></a:graphic>'
        '</wp:inline></w:drawing>'))
    document.add_paragraph("Before the break.").add_run().add_break(WD_BREAK.PAGE)
    coloured = document.add_paragraph("Red ")
    coloured.add_run("words").font.color.rgb = RGBColor(0xC0, 0, 0)
    coloured.add_run(" in Arial").font.name = "Arial"
    highlighted = document.add_paragraph()
    highlighted.add_run("underlined").underline = True
    document.add_paragraph("Last.")
    _, _, err = imported(capsys, save(document), "gs2")
    assert drop_warnings(err) == [f"doc.docx: paragraph {n}: warning: {m} [import.{code}]" for n, m, code in (
        (2, "equation dropped (the magazine cannot print Word equations); write it in words or as an image",
         "equation"),
        (3, "SmartArt dropped; save it as a picture and insert the picture", "smartart"),
        (4, "embedded object dropped; insert a picture of it instead", "object"),
        (5, "chart dropped (an embedded chart is not a picture); save it as a picture and insert that", "chart"),
        (6, "page break dropped (the magazine lays out its own pages)", "break"),
        (7, "font dropped (direct formatting; the magazine uses its own fonts)", "formatting"),
        (7, "text colour dropped (direct formatting; the magazine's styles decide colours)", "formatting"),
        (8, "underline dropped (direct formatting); use italic or bold", "formatting"),
    )]
    assert "Energy is here." in body_of(article()) and "Red words in Arial" in body_of(article())


# --------------------------------------------------------------------------- refusals: exit 1, nothing written

def refused(capsys, path, section: str = "gs2") -> str:
    code, out, err = imported(capsys, path, section)
    assert code == 1, (out, err)
    assert not list(Path("mini/mini-2020", section).glob("02-*.md"))
    return err.strip()


def test_refuses_a_file_that_is_not_a_zip(here, capsys):
    Path("notes.docx").write_text("Just some text.\n")
    assert refused(capsys, "notes.docx") == \
        "notes.docx: error: is not a .docx (a .docx is a zip file, and this is not one) [import.not-docx]"


def test_refuses_a_renamed_pdf(here, capsys):
    Path("article.docx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert refused(capsys, "article.docx") == \
        "article.docx: error: is a PDF, not a Word document; ask the writer for the .docx [import.not-docx]"


def test_refuses_an_old_doc_file(here, capsys):
    Path("old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le"))
    assert refused(capsys, "old.doc") == ("old.doc: error: is an old Word 97-2003 .doc file, not a .docx; open it "
                                          "in Word and save it as Word Document (.docx) [import.not-docx]")


def test_refuses_a_password_protected_document(here, capsys):
    # Word saves an encrypted .docx as an OLE compound file holding EncryptionInfo and EncryptedPackage.
    Path("secret.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                                    + "EncryptionInfo".encode("utf-16-le") + bytes(50)
                                    + "EncryptedPackage".encode("utf-16-le"))
    assert refused(capsys, "secret.docx") == (
        "secret.docx: error: is password-protected; remove the password in Word (File > Info > Protect Document "
        "> Encrypt with Password, empty) and save it again [import.password]")


def test_refuses_a_truncated_zip(here, capsys):
    data = (DOCX / "lo-article.docx").read_bytes()
    Path("cut.docx").write_bytes(data[: len(data) // 2])
    assert refused(capsys, "cut.docx") == \
        "cut.docx: error: is a damaged zip file, not a readable .docx; open it in Word and save it again " \
        "[import.damaged]"


def test_refuses_a_zip_with_a_damaged_part(here, capsys):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "x" * 200 + "</w:document>")
    data = buffer.getvalue().replace(b"x" * 200, b"y" * 200, 1)  # the stored CRC no longer matches
    Path("crc.docx").write_bytes(data)
    assert refused(capsys, "crc.docx") == ("crc.docx: error: is a damaged zip file (part word/document.xml cannot "
                                           "be read); open it in Word and save it again [import.damaged]")


def test_refuses_a_zip_bomb_before_unpacking_it(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("bomb.docx"),
                lambda name, data: data + b" " * 5_000_000 if name == "word/document.xml" else data)
    assert refused(capsys, "bomb.docx").startswith(
        "bomb.docx: error: part word/document.xml is compressed ")
    assert refused(capsys, "bomb.docx").endswith(" to 1; refused as a possible zip bomb [import.zip-bomb]")


def test_refuses_a_zip_with_too_many_parts(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("many.docx"), lambda name, data: data)
    with zipfile.ZipFile("many.docx", "a") as archive:
        for n in range(2001):
            archive.writestr(f"customXml/item{n}.xml", "<a/>")
    assert refused(capsys, "many.docx") == ("many.docx: error: has 2014 parts; a Word document has far fewer than "
                                            "2000, so it is refused [import.zip-bomb]")


def test_refuses_a_zip_that_unpacks_past_the_size_budget(here, capsys, monkeypatch):
    monkeypatch.setattr(docx_reader, "MAX_TOTAL_BYTES", 20_000)  # the real budget is 256 MB
    with zipfile.ZipFile(DOCX / "lo-article.docx") as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    assert refused(capsys, DOCX / "lo-article.docx").endswith(
        f"lo-article.docx: error: would unpack to {unpacked / 1024:.0f} KB (more than 20 KB); refused as a "
        "possible zip bomb [import.zip-bomb]")


def test_refuses_a_zip_with_an_unsafe_part_name(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("slip.docx"), lambda name, data: data)
    with zipfile.ZipFile("slip.docx", "a") as archive:
        archive.writestr("../../evil.xml", "<a/>")
    assert refused(capsys, "slip.docx") == \
        "slip.docx: error: contains a part with an unsafe name '../../evil.xml' [import.unsafe-part]"


def add_relationship(target: str, external: bool = False):
    mode = ' TargetMode="External"' if external else ""
    relationship = (f'<Relationship Id="rId999" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/image" Target="{target}"{mode}/></Relationships>').encode()

    def change(name: str, data: bytes) -> bytes:
        return data.replace(b"</Relationships>", relationship) if name == "word/_rels/document.xml.rels" else data
    return change


def test_refuses_a_relationship_that_escapes_the_package(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("escape.docx"), add_relationship("../../../etc/passwd"))
    assert refused(capsys, "escape.docx") == (
        "escape.docx: error: has a part reference that leaves the document ('../../../etc/passwd' in "
        "word/_rels/document.xml.rels); refused [import.unsafe-part]")


def test_refuses_an_absolute_file_relationship(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("absolute.docx"), add_relationship("file:///etc/passwd"))
    assert refused(capsys, "absolute.docx") == (
        "absolute.docx: error: has a part reference that leaves the document ('file:///etc/passwd' in "
        "word/_rels/document.xml.rels); refused [import.unsafe-part]")


def test_refuses_a_linked_external_picture(here, capsys):
    rewrite_zip(DOCX / "lo-article.docx", Path("linked.docx"),
                add_relationship("https://example.com/tracker.png", external=True))
    assert refused(capsys, "linked.docx") == (
        "linked.docx: error: links a file outside the document ('https://example.com/tracker.png' in "
        "word/_rels/document.xml.rels); insert the picture or object into the document instead of linking it "
        "[import.unsafe-part]")


def test_refuses_xml_with_entity_declarations(here, capsys):
    laughs = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    rewrite_zip(DOCX / "lo-article.docx", Path("entities.docx"),
                lambda name, data: laughs + data.split(b"?>", 1)[1] if name == "word/document.xml" else data)
    assert refused(capsys, "entities.docx") == ("entities.docx: error: declares a DTD or entities in "
                                                "word/document.xml; a Word document never does, so it is "
                                                "refused [import.unsafe-part]")


def test_refuses_a_section_that_is_not_in_the_edition(here, capsys):
    assert refused(capsys, DOCX / "lo-hindi.docx", "gs9").endswith(
        "lo-hindi.docx: error: no section 'gs9' in mini-2020 (did you mean 'gs2'?); its sections are gs1, gs2 "
        "[import.section]")


def test_never_overwrites_an_article(here, capsys):
    existing = Path("mini/mini-2020/gs2/01-council-reform.md")
    before = existing.read_bytes()
    document = new_doc("Council reform")
    document.add_paragraph("New text.")
    code, _, err = imported(capsys, save(document), "gs2", "--number", "1")
    assert code == 1 and existing.read_bytes() == before
    assert err.strip() == \
        "doc.docx: error: refusing to overwrite mini/mini-2020/gs2/01-council-reform.md [import.exists]"


def test_several_files_are_numbered_in_turn_and_a_refused_one_stops_only_itself(here, capsys):
    first, second = new_doc("First story"), new_doc("Second story")
    save(first, "a.docx"), save(second, "b.docx")
    Path("c.docx").write_text("not a document")
    code, out, err = imported(capsys, "a.docx", "c.docx", "b.docx", "gs1")
    assert code == 1
    assert "created mini/mini-2020/gs1/03-first-story.md from a.docx" in out
    assert "created mini/mini-2020/gs1/04-second-story.md from b.docx" in out
    assert "c.docx: error: is not a .docx (a .docx is a zip file, and this is not one)" in err


def test_unknown_edition_is_a_usage_error(here, capsys):
    code = main(["import", str(DOCX / "lo-hindi.docx"), "gs2", "--content", "mini", "--edition", "mini-2021"])
    assert code == 2
    assert capsys.readouterr().err.strip() == \
        "build.py import: error: no edition 'mini-2021' under mini/ (did you mean 'mini-2020'?)"


# --------------------------------------------------------------------------- end to end

def test_imported_article_checks_builds_and_passes_epubcheck(here, capsys):
    code, _, _ = imported(capsys, DOCX / "lo-article.docx", "gs2")
    assert code == 0
    check = run_build("check", "--content", "mini", cwd=here)
    assert check.returncode == 0, check.stderr
    assert "0 error(s)" in check.stdout + check.stderr
    build = run_build("mini-2020", "--content", "mini", "--out", "out", "--jobs", "1", cwd=here)
    assert build.returncode == 0, build.stderr
    pdf = next(Path("out/mini-2020").glob("*.pdf"))
    epub = next(Path("out/mini-2020").glob("*.epub"))
    sentences = ["Price floors protect farmers only while buyers have no other supplier.",
                 "Pakistan is the only other exporter of basmati.",
                 "APEDA works under the Ministry of Commerce.",
                 "Read the notification on the trade directorate's site (https://dgft.gov.in/notifications).",
                 "Which country is the largest exporter of rice?"]
    pdf_text = squash(subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                                     text=True, check=True).stdout.replace("\u2019", "'"))
    with zipfile.ZipFile(epub) as archive:
        epub_text = squash(" ".join(re.sub(r"<[^>]+>", " ", archive.read(n).decode("utf-8"))
                                    for n in archive.namelist() if n.endswith(".xhtml")).replace("&#x27;", "'")
                           .replace("&#39;", "'").replace("\u2019", "'"))
    for sentence in sentences:
        assert squash(sentence) in pdf_text, sentence
        assert squash(sentence) in epub_text, sentence
    report = epubcheck(epub)
    assert report.ok, str(report)


def squash(text: str) -> str:
    return re.sub(r"[\s\u00ad\u2010-]+", "", text)


def test_imported_hindi_article_checks_clean(here, capsys):
    assert imported(capsys, DOCX / "lo-hindi.docx", "gs2")[0] == 0
    check = run_build("check", "--content", "mini", cwd=here)
    assert check.returncode == 0, check.stderr


def test_template_in_docs_imports_cleanly(here, capsys):
    template = Path(__file__).resolve().parent.parent / "docs" / "article-template.docx"
    code, _, err = imported(capsys, template, "gs2")
    assert code == 0, err
    text = article()
    assert "::: prelims" in text and "  prelims:\n    - q:" in text and "  mains:\n" in text
    check = run_build("check", "--content", "mini", cwd=here)
    assert check.returncode == 0, check.stderr
