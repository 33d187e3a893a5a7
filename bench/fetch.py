"""Benchmark the crawler's own overhead against a bare `requests.Session` loop, on a local site.

Run: .venv/bin/python bench/fetch.py [--pages 500] [--repeats 3] [--profile] [--tmp DIR]

A local server (tests/sitefixture.py, on 127.0.0.1) serves robots.txt, one
listing that links N project pages, and the N pages (small realistic HTML).
Each repeat crawls it with `pipeline.fetch.Crawler` at delay 0 into a fresh
temporary raw/, and GETs the same N+1 URLs with a bare `requests.Session`
loop; the two alternate so that neither gets a warmer machine. The medians
give pages/s for both, the crawler's overhead per request in ms, and the
ratio crawler/bare. Goal: the crawler within 1.5x of the bare loop.
On a miss (or with --profile) one crawl runs under cProfile and the
hotspots are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from sitefixture import TestSite, detail_html, listing_entry, listing_html  # noqa: E402

from pipeline.fetch import Crawler  # noqa: E402
from pipeline.rawstore import RawStore  # noqa: E402
from pipeline.settings import FetchSettings  # noqa: E402

TARGET_RATIO = 1.5
LIST = "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
STAGES = ("Completed project", "Current project")
TYPES = ("Development", "Research", "Development Projects", "Group of projects")
DESCRIPTION = (
    "The project aimed to assess the competitive advantages of the cluster participants and to "
    "elaborate a programme of measures supporting their cooperation with research centres, "
    "universities and regional authorities.",
    "Stage 1. Analysis of the cluster's economic base, labour market and infrastructure.",
    "Stage 2. Proposals on the cluster's specialisation and the projects of its participants.",
    "Key deliverables: the development programme, a roadmap and a set of investment proposals.",
)


def build_site(site: TestSite, pages: int) -> list[str]:
    """Serve robots.txt, the listing and `pages` project pages; return the listing's URL then the pages'."""
    site.robots("User-agent: *\nDisallow: /bitrix/\nDisallow: /search/\n")
    entries, paths = [], []
    for i in range(pages):
        year = 2005 + i % 15
        path = f"/en/projects/{year}/cluster-development-programme-{i:03d}/"
        title = f"Development programme for innovation cluster no. {i} of the North-West"
        values = ("Spatial Development", "Clusters & Cluster Policy", STAGES[i % 2], TYPES[i % 4], str(year))
        entries.append((str(year), listing_entry(title, path, values)))
        site.page(path, detail_html(title, values, DESCRIPTION * 2))
        paths.append(path)
    sections: dict[str, list[str]] = {}
    for year, entry in sorted(entries, reverse=True):
        sections.setdefault(year, []).append(entry)
    site.page(LIST, listing_html("Clusters & Cluster Policy", sections.items()))
    return [site.url(LIST)] + [site.url(path) for path in paths]


def run_crawler(listing_url: str, expected: int, tmp: str | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread: the client side only, the server runs in other threads)"""
    with tempfile.TemporaryDirectory(prefix="bench-fetch-", dir=tmp) as raw:
        settings = FetchSettings(start_urls=(listing_url,), delay=0)
        started, cpu = time.perf_counter(), time.thread_time()
        report = Crawler(RawStore(raw), settings).crawl()
        elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
    pages = len(report.fetched) + len(report.unchanged)
    if pages != expected or report.failed:
        sys.exit(f"crawler fetched {pages} of {expected} pages; failures: {report.failed[:3]}")
    return elapsed, cpu


def run_bare(urls: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this thread) for a plain GET loop over `urls`."""
    started, cpu = time.perf_counter(), time.thread_time()
    with requests.Session() as session:
        for url in urls:
            response = session.get(url, timeout=(10, 30))
            response.raise_for_status()
            _ = response.content
    return time.perf_counter() - started, time.thread_time() - cpu


def disk_floor(count: int, size: int, tmp: str | None, fsync: bool) -> float:
    """Seconds to create `count` files of `size` bytes via a temporary file and a rename, as raw/ does."""
    data = b"x" * size
    with tempfile.TemporaryDirectory(prefix="bench-fetch-disk-", dir=tmp) as folder:
        started = time.perf_counter()
        for i in range(count):
            temporary, final = os.path.join(folder, f".{i}.tmp"), os.path.join(folder, f"{i}.html")
            fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            os.write(fd, data)
            if fsync:
                os.fsync(fd)
            os.close(fd)
            os.replace(temporary, final)
        return time.perf_counter() - started


def profile_crawl(listing_url: str, tmp: str | None = None, top: int = 15) -> str:
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="bench-fetch-", dir=tmp) as raw:
        settings = FetchSettings(start_urls=(listing_url,), delay=0)
        profiler.enable()
        Crawler(RawStore(raw), settings).crawl()
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500, help="project pages the listing links (default 500)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each, the median is kept (default 3)")
    parser.add_argument("--profile", action="store_true", help="profile one crawl even when the target is met")
    parser.add_argument(
        "--tmp",
        metavar="DIR",
        help="where the crawler's temporary raw/ goes (default: the system's "
        "temp dir; e.g. /dev/shm to leave the disk out)",
    )
    args = parser.parse_args(argv)

    with TestSite() as site:
        urls = build_site(site, args.pages)
        run_bare(urls[:20])  # warm up the server and the imports
        crawler_times, bare_times = [], []
        for _ in range(args.repeats):
            crawler_times.append(run_crawler(urls[0], len(urls), args.tmp))
            bare_times.append(run_bare(urls))
        crawler, bare = (statistics.median(wall for wall, _ in runs) for runs in (crawler_times, bare_times))
        crawler_cpu, bare_cpu = (statistics.median(cpu for _, cpu in runs) for runs in (crawler_times, bare_times))
        requests_made = len(urls)
        ratio = crawler / bare
        overhead_ms = (crawler - bare) / requests_made * 1000
        print(
            f"local site: 1 listing + {args.pages} project pages ({requests_made} URLs), "
            f"median of {args.repeats} runs each; crawler raw/ in {args.tmp or tempfile.gettempdir()}"
        )
        print(f"bare requests.Session loop: {bare:7.3f} s  {requests_made / bare:8.1f} pages/s")
        print(f"pipeline Crawler (delay 0): {crawler:7.3f} s  {requests_made / crawler:8.1f} pages/s")
        print(f"crawler overhead: {overhead_ms:.2f} ms per request")
        print(
            f"client-thread CPU per request: bare {bare_cpu / requests_made * 1000:.2f} ms, crawler "
            f"{crawler_cpu / requests_made * 1000:.2f} ms (ratio {crawler_cpu / bare_cpu:.2f}x; "
            "steadier than wall time on a busy machine)"
        )
        floor, floor_fsync = (disk_floor(requests_made, 1500, args.tmp, fsync) for fsync in (False, True))
        print(
            f"filesystem floor: {requests_made} small files via temp+rename {floor:.3f} s, "
            f"with fsync {floor_fsync:.3f} s (the bare loop writes nothing)"
        )
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        print(f"ratio crawler/bare: {ratio:.2f}x (target <= {TARGET_RATIO}x): {verdict}")
        if verdict == "FAIL" or args.profile:
            print("\ncProfile of one crawl:")
            print(profile_crawl(urls[0], args.tmp))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
