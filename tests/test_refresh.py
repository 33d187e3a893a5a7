"""Unattended refresh never publishes worse data: `refresh` end to end against a real local site.

Every scenario starts with a good `refresh` of a small site on 127.0.0.1 (tests/sitefixture.py): two
thematic-area listings of five projects each, every project with its `Direction/Subdirection/Stage/
Type/Date` labels and a linked detail page. Then the site changes (a renamed label, an empty or missing
listing, an outage, a gutted listing, a real change) and the test refreshes again through the real
command line, hashing every file under processed/ (and raw/ for a dry run) before and after, and reading
the run log back from Parquet.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitefixture import Reply, TestSite, detail_html, listing_entry, listing_html

from pipeline import cli
from pipeline.cli import main
from pipeline.history import read_runs

ROOT = Path(__file__).resolve().parents[1]
AREAS = "/en/area_of_activity/territorial_development/thematic_areas/"
LABELS = ("Direction", "Subdirection", "Stage", "Type", "Date")
RENAMED = ("Direction", "Subdirection", "Phase", "Type", "Date")
VALUES = ("Spatial Development", "Clusters & Cluster Policy", "Completed project", "Development")
PER_AREA = 5
USER_AGENT = "csr-nw-pipeline-tests/1.0 (+http://127.0.0.1/contact)"  # a real contact: no placeholder warning


# -- the site -----------------------------------------------------------------------------------------------------


def listing_path(area: str) -> str:
    return f"{AREAS}{area}/"


def detail_path(slug: str) -> str:
    return f"/en/projects/2015/{slug}/"


def slugs(area: str, count: int = PER_AREA) -> list[str]:
    return [f"{area}{index}" for index in range(count)]


def serve_area(
    site: TestSite,
    area: str,
    count: int = PER_AREA,
    labels: tuple[str, ...] = LABELS,
    dates: dict[str, str] | None = None,
) -> None:
    """Listing `area` with its first `count` projects, each linked to its detail page (served too).
    `dates` gives a project (by slug) another date than 2015, on its listing entry and its detail page."""
    entries = []
    for slug in slugs(area, count):
        title, values = f"Project {slug.upper()}", (*VALUES, (dates or {}).get(slug, "2015"))
        entries.append(listing_entry(title, detail_path(slug), values, labels=labels))
        site.page(detail_path(slug), detail_html(title, values, [f"About project {slug}."]))
    site.page(listing_path(area), listing_html(f"Thematic area {area.upper()}", [("2015", entries)]))


EVERY_PATH = [
    "/robots.txt",
    *(listing_path(area) for area in "ab"),
    *(detail_path(slug) for area in "ab" for slug in slugs(area)),
]


# -- runs and what they leave ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error: ")]


@dataclasses.dataclass
class Catalogue:
    """The local site after a good first refresh, and the raw/ and processed/ it left."""

    site: TestSite
    tmp: Path
    capsys: pytest.CaptureFixture[str]

    @property
    def raw(self) -> Path:
        return self.tmp / "raw"

    @property
    def out(self) -> Path:
        return self.tmp / "processed"

    def url(self, area: str) -> str:
        return self.site.url(listing_path(area))

    def cli(self, *argv: str) -> Run:
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def refresh(self, *options: str) -> Run:
        return self.cli(
            "refresh",
            "--raw",
            str(self.raw),
            "--out",
            str(self.out),
            "--delay",
            "0",
            "--page-timeout",
            "2",
            "--user-agent",
            USER_AGENT,
            "--start-url",
            self.url("a"),
            "--start-url",
            self.url("b"),
            *options,
        )


def hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (dot files too), by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_nothing_published_changed(before: dict[str, str], after: dict[str, str]) -> None:
    """The same files, each byte for byte the same, except the run log that gained the run's row."""
    assert after.keys() == before.keys()
    assert {name for name in before if before[name] != after[name]} == {"runs.parquet"}


def projects(out: Path) -> list[dict]:
    return pq.read_table(out / "projects").to_pylist()


@pytest.fixture
def catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Catalogue]:
    """A good first refresh of both listings: exit 0, ten projects published, one run logged."""
    with TestSite() as site:
        serve_area(site, "a")
        serve_area(site, "b")
        catalogue = Catalogue(site, tmp_path, capsys)
        first = catalogue.refresh()
        assert first.code == 0, first.err
        assert first.lines[-1].endswith(f"published to {catalogue.out}: 10 changes")
        assert sorted(row["project_id"] for row in projects(catalogue.out)) == [
            f"2015/{slug}" for area in "ab" for slug in slugs(area)
        ]
        assert [run["outcome"] for run in read_runs(catalogue.out)] == ["published"]
        yield catalogue


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """One retry after a few milliseconds instead of three after up to 1, 2 and 4 s: the CLI has no option
    for the retry policy, so the settings it builds from its options get a shorter one."""
    build_settings = cli._fetch_settings
    monkeypatch.setattr(
        cli,
        "_fetch_settings",
        lambda args: dataclasses.replace(
            build_settings(args), max_retries=1, backoff_base=0.01, backoff_cap=0.02, connect_timeout=1
        ),
    )


# -- the site changes: nothing worse is published --------------------------------------------------------------------


def rename_a_label(catalogue: Catalogue) -> None:
    serve_area(catalogue.site, "a", labels=RENAMED)


def empty_a_listing(catalogue: Catalogue) -> None:
    catalogue.site.page(listing_path("a"), "")  # 200, nothing in it


def answer_503_everywhere(catalogue: Catalogue) -> None:
    for path in EVERY_PATH:
        catalogue.site.route(path, Reply(503, "<html><body>Service Unavailable</body></html>"))


def stop_the_server(catalogue: Catalogue) -> None:
    catalogue.site.close()


def remove_a_listing(catalogue: Catalogue) -> None:
    catalogue.site.route(listing_path("b"), Reply(404, "<html><body><h1>Not found</h1></body></html>"))


def gut_a_listing(catalogue: Catalogue) -> None:
    serve_area(catalogue.site, "b", count=1)  # one project left of five: the page still parses


NOT_CHANGED = "no row of any dataset changed"
LOST = "listing {b} lost 4 of its 5 projects (more than 20%; --max-listing-loss)"


@pytest.mark.parametrize(
    "change, code, outcome, failed, reason, printed",
    [
        pytest.param(rename_a_label, 4, "refused", [], "unknown label 'Phase' in 'Project A0'", [], id="label-renamed"),
        pytest.param(
            empty_a_listing,
            3,
            "unchanged",
            ["a"],
            NOT_CHANGED,
            ["failed {a}: empty body (0 bytes; the last good capture had "],
            id="empty-200-listing",
        ),
        pytest.param(
            answer_503_everywhere,
            3,
            "unchanged",
            ["a", "b"],
            NOT_CHANGED,
            [
                "failed {a}: robots.txt unreachable: HTTP 503 (after 2 attempts)",
                "failed {b}: robots.txt unreachable: HTTP 503 (after 2 attempts)",
            ],
            id="site-down-503",
        ),
        pytest.param(
            stop_the_server,
            3,
            "unchanged",
            ["a", "b"],
            NOT_CHANGED,
            [
                "failed {a}: robots.txt unreachable: connection error",
                "failed {b}: robots.txt unreachable: connection error",
            ],
            id="site-down-server-stopped",
        ),
        pytest.param(remove_a_listing, 3, "unchanged", ["b"], NOT_CHANGED, ["failed {b}: HTTP 404"], id="listing-404"),
        pytest.param(gut_a_listing, 4, "refused", [], LOST, [], id="listing-loses-most-projects"),
    ],
)
def test_a_refresh_after_the_site_changed_for_the_worse_publishes_nothing(
    catalogue, quick_retries, change, code, outcome, failed, reason, printed
):
    urls = {"a": catalogue.url("a"), "b": catalogue.url("b")}
    before, runs_before = hashes(catalogue.out), read_runs(catalogue.out)
    change(catalogue)

    run = catalogue.refresh()

    assert run.code == code, run.out + run.err
    assert_nothing_published_changed(before, hashes(catalogue.out))
    assert sorted(path.name for path in catalogue.tmp.iterdir()) == ["processed", "raw"]  # no staging left
    runs = read_runs(catalogue.out)
    assert runs[:-1] == runs_before
    new = runs[-1]
    assert (new["mode"], new["outcome"], new["published"], new["forced"]) == ("refresh", outcome, False, False)
    assert reason.format(**urls) in new["reason"]
    assert new["pages_failed"] == len(failed)
    # the summary lists each failed page (its earlier capture was kept) and no other
    failures = [line for line in run.lines if line.startswith("failed ")]
    assert len(failures) == len(failed), failures
    for area, line in zip(failed, failures, strict=True):
        assert line.startswith(f"failed {urls[area]}: ")
    for expected in printed:
        assert any(line.startswith(expected.format(**urls)) for line in failures), failures
    if outcome == "refused":
        assert run.lines[-1].endswith(f"refused by the drift guard; {catalogue.out} left as it was")
        assert run.errors == [f"error: refused to publish: {new['reason']}"]  # one objection, on stderr too
    else:
        assert run.lines[-1].endswith(f"no row changed; {catalogue.out} left as it was")
        assert run.errors == []


# -- a real removal, forced past the guard ----------------------------------------------------------------------------


def test_a_refused_loss_is_published_with_force_and_the_run_log_says_so(catalogue):
    gut_a_listing(catalogue)
    assert catalogue.refresh().code == 4
    before = hashes(catalogue.out)

    forced = catalogue.refresh("--force")

    assert forced.code == 0, forced.err
    assert forced.lines[-1].startswith(
        f"run {read_runs(catalogue.out)[-1]['run_id']}: published to {catalogue.out} (forced past the drift guard): "
    )
    assert hashes(catalogue.out) != before and forced.errors == []
    runs = read_runs(catalogue.out)
    assert [(run["outcome"], run["published"], run["forced"]) for run in runs] == [
        ("published", True, False),
        ("refused", False, False),
        ("published", True, True),
    ]
    assert runs[-1]["reason"] == LOST.format(b=catalogue.url("b"))
    listed = catalogue.cli("runs", "--data", str(catalogue.out))
    assert listed.code == 0 and len(listed.lines) == 3
    assert "refresh published (forced)" in listed.lines[-1] and "--max-listing-loss" in listed.lines[-1]


def test_a_forced_removal_is_published_as_removals(catalogue):
    gut_a_listing(catalogue)

    forced = catalogue.refresh("--force")

    assert forced.code == 0, forced.err
    retired = [line for line in forced.lines if line.startswith("retired ")]
    assert len(retired) == 4 and all(line.endswith(f"{catalogue.url('b')} no longer links it") for line in retired)
    run_id = read_runs(catalogue.out)[-1]["run_id"]
    changes = catalogue.cli("changes", "--data", str(catalogue.out), "--since", read_runs(catalogue.out)[0]["run_id"])
    assert changes.code == 0
    removed = [f"{run_id}  2015/{slug} [en] removed" for slug in slugs("b")[1:]]
    assert [line for line in changes.lines if line.endswith("removed")] == removed
    assert sorted(row["project_id"] for row in projects(catalogue.out)) == [
        f"2015/{slug}" for slug in [*slugs("a"), "b0"]
    ]


@pytest.mark.parametrize(
    "share, code, outcome",
    [
        ("0.9", 0, "published"),
        ("0.8", 0, "published"),  # four of five is 80%: not more than the threshold
        ("0.5", 4, "refused"),
    ],
)
def test_max_listing_loss_sets_how_much_a_listing_may_lose(catalogue, share, code, outcome):
    gut_a_listing(catalogue)
    before = hashes(catalogue.out)

    run = catalogue.refresh("--max-listing-loss", share)

    assert run.code == code, run.err
    last = read_runs(catalogue.out)[-1]
    assert (last["outcome"], last["forced"]) == (outcome, False)
    if outcome == "published":
        assert last["reason"] is None and run.errors == []
        assert hashes(catalogue.out).keys() > before.keys()  # a second changes file
    else:
        assert last["reason"] == LOST.format(b=catalogue.url("b")).replace("20%", f"{float(share):.0%}")
        assert_nothing_published_changed(before, hashes(catalogue.out))


# -- dry runs touch nothing --------------------------------------------------------------------------------------------


def change_a_date(catalogue: Catalogue) -> None:
    serve_area(catalogue.site, "b", dates={"b2": "2014–2015"})


@pytest.mark.parametrize(
    "change, code, outcome, expected",
    [
        pytest.param(
            rename_a_label,
            4,
            "refused by the drift guard; {out} would be left as it is",
            ["  objection: 5 lines the parser does not know", "unknown label 'Phase' in 'Project A0'"],
            id="label-renamed",
        ),
        pytest.param(
            change_a_date,
            0,
            "would publish to {out}: 7 changes",  # the date and start_date of b2, the source of each of b's rows
            ["  would change: ", "  2015/b2 [en] changed date_text: 2015 → 2014–2015"],
            id="date-changed",
        ),
    ],
)
def test_a_dry_run_prints_what_would_happen_and_touches_nothing(
    catalogue, monkeypatch, change, code, outcome, expected
):
    scratch = catalogue.tmp / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the dry run's copy of raw/ goes
    raw_before, out_before = hashes(catalogue.raw), hashes(catalogue.out)
    runs_before = read_runs(catalogue.out)
    change(catalogue)

    run = catalogue.refresh("--dry-run")

    assert run.code == code, run.err
    assert hashes(catalogue.raw) == raw_before and hashes(catalogue.out) == out_before
    assert read_runs(catalogue.out) == runs_before
    assert list(scratch.iterdir()) == []  # the scratch copy is gone too
    [verdict] = [index for index, line in enumerate(run.lines) if line.startswith("dry run: ")]
    dry = run.lines[verdict:]
    assert dry[0].endswith(outcome.format(out=catalogue.out))
    prefix, fragment = expected
    assert any(line.startswith(prefix) and fragment in line for line in dry), dry
    if code == 0:
        assert not any(line.startswith("  objection:") for line in dry)
        assert any(
            line.startswith("  would change: ")
            and line.endswith("  2015/b2 [en] changed start_date: 2015-01-01 → 2014-01-01")
            for line in dry
        )


# -- a real change is published ---------------------------------------------------------------------------------------


def test_a_real_change_is_published_and_shown_by_changes_and_runs(catalogue):
    change_a_date(catalogue)

    run = catalogue.refresh()

    assert run.code == 0, run.err
    first, second = read_runs(catalogue.out)
    assert (second["outcome"], second["published"], second["forced"]) == ("published", True, False)
    b2 = next(row for row in projects(catalogue.out) if row["project_id"] == "2015/b2")
    assert (b2["date_text"], b2["start_date"], b2["end_date"]) == ("2014–2015", date(2014, 1, 1), date(2015, 12, 31))
    # the commands an operator runs, as separate processes
    changes = subprocess.run(
        [sys.executable, "-m", "pipeline", "changes", "--data", str(catalogue.out), "--since", first["run_id"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert changes.returncode == 0, changes.stderr
    lines = changes.stdout.splitlines()
    assert f"{second['run_id']}  2015/b2 [en] changed date_text: 2015 → 2014–2015" in lines
    assert f"{second['run_id']}  2015/b2 [en] changed start_date: 2015-01-01 → 2014-01-01" in lines
    assert all(line.startswith(second["run_id"]) for line in lines)
    assert not any("date" in line for line in lines if " 2015/b2 " not in line)
    runs = catalogue.cli("runs", "--data", str(catalogue.out))
    assert runs.code == 0 and len(runs.lines) == 2
    for line, logged in zip(runs.lines, (first, second), strict=True):
        assert line.startswith(f"{logged['run_id']}  refresh published  10 projects")


# -- build --out refuses what it must not replace ---------------------------------------------------------------------


def unrelated_folder(path: Path) -> None:
    (path / "notes").mkdir(parents=True)
    (path / "notes.txt").write_text("keep me\n")
    (path / "notes" / "data.csv").write_text("a,b\n1,2\n")


def a_file(path: Path) -> None:
    path.write_text("not a folder\n")


def empty_folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize(
    "make, code, error",
    [
        (unrelated_folder, 2, "a folder this pipeline did not create (no .csr-nw-pipeline in it)"),
        (a_file, 2, "is a file, not a folder"),
        (empty_folder, 0, None),  # the same build into a folder it may fill publishes
    ],
    ids=["unrelated-folder", "file", "empty-folder"],
)
def test_build_out_is_refused_where_it_would_replace_what_the_pipeline_did_not_make(catalogue, make, code, error):
    target = catalogue.tmp / "target"
    make(target)
    before = hashes(target) if target.is_dir() else {"": hashlib.sha256(target.read_bytes()).hexdigest()}

    run = catalogue.cli("build", "--raw", str(catalogue.raw), "--out", str(target))

    assert run.code == code, run.err
    if error is None:
        assert run.errors == [] and len(projects(target)) == 10
        return
    assert len(run.err.splitlines()) == 1 and run.err.startswith(f"error: --out {target}: {error}")
    assert run.out == ""
    after = hashes(target) if target.is_dir() else {"": hashlib.sha256(target.read_bytes()).hexdigest()}
    assert after == before and target.is_dir() == (make is unrelated_folder)
