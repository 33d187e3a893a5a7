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
import socket
import threading
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
        self._socket: socket.socket | None = None
        self._thread = threading.get_ident()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        with _lock:
            _deadlines[self._thread] = self
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with _lock:
            _deadlines.pop(self._thread, None)

    def watch(self, sock: socket.socket) -> None:
        """Note the socket the request uses; cut it at once if the deadline has already passed."""
        with _lock:
            self._socket = sock
            expired = self.expired
        if expired:
            _cut(sock)

    def _expire(self) -> None:
        with _lock:
            self.expired = True
            sock = self._socket
        if sock is not None:
            _cut(sock)


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
