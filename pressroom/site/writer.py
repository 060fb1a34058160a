"""The site folder's writer: only allowed kinds of file, each written only when its bytes change.

`build.py site` owns `<out>/site/`.  The writer refuses any path that is not one of
the kinds a public site holds (so a student copy, a ledger, a cache, proofs or a
build report cannot reach it by mistake), leaves a file alone when its bytes are
already right (a run with nothing changed rewrites nothing), and at the end removes
whatever it was not given.  What it wrote is remembered, with the hashes of the
inputs, in `<out>/.cache/site/state.json`, outside the site.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from pressroom.fingerprint import file_sha256
from pressroom.output import write_atomic

STATE_FORMAT = 1
NAME = r"[a-z0-9][a-z0-9-]*"
# Every kind of file the site may hold, by its path from the site's top.
ALLOWED = tuple(re.compile(p) for p in (
    r"index\.html",
    r"favicon\.ico",
    r"assets/(site\.css|search\.js|logo\.(svg|png))",
    r"assets/fonts/[A-Za-z]+-[A-Za-z]+\.woff2",
    rf"opds/{NAME}\.xml",
    rf"{NAME}/(index|art-{NAME})\.html",
    rf"{NAME}/(cover|thumbnail)\.jpg",
    rf"{NAME}/images/{NAME}\.(png|jpg|gif|svg|webp)",
    # A publication's own PDF and EPUB, `<brand>-<slug>`: never `-quiz` or `-answers`, nor a student's copy.
    rf"(?P<slug>{NAME})/{NAME}-(?P=slug)\.(pdf|epub)",
    r"pagefind/([a-z0-9_-]+/)?[A-Za-z0-9_.-]+\.(js|css|json|pf_meta|pf_index|pf_fragment|pf_filter|pagefind)",
))


def allowed(relative: str) -> bool:
    return ".." not in relative.split("/") and any(p.fullmatch(relative) for p in ALLOWED)


class Writer:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, list[int]] = {}  # path from the top -> [size, mtime_ns], after this run
        self.rewritten: list[str] = []

    def put(self, relative: str, data: bytes) -> None:
        if not allowed(relative):
            raise ValueError(f"{relative} is not a kind of file the site publishes")
        path = self.root / relative
        try:
            same = path.stat().st_size == len(data) and not path.is_symlink() and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            write_atomic(path, data)
            self.rewritten.append(relative)
        stat = path.stat()
        self.files[relative] = [stat.st_size, stat.st_mtime_ns]

    def intact(self, files) -> bool:
        """Whether every file of an earlier run is still there as it was written (False for a garbled record)."""
        try:
            for relative, (size, mtime) in files.items():
                if not allowed(relative):
                    return False
                stat = os.lstat(self.root / relative)
                if stat.st_size != size or stat.st_mtime_ns != mtime:
                    return False
        except (OSError, AttributeError, TypeError, ValueError):
            return False
        return True

    def keep(self, files: dict[str, list[int]]) -> None:
        self.files.update(files)

    def prune(self, spare: str | None = None) -> list[str]:
        """Remove every file and folder under the site this run did not write or keep (but those under `spare`)."""
        removed = []
        for folder, dirs, names in os.walk(self.root, topdown=False):
            for name in names:
                path = Path(folder) / name
                relative = path.relative_to(self.root).as_posix()
                if relative not in self.files and not (spare and relative.startswith(spare)):
                    path.unlink()
                    removed.append(relative)
            for name in dirs:
                path = Path(folder) / name
                if path.is_symlink():
                    path.unlink()
                elif not any(path.iterdir()):
                    path.rmdir()
        return sorted(removed)


class Hashes:
    """File hashes, kept between runs by size and modification time: an unchanged file is not read again."""

    def __init__(self, known: dict):
        self.known = known
        self.now: dict[str, list] = {}

    def of(self, path: Path) -> str:
        try:
            stat = path.stat()
        except OSError:
            return "missing"
        name = str(path)
        old = self.known.get(name)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns:
            digest = old[2]
        else:
            digest = file_sha256(path)
        self.now[name] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest


class State:
    """What the last run wrote and from what; a missing or unreadable state means everything is made anew."""

    def __init__(self, path: Path):
        self.path = path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            data = {}
        def mapping(key: str) -> dict:
            return data[key] if isinstance(data.get(key), dict) else {}

        self.publications: dict = mapping("publications")
        self.parts: dict = {k: v for k, v in mapping("parts").items() if isinstance(v, dict)}
        self.hashes = Hashes({k: v for k, v in mapping("hashes").items() if isinstance(v, list) and len(v) == 3})

    def save(self, publications: dict, parts: dict) -> None:
        data = {"format": STATE_FORMAT, "publications": publications, "parts": parts, "hashes": self.hashes.now}
        write_atomic(self.path, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))
