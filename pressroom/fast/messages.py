"""What the build process and its workers say to each other over their pipes.

Each message is a small frozen dataclass; the worker loop and the scheduler
match on its type, so no side indexes into a tuple by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


# ------------------------------------------------------------------ to a worker
@dataclass(frozen=True)
class Task:
    """Work for an idle worker: `function(*args)`."""

    id: object
    function: object
    args: tuple


@dataclass(frozen=True)
class Init:
    """Set up the renderer: stylesheets, readable roots, fonts, URL schemes, published date, tagged."""

    renderer_args: tuple


@dataclass(frozen=True)
class Layout:
    """Lay out a chunk's HTML; with a first page (`start`), also draw it, else keep the layout."""

    chunk: int
    html: str
    base_dir: Any
    external: dict        # page numbers the chunk prints for anchors outside it
    start: int | None
    trim: bool            # drop the trailing pages that only hold carried footnotes
    late: bool            # the front matter: laid out with stand-in numbers, finished with real ones


@dataclass(frozen=True)
class Finish:
    """Draw a layout the worker keeps, at its real first page."""

    chunk: int
    start: int
    trim: bool
    external: dict | None  # new page numbers to print, or None to keep those it was laid out with


@dataclass(frozen=True)
class Drop:
    """Forget a kept layout."""

    chunk: int


@dataclass(frozen=True)
class RunTask:
    task: Any
    function: Callable
    args: tuple


@dataclass(frozen=True)
class Stop:
    pass


# ------------------------------------------------------------------ from a worker
@dataclass(frozen=True)
class Ready:
    pass


@dataclass(frozen=True)
class Laid:
    """A layout kept by the worker, waiting for its first page."""

    chunk: int
    info: Any  # pdfchunk.LayoutInfo


@dataclass(frozen=True)
class Done:
    chunk: int
    info: Any  # pdfchunk.LayoutInfo
    pdf: Any   # pdfchunk.ChunkPdf


@dataclass(frozen=True)
class Result:
    task: Any
    value: Any


@dataclass(frozen=True)
class Failed:
    message: str
