"""Rebuild on every save and serve a live preview on 127.0.0.1.

Watches the edition's folder, brand.yaml, templates/ and styles/. A save starts a
rebuild (changes within 300 ms are taken together). When an edit breaks the
content, the problems are printed and shown on the preview page, and the last good
PDF, EPUB and preview stay as they were. The server (editor/server.py) serves the
preview and the edition's own PDF and EPUB, nothing else. Stop with Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from pressroom import pipeline, progress
from pressroom.command import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, print_choice_problems
from pressroom.editor import check, draft, preview, server
from pressroom.output import OutputError, reason
from pressroom.problems import ContentError, UsageError, display_path
from pressroom.report import BuildReport
from pressroom.stages import editions

DEBOUNCE_MS = 300


def _port(text: str) -> int:
    import argparse

    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535; 0 picks a free one)")
    return int(text)


def add_arguments(parser) -> None:
    parser.add_argument("edition", nargs="?", help="edition slug under content/, or a path to an edition folder "
                                                   "(default: the newest edition by `published`)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument("--port", type=_port, default=8000,
                        help="preview port on 127.0.0.1 (default: 8000; a free one if it is taken)")
    parser.add_argument("--no-open", action="store_true", help="do not open the preview in a web browser")


@dataclass(frozen=True)
class Watched:
    """What a rebuild depends on; everything else under these folders is ignored."""

    edition_dir: Path
    brand: Path
    project_dirs: tuple[Path, ...]  # templates/ and styles/
    out_dir: Path

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.brand.parent, *self.project_dirs)  # the edition is inside the content folder

    def relevant(self, path: Path) -> bool:
        path = Path(os.path.abspath(path))
        if self.out_dir == path or self.out_dir in path.parents:
            return False
        if path.name.startswith(".") or path.name.endswith(("~", ".swp", ".swx", ".tmp")):
            return False  # editors' swap and backup files
        if path == self.brand:
            return True
        return any(root == path or root in path.parents for root in (self.edition_dir, *self.project_dirs))


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def say(message: str, error: bool = False) -> None:
    print(f"[{_stamp()}] {message}", file=sys.stderr if error else sys.stdout, flush=True)


class Builder:
    """One rebuild at a time, in the main thread; the server only reads the status board."""

    def __init__(self, edition_dir: Path, options: pipeline.Options, board: preview.StatusBoard, root: Path):
        self.edition_dir, self.options, self.board, self.root = edition_dir, options, board, root
        self.good = 0  # builds shown so far; the preview pages reload when it changes

    def rebuild(self) -> bool:
        self.board.update(building=True)
        try:
            report = pipeline.build(self.edition_dir, self.options)
        except ContentError as exc:
            problems = sorted(check.explain(p) for p in exc.problems)
            empty = draft.empty_sections(problems)
            note = ""
            if empty:
                more, note = self.draft(empty)
                problems = sorted(problems + more)
            for problem in problems:
                print(problem, file=sys.stderr, flush=True)
            if note:
                say(f"draft preview updated without {', '.join(sorted(empty))}; "
                    "add an article to each to build the edition", error=True)
                message = note + " To build it:"
            else:
                errors = sum(p.severity == "error" for p in problems)
                kept = "the last good outputs and preview are kept" if self.good else "nothing has been built yet"
                say(f"{errors} error(s); {kept}", error=True)
                message = (FAILED if self.good else NOT_YET) + " Fix these and save:"
            self.board.update(building=False, ok=False, built=self.good, problems=tuple(map(str, problems)),
                              message=message)
            return False
        except OutputError as exc:  # a read-only or full output folder: the last good outputs stay
            say(str(exc), error=True)
            self.board.update(building=False, ok=False, problems=(str(exc),), message=FAILED)
            return False
        except Exception as exc:  # a bug must not end the session an editor is working in
            traceback.print_exc()
            say(f"the build failed unexpectedly ({type(exc).__name__}); the last good outputs are kept", error=True)
            self.board.update(building=False, ok=False, problems=(f"internal error: {exc}",), message=FAILED)
            return False
        warnings = report.house_rules
        for problem in warnings:
            print(problem, file=sys.stderr, flush=True)
        self.show(report)
        summary = progress.summarise(report, len(warnings))
        say(f"built {progress.headline(summary)}" + (f", {len(warnings)} warning(s)" if warnings else ""))
        downloads = tuple(Path(path).name for path in report.artefacts.values()
                          if Path(path).suffix in (".pdf", ".epub"))
        self.board.update(building=False, ok=True, built=self.good, problems=(),
                          warnings=tuple(map(str, warnings)), message="", downloads=downloads)
        return True

    def show(self, report: BuildReport, note: str = "") -> None:
        self.good += 1
        try:
            preview.make_preview(report, self.good, self.root, note)
        except Exception as exc:  # e.g. pdftoppm missing or killed: the outputs are still good
            say(f"the preview could not be updated ({exc})", error=True)

    def draft(self, empty: frozenset[str]) -> tuple[list, str]:
        """Build the articles written so far, without the empty sections: (their problems, the note when shown)."""
        with tempfile.TemporaryDirectory(prefix="pressroom-draft-") as tmp:
            try:
                report = pipeline.build(self.edition_dir, pipeline.Options(out_dir=Path(tmp) / "out"), without=empty)
            except ContentError as exc:
                return [p for p in exc.problems if p.code not in ("read.empty-section", "read.no-section-folder")], ""
            note = (f"Draft: no article yet in {', '.join(sorted(empty))}, so this preview leaves those sections "
                    "out and no PDF or EPUB was written to the output folder.")
            self.show(report, note)
            return [], note


FAILED = "The last change has errors; the preview shows the last good build."
NOT_YET = "The edition does not build yet."


def _open_browser(url: str) -> None:
    # Without a display, webbrowser may start a text browser that takes over this terminal.
    if sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _changed(changes) -> str:
    # Editors and tools save through short-lived temporary files; name only what is still there.
    names = sorted({Path(p).name for _, p in changes if Path(p).exists()}) or ["a file was removed"]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def run(args) -> int:
    import watchfiles

    from pressroom.paths import STYLES, TEMPLATES, default_content_root

    content_root = args.content or default_content_root()
    try:
        edition_dir = editions.resolve_edition(args.edition, content_root)
    except UsageError as exc:
        print(f"build.py watch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        return print_choice_problems(exc, "build.py watch")
    out_dir = Path(os.path.abspath(args.out))
    root = out_dir / edition_dir.name
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"build.py watch: error: cannot write to {display_path(root)}: {reason(exc)}", file=sys.stderr)
        return EXIT_CONTENT
    watched = Watched(Path(os.path.abspath(edition_dir)), Path(os.path.abspath(edition_dir.parent / "brand.yaml")),
                      (Path(os.path.abspath(TEMPLATES)), Path(os.path.abspath(STYLES))), out_dir)

    board = preview.StatusBoard()
    preview_server, thread = server.serve(root, board, args.port)
    port = preview_server.server_address[1]
    url = f"http://127.0.0.1:{port}/"
    if args.port and port != args.port:
        say(f"port {args.port} is busy; using {port} instead")
    say(f"preview: {url}  (serving {display_path(root)}/; press Ctrl-C to stop)")

    stop = threading.Event()
    previous_term = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    builder = Builder(edition_dir, pipeline.Options(out_dir=out_dir), board, root)
    try:
        say(f"building {edition_dir.name}...")
        builder.rebuild()
        if not args.no_open:
            _open_browser(url)
        say("watching for changes")
        for changes in watchfiles.watch(*watched.roots, watch_filter=lambda _, path: watched.relevant(Path(path)),
                                        debounce=DEBOUNCE_MS, stop_event=stop, rust_timeout=1000,
                                        yield_on_timeout=False):
            say(f"changed: {_changed(changes)}; rebuilding...")
            builder.rebuild()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        preview_server.shutdown()
        preview_server.server_close()
        thread.join(timeout=5)
    say("stopped")
    return EXIT_OK
