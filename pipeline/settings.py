"""Crawler defaults, in one place, each with what it bounds. The CLI overrides some per run; tests any.

What is specific to the site (hosts, start URLs, URL patterns) lives in `pipeline.site`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .site import START_URLS

PROJECT_NAME = "csr-nw-pipeline"
PLACEHOLDER_CONTACT_URL = "https://pypi.org/project/csr-nw-pipeline/"
"""The contact shipped in the default User-Agent: a crawl that still sends it gets a warning."""
CONTACT_URL = PLACEHOLDER_CONTACT_URL
"""Who the site's operators can reach about the crawler: operators should set their own, or pass `--user-agent`."""
USER_AGENT = f"{PROJECT_NAME}/0.1 (catalogue research crawler; +{CONTACT_URL})"


@dataclass(frozen=True)
class FetchSettings:
    # Where the crawl starts: thematic-area listings, detail pages, or any page of the site (the home
    # page): a URL whose path does not tell its kind is read to find out.
    start_urls: tuple[str, ...] = START_URLS
    # Also follow, from every listing (and a start page that is no listing), each link to another
    # thematic-area listing on the same site, in either language: the whole catalogue, not only the start areas.
    all_areas: bool = False
    # Sent with every request, so the site can tell who crawls and how to reach them.
    user_agent: str = USER_AGENT
    # Seconds between two requests to one host; a larger robots.txt Crawl-delay wins.
    delay: float = 1.0
    # Seconds to wait for a connection to open.
    connect_timeout: float = 10.0
    # Seconds to wait for each read from an open connection.
    read_timeout: float = 30.0
    # Seconds for a whole response, request to last byte: a server that trickles fails the page.
    page_timeout: float = 120.0
    # Retries after the first attempt, on connection errors, timeouts, 429 and 5xx.
    max_retries: int = 3
    # Seconds of the first retry's backoff ceiling; it doubles with each retry (full jitter).
    backoff_base: float = 1.0
    # Seconds: the backoff ceiling never grows past this.
    backoff_cap: float = 60.0
    # Seconds: a longer Retry-After is not waited out; the page fails and keeps its earlier capture.
    retry_after_cap: float = 300.0
    # Bytes: a larger response is refused without being read whole.
    max_bytes: int = 10 * 1024 * 1024
    # A fetched page under this fraction of its last capture's size replaces it only if it still parses.
    min_size_ratio: float = 1 / 3
    # Redirects followed for one page before it fails.
    max_redirects: int = 5
    # Pages fetched (or failed) before the crawl stops; None for no limit.
    max_pages: int | None = 10_000
    # Pages of one listing's pagination chain followed at the most (a trap links page N+1 for ever).
    max_pagination_pages: int = 200
    # Manifest changes batched before a save; captures themselves are written at once.
    save_every: int = 500
    # Seconds between manifest saves at the most, so a killed crawl loses only that much of the manifest.
    save_interval: float = 5.0
    # HTTP statuses worth retrying: the server said "not now", not "no".
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, *range(500, 600)}))


LOG_FORMATS = ("text", "json")
"""How a crawl writes its log lines on stderr: readable text, or one JSON object a line for log collectors."""
