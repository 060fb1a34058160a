"""Benchmark `build.py site` on the two sample editions, once the editions are built.

    .venv/bin/python bench/site_bench.py [--repeats 5] [--workdir DIR] [--jobs N]

content/ is copied to a work folder and both editions are built there once, as
`build.py SLUG` (what `build.py site` runs for each edition, so its no-change check
answers for them).  Then, each run in a new process, the median of --repeats:

  cold       `build.py site` with no site folder and no site cache: every page, the
             covers, the web fonts, the search index and the catalogue (the target:
             under 10 s on 2 cores)
  no-change  `build.py site` again, nothing changed: nothing is written
  one-edit   one word of one English article changed and `build.py site`: that edition
             is built again (PDF and EPUB), then its pages, the library page, the
             catalogue and the search index; `one-edit site` is that minus the
             edition's build, as the build report times it

Each run waits (up to 90 s) for the shared machine to be nearly idle, as bench/run.py
does.  Wall time and CPU time (user + system, of the process and its children).  Results go
to bench/site_results.json.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import QUIET, wait_for_quiet

BUILD = ROOT / "build.py"
RESULTS = Path(__file__).resolve().parent / "site_results.json"
SLUGS = ("2020-02-feb-march", "2020-02-feb-march-hi")
EDITED = "2020-02-feb-march/gs1/01-keeladi-excavations.md"


def run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of `build.py ARGS`, once the machine is quiet, and its output; stops on failure."""
    wait_for_quiet()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(BUILD), *args], cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"build.py {' '.join(args)} failed:\n{result.stderr}{result.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def edition_seconds(out: Path, slug: str) -> float:
    return json.loads((out / slug / "build-report.json").read_text(encoding="utf-8"))["seconds"]["total"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="work folder (default: a temporary one, removed at the end)")
    parser.add_argument("--jobs", type=int, help="passed to build.py")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="site-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    try:
        content, out = work / "content", work / "out"
        shutil.rmtree(content, ignore_errors=True)
        shutil.copytree(ROOT / "content", content)
        for slug in SLUGS:
            run([slug, "--content", str(content), "--out", str(out), *jobs], work)
        site_args = ["site", "--content", str(content), "--out", str(out), *jobs]
        times: dict[str, list[tuple[float, float]]] = {"cold": [], "no-change": [], "one-edit": [],
                                                       "one-edit site": []}
        article = content / EDITED
        original = article.read_text(encoding="utf-8")
        for round_ in range(args.repeats):
            shutil.rmtree(out / "site", ignore_errors=True)
            shutil.rmtree(out / ".cache" / "site", ignore_errors=True)
            wall, cpu, _ = run(site_args, work)
            times["cold"].append((wall, cpu))
            times["no-change"].append(run(site_args, work)[:2])
            article.write_text(original.replace("Keeladi", "Keezhadi", 1) if round_ % 2 == 0 else original,
                               encoding="utf-8")
            wall, cpu, _ = run(site_args, work)
            times["one-edit"].append((wall, cpu))
            times["one-edit site"].append((wall - edition_seconds(out, SLUGS[0]), float("nan")))
        article.write_text(original, encoding="utf-8")
        files = sum(1 for p in (out / "site").rglob("*") if p.is_file())
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/site_bench.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "quiet": QUIET,
        "site_files": files,
        "median_s": {k: round(statistics.median(w for w, _ in v), 2) for k, v in times.items()},
        "median_cpu_s": {k: round(statistics.median(c for _, c in v), 2) for k, v in times.items()
                         if k != "one-edit site"},
        "runs_s": {k: [round(w, 2) for w, _ in v] for k, v in times.items()},
    }
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{summary['machine']}; load {summary['load']}; waited {QUIET['waited']:.0f} s for quiet "
          f"({QUIET['noisy']} time(s) in vain); {files} files in the site")
    print(f"{'run':<15}{'wall (median)':>15}{'CPU (median)':>15}   all runs")
    for key in times:
        cpu = summary["median_cpu_s"].get(key)
        cpu_text = f"{cpu:>13.2f} s" if cpu is not None else f"{'':>13}  "
        print(f"{key:<15}{summary['median_s'][key]:>13.2f} s{cpu_text}   {summary['runs_s'][key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
