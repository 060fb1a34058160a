"""Build the library website and its e-reader catalogue from every edition and compilation.

    python build.py site [--out DIR] [--base-url URL] [--content DIR]

First every publication is built by `build.py NAME`, run as the editor would type
it (one that has not changed answers in a fraction of a second from its no-change
record), then `<out>/site/` gets the library page, a page per publication and per
article, the search index and the OPDS catalogue.  Content errors stop it before the
site is touched (exit 1).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from pressroom.command import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, content_root, positive_int
from pressroom.paths import PROJECT
from pressroom.problems import ContentError, display_path
from pressroom.site import search
from pressroom.site.publish import Settings, Site
from pressroom.site.sources import built, discover
from pressroom.stages import schema
from pressroom.stages.yamlsource import load_yaml_file

# `build.py` itself, from this very copy of Pressroom: its runs share the editor's own no-change records.
BUILD = f"import sys; sys.path.insert(0, {str(PROJECT)!r}); from pressroom.cli import main; sys.exit(main())"


def base_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(f"'{text}' is not the address of a folder on the web, such as "
                                         f"https://example.org/library/")
    return text if text.endswith("/") else text + "/"


def add_arguments(parser) -> None:
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--out", type=Path, default=Path("output"),
                        help="output folder: publications in DIR/<slug>/, the site in DIR/site/ (default: output/)")
    parser.add_argument("--base-url", type=base_url, metavar="URL",
                        help="where the site will be published, e.g. https://example.org/library/; "
                             "the catalogue's links become absolute (default: relative)")
    parser.add_argument("--jobs", type=positive_int, metavar="N",
                        help="worker processes for the editions it builds (default: one per core)")
    parser.add_argument("--quiet", action="store_true", help="print only problems")


def _build_arguments(args, name: str) -> list[str]:
    """`build.py NAME ...` exactly as an editor would type it, so the no-change check recognises its builds."""
    argv = [name, "--out", str(args.out)]
    if args.content:
        argv += ["--content", str(args.content)]
    if args.jobs:
        argv += ["--jobs", str(args.jobs)]
    return argv + (["--quiet"] if args.quiet else [])


def _problems(problems, what: str, outcome: str = "the site was not written") -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{what}: {sum(p.severity == 'error' for p in problems)} error(s); {outcome}", file=sys.stderr)
    return EXIT_CONTENT


def run(args) -> int:
    started = time.perf_counter()
    root = content_root(args)
    brand_path = root / "brand.yaml"
    if not brand_path.is_file():
        print(f"build.py site: error: no brand.yaml in {root}/", file=sys.stderr)
        return EXIT_USAGE
    try:
        search.executable()  # before any build: the site cannot be made without its search index
    except search.SearchError as exc:
        print(f"build.py site: error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    sources, problems = discover(root)
    if problems:
        return _problems(problems, "site")
    if not sources:
        print(f"build.py site: error: no edition found under {root}/", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for source in sources:
        sys.stdout.flush()
        status = max(status, subprocess.run([sys.executable, "-c", BUILD, *_build_arguments(args, source.build_name)],
                                            check=False).returncode)
    if status != EXIT_OK:
        print("site: a publication did not build (see above); the site was not written", file=sys.stderr)
        return status
    located, problems = load_yaml_file(brand_path)
    brand, more = schema.validate(schema.Brand, located, brand_path) if located else (None, [])
    pairs, problems = [], problems + more
    for source in sources:
        outputs, more = built(source, args.out)
        problems += more
        pairs.append((source, outputs))
    if problems or brand is None:
        return _problems(problems, "site")
    settings = Settings(root, args.out, args.base_url, args.jobs or os.cpu_count() or 1)
    try:
        site = Site(settings, brand)
    except ContentError as exc:
        return _problems(exc.problems, "site")
    try:
        outcome = site.publish(pairs)
    except ContentError as exc:  # found while making the pages: some may be new, the library page is not
        return _problems(exc.problems, "site", "the site is incomplete until they are fixed")
    except search.SearchError as exc:
        print(f"build.py site: error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        _summary(outcome, settings, time.perf_counter() - started)
    return EXIT_OK


def _summary(outcome, settings: Settings, seconds: float) -> None:
    articles = sum(1 for r in outcome.records for g in r.groups for i in g.items if i.href)
    made = f"{len(outcome.made)} made" if outcome.made else "none changed"
    files = f"{len(outcome.rewritten)} file(s) written" + (f", {len(outcome.removed)} removed" if outcome.removed else "")
    print(f"site: {len(outcome.records)} publications ({made}), {articles} article pages, "
          f"{files}{', search index made' if outcome.indexed else ''} in {seconds:.2f} s")
    print(f"  library: {display_path(settings.site / 'index.html')}")
    print(f"  catalogue: {display_path(settings.site / 'opds' / 'index.xml')}")
