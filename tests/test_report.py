"""pipeline.report and `python -m pipeline report`: the numbers on the page are the datasets' numbers,
every image is a real PNG, the page references nothing outside itself, and a real Chromium renders it
offline without a console error, fetching nothing.

The expected figures are computed here with pandas, independently of the report's own counting.
"""

from __future__ import annotations

import base64
import io
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from browser import INSTALL_HINT, Chromium, find_chromium
from PIL import Image as PILImage
from rows import project_row

from pipeline.cli import main
from pipeline.history import new_run_id
from pipeline.parquet import dataset_file, write_rows
from pipeline.publish import MARKER
from pipeline.report import (
    INSTALL_COMMAND,
    NO_DATE,
    NOT_GIVEN,
    ReportData,
    ReportOptions,
    default_out,
    heat_colour,
    plan_timeline,
    read_report_data,
    render_report,
    shorten,
    start_year_counts,
    unique_projects,
    write_report,
)
from pipeline.schema import CHANGES, PLACES, PROJECTS, REJECTS, RUNS, WARNINGS, Row

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "processed"
BUILT = datetime(2026, 11, 29, 7, 52, tzinfo=UTC)


# -- reading the page back ---------------------------------------------------------------------------------------


class Page(HTMLParser):
    """Every element's tag and attributes, the text of <style>, and the text outside tags."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.styles: list[str] = []
        self.text: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)


def measure(html: str, name: str) -> dict[str, int]:
    """`data-key` → `data-count` of every element inside the one whose `data-measure` is `name`."""
    match = re.search(rf'<(\w+)[^>]*data-measure="{name}"', html)
    assert match, f"no data-measure={name!r} in the report"
    start = match.start()
    end = html.index(f"</{match.group(1)}>", start)
    found = {}
    for element in re.finditer(r"<[^>]*>", html[start:end]):
        key = re.search(r'data-key="([^"]*)"', element.group(0))
        count = re.search(r'data-count="(\d+)"', element.group(0))
        if key and count:
            found[unescape(key.group(1))] = int(count.group(1))
    return found


def running(html: str) -> dict[str, dict[int, int]]:
    """The grid of projects running per group and year, non-zero cells only."""
    table = html.split('data-measure="running"', 1)[1].split("</table>", 1)[0]
    grid: dict[str, dict[int, int]] = {}
    for row in re.finditer(r'<tr data-group="([^"]*)">(.*?)</tr>', table):
        group = unescape(row.group(1))
        cells = re.findall(r'data-year="(\d+)" data-count="(\d+)"', row.group(2))
        grid[group] = {int(year): int(count) for year, count in cells if int(count)}
    return grid


# -- what the datasets say (pandas) ------------------------------------------------------------------------------


def frame(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def one_per_project(projects: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    if language:
        return projects[projects["language"] == language]
    order = projects["language"].map({"en": 0, "ru": 1}).fillna(9)
    return projects.assign(_order=order).sort_values("_order", kind="stable").drop_duplicates("project_id")


def counts(series: pd.Series) -> dict[str, int]:
    return {str(key): int(value) for key, value in series.fillna(NOT_GIVEN).value_counts().items()}


def expected_grid(projects: pd.DataFrame, built: date, key: str = "subdirection") -> dict[str, dict[int, int]]:
    grid: dict[str, dict[int, int]] = defaultdict(dict)
    for row in projects[projects["start_date"].notna()].itertuples():
        start = row.start_date.year
        if row.open_ended:
            end = max(built.year, start)
        elif pd.isna(row.end_date):
            end = start
        else:
            end = row.end_date.year
        group = getattr(row, key) if isinstance(getattr(row, key), str) else NOT_GIVEN
        for year in range(start, end + 1):
            grid[group][year] = grid[group].get(year, 0) + 1
    return dict(grid)


def built_on(folder: Path) -> date:
    import pyarrow.parquet as pq

    metadata = pq.read_schema(next((folder / "projects").glob("*.parquet"))).metadata
    return datetime.fromisoformat(metadata[b"built_at"].decode()).date()


def check_numbers(folder: Path, html: str, language: str | None = None) -> None:
    """Every figure the page shows, against the same figure computed from the Parquet files."""
    rows = frame(folder, "projects")
    projects = one_per_project(rows, language)
    warnings, rejects, places, runs = (
        frame(folder, name) for name in ("warnings", "rejects", "project_places", "runs.parquet")
    )
    dated = projects[projects["start_date"].notna()]
    totals = {
        "projects": len(projects),
        "rows": len(rows),
        "dated": len(dated),
        "undated": len(projects) - len(dated),
        "open_ended": int(projects["open_ended"].sum()),
        "warnings": len(warnings),
        "rejects": len(rejects),
    }
    if (folder / "project_places").exists():
        unresolved = places[places["region_code"].isna() & ~places["place_kind"].isin(["macro_region", "country"])]
        totals |= {"places": len(places), "unresolved_places": len(unresolved)}
        if len(unresolved):
            assert measure(html, "unresolved_places") == counts(unresolved["place"])
        regions = places[places["region_code"].notna() & places["project_id"].isin(projects["project_id"])]
        labels = regions["region_name"] + " (" + regions["region_code"] + ")"
        by_region = regions.assign(label=labels).drop_duplicates(["project_id", "label"])["label"]
        if len(by_region):
            assert measure(html, "region") == counts(by_region)
    assert measure(html, "totals") == totals
    assert measure(html, "status") == counts(projects["status"])
    assert measure(html, "type") == counts(projects["project_type"])
    years = counts(dated["start_date"].map(lambda day: str(day.year)))
    if years:
        first, last = min(map(int, years)), max(map(int, years))
        years = {str(year): years.get(str(year), 0) for year in range(first, last + 1)}
    if len(projects) > len(dated):
        years[NO_DATE] = len(projects) - len(dated)
    assert measure(html, "start_year") == years
    assert measure(html, "warnings") == (counts(warnings["code"]) if len(warnings) else {})
    assert measure(html, "rejects") == (counts(rejects["step"]) if len(rejects) else {})
    if len(projects) > len(dated):
        assert set(measure_keys(html, "undated")) == set(projects[projects["start_date"].isna()]["project_id"])
    assert running(html) == expected_grid(projects, built_on(folder))
    if len(runs):
        shown = dict(re.findall(r'data-outcome="(\w+)" data-count="(\d+)"', html))
        assert {key: int(value) for key, value in shown.items()} == counts(runs["outcome"])


def measure_keys(html: str, name: str) -> list[str]:
    table = html.split(f'data-measure="{name}"', 1)[1].split("</table>", 1)[0]
    return [unescape(key) for key in re.findall(r'data-key="([^"]*)"', table)]


# -- a published folder with everything in it --------------------------------------------------------------------


def published(folder: Path, size: int = 30) -> Path:
    """Projects in both languages, places (resolved, unresolved, a macro-region), warnings, rejects,
    runs (one refused) and changes: every part of the report has something to show."""
    projects: list[Row] = []
    for index in range(size):
        year = 2005 + index % 17
        values: dict[str, object] = {
            "project_id": f"{year}/p{index}",
            "title": f"Project {index} on the strategy of the Leningrad region, a long title that must be shortened",
            "subdirection": (None, "Clusters", "Regional Strategies", "Cities")[index % 4],
            "status": "ongoing" if index % 6 == 0 else "completed",
            "stage": "Current project" if index % 6 == 0 else "Completed project",
            "project_type": ("Development", "Research", None)[index % 3],
            "start_date": date(year, 1 + index % 12, 1),
            "end_date": None if index % 6 == 0 else date(year + index % 3, 12, 31),
            "start_precision": "month" if index % 2 else "year",
            "end_precision": None if index % 6 == 0 else "year",
            "open_ended": index % 6 == 0,
            "thematic_areas": [f"Area {index % 2}"] if index % 5 else [],
        }
        if index % 10 == 7:
            values |= {"start_date": None, "end_date": None, "start_precision": None, "end_precision": None}
            values |= {"open_ended": False, "date_text": None}
        projects.append(project_row(language="en", **values))
        if index % 3 == 0:
            projects.append(project_row(language="ru", **{**values, "title": f"Проект {index}", "status": "completed"}))
    projects.append(project_row(project_id="title/only-russian", language="ru", title="Только по-русски"))
    places = [
        PLACES.row(
            project_id=f"{2005 + index % 17}/p{index}",
            language="en",
            place=place,
            place_kind=kind,
            region_code=code,
            region_name=name,
            country_code="RU",
            source="title",
        )
        for index in range(0, size, 2)
        for place, kind, code, name in (
            ("Leningrad region", "region", "RU-LEN", "Leningrad Oblast"),
            ("Zheleznogorsk", "city", None, None) if index % 4 == 0 else ("Sarov", "city", "RU-NIZ", "Nizhny Novgorod"),
            ("Northern Russia", "macro_region", None, None),
        )
    ]
    warnings = [
        WARNINGS.row(
            code=code, message=f"{code} {index}", subject=None, project_id=None, language="en", page_url=None, line=None
        )
        for index, code in enumerate(["stage-vs-date"] * 5 + ["incomplete"] * 2 + ["unknown-label"])
    ]
    rejects = [
        REJECTS.row(
            page_url="http://csr-nw.ru/en/area_of_activity/a/",
            language="en",
            title=f"Bad {index}",
            line=index,
            step=step,
            reason="cannot read the date 'spring'",
            raw_text="x",
            source_sha256="a",
        )
        for index, step in enumerate(["normalise", "normalise", "validate"])
    ]
    runs, changes = [], []
    for day, outcome in enumerate(["published", "refused", "unchanged", "published"]):
        run_id = new_run_id(BUILT - timedelta(days=3 - day))
        runs.append(
            RUNS.row(
                run_id=run_id,
                started_at=BUILT - timedelta(days=3 - day),
                finished_at=BUILT - timedelta(days=3 - day) + timedelta(seconds=5),
                mode="refresh",
                pages_fetched=10,
                pages_not_modified=2,
                pages_failed=day,
                records=len(projects),
                rejects=3,
                warnings=8,
                outcome=outcome,
                published=outcome == "published",
                forced=False,
                reason="a listing lost 40% of its projects" if outcome == "refused" else None,
            )
        )
        if outcome == "published":
            changes.append(
                CHANGES.row(
                    run_id=run_id,
                    project_id="2005/p0",
                    language="en",
                    change="changed",
                    field="title",
                    old="Old <b>title</b>",
                    new="New",
                )
            )
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("{}\n", encoding="utf-8")
    metadata = {"run_id": str(runs[-1]["run_id"]), "built_at": str(BUILT)}
    for dataset, rows in ((PROJECTS, projects), (WARNINGS, warnings), (REJECTS, rejects), (PLACES, places)):
        write_rows(dataset_file(folder, dataset), dataset, rows, metadata)
    write_rows(folder / RUNS.path, RUNS, runs)
    write_rows(folder / CHANGES.path / "part-0.parquet", CHANGES, changes)
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published(tmp_path_factory.mktemp("report") / "processed")


@pytest.fixture(scope="module")
def snapshot_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("snapshot") / "report.html"
    write_report(SNAPSHOT, out)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def folder_html(folder: Path) -> str:
    return render_report(read_report_data(folder)).html


# -- the numbers -------------------------------------------------------------------------------------------------


def test_the_snapshot_report_shows_the_snapshot_numbers(snapshot_html):
    check_numbers(SNAPSHOT, snapshot_html)


def test_every_section_shows_the_numbers_of_its_dataset(folder, folder_html):
    check_numbers(folder, folder_html)
    for section in ("timeline", "counts", "quality", "operations"):
        assert f'<section id="{section}">' in folder_html


def test_one_language_counts_only_its_rows(folder):
    html = render_report(read_report_data(folder), ReportOptions(language="ru")).html
    check_numbers(folder, html, language="ru")
    assert measure(html, "totals")["projects"] == 11  # 10 translated projects and one only in Russian


def test_thematic_areas_can_colour_the_timeline(folder):
    html = render_report(read_report_data(folder), ReportOptions(colour_by="thematic_area")).html
    projects = one_per_project(frame(folder, "projects"))
    first_area = projects["thematic_areas"].map(lambda areas: areas[0] if len(areas) else None)
    assert running(html) == expected_grid(projects.assign(area=first_area), built_on(folder), key="area")
    assert "by first thematic area" in html


def test_a_project_in_both_languages_counts_once_under_its_english_row():
    rows = [
        project_row(project_id="2015/a", language="ru", title="А"),
        project_row(project_id="2015/a", language="en", title="A"),
        project_row(project_id="title/b", language="ru", title="Б"),
    ]
    assert [(row["project_id"], row["title"]) for row in unique_projects(rows)] == [("2015/a", "A"), ("title/b", "Б")]
    assert [row["title"] for row in unique_projects(rows, "ru")] == ["А", "Б"]


def test_start_years_run_from_the_first_to_the_last_with_zeros_then_the_undated():
    rows = [
        project_row(start_date=date(2011, 1, 1)),
        project_row(start_date=date(2014, 3, 1)),
        project_row(start_date=date(2014, 1, 1)),
        project_row(start_date=None, end_date=None, start_precision=None, end_precision=None),
    ]
    assert start_year_counts(rows) == [("2011", 1), ("2012", 0), ("2013", 0), ("2014", 2), (NO_DATE, 1)]


# -- the timeline ------------------------------------------------------------------------------------------------


def test_year_dates_are_whole_years_and_open_ends_run_to_the_build_date():
    rows = [
        project_row(title="year", start_date=date(2013, 1, 1), end_date=date(2014, 12, 31)),
        project_row(
            title="open",
            start_date=date(2011, 1, 1),
            end_date=None,
            end_precision=None,
            open_ended=True,
            start_precision="year",
        ),
        project_row(
            title="months",
            start_date=date(2013, 12, 1),
            end_date=date(2014, 3, 31),
            start_precision="month",
            end_precision="month",
        ),
    ]
    timeline = plan_timeline(rows, built_on=date(2026, 11, 29))
    bars = {bar.title: bar for bar in timeline.bars}
    assert (bars["year"].start, bars["year"].end, bars["year"].whole_years) == (
        date(2013, 1, 1),
        date(2014, 12, 31),
        True,
    )
    assert (bars["open"].end, bars["open"].open_ended) == (date(2026, 11, 29), True)
    assert (bars["months"].start, bars["months"].end, bars["months"].whole_years) == (
        date(2013, 12, 1),
        date(2014, 3, 31),
        False,
    )
    assert timeline.years == list(range(2011, 2027))


def test_above_max_bars_the_timeline_draws_the_most_recent_and_the_grid_counts_all(folder):
    rows = [
        project_row(project_id=f"p{n}", title=f"P{n}", start_date=date(2000 + n, 1, 1), end_date=date(2000 + n, 12, 31))
        for n in range(20)
    ]
    timeline = plan_timeline(rows, built_on=date(2026, 1, 1), max_bars=5)
    assert [bar.title for bar in timeline.bars] == ["P15", "P16", "P17", "P18", "P19"]
    assert timeline.paginated and timeline.dated == 20
    assert sum(sum(counts) for counts in timeline.running.values()) == 20

    html = render_report(read_report_data(folder), ReportOptions(max_bars=4)).html
    lead = re.search(r'data-bars="(\d+)" data-dated="(\d+)">([^<]*)', html)
    assert lead and int(lead.group(1)) == 4
    assert f"The 4 most recently started of the {lead.group(2)} dated projects" in lead.group(3)
    check_numbers(folder, html)  # the grid still counts every dated project


def test_shorten_cuts_at_a_word_and_marks_it():
    assert shorten("Development of innovative cluster in the City of Sarov", 30) == "Development of innovative…"
    assert shorten("Short", 30) == "Short"
    assert len(shorten("x" * 100, 20)) == 20


def test_the_grid_shades_run_from_light_to_dark():
    def lightness(colour: str) -> int:
        return sum(int(colour[index : index + 2], 16) for index in (1, 3, 5))

    shades = [lightness(heat_colour(count, 100)) for count in (1, 25, 50, 75, 100)]
    assert shades == sorted(shades, reverse=True) and len(set(shades)) == 5
    assert heat_colour(100, 100) == "#081d58"


# -- the file itself ---------------------------------------------------------------------------------------------


def images(html: str) -> list[tuple[bytes, dict[str, str]]]:
    return [
        (base64.b64decode(attrs["src"].split(",", 1)[1], validate=True), attrs)
        for tag, attrs in Page(html).elements
        if tag == "img"
    ]


SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def check_image(data: bytes, attrs: dict[str, str]) -> None:
    """A PNG whose every chunk checks out, or an SVG that parses and names nothing outside itself;
    either of the size the page gives it."""
    kind = attrs["src"].split(";", 1)[0]
    if kind == "data:image/png":
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        PILImage.open(io.BytesIO(data)).verify()  # every chunk and its CRC
        assert PILImage.open(io.BytesIO(data)).size == (int(attrs["width"]), int(attrs["height"]))
        return
    assert kind == "data:image/svg+xml"
    root = ElementTree.fromstring(data.decode("utf-8"))
    assert root.tag == f"{SVG}svg"
    points = [float(root.attrib[name].removesuffix("pt")) for name in ("width", "height")]
    assert [round(value * 4 / 3) for value in points] == [int(attrs["width"]), int(attrs["height"])]
    texts = 0
    for element in root.iter():
        texts += element.tag == f"{SVG}text"
        for name, value in element.attrib.items():
            if name in ("href", XLINK_HREF):
                assert value.startswith("#"), f"{element.tag} {name}={value}"
            for reference in re.findall(r"url\(([^)]*)\)", value):
                assert reference.startswith("#"), f"{element.tag} {name}={value}"
            assert not re.search(r"https?:|@import", value), f"{element.tag} {name}={value}"
        if element.tag == f"{SVG}style":
            assert not re.search(r"https?:|@import|url\((?!#)", element.text or "")
    assert texts, "the chart's words are text, not paths"


@pytest.mark.parametrize("which", ["snapshot", "folder"])
def test_every_image_is_a_valid_svg_or_png_of_the_size_the_page_gives(which, snapshot_html, folder_html):
    html = snapshot_html if which == "snapshot" else folder_html
    found = images(html)
    assert len(found) >= 4
    for data, attrs in found:
        check_image(data, attrs)
        assert attrs["alt"]


REFERENCE_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "action", "formaction", "background", "ping",
                        "manifest", "cite", "longdesc", "xlink:href", "codebase", "archive", "usemap"}  # fmt: skip


@pytest.mark.parametrize("which", ["snapshot", "folder"])
def test_the_page_references_nothing_outside_itself(which, snapshot_html, folder_html):
    html = snapshot_html if which == "snapshot" else folder_html
    page = Page(html)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "link", "iframe", "object", "embed", "base", "frame", "video", "audio", "source"}
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            if name in REFERENCE_ATTRIBUTES:
                assert value.startswith("#" if name == "href" else "data:"), f"<{tag} {name}={value[:60]!r}>"
            if name != "src":
                assert not re.search(r"https?://|//[a-z0-9]|url\(|@import", value, re.IGNORECASE), (
                    f"<{tag} {name}={value!r}>"
                )
    css = "".join(page.styles)
    assert css and not re.search(r"https?:|@import|url\(", css, re.IGNORECASE)
    policies = [
        attrs["content"] for tag, attrs in page.elements if attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == ["default-src 'none'; img-src data:; style-src 'unsafe-inline'"]
    # A URL may appear only as text, where the data quotes the page it was read from: never in a tag
    assert not re.search(r"https?://", "".join(re.findall(r"<[^>]*>", html)), re.IGNORECASE)


def test_text_from_the_data_is_escaped(folder_html):
    assert "Old &lt;b&gt;title&lt;/b&gt;" in folder_html
    assert "<b>title</b>" not in folder_html


def test_the_same_data_makes_the_same_page(folder, folder_html):
    assert render_report(read_report_data(folder)).html == folder_html


# -- the command -------------------------------------------------------------------------------------------------


def test_the_command_writes_beside_the_data_folder_and_says_what_it_drew(folder, capsys, monkeypatch):
    monkeypatch.chdir(folder.parent)
    assert main(["report", "--data", "processed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wrote report.html: 31 projects, ")
    assert "drawn as bars" in out
    assert (folder.parent / "report.html").is_file()
    assert not (folder / "report.html").exists()  # a publish replaces the data folder whole
    assert default_out(Path("/srv/data/processed")) == Path("/srv/data/report.html")
    assert default_out(Path(".")) == Path.cwd().parent / "report.html"


def test_the_command_writes_where_told(folder, tmp_path, capsys):
    out = tmp_path / "deep" / "er" / "catalogue.html"
    assert main(["report", "--data", str(folder), "--out", str(out), "--max-bars", "10", "--language", "en"]) == 0
    assert 'data-bars="10"' in out.read_text(encoding="utf-8")
    assert not list(out.parent.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "{missing}"], "no such directory"),
        (["--data", "{empty}"], "no projects dataset in it"),
        (["--out", "{empty}"], "is a directory, not a file"),
        (["--max-bars", "0"], "--max-bars 0: must be at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(folder, tmp_path, capsys, args, message):
    (tmp_path / "empty").mkdir()
    values = {"missing": str(tmp_path / "missing"), "empty": str(tmp_path / "empty")}
    argv = ["report", "--data", str(folder), *(arg.format(**values) for arg in args)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_without_matplotlib_the_command_names_the_install_command(folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    assert main(["report", "--data", str(folder), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: the report needs matplotlib, which is not installed: {INSTALL_COMMAND}\n"
    assert INSTALL_COMMAND == "pip install 'csr-nw-pipeline[report]'"
    assert not (tmp_path / "r.html").exists()


def test_a_folder_without_places_or_run_log_still_reports(tmp_path):
    folder = tmp_path / "processed"
    write_rows(dataset_file(folder, PROJECTS), PROJECTS, [project_row()], {"built_at": str(BUILT)})
    data = read_report_data(folder)
    assert isinstance(data, ReportData) and data.places is None and data.runs == []
    html = render_report(data).html
    assert "the folder has no project_places dataset" in html
    assert 'id="operations"' not in html and 'href="#operations"' not in html


# -- in a real browser -------------------------------------------------------------------------------------------

CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    """One headless Chromium for the module's browser tests (skipped, saying why, when there is none)."""
    if CHROMIUM is None:
        pytest.skip(f"no Chromium or Chrome found: {INSTALL_HINT}")
    with Chromium(CHROMIUM) as chromium:
        yield chromium


def test_chromium_renders_the_report_offline_without_console_errors(browser, folder, tmp_path):
    page = tmp_path / "report.html"
    write_report(folder, page)
    visit = browser.open(page, width=1280, height=2000)
    assert visit.console == []
    assert [url for url in visit.requests if not url.startswith("data:")] == [page.resolve().as_uri()]
    assert len(visit.images) >= 4
    assert all(image["complete"] and image["width"] > 0 for image in visit.images)
    shot = PILImage.open(io.BytesIO(visit.screenshot))
    assert shot.format == "PNG" and shot.size == (1280, 2000)
    assert len(shot.convert("L").getcolors(maxcolors=1 << 16) or []) > 8  # drawn, not blank
    assert visit.pdf.startswith(b"%PDF-")
    sizes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", visit.pdf))
    assert {(round(float(w)), round(float(h))) for w, h in sizes} == {(595, 842)}  # A4 in points
    assert len(re.findall(rb"/Type\s*/Page\b", visit.pdf)) >= 4  # a page per section


def test_the_browser_check_catches_an_outside_reference(browser, folder, tmp_path):
    """The check above is not vacuous: a page that asks for a remote image is caught."""
    html = render_report(read_report_data(folder)).html.replace(
        "</body>", '<img src="http://192.0.2.1/pixel.png" alt="remote"></body>'
    )
    page = tmp_path / "leaky.html"
    page.write_text(html, encoding="utf-8")
    visit = browser.open(page, width=800, height=600, keep=False)
    assert any("192.0.2.1" in line for line in visit.console)


def svg_texts(html: str) -> list[str]:
    """Every <text> of every chart, as the browser will show it."""
    texts = []
    for data, attrs in images(html):
        if attrs["src"].startswith("data:image/svg+xml"):
            root = ElementTree.fromstring(data.decode("utf-8"))
            texts += ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]
    return texts


def test_titles_are_drawn_as_written_dollars_carets_and_cyrillic_included(tmp_path):
    folder = tmp_path / "processed"
    rows = [
        project_row(title="Budget $5 to $10 for x_y^2", subdirection="A $b$ & <c>"),
        project_row(project_id="2015/b", language="ru", title="Стратегия Ленинградской области"),
    ]
    write_rows(dataset_file(folder, PROJECTS), PROJECTS, rows, {"built_at": str(BUILT)})
    texts = svg_texts(render_report(read_report_data(folder)).html)
    assert {"Budget $5 to $10 for x_y^2", "A $b$ & <c>", "Стратегия Ленинградской области"} <= set(texts)


def test_an_empty_projects_dataset_gives_a_page_without_charts(tmp_path):
    folder = tmp_path / "processed"
    write_rows(dataset_file(folder, PROJECTS), PROJECTS, [], {"built_at": str(BUILT)})
    html = render_report(read_report_data(folder)).html
    assert images(html) == []
    assert "No project has a start date: there is nothing to draw." in html
    assert measure(html, "totals")["projects"] == 0
