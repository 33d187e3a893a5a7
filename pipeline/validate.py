"""Schema and rules over rows: errors reject a row, warnings keep it and say what looks wrong.

The same checks run twice: on candidates during a build, and on a published
processed/ folder (`python -m pipeline validate`), which CI runs on every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .normalise import Candidate, reject_reason
from .schema import ALL_DATASETS, DATASETS, PROJECTS, REJECTS, SCHEMA_VERSION, WARNINGS, Dataset, Row
from .site import KNOWN_TYPES, ONGOING_SECTION, fold, status_for_stage


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)


def value_errors(row: Row, dataset: Dataset = PROJECTS) -> list[str]:
    """Required columns present and controlled columns holding allowed values."""
    errors = []
    for column in dataset.columns:
        value = row.get(column.name)
        if column.required and (value is None or value == ""):
            errors.append(f"{column.name} is required")
        elif value is not None and column.allowed and value not in column.allowed:
            errors.append(f"{column.name} {value!r} is not one of {', '.join(column.allowed)}")
    return errors


def rule_errors(row: Row) -> list[str]:
    """Cross-field rules every project row must keep."""
    errors = []
    start, end = row.get("start_date"), row.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        errors.append(f"start_date {start} is after end_date {end}")
    if row.get("open_ended") and end is not None:
        errors.append(f"open_ended but end_date is {end}")
    for side in ("start", "end"):
        if (row.get(f"{side}_date") is None) != (row.get(f"{side}_precision") is None):
            errors.append(f"{side}_precision and {side}_date must be both set or both null")
    stage, status = row.get("stage"), row.get("status")
    if stage:
        expected = status_for_stage(str(stage))
        if expected is None:
            errors.append(f"stage {stage!r} is not a known stage, so no status can be derived")
        elif status is not None and status != expected:
            errors.append(f"status {status!r} does not match stage {stage!r} (expected {expected!r})")
    return errors


def row_errors(row: Row) -> list[str]:
    return value_errors(row) + rule_errors(row)


def row_warnings(row: Row) -> list[tuple[str, str]]:
    """Doubts worth an analyst's look that do not make the row wrong: (code, message) pairs."""
    warnings = []
    stage, status, date_text = row.get("stage"), row.get("status"), row.get("date_text")
    end, section = row.get("end_date"), row.get("listing_section")
    if status == "ongoing" and end is not None:
        warnings.append(("stage-vs-date", f"stage {stage!r} but the date {date_text!r} ended on {end}"))
    if status == "completed" and row.get("open_ended"):
        warnings.append(("stage-vs-date", f"stage {stage!r} but the date {date_text!r} has no end"))
    if section == ONGOING_SECTION and status == "completed":
        warnings.append(("section-vs-stage", f"listed under 'Ongoing' but the stage is {stage!r}"))
    if isinstance(section, str) and section.isdigit() and isinstance(end, date) and end.year != int(section):
        warnings.append(("section-vs-date", f"listed under {section} but the date {date_text!r} ends in {end.year}"))
    project_type = row.get("project_type")
    if project_type and fold(str(project_type)) not in KNOWN_TYPES:
        warnings.append(("unknown-type", f"type {project_type!r} is not one the site is known to use"))
    if not date_text:
        no_type = "" if project_type else " and no Type"
        warnings.append(("incomplete", f"no Date{no_type} is given: date filters will not find this project"))
    return warnings


def check(candidates: list[Candidate]) -> Checked:
    """Split candidates into valid rows and rejects (with reasons), collecting warnings."""
    result = Checked()
    seen: set[tuple[object, object]] = set()
    for candidate in candidates:
        row = candidate.row
        key = (row["project_id"], row["language"])
        errors = row_errors(row)
        if not errors and key in seen:
            errors = [f"duplicate (project_id, language) {key!r}: an earlier row already has it"]
        if errors:
            result.rejects.append(_reject(candidate, "; ".join(errors)))
            continue
        seen.add(key)
        result.rows.append(row)
        result.warnings += [_warning(candidate, code, message) for code, message in row_warnings(row)]
    return result


def _reject(candidate: Candidate, reason: str) -> Row:
    row = candidate.row
    return REJECTS.row(
        step="validate",
        reason=reject_reason(reason, candidate.complete),
        page_url=candidate.page_url,
        language=row["language"],
        title=row["title"],
        line=candidate.line,
        raw_text=candidate.raw_text,
        source_sha256=row["source_sha256"],
    )


def _warning(candidate: Candidate, code: str, message: str) -> Row:
    row = candidate.row
    return WARNINGS.row(
        code=code,
        message=message,
        subject=None,
        project_id=row["project_id"],
        language=row["language"],
        page_url=candidate.page_url,
        line=candidate.line,
    )


def validate_directory(directory: Path | str) -> list[str]:
    """Every problem in a published processed/ folder, each naming its dataset and row.

    The build's datasets must be there; the run log, changes and history are checked when present.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return [f"{directory}: not a directory"]
    problems = []
    for dataset in ALL_DATASETS:
        location = directory / dataset.path
        if dataset in DATASETS or location.exists():
            problems += _dataset_problems(location, dataset)
    return problems


def _dataset_problems(path: Path, dataset: Dataset) -> list[str]:
    if not path.exists() or (path.is_dir() and not any(path.glob("*.parquet"))):
        return [f"{path}: dataset missing (no .parquet files)"]
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for unreadable files
        return [f"{path}: cannot be read as Parquet: {exc}"]
    problems = _schema_problems(path, table.schema, dataset)
    if problems:
        return problems
    seen: set[tuple[object, object]] = set()
    for index, row in enumerate(table.to_pylist()):
        errors = value_errors(row, dataset)
        if dataset is PROJECTS:
            errors += rule_errors(row)
            key = (row["project_id"], row["language"])
            if key in seen:
                errors.append(f"duplicate (project_id, language) {key!r}")
            seen.add(key)
        where = f"{path} row {index}" + (
            f" ({row['project_id']!r}, {row['language']!r})" if dataset is PROJECTS else ""
        )
        problems += [f"{where}: {error}" for error in errors]
    return problems


def _schema_problems(path: Path, schema: pa.Schema, dataset: Dataset) -> list[str]:
    expected = dataset.arrow_schema()
    problems = []
    names = schema.names
    if names != expected.names:
        problems.append(f"{path}: columns {names} differ from the schema's {expected.names}")
        return problems
    for field_ in expected:
        actual = schema.field(field_.name).type
        if actual != field_.type and not (hasattr(actual, "value_type") and actual.value_type == field_.type):
            problems.append(f"{path}: column {field_.name} is {actual}, expected {field_.type}")
    version = (schema.metadata or {}).get(b"schema_version")
    if version != SCHEMA_VERSION.encode():
        problems.append(f"{path}: schema_version {version!r} in the Parquet metadata, expected {SCHEMA_VERSION!r}")
    return problems
