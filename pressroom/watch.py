"""Rebuild on every save and serve a live preview on 127.0.0.1.

Watches the edition's folder, brand.yaml, templates/ and styles/. A save starts a
rebuild (changes within 300 ms are taken together). When an edit breaks the
content, the problems are printed and shown on the preview page, and the last good
PDF, EPUB and preview stay as they were. Stop with Ctrl-C.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import check, pipeline, preview, progress, reader
from .problems import ContentError
from .yamlsource import load_yaml_file

EXIT_OK, EXIT_USAGE = 0, 2
DEBOUNCE_MS = 300
EMPTY = re.compile(r"^section '(?P<id>[^']+)' has no (articles|folder [^ ]+/)(;|$)")


def add_arguments(parser) -> None:
    parser.add_argument("edition", nargs="?", help="edition slug under content/, or a path to an edition folder "
                                                   "(default: the newest edition by `published`)")
    parser.add_argument("--content", type=Path, help="content folder (default: ./content)")
    parser.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: output/)")
    parser.add_argument("--port", type=int, default=8000,
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
            for problem in problems:
                print(problem, file=sys.stderr, flush=True)
            empty = empty_sections(problems)
            if empty is not None and self.draft(empty, problems):
                return False
            errors = sum(p.severity == "error" for p in problems)
            kept = "the last good outputs and preview are kept" if self.good else "nothing has been built yet"
            say(f"{errors} error(s); {kept}", error=True)
            message = (FAILED if self.good else NOT_YET) + " Fix these and save:"
            self.board.update(building=False, ok=False, problems=tuple(map(str, problems)), message=message)
            return False
        except Exception as exc:  # a bug must not end the session an editor is working in
            traceback.print_exc()
            say(f"the build failed unexpectedly ({type(exc).__name__}); the last good outputs are kept", error=True)
            self.board.update(building=False, ok=False, problems=(f"internal error: {exc}",), message=FAILED)
            return False
        warnings = progress.house_warnings(self.edition_dir)
        for problem in warnings:
            print(problem, file=sys.stderr, flush=True)
        self.show(report)
        summary = progress.summarise(report, len(warnings))
        say(f"built {progress.headline(summary)}" + (f", {len(warnings)} warning(s)" if warnings else ""))
        self.board.update(building=False, ok=True, built=self.good, problems=(),
                          warnings=tuple(map(str, warnings)), message="")
        return True

    def show(self, report: dict, draft: str = "") -> None:
        self.good += 1
        try:
            preview.make_preview(report, self.good, self.root, draft)
        except Exception as exc:  # e.g. pdftoppm missing or killed: the outputs are still good
            say(f"the preview could not be updated ({exc})", error=True)

    def draft(self, empty: set[str], problems) -> bool:
        """A new edition whose only fault is sections with no article yet: preview the rest, write nothing."""
        with tempfile.TemporaryDirectory(prefix="pressroom-draft-") as tmp:
            folder = draft_copy(self.edition_dir, empty, Path(tmp) / "content")
            if folder is None:
                return False
            try:
                report = pipeline.build(folder, pipeline.Options(out_dir=Path(tmp) / "out"))
            except ContentError:
                return False
            names = ", ".join(sorted(empty))
            note = (f"Draft: no article yet in {names}, so this preview leaves those sections out and no PDF or "
                    "EPUB was written to the output folder.")
            self.show(report, note)
        say(f"draft preview updated without {names}; add an article to each to build the edition", error=True)
        self.board.update(building=False, ok=False, built=self.good, problems=tuple(map(str, problems)),
                          message=note + " To build it:")
        return True


FAILED = "The last change has errors; the preview shows the last good build."
NOT_YET = "The edition does not build yet."


def empty_sections(problems) -> set[str] | None:
    """The sections reported empty, when that is the only fault; else None."""
    ids = set()
    for problem in problems:
        match = EMPTY.match(problem.message)
        if not match:
            return None
        ids.add(match["id"])
    return ids or None


def draft_copy(edition_dir: Path, empty: set[str], content: Path) -> Path | None:
    """A copy of the edition, and of brand.yaml and its logo, without the empty sections."""
    located, problems = load_yaml_file(edition_dir / "edition.yaml")
    if located is None or problems or not isinstance(located.value, dict):
        return None
    meta = dict(located.value)
    meta["sections"] = [s for s in meta.get("sections") or [] if not (isinstance(s, dict) and s.get("id") in empty)]
    if not meta["sections"]:
        return None
    folder = content / edition_dir.name
    shutil.copytree(edition_dir, folder, ignore=lambda where, names: [
        n for n in names if n.startswith(".") or (Path(where) == edition_dir and n in empty)])
    # Values stay text (yamlsource read them so), and safe_dump quotes whatever YAML would retype.
    (folder / "edition.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    brand = edition_dir.parent / "brand.yaml"
    shutil.copyfile(brand, content / "brand.yaml")
    located, _ = load_yaml_file(brand)
    logo = located.value.get("logo") if located and isinstance(located.value, dict) else None
    if isinstance(logo, str) and (edition_dir.parent / logo).is_file() and ".." not in Path(logo).parts:
        (content / logo).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(edition_dir.parent / logo, content / logo)
    return folder


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

    from .cli import default_content_root
    from .compose import STYLES, TEMPLATES

    content_root = args.content or default_content_root()
    try:
        edition_dir = reader.resolve_edition(args.edition, content_root)
    except reader.UsageError as exc:
        print(f"build.py watch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out_dir = Path(os.path.abspath(args.out))
    root = out_dir / edition_dir.name
    root.mkdir(parents=True, exist_ok=True)
    watched = Watched(Path(os.path.abspath(edition_dir)), Path(os.path.abspath(edition_dir.parent / "brand.yaml")),
                      (Path(os.path.abspath(TEMPLATES)), Path(os.path.abspath(STYLES))), out_dir)

    board = preview.StatusBoard()
    server, thread = preview.serve(root, board, args.port)
    port = server.server_address[1]
    url = f"http://127.0.0.1:{port}/"
    if args.port and port != args.port:
        say(f"port {args.port} is busy; using {port} instead")
    say(f"preview: {url}  (serving {root}; press Ctrl-C to stop)")

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
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    say("stopped")
    return EXIT_OK
