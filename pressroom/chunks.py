"""The print edition in chunks: plan them, then render them on worker processes with the right page numbers.

Plan.  A chunk is a run of the edition that begins on a forced page break, so
it lays out exactly as it does inside the whole edition: the front (cover and
contents), runs of whole sections (the foreword goes with the first), and the
back matter (practice questions, answer key, index, back cover).  Sections are
grouped by size only (never by the number of workers), so the output does not
depend on the machine.  Each chunk's HTML is the edition's own template output
for its parts, plus a `<style>` that starts the footnote counter where the
previous chunks left it and hides the parts that are composed only so that
the contents can list them.

Render.  Every chunk is laid out as if it began on page 1; its page count is
then known, and once every earlier chunk's count is known, its real first page
is, and the worker that holds it finishes it (see pdfchunk.py).  Page numbers
a chunk prints for anchors in other chunks (the contents, "See p. N", the
index) are given to it when they are known: the front and the back matter are
laid out after the sections.  Cached chunks are used when their HTML, first
page and the page numbers they printed are the same.  Every assumption is
checked at the end (first pages, the page numbers printed, the footnote count,
that a chunk ends on a clean page break, that every anchor is in one chunk);
a chunk whose assumption failed is rendered again, and if that does not
settle, the caller renders the edition as one document.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import sys
import time
from dataclasses import dataclass, field

from . import compose

TARGET_CHUNKS = 16        # sections are grouped so that the body makes about this many chunks...
MIN_CHUNK_CHARS = 12_000  # ...but no chunk is smaller than this much HTML (about 2 pages) unless it is alone
MAX_LAYOUTS_PER_CHUNK = 4
PLACEHOLDER_PAGE = 88     # printed by a chunk laid out before the real page numbers are known

ID = re.compile(r'\sid="([^"]+)"')
HREF = re.compile(r'\shref="#([^"]+)"')
FOOTNOTE = 'class="footnote"'
# CSS that would make a chunk lay out differently than inside the whole edition.
UNSAFE_CSS = re.compile(r"@page\s*:(first|blank|nth)|:nth\(|break-(before|after)\s*:\s*(left|right|recto|verso)"
                        r"|running\(|element\(|target-text\(|counter-(reset|increment|set)\s*:\s*(?!none\b|page\b|footnote\b)")


_T0 = time.perf_counter()


def _trace(text: str) -> None:
    if os.environ.get("PRESSROOM_TRACE"):
        print(f"[{time.perf_counter() - _T0:7.3f}] {text}", file=sys.stderr, flush=True)


class ChunkingUnsafe(Exception):
    """The edition cannot be rendered in chunks that match a single-document render; render it whole."""


@dataclass(frozen=True)
class Chunk:
    label: str
    kind: str                 # "front", "body" or "back"
    html: str
    ids: frozenset[str]       # anchors laid out in this chunk
    refs: tuple[str, ...]     # anchors it links to or prints the page of, laid out in other chunks
    footnotes: int            # footnotes in this chunk
    key: str = ""             # hash of everything its rendering depends on, but its first page


def unsafe_css(texts: list[str]) -> str | None:
    for text in texts:
        match = UNSAFE_CSS.search(re.sub(r"/\*.*?\*/", "", text, flags=re.S))
        if match:
            return f"the stylesheet uses '{match[0]}'"
    return None


def plan(edition, fragments: dict, foreword_html: str | None, strings: dict, logo_uri: str | None,
         cover_uri: str | None, practice, show: dict, salt: str) -> list[Chunk]:
    """The chunks of the edition's print PDF in reading order. `salt` goes into every key (tool, styles...)."""

    def html(parts: set[str], sections=None, foreword=None, hidden=()) -> str:
        flags = {p: p in parts for p in compose.PRINT_PARTS}
        for part in hidden:
            flags[part] = True
        subset = edition if sections is None else dataclasses.replace(edition, sections=tuple(sections))
        return compose.compose_print(subset, fragments, foreword, strings, logo_uri, cover_uri, practice, flags, None)

    def body_of(text: str) -> str:
        start, end = text.find("<body"), text.rfind("</body>")
        return text[text.find(">", start) + 1:end].strip() if start >= 0 and end >= 0 else ""

    units = []  # (label, kind, parts, sections, foreword) of every non-empty part in reading order
    if show.get("main") and foreword_html:
        units.append(("foreword", "body", {"main"}, (), foreword_html))
    if show.get("main"):
        units += [(s.section.id, "body", {"main"}, (s,), None) for s in edition.sections]
    units += [(part, "back", {part}, (), None) for part in ("practice", "answers", "index", "back") if show.get(part)]
    # The front is the whole edition's cover and contents: every section, the foreword's entry, and the
    # back matter's entries (those parts composed but hidden).
    sized = []
    for label, kind, parts, sections, foreword in units:
        text = body_of(html(parts, sections, foreword))
        if text:
            sized.append((label, kind, parts, sections, foreword, len(text)))

    groups: list[list] = []
    for kind in ("body", "back"):
        members = [u for u in sized if u[1] == kind]
        target = max(MIN_CHUNK_CHARS, sum(u[5] for u in members) // TARGET_CHUNKS)
        current, size = [], 0
        for unit in members:
            if current and size + unit[5] > target * 1.5 and size >= target / 2:
                groups.append(current)
                current, size = [], 0
            current.append(unit)
            size += unit[5]
            if size >= target:
                groups.append(current)
                current, size = [], 0
        if current:
            groups.append(current)

    chunks: list[Chunk] = []
    notes_before = 0
    front_parts = {p for p in ("cover", "contents") if show.get(p)}
    front_hidden = tuple(p for p in ("practice", "answers", "index") if show.get(p))
    if front_parts:
        visible = html(front_parts)
        text = _with_style(html(front_parts, foreword=foreword_html, hidden=front_hidden), 0, front_hidden)
        chunks.append(_chunk("front", "front", text, visible, salt))
        notes_before += visible.count(FOOTNOTE)
    for group in groups:
        parts = set().union(*(u[2] for u in group))
        sections = tuple(s for u in group for s in u[3])
        foreword = next((u[4] for u in group if u[4]), None)
        hidden = ("practice",) if "answers" in parts and "practice" not in parts and show.get("practice") else ()
        visible = html(parts, sections, foreword)
        text = _with_style(html(parts, sections, foreword, hidden), notes_before, hidden)
        label = "+".join(u[0] for u in group)
        chunks.append(_chunk(label, group[0][1], text, visible, salt))
        notes_before += visible.count(FOOTNOTE)
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.ids & seen:
            raise ChunkingUnsafe(f"anchors in more than one chunk: {sorted(chunk.ids & seen)[:3]}")
        seen |= chunk.ids
    return chunks


def _with_style(text: str, notes_before: int, hidden: tuple[str, ...]) -> str:
    rules = []
    if notes_before:
        rules.append(f"html {{ counter-set: footnote {notes_before} }}")
    if hidden:
        rules.append(", ".join(f"#{part}" for part in hidden) + " { display: none !important }")
    if not rules:
        return text
    style = "<style>/* this chunk */ " + " ".join(rules) + "</style>\n"
    head = text.find("</head>")
    if head < 0:
        raise ChunkingUnsafe("the print template has no </head>")
    return text[:head] + style + text[head:]


def _chunk(label: str, kind: str, text: str, visible: str, salt: str) -> Chunk:
    ids = frozenset(ID.findall(visible))
    refs = tuple(sorted(set(HREF.findall(text)) - ids))
    key = hashlib.sha256(f"{salt}\n{text}".encode()).hexdigest()
    return Chunk(label, kind, text, ids, refs, visible.count(FOOTNOTE), key)


# --------------------------------------------------------------------------- rendering


@dataclass
class Task:
    """Work for an idle worker: `function(*args)`; `args` may be a function of the results of `after`."""

    id: object
    function: object
    args: object
    after: tuple = ()
    urgent: bool = False  # before any chunk, once its inputs are ready


@dataclass
class CacheEntry:
    first_page: int
    used: dict[str, int]
    pages: int
    anchors: dict[str, int]
    load: object  # () -> ChunkPdf or None


@dataclass
class _State:
    chunk: Chunk
    pages: int | None = None
    anchors: dict[str, int] | None = None
    holder: int | None = None           # the worker that keeps its layout, waiting for its first page
    held_used: dict[str, int] | None = None
    busy: bool = False                  # a request about it is with a worker
    result: tuple | None = None         # (first page, page numbers printed, ChunkPdf)
    sent_first: int | None = None       # the first page it is being finished at
    layouts: int = 0
    entries: list[CacheEntry] = field(default_factory=list)


@dataclass
class Rendered:
    parts: list                # ChunkPdf per chunk, in order
    first_pages: list[int]
    anchor_pages: dict[str, int]
    task_results: dict
    layouts: int
    cached: int


class PdfProblems(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


class Scheduler:
    """Gets every chunk rendered at its real first page with the real page numbers, keeping the workers busy.

    Order of work for an idle worker: finish a layout it holds whose first page is known; lay out a
    section chunk; lay out the back matter or the front once the page numbers they print are known
    (the front first of all, with stand-in numbers, when its page count is not known from the cache,
    since every first page depends on it); run a small task (EPUB font subsets).
    """

    def __init__(self, chunks: list[Chunk], workers, base_dir, cache=None, tasks=(), tick=None):
        self.states = [_State(c) for c in chunks]
        self.workers = workers
        self.base_dir = base_dir
        self.cache = cache
        self.tasks = [t if isinstance(t, Task) else Task(*t) for t in tasks]
        self.task_results: dict = {}
        self.tasks_out = 0
        self.idle = set(range(len(workers))) if workers is not None else set()
        self.tick = tick or (lambda done, total: None)
        self.layouts = 0
        self.cached = 0
        # The back matter waits for the page numbers of the sections, not for each other: the answer key
        # only links to the questions. (Were a number printed from another back chunk, the check at the end
        # would lay it out again.)
        owner = {name: state.chunk.kind for state in self.states for name in state.chunk.ids}
        self.waits_for = [tuple(n for n in s.chunk.refs if owner.get(n) in ("body", "front")) if s.chunk.kind == "back"
                          else s.chunk.refs for s in self.states]
        for state in self.states:
            if cache is not None:
                state.entries = cache.entries(state.chunk.key)
                # Page count and anchors of a section do not depend on its first page; for the front and
                # back matter they are a first guess, checked when the page numbers are known.
                if state.entries:
                    state.pages, state.anchors = state.entries[0].pages, state.entries[0].anchors

    # ------------------------------------------------------------------ what is known
    def first_pages(self) -> list[int | None]:
        out, page = [], 1
        for state in self.states:
            out.append(page)
            page = page + state.pages if page is not None and state.pages is not None else None
        return out

    def anchor_pages(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for state, first in zip(self.states, self.first_pages()):
            if first is not None and state.anchors is not None:
                for name, index in state.anchors.items():
                    out.setdefault(name, first + index)
        return out

    def all_counted(self) -> bool:
        return all(s.pages is not None and s.anchors is not None for s in self.states)

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
        if state.result is None or first is None:
            return False
        start, used, pdf = state.result
        return start == first and pdf.pages == state.pages and self.consistent(used, pages) is True

    def complete(self) -> bool:
        if not self.all_counted():
            return False
        pages = self.anchor_pages()
        return all(self._settled(s, f, pages) for s, f in zip(self.states, self.first_pages()))

    # ------------------------------------------------------------------ the loop
    def run(self) -> Rendered:
        total = len(self.states)
        while True:
            self._use_cache()
            self.tick(sum(1 for s in self.states if s.result is not None), total)
            if self.complete() and not self.tasks and not self.tasks_out:
                break
            self._dispatch()
            if self.workers is None or len(self.idle) == len(self.workers):
                if self.complete() and not self.tasks:
                    break
                raise ChunkingUnsafe("the chunks' page numbers did not settle")
            for worker, message in self.workers.receive():
                self._handle(worker, message)
        self._check_anchors()
        return Rendered([s.result[2] for s in self.states], self.first_pages(), self.anchor_pages(),
                        self.task_results, self.layouts, self.cached)

    def _check_anchors(self) -> None:
        seen: dict[str, str] = {}
        for state in self.states:
            for name in state.result[2].anchors:
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
                if entry.first_page == first and entry.pages == state.pages and \
                        self.consistent(entry.used, pages) is True:
                    pdf = entry.load()
                    if pdf is not None:
                        state.result = (first, dict(entry.used), pdf)
                        self.cached += 1
                        break

    def _dispatch(self) -> None:
        if self.workers is None:
            return
        for worker in sorted(self.idle):
            message = self._next_for(worker)
            if message is not None:
                _trace(f"-> w{worker} {message[0]} {self._label(message)}")
                self.workers.send(worker, message)
                self.idle.discard(worker)

    def _label(self, message) -> str:
        if message[0] in ("layout", "finish", "drop"):
            return f"{self.states[message[1]].chunk.label} start={message[-1] if message[0] != 'drop' else ''}"
        return str(message[1])

    def _next_for(self, worker: int):
        urgent = self._task(urgent=True)
        if urgent is not None:
            return urgent
        firsts, pages = self.first_pages(), self.anchor_pages()
        # 1. finish a layout this worker keeps, once its first page and the numbers it printed are right
        for index, (state, first) in enumerate(zip(self.states, firsts)):
            if state.holder != worker or state.busy or first is None:
                continue
            verdict = self.consistent(state.held_used, pages)
            if verdict is False or self._settled(state, first, pages):
                self.workers.send(worker, ("drop", index))
                state.holder = state.held_used = None
            elif verdict is True:
                state.busy, state.sent_first = True, first
                return ("finish", index, first)
        # 2. lay out a chunk
        front = self.states[0].chunk.kind == "front" if self.states else False
        order = [i for i, s in enumerate(self.states) if s.chunk.kind == "body"]
        order += [i for i, s in enumerate(self.states) if s.chunk.kind == "back"]
        if front:
            order.insert(0 if self.states[0].pages is None else len(order), 0)
        for index in order:
            state, first = self.states[index], firsts[index]
            if state.busy or state.holder is not None or self._settled(state, first, pages):
                continue
            if state.entries and (first is None or state.chunk.kind != "body" and not self.all_counted()):
                continue  # probably in the cache: wait until its first page and numbers are known
            numbers_known = all(name in pages for name in self.waits_for[index])
            probe = index == 0 and front and state.pages is None
            if state.chunk.kind != "body" and not numbers_known and not probe:
                continue  # wait for the page numbers it prints
            if state.layouts >= MAX_LAYOUTS_PER_CHUNK:
                raise ChunkingUnsafe(f"chunk {state.chunk.label} was laid out {state.layouts} times")
            values = {name: pages.get(name, PLACEHOLDER_PAGE) for name in state.chunk.refs}
            state.busy = True
            state.layouts += 1
            self.layouts += 1
            final = numbers_known or state.chunk.kind == "body"
            state.sent_first = first if final and first is not None else None
            return ("layout", index, state.chunk.html, self.base_dir, values, state.sent_first)
        # 3. a task whose inputs are ready
        return self._task(urgent=False)

    def _task(self, urgent: bool):
        for task in self.tasks:
            if (task.urgent or not urgent) and all(d in self.task_results for d in task.after):
                self.tasks.remove(task)
                self.tasks_out += 1
                args = task.args(self.task_results) if callable(task.args) else task.args
                return ("task", task.id, task.function, args)
        return None

    def _handle(self, worker: int, message) -> None:
        kind = message[0]
        _trace(f"<- w{worker} {kind} {self._label(message) if kind in ('laid', 'done') else ''}"
               f"{' pages=%d' % message[2].pages if kind in ('laid', 'done') else ''}")
        if kind == "error":
            raise RuntimeError(message[1])
        self.idle.add(worker)
        if kind == "result":
            _, task_id, value = message
            self.task_results[task_id] = value
            self.tasks_out -= 1
            return
        index, info = message[1], message[2]
        state = self.states[index]
        state.busy = False
        if not info.clean_end:
            raise ChunkingUnsafe(f"chunk {state.chunk.label} ends with footnotes carried to an extra page")
        if info.footnotes != state.chunk.footnotes:
            raise ChunkingUnsafe(f"chunk {state.chunk.label} has {info.footnotes} footnotes, "
                                 f"{state.chunk.footnotes} were counted in its HTML")
        state.pages, state.anchors = info.pages, info.anchors
        if kind == "laid":
            state.holder, state.held_used = worker, dict(info.external_used)
            return
        pdf = message[3]
        if pdf.problems:
            raise PdfProblems(pdf.problems)
        first = state.sent_first
        state.result = (first, dict(pdf.external_used), pdf)
        state.holder = state.held_used = None
        if self.cache is not None and first is not None:
            self.cache.store(state.chunk.key, first, dict(pdf.external_used), info.pages, info.anchors, pdf)


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
    from .cache import digest, file_hash, tool_key
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
        images = sorted((namer(p), file_hash(p)) for p in {*prepared.images, prepared.logo, prepared.cover_image} if p)
        salt = digest(tool_key(), "print-chunk", options.profile, tagged, [s.name for s in sheets])
        chunks = plan(edition, prepared.fragments, prepared.foreword_html, prepared.strings, logo, cover,
                      practice_model, show, salt)
        reason = unsafe_css(re.findall(r"<style>(.*?)</style>", chunks[0].html, re.S)) if chunks else "nothing to print"
        if reason:
            raise ChunkingUnsafe(reason)
        # A chunk's key also covers the bytes of the images it shows (its HTML only names them).
        chunks = [dataclasses.replace(c, key=digest(c.key, *(f"{url}={sha}" for url, sha in images if url in c.html)))
                  for c in chunks]
    _init_workers(run, (sheets, roots, pipeline.FONTS, schemes, edition.meta.published, tagged))
    tasks, run.tasks = run.tasks, []
    with timer.stage("pdf"):
        scheduler = Scheduler(chunks, run.workers, edition.folder, run.cache, tasks,
                              tick=lambda done, total: timer.tick("pdf", done, total))
        try:
            rendered = scheduler.run()
        except PdfProblems as exc:
            where = display_path(edition.folder / "edition.yaml")
            raise ContentError([Problem(where, 1, "error", f"PDF renderer: {m}")
                                for m in dict.fromkeys(exc.messages)]) from None
        finally:
            run.results.update(scheduler.task_results)
            run.tasks += scheduler.tasks  # not started: the caller makes them
    with timer.stage("stitch"):
        data = stitch.stitch([stitch.Part(p.data, tuple(p.anchors)) for p in rendered.parts], tagged)
    run.note = (f"{len(chunks)} chunks on {len(run.workers)} workers: {rendered.layouts} laid out, "
                f"{rendered.cached} from the cache")
    pages = sum(p.pages for p in rendered.parts)
    anchor_pages = {name: page for name, page in rendered.anchor_pages.items() if name.startswith("art-")}
    return PdfResult(data, pages, (), anchor_pages)


def run_tasks(run) -> None:
    """Run the tasks left in `run.tasks` on the workers, results into `run.results`."""
    scheduler = Scheduler([], run.workers, None, None, run.tasks)
    run.tasks = []
    try:
        scheduler.run()
    finally:
        run.results.update(scheduler.task_results)
