"""The HTTP server behind `watch`: the preview, the edition's PDF and EPUB, and nothing else, to this machine only.

Any web page the editor opens can make the browser send requests here, even
under its own host name (DNS rebinding), so the server:

- answers only requests whose Host is 127.0.0.1:PORT or localhost:PORT (421 otherwise);
- serves from an allow-list: the files of `<out>/<slug>/preview/` of the types a
  preview is made of, and the edition's own PDF and EPUB as named by the last good
  build (StatusBoard.downloads).  Never the copies, ledgers, the cache, hidden
  files or `*.json` side files; never a symbolic link;
- sends a Content-Security-Policy that lets no script run but its own reload
  script (`/__reload.js`, allowed by its exact URL), a stricter one with a sandbox
  for SVG opened directly, and `X-Content-Type-Options: nosniff`;
- handles requests on a pool of WORKERS threads, with at most PENDING accepted
  connections waiting (more are closed at once), and drops a connection that
  stays silent for TIMEOUT seconds: idle connections cannot make threads.
"""

from __future__ import annotations

import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pressroom.editor.preview import PREVIEW, RELOAD_JS, WAITING, StatusBoard

WORKERS = 8
PENDING = 32
TIMEOUT = 5.0
# The types a preview is made of: the EPUB's pages, styles, fonts and images, the thumbnails, a draft's PDF and EPUB.
TYPES = {".html": "text/html; charset=utf-8", ".xhtml": "application/xhtml+xml; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp", ".ttf": "font/ttf", ".otf": "font/otf",
         ".woff": "font/woff", ".woff2": "font/woff2", ".pdf": "application/pdf", ".epub": "application/epub+zip",
         ".ncx": "application/x-dtbncx+xml", ".opf": "application/oebps-package+xml"}
DOCUMENT_TYPES = {".html", ".xhtml"}
PAGE_POLICY = ("default-src 'self'; script-src {reload}; connect-src 'self'; img-src 'self' data:; "
               "style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")
SVG_POLICY = ("default-src 'none'; script-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
              "font-src 'self'; frame-ancestors 'none'; sandbox")
OTHER_POLICY = "script-src 'none'; frame-ancestors 'none'"  # not `default-src 'none'`: a browser's PDF viewer


class PreviewServer(HTTPServer):
    """An HTTP server whose requests run on a bounded thread pool."""

    request_queue_size = 128  # the listen backlog: a burst of connections is accepted (and closed), not retried

    def __init__(self, address, handler):
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="preview")
        self.slots = threading.BoundedSemaphore(WORKERS + PENDING)
        super().__init__(address, handler)  # may fail (a busy port) and call server_close

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # too many connections already: this one is closed at once
            return
        try:
            self.pool.submit(self._work, request, client_address)
        except RuntimeError:  # the pool has been shut down
            self.slots.release()
            self.shutdown_request(request)

    def _work(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self.slots.release()

    def handle_error(self, request, client_address):
        pass  # a client that hangs up is no news for the terminal

    def server_close(self):
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


def resolve_inside(root: Path, url_path: str) -> Path | None:
    """The file a URL names under root, or None when it would leave root (`..`, symlinks, encoded tricks)."""
    rel = unquote(url_path)
    if "\x00" in rel or "\\" in rel:
        return None
    real_root = Path(os.path.realpath(root))
    candidate = Path(os.path.realpath(real_root / rel.lstrip("/")))
    if candidate != real_root and real_root not in candidate.parents:
        return None
    return candidate


def preview_file(root: Path, rest: str) -> Path | None:
    """A file of the preview folder that may be served, or None: no hidden part, an allowed type, a regular file."""
    parts = unquote(rest).split("/")
    if not rest or any(not p or p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
        return None
    if os.path.splitext(parts[-1])[1].lower() not in TYPES:
        return None
    folder = root / PREVIEW
    target = resolve_inside(folder, "/".join(parts))
    return target if target is not None and _regular(folder.joinpath(*parts)) else None


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def make_handler(root: Path, board: StatusBoard):
    class Handler(BaseHTTPRequestHandler):
        server_version = "PressroomPreview"
        timeout = TIMEOUT

        def do_HEAD(self):
            self.do_GET(head=True)

        def do_GET(self, head: bool = False):
            host = self._host()
            if host is None:
                port = self.server.server_address[1]
                return self._send(HTTPStatus.MISDIRECTED_REQUEST,
                                  f"this preview answers only at http://127.0.0.1:{port}/\n".encode(), "text/plain",
                                  head)
            path = urlsplit(self.path).path
            if path == "/__status":
                return self._send(HTTPStatus.OK, board.current.as_json(), "application/json; charset=utf-8", head)
            if path == "/__reload.js":
                return self._send(HTTPStatus.OK, RELOAD_JS.encode(), "text/javascript; charset=utf-8", head)
            if path == "/":
                if _regular(root / PREVIEW / "index.html"):
                    return self._redirect(f"/{PREVIEW}/index.html")
                return self._send(HTTPStatus.OK, WAITING.encode(), TYPES[".html"], head, host)
            if path in (f"/{PREVIEW}", f"/{PREVIEW}/"):
                return self._redirect(f"/{PREVIEW}/index.html")
            target = None
            if path.startswith(f"/{PREVIEW}/"):
                target = preview_file(root, path[len(PREVIEW) + 2:])
            elif path[1:] in board.current.downloads and _regular(root / path[1:]):
                target = root / path[1:]  # the edition's own PDF or EPUB, as the last good build named it
            if target is None:
                return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", head)
            self._send(HTTPStatus.OK, target.read_bytes(), TYPES[target.suffix.lower()], head, host)

        def _host(self) -> str | None:
            """The request's Host when it names this server on this machine, else None."""
            hosts = self.headers.get_all("Host") or []
            port = self.server.server_address[1]
            if len(hosts) == 1 and hosts[0].lower() in (f"127.0.0.1:{port}", f"localhost:{port}"):
                return hosts[0]
            return None

        def _redirect(self, location: str):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self._security_headers(OTHER_POLICY)
            self.end_headers()

        def _send(self, status, body: bytes, content_type: str, head: bool, host: str | None = None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # a rebuild must show, never a cached page
            kind = content_type.split(";")[0]
            if host is not None and kind in ("text/html", "application/xhtml+xml"):
                policy = PAGE_POLICY.format(reload=f"http://{host.lower()}/__reload.js")
            elif kind == "image/svg+xml":
                policy = SVG_POLICY
            else:
                policy = OTHER_POLICY
            self._security_headers(policy)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _security_headers(self, policy: str):
            self.send_header("Content-Security-Policy", policy)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")

        def log_message(self, *args):  # the terminal is for build results, not for every request
            pass

    return Handler


def serve(root: Path, board: StatusBoard, port: int) -> tuple[PreviewServer, threading.Thread]:
    """Start serving on 127.0.0.1:port, or on a free port when that one is taken (port 0: any)."""
    handler = make_handler(root, board)
    try:
        server = PreviewServer(("127.0.0.1", port), handler)
    except OSError:
        server = PreviewServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True,
                              name="preview-server")
    thread.start()
    return server, thread
