"""Benchmark the markup stage on hostile bodies: each case must take time linear in its size, never hang.

    .venv/bin/python bench/hostile_bench.py              # every case, once each

Each case is rendered by `markup.render_markdown` in this process (the checks of issue 11 included)
at two sizes, the second four times the first; a linear stage takes about four times as long, a
quadratic one sixteen. Sizes stay under the article limit (limits.MAX_ARTICLE_BYTES), which caps the
worst case: the result says how long the largest article allowed takes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pressroom import limits  # noqa: E402
from pressroom.stages import markup  # noqa: E402

CASES = {
    "one paragraph of many lines": lambda n: "".join(f"word{i} more text here\n" for i in range(n)),
    "footnotes": lambda n: "".join(f"Text[^{i}].\n\n" for i in range(n)) + "".join(f"[^{i}]: Note {i}.\n" for i in range(n)),
    "open brackets": lambda n: "[" * (n * 10),
    "unclosed links": lambda n: "](" * (n * 5),
    "footnote marks": lambda n: "[^" * (n * 5),
    "comment openers": lambda n: "text <!--" * n,
    "bold marks": lambda n: "** a " * (n * 2),
    "emphasis marks": lambda n: "*_" * (n * 5),
    "deep quotes": lambda n: ">" * (n * 10),
}


def seconds(body: str) -> float:
    ctx = markup.MarkupContext(ROOT, "en", {"note": "Note"}, "Figure", {})
    start = time.perf_counter()
    markup.render_markdown(body, ROOT / "x.md", 1, "art-x", ctx, 0, (str, str))
    return time.perf_counter() - start


def main() -> None:
    limit = limits.MAX_ARTICLE_BYTES
    print(f"{'case':30} {'small':>16} {'4x':>16} {'ratio':>6} {'at the limit':>13}")
    for name, make in CASES.items():
        small, large = make(5000), make(20000)
        a, b = seconds(small), seconds(large)
        unit = make(1000)
        at_limit = make(1000 * max(1, limit // max(1, len(unit.encode()))))
        c = seconds(at_limit[:limit])
        print(f"{name:30} {len(small) // 1024:6} KB {a:6.2f} s {len(large) // 1024:6} KB {b:6.2f} s "
              f"{b / max(a, 1e-6):6.1f} {c:10.2f} s")


if __name__ == "__main__":
    main()
