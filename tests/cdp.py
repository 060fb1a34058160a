"""Headless Chromium driven through the DevTools protocol over `--remote-debugging-pipe`.

The pipe needs no port and no websocket: Chromium reads commands on fd 3 and
writes replies on fd 4, each a JSON message ended by a NUL byte. Only what the
tests need: open a page, navigate it, evaluate an expression in it, and the events
Chromium sends meanwhile (console messages, failed requests), close.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-pipe")


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class CDPError(RuntimeError):
    pass


class Chromium:
    def __init__(self, profile: Path, executable: str, stderr=subprocess.DEVNULL):
        profile.mkdir(parents=True, exist_ok=True)
        to_child, self._to_browser = os.pipe()
        self._from_browser, from_child = os.pipe()
        # Move the child's ends above 4, so that the shell's `3<&N 4>&M` cannot clobber one with the other.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child)]
        os.close(to_child)
        os.close(from_child)
        script = f'exec "$0" "$@" 3<&{high[0]} 4>&{high[1]} {high[0]}<&- {high[1]}>&-'
        self.proc = subprocess.Popen(["/bin/bash", "-c", script, executable, *FLAGS, f"--user-data-dir={profile}",
                                      "about:blank"], pass_fds=tuple(high), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=stderr)
        for fd in high:
            os.close(fd)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []  # every event Chromium sent, in order; each names its session

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 15) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if "method" in reply and "id" not in reply:
                self.events.append(reply)
            elif reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise CDPError(f"Chromium closed the pipe (exit {self.proc.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def wait_event(self, method: str, session: str, after: int, timeout: float = 30) -> dict:
        """The first `method` event of `session` at or after index `after` of `events`, reading until it comes."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[after:]:
                if event["method"] == method and event.get("sessionId") == session:
                    return event
            message = self._read(deadline)
            if "method" in message and "id" not in message:
                self.events.append(message)

    def open(self, url: str) -> Page:
        target = self.call("Target.createTarget", {"url": url})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, session)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.call("Browser.close", timeout=5)
        except (CDPError, TimeoutError, OSError):
            pass
        finally:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            for fd in (self._to_browser, self._from_browser):
                try:
                    os.close(fd)
                except OSError:
                    pass


class Page:
    def __init__(self, browser: Chromium, session: str):
        self.browser, self.session = browser, session

    def enable(self, *domains: str) -> None:
        """Ask for the events of these domains (Page, Runtime, Network, Log...)."""
        for domain in domains:
            self.browser.call(f"{domain}.enable", {}, self.session)

    def goto(self, url: str, timeout: float = 30) -> None:
        """Navigate and wait for the load event (Page must be enabled)."""
        mark = len(self.browser.events)
        self.browser.call("Page.navigate", {"url": url}, self.session)
        self.browser.wait_event("Page.loadEventFired", self.session, mark, timeout)

    def events(self, since: int = 0) -> list[dict]:
        return [e for e in self.browser.events[since:] if e.get("sessionId") == self.session]

    def evaluate(self, expression: str, await_promise: bool = False, timeout: float = 15):
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                        "awaitPromise": await_promise}, self.session, timeout)
        if "exceptionDetails" in result:
            raise CDPError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    def text(self) -> str:
        """The page's visible text; empty while it is between two loads."""
        try:
            return self.evaluate("document.body ? document.body.innerText : ''") or ""
        except CDPError:
            return ""
