"""Copy ids and the ledger: who received which copy, and how to recognise that copy again.

A copy id is an HMAC-SHA256 of the edition and the student id under a secret kept
outside the repository, so nobody without the secret can guess another student's
id or forge one, and a rebuild gives the same student the same id.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from pressroom.fingerprint import file_sha256
from pressroom.output import write_atomic

SECRET_ENV = "PRESSROOM_SECRET"
COLUMNS = ("student_id", "name", "email", "copy_id", "sha256", "pages", "bytes")
COPY_ID = re.compile(r"(?<![A-Z0-9])([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})(?![A-Z0-9])")


class SecretError(Exception):
    """No usable secret (exit 2)."""


def default_secret_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "pressroom" / "secret"


def load_secret(secret_file: Path | None) -> bytes:
    """--secret-file, else $PRESSROOM_SECRET, else ~/.config/pressroom/secret."""
    if secret_file is None and os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV].encode("utf-8")
    path = secret_file or default_secret_file()
    if secret_file is None and not path.is_file():
        raise SecretError(f"no secret for copy ids: set {SECRET_ENV}, write one to {path}, or pass --secret-file "
                          "(e.g. `python -c 'import secrets; print(secrets.token_hex(32))' > "
                          f"{path}`); keep it outside the repository and never change it")
    try:
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise SecretError(f"cannot read the secret file {path}: {exc.strerror}") from None
    if not secret:
        raise SecretError(f"the secret file {path} is empty")
    return secret


def copy_digest(secret: bytes, edition: str, student_id: str) -> bytes:
    message = b"pressroom copy\x00" + edition.encode("utf-8") + b"\x00" + student_id.encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def copy_id(digest: bytes) -> str:
    """80 bits of the HMAC as four groups of base32, e.g. 7KQ2-M9XA-4TZD-P3HF: short enough to print."""
    text = base64.b32encode(digest[:10]).decode()
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def document_id(digest: bytes) -> bytes:
    """The PDF /ID: it starts with the bytes the copy id shows, so either leads to the other."""
    return digest[:16]


def copy_id_of_document_id(ident: bytes) -> str | None:
    return copy_id(ident) if len(ident) >= 10 else None


# --------------------------------------------------------------------------- the ledger


@dataclass(frozen=True)
class Row:
    student_id: str
    name: str
    email: str
    copy_id: str
    sha256: str
    pages: int
    bytes: int


def ledger_bytes(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([getattr(row, c) for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def read_ledger(path: Path) -> list[Row]:
    """Rows of a ledger, or of several concatenated: header lines anywhere are skipped, bad lines ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for record in csv.reader(io.StringIO(text)):
        if len(record) != len(COLUMNS) or tuple(record) == COLUMNS:
            continue
        try:
            rows.append(Row(*record[:5], int(record[5]), int(record[6])))
        except ValueError:
            continue
    return rows


def write_ledger(path: Path, rows) -> None:
    write_atomic(path, ledger_bytes(rows))


@dataclass(frozen=True)
class State:
    """What the ledger's copies were stamped from; a different state makes every copy stale."""

    master_sha256: str
    stamp_code: str     # a digest of the code and fonts that draw the stamp: a new version re-stamps
    watermark: bool


def state_path(ledger: Path) -> Path:
    return ledger.with_name(f".{ledger.stem}.state.json")


def read_state(ledger: Path) -> State | None:
    try:
        return State(**json.loads(state_path(ledger).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_state(ledger: Path, state: State) -> None:
    write_atomic(state_path(ledger), (json.dumps(asdict(state), indent=2) + "\n").encode())


def sha256_file(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None
