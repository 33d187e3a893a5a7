"""The live crawler against a real local web site (tests/sitefixture.py) on 127.0.0.1.

Every test crawls over real HTTP with short timeouts and a tiny backoff, and
asserts on what matters afterwards: the manifest, the stored bytes (byte for
byte what the server sent), the run report and the server's request log.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitefixture import (
    Reply,
    TestSite,
    detail_html,
    html_page,
    http_date,
    listing_entry,
    listing_html,
)

from pipeline.build import build_tables, read_captures
from pipeline.cli import main
from pipeline.fetch import (
    Crawler,
    Fetcher,
    FetchReport,
    Progress,
    Throttle,
    backoff,
    crawl_logging,
    discover_links,
    retry_after_seconds,
)
from pipeline.rawstore import RawStore, sha256_hex
from pipeline.settings import CONTACT_URL, PROJECT_NAME, USER_AGENT, FetchSettings

ROOT = Path(__file__).resolve().parents[1]
LIST = "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
RU_LIST = "/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
VALUES = ("Spatial Development", "Clusters & Cluster Policy", "Completed project", "Development", "2015")


# -- helpers ---------------------------------------------------------------------------------------------------


@pytest.fixture
def site():
    with TestSite() as test_site:
        yield test_site


def fast_settings(*start_urls: str, **overrides) -> FetchSettings:
    options = {
        "delay": 0,
        "connect_timeout": 1,
        "read_timeout": 0.4,
        "max_retries": 2,
        "backoff_base": 0.01,
        "backoff_cap": 0.05,
        "save_every": 1,
        **overrides,
    }
    return FetchSettings(start_urls=tuple(start_urls), **options)


def crawl(raw: Path, *start_urls: str, sleeps: list[float] | None = None, **overrides) -> FetchReport:
    """Crawl with `fast_settings`. Given a `sleeps` list, the fetcher records every wait it asks for
    there (retry backoff, throttle) instead of sleeping."""
    settings = fast_settings(*start_urls, **overrides)
    fetcher = Fetcher(settings, sleep=sleeps.append) if sleeps is not None else None
    return Crawler(RawStore(raw), settings, fetcher=fetcher).crawl()


def manifest(raw: Path) -> dict[str, dict]:
    """The manifest on disk, as url → entry (and checked to be valid JSON in the expected shape)."""
    document = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    assert document["format"] == 1
    return {entry["url"]: entry for entry in document["captures"]}


def stored(raw: Path, url: str) -> bytes:
    return (raw / manifest(raw)[url]["path"]).read_bytes()


def capture_files(raw: Path) -> list[str]:
    folder = raw / "captures"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def assert_clean(raw: Path) -> None:
    """No temporary files, a valid manifest, and every entry pointing at intact bytes."""
    assert not list(raw.rglob("*.tmp")), "temporary files left behind"
    store = RawStore(raw)
    for capture in store.captures():
        assert store.read(capture)  # raises on a missing file or a sha256 mismatch


def project_page(title: str = "Project A", year: str = "2015") -> str:
    return detail_html(title, (*VALUES[:4], year), [f"About {title}."])


def simple_listing(*links: str, extra: str = "") -> str:
    entries = [listing_entry(f"Project {i}", link, VALUES) for i, link in enumerate(links, 1)]
    return listing_html("Clusters & Cluster Policy", [("2015", entries)], extra=extra)


def page_targets(site: TestSite) -> list[str]:
    return [target for target in site.targets() if target != "/robots.txt"]


# -- retries -------------------------------------------------------------------------------------------------


PAGE_A = "/en/projects/2015/a/"


@pytest.mark.parametrize(
    "first, first_seen, wait_range",
    [
        (Reply(503, "busy"), (503, True), (0, 0.01)),
        (Reply(429, "slow down", headers={"Retry-After": "1"}), (429, True), (1.0, 1.0)),  # Retry-After is waited out
        (Reply(body=project_page(), drop_after=200), (200, False), (0, 0.01)),
    ],
    ids=["503", "429-with-retry-after", "connection-dropped-mid-body"],
)
def test_a_failed_attempt_is_retried_after_a_backoff_and_stored_once(site, tmp_path, first, first_seen, wait_range):
    body = project_page()
    site.route(PAGE_A, first, Reply(body=body))
    url = site.url(PAGE_A)
    sleeps = []

    report = crawl(tmp_path, url, sleeps=sleeps)

    assert report.fetched == [url] and report.failed == []
    one, two = site.requests_for(PAGE_A)
    assert one.done.wait(10) and two.done.wait(10)
    assert (one.status, one.completed) == first_seen and (two.status, two.completed) == (200, True)
    [wait] = sleeps  # one wait before the retry, within backoff_base (or exactly the Retry-After)
    assert wait_range[0] <= wait <= wait_range[1], wait
    entry = manifest(tmp_path)[url]
    assert stored(tmp_path, url) == body.encode()
    assert (entry["status"], entry["kind"], entry["sha256"]) == (200, "detail", sha256_hex(body.encode()))
    assert capture_files(tmp_path) == [sha256_hex(body.encode()) + ".html"]


def test_a_retry_after_longer_than_the_cap_fails_at_once(site, tmp_path):
    site.route("/en/projects/2015/a/", Reply(503, "maintenance", headers={"Retry-After": "3600"}))
    url = site.url("/en/projects/2015/a/")
    sleeps = []

    report = crawl(tmp_path, url, retry_after_cap=5, sleeps=sleeps)

    [(failed_url, reason)] = report.failed
    assert failed_url == url and "Retry-After 3600" in reason
    assert len(site.requests_for("/en/projects/2015/a/")) == 1
    assert sleeps == [], "nothing is waited for"


@pytest.mark.parametrize(
    "failing, reason",
    [
        # each attempt gives up after the read timeout: had it waited the 1.5 s out, it would have got the page
        (Reply(body=project_page("New title"), sleep=1.5), "timeout"),
        (Reply(body=project_page("New title"), body_sleep=1.5), "timeout"),
        (Reply(body=project_page("New title"), drop_after=100), "connection dropped mid-body"),
    ],
    ids=["hang-before-the-headers", "hang-mid-body", "connection-dropped-mid-body"],
)
def test_a_page_that_keeps_failing_fails_after_the_retries_and_keeps_the_earlier_capture(
    site, tmp_path, failing, reason
):
    old = project_page("Old title")
    site.route(PAGE_A, Reply(body=old))
    url = site.url(PAGE_A)
    crawl(tmp_path, url)
    before, files = manifest(tmp_path)[url], capture_files(tmp_path)

    site.route(PAGE_A, failing)
    sleeps = []
    report = crawl(tmp_path, url, read_timeout=0.3, sleeps=sleeps)

    [(failed_url, failure)] = report.failed
    assert failed_url == url and failure.startswith(reason) and failure.endswith("(after 3 attempts)"), failure
    assert len(site.requests_for(PAGE_A)) == 1 + 3
    # Two backoff waits between the three attempts, each below its ceiling: backoff_base, then twice that.
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.01 and 0 <= sleeps[1] <= 0.02, sleeps
    assert manifest(tmp_path)[url] == before and capture_files(tmp_path) == files
    assert stored(tmp_path, url) == old.encode()
    assert_clean(tmp_path)


# -- what is stored ------------------------------------------------------------------------------------------


def test_a_truncated_page_is_stored_as_sent_and_the_build_rejects_the_cut_project(site, tmp_path):
    whole = simple_listing("/en/projects/2015/a/", "/en/projects/2015/b/")
    cut = whole[: whole.index("<dt>Stage:</dt>", whole.index("Project 2"))]  # inside the second project
    site.page(LIST, cut)
    site.page("/en/projects/2015/a/", project_page("Project 1"))
    url = site.url(LIST)

    report = crawl(tmp_path, url, max_pages=1)

    assert report.fetched == [url]
    assert stored(tmp_path, url) == cut.encode()
    output = build_tables(read_captures(RawStore(tmp_path)))
    assert [row["title"] for row in output.projects] == ["Project 1"]
    [reject] = output.rejects
    assert reject["title"] == "Project 2" and reject["page_url"] == url
    assert "stage is required" in reject["reason"]


def test_unchanged_content_on_a_200_is_not_stored_twice(site, tmp_path):
    body = project_page()
    site.page("/en/projects/2015/a/", body)
    url = site.url("/en/projects/2015/a/")
    first = crawl(tmp_path, url)
    files = capture_files(tmp_path)

    second = crawl(tmp_path, url)

    assert first.fetched == [url] and second.unchanged == [url] and second.fetched == []
    assert capture_files(tmp_path) == files and len(files) == 1
    assert manifest(tmp_path)[url]["sha256"] == sha256_hex(body.encode())
    assert "If-None-Match" not in site.requests_for("/en/projects/2015/a/")[1].headers
    assert "(1 unchanged)" in second.lines()[0]


def test_a_same_host_redirect_is_followed_and_the_final_url_recorded(site, tmp_path):
    body = project_page()
    site.route("/en/projects/2015/old/", Reply(301, "", headers={"Location": "/en/projects/2015/a/"}))
    site.page("/en/projects/2015/a/", body)
    url = site.url("/en/projects/2015/old/")

    report = crawl(tmp_path, url)

    assert report.fetched == [url]
    entry = manifest(tmp_path)[url]
    assert entry["final_url"] == site.url("/en/projects/2015/a/") and entry["status"] == 200
    assert stored(tmp_path, url) == body.encode()


# -- where the crawler goes, and where it does not -------------------------------------------------------------


def test_an_off_host_link_is_never_requested_and_is_reported(site, tmp_path):
    off_host = "http://other.invalid/en/projects/2015/x/"
    site.page(LIST, simple_listing("/en/projects/2015/a/", off_host))
    site.page("/en/projects/2015/a/", project_page())
    url = site.url(LIST)

    report = crawl(tmp_path, url)

    assert report.skipped == [(off_host, "off-host link")]
    assert sorted(page_targets(site)) == sorted([LIST, "/en/projects/2015/a/"])
    assert set(manifest(tmp_path)) == {url, site.url("/en/projects/2015/a/")}
    assert f"skipped {off_host}: off-host link" in report.lines()


def test_an_off_host_redirect_is_not_followed_and_is_reported(site, tmp_path):
    site.page(LIST, simple_listing("/en/projects/2015/moved/"))
    site.route(
        "/en/projects/2015/moved/", Reply(302, "", headers={"Location": "http://other.invalid/en/projects/2015/x/"})
    )
    url, moved = site.url(LIST), site.url("/en/projects/2015/moved/")

    report = crawl(tmp_path, url)

    assert report.skipped == [(moved, "redirect to another origin: http://other.invalid/en/projects/2015/x/")]
    assert report.failed == [] and moved not in manifest(tmp_path)
    assert len(site.requests_for("/en/projects/2015/moved/")) == 1


@pytest.mark.parametrize("rule", ["/en/projects/2015/secret/", "/*/secret/"], ids=["path", "wildcard"])
def test_a_robots_disallowed_link_is_never_requested_and_is_reported(site, tmp_path, rule):
    site.robots(f"User-agent: *\nDisallow: {rule}\n")
    site.page(LIST, simple_listing("/en/projects/2015/a/", "/en/projects/2015/secret/"))
    site.page("/en/projects/2015/a/", project_page())
    site.page("/en/projects/2015/secret/", project_page("Secret"))
    url, secret = site.url(LIST), site.url("/en/projects/2015/secret/")

    report = crawl(tmp_path, url)

    assert report.skipped == [(secret, "disallowed by robots.txt")]
    assert site.requests_for("/en/projects/2015/secret/") == []
    assert len(site.requests_for("/robots.txt")) == 1, "robots.txt is fetched once per host"
    assert site.targets()[0] == "/robots.txt", "robots.txt comes before any page"
    assert set(manifest(tmp_path)) == {url, site.url("/en/projects/2015/a/")}


def test_non_http_links_are_ignored(site, tmp_path):
    extra = (
        '<p><a href="mailto:info@csr-nw.ru">Write to us</a> <a href="javascript:void(0)">2</a> '
        '<a href="tel:+78121234567">Call</a> <a href="ftp://127.0.0.1/en/projects/2015/f/">FTP</a></p>'
    )
    site.page(LIST, simple_listing("/en/projects/2015/a/", extra=extra))
    site.page("/en/projects/2015/a/", project_page())

    report = crawl(tmp_path, site.url(LIST))

    assert report.skipped == [] and report.failed == []
    assert sorted(page_targets(site)) == sorted([LIST, "/en/projects/2015/a/"])


def test_pagination_is_followed_as_listings(site, tmp_path):
    page2, page3 = LIST + "?PAGEN_1=2", LIST + "?PAGEN_1=3"
    site.page(LIST, simple_listing("/en/projects/2015/a/", extra=f'<div class="pager"><a href="{page2}">2</a></div>'))
    site.page(
        page2,
        listing_html(
            "Clusters",
            [("2014", [listing_entry("Project B", "/en/projects/2014/b/", VALUES)])],
            extra=f'<a href="{LIST}">1</a> <a rel="next" href="?PAGEN_1=3">Forward</a>',
        ),
    )
    site.page(page3, listing_html("Clusters", [("2013", [listing_entry("Project C", None, VALUES)])]))
    site.page("/en/projects/2015/a/", project_page("Project 1"))
    site.page("/en/projects/2014/b/", project_page("Project B", "2014"))

    report = crawl(tmp_path, site.url(LIST))

    assert report.failed == []
    assert page_targets(site) == [LIST, "/en/projects/2015/a/", page2, "/en/projects/2014/b/", page3]
    entries = manifest(tmp_path)
    assert entries[site.url(page2)]["kind"] == entries[site.url(page3)]["kind"] == "listing"
    titles = {row["title"] for row in build_tables(read_captures(RawStore(tmp_path))).projects}
    assert {"Project 1", "Project B", "Project C"} <= titles


def test_links_on_a_redirected_listing_are_resolved_against_the_final_url(site, tmp_path):
    old = "/en/area_of_activity/old_name"
    site.route(old, Reply(301, "", headers={"Location": LIST}))
    site.page(LIST + "?PAGEN_1=2", listing_html("Clusters", [("2014", [listing_entry("P", None, VALUES)])]))
    site.page(LIST, simple_listing("/en/projects/2015/a/", extra='<a href="?PAGEN_1=2">2</a>'))
    site.page("/en/projects/2015/a/", project_page())

    report = crawl(tmp_path, site.url(old))

    assert report.failed == [], report.failed  # not /en/area_of_activity/old_name?PAGEN_1=2 → HTTP 404
    assert LIST + "?PAGEN_1=2" in page_targets(site)


def test_max_pages_bounds_the_crawl(site, tmp_path, capsys):
    links = [f"/en/projects/2015/p{i}/" for i in range(5)]
    site.page(LIST, simple_listing(*links))
    for link in links:
        site.page(link, project_page(link))

    code = main(["fetch", "--raw", str(tmp_path), "--delay", "0", "--max-pages", "3", "--start-url", site.url(LIST)])

    assert code == 0
    assert page_targets(site) == [LIST, links[0], links[1]]
    assert len(manifest(tmp_path)) == 3
    assert capsys.readouterr().out.startswith("fetched 3 pages (0 unchanged), 0 not modified")


# -- size caps -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reply, reason",
    [
        # 50 MB with its Content-Length: refused on the declared length (reading on would stop at the cap instead)
        (Reply(body=b"x" * 65536, repeat=800), "response of 52428800 bytes exceeds the 10000-byte cap; not read"),
        # 20 MB chunked, no Content-Length: read until past the cap, then dropped
        (
            Reply(body=b"<p>" + b"y" * 993 + b"</p>\n", chunked=True, repeat=20_000),
            "response exceeds the 10000-byte cap; stopped reading",
        ),
    ],
    ids=["content-length", "chunked"],
)
def test_a_response_over_max_bytes_is_refused_without_downloading_it(site, tmp_path, reply, reason):
    site.route("/en/projects/2015/big/", reply)
    url = site.url("/en/projects/2015/big/")

    report = crawl(tmp_path, url, max_bytes=10_000)

    assert report.failed == [(url, reason)]
    [request] = site.requests_for("/en/projects/2015/big/")  # not retried
    # the crawler hung up: the server could not send the body whole
    assert request.done.wait(10), "the server should notice that the client went away"
    assert not request.completed and request.sent < len(reply.data) * reply.repeat
    assert not (tmp_path / "manifest.json").exists() or url not in manifest(tmp_path)
    assert_clean(tmp_path)


# -- charsets ------------------------------------------------------------------------------------------------

RU_VALUES = ("Пространственное развитие", "Кластеры и кластерная политика", "Завершенный проект", "Разработка", "2015")


def russian_listing(meta_charset: bool) -> bytes:
    entries = [
        listing_entry(
            "Развитие инновационного кластера в городе Саров",
            "/projects/2015/sarov/",
            RU_VALUES,
            labels=("Направление", "Поднаправление", "Стадия", "Тип", "Дата"),
        )
    ]
    text = listing_html(
        "Кластеры и кластерная политика", [("2015", entries)], charset="windows-1251", meta_charset=meta_charset
    )
    return text.encode("cp1251")


@pytest.mark.parametrize(
    "content_type, meta",
    [
        ("text/html; charset=windows-1251", False),
        ("text/html", True),
    ],
    ids=["http-header", "meta-only"],
)
def test_a_windows_1251_page_is_stored_as_sent_and_read_as_russian(site, tmp_path, content_type, meta):
    body = russian_listing(meta_charset=meta)
    site.page(RU_LIST, body, content_type=content_type)
    url = site.url(RU_LIST)

    report = crawl(tmp_path, url, max_pages=1)

    assert report.fetched == [url]
    assert stored(tmp_path, url) == body
    assert manifest(tmp_path)[url]["charset"] == "cp1251"
    [row] = build_tables(read_captures(RawStore(tmp_path))).projects
    assert row["title"] == "Развитие инновационного кластера в городе Саров"
    assert (row["language"], row["stage"], row["status"]) == ("ru", "Завершенный проект", "completed")
    assert row["subdirection"] == "Кластеры и кластерная политика"
    assert row["detail_url"] == site.url("/projects/2015/sarov/")


# -- conditional requests ------------------------------------------------------------------------------------


def test_the_second_run_sends_validators_and_keeps_the_capture_on_304(site, tmp_path):
    modified = http_date(time.time() - 86400)
    by_etag, by_date = "/en/projects/2015/a/", "/en/projects/2015/b/"
    site.page(LIST, simple_listing(by_etag, by_date), etag='"list-v1"')
    site.page(by_etag, project_page("Project 1"), etag='"a-v1"')
    site.page(by_date, project_page("Project 2"), last_modified=modified)
    urls = [site.url(LIST), site.url(by_etag), site.url(by_date)]
    first = crawl(tmp_path, urls[0])
    assert sorted(first.fetched) == sorted(urls)
    files, before = capture_files(tmp_path), manifest(tmp_path)
    assert (before[urls[1]]["etag"], before[urls[2]]["last_modified"]) == ('"a-v1"', modified)
    manifest_bytes = (tmp_path / "manifest.json").read_bytes()
    site.clear_log()

    second = crawl(tmp_path, urls[0])

    assert sorted(second.not_modified) == sorted(urls) and second.fetched == second.unchanged == []
    assert site.requests_for(LIST)[0].headers["if-none-match"] == '"list-v1"'
    assert site.requests_for(by_etag)[0].headers["if-none-match"] == '"a-v1"'
    assert site.requests_for(by_date)[0].headers["if-modified-since"] == modified
    assert "if-modified-since" not in site.requests_for(by_etag)[0].headers
    assert [r.status for r in site.log if r.target != "/robots.txt"] == [304, 304, 304]
    assert capture_files(tmp_path) == files
    assert (tmp_path / "manifest.json").read_bytes() == manifest_bytes  # a 304 rewrites nothing
    assert "0 pages (0 unchanged), 3 not modified" in second.lines()[0]
    assert len({request.client_port for request in site.log}) == 1, "a 304 should keep the connection alive"


def test_identical_bytes_without_validators_leave_the_manifest_as_it_was(site, tmp_path):
    site.page(LIST, simple_listing("/en/projects/2015/a/"))
    site.page("/en/projects/2015/a/", project_page("Project 1"))
    crawl(tmp_path, site.url(LIST))
    manifest_bytes = (tmp_path / "manifest.json").read_bytes()

    second = crawl(tmp_path, site.url(LIST))

    assert sorted(second.unchanged) == sorted([site.url(LIST), site.url("/en/projects/2015/a/")])
    assert (tmp_path / "manifest.json").read_bytes() == manifest_bytes


# -- politeness ----------------------------------------------------------------------------------------------

LATENCY_SLACK = 0.05
"""How much closer than the delay two requests may arrive at the site. The crawler times the delay from
when it starts a request; the first request on a connection reaches the site later after that (connect,
proxy settings lookup), more so on a busy machine. Without any delay the requests arrive a few ms apart;
the exact arithmetic of the wait is `test_throttle_waits_out_the_delay_per_host`'s business."""


def test_the_user_agent_names_the_project_and_a_contact(site, tmp_path, capsys):
    site.page(LIST, simple_listing("/en/projects/2015/a/"))
    site.page("/en/projects/2015/a/", project_page())

    crawl(tmp_path / "one", site.url(LIST))
    assert {request.user_agent for request in site.log} == {USER_AGENT}
    assert PROJECT_NAME in USER_AGENT and CONTACT_URL in USER_AGENT

    site.clear_log()
    agent = "csr-nw-pipeline/0.1 (+mailto:analyst@example.org)"
    assert (
        main(
            [
                "fetch",
                "--raw",
                str(tmp_path / "two"),
                "--delay",
                "0",
                "--user-agent",
                agent,
                "--start-url",
                site.url(LIST),
            ]
        )
        == 0
    )
    assert {request.user_agent for request in site.log} == {agent}


def test_the_delay_is_kept_between_requests_to_one_host(site, tmp_path, capsys):
    links = ["/en/projects/2015/a/", "/en/projects/2015/b/"]
    site.page(LIST, simple_listing(*links))
    for link in links:
        site.page(link, project_page(link))

    assert main(["fetch", "--raw", str(tmp_path), "--delay", "0.2", "--start-url", site.url(LIST)]) == 0

    times = [request.time for request in site.log]
    assert [request.target for request in site.log] == ["/robots.txt", LIST, *links]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert min(gaps) >= 0.2 - LATENCY_SLACK, gaps


@pytest.mark.parametrize("crawl_delay, delay", [(1, 0.05), (0.5, 0)], ids=["longer-than-delay", "fractional"])
def test_a_longer_robots_crawl_delay_wins(site, tmp_path, crawl_delay, delay):
    site.robots(f"User-agent: *\nCrawl-delay: {crawl_delay}\n")
    site.page(LIST, simple_listing("/en/projects/2015/a/"))
    site.page("/en/projects/2015/a/", project_page())

    crawl(tmp_path, site.url(LIST), delay=delay)

    times = [request.time for request in site.log]
    assert [request.target for request in site.log] == ["/robots.txt", LIST, "/en/projects/2015/a/"]
    assert times[2] - times[1] >= crawl_delay - LATENCY_SLACK and times[1] - times[0] >= crawl_delay - LATENCY_SLACK


# -- failures and the summary --------------------------------------------------------------------------------


def test_a_404_is_final_and_the_cli_exits_3_naming_it(site, tmp_path, capsys):
    site.page(LIST, simple_listing("/en/projects/2015/a/", "/en/projects/2015/gone/"))
    site.page("/en/projects/2015/a/", project_page())
    gone = site.url("/en/projects/2015/gone/")

    code = main(["fetch", "--raw", str(tmp_path), "--delay", "0", "--start-url", site.url(LIST)])

    assert code == 3
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("fetched 2 pages (0 unchanged), 0 not modified, 0 skipped, 1 failed, ")
    assert f"failed {gone}: HTTP 404" in out
    assert len(site.requests_for("/en/projects/2015/gone/")) == 1
    assert gone not in manifest(tmp_path)
    assert_clean(tmp_path)


def test_a_run_with_failures_leaves_no_temporary_files_and_a_valid_manifest(site, tmp_path):
    links = ["/en/projects/2015/a/", "/en/projects/2015/b/", "/en/projects/2015/c/", "/en/projects/2015/d/"]
    site.page(LIST, simple_listing(*links))
    site.page(links[0], project_page("A"))
    site.route(links[1], Reply(500, "oops"))
    site.route(links[2], Reply(body=project_page("C"), drop_after=10))
    site.page(links[3], b"%PDF-1.4", content_type="application/pdf")

    report = crawl(tmp_path, site.url(LIST), save_every=25)

    assert [url for url, _ in report.failed] == [site.url(link) for link in links[1:]]
    assert [reason for _, reason in report.failed] == [
        "HTTP 500 (after 3 attempts)",
        "connection dropped mid-body (after 3 attempts)",
        "unexpected content type 'application/pdf'",
    ]
    assert set(manifest(tmp_path)) == {site.url(LIST), site.url(links[0])}
    assert_clean(tmp_path)


@pytest.mark.parametrize("disk_full", [False, True], ids=["one-page-too-big", "disk-full"])
def test_a_failing_capture_write_leaves_the_earlier_manifest_valid(site, tmp_path, disk_full):
    links = ["/en/projects/2015/a/", "/en/projects/2015/b/"]
    listing, a, b = site.url(LIST), site.url(links[0]), site.url(links[1])
    site.page(LIST, simple_listing(*links))
    site.page(links[0], project_page("A"))
    site.page(links[1], project_page("B"))
    crawl(tmp_path, listing)
    before = (tmp_path / "manifest.json").read_bytes()
    new_a = site.page(links[0], project_page("A, changed")).data
    new_b = site.page(links[1], detail_html("B, changed", VALUES, ["A much longer description. " * 400])).data
    # The child may write files of up to `limit` bytes: A's new capture fits, B's does not, and on a full
    # disk the manifest does not fit either (it is about as long as before: the same URLs and fields).
    limit = len(new_a) if disk_full else max(len(before), len(new_a)) + 1024
    assert len(new_a) <= limit < len(new_b) and (len(before) > limit) == disk_full

    process = start_crawler(tmp_path, listing, max_file_size=limit, save_every=25, save_interval=3600)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 1 and "OSError: [Errno 27] File too large" in stderr.decode()
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"
    entries = manifest(tmp_path)  # still valid JSON, and every entry still has its bytes
    assert_clean(tmp_path)
    assert set(entries) == {listing, a, b}
    assert stored(tmp_path, b) == project_page("B").encode()
    if disk_full:  # the final manifest save failed too: the earlier manifest is untouched
        assert (tmp_path / "manifest.json").read_bytes() == before
    else:  # what was stored before the failure is recorded
        assert stored(tmp_path, a) == new_a
    # A's new bytes were written before the failure (unreferenced if the disk is full), B's never were
    assert len(capture_files(tmp_path)) == 4 and sha256_hex(new_a) + ".html" in capture_files(tmp_path)


# -- the small pieces ----------------------------------------------------------------------------------------

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1.0),
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Sat, 01 Mar 2025 12:00:30 GMT", 30.0),
        ("Sat, 01 Mar 2025 13:00:00 GMT", 3600.0),
        ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),  # in the past: no wait
        ("Sat, 01 Mar 2025 14:00:00 +0200", 0.0),
        ("Saturday, 01-Mar-25 12:00:10 GMT", 10.0),  # RFC 850, still allowed
        ("Sat Mar  1 12:00:05 2025", 5.0),  # asctime (RFC 9110 allows it): no zone, so UTC
        ("Sat, 01 Mar 2025 12:00:05 -0000", 5.0),  # `-0000`: no zone information, so UTC
        (None, None),
        ("", None),
        ("soon", None),
        ("1.5", None),
        ("-5", None),
        ("Sat, 99 Foo 2025", None),
    ],
)
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value, now=NOW) == expected


def test_an_unreadable_retry_after_date_does_not_abort_the_crawl(site, tmp_path):
    site.page(LIST, simple_listing("/en/projects/2015/a/", "/en/projects/2015/b/"))
    site.route(
        "/en/projects/2015/a/",
        Reply(503, "busy", headers={"Retry-After": "Sat Mar  1 12:00:05 2025"}),
        Reply(body=project_page("A")),
    )
    site.page("/en/projects/2015/b/", project_page("B"))

    report = crawl(tmp_path, site.url(LIST))

    assert site.url("/en/projects/2015/b/") in report.fetched


def backoff_settings(**overrides) -> FetchSettings:
    return FetchSettings(**{"backoff_base": 1.0, "backoff_cap": 60.0, **overrides})


@pytest.mark.parametrize("attempt, ceiling", [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (30, 60.0)])
def test_backoff_is_full_jitter_below_an_exponential_ceiling_and_the_cap(attempt, ceiling):
    waits = [backoff(attempt, backoff_settings()) for _ in range(300)]
    assert all(0.0 <= wait <= ceiling for wait in waits)
    assert max(waits) > ceiling * 0.8 and min(waits) < ceiling * 0.2, "the jitter should spread over [0, ceiling]"


@pytest.mark.parametrize(
    "attempt, retry_after, low, high",
    [
        (1, 5.0, 5.0, 5.0),  # Retry-After is a floor above the jittered wait
        (1, 0.0, 0.0, 1.0),
        (1, None, 0.0, 1.0),
        (7, 90.0, 90.0, 90.0),  # even above the cap (the cap on Retry-After is the fetcher's business)
        (7, 0.5, 0.5, 60.0),
    ],
)
def test_backoff_never_waits_less_than_retry_after(attempt, retry_after, low, high):
    for _ in range(100):
        assert low <= backoff(attempt, backoff_settings(), retry_after) <= high


class FakeClock:
    def __init__(self) -> None:
        self.now, self.sleeps = 100.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize(
    "steps, expected_sleeps",
    [
        # (url, delay, seconds that pass before the call)
        ([("http://a/1", 1.0, 0)], []),  # the first request to a host never waits
        ([("http://a/1", 1.0, 0), ("http://a/2", 1.0, 0)], [1.0]),
        ([("http://a/1", 1.0, 0), ("http://a/2", 1.0, 0.4)], [0.6]),
        ([("http://a/1", 1.0, 0), ("http://a/2", 1.0, 1.5)], []),  # enough time has passed already
        ([("http://a/1", 1.0, 0), ("http://b/1", 1.0, 0), ("http://a/2", 1.0, 0)], [1.0]),  # per host
        ([("http://a/1", 0.0, 0), ("http://a/2", 0.0, 0)], []),
        ([("http://a/1", 2.0, 0), ("http://a/2", 2.0, 0), ("http://a/3", 2.0, 0.5)], [2.0, 1.5]),
        ([("http://a:80/1", 1.0, 0), ("http://a:8080/1", 1.0, 0)], []),  # netloc includes the port
    ],
)
def test_throttle_waits_out_the_delay_per_host(steps, expected_sleeps):
    clock = FakeClock()
    throttle = Throttle(sleep=clock.sleep, clock=clock)
    for url, delay, elapsed in steps:
        clock.now += elapsed
        throttle.wait(url, delay)
    assert clock.sleeps == expected_sleeps


PAGE_2 = [("http://h/en/area_of_activity/x/y/?PAGEN_1=2", "listing")]


@pytest.mark.parametrize(
    "anchor, expected",
    [
        ('<a href="/en/projects/2015/a/">Some project</a>', [("http://h/en/projects/2015/a/", "detail")]),
        ('<a href="/en/projects/2015/a/#top">Some project</a>', [("http://h/en/projects/2015/a/", "detail")]),
        (
            '<a href="http://other.invalid/en/projects/2015/x/">Some project</a>',
            [("http://other.invalid/en/projects/2015/x/", "detail")],
        ),
        ('<a href="mailto:info@csr-nw.ru">Some project</a>', []),
        ('<a href="javascript:void(0)">Some project</a>', []),
        ('<a href="tel:+78120000000">Some project</a>', []),
        ('<a href="/en/news/2015/">Some project</a>', []),  # neither a project page nor pagination
        ('<a href="?PAGEN_1=2">Some project</a>', []),  # the listing's own path, but no pagination text
        ('<a href="?PAGEN_1=2">2</a>', PAGE_2),  # pagination: a listing
        ('<a href="?PAGEN_1=2" rel="next">Forward</a>', PAGE_2),
        ('<a href="?PAGEN_1=2">»</a>', PAGE_2),
        ('<a href="?PAGEN_1=2">Следующая</a>', PAGE_2),
        ('<a href="?PAGEN_1=2">next</a>', PAGE_2),
    ],
)
def test_discover_links_keeps_project_pages_and_pagination_only(anchor, expected):
    body = f"<html><body>{anchor}</body></html>".encode()
    assert discover_links(body, "text/html", "utf-8", "http://h/en/area_of_activity/x/y/") == expected


# -- end to end: the HTML corpus, served locally -------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
SNAPSHOT_ORIGIN = "http://csr-nw.ru"
DETAIL_ONLY = ("nikel", "vologda", "leningrad")
"""Detail pages the snapshot has but the listing does not link: given as extra start URLs."""
URL_FIELDS = ("listing_url", "detail_url")


def corpus(kind: str, layout: str, language: str = "en") -> list[dict]:
    """Entries of tests/fixtures/html/fixtures.json: file, url (on csr-nw.ru), path, kind, layout, charset."""
    entries = json.loads((FIXTURES / "fixtures.json").read_text(encoding="utf-8"))
    return [e for e in entries if (e["kind"], e["layout"], e["language"]) == (kind, layout, language)]


@pytest.fixture(scope="module")
def snapshot():
    """What the embedded snapshot (the text captures in raw/) builds to."""
    output = build_tables(read_captures(RawStore(ROOT / "raw")))
    assert len(output.projects) == 20
    return output


def serve_corpus(site: TestSite, listing_layout: str, detail_layout: str) -> tuple[str, list[str], dict[str, bytes]]:
    """Serve the listing and the six detail pages at their real paths; (listing URL, extra start URLs, url → bytes)."""
    [listing] = corpus("listing", listing_layout)
    details = corpus("detail", detail_layout)
    assert len(details) == 6
    served = {}
    for entry in [listing, *details]:
        served[site.url(entry["path"])] = site.page(entry["path"], (FIXTURES / entry["file"]).read_bytes()).data
    extra = [site.url(e["path"]) for e in details if e["file"].split(".")[0] in DETAIL_ONLY]
    return site.url(listing["path"]), extra, served


def project_links(html: bytes, base: str) -> list[str]:
    return [url for url, kind in discover_links(html, "text/html", "utf-8", base) if kind == "detail"]


def read_dataset(out: Path, name: str) -> list[dict]:
    """The rows `refresh` published in processed/<name>/."""
    import pyarrow.dataset as ds

    return ds.dataset(out / name, format="parquet").to_table().to_pylist()


def slug_of(url: str) -> str:
    return url.split("/projects/", 1)[1].strip("/")


@pytest.mark.parametrize("listing_layout, detail_layout", [("list", "list"), ("dl", "dl"), ("table", "divs")])
def test_refresh_of_the_html_corpus_gives_the_snapshot_rows(
    site, tmp_path, capsys, snapshot, listing_layout, detail_layout
):
    listing, extra, served = serve_corpus(site, listing_layout, detail_layout)
    linked = project_links(served[listing], listing)
    dead = [url for url in linked if url not in served]  # listed projects the corpus has no detail page for
    assert len(linked) == 17 and len(dead) == 14
    raw, out = tmp_path / "raw", tmp_path / "processed"
    args = ["refresh", "--raw", str(raw), "--out", str(out), "--delay", "0", "--start-url", listing]
    for url in extra:
        args += ["--start-url", url]

    code = main(args)

    # the fetch: every page stored byte for byte, the dead links failed once each and listed
    printed = capsys.readouterr().out.splitlines()
    assert code == 3
    assert printed[0].startswith("fetched 7 pages (0 unchanged), 0 not modified, 0 skipped, 14 failed, ")
    assert sorted(line for line in printed if line.startswith("failed ")) == sorted(
        f"failed {u}: HTTP 404" for u in dead
    )
    assert printed[-2].startswith(f"built {out}: 7 pages read, 20 projects, 0 rejects")
    assert printed[-1].endswith(f"published to {out}: 20 changes")
    for url in dead:
        assert len(site.requests_for(url[len(site.origin) :])) == 1
    entries = manifest(raw)
    assert set(entries) == set(served)
    for url, body in served.items():
        entry = entries[url]
        assert stored(raw, url) == body
        assert (entry["status"], entry["final_url"], entry["content_type"], entry["charset"], entry["size"]) == (
            200,
            url,
            "text/html",
            "utf-8",
            len(body),
        )
        assert entry["kind"] == ("listing" if url == listing else "detail") and entry["source"] == "fetch"
    assert_clean(raw)

    # the build: the snapshot's rows, but for what legitimately differs on a live site
    rows = {row["title"]: row for row in read_dataset(out, "projects")}
    assert set(rows) == {row["title"] for row in snapshot.projects}
    by_sha = {entry["sha256"]: url for url, entry in entries.items()}
    for expected in snapshot.projects:
        title = expected["title"]
        row = rows[title]
        for name in URL_FIELDS:  # the same pages, on another host; the listing now links every project
            if expected[name] is not None:
                assert row[name] == expected[name].replace(SNAPSHOT_ORIGIN, site.origin), (title, name)
        assert row["listing_urls"] == [url.replace(SNAPSHOT_ORIGIN, site.origin) for url in expected["listing_urls"]]
        if expected["detail_url"] is None:
            assert row["detail_url"] in dead, title
        if expected["project_id"].startswith("title/"):  # no link in the text listing: an id from the title
            assert row["project_id"] == slug_of(row["detail_url"]), title
        else:
            assert row["project_id"] == expected["project_id"], title
        sources = {by_sha[sha] for sha in row["source_sha256"].split(",")}
        assert sources == {url for url in (row["listing_url"], row["detail_url"]) if url in served}, title
        assert row["project_key"] == (f"projects/{row['project_id']}" if row["detail_url"] else None), title
        same = {
            k for k in expected if k not in (*URL_FIELDS, "listing_urls", "project_id", "project_key", "source_sha256")
        }
        assert {k: row[k] for k in same} == {k: expected[k] for k in same}, title
    # The same warnings (none about the site's menu or footer), but one: the Zheleznogorsk page is cut
    # short in the corpus, yet served as a complete HTTP response, so the crawler has no way to know.
    assert entries[site.url("/en/projects/2018/zheleznogorsk-innovation-technology-cluster/")]["complete"] is True
    warnings = sorted((w["code"], w["message"]) for w in read_dataset(out, "warnings"))
    assert warnings == sorted((w["code"], w["message"]) for w in snapshot.warnings if w["code"] != "incomplete-capture")


@pytest.mark.parametrize(
    "content_type, strip_meta",
    [
        ("text/html; charset=windows-1251", False),
        ("text/html", False),
        ("text/html", True),
    ],
    ids=["http-header", "meta-charset", "detected"],
)
def test_the_russian_windows_1251_listing_is_stored_as_sent_and_matches_the_english(
    site, tmp_path, content_type, strip_meta
):
    [ru] = corpus("listing", "spans", "ru")
    [en] = corpus("listing", "list", "en")
    body = (FIXTURES / ru["file"]).read_bytes()
    if strip_meta:
        body = body.replace(b'<meta charset="windows-1251">', b"")
        assert b"charset" not in body
    site.page(ru["path"], body, content_type=content_type)
    site.page(en["path"], (FIXTURES / en["file"]).read_bytes())
    site.robots("User-agent: *\nDisallow: /projects/\nDisallow: /en/projects/\n")  # the listings alone

    report = crawl(tmp_path, site.url(ru["path"]), site.url(en["path"]))

    assert report.failed == [] and len(report.skipped) == 34
    assert stored(tmp_path, site.url(ru["path"])) == body
    assert manifest(tmp_path)[site.url(ru["path"])]["charset"] == "cp1251"
    rows = build_tables(read_captures(RawStore(tmp_path))).projects
    russian = {row["project_id"]: row for row in rows if row["language"] == "ru"}
    english = {row["project_id"]: row for row in rows if row["language"] == "en"}
    assert len(russian) == len(english) == 17 and set(russian) == set(english)
    zheleznogorsk = russian["2018/zheleznogorsk-innovation-technology-cluster"]
    assert zheleznogorsk["title"] == "Инновационный технологический кластер в Железногорске (Красноярский край)"
    assert (zheleznogorsk["stage"], zheleznogorsk["date_text"]) == ("Текущий проект", "2011 – по настоящее время")
    same = ("status", "start_date", "end_date", "start_precision", "end_precision", "open_ended", "listing_section")
    for project_id, row in russian.items():
        assert {k: row[k] for k in same} == {k: english[project_id][k] for k in same}, project_id


# -- outages and kills ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("outage", ["robots.txt 503", "connection refused"])
def test_an_unreachable_site_fails_the_run_instead_of_being_skipped(site, tmp_path, outage):
    if outage == "robots.txt 503":
        site.robots("Service Unavailable", status=503)
        site.page("/en/projects/2015/a/", project_page())
        url = site.url("/en/projects/2015/a/")
    else:
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/en/projects/2015/a/"
        closed.close()  # nothing listens there any more

    report = crawl(tmp_path, url, max_retries=1)

    # a site that is down must show up as failures (exit code 3), not as pages robots.txt "disallows"
    assert [failed for failed, _ in report.failed] == [url] and report.skipped == []
    assert report.failed[0][1].startswith("robots.txt unreachable")


def start_fetch(raw: Path, url: str) -> subprocess.Popen:
    """`python -m pipeline fetch` in a child process, so that it can really be interrupted."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "fetch", "--raw", str(raw), "--delay", "0", "--start-url", url],
        cwd=ROOT,
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


CHILD_CRAWL = """\
import json, resource, signal, sys
from pipeline.fetch import Crawler
from pipeline.rawstore import RawStore
from pipeline.settings import FetchSettings

raw, options, max_file_size = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
crawler = Crawler(RawStore(raw), FetchSettings(**{**options, "start_urls": tuple(options["start_urls"])}))
if max_file_size:  # writing a file past this size fails with EFBIG, "File too large": a disk that is full
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_size, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
print("\\n".join(crawler.crawl().lines()))
"""


def child_environment() -> dict[str, str]:
    """The environment of a child crawler: this tree's `pipeline`, no bytecode written."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def start_crawler(raw: Path, *start_urls: str, max_file_size: int = 0, **overrides) -> subprocess.Popen:
    """A `Crawler` (the public API, with settings the CLI does not offer) in a child process, so that it
    can really be killed, or given a file-size limit without limiting the test process."""
    options = json.dumps({"start_urls": start_urls, "delay": 0, **overrides})
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_CRAWL, str(raw), options, str(max_file_size)],
        cwd=ROOT,
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def slow_site(site: TestSite, pages: int) -> dict[str, bytes]:
    """A listing of `pages` slow project pages, the last one slower still so that a crawl cannot finish
    before a test stops it; url → bytes served, in crawl order."""
    links = [f"/en/projects/2015/p{i:03d}/" for i in range(pages)]
    served = {site.url(LIST): site.page(LIST, simple_listing(*links)).data}
    for link in links:
        served[site.url(link)] = site.page(link, project_page(link), sleep=5 if link == links[-1] else 0.01).data
    return served


def wait_for_arrivals(site: TestSite, count: int, timeout: float = 30) -> int:
    """Wait until the site has received `count` requests (a guard against a hung child, not a time limit
    on the crawler); the number received so far."""
    deadline = time.monotonic() + timeout
    while len(site.log) < count:
        assert time.monotonic() < deadline, f"only {len(site.log)} requests after {timeout} s"
        time.sleep(0.005)
    return len(site.log)


SAVE_EVERY = 10


@pytest.mark.parametrize("kill_at", [8, 15, 52], ids=["before-the-first-save", "after-one-save", "after-five-saves"])
def test_a_fetch_killed_mid_crawl_leaves_a_valid_manifest_and_only_whole_captures(site, tmp_path, kill_at):
    served = slow_site(site, 80)
    process = start_crawler(tmp_path, site.url(LIST), save_every=SAVE_EVERY, save_interval=3600)
    try:
        received = wait_for_arrivals(site, kill_at)
    finally:
        process.kill()  # SIGKILL: no cleanup of any kind runs
        process.communicate(timeout=10)

    assert process.returncode == -signal.SIGKILL, "the crawl should still have been running"
    # One request at a time: a request only goes out once the response before it is stored, and the
    # manifest saved when that is due. Requests: robots.txt (a 404, not stored), then one page each.
    stored_before_kill = max(0, received - 2)
    saved_at_least = stored_before_kill // SAVE_EVERY * SAVE_EVERY  # 0, 10 and 50 for the three cases
    store = RawStore(tmp_path)
    captures = store.captures()  # raises RawStoreError unless the manifest is valid (or absent)
    assert len(captures) >= saved_at_least
    crawl_order = list(served)
    assert {capture.url for capture in captures} == set(crawl_order[: len(captures)])
    for capture in captures:  # whatever the manifest names is there, whole
        assert store.read(capture) == served[capture.url]
    files = sorted((tmp_path / "captures").glob("*.html")) if (tmp_path / "captures").exists() else []
    assert len(files) >= stored_before_kill
    for path in files:  # and no capture file is a half file
        assert path.read_bytes() in served.values() and path.name == sha256_hex(path.read_bytes()) + ".html"


def test_an_interrupted_fetch_records_every_capture_it_stored(site, tmp_path):
    served = slow_site(site, 80)
    process = start_fetch(tmp_path, site.url(LIST))
    try:
        received = wait_for_arrivals(site, 40)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.communicate(timeout=10)

    assert process.returncode == 130
    assert_clean(tmp_path)
    entries = manifest(tmp_path)
    assert received - 2 <= len(entries) < len(served)  # every page stored before the Ctrl-C, not the rest
    referenced = {Path(entry["path"]).name for entry in entries.values()}
    files = {path.name for path in (tmp_path / "captures").iterdir()}
    # Ctrl-C between a capture's rename and its manifest entry would leave one unreferenced (harmless) file
    assert referenced <= files and len(files - referenced) <= 1


# -- never publish worse data: a page that comes back empty or gutted keeps its last good capture -------------

MAINTENANCE = html_page("Scheduled maintenance", "<p>The catalogue is back soon.</p>")
GUTTED_DETAIL = '<html><body><div class="content"> </div></body></html>'


def listing_of(count: int) -> str:
    """A listing of `count` projects without links, so that a crawl of it fetches it alone."""
    return listing_html(
        "Clusters & Cluster Policy", [("2015", [listing_entry(f"Project {i}", None, VALUES) for i in range(count)])]
    )


@pytest.mark.parametrize(
    "target, before, after, overrides, refusal",
    [
        (
            LIST,
            listing_of(12),
            "",
            {},
            "empty body (0 bytes; the last good capture had {old}): kept the last good capture",
        ),
        (
            LIST,
            listing_of(12),
            MAINTENANCE,
            {},
            "{new} bytes, under 33% of the last good capture's {old}, and it no longer parses "
            "(no projects on the listing page): kept the last good capture",
        ),
        (
            PAGE_A,
            project_page(),
            GUTTED_DETAIL,
            {},
            "{new} bytes, under 33% of the last good capture's {old}, and it no longer parses "
            "(the page is empty): kept the last good capture",
        ),
        (LIST, None, "", {}, "empty body (0 bytes): no earlier capture to keep, nothing stored"),
        # stored: a project removed from a listing is a real change, however much smaller the page
        (LIST, listing_of(12), listing_of(1), {}, None),
        # stored: no earlier capture is better than what the site sends now
        (LIST, None, MAINTENANCE, {}, None),
        # stored: not small enough, against the configured ratio, to be suspect
        (LIST, listing_of(12), MAINTENANCE, {"min_size_ratio": 0.05}, None),
    ],
    ids=[
        "empty-listing",
        "maintenance-notice",
        "gutted-detail",
        "empty-first-capture",
        "one-project-left",
        "notice-first-capture",
        "above-the-ratio",
    ],
)
def test_an_empty_or_unparsable_shrunk_page_keeps_the_last_good_capture(
    site, tmp_path, target, before, after, overrides, refusal
):
    url = site.url(target)
    if before is not None:
        site.page(target, before)
        assert crawl(tmp_path, url).fetched == [url]
    entries, files = (manifest(tmp_path), capture_files(tmp_path)) if before is not None else ({}, [])
    new = site.page(target, after).data

    report = crawl(tmp_path, url, **overrides)

    if refusal is None:
        assert report.failed == [] and report.fetched == [url]
        assert stored(tmp_path, url) == new
        return
    old = len(before.encode()) if before is not None else 0
    assert report.failed == [(url, refusal.format(new=len(new), old=old))]
    assert report.fetched == report.unchanged == [] and report.bytes == 0
    assert (manifest(tmp_path) if entries else {}) == entries and capture_files(tmp_path) == files
    assert_clean(tmp_path)


def test_refresh_of_an_emptied_listing_exits_3_and_publishes_the_last_good_projects(site, tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    site.page(LIST, listing_of(5))
    refresh = ["refresh", "--raw", str(raw), "--out", str(out), "--delay", "0", "--start-url", site.url(LIST)]
    assert main(refresh) == 0
    assert len(read_dataset(out, "projects")) == 5
    site.page(LIST, "")  # the site answers 200 with nothing in it

    code = main(refresh)

    printed = capsys.readouterr().out.splitlines()
    assert code == 3
    assert (
        f"failed {site.url(LIST)}: empty body (0 bytes; the last good capture had "
        f"{len(listing_of(5).encode())}): kept the last good capture" in printed
    )
    assert printed[-2].startswith(f"built {out}: 1 page read, 5 projects, 0 rejects")
    assert printed[-1].endswith(f"no row changed; {out} left as it was")
    assert len(read_dataset(out, "projects")) == 5


# -- progress and logs: what an operator sees while a crawl runs ----------------------------------------------


def retry_site(site: TestSite) -> tuple[str, str, str]:
    """A listing linking a page that answers 503 (Retry-After: 1) then 200, and a page that is gone;
    their URLs (listing, retried, gone)."""
    retried, gone = "/en/projects/2015/a/", "/en/projects/2015/gone/"
    site.page(LIST, simple_listing(retried, gone))
    site.route(retried, Reply(503, "busy", headers={"Retry-After": "1"}), Reply(body=project_page()))
    site.route(gone, Reply(404))
    return site.url(LIST), site.url(retried), site.url(gone)


def test_progress_tells_pages_done_failures_the_current_url_and_each_retry_wait(site, tmp_path):
    listing, retried, gone = retry_site(site)
    settings, sleeps, calls = fast_settings(listing), [], []

    Crawler(RawStore(tmp_path), settings, fetcher=Fetcher(settings, sleep=sleeps.append), progress=calls.append).crawl()

    assert sleeps == [1.0]  # the Retry-After, not waited out for real
    assert calls == [
        Progress(0, 0, listing),
        Progress(1, 0, listing),
        Progress(1, 0, retried),
        Progress(1, 0, retried, retry_in=1.0, reason="HTTP 503"),
        Progress(2, 0, retried),
        Progress(2, 0, gone),
        Progress(3, 1, gone),
    ]


LONG_URL = "http://127.0.0.1:8080/en/projects/2015/" + "x" * 80 + "/"


@pytest.mark.parametrize(
    "progress, line",
    [
        (Progress(3, 1, "http://h/en/projects/2015/a/"), "1 failed, http://h/en/projects/2015/a/"),
        (Progress(3, 0, "http://h/a/", 4.0, "HTTP 503"), "0 failed, retrying http://h/a/ in 4.0 s (HTTP 503)"),
        (Progress(0, 2, LONG_URL), "2 failed, …" + LONG_URL[-59:]),  # the end of a long URL says the most
    ],
)
def test_progress_describes_itself_in_one_short_line(progress, line):
    assert progress.describe() == line


def test_json_logs_are_one_object_per_event_with_time_level_event_and_url(site, tmp_path):
    listing, retried, gone = retry_site(site)
    settings, stream = fast_settings(listing), io.StringIO()

    with crawl_logging(stream, "json", verbose=True):
        Crawler(RawStore(tmp_path), settings, fetcher=Fetcher(settings, sleep=lambda seconds: None)).crawl()

    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(e["level"], e["event"], e["url"]) for e in events] == [
        ("info", "response", site.url("/robots.txt")),
        ("info", "response", listing),
        ("info", "response", retried),
        ("info", "retry", retried),
        ("info", "response", retried),
        ("info", "response", gone),
        ("warning", "failed", gone),
    ]
    assert [e["status"] for e in events if e["event"] == "response"] == [404, 200, 503, 200, 404]
    [retry] = [e for e in events if e["event"] == "retry"]
    assert (retry["wait"], retry["reason"]) == (1.0, "HTTP 503")
    assert events[-1]["message"] == f"failed {gone}: HTTP 404" and events[-1]["reason"] == "HTTP 404"
    for event in events:
        assert datetime.fromisoformat(event["time"]).utcoffset() == timedelta(0)


def text_log_line(line: str) -> tuple[str, str]:
    level, message = line.split(": ", 1)
    return level, message


def json_log_line(line: str) -> tuple[str, str]:
    event = json.loads(line)
    return event["level"], event["message"]


@pytest.mark.parametrize("log_format, read", [("text", text_log_line), ("json", json_log_line)])
def test_fetch_logs_each_warning_on_one_stderr_line_in_the_chosen_format(site, tmp_path, capsys, log_format, read):
    site.page(LIST, simple_listing("/en/projects/2015/gone/"))
    gone = site.url("/en/projects/2015/gone/")

    code = main(
        ["fetch", "--raw", str(tmp_path), "--delay", "0", "--log-format", log_format, "--start-url", site.url(LIST)]
    )  # no --user-agent: the placeholder contact is warned about

    captured = capsys.readouterr()
    assert code == 3
    [(ua_level, ua_warning), failure] = [read(line) for line in captured.err.splitlines()]
    assert ua_level == "warning" and "User-Agent" in ua_warning and "--user-agent" in ua_warning
    assert failure == ("warning", f"failed {gone}: HTTP 404")
    # stderr is no terminal here, as under cron: no progress bar, and the summary on stdout as ever
    assert captured.out.splitlines()[0].startswith("fetched 1 page (0 unchanged), 0 not modified, 0 skipped, 1 failed")
    assert f"failed {gone}: HTTP 404" in captured.out.splitlines()


# -- detail pages a listing no longer links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, retired",
    [
        ("drop b from the listing", ["/en/projects/2015/b/"]),
        ("drop b, but b is a start URL too", []),
        ("the listing fails", []),
        ("nothing", []),
    ],
)
def test_a_detail_page_its_listing_no_longer_links_is_retired_from_the_manifest(site, tmp_path, change, retired):
    links = ["/en/projects/2015/a/", "/en/projects/2015/b/"]
    site.page(LIST, simple_listing(*links))
    for link in links:
        site.page(link, project_page(link))
    starts = [site.url(LIST)] + ([site.url(links[1])] if "start URL" in change else [])
    crawl(tmp_path, *starts)
    if change.startswith("drop b"):
        site.page(LIST, simple_listing(links[0]))
    elif change == "the listing fails":
        site.route(LIST, Reply(500))

    report = crawl(tmp_path, *starts)

    assert [url for url, _ in report.retired] == [site.url(link) for link in retired]
    assert set(manifest(tmp_path)) == {site.url(LIST), *(site.url(link) for link in links if link not in retired)}
    assert [f"retired {site.url(link)}: {site.url(LIST)} no longer links it" for link in retired] == [
        line for line in report.lines() if line.startswith("retired ")
    ]
