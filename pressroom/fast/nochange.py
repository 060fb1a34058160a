"""No-change rebuilds: when nothing a build reads has changed, say so and write nothing.

A successful `build.py` run records, under `<out>/.cache/noop/`, the sha256 of
every file it could have read (the content folder, the templates, the styles
and fonts, Pressroom's code), the installed libraries, the sha256 of every
output it wrote, and what it printed.  The next run with the same arguments
hashes them all again (size and modification time prove nothing: a copy or a
restore keeps them); if every input and output is as recorded, it prints the
same summary and exits, without importing the stages or WeasyPrint, or
touching an output.  The record carries a digest of itself and is checked
field by field when read: anything malformed means "build".
This module imports only the standard library (and the report type).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from pressroom.fingerprint import (
    file_sha256,
    installed_libraries,
    tool_trees,
    tree_files,
)
from pressroom.report import BuildReport

FORMAT = 3


@dataclass(frozen=True)
class Built:
    """One edition a run built: its report and the house-rule warnings it printed."""

    report: BuildReport
    house: tuple[str, ...]


def _regular_sha256(path: Path) -> str | None:
    """The file's hash, or None for anything that is not a regular file (a FIFO would block the read)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return file_sha256(path)
    except OSError:
        return None


def _seal(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


class Record:
    """The fingerprint of one `build.py` invocation, taken before it builds."""

    def __init__(self, args, content_root: Path):
        self.args = args
        out = Path(os.path.abspath(args.out))
        roots = [Path(os.path.abspath(content_root))]
        if args.edition and (Path(args.edition) / "edition.yaml").is_file():
            roots.append(Path(os.path.abspath(args.edition)).parent)
        elif args.edition and (Path(args.edition) / "compilation.yaml").is_file():  # content/compilations/<slug>
            roots.append(Path(os.path.abspath(args.edition)).parent.parent)
        self.roots = sorted(set(roots))
        key = json.dumps([FORMAT, [str(r) for r in self.roots], args.edition, bool(getattr(args, "all", False)),
                          args.format, args.profile, args.quiz_only, args.proofs, args.jobs == 1, str(out),
                          str(Path.cwd())])
        self.path = out / ".cache" / "noop" / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.json"
        self.started = time.perf_counter()
        self.files = self._fingerprint()

    def _fingerprint(self) -> dict[str, str | None]:
        return {str(path): _regular_sha256(path) for tree in [*self.roots, *tool_trees()] for path in tree_files(tree)}

    def _load(self) -> tuple[dict, list[Built]] | None:
        """The previous record and its editions, or None when it is missing, altered or of another shape."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
            body = record["body"]
            if not isinstance(body, dict) or record.get("seal") != _seal(body) or body.get("format") != FORMAT:
                return None
            if not isinstance(body["files"], dict) or not isinstance(body["outputs"], dict):
                return None
            editions = [Built(BuildReport.from_json(e["report"]), tuple(str(line) for line in e["house"]))
                        for e in body["editions"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return body, editions

    def unchanged(self) -> list[Built] | None:
        """The recorded editions if nothing changed since the last successful run, else None."""
        previous = self._load()
        if previous is None:
            return None
        body, editions = previous
        if body["libraries"] != installed_libraries() or body["files"] != self.files:
            return None
        if any(_regular_sha256(Path(name)) != digest for name, digest in body["outputs"].items()):
            return None
        return editions

    def save(self, editions: list[Built]) -> None:
        """Record a successful run."""
        from pressroom.output import write_atomic

        outputs = {}
        for edition in editions:
            artefacts = [Path(p) for p in edition.report.artefacts.values()]
            if artefacts:
                artefacts.append(artefacts[0].parent / "build-report.json")
            for path in artefacts:
                outputs[str(path.resolve())] = _regular_sha256(path)
        body = {"format": FORMAT, "files": self.files, "libraries": installed_libraries(), "outputs": outputs,
                "editions": [{"report": e.report.to_json(), "house": list(e.house)} for e in editions]}
        try:
            write_atomic(self.path, json.dumps({"seal": _seal(body), "body": body}, ensure_ascii=False).encode("utf-8"))
        except OSError:  # a read-only or full --out: the next run builds again, that is all
            pass

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
