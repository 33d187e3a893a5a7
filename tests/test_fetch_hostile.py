"""The crawler against a hostile or broken site: every crawl ends, and a bad page fails alone.

A real local site (tests/sitefixture.py) plays the attacker: endless pagination,
trickled headers and bodies, binary garbage served as HTML, a page nested
100,000 elements deep, redirects to another port, a gzip bomb and broken links.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitefixture import Reply, Request, TestSite, detail_html, listing_entry, listing_html

from pipeline.build import build_tables, read_captures
from pipeline.fetch import Crawler, FetchReport, same_origin
from pipeline.rawstore import RawStore
from pipeline.settings import FetchSettings

ROOT = Path(__file__).resolve().parents[1]
LIST = "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
VALUES = ("Spatial Development", "Clusters & Cluster Policy", "Completed project", "Development", "2015")


@pytest.fixture
def site():
    with TestSite() as test_site:
        yield test_site


def crawl(raw: Path, *start_urls: str, **overrides: Any) -> FetchReport:
    options: dict[str, Any] = dict(
        delay=0,
        connect_timeout=1,
        read_timeout=2,
        page_timeout=5,
        max_retries=1,
        backoff_base=0.01,
        backoff_cap=0.02,
        save_every=1,
    )
    options.update(overrides)
    return Crawler(RawStore(raw), FetchSettings(start_urls=start_urls, **options)).crawl()


def detail(site: TestSite, path: str, title: str = "A project") -> str:
    site.page(path, detail_html(title, VALUES, ["About it."]))
    return path


def listing(*links: str, extra: str = "") -> str:
    entries = [listing_entry(f"Project {link}", link, VALUES) for link in links]
    return listing_html("Clusters", [("2015", entries)], extra=extra)


def stored_urls(raw: Path) -> set[str]:
    return {capture.url for capture in RawStore(raw).captures()}


def requested(site: TestSite) -> list[str]:
    return [target for target in site.targets() if target != "/robots.txt"]


# -- crawl bounds --------------------------------------------------------------------------------------------


def endless_pagination(site: TestSite, new_project_each_page: bool) -> None:
    """`?page=N` links `?page=N+1` for ever (rel="next"); each page lists one project, new or always the same."""

    def page(request: Request) -> Reply:
        number = int(request.target.rsplit("=", 1)[1]) if "=" in request.target else 1
        project = f"/en/projects/2015/p{number if new_project_each_page else 1}/"
        more = f'<a rel="next" href="{LIST}?page={number + 1}">Next</a>'
        return Reply(body=listing(project, extra=more))

    site.generate(LIST, page)
    site.generate("/en/projects/2015/", lambda request: Reply(body=detail_html("P", VALUES)))


def test_a_pagination_page_that_repeats_an_earlier_one_ends_the_chain(site, tmp_path):
    endless_pagination(site, new_project_each_page=False)

    report = crawl(tmp_path, site.url(LIST))

    assert requested(site) == [LIST, "/en/projects/2015/p1/", f"{LIST}?page=2"]
    assert report.bounds == [
        f"pagination of {site.url(LIST)} ended at {site.url(LIST)}?page=2: it repeats an earlier page of the listing"
    ]
    assert any(line.startswith("bound hit: pagination of") for line in report.lines())


def test_pagination_stops_after_max_pagination_pages(site, tmp_path):
    endless_pagination(site, new_project_each_page=True)

    report = crawl(tmp_path, site.url(LIST), max_pagination_pages=5)

    pages = [target for target in requested(site) if target.startswith(LIST)]
    assert pages == [LIST] + [f"{LIST}?page={n}" for n in range(2, 6)]
    assert len([t for t in requested(site) if t.startswith("/en/projects/")]) == 5
    [bound] = report.bounds
    assert "stopped after 5 pages (--max-pagination-pages)" in bound and f"{LIST}?page=6" in bound


def test_a_crawl_stops_after_max_pages_and_says_how_many_were_left(site, tmp_path):
    links = [detail(site, f"/en/projects/2015/p{i:02d}/") for i in range(30)]
    site.page(LIST, listing(*links))

    report = crawl(tmp_path, site.url(LIST), max_pages=10)

    assert len(requested(site)) == 10 and len(stored_urls(tmp_path)) == 10
    assert report.bounds == ["page limit of 10 reached (--max-pages); 21 queued URLs not fetched"]


def test_the_defaults_bound_every_crawl():
    settings = FetchSettings()
    assert (settings.max_pages, settings.max_pagination_pages, settings.page_timeout) == (10_000, 200, 120.0)


# -- slow servers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("trickle_headers", [False, True], ids=["body", "headers"])
def test_a_response_that_trickles_fails_at_the_page_deadline_and_keeps_the_earlier_capture(
    site, tmp_path, trickle_headers
):
    path = detail(site, "/en/projects/2015/slow/", "Old title")
    url = site.url(path)
    crawl(tmp_path, url)
    before = RawStore(tmp_path).get(url)

    # 400 bytes, one every 20 ms: 8 s in all, each read well inside the 2 s read timeout
    site.route(
        path, Reply(body=detail_html("New title", VALUES).encode()[:400], trickle=0.02, trickle_headers=trickle_headers)
    )
    report = crawl(tmp_path, url, page_timeout=0.5, max_retries=1)

    assert report.failed == [(url, "page timeout: no whole response within 0.5 s (after 2 attempts)")]
    assert RawStore(tmp_path).get(url) == before
    attempts = site.requests_for(path)[1:]
    assert len(attempts) == 2 and not any(request.completed for request in attempts)


# -- faults stay with their page -----------------------------------------------------------------------------


def test_binary_garbage_served_as_html_fails_alone_and_the_crawl_goes_on(site, tmp_path):
    garbage = bytes(range(256)) * 64
    site.page("/en/projects/2015/garbage/", garbage, content_type="text/html")
    good = detail(site, "/en/projects/2015/good/")
    site.page(LIST, listing("/en/projects/2015/garbage/", good))
    other_listing = "/en/area_of_activity/x/thematic_areas/y/"
    site.page(other_listing, listing(detail(site, "/en/projects/2016/later/")))

    report = crawl(tmp_path, site.url(LIST), site.url(other_listing))

    assert report.failed == [
        (
            site.url("/en/projects/2015/garbage/"),
            "unreadable page: cannot decode the capture: no charset fits its bytes",
        )
    ]
    assert stored_urls(tmp_path) == {site.url(p) for p in (LIST, good, other_listing, "/en/projects/2016/later/")}


def test_a_malformed_link_is_passed_over_and_the_others_followed(site, tmp_path):
    good = detail(site, "/en/projects/2015/good/")
    site.page(
        LIST,
        listing(
            good,
            extra='<a href="http://[broken/en/projects/2015/x/">x</a>'
            '<a href="http://127.0.0.1:notaport/en/projects/2015/y/">y</a>',
        ),
    )

    report = crawl(tmp_path, site.url(LIST))

    assert report.failed == [] and site.url(good) in stored_urls(tmp_path)


def deep_html(depth: int, inner: str) -> str:
    return "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>"


def test_a_page_nested_100000_deep_is_crawled_and_built_without_a_recursion_error(site, tmp_path):
    good = detail(site, "/en/projects/2015/good/")
    site.page(LIST, deep_html(100_000, listing_entry("Deep project", good, VALUES)))

    report = crawl(tmp_path, site.url(LIST))

    assert report.failed == [] and site.url(good) in stored_urls(tmp_path)
    output = build_tables(read_captures(RawStore(tmp_path)))
    assert [row["title"] for row in output.projects] == ["Deep project"]


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped: a few hundred kilobytes on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(size >> 20))
    return body + compressor.flush()


def test_a_gzip_bomb_is_cut_off_at_the_size_cap(site, tmp_path):
    bomb = gzip_bomb(200 << 20)
    assert len(bomb) < 1 << 20 and len(gzip.decompress(bomb)) == 200 << 20
    site.page("/en/projects/2015/bomb/", bomb, headers={"Content-Encoding": "gzip"})
    url = site.url("/en/projects/2015/bomb/")

    report = crawl(tmp_path, url, max_bytes=1 << 20)

    assert report.failed == [(url, f"response exceeds the {1 << 20}-byte cap; stopped reading")]
    assert stored_urls(tmp_path) == set()


# -- origins -------------------------------------------------------------------------------------------------


def test_a_redirect_to_another_port_of_the_same_host_is_not_followed(site, tmp_path):
    with TestSite() as other:
        detail(other, "/en/projects/2015/elsewhere/", "Not ours")
        site.route(
            "/en/projects/2015/moved/", Reply(302, "", headers={"Location": other.url("/en/projects/2015/elsewhere/")})
        )
        site.page(LIST, listing("/en/projects/2015/moved/"))

        report = crawl(tmp_path, site.url(LIST))

        assert other.targets() == []
    moved = site.url("/en/projects/2015/moved/")
    assert report.skipped == [(moved, f"redirect to another origin: {other.url('/en/projects/2015/elsewhere/')}")]
    assert moved not in stored_urls(tmp_path)


@pytest.mark.parametrize(
    "url, other, expected",
    [
        ("http://csr-nw.ru/a/", "http://csr-nw.ru/b/", True),
        ("http://csr-nw.ru/a/", "http://CSR-NW.ru:80/b/", True),
        ("http://csr-nw.ru/a/", "https://csr-nw.ru/b/", True),  # the https upgrade, default ports
        ("http://csr-nw.ru/a/", "https://csr-nw.ru:8443/b/", False),
        ("https://csr-nw.ru/a/", "http://csr-nw.ru/b/", False),  # no downgrade
        ("http://csr-nw.ru/a/", "http://csr-nw.ru:8080/b/", False),
        ("http://127.0.0.1:8000/a/", "http://127.0.0.1:8001/a/", False),
        ("http://csr-nw.ru/a/", "http://www.csr-nw.ru/a/", False),
        ("http://csr-nw.ru/a/", "http://csr-nw.ru:notaport/a/", False),
    ],
)
def test_same_origin_means_scheme_host_and_port(url, other, expected):
    assert same_origin(url, other) is expected


# -- the whole hostile site, with defaults -------------------------------------------------------------------


def hostile_site(site: TestSite, other: TestSite) -> list[str]:
    """Every trap at once, behind one listing; returns the paths of the good pages."""
    good = [detail(site, f"/en/projects/2015/good-{i}/", f"Good {i}") for i in range(3)]
    endless_pagination(site, new_project_each_page=True)
    site.route(
        LIST,
        Reply(
            body=listing(
                *good,
                "/en/projects/2015/trickle/",
                "/en/projects/2015/garbage/",
                "/en/projects/2015/hop/",
                "/en/projects/2015/bomb/",
                extra=f'<a rel="next" href="{LIST}?page=2">Next</a>',
            )
        ),
    )
    site.route("/en/projects/2015/trickle/", Reply(body=b"x" * 10_000, trickle=0.05))
    site.page("/en/projects/2015/garbage/", bytes(range(256)) * 64, content_type="text/html")
    site.route("/en/projects/2015/hop/", Reply(302, "", headers={"Location": other.url("/en/projects/2015/x/")}))
    site.page("/en/projects/2015/bomb/", gzip_bomb(64 << 20), headers={"Content-Encoding": "gzip"})
    deep = "/en/area_of_activity/deep/thematic_areas/deep/"
    site.page(deep, deep_html(100_000, listing_entry("Deep", good[0], VALUES)))
    return [LIST, deep, *good]


def test_a_crawl_of_the_hostile_site_with_defaults_ends_and_keeps_every_good_page(site, tmp_path):
    with TestSite() as other:
        good = hostile_site(site, other)
        command = [
            sys.executable,
            "-m",
            "pipeline",
            "fetch",
            "--raw",
            str(tmp_path),
            "--delay",
            "0",
            "--page-timeout",
            "1",
            "--max-pagination-pages",
            "20",
            "--start-url",
            site.url(LIST),
            "--start-url",
            site.url(good[1]),
        ]
        # the time bound: a crawl that does not end raises TimeoutExpired and fails the test
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert {site.url(path) for path in good} <= stored_urls(tmp_path)
    summary = result.stdout
    for trap in ("trickle", "garbage", "bomb"):
        assert f"failed {site.url(f'/en/projects/2015/{trap}/')}:" in summary
    assert f"skipped {site.url('/en/projects/2015/hop/')}: redirect to another origin" in summary
    assert "bound hit: pagination of" in summary
    assert other.targets() == []


# -- signals -------------------------------------------------------------------------------------------------


def test_sigterm_stops_a_crawl_between_pages_with_a_valid_manifest_and_no_temporary_file(site, tmp_path):
    links = [f"/en/projects/2015/p{i:03d}/" for i in range(60)]
    site.page(LIST, listing(*links))
    for link in links:
        site.page(link, detail_html(link, VALUES), sleep=0.02)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "fetch",
            "--raw",
            str(tmp_path),
            "--delay",
            "0",
            "--start-url",
            site.url(LIST),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(site.targets()) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"
    document = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    store = RawStore(tmp_path)
    assert len(document["captures"]) == len(store.captures()) >= 19
    assert all(store.read(capture) for capture in store.captures())
    referenced = {Path(entry["path"]).name for entry in document["captures"]}
    assert {path.name for path in (tmp_path / "captures").iterdir()} == referenced
    assert "stopped early: interrupted by SIGTERM" in out
