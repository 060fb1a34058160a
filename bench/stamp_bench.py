"""Benchmark `build.py stamp`: copies per second and peak memory for rosters of 200 and 5,000 students.

Each copy carries the licence line, the page mark (a QR code of its copy id) on
every page and the copy id after the PDF header; the target is 20 copies a
second or more on a 120-page master on 2 cores.

    .venv/bin/python bench/stamp_bench.py                  # synthetic ~120-page edition, rosters 200 and 5000
    .venv/bin/python bench/stamp_bench.py --rows 200 1000  # other roster sizes
    .venv/bin/python bench/stamp_bench.py --workdir DIR    # keep the edition, master and copies in DIR

The edition is the sample edition's articles repeated under new names (questions
marked per set, since the build rejects duplicates) until the PDF has about 120
pages: real pages with tables, lists, boxes, a figure, and a tagged structure.
It is built once and reused.  Each run stamps every row from scratch (the copies
folder is emptied first) in a child process; the figures are its wall time and
the peak resident memory of it and its workers (getrusage of the children).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content" / "2020-02-feb-march"
SLUG = "bench-120"
ROUNDS = 4           # the sample's articles four times, less SKIP_IN_LAST in the last
SKIP_IN_LAST = ("gs1", "gs2", "gs4", "prelims")  # left out of the last round, to land near 120 pages
LATIN = ["Ananya Sharma", "Rahul Verma", "Priya Nair", "Mohammed Iqbal", "Sneha Reddy", "Arjun Mehta",
         "Kavya Iyer", "Vikram Singh", "Fatima Khan", "Rohan Das"]
DEVANAGARI = ["क्षितिज त्रिपाठी", "श्रीमती ऋद्धि शर्मा", "प्रियंका रुक्मिणी", "हर्ष कुमार", "अनन्या मिश्रा"]


def make_edition(workdir: Path) -> Path:
    content = workdir / "content"
    edition = content / SLUG
    if (edition / "edition.yaml").is_file():
        return edition
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    shutil.copy(SAMPLE.parent / "brand.yaml", content / "brand.yaml")
    shutil.copytree(SAMPLE, edition)
    for article in sorted(SAMPLE.glob("*/*.md")):
        number, rest = article.name.split("-", 1)
        for n in range(1, ROUNDS):
            if n == ROUNDS - 1 and article.parent.name in SKIP_IN_LAST:
                continue
            text = article.read_text(encoding="utf-8").replace("featured: true", "featured: false")
            text = re.sub(r"(\n\s*- (?:q: )?>-\n\s*)", rf"\1(Set {n + 1}) ", text)
            target = edition / article.parent.name / f"{n * 10 + int(number):02d}-{rest[:-3]}-set{n + 1}.md"
            target.write_text(text, encoding="utf-8")
    return edition


def make_roster(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("student_id,name,email,batch\n")
        for i in range(rows):
            names = DEVANAGARI if i % 3 == 0 else LATIN
            handle.write(f"S{i:05d},{names[i % len(names)]},student{i:05d}@example.com,B{i % 7}\n")
    return path


def stamp_args(edition: Path, out: Path, roster: Path) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "stamp", str(edition), "--content", str(edition.parent),
            "--out", str(out), "--roster", str(roster)]


def measure(command: list[str]) -> None:
    """Child mode: run the command, print its wall time and peak RSS (its own and its workers')."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "exit": result.returncode,
                      "stdout": result.stdout, "stderr": result.stderr}))


def run_measured(command: list[str], env: dict) -> dict:
    """One measured run; again if it had to rebuild the master (the code or content changed meanwhile)."""
    for _ in range(3):
        out = subprocess.run([sys.executable, __file__, "--measure", json.dumps(command)], capture_output=True,
                             text=True, env=env, check=True)
        result = json.loads(out.stdout)
        if "built the master" not in result["stdout"]:
            return result
        print("  (the master was rebuilt during the run; measuring again)", file=sys.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200, 5000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pressroom-stamp-bench")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(json.loads(args.measure))
        return 0
    env = {**os.environ, "PRESSROOM_SECRET": "benchmark-secret-not-for-production"}
    env.pop("PYTHONPATH", None)
    workdir = args.workdir.resolve()
    edition = make_edition(workdir)
    out = workdir / "out"
    started = time.perf_counter()
    first = run_measured(stamp_args(edition, out, make_roster(workdir / "warmup.csv", 2)), env)
    if first["exit"] != 0:
        print(first["stderr"] or first["stdout"], file=sys.stderr)
        return 1
    master = next((out / SLUG).glob("*.pdf"))
    shutil.rmtree(out / "copies" / SLUG, ignore_errors=True)
    pages = int(re.search(r"of a (\d+)-page master", first["stdout"])[1])
    print(f"master: {master} ({pages} pages, {master.stat().st_size / 1e6:.2f} MB; ready in "
          f"{time.perf_counter() - started:.1f} s); {os.cpu_count()} cores")
    print(f"{'rows':>6} {'seconds':>8} {'copies/s':>9} {'peak RSS':>9}  {'re-run (all unchanged)':>22}")
    for rows in args.rows:
        shutil.rmtree(out / "copies" / SLUG, ignore_errors=True)
        command = stamp_args(edition, out, make_roster(workdir / f"roster-{rows}.csv", rows))
        result = run_measured(command, env)
        if "0 unchanged" not in result["stdout"]:  # a rebuilt master was measured again on kept copies
            shutil.rmtree(out / "copies" / SLUG, ignore_errors=True)
            result = run_measured(command, env)
        if result["exit"] != 0:
            print(result["stderr"], file=sys.stderr)
            return 1
        again = run_measured(command, env)
        copies = sum(1 for _ in (out / "copies" / SLUG).glob("*.pdf"))
        assert copies == rows, f"{copies} copies for {rows} rows"
        print(f"{rows:>6} {result['seconds']:>8.1f} {rows / result['seconds']:>9.1f} "
              f"{result['peak_mb']:>7.0f} MB  {again['seconds']:>8.1f} s, {again['peak_mb']:.0f} MB")
    shutil.rmtree(out / "copies" / SLUG, ignore_errors=True)
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.1f}" for v in os.getloadavg())
          + " (other work on the machine slows the figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
