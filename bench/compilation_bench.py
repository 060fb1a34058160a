"""Benchmark: a ~600-page compilation of 12 monthly editions against one edition of the same size.

    .venv/bin/python bench/compilation_bench.py [--per-edition 13] [--rounds 2] [--workdir DIR] [--write-docs]

Writes, with bench/synth.py, twelve synthetic editions (2020-01 ... 2020-12, each
--per-edition articles, its own seed) and a compilation of all of them
(`compilations/year-2020`, group_by: section), and, in another content folder,
one edition with as many articles (about as many pages).  Then, each build in its
own process, wall time:

  edition      the one big edition into an empty output folder (default jobs)
  compilation  the compilation into an empty output folder
               (edition and compilation interleaved, --rounds times)
  no-change    the compilation again, nothing changed
  one-edit     one word of one article of one edition changed, compilation again
  after-all    `build.py --all` (12 editions, then the compilation) into an empty
               folder: how much of the editions' work the compilation reuses

Results go to bench/compilation_results.json; --write-docs replaces the block
between the compilation-bench markers in docs/performance.md.  Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import run as runbench  # noqa: E402  (its process runner and its wait for a quiet machine)
import synth  # noqa: E402

BUILD = ROOT / "build.py"
DOC = ROOT / "docs" / "performance.md"
RESULTS = HERE / "compilation_results.json"
BEGIN, END = "<!-- compilation-bench:begin -->", "<!-- compilation-bench:end -->"
BOOK = "year-2020"


def make_content(work: Path, per_edition: int) -> tuple[Path, Path, int]:
    """(the twelve editions' content folder, the single edition's, articles in each)."""
    year, single = work / "year", work / "single"
    for folder in (year, single):
        shutil.rmtree(folder, ignore_errors=True)
    for month in range(1, 13):
        synth.make_edition(year, per_edition, slug=f"2020-{month:02d}-bench", seed=100 + month,
                           published=f"2020-{month:02d}-01")
    book = year / "compilations" / BOOK
    book.mkdir(parents=True)
    (book / "compilation.yaml").write_text(
        'title: "The Year 2020"\nprelims_label: "Prelims 2021"\nlanguage: "en"\npublished: "2021-01-01"\n'
        'select:\n  from: "2020-01"\n  to: "2020-12"\ngroup_by: section\n'
        'foreword: "Every article of the year, section by section."\n', encoding="utf-8")
    total = 12 * per_edition
    synth.make_edition(single, total, slug="single-bench", seed=7, published="2021-01-01")
    return year, single, total


def build(args: list, cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the build and its workers, what it printed), after waiting for a quiet machine."""
    runbench.wait_for_quiet()
    result = runbench.run([sys.executable, str(BUILD), *map(str, args)], cwd)
    return round(result["wall"], 2), result["cpu"], result["stdout"] + result["stderr"]


def report(out: Path, slug: str) -> dict:
    return json.loads((out / slug / "build-report.json").read_text(encoding="utf-8"))


def run(work: Path, per_edition: int, rounds: int) -> dict:
    year, single, total = make_content(work, per_edition)
    out = work / "out"
    results: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                     "load_at_start": os.getloadavg(), "articles": total, "rounds": []}
    for _ in range(rounds):
        pair = {}
        for kind, args, content, slug in (("edition", ["single-bench"], single, "single-bench"),
                                          ("compilation", [f"compilations/{BOOK}"], year, BOOK)):
            target = out / kind
            shutil.rmtree(target, ignore_errors=True)
            seconds, cpu, _ = build([*args, "--content", content, "--out", target], work)
            data = report(target, slug)
            pair[kind] = {"seconds": seconds, "cpu": cpu, "pages": data["pages"], "stages": data["seconds"],
                          "render": data["pdf_render"]}
        results["rounds"].append(pair)
    compiled = out / "compilation"
    seconds, _, text = build([f"compilations/{BOOK}", "--content", year, "--out", compiled], work)
    results["no_change"] = {"seconds": seconds, "unchanged": "unchanged" in text}
    article = sorted((year / "2020-06-bench" / "gs2").glob("*.md"))[0]
    body = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"(## Background\n\n)(\w+)", r"\1Indeed \2", body, count=1), encoding="utf-8")
    seconds, cpu, _ = build([f"compilations/{BOOK}", "--content", year, "--out", compiled], work)
    results["one_edit"] = {"seconds": seconds, "cpu": cpu, "render": report(compiled, BOOK)["pdf_render"]}
    article.write_text(body, encoding="utf-8")
    everything = out / "all"
    shutil.rmtree(everything, ignore_errors=True)
    seconds, cpu, _ = build(["--all", "--content", year, "--out", everything], work)
    data = report(everything, BOOK)
    results["after_all"] = {"seconds": seconds, "cpu": cpu, "compilation_stages": data["seconds"], "render": data["pdf_render"]}
    return results


def table(results: dict, command: str) -> str:
    rounds = results["rounds"]
    edition = [r["edition"]["seconds"] for r in rounds]
    book = [r["compilation"]["seconds"] for r in rounds]
    ratios = [r["compilation"]["seconds"] / r["edition"]["seconds"] for r in rounds]
    cpu_ratios = [r["compilation"]["cpu"] / r["edition"]["cpu"] for r in rounds]
    first = rounds[0]

    def each(kind: str) -> str:
        return ", ".join(f"{r[kind]['seconds']:.2f} ({r[kind]['cpu']:.1f})" for r in rounds)

    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {results['machine']} (load average at start "
        f"{' '.join(f'{x:.2f}' for x in results['load_at_start'])}; before each build the bench waited up to 90 s "
        f"for the machine to be nearly idle, {runbench.QUIET['waited']:.0f} s in all, {runbench.QUIET['noisy']} "
        "time(s) in vain), command:",
        "", "```", command, "```", "",
        "| build | pages | seconds (median of rounds) | rounds: wall s (CPU s) |",
        "|---|---:|---:|---|",
        f"| one edition of {results['articles']} articles | {first['edition']['pages']} | {statistics.median(edition):.2f} | "
        f"{each('edition')} |",
        f"| compilation of 12 editions, {results['articles']} articles | {first['compilation']['pages']} | "
        f"{statistics.median(book):.2f} | {each('compilation')} |",
        f"| compilation / edition | | **{statistics.median(ratios):.2f}** | wall {', '.join(f'{r:.2f}' for r in ratios)}; "
        f"CPU {', '.join(f'{r:.2f}' for r in cpu_ratios)} |",
        f"| compilation, no change | | {results['no_change']['seconds']:.2f} | "
        f"{'said unchanged, wrote nothing' if results['no_change']['unchanged'] else 'REBUILT'} |",
        f"| compilation, one word of one article changed | | {results['one_edit']['seconds']:.2f} | "
        f"{results['one_edit']['render']} |",
        f"| `--all`: 12 editions, then the compilation | | {results['after_all']['seconds']:.2f} | "
        f"compilation: {results['after_all']['render']} |",
        "",
        "Stages of the first round (seconds):",
        "",
    ]
    for kind in ("edition", "compilation"):
        stages = ", ".join(f"{k} {v}" for k, v in first[kind]["stages"].items())
        lines.append(f"- {kind}: {stages}; {first[kind]['render']}")
    stages = ", ".join(f"{k} {v}" for k, v in results["after_all"]["compilation_stages"].items())
    lines.append(f"- compilation inside `--all`: {stages}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--per-edition", type=int, default=13, help="articles per monthly edition (13: ~600 pages)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep the content and outputs here (default: a temporary folder)")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/performance.md")
    args = parser.parse_args()
    command = "python bench/compilation_bench.py " + " ".join(sys.argv[1:])
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = run(args.workdir, args.per_edition, args.rounds)
    else:
        with tempfile.TemporaryDirectory(prefix="pressroom-compilation-bench-") as tmp:
            results = run(Path(tmp), args.per_edition, args.rounds)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    text = table(results, command.strip())
    print(text)
    if args.write_docs:
        doc = DOC.read_text(encoding="utf-8")
        start, end = doc.index(BEGIN) + len(BEGIN), doc.index(END)
        DOC.write_text(doc[:start] + "\n" + text + "\n" + doc[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
