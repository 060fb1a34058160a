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

import dataclasses
import re
from dataclasses import dataclass, field

from .chunkplan import PLACEHOLDER_PAGE, Chunk, ChunkingUnsafe, Planner, trace, footnote_sources, unsafe_css

MAX_LAYOUTS_PER_CHUNK = 4


# --------------------------------------------------------------------------- rendering


@dataclass
class Task:
    """Work for an idle worker: `function(*args)`."""

    id: object
    function: object
    args: tuple


@dataclass
class CacheEntry:
    first_page: int
    used: dict[str, int]
    trim: bool
    pages: int                 # every page laid out
    content_pages: int
    carried: tuple[int, ...]
    anchors: dict[str, int]
    load: object               # () -> ChunkPdf or None


@dataclass
class _State:
    id: int
    base: Chunk                         # as planned, without footnotes carried in
    chunk: Chunk                        # as rendered
    pages: int | None = None            # every page of its layout
    content_pages: int | None = None    # without trailing pages of carried footnotes
    carried: tuple[int, ...] | None = None
    anchors: dict[str, int] | None = None
    holder: int | None = None           # the worker that keeps its layout, waiting for its first page
    held_used: dict[str, int] | None = None
    busy: bool = False                  # a request about it is with a worker
    result: tuple | None = None         # (first page, page numbers printed, trimmed, ChunkPdf)
    sent: tuple = (None, False)         # (first page, trim) of the request with a worker
    layouts: int = 0
    run: int = 0                        # the worker whose run of sections it belongs to
    entries: list[CacheEntry] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return self.pages is not None and self.anchors is not None and self.carried is not None


@dataclass
class Rendered:
    parts: list                # ChunkPdf per chunk, in order
    labels: list[str]
    first_pages: list[int]
    anchor_pages: dict[str, int]
    task_results: dict
    layouts: int
    cached: int
    carried: int


class PdfProblems(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class Scheduler:
    """Gets every chunk rendered at its real first page with the real page numbers, keeping the workers busy.

    Order of work for an idle worker: finish a layout it holds whose first page is known; lay out the
    next section chunk of its own run (the sections are split into one contiguous run per worker, so a
    chunk is usually laid out after the one before it and knows which footnotes that one carried over);
    lay out the back matter or the front once the page numbers they print are known (the front first
    of all, with stand-in numbers, when its page count is not known from the cache, since every first
    page depends on it); run a task (packaging the EPUB).
    """

    def __init__(self, chunks: list[Chunk], workers, base_dir, cache=None, tasks=(), tick=None, planner=None):
        self.serial = 0
        self.workers = workers
        self.base_dir = base_dir
        self.cache = cache
        self.planner = planner
        self.tasks = [t if isinstance(t, Task) else Task(*t) for t in tasks]
        self.task_results: dict = {}
        self.tasks_out = 0
        self.idle = set(range(len(workers))) if workers is not None else set()
        self.tick = tick or (lambda done, total: None)
        self.layouts = self.cached = self.carries = 0
        self.sources: dict[str, list[str]] = {}
        self.states: list[_State] = [self._new_state(chunk, chunk) for chunk in chunks]
        body = [s for s in self.states if s.chunk.kind == "body"]
        total, jobs = sum(len(s.chunk.html) for s in body) or 1, max(1, len(workers or ()))
        done = 0
        for state in body:  # by the middle of each chunk, so that the runs are about the same size
            state.run = min(jobs - 1, int((done + len(state.chunk.html) / 2) * jobs / total))
            done += len(state.chunk.html)
        for state in list(self.states):
            if state.carried is not None and state in self.states:
                self._carry_from(state)
        self._waits()

    def _new_state(self, base: Chunk, chunk: Chunk, run: int = 0) -> _State:
        self.serial += 1
        state = _State(self.serial, base, chunk, run=run)
        if self.cache is not None:
            state.entries = self.cache.entries(chunk.key)
            # Page counts and anchors of a section do not depend on its first page; for the front and
            # back matter they are a first guess, checked when the page numbers are known.
            if state.entries:
                entry = state.entries[0]
                state.pages, state.content_pages, state.carried = entry.pages, entry.content_pages, entry.carried
                state.anchors = entry.anchors
        return state

    def _waits(self) -> None:
        # The back matter waits for the page numbers of the sections, not for each other: the answer key
        # only links to the questions. (Were a number printed from another back chunk, the check at the end
        # would lay it out again.)
        owner = {name: state.chunk.kind for state in self.states for name in state.chunk.ids}
        self.waits_for = {s.id: (tuple(n for n in s.chunk.refs if owner.get(n) in ("body", "front"))
                                 if s.chunk.kind == "back" else s.chunk.refs) for s in self.states}

    def _state(self, cid: int) -> _State | None:
        return next((s for s in self.states if s.id == cid), None)

    def _last(self, state: _State) -> bool:
        return state is self.states[-1]

    # ------------------------------------------------------------------ what is known
    def first_pages(self) -> list[int | None]:
        out, page = [], 1
        for state in self.states:
            out.append(page)
            count = state.pages if self._last(state) else state.content_pages
            page = page + count if page is not None and count is not None else None
        return out

    def anchor_pages(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for state, first in zip(self.states, self.first_pages()):
            if first is not None and state.anchors is not None:
                for name, index in state.anchors.items():
                    out.setdefault(name, first + index)
        return out

    def all_counted(self) -> bool:
        return all(s.counted for s in self.states)

    @staticmethod
    def consistent(used: dict[str, int], pages: dict[str, int]) -> bool | None:
        """True if every page number printed is right, False if one is wrong, None if not all are known."""
        unknown = False
        for name, value in used.items():
            if name not in pages:
                unknown = True
            elif pages[name] != value:
                return False
        return None if unknown else True

    def _settled(self, state: _State, first: int | None, pages: dict) -> bool:
        if state.result is None or first is None or not state.counted:
            return False
        start, used, trimmed, pdf = state.result
        expected = state.pages if self._last(state) else state.content_pages
        return (start == first and trimmed != self._last(state) and pdf.pages == expected
                and self.consistent(used, pages) is True)

    def complete(self) -> bool:
        if not self.all_counted():
            return False
        pages = self.anchor_pages()
        return all(self._settled(s, f, pages) for s, f in zip(self.states, self.first_pages()))

    # ------------------------------------------------------------------ the loop
    def run(self, tasks_too: bool = True) -> Rendered:
        """Until every chunk is rendered, and, with `tasks_too`, every task is done (else they go on)."""
        while True:
            self._use_cache()
            self.tick(sum(1 for s in self.states if s.result is not None), len(self.states))
            if self.complete() and (not tasks_too or (not self.tasks and not self.tasks_out)):
                break
            self._dispatch()
            if self.workers is None or len(self.idle) == len(self.workers):
                if self.complete() and not self.tasks:
                    break
                raise ChunkingUnsafe("the chunks' page numbers did not settle")
            for worker, message in self.workers.receive():
                self._handle(worker, message)
        self._check_anchors()
        return Rendered([s.result[3] for s in self.states], [s.chunk.label for s in self.states],
                        self.first_pages(), self.anchor_pages(), self.task_results, self.layouts, self.cached,
                        self.carries)

    def _check_anchors(self) -> None:
        seen: dict[str, str] = {}
        for state in self.states:
            for name in state.result[3].anchors:
                if name in seen:
                    raise ChunkingUnsafe(f"anchor '{name}' is in chunks {seen[name]} and {state.chunk.label}")
                seen[name] = state.chunk.label

    def _use_cache(self) -> None:
        """Take cached chunks whose first page and printed page numbers are now known to be right."""
        firsts, pages = self.first_pages(), self.anchor_pages()
        for state, first in zip(self.states, firsts):
            if first is None or state.busy or state.holder is not None or self._settled(state, first, pages):
                continue
            for entry in state.entries:
                if (entry.first_page == first and entry.trim != self._last(state) and entry.pages == state.pages
                        and entry.content_pages == state.content_pages and entry.carried == state.carried
                        and self.consistent(entry.used, pages) is True):
                    pdf = entry.load()
                    if pdf is not None:
                        state.result = (first, dict(entry.used), entry.trim, pdf)
                        self.cached += 1
                        break

    def _dispatch(self) -> None:
        if self.workers is None:
            return
        for worker in sorted(self.idle):
            message = self._next_for(worker)
            if message is not None:
                trace(f"-> w{worker} {message[0]} {self._label(message)}")
                self.workers.send(worker, message)
                self.idle.discard(worker)

    def _label(self, message) -> str:
        if message[0] in ("layout", "finish", "laid", "done"):
            state = self._state(message[1])
            label = state.chunk.label + ("(+notes)" if state.chunk.carried else "") if state else message[1]
            start = {"layout": 5, "finish": 2}.get(message[0])
            return f"{label}" + (f" start={message[start]}" if start else "")
        return str(message[1])

    def _next_for(self, worker: int):
        firsts, pages = self.first_pages(), self.anchor_pages()
        # 1. finish a layout this worker keeps, once its first page and the numbers it printed are right
        for state, first in zip(self.states, firsts):
            if state.holder != worker or state.busy or first is None:
                continue
            if state.chunk.kind == "front":  # laid out with stand-in numbers: finished with the real ones
                if self._settled(state, first, pages):
                    self.workers.send(worker, ("drop", state.id))
                    state.holder = state.held_used = None
                elif self.all_counted():
                    values = {name: pages.get(name, PLACEHOLDER_PAGE) for name in state.chunk.refs}
                    state.busy, state.sent = True, (first, not self._last(state))
                    return ("finish", state.id, first, state.sent[1], values)
                continue
            verdict = self.consistent(state.held_used, pages)
            if verdict is False or self._settled(state, first, pages):
                self.workers.send(worker, ("drop", state.id))
                state.holder = state.held_used = None
            elif verdict is True:
                trim = not self._last(state)
                state.busy, state.sent = True, (first, trim)
                return ("finish", state.id, first, trim, None)
        # 2. lay out a chunk
        first_of = {s.id: f for s, f in zip(self.states, firsts)}
        for state in self._layout_order(worker):
            first = first_of[state.id]
            if state.busy or state.holder is not None or self._settled(state, first, pages):
                continue
            if state.entries and (first is None or state.chunk.kind != "body" and not self.all_counted()):
                continue  # probably in the cache: wait until its first page and numbers are known
            numbers_known = all(name in pages for name in self.waits_for[state.id])
            front = state.chunk.kind == "front"
            if front and state.pages is not None and not self.all_counted():
                continue  # its page count is known (cache): lay it out when the numbers are
            if state.chunk.kind == "back" and not numbers_known:
                continue  # wait for the page numbers it prints
            if state.layouts >= MAX_LAYOUTS_PER_CHUNK:
                raise ChunkingUnsafe(f"chunk {state.chunk.label} was laid out {state.layouts} times")
            # The front is always laid out with the same stand-in numbers and finished with the real ones,
            # so that its bytes do not depend on what was known when; the others get the real numbers.
            values = {name: PLACEHOLDER_PAGE if front else pages.get(name, PLACEHOLDER_PAGE)
                      for name in state.chunk.refs}
            state.busy = True
            state.layouts += 1
            self.layouts += 1
            # Finished at once only if its first page is known and it cannot carry notes into a later chunk
            # before that is known (the last chunk keeps its own).
            at_once = (not front and first is not None
                       and (self._last(state) or state.chunk.footnotes == 0))
            state.sent = (first, not self._last(state)) if at_once else (None, False)
            return ("layout", state.id, state.chunk.html, self.base_dir, values, *state.sent, front)
        # 3. a task
        return self._task()

    def _layout_order(self, worker: int) -> list[_State]:
        """The front (first, when its page count is unknown), this worker's run of sections, then the others'
        from the end of the longest remaining run, then the back matter, then the front."""
        front = [s for s in self.states if s.chunk.kind == "front"]
        mine = [s for s in self.states if s.chunk.kind == "body" and s.run == worker]
        others: dict[int, list[_State]] = {}
        for state in self.states:
            if state.chunk.kind == "body" and state.run != worker and not state.busy and state.holder is None \
                    and state.result is None:
                others.setdefault(state.run, []).append(state)
        stolen = [s for run in sorted(others, key=lambda r: -sum(len(s.chunk.html) for s in others[r]))
                  for s in reversed(others[run])]
        back = [s for s in self.states if s.chunk.kind == "back"]
        early = [s for s in front if s.pages is None]
        late = [s for s in front if s.pages is not None]
        return early + mine + stolen + back + late

    def _task(self):
        if not self.tasks:
            return None
        task = self.tasks.pop(0)
        self.tasks_out += 1
        return ("task", task.id, task.function, task.args)

    def _handle(self, worker: int, message) -> None:
        kind = message[0]
        trace(f"<- w{worker} {kind} {self._label(message) if kind in ('laid', 'done') else ''}"
               f"{' pages=%d/%d carried=%s' % (message[2].content_pages, message[2].pages, message[2].carried) if kind in ('laid', 'done') else ''}")
        if kind == "error":
            raise RuntimeError(message[1])
        self.idle.add(worker)
        if kind == "result":
            _, task_id, value = message
            self.task_results[task_id] = value
            self.tasks_out -= 1
            return
        cid, info = message[1], message[2]
        state = self._state(cid)
        if state is None:  # replaced meanwhile (it now carries other footnotes)
            if kind == "laid":
                self.workers.send(worker, ("drop", cid))
            return
        state.busy = False
        if info.footnotes != state.chunk.footnotes:
            raise ChunkingUnsafe(f"chunk {state.chunk.label} has {info.footnotes} footnotes, "
                                 f"{state.chunk.footnotes} were counted in its HTML")
        state.pages, state.content_pages, state.carried = info.pages, info.content_pages, info.carried
        state.anchors = info.anchors
        if kind == "laid":
            state.holder, state.held_used = worker, dict(info.external_used)
        else:
            pdf = message[3]
            if pdf.problems:
                raise PdfProblems(pdf.problems)
            if state.chunk.kind == "front" and pdf.pages != state.pages:  # the real numbers took more pages
                state.pages = state.content_pages = pdf.pages
                info = dataclasses.replace(info, pages=pdf.pages, content_pages=pdf.pages)
            first, trim = state.sent
            state.result = (first, dict(pdf.external_used), trim, pdf)
            state.holder = state.held_used = None
            if self.cache is not None and first is not None:
                self.cache.store(state.chunk.key, first, dict(pdf.external_used), trim, info, pdf)
        self._carry_from(state)

    def _carry_from(self, state: _State) -> None:
        """Make the next chunk start with the footnotes this one carried off its last page (or none)."""
        index = self.states.index(state)
        if index + 1 >= len(self.states):
            return
        following = self.states[index + 1]
        carried = state.carried or ()
        if carried:
            if self.planner is None:
                raise ChunkingUnsafe(f"chunk {state.chunk.label} carries footnotes over")
            if state.chunk.key not in self.sources:  # its own footnotes, after those it carried in
                self.sources[state.chunk.key] = footnote_sources(state.chunk.html)[len(state.chunk.carried):]
            sources = self.sources[state.chunk.key]
            if len(sources) != state.chunk.footnotes or carried != tuple(range(len(sources) - len(carried),
                                                                                 len(sources))):
                raise ChunkingUnsafe(f"chunk {state.chunk.label} carries footnotes {carried} of {len(sources)}")
            wanted = tuple(sources[i] for i in carried)
        else:
            wanted = ()
        if following.chunk.carried == wanted:
            return
        if following.holder is not None:
            self.workers.send(following.holder, ("drop", following.id))
        chunk = self.planner.carry(following.base, wanted) if wanted else following.base
        replacement = self._new_state(following.base, chunk, following.run)
        self.states[index + 1] = replacement
        self.carries += 1
        trace(f"{state.chunk.label} carries {len(wanted)} footnote(s) into {chunk.label}")
        self._waits()
        if replacement.carried is not None:
            self._carry_from(replacement)


# --------------------------------------------------------------------------- the build's entry points

def _init_workers(run, renderer_args) -> None:
    if run.initialised:
        return
    for worker in range(len(run.workers)):
        run.workers.send(worker, ("init", renderer_args))
    waiting = set(range(len(run.workers)))
    while waiting:
        for worker, message in run.workers.receive():
            if message[0] == "error":
                raise RuntimeError(message[1])
            waiting.discard(worker)
    run.initialised = True


def render_edition(prepared, options, practice_model, show: dict, timer, run):
    """The edition's print PDF rendered in chunks on `run.workers` and stitched; a pdf.PdfResult."""
    from . import pipeline, stitch
    from .cache import digest, tool_key
    from .hashing import file_sha256
    from .pdf import PdfResult
    from .problems import ContentError, Problem, display_path

    edition = prepared.edition
    roots, sheets, schemes, tagged = pipeline._print_setup(edition, options)
    with timer.stage("compose"):
        reason = unsafe_css([p.read_text(encoding="utf-8") for p in sheets])
        if reason:
            raise ChunkingUnsafe(reason)
        namer = pipeline.print_image_namer(edition.content_root)
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
    _init_workers(run, (sheets, roots, pipeline.FONTS, schemes, edition.meta.published, tagged))
    tasks, run.tasks = run.tasks, []
    with timer.stage("pdf"):
        scheduler = Scheduler(chunks, run.workers, edition.folder, run.cache, tasks,
                              tick=lambda done, total: timer.tick("pdf", done, total), planner=planner)
        try:
            rendered = scheduler.run(tasks_too=False)  # the EPUB's tasks go on while the chunks are stitched
        except PdfProblems as exc:
            where = display_path(edition.folder / "edition.yaml")
            raise ContentError([Problem(where, 1, "error", f"PDF renderer: {m}")
                                for m in dict.fromkeys(exc.messages)]) from None
        except BaseException:
            run.results.update(scheduler.task_results)
            run.tasks += scheduler.tasks  # not started: the caller makes them
            raise
        run.scheduler = scheduler
    with timer.stage("stitch"):
        shipped = {file_sha256(path): path for path in sorted(pipeline.FONTS.glob("*.[ot]tf"))}
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


def run_tasks(run) -> None:
    """Finish the tasks the print render left running, and run those in `run.tasks`; results to `run.results`."""
    for scheduler in (getattr(run, "scheduler", None), Scheduler([], run.workers, None, None, run.tasks)):
        if scheduler is None:
            continue
        run.tasks = []
        try:
            scheduler.run()
        finally:
            run.results.update(scheduler.task_results)
    run.scheduler = None
