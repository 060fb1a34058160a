"""The print edition in chunks, rendered on worker processes with the right page numbers.

Planning (where to cut, each chunk's HTML) is chunkplan.py.

Render.  Every chunk is laid out as if it began on page 1; its page count is
then known, and once every earlier chunk's count is known, its real first page
is, and the worker that holds it finishes it (see pdfchunk.py).  Page numbers
a chunk prints for anchors in other chunks (the contents, "See p. N", the
index) are given to it when they are known: the back matter is laid out after
the sections, and the front, laid out first with stand-in numbers for its page
count, is finished last with the real ones.  Footnotes that WeasyPrint carries
off a chunk's last page open the next chunk, as they would open that page in
the whole edition.  Cached chunks are used when their HTML, first page and the
page numbers they printed are the same.  Every assumption is checked at the
end (first pages, the page numbers printed, the footnote count, that every
anchor is in one chunk); a chunk whose assumption failed is rendered again,
and if that does not settle, the caller renders the edition as one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pressroom.fast import epubtask
from pressroom.fast.cache import Cache
from pressroom.fast.chunkplan import ChunkingUnsafe, Planner, unsafe_css
from pressroom.fast.messages import Failed, Init, Task
from pressroom.fast.pool import Workers
from pressroom.fast.scheduler import PdfProblems, Scheduler
from pressroom.fingerprint import digest, file_sha256, tool_key
from pressroom.paths import FONTS, print_image_namer
from pressroom.problems import ContentError, Problem, display_path
from pressroom.stages.pdf import PdfResult, print_setup


@dataclass
class Run:
    """What one build's print render shares with its workers; only this module changes it."""

    cache: Cache
    workers: Workers | None = None       # None: everything is done in this process
    tasks: list[Task] = field(default_factory=list)        # for idle workers, not yet handed out
    results: dict[str, bytes] = field(default_factory=dict)  # task id -> result
    note: str = "one document"           # how the PDF was laid out, for the build report
    initialised: bool = False            # the workers' renderers are set up for this edition
    scheduler: Scheduler | None = None   # the print render's, while the tasks it took on are still running

    def package_epub(self, content, images, fonts) -> None:
        """Hand the EPUB to a worker that has no chunk to lay out."""
        self.tasks.append(Task("epub", epubtask.package, (content, images, fonts)))

    def give_up(self, exc: Exception) -> None:
        """The chunked render failed or was unsafe: the caller lays the edition out as one document."""
        self.note = (f"one document: {exc}" if isinstance(exc, ChunkingUnsafe) else
                     f"one document: the chunked render failed ({type(exc).__name__}: {str(exc).strip()[-300:]})")
        if self.workers is not None:
            self.workers.close()  # they may be in the middle of something; nothing more is asked of them
        self.workers, self.tasks = None, []

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()


# --------------------------------------------------------------------------- the build's entry points

def _init_workers(run: Run, renderer_args) -> None:
    if run.initialised:
        return
    for worker in range(len(run.workers)):
        run.workers.send(worker, Init(renderer_args))
    waiting = set(range(len(run.workers)))
    while waiting:
        for worker, message in run.workers.receive():
            if isinstance(message, Failed):
                raise RuntimeError(message.message)
            waiting.discard(worker)
    run.initialised = True


def render_edition(prepared, options, practice_model, show: dict, timer, run: Run) -> PdfResult:
    """The edition's print PDF rendered in chunks on `run.workers` and stitched; a pdf.PdfResult."""
    from pressroom.fast import (
        stitch,  # pikepdf: only a PDF build needs it, not an EPUB-only one
    )

    edition = prepared.edition
    setup = print_setup(edition.content_root, options.profile)
    sheets, tagged = setup.sheets, setup.tagged
    with timer.stage("compose"):
        reason = unsafe_css([p.read_text(encoding="utf-8") for p in sheets])
        if reason:
            raise ChunkingUnsafe(reason)
        namer = print_image_namer(edition.content_root)
        logo = namer(prepared.logo) if prepared.logo else None
        cover = namer(prepared.cover_image) if prepared.cover_image else None
        images = sorted((namer(p), file_sha256(p)) for p in {*prepared.images, prepared.logo, prepared.cover_image} if p)
        salt = digest(tool_key(), "print-chunk", options.profile, tagged, [s.name for s in sheets])
        planner = Planner(edition, prepared.fragments, prepared.foreword_html, prepared.strings, logo, cover,
                          practice_model, show, salt, tuple(images))
        chunks = planner.plan()
        reason = unsafe_css(re.findall(r"<style>(.*?)</style>", chunks[0].html, re.S)) if chunks else "nothing to print"
        if reason:
            raise ChunkingUnsafe(reason)
    _init_workers(run, (sheets, setup.roots, FONTS, setup.schemes, edition.meta.published, tagged))
    tasks, run.tasks = run.tasks, []
    with timer.stage("pdf"):
        scheduler = Scheduler(chunks, run.workers, edition.folder, run.cache, tasks,
                              tick=lambda done, total: timer.tick("pdf", done, total), planner=planner)
        try:
            rendered = scheduler.run(tasks_too=False)  # the EPUB's tasks go on while the chunks are stitched
        except PdfProblems as exc:
            where = display_path(edition.definition)
            raise ContentError([Problem(where, 1, "error", f"PDF renderer: {m}", "pdf.renderer")
                                for m in dict.fromkeys(exc.messages)]) from None
        except BaseException:
            run.results.update(scheduler.task_results)
            run.tasks += scheduler.tasks  # not started: the caller makes them
            raise
        run.scheduler = scheduler
    with timer.stage("stitch"):
        shipped = {file_sha256(path): path for path in sorted(FONTS.glob("*.[ot]tf"))}
        originals: dict = {}
        for part in rendered.parts:
            for name, (sha, notdef) in (part.fonts or {}).items():
                if sha in shipped and originals.get(name, (shipped[sha],))[0] == shipped[sha]:
                    originals[name] = (shipped[sha], notdef or originals.get(name, (None, False))[1])
                else:
                    originals[name] = (None, False)  # not one shipped file: left as it is
        originals = {name: value for name, value in originals.items() if value[0] is not None}
        data = stitch.stitch([stitch.Part(p.data, tuple(p.anchors)) for p in rendered.parts], tagged, originals)
    carried = sum(1 for state in scheduler.states if state.chunk.carried)
    run.note = (f"{len(rendered.parts)} chunks on {len(run.workers)} workers: {rendered.layouts} laid out, "
                f"{rendered.cached} from the cache" + (f", {carried} opening with footnotes carried over"
                                                       if carried else ""))
    pages = sum(p.pages for p in rendered.parts)
    anchor_pages = {name: page for name, page in rendered.anchor_pages.items() if name.startswith("art-")}
    return PdfResult(data, pages, (), anchor_pages)


def run_tasks(run: Run) -> None:
    """Finish the tasks the print render left running, and run those in `run.tasks`; results to `run.results`."""
    for scheduler in (run.scheduler, Scheduler([], run.workers, None, None, run.tasks)):
        if scheduler is None:
            continue
        run.tasks = []
        try:
            scheduler.run()
        finally:
            run.results.update(scheduler.task_results)
    run.scheduler = None
