"""The edition's master PDF for `build.py stamp`: built when it is missing or stale.

Stale means that the fingerprint of everything the PDF is made from differs
from the one recorded beside it, in `<brand>-<slug>.pdf.inputs.json`, when this
module last built or accepted it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import compose, ledger, pipeline, reader
from .output import write_atomic

# The personalised-copies modules: changing them does not change the master.
STAMP_MODULES = {"stamp", "trace", "roster", "ledger", "linefont", "overlay", "pdfsplice", "master"}


def _input_files(edition: reader.Edition) -> list[Path]:
    files = set(edition.source_files)
    files |= {p for p in edition.folder.rglob("*") if p.is_file() and not p.name.startswith(".")}
    if edition.brand.logo:
        files.add(edition.content_root / edition.brand.logo)
    for root in (compose.TEMPLATES, compose.STYLES):
        files |= {p for p in root.rglob("*") if p.is_file()}
    code = Path(__file__).resolve().parent
    files |= {p for p in code.glob("*.py") if p.stem not in STAMP_MODULES}
    return sorted(p for p in files if p.is_file())


def _fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.resolve()).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def ensure_master(edition_dir: Path, out_dir: Path) -> tuple[reader.Edition, Path, bool]:
    """(edition, master path, whether it was built now).

    The master is stale when the fingerprint of its inputs (content, templates,
    styles, fonts and the build's code) differs from the one recorded beside it
    at its last build here.  A master this command did not build (no record, or
    a record for other bytes) is stale when any input is newer than it.
    """
    edition = reader.read_edition(edition_dir)
    master = out_dir / edition.slug / f"{pipeline.output_stem(edition)}.pdf"
    record = master.with_name(master.name + ".inputs.json")
    files = _input_files(edition)
    fingerprint = _fingerprint(files)
    if master.is_file():
        try:
            saved = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if saved.get("master_sha256") == ledger.sha256_file(master):
            if saved.get("inputs") == fingerprint:
                return edition, master, False
        elif all(p.stat().st_mtime <= master.stat().st_mtime for p in files):
            _write_record(record, fingerprint, master)
            return edition, master, False
    pipeline.build(edition_dir, pipeline.Options(formats=("pdf",), out_dir=out_dir))
    _write_record(record, fingerprint, master)
    return edition, master, True


def _write_record(record: Path, fingerprint: str, master: Path) -> None:
    data = {"inputs": fingerprint, "master_sha256": ledger.sha256_file(master)}
    write_atomic(record, (json.dumps(data, indent=2) + "\n").encode())
