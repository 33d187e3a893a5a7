"""Benchmark the whole offline build (`pipeline.build.run_build`) on synthetic listings of 1k–100k projects.

Run: .venv/bin/python bench/build.py [--sizes 1000 10000 100000] [--repeats 3] [--profile 10000]

For each size the script writes synthetic listing captures in the site's text
format (title line, then `- Direction:` / `- Spatial Development` pairs, under
`Ongoing` and year headings; 1,000 projects a page but at least 4 pages, every
fourth page Russian, ~1% bad dates) into a temporary raw/ through `RawStore.put` (not timed),
then times `run_build(raw_dir, out_dir)`: read captures, load pages, parse,
normalise, validate, publish Parquet. Each size is built in a fresh subprocess,
which reports its peak RSS (`ru_maxrss`), so sizes do not pollute each other.

Also printed, per size:
- a stage split (read / load / parse / normalise / validate / publish), from a
  second run that calls the same functions `pipeline.build` calls, one by one;
- a side-by-side alternative: our `publish` (typed Arrow schema, dictionary
  columns, zstd, staging folder swapped in) against a naive
  `pandas.DataFrame(rows).to_parquet()` of the same three tables;
- correctness: rows + rejects read back from the Parquet == projects generated,
  and the rejects are exactly the projects generated with a bad date.

Targets: cost grows linearly (time(100k) <= 12 x time(10k)), 100k under 10 s and under 1 GB peak RSS.
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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from pipeline.build import _load_reject, _no_cycle_collection, read_captures, run_build  # noqa: E402
from pipeline.pages import PageError, load_page  # noqa: E402
from pipeline.parse import parse_page  # noqa: E402
from pipeline.normalise import normalise  # noqa: E402
from pipeline.publish import publish  # noqa: E402
from pipeline.rawstore import RawStore  # noqa: E402
from pipeline.validate import check  # noqa: E402

PAGE_SIZE = 1000
MIN_PAGES = 4
SEED = 20240601
TARGET_RATIO = 12.0
TARGET_SECONDS = 10.0
TARGET_MB = 1024.0
CHILD_FLAG = "--_child"

# --- the site's words ----------------------------------------------------------------------

EN = {
    "labels": ("Direction", "Subdirection", "Stage", "Type", "Date"),
    "page_title": "Thematic area {n}",
    "intro": ("Cluster policy is one of the effective tools for the development of territories and regions.",
              "The Center for Strategic Research \"North-West\" Foundation was one of the initiators of this support."),
    "ongoing": "Ongoing",
    "directions": ("Spatial Development", "Economic Development", "Social Development", "Public Administration"),
    "subdirections": ("Clusters & Cluster Policy", "Regional Development Strategies", "Municipal Development",
                      "Innovation Policy"),
    "types": ("Development", "Development Projects", "Research", "Group of projects"),
    "odd_type": "Consulting",  # a type the site is not known to use: kept, warned about
    "current": "Current project",
    "completed": "Completed project",
    "subjects": ("Development of innovative cluster", "Strategy for socio-economic development",
                 "Technological audit of the territorial cluster", "Concept of the technology park",
                 "Program to support the medical and pharmaceutical cluster", "Consulting support to development",
                 "Feasibility study for an industrial park", "Assessment of the investment climate",
                 "Monitoring of the municipal programme", "Draft concept of the shipbuilding cluster"),
    "places": ("Sarov", "Zheleznogorsk", "Dimitrovgrad", "the Leningrad Region", "St. Petersburg",
               "the Khabarovsk Krai", "Vologda Oblast", "Murmansk Oblast", "Gatchina", "Kaliningrad",
               "the Republic of Karelia", "Pskov", "Novgorod Oblast", "Arkhangelsk", "Tomsk"),
    "title": "{subject} in {place} (No. {n})",
    "months": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"),
    "open": ("{y} – until present", "{y} - present", "since {y}", "{y} – ongoing"),
    "bad": ("Decmber 2013", "2016-2015", "31 February 2013", "2013/2014", "March 2014 – December 2013",
            "2011-2012-2013", "Septmber 2010", "2200"),
}
RU = {
    "labels": ("Направление", "Поднаправление", "Стадия", "Тип", "Дата"),
    "page_title": "Тематическое направление {n}",
    "intro": ("Кластерная политика является одним из эффективных инструментов развития территорий и регионов.",
              "Фонд «Центр стратегических разработок «Северо-Запад» был одним из инициаторов этой поддержки."),
    "ongoing": "Текущие проекты",
    "directions": ("Пространственное развитие", "Экономическое развитие", "Социальное развитие",
                   "Государственное управление"),
    "subdirections": ("Кластеры и кластерная политика", "Стратегии регионального развития",
                      "Муниципальное развитие", "Инновационная политика"),
    "types": ("Разработка", "Проекты развития", "Исследование", "Группа проектов"),
    "odd_type": "Консалтинг",
    "current": "Текущий проект",
    "completed": "Завершенный проект",
    "subjects": ("Развитие инновационного кластера", "Стратегия социально-экономического развития",
                 "Технологический аудит территориального кластера", "Концепция технопарка",
                 "Программа поддержки медицинского и фармацевтического кластера",
                 "Консультационное сопровождение развития", "Обоснование создания индустриального парка",
                 "Оценка инвестиционного климата", "Мониторинг муниципальной программы",
                 "Проект концепции судостроительного кластера"),
    "places": ("г. Саров", "г. Железногорск", "г. Димитровград", "Ленинградской области", "Санкт-Петербурге",
               "Хабаровском крае", "Вологодской области", "Мурманской области", "г. Гатчина", "Калининграде",
               "Республике Карелия", "г. Псков", "Новгородской области", "г. Архангельск", "г. Томск"),
    "title": "{subject} в {place} (№ {n})",
    "months": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
               "октябрь", "ноябрь", "декабрь"),
    "open": ("{y} – по настоящее время", "с {y} г.", "{y} – н.в.", "с {y} года"),
    "bad": ("декабр 2013", "2016-2015", "31 февраля 2013", "2013/2014", "март 2014 – декабрь 2013",
            "2011-2012-2013", "сентябр 2010", "2200"),
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


@dataclass
class Generated:
    pages: list[tuple[str, str]] = field(default_factory=list)
    """(listing URL, text) per page."""
    projects: int = 0
    russian: int = 0
    bad_titles: set[str] = field(default_factory=set)


def listing_page(page_no: int, first: int, count: int, rng: random.Random, out: Generated) -> tuple[str, str]:
    """One listing page of `count` projects numbered from `first`, in the site's text rendering."""
    russian = page_no % 4 == 1
    words = RU if russian else EN
    url = (f"http://csr-nw.ru/area_of_activity/x/thematic_areas/area-{page_no}/" if russian
           else f"http://csr-nw.ru/en/area_of_activity/x/thematic_areas/area-{page_no}/")
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
        title = words["title"].format(subject=rng.choice(words["subjects"]), place=rng.choice(words["places"]), n=n)
        if rng.random() < BAD_DATE_SHARE:
            date_text = rng.choice(words["bad"])
            out.bad_titles.add(title)
        elif section is None:
            date_text = rng.choice(words["open"]).format(y=rng.randint(2008, 2019))
        else:
            date_text = closed_date(words, section, rng)
        fields = [(direction, rng.choice(words["directions"])),
                  (subdirection, rng.choice(words["subdirections"])),
                  (stage, words["current"] if section is None else words["completed"]),
                  (type_, rng.choice(words["types"]) if rng.random() > 0.01 else words["odd_type"]),
                  (date_, date_text)]
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
    for page_no, first in enumerate(range(0, size, per_page)):
        out.pages.append(listing_page(page_no, first, min(per_page, size - first), rng, out))
    return out


def store_raw(generated: Generated, raw_dir: Path) -> int:
    """Write the pages into raw/ through RawStore.put, saving the manifest once; bytes written."""
    store = RawStore(raw_dir)
    store.save_every = 10 ** 9
    total = 0
    for url, text in generated.pages:
        body = text.encode("utf-8")
        total += len(body)
        store.put(body, url=url, content_type="text/plain", kind="listing", complete=True, charset="utf-8",
                  source="bench/build.py")
    store.flush()
    return total


# --- the child: one size, fresh process ------------------------------------------------------

def rss_now_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2 ** 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def stage_split(raw_dir: Path, out_dir: Path) -> tuple[dict[str, float], object]:
    """The steps of run_build, each timed: the same functions build.py calls, in the same order,
    with cycle collection paused as run_build pauses it."""
    with _no_cycle_collection():
        return _stage_split(raw_dir, out_dir)


def _stage_split(raw_dir: Path, out_dir: Path) -> tuple[dict[str, float], object]:
    times: dict[str, float] = {}
    t = time.perf_counter()
    store = RawStore(raw_dir)
    captures = read_captures(store)
    times["read"] = time.perf_counter() - t

    t = time.perf_counter()
    pages, load_rejects = [], []
    for capture, body in captures:  # as build_tables does
        try:
            pages.append(load_page(body, capture.content_type, capture.url, charset=capture.charset,
                                   kind=capture.kind, source_sha256=capture.sha256, complete=capture.complete))
        except PageError as exc:
            load_rejects.append(_load_reject(capture, body, str(exc)))
    times["load"] = time.perf_counter() - t

    t = time.perf_counter()  # as process_pages does
    records, notes = [], []
    for page in pages:
        parsed = parse_page(page)
        records += parsed.records
        notes += parsed.notes
    times["parse"] = time.perf_counter() - t

    t = time.perf_counter()
    normalised = normalise(records, notes)
    times["normalise"] = time.perf_counter() - t

    t = time.perf_counter()
    checked = check(normalised.candidates)
    times["validate"] = time.perf_counter() - t

    tables = {"projects": checked.rows, "rejects": load_rejects + normalised.rejects + checked.rejects,
              "warnings": normalised.warnings + checked.warnings}
    built_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    t = time.perf_counter()
    publish(out_dir, tables, {"built_at": built_at}, {"source": "bench", "built_at": built_at})
    times["publish"] = time.perf_counter() - t
    return times, tables


def naive_publish(out_dir: Path, tables: dict[str, list[dict[str, object]]]) -> float:
    """The alternative: pandas.DataFrame(rows).to_parquet() per table, defaults, no schema, no swap."""
    import pandas as pd

    t = time.perf_counter()
    for name, rows in tables.items():
        target = out_dir / name
        target.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_parquet(target / "part-0.parquet")
    return time.perf_counter() - t


def dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2 ** 20


def child(raw_dir: Path, work: Path, repeats: int) -> dict[str, object]:
    import pyarrow.parquet as pq

    base_mb = rss_now_mb()
    out_dir = work / "processed"
    gc_seconds = [0.0]
    gc_started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_seconds[0] += time.perf_counter() - gc_started[0]

    gc.callbacks.append(on_gc)
    runs, output = [], None
    for _ in range(repeats):
        output = None  # let the previous run's tables go first, so peak RSS is one build's
        gc_seconds[0] = 0.0
        t, cpu = time.perf_counter(), time.process_time()
        output = run_build(raw_dir, out_dir)
        runs.append((time.perf_counter() - t, time.process_time() - cpu, gc_seconds[0]))
    gc.callbacks.remove(on_gc)
    peak_mb = peak_rss_mb()  # before anything else runs in this process
    seconds, cpu_seconds, gc_time = min(runs)
    summary = output.summary()  # type: ignore[union-attr]
    written = {name: pq.read_metadata(out_dir / name / "part-0.parquet").num_rows
               for name in ("projects", "rejects", "warnings")}
    rejects = pq.read_table(out_dir / "rejects", columns=["title", "step", "reason"]).to_pylist()
    del output

    stages, tables = stage_split(raw_dir, work / "processed-split")
    naive_dir = work / "processed-naive"
    naive_seconds = naive_publish(naive_dir, tables)
    for _ in range(repeats - 1):  # best of `repeats` for both publishes, as for run_build
        t = time.perf_counter()
        publish(work / "processed-split", tables, {"built_at": "bench"}, {"source": "bench", "built_at": "bench"})
        stages["publish"] = min(stages["publish"], time.perf_counter() - t)
        naive_seconds = min(naive_seconds, naive_publish(naive_dir, tables))
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "gc_seconds": gc_time, "base_mb": base_mb, "peak_mb": peak_mb,
            "summary": summary, "written": written, "rejects": rejects, "stages": stages,
            "naive_publish": naive_seconds, "our_mb": dir_mb(out_dir), "naive_mb": dir_mb(naive_dir)}


def profile(raw_dir: Path, work: Path, top: int = 25) -> str:
    """cProfile of a warm run_build (a first, unprofiled run pays the one-off imports and regex compiles)."""
    run_build(raw_dir, work / "processed-profile")
    profiler = cProfile.Profile()
    profiler.enable()
    run_build(raw_dir, work / "processed-profile")
    profiler.disable()
    text = io.StringIO()
    for order in ("tottime", "cumulative"):
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(top)
    return text.getvalue()


# --- the parent --------------------------------------------------------------------------

def run_size(size: int, root: Path, repeats: int) -> tuple[Generated, int, dict[str, object]]:
    generated = generate(size)
    raw_dir, work = root / f"raw-{size}", root / f"work-{size}"
    raw_bytes = store_raw(generated, raw_dir)
    work.mkdir()
    done = subprocess.run([sys.executable, __file__, CHILD_FLAG, str(raw_dir), str(work), str(repeats)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"size {size}: child failed with exit code {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    shutil.rmtree(raw_dir, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    return generated, raw_bytes, result


def verify(size: int, generated: Generated, result: dict) -> list[str]:
    """Problems with the output: nothing lost, and exactly the bad dates rejected."""
    problems = []
    rows, rejects = result["written"]["projects"], result["written"]["rejects"]
    if rows + rejects != generated.projects:
        problems.append(f"rows {rows} + rejects {rejects} != {generated.projects} projects generated")
    rejected = {r["title"] for r in result["rejects"]}
    if rejects != len(generated.bad_titles) or rejected != generated.bad_titles:
        problems.append(f"{rejects} rejects, {len(generated.bad_titles)} bad dates generated; "
                        f"{len(rejected - generated.bad_titles)} rejected with a good date, "
                        f"{len(generated.bad_titles - rejected)} bad dates not rejected")
    wrong = [r for r in result["rejects"] if r["step"] != "normalise" or not r["reason"].startswith("date:")]
    if wrong:
        problems.append(f"{len(wrong)} rejects not for their date, e.g. {wrong[0]}")
    if result["summary"]["projects"] != rows or result["summary"]["rejects"] != rejects:
        problems.append(f"run_build summary {result['summary']} differs from the Parquet written {result['written']}")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD_FLAG]:
        raw_dir, work, repeats = Path(argv[1]), Path(argv[2]), int(argv[3])
        print(json.dumps(child(raw_dir, work, repeats)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=3, help="best of N timed run_build calls per size")
    parser.add_argument("--profile", type=int, metavar="SIZE", help="also cProfile one run_build of SIZE projects")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="bench-build-"))
    results: dict[int, tuple[Generated, int, dict]] = {}
    failures = 0
    try:
        print(f"run_build(raw_dir, out_dir) on synthetic listings, <= {PAGE_SIZE} projects a page, best of "
              f"{args.repeats}; each size in a fresh process")
        print(f"{'projects':>9} {'pages':>5} {'ru':>6} {'raw MB':>7} {'seconds':>8} {'cpu s':>7} {'proj/s':>9} {'base MB':>8} "
              f"{'peak MB':>8} {'gc s':>6} {'rows':>7} {'rejects':>7} {'bad':>5} {'warnings':>8}  check")
        for size in args.sizes:
            generated, raw_bytes, result = run_size(size, root, args.repeats)
            results[size] = (generated, raw_bytes, result)
            problems = verify(size, generated, result)
            failures += bool(problems)
            w = result["written"]
            print(f"{size:>9,} {len(generated.pages):>5} {generated.russian:>6,} {raw_bytes / 2**20:>7.1f} "
                  f"{result['seconds']:>8.3f} {result['cpu_seconds']:>7.3f} {size / result['seconds']:>9,.0f} {result['base_mb']:>8.0f} "
                  f"{result['peak_mb']:>8.0f} {result['gc_seconds']:>6.2f} {w['projects']:>7,} {w['rejects']:>7,} "
                  f"{len(generated.bad_titles):>5} {w['warnings']:>8,}  {'ok' if not problems else 'WRONG'}")
            for problem in problems:
                print(f"{'':>10}WRONG: {problem}")

        print("\nstage split (one more run of the same functions, one by one, wall seconds; share of their sum;\n"
              "publish best of the repeats)")
        names = ("read", "load", "parse", "normalise", "validate", "publish")
        print(f"{'projects':>9} " + " ".join(f"{n:>15}" for n in names))
        for size, (_, _, result) in results.items():
            stages = result["stages"]
            total = sum(stages.values())
            print(f"{size:>9,} " + " ".join(f"{stages[n]:>7.3f} ({100 * stages[n] / total:>3.0f}%)" for n in names))

        print("\nalternative: our publish (typed schema, dictionary columns, zstd, staged swap) vs naive\n"
              "pandas.DataFrame(rows).to_parquet() of the same 3 tables (inferred types, snappy, no swap)")
        print(f"{'projects':>9} {'ours s':>8} {'naive s':>8} {'ours/naive':>10} {'ours MB':>8} {'naive MB':>8}")
        for size, (_, _, result) in results.items():
            ours, naive = result["stages"]["publish"], result["naive_publish"]
            print(f"{size:>9,} {ours:>8.3f} {naive:>8.3f} {ours / naive:>9.2f}x {result['our_mb']:>8.2f} "
                  f"{result['naive_mb']:>8.2f}")

        print()
        verdicts = []
        if 10000 in results and 100000 in results:
            ratio = results[100000][2]["seconds"] / results[10000][2]["seconds"]
            cpu_ratio = results[100000][2]["cpu_seconds"] / results[10000][2]["cpu_seconds"]
            print(f"time(100k) / time(10k) = {ratio:.2f} wall, {cpu_ratio:.2f} cpu")
            verdicts.append((ratio <= TARGET_RATIO, f"linear growth: time(100k) <= {TARGET_RATIO:.0f}x time(10k) "
                                                    f"({ratio:.2f}x)"))
        if 100000 in results:
            r = results[100000][2]
            verdicts.append((r["seconds"] < TARGET_SECONDS, f"100k under {TARGET_SECONDS:.0f} s ({r['seconds']:.2f} s)"))
            verdicts.append((r["peak_mb"] < TARGET_MB, f"100k under 1 GB peak RSS ({r['peak_mb']:.0f} MB)"))
        verdicts.append((failures == 0, "correctness: rows + rejects == generated, rejects == the bad dates, "
                                        "at every size"))
        for ok, text in verdicts:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")

        if args.profile:
            generated = generate(args.profile)
            raw_dir, work = root / "raw-profile", root / "work-profile"
            store_raw(generated, raw_dir)
            work.mkdir()
            print(f"\ncProfile of run_build on {args.profile:,} projects")
            print(profile(raw_dir, work))
        return 0 if all(ok for ok, _ in verdicts) else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
