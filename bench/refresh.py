"""Benchmark a refresh of an unchanged site against the full first crawl, on a local site.

Run: .venv/bin/python bench/refresh.py [--pages 500] [--repeats 3] [--tmp DIR]

A local server (tests/sitefixture.py, on 127.0.0.1) serves robots.txt, one
listing that links N project pages, and the N pages (small realistic HTML, as
in bench/fetch.py), every page with an ETag and a Last-Modified: the site
answers a request carrying a matching If-None-Match or If-Modified-Since with
304 Not Modified. Each repeat gets a fresh site and a fresh temporary raw/ and
processed/, and runs the scheduled job twice, in process, through the command
line's own entry point (`pipeline.cli.main(["refresh", ...])`, delay 0):

1. the first, full crawl: every page fetched, stored and published;
2. a refresh of the same, unchanged site.

Printed side by side, median of --repeats: wall seconds (split at the last
request the site saw: the crawl, then the manifest save, build and publish),
requests and the TCP connections they came on, body bytes the site sent, files
written (new or replaced in raw/ and processed/; the lock file raw/.lock
aside), and the ratio refresh/first.

Checked on every repeat (the script exits 1 if any check fails, never for being slow):
- both runs exit 0, the first publishes N projects;
- the refresh asked for the same URLs as the first crawl, and every request but
  robots.txt's was conditional and answered 304;
- raw/manifest.json, every capture and every file under processed/ except
  runs.parquet are byte for byte what they were (sha256 of each), and no file
  was added or removed;
- the run log gained one row: mode refresh, outcome unchanged, N+1 pages not modified.

When the manifest differs, the check names the fields that changed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from sitefixture import Request, TestSite, detail_html, http_date, listing_entry, listing_html  # noqa: E402

from pipeline import cli  # noqa: E402
from pipeline.history import read_runs  # noqa: E402
from pipeline.lock import LOCK_NAME  # noqa: E402
from pipeline.rawstore import CAPTURES_DIR, MANIFEST_NAME  # noqa: E402

USER_AGENT = "bench/1.0 (+https://example.org)"
LIST = "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
ROBOTS = "/robots.txt"
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
EPOCH = 1_700_000_000
"""Last-Modified of the newest page; the others are an hour older each."""


def validators(body: str, age_hours: int) -> dict[str, str]:
    """A strong ETag from the content and a fixed Last-Modified, as a static site would send them."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:20]
    return {"etag": f'"{digest}"', "last_modified": http_date(EPOCH - age_hours * 3600)}


def build_site(site: TestSite, pages: int) -> str:
    """Serve robots.txt, the listing and `pages` project pages, each with validators; return the listing's URL."""
    site.robots("User-agent: *\nDisallow: /bitrix/\nDisallow: /search/\n")
    entries = []
    for i in range(pages):
        year = 2005 + i % 15
        path = f"/en/projects/{year}/cluster-development-programme-{i:03d}/"
        title = f"Development programme for innovation cluster no. {i} of the North-West"
        values = ("Spatial Development", "Clusters & Cluster Policy", STAGES[i % 2], TYPES[i % 4], str(year))
        entries.append((str(year), listing_entry(title, path, values)))
        body = detail_html(title, values, DESCRIPTION * 2)
        site.page(path, body, **validators(body, i + 1))
    sections: dict[str, list[str]] = {}
    for year, entry in sorted(entries, reverse=True):
        sections.setdefault(year, []).append(entry)
    listing = listing_html("Clusters & Cluster Policy", sections.items())
    site.page(LIST, listing, **validators(listing, 0))
    return site.url(LIST)


# -- one run of the scheduled job -------------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    wall: float
    crawl: float
    """Seconds from the start to the last request the site saw (the crawl; its last response comes after)."""
    requests: list[Request]
    connections: int
    """TCP connections the site accepted."""
    stdout: str
    stderr: str
    written: list[str] = field(default_factory=list)
    """Files new or replaced under the bench folder, relative to it, the lock file aside."""

    @property
    def after_crawl(self) -> float:
        return self.wall - self.crawl

    @property
    def received(self) -> int:
        return sum(request.sent for request in self.requests)


def refresh(site: TestSite, connections: list[object], listing_url: str, raw: Path, out: Path) -> Run:
    """`python -m pipeline refresh`, in process, at delay 0; the site's log of it; its stdout and stderr."""
    argv = [
        "refresh",
        "--raw",
        str(raw),
        "--out",
        str(out),
        "--delay",
        "0",
        "--start-url",
        listing_url,
        "--user-agent",
        USER_AGENT,
    ]
    site.clear_log()
    stdout, stderr = io.StringIO(), io.StringIO()
    connections.clear()
    started, mono = time.perf_counter(), time.monotonic()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = cli.main(argv)
    wall = time.perf_counter() - started
    requests = list(site.log)
    for request in requests:  # the server thread may still be counting the last body's bytes
        request.done.wait(5)
    crawl = max((request.time for request in requests), default=mono) - mono
    return Run(code, wall, crawl, requests, len(connections), stdout.getvalue(), stderr.getvalue())


def count_connections(site: TestSite) -> list[object]:
    """A list that gets one item per TCP connection the site accepts from now on.

    The fixture has no such count, so its server's handler class (one instance per connection,
    socketserver's `RequestHandlerClass`) is replaced by a subclass that notes each one.
    """
    accepted: list[object] = []
    server = site._server
    handler = server.RequestHandlerClass

    class Counted(handler):
        def setup(self) -> None:
            accepted.append(self.client_address)  # list.append is atomic: the handlers run in threads
            super().setup()

    server.RequestHandlerClass = Counted
    return accepted


# -- what is on disk ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    sha256: str
    identity: tuple[int, int, int, int]
    """(inode, size, mtime_ns, ctime_ns): changes when the file is rewritten, even with the same bytes."""


def snapshot(folder: Path) -> dict[str, FileState]:
    """Every file under `folder` (hidden ones too), by path relative to it."""
    files = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory, name)
            status = path.stat()
            files[path.relative_to(folder).as_posix()] = FileState(
                hashlib.sha256(path.read_bytes()).hexdigest(),
                (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns),
            )
    return files


def written(before: dict[str, FileState], after: dict[str, FileState]) -> list[str]:
    """Files created or replaced between two snapshots, the lock file aside (every run writes its holder)."""
    return sorted(
        path
        for path, state in after.items()
        if Path(path).name != LOCK_NAME and (path not in before or before[path].identity != state.identity)
    )


def manifest_difference(before: bytes, after: bytes) -> tuple[set[str], int]:
    """Which fields differ between two manifests' entries, and in how many entries (URLs added or removed: `url`)."""
    old, new = ({entry["url"]: entry for entry in json.loads(data)["captures"]} for data in (before, after))
    fields: set[str] = set()
    entries = 0
    if old.keys() != new.keys():
        fields.add("url")
    for url in old.keys() & new.keys():
        differing = {name for name in old[url].keys() | new[url].keys() if old[url].get(name) != new[url].get(name)}
        fields |= differing
        entries += bool(differing)
    return fields, entries


# -- one repeat ------------------------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Repeat:
    first: Run
    again: Run
    checks: list[Check]


def one_repeat(pages: int, tmp: str | None) -> Repeat:
    """A fresh site and fresh folders: the first full refresh, then a refresh of the unchanged site, checked."""
    with TestSite() as site, tempfile.TemporaryDirectory(prefix="bench-refresh-", dir=tmp) as scratch:
        folder = Path(scratch)
        raw, out = folder / "raw", folder / "processed"
        listing_url, connections = build_site(site, pages), count_connections(site)
        first = refresh(site, connections, listing_url, raw, out)
        before, manifest_before = snapshot(folder), read_if_any(raw / MANIFEST_NAME)
        first.written = written({}, before)
        runs_before = read_runs(out) if out.is_dir() else []
        again = refresh(site, connections, listing_url, raw, out)
        after, manifest_after = snapshot(folder), read_if_any(raw / MANIFEST_NAME)
        again.written = written(before, after)
        again.stdout = again.stdout.replace(scratch, "$TMP")
        runs_after = read_runs(out) if out.is_dir() else []
        checks = check_first(first, runs_before, pages)
        checks += check_requests(first, again)
        checks += check_files(before, after, (manifest_before, manifest_after))
        checks += check_run_log(again, runs_before, runs_after, pages)
    return Repeat(first, again, checks)


def check_first(first: Run, runs: list[dict[str, object]], pages: int) -> list[Check]:
    last = runs[-1] if runs else {}
    ok = (
        first.code == 0
        and len(runs) == 1
        and last.get("outcome") == "published"
        and last.get("records") == pages
        and last.get("pages_fetched") == pages + 1
    )
    detail = (
        f"exit {first.code}, {len(runs)} run logged: outcome {last.get('outcome')}, {last.get('records')} "
        f"projects, {last.get('pages_fetched')} pages fetched"
    )
    if not ok and first.stderr.strip():
        detail += f"; stderr: {first.stderr.strip().splitlines()[-1]}"
    return [Check(f"first crawl exits 0 and publishes {pages} projects from {pages + 1} pages", ok, detail)]


def _conditional(request: Request) -> bool:
    return "if-none-match" in request.headers or "if-modified-since" in request.headers


def check_requests(first: Run, again: Run) -> list[Check]:
    pages = [request for request in again.requests if request.path != ROBOTS]
    robots = [request for request in again.requests if request.path == ROBOTS]
    revalidated = [request for request in pages if _conditional(request) and request.status == 304]
    etags = sum("if-none-match" in request.headers for request in pages)
    dates = sum("if-modified-since" in request.headers for request in pages)
    others = [
        f"{request.target} ({'conditional' if _conditional(request) else 'unconditional'}, {request.status})"
        for request in pages
        if request not in revalidated
    ]
    same = sorted(request.target for request in again.requests) == sorted(request.target for request in first.requests)
    return [
        Check(
            "refresh exits 0",
            again.code == 0,
            f"exit {again.code}" + (f"; stderr: {again.stderr.strip().splitlines()[-1]}" if again.code else ""),
        ),
        Check(
            "refresh requests the same URLs as the first crawl",
            same,
            f"{len(again.requests)} requests, {len({r.target for r in again.requests})} URLs; "
            f"first crawl {len(first.requests)} requests",
        ),
        Check(
            "every refresh request (robots.txt aside) is conditional and answered 304",
            bool(pages) and len(revalidated) == len(pages) and len(robots) == 1,
            f"{len(revalidated)} of {len(pages)} conditional and 304 ({etags} with If-None-Match, {dates} with "
            f"If-Modified-Since), robots.txt requested {len(robots)}x"
            + (f"; not: {', '.join(others[:3])}" if others else ""),
        ),
    ]


def read_if_any(path: Path) -> bytes:
    return path.read_bytes() if path.is_file() else b""


def check_files(
    before: dict[str, FileState], after: dict[str, FileState], manifests: tuple[bytes, bytes]
) -> list[Check]:
    added, removed = sorted(after.keys() - before.keys()), sorted(before.keys() - after.keys())
    common = before.keys() & after.keys()
    captures = sorted(path for path in common if path.startswith(f"raw/{CAPTURES_DIR}/"))
    processed = sorted(path for path in common if path.startswith("processed/") and path != "processed/runs.parquet")
    manifest = f"raw/{MANIFEST_NAME}"
    manifest_check = "raw/manifest.json byte for byte unchanged"

    def changed(paths: list[str]) -> list[str]:
        return [path for path in paths if before[path].sha256 != after[path].sha256]

    checks = [
        Check(
            "no file added or removed",
            not added and not removed,
            f"{len(after)} files; added {added[:3] or 'none'}, removed {removed[:3] or 'none'}",
        )
    ]
    if manifest not in common:
        checks.append(Check(manifest_check, False, "no manifest"))
    elif before[manifest].sha256 == after[manifest].sha256:
        rewritten = before[manifest].identity != after[manifest].identity
        same = "same sha256" + (" (the file was rewritten with the same bytes)" if rewritten else "")
        checks.append(Check(manifest_check, True, same))
    else:
        fields, entries = manifest_difference(*manifests)
        detail = f"rewritten: {', '.join(sorted(fields)) or 'formatting'} differs in {entries} entries"
        checks.append(Check(manifest_check, False, detail))
    bad = changed(captures)
    checks.append(
        Check(
            f"captures byte for byte unchanged ({len(captures)} files)",
            bool(captures) and not bad,
            f"changed: {bad[:3]}" if bad else "same sha256 each",
        )
    )
    bad = changed(processed)
    checks.append(
        Check(
            f"processed/ byte for byte unchanged, runs.parquet aside ({len(processed)} files)",
            bool(processed) and not bad,
            f"changed: {bad[:3]}" if bad else "same sha256 each",
        )
    )
    return checks


def check_run_log(
    again: Run, runs_before: list[dict[str, object]], runs_after: list[dict[str, object]], pages: int
) -> list[Check]:
    new = runs_after[len(runs_before) :]
    last = new[-1] if new else {}
    ok = (
        len(new) == 1
        and runs_after[: len(runs_before)] == runs_before
        and last.get("mode") == "refresh"
        and last.get("outcome") == "unchanged"
        and last.get("pages_not_modified") == pages + 1
        and last.get("pages_fetched") == 0
        and last.get("pages_failed") == 0
    )
    fields = ", ".join(
        f"{name} {last.get(name)}"
        for name in ("mode", "outcome", "pages_fetched", "pages_not_modified", "pages_failed")
    )
    return [
        Check(
            "run log gains one row: refresh, unchanged, all pages not modified",
            ok,
            f"{len(runs_before)} -> {len(runs_after)} rows; new row: {fields or 'none'}",
        )
    ]


# -- the report ------------------------------------------------------------------------------------------------------


def ratio(part: float, whole: float) -> str:
    if not whole:
        return "-"
    value = part / whole
    return f"{value:.2f}x" if value >= 0.01 or value == 0 else f"{value:.1e}x"


def medians(repeats: list[Repeat], measure: Callable[[Run], float]) -> tuple[float, float]:
    """The median of one figure over the repeats, for the first crawl and for the refresh."""
    return (
        statistics.median(measure(repeat.first) for repeat in repeats),
        statistics.median(measure(repeat.again) for repeat in repeats),
    )


def merged_checks(repeats: list[Repeat]) -> list[Check]:
    """Each check once: its first failure in any repeat, else the last repeat's result."""
    merged: dict[str, Check] = {}
    for repeat in repeats:
        for check in repeat.checks:
            if check.name not in merged or merged[check.name].ok:
                merged[check.name] = check
    return list(merged.values())


def report(repeats: list[Repeat], pages: int, tmp: str | None) -> list[Check]:
    """Print the figures side by side and every check; return the checks merged over the repeats."""
    rows = [
        ("wall seconds", medians(repeats, lambda run: run.wall), "{:.3f}"),
        ("  crawl, to the last request", medians(repeats, lambda run: run.crawl), "{:.3f}"),
        ("  then manifest, build, publish", medians(repeats, lambda run: run.after_crawl), "{:.3f}"),
        ("requests", medians(repeats, lambda run: len(run.requests)), "{:,.0f}"),
        ("  TCP connections", medians(repeats, lambda run: run.connections), "{:,.0f}"),
        ("body bytes received", medians(repeats, lambda run: run.received), "{:,.0f}"),
        ("files written", medians(repeats, lambda run: len(run.written)), "{:,.0f}"),
    ]
    print(
        f"local site: robots.txt, 1 listing + {pages} project pages, each with an ETag and Last-Modified; "
        f"`refresh --delay 0` in process; median of {len(repeats)} repeats, each on a fresh site and a fresh "
        f"raw/ and processed/ in {tmp or tempfile.gettempdir()}"
    )
    print(f"{'':32}{'first crawl':>14}{'unchanged refresh':>20}{'refresh/first':>16}")
    for label, (first, again), shown in rows:
        print(f"{label:32}{shown.format(first):>14}{shown.format(again):>20}{ratio(again, first):>16}")
    first_wall, again_wall = rows[0][1]
    print(
        f"the unchanged refresh takes {again_wall / first_wall:.0%} of the first crawl's wall time "
        f"({first_wall / again_wall:.1f}x faster)"
    )
    refreshed = sorted({path for repeat in repeats for path in repeat.again.written})
    print("files the refresh wrote (raw/.lock aside): " + (", ".join(refreshed) or "none"))
    print("the refresh's own output (last repeat):")
    for line in repeats[-1].again.stdout.splitlines():
        print(f"  {line}")
    checks = merged_checks(repeats)
    print(f"checks (each must hold in all {len(repeats)} repeats):")
    for check in checks:
        print(f"  {'PASS' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
    return checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500, help="project pages the listing links (default 500)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="repeats, each on a fresh site and fresh folders; the median is kept (default 3)",
    )
    parser.add_argument(
        "--tmp",
        metavar="DIR",
        help="where the temporary raw/ and processed/ go (default: the "
        "system's temp dir; e.g. /dev/shm to leave the disk out)",
    )
    args = parser.parse_args(argv)
    if args.pages < 1 or args.repeats < 1:
        parser.error("--pages and --repeats must be at least 1")

    one_repeat(min(args.pages, 20), args.tmp)  # warm up the imports and the disk cache
    repeats = [one_repeat(args.pages, args.tmp) for _ in range(args.repeats)]
    checks = report(repeats, args.pages, args.tmp)
    failed = [check for check in checks if not check.ok]
    if failed:
        print(f"result: FAIL ({len(failed)} of {len(checks)} checks failed)")
    else:
        print(f"result: PASS (all {len(checks)} checks held)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
