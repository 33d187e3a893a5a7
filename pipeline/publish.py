"""Write the datasets to processed/ as typed Parquet, plus a run log, swapping the folder in whole.

The new output is built in a staging folder beside processed/ and renamed
into place, so readers see either the old datasets or the new ones.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from . import interrupt
from .schema import DATASETS, PROJECTS, SCHEMA_VERSION, Dataset, Row

RUN_LOG = "run.json"
PART_NAME = "part-0.parquet"


def json_lines(rows: list[Row], dataset: Dataset = PROJECTS) -> Iterator[str]:
    """Rows as JSON Lines in the schema's column order, dates as ISO strings."""
    for row in rows:
        yield json.dumps({name: _json_value(row.get(name)) for name in dataset.column_names}, ensure_ascii=False)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def to_table(dataset: Dataset, rows: list[Row], metadata: dict[str, str]) -> pa.Table:
    """Rows → an Arrow table with the dataset's schema and key-value metadata."""
    schema = dataset.arrow_schema({"schema_version": SCHEMA_VERSION, **metadata})
    return pa.Table.from_pylist([{name: row.get(name) for name in dataset.column_names} for row in rows],
                                schema=schema)


def write_dataset(directory: Path, dataset: Dataset, rows: list[Row], metadata: dict[str, str]) -> None:
    target = directory / dataset.name
    target.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_table(dataset, rows, metadata), target / PART_NAME, compression="zstd",
                   use_dictionary=dataset.dictionary_columns())


def publish(out_dir: Path | str, tables: dict[str, list[Row]], run_log: Mapping[str, object],
            metadata: dict[str, str]) -> None:
    """Write every dataset and the run log into a staging folder, then swap it in for `out_dir`."""
    out_dir = Path(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for dataset in DATASETS:
            interrupt.check()
            write_dataset(staging, dataset, tables.get(dataset.name, []), metadata)
        (staging / RUN_LOG).write_text(json.dumps(run_log, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        interrupt.check()
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    retired = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        os.replace(out_dir, retired)
    os.replace(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)


def compare_outputs(expected_dir: Path | str, actual_dir: Path | str) -> list[str]:
    """Differences in rows between two processed/ folders, dataset by dataset (metadata ignored)."""
    differences = []
    for dataset in DATASETS:
        expected = _rows(Path(expected_dir) / dataset.name)
        actual = _rows(Path(actual_dir) / dataset.name)
        if expected is None or actual is None:
            differences.append(f"{dataset.name}: missing in {expected_dir if expected is None else actual_dir}")
            continue
        if len(expected) != len(actual):
            differences.append(f"{dataset.name}: {len(expected)} rows in {expected_dir}, {len(actual)} in {actual_dir}")
        for index, (old, new) in enumerate(zip(expected, actual)):
            changed = sorted(name for name in old if old[name] != new.get(name))
            if changed:
                differences.append(f"{dataset.name} row {index}: {', '.join(changed)} differ")
    return differences


def _rows(path: Path) -> list[Row] | None:
    return pq.read_table(path).to_pylist() if path.is_dir() else None
