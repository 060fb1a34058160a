"""Worker processes for the print build: each lays out and draws chunks, and runs small tasks (the EPUB).

A worker keeps what it has laid out until the parent tells it the chunk's first
page, so a chunk is never laid out twice for want of its page number.  Workers
are forked as soon as a build starts and import WeasyPrint while the parent
reads the content; they speak over pipes, one request at a time, one reply to each.

Requests (parent -> worker), replies (worker -> parent), all in messages.py:
  Init                    -> Ready
  Layout with no start    -> Laid (the layout is kept)
  Layout with a start     -> Done
  Finish                  -> Done
  Drop                    -> no reply
  RunTask                 -> Result
  any failure             -> Failed
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
import traceback
from multiprocessing.connection import wait

from pressroom.fast.messages import (
    Done,
    Drop,
    Failed,
    Finish,
    Init,
    Laid,
    Layout,
    Ready,
    Result,
    RunTask,
    Stop,
)

GC_THRESHOLDS = (50_000, 20, 100)


def _preload(fonts_dir) -> None:
    """Import WeasyPrint now (fontconfig first pointed at the shipped fonts), while the parent reads content."""
    from pressroom import weasy

    weasy.isolate_fonts(fonts_dir)
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
        started = time.process_time()
        try:
            if isinstance(message, Stop):
                if os.environ.get("PRESSROOM_TRACE"):
                    print(f"worker {os.getpid()} cpu: " + ", ".join(f"{k} {v:.2f}" for k, v in cpu.items())
                          + f", total {time.process_time():.2f}", file=sys.stderr, flush=True)
                return
            if isinstance(message, Init):
                from pressroom.fast.pdfchunk import Renderer

                renderer = Renderer(*message.renderer_args)
                gc.collect()
                gc.freeze()  # modules, fonts and stylesheets stay: never walk them again
                conn.send(Ready())
            elif isinstance(message, Layout):
                laid = renderer.lay_out(message.html, message.base_dir, message.external, message.late)
                if message.start is None:
                    held[message.chunk] = laid
                    conn.send(Laid(message.chunk, laid.info()))
                else:
                    _finish(conn, message.chunk, laid, message.start, message.trim, None)
            elif isinstance(message, Finish):
                _finish(conn, message.chunk, held.pop(message.chunk), message.start, message.trim, message.external)
            elif isinstance(message, Drop):
                held.pop(message.chunk, None)
                _release()
            elif isinstance(message, RunTask):
                conn.send(Result(message.task, message.function(*message.args)))
        except Exception:
            try:
                conn.send(Failed(f"worker {os.getpid()}: {traceback.format_exc()}"))
            except Exception:
                return
        label = f"task {message.task}" if isinstance(message, RunTask) else type(message).__name__.lower()
        cpu[label] = cpu.get(label, 0.0) + time.process_time() - started


def _finish(conn, chunk: int, laid, start: int, trim: bool, external) -> None:
    info = laid.info()
    pdf = laid.finish(start, trim, external)
    del laid
    conn.send(Done(chunk, info, pdf))
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

    def receive(self, timeout: float | None = None) -> list[tuple[int, object]]:
        """Every reply that is waiting (at least one unless the timeout passes): [(worker, message)]."""
        ready = wait(self.connections, timeout)
        out = []
        for connection in ready:
            worker = self.connections.index(connection)
            try:
                out.append((worker, connection.recv()))
            except EOFError:
                out.append((worker, Failed(f"worker {self.processes[worker].pid} stopped "
                                                 f"(exit code {self.processes[worker].exitcode})")))
        return out

    def close(self) -> None:
        for connection in self.connections:
            try:
                connection.send(Stop())
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
