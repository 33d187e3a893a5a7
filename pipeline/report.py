"""`python -m pipeline report`: the published catalogue as one self-contained HTML page.

The page has four sections: a timeline of the projects, counts (by start year, status, type and
region), data quality (warnings, rejects, unresolved places, projects without dates) and, when a run
log exists, operations (the last runs and the latest changes). Every chart is an SVG drawn by
matplotlib's SVG backend (a file backend: no display needed), text left as text, and inlined as a
`data:` URL in an <img>, where a browser loads nothing an SVG might name; every style is inline and a
Content-Security-Policy forbids any other load, so the file opens offline and asks nothing of the
network. SVG rather than PNG: it prints sharp on A4, weighs less, and costs less to make, since no
glyph is rasterised. Every number a chart shows is also in a table, each row carrying `data-key` and `data-count`
attributes, so that people can read the figures and tests can check them.

The timeline stays legible at any size: it draws one bar per project for at most `max_bars` projects
(the most recently started ones when there are more), and above it a grid of how many projects ran in
each year, per subdirection or thematic area, which covers every dated project however many there are.

Reading and the pure computations need only pyarrow; matplotlib, the optional `report` extra, is
imported when the charts are drawn, and its absence is a `MissingExtra` naming the install command.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib
import io
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import CHANGES, PLACES, PROJECTS, REJECTS, RUNS, WARNINGS, Dataset, Row

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

INSTALL_COMMAND = "pip install 'csr-nw-pipeline[report]'"
"""What a user without matplotlib runs; named in the one-line error."""

REPORT_NAME = "report.html"
DEFAULT_MAX_BARS = 60
"""Bars the per-project timeline draws at most: about one A4 page, each label still readable."""
COLOUR_KEYS = ("subdirection", "thematic_area")
"""What may colour the timeline: a project's subdirection, or the first thematic area listing it."""
LANGUAGES: tuple[str, ...] = next(column.allowed or () for column in PROJECTS.columns if column.name == "language")
LANGUAGE_PREFERENCE = ("en", "ru")
"""The row that stands for a project published in both languages: its English one."""
NOT_GIVEN = "(not given)"
NO_DATE = "no date"
EXAMPLES = 3
"""Examples shown per warning code or reject step."""
LATEST_RUNS = 10
LATEST_CHANGES = 20
TOP_CATEGORIES = 15
"""Bars a category chart draws at most; its table lists every value."""
GROUP_COLOURS = 9
"""Groups that get a colour of their own in the timeline; the rest share grey as `other`."""
PROJECT_COLUMNS = (
    "project_id",
    "language",
    "title",
    "subdirection",
    "status",
    "project_type",
    "date_text",
    "start_date",
    "end_date",
    "start_precision",
    "end_precision",
    "open_ended",
    "thematic_areas",
)
NON_REGION_KINDS = ("macro_region", "country")
"""Place kinds that have no region code by design, so they are not unresolved."""


class ReportError(Exception):
    """The data folder cannot be reported on (missing, no projects): bad input, exit 2."""


class MissingExtra(ReportError):
    """matplotlib is not installed."""


# -- reading ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportData:
    """What the report reads from one published folder."""

    projects: list[Row]
    """Every `projects` row (both languages), with the columns the report uses."""
    rejects: list[Row]
    warnings: list[Row]
    places: list[Row] | None
    """None when the folder has no `project_places` dataset (published before it existed)."""
    runs: list[Row]
    changes: list[Row]
    built_on: date
    """The build date: where an open-ended project's bar ends."""
    run_id: str | None = None


def read_report_data(data_dir: Path) -> ReportData:
    """Read a published folder; raises ReportError when it is missing or has no projects."""
    if not data_dir.is_dir():
        raise ReportError(f"{data_dir}: no such directory")
    projects = _read(data_dir, PROJECTS, PROJECT_COLUMNS)
    if projects is None:
        raise ReportError(f"{data_dir}: no projects dataset in it (run `python -m pipeline build` first)")
    metadata = _metadata(data_dir, PROJECTS)
    runs = _read(data_dir, RUNS) or []
    changes = sorted(_read(data_dir, CHANGES) or [], key=lambda row: str(row["run_id"]))
    return ReportData(
        projects=projects,
        rejects=_read(data_dir, REJECTS) or [],
        warnings=_read(data_dir, WARNINGS) or [],
        places=_read(data_dir, PLACES),
        runs=runs,
        changes=changes,
        built_on=_build_date(metadata.get("built_at"), runs),
        run_id=metadata.get("run_id"),
    )


def _files(root: Path, dataset: Dataset) -> list[Path]:
    location = root / dataset.path
    if dataset.path.endswith("/"):
        return sorted(location.glob("*.parquet")) if location.is_dir() else []
    return [location] if location.is_file() else []


def _read(root: Path, dataset: Dataset, columns: Sequence[str] | None = None) -> list[Row] | None:
    """The rows of a dataset (the columns asked for that it has), or None when it is not there.

    File by file with `ParquetFile`, the same rows `pipeline.parquet.read_rows` gives: `read_table`
    on a folder goes through `pyarrow.dataset`, whose import (pandas with it) alone costs more than
    reading everything the report needs.
    """
    files = _files(root, dataset)
    if not files:
        return None
    rows: list[Row] = []
    for path in files:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        table = parquet.read(columns=[name for name in columns if name in names] if columns else None)
        rows += _utc_naive(table).to_pylist()
    for name in _utc_columns(dataset):
        for row in rows:
            value = row.get(name)
            if isinstance(value, datetime):
                row[name] = value.replace(tzinfo=UTC)
    return rows


def _utc_columns(dataset: Dataset) -> list[str]:
    return [column.name for column in dataset.columns if pa.types.is_timestamp(column.type) and column.type.tz]


def _utc_naive(table: pa.Table) -> pa.Table:
    """Time zone-aware timestamps as naive UTC: pyarrow turns aware ones into Python values through
    pandas, an import that costs more than the rest of the report's reading."""
    for index, item in enumerate(table.schema):
        if pa.types.is_timestamp(item.type) and item.type.tz is not None:
            naive = table.column(index).cast(pa.timestamp(item.type.unit))
            table = table.set_column(index, pa.field(item.name, naive.type, item.nullable), naive)
    return table


def _metadata(root: Path, dataset: Dataset) -> dict[str, str]:
    """A dataset's key-value metadata (`built_at`, `run_id`), from its first file."""
    files = _files(root, dataset)
    if not files:
        return {}
    metadata = pq.ParquetFile(files[0]).schema_arrow.metadata or {}
    return {key.decode(): value.decode() for key, value in metadata.items()}


def _build_date(built_at: str | None, runs: list[Row]) -> date:
    """The day the datasets were built (their metadata), else of the last run, else today."""
    if built_at:
        try:
            return datetime.fromisoformat(built_at).astimezone(UTC).date()
        except ValueError:
            pass
    if runs and isinstance(runs[-1]["started_at"], datetime):
        return runs[-1]["started_at"].astimezone(UTC).date()
    return datetime.now(UTC).date()


# -- what the report counts (pure) ---------------------------------------------------------------------------------


def unique_projects(rows: Iterable[Row], language: str | None = None) -> list[Row]:
    """One row per project: the rows of `language` only when given, else the English row of a
    project published in both languages (a project's rows share its `project_id`)."""
    chosen: dict[str, Row] = {}
    rank = {code: index for index, code in enumerate(LANGUAGE_PREFERENCE)}
    for row in rows:
        if language is not None and row["language"] != language:
            continue
        key = str(row["project_id"])
        kept = chosen.get(key)
        if kept is None or rank.get(str(row["language"]), 99) < rank.get(str(kept["language"]), 99):
            chosen[key] = row
    return list(chosen.values())


Counts = list[tuple[str, int]]


def count_values(rows: Iterable[Row], column: str) -> Counts:
    """How many rows hold each value of a column, most first (then by value); null is `(not given)`."""
    counter = Counter(NOT_GIVEN if row.get(column) is None else str(row[column]) for row in rows)
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def start_year_counts(projects: Sequence[Row]) -> Counts:
    """Projects by the year they started, every year from the first to the last (zeros included),
    then `no date` for projects without one."""
    years = Counter(row["start_date"].year for row in projects if isinstance(row["start_date"], date))
    counts: Counts = [(str(year), years[year]) for year in range(min(years), max(years) + 1)] if years else []
    undated = sum(1 for row in projects if row["start_date"] is None)
    return [*counts, (NO_DATE, undated)] if undated else counts


def region_counts(places: Sequence[Row], projects: Sequence[Row]) -> Counts:
    """Projects by region (`Name (CODE)`), counting a project once per region whatever its languages
    and mentions; only projects in `projects`, only places with a region code."""
    wanted = {str(row["project_id"]) for row in projects}
    seen: set[tuple[str, str]] = set()
    for place in places:
        if place.get("region_code") is None or str(place["project_id"]) not in wanted:
            continue
        seen.add((str(place["project_id"]), _region_label(place)))
    counter = Counter(region for _, region in seen)
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _region_label(place: Row) -> str:
    name = place.get("region_name")
    return f"{name} ({place['region_code']})" if name else str(place["region_code"])


def unresolved_places(places: Sequence[Row]) -> list[Row]:
    """Places with no region code that should have one (not a macro-region or a country)."""
    return [
        place
        for place in places
        if place.get("region_code") is None and place.get("place_kind") not in NON_REGION_KINDS
    ]


def undated(projects: Sequence[Row]) -> list[Row]:
    """Projects with no start date: the timeline cannot draw them."""
    return [row for row in projects if row["start_date"] is None]


@dataclass(frozen=True)
class Group:
    """Rows that share a value of a column, with the first few as examples."""

    key: str
    count: int
    examples: list[Row]


def grouped(rows: Iterable[Row], column: str, examples: int = EXAMPLES) -> list[Group]:
    """Rows by a column's value, most first, each with its first `examples` rows in dataset order."""
    members: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        members[NOT_GIVEN if row.get(column) is None else str(row[column])].append(row)
    return [
        Group(key, len(group), group[:examples])
        for key, group in sorted(members.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


# -- the timeline (pure) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One project on the timeline: drawn from `start` to the end of `end` (inclusive)."""

    title: str
    group: str
    start: date
    end: date
    open_ended: bool
    whole_years: bool
    """A date given only to the year: drawn as whole years (1 January to 31 December)."""


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    """The bars drawn one per project, earliest first: every dated project, or the most recent ones."""
    dated: int
    """Every project with a start date (what the overview grid covers)."""
    groups: list[str]
    """Group names, the largest first: the first `GROUP_COLOURS` get a colour of their own."""
    years: list[int]
    running: dict[str, list[int]] = field(default_factory=dict)
    """Per group, how many projects were running in each of `years` (open-ended ones up to the build date)."""
    built_on: date = date.min
    colour_by: str = "subdirection"

    @property
    def paginated(self) -> bool:
        return len(self.bars) < self.dated


def colour_key(row: Row, colour_by: str) -> str:
    """The group a project's bar is coloured by: its subdirection, or its first thematic area."""
    if colour_by == "thematic_area":
        areas = row.get("thematic_areas") or []
        return str(areas[0]) if isinstance(areas, list) and areas else NOT_GIVEN
    value = row.get("subdirection")
    return NOT_GIVEN if value is None else str(value)


def plan_timeline(
    projects: Sequence[Row], built_on: date, colour_by: str = "subdirection", max_bars: int = DEFAULT_MAX_BARS
) -> Timeline:
    """The bars and the per-year grid the timeline draws (nothing drawn here)."""
    bars = sorted(
        (_bar(row, built_on, colour_by) for row in projects if isinstance(row["start_date"], date)),
        key=lambda bar: (bar.start, bar.end, bar.title),
    )
    sizes = Counter(bar.group for bar in bars)
    groups = sorted(sizes, key=lambda name: (-sizes[name], name == NOT_GIVEN, name))
    years = list(range(bars[0].start.year, max(bar.end.year for bar in bars) + 1)) if bars else []
    running = {name: [0] * len(years) for name in groups}
    for bar in bars:
        counts = running[bar.group]
        for year in range(bar.start.year, bar.end.year + 1):
            counts[year - years[0]] += 1
    shown = bars if len(bars) <= max_bars else sorted(bars[-max_bars:], key=lambda bar: (bar.start, bar.end, bar.title))
    return Timeline(shown, len(bars), groups, years, running, built_on, colour_by)


def _bar(row: Row, built_on: date, colour_by: str) -> Bar:
    start = row["start_date"]
    assert isinstance(start, date)
    end = row["end_date"] if isinstance(row["end_date"], date) else None
    open_ended = bool(row["open_ended"]) or end is None
    if end is None:
        end = max(built_on, start) if row["open_ended"] else start
    start_year = row.get("start_precision") == "year"
    end_year = row.get("end_precision") == "year"
    if start_year:
        start = date(start.year, 1, 1)
    if end_year:
        end = date(end.year, 12, 31)
    return Bar(
        title=str(row["title"]),
        group=colour_key(row, colour_by),
        start=start,
        end=end,
        open_ended=open_ended and bool(row["open_ended"]),
        whole_years=start_year or end_year,
    )


def shorten(text: str, limit: int = 60) -> str:
    """At most `limit` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:–-") + "…"


# -- drawing (matplotlib) ------------------------------------------------------------------------------------------

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
OTHER_COLOUR = "#9a9a9a"
ACCENT = "#2b5d8a"
CSS_DPI = 96
"""CSS pixels per inch: an SVG of 12 inches is 1,152 pixels wide."""


def _matplotlib() -> None:
    """Fail early, in one line, when the `report` extra is not installed."""
    try:
        importlib.import_module("matplotlib")
    except ImportError as exc:
        raise MissingExtra(f"the report needs matplotlib, which is not installed: {INSTALL_COMMAND}") from exc


P = ParamSpec("P")


def _plain_text(draw: Callable[P, Image]) -> Callable[P, Image]:
    """Draw with the data's text taken as it is: a title with two `$` in it is not TeX (mathtext)."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> Image:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return draw(*args, **kwargs)

    return drawn


def _figure(width: float, height: float) -> Figure:
    """A figure on the SVG canvas: no display, no pyplot global state."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height))
    FigureCanvasSVG(figure)
    return figure


@dataclass(frozen=True)
class Image:
    """An inline image and its size in CSS pixels, so the page shows it at its natural size (or smaller)."""

    src: str
    width: int
    height: int


NO_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}


def svg_image(figure: Figure) -> Image:
    """The figure as an inline SVG, without the XML prologue (its DOCTYPE names a DTD by URL).

    Text stays <text>, in the browser's font (matplotlib names sans-serif fallbacks), and the ids of
    clip paths and hatches are salted with a constant, so that the same data makes the same file.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "csr-nw-report"}):
        figure.savefig(buffer, format="svg", metadata=NO_METADATA)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    width, height = (round(size * CSS_DPI) for size in figure.get_size_inches())
    return Image("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"), width, height)


def group_colours(groups: Sequence[str]) -> dict[str, str]:
    colours = {}
    coloured = [name for name in groups if name != NOT_GIVEN][:GROUP_COLOURS]
    for name in groups:
        colours[name] = PALETTE[coloured.index(name)] if name in coloured else OTHER_COLOUR
    return colours


ROW_INCHES = 0.24
"""Height of one bar's row: room for its 8-point label."""
MAX_TIMELINE_INCHES = 80.0
"""The tallest timeline drawn (8,000 pixels); more bars than fit get thinner rows."""
LABEL_INCHES = 0.12
"""Rows thinner than this carry no label: the labels would overlap."""


def row_inches(bars: int) -> float:
    """The height of one row of a timeline of `bars` bars."""
    return min(ROW_INCHES, MAX_TIMELINE_INCHES / max(bars, 1))


@_plain_text
def draw_timeline(timeline: Timeline) -> Image:
    """One horizontal bar per project, earliest at the top; whole-year dates hatched, open ends fading.

    The bars are three collections (plain, hatched, fading pieces) rather than an artist per bar:
    matplotlib draws a collection of thousands of rectangles about as fast as one rectangle.
    """
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    bars = timeline.bars
    row = row_inches(len(bars))
    inches = row * len(bars)
    top = 0.45 if inches > 7 else 0.15
    legend = _legend_groups(timeline.groups)
    height = top + inches + 0.45 + 0.22 * (2 + len(legend)) / 3
    figure = _figure(12, height)
    ax = figure.add_axes((0.36, (height - top - inches) / height, 0.62, inches / height))
    colours = group_colours(timeline.groups)
    first = date(min(bar.start for bar in bars).year, 1, 1)
    last = date(max(max(bar.end for bar in bars), timeline.built_on).year + 1, 1, 1)
    fade = max(180, (last - first).days // 12)
    plain: list[Rectangle] = []
    hatched: list[Rectangle] = []
    fading: list[Rectangle] = []
    for index, bar in enumerate(bars):
        y = len(bars) - 1 - index
        colour = to_rgba(colours[bar.group])
        left = _day(bar.start)
        right = _day(bar.end + timedelta(days=1))
        solid = max(left, right - fade) if bar.open_ended else right
        (hatched if bar.whole_years else plain).append((left, y, solid - left, colour))
        if bar.open_ended:
            piece = (right - solid) / FADE_STEPS
            for step in range(FADE_STEPS):
                alpha = 0.9 * (1 - (step + 0.5) / FADE_STEPS)
                fading.append((solid + step * piece, y, piece, (*colour[:3], alpha)))
    _add_rectangles(ax, plain)
    _add_rectangles(ax, hatched, hatch="////" if row >= LABEL_INCHES else None)
    _add_rectangles(ax, fading)
    if row >= LABEL_INCHES:
        ax.set_yticks(range(len(bars)), [shorten(bar.title) for bar in reversed(bars)], fontsize=8)
    else:
        ax.set_yticks([])
        ax.set_ylabel(f"{len(bars):,} projects, too many to label", fontsize=8)
    ax.set_ylim(-0.7, len(bars) - 0.3)
    built = _day(timeline.built_on)
    ax.set_xlim(_day(first), _day(last))
    ax.axvline(built, color="#444444", linestyle="--", linewidth=0.8)
    _year_axis(ax, first.year, last.year, top=inches > 7)
    handles = [Patch(facecolor=colours.get(name, OTHER_COLOUR), label=shorten(name, 44)) for name in legend]
    handles += [
        Patch(
            facecolor="white",
            edgecolor="#555555",
            hatch="////",
            label="hatched: a date given only to the year, drawn as whole years",
        ),
        Patch(
            facecolor="#bbbbbb",
            label=f"fading end: open-ended, drawn to the build date {timeline.built_on.isoformat()} (dashed line)",
        ),
    ]
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncols=3, fontsize=8, frameon=False)
    return svg_image(figure)


Rectangle = tuple[float, float, float, tuple[float, float, float, float]]
"""left, y (the bar's row), width and RGBA colour of one rectangle of the timeline."""
FADE_STEPS = 12
BAR_HEIGHT = 0.62


def _add_rectangles(ax: Axes, rectangles: list[Rectangle], hatch: str | None = None) -> None:
    from matplotlib.collections import PolyCollection

    if not rectangles:
        return
    half = BAR_HEIGHT / 2
    vertices = [
        [(left, y - half), (left, y + half), (left + width, y + half), (left + width, y - half)]
        for left, y, width, _ in rectangles
    ]
    collection = PolyCollection(
        vertices,
        facecolors=[colour for *_, colour in rectangles],
        edgecolors="white" if hatch else "none",
        linewidths=0,
        hatch=hatch,
    )
    ax.add_collection(collection)


def _legend_groups(groups: Sequence[str]) -> list[str]:
    """The groups the legend names: every coloured one, and the grey rest as one entry."""
    colours = group_colours(groups)
    coloured = [name for name in groups if colours[name] != OTHER_COLOUR]
    grey = [name for name in groups if colours[name] == OTHER_COLOUR]
    if len(grey) == 1:
        return [*coloured, grey[0]]
    return [*coloured, f"other ({len(grey)} groups)"] if grey else coloured


def _day(day: date) -> float:
    """A date as the timeline's x: days since 1970 (plain numbers: no converter, no dateutil)."""
    return float(day.toordinal() - EPOCH)


EPOCH = date(1970, 1, 1).toordinal()


def _year_axis(ax: Axes, first: int, last: int, top: bool) -> None:
    """A tick and a grid line on each 1 January from `first` to `last`, labelled with its year (every
    fifth or tenth year on a long span), along the bottom, and along the top too when the chart is tall."""
    step = 1 if last - first <= 25 else 5 if last - first <= 100 else 10
    years = [year for year in range(first, last + 1) if year % step == 0]
    ax.set_xticks([_day(date(year, 1, 1)) for year in years], [str(year) for year in years])
    ax.tick_params(axis="x", labelsize=8, labeltop=top, top=top)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("right", "left"):
        ax.spines[side].set_visible(False)


@_plain_text
def draw_counts(counts: Counts, *, vertical: bool = False, colour: str = ACCENT) -> Image:
    """A small bar chart of counts, each bar labelled with its number."""
    shown = counts if vertical else counts[:TOP_CATEGORIES]
    labels = [shorten(label, 34) for label, _ in shown]
    numbers = [number for _, number in shown]
    if vertical:
        figure = _figure(max(4.0, min(12.0, 1.0 + 0.42 * len(shown))), 2.2)
        ax = figure.add_axes((0.06 if len(shown) > 10 else 0.1, 0.2, 0.92 if len(shown) > 10 else 0.86, 0.76))
        drawn = ax.bar(range(len(shown)), numbers, color=[_bar_colour(label, colour) for label, _ in shown])
        ax.set_xticks(range(len(shown)), labels, fontsize=8, rotation=90 if len(shown) > 24 else 0)
        ax.set_yticks([])
        ax.set_ylim(0, max(numbers or [1]) * 1.12 or 1)
    else:
        figure = _figure(5.6, 0.5 + 0.3 * len(shown))
        ax = figure.add_axes((0.42, 0.25 / (0.5 + 0.3 * len(shown)), 0.5, 0.3 * len(shown) / (0.5 + 0.3 * len(shown))))
        drawn = ax.barh(
            range(len(shown)), numbers, color=[_bar_colour(label, colour) for label, _ in shown], height=0.7
        )
        ax.set_yticks(range(len(shown)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xticks([])
        ax.set_xlim(0, max(numbers or [1]) * 1.18 or 1)
    ax.bar_label(drawn, labels=[f"{number:,}" for number in numbers], fontsize=7.5, padding=2)
    for side in ax.spines.values():
        side.set_visible(False)
    return svg_image(figure)


def _bar_colour(label: str, colour: str) -> str:
    return OTHER_COLOUR if label in (NOT_GIVEN, NO_DATE) else colour


# -- the page (HTML) -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOptions:
    language: str | None = None
    colour_by: str = "subdirection"
    max_bars: int = DEFAULT_MAX_BARS


@dataclass(frozen=True)
class ReportSummary:
    """What the command prints about the report it wrote."""

    projects: int
    bars: int
    dated: int
    images: int
    size: int


STYLE = """
:root { color-scheme: light; --ink: #1d232b; --muted: #5d6670; --rule: #d9dde2; --accent: #2b5d8a; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1240px; padding: 1.2rem 1.6rem 3rem; color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1rem; margin: 1.1rem 0 .4rem; }
p, li { max-width: 72rem; }
.muted, figcaption { color: var(--muted); font-size: .88rem; }
nav { margin: .6rem 0 1rem; font-size: .92rem; }
nav a { margin-right: 1rem; color: var(--accent); }
figure { margin: .6rem 0 1rem; }
figure img { display: block; max-width: 100%; height: auto; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(30rem, 1fr)); gap: .4rem 1.6rem; }
table { border-collapse: collapse; font-size: .86rem; margin: .4rem 0 1rem; }
th, td { text-align: left; padding: .18rem .6rem .18rem 0; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; padding-left: .6rem; }
ul.totals { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; list-style: none; padding: 0; margin: .8rem 0; }
ul.totals b { font-size: 1.25rem; font-variant-numeric: tabular-nums; }
.wide { overflow-x: auto; }
ul.examples { margin: 0; padding-left: 1rem; }
code { font-size: .85em; }
table.heat { font-size: .74rem; }
table.heat th, table.heat td { padding: .2rem .25rem; border: 1px solid #ffffff; }
table.heat td { min-width: 1.9rem; background: #f7f8fa; }
table.heat tbody th { white-space: nowrap; font-weight: normal; }
.refused { color: #a12622; font-weight: 600; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  section { break-before: page; }
  section#timeline { break-before: auto; }
  figure, tr, .card { break-inside: avoid; }
  figure img { max-height: 255mm; width: auto; max-width: 100%; }
  .cards { display: block; }
  .wide { overflow: visible; }
  table.heat, table.across { font-size: 6pt; }
  table.heat th, table.heat td, table.across th, table.across td { padding: 1px 2px; min-width: 0; }
  a { color: inherit; text-decoration: none; }
}
"""

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""The page may load nothing but its own inline styles and `data:` images: a browser enforces it."""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(value: int) -> str:
    return f"{value:,}"


def _attrs(attrs: dict[str, object]) -> str:
    """` name="value"` for each attribute: `data_key` is `data-key`, `class_` is `class`."""
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{_e(value)}"' for name, value in attrs.items())


def _tag(name: str, content: str = "", **attrs: object) -> str:
    """An element; `content` is HTML already escaped, attribute values are escaped here."""
    return f"<{name}{_attrs(attrs)}>{content}</{name}>"


def _n(value: int, **attrs: object) -> str:
    """A right-aligned number cell."""
    return _tag("td", _num(value), class_="n", **attrs)


def _td(text: object) -> str:
    """A cell of plain text."""
    return _tag("td", _e(text))


def _code(text: object) -> str:
    return _tag("code", _e(text))


def _table(measure: str, headings: Sequence[str], rows: Iterable[str], css: str = "") -> str:
    """A table whose `data-measure` names what it counts; headings ending in `#` are numbers."""
    head = "".join(
        _tag("th", _e(heading.rstrip("#")), class_="n") if heading.endswith("#") else _tag("th", _e(heading))
        for heading in headings
    )
    body = "".join(rows)
    return _tag("table", f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>", class_=css, data_measure=measure)


def counts_table(measure: str, heading: str, counts: Counts, unit: str = "projects") -> str:
    """A table of counts whose rows carry `data-key` and `data-count`: what tests read back."""
    rows = (_tag("tr", _td(key) + _n(count), data_key=key, data_count=count) for key, count in counts)
    return _table(measure, (heading, f"{unit}#"), rows, css="counts")


def counts_across(measure: str, heading: str, counts: Counts, unit: str = "projects") -> str:
    """Counts as two rows (values, then counts), for a long ordered series such as years."""
    keys = "".join(_tag("th", _e(key), class_="n") for key, _ in counts)
    cells = "".join(_n(count, data_key=key, data_count=count) for key, count in counts)
    table = _tag(
        "table",
        f"<thead><tr>{_tag('th', _e(heading))}{keys}</tr></thead><tbody><tr>{_tag('th', _e(unit))}{cells}</tr></tbody>",
        class_="counts across",
        data_measure=measure,
    )
    return _tag("div", table, class_="wide")


def _figure_html(image: Image, alt: str, caption: str = "") -> str:
    img = f'<img src="{image.src}" width="{image.width}" height="{image.height}" alt="{_e(alt)}">'
    return _tag("figure", img + (_tag("figcaption", caption) if caption else ""))


@dataclass(frozen=True)
class Report:
    html: str
    summary: ReportSummary


SECTIONS = (("timeline", "Timeline"), ("counts", "Counts"), ("quality", "Data quality"), ("operations", "Operations"))


def render_report(data: ReportData, options: ReportOptions | None = None) -> Report:
    """The whole page, and what it shows in figures."""
    options = options or ReportOptions()
    _matplotlib()
    projects = unique_projects(data.projects, options.language)
    timeline = plan_timeline(projects, data.built_on, options.colour_by, options.max_bars)
    sections = [
        _timeline_section(timeline, projects),
        _counts_section(data, projects),
        _quality_section(data, projects),
    ]
    if data.runs:
        sections.append(_operations_section(data))
    nav = "".join(_tag("a", label, href=f"#{anchor}") for anchor, label in SECTIONS[: len(sections)])
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>CSR North-West project catalogue: report</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"{_header(data, projects, options)}\n<nav>{nav}</nav>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
    summary = ReportSummary(
        projects=len(projects),
        bars=len(timeline.bars),
        dated=timeline.dated,
        images=page.count('src="data:image/'),
        size=len(page.encode("utf-8")),
    )
    return Report(page, summary)


TOTAL_LABELS = {"open_ended": "open-ended", "unresolved_places": "unresolved places"}


def _header(data: ReportData, projects: list[Row], options: ReportOptions) -> str:
    languages = Counter(str(row["language"]) for row in data.projects)
    language_text = ", ".join(f"{_num(count)} {_e(code)}" for code, count in sorted(languages.items()))
    scope = (
        f"Only the {_e(options.language)} rows are counted."
        if options.language
        else "A project published in English and Russian counts once, as its English row."
    )
    totals: Counts = [
        ("projects", len(projects)),
        ("rows", len(data.projects)),
        ("dated", sum(1 for row in projects if row["start_date"] is not None)),
        ("undated", len(undated(projects))),
        ("open_ended", sum(1 for row in projects if row["open_ended"])),
        ("warnings", len(data.warnings)),
        ("rejects", len(data.rejects)),
    ]
    if data.places is not None:
        totals += [("places", len(data.places)), ("unresolved_places", len(unresolved_places(data.places)))]
    items = "".join(
        _tag("li", f"<b>{_num(count)}</b> {TOTAL_LABELS.get(key, key)}", data_key=key, data_count=count)
        for key, count in totals
    )
    run = f", run {_code(data.run_id)}" if data.run_id else ""
    return _tag(
        "header",
        "<h1>CSR North-West project catalogue</h1>"
        + _tag(
            "p",
            f"Built {data.built_on.isoformat()}{run}. {scope} Rows by language: {language_text or 'none'}.",
            class_="muted",
        )
        + _tag("ul", items, class_="totals", data_measure="totals"),
    )


def _timeline_section(timeline: Timeline, projects: list[Row]) -> str:
    grouping = "subdirection" if timeline.colour_by == "subdirection" else "first thematic area"
    heading = '<section id="timeline"><h2>Timeline</h2>'
    if not timeline.bars:
        return heading + "<p>No project has a start date: there is nothing to draw.</p></section>"
    if timeline.paginated:
        lead = (
            f"The {_num(len(timeline.bars))} most recently started of the {_num(timeline.dated)} dated projects, "
            f"one bar each, coloured by {grouping}; every dated project is counted in the grid below it, "
            f"by year and {grouping} (--max-bars sets how many bars are drawn)."
        )
    else:
        lead = f"Every dated project ({_num(timeline.dated)}), one bar each, coloured by {grouping}."
    if row_inches(len(timeline.bars)) < LABEL_INCHES:
        lead += " There are too many bars to label each."
    lead += (
        " A date given only to the year is drawn as the whole year (hatched); an open-ended project runs to the "
        f"build date, its end fading. Projects without a date are listed under Data quality "
        f"({_num(len(undated(projects)))})."
    )
    return (
        heading
        + _tag("p", lead, data_bars=len(timeline.bars), data_dated=timeline.dated)
        + _figure_html(draw_timeline(timeline), "Timeline: one bar per project from its start to its end")
        + f"<h3>Projects running each year, by {grouping}</h3>"
        + _tag(
            "p",
            "Every dated project counts in each year from its start to its end (an open-ended one up to the "
            "build year); the darker the cell, the more projects.",
            class_="muted",
        )
        + _tag("div", running_table(timeline, grouping), class_="wide")
        + "</section>"
    )


HEAT = ((0xEE, 0xF4, 0xFA), (0x9E, 0xCA, 0xE1), (0x42, 0x92, 0xC6), (0x08, 0x45, 0x94), (0x08, 0x1D, 0x58))
"""Light to dark blue: the shades of the running grid."""


def heat_colour(count: int, peak: int) -> str:
    """The shade of a grid cell: its count as a share of the largest, `peak`."""
    share = count / peak if peak > 0 else 0.0
    position = share * (len(HEAT) - 1)
    low = min(int(position), len(HEAT) - 2)
    mix = position - low
    red, green, blue = (round(a + (b - a) * mix) for a, b in zip(HEAT[low], HEAT[low + 1], strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"


def running_table(timeline: Timeline, grouping: str) -> str:
    """Groups × years, each cell the number of projects running, shaded by it: a heat map in HTML,
    as legible for 10,000 projects as for 20 and as cheap to make."""
    peak = max((count for counts in timeline.running.values() for count in counts), default=0)
    rows = []
    for name in timeline.groups:
        cells = []
        for year, count in zip(timeline.years, timeline.running[name], strict=True):
            if not count:
                cells.append(_tag("td", "", class_="n", data_year=year, data_count=0))
                continue
            shade = heat_colour(count, peak)
            ink = "#ffffff" if count > 0.5 * peak else "#1d232b"
            style = f"background:{shade};color:{ink}"
            cells.append(_tag("td", _num(count), class_="n", style=style, data_year=year, data_count=count))
        rows.append(_tag("tr", _tag("th", _e(shorten(name, 40)), title=name) + "".join(cells), data_group=name))
    headings = (grouping, *(f"{year}#" for year in timeline.years))
    return _table("running", headings, rows, css="heat")


def _counts_section(data: ReportData, projects: list[Row]) -> str:
    years = start_year_counts(projects)
    regions = region_counts(data.places or [], projects)
    cards = [
        ("status", count_values(projects, "status")),
        ("type", count_values(projects, "project_type")),
        *([("region", regions)] if regions else []),
    ]
    parts = [
        '<section id="counts"><h2>Counts</h2>',
        f"<p>Projects ({_num(len(projects))}) by the year they started, status, type and region.</p>",
        "<h3>By start year</h3>",
        _figure_html(draw_counts(years, vertical=True), "Projects by start year") if years else "",
        counts_across("start_year", "start year", years),
        '<div class="cards">',
    ]
    for name, counts in cards:
        note = (
            _tag("p", f"The {TOP_CATEGORIES} largest of {len(counts)} are drawn; the table lists all.", class_="muted")
            if len(counts) > TOP_CATEGORIES
            else ""
        )
        chart = _figure_html(draw_counts(counts), f"Projects by {name}") if counts else ""
        parts.append(_tag("div", f"<h3>By {name}</h3>{chart}{note}{counts_table(name, name, counts)}", class_="card"))
    parts.append("</div>")
    if regions:
        note = "A project that names several regions counts in each; places without a region are under Data quality."
    elif data.places is None:
        note = "By region: the folder has no project_places dataset."
    else:
        note = "By region: no place with a region code yet."
    parts.append(_tag("p", note, class_="muted") + "</section>")
    return "".join(parts)


def _quality_section(data: ReportData, projects: list[Row]) -> str:
    missing = undated(projects)
    undated_rows = (
        _tag(
            "tr",
            _td(row["title"]) + _tag("td", _code(row["project_id"])) + _td(row.get("date_text") or "(no Date given)"),
            data_key=row["project_id"],
        )
        for row in missing
    )
    return (
        '<section id="quality"><h2>Data quality</h2>'
        + _tag(
            "p",
            "Warnings and rejects are counted as published: one row per page or project and language, all languages.",
            class_="muted",
        )
        + f"<h3>Warnings by code ({_num(len(data.warnings))})</h3>"
        + _groups_table(
            "warnings", "code", grouped(data.warnings, "code"), lambda row: _e(row["message"]) + _where(row)
        )
        + f"<h3>Rejects by step ({_num(len(data.rejects))})</h3>"
        + _groups_table(
            "rejects",
            "step",
            grouped(data.rejects, "step"),
            lambda row: f"{_e(row.get('title') or '(no title)')}: {_e(row['reason'])}{_where(row)}",
        )
        + _unresolved_html(data.places)
        + f"<h3>Projects without dates ({_tag('span', _num(len(missing)), data_count=len(missing))})</h3>"
        + (
            _table("undated", ("title", "project", "date as published"), undated_rows, css="list")
            if missing
            else "<p>Every project has a start date.</p>"
        )
        + "</section>"
    )


def _where(row: Row) -> str:
    """Where a warning or reject was seen: its page and line."""
    page = row.get("page_url")
    if not page:
        return ""
    line = f", line {row['line']}" if row.get("line") is not None else ""
    return " " + _tag("span", f"({_e(page)}{line})", class_="muted")


def _groups_table(measure: str, heading: str, groups: list[Group], example: Callable[[Row], str]) -> str:
    if not groups:
        return _tag("p", "None.", data_measure=measure)
    rows = (
        _tag(
            "tr",
            _tag("td", _code(group.key))
            + _n(group.count)
            + _tag(
                "td",
                _tag(
                    "ul",
                    "".join(_tag("li", example(row)) for row in group.examples)
                    + ("<li>…</li>" if group.count > len(group.examples) else ""),
                    class_="examples",
                ),
            ),
            data_key=group.key,
            data_count=group.count,
        )
        for group in groups
    )
    return _table(measure, (heading, "rows#", "first examples"), rows, css="groups")


def _unresolved_html(places: list[Row] | None) -> str:
    if places is None:
        return "<h3>Unresolved places</h3><p>The folder has no project_places dataset.</p>"
    unresolved = unresolved_places(places)
    head = f"<h3>Unresolved places ({_tag('span', _num(len(unresolved)), data_count=len(unresolved))})</h3>"
    if not unresolved:
        return head + f"<p>None of the {_num(len(places))} place rows lacks its region code.</p>"
    rows = (
        _tag(
            "tr",
            _td(group.key)
            + _n(group.count)
            + _tag(
                "td",
                ", ".join(f"{_code(row['project_id'])} [{_e(row['language'])}]" for row in group.examples)
                + (" …" if group.count > len(group.examples) else ""),
            ),
            data_key=group.key,
            data_count=group.count,
        )
        for group in grouped(unresolved, "place")
    )
    return (
        head
        + _tag("p", "Place rows without a region code that are not a macro-region or a country.", class_="muted")
        + _table("unresolved_places", ("place as written", "rows#", "first projects"), rows, css="groups")
    )


def _operations_section(data: ReportData) -> str:
    runs = list(reversed(data.runs[-LATEST_RUNS:]))
    per_run = Counter(str(change["run_id"]) for change in data.changes)
    outcomes = ", ".join(
        _tag("span", f"{_num(count)} {_e(outcome)}", data_outcome=outcome, data_count=count)
        for outcome, count in sorted(Counter(str(run["outcome"]) for run in data.runs).items())
    )
    latest = list(reversed(data.changes))[:LATEST_CHANGES]
    titles = {(str(row["project_id"]), str(row["language"])): str(row["title"]) for row in data.projects}
    change_rows = (
        _tag(
            "tr",
            _tag("td", _code(change["run_id"]))
            + _tag("td", _project(change, titles))
            + _td(change["change"])
            + _td(change["field"] or "")
            + _td(_value(change["old"]) if change["field"] else "")
            + _td(_value(change["new"]) if change["field"] else ""),
            data_run=change["run_id"],
        )
        for change in latest
    )
    headings = ("run", "mode", "outcome", "projects#", "rejects#", "warnings#", "changes#", "pages", "reason")
    return (
        '<section id="operations"><h2>Operations</h2>'
        + f"<p>{_num(len(data.runs))} runs in the log: {outcomes}. The last {_num(len(runs))}, newest first "
        "(pages: fetched / not modified / failed, for a refresh):</p>"
        + _tag(
            "div", _table("runs", headings, (_run_row(run, per_run[str(run["run_id"])]) for run in runs)), class_="wide"
        )
        + f"<h3>Latest changes ({_num(len(latest))} of {_num(len(data.changes))}, newest first)</h3>"
        + (
            _tag(
                "div",
                _table("changes", ("run", "project", "change", "field", "old", "new"), change_rows),
                class_="wide",
            )
            if latest
            else "<p>No change has been published.</p>"
        )
        + "</section>"
    )


def _project(change: Row, titles: dict[tuple[str, str], str]) -> str:
    """A changed project by its title (its id on hover), or by its id when it is no longer published."""
    project_id, language = str(change["project_id"]), str(change["language"])
    title = titles.get((project_id, language))
    name = _tag("span", _e(shorten(title, 80)), title=project_id) if title else _code(project_id)
    return f"{name} [{_e(language)}]"


def _run_row(run: Row, changes: int) -> str:
    outcome = str(run["outcome"]) + (" (forced)" if run.get("forced") else "")
    pages = (
        f"{run['pages_fetched']} / {run['pages_not_modified']} / {run['pages_failed']}"
        if run.get("pages_fetched") is not None
        else ""
    )
    return _tag(
        "tr",
        _tag("td", _code(run["run_id"]))
        + _td(run["mode"])
        + (_tag("td", _e(outcome), class_="refused") if run["outcome"] == "refused" else _td(outcome))
        + _n(int(str(run["records"])))
        + _n(int(str(run["rejects"])))
        + _n(int(str(run["warnings"])))
        + _n(changes, data_count=changes)
        + _td(pages)
        + _td(run.get("reason") or ""),
        data_key=run["run_id"],
        data_outcome=run["outcome"],
    )


def _value(value: object, limit: int = 80) -> str:
    """A changed value, on one line and shortened; ∅ for null."""
    if value is None:
        return "∅"
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- writing -------------------------------------------------------------------------------------------------------


def default_out(data_dir: Path) -> Path:
    """`report.html` beside the data folder, never in it: a publish replaces that folder whole."""
    parent = data_dir.parent if data_dir.name not in ("", ".", "..") else data_dir.resolve().parent
    return parent / REPORT_NAME


def write_report(data_dir: Path, out: Path, options: ReportOptions | None = None) -> ReportSummary:
    """Read `data_dir`, render the page and write it to `out` whole or not at all."""
    options = options or ReportOptions()
    if options.colour_by not in COLOUR_KEYS:
        raise ReportError(f"--colour-by {options.colour_by!r}: one of {', '.join(COLOUR_KEYS)}")
    if options.max_bars < 1:
        raise ReportError(f"--max-bars {options.max_bars}: must be at least 1")
    if out.is_dir():
        raise ReportError(f"--out {out}: is a directory, not a file")
    _matplotlib()
    data = read_report_data(data_dir)
    report = render_report(data, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(report.html)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return report.summary
