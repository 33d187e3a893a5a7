"""Records → typed rows: merge each listing entry with its detail page, derive ids, status and dates.

Pure functions. A record that cannot be normalised (no title, a date that
does not parse) becomes a reject with its reason; nothing is guessed.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .dates import DateRangeError, parse_date_range
from .pages import LISTING, PROJECT, squeeze
from .parse import METADATA_FIELDS, Note, Record
from .vocabulary import fold, status_for_stage


@dataclass
class Candidate:
    """A row on its way to validation, with what a reject would need to point back to its source."""

    row: dict[str, object]
    page_url: str | None
    line: int | None
    raw_text: str
    complete: bool = True


@dataclass
class Normalised:
    candidates: list[Candidate] = field(default_factory=list)
    rejects: list[dict[str, object]] = field(default_factory=list)
    warnings: list[dict[str, object]] = field(default_factory=list)


@dataclass
class Project:
    """A project as the listing and its detail page show it (either may be missing)."""

    listing: Record | None
    detail: Record | None

    @property
    def primary(self) -> Record:
        return self.listing or self.detail  # type: ignore[return-value]

    @property
    def records(self) -> list[Record]:
        return [record for record in (self.listing, self.detail) if record is not None]

    @property
    def complete(self) -> bool:
        return all(record.complete for record in self.records)


_PROJECT_ID = re.compile(r"/projects/(\d{4}/[^/?#]+)")
_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """Title for matching: case, quotes, dashes and punctuation ignored."""
    return _NOT_WORD.sub(" ", fold(title)).strip()


_MAX_SLUG = 100


def project_id(detail_url: str | None, title: str) -> str:
    """`<year>/<slug>` from a detail URL (the same in both languages), else `title/<slug>`.

    A title slug longer than 100 characters is cut and ends with a hash of the whole
    title, so long titles that share a beginning still get distinct ids.
    """
    if detail_url:
        match = _PROJECT_ID.search(urlsplit(detail_url).path)
        if match:
            return match.group(1)
    slug = title_key(title).replace(" ", "-")
    if len(slug) > _MAX_SLUG:
        slug = f"{slug[:_MAX_SLUG].rstrip('-')}-{hashlib.sha256(slug.encode()).hexdigest()[:8]}"
    return "title/" + slug


def merge(records: list[Record]) -> tuple[list[Project], list[dict[str, object]]]:
    """Pair each detail page with its listing entry: by link first, then by a unique title.

    Listing entries keep their order; detail pages matched to none follow, in input order.
    """
    listings = [record for record in records if record.page_kind == LISTING]
    projects = {id(record): Project(record, None) for record in listings}
    by_link = {(r.language, r.link): r for r in listings if r.link}
    by_title: dict[tuple[str, str], list[Record]] = {}
    for record in listings:
        by_title.setdefault((record.language, title_key(record.title)), []).append(record)
    warnings: list[dict[str, object]] = []
    unmatched: list[Project] = []
    for detail in (record for record in records if record.page_kind == PROJECT):
        same_title = by_title.get((detail.language, title_key(detail.title)), [])
        match = by_link.get((detail.language, detail.page_url)) or (same_title[0] if len(same_title) == 1 else None)
        if len(same_title) > 1 and match is None:
            warnings.append(_warning("ambiguous-title", f"detail page title {detail.title!r} matches "
                                     f"{len(same_title)} listing entries; kept apart", detail))
        if match is not None and projects[id(match)].detail is None:
            projects[id(match)].detail = detail
        else:
            unmatched.append(Project(None, detail))
    return list(projects.values()) + unmatched, warnings


def normalise(records: list[Record], notes: Sequence[Note] = ()) -> Normalised:
    """All records of a build → candidates for validation, rejects and warnings."""
    projects, merge_warnings = merge(records)
    result = Normalised(warnings=[note_warning(note) for note in notes] + merge_warnings)
    for project in projects:
        candidate, reject, warnings = to_candidate(project)
        result.warnings += warnings
        if reject is not None:
            result.rejects.append(reject)
        else:
            result.candidates.append(candidate)  # type: ignore[arg-type]
    return result


def to_candidate(project: Project) -> tuple[Candidate | None, dict[str, object] | None, list[dict[str, object]]]:
    """One project → (candidate, None, warnings) or (None, reject, warnings)."""
    listing, detail, primary = project.listing, project.detail, project.primary
    fields, warnings = _resolve_fields(project)
    title = squeeze(primary.title)
    if not title:
        return None, reject(project, "normalise", "the project has no title"), warnings
    date_text = fields.get("date_text")
    try:
        dates = parse_date_range(date_text, primary.language) if date_text else None
    except DateRangeError as exc:
        return None, reject(project, "normalise", f"date: {exc}"), warnings
    detail_url = (detail.page_url if detail else None) or primary.link
    stage = fields.get("stage")
    row: dict[str, object] = {
        "project_id": project_id(detail_url, title),
        "language": primary.language,
        "title": title,
        "direction": fields.get("direction"),
        "subdirection": fields.get("subdirection"),
        "stage": stage,
        "status": status_for_stage(stage) if stage else None,
        "project_type": fields.get("project_type"),
        "date_text": date_text,
        "start_date": dates.start if dates else None,
        "end_date": dates.end if dates else None,
        "start_precision": dates.start_precision if dates else None,
        "end_precision": dates.end_precision if dates else None,
        "open_ended": dates.open_ended if dates else False,
        "listing_section": listing.listing_section if listing else None,
        "listing_url": listing.page_url if listing else None,
        "detail_url": detail_url,
        "description": detail.description if detail else None,
        "source_sha256": _sources(project),
    }
    for record in project.records:
        if not record.complete:
            warnings.append(_warning("incomplete-capture", _CUT_SHORT[record.page_kind], record, row["project_id"]))
    return Candidate(row, primary.page_url, primary.line_no, _raw_text(project), project.complete), None, warnings


_CUT_SHORT = {
    LISTING: "the listing page capture is cut short; entries after the cut are missing",
    PROJECT: "the detail page capture is cut short; its description is incomplete",
}


def _resolve_fields(project: Project) -> tuple[dict[str, str], list[dict[str, object]]]:
    """Listing values win; the detail page fills gaps; disagreements are warned about."""
    listing = project.listing.fields if project.listing else {}
    detail = project.detail.fields if project.detail else {}
    fields: dict[str, str] = {}
    warnings = []
    for name in METADATA_FIELDS:
        ours, theirs = listing.get(name), detail.get(name)
        if ours and theirs and fold(ours) != fold(theirs):
            warnings.append(_warning("listing-vs-detail", f"{name}: listing says {ours!r}, detail page "
                                     f"says {theirs!r}; kept the listing's", project.detail))  # type: ignore[arg-type]
        value = squeeze(ours or theirs or "")
        if value:
            fields[name] = value
    return fields, warnings


def _sources(project: Project) -> str:
    return ",".join(dict.fromkeys(r.source_sha256 for r in project.records if r.source_sha256))


def _raw_text(project: Project) -> str:
    return "\n\n".join(r.raw_text for r in project.records)


def reject(project: Project, step: str, reason: str) -> dict[str, object]:
    primary = project.primary
    return reject_row(step, reason, page_url=primary.page_url, language=primary.language,
                      title=primary.title or None, line=primary.line_no, raw_text=_raw_text(project),
                      source_sha256=_sources(project) or None, complete=project.complete)


def reject_row(step: str, reason: str, *, page_url: str | None, language: object, title: object,
               line: int | None, raw_text: str, source_sha256: object, complete: bool = True) -> dict[str, object]:
    """A row of processed/rejects/; a reason from a cut-short capture says so."""
    if not complete:
        reason += " (the capture is cut short)"
    return {"page_url": page_url, "language": language, "title": title, "line": line, "step": step,
            "reason": reason, "raw_text": raw_text, "source_sha256": source_sha256}


def warning_row(code: str, message: str, *, project_id: object, language: object, page_url: str | None,
                line: int | None) -> dict[str, object]:
    """A row of processed/warnings/, whichever stage noticed it."""
    return {"code": code, "message": message, "project_id": project_id, "language": language,
            "page_url": page_url, "line": line}


def _warning(code: str, message: str, record: Record, project_id: object = None) -> dict[str, object]:
    return warning_row(code, message, project_id=project_id, language=record.language,
                       page_url=record.page_url, line=record.line_no)


def note_warning(note: Note) -> dict[str, object]:
    return warning_row(note.code, note.message, project_id=None, language=note.language,
                       page_url=note.page_url, line=note.line_no)
