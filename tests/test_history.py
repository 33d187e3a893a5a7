"""pipeline.history: changes between publishes, the history of every dataset, the run log, and `run_build`
end to end (publish, unchanged, a changed field, reading an earlier run back)."""

import hashlib
import random
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rows import project_row

from pipeline.build import run_build
from pipeline.history import (
    append_run,
    as_of,
    change_lines,
    new_run_id,
    project_changes,
    read_as_of,
    read_changes,
    read_runs,
    run_line,
    updated_history,
)
from pipeline.parquet import dataset_file, read_rows, write_rows
from pipeline.rawstore import RawStore
from pipeline.schema import CHANGES, PROJECTS, RUNS, WARNINGS, Row, history_of

T0 = datetime(2026, 11, 28, 3, 17, 5, tzinfo=UTC)
RUN1, RUN2, RUN3 = (new_run_id(T0 + timedelta(days=day)) for day in range(3))
RUN = RUN1
LISTING = "http://csr-nw.ru/en/area_of_activity/a/"
DETAIL = "http://csr-nw.ru/en/projects/2015/alpha/"


def project(project_id: str = "2015/alpha", language: str = "en", title: str = "Alpha", **changes: object) -> Row:
    return project_row(project_id=project_id, language=language, title=title, listing_url=LISTING, **changes)


def warning(message: str, line: int = 7) -> Row:
    return WARNINGS.row(
        code="unknown-label", message=message, subject=None, project_id=None, language="en", page_url=LISTING, line=line
    )


def shape(changes: list[Row]) -> list[tuple[object, ...]]:
    """Changes without their run id, which every test checks separately."""
    return [(c["project_id"], c["language"], c["change"], c["field"], c["old"], c["new"]) for c in changes]


def multiset(rows: list[Row]) -> Counter:
    return Counter(tuple((name, _hashable(value)) for name, value in row.items()) for row in rows)


def _hashable(value: object) -> object:
    """List columns come back as lists from pyarrow and as arrays from pandas: both as tuples."""
    return tuple(value) if hasattr(value, "__len__") and not isinstance(value, str) else value


# -- project_changes ------------------------------------------------------------------------------------------------

ALPHA, BETA = (
    project(),
    project(
        "2016/beta",
        title="Beta",
        date_text="2016",
        start_date=date(2016, 1, 1),
        end_date=date(2016, 12, 31),
        listing_section="2016",
    ),
)
ALPHA_BY_TITLE = project("title/alpha", detail_url=None)
ALPHA_WITH_DETAIL = project(detail_url=DETAIL)


@pytest.mark.parametrize(
    "previous, new, expected",
    [
        pytest.param([ALPHA, BETA], [ALPHA, BETA], [], id="unchanged-rows-give-nothing"),
        pytest.param([ALPHA, BETA], [BETA, ALPHA], [], id="order-does-not-matter"),
        pytest.param([], [ALPHA], [("2015/alpha", "en", "added", None, None, None)], id="added"),
        pytest.param([ALPHA, BETA], [BETA], [("2015/alpha", "en", "removed", None, None, None)], id="removed"),
        pytest.param(
            [ALPHA],
            [project(date_text="2014-2015", start_date=date(2014, 1, 1))],
            [
                ("2015/alpha", "en", "changed", "date_text", "2015", "2014-2015"),
                ("2015/alpha", "en", "changed", "start_date", "2015-01-01", "2014-01-01"),
            ],
            id="changed-date-as-iso-text",
        ),
        pytest.param(
            [ALPHA],
            [
                project(
                    stage="Current project",
                    status="ongoing",
                    open_ended=True,
                    end_date=None,
                    end_precision=None,
                    date_text="2015 – until present",
                )
            ],
            [
                ("2015/alpha", "en", "changed", "date_text", "2015", "2015 – until present"),
                ("2015/alpha", "en", "changed", "end_date", "2015-12-31", None),
                ("2015/alpha", "en", "changed", "end_precision", "year", None),
                ("2015/alpha", "en", "changed", "open_ended", "false", "true"),
                ("2015/alpha", "en", "changed", "stage", "Completed project", "Current project"),
                ("2015/alpha", "en", "changed", "status", "completed", "ongoing"),
            ],
            id="booleans-as-true-false-and-null-stays-null",
        ),
        pytest.param(
            [ALPHA],
            [project(description="About it.\n- item")],
            [
                ("2015/alpha", "en", "changed", "description", None, "About it.\n- item"),
            ],
            id="null-to-value",
        ),
        pytest.param(
            [ALPHA, project(language="ru", title="Альфа")],
            [ALPHA, project(language="ru", title="Альфа", direction="Пространственное развитие")],
            [
                ("2015/alpha", "ru", "changed", "direction", "Spatial Development", "Пространственное развитие"),
            ],
            id="only-the-language-that-changed",
        ),
        pytest.param(
            [ALPHA_BY_TITLE],
            [project()],
            [
                ("2015/alpha", "en", "rekeyed", "project_id", "title/alpha", "2015/alpha"),
            ],
            id="rekeyed-alone-is-one-row",
        ),
        pytest.param(
            [ALPHA_BY_TITLE, BETA],
            [BETA, ALPHA_WITH_DETAIL],
            [
                ("2015/alpha", "en", "changed", "detail_url", None, DETAIL),
                ("2015/alpha", "en", "rekeyed", "project_id", "title/alpha", "2015/alpha"),
            ],
            id="rekeyed-with-its-field-changes",
        ),
        pytest.param(
            [ALPHA_BY_TITLE],
            [project(language="ru")],
            [
                ("2015/alpha", "ru", "added", None, None, None),
                ("title/alpha", "en", "removed", None, None, None),
            ],
            id="same-title-other-language-is-not-rekeyed",
        ),
        pytest.param(
            [project("title/alpha", language="ru")],
            [project()],
            [
                ("2015/alpha", "en", "added", None, None, None),
                ("title/alpha", "ru", "removed", None, None, None),
            ],
            id="same-title-other-language-is-not-rekeyed-either-way",
        ),
        pytest.param(
            [ALPHA_BY_TITLE],
            [project(title="Alpha, revised")],
            [
                ("2015/alpha", "en", "added", None, None, None),
                ("title/alpha", "en", "removed", None, None, None),
            ],
            id="other-title-is-not-rekeyed",
        ),
        pytest.param(
            [project("2014/alpha")],
            [project()],
            [
                ("2014/alpha", "en", "removed", None, None, None),
                ("2015/alpha", "en", "added", None, None, None),
            ],
            id="only-title-ids-are-rekeyed",
        ),
    ],
)
def test_project_changes(previous, new, expected):
    changes = project_changes(previous, new, RUN)
    assert shape(changes) == expected
    assert all(change["run_id"] == RUN for change in changes)
    assert all(list(change) == CHANGES.column_names for change in changes)


def test_project_changes_are_sorted_the_same_whatever_the_input_order():
    previous = [
        ALPHA_BY_TITLE,
        BETA,
        project("2013/gamma", title="Gamma"),
        project("2012/delta", title="Delta"),
        project("2016/beta", language="ru", title="Бета"),
    ]
    new = [
        ALPHA_WITH_DETAIL,
        project(
            "2016/beta",
            title="Beta",
            date_text="2016",
            start_date=date(2016, 1, 1),
            end_date=date(2016, 12, 31),
            listing_section="2016",
            description="New.",
        ),
        project("2012/delta", title="Delta", stage="Current project", status="ongoing"),
        project("2017/epsilon", title="Epsilon"),
        project("2016/beta", language="ru", title="Бета"),
    ]
    expected = project_changes(previous, new, RUN)
    assert [(c["project_id"], c["language"], c["field"] or "") for c in expected] == sorted(
        (c["project_id"], c["language"], c["field"] or "") for c in expected
    )
    assert {c["change"] for c in expected} == {"added", "removed", "changed", "rekeyed"}
    for seed in range(5):
        shuffled_previous, shuffled_new = previous[:], new[:]
        random.Random(seed).shuffle(shuffled_previous)
        random.Random(seed + 100).shuffle(shuffled_new)
        assert project_changes(shuffled_previous, shuffled_new, RUN) == expected


# -- updated_history and as_of ---------------------------------------------------------------------------------------

KEPT = project("2011/kept", title="Kept throughout")
EDITED = project("2014/edited", title="Edited")
EDITED_AFTER = project("2014/edited", title="Edited", description="Now with a description.")
DROPPED = project("2013/dropped", title="Dropped in the third run")
SECOND = project("2016/second", title="Added by the second run")
THIRD = project("2017/third", title="Added by the third run")
SAME_TWICE = warning("unknown label 'Partner' in 'Kept throughout' (value 'Acme') kept out of the record")
LATER = warning("unknown label 'Colour' in 'Edited' (value 'Blue') kept out of the record", line=12)

PUBLISHES = [
    (RUN1, {"projects": [KEPT, EDITED, DROPPED], "warnings": [SAME_TWICE, SAME_TWICE]}),
    (RUN2, {"projects": [KEPT, EDITED_AFTER, DROPPED, SECOND], "warnings": [SAME_TWICE, LATER, SAME_TWICE]}),
    (RUN3, {"projects": [SECOND, THIRD, KEPT, EDITED_AFTER], "warnings": [SAME_TWICE]}),
]
DATASETS = {"projects": PROJECTS, "warnings": WARNINGS}


def history_after(publishes: list[tuple[str, dict[str, list[Row]]]]) -> dict[str, list[Row]]:
    history: dict[str, list[Row]] = {name: [] for name in DATASETS}
    for run_id, tables in publishes:
        for name, dataset in DATASETS.items():
            history[name] = updated_history(history[name], dataset, tables[name], run_id)
    return history


def at(day: int, microseconds: int = 0) -> str:
    return new_run_id(T0 + timedelta(days=day, microseconds=microseconds))


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize(
    "run_id, published",
    [
        pytest.param(at(0, -1), None, id="before-the-first-run"),
        pytest.param(RUN1, 0, id="run-1"),
        pytest.param(at(0, 1), 0, id="a-microsecond-after-run-1"),
        pytest.param(at(1, -1), 0, id="a-microsecond-before-run-2"),
        pytest.param(RUN2, 1, id="run-2"),
        pytest.param(at(1, 12 * 3600 * 10**6), 1, id="between-run-2-and-run-3"),
        pytest.param(RUN3, 2, id="run-3"),
        pytest.param(at(30), 2, id="after-the-last-run"),
    ],
)
def test_as_of_gives_exactly_the_rows_a_run_published(name, run_id, published):
    dataset = DATASETS[name]
    rows = as_of(history_after(PUBLISHES)[name], dataset, run_id)
    expected = [] if published is None else PUBLISHES[published][1][name]
    assert multiset(rows) == multiset(expected)
    assert all(list(row) == dataset.column_names for row in rows)


def validity(history: list[Row], label: str) -> Counter:
    return Counter((row[label], row["valid_from_run"], row["valid_to_run"]) for row in history)


def test_history_keeps_each_version_with_the_runs_it_was_current_for():
    history = history_after(PUBLISHES)
    projects = history["projects"]
    assert validity(projects, "title") == Counter(
        [
            ("Kept throughout", RUN1, None),
            ("Edited", RUN1, RUN2),
            ("Edited", RUN2, None),
            ("Dropped in the third run", RUN1, RUN3),
            ("Added by the second run", RUN2, None),
            ("Added by the third run", RUN3, None),
        ]
    )
    edited = {row["valid_from_run"]: row["description"] for row in projects if row["title"] == "Edited"}
    assert edited == {RUN1: None, RUN2: "Now with a description."}
    assert validity(history["warnings"], "message") == Counter(
        [
            (SAME_TWICE["message"], RUN1, None),
            (SAME_TWICE["message"], RUN1, RUN3),
            (LATER["message"], RUN2, RUN3),
        ]
    )
    for name, dataset in DATASETS.items():  # every version is a valid history row
        assert [history_of(dataset).row(**row) for row in history[name]] == history[name]


def test_publishing_the_same_rows_again_changes_no_version():
    history = history_after(PUBLISHES)
    for name, dataset in DATASETS.items():
        again = updated_history(history[name], dataset, PUBLISHES[-1][1][name][::-1], at(3))
        assert again == history[name]


def test_a_row_that_comes_back_is_a_new_version_and_the_gap_stays():
    history: list[Row] = []
    for run_id, rows in [(RUN1, [KEPT]), (RUN2, []), (RUN3, [KEPT])]:
        history = updated_history(history, PROJECTS, rows, run_id)
    assert validity(history, "title") == Counter([("Kept throughout", RUN1, RUN2), ("Kept throughout", RUN3, None)])
    assert [as_of(history, PROJECTS, run) for run in (RUN1, RUN2, RUN3)] == [[KEPT], [], [KEPT]]


# -- run ids ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "started_at, expected",
    [
        (datetime(2026, 11, 28, 3, 17, 5, 123456, tzinfo=UTC), "20261128T031705.123456Z"),
        (datetime(2026, 1, 2, 0, 0, 0, tzinfo=UTC), "20260102T000000.000000Z"),
        (datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "20261231T235959.999999Z"),
    ],
)
def test_new_run_id_is_the_utc_start_to_the_microsecond(started_at, expected):
    assert new_run_id(started_at) == expected


def test_run_ids_sort_in_time_order_to_the_microsecond():
    base = datetime(2026, 12, 31, 9, 59, 59, 999998, tzinfo=UTC)
    steps = [
        timedelta(0),
        timedelta(microseconds=1),
        timedelta(microseconds=2),
        timedelta(microseconds=3),
        timedelta(seconds=1),
        timedelta(hours=1),
        timedelta(hours=15),
        timedelta(days=1),
        timedelta(days=400),
    ]
    ids = [new_run_id(base + step) for step in steps]
    shuffled = ids[:]
    random.Random(9).shuffle(shuffled)
    assert sorted(shuffled) == ids
    assert len(set(ids)) == len(ids)


def test_run_ids_of_times_given_in_other_zones_are_their_utc_times_and_sort_in_time_order():
    moscow = timezone(timedelta(hours=3))
    earlier = datetime(2026, 11, 28, 10, 0, tzinfo=moscow)  # 07:00 UTC
    later = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert new_run_id(earlier) == "20261128T070000.000000Z"
    assert new_run_id(earlier) < new_run_id(later)


# -- the run log, changes and history on disk -----------------------------------------------------------------------


def run_row(
    run_id: str,
    started_at: datetime,
    *,
    outcome: str = "published",
    forced: bool = False,
    reason: str | None = None,
    pages: tuple[int, int, int] | None = None,
    mode: str = "build",
    counts: tuple[int, int, int] = (3, 0, 1),
) -> Row:
    fetched, not_modified, failed = pages or (None, None, None)
    return RUNS.row(
        run_id=run_id,
        started_at=started_at,
        finished_at=started_at + timedelta(seconds=2),
        mode=mode,
        pages_fetched=fetched,
        pages_not_modified=not_modified,
        pages_failed=failed,
        records=counts[0],
        rejects=counts[1],
        warnings=counts[2],
        outcome=outcome,
        published=outcome == "published",
        forced=forced,
        reason=reason,
    )


RUN_ROWS = [
    run_row(RUN1, T0),
    run_row(
        RUN2,
        T0 + timedelta(days=1),
        mode="refresh",
        pages=(7, 2, 1),
        outcome="unchanged",
        reason="no row of any dataset changed",
    ),
    run_row(
        RUN3,
        T0 + timedelta(days=2),
        outcome="refused",
        reason="listing http://x/ yields no project (it had 3)",
        counts=(0, 2, 5),
    ),
]


def frame_rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A pandas frame as plain rows, missing values as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_runs_appended_read_back_alike_with_pyarrow_and_pandas(tmp_path):
    out = tmp_path / "processed"
    assert read_runs(out) == []
    for run in RUN_ROWS:
        append_run(out, run)
    assert read_runs(out) == RUN_ROWS

    table = pq.read_table(out / "runs.parquet")
    assert table.schema.names == RUNS.column_names
    for field in RUNS.arrow_schema():
        written = table.schema.field(field.name)
        if pa.types.is_timestamp(field.type):  # Parquet has no seconds unit: pyarrow stores them as ms
            assert pa.types.is_timestamp(written.type) and written.type.tz == "UTC", field.name
        else:
            assert written.type == field.type, field.name
        assert written.nullable == field.nullable, field.name
    assert table.to_pylist() == RUN_ROWS
    assert all(run["started_at"].utcoffset() == timedelta(0) for run in read_runs(out))

    frame = pd.read_parquet(out / "runs.parquet")
    assert frame_rows(frame) == RUN_ROWS
    for name in ("started_at", "finished_at"):
        assert isinstance(frame[name].dtype, pd.DatetimeTZDtype) and str(frame[name].dtype.tz) == "UTC"
    assert frame["started_at"].tolist() == [pd.Timestamp(run["started_at"]) for run in RUN_ROWS]
    assert {str(frame[name].dtype) for name in ("records", "rejects", "warnings")} == {"int32"}
    assert {str(frame[name].dtype) for name in ("published", "forced")} == {"bool"}
    assert frame["pages_fetched"].isna().tolist() == [True, False, True]


def test_append_run_keeps_every_earlier_run_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "processed"
    write_rows(out / "runs.parquet", RUNS, RUN_ROWS[:2])  # a log that already exists
    append_run(out, RUN_ROWS[2])
    assert read_runs(out) == RUN_ROWS
    assert pd.read_parquet(out / "runs.parquet")["run_id"].tolist() == [RUN1, RUN2, RUN3]
    assert sorted(path.name for path in out.iterdir()) == ["runs.parquet"]


def test_a_run_that_cannot_be_written_leaves_the_earlier_log_whole(tmp_path):
    out = tmp_path / "processed"
    for run in RUN_ROWS[:2]:
        append_run(out, run)
    before = (out / "runs.parquet").read_bytes()
    with pytest.raises(pa.ArrowException):
        append_run(out, {**RUN_ROWS[2], "records": "three"})
    assert (out / "runs.parquet").read_bytes() == before
    assert read_runs(out) == RUN_ROWS[:2]
    assert sorted(path.name for path in out.iterdir()) == ["runs.parquet"]


CHANGE_TABLES = [(RUN1, [KEPT, EDITED]), (RUN2, [KEPT, EDITED_AFTER, SECOND]), (RUN3, [EDITED_AFTER, SECOND])]


def write_change_files(out: Path) -> dict[str, list[Row]]:
    """One changes file per publish, as publish writes them; the changes of each run."""
    written, previous = {}, []
    for run_id, projects in CHANGE_TABLES:
        written[run_id] = project_changes(previous, projects, run_id)
        write_rows(out / "changes" / f"part-{run_id}.parquet", CHANGES, written[run_id])
        previous = projects
    return written


@pytest.mark.parametrize(
    "since, runs",
    [
        pytest.param(None, [RUN1, RUN2, RUN3], id="all"),
        pytest.param(at(0, -1), [RUN1, RUN2, RUN3], id="since-before-the-first"),
        pytest.param(RUN1, [RUN2, RUN3], id="since-run-1"),
        pytest.param(at(1, -1), [RUN2, RUN3], id="since-between-run-1-and-2"),
        pytest.param(RUN2, [RUN3], id="since-run-2"),
        pytest.param(RUN3, [], id="since-the-last"),
    ],
)
def test_read_changes_since_a_run(tmp_path, since, runs):
    written = write_change_files(tmp_path)
    assert [len(written[run_id]) for run_id in (RUN1, RUN2, RUN3)] == [2, 2, 1]  # every run changed something
    changes = read_changes(tmp_path, since)
    assert changes == [change for run_id in runs for change in written[run_id]]
    frame = pd.read_parquet(tmp_path / "changes")
    from_pandas = [row for row in frame_rows(frame) if since is None or row["run_id"] > since]
    assert multiset(from_pandas) == multiset(changes)


def test_read_changes_without_any_publish_is_empty(tmp_path):
    assert read_changes(tmp_path) == []
    assert read_changes(tmp_path, since=RUN1) == []


def write_history_and_log(out: Path) -> None:
    """The three publishes of PUBLISHES on disk, with an unchanged run logged between the second and the third."""
    history: dict[str, list[Row]] = {name: [] for name in DATASETS}
    for index, (run_id, tables) in enumerate(PUBLISHES):
        for name, dataset in DATASETS.items():
            history[name] = updated_history(history[name], dataset, tables[name], run_id)
            write_rows(dataset_file(out, history_of(dataset)), history_of(dataset), history[name])
        append_run(out, run_row(run_id, T0 + timedelta(days=index)))
        if index == 1:
            append_run(out, run_row(at(1, 5), T0 + timedelta(days=1, hours=1), outcome="unchanged"))


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize(
    "run_id, published",
    [
        pytest.param(RUN1, 0, id="run-1"),
        pytest.param(RUN2, 1, id="run-2"),
        pytest.param(at(1, 5), 1, id="an-unchanged-run-after-run-2"),
        pytest.param(RUN3, 2, id="run-3"),
    ],
)
def test_read_as_of_reads_a_dataset_as_an_earlier_run_left_it(tmp_path, name, run_id, published):
    write_history_and_log(tmp_path)
    rows = read_as_of(tmp_path, DATASETS[name], run_id)
    assert multiset(rows) == multiset(PUBLISHES[published][1][name])
    history = frame_rows(pd.read_parquet(tmp_path / "history" / name))
    current = [
        {key: row[key] for key in DATASETS[name].column_names}
        for row in history
        if row["valid_from_run"] <= run_id and (row["valid_to_run"] is None or row["valid_to_run"] > run_id)
    ]
    assert multiset(current) == multiset(rows)


@pytest.mark.parametrize("run_id", [at(1, -1), "no-such-run", ""])
def test_read_as_of_a_run_the_log_does_not_know_names_it(tmp_path, run_id):
    write_history_and_log(tmp_path)
    with pytest.raises(LookupError, match=re.escape(repr(run_id))):
        read_as_of(tmp_path, PROJECTS, run_id)


# -- for people --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run, fragments, absent",
    [
        pytest.param(
            RUN_ROWS[0],
            [RUN1, "build", "published", "3 projects", "0 rejects"],
            ["forced", "pages", ": "],
            id="published",
        ),
        pytest.param(
            RUN_ROWS[1],
            [
                RUN2,
                "refresh",
                "unchanged",
                "pages 7 fetched / 2 not modified / 1 failed",
                ": no row of any dataset changed",
            ],
            ["forced"],
            id="unchanged-refresh",
        ),
        pytest.param(
            RUN_ROWS[2],
            [RUN3, "refused", "0 projects, 2 rejects, 5 warnings", ": listing http://x/ yields no project (it had 3)"],
            ["forced"],
            id="refused",
        ),
        pytest.param(
            run_row(RUN3, T0, forced=True, reason="listing http://x/ yields no project (it had 3)"),
            [RUN3, "published (forced)", ": listing http://x/ yields no project (it had 3)"],
            [],
            id="forced",
        ),
    ],
)
def test_run_line(run, fragments, absent):
    line = run_line(run)
    assert "\n" not in line and line.startswith(str(run["run_id"]))
    positions = [line.index(fragment) for fragment in fragments]
    assert positions == sorted(positions), line
    assert not [word for word in absent if word in line.removeprefix(str(run["run_id"]))]


def test_run_line_counts_agree_in_number():
    assert "1 project, 1 reject, 1 warning" in run_line(run_row(RUN1, T0, counts=(1, 1, 1)))


def change(field: str | None, old: str | None, new: str | None, kind: str = "changed") -> Row:
    return CHANGES.row(run_id=RUN, project_id="2015/alpha", language="en", change=kind, field=field, old=old, new=new)


@pytest.mark.parametrize(
    "row, expected",
    [
        pytest.param(change(None, None, None, "added"), f"{RUN}  2015/alpha [en] added", id="added"),
        pytest.param(change(None, None, None, "removed"), f"{RUN}  2015/alpha [en] removed", id="removed"),
        pytest.param(
            change("date_text", "2015", "2014-2015"),
            f"{RUN}  2015/alpha [en] changed date_text: 2015 → 2014-2015",
            id="changed",
        ),
        pytest.param(
            change("end_date", "2015-12-31", None),
            f"{RUN}  2015/alpha [en] changed end_date: 2015-12-31 → ∅",
            id="to-null",
        ),
        pytest.param(
            change("description", None, "One\ntwo"),
            f"{RUN}  2015/alpha [en] changed description: ∅ → One two",
            id="from-null-and-newline",
        ),
        pytest.param(
            change("project_id", "title/alpha", "2015/alpha", "rekeyed"),
            f"{RUN}  2015/alpha [en] rekeyed project_id: title/alpha → 2015/alpha",
            id="rekeyed",
        ),
        pytest.param(
            change("description", "x" * 60, "y" * 61),
            f"{RUN}  2015/alpha [en] changed description: {'x' * 60} → {'y' * 59}…",
            id="long-values-shortened",
        ),
    ],
)
def test_change_lines(row, expected):
    assert change_lines([row]) == [expected]


def test_change_lines_one_per_change_in_order():
    rows = [change(None, None, None, "added"), change("title", "A" * 500, "B")]
    lines = change_lines(rows)
    assert len(lines) == 2 and lines[0].endswith("added") and lines[1].endswith("… → B")
    assert len(lines[1]) < 200


# -- run_build end to end ---------------------------------------------------------------------------------------------

AREA_A = "http://csr-nw.ru/en/area_of_activity/a/"
AREA_B = "http://csr-nw.ru/en/area_of_activity/b/"


def entry(title: str, stage: str, date_text: str, label: str = "Stage") -> str:
    return (
        f"{title}\n- Direction:\n- Spatial Development\n- {label}:\n- {stage}\n- Type:\n- Development\n"
        f"- Date:\n- {date_text}\n"
    )


def listing_a(label: str = "Stage") -> bytes:
    return (
        "Area one\nAn introduction.\nOngoing\n"
        + entry("Project A", "Current project", "2011 – until present", label)
        + "2016\n"
        + entry("Project B", "Completed project", "2015-2016", label)
    ).encode()


def listing_b(date_text: str = "2015") -> bytes:
    return ("Area two\nAnother introduction.\n2015\n" + entry("Project C", "Completed project", date_text)).encode()


def put_raw(raw: Path, *, date_c: str = "2015", label: str = "Stage") -> None:
    store = RawStore(raw)
    store.put(listing_a(label), url=AREA_A, content_type="text/plain", kind="listing")
    store.put(listing_b(date_c), url=AREA_B, content_type="text/plain", kind="listing")


def files(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


PROJECT_IDS = ["title/project-a", "title/project-b", "title/project-c"]


def test_a_first_build_publishes_every_row_as_added_and_current(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    put_raw(raw)
    result = run_build(raw, out)
    run_id = result.run["run_id"]
    assert result.outcome == "published"

    [run] = read_runs(out)
    assert (run["run_id"], run["outcome"], run["published"], run["forced"], run["records"]) == (
        run_id,
        "published",
        True,
        False,
        3,
    )
    assert pq.read_table(out / "runs.parquet").num_rows == 1 and len(pd.read_parquet(out / "runs.parquet")) == 1

    changes = read_changes(out)
    assert shape(changes) == [(pid, "en", "added", None, None, None) for pid in PROJECT_IDS]
    assert {change["run_id"] for change in changes} == {run_id}

    projects = read_rows(out, PROJECTS)
    assert projects is not None and sorted(row["project_id"] for row in projects) == PROJECT_IDS
    history = pq.read_table(out / "history" / "projects").to_pylist()
    assert {(row["valid_from_run"], row["valid_to_run"]) for row in history} == {(run_id, None)}
    assert multiset([{name: row[name] for name in PROJECTS.column_names} for row in history]) == multiset(projects)
    frame = pd.read_parquet(out / "history" / "projects")
    assert len(frame) == 3 and frame["valid_to_run"].isna().all() and (frame["valid_from_run"] == run_id).all()


def test_an_identical_build_rewrites_nothing_but_adds_its_run(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    put_raw(raw)
    first = run_build(raw, out)
    before = files(out)
    second = run_build(raw, out)
    after = files(out)

    assert second.outcome == "unchanged"
    assert after.keys() == before.keys()
    assert {name for name in before if before[name] != after[name]} == {"runs.parquet"}
    runs = read_runs(out)
    assert [(run["run_id"], run["outcome"], run["published"]) for run in runs] == [
        (first.run["run_id"], "published", True),
        (second.run["run_id"], "unchanged", False),
    ]
    assert pd.read_parquet(out / "runs.parquet")["published"].tolist() == [True, False]


def test_a_changed_date_is_published_as_that_change_and_earlier_runs_stay_readable(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    put_raw(raw)
    first = run_build(raw, out)
    first_projects = read_rows(out, PROJECTS)
    second = run_build(raw, out)
    put_raw(raw, date_c="2014-2015")
    third = run_build(raw, out)

    assert (second.outcome, third.outcome) == ("unchanged", "published")
    changes = read_changes(out, since=first.run["run_id"])
    assert shape(changes) == [
        ("title/project-c", "en", "changed", "date_text", "2015", "2014-2015"),
        (
            "title/project-c",
            "en",
            "changed",
            "source_sha256",
            hashlib.sha256(listing_b()).hexdigest(),
            hashlib.sha256(listing_b("2014-2015")).hexdigest(),
        ),
        ("title/project-c", "en", "changed", "start_date", "2015-01-01", "2014-01-01"),
    ]
    assert {change["run_id"] for change in changes} == {third.run["run_id"]}
    assert changes == third.changes
    every_change = read_changes(out)  # the first publish's changes are kept beside the third's
    assert every_change == first.changes + third.changes
    assert [change["change"] for change in every_change] == ["added"] * 3 + ["changed"] * 3

    assert first_projects is not None
    for run_id in (first.run["run_id"], second.run["run_id"]):
        assert multiset(read_as_of(out, PROJECTS, run_id)) == multiset(first_projects)
    assert multiset(read_as_of(out, PROJECTS, third.run["run_id"])) == multiset(third.output.projects)
    history = pq.read_table(out / "history" / "projects").to_pylist()
    assert Counter((row["project_id"], row["date_text"], row["valid_to_run"]) for row in history) == Counter(
        [
            ("title/project-a", "2011 – until present", None),
            ("title/project-b", "2015-2016", None),
            ("title/project-c", "2015", third.run["run_id"]),
            ("title/project-c", "2014-2015", None),
        ]
    )
