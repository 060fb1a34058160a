"""A new edition before every section has an article: checked and previewed as a draft.

A build rightly refuses a listed section with no article, but that is the normal
state of an edition that `new-edition` has just started. `check` and `watch` then
work on a temporary copy without the empty sections, so the articles already
written are checked and shown; their problems are reported at the real files.
Nothing is written to the output folder.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import yaml

from pressroom.problems import Problem, display_path
from pressroom.stages.yamlsource import load_yaml_file


def empty_sections(problems) -> set[str]:
    """The sections reported empty, when that is the only fault; else an empty set."""
    if any(problem.code not in ("read.empty-section", "read.no-section-folder") for problem in problems):
        return set()
    return {problem.subject for problem in problems}


def draft_copy(edition_dir: Path, empty: set[str], content: Path) -> Path | None:
    """Copy the edition without its empty sections, with brand.yaml and its logo, into `content`."""
    located, problems = load_yaml_file(edition_dir / "edition.yaml")
    if located is None or problems or not isinstance(located.value, dict):
        return None
    meta = dict(located.value)
    meta["sections"] = [s for s in meta.get("sections") or [] if not (isinstance(s, dict) and s.get("id") in empty)]
    if not meta["sections"]:
        return None
    folder = content / edition_dir.name
    shutil.copytree(edition_dir, folder, ignore=lambda where, names: [
        n for n in names if n.startswith(".") or (Path(where) == edition_dir and n in empty)])
    # Values are text as yamlsource read them; safe_dump quotes whatever YAML would read as another type.
    (folder / "edition.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    brand = edition_dir.parent / "brand.yaml"
    shutil.copyfile(brand, content / "brand.yaml")
    located, _ = load_yaml_file(brand)
    logo = located.value.get("logo") if located and isinstance(located.value, dict) else None
    if isinstance(logo, str) and ".." not in Path(logo).parts and (edition_dir.parent / logo).is_file():
        (content / logo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(edition_dir.parent / logo, content / logo)
    return folder


def map_back(problems, draft_content: Path, content_root: Path) -> list[Problem]:
    """Problems found in the copy, at the editor's own files (the rewritten edition.yaml has other lines: dropped)."""
    draft_content = Path(os.path.realpath(draft_content))
    mapped = []
    for problem in problems:
        where = Path(os.path.realpath(problem.path))
        if draft_content not in where.parents:
            mapped.append(problem)
            continue
        rel = where.relative_to(draft_content)
        if rel.name == "edition.yaml" and len(rel.parts) == 2:
            continue
        mapped.append(replace(problem, path=display_path(content_root / rel)))
    return mapped
