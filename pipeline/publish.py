"""Publish the datasets to processed/: atomically, only into a folder the pipeline owns, and only when rows changed.

- Atomic: the new folder is written beside processed/ and swapped in with one
  `renameat2(RENAME_EXCHANGE)`, so a reader (or a kill at any instant) sees the old
  folder or the new one, never none or a mix. Where the kernel cannot exchange,
  two renames are used and the next run repairs a missing folder from the old one.
- Confined: `--out` is replaced only when it is a folder this pipeline created
  (it holds the `.csr-nw-pipeline` marker) or an empty one; never a file, `/`,
  the home folder or the current folder.
- Idempotent: a build whose rows equal the published ones rewrites nothing; only
  the run log gets its row.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from . import interrupt
from .history import project_changes, updated_history
from .parquet import dataset_file, read_rows, write_rows
from .schema import CHANGES, DATASETS, PROJECTS, RUNS, SCHEMA_VERSION, Dataset, Row, history_of

MARKER = ".csr-nw-pipeline"
"""The file that marks a folder as made by this pipeline, and so safe to replace."""

Tables = Mapping[str, list[Row]]


class PublishError(Exception):
    """The output folder may not be replaced, or is not a published folder: bad input, exit 2."""


def json_lines(rows: list[Row], dataset: Dataset = PROJECTS) -> Iterator[str]:
    """Rows as JSON Lines in the schema's column order, dates as ISO strings."""
    for row in rows:
        yield json.dumps({name: _json_value(row.get(name)) for name in dataset.column_names}, ensure_ascii=False)


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


# -- the output folder ---------------------------------------------------------------------------------------


def check_out_dir(out_dir: Path) -> None:
    """Refuse an output folder the pipeline must not replace; raises PublishError naming why."""
    target = out_dir.expanduser().resolve()
    here = Path.cwd().resolve()
    if target == Path(target.anchor) or target == Path.home().resolve() or target == here or target in here.parents:
        raise PublishError(f"--out {out_dir}: refusing to replace {target}: it holds far more than published data")
    if target.exists() and not target.is_dir():
        raise PublishError(f"--out {out_dir}: is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not _made_here(target):
        raise PublishError(
            f"--out {out_dir}: a folder this pipeline did not create (no {MARKER} in it); "
            "refusing to replace it: name a new or empty folder"
        )


def _made_here(folder: Path) -> bool:
    """The marker says so; a folder published before markers existed has the old `run.json` and every dataset."""
    if (folder / MARKER).is_file():
        return True
    return (folder / "run.json").is_file() and all((folder / dataset.path).is_dir() for dataset in DATASETS)


def remove_leftovers(out_dir: Path) -> None:
    """Clear what a killed run left: staging and retired folders beside `out_dir`, temporary files in it.
    A kill between the two renames of the fallback swap leaves no `out_dir`: the retired one comes back."""
    parent, name = out_dir.parent, out_dir.name
    retired = sorted(parent.glob(f".{name}.old-*"))
    if retired and not out_dir.exists():
        os.rename(retired.pop(), out_dir)
    for leftover in [*parent.glob(f".{name}.staging-*"), *retired]:
        shutil.rmtree(leftover, ignore_errors=True)
    if out_dir.is_dir():
        for stray in out_dir.rglob(".*.tmp"):
            stray.unlink(missing_ok=True)


def read_published(out_dir: Path) -> dict[str, list[Row]] | None:
    """The published tables, or None when no projects have been published there.
    A dataset added to the schema since that publish reads as empty."""
    tables = {dataset.name: read_rows(out_dir, dataset) for dataset in DATASETS}
    if tables[PROJECTS.name] is None:
        return None
    return {name: rows or [] for name, rows in tables.items()}


def same_rows(previous: Tables | None, new: Tables) -> bool:
    """Whether every dataset has exactly the rows already published, in the same order."""
    return previous is not None and all(previous[d.name] == new[d.name] for d in DATASETS)


def is_current_layout(out_dir: Path) -> bool:
    """Whether `out_dir` was published by this version: marked, and every dataset of this schema version.
    A folder from an older version is republished even when its rows are the same."""
    if not (out_dir / MARKER).is_file():
        return False
    for dataset in DATASETS:
        if not dataset_file(out_dir, dataset).is_file():
            return False
        if _schema_version(dataset_file(out_dir, dataset)) != SCHEMA_VERSION:
            return False
    return True


def _schema_version(path: Path) -> str | None:
    version = (pq.read_schema(path).metadata or {}).get(b"schema_version")
    return version.decode() if version is not None else None


# -- publishing ----------------------------------------------------------------------------------------------


def publish(out_dir: Path, tables: Tables, previous: Tables | None, run: Row, metadata: dict[str, str]) -> None:
    """Write the new datasets, their history, the changes and the run log into a staging folder,
    then swap it in for `out_dir` in one step."""
    run_id = str(run["run_id"])
    staging = out_dir.parent / f".{out_dir.name}.staging-{run_id}"
    staging.mkdir(parents=True)
    try:
        (staging / MARKER).write_text(
            json.dumps({"made_by": "csr-nw-pipeline", "schema_version": SCHEMA_VERSION}) + "\n", encoding="utf-8"
        )
        for dataset in DATASETS:
            interrupt.check()
            rows = tables[dataset.name]
            write_rows(dataset_file(staging, dataset), dataset, rows, metadata)
            _write_history(out_dir, staging, dataset, rows, run_id)
        _write_changes(out_dir, staging, previous, tables, run_id)
        write_rows(staging / RUNS.path, RUNS, [*(read_rows(out_dir, RUNS) or []), run])
        interrupt.check()
        _exchange(staging, out_dir, run_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after the exchange: the folder that was published before


def _write_history(out_dir: Path, staging: Path, dataset: Dataset, rows: list[Row], run_id: str) -> None:
    history = history_of(dataset)
    old = read_rows(out_dir, history) or []
    write_rows(dataset_file(staging, history), history, updated_history(old, dataset, rows, run_id))


def _write_changes(out_dir: Path, staging: Path, previous: Tables | None, tables: Tables, run_id: str) -> None:
    """The changes folder keeps one file per publish: earlier ones are linked, not copied."""
    folder = staging / CHANGES.path
    folder.mkdir(parents=True)
    for earlier in sorted((out_dir / CHANGES.path).glob("*.parquet")):
        if _schema_version(earlier) == SCHEMA_VERSION:
            os.link(earlier, folder / earlier.name)
        else:  # written by an older version: carried over into this version's schema
            write_rows(folder / earlier.name, CHANGES, pq.read_table(earlier).to_pylist())
    changes = project_changes(previous["projects"] if previous else [], tables["projects"], run_id)
    write_rows(folder / f"part-{run_id}.parquet", CHANGES, changes)


# -- the swap ------------------------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(staging: Path, out_dir: Path, run_id: str) -> None:
    """Put `staging` in place of `out_dir` in one step; afterwards `staging` holds what `out_dir` held, if anything."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _rename_exchange(staging, out_dir):
        return
    retired = out_dir.with_name(f".{out_dir.name}.old-{run_id}")
    os.rename(out_dir, retired)  # a kill here leaves no out_dir: remove_leftovers puts `retired` back
    os.rename(staging, out_dir)
    os.rename(retired, staging)


def _rename_exchange(first: Path, second: Path) -> bool:
    """Linux's renameat2(RENAME_EXCHANGE); False where the kernel, libc or file system cannot do it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, f"cannot swap {first} and {second}: {os.strerror(code)}")


# -- comparing two published folders (CI) --------------------------------------------------------------------


def compare_outputs(expected_dir: Path | str, actual_dir: Path | str) -> list[str]:
    """Differences in rows between two processed/ folders, dataset by dataset (metadata, run log
    and history ignored: they depend on the runs, not on raw/)."""
    differences = []
    for dataset in DATASETS:
        expected = read_rows(Path(expected_dir), dataset)
        actual = read_rows(Path(actual_dir), dataset)
        if expected is None or actual is None:
            differences.append(f"{dataset.name}: missing in {expected_dir if expected is None else actual_dir}")
            continue
        if len(expected) != len(actual):
            differences.append(f"{dataset.name}: {len(expected)} rows in {expected_dir}, {len(actual)} in {actual_dir}")
        for index, (old, new) in enumerate(zip(expected, actual, strict=False)):
            changed = sorted(name for name in old if old[name] != new.get(name))
            if changed:
                differences.append(f"{dataset.name} row {index}: {', '.join(changed)} differ")
    return differences
