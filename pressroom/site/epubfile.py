"""What the site takes from a built EPUB: its identifier, cover, images and table of contents.

The build already made these once (the cover drawn from the brand, images scaled for
phones, the identifier an e-reader files the book under); the site reuses them, so the
web and the e-reader show the same book.  The file is read as untrusted input: every
entry's size is checked before it is decompressed, and XML is parsed without entities,
DTDs or network.
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MAX_ENTRY = 40 * 1024 * 1024  # one image or page; the build warns long before an EPUB gets near this
MAX_XML = 4 * 1024 * 1024
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class EpubError(Exception):
    """The EPUB cannot be read as the site needs it."""


@dataclass(frozen=True)
class NavEntry:
    title: str
    href: str  # as written in the nav, relative to the package
    children: tuple[NavEntry, ...] = ()


class EpubFile:
    def __init__(self, path: Path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise EpubError(f"cannot read the EPUB: {exc}") from None
        root = self._xml("META-INF/container.xml").find(f".//{{{CONTAINER_NS}}}rootfile")
        if root is None or not root.get("full-path"):
            raise EpubError("META-INF/container.xml names no package file")
        self.package_path = root.get("full-path")
        self.package_dir = posixpath.dirname(self.package_path)
        self.package = self._xml(self.package_path)

    def __enter__(self) -> EpubFile:
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def read(self, name: str, limit: int = MAX_ENTRY) -> bytes:
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise EpubError(f"the EPUB has no {name}") from None
        if info.file_size > limit:
            raise EpubError(f"{name} in the EPUB is {info.file_size} bytes, over the {limit} the site reads")
        return self.zip.read(info)

    def _xml(self, name: str):
        try:
            return etree.fromstring(self.read(name, MAX_XML), PARSER)
        except etree.XMLSyntaxError as exc:
            raise EpubError(f"{name} in the EPUB is not well-formed XML: {exc}") from None

    def resource(self, href: str) -> bytes:
        """A file named relative to the package document, never outside the book."""
        name = posixpath.normpath(posixpath.join(self.package_dir, href.split("#")[0]))
        if name.startswith(("../", "/")) or name == "..":
            raise EpubError(f"'{href}' points outside the EPUB")
        return self.read(name)

    def identifier(self) -> str:
        """The dc:identifier the package names as its unique identifier."""
        wanted = self.package.get("unique-identifier")
        for node in self.package.iter(f"{{{DC_NS}}}identifier"):
            if node.get("id") == wanted and (node.text or "").strip():
                return node.text.strip()
        raise EpubError("the package names no unique identifier")

    def _manifest(self):
        return self.package.iter(f"{{{OPF_NS}}}item")

    def cover_href(self) -> str | None:
        for item in self._manifest():
            if "cover-image" in (item.get("properties") or "").split():
                return item.get("href")
        return None

    def nav(self) -> tuple[NavEntry, ...]:
        """The book's table of contents, from its EPUB 3 navigation document."""
        href = next((i.get("href") for i in self._manifest() if "nav" in (i.get("properties") or "").split()), None)
        if href is None:
            raise EpubError("the EPUB has no navigation document")
        name = posixpath.normpath(posixpath.join(self.package_dir, href))
        document = self._xml(name)
        for nav in document.iter(f"{{{XHTML_NS}}}nav"):
            if nav.get(f"{{{EPUB_NS}}}type") == "toc":
                top = nav.find(f"{{{XHTML_NS}}}ol")
                base = posixpath.dirname(href)
                return _entries(top, base) if top is not None else ()
        raise EpubError("the navigation document has no table of contents")


def _entries(ol, base: str) -> tuple[NavEntry, ...]:
    out = []
    for li in ol.findall(f"{{{XHTML_NS}}}li"):
        label = li.find(f"{{{XHTML_NS}}}a")
        if label is None:
            label = li.find(f"{{{XHTML_NS}}}span")
        if label is None:
            continue
        title = " ".join("".join(label.itertext()).split())
        href = posixpath.normpath(posixpath.join(base, label.get("href"))) if label.get("href") else ""
        sub = li.find(f"{{{XHTML_NS}}}ol")
        out.append(NavEntry(title, href, _entries(sub, base) if sub is not None else ()))
    return tuple(out)
