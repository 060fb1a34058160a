"""The preview that `watch` serves: built from the outputs, and the status shared with the server.

After each good build, `make_preview` turns the edition's outputs into
`<out>/<slug>/preview/`: every EPUB page as it is in the book (same XHTML, same
stylesheet and fonts), the PDF's pages as thumbnails, and an index page. The
server (editor/server.py) answers with that folder and the edition's own PDF and
EPUB only, on 127.0.0.1 only, plus two built-in addresses: `/__status` (the last
build's result, as JSON) and `/__reload.js`, which every preview page loads to
reload itself after a rebuild and to show the problems of a failed one.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pressroom.report import BuildReport

PREVIEW = "preview"
THUMB_HEIGHT = 360
OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}
# Polls rather than holding a connection open: the server stays simple and a stopped `watch` costs nothing.
RELOAD_JS = r"""// Pressroom preview: reload after each good rebuild; show the problems of a failed one.
(function () {
  var shown = Number(new URL(document.currentScript.src).searchParams.get("build") || 0);
  var box = null;
  function panel(s) {
    if (s.ok && !s.building) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "pressroom-status";
      box.setAttribute("role", "status");
      box.setAttribute("style", "position:fixed;left:0;right:0;bottom:0;max-height:45%;overflow:auto;z-index:9999;" +
        "margin:0;padding:0.8em 1.2em;font:14px/1.4 monospace;white-space:pre-wrap;" +
        (s.ok ? "background:#fff8e1;color:#333;border-top:3px solid #b45309" :
                "background:#fdecea;color:#5f0b0b;border-top:3px solid #b3261e"));
      document.body.appendChild(box);
    }
    box.textContent = "";
    var head = document.createElement("strong");
    head.textContent = s.building ? "Rebuilding\u2026" : s.message;
    box.appendChild(head);
    (s.ok ? [] : s.problems).forEach(function (p) {
      var line = document.createElement("div");
      line.textContent = p;
      box.appendChild(line);
    });
  }
  function poll() {
    fetch("/__status", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.built > 0 && s.built !== shown) { location.reload(); return; }
      panel(s);
      setTimeout(poll, 700);
    }).catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
"""


# --------------------------------------------------------------------------- status, shared with the server

@dataclass(frozen=True)
class Status:
    built: int = 0  # number of the last good build shown by the preview; 0 before the first
    ok: bool = True
    building: bool = False
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    message: str = ""  # the heading the preview page shows above the problems
    downloads: tuple[str, ...] = ()  # the edition's own PDF and EPUB (file names in its folder): served, not in JSON

    def as_json(self) -> bytes:
        return json.dumps({"built": self.built, "ok": self.ok, "building": self.building,
                           "problems": list(self.problems), "warnings": list(self.warnings),
                           "message": self.message}, ensure_ascii=False).encode("utf-8")


@dataclass
class StatusBoard:
    """The one mutable thing the watch loop and the server share; readers get an immutable snapshot."""

    current: Status = Status()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def update(self, **changes) -> Status:
        with self.lock:
            self.current = Status(**{**self.current.__dict__, **changes})
            return self.current


# --------------------------------------------------------------------------- building the preview folder

@dataclass(frozen=True)
class Page:
    href: str
    title: str


@dataclass(frozen=True)
class PreviewInfo:
    folder: Path
    documents: tuple[Page, ...]
    thumbnails: tuple[str, ...]


def make_preview(report: BuildReport, build_number: int, root: Path | None = None, draft: str = "") -> PreviewInfo:
    """Write `<root>/preview/` from a build report's outputs; replaces the previous preview whole.

    root defaults to the outputs' folder. A draft (outputs built elsewhere, from an
    incomplete edition) carries its own copies of the files, and `draft` says why.
    """
    artefacts = {kind: Path(path) for kind, path in report.artefacts.items()}
    root = root or next(iter(artefacts.values())).parent
    staging = root / f".{PREVIEW}-new-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        script = f'<script src="/__reload.js?build={build_number}"></script>'
        links = {kind: f"../{path.name}" for kind, path in artefacts.items()}
        if draft:
            (staging / "draft").mkdir()
            for kind, path in artefacts.items():
                shutil.copyfile(path, staging / "draft" / path.name)
                links[kind] = f"draft/{path.name}"
        documents = _unpack_epub(artefacts["epub"], staging / "book", script) if "epub" in artefacts else ()
        thumbnails = _thumbnails(artefacts["pdf"], staging / "pages") if "pdf" in artefacts else ()
        index = _index_html(report, artefacts, links, documents, thumbnails, script, draft)
        (staging / "index.html").write_text(index, encoding="utf-8")
        _swap(staging, root / PREVIEW)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PreviewInfo(root / PREVIEW, documents, thumbnails)


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".{PREVIEW}-old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _unpack_epub(epub: Path, dest: Path, script: str) -> tuple[Page, ...]:
    """The book's own pages, files and stylesheet; each page also loads the reload script."""
    with zipfile.ZipFile(epub) as book:
        container = book.read("META-INF/container.xml").decode("utf-8")
        opf_name = re.search(r'full-path="([^"]+)"', container).group(1)
        base = PurePosixPath(opf_name).parent
        for name in book.namelist():
            rel = PurePosixPath(name)
            if name.endswith("/") or rel.is_absolute() or ".." in rel.parts or base not in rel.parents:
                continue
            target = dest.joinpath(*rel.relative_to(base).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = book.read(name)
            if rel.suffix == ".xhtml":
                data = data.replace(b"</head>", script.encode() + b"</head>", 1)
            target.write_bytes(data)
        opf = ET.fromstring(book.read(opf_name))
    hrefs = {item.get("id"): item.get("href") for item in opf.iterfind("opf:manifest/opf:item", OPF_NS)}
    pages = []
    for ref in opf.iterfind("opf:spine/opf:itemref", OPF_NS):
        href = hrefs.get(ref.get("idref"))
        if href and (dest / href).is_file():
            title = re.search(rb"<title>(.*?)</title>", (dest / href).read_bytes(), re.S)
            pages.append(Page(href, html.unescape(title.group(1).decode("utf-8").strip()) if title else href))
    return tuple(pages)


def _thumbnails(pdf: Path, dest: Path) -> tuple[str, ...]:
    """PNG thumbnails of every page, with poppler's pdftoppm, else pypdfium2, else none."""
    dest.mkdir(parents=True)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-scale-to-y", str(THUMB_HEIGHT), "-scale-to-x", "-1", str(pdf),
                        str(dest / "page")], check=True, capture_output=True, timeout=120)
    else:
        try:
            import pypdfium2
        except ImportError:
            return ()
        document = pypdfium2.PdfDocument(str(pdf))
        for number, page in enumerate(document, 1):
            page.render(scale=THUMB_HEIGHT / page.get_height()).to_pil().save(dest / f"page-{number:02d}.png")
    # pdftoppm pads the numbers to the page count's width, so sort by number, not by name.
    found = sorted(dest.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return tuple(f"pages/{p.name}" for p in found)


def _index_html(report: BuildReport, artefacts: dict[str, Path], links: dict[str, str], documents, thumbnails,
                script: str, draft: str) -> str:
    e = html.escape
    pdf = links.get("pdf")
    downloads = "".join(
        f'<li><a href="{e(links[kind])}">{e(path.name)}</a> ({report.bytes.get(kind, 0) / 1e6:.2f} MB)</li>'
        for kind, path in artefacts.items())
    pages = "".join(f'<li><a href="book/{e(d.href)}">{e(d.title)}</a></li>' for d in documents)
    thumbs = "".join(
        f'<a class="thumb" href="{(e(pdf) + f"#page={n}") if pdf else e(src)}">'
        f'<img src="{e(src)}" alt="Page {n}" loading="lazy"/><span>{n}</span></a>'
        for n, src in enumerate(thumbnails, 1))
    counts = f'{report.pages or "-"} pages, {report.articles} articles, {report.words} words'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>Preview: {e(report.title or report.edition)}</title>
<style>
body {{ font-family: "Noto Sans", sans-serif; margin: 2rem; color: #1c1c1f; }}
h1 {{ margin-bottom: 0.2rem; }} .meta {{ color: #555; margin-top: 0; }}
.columns {{ display: flex; gap: 3rem; flex-wrap: wrap; }} .columns > section {{ flex: 1 1 20rem; }}
.pages {{ display: flex; flex-wrap: wrap; gap: 0.8rem; }}
.thumb {{ display: flex; flex-direction: column; align-items: center; text-decoration: none; color: #555; }}
.thumb img {{ height: 180px; border: 1px solid #ccc; box-shadow: 0 1px 3px #0002; }}
.draft {{ background: #fff8e1; border-left: 4px solid #b45309; padding: 0.6rem 1rem; }}
</style>{script}</head>
<body>
<h1>{e(report.title or report.edition)}</h1>
<p class="meta">{e(report.edition)}: {e(counts)}. This page reloads itself after every rebuild.</p>
{f'<p class="draft">{e(draft)}</p>' if draft else ""}
<div class="columns">
<section><h2>Pages as HTML (EPUB style)</h2><ol>{pages}</ol></section>
<section><h2>Downloads</h2><ul>{downloads}</ul></section>
</div>
<h2>PDF pages</h2>
<div class="pages">{thumbs or "<p>No thumbnails: install poppler-utils (pdftoppm).</p>"}</div>
</body></html>
"""


# --------------------------------------------------------------------------- the server's own pages

WAITING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>Preview</title><script src="/__reload.js?build=0"></script></head>
<body style="font-family: sans-serif; margin: 2rem"><h1>No preview yet</h1>
<p>The edition has not built yet. Fix the problems listed on this page (or in the terminal) and save:
this page reloads itself when the build succeeds.</p></body></html>
"""
