"""What WeasyPrint may read, and what it says while it renders.

The fetcher serves `file:` URLs inside the allowed roots, `data:` URLs and the
named schemes (`content:`), and refuses everything else; refusals are recorded
so that the build reports them.  The collector turns WeasyPrint's log records
into build errors.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname


def make_fetcher(roots: tuple[Path, ...], schemes: dict[str, Path], refused: list[str]):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    real_roots = tuple(Path(os.path.realpath(r)) for r in roots)

    class RestrictedFetcher(URLFetcher):
        """Serves file: URLs inside the allowed roots and data: URLs; refuses everything else."""

        def __init__(self):
            super().__init__(allowed_protocols={"file", "data", *schemes}, allow_redirects=False, fail_on_errors=True)

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme in schemes and not parts.netloc:
                url = (schemes[parts.scheme] / unquote(parts.path)).resolve().as_uri()
                parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                refused.append(f"refused to fetch '{url}': only files inside the project are read")
                raise ValueError(refused[-1])
            path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
            if not any(path.is_relative_to(root) for root in real_roots) or not path.is_file():
                refused.append(f"refused to read '{path}': outside the content, templates and styles folders"
                               if path.exists() else f"file not found: '{path}'")
                raise ValueError(refused[-1])
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})

    return RestrictedFetcher()


class Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())
