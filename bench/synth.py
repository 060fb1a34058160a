"""Synthetic editions in the content contract, for the benchmark and the speed tests.

    python bench/synth.py DEST --articles 48 [--slug bench-120] [--seed 7]

writes DEST/brand.yaml and DEST/<slug>/ (edition.yaml, one folder per section,
articles with front matter and questions, images).  Every article has headings,
bullet and numbered lists, a table, a box, footnotes; every third a figure;
every tenth a Devanagari paragraph.  The same arguments always write the same
files.  About 2.4 pages of A4 per article, plus front and back matter:
25 articles ~ 60 pages, 48 ~ 120, 98 ~ 240, 205 ~ 500.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

SECTIONS = [
    ("gs1", "GS-I", "GS-I: Indian Heritage and Culture, History and Geography of the World and Society", 0.18),
    ("gs2", "GS-II", "GS-II: Governance, Constitution, Polity, Social Justice and International Relations", 0.30),
    ("gs3", "GS-III", "GS-III: Technology, Economic Development, Bio-diversity, Environment and Security", 0.32),
    ("gs4", "GS-IV", "GS-IV: Ethics, Integrity and Aptitude", 0.08),
    ("prelims", "PT", "Prelims Pointers", 0.12),
]
TOPICS = ["Polity", "Economy", "Environment", "Science and Technology", "International Relations", "History",
          "Geography", "Society", "Security", "Governance", "Agriculture", "Health", "Education", "Energy"]
WORDS = ("the government policy scheme ministry court parliament committee report state union district council "
         "river monsoon forest wildlife species climate emission carbon energy solar wind coal market bank credit "
         "inflation growth fiscal deficit revenue tax budget export import trade tariff farmer crop irrigation "
         "water drought flood cyclone disaster relief health vaccine disease hospital doctor school teacher "
         "student literacy skill employment labour wage migrant urban rural village city road railway port "
         "airport satellite mission launch orbit research innovation digital data privacy security border army "
         "navy treaty summit agreement dialogue neighbour ocean island coast heritage temple excavation museum "
         "language culture festival tribe community women children justice rights constitution amendment "
         "election commission candidate vote party federal reform regulation authority board agency").split()
HINDI = ("गंगा भारत की सबसे पवित्र नदी मानी जाती है और इसके किनारे अनेक प्राचीन नगर बसे हैं। सरकार ने नदी की सफाई "
         "के लिए कई योजनाएँ शुरू की हैं, जिनमें नमामि गंगे सबसे प्रमुख है।")
BRAND = """name: "Bench Academy"
tagline: "Synthetic editions for timing"
slogan: "Measured, not guessed"
address: |
  1 Test Road
  New Delhi - 110001
phones:
  - "0110000000"
website: "https://bench.example.org"
copyright: "©2020 Bench Academy"
colors:
  primary: "#1F3A68"
  accent: "#B45309"
"""


def sentence(rng: random.Random, low: int = 10, high: int = 24) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 95)}%")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: tuple[int, int] = (3, 6)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def title(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 9))]
    return (" ".join(words)).capitalize()[:80]


def yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def article(rng: random.Random, number: int, image: str | None) -> tuple[str, str]:
    heading = title(rng)
    tags = sorted({rng.choice(TOPICS) for _ in range(3)} | {rng.choice(WORDS).capitalize()})
    slug = f"article-{number:03d}"
    lines = ["---", f"title: {yaml_text(heading)}", f"topic: {yaml_text(rng.choice(TOPICS))}", "tags:"]
    lines += [f"  - {yaml_text(t)}" for t in tags]
    lines += [f"summary: {yaml_text(sentence(rng, 18, 30))}", "questions:", "  prelims:"]
    for _ in range(2):
        lines += [f"    - q: {yaml_text(sentence(rng, 14, 22)[:-1] + '?')}", "      options:"]
        lines += [f"        - {yaml_text(' '.join(rng.choice(WORDS) for _ in range(3)))}" for _ in range(4)]
        lines += [f"      answer: \"{rng.choice('abcd')}\"", f"      explanation: {yaml_text(sentence(rng))}"]
    lines += ["  mains:", f"    - {yaml_text(sentence(rng, 20, 30)[:-1] + '? (250 words)')}", "---", ""]
    body = ["## Context", "", paragraph(rng) + "[^a]", "", "## Background", "", paragraph(rng), ""]
    body += [f"- **{rng.choice(WORDS).capitalize()}:** {sentence(rng, 8, 16)}" for _ in range(rng.randint(3, 6))]
    body += ["", "## Key provisions", ""]
    body += [f"{i}. {sentence(rng, 8, 18)}" for i in range(1, rng.randint(4, 7))]
    body += ["", paragraph(rng), ""]
    body += ["| Item | Year | Value (₹ crore) |", "| --- | ---: | ---: |"]
    body += [f"| {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} | {rng.randint(2015, 2020)} | "
             f"{rng.randint(100, 99000):,} |" for _ in range(rng.randint(4, 8))]
    body += ["", f"::: {rng.choice(['prelims', 'note', 'didyouknow', 'keyterms'])}", paragraph(rng, (2, 3)), ":::", ""]
    if image:
        body += [f"![{sentence(rng, 6, 10)[:-1]}]({image})", ""]
    body += ["## Significance", "", paragraph(rng) + "[^b]", ""]
    if number % 10 == 3:
        body += [HINDI, ""]
    body += [f"- {sentence(rng, 10, 20)}" for _ in range(rng.randint(3, 5))]
    body += ["", "## Challenges", "", paragraph(rng), "", "## Way ahead", "", paragraph(rng), ""]
    body += [f"[^a]: {sentence(rng, 8, 14)}", "", f"[^b]: {sentence(rng, 8, 14)}", ""]
    return slug, "\n".join(lines + body)


def chart(path: Path, rng: random.Random) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), "white")
    draw = ImageDraw.Draw(image)
    bars = [rng.randint(40, 300) for _ in range(8)]
    for i, height in enumerate(bars):
        draw.rectangle((40 + i * 72, 330 - height, 90 + i * 72, 330), fill=(31, 58, 104))
    draw.line((30, 330, 620, 330), fill="black", width=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format="PNG", optimize=False)


def make_edition(root: Path, articles: int, slug: str = "bench", seed: int = 7,
                 published: str = "2020-03-01") -> Path:
    """Write a synthetic edition under `root` (the content folder); returns the edition folder."""
    rng = random.Random(f"{seed}:{articles}")
    root.mkdir(parents=True, exist_ok=True)
    (root / "brand.yaml").write_text(BRAND, encoding="utf-8")
    edition = root / slug
    if edition.exists():
        shutil.rmtree(edition)
    counts = [max(1, round(articles * share)) for *_, share in SECTIONS]
    counts[2] += articles - sum(counts)
    meta = [f"title: \"Bench {articles}\"", "language: \"en\"", f"published: \"{published}\"",
            "cover:", f"  headline: {yaml_text(sentence(rng, 8, 12))}",
            f"foreword: {yaml_text(paragraph(rng))}", "sections:"]
    number = 0
    for (sid, label, heading, _), count in zip(SECTIONS, counts):
        meta += [f"  - id: {sid}", f"    label: {yaml_text(label)}", f"    title: {yaml_text(heading)}"]
        for index in range(1, count + 1):
            number += 1
            image = None
            if number % 3 == 0:
                image = f"images/chart-{number:03d}.png"
                chart(edition / sid / image, rng)
            name, text = article(rng, number, image)
            (edition / sid).mkdir(parents=True, exist_ok=True)
            (edition / sid / f"{index:02d}-{name}.md").write_text(text, encoding="utf-8")
    (edition / "edition.yaml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return edition


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--articles", type=int, default=48)
    parser.add_argument("--slug", default="bench")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(make_edition(args.dest, args.articles, args.slug, args.seed))


if __name__ == "__main__":
    main()
