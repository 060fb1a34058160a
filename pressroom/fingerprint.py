"""What an output is made from, as one digest: the only place that lists it.

The build cache, the no-change check, the stamp master and the copies all ask
this module, so a WeasyPrint upgrade or a template edit marks every one of
them stale together.  Code is taken from the package folders recursively, so
moving a module between folders cannot drop it from a fingerprint.

Standard library only: the no-change check imports this before anything heavy.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from pressroom.paths import PACKAGE, PROJECT, STYLES, TEMPLATES

FORMAT = 4
# Distributions whose version can change the bytes of an output (PDF, EPUB, copy) or what a build accepts.
LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "fonttools", "ebooklib", "pillow", "tinycss2", "cssselect2",
             "jinja2", "markdown_it_py", "mdit_py_plugins", "pydantic", "pyyaml", "uharfbuzz", "defusedxml")
# Package folders whose code never changes an edition's PDF or EPUB (commands that read outputs).
NOT_BUILD_CODE = ("copies", "editor", "site")


def file_sha256(path: Path) -> str:
    """Streamed, so a large file costs no memory."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def tree_files(folder: Path) -> list[Path]:
    """Files under `folder`, sorted, without caches, editor backups, temporary or hidden files."""
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        out += [Path(root) / f for f in sorted(files)
                if not f.startswith(".") and not f.endswith(("~", ".pyc", ".swp", ".tmp"))]
    return out


def installed_libraries() -> list[str]:
    """`name-version` of each installed distribution in LIBRARIES, from the names of their metadata folders."""
    found = set()
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project, _, version = name.rsplit(".", 1)[0].partition("-")
                project = project.lower().replace("-", "_").replace(".", "_")
                if project in LIBRARIES:
                    found.add(f"{project}-{version}")
    return sorted(found)


def build_code() -> list[Path]:
    """The Python files whose change can change a built edition."""
    return [p for p in tree_files(PACKAGE) if p.suffix == ".py"
            and p.relative_to(PACKAGE).parts[0] not in NOT_BUILD_CODE]


def package_code(folder: str) -> list[Path]:
    """The Python files of one package folder (e.g. "copies"), recursively."""
    return [p for p in tree_files(PACKAGE / folder) if p.suffix == ".py"]


def tool_trees() -> tuple[Path, ...]:
    """Every folder besides the content whose files a build or a copy may depend on."""
    return PACKAGE, TEMPLATES, STYLES


def digest(*parts) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else str(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def digest_files(files, root: Path = PROJECT) -> str:
    """One digest over files' names (relative to `root` where possible) and contents."""
    h = hashlib.sha256()
    for path in sorted(files):
        try:
            name = path.resolve().relative_to(root).as_posix()
        except ValueError:
            name = str(path.resolve())
        h.update(f"\n{name}\n{file_sha256(path)}".encode())
    return h.hexdigest()


_tool_key: str | None = None


def tool_key() -> str:
    """Everything besides the content that decides the bytes of an edition: libraries, Python, build code,
    templates, styles and fonts."""
    global _tool_key
    if _tool_key is None:
        files = build_code() + tree_files(TEMPLATES) + tree_files(STYLES)
        _tool_key = digest(f"pressroom-{FORMAT}", ";".join(installed_libraries()), sys.version_info[:3],
                           digest_files(files))
    return _tool_key
