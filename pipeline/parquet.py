"""Rows to and from Parquet files, typed by `pipeline.schema`: the one place that knows the file format."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import SCHEMA_VERSION, Dataset, Row

PART_NAME = "part-0.parquet"


def to_table(dataset: Dataset, rows: list[Row], metadata: dict[str, str] | None = None) -> pa.Table:
    """Rows → an Arrow table with the dataset's schema and key-value metadata."""
    schema = dataset.arrow_schema({"schema_version": SCHEMA_VERSION, **(metadata or {})})
    return pa.Table.from_pylist([{name: row.get(name) for name in dataset.column_names} for row in rows], schema=schema)


def write_rows(path: Path, dataset: Dataset, rows: list[Row], metadata: dict[str, str] | None = None) -> None:
    """One Parquet file: zstd, dictionary-encoded where the schema says, written whole or not at all
    (a temporary file, synced, then renamed over `path`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pq.write_table(
                to_table(dataset, rows, metadata),
                handle,
                compression="zstd",
                use_dictionary=dataset.dictionary_columns(),
            )
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dataset_file(root: Path, dataset: Dataset) -> Path:
    """The file a dataset is written to under `root`: `<path>/part-0.parquet`, or its own path for a file."""
    return root / dataset.path / PART_NAME if dataset.path.endswith("/") else root / dataset.path


def read_rows(root: Path, dataset: Dataset) -> list[Row] | None:
    """The rows of a dataset under `root` (every Parquet file of its folder), or None when it is not there."""
    location = root / dataset.path
    if dataset.path.endswith("/"):
        if not location.is_dir() or not any(location.glob("*.parquet")):
            return None
    elif not location.is_file():
        return None
    rows: list[Row] = pq.read_table(location).to_pylist()
    return rows
