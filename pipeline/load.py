"""Typed pandas frames of the published datasets, for analysts: `load_projects` and `load_places`.

`pd.read_parquet` gives dates as `datetime.date` objects (so `.dt.year` fails), list columns as
NumPy arrays and low-cardinality text as plain strings. These loaders give, for every column,
the type the schema implies:

- a `date32` column is `datetime64` (midnight of the day), so `.dt.year` works;
- a column the schema dictionary-encodes (`Column.dictionary`: `status`, `project_type`, `language`,
  `direction`, `subdirection`, ...) is a pandas categorical; its categories are the schema's allowed
  values when it has a list of them (so `status` always has `ongoing` and `completed`), followed by
  any other value present, else the values present, sorted. No value is ever turned into a null;
- a list column is a column of Python lists.

`as_of=RUN_ID` reads the rows as they were after an earlier run from `history/`. Imported lazily by
`pipeline/__init__.py`: `import pipeline` does not import pandas.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .history import read_as_of
from .parquet import to_table
from .schema import PLACES, PROJECTS, Dataset

LANGUAGES = PROJECTS.columns[PROJECTS.column_names.index("language")].allowed or ()
"""The languages a `language=` filter accepts, from the schema."""


def load_projects(
    path: str | os.PathLike[str] = "processed", language: str | None = None, as_of: str | None = None
) -> pd.DataFrame:
    """`processed/projects` as a typed DataFrame (see the module docstring for the types).

    `language` keeps the rows of one language (`'en'` or `'ru'`); `as_of` a run id from the run log
    (`python -m pipeline runs`) gives the rows as they were after that run. A folder that does not
    exist raises FileNotFoundError, an unknown language ValueError, a run the log does not know
    LookupError.
    """
    return load_dataset(PROJECTS, path, language, as_of)


def load_places(
    path: str | os.PathLike[str] = "processed", language: str | None = None, as_of: str | None = None
) -> pd.DataFrame:
    """`processed/project_places` as a typed DataFrame: one row per project, language and place.
    Joins to `load_projects` on `project_id` and `language`. Same arguments and errors as `load_projects`."""
    return load_dataset(PLACES, path, language, as_of)


def load_dataset(
    dataset: Dataset, path: str | os.PathLike[str], language: str | None = None, as_of: str | None = None
) -> pd.DataFrame:
    """Any dataset with a `language` column, typed from the schema."""
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(map(repr, LANGUAGES))} or None for all, not {language!r}")
    table = _read_table(dataset, Path(path), as_of)
    if language is not None:
        table = table.filter(pc.equal(table.column("language"), language))
    return typed_frame(dataset, table)


def _read_table(dataset: Dataset, root: Path, as_of: str | None) -> pa.Table:
    """The current rows, or those after run `as_of`, as an Arrow table with the dataset's schema."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder (make it with `python -m pipeline build --out {root}`)")
    if as_of is not None:
        try:
            return to_table(dataset, read_as_of(root, dataset, as_of))
        except LookupError as exc:
            raise LookupError(f"{exc.args[0]}; `python -m pipeline runs --data {root}` lists the runs") from exc
    location = root / dataset.path
    if not location.is_dir():
        raise FileNotFoundError(
            f"{location}: no such folder: {root} holds no `{dataset.name}` dataset "
            "(not a published folder, or published by a version without it: rebuild it)"
        )
    return pq.read_table(location, schema=dataset.arrow_schema())


def typed_frame(dataset: Dataset, table: pa.Table) -> pd.DataFrame:
    """An Arrow table of `dataset` as a DataFrame: dates as datetime64, dictionary columns as
    categoricals, lists as Python lists; every other column as pyarrow converts it."""
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    for column in dataset.columns:
        if pa.types.is_list(column.type):
            frame[column.name] = pd.Series(table.column(column.name).to_pylist(), index=frame.index, dtype=object)
        elif column.dictionary:
            frame[column.name] = pd.Categorical(
                frame[column.name], categories=_categories(column.allowed, frame[column.name])
            )
    return frame


def _categories(allowed: tuple[str, ...] | None, values: pd.Series) -> list[str]:
    """The allowed values in the schema's order, then any other value present, sorted."""
    present = sorted(str(value) for value in values.dropna().unique())
    known = list(allowed or ())
    return known + [value for value in present if value not in known]
