"""End to end: the sample edition built once by the CLI, read back with the tools a reader or a printer uses.

Expectations come from the content files (read with PyYAML in tests/helpers.py),
never from pressroom itself.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pikepdf
import pytest
from conftest import (
    ROOT,
    SAMPLE_DIR,
    SAMPLE_SLUG,
    build_sample,
    copy_fixture,
    require_ok,
    run_build,
)
from fontTools.ttLib import TTFont
from helpers import (
    MM,
    collapse,
    drawn_glyphs,
    pdf_pages_text,
    pdf_words,
    pdffonts,
    plain_markdown,
    read_source,
    squash,
    typed,
)
from validators import ace, epubcheck

FONTS = ROOT / "styles" / "fonts"
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


@pytest.fixture(scope="module")
def source():
    return read_source(SAMPLE_DIR)


def articles_of(sections):
    return [a for s in sections for a in s.articles]


def kicker_title(section, article) -> str:
    """What the article's heading reads: 'GS-I: Archaeology: Keeladi and …' (the topic is optional)."""
    return f"{section.label}: " + (f"{article.topic}: " if article.topic else "") + article.title


def start_pages(pdf: Path, sections) -> dict[str, int]:
    """Article slug -> 1-based page on which its heading (kicker then title) is printed."""
    pages = [squash(t) for t in pdf_pages_text(pdf)]
    found = {}
    for s in sections:
        for a in s.articles:
            needle = squash(kicker_title(s, a))
            hits = [n for n, text in enumerate(pages, 1) if needle in text]
            assert len(hits) == 1, f"heading of {a.slug!r} ({kicker_title(s, a)!r}) found on pages {hits}"
            found[a.slug] = hits[0]
    return found


# --------------------------------------------------------------------------- the build itself

def test_sample_build_reports_what_it_wrote(sample, source):
    _, _, sections = source
    assert sample.result.stderr == ""
    first = sample.result.stdout.splitlines()[0]
    assert re.fullmatch(rf"{SAMPLE_SLUG}: \d+ pages, {len(articles_of(sections))} articles, \d+ words in [\d.]+ s",
                        first), first
    assert sorted(p.name for p in (sample.out / SAMPLE_SLUG).iterdir()) == sorted(
        [sample.pdf.name, sample.epub.name, "build-report.json"])


# --------------------------------------------------------------------------- contents and page numbers

def contents_pages(pdf: Path) -> list[int]:
    """Pages from 2 on that carry the contents: every internal link on them ends with a page number."""
    found = []
    with pikepdf.open(pdf) as doc:
        for number in range(2, len(doc.pages) + 1):
            entries = link_entries(doc, pdf, number)
            if not entries or not all(printed is not None for _, printed, _ in entries):
                break
            found.append(number)
    return found


def link_entries(doc: pikepdf.Pdf, pdf: Path, number: int) -> list[tuple[str, int | None, int]]:
    """(destination, page number printed inside the link or None, page the link leads to) per internal link."""
    page = doc.pages[number - 1]
    names = pikepdf.NameTree(doc.Root.Names.Dests) if "/Names" in doc.Root and "/Dests" in doc.Root.Names else None
    page_index = {p.objgen: i for i, p in enumerate(doc.pages, 1)}
    words = pdf_words(pdf)[number - 1]
    groups: dict[str, tuple[int, list]] = {}
    for annot in page.obj.get("/Annots", []):
        if annot.get("/Subtype") != "/Link":
            continue
        dest = annot.get("/Dest")
        if dest is None and "/A" in annot and annot.A.get("/S") == "/GoTo":
            dest = annot.A.D
        if dest is None:
            continue
        if isinstance(dest, pikepdf.Array):
            key, target = f"page-{page_index[dest[0].objgen]}", dest
        else:
            key, target = str(dest), names[str(dest)]
        groups.setdefault(key, (page_index[target[0].objgen], []))[1].append([float(v) for v in annot.Rect])
    out = []
    for key, (target_page, rects) in groups.items():
        inside = []
        for rect in rects:  # PDF rectangles may list their corners in any order
            x0, x1, y0, y1 = min(rect[0], rect[2]), max(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[1], rect[3])
            inside += [w for w in words.in_box(x0 - 1, words.height - y1 - 1, x1 + 1, words.height - y0 + 1)
                       if w not in inside]
        inside.sort(key=lambda w: (round(w.y0), w.x0))
        printed = int(inside[-1].text) if inside and inside[-1].text.isdigit() else None
        out.append((key, printed, target_page))
    return out


def test_contents_lists_every_article_with_the_page_where_it_starts(sample, source):
    _, _, sections = source
    starts = start_pages(sample.pdf, sections)
    pages = contents_pages(sample.pdf)
    assert pages, "no contents page after the cover"
    text = collapse(" ".join(pdf_pages_text(sample.pdf)[n - 1] for n in pages))
    wrong = []
    positions = []
    for s in sections:
        for a in s.articles:
            entry = (f"{a.topic}: " if a.topic else "") + a.title
            match = re.search(re.escape(collapse(entry)) + r"[ .]*?(\d+)(?!\S)", text)
            assert match, f"contents has no entry {entry!r}"
            positions.append(match.start())
            if int(match[1]) != starts[a.slug]:
                wrong.append(f"{a.slug}: contents says {match[1]}, the article starts on page {starts[a.slug]}")
    assert wrong == [], "\n".join(wrong)
    assert positions == sorted(positions), "contents entries are not in edition order"


def test_contents_links_lead_to_the_page_they_print(sample, source):
    _, _, sections = source
    with pikepdf.open(sample.pdf) as doc:
        pages = contents_pages(sample.pdf)
        with doc.open_outline() as outline:
            openers = [doc.pages.index(pikepdf.Page(item.destination[0])) + 1 for item in outline.root]
        checked, wrong = [], []
        for number in sorted(set(pages) | set(openers)):
            for name, printed, target in link_entries(doc, sample.pdf, number):
                # The answer key's grid links print question numbers, not pages.
                if printed is None or name.startswith(("q-", "ans-")):
                    continue
                checked.append(name)
                if printed != target:
                    wrong.append(f"page {number}: link to {name} prints {printed} but leads to page {target}")
    assert wrong == [], "\n".join(wrong)
    slugs = {f"art-{a.slug}" for a in articles_of(sections)}
    assert slugs <= set(checked), f"articles with no numbered link: {sorted(slugs - set(checked))}"


# --------------------------------------------------------------------------- running heads and feet

def head_and_foot(pdf: Path, number: int) -> tuple[str, str]:
    page = pdf_words(pdf)[number - 1]
    head = [w for w in page.words if w.y1 <= 22 * MM]
    foot = [w for w in page.words if w.y0 >= page.height - 20 * MM]
    order = lambda ws: " ".join(w.text for w in sorted(ws, key=lambda w: (round(w.y0), w.x0)))  # noqa: E731
    return order(head), order(foot)


def test_running_head_and_foot_on_every_inside_page(sample, source):
    brand, meta, _ = source
    running_foot = collapse(f"{brand['slogan']} · {meta['title']}")
    count = len(pdf_pages_text(sample.pdf))
    wrong = []
    for number in range(2, count):
        head, foot = head_and_foot(sample.pdf, number)
        if brand["name"] not in head:
            wrong.append(f"page {number}: running head {head!r} lacks {brand['name']!r}")
        if running_foot not in collapse(foot):
            wrong.append(f"page {number}: running foot {foot!r} lacks {running_foot!r}")
    assert wrong == [], "\n".join(wrong)


def test_page_number_in_the_foot_is_the_physical_page(sample, source):
    brand, meta, _ = source
    running_foot = collapse(f"{brand['slogan']} · {meta['title']}")
    count = len(pdf_pages_text(sample.pdf))
    printed = {}
    for number in range(2, count):
        _, foot = head_and_foot(sample.pdf, number)
        rest = collapse(foot).replace(running_foot, " ").split()
        printed[number] = int(rest[0]) if len(rest) == 1 and rest[0].isdigit() else foot
    assert printed == {n: n for n in range(2, count)}


def test_covers_have_no_running_head_foot_or_number(sample, source):
    brand, meta, _ = source
    running_foot = squash(f"{brand['slogan']} · {meta['title']}")
    texts = pdf_pages_text(sample.pdf)
    for number in (1, len(texts)):
        head, foot = head_and_foot(sample.pdf, number)
        assert head == "", f"page {number} has a running head: {head!r}"
        assert str(number) not in foot.split(), f"page {number} prints its page number: {foot!r}"
        assert running_foot not in squash(texts[number - 1]), f"page {number} has the running foot"


# --------------------------------------------------------------------------- outline

def test_outline_is_sections_then_their_articles_in_edition_order(sample, source):
    _, _, sections = source
    starts = start_pages(sample.pdf, sections)
    with pikepdf.open(sample.pdf) as doc, doc.open_outline() as outline:
        got = [(typed(item.title), [typed(child.title) for child in item.children]) for item in outline.root]
        pages = {typed(child.title): doc.pages.index(pikepdf.Page(child.destination[0])) + 1
                 for item in outline.root for child in item.children}
    # Sections in order, then the back matter that follows them.
    assert got == [(s.title, [a.title for a in s.articles]) for s in sections] + [
        ("Practice Questions", []), ("Answer Key", []), ("Index", [])]
    assert {a.title: pages[a.title] for a in articles_of(sections)} == {
        a.title: starts[a.slug] for a in articles_of(sections)}, "an outline entry leads to the wrong page"


# --------------------------------------------------------------------------- fonts and glyphs

def shipped_font_names() -> set[str]:
    names = set()
    for path in FONTS.glob("*.ttf"):
        ps = TTFont(path, lazy=True)["name"].getDebugName(6)
        key = re.sub(r"[^a-z0-9]", "", ps.lower())
        names |= {key, key.removesuffix("regular")}
    return names


def test_every_font_is_embedded_and_shipped(sample):
    fonts = pdffonts(sample.pdf)
    assert fonts, "pdffonts found no fonts"
    shipped = shipped_font_names()
    for font in fonts:
        assert font["emb"] == "yes", f"not embedded: {font['row']}"
        family = re.sub(r"[^a-z0-9]", "", font["name"].split("+", 1)[-1].lower())
        assert family in shipped, f"{font['name']} is not one of the shipped Noto fonts"


def test_no_glyph_is_drawn_from_a_font_that_lacks_it(sample):
    originals = {}
    for path in FONTS.glob("*.ttf"):
        tt = TTFont(path)
        key = re.sub(r"[^a-z0-9]", "", tt["name"].getDebugName(6).lower())
        glyf, order = tt["glyf"], tt.getGlyphOrder()
        info = ({i for i, g in enumerate(order) if glyf[g].numberOfContours != 0},
                {i: tt["hmtx"][g][0] for i, g in enumerate(order)})
        originals[key] = originals[key.removesuffix("regular")] = info
    problems = []
    uses = drawn_glyphs(sample.pdf)
    assert sum(len(u.drawn) for u in uses.values()) > 100, "no text found in the content streams"
    for use in uses.values():
        inked, advances = originals[re.sub(r"[^a-z0-9]", "", use.name.lower())]
        for gid, page in sorted(use.drawn.items()):
            if gid == 0:
                problems.append(f"page {page}: .notdef (a box) drawn from {use.name}")
            elif gid >= use.num_glyphs:
                problems.append(f"page {page}: glyph {gid} drawn from {use.name}, which has {use.num_glyphs}")
        # When the subset keeps the shipped glyph ids (same advance widths), a drawn glyph that has an
        # outline in the shipped font must still have it in the embedded one.
        kept_ids = all(use.advance.get(g) == advances.get(g) for g in use.drawn if g not in use.empty)
        if kept_ids:
            problems += [f"page {page}: glyph {gid} of {use.name} is empty in the embedded subset"
                         for gid, page in sorted(use.drawn.items()) if gid in inked and gid in use.empty]
    assert problems == [], "\n".join(problems)


# --------------------------------------------------------------------------- metadata

def test_pdf_metadata_comes_from_the_content(sample, source):
    brand, meta, sections = source
    tags = {t for a in articles_of(sections) for t in a.meta.get("tags", [])}
    with pikepdf.open(sample.pdf) as doc:
        info = doc.docinfo
        assert meta["title"] in str(info["/Title"])
        assert str(info["/Author"]) == brand["name"]
        assert str(doc.Root.Lang) == meta["language"]
        assert str(info["/CreationDate"]).startswith(f"D:{str(meta['published']).replace('-', '')}")
        keywords = {k.strip() for k in str(info["/Keywords"]).split(",")}
        assert tags <= keywords, f"tags missing from Keywords: {sorted(tags - keywords)}"
        xmp = str(doc.open_metadata())
        assert f"{meta['published']}T00:00:00" in xmp


# --------------------------------------------------------------------------- Hindi

def devanagari_passages(sections) -> list[str]:
    out = []
    for a in articles_of(sections):
        for block in re.split(r"\n\s*\n", a.body):
            text = plain_markdown(block.strip())
            if len(DEVANAGARI.findall(text)) > 40:
                out.append(text)
    return out


def test_hindi_passage_comes_out_as_hindi(sample, source):
    """A distinctive run of five Hindi words from the sample is found in pdftotext's output."""
    passages = devanagari_passages(source[2])
    assert passages, "the sample edition has no Devanagari passage to check"
    text = squash(" ".join(pdf_pages_text(sample.pdf)))
    for passage in passages:
        words = [w for w in passage.split() if DEVANAGARI.search(w)][:5]
        assert squash(" ".join(words)) in text, f"{' '.join(words)!r} not found in the PDF text"


def test_hindi_passage_is_searchable_word_for_word(sample, source):
    """Every Hindi word can be found (searched, copied, read aloud) in the PDF, not only the first few."""
    text = squash(" ".join(pdf_pages_text(sample.pdf)))
    missing = []
    for passage in devanagari_passages(source[2]):
        for word in passage.split():
            word = word.strip("।,.;:()\"'")
            if DEVANAGARI.search(word) and squash(word) not in text and word not in missing:
                missing.append(word)
    assert missing == [], f"{len(missing)} Hindi words cannot be found in the PDF text, e.g. {missing[:8]}"


# --------------------------------------------------------------------------- footnotes

def footnote_pages(pdf: Path, edition_dir: Path) -> list[str]:
    """Footnotes not printed exactly once, on the page of their call."""
    _, _, sections = read_source(edition_dir)
    pages = [squash(t) for t in pdf_pages_text(pdf)]
    wrong = []
    for a in articles_of(sections):
        notes = dict(re.findall(r"^\[\^([^\]]+)\]:\s*(.+)$", a.body, re.M))
        for label, note in notes.items():
            note_key = squash(" ".join(plain_markdown(note).split()[:8]))
            call_line = next(line for line in a.body.splitlines()
                             if f"[^{label}]" in line and not line.startswith(f"[^{label}]:"))
            before = plain_markdown(call_line[:call_line.index(f"[^{label}]")]).split()[-4:]
            call_key = squash(" ".join(before))
            note_on = [n for n, t in enumerate(pages, 1) if note_key in t]
            call_on = [n for n, t in enumerate(pages, 1) if call_key in t]
            if len(note_on) != 1 or note_on[0] not in call_on:  # the words before a call may recur elsewhere
                wrong.append(f"{a.slug} [^{label}]: called on page(s) {call_on}, note printed on page(s) {note_on}")
    return wrong


def test_footnotes_print_once_at_the_foot_of_their_page(sample):
    wrong = footnote_pages(sample.pdf, SAMPLE_DIR)
    assert wrong == [], "\n".join(wrong)


def test_mini_footnote_prints_once_at_the_foot_of_its_page(mini_built):
    wrong = footnote_pages(mini_built.pdf, mini_built.out.parent / "mini" / "mini-2020")
    assert wrong == [], "\n".join(wrong)


# --------------------------------------------------------------------------- practice questions

def test_practice_questions_and_answer_key_are_printed(mini_built):
    """docs/authoring.md: prelims questions with four options, and each explanation "printed in the answer key"."""
    text = squash(" ".join(pdf_pages_text(mini_built.pdf)))
    _, _, sections = read_source(mini_built.out.parent / "mini" / "mini-2020")
    questions = [a.meta["questions"] for a in articles_of(sections) if a.meta.get("questions")]
    assert questions, "the mini edition has no practice questions"
    missing = []
    for q in questions:
        for item in q.get("prelims", []):
            missing += [s for s in [item["q"], *item["options"], item["explanation"]] if squash(s) not in text]
        missing += [s for s in q.get("mains", []) if squash(s) not in text]
    assert missing == [], f"not printed: {missing}"


# --------------------------------------------------------------------------- text is text, never code

def test_template_syntax_and_html_in_front_matter_print_literally(tmp_path):
    content = copy_fixture("mini", tmp_path)
    article = content / "mini-2020" / "gs2" / "01-council-reform.md"
    literal = "{{ 7*7 }} <script>alert(1)</script> & {% if 1 %}x{% endif %}"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('title: "Reforming the town council"', f"title: '{literal}'")
                           .replace('topic: "Governance"', "topic: '<b>Bold</b>'"), encoding="utf-8")
    result = run_build(content / "mini-2020", "--out", tmp_path / "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "mini-2020" / "mini-press-mini-2020.pdf"
    printed = collapse(" ".join(pdf_pages_text(pdf)))
    assert literal in printed
    assert "<b>Bold</b>" in printed
    assert "49" not in printed
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        assert literal in [child.title for item in outline.root for child in item.children]
    with zipfile.ZipFile(tmp_path / "out" / "mini-2020" / "mini-press-mini-2020.epub") as z:
        documents = {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")}
    escaped = "{{ 7*7 }} &lt;script&gt;alert(1)&lt;/script&gt; &amp; {% if 1 %}x{% endif %}"
    assert any(escaped in d for d in documents.values())
    assert not any("<script" in d or "<b>" in d for d in documents.values())


# --------------------------------------------------------------------------- reproducible

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_rebuild_into_another_folder_is_byte_identical(sample, tmp_path):
    again = require_ok(build_sample(tmp_path / "second", ROOT))
    assert sha256(again.pdf) == sha256(sample.pdf)
    assert sha256(again.epub) == sha256(sample.epub)


def test_build_from_a_copy_of_the_content_elsewhere_is_byte_identical(sample, tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "elsewhere" / "content")
    result = run_build(SAMPLE_SLUG, "--content", tmp_path / "elsewhere" / "content", "--out", tmp_path / "out",
                       cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / SAMPLE_SLUG
    assert sha256(folder / sample.pdf.name) == sha256(sample.pdf)
    assert sha256(folder / sample.epub.name) == sha256(sample.epub)


# --------------------------------------------------------------------------- a failed build changes nothing

def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_failed_build_leaves_previous_outputs_untouched(tmp_path):
    content = copy_fixture("mini", tmp_path)
    out = tmp_path / "out"
    first = run_build(content / "mini-2020", "--out", out, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = snapshot(out)
    assert {"mini-2020/mini-press-mini-2020.pdf", "mini-2020/mini-press-mini-2020.epub"} <= set(before)

    article = content / "mini-2020" / "gs2" / "01-council-reform.md"
    article.write_text(article.read_text(encoding="utf-8").replace("::: note", "::: warning"), encoding="utf-8")
    failed = run_build(content / "mini-2020", "--out", out, cwd=tmp_path)
    assert failed.returncode == 1
    assert "unknown box '::: warning'" in failed.stderr
    assert snapshot(out) == before  # same files, same bytes, no temporary files left behind


# --------------------------------------------------------------------------- EPUB

def test_epub_passes_epubcheck(sample):
    report = epubcheck(sample.epub)
    assert report.errors == [] and report.warnings == [], str(report)


def test_mini_epub_with_table_figure_footnote_box_and_hindi_passes_epubcheck(mini_built):
    report = epubcheck(mini_built.epub)
    assert report.errors == [] and report.warnings == [], str(report)


def test_epub_has_no_serious_accessibility_violations(sample):
    report = ace(sample.epub)
    assert report.serious_or_critical == [], str(report)


def opf_and_nav(z: zipfile.ZipFile):
    container = ET.fromstring(z.read("META-INF/container.xml"))
    opf_path = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
    opf = ET.fromstring(z.read(opf_path))
    ns = "{http://www.idpf.org/2007/opf}"
    base = PurePosixPath(opf_path).parent
    nav_href = next(i.get("href") for i in opf.iter(f"{ns}item") if "nav" in (i.get("properties") or "").split())
    nav_path = base / nav_href
    return opf, nav_path, ET.fromstring(z.read(str(nav_path)))


def toc_tree(nav) -> list[tuple[str, str, list]]:
    """[(label, href, children)] of the epub:type="toc" nav."""
    toc = next(n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "toc")

    def items(ol):
        out = []
        for li in ol.findall(f"{XHTML}li"):
            a = li.find(f"{XHTML}a")
            label = collapse("".join(a.itertext())) if a is not None else collapse("".join(li.find(f"{XHTML}span").itertext()))
            child = li.find(f"{XHTML}ol")
            out.append((label, a.get("href") if a is not None else None, items(child) if child is not None else []))
        return out

    return items(toc.find(f"{XHTML}ol"))


def test_epub_nav_follows_the_edition_order(sample, source):
    _, _, sections = source
    with zipfile.ZipFile(sample.epub) as z:
        _, _, nav = opf_and_nav(z)
    tree = toc_tree(nav)
    got = [(label, [c[0] for c in children]) for label, _, children in tree if children]
    assert got == [(s.title, [a.title for a in s.articles]) for s in sections]


def test_epub_has_one_document_per_article(sample, source):
    _, _, sections = source
    with zipfile.ZipFile(sample.epub) as z:
        _, nav_path, nav = opf_and_nav(z)
        hrefs = [c[1] for _, _, children in toc_tree(nav) for c in children]
        files = [str(nav_path.parent / h.split("#")[0]) for h in hrefs]
        assert len(set(files)) == len(articles_of(sections)), f"article documents: {files}"
        for name, article in zip(files, articles_of(sections)):
            doc = ET.fromstring(z.read(name))
            headings = [collapse("".join(h.itertext())) for h in doc.iter(f"{XHTML}h1")]
            assert any(article.title in h for h in headings), f"{name} has no heading {article.title!r}: {headings}"
            others = [a.title for a in articles_of(sections) if a is not article]
            assert not any(t in h for h in headings for t in others), f"{name} holds more than one article"


def test_epub_zip_is_well_formed_and_timestamps_are_fixed(sample, source):
    _, meta, _ = source
    with zipfile.ZipFile(sample.epub) as z:
        infos = z.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert infos[0].extra == b""
        assert z.read("mimetype") == b"application/epub+zip"
        stamps = {i.date_time for i in infos}
        assert len(stamps) == 1, f"entries have different timestamps: {stamps}"
        published = tuple(int(x) for x in str(meta["published"]).split("-"))
        assert stamps.pop()[:3] == published
    # The local header of mimetype is at offset 0 and names it (readers sniff the first bytes).
    assert sample.epub.read_bytes()[30:38] == b"mimetype"


def test_epub_declares_language_and_marks_hindi(mini_built):
    with zipfile.ZipFile(mini_built.epub) as z:
        opf, _, _ = opf_and_nav(z)
        lang = opf.find(".//{http://purl.org/dc/elements/1.1/}language")
        assert lang is not None and lang.text == "en"
        documents = [z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml")]
    hindi = [d for d in documents if "गंगा" in d]
    assert hindi, "the Hindi paragraph is missing from the EPUB"
    assert re.search(r'<p lang="hi" xml:lang="hi">गंगा', hindi[0])


def test_every_line_of_a_hindi_editions_cover_is_drawn_in_a_font_that_has_its_letters():
    """The Hindi sample's brand name, tagline and slogan are in Latin letters; the Devanagari fonts have none."""
    from pressroom.paths import FONTS
    from pressroom.stages import epub, read

    edition = read.read_edition(ROOT / "content" / "2020-02-feb-march-hi")
    brand, meta = edition.brand, edition.meta
    lines = [(brand.name, "sans"), (brand.tagline, "serif"), (meta.title, "sans"), (meta.prelims_label, "sans"),
             (brand.slogan, "sans")]
    missing = {}
    for text, kind in lines:
        cmap = TTFont(epub.cover_font(text, FONTS, kind)).getBestCmap()
        absent = sorted({c for c in text if not c.isspace() and ord(c) not in cmap})
        if absent:
            missing[text] = absent
    assert missing == {}


def _shaped(font_data: bytes, text: str) -> list[tuple[int, int, int]]:
    import uharfbuzz as hb

    font = hb.Font(hb.Face(hb.Blob(font_data)))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    return [(p.x_advance, p.x_offset, p.y_offset) for p in buffer.glyph_positions]


def test_epub_fonts_shape_the_book_as_the_shipped_fonts_do(mini_built):
    # A subset that dropped a glyph reachable only through a shaping feature (a Devanagari conjunct,
    # a matra, a ligature) shows a reader a box or a broken word; the positions would differ.
    with zipfile.ZipFile(mini_built.epub) as z:
        fonts = {Path(n).stem: z.read(n) for n in z.namelist() if n.endswith(".ttf")}
        text = " ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8"))
                        for n in z.namelist() if n.endswith(".xhtml"))
    lines = sorted({line.strip() for line in re.split(r"\s{2,}|\n", html.unescape(text)) if line.strip()})
    assert any("गंगा" in line for line in lines) and len(fonts) == 9
    for name, data in fonts.items():
        shipped = (ROOT / "styles" / "fonts" / f"{name}.ttf").read_bytes()
        different = [line for line in lines if _shaped(data, line) != _shaped(shipped, line)]
        assert not different, f"{name}: {len(different)} line(s) shape differently, e.g. {different[0]!r}"


def test_every_epub_font_stack_draws_devanagari_from_a_font_in_the_book(mini_built):
    # A stack of "Noto Sans", sans-serif sets Hindi tags, tables and captions in whatever the reader
    # has, and on an e-reader without a Devanagari font in nothing at all.
    with zipfile.ZipFile(mini_built.epub) as z:
        css = z.read(next(n for n in z.namelist() if n.endswith(".css"))).decode("utf-8")
        files = set(z.namelist())
    faces = {}
    for family, rules, url in re.findall(r'@font-face\s*{\s*font-family:\s*"([^"]+)";([^}]*)src:\s*url\(([^)]+)\)', css):
        weight = "bold" if "bold" in rules else "normal"
        faces.setdefault(family, set()).add(weight)
        assert any(name.endswith(url) for name in files), f"{url} is not in the EPUB"
    stacks = re.findall(r"([^{}]+){[^}]*font-family:\s*([^;}]+)", re.sub(r"@font-face\s*{[^}]*}", "", css))
    assert stacks
    for selector, stack in stacks:
        families = re.findall(r'"([^"]+)"', stack)
        devanagari = [f for f in families if "Devanagari" in f]
        assert devanagari, f"{selector.strip()}: {stack.strip()} has no Devanagari face"
        assert faces.get(devanagari[0]) >= {"normal", "bold"}, f"{devanagari[0]} lacks a weight the book uses"
