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
from .pages import Line, Page, squeeze
from .schema import WARNINGS, Row
from .site import (
    DETAIL,
    KNOWN_DIRECTIONS,
    KNOWN_SUBDIRECTIONS,
    KNOWN_TYPES,
    LISTING,
    METADATA_FIELDS,
    fact_of,
    fold,
    heading_of,
    is_chrome,
    kind_of_url,
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
    area: str | None = None
    """The title of the listing page the record is on: the thematic area's name."""
    facts: dict[str, str] = field(default_factory=dict)
    """What a detail page's text says of the project: `customer`, `developer`, `aim`, `leader`."""

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
        self.title_shape: tuple[bool, bool] | None = None
        """(list item?, heading?) of the page's first title: where a title can stand on this page."""
        self.label_shape: tuple[bool, bool] | None = None
        """The same for the page's first label line."""
        self.area = self._area_title()

    def _area_title(self) -> str | None:
        """The page's own title (the thematic area's name): its first line, unless that already
        belongs to the listing (a label, a section heading, a project's title)."""
        if not self.lines or self.known[0] is not None or self.known[1] is not None:
            return None
        text = self.lines[0][1].text
        return None if heading_of(text) is not None else text

    def read(self) -> ParseResult:
        index = 1 if self.area is not None else 0
        while index < len(self.lines):
            index = self._step(index)
        if not self.records:
            self._warn(None, "no-projects", "listing page has no projects")
        return ParseResult(self.records, self.warnings)

    def _step(self, index: int) -> int:
        number, line = self.lines[index]
        text = line.text
        known = self.known[index]
        if known is not None and not self._is_title_with_label(index):
            return self._field(index, *known)
        heading = heading_of(text)
        if heading is not None:
            self.section, self.current = heading, None
            return index + 1
        label = label_of(text)
        end = self._title_end(index)
        next_field = self._next_field(end - 1)
        if label is not None and self.current is not None and self._is_unknown_label(line, self.current, next_field):
            return self._unknown_label(index, self.current, *label)
        if next_field is not None and self._can_be_title(line):
            self._open(index, end)
            return end
        if self.records:
            after = f" after project {self.current.title!r}" if self.current else ""
            self._warn(number, "ignored-line", f"line{after} ignored: {text!r}", subject=text)
        return index + 1

    def _title_end(self, index: int) -> int:
        """Where a title starting at `index` ends: a title broken by `<br>` goes on to its last piece."""
        end = index + 1
        while end < len(self.lines) and self.lines[end][1].after_break and self.known[end] is None:
            end += 1
        return end

    def _can_be_title(self, line: Line) -> bool:
        """A title stands where the page's first title stood (as a list item or not, a heading or not):
        a value whose label was mistyped is not the next project."""
        return self.title_shape is None or _shape(line) == self.title_shape

    def _is_title_with_label(self, index: int) -> bool:
        """A title that begins like a label (`Date: …`, `Type: …`): it is shaped like the page's titles
        and not like its labels (or is a heading, or links a detail page), and a project's labels follow."""
        line = self.lines[index][1]
        just_opened = self.current is not None and not self.current.fields and not self.current.unknown_labels
        if self._next_field(index) is None or just_opened:  # a title is followed by labels, not by a title
            return False
        labels_are_headings = self.label_shape is not None and self.label_shape[1]
        if (line.heading and not labels_are_headings) or _links_a_detail_page(line):
            return True
        shape = _shape(line)
        return shape == self.title_shape and self.label_shape is not None and shape != self.label_shape

    def _next_field(self, index: int) -> str | None:
        """The field of the known label on the line after `index`, if that line is one."""
        following = self.known[index + 1]
        return following[0] if following else None

    @staticmethod
    def _is_unknown_label(line: Line, record: Record, next_field: str | None) -> bool:
        """Inside a project, a `Label: …` line is one of its labels rather than the next title
        unless a known label follows that the project already has (a title starts a new set)."""
        return line.item or next_field is None or next_field not in record.fields

    def _open(self, start: int, end: int) -> None:
        """A project whose title is the lines `start` to `end` (more than one when `<br>` split it)."""
        page = self.page
        number, line = self.lines[start]
        pieces = [text for _, piece in self.lines[start:end] if (text := piece.text)]
        self.title_shape = self.title_shape or _shape(line)
        self.current = Record(
            page_url=page.url,
            page_kind=LISTING,
            language=page.language,
            source_sha256=page.source_sha256,
            line_no=number,
            title=" ".join(pieces),
            listing_section=self.section,
            link=next((piece.href for _, piece in self.lines[start:end] if piece.href), None),
            raw_lines=pieces,
            complete=page.complete,
            area=self.area,
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
        """A label's value is never another label, a heading or a link to a detail page; it lies in the
        label's own row (HTML) and is a list item when the label is one, so an empty value cell does not
        swallow the next section heading or title."""
        following = self.lines[index][1]
        if self.known[index] is not None or following.heading or not following.within_parent_of(label):
            return False
        if _links_a_detail_page(following):
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
        self.label_shape = self.label_shape or _shape(line)
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


def _shape(line: Line) -> tuple[bool, bool]:
    return line.item, line.heading > 0


def _links_a_detail_page(line: Line) -> bool:
    """A line linking a project's detail page: on a listing, that is a title, never a value."""
    return line.href is not None and kind_of_url(line.href) == DETAIL


def _parse_listing(page: Page) -> ParseResult:
    return _ListingReader(page).read()


def _parse_detail(page: Page) -> ParseResult:
    content = [(number, line) for number, line in enumerate(page.lines, 1) if line.text]
    if not content:
        return ParseResult([], [page_warning(page, None, "empty-page", "detail page has no text")])
    (title_number, title_line), after_title = content[0], content[1:]
    window = _metadata_window([line for _, line in after_title])
    metadata = assign_metadata([line.text for line in window], page.language, [line.href for line in window])
    body = after_title[metadata.used :]
    facts, repeated = detail_facts([line.text for _, line in after_title])
    record = Record(
        page_url=page.url,
        page_kind=DETAIL,
        language=page.language,
        source_sha256=page.source_sha256,
        line_no=title_number,
        title=title_line.text,
        fields=metadata.fields,
        description=render_description([line for _, line in body]),
        facts=facts,
        link=page.url,
        raw_lines=[title_line.text] + [line.text for line in window[: metadata.used]],
        complete=page.complete,
    )
    warnings = [
        page_warning(
            page,
            after_title[index][0],
            "ignored-line",
            f"line between the title and the values of {title_line.text!r} ignored: {window[index].text!r}",
            subject=window[index].text,
        )
        for index in metadata.ignored
    ]
    warnings += [
        page_warning(
            page,
            after_title[index][0],
            "repeated-label",
            f"{after_title[index][1].text!r} repeats a label of {title_line.text!r} "
            f"with another value: kept {facts[name]!r}",
            subject=name,
        )
        for index, name in repeated
    ]
    return ParseResult([record], warnings)


def detail_facts(lines: list[str]) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """The customer, developer, aim and leader a detail page's text names, as published, and the
    lines that repeat a label with another value (the first value is kept). The value is the rest of
    the label's line or, when that is empty, the next line (`Project aim:` above its paragraph)."""
    facts: dict[str, str] = {}
    repeated: list[tuple[int, str]] = []
    for index, text in enumerate(lines):
        fact = fact_of(text)
        if fact is None:
            continue
        name, value = fact
        if not value and index + 1 < len(lines) and fact_of(lines[index + 1]) is None:
            value = lines[index + 1]
        value = squeeze(value)
        if not value:
            continue
        if name not in facts:
            facts[name] = value
        elif fold(facts[name]) != fold(value):
            repeated.append((index, name))
    return facts, repeated


_MAX_WINDOW = 2 * len(METADATA_FIELDS) + 4


def _metadata_window(lines: list[Line]) -> list[Line]:
    """The short lines after the title where the values (and any page chrome among them) stand."""
    window: list[Line] = []
    for line in lines[:_MAX_WINDOW]:
        if not (_is_metadata(line.text) or is_chrome(line.text, line.href) or label_of(line.text)):
            break
        window.append(line)
    return window


def _is_metadata(text: str) -> bool:
    labelled = known_field(text)
    return bool(labelled[1]) if labelled else _looks_like_value(text)


def _looks_like_value(text: str) -> bool:
    """Short, label-free text; a final `.` only for a value (`2015 г.`), not a sentence."""
    if not text or len(text) > 80 or ":" in text or text.endswith((";", ",")):
        return False
    return not text.endswith(".") or value_kind(text) != "text"


def value_kind(text: str, language: str | None = None) -> str:
    """What an unlabelled value is by itself: `stage`, `date`, `type`, `subdirection`, `direction`,
    `text`, or `date-like` (holds a year but does not parse: a date only where a date may stand)."""
    if status_for_stage(text):
        return "stage"
    key = fold(text)
    if key in KNOWN_TYPES:
        return "type"
    if key in KNOWN_SUBDIRECTIONS:
        return "subdirection"
    if key in KNOWN_DIRECTIONS:
        return "direction"
    try:
        parse_date_range(text, language)
        return "date"
    except DateRangeError:
        return "date-like" if _YEAR.search(text) else "text"


_TARGET = {
    "stage": "stage",
    "date": "date_text",
    "type": "project_type",
    "subdirection": "subdirection",
    "direction": "direction",
}
_FREE_TEXT_SLOTS = ("direction", "subdirection", "project_type")
_SLOT = {name: index for index, name in enumerate(METADATA_FIELDS)}


@dataclass
class Metadata:
    """A detail page's values: the fields, how many window lines they took (the description starts
    after them), and which of those lines were ignored as neither a value nor page chrome."""

    fields: dict[str, str] = field(default_factory=dict)
    used: int = 0
    ignored: list[int] = field(default_factory=list)


def assign_metadata(values: list[str], language: str | None = None, links: list[str | None] | None = None) -> Metadata:
    """Place a detail page's unlabelled values by what they are, in whatever order they come.

    A stage, type, known subdirection or direction, or date is recognised by its value; a labelled
    value (`Date: 2015`) goes where its label says. Free text fills the Direction, Subdirection or
    Type slot that lies between the recognised values around it (the site's order). Page chrome
    (`Print version`, breadcrumbs, share buttons) is passed over, and so is free text before the
    values that no slot is left for. A value whose slot is taken, or free text with no slot after
    the values, ends the block: it and what follows are the description.
    """
    links = links or [None] * len(values)
    kinds = [_kind_of(value, link, language) for value, link in zip(values, links, strict=True)]
    slots = [_recognised_slot(value, kind) for value, kind in zip(values, kinds, strict=True)]
    metadata = Metadata()
    previous = -1
    for index, (value, kind) in enumerate(zip(values, kinds, strict=True)):
        if kind == "date-like" and metadata.fields:
            kind, slots[index] = "date", _SLOT["date_text"]
        slot = slots[index]
        if kind == "unknown-label" and (metadata.fields or _next_recognised(slots, index) is None):
            break  # a label of the text (`Customer:`), not furniture before the values
        if kind in ("chrome", "empty-label", "unknown-label"):
            metadata.ignored += [index] if kind == "unknown-label" else []
        elif slot is not None:
            target = METADATA_FIELDS[slot]
            if target in metadata.fields:
                break
            metadata.fields[target] = (known_field(value) or ("", value))[1] if kind == "labelled" else value
            previous = max(previous, slot)
        elif kind in ("text", "date-like"):
            free = _free_slot(slots, kinds, index, previous, metadata.fields)
            if free is None and _next_recognised(slots, index) is None:
                break
            if free is None:
                metadata.ignored.append(index)
            else:
                metadata.fields[free] = value
                previous = max(previous, _SLOT[free])
        else:
            break
        metadata.used = index + 1
    return metadata


def _kind_of(value: str, link: str | None, language: str | None) -> str:
    """`value_kind`, or `labelled`, `empty-label` (a known label alone), `unknown-label` or `chrome`."""
    labelled = label_of(value)
    if labelled is not None:
        if not known_field(value):
            return "unknown-label"
        return "labelled" if labelled[1] else "empty-label"
    kind = value_kind(value, language)
    return "chrome" if kind in ("text", "date-like") and is_chrome(value, link) else kind


def _recognised_slot(value: str, kind: str) -> int | None:
    """The slot of a value recognised by itself (or by its label), else None."""
    if kind == "labelled":
        labelled = known_field(value)
        return _SLOT[labelled[0]] if labelled else None
    return _SLOT[_TARGET[kind]] if kind in _TARGET else None


def _next_recognised(slots: list[int | None], index: int) -> int | None:
    """The position of the next recognised value after `index`, if any."""
    return next((position for position in range(index + 1, len(slots)) if slots[position] is not None), None)


def _free_slot(
    slots: list[int | None], kinds: list[str], index: int, previous: int, fields: dict[str, str]
) -> str | None:
    """The slot free text at `index` fills: an empty Direction, Subdirection or Type slot between the
    values around it; before a recognised value, only as many as the lines up to it (the nearest win)."""
    following = _next_recognised(slots, index)
    high = slots[following] if following is not None else None
    candidates = [slot for slot in _FREE_TEXT_SLOTS if slot not in fields]
    if high is None:
        return next((slot for slot in candidates if _SLOT[slot] > previous), None)
    if previous < high:
        candidates = [slot for slot in candidates if previous < _SLOT[slot] < high]
    texts_left = sum(kind in ("text", "date-like") for kind in kinds[index:following])
    return candidates[0] if 0 < len(candidates) >= texts_left else None


def render_description(lines: tuple[Line, ...] | list[Line]) -> str | None:
    """The description as text: one line per block, list items as `- item`, no blank lines."""
    rendered = [f"- {line.text}" if line.item else line.text for line in lines if line.text]
    return "\n".join(rendered) or None
