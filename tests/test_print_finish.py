"""Print finish (issue 14): typography, UPSC-style MCQs, page economy, tables, openers, running heads,
footnotes per article, nothing drawn off the page, covers, and the press-ready PDF/X-4.

Checked from outside, on built files: pdftotext and pdfplumber for the PDF, the zip for the EPUB,
pikepdf and qpdf for the press PDF.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import ROOT, SAMPLE_SLUG, run_build
from editions import CHEMICAL, LONG_NUMBER, LONG_URL, three_article
from helpers import collapse
from pagefill import page_fills

from pressroom.stages import cover, typography

NEAR_EMPTY = 0.15


def build(content: Path, slug: str, out: Path, *extra: str) -> Path:
    result = run_build(content / slug, "--content", content, "--out", out, *extra, cwd=out.parent, codes=True)
    assert result.returncode == 0, result.stderr
    return next((out / slug).glob("*.pdf"))


def pages_text(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")[:-1]


@pytest.fixture(scope="module")
def hindi(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hindi")
    result = run_build(f"{SAMPLE_SLUG}-hi", "--out", out, "--format", "pdf", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return next((out / f"{SAMPLE_SLUG}-hi").glob("*.pdf"))


# --------------------------------------------------------------------------- typography

def test_typed_quotes_dashes_and_dots_become_typographic_and_literals_do_not():
    assert typography.typeset('the "invisible hand" and \'PT\'') == "the “invisible hand” and ‘PT’"
    assert typography.typeset("India's 2019--20 budget -- then---silence...") == "India’s 2019–20 budget – then—silence…"
    assert typography.typeset("options (a) and (c)") == "options (a) and (c)"
    assert typography.typeset("see https://x.gov.in/a--b...c or a--b@mail.in") == \
        "see https://x.gov.in/a--b...c or a--b@mail.in"
    assert typography.typeset("“हिंदी” में 'उद्धरण'", "“”‘’") == "“हिंदी” में ‘उद्धरण’"


def test_sample_pdf_and_epub_print_curly_quotes(sample):
    text = collapse(" ".join(pages_text(sample.pdf)))
    assert "the “invisible hand” of the market" in " ".join(pages_text(sample.pdf)).replace("\n", " ")
    assert '"' not in "".join(re.findall(r"[A-Za-z]\"[A-Za-z ]", " ".join(pages_text(sample.pdf))))
    assert "Kautilya’s" in " ".join(pages_text(sample.pdf))
    assert text  # the folded text still reads
    with zipfile.ZipFile(sample.epub) as book:
        article = book.read("EPUB/art-economic-survey-wealth-creation.xhtml").decode("utf-8")
    assert "the “invisible hand” of the market" in article and "Kautilya’s" in article


def test_stress_edition_keeps_urls_and_typesets_the_rest(stressed):
    text = " ".join(pages_text(stressed))
    assert "Quotes “as typed” and an apostrophe’s place – and an ellipsis…" in re.sub(r"\s+", " ", text)
    flat = re.sub(r"\s+", "", text)
    assert LONG_URL in flat, "the URL is not printed whole, as typed"


# --------------------------------------------------------------------------- MCQs

def statement_lines(pdf: Path) -> list[str]:
    return [line.strip() for page in pages_text(pdf) for line in page.splitlines() if line.strip()]


def test_mcq_statements_print_one_to_a_line_then_the_question(sample):
    lines = statement_lines(sample.pdf)
    first = lines.index(next(line for line in lines if line.startswith("1. Real GDP grew by 4.7%")))
    assert lines[first + 1].startswith("2. The growth rates for the first two quarters")
    assert lines[first + 2] == "Which of the statements given above is/are correct?"
    assert lines[first + 3].startswith("(a)")
    # The answer key repeats the statements, numbered, under the answer.
    assert sum(1 for line in lines if line.startswith("1. Real GDP grew by 4.7%")) == 2


def test_mcq_statements_in_the_epub_are_a_numbered_list(sample):
    with zipfile.ZipFile(sample.epub) as book:
        practice = book.read("EPUB/practice.xhtml").decode("utf-8")
        answers = book.read("EPUB/answers.xhtml").decode("utf-8")
    lists = re.findall(r'<ol class="statements">(.*?)</ol>', practice, re.S)
    assert len(lists) >= 5
    assert any("<li>Real GDP grew by 4.7% in October-December 2019.</li>" in found for found in lists)
    assert '<p class="ask">Which of the statements given above is/are correct?</p>' in practice
    assert '<ol class="statements key-statements">' in answers


def test_inline_statements_in_a_stem_are_a_warning_with_its_code(tmp_path):
    content = tmp_path / "content"
    folder = three_article(content)
    article = folder / "gs3" / "04-desert-locust-attack.md"
    text = article.read_text(encoding="utf-8")
    stem = re.search(r"    - q: .*?\n(?=      options:)", text, re.S)[0]
    article.write_text(text.replace(stem, '    - q: "Consider: 1. Locusts swarm. 2. They eat. Which is correct?"\n',
                                    1), encoding="utf-8")
    line = text[:text.index(stem)].count("\n") + 1
    result = run_build("check", folder, "--content", content, cwd=tmp_path, codes=True)
    assert result.returncode == 0
    assert (f"{article.relative_to(tmp_path).as_posix()}:{line}: warning: the stem numbers its statements inline "
            "('1. … 2. …'); list them under 'statements:' so that each is printed on its own line "
            "[practice.inline-statements]") in result.stderr.replace(str(tmp_path) + "/", "")


# --------------------------------------------------------------------------- page economy

def near_empty(pdf: Path, exempt: set[int]) -> list[tuple[int, float]]:
    fills = page_fills(pdf)
    return [(f.number, f.fill) for f in fills if f.number not in exempt and f.fill < NEAR_EMPTY]


def test_no_near_empty_page_in_the_sample(sample):
    count = len(page_fills(sample.pdf))
    assert near_empty(sample.pdf, {1, count}) == []


def test_no_near_empty_page_in_a_three_article_edition(three):
    count = len(page_fills(three))
    assert near_empty(three, {1, count}) == []


def test_no_near_empty_page_in_the_hindi_sample_or_the_stress_edition(hindi, stressed):
    for pdf in (hindi, stressed):
        count = len(page_fills(pdf))
        assert near_empty(pdf, {1, count}) == [], pdf.name


def part_tops(pdf: Path, titles: tuple[str, ...]) -> dict[str, tuple[int, float]]:
    """Part title -> (page, top of the title as a share of the page height) where it is printed as a heading."""
    found = {}
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages[2:]:
            for line in page.extract_text_lines():
                if line["text"] in titles and line["chars"][0]["size"] > 20 and line["text"] not in found:
                    found[line["text"]] = (page.page_number, line["top"] / page.height)
    return found


def test_short_answer_key_and_index_flow_on_instead_of_opening_pages(three):
    tops = part_tops(three, ("Practice Questions", "Answer Key", "Index"))
    assert set(tops) == {"Practice Questions", "Answer Key", "Index"}, tops
    for title in ("Answer Key", "Index"):
        page, top = tops[title]
        assert top > 0.2, f"{title} opens page {page} instead of following the part before it"
    assert tops["Index"][0] - tops["Practice Questions"][0] <= 2


def test_the_hindi_sample_back_matter_takes_two_pages_not_three(hindi):
    texts = pages_text(hindi)
    answers = next(n for n, t in enumerate(texts) if "एक नज़र में उत्तर" in t)
    index = next(n for n, t in enumerate(texts) if re.search(r"^अनुक्रमणिका$", t, re.M) and n >= answers)
    assert index == answers


# --------------------------------------------------------------------------- tables

def table_rows(pdf: Path) -> dict[str, dict[int, set[int]]]:
    """Table name -> row -> pages its row label is printed on."""
    found: dict[str, dict[int, set[int]]] = {}
    for number, text in enumerate(pages_text(pdf), 1):
        for name, row in re.findall(r"\b(T\d\d) row (\d+)\b", text):
            found.setdefault(name, {}).setdefault(int(row), set()).add(number)
    return found


def test_tables_keep_two_rows_either_side_of_a_break_and_short_ones_whole(stressed):
    rows = table_rows(stressed)
    assert len(rows) == 12
    broken = 0
    for name, by_row in rows.items():
        pages = [min(by_row[r]) for r in sorted(by_row)]
        if len(set(pages)) == 1:
            continue
        broken += 1
        assert len(by_row) > 6, f"{name} ({len(by_row)} rows) is split over pages {sorted(set(pages))}"
        for page in sorted(set(pages)):
            count = pages.count(page)
            assert count >= 2, f"{name}: only {count} row(s) on page {page}"
    assert broken, "no table met a page break: the test proves nothing"


def test_numeric_columns_are_right_aligned(stressed):
    with pdfplumber.open(stressed) as doc:
        rights = {}
        for page in doc.pages:
            words = page.extract_words()
            rows = {round(w["top"]): w["text"] for w in words if re.fullmatch(r"T\d\d", w["text"])}
            for word in words:
                if re.fullmatch(r"\d{1,3}(,\d{3})+", word["text"]) and round(word["top"]) in rows:
                    rights.setdefault((page.page_number, rows[round(word["top"])]), []).append(round(word["x1"], 1))
    assert len(rights) >= 10
    for (page, name), edges in rights.items():
        assert max(edges) - min(edges) < 0.6, f"page {page}, {name}: numbers end at {sorted(set(edges))}"


# --------------------------------------------------------------------------- openers and running heads

def test_opener_prints_the_label_once_as_a_chip_over_the_title(sample):
    with pdfplumber.open(sample.pdf) as doc:
        for page in doc.pages[2:]:
            body = page.crop((0, 22 * 72 / 25.4, page.width, page.height)).extract_text() or ""
            if "Wealth creation, Thalinomics" in body and "GS-III" in body.split("Wealth creation")[0]:
                opener = collapse(body.split("Wealth creation")[0])
                break
        else:
            pytest.fail("no GS-III opener page")
    assert opener.startswith("GS-III Technology, Economic Development, Bio-diversity, Environment, Security and "
                             "Disaster Management"), opener
    assert opener.count("GS-III") == 1, opener


def running_heads(pdf: Path) -> list[str]:
    heads = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages[1:-1]:
            top = page.crop((0, 0, page.width, 22 * 72 / 25.4))
            heads.append((top.extract_text() or "").strip())
    return heads


def test_running_heads_are_cut_at_a_word_or_use_the_short_title(three):
    titles = ["GS-I: Indian Heritage and Culture, History and Geography of the World and Society",
              "GS-III: Technology, Economic Development, Bio-diversity, Environment, Security and Disaster Management"]
    heads = running_heads(three)
    cut = [h for h in heads if "…" in h]
    assert cut, heads
    for head in cut:
        shown = re.search(r"(GS-I{1,3}: .*?)…", head)[1]
        full = next(t for t in titles if t.startswith(shown))
        assert full[len(shown)] in " ,", f"running head cut mid-word: {shown!r}"
    assert any("GS-II: Polity" in h for h in heads), "short_title not used"


# --------------------------------------------------------------------------- footnotes

def test_footnotes_are_numbered_per_article(stressed):
    text = re.sub(r"[ \t]+", " ", " ".join(pages_text(stressed)))
    for number in (1, 2):
        assert f"1. Article {number}, first note." in text
        assert f"2. Article {number}, second note." in text


# --------------------------------------------------------------------------- nothing off the page

def glyphs_outside(pdf: Path) -> list[str]:
    out = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            box = page.page_obj.attrs.get("TrimBox") or page.mediabox
            x0, y0, x1, y1 = (float(v) for v in box)
            height = float(page.mediabox[3])
            top, bottom = height - y1, height - y0
            for char in page.chars:
                if not char["text"].strip():
                    continue
                if char["x0"] < x0 - 0.5 or char["x1"] > x1 + 0.5 or char["top"] < top - 0.5 or \
                        char["bottom"] > bottom + 0.5:
                    out.append(f"page {page.page_number}: {char['text']!r} at x {char['x0']:.0f}-{char['x1']:.0f}")
    return out


def test_no_glyph_is_drawn_outside_the_page(sample, stressed):
    assert glyphs_outside(sample.pdf) == []
    assert glyphs_outside(stressed) == []


def test_unbreakable_strings_are_printed_whole(stressed):
    flat = re.sub(r"[\s\u00ad‐-]+", "", " ".join(pages_text(stressed)))
    assert LONG_NUMBER in flat
    assert CHEMICAL.replace("-", "") in flat


# --------------------------------------------------------------------------- covers

def test_a_small_edition_cover_fills_the_page_with_its_lead_stories(three):
    with pdfplumber.open(three) as doc:
        page = doc.pages[0]
        words = page.extract_words()
        lowest = max(w["bottom"] for w in words if w["text"] != "DNA" and "PICK" not in w["text"])
        stories = [w for w in words if w["top"] > page.height / 2]
    assert lowest > page.height * 0.8, "the lead stories leave the lower page empty"
    assert any("stereotypes" in w["text"] for w in stories), "no standfirst under the lead stories"


def test_cover_panels_reach_4_5_to_1_over_any_photo(tmp_path):
    from PIL import Image

    for colour in ("white", "black", "#7f7f7f", "#ffcc00"):
        path = tmp_path / f"photo-{colour.strip('#')}.png"
        Image.new("RGB", (400, 560), colour).save(path)
        for panel, ink in (("#1F3A68", "#FFFFFF"), ("#F2C94C", "#1C1C1F")):
            scrim = cover.scrim(path, panel, ink)
            assert scrim.worst >= 4.5, (colour, panel, scrim)


def test_a_cover_photo_is_full_bleed(tmp_path):
    from PIL import Image

    photo = tmp_path / "cover.png"
    Image.new("RGB", (600, 850), "#d8c7a0").save(photo)
    three_article(tmp_path / "content", "photo", cover_image=photo)
    pdf = build(tmp_path / "content", "photo", tmp_path / "out", "--format", "pdf")
    png = subprocess.run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
                         capture_output=True, check=True)
    assert png.returncode == 0
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    w, h = image.size
    middle = image.getpixel((w // 2, int(h * 0.44)))  # between the panels: the photo itself
    assert max(abs(a - b) for a, b in zip(middle, (0xd8, 0xc7, 0xa0))) < 12, middle
    corner = image.getpixel((1, h - 2))
    assert corner != (255, 255, 255), "the photo does not reach the page edge"


# --------------------------------------------------------------------------- the press PDF

def test_press_pdf_is_a_multiple_of_four_with_notes_before_the_back_cover(three_press):
    texts = pages_text(three_press)
    assert len(texts) % 4 == 0
    notes = [n for n, t in enumerate(texts, 1) if t.strip() == "Notes"]
    assert notes, "no Notes page: the edition happened to be a multiple of 4; the test proves nothing"
    assert notes == list(range(len(texts) - len(notes), len(texts)))
    assert "Office No - 5" in texts[-1], "the back cover is not the last page"


def test_press_pdf_is_pdfx4_with_an_output_intent_and_boxes(three_press):
    with pikepdf.open(three_press) as pdf:
        assert pdf.pdf_version == "1.6"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX"
        assert intent.DestOutputProfile.read_bytes() == (ROOT / "styles" / "icc" / "sRGB.icc").read_bytes()
        assert str(pdf.open_metadata().get("pdfxid:GTS_PDFXVersion")) == "PDF/X-4"
        assert pdf.docinfo.Trapped == "/False"
        for page in pdf.pages:
            trim, bleed, media = ([float(v) for v in page.obj[k]] for k in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert bleed[0] <= trim[0] - 8 and bleed[2] >= trim[2] + 8, "no 3 mm bleed"
            assert media[0] <= bleed[0] and media[2] >= bleed[2]
            assert "/Annots" not in page.obj
    check = subprocess.run(["qpdf", "--check", str(three_press)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_page_economy_decides_the_same_in_chunks_and_in_one_document(tmp_path):
    """The 3-article edition flows its answer key and index and moves two breaks: chunked = one document."""
    from test_speed_correctness import assert_same_pages, chunked_and_single

    three_article(tmp_path / "content")
    builds = chunked_and_single(tmp_path, tmp_path / "content", "three")
    assert_same_pages(builds)
    assert pages_text(builds["chunked"]) == pages_text(builds["single"])
