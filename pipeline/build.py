"""The offline build, stage by stage: captures → pages → records → rows → checked rows.

`build_tables` is pure (bytes in, tables out); `run_build` adds the I/O at both ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import interrupt
from .drift import DEFAULT_GUARD, GuardSettings
from .drift import objections as objections_to
from .history import append_run, new_run_id, project_changes
from .normalise import normalise
from .pages import Page, PageError, load_page
from .parse import Record, parse_page
from .places import UNRESOLVED, places_for
from .publish import check_out_dir, is_current_layout, publish, read_published, remove_leftovers, same_rows
from .rawstore import Capture, RawStore
from .schema import REJECTS, RUNS, Row
from .validate import check
from .wording import counted


@dataclass
class BuildOutput:
    pages: int = 0
    projects: list[Row] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)
    places: list[Row] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, list[Row]]:
        return {
            "projects": self.projects,
            "rejects": self.rejects,
            "warnings": self.warnings,
            "project_places": self.places,
        }

    def summary(self) -> dict[str, int]:
        return {
            "pages": self.pages,
            "projects": len(self.projects),
            "rejects": len(self.rejects),
            "warnings": len(self.warnings),
            "places": len(self.places),
            "unresolved_places": sum(warning["code"] == UNRESOLVED for warning in self.warnings),
        }


def process_pages(pages: list[Page], load_rejects: list[Row] | None = None) -> BuildOutput:
    """Parse, normalise and validate pages, then find each published project's places; nothing is lost,
    only sorted into tables."""
    records: list[Record] = []
    page_warnings: list[Row] = []
    for page in pages:
        parsed = parse_page(page)
        records += parsed.records
        page_warnings += parsed.warnings
    normalised = normalise(records)
    checked = check(normalised.candidates)
    places, place_warnings = places_for(checked.rows)
    load_rejects = load_rejects or []
    return BuildOutput(
        pages=len(pages) + len(load_rejects),
        projects=checked.rows,
        rejects=load_rejects + normalised.rejects + checked.rejects,
        warnings=page_warnings + normalised.warnings + checked.warnings + place_warnings,
        places=places,
    )


def build_tables(captures: Iterable[tuple[Capture, bytes]]) -> BuildOutput:
    """Every capture through every stage; a capture that is no page at all becomes a reject.

    Pages are taken in URL order whatever order they come in, so the same captures
    always give the same rows in the same order.
    """
    pages: list[Page] = []
    load_rejects: list[Row] = []
    for capture, body in captures:
        try:
            pages.append(page_of(capture, body))
        except PageError as exc:
            load_rejects.append(_load_reject(capture, body, str(exc)))
    pages.sort(key=lambda page: (page.url or "", page.source_sha256))
    load_rejects.sort(key=lambda row: (str(row["page_url"]), str(row["source_sha256"])))
    return process_pages(pages, load_rejects)


def page_of(capture: Capture, body: bytes) -> Page:
    """A capture's bytes as a page, read as its manifest entry says (charset, kind, completeness);
    PageError when they are no page."""
    return load_page(
        body,
        capture.content_type,
        capture.url,
        charset=capture.charset,
        kind=capture.kind,
        source_sha256=capture.sha256,
        complete=capture.complete,
    )


def _load_reject(capture: Capture, body: bytes, reason: str) -> Row:
    return REJECTS.row(
        step="load",
        reason=reason,
        page_url=capture.url,
        language=None,
        title=None,
        line=None,
        raw_text=body[:2000].decode("utf-8", "replace"),
        source_sha256=capture.sha256,
    )


def read_captures(store: RawStore) -> list[tuple[Capture, bytes]]:
    return [(capture, store.read(capture)) for capture in store.captures()]


def _stream_captures(store: RawStore) -> Iterator[tuple[Capture, bytes]]:
    """Captures one at a time (so their bytes need not all be held), stopping cleanly on Ctrl-C or SIGTERM."""
    for capture in store.captures():
        interrupt.check()
        yield capture, store.read(capture)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A build makes millions of small acyclic objects; cycle collection passes over them
    free nothing and cost a fifth of the run (bench/build.py), so they wait until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class RunResult:
    """What a `build` or `refresh` run did: its tables, its run-log row, and the drift guard's objections."""

    output: BuildOutput
    run: Row
    objections: list[str]
    changes: list[Row]

    @property
    def outcome(self) -> str:
        return str(self.run["outcome"])

    def outcome_sentence(self, out: Path) -> str:
        """What became of the build, for the operator."""
        if self.outcome == "unchanged":
            return f"no row changed; {out} left as it was"
        if self.outcome == "refused":
            return f"refused by the drift guard; {out} left as it was"
        forced = " (forced past the drift guard)" if self.run["forced"] else ""
        return f"published to {out}{forced}: {counted(len(self.changes), 'change')}"


def run_build(
    raw_dir: Path | str,
    out_dir: Path | str,
    *,
    mode: str = "build",
    fetched: Mapping[str, int] | None = None,
    guard: GuardSettings = DEFAULT_GUARD,
    force: bool = False,
    dry_run: bool = False,
) -> RunResult:
    """raw/ → processed/: build, compare with what is published, then publish, or refuse, or change nothing.

    Every run, published or not, appends its row to the run log (except a dry run, which writes nothing).
    """
    started = _now()
    out = Path(out_dir)
    check_out_dir(out)
    if not dry_run:
        remove_leftovers(out)
    store = RawStore(raw_dir)
    if not store.captures():
        raise FileNotFoundError(f"{store.manifest_path}: no captures to build from")
    with _no_cycle_collection():
        output = build_tables(_stream_captures(store))
    previous = read_published(out)
    objections = objections_to(previous, output.tables, guard) if previous is not None else []
    outcome = _outcome(previous if previous is not None and is_current_layout(out) else None, output, objections, force)
    run = _run_row(started, mode, fetched or {}, output, outcome, objections, force)
    changes = project_changes(previous["projects"] if previous else [], output.projects, str(run["run_id"]))
    if not dry_run:
        _record(out, output, previous, run, store.manifest_sha256())
    return RunResult(output, run, objections, changes)


def _run_row(
    started: datetime,
    mode: str,
    fetched: Mapping[str, int],
    output: BuildOutput,
    outcome: str,
    objections: list[str],
    force: bool,
) -> Row:
    """The run's row of the run log: what was fetched, built, and became of it."""
    return RUNS.row(
        run_id=new_run_id(started),
        started_at=started,
        finished_at=_now(),
        mode=mode,
        pages_fetched=fetched.get("fetched"),
        pages_not_modified=fetched.get("not_modified"),
        pages_failed=fetched.get("failed"),
        records=len(output.projects),
        rejects=len(output.rejects),
        warnings=len(output.warnings),
        outcome=outcome,
        published=outcome == "published",
        forced=bool(force and objections),
        reason="; ".join(objections) or _QUIET_REASONS.get(outcome),
    )


_QUIET_REASONS = {"unchanged": "no row of any dataset changed"}


def _outcome(previous: Mapping[str, list[Row]] | None, output: BuildOutput, objections: list[str], force: bool) -> str:
    if same_rows(previous, output.tables):
        return "unchanged"
    return "refused" if objections and not force else "published"


def _record(
    out: Path, output: BuildOutput, previous: Mapping[str, list[Row]] | None, run: Row, manifest_sha256: str | None
) -> None:
    """Publish a build that may be, or only log the run."""
    if run["outcome"] != "published":
        append_run(out, run)
        return
    metadata = {
        "source": f"raw manifest sha256 {manifest_sha256}",
        "run_id": str(run["run_id"]),
        "built_at": str(run["started_at"]),
    }
    publish(out, output.tables, previous, run, metadata)


def _now() -> datetime:
    return datetime.now(UTC)
