"""The live crawler: listing pages → the project pages they link to → byte-exact captures in raw/.

With `all_areas` it also follows every link to another thematic-area listing (`discover_links`,
`area_url`), from each listing and from a start page that is no listing (the home page's menu),
so one start URL reaches the whole catalogue in both languages; each area is a pagination chain
of its own. A start URL whose path does not tell its kind is read to find out (`kind_of_content`).

Each concern is one small piece, in the spirit of Scrapy's middlewares:
`RobotsRules` (robots.txt, once per host), `Throttle` (one request at a time
per host, with a delay), `backoff` (retry waits with jitter and Retry-After),
`Fetcher` (timeouts, a total deadline per response from `pipeline.deadline`,
retries, same-origin redirects, size cap) and `Crawler` (the frontier, crawl
bounds, conditional GETs, the store, and `Progress` for a display). Defaults
live in `pipeline.settings`; what a URL is comes from `pipeline.site`. A fault
in one page (an undecodable body, a malformed link, a server that trickles)
fails that page alone, and a page that comes back empty or gutted never
replaces its last good capture (`refused_replacement`). Log records carry
`event` and `url` fields; `crawl_logging` writes them as text or JSON lines.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, TextIO
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

import requests
import urllib3
from protego import Protego

from . import interrupt
from .deadline import Deadline, DeadlineAdapter
from .pages import PageError, detect_charset, load_page
from .parse import parse_page
from .rawstore import Capture, CaptureMeta, RawStore, RawStoreError, sha256_hex
from .settings import FetchSettings
from .site import DETAIL, LISTING, OTHER, area_language, area_url, is_next_page_link, kind_of_url
from .wording import counted

log = logging.getLogger("pipeline.fetch")

STORED_TYPES = ("text/html", "text/plain")


class FetchError(Exception):
    """A page that could not be fetched; the message is the reason shown in the summary."""


class Skipped(FetchError):
    """A page deliberately not fetched (robots.txt, another host); not a failure."""


class OffHost(Skipped):
    """A redirect that leaves the start URL's origin: not followed."""


class PageTimeout(requests.Timeout):
    """The whole response took longer than the page deadline; retried like any timeout."""


class Disallowed(Skipped):
    """robots.txt disallows the URL for our User-Agent."""


@dataclass
class Response:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    """Every crawl bound that was hit, and what it left out."""
    retired: list[tuple[str, str | None]] = field(default_factory=list)
    """Detail pages dropped from the manifest: their listing no longer links them (url, listing)."""
    areas: list[str] = field(default_factory=list)
    """The thematic-area listings this crawl knew of, started from or found linked, in the order found."""
    interrupted: str | None = None
    bytes: int = 0
    elapsed: float = 0.0

    @property
    def pages_done(self) -> int:
        return len(self.fetched) + len(self.unchanged) + len(self.not_modified) + len(self.failed)

    def lines(self) -> list[str]:
        """The run summary: counts first, then every bound hit, skip and failure with its reason."""
        lines = [
            f"fetched {counted(len(self.fetched) + len(self.unchanged), 'page')} ({len(self.unchanged)} unchanged), "
            f"{len(self.not_modified)} not modified, {len(self.skipped)} skipped, {len(self.failed)} failed, "
            f"{counted(self.bytes, 'byte')} in {self.elapsed:.1f} s",
        ]
        if self.areas:
            languages = [area_language(url) for url in self.areas]
            lines.append(f"areas: {languages.count('en')} en, {languages.count('ru')} ru")
        if self.interrupted:
            lines.append(f"stopped early: {self.interrupted}")
        lines += [f"bound hit: {bound}" for bound in self.bounds]
        lines += [f"retired {url}: {listing} no longer links it" for url, listing in self.retired]
        lines += [f"skipped {url}: {reason}" for url, reason in self.skipped]
        lines += [f"failed {url}: {reason}" for url, reason in self.failed]
        return lines


@dataclass(frozen=True)
class Progress:
    """Where a crawl is, for a progress display: sent when a page starts and ends, and before each retry
    wait, so that a display does not sit still while a slow host is waited out."""

    pages_done: int
    failed: int
    url: str
    retry_in: float | None = None
    """Seconds the fetcher is about to wait before it retries `url`; None while fetching."""
    reason: str = ""
    """Why it retries: `HTTP 503`, `timeout (ReadTimeout)`, …"""

    def describe(self, width: int = 60) -> str:
        """One short line: failures so far, then the URL (its end, when long) or the retry."""
        url = self.url if len(self.url) <= width else "…" + self.url[-(width - 1) :]
        if self.retry_in is None:
            return f"{self.failed} failed, {url}"
        return f"{self.failed} failed, retrying {url} in {self.retry_in:.1f} s ({self.reason})"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_parts(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number
        return scheme, (parts.hostname or "").lower(), -1
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def same_origin(url: str, other: str) -> bool:
    """Same scheme, host and port; or `other` is the `https` upgrade of an `http` URL on the default ports."""
    ours, theirs = _origin_parts(url), _origin_parts(other)
    if ours == theirs:
        return True
    return ours == ("http", theirs[1], 80) and theirs == ("https", ours[1], 443)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Throttle:
    """At most one request per `delay` seconds to each host."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self._sleep, self._clock = sleep, clock
        self._last: dict[str, float] = {}

    def wait(self, url: str, delay: float) -> None:
        host = urlsplit(url).netloc
        if host in self._last:
            remaining = self._last[host] + delay - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last[host] = self._clock()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # asctime dates and `-0000` zones: HTTP dates are UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff(attempt: int, settings: FetchSettings, retry_after: float | None = None) -> float:
    """Seconds to wait before retry `attempt` (1-based): full jitter, never less than Retry-After."""
    jittered = random.uniform(0, min(settings.backoff_cap, settings.backoff_base * 2 ** (attempt - 1)))
    return max(jittered, retry_after or 0.0)


class RobotsRules:
    """robots.txt per host, fetched once and read by Protego (Scrapy's parser: RFC 9309 wildcards,
    fractional Crawl-delay). Missing (4xx) allows all; unreachable (5xx, errors) fails every page
    of the host, as RFC 9309 asks: a site that is down must not look like a finished crawl."""

    def __init__(self, get: Callable[[str], Response], user_agent: str) -> None:
        self._get, self._agent = get, user_agent
        self._rules: dict[str, Protego | FetchError] = {}

    def _for(self, url: str) -> Protego:
        origin = _origin(url)
        if origin not in self._rules:
            self._rules[origin] = self._load(origin + "/robots.txt")
        rules = self._rules[origin]
        if isinstance(rules, FetchError):
            raise rules
        return rules

    def _load(self, robots_url: str) -> Protego | FetchError:
        try:
            response = self._get(robots_url)
        except FetchError as exc:
            return FetchError(f"robots.txt unreachable: {exc}")
        if response.status >= 500:
            return FetchError(f"robots.txt unreachable: HTTP {response.status}")
        return Protego.parse(response.body.decode("utf-8", "replace") if response.status < 400 else "")

    def check(self, url: str) -> None:
        """Raise Disallowed for a URL robots.txt forbids, FetchError when robots.txt is unreachable."""
        if not self._for(url).can_fetch(url, self._agent):
            raise Disallowed("disallowed by robots.txt")

    def crawl_delay(self, url: str) -> float:
        return float(self._for(url).crawl_delay(self._agent) or 0)


class Fetcher:
    """GET with timeouts, retries, same-host redirects and a size cap, politely throttled."""

    def __init__(
        self,
        settings: FetchSettings,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, DeadlineAdapter())
        self.session.trust_env = False  # read once per origin by `_environment`, not on every request
        self._environments: dict[str, dict[str, Any]] = {}
        self.sleep = sleep
        self.throttle = Throttle(sleep)
        self.robots = RobotsRules(self._get_robots, settings.user_agent)
        self.on_retry: Callable[[str, float, str], None] = lambda url, wait, reason: None
        """Told (url, seconds, reason) before each retry wait; the crawler shows it as progress."""

    def _delay(self, url: str) -> float:
        return max(self.settings.delay, self.robots.crawl_delay(url))

    def _get_robots(self, url: str) -> Response:
        return self._attempts(url, {}, delay=self.settings.delay)

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """The page at `url`, following redirects only within its origin (or to its https upgrade)."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            response = self._attempts(current, headers or {}, delay=self._delay(current))
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                response.url = url
                return response
            target = urldefrag(urljoin(current, location))[0]
            if not same_origin(current, target):
                raise OffHost(f"redirect to another origin: {target}")
            try:
                self.robots.check(target)
            except Disallowed:
                raise Disallowed(f"redirect to a URL robots.txt disallows: {target}") from None
            current = target
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    def _attempts(self, url: str, headers: dict[str, str], delay: float) -> Response:
        """One request, retried on transport errors, 429 and 5xx; other statuses are returned."""
        settings = self.settings
        for attempt in range(settings.max_retries + 1):
            self.throttle.wait(url, delay)
            try:
                response = self._once(url, headers)
            except requests.RequestException as exc:
                reason, retry_after = _transport_reason(exc), None
            else:
                if response.status not in settings.retry_statuses:
                    return response
                reason = f"HTTP {response.status}"
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > settings.retry_after_cap:
                    raise FetchError(f"{reason} with Retry-After {retry_after:.0f} s, longer than we wait")
            if attempt == settings.max_retries:
                raise FetchError(f"{reason} (after {attempt + 1} attempts)")
            wait = backoff(attempt + 1, settings, retry_after)
            log.info(
                "retrying %s in %.2f s: %s",
                url,
                wait,
                reason,
                extra={"event": "retry", "url": url, "wait": round(wait, 3), "reason": reason},
            )
            self.on_retry(url, wait, reason)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        settings = self.settings
        log.debug("GET %s", url, extra={"event": "request", "url": url})
        with Deadline(settings.page_timeout) as deadline:
            try:
                response = self._request(url, headers)
            except requests.RequestException:
                if not deadline.expired:
                    raise
        if deadline.expired:
            raise PageTimeout(f"page timeout: no whole response within {settings.page_timeout:g} s")
        log.info(
            "%s %s (%d bytes)",
            response.status,
            url,
            len(response.body),
            extra={"event": "response", "url": url, "status": response.status, "bytes": len(response.body)},
        )
        return response

    def _environment(self, url: str) -> dict[str, Any]:
        """Proxies and CA bundle from the environment (HTTP_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE…) as
        requests reads them, once per origin: requests re-reads the whole environment on every request,
        which bench/fetch.py measured at about half a millisecond each, a third of the crawler's overhead."""
        origin = _origin(url)
        if origin not in self._environments:
            found = requests.Session().merge_environment_settings(url, {}, True, None, None)
            self._environments[origin] = {key: found[key] for key in ("proxies", "verify", "cert")}
        return self._environments[origin]

    def _request(self, url: str, headers: dict[str, str]) -> Response:
        settings = self.settings
        with self.session.get(
            url,
            headers=headers,
            stream=True,
            allow_redirects=False,
            timeout=(settings.connect_timeout, settings.read_timeout),
            **self._environment(url),
        ) as raw:
            response = Response(url, raw.url, raw.status_code, {k.lower(): v for k, v in raw.headers.items()})
            if raw.status_code == 200:
                response.body = _read_capped(raw, settings.max_bytes)
            else:
                _drain(raw)
        return response


def _read_capped(raw: requests.Response, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to exceed `max_bytes` (declared or streamed)."""
    declared = raw.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response of {declared} bytes exceeds the {max_bytes}-byte cap; not read")
    chunks, size = [], 0
    for chunk in raw.iter_content(chunk_size=65536):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"response exceeds the {max_bytes}-byte cap; stopped reading")
        chunks.append(chunk)
    return b"".join(chunks)


def _drain(raw: requests.Response, limit: int = 65536) -> None:
    """Read a small non-200 body (a 304 has none) to its end, so that its connection is kept alive
    for the next request instead of closed; a larger one is left unread and its connection closed."""
    size = 0
    for chunk in raw.iter_content(chunk_size=8192):
        size += len(chunk)
        if size > limit:
            return


def _transport_reason(exc: requests.RequestException) -> str:
    if isinstance(exc, PageTimeout):
        return str(exc)
    # requests raises a plain ConnectionError for a read timeout in the middle of a body
    if isinstance(exc, requests.Timeout) or any(isinstance(arg, urllib3.exceptions.TimeoutError) for arg in exc.args):
        return f"timeout ({type(exc).__name__})"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection dropped mid-body"
    return f"connection error ({type(exc).__name__})"


@dataclass
class Anchor:
    href: str
    rel: list[str]
    text: str = ""


class _AnchorCollector(HTMLParser):
    """Every `<a href>` of a page with its rel and text. The standard library's parser alone is
    four times faster than a BeautifulSoup tree here, and a listing links hundreds of pages."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[Anchor] = []
        self._open: Anchor | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            attributes = dict(attrs)
            href = (attributes.get("href") or "").strip()
            self._open = Anchor(href, (attributes.get("rel") or "").split()) if href else None
            if self._open:
                self.anchors.append(self._open)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._open = None


# -- thematic areas ---------------------------------------------------------------------------------------------

AREA = "area"
"""What `discover_links` calls a link to a thematic-area listing: a listing that starts a chain of its own."""


def crawl_key(url: str) -> str:
    """What makes two URLs one page for the crawl: the same URL, or its `http`/`https` twin on the default
    ports (the upgrade `same_origin` allows), so a site that redirects to https is not crawled twice."""
    scheme, host, port = _origin_parts(url)
    if _DEFAULT_PORTS.get(scheme) != port:
        return url
    parts = urlsplit(url)
    return urlunsplit(("", host, parts.path or "/", parts.query, ""))


def discover_links(
    body: bytes, content_type: str, charset: str | None, page_url: str, *, listing: bool = True, areas: bool = False
) -> list[tuple[str, str]]:
    """(url, kind) for every page worth visiting that a page links to, in page order.

    A `listing` links detail pages (`detail`) and its own next pages (`listing`); with `areas`, any page
    links thematic-area listings (`area`, as the area's first page). A link that is not a well-formed URL
    is passed over: it says nothing about the other links.
    """
    if content_type != "text/html":
        return []
    collector = _AnchorCollector()
    collector.feed(body.decode(charset or "utf-8", "replace"))
    collector.close()
    listing_path = urlsplit(page_url).path
    found: dict[str, str] = {}
    for anchor in collector.anchors:
        try:
            url = urldefrag(urljoin(page_url, anchor.href))[0]
            parts = urlsplit(url)
        except ValueError:  # e.g. `http://[` : an invalid IPv6 host
            continue
        if parts.scheme not in ("http", "https") or url == page_url:
            continue
        if listing and kind_of_url(url) == DETAIL:
            found.setdefault(url, DETAIL)
        elif listing and parts.path == listing_path and is_next_page_link(anchor.text, anchor.rel):
            found.setdefault(url, LISTING)
        elif areas and (area := area_url(url)) is not None and area != page_url:
            found.setdefault(area, AREA)
    return list(found.items())


@dataclass(frozen=True)
class _Visit:
    """A URL in the frontier; a listing page knows the pagination chain it belongs to and its place in it."""

    url: str
    kind: str | None
    """None for a start URL whose path does not tell: the page's content decides."""
    chain: str | None = None
    position: int = 1
    found_on: str | None = None
    """For a detail page: the listing chain that linked it."""


class Crawler:
    """Fetch the start URLs, then what their listings link to, storing each kept response in raw/.

    Every crawl ends: it stops after `max_pages` pages, follows a listing's pagination
    for at most `max_pagination_pages` pages, and ends a chain at a page that repeats
    an earlier one (the same detail links). Each bound hit is named in the report.
    With `all_areas`, each thematic-area listing found is a chain of its own.
    """

    def __init__(
        self,
        store: RawStore,
        settings: FetchSettings,
        fetcher: Fetcher | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.store, self.settings = store, settings
        self.fetcher = fetcher or Fetcher(settings)
        self.progress = progress or (lambda status: None)
        self.fetcher.on_retry = self._retrying
        self.report = FetchReport()
        self._chain_contents: dict[str, set[tuple[str, ...]]] = {}
        self._linked: set[str] = set()
        """Every detail page a listing linked in this crawl."""
        self._incomplete: set[str] = set()
        """Listing chains not read whole in this crawl (a page failed, a bound cut it)."""
        self._read: set[str] = set()
        """Every listing page whose links this crawl read."""
        self._seen: set[str] = set()
        """`crawl_key` of every URL queued or fetched (a redirect's target too): none is visited twice."""
        self._areas: dict[str, str] = {}
        """`crawl_key` → URL of every thematic-area listing started from or queued."""

    def crawl(self) -> FetchReport:
        started = time.monotonic()
        frontier = deque(_Visit(url, kind_of_url(url), chain=url) for url in self.settings.start_urls)
        for visit in frontier:
            self._see(visit.url)
            self._note_area(visit.url, start=True)
        self.store.save_every = self.settings.save_every
        self.store.save_interval = self.settings.save_interval
        self.store.remove_temporaries()
        try:
            while frontier and not self._page_limit_reached(frontier):
                interrupt.check()
                visit = frontier.popleft()
                for link in self._visit(visit):
                    if self._see(link.url):
                        self._enqueue(frontier, visit, link)
            if not frontier:
                self._retire_unlinked()
        except interrupt.Interrupted as exc:
            self.report.interrupted = str(exc)
        finally:
            self.store.flush()
            self.report.elapsed = time.monotonic() - started
            self.report.areas = list(self._areas.values())
        return self.report

    def _see(self, url: str) -> bool:
        """Mark `url` as seen; True when it was not before."""
        key = crawl_key(url)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _note_area(self, url: str, start: bool = False) -> None:
        """Count `url` among the areas found when it is a thematic-area listing."""
        area = area_url(url)
        if area is None or crawl_key(area) in self._areas:
            return
        self._areas[crawl_key(area)] = area
        if not start:
            language = area_language(area)
            log.info("found area %s (%s)", area, language, extra={"event": "area", "url": area, "language": language})

    def _enqueue(self, frontier: deque[_Visit], parent: _Visit, link: _Visit) -> None:
        if not same_origin(parent.url, link.url):
            self.report.skipped.append((link.url, "off-host link"))
        elif link.kind == LISTING and link.position > self.settings.max_pagination_pages:
            self._incomplete.add(link.chain or link.url)
            self.report.bounds.append(
                f"pagination of {link.chain} stopped after "
                f"{self.settings.max_pagination_pages} pages (--max-pagination-pages); "
                f"not fetched: {link.url}"
            )
        else:
            frontier.append(link)
            if link.kind == LISTING and link.chain == link.url:
                self._note_area(link.url)

    def _page_limit_reached(self, frontier: deque[_Visit]) -> bool:
        limit = self.settings.max_pages
        if limit is None or self.report.pages_done < limit:
            return False
        self.report.bounds.append(
            f"page limit of {limit} reached (--max-pages); {counted(len(frontier), 'queued URL')} not fetched"
        )
        return True

    def _visit(self, visit: _Visit) -> list[_Visit]:
        """Fetch one page; return the pages to visit from it (see `_links`). Faults stay with the page."""
        url = visit.url
        self._report_progress(url)
        previous = self.store.get(url)
        try:
            self.fetcher.robots.check(url)
            response = self.fetcher.get(url, _conditional_headers(previous))
            self._see(response.final_url)  # a page reached by a redirect is not fetched again by its own URL
            capture = self._keep(url, visit.kind, response, previous, visit.found_on)
            return self._links(visit, capture)
        except Skipped as exc:
            self._incomplete.add(visit.chain or url)
            self.report.skipped.append((url, str(exc)))
            log.info("skipped %s: %s", url, exc, extra={"event": "skipped", "url": url, "reason": str(exc)})
        except FetchError as exc:
            self._incomplete.add(visit.chain or url)
            self.report.failed.append((url, str(exc)))
            log.warning("failed %s: %s", url, exc, extra={"event": "failed", "url": url, "reason": str(exc)})
        finally:
            self._report_progress(url)
        return []

    def _report_progress(self, url: str, retry_in: float | None = None, reason: str = "") -> None:
        """Counts as of now, so a display shows failures as they happen, not only in the summary."""
        self.progress(Progress(self.report.pages_done, len(self.report.failed), url, retry_in, reason))

    def _retrying(self, url: str, wait: float, reason: str) -> None:
        """The fetcher is about to wait before a retry: say so, or a display would look stuck."""
        self._report_progress(url, wait, reason)

    def _links(self, visit: _Visit, capture: Capture) -> list[_Visit]:
        """What a page links to that the crawl visits: a listing's detail pages and next page, and with
        `all_areas` the thematic-area listings any page but a detail page links. A listing's pagination
        ends where a page repeats an earlier one."""
        if capture.kind == DETAIL:
            return []
        listing = capture.kind == LISTING
        if not (listing or self.settings.all_areas):
            return []
        body = self.store.read(capture)
        base = capture.final_url or visit.url
        links = discover_links(
            body, capture.content_type, capture.charset, base, listing=listing, areas=self.settings.all_areas
        )
        if listing and not self._read_listing(visit, links):
            return []
        chain = visit.chain or visit.url
        return [
            _Visit(url, LISTING, url)
            if kind == AREA
            else _Visit(url, kind, chain, visit.position + 1)
            if kind == LISTING
            else _Visit(url, kind, found_on=chain)
            for url, kind in links
        ]

    def _read_listing(self, visit: _Visit, links: list[tuple[str, str]]) -> bool:
        """Record the detail pages a listing page links; False when the page repeats an earlier page
        of its chain (the pagination ends there)."""
        details = tuple(sorted(url for url, kind in links if kind == DETAIL))
        chain = visit.chain or visit.url
        contents = self._chain_contents.setdefault(chain, set())
        self._read.add(visit.url)
        if details in contents:
            self.report.bounds.append(
                f"pagination of {chain} ended at {visit.url}: it repeats an earlier page of the listing"
            )
            return False
        contents.add(details)
        self._linked.update(details)
        return True

    def _retire_unlinked(self) -> None:
        """Drop from the manifest the detail pages no listing links any more.

        A project the site removed would otherwise live on through its old detail capture. A page
        is retired when its listing (`found_on`) was read whole in this crawl, no listing read in
        this crawl links it, and no listing capture this crawl did not read anew (it failed, or the
        crawl did not reach it) links it either: with several listings, a project another area still
        shows stays. A page given as a start URL never is. The capture files stay: they are history.
        """
        starts = set(self.settings.start_urls)
        read_whole = set(self._chain_contents) - self._incomplete
        candidates = [
            capture
            for capture in self.store.captures()
            if capture.kind == DETAIL
            and capture.found_on in read_whole
            and capture.url not in self._linked
            and capture.url not in starts
        ]
        if not candidates:
            return
        still_linked = self._linked_by_unread_listings()
        for capture in candidates:
            if still_linked is not None and capture.url not in still_linked:
                self.store.remove(capture.url)
                self.report.retired.append((capture.url, capture.found_on))

    def _linked_by_unread_listings(self) -> set[str] | None:
        """The detail pages that the stored listings this crawl did not read link; None when one cannot be read."""
        linked: set[str] = set()
        for capture in self.store.captures():
            if capture.kind != LISTING or capture.url in self._read:
                continue
            try:
                body = self.store.read(capture)
            except RawStoreError as exc:
                log.warning("retiring no page: %s", exc, extra={"event": "unreadable", "url": capture.url})
                return None
            base = capture.final_url or capture.url
            links = discover_links(body, capture.content_type, capture.charset, base)
            linked.update(url for url, kind in links if kind == DETAIL)
        return linked

    def _keep(
        self, url: str, kind: str | None, response: Response, previous: Capture | None, found_on: str | None = None
    ) -> Capture:
        """The capture to keep for a response: the earlier one (304, same bytes) or the response stored anew.

        A page whose kind its URL does not tell (`kind` None) gets the kind its content shows.
        """
        if response.status == 304 and previous is not None:
            self.report.not_modified.append(url)
            return self._not_modified(previous, kind, found_on)
        if response.status != 200:
            raise FetchError(f"HTTP {response.status}")
        if response.content_type not in STORED_TYPES:
            raise FetchError(f"unexpected content type {response.content_type or 'none'!r}")
        body = response.body
        try:
            charset = detect_charset(body, response.content_type, response.headers.get("content-type"))
        except PageError as exc:
            raise FetchError(f"unreadable page: {exc}") from None
        decided = kind or kind_of_content(body, response.content_type, charset, url)
        # a page that gave projects is judged as what it was, or a gutted one would pass as a page of no kind
        expected = kind or (previous.kind if previous is not None and previous.kind else decided)
        refusal = refused_replacement(
            body, response.content_type, charset, url, expected, previous, self.settings.min_size_ratio
        )
        if refusal:
            raise FetchError(refusal)
        unchanged = previous is not None and previous.sha256 == sha256_hex(body)
        (self.report.unchanged if unchanged else self.report.fetched).append(url)
        self.report.bytes += len(body)
        if previous is not None and unchanged and _same_validators(previous, response, decided, found_on):
            return previous  # the same bytes again: keep the entry (and its fetched_at) as it was
        return self._store(url, decided, response, charset, found_on)

    def _not_modified(self, previous: Capture, kind: str | None, found_on: str | None) -> Capture:
        """The earlier capture, kept on a 304; its entry is rewritten only when its kind or listing is new."""
        changes: CaptureMeta = {}
        decided = kind or self._kind_of_capture(previous)
        if decided != previous.kind:  # e.g. a home page that older crawls stored as a listing
            changes["kind"] = decided
        if found_on is not None and previous.found_on != found_on:  # learnt once, then stable
            changes["found_on"] = found_on
        if not changes:
            return previous  # nothing to record: an unchanged site rewrites no file
        return self.store.touch(previous.url, **changes)

    def _kind_of_capture(self, capture: Capture) -> str:
        """The kind a stored capture's content shows (its stored kind when it cannot be read)."""
        try:
            body = self.store.read(capture)
        except RawStoreError:
            return capture.kind or OTHER
        return kind_of_content(body, capture.content_type, capture.charset, capture.url)

    def _store(self, url: str, kind: str, response: Response, charset: str, found_on: str | None) -> Capture:
        """Store a response's bytes with everything known about how they were obtained."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        headers = response.headers
        return self.store.put(
            response.body,
            url=url,
            content_type=response.content_type,
            kind=kind,
            complete=True,
            fetched_at=now,
            checked_at=now,
            final_url=response.final_url,
            status=response.status,
            charset=charset,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            source="fetch",
            found_on=found_on,
        )


def _same_validators(previous: Capture, response: Response, kind: str, found_on: str | None) -> bool:
    """Whether storing the response again would record nothing new about the capture but its time."""
    headers = response.headers
    return (previous.etag, previous.last_modified, previous.final_url, previous.kind, previous.found_on) == (
        headers.get("etag"),
        headers.get("last-modified"),
        response.final_url,
        kind,
        found_on,
    )


def refused_replacement(
    body: bytes, content_type: str, charset: str, url: str, kind: str, previous: Capture | None, min_ratio: float
) -> str | None:
    """Why a 200 must not be stored over the page's last good capture, or None when it may be.

    A site in trouble often answers 200 with an empty or gutted page (a maintenance notice, a
    template without its data). Stored, it would replace the good capture, and the next build
    would publish a dataset without those projects and exit 0. So an empty body is never stored,
    and a body under `min_ratio` of the last capture's size only when it still parses: a project
    removed from a listing is a real change, a page with no projects left is not one to trust.
    A page of no kind (`other`, the home page) gives no projects: only an empty body is refused.
    """
    if not body:
        if previous is None:
            return "empty body (0 bytes): no earlier capture to keep, nothing stored"
        return f"empty body (0 bytes; the last good capture had {previous.size}): kept the last good capture"
    if previous is None or len(body) >= previous.size * min_ratio or kind == OTHER:
        return None
    problem = _parse_problem(body, content_type, charset, url, kind)
    if problem is None:
        return None
    return (
        f"{counted(len(body), 'byte')}, under {min_ratio:.0%} of the last good capture's {previous.size}, "
        f"and it no longer parses ({problem}): kept the last good capture"
    )


def _parse_problem(body: bytes, content_type: str, charset: str, url: str, kind: str) -> str | None:
    """Why the page gives no project records, read as the build reads it; None when it gives some."""
    try:
        page = load_page(body, content_type, url, charset=charset, kind=kind)
    except PageError as exc:
        return str(exc)
    return None if parse_page(page).records else f"no projects on the {page.kind} page"


def kind_of_content(body: bytes, content_type: str, charset: str | None, url: str) -> str:
    """`listing`, `detail` or `other`: the kind a page shows, read as the build reads it (a page with
    no text at all is `other`)."""
    try:
        return load_page(body, content_type, url, charset=charset).kind
    except PageError:
        return OTHER


def _conditional_headers(previous: Capture | None) -> dict[str, str]:
    headers = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers


# -- log output ----------------------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
"""What every LogRecord has; anything else on a record is an `extra` field (`event`, `url`, …)."""


class TextLogFormatter(logging.Formatter):
    """Warnings read like the command line's other messages (`warning: …`); the `--verbose` trace
    lines carry a timestamp, because when a request or a retry happened is the point of them."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}: {record.getMessage()}"
        return super().format(record)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line for log collectors: `time` (UTC, ISO 8601), `level`, `event`,
    `message`, then the record's own fields (`url`, `reason`, `status`, …)."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", "message"),
            "message": record.getMessage(),
        }
        document.update((name, value) for name, value in vars(record).items() if name not in _RECORD_FIELDS)
        if record.exc_info:
            document["exception"] = self.formatException(record.exc_info)
        return json.dumps(document, ensure_ascii=False, default=str)


@contextlib.contextmanager
def crawl_logging(stream: TextIO, log_format: str = "text", verbose: bool = False) -> Iterator[logging.Logger]:
    """The `pipeline` loggers write to `stream` in `log_format` while active, warnings only unless `verbose`.

    A handler of its own, removed afterwards, rather than `logging.basicConfig`: that does nothing
    once the root logger has a handler, so a second run in one process would log to a stale stream.
    """
    logger = logging.getLogger("pipeline")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter() if log_format == "json" else TextLogFormatter())
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
