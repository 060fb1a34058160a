"""Search: a Pagefind index of the article pages, made the same on every run.

Pagefind (the `pagefind_bin` wheel carries its binary: nothing is downloaded) indexes
what is inside `data-pagefind-body`, which only article pages have, one index per
page language, with the `edition` and `section` filters each page names in its head.

Pagefind 1.5.2 writes each filter's values in hash-map order, which changes from run to
run, and names the filter file, and the metadata file that lists it, after a hash of
those bytes.  So after Pagefind each filter file is rewritten with its values sorted and
named after a hash of the new bytes, and the metadata and the entry file are rewritten
to match.  Everything else it writes is already the same on every run.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import cbor2

SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the CBOR in every gzipped file
ARTICLE_GLOB = "*/art-*.html"
TIMEOUT = 600


class SearchError(Exception):
    """Pagefind is missing or failed; the message says which."""


def version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        raise SearchError("Pagefind is not installed: pip install 'pagefind_bin==1.5.2' (./setup.sh does)") from None


def executable() -> str:
    """Pagefind's binary; SearchError when it is not installed."""
    version()
    import pagefind_bin

    try:
        return str(pagefind_bin.get_executable())
    except FileNotFoundError as exc:
        raise SearchError(f"Pagefind's binary is missing: {exc}") from None


def index(site: Path, work: Path, language: str) -> dict[str, bytes]:
    """Index the article pages under `site`; every file of the index, by its path in the site.

    One index for every language: Pagefind searches only the index of the page's language,
    and the library page must find Hindi articles as well as English ones."""
    site, work = site.resolve(), work.resolve()  # Pagefind runs in `work`: a relative --out must not move
    out = work / "pagefind"
    shutil.rmtree(out, ignore_errors=True)
    command = [executable(), "--site", str(site), "--output-path", str(out), "--glob", ARTICLE_GLOB,
               "--force-language", language, "--silent"]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(work)}  # nothing from the caller's Pagefind settings
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=work,
                                check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchError(f"Pagefind did not run: {exc}") from None
    if result.returncode != 0:
        raise SearchError(f"Pagefind failed (exit {result.returncode}): {(result.stderr or result.stdout).strip()[-500:]}")
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    shutil.rmtree(out, ignore_errors=True)
    return {f"pagefind/{name}": data for name, data in stable(files).items()}


def _decode(data: bytes):
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise SearchError("Pagefind wrote a file in a form this version of Pressroom does not know")
    return cbor2.loads(raw[len(SIGNATURE):])


def _encode(value) -> bytes:
    return gzip.compress(SIGNATURE + cbor2.dumps(value), mtime=0)


def _name(language: str, data: bytes, like: str) -> str:
    """`<language>_<hex>`, as long as the name it replaces, after the bytes it names."""
    return f"{language}_{hashlib.sha256(data).hexdigest()[:len(like) - len(language) - 1]}"


def stable(files: dict[str, bytes]) -> dict[str, bytes]:
    """Pagefind's output with every filter in sorted order, and the names that follow from that."""
    files = dict(files)
    entry = json.loads(files["pagefind-entry.json"])
    for language in sorted(entry["languages"]):
        info = entry["languages"][language]
        meta = _decode(files.pop(f"pagefind.{info['hash']}.pf_meta"))
        # The metadata is a list; its filter list is the one whose pairs name filter files.
        slot = next((i for i, part in enumerate(meta) if isinstance(part, list) and part and all(
            isinstance(p, list) and len(p) == 2 and f"filter/{p[1]}.pf_filter" in files for p in part)), None)
        if slot is not None:
            renamed = []
            for name, old in sorted(meta[slot]):
                filter_name, values = _decode(files.pop(f"filter/{old}.pf_filter"))
                data = _encode([filter_name, sorted(values, key=lambda v: v[0])])
                new = _name(language, data, old)
                files[f"filter/{new}.pf_filter"] = data
                renamed.append([name, new])
            meta[slot] = renamed
        data = _encode(meta)
        info["hash"] = _name(language, data, info["hash"])
        files[f"pagefind.{info['hash']}.pf_meta"] = data
    entry["languages"] = {k: entry["languages"][k] for k in sorted(entry["languages"])}
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return files
