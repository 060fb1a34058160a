"""Shared fixtures and helpers of the library-site tests (`build.py site`).

`sample_site`: the sample content (English and Hindi editions) built once per session
into a temporary folder, site and all.  `library`: a private two-edition content folder
made from the mini fixture, for tests that change content.  `serve`: a folder on
127.0.0.1 with Python's http.server, as a student would try it.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import ROOT, copy_fixture, run_build

HREF = re.compile(r'\s(?:href|src)="([^"]*)"')


@dataclass(frozen=True)
class SiteBuild:
    out: Path
    result: object  # subprocess.CompletedProcess

    @property
    def site(self) -> Path:
        return self.out / "site"


def build_site(content: Path, out: Path, cwd: Path, *more) -> SiteBuild:
    return SiteBuild(out, run_build("site", "--content", content, "--out", out, *more, cwd=cwd))


def require_site(built: SiteBuild) -> SiteBuild:
    r = built.result
    assert r.returncode == 0, f"build.py site failed (exit {r.returncode}):\n{r.stderr}{r.stdout}"
    return built


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> SiteBuild:
    """The sample content's site, built once: both Feb-March editions and the site, by the CLI.

    The content folder also holds a January edition and a compilation (issue 15); these tests are
    about the two Feb-March editions, so they build a copy of the content without them."""
    base = tmp_path_factory.mktemp("sample-site")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    shutil.rmtree(content / "2020-01-january")
    shutil.rmtree(content / "compilations")
    return require_site(build_site(content, base / "out", base))


def add_second_edition(content: Path) -> Path:
    """A copy of the mini edition as next month's, so that the content has two editions."""
    second = content / "mini-2020-04"
    shutil.copytree(content / "mini-2020", second)
    yaml = second / "edition.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = text.replace('title: "Mini March 2020"', 'title: "Mini April 2020"')
    text = text.replace('published: "2020-03-01"', 'published: "2020-04-01"')
    yaml.write_text(text, encoding="utf-8")
    return second


@pytest.fixture
def library(tmp_path) -> Path:
    """A private content folder with two small editions: mini/mini-2020 and mini/mini-2020-04."""
    content = copy_fixture("mini", tmp_path)
    add_second_edition(content)
    return content


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def mtimes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}


def local_targets(page: Path, site: Path) -> list[tuple[str, Path]]:
    """Every link and source of an HTML page that stays in the site, with the file it names."""
    found = []
    for ref in HREF.findall(page.read_text(encoding="utf-8")):
        parts = urlsplit(ref.replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path:
            continue  # another site, mailto:, tel:, or a link within the page
        target = (page.parent / unquote(parts.path)).resolve()
        found.append((ref, target))
    return found


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve(folder: Path):
    """`python -m http.server` on a free port of 127.0.0.1, in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
