"""What an import reports: `FILE.docx: paragraph N: warning: message`, or without a place for the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    paragraph: int  # the document's paragraph, counted from 1 as Word lays them out; 0 for the whole file
    message: str
    code: str = field(default="", compare=False)  # stable, listed in docs/errors.md, e.g. "import.link"
    severity: str = "warning"

    def render(self, file: str) -> str:
        where = f"paragraph {self.paragraph}: " if self.paragraph else ""
        suffix = f" [{self.code}]" if self.code else ""
        return f"{file}: {where}{self.severity}: {self.message}{suffix}"


def spans(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> '3-5, 9': where a repeated drop also happened, kept to one line."""
    out: list[str] = []
    for n in sorted(set(numbers)):
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def grouped(kind_to_paragraphs: dict[tuple[str, str], list[int]]) -> list[Finding]:
    """One finding per kind of drop ((message, code) -> paragraphs), at its first paragraph, naming the others."""
    findings = []
    for (message, code), numbers in kind_to_paragraphs.items():
        first, rest = min(numbers), sorted(set(numbers) - {min(numbers)})
        also = f" (also in paragraph{'s' if len(rest) > 1 else ''} {spans(rest)})" if rest else ""
        findings.append(Finding(first, message + also, code))
    return findings
