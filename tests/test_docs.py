"""The editor's guide documents every key the schema accepts, so no key is a secret."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from pressroom.stages import schema
from pressroom.stages.compilation_schema import CompilationMeta

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "authoring.md").read_text(encoding="utf-8")


def all_keys(model: type[BaseModel]) -> set[str]:
    keys = set()
    for name, info in model.model_fields.items():
        keys.add(info.alias or name)  # as an editor writes it: `from`, not `from_`
        args = [info.annotation, *getattr(info.annotation, "__args__", ())]
        for arg in args + [a for x in args for a in getattr(x, "__args__", ())]:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                keys |= all_keys(arg)
    return keys


def test_every_schema_key_is_in_the_editors_guide():
    keys = (all_keys(schema.Brand) | all_keys(schema.EditionMeta) | all_keys(schema.ArticleMeta)
            | all_keys(CompilationMeta))
    missing = sorted(k for k in keys if f"`{k}`" not in GUIDE and f".{k}`" not in GUIDE)
    assert missing == [], f"docs/authoring.md does not mention: {missing}"
