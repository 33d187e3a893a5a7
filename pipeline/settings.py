"""Crawler defaults, in one place. The CLI overrides some per run; tests override any."""
from __future__ import annotations

from dataclasses import dataclass, field

PROJECT_NAME = "csr-nw-pipeline"
CONTACT_URL = "https://pypi.org/project/csr-nw-pipeline/"
USER_AGENT = f"{PROJECT_NAME}/0.1 (catalogue research crawler; +{CONTACT_URL})"

START_URLS = (
    "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
    "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
)
"""The thematic-area listings the scheduled refresh starts from (English and Russian)."""


@dataclass(frozen=True)
class FetchSettings:
    start_urls: tuple[str, ...] = START_URLS
    user_agent: str = USER_AGENT
    delay: float = 1.0
    """Seconds between two requests to one host; a larger robots.txt Crawl-delay wins."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_retries: int = 3
    """Retries after the first attempt, on connection errors, timeouts, 429 and 5xx."""
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    retry_after_cap: float = 300.0
    """A longer Retry-After is not waited out: the page fails and keeps its earlier capture."""
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_pages: int | None = None
    save_every: int = 500
    save_interval: float = 5.0
    """Manifest saves are batched (every 500 pages or 5 s); captures themselves are written at once,
    so a killed crawl loses at most those seconds of manifest entries, never a file."""
    retry_statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, *range(500, 600)}))
