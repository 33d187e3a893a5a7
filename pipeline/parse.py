"""The line grammar: pages → records (what each page says about each project) and warnings.

A listing page is a run of projects, each a title followed by label/value
pairs, grouped under `Ongoing` and year headings. A project detail page is a
title, an unlabelled block of values (Direction, Subdirection, Stage, Type,
Date, any of them missing) and a description. Nothing here guesses: what
the grammar cannot place becomes a warning, and missing values stay missing
for normalisation and validation to judge. What the site's words mean comes
from `pipeline.site`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import DateRangeError, parse_date_range
from .pages import Line, Page
from .schema import WARNINGS, Row
from .site import (
    DETAIL,
    KNOWN_SUBDIRECTIONS,
    KNOWN_TYPES,
    LISTING,
    METADATA_FIELDS,
    fold,
    heading_of,
    known_field,
    label_of,
    status_for_stage,
)


@dataclass
class Record:
    """What one page says about one project, before normalisation."""

    page_url: str | None
    page_kind: str
    language: str
    source_sha256: str
    line_no: int
    title: str
    fields: dict[str, str] = field(default_factory=dict)
    listing_section: str | None = None
    link: str | None = None
    description: str | None = None
    raw_lines: list[str] = field(default_factory=list)
    unknown_labels: dict[str, str] = field(default_factory=dict)
    complete: bool = True

    @property
    def raw_text(self) -> str:
        return "\n".join(self.raw_lines)


@dataclass
class ParseResult:
    records: list[Record]
    warnings: list[Row]
    """Rows of processed/warnings/: what the page showed that did not become part of a record."""


_YEAR = re.compile(r"\b(1[89]|2[01])\d\d\b")


def page_warning(page: Page, line: int | None, code: str, message: str, subject: str | None = None) -> Row:
    """A warning about a page (not yet about a project row); `subject` is the word or line it is about."""
    return WARNINGS.row(
        code=code,
        message=message,
        subject=subject,
        project_id=None,
        language=page.language,
        page_url=page.url,
        line=line,
    )


def parse_page(page: Page) -> ParseResult:
    """Records and warnings for one page; a page that is neither listing nor detail gives a warning."""
    if page.kind == LISTING:
        return _parse_listing(page)
    if page.kind == DETAIL:
        return _parse_detail(page)
    warning = page_warning(
        page, None, "not-a-project-page", f"not a listing or detail page (kind {page.kind!r}): no projects read from it"
    )
    return ParseResult([], [warning])


class _ListingReader:
    """Walks a listing's non-blank lines once, opening sections and projects as it goes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.lines = [(number, line) for number, line in enumerate(page.lines, 1) if line.text]
        self.known = [known_field(line.text) for _, line in self.lines] + [None]
        """Each line's known label (None past the end), computed once: the hot path of a build."""
        self.records: list[Record] = []
        self.warnings: list[Row] = []
        self.section: str | None = None
        self.current: Record | None = None

    def read(self) -> ParseResult:
        index = 0
        while index < len(self.lines):
            index = self._step(index)
        if not self.records:
            self._warn(None, "no-projects", "listing page has no projects")
        return ParseResult(self.records, self.warnings)

    def _step(self, index: int) -> int:
        number, line = self.lines[index]
        text = line.text
        known = self.known[index]
        if known is not None:
            return self._field(index, *known)
        heading = heading_of(text)
        if heading is not None:
            self.section, self.current = heading, None
            return index + 1
        label = label_of(text)
        next_field = self._next_field(index)
        if label is not None and self.current is not None and self._is_unknown_label(line, self.current, next_field):
            return self._unknown_label(index, self.current, *label)
        if next_field is not None:
            self._open(number, line)
            return index + 1
        if self.records:
            after = f" after project {self.current.title!r}" if self.current else ""
            self._warn(number, "ignored-line", f"line{after} ignored: {text!r}", subject=text)
        return index + 1

    def _next_field(self, index: int) -> str | None:
        """The field of the known label on the line after `index`, if that line is one."""
        following = self.known[index + 1]
        return following[0] if following else None

    @staticmethod
    def _is_unknown_label(line: Line, record: Record, next_field: str | None) -> bool:
        """Inside a project, a `Label: …` line is one of its labels rather than the next title
        unless a known label follows that the project already has (a title starts a new set)."""
        return line.item or next_field is None or next_field not in record.fields

    def _open(self, number: int, line: Line) -> None:
        page = self.page
        self.current = Record(
            page_url=page.url,
            page_kind=LISTING,
            language=page.language,
            source_sha256=page.source_sha256,
            line_no=number,
            title=line.text,
            listing_section=self.section,
            link=line.href,
            raw_lines=[line.text],
            complete=page.complete,
        )
        self.records.append(self.current)

    def _value(self, index: int, record: Record, inline: str) -> tuple[str | None, int]:
        """The label's value (inline, or the next line when that can be one) and the next index."""
        if inline:
            return inline, index + 1
        if index + 1 == len(self.lines) or not self._can_be_value(index + 1, self.lines[index][1]):
            return None, index + 1
        following = self.lines[index + 1][1]
        record.raw_lines.append(following.text)
        return following.text, index + 2

    def _can_be_value(self, index: int, label: Line) -> bool:
        """A label's value is never another label or a heading, and it is a list item when the
        label is one (so a missing value does not swallow the next heading or title)."""
        following = self.lines[index][1]
        if self.known[index] is not None or following.heading:
            return False
        return following.item or not label.item

    def _field(self, index: int, name: str, inline: str) -> int:
        number, line = self.lines[index]
        record = self.current
        if record is None:
            self._warn(
                number, "label-outside-project", f"label {line.text!r} outside any project ignored", subject=line.text
            )
            return index + 1
        record.raw_lines.append(line.text)
        value, next_index = self._value(index, record, inline)
        if value is None:
            self._warn(number, "missing-value", f"{line.text!r} of {record.title!r} has no value")
        elif name in record.fields:
            self._warn(
                number,
                "repeated-label",
                f"{line.text!r} repeated in {record.title!r}: kept {record.fields[name]!r}, ignored {value!r}",
            )
        else:
            record.fields[name] = value
        return next_index

    def _unknown_label(self, index: int, record: Record, label: str, inline: str) -> int:
        number, line = self.lines[index]
        record.raw_lines.append(line.text)
        value, next_index = self._value(index, record, inline)
        record.unknown_labels[label] = value or ""
        self._warn(
            number,
            "unknown-label",
            f"unknown label {label!r} in {record.title!r} (value {value!r}) kept out of the record",
            subject=label,
        )
        return next_index

    def _warn(self, number: int | None, code: str, message: str, subject: str | None = None) -> None:
        self.warnings.append(page_warning(self.page, number, code, message, subject))


def _parse_listing(page: Page) -> ParseResult:
    return _ListingReader(page).read()


def _parse_detail(page: Page) -> ParseResult:
    numbered = list(enumerate(page.lines, 1))
    content = [(number, line) for number, line in numbered if line.text]
    if not content:
        return ParseResult([], [page_warning(page, None, "empty-page", "detail page has no text")])
    title_number, title_line = content[0]
    start = title_number
    block = _metadata_block(page.lines, start)
    fields, used = assign_metadata([line.text for line in block], page.language)
    rest = page.lines[start + _block_span(page.lines, start, used) :]
    record = Record(
        page_url=page.url,
        page_kind=DETAIL,
        language=page.language,
        source_sha256=page.source_sha256,
        line_no=title_number,
        title=title_line.text,
        fields=fields,
        description=render_description(rest),
        link=page.url,
        raw_lines=[title_line.text] + [line.text for line in block[:used]],
        complete=page.complete,
    )
    return ParseResult([record], [])


def _metadata_block(lines: tuple[Line, ...], start: int) -> list[Line]:
    """The short value lines right after the title (blank lines before them skipped)."""
    index = start
    while index < len(lines) and not lines[index].text:
        index += 1
    block: list[Line] = []
    while index < len(lines) and len(block) < len(METADATA_FIELDS) and _is_metadata(lines[index].text):
        block.append(lines[index])
        index += 1
    return block


def _is_metadata(text: str) -> bool:
    labelled = known_field(text)
    return bool(labelled[1]) if labelled else _looks_like_value(text)


def _block_span(lines: tuple[Line, ...], start: int, used: int) -> int:
    """How many lines after `start` the first `used` block values (and blanks before them) take."""
    index, taken = start, 0
    while index < len(lines) and taken < used:
        taken += bool(lines[index].text)
        index += 1
    return index - start


def _looks_like_value(text: str) -> bool:
    """Short, label-free text; a final `.` only for a value (`2015 г.`), not a sentence."""
    if not text or len(text) > 80 or ":" in text or text.endswith((";", ",")):
        return False
    return not text.endswith(".") or value_kind(text) != "text"


def value_kind(text: str, language: str | None = None) -> str:
    """What an unlabelled value is by itself: `stage`, `date`, `type`, `subdirection`, `text`,
    or `date-like` (holds a year but does not parse: a date only where a date may stand)."""
    if status_for_stage(text):
        return "stage"
    key = fold(text)
    if key in KNOWN_TYPES:
        return "type"
    if key in KNOWN_SUBDIRECTIONS:
        return "subdirection"
    try:
        parse_date_range(text, language)
        return "date"
    except DateRangeError:
        return "date-like" if _YEAR.search(text) else "text"


_TARGET = {"stage": "stage", "date": "date_text", "type": "project_type", "subdirection": "subdirection"}
_FREE_TEXT_SLOTS = ("direction", "subdirection", "project_type")
_AFTER_STAGE = METADATA_FIELDS.index("stage") + 1


def assign_metadata(values: list[str], language: str | None = None) -> tuple[dict[str, str], int]:
    """Place unlabelled detail values by what they are and where they stand.

    Values must come in the site's order (Direction, Subdirection, Stage, Type,
    Date); the first value that cannot come next ends the block, and it and
    what follows belong to the description. A labelled value (`Date: 2015`)
    goes where its label says. Returns the fields and how many values were used.
    """
    fields: dict[str, str] = {}
    position = 0
    for used, value in enumerate(values):
        labelled = known_field(value)
        if labelled:
            target, value = labelled
        else:
            unlabelled = _unlabelled_target(value_kind(value, language), position)
            if unlabelled is None or METADATA_FIELDS.index(unlabelled) < position:
                return fields, used
            target = unlabelled
        fields[target] = value
        position = max(position, METADATA_FIELDS.index(target) + 1)
    return fields, len(values)


def _unlabelled_target(kind: str, position: int) -> str | None:
    """The field a value of `kind` fills when the block has reached `position`."""
    if kind == "date-like":
        kind = "date" if position >= _AFTER_STAGE else "text"
    return _TARGET.get(kind) or next(
        (slot for slot in _FREE_TEXT_SLOTS if METADATA_FIELDS.index(slot) >= position), None
    )


def render_description(lines: tuple[Line, ...] | list[Line]) -> str | None:
    """The description as text: one line per block, list items as `- item`, no blank lines."""
    rendered = [f"- {line.text}" if line.item else line.text for line in lines if line.text]
    return "\n".join(rendered) or None
