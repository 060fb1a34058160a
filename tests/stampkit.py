"""What the `build.py stamp` and `build.py trace` tests share; not a test module itself.

The roster written for the tests (its good rows in GOOD and HINDI, the errors its bad
rows must draw in BAD), the CLI run in a subprocess with the test secret (`run_cli`),
a stamped output folder read back (`Stamped`), the helpers that read copies back
(`page_texts`, `licence_line`, `hindi_line`, `trace`, `evidence`, `black_out_copy_id`)
or feed the roster reader (`read`), and the module-scoped fixtures: the mini edition
stamped for that roster (`stamped`), the same edition made a Hindi one (`stamped_hi`),
and the shipped fonts (`fonts`).  conftest.py loads this module as a plugin, so every test
module can ask for the fixtures; each module gets its own instance of a module-scoped one.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from conftest import BUILD_PY, copy_fixture, without_codes

SECRET = "test-secret-for-pressroom-copies"
SLUG = "mini-2020"
MASTER = "mini-press-mini-2020.pdf"
COPY_ID = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")
LONG_NAME = "Ananya " + "Lakshmi " * 15 + "Sharma"  # 133 characters
GOOD = {
    "S001": ("Ananya Sharma", "ananya.sharma@example.com"),
    "S002": ("क्षितिज त्रिपाठी", "kshitij@example.in"),
    "S003": ("Sharma, Rohan", "rohan@example.com"),
    "S007": ("श्रीमती ऋद्धि शर्मा", "riddhi@example.org"),
}
ROSTER = (
    "\ufeffstudent_id,name,email,batch\n"
    "S001,Ananya Sharma,ananya.sharma@example.com,Morning\n"
    "S002,क्षितिज त्रिपाठी,kshitij@example.in,Evening\n"
    '"S003","Sharma, Rohan",rohan@example.com,\n'
    "S007,श्रीमती ऋद्धि शर्मा,riddhi@example.org,\n"
)
# The good rows among bad ones: a single bad row stamps nothing.
BAD_ROSTER = (
    "\ufeffstudent_id,name,email,batch\n"
    "S001,Ananya Sharma,ananya.sharma@example.com,Morning\n"
    "S002,क्षितिज त्रिपाठी,kshitij@example.in,Evening\n"
    '"S003","Sharma, Rohan",rohan@example.com,\n'
    "../x,Evil,evil@example.com,\n"
    "a/b,Slash,slash@example.com,\n"
    "a\\b,Backslash,backslash@example.com,\n"
    "ta\tb,Tab,tab@example.com,\n"
    ".hidden,Dot,dot@example.com,\n"
    ",No Id,noid@example.com,\n"
    "S004,,noname@example.com,\n"
    "S001,Again,again@example.com,\n"
    f"S005,{LONG_NAME},long@example.com,\n"
    "S006,Bad Mail,not-an-email,\n"
    "S007,श्रीमती ऋद्धि शर्मा,riddhi@example.org,\n"
    "s001,Case Twin,case@example.com,\n"
    "S008,Tamil த,tamil@example.com,\n"
    "=1+1,Formula,formula@example.com,\n"
    "S 9,Space,space@example.com,\n"
)
ID_RULE = "(an id is letters, digits, '-', '_' and '.', starting with a letter or digit)"
BAD = [
    f"students.csv:5: error: student_id '../x' is not allowed: it starts with '.' {ID_RULE}",
    f"students.csv:6: error: student_id 'a/b' is not allowed: it contains '/' {ID_RULE}",
    f"students.csv:7: error: student_id 'a\\\\b' is not allowed: it contains '\\\\' {ID_RULE}",
    f"students.csv:8: error: student_id 'ta\\tb' is not allowed: it contains a control character (U+0009) {ID_RULE}",
    f"students.csv:9: error: student_id '.hidden' is not allowed: it starts with '.' {ID_RULE}",
    "students.csv:10: error: missing student_id",
    "students.csv:11: error: missing name",
    "students.csv:12: error: duplicate student_id 'S001' (first on line 2)",
    "students.csv:13: error: name is 133 characters long; the limit is 120",
    "students.csv:14: error: malformed email 'not-an-email'",
    "students.csv:16: error: duplicate student_id 's001' (first on line 2)",
    "students.csv:17: error: name 'Tamil த' has a character the shipped fonts cannot print: 'த' "
    "(U+0BA4 TAMIL LETTER TA)",
    f"students.csv:18: error: student_id '=1+1' is not allowed: it starts with '=' {ID_RULE}",
    f"students.csv:19: error: student_id 'S 9' is not allowed: it contains ' ' {ID_RULE}",
]


HINDI = {
    "S002": ("क्षितिज त्रिपाठी", "kshitij@example.in"),
    "S003": ("Rohan Sharma", "rohan@example.com"),
}


def run_cli(*args, cwd: Path, secret: str | None = SECRET, extra_env: dict | None = None, codes: bool = False,
            **kw):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PRESSROOM_SECRET")}
    if secret is not None:
        env["PRESSROOM_SECRET"] = secret
    env.update(extra_env or {})
    result = subprocess.run([sys.executable, str(BUILD_PY), *map(str, args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300, **kw)
    if not codes:
        result.stderr = without_codes(result.stderr)
    return result


@dataclass(frozen=True)
class Stamped:
    base: Path
    content: Path
    out: Path
    roster: Path
    result: subprocess.CompletedProcess

    @property
    def copies(self) -> Path:
        return self.out / "copies" / SLUG

    @property
    def master(self) -> Path:
        return self.out / SLUG / MASTER

    def ledger(self, name: str = "ledger.csv") -> list[dict]:
        with (self.copies / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def stamp(self, *more, out: Path | None = None, roster: Path | None = None, **kw):
        return run_cli("stamp", self.content / SLUG, "--roster", roster or self.roster, "--out", out or self.out,
                       *more, cwd=self.base, **kw)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def with_master(stamped: Stamped, out: Path) -> Path:
    """A second output folder holding the same master (and its input record), so it is not rebuilt."""
    (out / SLUG).mkdir(parents=True)
    for name in (MASTER, MASTER + ".inputs.json"):
        shutil.copy2(stamped.out / SLUG / name, out / SLUG / name)
    return out


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def stamped(tmp_path_factory) -> Stamped:
    base = tmp_path_factory.mktemp("stamp")
    content = copy_fixture("mini", base)
    roster = base / "students.csv"
    roster.write_bytes(ROSTER.encode("utf-8"))
    result = run_cli("stamp", content / SLUG, "--roster", roster.name, "--out", "out", cwd=base)
    return Stamped(base, content, base / "out", roster, result)


@pytest.fixture(scope="module")
def stamped_hi(tmp_path_factory) -> Stamped:
    """The mini edition made a Hindi one (`language: hi`), stamped for a Devanagari and a Latin name."""
    base = tmp_path_factory.mktemp("stamp-hi")
    content = copy_fixture("mini", base)
    edition = content / SLUG / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    assert 'language: "en"' in text
    edition.write_text(text.replace('language: "en"', 'language: "hi"'), encoding="utf-8")
    roster = base / "students.csv"
    roster.write_text("student_id,name,email\n" + "".join(f"{sid},{name},{email}\n"
                                                          for sid, (name, email) in HINDI.items()), encoding="utf-8")
    result = run_cli("stamp", content / SLUG, "--roster", roster.name, "--out", "out", cwd=base)
    return Stamped(base, content, base / "out", roster, result)


@pytest.fixture(scope="module")
def fonts():
    from pressroom.copies.stamp import load_fonts

    return load_fonts()


# --------------------------------------------------------------------------- reading copies back


def licence_line(sid: str, copy_id: str) -> str:
    name, email = GOOD[sid]
    return f"Licensed to {name} · {sid} · {email} — not for redistribution · copy {copy_id}"


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [unicodedata.normalize("NFC", " ".join(p.split())) for p in out.split("\f")[:-1]]


def hindi_line(sid: str, copy_id: str) -> str:
    name, email = HINDI[sid]
    return f"{name} · {sid} · {email} को लाइसेंस प्रदत्त — आगे वितरण वर्जित · प्रति {copy_id}"


def trace(stamped: Stamped, suspect: Path, secret: str | None = SECRET):
    return run_cli("trace", suspect, "--ledger", stamped.copies / "ledger.csv", cwd=stamped.base, secret=secret)


KINDS = ("sha256", "document ID", "metadata", "header", "visible line", "page mark")


def evidence(output: str) -> dict[str, bool]:
    """Which kinds of evidence trace reports as found ("found: ...") or not ("no match") for the first copy."""
    first = output.split("\n\n")[0]
    return {m[1]: m[2] == "found" for m in re.finditer(rf"^  ({'|'.join(KINDS)}):\s+(found|no match)", first, re.M)}


def grade(output: str) -> tuple[str, str] | None:
    """(grade, student id) of the copy trace ranks first, or None when it found none."""
    match = re.search(r"^.+?: (verified|matched|unverified): the copy of (\S+) ", output, re.M)
    return (match[1], match[2]) if match else None


def strip_metadata(pdf: pikepdf.Pdf) -> None:
    """What a leaker removes first: the Info dictionary, the document ID and the XMP."""
    del pdf.trailer["/Info"]
    del pdf.trailer["/ID"]
    del pdf.Root["/Metadata"]


def black_out_copy_id(pdf: pikepdf.Pdf) -> None:
    """Drop the text after the licence line's last font change: the copy id, its last Latin run."""
    form = next(v for k, v in pdf.pages[0].Resources.XObject.items() if k.startswith("/PRLine"))
    ops = list(pikepdf.parse_content_stream(form))
    last = max(i for i, (_, op) in enumerate(ops) if str(op) == "Tf")
    assert ops[last][0][0] == pikepdf.Name("/PRL")
    form.write(pikepdf.unparse_content_stream([(operands, op) for i, (operands, op) in enumerate(ops)
                                               if i <= last or str(op) != "TJ"]))


def remove_mark(pdf: pikepdf.Pdf) -> None:
    """Empty the machine-readable mark's form on every page (one form, shared by all pages)."""
    for page in pdf.pages:
        for key, form in page.Resources.XObject.items():
            if key.startswith("/PRCode"):
                form.write(b" ")


# --------------------------------------------------------------------------- the roster reader


def read(tmp_path: Path, data: bytes):
    from pressroom.copies import roster
    from pressroom.problems import ContentError

    path = tmp_path / "students.csv"
    path.write_bytes(data)
    try:
        return [without_codes(str(item)) if not isinstance(item, roster.Student) else item for item in
                roster.read_roster(path, lambda text: None)]
    except ContentError as exc:
        return [without_codes(str(p)) for p in exc.problems]
