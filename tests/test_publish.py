import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rows import project_row

from pipeline.history import read_runs
from pipeline.publish import (
    MARKER,
    PublishError,
    check_out_dir,
    compare_outputs,
    json_lines,
    publish,
    read_published,
    remove_leftovers,
)
from pipeline.schema import DATASETS, PROJECTS, RUNS, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
ROW = project_row(
    project_id="2015/x",
    language="ru",
    title="Проект",
    direction=None,
    stage="Текущий проект",
    status="ongoing",
    project_type=None,
    date_text="с 2012 г.",
    start_date=date(2012, 1, 1),
    end_date=None,
    end_precision=None,
    open_ended=True,
    listing_section="Ongoing",
    listing_url=None,
    listing_sections=["Ongoing"],
    listing_urls=[],
    thematic_areas=["Регион"],
    source_sha256="abc",
)
METADATA = {"source": "raw manifest sha256 f00", "built_at": "2026-11-28T00:00:00+00:00"}


def run_row(run_id: str, **changes: object) -> dict[str, object]:
    """A run-log row for a published build."""
    moment = datetime(2026, 11, 28, tzinfo=UTC)
    values: dict[str, object] = dict(
        run_id=run_id,
        started_at=moment,
        finished_at=moment,
        mode="build",
        pages_fetched=None,
        pages_not_modified=None,
        pages_failed=None,
        records=1,
        rejects=0,
        warnings=0,
        outcome="published",
        published=True,
        forced=False,
        reason=None,
    )
    return RUNS.row(**{**values, **changes})


def tables(projects=(), rejects=(), warnings=()) -> dict[str, list]:
    return {"projects": list(projects), "rejects": list(rejects), "warnings": list(warnings), "project_places": []}


def publish_rows(target: Path, run_id: str, **rows: object) -> None:
    """Publish the given rows over whatever `target` holds, as run `run_id`."""
    publish(target, tables(**rows), read_published(target), run_row(run_id), METADATA)


def files(root: Path) -> dict[Path, bytes]:
    return {path.relative_to(root): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def out(tmp_path):
    target = tmp_path / "processed"
    publish_rows(target, "20261128T000000.000000Z", projects=[ROW])
    return target


def test_every_dataset_is_written_with_its_schema_even_when_empty(out):
    for dataset in DATASETS:
        table = pq.read_table(out / dataset.name)
        assert table.schema.remove_metadata() == dataset.arrow_schema()
    assert pq.read_table(out / "rejects").num_rows == 0


def test_rows_read_back_typed_with_pyarrow_and_pandas(out):
    [back] = pq.read_table(out / "projects").to_pylist()
    assert back == ROW
    frame = pd.read_parquet(out / "projects")
    assert frame.loc[0, "start_date"] == date(2012, 1, 1)
    assert bool(frame.loc[0, "open_ended"]) is True and pd.isna(frame.loc[0, "end_date"])


def test_metadata_compression_and_dictionary_encoding(out):
    file = out / "projects" / "part-0.parquet"
    metadata = pq.read_schema(file).metadata
    assert metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert metadata[b"source"] == METADATA["source"].encode()
    assert metadata[b"built_at"] == METADATA["built_at"].encode()
    row_group = pq.ParquetFile(file).metadata.row_group(0)
    columns = {row_group.column(i).path_in_schema: row_group.column(i) for i in range(row_group.num_columns)}
    assert all(column.compression == "ZSTD" for column in columns.values())
    for name in PROJECTS.column_names:
        column = columns.get(name) or columns[f"{name}.list.element"]
        dictionary_encoded = "RLE_DICTIONARY" in column.encodings or "PLAIN_DICTIONARY" in column.encodings
        assert dictionary_encoded == (name in PROJECTS.dictionary_columns()), name


def test_the_run_log_marker_history_and_changes_are_written(out):
    assert [run["run_id"] for run in read_runs(out)] == ["20261128T000000.000000Z"]
    assert json.loads((out / MARKER).read_text())["schema_version"] == SCHEMA_VERSION
    assert pq.read_table(out / "history" / "projects").column("valid_from_run").to_pylist() == [
        "20261128T000000.000000Z"
    ]
    assert pq.read_table(out / "changes").column("change").to_pylist() == ["added"]


def test_a_new_publish_replaces_the_old_whole(out):
    publish_rows(out, "20261129T000000.000000Z")
    assert pq.read_table(out / "projects").num_rows == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["processed"]
    assert [run["run_id"] for run in read_runs(out)] == ["20261128T000000.000000Z", "20261129T000000.000000Z"]
    assert sorted(pq.read_table(out / "changes").column("change").to_pylist()) == ["added", "removed"]


@pytest.mark.parametrize(
    "bad_tables",
    [
        {"projects": [{**ROW, "start_date": "2012"}]},  # a string in a date column: the first dataset fails
        {
            "projects": [ROW],
            "project_places": [{"project_id": "x", "source": "title", "place": 12}],
        },  # the last one does
    ],
    ids=["first-dataset", "last-dataset"],
)
@pytest.mark.parametrize("previous", [True, False], ids=["over-an-earlier-output", "first-publish"])
def test_a_publish_that_fails_part_way_leaves_the_previous_output_and_no_staging(tmp_path, bad_tables, previous):
    target = tmp_path / "processed"
    if previous:
        publish_rows(target, "20261128T000000.000000Z", projects=[ROW])
    before = files(tmp_path)

    with pytest.raises(pa.ArrowException):  # the rows do not fit the schema: writing Parquet fails
        publish(
            target, {**tables(), **bad_tables}, read_published(target), run_row("20261129T000000.000000Z"), METADATA
        )

    assert files(tmp_path) == before  # the earlier output byte for byte (or still nothing), and no staging files
    assert sorted(path.name for path in tmp_path.iterdir()) == (["processed"] if previous else [])
    if previous:
        assert pq.read_table(target / "projects").to_pylist() == [ROW]
        assert len(read_runs(target)) == 1


def test_compare_outputs_names_changed_rows(tmp_path, out):
    assert compare_outputs(out, out) == []
    other = tmp_path / "other"
    publish_rows(other, "20261129T000000.000000Z", projects=[{**ROW, "title": "Другой"}])
    assert compare_outputs(out, other) == ["projects row 0: title differ"]
    publish_rows(other, "20261130T000000.000000Z")
    assert compare_outputs(out, other) == [f"projects: 1 rows in {out}, 0 in {other}"]


def test_json_lines_use_schema_order_and_iso_dates():
    [line] = list(json_lines([ROW]))
    decoded = json.loads(line)
    assert list(decoded) == PROJECTS.column_names
    assert decoded["start_date"] == "2012-01-01" and decoded["title"] == "Проект"
    assert "Проект" in line


# -- the output folder is confined ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda tmp: tmp, "a folder this pipeline did not create"),  # tmp_path holds the test's files
        (lambda tmp: Path("/"), "refusing to replace /"),
        (lambda tmp: Path.home(), "refusing to replace"),
        (lambda tmp: Path.cwd(), "refusing to replace"),
        (lambda tmp: Path.cwd().parent, "refusing to replace"),
        (lambda tmp: Path("."), "refusing to replace"),
    ],
    ids=["unmarked", "root", "home", "cwd", "cwd-parent", "dot"],
)
def test_an_out_folder_the_pipeline_did_not_make_is_refused_untouched(tmp_path, make, reason):
    (tmp_path / "notes.txt").write_text("keep me")
    target = make(tmp_path)
    with pytest.raises(PublishError, match=reason):
        check_out_dir(target)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_a_file_named_as_out_is_refused(tmp_path):
    (tmp_path / "processed").write_text("a file")
    with pytest.raises(PublishError, match="is a file, not a folder"):
        check_out_dir(tmp_path / "processed")


@pytest.mark.parametrize(
    "prepare",
    [
        lambda target: None,  # does not exist yet
        lambda target: target.mkdir(),  # exists, empty
    ],
    ids=["new", "empty"],
)
def test_a_new_or_empty_out_folder_is_accepted(tmp_path, prepare):
    target = tmp_path / "processed"
    prepare(target)
    check_out_dir(target)


def test_a_folder_the_pipeline_published_is_accepted(out):
    check_out_dir(out)


def test_the_cli_refuses_an_unmarked_out_with_one_error_line_and_touches_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: --out ")
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


# -- leftovers and kills ----------------------------------------------------------------------------------------------


def test_leftovers_of_a_killed_run_are_removed(out):
    staging = out.parent / ".processed.staging-20261127T000000.000000Z"
    (staging / "projects").mkdir(parents=True)
    (out / ".runs.parquet.abc.tmp").write_bytes(b"half")
    remove_leftovers(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["processed"]
    assert not list(out.rglob("*.tmp"))


def test_a_kill_between_the_fallback_renames_is_repaired(out):
    retired = out.parent / ".processed.old-20261129T000000.000000Z"
    out.rename(retired)  # what the two-rename fallback leaves when killed between its renames
    remove_leftovers(out)
    assert pq.read_table(out / "projects").to_pylist() == [ROW]
    assert sorted(p.name for p in out.parent.iterdir()) == ["processed"]


PUBLISH_FOR_EVER = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from test_publish import ROW, publish_rows
from pipeline.history import new_run_id
from datetime import UTC, datetime
target = Path(sys.argv[1])
for n in range(10_000):
    version = n % 2
    rows = [{**ROW, "project_id": f"2015/p{i}", "title": f"v{version}"} for i in range(50)]
    publish_rows(target, new_run_id(datetime.now(UTC)), projects=rows, warnings=[], rejects=[])
"""


def consistent_version(target: Path) -> set[str]:
    """The versions the published projects show: one, never a mix, and every dataset readable."""
    published = read_published(target)
    assert published is not None, "a dataset is missing"
    assert (target / MARKER).is_file()
    return {row["title"] for row in published["projects"]}


@pytest.mark.parametrize("delay", [0.35, 0.5, 0.65, 0.8, 0.95])
def test_a_publish_killed_at_any_instant_leaves_a_whole_folder(tmp_path, delay):
    target = tmp_path / "processed"
    publish_rows(target, "20261101T000000.000000Z", projects=[{**ROW, "title": "v0"}])
    child = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_FOR_EVER, str(target), str(Path(__file__).parent)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    missing, looks, stop = 0, 0, time.monotonic() + delay
    while time.monotonic() < stop and child.poll() is None:  # a reader, looking while the child publishes
        looks += 1
        missing += not (target / MARKER).is_file() or not (target / "projects" / "part-0.parquet").is_file()
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL, "the child should still have been publishing"
    assert looks > 100 and missing == 0, f"processed/ was missing {missing} times in {looks} looks"
    remove_leftovers(target)
    assert len(consistent_version(target)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["processed"]
