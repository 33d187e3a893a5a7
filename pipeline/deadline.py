"""A total deadline per HTTP response, from sending the request to the last byte of the body.

requests' read timeout bounds each read from the socket, so a server that
trickles one byte every few seconds (in its headers or its body) holds a
request open for ever. `DeadlineAdapter` lets a `Deadline` find the connection
its thread is using (noted when the connection opens or is reused), and when
the deadline passes it shuts that socket down: the blocked read returns at once
and requests raises, whatever phase the response was in.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from types import TracebackType
from typing import Any

import requests
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection

_deadlines: dict[int, Deadline] = {}
"""The running deadline of each thread, by thread id."""
_lock = threading.Lock()


class Deadline:
    """`with Deadline(seconds) as deadline:` cuts the thread's HTTP connection once `seconds` pass.

    After the block, `expired` tells whether it did: a response that ended early
    because its connection was cut must not be taken for a whole one.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.done = False
        self._socket: socket.socket | None = None
        self._thread = threading.get_ident()

    def __enter__(self) -> Deadline:
        with _lock:
            _deadlines[self._thread] = self
        _WATCHDOG.add(self, time.monotonic() + self.seconds)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with _lock:
            self.done = True
            _deadlines.pop(self._thread, None)

    def watch(self, sock: socket.socket) -> None:
        """Note the socket the request uses; cut it at once if the deadline has already passed."""
        with _lock:
            self._socket = sock
            expired = self.expired
        if expired:
            _cut(sock)

    def expire(self) -> None:
        """The deadline has passed: cut the socket, unless the response is already whole."""
        with _lock:
            if self.done:
                return
            self.expired = True
            sock = self._socket
        if sock is not None:
            _cut(sock)


class _Watchdog:
    """One thread for every deadline: it sleeps until the nearest one is due and expires it.

    A timer thread per request would cost a thread start on every page (bench/fetch.py).
    """

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline, due: float) -> None:
        with self._wake:
            heapq.heappush(self._due, (due, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="http-deadlines", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            for deadline in self._next_due():
                deadline.expire()

    def _next_due(self) -> list[Deadline]:
        """Wait until a deadline is due; return those that are (finished ones are dropped on the way)."""
        with self._wake:
            while True:
                while self._due and self._due[0][2].done:
                    heapq.heappop(self._due)
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    due = []
                    while self._due and self._due[0][0] <= now:
                        due.append(heapq.heappop(self._due)[2])
                    return due
                self._wake.wait(self._due[0][0] - now if self._due else None)


_WATCHDOG = _Watchdog()


def _cut(sock: socket.socket) -> None:
    """Shut the socket down under the reading thread: its blocked read returns at once."""
    with contextlib.suppress(OSError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's, also under TLS


def _watch(sock: socket.socket | None) -> None:
    """Hand the socket to the calling thread's deadline, if it has one."""
    if sock is None:
        return
    with _lock:
        deadline = _deadlines.get(threading.get_ident())
    if deadline is not None:
        deadline.watch(sock)


class _WatchedHTTPConnection(HTTPConnection):
    """Tells the thread's deadline its socket: when it opens, and when a kept-alive one is reused.

    The socket, not the connection: http.client lets go of a `Connection: close`
    connection's socket once the headers are read, while the body still comes through it.
    """

    def connect(self) -> None:
        super().connect()
        _watch(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """The same for TLS: `super()` reaches HTTPSConnection's connect and request."""


class _WatchedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class DeadlineAdapter(requests.adapters.HTTPAdapter):
    """requests' own adapter, with connections that a `Deadline` can cut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> urllib3.ProxyManager:
        manager: urllib3.ProxyManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
