"""The edition's master PDF for `build.py stamp`: built when it is missing or stale.

Stale means that the fingerprint of everything the PDF is made from (the files
the build reads: brand.yaml, edition.yaml, the articles, the images they show,
the logo and the cover picture; and fingerprint.tool_key(): libraries, build
code, templates, styles, fonts) differs from the one recorded beside it, in
`<brand>-<slug>.pdf.inputs.json`, when this module last built or accepted it.
Other files in the edition's folder (notes, drafts, a large scan) are neither
read nor hashed; every file that is is hashed in a stream.
"""

from __future__ import annotations

import json
from pathlib import Path

from pressroom import pipeline
from pressroom.fingerprint import digest, digest_files, file_sha256, tool_key
from pressroom.output import write_atomic
from pressroom.stages import read as reader


def _input_files(edition_dir: Path) -> tuple[reader.Edition, list[Path]]:
    """The edition, and the files its build reads: found the way the build finds them (raises ContentError)."""
    prepared = pipeline.prepare(edition_dir, pipeline.Timer())
    files = {*prepared.edition.source_files, *prepared.images, prepared.logo, prepared.cover_image}
    return prepared.edition, sorted(p for p in files if p is not None and p.is_file())


def ensure_master(edition_dir: Path, out_dir: Path) -> tuple[reader.Edition, Path, bool]:
    """(edition, master path, whether it was built now).

    The master is stale when the fingerprint of its inputs differs from the one
    recorded beside it at its last build here.  A master this command did not
    build (no record, or a record for other bytes) is stale when any input is
    newer than it.
    """
    edition, files = _input_files(edition_dir)
    master = out_dir / edition.slug / f"{pipeline.output_stem(edition)}.pdf"
    record = master.with_name(master.name + ".inputs.json")
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
