"""The orchestrator: read → markup → compose → render (PDF, EPUB) → write.

The only module that imports the stages and the fast path together.  Every
stage before writing may raise ContentError; nothing is written until every
output is ready.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pressroom import output
from pressroom.paths import FONTS, epub_image_namer, print_image_namer
from pressroom.problems import ContentError, Problem, display_path, error, warning
from pressroom.report import BuildReport
from pressroom.stages import compilation, compose, coverage, houserules, markup, practice, targets
from pressroom.stages import read as reader

LOGO_TYPES = {".svg", ".png"}


@dataclass(frozen=True)
class Options:
    formats: tuple[str, ...] = ("pdf", "epub")
    out_dir: Path = Path("output")
    profile: str = "screen"
    quiz_only: bool = False
    proofs: bool = False
    jobs: int | None = None  # worker processes; None: one per core; 1: the PDF is laid out as one document
    cache: bool = True       # reuse finished chunks from <out>/.cache

    @property
    def workers(self) -> int:
        return max(1, self.jobs if self.jobs is not None else (os.cpu_count() or 1))


@dataclass
class Timer:
    seconds: dict[str, float] = field(default_factory=dict)
    progress: Callable[[str, int, int], None] | None = None  # (stage, done, total), for a progress display

    def tick(self, name: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(name, done, total)

    def stage(self, name: str):
        timer = self

        class _Stage:
            def __enter__(self):
                timer.tick(name, 0, 1)
                self.start = time.perf_counter()

            def __exit__(self, *exc):
                timer.seconds[name] = round(timer.seconds.get(name, 0) + time.perf_counter() - self.start, 3)

        return _Stage()


@dataclass(frozen=True)
class Prepared:
    """Everything validated and rendered to HTML fragments; the renderers only read this."""

    edition: reader.Edition
    strings: dict
    fragments: dict
    foreword_html: str | None
    foreword_epub: str | None
    logo: Path | None
    cover_image: Path | None
    images: tuple[Path, ...]
    words: int
    warnings: tuple[Problem, ...] = ()  # markup's warnings (a heading that skips a level)
    image_lines: dict = field(default_factory=dict)  # picture -> ((file, line), ...) that show it


def output_stem(edition: reader.Edition) -> str:
    brand = markup.slugify(edition.brand.name) or "magazine"
    return f"{brand}-{edition.slug}"


def _asset(edition: reader.Edition, value: str | None, base: Path, source: Path, what: str, kinds,
           line: int, problems: list[Problem]) -> Path | None:
    if not value:
        return None
    ctx = markup.MarkupContext(edition.content_root, "", {}, "", {})
    found: list[Problem] = []
    resolved = targets.picture(value, base / "x", line, ctx, what, kinds, found)
    problems += [error(source, line, p.message, code=p.code) for p in found]
    return resolved


def _text_fields(edition: reader.Edition):
    """(text, path, line) for every piece of content that reaches a page, for the glyph check: each file as
    written, and each YAML value as read (an escape such as "\\U0001F600" is only a character once read)."""
    for path, text, values in edition.texts:
        yield text, path, 1
        yield from ((value, path, line) for value, line in values)
    for article in edition.articles:
        yield article.text, article.path, 1
        yield from ((value, article.path, line) for value, line in article.values)


def read_source(folder: Path, without: frozenset[str] = frozenset()) -> reader.Edition:
    """An edition folder, or a compilation's (content/compilations/<slug>/): read and validated.
    `without`: an edition's listed sections to leave out (a draft)."""
    if compilation.is_compilation(folder):
        return compilation.read_compilation(folder)
    return reader.read_edition(folder, without)


def prepare(edition_dir: Path, timer: Timer, without: frozenset[str] = frozenset()) -> Prepared:
    """Read and render to HTML, checking everything; `without`: listed sections to leave out (a draft)."""
    with timer.stage("read"):
        edition = read_source(edition_dir, without)
    with timer.stage("markup"):
        problems: list[Problem] = []
        warnings: list[Problem] = []
        strings = compose.load_strings(edition.meta.language, book=edition.book is not None)
        slugs = {Path(os.path.realpath(a.path)): a.slug for a in edition.articles}
        ctx = markup.MarkupContext(edition.content_root, edition.meta.language, strings["boxes"], strings["figure"], slugs,
                                   strings["quotes"],
                                   unlinked=edition.book.outside if edition.book is not None else frozenset())
        fragments, images, words, figures = {}, [], 0, 0
        shown: dict[Path, list] = {}
        namers = (print_image_namer(edition.content_root), epub_image_namer(edition.content_root))
        for done, article in enumerate(edition.articles):
            timer.tick("markup", done, len(edition.articles))
            frag, more = markup.render_markdown(article.body, article.path, article.body_line, f"art-{article.slug}",
                                                ctx, figures, namers)
            problems += more
            if frag:
                fragments[article.path] = frag
                images += frag.images
                words += frag.words
                figures += frag.figures
                warnings += frag.warnings
                for picture, line in frag.image_lines:
                    shown.setdefault(picture, []).append((article.path, line))
        edition_path = edition.definition
        foreword = foreword_epub = None
        if edition.meta.foreword:
            frag, more = markup.render_markdown(edition.meta.foreword, edition_path, edition.line_of("foreword") + 1,
                                                "foreword", ctx, 0, namers)
            problems += more
            if frag:
                foreword, foreword_epub = frag.print_html, frag.epub_html
                images += frag.images
                warnings += frag.warnings
                for picture, line in frag.image_lines:
                    shown.setdefault(picture, []).append((edition_path, line))
        logo = _asset(edition, edition.brand.logo, edition.content_root, edition.content_root / "brand.yaml",
                      "logo", LOGO_TYPES, edition.brand_line_of("logo"), problems)
        cover = _asset(edition, edition.meta.cover.image, edition.folder, edition_path, "image",
                       markup.IMAGE_TYPES, edition.line_of("cover", "image"), problems)
        for picture, source, line in ((logo, edition.content_root / "brand.yaml", edition.brand_line_of("logo")),
                                      (cover, edition_path, edition.line_of("cover", "image"))):
            if picture is not None:
                shown.setdefault(picture, []).append((source, line))
        for text, path, line in _text_fields(edition):
            problems += coverage.check_text(text, path, line, FONTS)
    if any(p.severity == "error" for p in problems):
        raise ContentError(list(dict.fromkeys(problems + warnings)))
    return Prepared(edition, strings, fragments, foreword, foreword_epub, logo, cover,
                    tuple(dict.fromkeys(images)), words, tuple(dict.fromkeys(warnings)),
                    {picture: tuple(lines) for picture, lines in shown.items()})


def locate(problems, prepared: Prepared) -> list[Problem]:
    """A renderer's problem about a picture, at the line that shows the picture rather than edition.yaml:1."""
    namers = (print_image_namer(prepared.edition.content_root), epub_image_namer(prepared.edition.content_root))
    out = []
    for problem in problems:
        where = next(((picture, lines) for picture, lines in prepared.image_lines.items()
                      if any(namer(picture) in problem.message for namer in namers)
                      or str(picture) in problem.message), None)
        if where is None:
            out.append(problem)
            continue
        message = problem.message.rstrip()
        if message.endswith(":"):  # WeasyPrint's reason can be empty
            message += " the picture cannot be decoded"
        out += [Problem(display_path(path), line, problem.severity, message, problem.code)
                for path, line in where[1]]
    return out


def _render_print(prepared: Prepared, options: Options, practice_model, show: dict, pages: dict | None, timer: Timer,
                  run=None):
    """The print PDF: in chunks on the workers of `run` when there are any, else as one document."""
    from pressroom.stages import pdf

    if run is not None and run.workers is not None and pages is None:
        from pressroom.fast import chunkplan, chunks

        try:
            return chunks.render_edition(prepared, options, practice_model, show, timer, run)
        except ContentError as exc:
            raise ContentError(locate(exc.problems, prepared)) from None
        except Exception as exc:  # the edition cannot be chunked, or the chunked render failed: one document
            chunkplan.trace_exception(exc)
            run.give_up(exc)
    edition = prepared.edition
    namer = print_image_namer(edition.content_root)
    with timer.stage("compose"):
        html = compose.compose_print(edition, prepared.fragments, prepared.foreword_html, prepared.strings,
                                     namer(prepared.logo) if prepared.logo else None,
                                     namer(prepared.cover_image) if prepared.cover_image else None,
                                     practice_model, show, pages)
    with timer.stage("pdf"):
        setup = pdf.print_setup(edition.content_root, options.profile)
        result = pdf.render_pdf(html, edition.folder, setup.sheets, setup.roots, FONTS, setup.schemes,
                                edition.meta.published, setup.tagged, edition.definition)
    if result.problems:
        raise ContentError(locate(result.problems, prepared))
    return result


def _for_press(prepared: Prepared, options: Options, result, timer: Timer, pad: bool = True):
    """With `--profile print`, the PDF/X-4 of a rendered PDF, the magazine padded with Notes pages to a multiple
    of four (press.py); with the screen profile, the PDF as it is."""
    if options.profile != "print":
        return result
    import dataclasses

    from pressroom.stages import pdf, press

    edition = prepared.edition
    with timer.stage("press"):
        count = press.notes_needed(result.pages) if pad else 0
        notes = None
        if count:
            html = compose.compose_print(edition, prepared.fragments, None, prepared.strings, None, None, None,
                                         dict.fromkeys(compose.PRINT_PARTS, False), None, notes=count)
            setup = pdf.print_setup(edition.content_root, options.profile)
            rendered = pdf.render_pdf(html, edition.folder, setup.sheets, setup.roots, FONTS, setup.schemes,
                                      edition.meta.published, setup.tagged, edition.definition)
            if rendered.problems:
                raise ContentError(rendered.problems)
            notes = rendered.data
        data = press.finish(result.data, notes, edition.meta.published)
    return dataclasses.replace(result, data=data, pages=result.pages + count)


def build(edition_dir: Path, options: Options, progress: Callable[[str, int, int], None] | None = None,
          without: frozenset[str] = frozenset()) -> BuildReport:
    """Build one edition; returns the build report. Raises ContentError before writing anything, and
    output.OutputError when the outputs cannot be written (the previous ones are then kept).
    `without`: listed sections to leave out (watch's draft of a new edition).

    With more than one job, worker processes start at once (they import WeasyPrint while the
    content is read), lay out the print edition in chunks, and package the EPUB."""
    from pressroom.fast import pool
    from pressroom.fast.cache import Cache
    from pressroom.fast.chunks import Run

    timer = Timer(progress=progress)
    started = time.perf_counter()
    try:  # a switch of outputs that a killed run left half done is finished first (output.py)
        output.recover(options.out_dir / Path(os.path.abspath(edition_dir)).name)
    except output.OutputError:
        pass  # the folder cannot be written: writing the new outputs says so
    run = Run(cache=Cache(options.out_dir / ".cache", enabled=options.cache))
    # An EPUB alone is quicker made here than handed to workers that must first start.
    if options.workers > 1 and ("pdf" in options.formats or options.quiz_only):
        run.workers = pool.take(options.workers, FONTS)
    try:
        return _build(edition_dir, options, timer, started, run, without)
    finally:
        run.close()


def _build(edition_dir: Path, options: Options, timer: Timer, started: float, run, without) -> BuildReport:
    prepared = prepare(edition_dir, timer, without)
    edition = prepared.edition
    questions = practice.gather(edition)
    outputs: dict[str, bytes] = {}
    warnings: list[str] = [str(w) for w in edition.book.warnings] if edition.book is not None else []
    pages = None
    stem = output_stem(edition)
    target = options.out_dir / edition.slug
    content = None
    if "epub" in options.formats and not options.quiz_only:
        with timer.stage("compose"):
            content = compose.compose_epub(edition, prepared.fragments, prepared.foreword_epub, prepared.strings,
                                           questions)
            namer = epub_image_namer(edition.content_root)
            images = tuple((path, namer(path)) for path in prepared.images)
            if run.workers is not None:  # packaged by a worker when it has no chunk to lay out
                run.package_epub(content, images, FONTS)
    if "pdf" in options.formats or options.quiz_only:
        main = _render_print(prepared, options, questions, compose.print_parts(edition.meta), None, timer, run)
        pages = main.pages
        if options.profile == "print" and not options.quiz_only:
            main = _for_press(prepared, options, main, timer)
            pages = main.pages
        if options.quiz_only:
            # The handout cites the magazine's pages, so the magazine is laid out first and not written.
            quiz = _render_print(prepared, options, questions, compose.print_parts(edition.meta, quiz_only=True),
                                 main.anchor_pages, timer)
            outputs[f"{stem}-quiz.pdf"] = _for_press(prepared, options, quiz, timer, pad=False).data
            pages = quiz.pages
        else:
            outputs[f"{stem}.pdf"] = main.data
            if edition.meta.practice and edition.meta.answers == "separate" and questions.prelims:
                key = _render_print(prepared, options, questions,
                                    compose.print_parts(edition.meta, answers_only=True), main.anchor_pages, timer)
                outputs[f"{stem}-answers.pdf"] = _for_press(prepared, options, key, timer, pad=False).data
    if content is not None:
        with timer.stage("epub"):
            if (run.tasks or run.scheduler) and run.workers is not None:  # the EPUB's task, to its end
                from pressroom.fast import chunks

                chunks.run_tasks(run)
            data = run.results.get("epub")
            if data is None:  # packaged here (one job, or the workers were given up)
                from pressroom.stages import epub

                data = epub.build_epub(content, images, FONTS)
            outputs[f"{stem}.epub"] = data
        size_mb = len(outputs[f"{stem}.epub"]) / 1e6
        if size_mb > edition.meta.epub_budget_mb:
            warnings.append(str(warning(edition.definition, 1,
                                        f"the EPUB is {size_mb:.1f} MB, over its budget of "
                                        f"{edition.meta.epub_budget_mb:g} MB (epub_budget_mb); shrink or remove images", code="epub.budget")))
    extra, removed = {}, ()
    if options.proofs and f"{stem}.pdf" in outputs:
        from pressroom.stages import proofs

        with timer.stage("proofs"):
            extra = {f"proofs/{name}": data for name, data in proofs.proof_files(outputs[f"{stem}.pdf"]).items()}
            old = target / "proofs"
            removed = tuple(f"proofs/{p.name}" for p in (old.glob("page-*.png") if old.is_dir() else ()))
    warnings += [str(p) for p in prepared.warnings]
    report = BuildReport(
        edition=edition.slug,
        title=edition.meta.title,
        artefacts={**{_kind(name, stem): str(target / name) for name in outputs},
                   **({"contact_sheet": str(target / "proofs" / "contact-sheet.png")} if extra else {})},
        bytes={_kind(name, stem): len(data) for name, data in outputs.items()},
        pages=pages,
        articles=len(edition.articles),
        words=prepared.words,
        images=len(prepared.images),
        questions={"prelims": len(questions.prelims), "mains": len(questions.mains)},
        index_entries=len(questions.index),
        seconds={**timer.seconds, "total": round(time.perf_counter() - started, 3)},
        warnings=tuple(warnings),
        house_rules=tuple(str(p) for p in houserules.check_edition(edition)),
        pdf_render=run.note if "pdf" in options.formats or options.quiz_only else None,
        compilation=_book_report(edition),
    )
    with timer.stage("write"):
        # The PDF, the EPUB, the report and the proofs switch together (output.py).
        output.write_set(target, {**outputs, **extra, "build-report.json": output.json_bytes(report.to_json())},
                         removed)
    run.cache.remember(edition.slug)
    # The report written could not time its own writing; the one returned (and shown) does.
    return report.with_seconds({**timer.seconds, "total": round(time.perf_counter() - started, 3)})


def _book_report(edition: reader.Edition) -> dict | None:
    """A compilation's part of build-report.json: what it was drawn from and every article chosen, in book order."""
    book = edition.book
    if book is None:
        return None
    articles = [{"edition": a.origin.edition, "file": a.origin.file, "title": a.meta.title, "group": s.section.title,
                 "prelims": len(a.meta.questions.prelims), "mains": len(a.meta.questions.mains)}
                for s in edition.sections for a in s.articles]
    return {"group_by": book.group_by, "editions": [{"slug": slug, "title": title} for slug, title in book.editions],
            "articles": articles}


def _kind(name: str, stem: str) -> str:
    """'aspire-ias-x.pdf' -> 'pdf'; 'aspire-ias-x-answers.pdf' -> 'answers_pdf'."""
    rest, ext = name.removeprefix(stem).rsplit(".", 1)
    return f"{rest.strip('-')}_{ext}" if rest.strip("-") else ext
