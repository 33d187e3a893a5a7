"""Benchmark `python -m pipeline report`: the embedded snapshot, and synthetic catalogues of 10k projects.

Run: .venv/bin/python bench/report.py [--sizes 10000] [--repeats 3]   (needs the `report` extra)

What is timed is the whole command, `python -m pipeline report --data DIR --out FILE`, in a fresh
subprocess each time (interpreter start, imports, reading, drawing, writing): wall time, best of
`--repeats`, and the CPU time (user + system) of that run, since this shared machine's wall time
swings with the load of other processes.

1. The embedded snapshot: `processed/` of this checkout. Target: under 3 seconds.
2. For each size, a synthetic published folder written with the schema's own row builders and
   `pipeline.parquet.write_rows` (not timed): that many projects over 2000–2025, ~12% open-ended,
   a fifth with month precision, 14 subdirections, a Russian row for every fifth project, places
   (40 regions, ~5% unresolved), warnings, rejects, 30 runs and their changes.
   Side by side, in the same run, alternating:
   - `default`: the report as shipped: the 60 most recently started projects as labelled bars, and
     the grid of projects running per year and subdirection that covers all of them;
   - `every bar` (the named alternative): the same command with `--max-bars SIZE`, one bar per
     project. Each row gets what an 8,000-pixel-tall chart can give it, so bars under 12 pixels
     carry no label.
   For both: time, CPU, HTML size, timeline height and pixels per bar (legibility: an 8-point label
   needs about 12), and whether bars are labelled.
3. Correctness: the totals the report prints (`data-count` of the header) equal those of the rows
   generated, and the grid's numbers add up to the project-years generated.
"""

from __future__ import annotations

import argparse
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.history import new_run_id
from pipeline.parquet import dataset_file, write_rows
from pipeline.publish import MARKER
from pipeline.report import CSS_DPI, row_inches
from pipeline.schema import CHANGES, PLACES, PROJECTS, REJECTS, RUNS, WARNINGS, Row

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261129
TARGET_SECONDS = 3.0
BUILT = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
SUBDIRECTIONS = [
    "Clusters & Cluster Policy",
    "Regional Development Strategies",
    "Municipal Development",
    "Innovation Policy",
    "Transport and Logistics",
    "Energy",
    "Urban Planning",
    "Social Policy",
    "Healthcare",
    "Education",
    "Public Administration",
    "Tourism",
    "Arctic",
    "Industrial Policy",
]
TYPES = ["Development", "Research", "Development Projects", "Group of projects", "Consulting", "Expertise"]
REGIONS = [(f"RU-R{index:02d}", f"Region {index:02d} Oblast") for index in range(40)]
WARNING_CODES = [
    "stage-vs-date",
    "incomplete",
    "unknown-label",
    "ignored-line",
    "listing-vs-detail",
    "unresolved-place",
]


@dataclass
class Synthetic:
    projects: int
    rows: int
    dated: int
    open_ended: int
    warnings: int
    rejects: int
    places: int
    unresolved: int
    project_years: int


def synthetic(folder: Path, size: int) -> Synthetic:
    """A published folder of `size` projects, written with the schema (not timed)."""
    import random

    rng = random.Random(SEED + size)
    projects: list[Row] = []
    places: list[Row] = []
    dated = open_ended = project_years = unresolved = 0
    for index in range(size):
        start_year = rng.randint(2000, 2025)
        month = rng.random() < 0.2
        start = date(start_year, rng.randint(1, 12), 1) if month else date(start_year, 1, 1)
        is_open = rng.random() < 0.12
        undated = rng.random() < 0.01
        end: date | None = None
        if not is_open:
            end_year = min(2026, start_year + rng.choice([0, 0, 0, 1, 1, 2, 3]))
            end = date(end_year, 12, 31)
            if month:
                end = max(start, date(end_year, rng.randint(1, 12), 28))
        project_id = f"{start_year}/project-{index}"
        subdirection = rng.choice(SUBDIRECTIONS) if rng.random() > 0.03 else None
        values: dict[str, object] = {
            "project_id": project_id,
            "title": f"Strategy of socio-economic development of Region {index % 40:02d} until 20{30 + index % 10}, "
            f"stage {index}",
            "direction": "Spatial Development",
            "subdirection": subdirection,
            "stage": "Current project" if is_open else "Completed project",
            "status": "ongoing" if is_open else "completed",
            "project_type": rng.choice(TYPES) if rng.random() > 0.05 else None,
            "date_text": None if undated else f"{start_year}",
            "start_date": None if undated else start,
            "end_date": None if undated else end,
            "start_precision": None if undated else ("month" if month else "year"),
            "end_precision": None if undated or is_open else ("month" if month else "year"),
            "open_ended": is_open and not undated,
            "listing_section": "Ongoing" if is_open else str(start_year),
            "listing_url": "http://csr-nw.ru/en/area_of_activity/a/",
            "listing_sections": ["Ongoing" if is_open else str(start_year)],
            "listing_urls": ["http://csr-nw.ru/en/area_of_activity/a/"],
            "thematic_areas": [rng.choice(SUBDIRECTIONS)],
            "detail_url": None,
            "project_key": None,
            "description": "A synthetic project. " * 20,
            "customer": None,
            "developer": None,
            "aim": None,
            "leader": None,
            "source_sha256": "0" * 64,
        }
        projects.append(PROJECTS.row(language="en", **values))
        if index % 5 == 0:
            projects.append(PROJECTS.row(language="ru", **{**values, "title": f"Стратегия {index}"}))
        if not undated:
            dated += 1
            open_ended += bool(is_open)
            last = BUILT.date().year if is_open else (end or start).year
            project_years += last - start.year + 1
        for _ in range(rng.choice([0, 1, 1, 2])):
            code, name = rng.choice(REGIONS)
            lost = rng.random() < 0.05
            unresolved += lost
            places.append(
                PLACES.row(
                    project_id=project_id,
                    language="en",
                    place=name.split()[1] if not lost else f"Unknown town {index}",
                    place_kind="city",
                    region_code=None if lost else code,
                    region_name=None if lost else name,
                    country_code="RU",
                    source="title",
                )
            )
    warnings = [
        WARNINGS.row(
            code=WARNING_CODES[index % len(WARNING_CODES)],
            message=f"synthetic warning {index}",
            subject=None,
            project_id=projects[index]["project_id"],
            language="en",
            page_url="http://csr-nw.ru/en/area_of_activity/a/",
            line=index + 1,
        )
        for index in range(size // 20)
    ]
    rejects = [
        REJECTS.row(
            page_url="http://csr-nw.ru/en/area_of_activity/a/",
            language="en",
            title=f"Rejected {index}",
            line=index + 1,
            step=("normalise", "validate", "load")[index % 3],
            reason=f"cannot read the date 'spring {2000 + index % 20}'",
            raw_text="Rejected",
            source_sha256="0" * 64,
        )
        for index in range(size // 100)
    ]
    runs, changes = _runs(projects)
    metadata = {"run_id": str(runs[-1]["run_id"]), "built_at": str(BUILT)}
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("{}\n", encoding="utf-8")
    for dataset, rows in ((PROJECTS, projects), (WARNINGS, warnings), (REJECTS, rejects), (PLACES, places)):
        write_rows(dataset_file(folder, dataset), dataset, rows, metadata)
    write_rows(folder / RUNS.path, RUNS, runs)
    write_rows(folder / CHANGES.path / "part-0.parquet", CHANGES, changes)
    return Synthetic(
        projects=size,
        rows=len(projects),
        dated=dated,
        open_ended=open_ended,
        warnings=len(warnings),
        rejects=len(rejects),
        places=len(places),
        unresolved=unresolved,
        project_years=project_years,
    )


def _runs(projects: list[Row]) -> tuple[list[Row], list[Row]]:
    runs, changes = [], []
    for day in range(30):
        started = BUILT - timedelta(days=29 - day)
        run_id = new_run_id(started)
        outcome = "refused" if day % 7 == 3 else "unchanged" if day % 3 == 1 else "published"
        runs.append(
            RUNS.row(
                run_id=run_id,
                started_at=started,
                finished_at=started + timedelta(seconds=40),
                mode="refresh",
                pages_fetched=900,
                pages_not_modified=100,
                pages_failed=day % 4,
                records=len(projects),
                rejects=0,
                warnings=0,
                outcome=outcome,
                published=outcome == "published",
                forced=False,
                reason="a listing lost 30% of its projects" if outcome == "refused" else None,
            )
        )
        if outcome == "published":
            for row in projects[day * 50 : day * 50 + 50]:
                changes.append(
                    CHANGES.row(
                        run_id=run_id,
                        project_id=row["project_id"],
                        language=row["language"],
                        change="changed",
                        field="title",
                        old="old title",
                        new=row["title"],
                    )
                )
    return runs, changes


@dataclass
class Measured:
    seconds: float
    cpu: float
    size: int
    timeline_height: int
    bars: int
    html: str


def run_report(data: Path, out: Path, *extra: str) -> Measured:
    """The whole command in a fresh interpreter: wall time and its CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--data", str(data), "--out", str(out), *extra],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    page = out.read_text(encoding="utf-8")
    bars = int(_first(r'data-bars="(\d+)"', page))
    height = int(_first(r'<img src="data:image/svg\+xml;base64,[^"]+" width="\d+" height="(\d+)"', page))
    return Measured(seconds, cpu, len(page.encode("utf-8")), height, bars, page)


def run_command(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m pipeline ARGS` in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _first(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"bench: the report has no {pattern!r}")
    return match.group(1)


def best(runs: list[Measured]) -> Measured:
    return min(runs, key=lambda run: run.seconds)


def totals(page: str) -> dict[str, int]:
    header = page.split('data-measure="totals"', 1)[1].split("</ul>", 1)[0]
    return {key: int(count) for key, count in re.findall(r'data-key="([^"]+)" data-count="(\d+)"', header)}


def grid_sum(page: str) -> int:
    grid = page.split('data-measure="running"', 1)[1].split("</table>", 1)[0]
    return sum(int(count) for count in re.findall(r'data-year="\d+" data-count="(\d+)"', grid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        root = Path(scratch)
        snapshot, floor = [], []
        for _ in range(args.repeats):
            snapshot.append(run_report(ROOT / "processed", root / "snapshot.html"))
            floor.append(run_command("--version"))
        fastest = best(snapshot)
        print(f"embedded snapshot (processed/), best of {args.repeats}, whole command:")
        print(
            f"  {fastest.seconds:.2f} s wall, {fastest.cpu:.2f} s CPU, {fastest.size / 1024:,.0f} KB; "
            f"all runs: {', '.join(f'{run.seconds:.2f}' for run in snapshot)} s "
            f"(target < {TARGET_SECONDS:.0f} s: {'met' if fastest.seconds < TARGET_SECONDS else 'NOT met'})"
        )
        wall, cpu = min(floor)
        print(
            f"  of which `python -m pipeline --version` (interpreter and the CLI's imports, the same for every "
            f"command): {wall:.2f} s wall, {cpu:.2f} s CPU"
        )
        for size in args.sizes:
            data = root / f"processed-{size}"
            made = synthetic(data, size)
            default: list[Measured] = []
            every: list[Measured] = []
            for _ in range(args.repeats):  # alternating, so both see the same machine
                default.append(run_report(data, root / f"default-{size}.html"))
                every.append(run_report(data, root / f"every-{size}.html", "--max-bars", str(size)))
            print(
                f"\n{size:,} projects ({made.rows:,} rows, {made.dated:,} dated, {made.open_ended:,} open-ended), "
                f"best of {args.repeats}, whole command:"
            )
            print(f"  {'':<12} {'wall':>7} {'CPU':>7} {'HTML':>9} {'timeline':>10} {'bars':>7} {'px/bar':>7}  labels")
            for name, runs in (("default", default), ("every bar", every)):
                run = best(runs)
                per_bar = row_inches(run.bars) * CSS_DPI
                labelled = "yes" if "too many bars to label" not in run.html else "no"
                print(
                    f"  {name:<12} {run.seconds:>6.2f}s {run.cpu:>6.2f}s {run.size / 1024:>7,.0f}KB "
                    f"{run.timeline_height:>8,}px {run.bars:>7,} {per_bar:>7.1f}  {labelled}"
                )
            page = best(default).html
            shown = totals(page)
            expected = {
                "projects": made.projects,
                "rows": made.rows,
                "dated": made.dated,
                "open_ended": made.open_ended,
                "warnings": made.warnings,
                "rejects": made.rejects,
                "places": made.places,
                "unresolved_places": made.unresolved,
            }
            wrong = {key: (shown.get(key), value) for key, value in expected.items() if shown.get(key) != value}
            print(f"  totals in the report == generated: {wrong or 'yes'}")
            print(f"  grid project-years == generated ({made.project_years:,}): {grid_sum(page) == made.project_years}")


if __name__ == "__main__":
    main()
