"""What happened over time: the run log, the changes each publish made, and every dataset as of any run.

- `processed/runs.parquet`: one row per run, published or not; a run appends its row
  (the file is replaced whole by an atomic rename, so a crash leaves the old log or the new one).
- `processed/changes/`: one file per publish, field by field against the publish before.
- `processed/history/<dataset>/`: every version of every row, with the runs it was current for
  (validity columns rather than a snapshot per run: see the README, "Run log, changes and history").

The functions that compute changes and history are pure; the readers and `append_run` do the I/O.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from .parquet import read_rows, write_rows
from .schema import CHANGES, PROJECTS, RUNS, Dataset, Row, history_of
from .wording import counted

VALID_FROM, VALID_TO = "valid_from_run", "valid_to_run"


def new_run_id(started_at: datetime) -> str:
    """A run id that sorts in time order: the UTC start time to the microsecond."""
    if started_at.tzinfo is None:
        raise ValueError(f"{started_at!r} has no time zone: a run id is a UTC time")
    return started_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%fZ")


# -- changes -------------------------------------------------------------------------------------------------------


def project_changes(previous: list[Row], new: list[Row], run_id: str) -> list[Row]:
    """Field-by-field changes of `projects` from `previous` to `new`; a `title/…` id that became a
    `<year>/<slug>` id for the same title and language is one `rekeyed` change (plus any field changes)."""
    before = {_key(row): row for row in previous}
    after = {_key(row): row for row in new}
    removed = [key for key in before if key not in after]
    added = [key for key in after if key not in before]
    moved = _rekeyed(removed, added, before, after)
    changes: list[Row] = []
    for old_key, new_key in moved.items():
        changes.append(_change(run_id, new_key, "rekeyed", "project_id", old_key[0], new_key[0]))
        changes += _field_changes(run_id, new_key, before[old_key], after[new_key])
    moved_to = set(moved.values())
    changes += [_change(run_id, key, "added") for key in added if key not in moved_to]
    changes += [_change(run_id, key, "removed") for key in removed if key not in moved]
    for key in after.keys() & before.keys():
        changes += _field_changes(run_id, key, before[key], after[key])
    return sorted(changes, key=lambda row: (str(row["project_id"]), str(row["language"]), str(row["field"])))


def _key(row: Row) -> tuple[str, str]:
    return str(row["project_id"]), str(row["language"])


def _rekeyed(
    removed: list[tuple[str, str]],
    added: list[tuple[str, str]],
    before: dict[tuple[str, str], Row],
    after: dict[tuple[str, str], Row],
) -> dict[tuple[str, str], tuple[str, str]]:
    """Removed `title/…` keys that reappear under one detail-page id with the same title and language;
    a title that two new ids share is ambiguous and stays an addition and a removal."""
    candidates: dict[tuple[object, str], list[tuple[str, str]]] = {}
    for key in added:
        if not key[0].startswith("title/"):
            candidates.setdefault((after[key]["title"], key[1]), []).append(key)
    moved = {}
    for key in removed:
        targets = candidates.get((before[key]["title"], key[1]), [])
        if key[0].startswith("title/") and len(targets) == 1:
            moved[key] = targets[0]
    return moved


def _field_changes(run_id: str, key: tuple[str, str], old: Row, new: Row) -> list[Row]:
    """Changed values; a column the old row predates (added to the schema since) is not a change."""
    return [
        _change(run_id, key, "changed", name, old[name], new[name])
        for name in PROJECTS.column_names
        if name != "project_id" and name in old and old[name] != new[name]
    ]


def _change(
    run_id: str, key: tuple[str, str], change: str, field: str | None = None, old: object = None, new: object = None
) -> Row:
    return CHANGES.row(
        run_id=run_id,
        project_id=key[0],
        language=key[1],
        change=change,
        field=field,
        old=_as_text(old),
        new=_as_text(new),
    )


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value.isoformat() if isinstance(value, date) else str(value)


# -- history ------------------------------------------------------------------------------------------------------


def updated_history(history: list[Row], dataset: Dataset, new: list[Row], run_id: str) -> list[Row]:
    """The history after publishing `new`: current versions no longer published get `valid_to_run`,
    rows not published before are added as current from this run. A row's version is all its values."""
    current = Counter(_values(row, dataset) for row in history if row[VALID_TO] is None)
    wanted = Counter(_values(row, dataset) for row in new)
    ending = current - wanted
    updated = []
    for row in history:
        values = _values(row, dataset)
        if row[VALID_TO] is None and ending[values] > 0:
            ending[values] -= 1
            row = {**row, VALID_TO: run_id}
        updated.append({name: row.get(name) for name in (*dataset.column_names, VALID_FROM, VALID_TO)})
    starting = wanted - current
    for row in new:
        values = _values(row, dataset)
        if starting[values] > 0:
            starting[values] -= 1
            updated.append({**row, VALID_FROM: run_id, VALID_TO: None})
    return updated


def _values(row: Row, dataset: Dataset) -> tuple[object, ...]:
    """A row's version; a column added to the schema since the row was written reads as null."""
    return tuple(_hashable(row.get(name)) for name in dataset.column_names)


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def as_of(history: list[Row], dataset: Dataset, run_id: str) -> list[Row]:
    """The rows of a dataset as they were after run `run_id`, from its history."""
    return [
        {name: row[name] for name in dataset.column_names}
        for row in history
        if str(row[VALID_FROM]) <= run_id and (row[VALID_TO] is None or str(row[VALID_TO]) > run_id)
    ]


# -- reading and the run log -------------------------------------------------------------------------------------


def read_runs(out_dir: Path) -> list[Row]:
    """Every run in the log, oldest first; empty when there is no log yet."""
    return read_rows(out_dir, RUNS) or []


def append_run(out_dir: Path, run: Row) -> None:
    """Add one run to `processed/runs.parquet` (the file is replaced whole, atomically)."""
    write_rows(out_dir / RUNS.path, RUNS, [*read_runs(out_dir), run])


def read_changes(out_dir: Path, since: str | None = None) -> list[Row]:
    """Every change published after run `since` (all when None), oldest run first."""
    changes = read_rows(out_dir, CHANGES) or []
    return sorted(
        (row for row in changes if since is None or str(row["run_id"]) > since), key=lambda row: str(row["run_id"])
    )


def read_as_of(out_dir: Path, dataset: Dataset, run_id: str) -> list[Row]:
    """A dataset as it was after an earlier run; raises LookupError for a run the log does not know."""
    if run_id not in {row["run_id"] for row in read_runs(out_dir)}:
        raise LookupError(f"{out_dir}: no run {run_id!r} in the run log")
    return as_of(read_rows(out_dir, history_of(dataset)) or [], dataset, run_id)


# -- for people ------------------------------------------------------------------------------------------------------


def run_line(run: Row) -> str:
    """One run, readably: id, mode, outcome, counts, and why it was not published."""
    pages = ""
    if run["pages_fetched"] is not None:
        pages = (
            f", pages {run['pages_fetched']} fetched / {run['pages_not_modified']} not modified / "
            f"{run['pages_failed']} failed"
        )
    forced = " (forced)" if run["forced"] else ""
    reason = f": {run['reason']}" if run["reason"] else ""
    counts = ", ".join(
        counted(int(str(run[name])), noun)
        for name, noun in (("records", "project"), ("rejects", "reject"), ("warnings", "warning"))
    )
    return f"{run['run_id']}  {run['mode']:<7} {run['outcome']}{forced}  {counts}{pages}{reason}"


def change_lines(changes: list[Row]) -> list[str]:
    """Changes, readably: `RUN  PROJECT [LANGUAGE] CHANGE FIELD: OLD → NEW`."""
    lines = []
    for change in changes:
        where = f"{change['run_id']}  {change['project_id']} [{change['language']}] {change['change']}"
        if change["field"] is not None:
            where += f" {change['field']}: {_shorten(change['old'])} → {_shorten(change['new'])}"
        lines.append(where)
    return lines


def _shorten(value: object, limit: int = 60) -> str:
    if value is None:
        return "∅"
    text = str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
