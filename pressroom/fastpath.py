"""No-change rebuilds: when nothing a build reads has changed, say so and write nothing.

A successful `build.py` run records, under `<out>/.cache/noop/`, a fingerprint of
everything it could have read (the content folder, the templates, the styles
and fonts, Pressroom's code, the installed libraries), the outputs it wrote
(size and modification time), and what it printed.  The next run with the same
arguments compares the fingerprint first; if every input and output is as
recorded, it prints the same summary and exits, without reading the content,
importing the stages or WeasyPrint, or touching an output.  Files whose size
and modification time are unchanged are not read again; any other file is
hashed, so touching a file without changing it still counts as no change.
This module imports only the standard library.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from .hashing import file_sha256, tree_files

FORMAT = 1
PACKAGE = Path(__file__).resolve().parent
PROJECT = PACKAGE.parent
TOOL_TREES = (PACKAGE, PROJECT / "templates", PROJECT / "styles")
LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "fonttools", "ebooklib", "pillow", "tinycss2", "cssselect2",
             "jinja2", "markdown_it_py", "mdit_py_plugins", "pydantic", "pyyaml", "uharfbuzz")


def _libraries() -> list[str]:
    """The installed distributions' names and versions, from the names of their metadata folders."""
    found = set()
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                base = name.rsplit(".", 1)[0].lower().replace("-", "_")
                if base.split("-")[0] in LIBRARIES:
                    found.add(base)
    return sorted(found)


class Record:
    """The fingerprint of one `build.py` invocation, taken before it builds."""

    def __init__(self, args, content_root: Path):
        self.args = args
        out = Path(os.path.abspath(args.out))
        roots = [Path(os.path.abspath(content_root))]
        if args.edition and (Path(args.edition) / "edition.yaml").is_file():
            roots.append(Path(os.path.abspath(args.edition)).parent)
        self.roots = sorted(set(roots))
        key = json.dumps([FORMAT, [str(r) for r in self.roots], args.edition, bool(getattr(args, "all", False)),
                          args.format, args.profile, args.quiz_only, args.proofs, args.jobs == 1, str(out),
                          str(Path.cwd())])
        self.path = out / ".cache" / "noop" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        self.started = time.perf_counter()
        self.previous = self._load()
        self.files = self._fingerprint()

    def _load(self) -> dict | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if record.get("format") == FORMAT else None

    def _fingerprint(self) -> dict[str, list]:
        known = (self.previous or {}).get("files", {})
        files: dict[str, list] = {}
        for tree in [*self.roots, *TOOL_TREES]:
            for path in tree_files(tree):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                name = str(path)
                old = known.get(name)
                same = old is not None and old[0] == stat.st_size and old[1] == stat.st_mtime_ns
                files[name] = [stat.st_size, stat.st_mtime_ns, old[2] if same else None]
        return files

    def _hash_all(self) -> None:
        for name, entry in self.files.items():
            if entry[2] is None:
                try:
                    entry[2] = file_sha256(Path(name))
                except OSError:
                    entry[2] = "missing"

    def unchanged(self) -> list[dict] | None:
        """The recorded editions if nothing changed since the last successful run, else None."""
        old = self.previous
        if old is None or old.get("libraries") != _libraries() or set(old["files"]) != set(self.files):
            return None
        for name, entry in self.files.items():
            if entry[2] is None:  # size or time changed: compare the bytes
                try:
                    entry[2] = file_sha256(Path(name))
                except OSError:
                    return None
                if entry[2] != old["files"][name][2]:
                    return None
        for name, (size, mtime) in old["outputs"].items():
            try:
                stat = os.stat(name)
            except OSError:
                return None
            if stat.st_size != size or stat.st_mtime_ns != mtime:
                return None
        return old["editions"]

    def save(self, editions: list[dict]) -> None:
        """Record a successful run: `editions` is [{"report": ..., "house": [warning lines]}]."""
        from .output import write_atomic

        self._hash_all()
        outputs = {}
        for edition in editions:
            report = edition["report"]
            folder = Path(next(iter(report["artefacts"].values()))).parent if report["artefacts"] else None
            paths = [Path(p) for p in report["artefacts"].values()]
            if folder is not None:
                paths.append(folder / "build-report.json")
            for path in paths:
                stat = path.stat()
                outputs[str(path.resolve())] = [stat.st_size, stat.st_mtime_ns]
        record = {"format": FORMAT, "files": self.files, "libraries": _libraries(), "outputs": outputs,
                  "editions": editions}
        write_atomic(self.path, json.dumps(record, ensure_ascii=False).encode("utf-8"))

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)


class Tee:
    """A text stream that writes through and remembers the lines written (the house-rule warnings)."""

    def __init__(self, stream):
        self.stream = stream
        self.lines: list[str] = []
        self._partial = ""

    def write(self, text: str) -> int:
        self._partial += text
        *done, self._partial = self._partial.split("\n")
        self.lines += done
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def __getattr__(self, name):
        return getattr(self.stream, name)
