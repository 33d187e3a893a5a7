"""A real local web site for crawler tests and benchmarks (not a test module: pytest does not collect it).

A `TestSite` is a stdlib `ThreadingHTTPServer` on 127.0.0.1, port 0, serving in a
daemon thread. Routes map a request target (path plus query, exactly as
requested) to one `Reply` or a sequence of them: successive requests get
successive replies, the last one repeating. Every request is logged with its
headers and a monotonic arrival time, so tests can assert on what the crawler
sent and when. Unrouted targets (robots.txt included) get a 404.

    with TestSite() as site:
        site.robots("User-agent: *\\nDisallow: /private/\\n")
        site.route("/a/", Reply(503), Reply(body=b"<html>...</html>"))
        url = site.url("/a/")
        ...
        assert [r.status for r in site.requests_for("/a/")] == [503, 200]

Reply behaviours: status, headers, body, content type, `sleep` before the
status line (a hang), `drop_after` (declare the whole body in Content-Length,
send only that many bytes, close), `chunked` transfer with `repeat` (a long
streamed body without Content-Length), `declared_length` (a Content-Length
that differs from the body) with `body_sleep`, `trickle` (the body, or with
`trickle_headers` the whole response, one byte at a time), and validators
(`etag`, `last_modified`) answered with a 304 when the request's If-None-Match
or If-Modified-Since matches. `site.generate(path, make_reply)` answers every
query of a path with a reply made from the request (an endless pagination trap).

Each logged `Request` records the status sent, the body bytes written, whether
the reply was `completed`, and a `done` event set once the server has finished
with it (so a test can wait for the server to notice a client that hung up).
Responses go out with TCP_NODELAY, so the site adds no Nagle delay of its own.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Reply", "Request", "TestSite", "detail_html", "html_page", "http_date", "listing_entry", "listing_html"]


@dataclass
class Reply:
    """One response behaviour."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    sleep: float = 0.0
    """Seconds to wait before sending the status line (a slow or hanging server)."""
    drop_after: int | None = None
    """Send Content-Length of the whole body but only this many bytes of it, then close the connection."""
    chunked: bool = False
    """Send the body with Transfer-Encoding: chunked, no Content-Length."""
    repeat: int = 1
    """Send the body this many times in a row (one chunk each when chunked): a big body without a big bytes object."""
    declared_length: int | None = None
    """A Content-Length to declare instead of the real one.

    The body sent is still `body`, then the connection closes."""
    body_sleep: float = 0.0
    """Seconds to wait between the headers and the body."""
    etag: str | None = None
    last_modified: str | None = None
    """Validators: sent with a 200, and a matching conditional request gets a 304."""
    trickle: float = 0.0
    """Seconds between two bytes of the body: a server that never quite times out a read."""
    trickle_headers: bool = False
    """With `trickle`, send the status line and headers one byte at a time too."""

    @property
    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body

    @property
    def sent_body(self) -> bytes:
        """The body bytes a complete 200 reply carries (what a crawler should store)."""
        return self.data * self.repeat


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    target: str
    headers: dict[str, str]
    """Header names lower-cased."""
    time: float
    """`time.monotonic()` when the request line had been read."""
    client_port: int = 0
    """The client's port: requests on one kept-alive connection share it."""
    status: int | None = None
    sent: int = 0
    """Body bytes written to the socket."""
    completed: bool = False
    """The whole reply was written without the client going away."""
    done: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    """Set once the server has finished with this request (completed, dropped or abandoned by the client)."""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def user_agent(self) -> str | None:
        return self.headers.get("user-agent")


def html_page(title: str, body_html: str = "", charset: str = "utf-8", meta_charset: bool = True) -> str:
    """A small, realistic HTML document (head with meta charset, nav and scripts to be skipped)."""
    meta = f'<meta charset="{charset}">' if meta_charset else ""
    return (
        f"<!DOCTYPE html>\n<html><head>{meta}<title>{title}</title>"
        "<script>var x = 1;</script><style>body{font:14px sans-serif}</style></head>\n"
        '<body><nav><a href="/">Home</a> <a href="/en/">EN</a></nav>\n'
        f'<div class="content">\n<h1>{title}</h1>\n{body_html}\n</div>\n'
        "</body></html>\n"
    )


EN_LABELS = ("Direction", "Subdirection", "Stage", "Type", "Date")
RU_LABELS = ("Направление", "Поднаправление", "Стадия", "Тип", "Дата")


def listing_entry(
    title: str, href: str | None = None, values: Iterable[str | None] = (), labels: tuple[str, ...] = EN_LABELS
) -> str:
    """One project on a listing, in the site's layout: a (linked) title, then `Label:` / value pairs.

    `values` follow `labels` (Direction, Subdirection, Stage, Type, Date); a None value omits its pair.
    """
    head = f'<a href="{href}">{title}</a>' if href else title
    pairs = "".join(
        f"<dt>{label}:</dt><dd>{value}</dd>" for label, value in zip(labels, values, strict=False) if value is not None
    )
    return f'<div class="project-item"><p class="title">{head}</p><dl class="props">{pairs}</dl></div>\n'


def listing_html(
    title: str,
    sections: Iterable[tuple[str, Iterable[str]]],
    extra: str = "",
    charset: str = "utf-8",
    meta_charset: bool = True,
) -> str:
    """A listing page: an intro, then each (heading, entries) section, then `extra` (pagination, other links)."""
    body = "<p>Projects of the centre in this thematic area.</p>\n"
    for heading, entries in sections:
        body += f"<h2>{heading}</h2>\n" + "".join(entries)
    return html_page(title, body + extra, charset=charset, meta_charset=meta_charset)


def detail_html(title: str, values: Iterable[str], description: Iterable[str] = (), charset: str = "utf-8") -> str:
    """A project page: the title, the unlabelled metadata block, then description paragraphs."""
    meta = "".join(f"<div>{value}</div>" for value in values)
    text = "".join(f"<p>{paragraph}</p>" for paragraph in description)
    return html_page(title, f'<div class="project-meta">{meta}</div>\n{text}', charset=charset)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK would add ~40 ms to every response and hide what the client itself costs.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        site = self.server.site
        request = Request(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            time.monotonic(),
            client_port=self.client_address[1],
        )
        reply = site._next_reply(request)
        try:
            self._respond(request, reply, head)
        except OSError:  # the client went away (broken pipe, reset, timeout)
            self.close_connection = True
        finally:
            request.done.set()

    def _respond(self, request: Request, reply: Reply, head: bool) -> None:
        if reply.sleep:
            time.sleep(reply.sleep)
        if reply.trickle:
            self._trickle(request, reply)
            return
        status = reply.status
        if reply.status == 200 and _not_modified(request.headers, reply):
            status = 304
        request.status = status
        self.send_response(status)
        if reply.content_type and status != 304:
            self.send_header("Content-Type", reply.content_type)
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if status == 304 or head:
            self.send_header("Content-Length", "0")
            self.end_headers()
            request.completed = True
            return
        data, repeat = reply.data, reply.repeat
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._pause(reply.body_sleep)
            for _ in range(repeat):
                if data:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    request.sent += len(data)
            self.wfile.write(b"0\r\n\r\n")
            request.completed = True
            return
        total = len(data) * repeat
        declared = reply.declared_length if reply.declared_length is not None else total
        self.send_header("Content-Length", str(declared))
        if reply.drop_after is not None or declared != total:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self._pause(reply.body_sleep)
        limit = total if reply.drop_after is None else min(reply.drop_after, total)
        for piece in _pieces(data, repeat, limit):
            self.wfile.write(piece)
            request.sent += len(piece)
        if reply.drop_after is not None:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        request.completed = True

    def _trickle(self, request: Request, reply: Reply) -> None:
        """The reply one byte at a time (the headers too with `trickle_headers`), `trickle` seconds apart."""
        request.status = reply.status
        head = (
            f"HTTP/1.1 {reply.status} OK\r\nContent-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.data)}\r\nConnection: close\r\n\r\n"
        ).encode("latin-1")
        self.close_connection = True
        if not reply.trickle_headers:
            self.wfile.write(head)
            head = b""
        for index, byte in enumerate(head + reply.data):
            self.wfile.write(bytes([byte]))
            request.sent += index >= len(head)
            time.sleep(reply.trickle)
        request.completed = True

    def _pause(self, seconds: float) -> None:
        if seconds:
            self.wfile.flush()
            time.sleep(seconds)


def _pieces(data: bytes, repeat: int, limit: int) -> Iterable[bytes]:
    left = limit
    for _ in range(repeat):
        if left <= 0:
            return
        piece = data[:left]
        left -= len(piece)
        yield piece


def _not_modified(headers: dict[str, str], reply: Reply) -> bool:
    if reply.etag and "if-none-match" in headers:
        tags = [tag.strip() for tag in headers["if-none-match"].split(",")]
        return reply.etag in tags or "*" in tags
    if reply.last_modified and "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
            modified = parsedate_to_datetime(reply.last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    site: TestSite

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that resets an idle keep-alive connection is normal; anything else is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class TestSite:
    """A local site on 127.0.0.1: routes, a request log, robots.txt; a context manager that shuts down cleanly."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._generators: dict[str, Callable[[Request], Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.log: list[Request] = []
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-site", daemon=True
        )
        self._thread.start()

    # -- addresses -------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, target: str) -> str:
        return self.origin + target

    # -- routes ----------------------------------------------------------------------------------------------

    def route(self, target: str, *replies: Reply) -> list[Reply]:
        """Serve `replies` for `target` (path plus query) in turn; the last repeats. Returns them."""
        if not replies:
            raise ValueError("route needs at least one reply")
        with self._lock:
            self._routes[target] = list(replies)
            self._served[target] = 0
        return list(replies)

    def page(
        self, target: str, body: bytes | str, content_type: str = "text/html; charset=utf-8", **options: object
    ) -> Reply:
        """Serve one 200 page (with any other `Reply` options) for `target`."""
        [reply] = self.route(target, Reply(200, body, content_type, **options))  # type: ignore[arg-type]
        return reply

    def generate(self, path: str, make_reply: Callable[[Request], Reply]) -> None:
        """Answer every request for `path` (any query) that has no route of its own with `make_reply(request)`."""
        with self._lock:
            self._generators[path] = make_reply

    def robots(self, text: str, status: int = 200) -> None:
        self.route("/robots.txt", Reply(status, text, "text/plain; charset=utf-8"))

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.log.append(request)
            replies = self._routes.get(request.target)
            if replies is None and request.path in self._generators:
                return self._generators[request.path](request)
            if replies is None:
                return Reply(404, "<html><body><h1>Not found</h1></body></html>")
            index = min(self._served[request.target], len(replies) - 1)
            self._served[request.target] += 1
            return replies[index]

    # -- the log -----------------------------------------------------------------------------------------------

    def requests_for(self, target: str) -> list[Request]:
        """Logged requests for `target` (path plus query, as routed)."""
        with self._lock:
            return [request for request in self.log if request.target == target]

    def targets(self) -> list[str]:
        with self._lock:
            return [request.target for request in self.log]

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TestSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def http_date(seconds: float) -> str:
    """An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) for a Unix time."""
    return formatdate(seconds, usegmt=True)
