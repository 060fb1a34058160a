"""Gets every chunk of the print edition rendered at its real first page, keeping the workers busy.

See chunks.py for the plan as a whole; this is its loop: which request goes to
which idle worker, what each reply changes, and when the page numbers settle.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from pressroom.fast.cache import CacheEntry
from pressroom.fast.chunkplan import (
    PLACEHOLDER_PAGE,
    Chunk,
    ChunkingUnsafe,
    footnote_sources,
    trace,
)
from pressroom.fast.messages import Done, Drop, Failed, Finish, Laid, Layout, Result, RunTask, Task

MAX_LAYOUTS_PER_CHUNK = 4


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
                trace(f"-> w{worker} {type(message).__name__} {self._label(message)}")
                self.workers.send(worker, message)
                self.idle.discard(worker)

    def _label(self, message) -> str:
        chunk = getattr(message, "chunk", None)
        if chunk is None:
            return str(getattr(message, "task", ""))
        state = self._state(chunk)
        label = state.chunk.label + ("(+notes)" if state.chunk.carried else "") if state else str(chunk)
        start = getattr(message, "start", None)
        return label + (f" start={start}" if start else "")

    def _next_for(self, worker: int):
        firsts, pages = self.first_pages(), self.anchor_pages()
        # 1. finish a layout this worker keeps, once its first page and the numbers it printed are right
        for state, first in zip(self.states, firsts):
            if state.holder != worker or state.busy or first is None:
                continue
            if state.chunk.kind == "front":  # laid out with stand-in numbers: finished with the real ones
                if self._settled(state, first, pages):
                    self.workers.send(worker, Drop(state.id))
                    state.holder = state.held_used = None
                elif self.all_counted():
                    values = {name: pages.get(name, PLACEHOLDER_PAGE) for name in state.chunk.refs}
                    state.busy, state.sent = True, (first, not self._last(state))
                    return Finish(state.id, first, state.sent[1], values)
                continue
            verdict = self.consistent(state.held_used, pages)
            if verdict is False or self._settled(state, first, pages):
                self.workers.send(worker, Drop(state.id))
                state.holder = state.held_used = None
            elif verdict is True:
                trim = not self._last(state)
                state.busy, state.sent = True, (first, trim)
                return Finish(state.id, first, trim, None)
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
            return Layout(state.id, state.chunk.html, self.base_dir, values, *state.sent, front)
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
        return RunTask(task.id, task.function, task.args)

    def _handle(self, worker: int, message) -> None:
        if isinstance(message, (Laid, Done)):
            trace(f"<- w{worker} {type(message).__name__} {self._label(message)}"
                  f" pages={message.info.content_pages}/{message.info.pages} carried={message.info.carried}")
        if isinstance(message, Failed):
            raise RuntimeError(message.message)
        self.idle.add(worker)
        if isinstance(message, Result):
            self.task_results[message.task] = message.value
            self.tasks_out -= 1
            return
        info = message.info
        state = self._state(message.chunk)
        if state is None:  # replaced meanwhile (it now carries other footnotes)
            if isinstance(message, Laid):
                self.workers.send(worker, Drop(message.chunk))
            return
        state.busy = False
        if info.footnotes != state.chunk.footnotes:
            raise ChunkingUnsafe(f"chunk {state.chunk.label} has {info.footnotes} footnotes, "
                                 f"{state.chunk.footnotes} were counted in its HTML")
        state.pages, state.content_pages, state.carried = info.pages, info.content_pages, info.carried
        state.anchors = info.anchors
        if isinstance(message, Laid):
            state.holder, state.held_used = worker, dict(info.external_used)
        else:
            pdf = message.pdf
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
            self.workers.send(following.holder, Drop(following.id))
        chunk = self.planner.carry(following.base, wanted) if wanted else following.base
        replacement = self._new_state(following.base, chunk, following.run)
        self.states[index + 1] = replacement
        self.carries += 1
        trace(f"{state.chunk.label} carries {len(wanted)} footnote(s) into {chunk.label}")
        self._waits()
        if replacement.carried is not None:
            self._carry_from(replacement)
