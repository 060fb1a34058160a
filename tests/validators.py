"""Validators for built EPUBs: EPUBCheck (W3C) and Ace by DAISY (accessibility).

Plain functions, no pytest fixtures:

    epubcheck(path) -> Report      errors / warnings / notes, .ok
    ace(path)       -> AceReport   violations, serious_or_critical

Both run fully offline with a hard timeout; the whole process group is killed
when the timeout expires (Ace starts Chromium, which must not be orphaned).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACE_DIR = ROOT / "tools" / "ace"
# The `ace` bin is the Electron runner (its binary is never downloaded, we install
# with --ignore-scripts); `ace-puppeteer` drives the system Chromium instead.
ACE_BIN = ACE_DIR / "node_modules" / ".bin" / "ace-puppeteer"

EPUBCHECK_TIMEOUT = 120
ACE_TIMEOUT = 300


class ValidatorError(RuntimeError):
    """A validator could not run or produced no usable report."""


# --------------------------------------------------------------------------- helpers

def _run(cmd: list[str], timeout: float, env: dict[str, str] | None = None,
         cwd: str | os.PathLike | None = None) -> subprocess.CompletedProcess:
    """Run cmd in its own process group; on timeout kill the whole group."""
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=cwd, start_new_session=True, text=True, errors="replace",
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        raise ValidatorError(
            f"{Path(cmd[0]).name} timed out after {timeout:g} s: {' '.join(map(str, cmd))}\n"
            f"{_tail(out)}{_tail(err)}"
        ) from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _tail(text: str | None, n: int = 2000) -> str:
    return (text or "")[-n:]


def _check_input(path: str | os.PathLike) -> Path:
    p = Path(path).resolve()
    if not p.is_file():
        raise ValidatorError(f"no such EPUB file: {p}")
    return p


# --------------------------------------------------------------------------- EPUBCheck

@dataclass
class Report:
    """EPUBCheck result. Each entry is "CODE location: message"."""

    errors: list[str] = field(default_factory=list)    # FATAL + ERROR
    warnings: list[str] = field(default_factory=list)  # WARNING
    notes: list[str] = field(default_factory=list)     # INFO + USAGE
    version: str = ""                                   # EPUBCheck version
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.warnings

    def __str__(self) -> str:
        lines = [f"EPUBCheck {self.version}: {len(self.errors)} error(s), "
                 f"{len(self.warnings)} warning(s), {len(self.notes)} note(s)"]
        lines += [f"  ERROR   {e}" for e in self.errors]
        lines += [f"  WARNING {w}" for w in self.warnings]
        return "\n".join(lines)


def _format_location(loc: dict) -> str:
    s = loc.get("path") or "-"
    line, col = loc.get("line", -1), loc.get("column", -1)
    if line is not None and line >= 0:
        s += f":{line}"
        if col is not None and col >= 0:
            s += f":{col}"
    return s


def _epubcheck_jar() -> Path:
    try:
        import epubcheck as _pkg  # PyPI package "epubcheck"; bundles the jar
    except ImportError as exc:  # pragma: no cover
        raise ValidatorError("the 'epubcheck' package is not installed; run ./setup.sh") from exc
    jar = Path(_pkg.__file__).parent / "epubcheck.jar"
    if not jar.is_file():  # pragma: no cover
        raise ValidatorError(f"epubcheck.jar not found at {jar}")
    return jar


def epubcheck(path: str | os.PathLike, timeout: float = EPUBCHECK_TIMEOUT) -> Report:
    """Run EPUBCheck on an .epub file and return its messages by severity."""
    epub = _check_input(path)
    java = shutil.which("java")
    if not java:
        raise ValidatorError("java not found on PATH (EPUBCheck needs Java 11+); run ./setup.sh")
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as tmp:
        out_json = Path(tmp) / "report.json"
        cmd = [java, "-Duser.language=en", "-Djava.awt.headless=true",
               "-jar", str(_epubcheck_jar()), str(epub),
               "--json", str(out_json), "--usage", "-q"]
        proc = _run(cmd, timeout, cwd=tmp)
        try:
            data = json.loads(out_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValidatorError(
                f"EPUBCheck wrote no JSON report (exit {proc.returncode})\n"
                f"{_tail(proc.stdout)}{_tail(proc.stderr)}"
            ) from exc

    report = Report(version=data.get("checker", {}).get("checkerVersion", ""), raw=data)
    buckets = {"FATAL": report.errors, "ERROR": report.errors,
               "WARNING": report.warnings, "INFO": report.notes, "USAGE": report.notes}
    for msg in data.get("messages", []):
        bucket = buckets.get(str(msg.get("severity", "")).upper(), report.errors)
        code, text = msg.get("ID", "?"), msg.get("message", "")
        locations = msg.get("locations") or [{}]
        for loc in locations:  # one entry per location, like EPUBCheck's text output
            bucket.append(f"{code} {_format_location(loc)}: {text}")
    return report


# --------------------------------------------------------------------------- Ace

@dataclass(frozen=True)
class Violation:
    impact: str        # minor | moderate | serious | critical
    rule: str          # e.g. "image-alt", "metadata-accessmode"
    location: str      # content document (plus CSS selector when known)
    description: str

    def __iter__(self):  # allows: impact, rule, location, description = v
        return iter((self.impact, self.rule, self.location, self.description))

    def __str__(self) -> str:
        return f"[{self.impact}] {self.rule} {self.location}: {self.description}"


@dataclass
class AceReport:
    violations: list[Violation] = field(default_factory=list)
    outcome: str = ""                                   # "pass" | "fail"
    version: str = ""                                   # Ace version
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def serious_or_critical(self) -> list[Violation]:
        return [v for v in self.violations if v.impact in ("serious", "critical")]

    def __str__(self) -> str:
        lines = [f"Ace {self.version}: {self.outcome}, {len(self.violations)} violation(s), "
                 f"{len(self.serious_or_critical)} serious/critical"]
        lines += [f"  {v}" for v in self.violations]
        return "\n".join(lines)


def _chromium() -> str:
    env = os.environ.get("PUPPETEER_EXECUTABLE_PATH")
    if env:
        return env
    for cand in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise ValidatorError("Chromium not found (apt-get install chromium, or run ./setup.sh); "
                         "Ace needs it, or set PUPPETEER_EXECUTABLE_PATH")


def _describe(test: dict, result: dict) -> str:
    """Rule summary, plus the first line of what failed on this element."""
    summary = " ".join(str(test.get("dct:description", "")).split())
    detail = str(result.get("dct:description", "")).strip().splitlines()
    detail = " ".join(detail[0].split()) if detail else ""
    if detail and detail != summary:
        return f"{summary} ({detail})" if summary else detail
    return summary


def _parse_ace(data: dict) -> AceReport:
    report = AceReport(outcome=data.get("earl:result", {}).get("earl:outcome", ""),
                       version=data.get("earl:assertedBy", {}).get("doap:release", {})
                                   .get("doap:revision", ""),
                       raw=data)
    for doc in data.get("assertions", []):
        doc_url = doc.get("earl:testSubject", {}).get("url", "")
        for a in doc.get("assertions", []):
            result = a.get("earl:result", {})
            if result.get("earl:outcome") != "fail":
                continue
            test = a.get("earl:test", {})
            pointer = result.get("earl:pointer") or {}
            css = pointer.get("css") or []
            location = doc_url + (f" {css[0]}" if css else "")
            report.violations.append(Violation(
                impact=test.get("earl:impact", "unknown"),
                rule=test.get("dct:title", "?"),
                location=location,
                description=_describe(test, result),
            ))
    return report


def ace(path: str | os.PathLike, timeout: float = ACE_TIMEOUT) -> AceReport:
    """Run the locally installed Ace by DAISY (tools/ace) on an .epub file."""
    epub = _check_input(path)
    if not ACE_BIN.exists():
        raise ValidatorError(f"Ace is not installed ({ACE_BIN} missing); run ./setup.sh")
    node = shutil.which("node")
    if not node:
        raise ValidatorError("node not found on PATH; Ace needs Node.js >= 20 (run ./setup.sh)")
    chromium = _chromium()
    with tempfile.TemporaryDirectory(prefix="ace-") as tmp:
        tmpdir = Path(tmp)
        outdir = tmpdir / "report"
        env = dict(os.environ)
        env.update({
            # Ace's puppeteer runner already launches Chromium with
            # --no-sandbox --disable-setuid-sandbox (needed as root).
            "PUPPETEER_EXECUTABLE_PATH": chromium,
            "PUPPETEER_SKIP_DOWNLOAD": "1",
            # Browser launch timeout; Ace's default of 5 s is too tight on a busy 2-core box.
            "ACE_TIMEOUT_INITIAL": "60000",
            # Keep Ace's config/log files (env-paths → XDG dirs) and Chromium's profile out of $HOME.
            "HOME": str(tmpdir),
            "XDG_CONFIG_HOME": str(tmpdir / "config"),
            "XDG_CACHE_HOME": str(tmpdir / "cache"),
            "XDG_DATA_HOME": str(tmpdir / "data"),
            "XDG_STATE_HOME": str(tmpdir / "state"),
            "TMPDIR": str(tmpdir),
        })
        env.pop("NODE_OPTIONS", None)
        per_doc_ms = str(int(max(timeout - 30, 30) * 1000))
        cmd = [node, str(ACE_BIN.resolve()), "--silent", "--force", "--lang", "en",
               "--timeout", per_doc_ms, "--outdir", str(outdir),
               "--tempdir", str(tmpdir / "work"), str(epub)]
        proc = _run(cmd, timeout, env=env, cwd=tmp)
        report_json = outdir / "report.json"
        try:
            data = json.loads(report_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            logs = "".join(p.read_text(errors="replace")[-2000:]
                           for p in tmpdir.rglob("*.log"))
            raise ValidatorError(
                f"Ace produced no report.json (exit {proc.returncode})\n"
                f"{_tail(proc.stdout)}{_tail(proc.stderr)}{logs}"
            ) from exc
    return _parse_ace(data)
