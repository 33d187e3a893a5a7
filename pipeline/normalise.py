"""Records → typed rows: merge each listing entry with its detail page, derive ids, status and dates.

Pure functions. A record that cannot be normalised (no title, a date that
does not parse) becomes a reject with its reason; nothing is guessed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .dates import DateRangeError, parse_date_range
from .pages import squeeze
from .parse import Record
from .schema import PROJECTS, REJECTS, WARNINGS, Row
from .site import DETAIL, LISTING, METADATA_FIELDS, detail_key, fold, status_for_stage


@dataclass
class Candidate:
    """A row on its way to validation, with what a reject would need to point back to its source."""

    row: Row
    page_url: str | None
    line: int | None
    raw_text: str
    complete: bool = True


@dataclass
class Normalised:
    candidates: list[Candidate] = field(default_factory=list)
    rejects: list[Row] = field(default_factory=list)
    warnings: list[Row] = field(default_factory=list)


@dataclass
class RecordPair:
    """What the build read about one project in one language: every listing entry that shows it
    (in several sections or thematic areas) and its detail page; either side may be missing, not both."""

    listings: list[Record]
    detail: Record | None

    @property
    def listing(self) -> Record | None:
        """The first listing entry (in page URL and line order): its title and section the row takes."""
        return self.listings[0] if self.listings else None

    @property
    def primary(self) -> Record:
        """The record whose title and place in the listing the row takes: the listing entry's, if any."""
        primary = self.listing or self.detail
        if primary is None:
            raise ValueError("a record pair needs a listing entry or a detail page")
        return primary

    @property
    def records(self) -> list[Record]:
        return [*self.listings, *([self.detail] if self.detail else [])]

    @property
    def complete(self) -> bool:
        return all(record.complete for record in self.records)


_NOT_WORD = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """Title for matching: case, quotes, dashes and punctuation ignored."""
    return _NOT_WORD.sub(" ", fold(title)).strip()


_MAX_SLUG = 100


def project_key(detail_url: str | None) -> str | None:
    """`projects/<year>/<slug>`: the detail page's path without its language, shared by both languages."""
    key = detail_key(detail_url) if detail_url else None
    return f"projects/{key}" if key else None


def project_id(detail_url: str | None, title: str) -> str:
    """`<year>/<slug>` from a detail URL (the same in both languages), else `title/<slug>`.

    A title slug longer than 100 characters is cut and ends with a hash of the whole
    title, so long titles that share a beginning still get distinct ids.
    """
    key = detail_key(detail_url) if detail_url else None
    if key:
        return key
    slug = title_key(title).replace(" ", "-")
    if len(slug) > _MAX_SLUG:
        slug = f"{slug[:_MAX_SLUG].rstrip('-')}-{hashlib.sha256(slug.encode()).hexdigest()[:8]}"
    return "title/" + slug


def pair_records(records: list[Record]) -> tuple[list[RecordPair], list[Row]]:
    """Group each project's listing entries (one project shown in several sections or areas is one
    project), then pair each detail page with its group: by link first, then by a unique title.

    Groups keep the order of their first entry; detail pages matched to none follow, in input order.
    """
    groups = _listing_groups([record for record in records if record.page_kind == LISTING])
    by_link: dict[tuple[str, str | None], RecordPair] = {
        (r.language, r.link): group for group in groups for r in group.listings if r.link
    }
    by_title: dict[tuple[str, str], list[RecordPair]] = {}
    for group in groups:
        titles = {(r.language, title_key(r.title)) for r in group.listings}
        for key in titles:
            by_title.setdefault(key, []).append(group)
    warnings: list[Row] = []
    unmatched: list[RecordPair] = []
    for detail in (record for record in records if record.page_kind == DETAIL):
        same_title = by_title.get((detail.language, title_key(detail.title)), [])
        match = by_link.get((detail.language, detail.page_url)) or (same_title[0] if len(same_title) == 1 else None)
        if len(same_title) > 1 and match is None:
            warnings.append(
                record_warning(
                    "ambiguous-title",
                    f"detail page title {detail.title!r} matches {len(same_title)} listing entries; kept apart",
                    detail,
                    pair_id(RecordPair([], detail)),
                )
            )
        if match is not None and match.detail is None:
            match.detail = detail
        else:
            unmatched.append(RecordPair([], detail))
    return groups + unmatched, warnings


def _listing_groups(listings: list[Record]) -> list[RecordPair]:
    """Listing entries of the same project and language together: those that link the same detail
    page; without a link, those with the same title whose values agree (two projects may share a title)."""
    groups: list[RecordPair] = []
    by_identity: dict[tuple[str, str], list[RecordPair]] = {}
    for record in listings:
        key = detail_key(record.link) if record.link else None
        identity = (record.language, f"link:{key}" if key else f"title:{title_key(record.title)}")
        same = by_identity.setdefault(identity, [])
        group = next((group for group in same if key or _agree(group.listings[0], record)), None)
        if group is None:
            group = RecordPair([record], None)
            same.append(group)
            groups.append(group)
        else:
            group.listings.append(record)
    return groups


def _agree(first: Record, other: Record) -> bool:
    """No field that both entries give differs."""
    return all(fold(first.fields[name]) == fold(value) for name, value in other.fields.items() if name in first.fields)


def normalise(records: list[Record]) -> Normalised:
    """All records of a build → candidates for validation, rejects and warnings."""
    pairs, pairing_warnings = pair_records(records)
    result = Normalised(warnings=pairing_warnings)
    for pair in pairs:
        outcome, warnings = to_candidate(pair)
        result.warnings += warnings
        if isinstance(outcome, Candidate):
            result.candidates.append(outcome)
        else:
            result.rejects.append(outcome)
    return result


def to_candidate(pair: RecordPair) -> tuple[Candidate | Row, list[Row]]:
    """One project → (candidate, warnings), or (reject row, warnings) when it cannot be read."""
    listing, detail, primary = pair.listing, pair.detail, pair.primary
    fields, warnings = _resolve_fields(pair, pair_id(pair))
    title = squeeze(primary.title)
    if not title:
        return reject(pair, "normalise", "the project has no title"), warnings
    date_text = fields.get("date_text")
    try:
        dates = parse_date_range(date_text, primary.language) if date_text else None
    except DateRangeError as exc:
        return reject(pair, "normalise", f"date: {exc}"), warnings
    detail_url = (detail.page_url if detail else None) or primary.link
    stage = fields.get("stage")
    row = PROJECTS.row(
        project_id=project_id(detail_url, title),
        language=primary.language,
        title=title,
        direction=fields.get("direction"),
        subdirection=fields.get("subdirection"),
        stage=stage,
        status=status_for_stage(stage) if stage else None,
        project_type=fields.get("project_type"),
        date_text=date_text,
        start_date=dates.start if dates else None,
        end_date=dates.end if dates else None,
        start_precision=dates.start_precision if dates else None,
        end_precision=dates.end_precision if dates else None,
        open_ended=dates.open_ended if dates else False,
        listing_section=listing.listing_section if listing else None,
        listing_url=listing.page_url if listing else None,
        listing_sections=_unique(r.listing_section for r in pair.listings),
        listing_urls=sorted(_unique(r.page_url for r in pair.listings)),
        thematic_areas=_unique(r.area for r in sorted(pair.listings, key=lambda r: r.page_url or "")),
        detail_url=detail_url,
        project_key=project_key(detail_url),
        description=detail.description if detail else None,
        customer=detail.facts.get("customer") if detail else None,
        developer=detail.facts.get("developer") if detail else None,
        aim=detail.facts.get("aim") if detail else None,
        leader=detail.facts.get("leader") if detail else None,
        source_sha256=_sources(pair),
    )
    warnings += _cut_short_warnings(pair, row["project_id"])
    return Candidate(row, primary.page_url, primary.line_no, _raw_text(pair), pair.complete), warnings


def _cut_short_warnings(pair: RecordPair, row_id: object) -> list[Row]:
    """A row read from a capture cut short may lack entries or description: say so, joined to the row."""
    return [
        record_warning("incomplete-capture", _CUT_SHORT[record.page_kind], record, row_id)
        for record in pair.records
        if not record.complete
    ]


_CUT_SHORT = {
    LISTING: "the listing page capture is cut short; entries after the cut are missing",
    DETAIL: "the detail page capture is cut short; its description is incomplete",
}


def pair_id(pair: RecordPair) -> str | None:
    """The `project_id` the pair's row gets (None when it has no title and so no row), so that every
    warning about a project joins to its row."""
    primary = pair.primary
    title = squeeze(primary.title)
    if not title:
        return None
    return project_id((pair.detail.page_url if pair.detail else None) or primary.link, title)


def _unique(values: Iterable[str | None]) -> list[str]:
    """The values given, each once, in order, without nulls."""
    return list(dict.fromkeys(value for value in values if value))


def _resolve_fields(pair: RecordPair, row_id: str | None) -> tuple[dict[str, str], list[Row]]:
    """The first listing entry's values win, later entries and then the detail page fill gaps;
    every disagreement is warned about, so no value from any appearance is lost."""
    fields: dict[str, str] = {}
    source: dict[str, Record] = {}
    first = pair.listing
    warnings = [
        _disagreement("title", first, first.title, other, other.title, row_id)
        for other in pair.listings[1:]
        if first is not None and title_key(other.title) != title_key(first.title)
    ]
    for record in pair.records:
        for name in METADATA_FIELDS:
            value = squeeze(record.fields.get(name) or "")
            kept = fields.get(name)
            if not value:
                continue
            if kept is None:
                fields[name], source[name] = value, record
            elif fold(kept) != fold(value):
                warnings.append(_disagreement(name, source[name], kept, record, value, row_id))
    return fields, warnings


def _disagreement(name: str, first: Record, kept: str, other: Record, value: str, row_id: str | None) -> Row:
    if other.page_kind == DETAIL:
        code, message = "listing-vs-detail", f"{name}: listing says {kept!r}, detail page says {value!r}"
    else:
        code, message = "listing-vs-listing", f"{name}: {first.page_url} says {kept!r}, {other.page_url} says {value!r}"
    return record_warning(code, f"{message}; kept the listing's", other, row_id)


def _sources(pair: RecordPair) -> str:
    return ",".join(dict.fromkeys(r.source_sha256 for r in pair.records if r.source_sha256))


def _raw_text(pair: RecordPair) -> str:
    return "\n\n".join(r.raw_text for r in pair.records)


def reject(pair: RecordPair, step: str, reason: str) -> Row:
    """The reject row for a project that cannot be read, pointing back at its listing entry or page."""
    primary = pair.primary
    return REJECTS.row(
        step=step,
        reason=reject_reason(reason, pair.complete),
        page_url=primary.page_url,
        language=primary.language,
        title=primary.title or None,
        line=primary.line_no,
        raw_text=_raw_text(pair),
        source_sha256=_sources(pair) or None,
    )


def reject_reason(reason: str, complete: bool) -> str:
    """A reason from a cut-short capture says so: the cut, not the site, may be at fault."""
    return reason if complete else f"{reason} (the capture is cut short)"


def record_warning(code: str, message: str, record: Record, project_id: object = None) -> Row:
    """A warning about what one page says of a project."""
    return WARNINGS.row(
        code=code,
        message=message,
        subject=None,
        project_id=project_id,
        language=record.language,
        page_url=record.page_url,
        line=record.line_no,
    )
