"""Benchmark `build.py import`: wall time to import a 10-page Word document (the target is under 2 s).

    .venv/bin/python bench/import_bench.py               # 10 pages, median of 5 runs
    .venv/bin/python bench/import_bench.py --pages 40    # a longer document
    .venv/bin/python bench/import_bench.py --repeats 9

The document is made with python-docx: per page about 250 words in headings, paragraphs with bold and
italic, a bulleted list, a five-row table, and every other page a picture and a shaded box; it ends
with ten MCQs and two mains questions. The result also says how many pages LibreOffice lays it out on
(when soffice is installed), so the page count is measured, not assumed. Each run is `python build.py import`
in a child process, as an editor runs it, into a fresh copy of the mini test edition, so the figure
includes starting Python and pandoc.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Inches
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"
WORDS = ("the council reviewed the budget for river towns and found that spending on water, roads and schools "
         "had grown faster than revenue in every district over five years").split(" ")


def sentence(n: int, length: int = 18) -> str:
    words = [WORDS[(n * 7 + i) % len(WORDS)] for i in range(length)]
    return " ".join(words).capitalize() + "."


def make_document(pages: int, folder: Path) -> Path:
    picture = folder / "chart.png"
    Image.new("RGB", (1600, 900), "#1F3A68").save(picture)
    doc = Document()
    doc.add_paragraph(f"GS-II: Governance: A {pages}-page benchmark article", style="Title")
    doc.add_paragraph("A standfirst for the benchmark.", style="Subtitle")
    n = 0
    # The ten MCQs at the end fill about three pages of their own.
    for page in range(max(1, pages - 3)):
        doc.add_heading(f"Part {page + 1}", 1)
        for _ in range(3):
            paragraph = doc.add_paragraph(" ".join(sentence(n := n + 1) for _ in range(3)) + " ")
            paragraph.add_run("A bold point.").bold = True
            paragraph.add_run(" ")
            paragraph.add_run("An italic name.").italic = True
        for _ in range(3):
            doc.add_paragraph(sentence(n := n + 1, 12), style="List Bullet")
        table = doc.add_table(rows=5, cols=3)
        for row in range(5):
            for col, value in enumerate((f"Item {row}", f"{row * 1000 + page:,}", f"{row * 3.5:.1f}%")):
                table.cell(row, col).text = value if row else ("Item", "Amount (₹ crore)", "Share")[col]
        if page % 2 == 0:
            doc.add_picture(str(picture), width=Inches(3))
            doc.paragraphs[-1]._p.xpath(".//wp:docPr")[0].set("descr", f"Chart {page}")
            box = doc.add_table(rows=1, cols=1).cell(0, 0)
            box._tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:fill="E8EEF7"/>'))
            box.text = "Prelims Pointers"
            box.add_paragraph(sentence(n := n + 1), style="List Bullet")
    doc.add_heading("Practice questions", 2)
    for q in range(1, 11):
        for line in (f"{q}. {sentence(q, 12)[:-1]}?", "(a) One", "(b) Two", "(c) Three", "(d) Four",
                     f"Answer: {'abcd'[q % 4]}", f"Explanation: {sentence(q + 3)}"):
            doc.add_paragraph(line)
    doc.add_heading("Mains questions", 2)
    doc.add_paragraph(f"1. {sentence(1)[:-1]}? (250 words)")
    doc.add_paragraph(f"2. {sentence(2)[:-1]}? (150 words)")
    path = folder / f"bench-{pages}-pages.docx"
    doc.save(path)
    return path


def page_count(docx: Path, folder: Path) -> int | None:
    """Pages as LibreOffice lays the document out, when soffice and pdfinfo are installed."""
    soffice = shutil.which("soffice")
    if not soffice or not shutil.which("pdfinfo"):
        return None
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(docx)], capture_output=True, timeout=300, check=False)
    pdf = folder / (docx.stem + ".pdf")
    if not pdf.exists():
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        docx = make_document(args.pages, work)
        seconds = []
        for run in range(args.repeats):
            content = work / f"content-{run}"
            shutil.copytree(MINI, content)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, str(ROOT / "build.py"), "import", str(docx), "gs2",
                                   "--content", str(content)], capture_output=True, text=True, env=env, cwd=work,
                                  check=False)
            seconds.append(time.perf_counter() - start)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
        result = {"pages_requested": args.pages, "pages_laid_out_by_libreoffice": page_count(docx, work),
                  "docx_bytes": docx.stat().st_size, "runs": [round(s, 3) for s in seconds],
                  "median_s": round(statistics.median(seconds), 3), "target_s": 2.0}
    print(json.dumps(result, indent=2))
    return 0 if result["median_s"] < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
