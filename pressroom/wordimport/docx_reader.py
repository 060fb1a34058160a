"""Open a .docx as hostile input: refuse what is not a plain Word document before any library reads it.

A .docx is a zip. Its declared sizes can lie, its relationships can point anywhere, and its XML can carry
entity declarations; pandoc and python-docx would meet all of that. So the zip is read here member by
member within a byte budget, every relationship target is checked, and the libraries get a fresh copy
of the package holding only the bytes that passed.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = 128 * 1024 * 1024
# Word's XML compresses about 10:1 and rarely past 50:1; a bomb is hundreds to thousands to one.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024  # small members may compress as they like

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptionInfo".encode("utf-16-le")
ZIP_MAGIC = b"PK\x03\x04"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
# Relationship types whose target the import reads; an external target for any of these is refused.
READ_TYPES = ("/image", "/oleObject", "/package", "/video", "/audio", "/media", "/subDocument", "/aFChunk")
DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class Refused(Exception):
    """The file cannot be imported; the message says why and what to do, the code is in docs/errors.md."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Package:
    """The checked parts of a .docx: every member's bytes, and the package rebuilt from them."""

    members: dict[str, bytes]
    document: str  # the main document part, normally word/document.xml
    clean: bytes   # a zip holding only `members`, for pandoc and python-docx

    def media(self, name: str) -> bytes | None:
        """A part named relative to the main document's folder, as pandoc names images."""
        base = posixpath.dirname(self.document)
        return self.members.get(posixpath.normpath(posixpath.join(base, name)))


def open_docx(path: Path) -> Package:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Refused(f"cannot be read: {exc.strerror}", "import.unreadable") from None
    if size > MAX_FILE_BYTES:
        raise Refused(f"is {_size(size)}; documents larger than {_size(MAX_FILE_BYTES)} are refused",
                      "import.too-large")
    data = path.read_bytes()
    return read_package(data)


def read_package(data: bytes) -> Package:
    _refuse_other_formats(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("is a damaged zip file, not a readable .docx; open it in Word and save it again",
                      "import.damaged") from None
    members = _read_members(archive, infos)
    if "[Content_Types].xml" not in members:
        raise Refused("is a zip file but not a Word document (it has no [Content_Types].xml)", "import.not-docx")
    for name, content in members.items():
        if name.endswith((".xml", ".rels")) and DOCTYPE.search(content):
            raise Refused(f"declares a DTD or entities in {name}; a Word document never does, so it is refused",
                          "import.unsafe-part")
    document = _main_document(members)
    for name in sorted(members):
        if name.endswith(".rels"):
            _check_relationships(name, members)
    return Package(members, document, _repack(members))


def _refuse_other_formats(data: bytes) -> None:
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise Refused("is password-protected; remove the password in Word (File > Info > Protect Document "
                          "> Encrypt with Password, empty) and save it again", "import.password")
        raise Refused("is an old Word 97-2003 .doc file, not a .docx; open it in Word and save it as "
                      "Word Document (.docx)", "import.not-docx")
    if data.lstrip()[:5] == b"%PDF-":
        raise Refused("is a PDF, not a Word document; ask the writer for the .docx", "import.not-docx")
    if data[:5] == b"{\\rtf":
        raise Refused("is an RTF file, not a .docx; open it in Word and save it as Word Document (.docx)",
                      "import.not-docx")
    if not data.startswith(ZIP_MAGIC):
        raise Refused("is not a .docx (a .docx is a zip file, and this is not one)", "import.not-docx")


def _read_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    if len(infos) > MAX_MEMBERS:
        raise Refused(f"has {len(infos)} parts; a Word document has far fewer than {MAX_MEMBERS}, so it is refused",
                      "import.zip-bomb")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_TOTAL_BYTES:
        raise Refused(f"would unpack to {_size(declared)} (more than {_size(MAX_TOTAL_BYTES)}); "
                      "refused as a possible zip bomb", "import.zip-bomb")
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = info.filename
        if info.is_dir():
            continue
        if name.startswith("/") or "\\" in name or ".." in name.split("/") or ":" in name:
            raise Refused(f"contains a part with an unsafe name '{name}'", "import.unsafe-part")
        if info.flag_bits & 0x1:
            raise Refused("is password-protected (its zip parts are encrypted)", "import.password")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused(f"part {name} is compressed {info.file_size // max(info.compress_size, 1)} to 1; "
                          "refused as a possible zip bomb", "import.zip-bomb")
        budget = min(MAX_MEMBER_BYTES, MAX_TOTAL_BYTES - total, info.file_size)
        try:
            with archive.open(info) as handle:
                content = handle.read(budget + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError):
            raise Refused(f"is a damaged zip file (part {name} cannot be read); open it in Word and save "
                          "it again", "import.damaged") from None
        if len(content) > budget:  # the declared size lied
            raise Refused(f"part {name} unpacks to more than it declares; refused as a possible zip bomb",
                          "import.zip-bomb")
        total += len(content)
        if name in members:
            raise Refused(f"contains the part {name} twice", "import.damaged")
        members[name] = content
    return members


def _size(count: int) -> str:
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{count / 2**10:.0f} KB"


def _parse(name: str, content: bytes):
    try:
        return SafeET.fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        raise Refused(f"declares a DTD or entities in {name}; refused", "import.unsafe-part") from None
    except SafeET.ParseError as exc:
        raise Refused(f"has a damaged part {name} ({exc}); open it in Word and save it again",
                      "import.damaged") from None


def _main_document(members: dict[str, bytes]) -> str:
    rels = members.get("_rels/.rels")
    if rels is None:
        raise Refused("is a zip file but not a Word document (it has no _rels/.rels)", "import.not-docx")
    for rel in _parse("_rels/.rels", rels):
        if rel.get("Type") == OFFICE_DOCUMENT:
            target = _resolve("_rels/.rels", rel.get("Target") or "")
            if target in members:
                return target
            raise Refused(f"names its main document '{rel.get('Target')}', which is not in the file",
                          "import.not-docx")
    raise Refused("is a zip file but not a Word document (no main document)", "import.not-docx")


def _source_folder(rels_name: str) -> str:
    """word/_rels/document.xml.rels describes word/document.xml, so its targets are relative to word/."""
    return posixpath.dirname(posixpath.dirname(rels_name))


def _resolve(rels_name: str, target: str) -> str | None:
    """A relationship target as a member name, or None when it leaves the package."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or "\\" in target or target.startswith("//"):
        return None
    if target.startswith("/"):
        joined = target.lstrip("/")
    else:
        joined = posixpath.join(_source_folder(rels_name), target)
    normal = posixpath.normpath(joined)
    if normal.startswith(("../", "/")) or normal == "..":
        return None
    return normal


def _check_relationships(name: str, members: dict[str, bytes]) -> None:
    for rel in _parse(name, members[name]):
        target = rel.get("Target") or ""
        kind = rel.get("Type") or ""
        reads = kind.endswith(READ_TYPES)
        if (rel.get("TargetMode") or "").lower() == "external":
            if reads:
                raise Refused(f"links a file outside the document ('{target}' in {name}); insert the picture "
                              "or object into the document instead of linking it", "import.unsafe-part")
            continue
        resolved = _resolve(name, target)
        if resolved is None:
            raise Refused(f"has a part reference that leaves the document ('{target}' in {name}); refused",
                          "import.unsafe-part")
        if reads and resolved not in members:
            raise Refused(f"refers to a part that is not in the file ('{target}' in {name}); open it in Word "
                          "and save it again", "import.damaged")


def _repack(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    # Stored, not deflated: the bytes are already in memory and checked; compressing again only costs time.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
