"""Shared fixtures: the mini fixture edition, the CLI in a subprocess, and one build of the sample edition."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_PY = ROOT / "build.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE_SLUG = "2020-02-feb-march"
SAMPLE_DIR = ROOT / "content" / SAMPLE_SLUG
BUILD_TIMEOUT = 300
# The stamp tests' shared fixtures (and pytest's assert rewriting for their helpers).
pytest_plugins = ["stampkit", "sitekit"]


PROBLEM_CODE = re.compile(r"^(?P<line>[^\n]+?: (?:error|warning): .*) \[(?P<code>[a-z]+\.[a-z-]+)\]$", re.M)
DOCUMENTED_CODES = frozenset(re.findall(r"^\| `([a-z]+\.[a-z-]+)` \|", (ROOT / "docs" / "errors.md").read_text(encoding="utf-8"),
                                        re.M))


def without_codes(text: str) -> str:
    """Problem lines without their ` [code]` suffix, once each code is checked to be in docs/errors.md.

    Tests compare messages exactly; the codes have tests of their own (test_error_codes.py)."""
    for match in PROBLEM_CODE.finditer(text):
        assert match["code"] in DOCUMENTED_CODES, f"code {match['code']} is not in docs/errors.md: {match[0]}"
    return PROBLEM_CODE.sub(lambda m: m["line"], text)


def run_build(*args: str | os.PathLike, cwd: Path, codes: bool = False) -> subprocess.CompletedProcess:
    """`python build.py ARGS` exactly as a user types it, in `cwd`, with the project's interpreter.

    stderr comes back without the problems' codes unless `codes` is true."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, str(BUILD_PY), *map(str, args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    if not codes:
        result.stderr = without_codes(result.stderr)
    return result


def copy_fixture(name: str, dest: Path) -> Path:
    """Copy tests/fixtures/<name> to dest/<name> and return the copy (the content folder)."""
    target = dest / name
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    return target


@pytest.fixture
def mini(tmp_path) -> Path:
    """A private copy of the mini content folder in tmp_path/mini; the edition is mini/mini-2020."""
    return copy_fixture("mini", tmp_path)


@dataclass(frozen=True)
class Built:
    out: Path          # the --out folder
    slug: str
    pdf: Path
    epub: Path
    result: subprocess.CompletedProcess


def build_sample(out: Path, cwd: Path) -> Built:
    result = run_build(SAMPLE_SLUG, "--out", out, cwd=cwd)
    folder = out / SAMPLE_SLUG
    return Built(out, SAMPLE_SLUG, folder / f"aspire-ias-{SAMPLE_SLUG}.pdf",
                 folder / f"aspire-ias-{SAMPLE_SLUG}.epub", result)


def require_ok(built: Built) -> Built:
    r = built.result
    assert r.returncode == 0, f"build of {built.slug} failed (exit {r.returncode}):\n{r.stderr}{r.stdout}"
    return built


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Built:
    """The sample edition, built once per session (PDF and EPUB) by the CLI into a temporary folder."""
    out = tmp_path_factory.mktemp("sample-out")
    return require_ok(build_sample(out, ROOT))


@pytest.fixture(scope="session")
def mini_built(tmp_path_factory) -> Built:
    """The mini edition built once (both formats) for fast end-to-end checks."""
    base = tmp_path_factory.mktemp("mini-built")
    content = copy_fixture("mini", base)
    out = base / "out"
    result = run_build(content / "mini-2020", "--out", out, cwd=base)
    folder = out / "mini-2020"
    return require_ok(Built(out, "mini-2020", folder / "mini-press-mini-2020.pdf",
                            folder / "mini-press-mini-2020.epub", result))


def pytest_addoption(parser):
    parser.addoption("--update-proofs", action="store_true", default=False,
                     help="rewrite the reference page images in tests/proofs/ from this build (a deliberate act)")


@pytest.fixture(scope="session")
def update_proofs(request) -> bool:
    return request.config.getoption("--update-proofs")


def _build_into(content: Path, slug: str, out: Path, *extra: str) -> Path:
    result = run_build(content / slug, "--content", content, "--out", out, *extra, cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return next((out / slug).glob("*.pdf"))


@pytest.fixture(scope="session")
def three(tmp_path_factory) -> Path:
    """The PDF of a 3-article edition made of sample articles (tests/editions.py)."""
    from editions import three_article

    base = tmp_path_factory.mktemp("three")
    three_article(base / "content")
    return _build_into(base / "content", "three", base / "out")


@pytest.fixture(scope="session")
def three_press(tmp_path_factory) -> Path:
    """The same edition's press PDF (--profile print)."""
    from editions import three_article

    base = tmp_path_factory.mktemp("three-press")
    three_article(base / "content")
    return _build_into(base / "content", "three", base / "out", "--profile", "print", "--format", "pdf")


@pytest.fixture(scope="session")
def stressed(tmp_path_factory) -> Path:
    """The stress edition's PDF: unbreakable strings, tables of every length, notes in two articles."""
    from editions import stress

    base = tmp_path_factory.mktemp("stress")
    stress(base / "content")
    return _build_into(base / "content", "stress", base / "out", "--format", "pdf")
