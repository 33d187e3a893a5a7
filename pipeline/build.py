"""The offline build, stage by stage: captures → pages → records → rows → checked rows.

`build_tables` is pure (bytes in, tables out); `run_build` adds the I/O at both ends.
"""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import interrupt
from .normalise import normalise
from .pages import Page, PageError, load_page
from .parse import Record, parse_page
from .publish import publish
from .rawstore import Capture, RawStore
from .schema import REJECTS, Row
from .validate import check


@dataclass
class BuildOutput:
    pages: int = 0
    projects: list[Row] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, list[Row]]:
        return {"projects": self.projects, "rejects": self.rejects, "warnings": self.warnings}

    def summary(self) -> dict[str, int]:
        return {"pages": self.pages, "projects": len(self.projects), "rejects": len(self.rejects),
                "warnings": len(self.warnings)}


def process_pages(pages: list[Page], load_rejects: list[Row] | None = None) -> BuildOutput:
    """Parse, normalise and validate pages; nothing is lost, only sorted into tables."""
    records: list[Record] = []
    page_warnings: list[Row] = []
    for page in pages:
        parsed = parse_page(page)
        records += parsed.records
        page_warnings += parsed.warnings
    normalised = normalise(records)
    checked = check(normalised.candidates)
    load_rejects = load_rejects or []
    return BuildOutput(
        pages=len(pages) + len(load_rejects),
        projects=checked.rows,
        rejects=load_rejects + normalised.rejects + checked.rejects,
        warnings=page_warnings + normalised.warnings + checked.warnings,
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
            pages.append(load_page(body, capture.content_type, capture.url, charset=capture.charset,
                                   kind=capture.kind, source_sha256=capture.sha256, complete=capture.complete))
        except PageError as exc:
            load_rejects.append(_load_reject(capture, body, str(exc)))
    pages.sort(key=lambda page: (page.url or "", page.source_sha256))
    load_rejects.sort(key=lambda row: (str(row["page_url"]), str(row["source_sha256"])))
    return process_pages(pages, load_rejects)


def _load_reject(capture: Capture, body: bytes, reason: str) -> Row:
    return REJECTS.row(step="load", reason=reason, page_url=capture.url, language=None, title=None, line=None,
                       raw_text=body[:2000].decode("utf-8", "replace"), source_sha256=capture.sha256)


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


def run_build(raw_dir: Path | str, out_dir: Path | str) -> BuildOutput:
    """raw/ → processed/: the whole offline job."""
    store = RawStore(raw_dir)
    if not store.captures():
        raise FileNotFoundError(f"{store.manifest_path}: no captures to build from")
    with _no_cycle_collection():
        output = build_tables(_stream_captures(store))
    built_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    manifest_sha256 = store.manifest_sha256()
    run_log = {"built_at": built_at, "raw_manifest_sha256": manifest_sha256, **output.summary()}
    publish(out_dir, output.tables, run_log, {"source": f"raw manifest sha256 {manifest_sha256}", "built_at": built_at})
    return output
