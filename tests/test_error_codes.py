"""Every problem carries a stable code, printed after its message and listed in docs/errors.md."""

from __future__ import annotations

import re

from conftest import DOCUMENTED_CODES, ROOT, run_build

PACKAGE = ROOT / "pressroom"


def codes_in_code() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'code="([a-z]+\.[a-z-]+)"', text))
        found |= set(re.findall(r'"([a-z]+\.[a-z-]+)"(?=\)|,\s*subject|\s*if\s)', text)) & DOCUMENTED_CODES
    from pressroom.stages.schema import SCHEMA_CODES

    return found | set(SCHEMA_CODES.values()) | {"schema.value", "pdf.renderer"}


def test_every_code_the_build_gives_is_documented_and_every_documented_code_is_given():
    used = codes_in_code()
    assert used - DOCUMENTED_CODES == set(), "codes missing from docs/errors.md"
    assert DOCUMENTED_CODES - used == set(), "docs/errors.md lists codes nothing gives"


def test_a_problem_prints_its_code_after_the_message(mini, tmp_path):
    article = tmp_path / "mini/mini-2020/gs2/01-council-reform.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nA line with <b>bold</b>.\n", encoding="utf-8")
    result = run_build("mini/mini-2020", "--out", "out", cwd=tmp_path, codes=True)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines and all(line.endswith("[markup.raw-html]") for line in lines), result.stderr
