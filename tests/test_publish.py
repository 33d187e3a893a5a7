import json
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.publish import compare_outputs, json_lines, publish
from pipeline.schema import DATASETS, PROJECTS, SCHEMA_VERSION

ROW = {
    "project_id": "2015/x", "language": "ru", "title": "Проект", "direction": None, "subdirection": None,
    "stage": "Текущий проект", "status": "ongoing", "project_type": None, "date_text": "с 2012 г.",
    "start_date": date(2012, 1, 1), "end_date": None, "start_precision": "year", "end_precision": None,
    "open_ended": True, "listing_section": "Ongoing", "listing_url": None, "detail_url": None,
    "description": None, "source_sha256": "abc",
}
METADATA = {"source": "raw manifest sha256 f00", "built_at": "2026-11-28T00:00:00+00:00"}


@pytest.fixture
def out(tmp_path):
    target = tmp_path / "processed"
    publish(target, {"projects": [ROW]}, {"projects": 1}, METADATA)
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
        dictionary_encoded = "RLE_DICTIONARY" in columns[name].encodings or "PLAIN_DICTIONARY" in columns[name].encodings
        assert dictionary_encoded == (name in PROJECTS.dictionary_columns()), name


def test_run_log_is_written(out):
    assert json.loads((out / "run.json").read_text()) == {"projects": 1}


def test_a_new_publish_replaces_the_old_whole(out):
    publish(out, {"projects": []}, {"projects": 0}, METADATA)
    assert pq.read_table(out / "projects").num_rows == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["processed"]


@pytest.mark.parametrize("bad_tables", [
    {"projects": [{**ROW, "start_date": "2012"}]},  # a string in a date column: the first dataset fails
    {"projects": [ROW], "warnings": [{"code": "x", "message": "y", "line": "twelve"}]},  # the last one does
], ids=["first-dataset", "last-dataset"])
@pytest.mark.parametrize("previous", [True, False], ids=["over-an-earlier-output", "first-publish"])
def test_a_publish_that_fails_part_way_leaves_the_previous_output_and_no_staging(tmp_path, bad_tables, previous):
    target = tmp_path / "processed"
    if previous:
        publish(target, {"projects": [ROW]}, {"projects": 1}, METADATA)
    before = {path.relative_to(tmp_path): path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file()}

    with pytest.raises(pa.ArrowException):  # the rows do not fit the schema: writing Parquet fails
        publish(target, bad_tables, {"projects": 2}, METADATA)

    after = {path.relative_to(tmp_path): path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file()}
    assert after == before  # the earlier output byte for byte (or still nothing), and no staging files
    assert sorted(path.name for path in tmp_path.iterdir()) == (["processed"] if previous else [])
    if previous:
        assert pq.read_table(target / "projects").to_pylist() == [ROW]
        assert json.loads((target / "run.json").read_text()) == {"projects": 1}


def test_compare_outputs_names_changed_rows(tmp_path, out):
    assert compare_outputs(out, out) == []
    other = tmp_path / "other"
    publish(other, {"projects": [{**ROW, "title": "Другой"}]}, {}, {**METADATA, "built_at": "later"})
    assert compare_outputs(out, other) == ["projects row 0: title differ"]
    publish(other, {"projects": []}, {}, METADATA)
    assert compare_outputs(out, other) == [f"projects: 1 rows in {out}, 0 in {other}"]


def test_json_lines_use_schema_order_and_iso_dates():
    [line] = list(json_lines([ROW]))
    decoded = json.loads(line)
    assert list(decoded) == PROJECTS.column_names
    assert decoded["start_date"] == "2012-01-01" and decoded["title"] == "Проект"
    assert "Проект" in line
