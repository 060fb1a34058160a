"""Copy ids: who a copy was made for, in a form nobody without the secret can make or check.

A copy id is an HMAC-SHA256 of the edition and the student id under a secret kept
outside the repository, so nobody without the secret can guess another student's
id or forge one, a rebuild gives the same student the same id, and whoever holds
the secret can check an id found in a leaked copy (`checks`).  The PDF /ID holds
more of the same HMAC; the page mark holds the copy id as digits with a check.

Standard library only: `trace` imports it before anything heavy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from pathlib import Path

SECRET_ENV = "PRESSROOM_SECRET"
COPY_ID = re.compile(r"(?<![A-Z0-9])([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})-([A-Z2-7]{4})(?![A-Z0-9])")
ID_BYTES = 10                  # 80 bits: the copy id
MARK_DIGITS = 25               # 80 bits as decimal digits (10**25 > 2**80)
MARK = re.compile(r"^\d{27}$")  # a version 1 QR code at level Q holds 27 digits: the id and 2 check digits


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
    text = base64.b32encode(digest[:ID_BYTES]).decode()
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def document_id(digest: bytes) -> bytes:
    """The PDF /ID: it starts with the bytes the copy id shows, so either leads to the other."""
    return digest[:16]


def copy_id_of_document_id(ident: bytes) -> str | None:
    return copy_id(ident) if len(ident) >= ID_BYTES else None


def checks(secret: bytes, edition: str, student_id: str, found: str | bytes) -> bool:
    """Whether a copy id (text) or a document ID (bytes) read from a file is this student's, under this secret."""
    digest = copy_digest(secret, edition, student_id)
    if isinstance(found, bytes):
        return len(found) == 16 and hmac.compare_digest(found, document_id(digest))
    return hmac.compare_digest(found, copy_id(digest))


# --------------------------------------------------------------------------- the page mark's payload


def _id_bytes(copy: str) -> bytes:
    return base64.b32decode(copy.replace("-", ""))


def mark_payload(copy: str) -> str:
    """The copy id as 25 digits and two ISO 7064 MOD 97-10 check digits (as in an IBAN).

    Digits, because a QR code packs them densest: 27 fit the smallest code (21
    modules) at error-correction level Q.  The check catches every single wrong
    digit and every swap of two neighbours that a misread could make, and tells
    our marks from any other code of 27 digits 96 times in 97.
    """
    number = f"{int.from_bytes(_id_bytes(copy), 'big'):0{MARK_DIGITS}d}"
    return number + f"{98 - int(number) * 100 % 97:02d}"


def copy_id_of_mark(text: str) -> str | None:
    """The copy id a decoded mark carries, or None when it is not one of our marks or its check fails."""
    if not MARK.match(text) or int(text) % 97 != 1:
        return None
    value = int(text[:MARK_DIGITS])
    if value >= 1 << (8 * ID_BYTES):
        return None
    return copy_id(value.to_bytes(ID_BYTES, "big"))
