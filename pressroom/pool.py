"""Worker processes for the print build: each lays out and draws chunks, and runs small tasks (the EPUB).

A worker keeps what it has laid out until the parent tells it the chunk's first
page, so a chunk is never laid out twice for want of its page number.  Workers
are forked as soon as a build starts and import WeasyPrint while the parent
reads the content; they speak over pipes, one request at a time, one reply to each.

Requests (parent -> worker), replies (worker -> parent):
  ("init", renderer_args)                         -> ("ready",)
  ("layout", cid, html, base, external, None, _, late)     -> ("laid", cid, LayoutInfo)  (the layout is kept)
  ("layout", cid, html, base, external, start, trim, late) -> ("done", cid, LayoutInfo, ChunkPdf)
  ("finish", cid, start, trim, external|None)              -> ("done", cid, LayoutInfo, ChunkPdf)
  ("drop", cid)                                   -> no reply
  ("task", tid, function, args)                   -> ("result", tid, value)
Any failure                                       -> ("error", text)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from multiprocessing.connection import wait

GC_THRESHOLDS = (50_000, 20, 100)


def _preload(fonts_dir) -> None:
    """Import WeasyPrint now (fontconfig first pointed at the shipped fonts), while the parent reads content."""
    from . import pdf

    pdf.isolate_fonts(fonts_dir)
    import weasyprint  # noqa: F401


def _worker(conn, fonts_dir) -> None:
    # A worker keeps big trees of layout boxes; Python's cyclic collector would walk them again and again
    # (it made font subsetting 2.5 times slower).  Collect rarely, and once after each chunk is drawn.
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        _preload(fonts_dir)
    except Exception:  # reported when the first request arrives
        pass
    renderer = None
    held: dict = {}
    cpu: dict[str, float] = {"start": time.process_time()}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        started = time.process_time()
        try:
            if kind == "stop":
                if os.environ.get("PRESSROOM_TRACE"):
                    print(f"worker {os.getpid()} cpu: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
                          + f", total {time.process_time():.2f}", file=sys.stderr, flush=True)
                return
            if kind == "init":
                from .pdfchunk import Renderer

                renderer = Renderer(*message[1])
                gc.collect()
                gc.freeze()  # modules, fonts and stylesheets stay: never walk them again
                conn.send(("ready",))
            elif kind == "layout":
                _, cid, html, base, external, start, trim, late = message
                laid = renderer.lay_out(html, base, external, late)
                if start is None:
                    held[cid] = laid
                    conn.send(("laid", cid, laid.info()))
                else:
                    _finish(conn, cid, laid, start, trim, None)
            elif kind == "finish":
                _, cid, start, trim, external = message
                _finish(conn, cid, held.pop(cid), start, trim, external)
            elif kind == "drop":
                held.pop(message[1], None)
                _release()
            elif kind == "task":
                _, tid, function, args = message
                conn.send(("result", tid, function(*args)))
        except Exception:
            try:
                conn.send(("error", f"worker {os.getpid()}: {traceback.format_exc()}"))
            except Exception:
                return
        label = kind if kind != "task" else f"task {message[1][0] if isinstance(message[1], tuple) else message[1]}"
        cpu[label] = cpu.get(label, 0.0) + time.process_time() - started


def _finish(conn, cid, laid, start: int, trim: bool, external) -> None:
    info = laid.info()
    pdf = laid.finish(start, trim, external)
    del laid
    conn.send(("done", cid, info, pdf))
    _release()


def _release() -> None:
    """Free the chunk's boxes now, and give the memory back to the system (glibc keeps it otherwise)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class Workers:
    """`jobs` forked worker processes; `send` to one, `receive` from any."""

    def __init__(self, jobs: int, fonts_dir):
        context = multiprocessing.get_context("fork")
        self.connections, self.processes = [], []
        for _ in range(jobs):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=_worker, args=(child_end, fonts_dir), daemon=True)
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)

    def __len__(self) -> int:
        return len(self.connections)

    def send(self, worker: int, message) -> None:
        self.connections[worker].send(message)

    def receive(self, timeout: float | None = None) -> list[tuple[int, tuple]]:
        """Every reply that is waiting (at least one unless the timeout passes): [(worker, message)]."""
        ready = wait(self.connections, timeout)
        out = []
        for connection in ready:
            worker = self.connections.index(connection)
            try:
                out.append((worker, connection.recv()))
            except EOFError:
                out.append((worker, ("error", f"worker {self.processes[worker].pid} stopped "
                                              f"(exit code {self.processes[worker].exitcode})")))
        return out

    def close(self) -> None:
        for connection in self.connections:
            try:
                connection.send(("stop",))
            except OSError:
                pass
        for process in self.processes:
            process.join(timeout=2)
            if process.is_alive():
                process.kill()
                process.join()
        for connection in self.connections:
            connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# One pool may be started before the content is even read (by the command line, as soon as it knows
# that it will build), so that the workers import WeasyPrint while the parent imports the stages.
_started: Workers | None = None


def prestart(jobs: int, fonts_dir) -> None:
    global _started
    if _started is None and jobs > 1:
        _started = Workers(jobs, fonts_dir)


def take(jobs: int, fonts_dir) -> Workers:
    """The pool started beforehand if it fits, else a new one."""
    global _started
    started, _started = _started, None
    if started is not None and len(started) == jobs:
        return started
    if started is not None:
        started.close()
    return Workers(jobs, fonts_dir)


def discard() -> None:
    global _started
    if _started is not None:
        _started.close()
        _started = None
