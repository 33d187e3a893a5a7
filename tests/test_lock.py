"""One run at a time: the lock on raw/, with real `python -m pipeline` processes against a real local site.

A run that holds the lock is a real `fetch` held up by a robots.txt that the
test site trickles out a byte at a time (it ends as soon as its client is
gone), so the lock is surely held from the moment that request arrives.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitefixture import Reply, TestSite, detail_html, listing_entry, listing_html

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[1]
LIST = "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
VALUES = ("Spatial Development", "Clusters & Cluster Policy", "Completed project", "Development", "2015")
UA = ("--user-agent", "lock-test/1.0 (+https://example.org/contact)")
CORPUS_URL = "http://csr-nw.ru" + LIST
LISTING_TEXT = "2015\nProject A\n- Stage:\n- Completed project\n- Date:\n- 2015\n"
TIMEOUT = 120
"""Seconds any child may take: far more than it needs, so that a regression fails instead of hanging."""
STAMP = r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)"


# -- helpers ---------------------------------------------------------------------------------------------------


@pytest.fixture
def site():
    with TestSite() as test_site:
        yield test_site


def environment() -> dict[str, str]:
    """A child's environment: this tree's `pipeline`, no bytecode written."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", *args],
        cwd=ROOT,
        env=environment(),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=ROOT,
        env=environment(),
        text=True,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )


def fetch_args(raw: Path, site: TestSite) -> list[str]:
    return ["fetch", "--raw", str(raw), "--delay", "0", "--start-url", site.url(LIST), *UA]


def write_corpus(path: Path, text: str = LISTING_TEXT) -> Path:
    path.write_text(json.dumps({"url": CORPUS_URL, "kind": "listing", "text": text}) + "\n", encoding="utf-8")
    return path


def seeded_raw(tmp_path: Path) -> Path:
    """A raw/ holding one good capture, so that a build has something to read."""
    raw = tmp_path / "raw"
    assert main(["import", str(write_corpus(tmp_path / "seed.jsonl")), "--raw", str(raw)]) == 0
    return raw


def catalogue(site: TestSite, pages: int, delay: float) -> set[str]:
    """A listing of `pages` project pages, each served after `delay` seconds; every URL of the site."""
    links = [f"/en/projects/2015/p{i:03d}/" for i in range(pages)]
    entries = [listing_entry(f"Project {i}", link, VALUES) for i, link in enumerate(links)]
    site.page(LIST, listing_html("Clusters & Cluster Policy", [("2015", entries)]))
    for link in links:
        site.page(link, detail_html(link, VALUES, ["About it."]), sleep=delay)
    return {site.url(target) for target in [LIST, *links]}


def wait_for(site: TestSite, target: str, process: subprocess.Popen[str]) -> None:
    """Wait until `target` has been requested: the fetch asking for it holds the lock by then."""
    deadline = time.monotonic() + TIMEOUT
    while not site.requests_for(target):
        assert process.poll() is None, f"the fetch ended early: {process.communicate()}"
        assert time.monotonic() < deadline, f"no request for {target} after {TIMEOUT} s"
        time.sleep(0.01)


def holding_fetch(site: TestSite, raw: Path) -> subprocess.Popen[str]:
    """A fetch into raw/ that holds the lock: its robots.txt comes a byte every 0.1 s (a minute in all)."""
    site.route("/robots.txt", Reply(200, "User-agent: *\n" + "#" * 600 + "\n", "text/plain", trickle=0.1))
    holder = start(*fetch_args(raw, site))
    wait_for(site, "/robots.txt", holder)
    return holder


def stop(process: subprocess.Popen[str]) -> None:
    """SIGKILL: the process dies holding the lock, and no clean-up of any kind runs."""
    process.kill()
    process.communicate(timeout=TIMEOUT)


def assert_started_lately(stamp: str) -> None:
    started = datetime.fromisoformat(stamp)
    assert timedelta(0) <= datetime.now(UTC) - started < timedelta(seconds=TIMEOUT)


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def held_by(raw: Path, pid: int) -> re.Pattern[str]:
    """The one line a run that finds the lock held prints, naming the holder's PID, command and start time."""
    return re.compile(
        rf"error: {re.escape(str(raw / '.lock'))}: held by another run, PID {pid} \(fetch, "
        rf"started {STAMP}\); try again when it has finished\n"
    )


# -- two runs at once ------------------------------------------------------------------------------------------


def test_two_fetches_at_once_one_runs_the_other_exits_5_and_no_capture_is_lost(site, tmp_path):
    raw = tmp_path / "raw"
    pages = catalogue(site, 30, delay=0.1)  # 3 s of crawling: the second fetch starts while the first runs

    processes = [start(*fetch_args(raw, site)) for _ in range(2)]
    results = sorted(
        ((process, *process.communicate(timeout=TIMEOUT)) for process in processes),
        key=lambda result: result[0].returncode,
    )

    (winner, _, winner_err), (loser, loser_out, loser_err) = results
    assert (winner.returncode, loser.returncode) == (0, 5), results
    match = held_by(raw, winner.pid).fullmatch(loser_err)
    assert match, loser_err
    assert_started_lately(match.group(1))
    assert loser_out == "" and winner_err == ""
    document = json.loads((raw / "manifest.json").read_text(encoding="utf-8"))
    assert {entry["url"] for entry in document["captures"]} == pages
    assert all(len(site.requests_for(url.removeprefix(site.origin))) == 1 for url in pages), "the loser crawled"


BLOCKED: dict[str, Callable[[Path, TestSite, Path], list[str]]] = {
    "fetch": lambda raw, site, tmp: fetch_args(raw, site),
    "refresh": lambda raw, site, tmp: ["refresh", *fetch_args(raw, site)[1:], "--out", str(tmp / "out")],
    "build": lambda raw, site, tmp: ["build", "--raw", str(raw), "--out", str(tmp / "out")],
    "import": lambda raw, site, tmp: ["import", str(write_corpus(tmp / "more.jsonl")), "--raw", str(raw)],
}


@pytest.mark.parametrize("command", BLOCKED)
def test_a_run_into_a_locked_raw_exits_5_and_touches_nothing(site, tmp_path, command):
    raw = seeded_raw(tmp_path)
    manifest = (raw / "manifest.json").read_bytes()
    holder = holding_fetch(site, raw)
    in_flight = raw / ".manifest.json.x1y2z3.tmp"  # as if the running fetch were writing its manifest
    in_flight.write_bytes(b"half a manifest")
    try:
        result = run(*BLOCKED[command](raw, site, tmp_path))
    finally:
        stop(holder)

    assert result.returncode == 5, result
    assert held_by(raw, holder.pid).fullmatch(result.stderr), result.stderr
    assert result.stdout == ""
    assert in_flight.read_bytes() == b"half a manifest", "the blocked run deleted the holder's temporary file"
    assert (raw / "manifest.json").read_bytes() == manifest
    assert not (tmp_path / "out").exists()
    assert len(site.requests_for("/robots.txt")) == 1, "the blocked run made a request"


# -- a lock left by a dead process ------------------------------------------------------------------------------


TAKE_OVER: dict[str, Callable[[Path, TestSite, Path], list[str]]] = {
    "fetch": lambda raw, site, tmp: fetch_args(raw, site),
    "build": BLOCKED["build"],
    "import": BLOCKED["import"],
}


@pytest.mark.parametrize("command", TAKE_OVER)
def test_a_lock_left_by_a_killed_run_is_taken_over_with_one_warning(site, tmp_path, command):
    raw = seeded_raw(tmp_path)
    dead = holding_fetch(site, raw)
    stop(dead)
    assert dead.returncode == -signal.SIGKILL
    assert str(dead.pid) in (raw / ".lock").read_text(encoding="utf-8"), "the lock file should name the dead run"
    site.route("/robots.txt", Reply(404))
    catalogue(site, 2, delay=0)

    first, second = run(*TAKE_OVER[command](raw, site, tmp_path)), run(*TAKE_OVER[command](raw, site, tmp_path))

    assert first.returncode == 0, first
    [warning] = warnings(first.stderr)
    match = re.fullmatch(
        rf"warning: {re.escape(str(raw / '.lock'))}: took over a stale lock from PID {dead.pid} "
        rf"\(fetch, started {STAMP}\), which ended without releasing it",
        warning,
    )
    assert match, warning
    assert_started_lately(match.group(1))
    assert second.returncode == 0 and warnings(second.stderr) == [], "a clean exit must leave no stale lock"


# -- a run that fails or is stopped lets go --------------------------------------------------------------------


def bad_start_url(raw: Path, site: TestSite, tmp: Path) -> int:
    return main(["fetch", "--raw", str(raw), "--start-url", "ftp://csr-nw.ru/", *UA])


def failed_build(raw: Path, site: TestSite, tmp: Path) -> int:
    for capture in (raw / "captures").iterdir():
        capture.write_bytes(b"not what the manifest says")
    return main(["build", "--raw", str(raw), "--out", str(tmp / "out")])


def bad_corpus(raw: Path, site: TestSite, tmp: Path) -> int:
    corpus = tmp / "bad.jsonl"
    corpus.write_text('{"url": "not a url", "text": "x"}\n', encoding="utf-8")
    return main(["import", str(corpus), "--raw", str(raw)])


def interrupted_fetch(raw: Path, site: TestSite, tmp: Path) -> int:
    catalogue(site, 200, delay=0.02)
    process = start(*fetch_args(raw, site))
    wait_for(site, "/en/projects/2015/p010/", process)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=TIMEOUT)
    return process.returncode


@pytest.mark.parametrize(
    "end, code",
    [
        (bad_start_url, 2),
        (failed_build, 2),
        (bad_corpus, 2),
        (interrupted_fetch, 130),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_run_that_fails_or_is_interrupted_releases_the_lock(site, tmp_path, end, code):
    """The runs that fail do so in this process, so a lock they kept would block the next run (another process);
    and each must leave the lock file empty, or the next run would warn of a stale lock."""
    raw = seeded_raw(tmp_path)
    assert end(raw, site, tmp_path) == code

    after = run("import", str(write_corpus(tmp_path / "next.jsonl", LISTING_TEXT + "Project B\n")), "--raw", str(raw))

    assert after.returncode == 0, after
    assert warnings(after.stderr) == [], "the failed run left its lock behind as if it had died"


@pytest.mark.parametrize(
    "command",
    [
        ["fetch", "--start-url", "ftp://csr-nw.ru/", *UA],
        ["refresh", "--delay", "-1", *UA],
        ["import", "missing.jsonl"],
    ],
    ids=lambda command: command[0],
)
def test_a_run_that_stores_nothing_in_a_new_raw_leaves_no_folder_behind(tmp_path, command):
    raw = tmp_path / "new" / "raw"
    assert main([*command, "--raw", str(raw)]) == 2
    assert not raw.exists()


# -- documented ------------------------------------------------------------------------------------------------


def listed_exit_codes(*command: str) -> list[str]:
    help_text = run(*command, "--help").stdout
    return re.findall(r"^  (\d+) ", help_text.split("\nexit codes:\n", 1)[1], re.MULTILINE)


@pytest.mark.parametrize(
    "command, locks",
    [
        ("fetch", True),
        ("refresh", True),
        ("build", True),
        ("import", True),
        ("parse", False),
        ("validate", False),
    ],
)
def test_exit_code_5_is_listed_by_every_command_that_takes_the_lock(command, locks):
    assert ("5" in listed_exit_codes(command)) is locks


def test_exit_code_5_is_in_the_help_and_the_readme():
    assert "5" in listed_exit_codes()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| `5` \| .*lock", readme, re.MULTILINE)
