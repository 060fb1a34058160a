"""The build report: what one edition's build made, written as `build-report.json`.

One frozen dataclass with one owner (the pipeline makes it); the command line,
the progress display, the no-change record and the preview read its fields.
Standard library only: the no-change path rebuilds it from its record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace


@dataclass(frozen=True)
class BuildReport:
    edition: str                       # the edition's slug
    title: str
    artefacts: dict[str, str]          # kind ("pdf", "epub", "answers_pdf", "contact_sheet") -> path
    bytes: dict[str, int]              # kind -> size
    pages: int | None                  # pages of the PDF written (None: no PDF)
    articles: int
    words: int
    images: int
    questions: dict[str, int]          # {"prelims": n, "mains": n}
    index_entries: int
    seconds: dict[str, float]          # per stage, in build order, then "total"
    warnings: tuple[str, ...]          # build warnings, as printed
    house_rules: tuple[str, ...]       # house-rule warnings, as printed; they never stop a build
    pdf_render: str | None             # how the PDF was laid out (chunks, one document), or None
    # A compilation's: its grouping, the editions it draws on and the articles chosen, each with its source
    # edition. None for an edition, whose report then has no such key (it reads as it always did).
    compilation: dict | None = None

    def to_json(self) -> dict:
        data = asdict(self)
        data["warnings"], data["house_rules"] = list(self.warnings), list(self.house_rules)
        if self.compilation is None:
            del data["compilation"]
        return data

    @classmethod
    def from_json(cls, data) -> BuildReport:
        """A report read back from a record; ValueError when it is not one."""
        names = [f.name for f in fields(cls)]
        if not isinstance(data, dict) or sorted(set(data) | {"compilation"}) != sorted(names):
            raise ValueError("not a build report")
        if data.get("compilation") is not None and not isinstance(data["compilation"], dict):
            raise ValueError("build report: compilation is not a mapping")
        values = dict(data)
        values["warnings"], values["house_rules"] = tuple(values["warnings"]), tuple(values["house_rules"])
        for name in ("artefacts", "bytes", "questions", "seconds"):
            if not isinstance(values[name], dict):
                raise ValueError(f"build report: {name} is not a mapping")
        return cls(**values)

    def with_seconds(self, seconds: dict[str, float]) -> BuildReport:
        return replace(self, seconds=seconds)
