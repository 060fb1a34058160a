"""The preview server that `watch` runs, attacked the way a web page in the editor's browser would.

A page on another site can make the browser send requests to 127.0.0.1 under its
own host name (DNS rebinding), open an SVG from the preview in its origin, or
hold connections open.  The server must answer only to its own host name, serve
only the preview and the edition's PDF and EPUB, forbid scripts other than its
reload script, and handle requests on a bounded number of threads.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time

import pytest
from cdp import Chromium, chromium_path

from pressroom.editor import preview, server

PDF, EPUB = "mini-press-ed.pdf", "mini-press-ed.epub"
EVIL_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/>'
            b"<script>document.documentElement.setAttribute('data-ran', 'yes')</script></svg>")
PAGE = (b'<!DOCTYPE html><html><head><title>Preview</title><script src="/__reload.js?build=1"></script></head>'
        b"<body><p>Hello</p><script>document.title = 'inline script ran'</script></body></html>")


@pytest.fixture
def served(tmp_path):
    out = tmp_path / "out"
    root = out / "ed"
    files = {
        "preview/index.html": PAGE,
        "preview/book/art-a.xhtml": b"<html xmlns='http://www.w3.org/1999/xhtml'><body>A</body></html>",
        "preview/book/css/book.css": b"body { color: black }",
        "preview/book/images/evil.svg": EVIL_SVG,
        "preview/pages/page-1.png": b"\x89PNG\r\n\x1a\n",
        "preview/draft/" + PDF: b"%PDF-1.7 draft",
        "preview/.hidden.html": b"hidden",
        "preview/book/side.json": b"{}",
        "preview/book/tool.js": b"alert(1)",
        PDF: b"%PDF-1.7 edition",
        EPUB: b"PK epub",
        "build-report.json": b"{}",
        PDF + ".inputs.json": b"{}",
        "other.pdf": b"%PDF-1.7 not this edition's",
        ".hidden.pdf": b"%PDF-1.7",
        "copies/ledger.csv": b"student_id,name,email\nS001,Ananya,a@example.com\n",
        "copies/S001.pdf": b"%PDF-1.7 copy",
        "copies/.ledger.state.json": b"{}",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (out / ".cache").mkdir()
    (out / ".cache" / "chunk.pdf").write_bytes(b"%PDF-1.7 cached")
    (root / "preview" / "book" / "ledger-link.csv").symlink_to(root / "copies" / "ledger.csv")
    board = preview.StatusBoard()
    board.update(downloads=(PDF, EPUB))
    running, thread = server.serve(root, board, 0)
    try:
        yield running.server_address[1], board
    finally:
        running.shutdown()
        running.server_close()
        thread.join(timeout=10)


def get(port: int, path: str, host: str | None = "default") -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.putrequest("GET", path, skip_host=True)
    if host is not None:
        connection.putheader("Host", f"127.0.0.1:{port}" if host == "default" else host)
    connection.endheaders()
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def test_the_preview_answers_only_to_its_own_host_name(served):
    port, _ = served
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        assert get(port, "/preview/index.html", host).status == 200, host
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1", "localhost", f"127.0.0.1:{port + 1}",
                 f"127.0.0.1.evil.example:{port}", f"[::1]:{port}", "", None):
        response = get(port, "/preview/index.html", host)
        assert response.status == 421, host
        assert b"Hello" not in response.body
    assert get(port, f"/{PDF}", f"attacker.example:{port}").status == 421


@pytest.mark.parametrize("path", [f"/{PDF}", f"/{EPUB}", "/preview/index.html", "/preview/book/art-a.xhtml",
                                  "/preview/book/css/book.css", "/preview/pages/page-1.png", f"/preview/draft/{PDF}",
                                  "/preview/book/images/evil.svg", "/__status", "/__reload.js", "/"])
def test_the_preview_serves_its_pages_and_the_editions_pdf_and_epub(served, path):
    assert get(served[0], path).status in (200, 302)


@pytest.mark.parametrize("path", ["/copies/ledger.csv", "/copies/S001.pdf", "/copies/.ledger.state.json",
                                  "/copies/", "/build-report.json", f"/{PDF}.inputs.json", "/other.pdf", "/.hidden.pdf",
                                  "/preview/.hidden.html", "/preview/book/side.json", "/preview/book/tool.js",
                                  "/preview/book/ledger-link.csv", "/../.cache/chunk.pdf", "/%2e%2e/.cache/chunk.pdf",
                                  "/preview/../copies/ledger.csv", "/preview/%2e%2e/copies/ledger.csv",
                                  "/preview/book/..%2f..%2fcopies/ledger.csv", "/preview/", "/preview"])
def test_the_preview_never_serves_copies_ledgers_caches_hidden_or_side_files(served, path):
    response = get(served[0], path)
    assert response.status in (302, 403, 404), path
    assert b"S001" not in response.body and b"%PDF" not in response.body
    if response.status == 302:
        assert response.getheader("Location") == "/preview/index.html"


def test_every_answer_forbids_sniffing_and_scripts_but_the_reload_script(served):
    port, _ = served
    page = get(port, "/preview/index.html")
    policy = page.getheader("Content-Security-Policy")
    assert page.getheader("X-Content-Type-Options") == "nosniff"
    directives = dict((d.split() + [""])[:2] for d in policy.split(";") if d.strip())
    assert directives["script-src"] == f"http://127.0.0.1:{port}/__reload.js", policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert get(port, "/preview/index.html", f"localhost:{port}").getheader("Content-Security-Policy") \
        .count(f"http://localhost:{port}/__reload.js") == 1
    svg = get(port, "/preview/book/images/evil.svg")
    assert svg.getheader("Content-Type") == "image/svg+xml"
    assert svg.getheader("X-Content-Type-Options") == "nosniff"
    svg_policy = svg.getheader("Content-Security-Policy")
    assert "script-src 'none'" in svg_policy and "sandbox" in svg_policy
    for path in ("/__status", "/__reload.js", f"/{PDF}", "/missing"):
        assert get(port, path).getheader("X-Content-Type-Options") == "nosniff", path


def test_in_chromium_only_the_reload_script_runs(served, tmp_path):
    port, board = served
    browser_path = chromium_path()
    assert browser_path, "Chromium not found (apt-get install chromium, or run ./setup.sh)"
    board.update(ok=False, problems=("x.md:1: error: broken",), message="Fix these and save:")
    with Chromium(tmp_path / "profile", browser_path) as browser:
        page = browser.open(f"http://127.0.0.1:{port}/preview/index.html")
        deadline = time.monotonic() + 30
        while "x.md:1: error: broken" not in page.text():  # the reload script shows the problems
            assert time.monotonic() < deadline, "the reload script did not run"
            time.sleep(0.2)
        assert page.evaluate("document.title") == "Preview"  # the inline script did not
        svg = browser.open(f"http://127.0.0.1:{port}/preview/book/images/evil.svg")
        deadline = time.monotonic() + 10
        while svg.evaluate("document.readyState") != "complete":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert svg.evaluate("document.documentElement.localName") == "svg"
        assert svg.evaluate("document.documentElement.getAttribute('data-ran')") is None


def test_a_thousand_idle_connections_do_not_make_a_thousand_threads(served):
    port, _ = served
    before = threading.active_count()
    idle = []
    try:
        for _ in range(1000):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        time.sleep(1.0)  # let the server accept what it will
        assert threading.active_count() - before <= server.WORKERS + 1
    finally:
        for connection in idle:
            connection.close()
    assert get(port, "/preview/index.html").status == 200
    assert threading.active_count() - before <= server.WORKERS + 1


def test_an_idle_connection_is_closed_after_the_timeout(served, monkeypatch):
    port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=server.TIMEOUT * 4) as idle:
        assert idle.recv(1) == b""  # the server hung up on a client that sent nothing
