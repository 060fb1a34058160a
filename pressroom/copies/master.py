"""The edition's master PDF for `build.py stamp`: built when it is missing or stale.

Stale means that the fingerprint of everything the PDF is made from (the
edition's files, the brand, and fingerprint.tool_key(): libraries, build code,
templates, styles, fonts) differs from the one recorded beside it, in
`<brand>-<slug>.pdf.inputs.json`, when this module last built or accepted it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pressroom import pipeline
from pressroom.fingerprint import (
    digest,
    digest_files,
    file_sha256,
    tool_key,
    tree_files,
)
from pressroom.output import write_atomic
from pressroom.stages import read as reader


def _input_files(edition: reader.Edition) -> list[Path]:
    files = set(edition.source_files) | set(tree_files(edition.folder))
    if edition.brand.logo:
        files.add(edition.content_root / edition.brand.logo)
    return sorted(p for p in files if p.is_file())


def ensure_master(edition_dir: Path, out_dir: Path) -> tuple[reader.Edition, Path, bool]:
    """(edition, master path, whether it was built now).

    The master is stale when the fingerprint of its inputs differs from the one
    recorded beside it at its last build here.  A master this command did not
    build (no record, or a record for other bytes) is stale when any input is
    newer than it.
    """
    edition = pipeline.read_source(edition_dir)  # an edition or a compilation
    master = out_dir / edition.slug / f"{pipeline.output_stem(edition)}.pdf"
    record = master.with_name(master.name + ".inputs.json")
    files = _input_files(edition)
    fingerprint = digest(tool_key(), digest_files(files, edition.content_root))
    if master.is_file():
        try:
            saved = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        if not isinstance(saved, dict):
            saved = {}
        if saved.get("master_sha256") == file_sha256(master):
            if saved.get("inputs") == fingerprint:
                return edition, master, False
        elif all(p.stat().st_mtime <= master.stat().st_mtime for p in files):
            _write_record(record, fingerprint, master)
            return edition, master, False
    pipeline.build(edition_dir, pipeline.Options(formats=("pdf",), out_dir=out_dir))
    _write_record(record, fingerprint, master)
    return edition, master, True


def _write_record(record: Path, fingerprint: str, master: Path) -> None:
    data = {"inputs": fingerprint, "master_sha256": file_sha256(master)}
    write_atomic(record, (json.dumps(data, indent=2) + "\n").encode())
