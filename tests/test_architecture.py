"""The package's shape: imports point one way, no cycles, no module past 400 lines; patches fail loudly.

The import graph is read from the code's own `import` statements (top-level and
inside functions), as a reader or a tool would see them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "pressroom"
# A concern may import only the concerns listed for it (and itself). The leaf modules at the top
# (problems, paths, fingerprint, output, report, fontsubset, progress, command) are shared by all.
LEAVES = {"pressroom", "pressroom.problems", "pressroom.paths", "pressroom.fingerprint", "pressroom.output",
          "pressroom.report", "pressroom.fontsubset", "pressroom.progress", "pressroom.command"}
ALLOWED = {
    "stages": {"stages", "weasy"},
    "weasy": {"weasy"},
    "fast": {"fast", "stages", "weasy"},
    "pipeline": {"stages", "fast"},
    "copies": {"copies", "pipeline", "stages"},
    "editor": {"editor", "pipeline", "stages"},
    "wordimport": {"wordimport", "editor", "stages"},
    "site": {"site", "pipeline", "stages"},
    "cli": {"pipeline", "stages", "fast", "editor", "copies", "site", "wordimport"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)  # a name from a module, or a module
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {n for n in found if n == "pressroom" or n.startswith("pressroom.")}


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    out = {}
    for name, path in modules.items():
        # `from pressroom.stages import read` names the module pressroom.stages.read
        out[name] = {n for n in imports(path, set(modules)) if n in modules and n != name}
    return out


def concern(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "pressroom"


def test_no_import_cycles():
    edges = graph()
    cycles = []

    def visit(node, path, seen):
        for nxt in edges[node]:
            if nxt in path:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in seen:
                seen.add(nxt)
                visit(nxt, path + [nxt], seen)

    for start in edges:
        visit(start, [start], {start})
    assert cycles == []


def test_imports_point_one_way():
    wrong = []
    for module, targets in graph().items():
        rule = ALLOWED.get(concern(module))
        if rule is None:
            continue
        for target in targets:
            if target in LEAVES or target.rsplit(".", 1)[0] in LEAVES and concern(target) not in ALLOWED:
                continue
            if concern(target) not in rule | {concern(module)}:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_leaf_modules_import_no_concern():
    for module, targets in graph().items():
        if module in LEAVES - {"pressroom.progress", "pressroom.command"}:
            assert {t for t in targets if t not in LEAVES} <= {"pressroom.stages.yamlsource"} or not targets, module


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_a_weasyprint_release_the_patches_are_not_written_for_is_refused(monkeypatch):
    import weasyprint

    from pressroom import weasy

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(weasy.PatchError, match="WeasyPrint 71.0 is installed"):
        weasy.install()


def test_a_patch_that_does_not_apply_is_an_error(monkeypatch):
    from pressroom import weasy
    from pressroom.weasy import layoutfix

    monkeypatch.setattr(layoutfix, "install", lambda: False)
    with pytest.raises(weasy.PatchError, match="the patch\\(es\\) layoutfix did not apply"):
        weasy.install()


def test_a_library_upgrade_changes_the_fingerprint_of_every_output(monkeypatch):
    """The chunk cache, the no-change record and the stamp master all key on fingerprint.tool_key()."""
    from pressroom import fingerprint

    real = fingerprint.installed_libraries()
    assert any(lib.startswith("weasyprint-70") for lib in real)
    monkeypatch.setattr(fingerprint, "_tool_key", None)
    before = fingerprint.tool_key()
    upgraded = [lib.replace("weasyprint-70", "weasyprint-71") for lib in real]
    monkeypatch.setattr(fingerprint, "installed_libraries", lambda: upgraded)
    monkeypatch.setattr(fingerprint, "_tool_key", None)
    assert fingerprint.tool_key() != before


def test_every_build_module_is_in_the_fingerprint_wherever_it_lives():
    from pressroom import fingerprint

    code = set(fingerprint.build_code())
    assert PACKAGE / "fast" / "scheduler.py" in code and PACKAGE / "weasy" / "layoutfix.py" in code
    assert PACKAGE / "stages" / "markup.py" in code and PACKAGE / "pipeline.py" in code
    assert not any(p.is_relative_to(PACKAGE / "copies") for p in code)
