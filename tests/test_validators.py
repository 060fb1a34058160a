"""Tests for tests/validators.py on tiny hand-made EPUBs."""

from __future__ import annotations

import base64
import zipfile
from pathlib import Path

import pytest
from validators import ValidatorError, ace, epubcheck

CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" xml:lang="en">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:6f1c1c52-3b9e-4a63-9d55-2f0b8a1e0001</dc:identifier>
    {title}
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2025-01-01T00:00:00Z</meta>
    <meta property="schema:accessMode">textual</meta>
    <meta property="schema:accessModeSufficient">textual</meta>
    <meta property="schema:accessibilityFeature">structuralNavigation</meta>
    <meta property="schema:accessibilityFeature">tableOfContents</meta>
    <meta property="schema:accessibilityHazard">none</meta>
    <meta property="schema:accessibilitySummary">A short test document with headings and a table of contents.</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="ch1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>
    {extra_items}
  </manifest>
  <spine>
    <itemref idref="ch1"/>
  </spine>
</package>
"""

NAV = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
<head><title>Contents</title></head>
<body>
  <nav epub:type="toc" id="toc">
    <h1>Contents</h1>
    <ol><li><a href="chapter1.xhtml">Chapter 1</a></li></ol>
  </nav>
</body>
</html>
"""

CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
<head><title>Chapter 1</title></head>
<body>
  <main>
    <h1>Chapter 1</h1>
    <p>Hello, reader.</p>
    {extra_body}
  </main>
</body>
</html>
"""

# 1x1 transparent PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def make_epub(path: Path, *, broken: bool = False, image_without_alt: bool = False) -> Path:
    """Write a minimal EPUB 3.

    broken=True: mimetype compressed and not first, no dc:title, no dcterms:modified
    value, spine item pointing at a missing file — EPUBCheck must find errors.
    image_without_alt=True: still EPUBCheck-valid, but an <img> without alt (Ace: critical).
    """
    title = "" if broken else "<dc:title>Pressroom validator test</dc:title>"
    extra_items, extra_body = "", ""
    if image_without_alt:
        extra_items = '<item id="img" href="dot.png" media-type="image/png"/>'
        extra_body = '<p><img src="dot.png"/></p>'
    opf = OPF.format(title=title, extra_items=extra_items)
    if broken:
        opf = opf.replace("2025-01-01T00:00:00Z", "yesterday").replace(
            '<item id="ch1" href="chapter1.xhtml"', '<item id="ch1" href="missing.xhtml"')

    with zipfile.ZipFile(path, "w") as z:
        if not broken:  # must be first and STORED
            z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/package.opf", opf, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/nav.xhtml", NAV, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("EPUB/chapter1.xhtml", CHAPTER.format(extra_body=extra_body),
                   compress_type=zipfile.ZIP_DEFLATED)
        if image_without_alt:
            z.writestr("EPUB/dot.png", PNG, compress_type=zipfile.ZIP_STORED)
        if broken:
            z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_epubcheck_accepts_valid_epub(tmp_path):
    report = epubcheck(make_epub(tmp_path / "good.epub"))
    assert report.ok, str(report)
    assert report.errors == [] and report.warnings == []


def test_epubcheck_finds_errors_in_broken_epub(tmp_path):
    report = epubcheck(make_epub(tmp_path / "broken.epub", broken=True))
    assert not report.ok
    assert len(report.errors) >= 3, str(report)
    codes = {e.split()[0] for e in report.errors}
    assert "PKG-006" in codes or "PKG-007" in codes, codes  # mimetype entry problems
    assert all(": " in e for e in report.errors)


def test_epubcheck_missing_file_raises(tmp_path):
    with pytest.raises(ValidatorError):
        epubcheck(tmp_path / "nope.epub")


def test_ace_runs_on_valid_epub(tmp_path):
    report = ace(make_epub(tmp_path / "good.epub"))
    assert report.outcome in ("pass", "fail")
    assert report.version
    assert report.serious_or_critical == [], str(report)


def test_ace_reports_image_without_alt(tmp_path):
    epub = make_epub(tmp_path / "img.epub", image_without_alt=True)
    report = ace(epub)
    assert report.outcome == "fail"
    rules = {v.rule for v in report.serious_or_critical}
    assert "image-alt" in rules, str(report)
    impact, rule, location, description = next(v for v in report.violations if v.rule == "image-alt")
    assert impact == "critical" and "chapter1.xhtml" in location and description


def test_epubcheck_timeout_raises(tmp_path):
    with pytest.raises(ValidatorError, match="timed out"):
        epubcheck(make_epub(tmp_path / "good.epub"), timeout=0.05)


def test_ace_not_installed_raises(tmp_path, monkeypatch):
    import validators

    monkeypatch.setattr(validators, "ACE_BIN", tmp_path / "no-ace")
    with pytest.raises(ValidatorError, match="Ace is not installed"):
        ace(make_epub(tmp_path / "good.epub"))
