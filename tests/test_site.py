"""The library site, `build.py site`: its files, pages, catalogue and search index, what it never
publishes, and runs that are identical, incremental, or stopped by an error.

The sample site (both sample editions) is built once per session; tests that change
content build a private two-edition copy of the mini fixture.  The browser checks are in
test_site_browser.py.
"""

from __future__ import annotations

import gzip
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cbor2
import pytest
from conftest import ROOT
from lxml import etree, html
from sitekit import build_site, local_targets, mtimes, require_site, site_files

from pressroom.site import search
from pressroom.stages import epub

SCHEMA = Path(__file__).resolve().parent / "opds-schema"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
SLUGS = ("2020-02-feb-march", "2020-02-feb-march-hi")
# The only kinds of file a public site may hold; written here, not taken from the code under test.
PUBLIC = [re.compile(p) for p in (
    r"index\.html", r"favicon\.ico", r"assets/site\.css", r"assets/search\.js", r"assets/fonts/Noto\w+-\w+\.woff2",
    r"opds/[a-z0-9-]+\.xml", r"(?P<s>[a-z0-9-]+)/index\.html", r"[a-z0-9-]+/art-[a-z0-9-]+\.html",
    r"[a-z0-9-]+/(cover|thumbnail)\.jpg", r"[a-z0-9-]+/images/[a-z0-9-]+\.(png|jpg|svg)",
    r"(?P<slug>[a-z0-9-]+)/(aspire-ias|mini-press)-(?P=slug)\.(pdf|epub)",
    r"pagefind/[\w./-]+\.(js|css|json|pf_meta|pf_index|pf_fragment|pf_filter|pagefind)",
)]


def articles_of(content: Path, slug: str) -> list[str]:
    return sorted(f"{slug}/art-{p.stem.split('-', 1)[1]}.html" for p in (content / slug).glob("*/*.md"))


def epub_identifier(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    unique = opf.get("unique-identifier")
    return next(n.text for n in opf.iter("{http://purl.org/dc/elements/1.1/}identifier") if n.get("id") == unique)


# --------------------------------------------------------------------------- files and pages

def test_the_site_holds_every_page_and_nothing_but_public_kinds_of_file(sample_site):
    files = site_files(sample_site.site)
    strays = [name for name in files if not any(p.fullmatch(name) for p in PUBLIC)]
    assert strays == []
    pages = sorted(name for name in files if name.endswith(".html"))
    expected = ["index.html"] + sorted(f"{s}/index.html" for s in SLUGS)
    expected += [page for s in SLUGS for page in articles_of(ROOT / "content", s)]
    assert pages == sorted(expected)
    for slug in SLUGS:
        for kind in ("pdf", "epub"):
            name = f"aspire-ias-{slug}.{kind}"
            assert files[f"{slug}/{name}"] == (sample_site.out / slug / name).read_bytes()
    assert not any(name.endswith(("build-report.json", ".csv")) or "copies/" in name or "proofs/" in name
                   for name in files)


def test_every_link_and_source_of_every_page_is_a_file_of_the_site(sample_site):
    site = sample_site.site.resolve()
    missing, checked = [], 0
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        for ref, target in local_targets(page, site):
            checked += 1
            if not target.is_relative_to(site) or not target.is_file():
                missing.append(f"{page.relative_to(site)}: {ref}")
    assert missing == []
    assert checked >= 6 * len(pages)  # icon, stylesheet, catalogue, masthead and footer links on every page


def test_the_library_page_lists_every_edition_newest_first_with_its_facts(sample_site):
    page = html.parse(str(sample_site.site / "index.html")).getroot()
    books = page.cssselect(".shelf > li")
    assert [b.cssselect("h3 a")[0].get("href") for b in books] == [f"{s}/index.html" for s in SLUGS]
    english, hindi = books
    assert english.cssselect("h3")[0].text_content() == "Feb-March 2020"
    assert english.cssselect(".label")[0].text_content() == "Feb-PT 2020"
    report = json.loads((sample_site.out / SLUGS[0] / "build-report.json").read_text(encoding="utf-8"))
    assert english.cssselect(".facts")[0].text_content() == f"March 2020 · {report['pages']} pages · 13 articles"
    pdf = sample_site.out / SLUGS[0] / f"aspire-ias-{SLUGS[0]}.pdf"
    downloads = [(a.get("href"), a.text_content()) for a in english.cssselect(".downloads a")]
    assert downloads[0] == (f"{SLUGS[0]}/{pdf.name}", f"PDF, {pdf.stat().st_size / 1e6:.1f} MB")
    assert downloads[1][0].endswith(".epub")
    assert english.cssselect("img.thumb")[0].get("src") == f"{SLUGS[0]}/thumbnail.jpg"
    assert hindi.cssselect("h3")[0].get("lang") == "hi"
    assert hindi.cssselect("h3")[0].text_content() == "फ़रवरी-मार्च 2020"
    hindi_report = json.loads((sample_site.out / SLUGS[1] / "build-report.json").read_text(encoding="utf-8"))
    assert f"February 2020 · {hindi_report['pages']} pages · 3 articles" in hindi.cssselect(".facts")[0].text_content()
    assert "9999801394" in page.cssselect(".site-foot")[0].text_content()  # contacts from brand.yaml


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_an_article_page_has_the_epubs_text_and_its_questions_notes_and_neighbours(sample_site):
    slug = SLUGS[0]
    page = html.parse(str(sample_site.site / slug / "art-union-budget-2020-21.html")).getroot()
    article = page.cssselect("article")[0]
    questions = article.cssselect("section.questions")[0]
    with zipfile.ZipFile(sample_site.out / slug / f"aspire-ias-{slug}.epub") as book:
        chapter = etree.fromstring(book.read("EPUB/art-union-budget-2020-21.xhtml"))
    chapter_text = " ".join("".join(chapter.find(".//{http://www.w3.org/1999/xhtml}section").itertext()).split())
    questions.getparent().remove(questions)
    assert _text(article) == chapter_text
    # Footnotes linked both ways.
    refs = page.cssselect("a[role=doc-noteref]")
    backs = page.cssselect("a[role=doc-backlink]")
    assert len(refs) == len(backs) == 2
    for ref, back in zip(refs, backs):
        assert page.get_element_by_id(ref.get("href")[1:]) is not None
        assert back.get("href") == f"#{ref.get('id')}"
    # The table scrolls in a named, focusable region.
    region = page.cssselect("table")[0].getparent()
    assert (region.get("class"), region.get("role"), region.get("tabindex")) == ("table-scroll", "region", "0")
    assert region.get("aria-label")
    # Its prelims questions keep the edition's numbers; each answer waits behind <details>.
    article_md = (ROOT / "content" / slug / "gs3" / "02-union-budget-2020-21.md").read_text(encoding="utf-8")
    asked = article_md.count("\n    - q:")
    assert len(questions.cssselect("details > summary")) == asked > 0
    # Previous and next articles, in the edition's reading order, and the way back to its contents.
    assert page.cssselect("a[rel=prev]")[0].get("href") == "art-economic-survey-wealth-creation.html"
    assert page.cssselect("a[rel=next]")[0].get("href") == "art-yes-bank-reconstruction.html"
    assert page.cssselect(".pager .up a")[0].get("href") == "index.html"
    assert page.get("lang") == "en"


def test_a_hindi_article_page_speaks_hindi(sample_site):
    page = html.parse(str(sample_site.site / SLUGS[1] / "art-tiddi-dal-ka-hamla.html")).getroot()
    assert page.get("lang") == "hi"
    assert page.cssselect("h1")[0].text_content() == "पश्चिमी भारत में टिड्डी दलों का हमला"
    assert page.cssselect(".questions h2")[0].text_content() == "अभ्यास प्रश्न"
    assert page.cssselect(".pager .up a")[0].text_content() == "इस संस्करण की विषय-सूची"


def test_an_edition_page_gives_its_contents_section_by_section(sample_site):
    page = html.parse(str(sample_site.site / SLUGS[0] / "index.html")).getroot()
    groups = page.cssselect("section.group")
    assert [g.cssselect("h3")[0].text_content() for g in groups][:2] == [
        "GS-I: Indian Heritage and Culture, History and Geography of the World and Society",
        "GS-II: Governance, Constitution, Polity, Social Justice and International Relations"]
    links = [a.get("href") for g in groups for a in g.cssselect("a")]
    assert sorted(links) == sorted(f"../{p}" for p in articles_of(ROOT / "content", SLUGS[0]))
    assert page.cssselect("img.cover")[0].get("alt") == "Cover of Feb-March 2020 (Feb-PT 2020)"


# --------------------------------------------------------------------------- the OPDS catalogue

@pytest.fixture(scope="module")
def opds_schema():
    return etree.RelaxNG(etree.parse(str(SCHEMA / "opds.rng")))


def schematron_rules(feed) -> list[str]:
    """The rules atom.rnc states in Schematron, which RELAX NG validators (lxml, jing) do not run."""
    broken = []
    entries = feed.findall(f"{ATOM}entry")
    if feed.find(f"{ATOM}author") is None and any(e.find(f"{ATOM}author") is None for e in entries):
        broken.append("an atom:feed must have an atom:author unless all of its atom:entry children have one")
    for entry in entries:
        links = entry.findall(f"{ATOM}link")
        if not (any(link.get("rel") in (None, "alternate") for link in links) or entry.find(f"{ATOM}content")
                is not None):
            broken.append(f"entry {entry.findtext(f'{ATOM}title')}: no alternate link and no content")
        if entry.find(f"{ATOM}author") is None and feed.find(f"{ATOM}author") is None:
            broken.append(f"entry {entry.findtext(f'{ATOM}title')}: no author, and its feed has none")
    return broken


def feed_targets(feed_path: Path, site: Path, base_url: str | None = None) -> list[tuple[str, Path | None]]:
    """Every href of a feed and the site file it names (None when it names none)."""
    out = []
    for link in etree.parse(str(feed_path)).iter(f"{ATOM}link"):
        href = link.get("href")
        if base_url:
            target = site / unquote(href[len(base_url):]) if href.startswith(base_url) else None
        else:
            parts = urlsplit(href)
            target = None if parts.scheme or parts.netloc else (feed_path.parent / unquote(parts.path)).resolve()
        out.append((href, target))
    return out


def check_catalogue(site: Path, schema, base_url: str | None = None) -> None:
    feeds = sorted((site / "opds").glob("*.xml"))
    assert feeds
    for path in feeds:
        document = etree.parse(str(path))
        assert schema.validate(document), f"{path.name}: {schema.error_log}"
        assert schematron_rules(document.getroot()) == [], path.name
        for href, target in feed_targets(path, site, base_url):
            assert target is not None and target.is_file() and target.resolve().is_relative_to(site.resolve()), \
                f"{path.name}: {href} is not a file of the site"


def test_the_catalogue_validates_and_every_href_is_a_file_of_the_site(sample_site, opds_schema):
    check_catalogue(sample_site.site, opds_schema)
    root = etree.parse(str(sample_site.site / "opds" / "index.xml")).getroot()
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["All editions", "Compilations", "By month"]
    assert [e.find(f"{ATOM}link").get("type") for e in entries] == [ACQUISITION, ACQUISITION, NAVIGATION]


def test_each_publication_entry_is_the_epub_it_offers(sample_site):
    feed = etree.parse(str(sample_site.site / "opds" / "editions.xml")).getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{DC}issued") for e in entries] == ["2020-03-01", "2020-02-29"]
    for entry, slug in zip(entries, SLUGS):
        book = sample_site.out / slug / f"aspire-ias-{slug}.epub"
        identifier = entry.findtext(f"{DC}identifier")
        assert identifier == epub_identifier(book) == epub.book_identifier("ASPIRE IAS", slug)
        assert entry.findtext(f"{DC}language") == ("hi" if slug.endswith("-hi") else "en")
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == "ASPIRE IAS"
        assert entry.findtext(f"{ATOM}summary")
        links = {(link.get("rel"), link.get("type")): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert links[("http://opds-spec.org/acquisition", "application/epub+zip")] == f"../{slug}/{book.name}"
        assert links[("http://opds-spec.org/acquisition", "application/pdf")] == f"../{slug}/{book.stem}.pdf"
        assert links[("http://opds-spec.org/image", "image/jpeg")] == f"../{slug}/cover.jpg"
        assert links[("http://opds-spec.org/image/thumbnail", "image/jpeg")] == f"../{slug}/thumbnail.jpg"


def test_the_schema_fix_is_what_lets_the_catalogue_validate(sample_site, opds_schema):
    """opds.rnc 1.1/1.2 lost three backslashes in atomUri; with them back the feeds pass, without them they fail."""
    fixed = (SCHEMA / "opds.rng").read_text(encoding="utf-8")
    assert fixed.count(r'.*[ &lt;&gt;{}|^`"\\\n\r\t].*') == 1
    broken = fixed.replace(r'.*[ &lt;&gt;{}|^`"\\\n\r\t].*', r'.*[ &lt;&gt;{}|^`"\nrt].*')
    tree = etree.fromstring(broken.encode("utf-8"), base_url=str(SCHEMA / "opds.rng"))
    as_published = etree.RelaxNG(etree.ElementTree(tree))
    feed = etree.parse(str(sample_site.site / "opds" / "editions.xml"))
    assert opds_schema.validate(feed)
    assert not as_published.validate(feed)


def test_the_schema_rejects_a_feed_without_an_id(sample_site, opds_schema):
    feed = etree.parse(str(sample_site.site / "opds" / "editions.xml"))
    root = feed.getroot()
    root.remove(root.find(f"{ATOM}id"))
    assert not opds_schema.validate(feed)


def test_with_a_base_url_the_catalogue_links_are_absolute(library, tmp_path, opds_schema):
    built = require_site(build_site(library, tmp_path / "out", tmp_path, "--base-url", "https://example.org/lib"))
    check_catalogue(built.site, opds_schema, "https://example.org/lib/")
    hrefs = [href for feed in (built.site / "opds").glob("*.xml") for href, _ in
             feed_targets(feed, built.site, "https://example.org/lib/")]
    assert hrefs and all(h.startswith("https://example.org/lib/") for h in hrefs)
    assert "https://example.org/lib/mini-2020-04/mini-press-mini-2020-04.epub" in hrefs


# --------------------------------------------------------------------------- the search index

def _pagefind_file(value) -> bytes:
    return gzip.compress(search.SIGNATURE + cbor2.dumps(value), mtime=0)


def _pagefind_output(order: list) -> dict[str, bytes]:
    """Pagefind's files for one filter whose values come in `order`, named as Pagefind names them."""
    return {
        "pagefind-entry.json": b'{"version":"1.5.2","languages":{"en":{"hash":"en_0123456789","wasm":"en",'
                               b'"page_count":3}}}',
        "pagefind.en_0123456789.pf_meta": _pagefind_file(["1.5.2", [["en_aaaaaaa", 5]], [], [["edition", "en_1111111"]],
                                                          [], ["title"]]),
        "filter/en_1111111.pf_filter": _pagefind_file(["edition", order]),
        "fragment/en_aaaaaaa.pf_fragment": b"unchanged",
    }


def test_the_search_index_is_the_same_whatever_order_pagefind_wrote_a_filter_in():
    one = search.stable(_pagefind_output([["May", [2]], ["April", [0, 1]]]))
    other = search.stable(_pagefind_output([["April", [0, 1]], ["May", [2]]]))
    assert one == other
    (name,) = [n for n in one if n.startswith("filter/")]
    raw = gzip.decompress(one[name])
    assert cbor2.loads(raw[len(search.SIGNATURE):]) == ["edition", [["April", [0, 1]], ["May", [2]]]]
    entry = json.loads(one["pagefind-entry.json"])
    meta = gzip.decompress(one[f"pagefind.{entry['languages']['en']['hash']}.pf_meta"])
    assert cbor2.loads(meta[len(search.SIGNATURE):])[3] == [["edition", name.removeprefix("filter/").removesuffix(
        ".pf_filter")]]
    assert one["fragment/en_aaaaaaa.pf_fragment"] == b"unchanged"


def test_only_article_pages_are_indexed_with_their_edition_and_section(sample_site):
    fragments = sorted((sample_site.site / "pagefind" / "fragment").glob("*.pf_fragment"))
    pages = []
    for path in fragments:
        raw = gzip.decompress(path.read_bytes())
        pages.append(json.loads(raw[len(search.SIGNATURE):]))
    urls = sorted(p["url"] for p in pages)
    assert urls == sorted(f"/{p}" for s in SLUGS for p in articles_of(ROOT / "content", s))
    locust = next(p for p in pages if p["url"].endswith("art-tiddi-dal-ka-hamla.html"))
    assert locust["filters"] == {"edition": ["फ़रवरी-मार्च 2020 (फ़रवरी-पीटी 2020)"], "section": ["जीएस-III"]}


# --------------------------------------------------------------------------- nothing private

def test_copies_ledgers_proofs_reports_and_strays_never_reach_the_site(library, tmp_path):
    out = tmp_path / "out"
    first = require_site(build_site(library, out, tmp_path))
    before = site_files(first.site)
    edition = out / "mini-2020"
    planted = {"copies/S001.pdf": b"%PDF- a student's copy", "ledger.csv": b"student_id,name\nS001,Asha\n",
               "proofs/page-001.png": b"png", "mini-press-mini-2020-quiz.pdf": b"%PDF- quiz",
               "mini-press-mini-2020-answers.pdf": b"%PDF- key", "notes.txt": b"private"}
    for name, data in planted.items():
        (edition / name).parent.mkdir(parents=True, exist_ok=True)
        (edition / name).write_bytes(data)
    strays = ["secret.txt", "mini-2020/build-report.json", "mini-2020/copies/S001.pdf", ".htpasswd"]
    for name in strays:
        (first.site / name).parent.mkdir(parents=True, exist_ok=True)
        (first.site / name).write_bytes(b"private")
    second = require_site(build_site(library, out, tmp_path))
    assert site_files(second.site) == before
    assert "4 removed" in second.result.stdout


# --------------------------------------------------------------------------- deterministic and incremental

def test_two_runs_into_two_folders_give_the_same_files(library, tmp_path):
    one = require_site(build_site(library, tmp_path / "one", tmp_path))
    two = require_site(build_site(library, tmp_path / "two", tmp_path))
    first, second = site_files(one.site), site_files(two.site)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.endswith(".pf_filter") for name in first)


def test_a_run_with_nothing_changed_rewrites_nothing(library, tmp_path):
    out = tmp_path / "out"
    require_site(build_site(Path("mini"), Path("out"), tmp_path))  # as typed: folders relative to where it runs
    before = mtimes(out / "site")
    again = require_site(build_site(Path("mini"), Path("out"), tmp_path))
    assert mtimes(out / "site") == before
    assert again.result.stdout.splitlines()[-3].startswith(
        "site: 2 publications (none changed), 6 article pages, 0 file(s) written in ")


def test_a_change_to_one_edition_rewrites_its_pages_the_library_catalogue_and_index_only(library, tmp_path):
    out = tmp_path / "out"
    require_site(build_site(library, out, tmp_path))
    before = site_files(out / "site")
    times = mtimes(out / "site")
    article = library / "mini-2020-04" / "gs2" / "01-council-reform.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace('title: "Reforming the town council"', 'title: "Reforming the city council"'),
                       encoding="utf-8")
    again = require_site(build_site(library, out, tmp_path))
    after = site_files(out / "site")
    rewritten = sorted(n for n in after if n not in before or mtimes(out / "site")[n] != times.get(n))
    assert rewritten, again.result.stdout
    outside = [n for n in rewritten if not n.startswith(("mini-2020-04/", "pagefind/", "opds/", "index.html"))]
    assert outside == []
    assert "mini-2020-04/art-council-reform.html" in rewritten
    assert "mini-2020-04/index.html" in rewritten  # its contents show the new title
    assert any(n.startswith("pagefind/") for n in rewritten)
    assert "(1 made)" in again.result.stdout
    unchanged_edition = [n for n in after if n.startswith("mini-2020/")]
    assert unchanged_edition and all(after[n] == before[n] for n in unchanged_edition)
    assert b"Reforming the city council" in after["mini-2020-04/art-council-reform.html"]


def test_a_garbled_state_file_only_means_the_site_is_made_anew(library, tmp_path):
    out = tmp_path / "out"
    require_site(build_site(library, out, tmp_path))
    before = site_files(out / "site")
    state = out / ".cache" / "site" / "state.json"
    state.write_text(json.dumps({"format": 1, "publications": {"mini-2020": {"key": 5, "files": "x", "record": []}},
                                 "parts": {"fonts": {"key": None, "files": [1, 2]}}, "hashes": {"a": 1}}),
                     encoding="utf-8")
    again = require_site(build_site(library, out, tmp_path))
    assert again.result.stderr == ""
    assert site_files(out / "site") == before


# --------------------------------------------------------------------------- errors

def test_a_content_error_stops_the_site_before_it_is_written(library, tmp_path):
    article = library / "mini-2020-04" / "gs2" / "01-council-reform.md"
    article.write_text(article.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    built = build_site(library, tmp_path / "out", tmp_path)
    assert built.result.returncode == 1
    lines = built.result.stderr.splitlines()
    assert "mini/mini-2020-04/gs2/01-council-reform.md:2: error: missing required key 'title'" in lines
    assert lines[-1] == "site: a publication did not build (see above); the site was not written"
    assert not (tmp_path / "out" / "site").exists()


def test_a_publication_cannot_take_the_name_of_a_folder_of_the_site(library, tmp_path):
    (library / "mini-2020-04").rename(library / "opds")
    built = build_site(library, tmp_path / "out", tmp_path)
    assert built.result.returncode == 1
    assert built.result.stderr.splitlines() == [
        ("mini/opds/edition.yaml:1: error: a publication cannot be named 'opds': the site keeps its own files in "
         "opds/; rename the folder"),
        "site: 1 error(s); the site was not written"]


def test_a_base_url_that_is_not_a_web_folder_is_a_usage_error(library, tmp_path):
    built = build_site(library, tmp_path / "out", tmp_path, "--base-url", "example.org/lib")
    assert built.result.returncode == 2
    assert built.result.stderr.splitlines()[-1] == (
        "build.py site: error: argument --base-url: 'example.org/lib' is not the address of a folder on the web, "
        "such as https://example.org/library/")


def test_the_brands_logo_heads_every_page_and_makes_the_favicon(library, tmp_path):
    from PIL import Image

    Image.new("RGB", (64, 32), "#2E6B3A").save(library / "logo.png")
    with (library / "brand.yaml").open("a", encoding="utf-8") as brand:
        brand.write('logo: "logo.png"\n')
    built = require_site(build_site(library, tmp_path / "out", tmp_path))
    assert (built.site / "assets" / "logo.png").read_bytes() == (library / "logo.png").read_bytes()
    for page in ("index.html", "mini-2020/index.html", "mini-2020/art-council-reform.html"):
        masthead = html.parse(str(built.site / page)).getroot().cssselect(".masthead .brand img")
        assert masthead and (built.site / page).parent.joinpath(masthead[0].get("src")).resolve() == \
            (built.site / "assets" / "logo.png").resolve()
    with Image.open(built.site / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert icon.convert("RGB").getpixel((icon.width // 2, icon.height // 2)) == (0x2E, 0x6B, 0x3A)


def test_an_svg_logo_with_a_script_stays_off_the_web(library, tmp_path):
    (library / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                      '<rect width="8" height="8"/></svg>', encoding="utf-8")
    with (library / "brand.yaml").open("a", encoding="utf-8") as brand:
        brand.write('logo: "logo.svg"\n')
    built = build_site(library, tmp_path / "out", tmp_path)
    assert built.result.returncode == 1
    # Since issue 11 every picture passes the same rules for the PDF, the EPUB and the web: the edition's
    # build refuses the logo at its line in brand.yaml, before the site is made.
    line = len((library / "brand.yaml").read_text(encoding="utf-8").splitlines())
    refused = (f"mini/brand.yaml:{line}: error: logo 'logo.svg' cannot be used: it has a <script> element; "
               "scripts, foreignObject, animation and HTML are not allowed")
    *editions, last = built.result.stderr.splitlines()
    assert refused in editions and last == "site: a publication did not build (see above); the site was not written"
    assert all(e == refused or e.endswith(": 1 error(s); nothing was written") for e in editions), editions
    assert not (tmp_path / "out" / "site").exists()


# --------------------------------------------------------------------------- compilations

COMPILATION = """title: "Mini PT 365"
prelims_label: "Prelims 2020"
language: en
published: 2020-05-01
cover:
  headline: "Every story of the spring"
"""


def test_a_compilation_is_published_from_its_outputs(library, tmp_path, opds_schema):
    """Compilations (issue 15) build like editions into <out>/<slug>/; the site takes their title, date and
    label from compilation.yaml and the rest from the build's outputs. Until that builder exists, the
    outputs are an edition's, renamed."""
    from pressroom.site.publish import Settings, Site
    from pressroom.site.sources import built, discover
    from pressroom.stages import schema
    from pressroom.stages.yamlsource import load_yaml_file

    out = tmp_path / "out"
    require_site(build_site(library, out, tmp_path))
    folder = library / "compilations" / "mini-pt-2020"
    folder.mkdir(parents=True)
    (folder / "compilation.yaml").write_text(COMPILATION, encoding="utf-8")
    target = out / "mini-pt-2020"
    target.mkdir()
    for kind in ("pdf", "epub"):
        (target / f"mini-press-mini-pt-2020.{kind}").write_bytes((out / "mini-2020" / f"mini-press-mini-2020.{kind}")
                                                                  .read_bytes())
    report = json.loads((out / "mini-2020" / "build-report.json").read_text(encoding="utf-8"))
    report["artefacts"] = {k: str(target / f"mini-press-mini-pt-2020.{k}") for k in ("pdf", "epub")}
    (target / "build-report.json").write_text(json.dumps(report), encoding="utf-8")

    sources, problems = discover(library)
    assert problems == [] and [s.build_name for s in sources][-1] == "compilations/mini-pt-2020"
    brand = schema.validate(schema.Brand, load_yaml_file(library / "brand.yaml")[0], library / "brand.yaml")[0]
    outcome = Site(Settings(library, out, None), brand).publish([(s, built(s, out)[0]) for s in sources])
    assert outcome.made == ("mini-pt-2020",)

    site = out / "site"
    shelf = html.parse(str(site / "index.html")).getroot().cssselect(".shelf > li")
    assert [b.cssselect("h3")[0].text_content() for b in shelf] == ["Mini PT 365", "Mini April 2020",
                                                                     "Mini March 2020"]
    assert shelf[0].cssselect(".badge")[0].text_content() == "Compilation"
    page = html.parse(str(site / "mini-pt-2020" / "index.html")).getroot()
    assert [g.cssselect("h3")[0].text_content() for g in page.cssselect("section.group")] == [
        "GS-I: Heritage and Geography", "GS-II: Polity and Governance"]
    assert "River towns of the Vaigai" in page.cssselect("section.group")[0].text_content()
    check_catalogue(site, opds_schema)
    entries = etree.parse(str(site / "opds" / "compilations.xml")).getroot().findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}title"), e.findtext(f"{DC}issued")) for e in entries] == [
        ("Mini PT 365 (Prelims 2020)", "2020-05-01")]

    # With the report issue 15's build writes, each article links to its page in its own edition.
    report["compilation"] = {"group_by": "section", "editions": [{"slug": "mini-2020-04", "title": "Mini April 2020"}],
                             "articles": [{"edition": "mini-2020-04", "file": "gs2/01-council-reform.md",
                                           "title": "Reforming the town council", "group": "GS-II: Polity"}]}
    (target / "build-report.json").write_text(json.dumps(report), encoding="utf-8")
    outcome = Site(Settings(library, out, None), brand).publish([(s, built(s, out)[0]) for s in sources])
    assert outcome.made == ("mini-pt-2020",)
    page = html.parse(str(site / "mini-pt-2020" / "index.html")).getroot()
    groups = page.cssselect("section.group")
    assert [g.cssselect("h3")[0].text_content() for g in groups] == ["GS-II: Polity"]
    link = groups[0].cssselect("a")[0]
    assert (link.get("href"), link.text_content()) == ("../mini-2020-04/art-council-reform.html",
                                                       "Reforming the town council")
    assert groups[0].cssselect(".kicker")[0].text_content() == "Mini April 2020"
    assert (site / "mini-2020-04" / "art-council-reform.html").is_file()


@pytest.mark.parametrize("svg, refused", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'onload="alert(1)"'),
    (('<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
      '<image x:href="https://tracker.example/p.png"/></svg>'), 'href="https://tracker.example/p.png"'),
    ('<!DOCTYPE svg [<!ENTITY e SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>',
     "declares entities"),
    (('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
      '<svg xmlns="http://www.w3.org/2000/svg"><circle r="2"/></svg>'), None),
])
def test_an_svg_on_the_site_may_only_draw(svg, refused):
    from pressroom.site import assets

    if refused is None:
        assets.check_svg(svg.encode())  # an external DTD is named, never fetched
    else:
        with pytest.raises(assets.AssetError, match=re.escape(refused)):
            assets.check_svg(svg.encode())


def test_an_mcqs_statements_and_question_are_on_its_article_page(sample_site):
    """A UPSC 'Consider the following statements' MCQ keeps every statement, one to a line, and its question."""
    from pressroom.stages import read

    article = read.read_article(ROOT / "content" / SLUGS[0] / "gs2" / "01-china-facial-recognition.md", "gs2",
                                "china-facial-recognition")[0]
    question = next(q for q in article.meta.questions.prelims if q.statements)
    page = html.parse(str(sample_site.site / SLUGS[0] / "art-china-facial-recognition.html")).getroot()
    listed = [_text(li) for li in page.cssselect(".mcq ol.statements li")]
    plain = [" ".join(s.replace("'", "’").split()) for s in question.statements]
    assert [" ".join(s.replace("'", "’").split()) for s in listed[:len(plain)]] == plain
    assert page.cssselect(".mcq .ask") and question.ask
