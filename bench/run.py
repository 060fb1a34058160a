"""Benchmark: Pressroom's build against WeasyPrint rendering the same edition as one document, and Pandoc.

    .venv/bin/python bench/run.py [--sizes 60,120,240] [--repeats 3] [--big 500] [--pandoc PATH] [--write-docs]

For each size it writes a synthetic edition (bench/synth.py: lists, tables,
boxes, footnotes, figures, a little Devanagari, practice questions) into a
temporary folder and measures, each run in its own process:

  baseline   the edition's composed HTML and print.css rendered by WeasyPrint as
             one document in one process (tagged PDF/UA, as the default build):
             the WeasyPrint part of any one-document build of the same pages
  full       `build.py` (PDF + EPUB, default --jobs) into an empty output folder
  single     `build.py --jobs 1 --no-cache` (the whole edition as one document)
  pandoc     the same articles as one Markdown file through Pandoc: `pandoc --pdf-engine=weasyprint`
             to a PDF plus `pandoc` to an EPUB (bench/pandoc_build.py; no cover, foreword,
             practice questions or index, notes at the end); only when a pandoc binary is
             found (--pandoc PATH, $PANDOC, PATH or pypandoc_binary), else "n/a"
  no-change  `build.py` again with nothing changed
  one-edit   one word of one article changed (page count unchanged)
  page-edit  one article lengthened by about a page (every later page moves)
  epub-cold  `build.py --format epub` into an empty folder
  epub-warm  `build.py --format epub` after a one-word edit

baseline, full, single and pandoc are interleaved (A B C D A B C D ...) so that
machine noise falls on all of them alike; the table shows medians and the median
of the per-round ratios (full / baseline, full / Pandoc PDF + EPUB).  Peak RSS is
the largest process (ru_maxrss of the children) and the largest sum over the
build's process tree (sampled every 20 ms).
Results go to bench/results.json; --write-docs also rewrites the table in
docs/performance.md.  The bench is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import pandoc_build  # noqa: E402
import synth  # noqa: E402

BUILD = ROOT / "build.py"
PYTHON = sys.executable
ARTICLES_PER_SIZE = {60: 15, 120: 31, 240: 64, 500: 135}  # bench/synth.py writes ~3.7 pages per article
DOC = ROOT / "docs" / "performance.md"
RESULTS = HERE / "results.json"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

BASELINE_SCRIPT = r"""
import os, sys, time, json
fonts_conf, html_path, css_path, base_url, out = sys.argv[1:6]
os.environ["FONTCONFIG_FILE"] = fonts_conf
import weasyprint
html = open(html_path, encoding="utf-8").read()
doc = weasyprint.HTML(string=html, base_url=base_url).render(
    stylesheets=[weasyprint.CSS(filename=css_path)], pdf_tags=True)
data = doc.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=None)
open(out, "wb").write(data)
print(json.dumps({"pages": len(doc.pages)}))
"""


# --------------------------------------------------------------------------- running and measuring

class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants from /proc."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, False

    def tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo += children.get(pid, [])
        return out

    def run(self) -> None:
        page = os.sysconf("SC_PAGE_SIZE")
        while not self.stopped:  # every 50 ms: walking /proc is not free, and the build needs the cores
            total = 0
            for pid in self.tree():
                try:
                    with open(f"/proc/{pid}/statm") as handle:
                        total += int(handle.read().split()[1]) * page
                except (OSError, IndexError, ValueError):
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)


def run(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Run a command in its own process: wall seconds, user+system CPU seconds, the peak RSS of its largest
    process (ru_maxrss from wait4, which covers the workers it waited for) and of its whole tree (sampled)."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    output: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=n, f=f: output.__setitem__(n, f.read()))
               for n, f in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    sampler.stopped = True
    sampler.join()
    stdout, stderr = output.get("stdout", ""), output.get("stderr", "")
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({process.returncode}):\n{stderr}{stdout}")
    return {"wall": round(wall, 3), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "rss_process_mb": round(usage.ru_maxrss / 1024, 1), "rss_tree_mb": round(sampler.peak / 2**20, 1),
            "stdout": stdout, "stderr": stderr}


def busy_share(seconds: float = 0.5) -> float:
    """The share of the machine's CPU time that was busy over `seconds` (from /proc/stat)."""
    def sample():
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


QUIET = {"waited": 0.0, "noisy": 0}


def wait_for_quiet(limit: float = 0.15, patience: float = 90) -> None:
    """Other people's processes share this machine: wait (up to `patience` s) until it is nearly idle."""
    started = time.perf_counter()
    while busy_share() > limit:
        if time.perf_counter() - started > patience:
            QUIET["noisy"] += 1
            break
        time.sleep(1)
    QUIET["waited"] += time.perf_counter() - started


def build(content: Path, slug: str, out: Path, *extra: str) -> dict:
    result = run([PYTHON, str(BUILD), slug, "--content", str(content), "--out", str(out), *extra], cwd=ROOT)
    report = json.loads((out / slug / "build-report.json").read_text(encoding="utf-8"))
    result.update(pages=report["pages"], seconds=report["seconds"], render=report.get("pdf_render"))
    return result


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def baseline_inputs(content: Path, slug: str, work: Path) -> tuple[Path, Path, str]:
    """The edition's print HTML (images as file URLs) and stylesheet, as the single-document render reads them."""
    from pressroom import pipeline, weasy
    from pressroom.paths import FONTS, STYLES, print_image_namer
    from pressroom.stages import compose, practice

    prepared = pipeline.prepare(content / slug, pipeline.Timer())
    edition = prepared.edition
    namer = print_image_namer(edition.content_root)
    html = compose.compose_print(edition, prepared.fragments, prepared.foreword_html, prepared.strings,
                                 namer(prepared.logo) if prepared.logo else None,
                                 namer(prepared.cover_image) if prepared.cover_image else None,
                                 practice.gather(edition), compose.print_parts(edition.meta), None)
    root = os.path.realpath(edition.content_root)
    html = re.sub(r'(src|href)="content:([^"]+)"', lambda m: f'{m[1]}="file://{root}/{m[2]}"', html)
    path = work / f"{slug}.html"
    path.write_text(html, encoding="utf-8")
    weasy.isolate_fonts(FONTS)
    return path, STYLES / "print.css", os.environ["FONTCONFIG_FILE"]


def baseline(html: Path, css: Path, fonts_conf: str, base_url: str, out: Path) -> dict:
    result = run([PYTHON, "-c", BASELINE_SCRIPT, fonts_conf, str(html), str(css), base_url, str(out)], cwd=ROOT)
    result["pages"] = json.loads(result["stdout"])["pages"]
    return result


def imports_weasyprint(content: Path, slug: str, out: Path) -> bool:
    result = run([PYTHON, "-X", "importtime", str(BUILD), slug, "--content", str(content), "--out", str(out)],
                 cwd=ROOT)
    return any(line.split("|")[-1].strip().startswith("weasyprint") for line in result["stderr"].splitlines())


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.is_file()}


# --------------------------------------------------------------------------- one edition

def bench_size(size: int, repeats: int, work: Path, quick: bool = False, pandoc: str | None = None) -> dict:
    slug = f"bench-{size}"
    content = work / f"content-{size}"
    synth.make_edition(content, ARTICLES_PER_SIZE[size], slug)
    html, css, fonts_conf = baseline_inputs(content, slug, work)
    base_url = (content / slug).as_uri() + "/"
    if pandoc:
        pandoc_md = pandoc_build.combine(content / slug, fresh(work / f"pandoc-{size}") / "combined.md")
    rounds = []
    for round_number in range(repeats):
        wait_for_quiet()
        a = baseline(html, css, fonts_conf, base_url, work / f"{slug}-baseline.pdf")
        wait_for_quiet()
        b = build(content, slug, fresh(work / f"out-{size}-full"))
        wait_for_quiet()
        c = None if quick else build(content, slug, fresh(work / f"out-{size}-single"), "--jobs", "1", "--no-cache")
        d = None
        if pandoc:
            wait_for_quiet()
            d = pandoc_build.build(pandoc, pandoc_md, pandoc_build.CSS, work / f"pandoc-{size}", runner=run)
        rounds.append({"baseline": a, "full": b, "single": c, "pandoc": d})
        print(f"  {size}: round {round_number + 1}: baseline {a['wall']:.2f} s, full {b['wall']:.2f} s"
              + (f", single {c['wall']:.2f} s" if c else "")
              + (f", pandoc {d['pdf_s']:.2f} + {d['epub_s']:.2f} s ({d['pages']} pages)" if d else ""), flush=True)
    out = work / f"out-{size}-full"
    target = out / slug
    stamps = mtimes(target)
    wait_for_quiet()
    nochange = [build(content, slug, out) for _ in range(max(3, repeats))]
    unchanged = mtimes(target) == stamps
    weasy = imports_weasyprint(content, slug, out)
    article = sorted((content / slug / "gs3").glob("*.md"))[1]
    original = article.read_text(encoding="utf-8")
    edits = []
    for n in range(repeats):  # one word changed, same length, so no page moves
        text = original.replace("## Background", "## Backdrops" if n % 2 == 0 else "## Backstory", 1)
        article.write_text(text, encoding="utf-8")
        wait_for_quiet()
        edits.append(build(content, slug, out))
    small = sorted((content / slug / "gs4").glob("*.md"))[0]  # an article in the smallest section
    small_original = small.read_text(encoding="utf-8")
    small_edits = []
    for n in range(repeats):
        small.write_text(small_original.replace("## Background", "## Backdrops" if n % 2 == 0 else "## Backstory",
                                                1), encoding="utf-8")
        wait_for_quiet()
        small_edits.append(build(content, slug, out))
    small.write_text(small_original, encoding="utf-8")
    article.write_text(original.replace("## Way ahead", "## Further reading\n\n" + "\n\n".join(
        synth.paragraph(__import__("random").Random(n)) for n in range(8)) + "\n\n## Way ahead", 1), encoding="utf-8")
    page_edit = build(content, slug, out)
    article.write_text(original, encoding="utf-8")
    epub_cold = []
    for _ in range(repeats):
        wait_for_quiet()
        epub_cold.append(build(content, slug, fresh(work / f"out-{size}-epub"), "--format", "epub"))
    article.write_text(original.replace("## Background", "## Backdrops", 1), encoding="utf-8")
    epub_warm = [build(content, slug, work / f"out-{size}-epub", "--format", "epub")]
    article.write_text(original, encoding="utf-8")
    epub_warm.append(build(content, slug, work / f"out-{size}-epub", "--format", "epub"))

    def med(values):
        values = [v for v in values if v is not None]
        return round(statistics.median(values), 3) if values else None

    full = med([r["full"]["wall"] for r in rounds])
    summary = {
        "size": size, "articles": ARTICLES_PER_SIZE[size], "pages": rounds[0]["full"]["pages"],
        "baseline_pages": rounds[0]["baseline"]["pages"],
        "baseline_s": med([r["baseline"]["wall"] for r in rounds]),
        "full_s": full,
        "single_s": med([r["single"]["wall"] for r in rounds if r["single"]]),
        "full_over_baseline": med([r["full"]["wall"] / r["baseline"]["wall"] for r in rounds]),
        "baseline_cpu_s": med([r["baseline"]["cpu"] for r in rounds]),
        "full_cpu_s": med([r["full"]["cpu"] for r in rounds]),
        "single_over_baseline": med([r["single"]["wall"] / r["baseline"]["wall"] for r in rounds if r["single"]]),
        "full_pages_per_s": round(rounds[0]["full"]["pages"] / full, 1),
        "baseline_pages_per_s": round(rounds[0]["baseline"]["pages"] / med([r["baseline"]["wall"] for r in rounds]), 1),
        "full_stages": {k: med([r["full"]["seconds"].get(k) for r in rounds]) for k in rounds[0]["full"]["seconds"]},
        "full_render": rounds[0]["full"]["render"],
        "nochange_s": med([r["wall"] for r in nochange]),
        "nochange_outputs_untouched": unchanged,
        "nochange_imports_weasyprint": weasy,
        "one_edit_s": med([e["wall"] for e in edits]),
        "one_edit_over_full": round(med([e["wall"] for e in edits]) / full, 3),
        "one_edit_render": edits[-1]["render"],
        "small_edit_s": med([e["wall"] for e in small_edits]),
        "small_edit_over_full": round(med([e["wall"] for e in small_edits]) / full, 3),
        "page_edit_s": page_edit["wall"], "page_edit_pages": page_edit["pages"],
        "page_edit_render": page_edit["render"],
        "epub_cold_s": med([e["wall"] for e in epub_cold]),
        "epub_warm_s": med([e["wall"] for e in epub_warm]),
        "rss_process_mb": max((r["full"]["rss_process_mb"] or 0) for r in rounds) or None,
        "rss_tree_mb": max(r["full"]["rss_tree_mb"] for r in rounds),
        "baseline_rss_tree_mb": max(r["baseline"]["rss_tree_mb"] for r in rounds),
        "pandoc_pdf_s": med([r["pandoc"]["pdf_s"] for r in rounds if r["pandoc"]]),
        "pandoc_epub_s": med([r["pandoc"]["epub_s"] for r in rounds if r["pandoc"]]),
        "pandoc_s": med([r["pandoc"]["total_s"] for r in rounds if r["pandoc"]]),
        "pandoc_pages": rounds[0]["pandoc"]["pages"] if pandoc else None,
        "pandoc_weasyprint_warnings": rounds[0]["pandoc"]["weasyprint_warnings"] if pandoc else None,
        "full_over_pandoc": med([r["full"]["wall"] / r["pandoc"]["total_s"] for r in rounds if r["pandoc"]]),
        "rounds": [{k: ({kk: vv for kk, vv in v.items() if kk not in ("stdout", "stderr")} if v else None)
                    for k, v in r.items()} for r in rounds],
    }
    return summary


def bench_big(size: int, work: Path) -> dict:
    slug = f"bench-{size}"
    content = work / f"content-{size}"
    synth.make_edition(content, ARTICLES_PER_SIZE[size], slug)
    result = build(content, slug, fresh(work / f"out-{size}"))
    return {"size": size, "pages": result["pages"], "full_s": result["wall"], "rss_process_mb": result["rss_process_mb"],
            "rss_tree_mb": result["rss_tree_mb"], "render": result["render"], "stages": result["seconds"]}


# --------------------------------------------------------------------------- reporting

def table(results: dict) -> str:
    rows = ["| edition | pages | baseline s | full build s | full / baseline | Pandoc + WeasyPrint s (pages) "
            "| full / Pandoc | `--jobs 1` s | pages/s (full) "
            "| no-change s | one edit s (largest / smallest section) | edit / full | page-moving edit s "
            "| EPUB only s (cold / warm) | peak RSS MB (process / tree) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results["sizes"]:
        found = r.get("pandoc_s") is not None
        rows.append(
            f"| {r['size']} | {r['pages']} | {r['baseline_s']:.2f} | {r['full_s']:.2f} | **{r['full_over_baseline']:.2f}** "
            + (f"| {r['pandoc_s']:.2f} ({r['pandoc_pages']}) | **{r['full_over_pandoc']:.2f}** " if found
               else "| n/a | n/a ")
            + f"| {r['single_s'] if r['single_s'] is None else format(r['single_s'], '.2f')} | {r['full_pages_per_s']} "
            f"| {r['nochange_s']:.2f} | {r['one_edit_s']:.2f} / {r['small_edit_s']:.2f} "
            f"| **{r['one_edit_over_full']:.2f} / {r['small_edit_over_full']:.2f}** "
            f"| {r['page_edit_s']:.2f} | {r['epub_cold_s']:.2f} / {r['epub_warm_s']:.2f} "
            f"| {r['rss_process_mb']} / {r['rss_tree_mb']} |")
    for r in results.get("big", []):
        rows.append(f"| {r['size']} | {r['pages']} | | {r['full_s']:.2f} | | | | "
                    f"| {round(r['pages'] / r['full_s'], 1)} "
                    f"| | | | | | {r['rss_process_mb']} / {r['rss_tree_mb']} |")
    stages = ["", "Each column is a median over the rounds; \"full / baseline\" is the median of each round's own "
                  "ratio (baseline and full build run one after the other), so a round disturbed by another "
                  "process on the machine counts once. Rounds (baseline s, full build s):", ""]
    for r in results["sizes"]:
        stages.append(f"- {r['size']} pages: " + ", ".join(
            f"({x['baseline']['wall']:.2f}, {x['full']['wall']:.2f})" for x in r["rounds"])
            + f"; CPU seconds, baseline {r['baseline_cpu_s']} and full build {r['full_cpu_s']}")
    pandoc = results.get("pandoc")
    if pandoc:
        stages += ["", f"Pandoc + WeasyPrint ({pandoc['version']}, `bench/pandoc_build.py`): the same articles as one "
                       "Markdown file, `pandoc -s --toc --pdf-engine=weasyprint --css=bench/pandoc.css` to a PDF, then "
                       "`pandoc --toc` to an EPUB, each in its own process; the column is the PDF's seconds plus the "
                       "EPUB's and the PDF's pages. It has no cover, foreword, practice questions, answer key or "
                       "index, and its footnotes are endnotes. \"full / Pandoc\" is the median of each round's own "
                       "ratio. Rounds (PDF s + EPUB s):", ""]
        for r in results["sizes"]:
            stages.append(f"- {r['size']} pages: " + ", ".join(
                f"({x['pandoc']['pdf_s']:.2f} + {x['pandoc']['epub_s']:.2f})" for x in r["rounds"] if x["pandoc"])
                + f"; WeasyPrint warnings: {r['pandoc_weasyprint_warnings']}")
    else:
        stages += ["", "Pandoc + WeasyPrint: n/a, pandoc was not found (give `--pandoc PATH`, set `$PANDOC`, put "
                       "pandoc on PATH or install `pypandoc_binary`; see `bench/pandoc_build.py`)."]
    stages += ["", "Stages of the full build (median seconds; `pdf` is the wall time of the chunked render, "
                   "the EPUB is packaged by an idle worker inside it):", ""]
    for r in results["sizes"]:
        stages.append(f"- {r['size']} pages: " + ", ".join(f"{k} {v}" for k, v in r["full_stages"].items())
                      + f"; {r['full_render']}")
    return "\n".join(rows + stages)


def write_docs(results: dict) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    block = (f"{BEGIN}\nMeasured {results['date']} on {results['machine']} (load average at start "
             f"{results['load']}; before each timed build the bench waited for the machine to be nearly idle, "
             f"{results['quiet']['waited']:.0f} s in all, {results['quiet']['noisy']} time(s) in vain), "
             f"command:\n\n```\n{results['command']}\n```\n\n{table(results)}\n{END}")
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--sizes", default="60,120,240")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--big", default="500", help="sizes built once, for the time and memory (empty: none)")
    parser.add_argument("--quick", action="store_true", help="skip the `--jobs 1` builds")
    parser.add_argument("--write-docs", action="store_true", help=f"rewrite the table in {DOC.relative_to(ROOT)}")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--pandoc", metavar="PATH", help="the pandoc binary for the Pandoc + WeasyPrint comparison "
                        "(default: $PANDOC, pandoc on PATH, or pypandoc_binary's)")
    args = parser.parse_args()
    pandoc = pandoc_build.find_pandoc(args.pandoc)
    version = None
    if pandoc:
        try:
            version = subprocess.run([pandoc, "--version"], capture_output=True, text=True,
                                     check=True).stdout.splitlines()[0]
        except (OSError, subprocess.CalledProcessError, IndexError) as error:
            parser.error(f"pandoc {pandoc!r} does not run: {error}")
    print(f"pandoc: {version} ({pandoc})" if pandoc else "pandoc: not found, the Pandoc columns will say n/a",
          flush=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="pressroom-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {"quiet": QUIET, "date": time.strftime("%Y-%m-%d %H:%M"), "command": "python bench/run.py " + " ".join(sys.argv[1:]),
               "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "load": " ".join(f"{x:.2f}" for x in os.getloadavg()), "sizes": [], "big": [],
               "pandoc": {"path": pandoc, "version": version} if pandoc else None}
    try:
        for size in [int(s) for s in args.sizes.split(",") if s]:
            print(f"{size} pages:", flush=True)
            results["sizes"].append(bench_size(size, args.repeats, work, args.quick, pandoc))
        for size in [int(s) for s in args.big.split(",") if s]:
            print(f"{size} pages (once):", flush=True)
            results["big"].append(bench_big(size, work))
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    if args.write_docs:
        write_docs(results)


if __name__ == "__main__":
    main()
