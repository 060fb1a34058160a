"""Write an imported article: its pictures into the edition's images/ folder, then the Markdown file.

Nothing is ever overwritten: a picture that is already there with the same bytes is used again, any other
name clash gets a new name, and the article itself is created with mode "x".
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from pressroom.editor.scaffold import NewArticle, Refused, quoted
from pressroom.paths import FONTS
from pressroom.stages.coverage import INVISIBLE, shipped_characters
from pressroom.wordimport.convert import Article
from pressroom.wordimport.docx_reader import Package
from pressroom.wordimport.findings import Finding
from pressroom.wordimport.markdown import IMAGE_SLOT, Picture

MAX_PIXELS = 40_000_000   # checked from the header, before any pixel is decoded
MAX_SIDE = 2400           # about 20 cm at 300 dpi: the widest a page prints
KEPT = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}
CONVERTED = {"BMP", "TIFF"}  # pictures Word accepts and the magazine does not: saved as PNG


@dataclass(frozen=True)
class Written:
    article: Path
    images: tuple[Path, ...]
    findings: tuple[Finding, ...]


def front_matter(article: Article) -> str:
    lines = ["---", f"title: {quoted(article.title)}", f"topic: {quoted(article.topic)}", "tags: []",
             f"summary: {quoted(article.summary)}"]
    if article.prelims or article.mains:
        lines.append("questions:")
    if article.prelims:
        lines.append("  prelims:")
        for question in article.prelims:
            lines.append(f"    - q: {quoted(question.q)}")
            if question.statements:
                lines.append("      statements:")
                lines += [f"        - {quoted(statement)}" for statement in question.statements]
            if question.ask:
                lines.append(f"      ask: {quoted(question.ask)}")
            lines.append("      options:")
            lines += [f"        - {quoted(option)}" for option in question.options]
            lines.append(f"      answer: {quoted(question.answer)}")
            lines.append(f"      explanation: {quoted(question.explanation)}")
    if article.mains:
        lines.append("  mains:")
        lines += [f"    - {quoted(question)}" for question in article.mains]
    return "\n".join(lines + ["---", ""])


def write(article: Article, package: Package, plan: NewArticle) -> Written:
    findings: list[Finding] = []
    images_dir = plan.path.parent.parent / "images"
    slug = plan.path.stem.split("-", 1)[1]
    body = article.body
    saved: list[Path] = []
    for index, picture in enumerate(article.pictures, 1):
        slot = IMAGE_SLOT.format(index)
        target, problem = _save_picture(picture, package, images_dir, f"{slug}-{index}")
        if problem:
            findings.append(Finding(picture.paragraph, f"picture {index} {problem}; it was left out",
                                    "import.picture"))
            body = _drop_picture(body, slot)
            continue
        saved.append(target)
        body = body.replace(slot, f"../images/{target.name}")
    text = front_matter(article) + "\n" + body
    findings += _coverage(text)
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with plan.path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise Refused(f"refusing to overwrite {plan.path}") from None
    return Written(plan.path, tuple(saved), tuple(findings))


def _drop_picture(body: str, slot: str) -> str:
    start = body.find(f"]({slot})")
    opening = body.rfind("![", 0, start)
    return body[:opening] + body[start + len(slot) + 3:] if start >= 0 and opening >= 0 else body


def _save_picture(picture: Picture, package: Package, folder: Path, stem: str) -> tuple[Path | None, str]:
    data = package.media(picture.media)
    if data is None:
        return None, f"('{picture.media}') is not in the file"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))  # reads the header only
            width, height = image.size
            if width * height > MAX_PIXELS:
                return None, f"is {width} x {height} pixels, more than the {MAX_PIXELS // 10**6} million allowed"
            kind = image.format or ""
            if kind not in KEPT and kind not in CONVERTED:
                return None, (f"is a {kind or 'kind of'} picture the magazine cannot print (EMF and WMF drawings "
                              "are not pictures); save it as PNG or JPEG and insert that")
            if max(width, height) > MAX_SIDE or kind in CONVERTED:
                data, kind = _scaled(image, kind)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        return None, f"('{picture.media}') cannot be read as a picture"
    folder.mkdir(parents=True, exist_ok=True)
    return _unique(folder, stem, KEPT[kind], data), ""


def _scaled(image: Image.Image, kind: str) -> tuple[bytes, str]:
    image.load()
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), "JPEG"
    if kind in CONVERTED:
        kind = "PNG"
    image.save(out, kind)
    return out.getvalue(), kind


def _unique(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    for attempt in range(1, 1000):
        path = folder / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
        if path.exists():
            if path.is_file() and path.read_bytes() == data:
                return path
            continue
        try:
            with path.open("xb") as handle:
                handle.write(data)
            return path
        except FileExistsError:
            continue
    raise Refused(f"no free picture name for {stem} in {folder}")  # scaffold's Refused: reported as import.exists


def _coverage(text: str) -> list[Finding]:
    known = shipped_characters(FONTS)
    missing = sorted({c for c in text if ord(c) not in known and c not in INVISIBLE and not c.isspace()})
    return [Finding(0, f"character '{c}' (U+{ord(c):04X}) is in none of the magazine's fonts; replace it "
                       "(build.py check reports it)", "import.character") for c in missing]

