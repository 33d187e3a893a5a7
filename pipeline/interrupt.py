"""Ctrl-C and SIGTERM stop a run at the next safe point, never in the middle of a write.

A signal handler that raises wherever the code happens to be (Python's default
for Ctrl-C) can leave a temporary file behind, even from inside `mkstemp`.
Inside `deferred_signals()`, the first SIGINT or SIGTERM only sets a flag; the
crawl checks it between pages and the build between captures and between
publish steps (`check`), and stops there cleanly. A second signal stops at once,
for a run stuck in a slow request; the next run removes what that leaves.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """A stop asked for by a signal, raised at a safe point."""


_received: list[int] = []


def _defer(signum: int, frame: FrameType | None) -> None:
    if _received:
        raise KeyboardInterrupt
    _received.append(signum)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """SIGINT and SIGTERM only set a flag while active (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _defer) for signum in SIGNALS}
    _received.clear()
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received.clear()


def check() -> None:
    """Raise Interrupted when a stop has been asked for: call it where stopping is safe."""
    if _received:
        raise Interrupted(f"interrupted by {signal.Signals(_received[0]).name}")
