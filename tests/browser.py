"""A headless Chromium driven through the DevTools protocol over a pipe: no driver, no websocket
library, nothing but the standard library and the system's browser.

`Chromium(executable).open(path)` loads a local file and reports what a person would notice: console
messages and uncaught exceptions, every request the page made, whether each image decoded, a
screenshot and the page printed to A4. Tests use it to show that the report renders cleanly offline;
`python tests/browser.py REPORT.html OUT.png` takes the screenshot in the README (docs/report.png).

Chromium is started with `--remote-debugging-pipe`: it reads protocol messages (JSON, each ended by a
NUL byte) on file descriptor 3 and writes its answers and events on descriptor 4. The flags keep a
headless browser quiet on a closed network (no background networking, component updates, sync or
first-run requests) and run it as root in a container (`--no-sandbox`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXECUTABLES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install one with `apt-get install chromium` (Debian) or set CHROMIUM=/path/to/chrome"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
A4_INCHES = (8.27, 11.69)


def find_chromium() -> str | None:
    """`$CHROMIUM`, else the first Chromium or Chrome on PATH; None when there is none."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    for name in EXECUTABLES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """The browser did not answer, or answered with a protocol error."""


@dataclass
class Visit:
    """What loading one page showed."""

    console: list[str] = field(default_factory=list)
    """Console messages of level error or warning, uncaught exceptions and browser log errors."""
    requests: list[str] = field(default_factory=list)
    """Every URL the page requested, the page itself included."""
    images: list[dict[str, Any]] = field(default_factory=list)
    """Each <img>: whether it loaded, its natural size."""
    screenshot: bytes = b""
    pdf: bytes = b""


class Chromium:
    """One headless browser process, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="report-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def descriptors_3_and_4() -> None:  # in the child, before exec: the pipe ends Chromium expects
            read, write = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=descriptors_3_and_4,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._next_id = 0
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._events: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                self._messages.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self._messages.put(json.loads(message))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._next(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_for(self, event: str, deadline: float) -> dict[str, Any]:
        """The first event of this name, whether it came already or comes before the deadline."""
        while True:
            for index, seen in enumerate(self._events):
                if seen.get("method") == event:
                    return self._events.pop(index)
            self._events.append(self._next(deadline, event))

    def _next(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        try:
            message = self._messages.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise BrowserError(f"no answer to {waiting_for} within {self.timeout:g} s") from None
        if message is None:
            raise BrowserError(f"the browser exited (code {self.process.poll()}) while waiting for {waiting_for}")
        return message

    def open(
        self, path: Path, width: int = 1280, height: int = 2000, settle: float = 0.3, *, keep: bool = True
    ) -> Visit:
        """Load a file, then collect what the page logged and requested, its images and, unless not
        `keep`, a screenshot (`width` × `height`) and the page printed to A4."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session)
        self.call(
            "Emulation.setDeviceMetricsOverride", session, width=width, height=height, deviceScaleFactor=1, mobile=False
        )
        self._events.clear()
        self.call("Page.navigate", session, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired", time.monotonic() + self.timeout)
        time.sleep(settle)  # late console messages (a failed image decode) arrive after the load event
        images = self.call(
            "Runtime.evaluate",
            session,
            expression="Array.from(document.images).map(i => ({complete: i.complete, "
            "width: i.naturalWidth, height: i.naturalHeight}))",
            returnByValue=True,
        )["result"]["value"]
        visit = Visit(images=images)
        if keep:
            visit.screenshot, visit.pdf = self._keep(session)
        for event in self._events:
            self._note(event, visit)
        self.call("Target.closeTarget", targetId=target)
        return visit

    def _keep(self, session: str) -> tuple[bytes, bytes]:
        """A screenshot of the viewport, and the page printed to A4 (its own @page size when it has one)."""
        screenshot = base64.b64decode(self.call("Page.captureScreenshot", session, format="png")["data"])
        pdf = base64.b64decode(
            self.call(
                "Page.printToPDF",
                session,
                paperWidth=A4_INCHES[0],
                paperHeight=A4_INCHES[1],
                preferCSSPageSize=True,
                printBackground=True,
            )["data"]
        )
        return screenshot, pdf

    @staticmethod
    def _note(event: dict[str, Any], visit: Visit) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            visit.console.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Runtime.exceptionThrown":
            visit.console.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            entry = params["entry"]
            visit.console.append(
                f"{entry.get('source')} {entry.get('level')}: {entry.get('text')} {entry.get('url', '')}"
            )
        elif method == "Network.requestWillBeSent":
            visit.requests.append(params.get("request", {}).get("url", ""))

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for descriptor in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: list[str]) -> int:
    """`python tests/browser.py REPORT.html OUT.png [WIDTH HEIGHT]`: a screenshot of the report's top."""
    if len(argv) not in (2, 4):
        print(__doc__.split("\n\n", 1)[0], file=sys.stderr)
        print("usage: python tests/browser.py REPORT.html OUT.png [WIDTH HEIGHT]", file=sys.stderr)
        return 2
    executable = find_chromium()
    if executable is None:
        print(f"error: no Chromium found: {INSTALL_HINT}", file=sys.stderr)
        return 2
    width, height = (int(argv[2]), int(argv[3])) if len(argv) == 4 else (1280, 2000)
    with Chromium(executable) as browser:
        visit = browser.open(Path(argv[0]), width, height)
    for line in visit.console:
        print(f"console: {line}", file=sys.stderr)
    Path(argv[1]).write_bytes(visit.screenshot)
    print(f"wrote {argv[1]} ({width}×{height}, {len(visit.screenshot) / 1024:,.0f} KB)")
    return 1 if visit.console else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
