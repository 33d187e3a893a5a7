"""pipeline.load, and the promise that every published dataset reads the same in pandas, pyarrow, DuckDB
and Polars: the committed processed/ and a folder of two publishes with Cyrillic, nulls, lists and places."""

import math
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from published import FIRST, PLACE_ROWS, RUN1, RUN2, SECOND, publish_twice

import pipeline
from pipeline.load import load_dataset
from pipeline.parquet import dataset_file, read_rows, write_rows
from pipeline.schema import ALL_DATASETS, PLACES, PROJECTS, RUNS, Dataset

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "processed"
README = (ROOT / "README.md").read_text(encoding="utf-8")
LOADING = README.split("\n## Loading the data\n", 1)[1].split("\n## ", 1)[0]
SNIPPETS = re.findall(r"```python\n(.*?)```", LOADING, re.DOTALL)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return publish_twice(tmp_path_factory.mktemp("readers") / "processed")


# -- every dataset, four readers ----------------------------------------------------------------------------------


def location(root: Path, dataset: Dataset) -> Path:
    return root / dataset.path


def parquet_glob(root: Path, dataset: Dataset) -> str:
    """What DuckDB and Polars are given: `dir/*.parquet` for a folder, the file itself for runs.parquet."""
    path = location(root, dataset)
    return str(path / "*.parquet") if dataset.path.endswith("/") else str(path)


def plain(value: object) -> object:
    """A value as plain, hashable Python, whichever reader gave it: NaN and NaT are None, arrays are tuples."""
    if isinstance(value, np.ndarray | list | tuple):
        return tuple(plain(item) for item in value)
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def rows_by_pyarrow(root: Path, dataset: Dataset) -> tuple[list[str], list[tuple]]:
    table = pq.read_table(location(root, dataset))
    return table.column_names, [tuple(plain(v) for v in row.values()) for row in table.to_pylist()]


def rows_by_pandas(root: Path, dataset: Dataset) -> tuple[list[str], list[tuple]]:
    frame = pd.read_parquet(location(root, dataset))
    return list(frame.columns), [tuple(plain(v) for v in row) for row in frame.itertuples(index=False)]


def rows_by_duckdb(root: Path, dataset: Dataset) -> tuple[list[str], list[tuple]]:
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{parquet_glob(root, dataset)}')")
    return relation.columns, [tuple(plain(v) for v in row) for row in relation.fetchall()]


def rows_by_polars(root: Path, dataset: Dataset) -> tuple[list[str], list[tuple]]:
    frame = pl.read_parquet(parquet_glob(root, dataset))
    return frame.columns, [tuple(plain(v) for v in row) for row in frame.rows()]


READERS = [rows_by_pyarrow, rows_by_pandas, rows_by_duckdb, rows_by_polars]


def test_the_readers_cover_every_file_under_the_committed_processed():
    covered = {p for d in ALL_DATASETS for p in location(COMMITTED, d).glob("*.parquet")} | {COMMITTED / RUNS.path}
    assert set(COMMITTED.rglob("*.parquet")) == covered


@pytest.mark.parametrize("folder", ["committed", "published"])
@pytest.mark.parametrize("dataset", ALL_DATASETS, ids=lambda d: d.path.rstrip("/"))
def test_pandas_pyarrow_duckdb_and_polars_read_the_same_rows(folder, dataset, request):
    root = COMMITTED if folder == "committed" else request.getfixturevalue("published")
    expected = read_rows(root, dataset)
    assert expected is not None, f"{dataset.path} is missing from {root}"
    for reader in READERS:
        columns, rows = reader(root, dataset)
        assert columns == dataset.column_names, reader.__name__
        assert len(rows) == len(expected), reader.__name__
        assert Counter(rows) == Counter(tuple(plain(v) for v in row.values()) for row in expected), reader.__name__


def first(rows: tuple[list[str], list[tuple]], key: str, value: object) -> dict[str, object]:
    columns, values = rows
    return next(dict(zip(columns, row, strict=True)) for row in values if row[columns.index(key)] == value)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__.removeprefix("rows_by_"))
def test_typed_values_come_back_typed_from_the_committed_data(reader):
    """A date is a date, a list a list, a boolean a boolean, a timestamp an aware timestamp, in every reader."""
    project = first(reader(COMMITTED, PROJECTS), "project_id", "2018/zheleznogorsk-innovation-technology-cluster")
    assert project["start_date"] == date(2011, 1, 1)
    assert type(project["start_date"]) is date
    assert project["end_date"] is None
    assert project["listing_sections"] == ("Ongoing",)
    assert project["open_ended"] is True
    run = first(reader(COMMITTED, RUNS), "run_id", "20261129T060653.963339Z")
    assert run["started_at"] == datetime.fromisoformat("2026-11-29T06:06:53.963339+00:00")
    assert run["published"] is True
    assert run["records"] == 20


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.__name__.removeprefix("rows_by_"))
def test_cyrillic_nulls_and_lists_come_back_from_the_published_folder(reader, published):
    project = first(reader(published, PROJECTS), "title", "Стратегия Ленинградской области")
    assert project["end_date"] is None
    assert project["thematic_areas"] == ()
    assert project["open_ended"] is True
    place = first(reader(published, PLACES), "place", "Zheleznogorsk")
    assert place["region_code"] is None


# -- the typed loader -----------------------------------------------------------------------------------------------


def test_load_projects_types_each_column_from_the_schema(published):
    projects = pipeline.load_projects(published)
    assert list(projects.columns) == PROJECTS.column_names
    assert len(projects) == len(SECOND["projects"])
    for name in ("start_date", "end_date"):
        assert pd.api.types.is_datetime64_dtype(projects[name]), name
    categorical = [name for name in projects.columns if isinstance(projects[name].dtype, pd.CategoricalDtype)]
    assert categorical == PROJECTS.dictionary_columns()
    assert {"status", "project_type", "language", "direction", "subdirection"} <= set(categorical)
    assert projects["open_ended"].dtype == bool
    for name in ("listing_sections", "listing_urls", "thematic_areas"):
        assert all(type(value) is list for value in projects[name]), name


def test_load_projects_values(published):
    projects = pipeline.load_projects(published).set_index(["project_id", "language"])
    sarov = projects.loc[("2013/sarov", "en")]
    assert sarov["start_date"] == pd.Timestamp("2013-01-01")
    assert sarov["listing_sections"] == ["2013", "Ongoing"]
    assert sarov["thematic_areas"] == ["Clusters", "Innovation; technology"]
    assert sarov["description"] == "Rewritten."
    ongoing = projects.loc[("title/strategiya", "ru")]
    assert pd.isna(ongoing["end_date"]) and ongoing["open_ended"]
    assert ongoing["title"] == "Стратегия Ленинградской области"
    assert pd.isna(ongoing["direction"])
    assert pd.isna(projects.loc[("2007/nikel", "en"), "start_date"])
    assert projects["start_date"].dt.year.dropna().astype(int).tolist() == [2013, 2013, 2011, 1998]


def test_categories_are_the_allowed_values_first_and_no_value_becomes_null(published):
    projects = pipeline.load_projects(published, language="ru")
    assert list(projects["status"].cat.categories) == ["ongoing", "completed"]
    assert list(projects["language"].cat.categories) == ["en", "ru"]
    assert list(projects["direction"].cat.categories) == ["Пространственное развитие"]
    stray = PROJECTS.row(**{**FIRST["projects"][0], "status": "paused"})
    frame = load_dataset(PROJECTS, write_projects(published.parent / "stray", [stray]))
    assert list(frame["status"].cat.categories) == ["ongoing", "completed", "paused"]
    assert frame["status"].tolist() == ["paused"]


def write_projects(root: Path, rows: list[dict]) -> Path:
    write_rows(dataset_file(root, PROJECTS), PROJECTS, rows)
    return root


def test_language_filter(published):
    english = pipeline.load_projects(published, language="en")
    assert set(english["language"]) == {"en"}
    assert len(english) == sum(row["language"] == "en" for row in SECOND["projects"])
    russian_places = pipeline.load_places(published, language="ru")
    assert sorted(russian_places["place"]) == ["Ленинградской области", "городе Сарове"]
    with pytest.raises(ValueError, match=r"language must be one of 'en', 'ru' or None for all, not 'de'"):
        pipeline.load_projects(published, language="de")


def test_load_places(published):
    places = pipeline.load_places(published)
    assert list(places.columns) == PLACES.column_names
    assert len(places) == len(PLACE_ROWS)
    categorical = [name for name in places.columns if isinstance(places[name].dtype, pd.CategoricalDtype)]
    assert categorical == PLACES.dictionary_columns()
    assert list(places["source"].cat.categories) == ["title", "description"]
    unresolved = places[places["place"] == "Zheleznogorsk"].iloc[0]
    assert pd.isna(unresolved["region_code"]) and pd.isna(unresolved["place_kind"])


def test_as_of_gives_the_rows_after_each_run(published):
    for run_id, tables in ((RUN1, FIRST), (RUN2, SECOND)):
        for load, name in ((pipeline.load_projects, "projects"), (pipeline.load_places, "project_places")):
            frame = load(published, as_of=run_id)
            expected = pipeline.load_projects if name == "projects" else pipeline.load_places
            assert len(frame) == len(tables[name]), (run_id, name)
            assert frame.dtypes.astype(str).equals(expected(published).dtypes.astype(str))
    first_run = pipeline.load_projects(published, as_of=RUN1, language="en").set_index("project_id")
    assert first_run.loc["2013/sarov", "description"] == 'A "cluster", in short.\n- item one\n- item two'
    assert "1998/gatchina" not in first_run.index


def test_as_of_an_unknown_run_names_the_folder_and_where_to_look(published):
    with pytest.raises(LookupError, match=r"no run '20200101T000000.000000Z' in the run log; .* runs --data"):
        pipeline.load_projects(published, as_of="20200101T000000.000000Z")


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no-such: no such folder"):
        pipeline.load_projects(tmp_path / "no-such")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match=r"holds no `project_places` dataset"):
        pipeline.load_places(tmp_path / "empty")


def test_a_folder_from_before_a_column_existed_reads_it_as_null(tmp_path):
    old = PROJECTS.arrow_schema().remove(PROJECTS.column_names.index("customer"))
    row = {name: value for name, value in FIRST["projects"][0].items() if name != "customer"}
    (tmp_path / "projects").mkdir()
    pq.write_table(pa.Table.from_pylist([row], schema=old), tmp_path / "projects" / "part-0.parquet")
    projects = pipeline.load_projects(tmp_path)
    assert list(projects.columns) == PROJECTS.column_names
    assert pd.isna(projects.loc[0, "customer"])


def test_import_pipeline_does_not_import_pandas():
    code = (
        "import sys, pipeline; assert 'pandas' not in sys.modules, 'import pipeline imported pandas'; "
        "assert callable(pipeline.load_projects) and 'pandas' in sys.modules; "
        "from pipeline import load_places; assert load_places is pipeline.load.load_places"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
    with pytest.raises(AttributeError, match="no attribute 'load_nothing'"):
        pipeline.load_nothing  # noqa: B018


# -- the README's snippets, on a folder that has places --------------------------------------------------------


def test_the_readme_documents_the_loader_and_its_categoricals():
    assert "pipeline.load_projects" in LOADING and "pipeline.load_places" in LOADING
    for name in PROJECTS.dictionary_columns() + PLACES.dictionary_columns():
        assert f"`{name}`" in LOADING, f"the README's Loading the data does not name the categorical {name}"


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.split("\n", 1)[0])
def test_readme_snippets_run_on_a_folder_with_places(snippet, published, capsys, monkeypatch):
    monkeypatch.chdir(published.parent)
    exec(compile(snippet, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()


def test_the_regions_by_decade_example_counts_each_project_once_per_region_and_decade(published, monkeypatch):
    [snippet] = [s for s in SNIPPETS if "load_places" in s]
    monkeypatch.chdir(published.parent)
    namespace: dict[str, object] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)
    table = namespace["by_decade"]
    assert isinstance(table, pd.DataFrame)
    counts = {key: int(count) for key, count in table.stack().items() if count}
    # Sarov (2013) once although listed in English and Russian under one id; the Russian-only Strategy
    # (2011) and Gatchina (1998) in Leningrad Oblast; Nikel has no start date, Zheleznogorsk no region
    assert counts == {("Nizhny Novgorod Oblast", 2010): 1, ("Leningrad Oblast", 2010): 1, ("Leningrad Oblast", 1990): 1}
