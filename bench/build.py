"""Benchmark the public offline build, `pipeline.build.run_build`, on synthetic listings of 1k–100k projects.

Run: .venv/bin/python bench/build.py [--sizes 1000 10000 100000] [--repeats 3] [--profile 10000]

For each size the script writes synthetic listing captures in the site's text
format (title line, then `- Direction:` / `- Spatial Development` pairs, under
`Ongoing` and year headings; 1,000 projects a page but at least 4 pages, every
fourth page Russian, ~1% bad dates) into a temporary raw/ through the public
`RawStore.put` (not timed), then times only `run_build(raw_dir, out_dir)`, the
call `python -m pipeline build` makes: read captures, load pages, parse,
normalise, validate, publish Parquet. Best of `--repeats` calls, in a fresh
subprocess per size that reports its peak RSS (`ru_maxrss`), so sizes do not
pollute each other. The script uses only the public API (`run_build`,
`build_tables`, `RawStore`) and re-implements no stage of the build, so it
measures the build as it is.

Also printed, per size:
- side by side, in the same run, the named alternative "build_tables + naive
  pandas": the public `build_tables` on `(capture, store.read(capture))` pairs,
  then `pandas.DataFrame(rows).to_parquet()` of each of its tables (inferred
  types, snappy, no staging swap, no run log), best of `--repeats` in its own
  fresh subprocess. Cycle collection is paused during `build_tables` as
  `run_build` pauses it, so the two differ only in how they publish. Time,
  peak RSS and output size of both;
- correctness: rows + rejects read back from the published Parquet (pyarrow)
  == projects generated; the rejects are exactly the projects generated with a
  bad date, each rejected for its date; `run_build`'s summary agrees with the
  Parquet, and the alternative wrote the same row counts.

Titles are the snapshot's own (the 20 English titles built from raw/ and the 17 of the hand-made Russian
rendering of the listing in tests/fixtures/ru/), each with a running number, so the places step reads
the place names, spellings and grammatical cases of the real catalogue.

The places step: in the same child, after the timed `run_build`, the public `places_for` over the rows it
published, from cold (its tables and caches cleared, as in a new process), gc paused as in the build;
best of `--repeats`. Its share of `run_build`'s time is printed beside the named alternative "uncached
lemmas": the same step with the per-word lemma caches bypassed, so each word is parsed by pymorphy3
where it occurs (timed once: it is slow). Target: places under 20% of run_build at 100k projects.

`--profile SIZE` adds a cProfile of one warm `run_build` on SIZE projects (in a
fresh subprocess), its cumulative time grouped by pipeline module: the time in
each stage module (pages, parse, normalise, validate, publish, rawstore) as the
build calls it, callees included (dates, vocabulary, pyarrow, ...), then self
time by module and the top functions.

Targets: cost grows linearly (time(100k) <= 12 x time(10k)), 100k under 10 s and under 1 GB peak RSS,
the places step under 20% of run_build at 100k.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pipeline
from pipeline import places
from pipeline.build import build_tables, process_pages, read_captures, run_build
from pipeline.pages import load_page
from pipeline.rawstore import RawStore

PAGE_SIZE = 1000
MIN_PAGES = 4
SEED = 20240601
TARGET_RATIO = 12.0
TARGET_SECONDS = 10.0
TARGET_MB = 1024.0
TARGET_PLACES_SHARE = 0.20
ROOT = Path(__file__).resolve().parents[1]
RU_LISTING = ROOT / "tests" / "fixtures" / "ru" / "listing.ru.txt"
RU_LISTING_URL = "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
CHILD_FLAG = "--_child"

# --- the site's words ----------------------------------------------------------------------

EN = {
    "labels": ("Direction", "Subdirection", "Stage", "Type", "Date"),
    "page_title": "Thematic area {n}",
    "intro": (
        "Cluster policy is one of the effective tools for the development of territories and regions.",
        'The Center for Strategic Research "North-West" Foundation was one of the initiators of this support.',
    ),
    "ongoing": "Ongoing",
    "directions": ("Spatial Development", "Economic Development", "Social Development", "Public Administration"),
    "subdirections": (
        "Clusters & Cluster Policy",
        "Regional Development Strategies",
        "Municipal Development",
        "Innovation Policy",
    ),
    "types": ("Development", "Development Projects", "Research", "Group of projects"),
    "odd_type": "Consulting",  # a type the site is not known to use: kept, warned about
    "current": "Current project",
    "completed": "Completed project",
    "title": "{title} (No. {n})",
    "months": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "open": ("{y} – until present", "{y} - present", "since {y}", "{y} – ongoing"),
    "bad": (
        "Decmber 2013",
        "2016-2015",
        "31 February 2013",
        "2013/2015",
        "March 2014 – December 2013",
        "2011-2012-2013",
        "Septmber 2010",
        "2200",
    ),
}
RU = {
    "labels": ("Направление", "Поднаправление", "Стадия", "Тип", "Дата"),
    "page_title": "Тематическое направление {n}",
    "intro": (
        "Кластерная политика является одним из эффективных инструментов развития территорий и регионов.",
        "Фонд «Центр стратегических разработок «Северо-Запад» был одним из инициаторов этой поддержки.",
    ),
    "ongoing": "Текущие проекты",
    "directions": (
        "Пространственное развитие",
        "Экономическое развитие",
        "Социальное развитие",
        "Государственное управление",
    ),
    "subdirections": (
        "Кластеры и кластерная политика",
        "Стратегии регионального развития",
        "Муниципальное развитие",
        "Инновационная политика",
    ),
    "types": ("Разработка", "Проекты развития", "Исследование", "Группа проектов"),
    "odd_type": "Консалтинг",
    "current": "Текущий проект",
    "completed": "Завершенный проект",
    "title": "{title} (№ {n})",
    "months": (
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ),
    "open": ("{y} – по настоящее время", "с {y} г.", "{y} – н.в.", "с {y} года"),
    "bad": (
        "декабр 2013",
        "2016-2015",
        "31 февраля 2013",
        "2013/2015",
        "март 2014 – декабрь 2013",
        "2011-2012-2013",
        "сентябр 2010",
        "2200",
    ),
}
BAD_DATE_SHARE = 0.01


def closed_date(words: dict, year: int, rng: random.Random) -> str:
    """A date that ends in `year`, in one of the site's forms."""
    months = words["months"]
    russian = words is RU
    form = rng.randrange(7)
    if form == 0:
        return f"{year} г." if russian and rng.random() < 0.5 else str(year)
    if form == 1:
        return f"{year - rng.randint(1, 3)}-{year}"
    if form == 2:  # December 2013–March 2014 / декабрь 2013 – март 2014
        m1, m2 = rng.randint(1, 12), rng.randint(1, 12)
        sep = " – " if russian else "–"
        return f"{months[m1 - 1]} {year - 1}{sep}{months[m2 - 1]} {year}"
    if form == 3:  # November-December 2013
        m1 = rng.randint(1, 11)
        return f"{months[m1 - 1]}-{months[rng.randint(m1 + 1, 12) - 1]} {year}"
    if form == 4:
        return f"{months[rng.randint(0, 11)]} {year}"
    if form == 5:
        return f"{year - 1} – {year}" + (" гг." if russian else "")
    return str(year)


def snapshot_titles() -> tuple[list[str], list[str]]:
    """The snapshot's English titles (built from raw/) and the Russian listing's (the hand-made rendering)."""
    english = [row["title"] for row in build_tables(read_captures(RawStore(ROOT / "raw"))).projects]
    body = RU_LISTING.read_bytes()
    page = load_page(body, "text/plain", RU_LISTING_URL, kind="listing")
    russian = [row["title"] for row in process_pages([page]).projects]
    return [str(title) for title in english], [str(title) for title in russian]


@dataclass
class Generated:
    pages: list[tuple[str, str]] = field(default_factory=list)
    """(listing URL, text) per page."""
    projects: int = 0
    russian: int = 0
    bad_titles: set[str] = field(default_factory=set)


def listing_page(
    page_no: int, first: int, count: int, rng: random.Random, out: Generated, titles: tuple[list[str], list[str]]
) -> tuple[str, str]:
    """One listing page of `count` projects numbered from `first`, in the site's text rendering; titles are
    the snapshot's (English, Russian), each with its number."""
    russian = page_no % 4 == 1
    words = RU if russian else EN
    url = (
        f"http://csr-nw.ru/area_of_activity/x/thematic_areas/area-{page_no}/"
        if russian
        else f"http://csr-nw.ru/en/area_of_activity/x/thematic_areas/area-{page_no}/"
    )
    entries = []
    for n in range(first, first + count):
        section = None if rng.random() < 0.15 else rng.randint(2005, 2019)  # None: Ongoing
        entries.append((section, n))
    entries.sort(key=lambda entry: (entry[0] is not None, -(entry[0] or 0), entry[1]))

    lines = [words["page_title"].format(n=page_no), *words["intro"]]
    current_section: object = "unset"
    direction, subdirection, stage, type_, date_ = words["labels"]
    for section, n in entries:
        if section != current_section:
            lines.append(words["ongoing"] if section is None else str(section))
            current_section = section
        title = words["title"].format(title=rng.choice(titles[russian]), n=n)
        if rng.random() < BAD_DATE_SHARE:
            date_text = rng.choice(words["bad"])
            out.bad_titles.add(title)
        elif section is None:
            date_text = rng.choice(words["open"]).format(y=rng.randint(2008, 2019))
        else:
            date_text = closed_date(words, section, rng)
        fields = [
            (direction, rng.choice(words["directions"])),
            (subdirection, rng.choice(words["subdirections"])),
            (stage, words["current"] if section is None else words["completed"]),
            (type_, rng.choice(words["types"]) if rng.random() > 0.01 else words["odd_type"]),
            (date_, date_text),
        ]
        if rng.random() < 0.05:  # the site leaves some fields out
            fields = [f for f in fields if f[0] not in (subdirection, type_)]
        lines.append(title)
        inline = rng.random() < 0.02  # a few listings put the value on the label's line
        for label, value in fields:
            if inline:
                lines.append(f"- {label}: {value}")
            else:
                lines += [f"- {label}:", f"- {value}"]
    out.projects += count
    out.russian += count if russian else 0
    return url, "\n".join(lines) + "\n"


def generate(size: int, seed: int = SEED) -> Generated:
    rng = random.Random(seed + size)
    out = Generated()
    per_page = min(PAGE_SIZE, max(1, -(-size // MIN_PAGES)))  # at least MIN_PAGES pages, so one is Russian
    titles = snapshot_titles()
    for page_no, first in enumerate(range(0, size, per_page)):
        out.pages.append(listing_page(page_no, first, min(per_page, size - first), rng, out, titles))
    return out


def store_raw(generated: Generated, raw_dir: Path) -> int:
    """Write the pages into raw/ through RawStore.put, saving the manifest once; bytes written."""
    store = RawStore(raw_dir)
    store.save_every = 10**9
    total = 0
    for url, text in generated.pages:
        body = text.encode("utf-8")
        total += len(body)
        store.put(
            body,
            url=url,
            content_type="text/plain",
            kind="listing",
            complete=True,
            charset="utf-8",
            source="bench/build.py",
        )
    store.flush()
    return total


# --- the children: one size (or the profile), fresh process ----------------------------------


def rss_now_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


class GcClock:
    """Wall time spent in cycle collection since the last `reset`."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.seconds = 0.0


def timed(repeats: int, run: Callable[[], object]) -> tuple[tuple[float, float, float], object]:
    """Best of `repeats` calls of `run()` by wall time: ((wall, cpu, gc seconds), last result)."""
    clock = GcClock()
    gc.callbacks.append(clock)
    runs, result = [], None
    try:
        for _ in range(repeats):
            result = None  # let the previous run's tables go first, so peak RSS is one run's
            clock.reset()
            t, cpu = time.perf_counter(), time.process_time()
            result = run()
            runs.append((time.perf_counter() - t, time.process_time() - cpu, clock.seconds))
    finally:
        gc.callbacks.remove(clock)
    return min(runs), result


def parquet_rows(directory: Path) -> int:
    import pyarrow.dataset as ds

    return ds.dataset(directory, format="parquet").count_rows()


def child_build(raw_dir: Path, work: Path, repeats: int) -> dict[str, object]:
    """Time `run_build` alone; then read back what it published."""
    import pyarrow.parquet as pq

    base_mb = rss_now_mb()
    # each repeat publishes into a new folder: into the same one, a repeat would find nothing changed
    outs = iter(work / f"processed-{n}" for n in range(repeats))
    (seconds, cpu_seconds, gc_seconds), result = timed(repeats, lambda: run_build(raw_dir, next(outs)))
    peak_mb = peak_rss_mb()  # before anything else runs in this process
    out_dir = work / f"processed-{repeats - 1}"
    output = result.output
    summary, names, rows = output.summary(), list(output.tables), output.projects
    del output, result
    written = {name: parquet_rows(out_dir / name) for name in names}
    rejects = pq.read_table(out_dir / "rejects", columns=["title", "step", "reason"]).to_pylist()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "gc_seconds": gc_seconds,
        "base_mb": base_mb,
        "peak_mb": peak_mb,
        "summary": summary,
        "written": written,
        "rejects": rejects,
        "out_mb": dir_mb(out_dir),
        "places": time_places(rows, repeats),
    }


PLACES_CACHES = ("alias_rows", "ru_subdivisions", "region_names", "english_tables", "russian_tables", "romanise")
PER_WORD_CACHES = ("lemmas", "_romanised_lemmas", "_adjective_or_place")
"""The per-word caches of pipeline.places; the alternative bypasses them (their `__wrapped__` functions)."""


def time_places(rows: list[dict[str, object]], repeats: int) -> dict[str, object]:
    """The places step over the published rows, from cold, best of `repeats`; then the same step with the
    per-word lemma caches bypassed, timed once."""

    def cold_step() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        for name in (*PLACES_CACHES, *PER_WORD_CACHES):
            clear = getattr(getattr(places, name), "cache_clear", None)
            if clear is not None:  # the alternative's uncached functions have none
                clear()
        gc.disable()  # as in run_build, which pauses cycle collection around the whole build
        try:
            return places.places_for(rows)
        finally:
            gc.enable()

    (seconds, _, _), (found, warnings) = timed(repeats, cold_step)
    cached = {name: getattr(places, name) for name in PER_WORD_CACHES}
    for name, function in cached.items():
        setattr(places, name, function.__wrapped__)
    places.lemmas = places.lemmas_uncached
    try:
        (uncached_seconds, _, _), (uncached_found, _) = timed(1, cold_step)
    finally:
        for name, function in cached.items():
            setattr(places, name, function)
    return {
        "seconds": seconds,
        "uncached_seconds": uncached_seconds,
        "rows": len(found),
        "unresolved": len(warnings),
        "same_rows_uncached": uncached_found == found,
        "lemmatised_words": places.lemmas.cache_info().currsize,
    }


def child_alternative(raw_dir: Path, work: Path, repeats: int) -> dict[str, object]:
    """Time the alternative: the public build_tables, then pandas.DataFrame(rows).to_parquet() per table."""
    import pandas as pd

    base_mb = rss_now_mb()
    out_dir = work / "naive"

    def run() -> dict[str, list[dict[str, object]]]:
        store = RawStore(raw_dir)
        gc.disable()  # run_build pauses cycle collection around build_tables; the same here
        try:
            tables = build_tables((capture, store.read(capture)) for capture in store.captures()).tables
        finally:
            gc.enable()
        for name, rows in tables.items():
            target = out_dir / name
            target.mkdir(parents=True, exist_ok=True)
            pd.DataFrame(rows).to_parquet(target / "part-0.parquet")
        return tables

    (seconds, cpu_seconds, gc_seconds), tables = timed(repeats, run)
    peak_mb = peak_rss_mb()
    names = list(tables)
    del tables
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "gc_seconds": gc_seconds,
        "base_mb": base_mb,
        "peak_mb": peak_mb,
        "written": {name: parquet_rows(out_dir / name) for name in names},
        "out_mb": dir_mb(out_dir),
    }


STAGE_MODULES = tuple(
    f"pipeline.{name}" for name in ("pages", "parse", "normalise", "validate", "places", "publish", "rawstore")
)
PIPELINE_DIR = Path(pipeline.__file__).resolve().parent


def module_of(filename: str) -> str:
    """The module a profiled function belongs to, as far as the grouping cares."""
    if filename == "~":
        return "(C builtins)"
    if filename.startswith("<"):
        return "(generated code, e.g. dataclass __init__)"
    path = Path(filename).resolve()
    if path.parent == PIPELINE_DIR:
        return f"pipeline.{path.stem}"
    if "pyarrow" in path.parts:
        return "pyarrow"
    return "(other Python: stdlib, bs4, ...)"


def child_profile(raw_dir: Path, work: Path, top: int = 15) -> dict[str, object]:
    """cProfile of a warm run_build (a first, unprofiled run pays the one-off imports and regex compiles).

    A stage module's time is the cumulative time of its functions called from pipeline code
    outside the stage modules (i.e. by the build's orchestration), so helpers one stage calls in
    another (normalise -> pages.squeeze) count in the caller's stage and the stages do not overlap.
    """
    run_build(raw_dir, work / "processed-profile")
    profiler = cProfile.Profile()
    profiler.enable()
    run_build(raw_dir, work / "processed-profile")
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    total = 0.0
    stage_seconds = dict.fromkeys(STAGE_MODULES, 0.0)
    self_seconds: dict[str, float] = defaultdict(float)
    for (filename, _, name), (_, _, tottime, cumtime, callers) in stats.stats.items():  # type: ignore[attr-defined]
        module = module_of(filename)
        self_seconds[module] += tottime
        if module == "pipeline.build" and name == "run_build":
            total = cumtime
        if module in stage_seconds:
            for caller, edge in callers.items():
                caller_module = module_of(caller[0])
                if caller_module.startswith("pipeline.") and caller_module not in stage_seconds:
                    stage_seconds[module] += edge[3]
    stats.strip_dirs().sort_stats("tottime").print_stats(top)
    return {"total": total, "stages": stage_seconds, "self": dict(self_seconds), "top": text.getvalue()}


CHILDREN = {"build": child_build, "alternative": child_alternative, "profile": child_profile}


# --- the parent --------------------------------------------------------------------------


def spawn(mode: str, raw_dir: Path, work: Path, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, CHILD_FLAG, mode, str(raw_dir), str(work), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{mode} child on {raw_dir.name} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(size: int, root: Path, repeats: int) -> tuple[Generated, int, dict, dict]:
    generated = generate(size)
    raw_dir, work = root / f"raw-{size}", root / f"work-{size}"
    raw_bytes = store_raw(generated, raw_dir)
    work.mkdir()
    try:
        ours = spawn("build", raw_dir, work, str(repeats))
        alternative = spawn("alternative", raw_dir, work, str(repeats))
    finally:
        shutil.rmtree(raw_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return generated, raw_bytes, ours, alternative


def verify(generated: Generated, result: dict, alternative: dict) -> list[str]:
    """Problems with the output: nothing lost, and exactly the bad dates rejected."""
    problems = []
    rows, rejects = result["written"]["projects"], result["written"]["rejects"]
    if rows + rejects != generated.projects:
        problems.append(f"rows {rows} + rejects {rejects} != {generated.projects} projects generated")
    rejected = {r["title"] for r in result["rejects"]}
    if rejects != len(generated.bad_titles) or rejected != generated.bad_titles:
        problems.append(
            f"{rejects} rejects, {len(generated.bad_titles)} bad dates generated; "
            f"{len(rejected - generated.bad_titles)} rejected with a good date, "
            f"{len(generated.bad_titles - rejected)} bad dates not rejected"
        )
    wrong = [r for r in result["rejects"] if r["step"] != "normalise" or not r["reason"].startswith("date:")]
    if wrong:
        problems.append(f"{len(wrong)} rejects not for their date, e.g. {wrong[0]}")
    summary = result["summary"]
    if (
        summary["projects"] != rows
        or summary["rejects"] != rejects
        or summary["warnings"] != result["written"]["warnings"]
    ):
        problems.append(f"run_build summary {summary} differs from the Parquet written {result['written']}")
    if summary["places"] != result["written"]["project_places"] or result["places"]["rows"] != summary["places"]:
        problems.append(
            f"places: summary {summary['places']}, written {result['written']['project_places']}, "
            f"places_for {result['places']['rows']}"
        )
    if not result["places"]["same_rows_uncached"]:
        problems.append("places: the uncached step gave other rows than the cached one")
    if alternative["written"] != result["written"]:
        problems.append(f"the alternative wrote {alternative['written']}, run_build {result['written']}")
    return problems


def print_profile(size: int, profile: dict) -> None:
    total = profile["total"]
    print(f"\ncProfile of one warm run_build on {size:,} projects: {total:.3f} s under the profiler")
    print("cumulative time by pipeline stage module, as the build calls it (callees included)")
    print(f"{'module':<20} {'seconds':>8} {'share':>6}")
    for module, seconds in profile["stages"].items():
        print(f"{module:<20} {seconds:>8.3f} {100 * seconds / total:>5.0f}%")
    rest = total - sum(profile["stages"].values())
    print(f"{'rest of run_build':<20} {rest:>8.3f} {100 * rest / total:>5.0f}%")
    print("\nself time by module (where the time itself goes)")
    for module, seconds in sorted(profile["self"].items(), key=lambda item: -item[1]):
        if seconds >= 0.0005:
            print(f"{module:<44} {seconds:>8.3f} {100 * seconds / total:>5.0f}%")
    print("\ntop functions by self time")
    print(profile["top"])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD_FLAG]:
        mode, raw_dir, work, *rest = argv[1:]
        print(json.dumps(CHILDREN[mode](Path(raw_dir), Path(work), *map(int, rest))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="best of N timed calls per size and variant (the first call in a process "
        "pays one-off setup, about 0.4 s in pyarrow's first write: use 2 or more for figures)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="SIZE",
        help="also cProfile one run_build of SIZE projects, grouped by pipeline module",
    )
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="bench-build-"))
    results: dict[int, tuple[Generated, int, dict, dict]] = {}
    failures = 0
    try:
        print(
            f"run_build(raw_dir, out_dir) on synthetic listings, <= {PAGE_SIZE} projects a page, best of "
            f"{args.repeats}; each size in a fresh process"
        )
        print(
            f"{'projects':>9} {'pages':>5} {'ru':>6} {'raw MB':>7} "
            f"{'seconds':>8} {'cpu s':>7} {'proj/s':>9} {'base MB':>8} "
            f"{'peak MB':>8} {'gc s':>6} {'rows':>7} {'rejects':>7} {'bad':>5} {'warnings':>8}  check"
        )
        for size in args.sizes:
            generated, raw_bytes, result, alternative = run_size(size, root, args.repeats)
            results[size] = (generated, raw_bytes, result, alternative)
            problems = verify(generated, result, alternative)
            failures += bool(problems)
            w = result["written"]
            print(
                f"{size:>9,} {len(generated.pages):>5} {generated.russian:>6,} {raw_bytes / 2**20:>7.1f} "
                f"{result['seconds']:>8.3f} {result['cpu_seconds']:>7.3f} "
                f"{size / result['seconds']:>9,.0f} {result['base_mb']:>8.0f} "
                f"{result['peak_mb']:>8.0f} {result['gc_seconds']:>6.2f} {w['projects']:>7,} {w['rejects']:>7,} "
                f"{len(generated.bad_titles):>5} {w['warnings']:>8,}  {'ok' if not problems else 'WRONG'}"
            )
            for problem in problems:
                print(f"{'':>10}WRONG: {problem}")

        print(
            f"\nalternative, same run: run_build vs build_tables + naive pandas.DataFrame(rows).to_parquet() of each\n"
            f"table (inferred types, snappy, no staging swap, no run "
            f"log); best of {args.repeats}, each in a fresh process"
        )
        print(
            f"{'projects':>9} {'ours s':>8} {'alt s':>8} {'ours/alt':>9} {'ours peak':>10} {'alt peak':>9} "
            f"{'ours MB':>8} {'alt MB':>8}"
        )
        for size, (_, _, result, alternative) in results.items():
            print(
                f"{size:>9,} {result['seconds']:>8.3f} {alternative['seconds']:>8.3f} "
                f"{result['seconds'] / alternative['seconds']:>8.2f}x {result['peak_mb']:>7.0f} MB "
                f"{alternative['peak_mb']:>6.0f} MB {result['out_mb']:>8.2f} {alternative['out_mb']:>8.2f}"
            )

        print(
            "\nthe places step: places_for over run_build's rows, from cold, in the same process as the row above;"
            "\nalternative: the same step with the per-word lemma caches bypassed (pymorphy3 parses every word"
            " where it occurs), timed once"
        )
        print(
            f"{'projects':>9} {'run_build s':>11} {'places s':>9} {'share':>6} {'uncached s':>11} {'share':>6} "
            f"{'uncached/cached':>15} {'places':>8} {'unresolved':>10} {'distinct words':>14}"
        )
        for size, (_, _, result, _) in results.items():
            p, total = result["places"], result["seconds"]
            print(
                f"{size:>9,} {total:>11.3f} {p['seconds']:>9.3f} {p['seconds'] / total:>6.1%} "
                f"{p['uncached_seconds']:>11.3f} {p['uncached_seconds'] / total:>6.1%} "
                f"{p['uncached_seconds'] / p['seconds']:>14.1f}x {p['rows']:>8,} {p['unresolved']:>10,} "
                f"{p['lemmatised_words']:>14,}"
            )

        print()
        verdicts = []
        if 10000 in results and 100000 in results:
            ratio = results[100000][2]["seconds"] / results[10000][2]["seconds"]
            cpu_ratio = results[100000][2]["cpu_seconds"] / results[10000][2]["cpu_seconds"]
            print(f"time(100k) / time(10k) = {ratio:.2f} wall, {cpu_ratio:.2f} cpu")
            verdicts.append(
                (ratio <= TARGET_RATIO, f"linear growth: time(100k) <= {TARGET_RATIO:.0f}x time(10k) ({ratio:.2f}x)")
            )
        if 100000 in results:
            r = results[100000][2]
            verdicts.append(
                (r["seconds"] < TARGET_SECONDS, f"100k under {TARGET_SECONDS:.0f} s ({r['seconds']:.2f} s)")
            )
            verdicts.append((r["peak_mb"] < TARGET_MB, f"100k under 1 GB peak RSS ({r['peak_mb']:.0f} MB)"))
            share = r["places"]["seconds"] / r["seconds"]
            verdicts.append(
                (
                    share < TARGET_PLACES_SHARE,
                    f"places under {TARGET_PLACES_SHARE:.0%} of run_build at 100k ({share:.1%})",
                )
            )
        verdicts.append(
            (
                failures == 0,
                (
                    "correctness: rows + rejects == generated, rejects == the bad dates, "
                    "alternative rows == ours, at every size"
                ),
            )
        )
        for ok, text in verdicts:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")

        if args.profile:
            generated = generate(args.profile)
            raw_dir, work = root / "raw-profile", root / "work-profile"
            store_raw(generated, raw_dir)
            work.mkdir()
            print_profile(args.profile, spawn("profile", raw_dir, work))
        return 0 if all(ok for ok, _ in verdicts) else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
