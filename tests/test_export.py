"""pipeline.export and `python -m pipeline export`: each format opened back (csv module and pandas, openpyxl,
json) and compared with the Parquet rows cell by cell, on a folder with Cyrillic, dates, nulls and lists."""

import csv
import json
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from published import FIRST, SAROV_EN, publish_twice
from rows import project_row

from pipeline import export as export_module
from pipeline.cli import main
from pipeline.export import XLSX_CELL_LIMIT, ExportError, export
from pipeline.parquet import dataset_file, read_rows, write_rows
from pipeline.schema import DATASETS, PROJECTS, REJECTS, Dataset

ROOT = Path(__file__).resolve().parents[1]
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    return publish_twice(tmp_path_factory.mktemp("export") / "processed")


def parquet_rows(root: Path, dataset: Dataset) -> list[dict]:
    rows = read_rows(root, dataset)
    assert rows, f"the test folder should have {dataset.name} rows"
    return rows


def spreadsheet_text(value: object) -> str:
    """What a CSV cell should say, spelled out here rather than taken from the code under test."""
    if value is None:
        return ""
    if value is True or value is False:
        return {True: "true", False: "false"}[value]
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def run(*args: str) -> int:
    return main(["export", *args])


# -- the formats, read back -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(published, tmp_path_factory) -> dict[str, Path]:
    folders = {}
    for file_format in ("csv", "xlsx", "jsonl"):
        folders[file_format] = tmp_path_factory.mktemp(file_format)
        result = export(published, folders[file_format], file_format)
        assert [path.name for path, _ in result.files] == [f"{d.name}.{file_format}" for d in DATASETS]
        assert [rows for _, rows in result.files] == [len(parquet_rows(published, d)) for d in DATASETS]
        assert result.warnings == []
    return folders


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_csv_reads_back_cell_by_cell_with_the_csv_module_and_pandas(dataset, published, exported):
    path = exported["csv"] / f"{dataset.name}.csv"
    assert path.read_bytes().startswith(BOM + dataset.column_names[0].encode() + b",")
    expected = [
        [spreadsheet_text(row[name]) for name in dataset.column_names] for row in parquet_rows(published, dataset)
    ]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == dataset.column_names
    assert rows == expected
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == dataset.column_names
    assert frame.to_numpy().tolist() == expected


def test_csv_spells_dates_lists_nulls_and_cyrillic_for_a_spreadsheet(exported):
    with (exported["csv"] / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {(row["project_id"], row["language"]): row for row in csv.DictReader(handle)}
    sarov = rows[("2013/sarov", "en")]
    assert sarov["start_date"] == "2013-01-01" and sarov["end_date"] == "2013-12-31"
    assert sarov["thematic_areas"] == "Clusters; Innovation; technology"
    assert sarov["listing_sections"] == "2013; Ongoing"
    assert sarov["open_ended"] == "false"
    assert sarov["description"] == "Rewritten."
    strategy = rows[("title/strategiya", "ru")]
    assert strategy["title"] == "Стратегия Ленинградской области"
    assert strategy["end_date"] == "" and strategy["thematic_areas"] == "" and strategy["open_ended"] == "true"
    raw = (exported["csv"] / "rejects.csv").read_text(encoding="utf-8-sig")
    assert '"=HYPERLINK(""http://example.org"")\nСрок: весна 2013"' in raw  # quoted, as it is


def xlsx_rows(path: Path, sheet: str) -> tuple[list, list[list]]:
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [sheet]
    header, *rows = [[cell for cell in row] for row in workbook[sheet].iter_rows()]
    return header, rows


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_xlsx_reads_back_cell_by_cell_with_openpyxl(dataset, published, exported):
    header, rows = xlsx_rows(exported["xlsx"] / f"{dataset.name}.xlsx", dataset.name)
    assert [cell.value for cell in header] == dataset.column_names
    expected = parquet_rows(published, dataset)
    assert len(rows) == len(expected)
    for cells, row in zip(rows, expected, strict=True):
        for cell, name in zip(cells, dataset.column_names, strict=True):
            value = row[name]
            if value is None or isinstance(value, bool | int):
                assert cell.value == value and type(cell.value) is type(value), (name, cell.value)
            elif spreadsheet_text(value) == "":  # an empty list: an empty cell, like a null
                assert cell.value is None, name
            else:
                assert cell.value == spreadsheet_text(value), name
                assert cell.data_type == "s", f"{name}: {cell.value!r} is not stored as text"


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(exported):
    workbook = openpyxl.load_workbook(exported["xlsx"] / "rejects.xlsx")
    sheet = workbook["rejects"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H2"
    [raw_text] = [row[REJECTS.column_names.index("raw_text")] for row in sheet.iter_rows(min_row=2)]
    assert raw_text.value == '=HYPERLINK("http://example.org")\nСрок: весна 2013'
    assert raw_text.data_type == "s"


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.name)
def test_jsonl_reads_back_with_json_one_object_a_line(dataset, published, exported):
    path = exported["jsonl"] / f"{dataset.name}.jsonl"
    raw = path.read_bytes()
    assert not raw.startswith(BOM) and raw.endswith(b"\n")
    objects = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    expected = [
        {name: value.isoformat() if isinstance(value, date) else value for name, value in row.items()}
        for row in parquet_rows(published, dataset)
    ]
    assert objects == expected
    assert all(list(obj) == dataset.column_names for obj in objects)


def test_jsonl_writes_cyrillic_unescaped_and_lists_as_arrays(exported):
    text = (exported["jsonl"] / "projects.jsonl").read_text(encoding="utf-8")
    assert "Стратегия Ленинградской области" in text and "\\u04" not in text
    sarov = json.loads(text.splitlines()[0])
    assert sarov["thematic_areas"] == ["Clusters", "Innovation; technology"]
    assert sarov["start_date"] == "2013-01-01" and sarov["open_ended"] is False and sarov["subdirection"] == "Clusters"


# -- what a format cannot hold ----------------------------------------------------------------------------------------


def test_what_an_excel_cell_cannot_hold_is_replaced_and_named_and_csv_keeps_it(tmp_path):
    long = "x" * (XLSX_CELL_LIMIT + 5)
    rows = [project_row(description=long), project_row(project_id="2015/beta", title="Beta\x0bwith a vertical tab\x01")]
    data = tmp_path / "processed"
    for dataset in DATASETS:
        write_rows(dataset_file(data, dataset), dataset, rows if dataset is PROJECTS else [])
    result = export(data, tmp_path / "xlsx", "xlsx", [PROJECTS])
    assert result.warnings == [
        f"projects row 1 description: {XLSX_CELL_LIMIT + 5:,} characters cut to the 32,767 an Excel cell holds",
        "projects row 2 title: 2 control characters written as U+FFFD",
    ]
    _, cells = xlsx_rows(tmp_path / "xlsx" / "projects.xlsx", "projects")
    title, description = PROJECTS.column_names.index("title"), PROJECTS.column_names.index("description")
    assert cells[0][description].value == "x" * XLSX_CELL_LIMIT
    assert cells[1][title].value == "Beta\ufffdwith a vertical tab\ufffd"
    export(data, tmp_path / "csv", "csv", [PROJECTS])
    with (tmp_path / "csv" / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.DictReader(handle))
    assert back[0]["description"] == long and back[1]["title"] == "Beta\x0bwith a vertical tab\x01"


# -- files written whole, from one publish ---------------------------------------------------------------------


def test_a_failed_write_leaves_no_file_and_no_temporary(published, tmp_path, monkeypatch):
    def broken(path, dataset, rows, warnings):
        path.write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setitem(export_module.WRITERS, "csv", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        export(published, tmp_path, "csv")
    assert list(tmp_path.iterdir()) == []


def test_an_export_rereads_when_a_build_publishes_during_it(published, tmp_path, monkeypatch):
    seen = iter([["run 1"], ["run 2"], ["run 2"], ["run 2"]])
    monkeypatch.setattr(export_module, "_run_ids", lambda data_dir, datasets: next(seen))
    assert export(published, tmp_path, "jsonl", [PROJECTS]).files == [(tmp_path / "projects.jsonl", 5)]
    changing = iter(range(100))
    monkeypatch.setattr(export_module, "_run_ids", lambda data_dir, datasets: next(changing))
    with pytest.raises(ExportError, match="kept changing while being read"):
        export(published, tmp_path, "jsonl", [PROJECTS])


def test_the_run_ids_of_one_publish_are_read_from_the_files(published):
    assert export_module._run_ids(published, DATASETS) == [b"20261129T031705.000000Z"] * len(DATASETS)


# -- the command line ---------------------------------------------------------------------------------------------


def test_cli_exports_every_dataset_by_default_and_one_with_dataset(published, tmp_path, capsys):
    assert run("--format", "csv", "--data", str(published), "--out", str(tmp_path / "all")) == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(f"{d.name}.csv" for d in DATASETS)
    out = capsys.readouterr().out
    assert f"wrote {tmp_path / 'all' / 'projects.csv'}: 5 rows" in out
    assert f"wrote {tmp_path / 'all' / 'rejects.csv'}: 1 row\n" in out
    assert run("--format", "xlsx", "--dataset", "project_places", "--data", str(published), "--out", str(tmp_path)) == 0
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["project_places.xlsx"]


def test_cli_defaults_read_processed_and_write_exports_in_the_current_folder(tmp_path, monkeypatch, capsys):
    publish_twice(tmp_path / "processed")
    monkeypatch.chdir(tmp_path)
    assert run("--format", "jsonl", "--dataset", "warnings") == 0
    assert (tmp_path / "exports" / "warnings.jsonl").read_text(encoding="utf-8").count("\n") == len(FIRST["warnings"])


def test_cli_exports_the_committed_processed(tmp_path):
    for file_format in ("csv", "xlsx", "jsonl"):
        assert run("--format", file_format, "--data", str(ROOT / "processed"), "--out", str(tmp_path)) == 0
    with (tmp_path / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(parquet_rows(ROOT / "processed", PROJECTS))


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_cli_a_missing_data_folder_is_bad_input(tmp_path, capsys):
    assert run("--format", "csv", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "out")) == 2
    assert one_error_line(capsys) == f"error: {tmp_path / 'nope'}: no such directory"
    assert not (tmp_path / "out").exists()


def test_cli_a_folder_that_was_not_published_is_bad_input(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run("--format", "csv", "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "out")) == 2
    assert "no `projects` dataset" in one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_cli_out_inside_the_data_folder_or_a_file_is_bad_input(published, tmp_path, capsys):
    assert run("--format", "csv", "--data", str(published), "--out", str(published / "exports")) == 2
    assert "which the next build replaces whole" in one_error_line(capsys)
    assert not (published / "exports").exists()
    (tmp_path / "file").write_text("")
    assert run("--format", "csv", "--data", str(published), "--out", str(tmp_path / "file")) == 2
    assert one_error_line(capsys).endswith("file: not a directory")


def test_cli_xlsx_without_its_extra_names_the_install_command(published, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # what `import openpyxl` meets when it is not installed
    assert run("--format", "xlsx", "--data", str(published), "--out", str(tmp_path / "out")) == 2
    assert one_error_line(capsys) == "error: the xlsx format needs openpyxl: pip install 'csr-nw-pipeline[xlsx]'"
    assert not (tmp_path / "out").exists()
    assert run("--format", "csv", "--data", str(published), "--out", str(tmp_path / "out")) == 0


@pytest.mark.parametrize(
    "args",
    [[], ["--format", "ods"], ["--format", "csv", "--dataset", "runs"]],
    ids=["no-format", "unknown-format", "unknown-dataset"],
)
def test_cli_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(*args)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_the_export_row_of_sarov_matches_the_source_row(exported):
    """One row spelled out in full: every column of the English Sarov row as the CSV holds it."""
    with (exported["csv"] / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    source = {**SAROV_EN, "description": "Rewritten."}
    assert row == {name: spreadsheet_text(value) for name, value in source.items()}
