"""The published datasets as CSV, XLSX or JSON Lines, for people who work in spreadsheets.

One file per dataset, `<out>/<dataset>.<format>`, each written whole or not at all (a temporary
file renamed into place). What each format holds:

- **csv**: UTF-8 with a byte-order mark, so that Excel shows Cyrillic; a header row of the schema's
  column names; dates as ISO strings (`2013-12-31`), list columns joined with `; `, booleans as
  `true`/`false`, nulls and empty lists as empty cells. Values are written as they are: Excel's CSV
  import guesses types and reads a cell that starts with `=` as a formula, so open the xlsx in Excel.
- **xlsx**: one sheet named after the dataset, the header row frozen and filtered; text as text
  (never a formula or an error code, whatever it starts with), dates as ISO strings, list columns
  joined with `; `, booleans and numbers as such, nulls and empty lists as empty cells. A cell holds
  at most 32,767 characters and no control character other than tab, newline and carriage return: a
  longer text is cut and such a character becomes U+FFFD, each named in a warning (csv and jsonl keep
  them).
- **jsonl**: one JSON object per line, UTF-8 without escapes, as `python -m pipeline parse` prints
  records: dates as ISO strings, list columns as JSON arrays, nulls as null.

XLSX needs openpyxl, in the `xlsx` extra; it is imported only for that format.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from . import interrupt
from .parquet import dataset_file, read_rows
from .publish import json_lines
from .schema import DATASETS, Dataset, Row
from .wording import counted

FORMATS = ("csv", "xlsx", "jsonl")
LIST_SEPARATOR = "; "
XLSX_INSTALL = "pip install 'csr-nw-pipeline[xlsx]'"
XLSX_CELL_LIMIT = 32_767
"""The most characters an Excel cell holds."""
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters an XLSX file cannot hold (tab, newline and carriage return it can)."""
READ_ATTEMPTS = 3


class ExportError(Exception):
    """Bad input: a missing or wrong folder, an unknown format, a missing extra. Exit code 2."""


@dataclass
class Export:
    """What an export wrote: each file with its row count, and what a format could not hold."""

    files: list[tuple[Path, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def export(data_dir: Path, out_dir: Path, file_format: str, datasets: Sequence[Dataset] = DATASETS) -> Export:
    """Write each dataset of the published folder `data_dir` to `out_dir/<name>.<format>`."""
    if file_format not in FORMATS:
        raise ExportError(f"unknown format {file_format!r}: one of {', '.join(FORMATS)}")
    if file_format == "xlsx":
        _require_openpyxl()
    _check_folders(data_dir, out_dir)
    tables = read_tables(data_dir, datasets)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = Export()
    for dataset in datasets:
        interrupt.check()
        path = out_dir / f"{dataset.name}.{file_format}"
        rows = tables[dataset.name]
        with _written_whole(path) as temporary:
            WRITERS[file_format](temporary, dataset, rows, result.warnings)
        result.files.append((path, len(rows)))
    return result


def _check_folders(data_dir: Path, out_dir: Path) -> None:
    if not data_dir.is_dir():
        raise ExportError(f"{data_dir}: no such directory" if not data_dir.exists() else f"{data_dir}: not a directory")
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: not a directory")
    data, out = data_dir.resolve(), out_dir.resolve()
    if out == data or data in out.parents:
        raise ExportError(
            f"{out_dir}: inside the published folder {data_dir}, which the next build replaces whole; "
            "export somewhere else"
        )


def read_tables(data_dir: Path, datasets: Sequence[Dataset]) -> dict[str, list[Row]]:
    """The rows of each dataset, all from one publish: a build that publishes while they are read
    (each file carries the `run_id` that wrote it) makes them be read again."""
    for _ in range(READ_ATTEMPTS):
        before = _run_ids(data_dir, datasets)
        tables = {dataset.name: _rows(data_dir, dataset) for dataset in datasets}
        if _run_ids(data_dir, datasets) == before:
            return tables
    raise ExportError(f"{data_dir}: kept changing while being read (builds publishing); try again")


def _rows(data_dir: Path, dataset: Dataset) -> list[Row]:
    rows = read_rows(data_dir, dataset)
    if rows is None:
        raise ExportError(
            f"{data_dir}: no `{dataset.name}` dataset (not a published folder, or published by a version without it)"
        )
    return rows


def _run_ids(data_dir: Path, datasets: Sequence[Dataset]) -> list[bytes | None]:
    ids = []
    for dataset in datasets:
        try:
            ids.append((pq.read_schema(dataset_file(data_dir, dataset)).metadata or {}).get(b"run_id"))
        except FileNotFoundError:
            ids.append(None)
    return ids


@contextlib.contextmanager
def _written_whole(path: Path) -> Iterator[Path]:
    """A temporary file beside `path` to write, renamed to `path` once written: whole or not at all."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        temporary.chmod(0o644)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# -- the formats ------------------------------------------------------------------------------------------------

Writer = Callable[[Path, Dataset, list[Row], list[str]], None]
"""Writes rows to a file, adding to the warnings what the format cannot hold."""


def text(value: object) -> str:
    """A value as one spreadsheet cell's text: ISO dates, lists joined with `; `, `true`/`false`, null as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, dataset: Dataset, rows: list[Row], warnings: list[str]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(dataset.column_names)
        writer.writerows([text(row.get(name)) for name in dataset.column_names] for row in rows)


def _write_jsonl(path: Path, dataset: Dataset, rows: list[Row], warnings: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as stream:
        for line in json_lines(rows, dataset):
            stream.write(line + "\n")


def _require_openpyxl() -> None:
    """Fail before reading or writing anything when openpyxl is missing, with the line that installs it."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ExportError(f"the xlsx format needs openpyxl: {XLSX_INSTALL}") from exc


def _write_xlsx(path: Path, dataset: Dataset, rows: list[Row], warnings: list[str]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(dataset.name)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(dataset.columns))}{len(rows) + 1}"
    sheet.append(dataset.column_names)
    for number, row in enumerate(rows, start=1):
        cells = []
        for name in dataset.column_names:
            value, problems = _xlsx_value(row.get(name))
            warnings += [f"{dataset.name} row {number} {name}: {problem}" for problem in problems]
            cell = WriteOnlyCell(sheet, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, even when it starts with '=' or reads as an error code
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


WRITERS: dict[str, Writer] = {"csv": _write_csv, "jsonl": _write_jsonl, "xlsx": _write_xlsx}


def _xlsx_value(value: object) -> tuple[str | float | None, list[str]]:
    """A value as an XLSX cell holds it, and what had to change for it to fit."""
    if value is None or isinstance(value, bool | int | float):
        return value, []
    cell, replaced = _XLSX_ILLEGAL.subn("\N{REPLACEMENT CHARACTER}", text(value))
    problems = [f"{counted(replaced, 'control character')} written as U+FFFD"] if replaced else []
    if len(cell) > XLSX_CELL_LIMIT:
        problems.append(f"{len(cell):,} characters cut to the {XLSX_CELL_LIMIT:,} an Excel cell holds")
        cell = cell[:XLSX_CELL_LIMIT]
    return cell, problems
