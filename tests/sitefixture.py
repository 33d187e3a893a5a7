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
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "CATALOGUE_AREAS",
    "CATALOGUE_PROJECTS",
    "Catalogue",
    "CatalogueArea",
    "CatalogueProject",
    "Reply",
    "Request",
    "TestSite",
    "catalogue_detail",
    "catalogue_entry",
    "catalogue_home",
    "catalogue_listing",
    "catalogue_page",
    "catalogue_sections",
    "catalogue_site",
    "detail_html",
    "html_page",
    "http_date",
    "listing_entry",
    "listing_html",
]


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


# -- a whole catalogue: three thematic areas in two languages ------------------------------------------------

LANGUAGES = ("en", "ru")
_OTHER_LANGUAGE = {"en": "ru", "ru": "en"}
_SWITCH_LABEL = {"en": "Рус", "ru": "Eng"}


def _prefix(language: str) -> str:
    return "/en" if language == "en" else ""


@dataclass(frozen=True)
class CatalogueArea:
    """One thematic area: its listing in each language is titled (`<h1>`) by `names[language]`."""

    direction: str
    slug: str
    names: dict[str, str]

    def path(self, language: str) -> str:
        return f"{_prefix(language)}/area_of_activity/{self.direction}/thematic_areas/{self.slug}/"


@dataclass(frozen=True)
class CatalogueProject:
    """One project, in both languages: its detail page at `/en/projects/<year>/<slug>/` and
    `/projects/<year>/<slug>/`, and where the listings show it."""

    year: str
    slug: str
    titles: dict[str, str]
    values: dict[str, tuple[str, str, str, str, str]]
    """Direction, Subdirection, Stage, Type and Date, as each language publishes them."""
    shown: tuple[tuple[str, str], ...]
    """(area slug, section) for every place a listing shows the project: `Ongoing` or a year."""
    descriptions: dict[str, str]

    @property
    def key(self) -> str:
        """The language-neutral path of the detail page: `projects/<year>/<slug>` (a `project_key`)."""
        return f"projects/{self.year}/{self.slug}"

    @property
    def project_id(self) -> str:
        return f"{self.year}/{self.slug}"

    def path(self, language: str) -> str:
        return f"{_prefix(language)}/projects/{self.year}/{self.slug}/"


@dataclass
class Catalogue:
    """What `catalogue_site` serves: its areas, its projects, and every page by URL."""

    origin: str
    areas: tuple[CatalogueArea, ...]
    projects: tuple[CatalogueProject, ...]
    pages: dict[str, bytes] = field(default_factory=dict)
    """URL → the bytes served, for every page of the catalogue."""
    kinds: dict[str, str] = field(default_factory=dict)
    """URL → `listing`, `detail` or `other` (the home pages)."""
    replies: dict[str, Reply] = field(default_factory=dict)
    """URL → the reply serving it (its `etag`, when served with ETags)."""

    def url(self, path: str) -> str:
        return self.origin + path

    def home_url(self, language: str) -> str:
        return self.url(_prefix(language) + "/")

    def listing_url(self, area: CatalogueArea | str, language: str) -> str:
        return self.url(self.area(area).path(language))

    def detail_url(self, project: CatalogueProject | str, language: str) -> str:
        return self.url(self.project(project).path(language))

    def listing_urls(self, language: str | None = None) -> list[str]:
        return [url for url, kind in self.kinds.items() if kind == "listing" and _in(url, self.origin, language)]

    def detail_urls(self, language: str | None = None) -> list[str]:
        return [url for url, kind in self.kinds.items() if kind == "detail" and _in(url, self.origin, language)]

    def area(self, area: CatalogueArea | str) -> CatalogueArea:
        return area if isinstance(area, CatalogueArea) else next(a for a in self.areas if a.slug == area)

    def project(self, project: CatalogueProject | str) -> CatalogueProject:
        if isinstance(project, CatalogueProject):
            return project
        return next(p for p in self.projects if project in (p.slug, p.key, p.project_id))

    def areas_of(self, project: CatalogueProject | str, language: str) -> list[str]:
        """The names of the areas whose listing shows the project, as the listings title them, in area order."""
        slugs = {slug for slug, _ in self.project(project).shown}
        return [area.names[language] for area in self.areas if area.slug in slugs]

    def sections_of(self, project: CatalogueProject | str) -> list[str]:
        """The sections the project is shown under (`Ongoing` first, then years, newest first), each once."""
        sections = {section for _, section in self.project(project).shown}
        return sorted(sections, key=lambda section: (section != "Ongoing", -int(section) if section.isdigit() else 0))


def _in(url: str, origin: str, language: str | None) -> bool:
    return language is None or url.startswith(origin + "/en/") == (language == "en")


CATALOGUE_AREAS = (
    CatalogueArea(
        "territorial_development",
        "clusters_and_cluster_policy",
        {"en": "Clusters & Cluster Policy", "ru": "Кластеры и кластерная политика"},
    ),
    CatalogueArea(
        "territorial_development",
        "regional_development_strategies",
        {"en": "Regional Development Strategies", "ru": "Стратегии регионального развития"},
    ),
    CatalogueArea(
        "economic_development", "industrial_policy", {"en": "Industrial Policy", "ru": "Промышленная политика"}
    ),
)

_SPATIAL = {"en": "Spatial Development", "ru": "Пространственное развитие"}
_ECONOMIC = {"en": "Economic Development", "ru": "Экономическое развитие"}
_CURRENT = {"en": "Current project", "ru": "Текущий проект"}
_COMPLETED = {"en": "Completed project", "ru": "Завершенный проект"}
_DEVELOPMENT = {"en": "Development", "ru": "Разработка"}
_RESEARCH = {"en": "Research", "ru": "Исследование"}


def _values(
    direction: dict[str, str],
    area: CatalogueArea,
    stage: dict[str, str],
    kind: dict[str, str],
    date: dict[str, str],
) -> dict[str, tuple[str, str, str, str, str]]:
    return {lang: (direction[lang], area.names[lang], stage[lang], kind[lang], date[lang]) for lang in LANGUAGES}


_CLUSTERS, _STRATEGIES, _INDUSTRY = CATALOGUE_AREAS

CATALOGUE_PROJECTS = (
    CatalogueProject(
        "2014",
        "murmansk-cluster-strategy",
        {
            "en": "Development strategy of the Murmansk Oblast shipbuilding cluster",
            "ru": "Стратегия развития судостроительного кластера Мурманской области",
        },
        _values(
            _SPATIAL,
            _CLUSTERS,
            _CURRENT,
            _DEVELOPMENT,
            {"en": "2014 – until present", "ru": "2014 – по настоящее время"},
        ),
        (
            ("clusters_and_cluster_policy", "Ongoing"),
            ("clusters_and_cluster_policy", "2014"),
            ("regional_development_strategies", "2014"),
        ),
        {
            "en": "The cluster's strategy, written with the regional government.",
            "ru": "Стратегия кластера, подготовленная вместе с правительством области.",
        },
    ),
    CatalogueProject(
        "2016",
        "dimitrovgrad-cluster",
        {
            "en": "Development of innovative cluster in Dimitrovgrad city",
            "ru": "Развитие инновационного кластера в городе Димитровграде",
        },
        _values(_SPATIAL, _CLUSTERS, _COMPLETED, _DEVELOPMENT, {"en": "2016", "ru": "2016"}),
        (("clusters_and_cluster_policy", "2016"),),
        {"en": "A nuclear innovation cluster.", "ru": "Ядерный инновационный кластер."},
    ),
    CatalogueProject(
        "2015",
        "pskov-region-strategy",
        {
            "en": "Social and economic development strategy of the Pskov Oblast",
            "ru": "Стратегия социально-экономического развития Псковской области",
        },
        _values(_SPATIAL, _STRATEGIES, _COMPLETED, _DEVELOPMENT, {"en": "2015", "ru": "2015"}),
        (("regional_development_strategies", "2015"),),
        {"en": "A strategy to 2030.", "ru": "Стратегия до 2030 года."},
    ),
    CatalogueProject(
        "2017",
        "shipbuilding-industry-policy",
        {"en": "Industrial policy for the shipbuilding industry", "ru": "Промышленная политика в судостроении"},
        _values(
            _ECONOMIC, _INDUSTRY, _CURRENT, _RESEARCH, {"en": "2017 – until present", "ru": "2017 – по настоящее время"}
        ),
        (("industrial_policy", "Ongoing"),),
        {"en": "Research for the industry's policy.", "ru": "Исследование для отраслевой политики."},
    ),
    CatalogueProject(
        "2013",
        "industrial-parks-review",
        {"en": "Review of industrial parks in the North-West", "ru": "Обзор индустриальных парков Северо-Запада"},
        _values(
            _ECONOMIC,
            _INDUSTRY,
            _COMPLETED,
            _RESEARCH,
            {"en": "March 2013 – December 2013", "ru": "март 2013 – декабрь 2013"},
        ),
        (("industrial_policy", "2013"),),
        {"en": "Twelve parks compared.", "ru": "Сравнение двенадцати парков."},
    ),
)
"""Five projects; the Murmansk strategy is shown by two areas, and under both `Ongoing` and 2014 in one."""

_ONGOING_HEADING = {"en": "Ongoing", "ru": "Текущие проекты"}
_HOME_TITLE = {"en": "Center for Strategic Research North-West", "ru": "Центр стратегических разработок «Северо-Запад»"}


def catalogue_page(language: str, title: str, content: str, other_language_path: str) -> str:
    """A page of the catalogue: a header with the language switch, the navigation menu (every area),
    then `content` under the `<h1>` title, as the site lays its pages out."""
    areas = "".join(
        f'<li><a href="{area.path(language)}">{escape(area.names[language])}</a></li>' for area in CATALOGUE_AREAS
    )
    prefix = _prefix(language)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | CSR North-West</title></head>\n<body>\n"
        f'<header class="site-header"><a class="logo" href="{prefix}/">CSR North-West</a>'
        f'<div class="lang-switch"><a href="{other_language_path}">{_SWITCH_LABEL[language]}</a></div></header>\n'
        f'<nav class="main-menu"><ul><li><a href="{prefix}/">Home</a></li>'
        f'<li><a href="{prefix}/area_of_activity/">Areas</a><ul>{areas}</ul></li>'
        f'<li><a href="{prefix}/news/">News</a></li></ul></nav>\n'
        f'<main class="content">\n<h1>{escape(title)}</h1>\n{content}\n</main>\n'
        '<footer><a href="/en/contacts/">Contacts</a></footer>\n</body></html>\n'
    )


def catalogue_entry(project: CatalogueProject, language: str) -> str:
    """A project on a listing, as the site shows it: a linked `<h3>` title, then `<dt>Label:</dt><dd>value</dd>`."""
    labels = EN_LABELS if language == "en" else RU_LABELS
    pairs = "".join(
        f"<dt>{label}:</dt><dd>{escape(value)}</dd>"
        for label, value in zip(labels, project.values[language], strict=True)
    )
    return (
        f'<div class="project-item"><h3><a href="{project.path(language)}">{escape(project.titles[language])}</a></h3>'
        f'<dl class="project-props">{pairs}</dl></div>\n'
    )


def catalogue_listing(
    area: CatalogueArea, language: str, sections: Iterable[tuple[str, Iterable[CatalogueProject]]], extra: str = ""
) -> str:
    """An area's listing page: intro, then each (section, projects) under an `<h2>`, then `extra` (a pager)."""
    body = f'<div class="area-intro"><p>{escape(area.names[language])}: projects of the centre.</p></div>\n'
    for section, projects in sections:
        heading = _ONGOING_HEADING[language] if section == "Ongoing" else section
        body += f'<h2 class="projects-section">{heading}</h2>\n' + "".join(
            catalogue_entry(p, language) for p in projects
        )
    other = _OTHER_LANGUAGE[language]
    return catalogue_page(language, area.names[language], body + extra, area.path(other))


def catalogue_sections(area: CatalogueArea) -> list[tuple[str, list[CatalogueProject]]]:
    """The sections of an area's listing, `Ongoing` first and then years, newest first."""
    sections: dict[str, list[CatalogueProject]] = {}
    for project in CATALOGUE_PROJECTS:
        for slug, section in project.shown:
            if slug == area.slug:
                sections.setdefault(section, []).append(project)
    order = sorted(sections, key=lambda s: (s != "Ongoing", -int(s) if s.isdigit() else 0))
    return [(section, sections[section]) for section in order]


def catalogue_detail(project: CatalogueProject, language: str) -> str:
    """A project's detail page: the title, the unlabelled values, the description; the header links
    the other language's version."""
    meta = "".join(f"<div>{escape(value)}</div>" for value in project.values[language])
    content = f'<div class="project-meta">{meta}</div>\n<p>{escape(project.descriptions[language])}</p>'
    return catalogue_page(language, project.titles[language], content, project.path(_OTHER_LANGUAGE[language]))


def catalogue_home(language: str) -> str:
    """The home page: the menu and a few project teasers (titles and a line each, no labels)."""
    teasers = "".join(
        f'<div class="teaser"><a href="{p.path(language)}">{escape(p.titles[language])}</a></div>\n'
        for p in CATALOGUE_PROJECTS[:3]
    )
    latest = "Latest projects" if language == "en" else "Последние проекты"
    return catalogue_page(
        language, _HOME_TITLE[language], f"<h2>{latest}</h2>\n{teasers}", _prefix(_OTHER_LANGUAGE[language]) + "/"
    )


def catalogue_site(site: TestSite, *, etags: bool = False) -> Catalogue:
    """Serve the whole catalogue on `site`: three thematic areas in English and Russian (6 listings,
    each with the navigation menu to every area of its language and a link to its other-language
    version), 5 projects with a detail page in each language (10 pages, each linking its other-language
    version), and a home page in each language. One project is shown by two areas, and under both
    `Ongoing` and 2014 in one of them. With `etags`, every page has an ETag (a rerun gets 304s).

    Returns what was served: the areas, the projects, and every page's bytes and kind by URL.
    """
    catalogue = Catalogue(site.origin, CATALOGUE_AREAS, CATALOGUE_PROJECTS)

    def serve(path: str, html: str, kind: str) -> None:
        options = {"etag": f'"{len(catalogue.pages)}"'} if etags else {}
        reply = site.page(path, html, **options)
        catalogue.pages[site.url(path)] = reply.data
        catalogue.kinds[site.url(path)] = kind
        catalogue.replies[site.url(path)] = reply

    for language in LANGUAGES:
        serve(_prefix(language) + "/", catalogue_home(language), "other")
        for area in CATALOGUE_AREAS:
            serve(area.path(language), catalogue_listing(area, language, catalogue_sections(area)), "listing")
        for project in CATALOGUE_PROJECTS:
            serve(project.path(language), catalogue_detail(project, language), "detail")
    return catalogue
