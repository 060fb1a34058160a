"""The same edition built with Pandoc + WeasyPrint, for the benchmark's comparison (issue 7).

    .venv/bin/python bench/pandoc_build.py EDITION_DIR OUT_DIR [--pandoc PATH]

`combine` writes the edition's articles, in edition order, as ONE Pandoc Markdown
file: `# Section title` per section (edition.yaml), `## Article title` per
article (front matter), then its body; the front matter and its practice
questions are left out.  Body headings go one level down (bodies start at `##`),
footnote labels get a per-article prefix (Pandoc's are global), image paths
become absolute, and a box title (`::: note Title`) a bold first line; `::: box`
blocks are Pandoc fenced divs as they are.

`build` times, each in its own process, `pandoc -s --toc --pdf-engine=weasyprint
--css=bench/pandoc.css` to a PDF and `pandoc --toc` to an EPUB, and counts the
PDF's pages (pikepdf) and the warnings of WeasyPrint and Pandoc.

Getting pandoc: `--pandoc PATH`, `$PANDOC`, pandoc on PATH, or the static binary
of the PyPI wheel `pypandoc_binary` (`pip install pypandoc_binary`, or `pip
download --no-deps pypandoc_binary`, unzip, use `pypandoc/files/pandoc`).
Standard library only, apart from PyYAML (YAML) and pikepdf (page count).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSS = HERE / "pandoc.css"
FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^(\s{0,3})(#{1,5})(?=\s|$)")
NOTE = re.compile(r"\[\^([^\]\s]+)\]")
IMAGE = re.compile(r"(!\[[^\]]*\]\()(<[^>]+>|[^)\s]+)")
BOX = re.compile(r"^(\s{0,3}:{3,}\s*)([A-Za-z][\w-]*)\s+(\S.*)$")


def find_pandoc(explicit: str | None = None) -> str | None:
    """`--pandoc PATH`, else $PANDOC, else pandoc on PATH, else the binary of an importable pypandoc."""
    for candidate in (explicit, os.environ.get("PANDOC"), shutil.which("pandoc")):
        if candidate:
            return candidate
    spec = importlib.util.find_spec("pypandoc")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "files" / "pandoc"
        if binary.is_file():
            return str(binary)
    return None


def split_front_matter(text: str) -> tuple[dict, str]:
    import yaml

    lines = text.lstrip("\ufeff").split("\n")
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                return yaml.safe_load("\n".join(lines[1:end])) or {}, "\n".join(lines[end + 1:])
    return {}, text


def body_for_pandoc(body: str, folder: Path, prefix: str) -> str:
    """Headings one level down, footnote labels prefixed, image paths absolute, box titles as bold lines."""
    out, fence = [], None
    for line in body.split("\n"):
        opened = FENCE.match(line)
        if fence or opened:  # code blocks stay as they are
            if not fence:
                fence = opened[1]
            elif opened and opened[1][0] == fence[0] and len(opened[1]) >= len(fence):
                fence = None
            out.append(line)
            continue
        line = HEADING.sub(lambda m: m[1] + m[2] + "#", line)
        line = NOTE.sub(lambda m: f"[^{prefix}-{m[1]}]", line)
        line = IMAGE.sub(lambda m: m[1] + absolute(m[2], folder), line)
        box = BOX.match(line)
        if box:
            line = f"{box[1]}{box[2]}\n**{box[3]}**\n"
        out.append(line)
    return "\n".join(out)


def absolute(target: str, folder: Path) -> str:
    path = target[1:-1] if target.startswith("<") else target
    if re.match(r"^[a-z][a-z0-9+.-]*:", path) or path.startswith("/"):
        return target
    return f"<{(folder / path).resolve()}>"


def combine(edition_dir: Path, dest: Path) -> Path:
    """Write the edition's articles, in edition order, as one Pandoc Markdown file at `dest`."""
    import yaml

    edition_dir = Path(edition_dir)
    meta = yaml.safe_load((edition_dir / "edition.yaml").read_text(encoding="utf-8"))
    parts = ["---", f"title: {json.dumps(str(meta.get('title', edition_dir.name)))}",
             f"lang: {json.dumps(str(meta.get('language', 'en')))}", "---", ""]
    number = 0
    for section in meta["sections"]:
        parts.append(f"# {section.get('title') or section['id']}\n")
        folder = edition_dir / section["id"]
        for article in sorted(folder.glob("*.md")):
            if not re.match(r"^\d{2,3}-", article.name):
                continue
            number += 1
            front, body = split_front_matter(article.read_text(encoding="utf-8"))
            parts.append(f"## {front.get('title', article.stem)}\n")
            parts.append(body_for_pandoc(body, folder, f"a{number}").strip() + "\n")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(parts), encoding="utf-8")
    return dest


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """A tiny equivalent of bench/run.py's run(): wall seconds of one process, its output."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
    return {"wall": round(wall, 3), "stdout": done.stdout, "stderr": done.stderr}


def weasyprint_binary() -> str:
    local = Path(sys.executable).with_name("weasyprint")
    return str(local) if local.exists() else (shutil.which("weasyprint") or "weasyprint")


def build(pandoc: str, md: Path, css: Path, out_dir: Path, runner=None) -> dict:
    """Time pandoc -> PDF (WeasyPrint) and pandoc -> EPUB, each in its own process.  `runner` is
    bench/run.py's run() when the bench calls this (same measurement); a plain timer otherwise."""
    import pikepdf

    runner = runner or timed
    # The system's fonts, as for anyone running pandoc, not the bench's FONTCONFIG_FILE (Pressroom's fonts only,
    # set by pressroom.weasy.isolate_fonts): Noto has no "↩" for Pandoc's note back-links, DejaVu has.
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf, epub = out_dir / "pandoc.pdf", out_dir / "pandoc.epub"
    common = [str(pandoc), str(md), "--toc", "--toc-depth=2"]  # sections and articles; title: combine()'s metadata
    a = runner(common + ["-s", "-o", str(pdf), f"--pdf-engine={weasyprint_binary()}", f"--css={Path(css).resolve()}"],
               cwd=out_dir, env=env)
    b = runner(common + ["-o", str(epub)], cwd=out_dir, env=env)
    with pikepdf.open(pdf) as document:
        pages = len(document.pages)
    log = (a["stderr"] + b["stderr"]).splitlines()
    return {"pdf_s": a["wall"], "epub_s": b["wall"], "total_s": round(a["wall"] + b["wall"], 3), "pages": pages,
            "weasyprint_warnings": sum(line.startswith("WARNING:") for line in log),  # pandoc's are "[WARNING]"
            "pandoc_warnings": sum(line.startswith("[WARNING]") for line in log),
            "pdf_cpu": a.get("cpu"), "epub_cpu": b.get("cpu"), "pdf_rss_tree_mb": a.get("rss_tree_mb"),
            "stderr": (a["stderr"] + b["stderr"])[-2000:]}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("edition", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pandoc")
    args = parser.parse_args()
    pandoc = find_pandoc(args.pandoc)
    if not pandoc:
        sys.exit("pandoc not found: pass --pandoc PATH or set $PANDOC (see this module's docstring)")
    md = combine(args.edition, args.out / "combined.md")
    print(json.dumps(build(pandoc, md, CSS, args.out), indent=2))


if __name__ == "__main__":
    main()
