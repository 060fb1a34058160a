"""Editions the print-finish tests build: a 3-article edition made of sample articles, and a stress edition.

Both are written into a temporary content folder with the sample's brand.yaml.
The stress edition holds what breaks a page: unbreakable strings (a URL, a long
number, a chemical name) in text, lists, tables and notes; tables of every length
at many positions on the page; two articles with notes of their own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT, SAMPLE_DIR

THREE = {"gs1": "01-keeladi-excavations.md", "gs2": "02-permanent-commission-women-officers.md",
         "gs3": "04-desert-locust-attack.md"}
SECTIONS = {
    "gs1": ("GS-I", "GS-I: Indian Heritage and Culture, History and Geography of the World and Society"),
    "gs2": ("GS-II", "GS-II: Governance, Constitution, Polity, Social Justice and International Relations"),
    "gs3": ("GS-III", "GS-III: Technology, Economic Development, Bio-diversity, Environment, Security and "
                      "Disaster Management"),
}
LONG_URL = "https://data.example.gov.in/" + "/".join(f"segment{i:02d}-of-a-very-long-path" for i in range(9))
LONG_NUMBER = "".join(str(i % 10) for i in range(300))
CHEMICAL = "methylenedioxy" * 4 + "phenylethylaminoisopropylhydroxybenzoate" * 3


def _edition_yaml(title: str, sections: list[str], short: dict[str, str] | None = None, extra: str = "") -> str:
    lines = [f'title: "{title}"', 'prelims_label: "Test-PT 2020"', 'language: "en"', 'published: "2020-04-01"',
             extra.rstrip(), "sections:"]
    for section in sections:
        label, full = SECTIONS.get(section, (section.upper(), f"{section.upper()}: Section {section}"))
        lines += [f"  - id: {section}", f'    label: "{label}"', f'    title: "{full}"']
        if short and section in short:
            lines.append(f'    short_title: "{short[section]}"')
    return "\n".join(line for line in lines if line) + "\n"


def three_article(content: Path, slug: str = "three", cover_image: Path | None = None) -> Path:
    """Three articles of the sample, one per section, in an edition of their own."""
    content.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "brand.yaml", content / "brand.yaml")
    folder = content / slug
    for section, name in THREE.items():
        (folder / section).mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE_DIR / section / name, folder / section / name)
    extra = 'cover:\n  headline: "Three stories that matter this month"'
    if cover_image is not None:
        (folder / "images").mkdir(exist_ok=True)
        shutil.copy(cover_image, folder / "images" / cover_image.name)
        extra += f'\n  image: "images/{cover_image.name}"'
    (folder / "edition.yaml").write_text(_edition_yaml("April 2020", list(THREE), {"gs2": "GS-II: Polity"}, extra),
                                         encoding="utf-8")
    return folder


def _filler(count: int, seed: int) -> str:
    words = ("district council budget river monsoon survey report policy court state union scheme market "
             "farmer revenue growth").split()
    out = []
    for i in range(count):
        sentence = " ".join(words[(seed * 7 + i * 3 + k) % len(words)] for k in range(28))
        out.append(sentence.capitalize() + ".")
    return "\n\n".join(out)


def table(name: str, rows: int) -> str:
    head = "| Row | Figure (₹ crore) | Note |\n| --- | ---: | --- |\n"
    return head + "".join(f"| {name} row {r} | {r * 1234:,} | entry {name}-{r} of the table |\n"
                          for r in range(1, rows + 1))


def stress(content: Path, slug: str = "stress") -> Path:
    content.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "content" / "brand.yaml", content / "brand.yaml")
    folder = content / slug
    (folder / "gs1").mkdir(parents=True, exist_ok=True)
    (folder / "gs2").mkdir(parents=True, exist_ok=True)
    long_words = f"""---
title: "Strings that do not break: {CHEMICAL[:40]}"
topic: "Stress"
summary: "A URL, a number and a chemical name longer than a line, wherever text can go."
questions:
  prelims:
    - q: "Consider the following statements about {CHEMICAL[:30]}:"
      statements:
        - "It is written {LONG_NUMBER[:120]} times."
        - "Its address is {LONG_URL}."
      ask: "Which of the statements given above is/are correct?"
      options: ["1 only", "2 only", "Both 1 and 2", "Neither 1 nor 2"]
      answer: "c"
      explanation: "Both are true: see {LONG_URL}."
---

## Context

The data are at {LONG_URL} for anyone to read.[^url]

The count was {LONG_NUMBER} in all.

The compound {CHEMICAL} is named in full.

- A list item holding {LONG_NUMBER[:200]} digits.
- And one holding {CHEMICAL}.

| Source | Address |
| --- | --- |
| Open data | {LONG_URL} |
| Count | {LONG_NUMBER[:150]} |

## {CHEMICAL[:60]}

Quotes "as typed" and an apostrophe's place -- and an ellipsis...

[^url]: The address again: {LONG_URL}.
"""
    (folder / "gs1" / "01-long-strings.md").write_text(long_words, encoding="utf-8")
    # Tables of 3 to 12 rows after more and more text, so that some of them meet a page break.
    parts = []
    for index, rows in enumerate([3, 5, 6, 7, 18, 9, 10, 12, 4, 20, 6, 16]):
        parts.append(_filler(2 + index % 3, index))
        parts.append(table(f"T{index + 1:02d}", rows))
    tables = ('---\ntitle: "Tables of every length"\ntopic: "Stress"\n---\n\n## Context\n\n'
              + "\n\n".join(parts) + "\n")
    (folder / "gs1" / "02-tables.md").write_text(tables, encoding="utf-8")
    for number in (1, 2):
        notes = (f'---\ntitle: "Notes of article {number}"\ntopic: "Notes"\n---\n\n## Context\n\n'
                 f"The first claim of article {number}.[^a]\n\n{_filler(3, number)}\n\n"
                 f"The second claim of article {number}.[^b]\n\n"
                 f"[^a]: Article {number}, first note.\n[^b]: Article {number}, second note.\n")
        (folder / "gs2" / f"0{number}-notes-{number}.md").write_text(notes, encoding="utf-8")
    (folder / "edition.yaml").write_text(_edition_yaml("Stress 2020", ["gs1", "gs2"]), encoding="utf-8")
    return folder
