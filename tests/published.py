"""A small processed/ folder for the readers' tests (load, export): two publishes of rows with Cyrillic,
dates, nulls, list columns and places, written by the real `publish`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from rows import project_row

from pipeline.publish import publish, read_published
from pipeline.schema import PLACES, REJECTS, RUNS, WARNINGS, Row

RUN1, RUN2 = "20261128T031705.000000Z", "20261129T031705.000000Z"
METADATA = {"source": "raw manifest sha256 f00", "built_at": "2026-11-28T00:00:00+00:00"}
RU_LISTING = "http://csr-nw.ru/area_of_activity/klastery/"
EN_LISTING = "http://csr-nw.ru/en/area_of_activity/clusters/"


def place(
    project_id: str, language: str, place: str, region_code: str | None, region_name: str | None, **changes: object
) -> Row:
    values: dict[str, object] = {
        "project_id": project_id,
        "language": language,
        "place": place,
        "place_kind": "region" if region_code else None,
        "region_code": region_code,
        "region_name": region_name,
        "country_code": "RU" if region_code else None,
        "source": "title",
    }
    values.update(changes)
    return PLACES.row(**values)


SAROV_EN = project_row(
    project_id="2013/sarov",
    title="Assistance to the cluster in the city of Sarov",
    direction="Spatial Development",
    subdirection="Clusters",
    date_text="2013",
    start_date=date(2013, 1, 1),
    end_date=date(2013, 12, 31),
    listing_section="2013",
    listing_url=EN_LISTING,
    listing_sections=["2013", "Ongoing"],
    listing_urls=[EN_LISTING, "http://csr-nw.ru/en/area_of_activity/innovation/"],
    thematic_areas=["Clusters", "Innovation; technology"],
    detail_url="http://csr-nw.ru/en/projects/2013/sarov/",
    project_key="projects/2013/sarov",
    description='A "cluster", in short.\n- item one\n- item two',
    customer="Government of Nizhny Novgorod Oblast",
)
SAROV_RU = project_row(
    project_id="2013/sarov",
    language="ru",
    title="Содействие развитию кластера в городе Сарове",
    direction="Пространственное развитие",
    subdirection=None,
    stage="Завершённый проект",
    project_type="Разработка",
    date_text="2013 г.",
    start_date=date(2013, 1, 1),
    end_date=date(2013, 12, 31),
    listing_section="2013",
    listing_url=RU_LISTING,
    listing_sections=["2013"],
    listing_urls=[RU_LISTING],
    thematic_areas=["Кластеры"],
    detail_url="http://csr-nw.ru/projects/2013/sarov/",
    project_key="projects/2013/sarov",
    customer="Правительство Нижегородской области",
)
ONGOING_RU = project_row(
    project_id="title/strategiya",
    language="ru",
    title="Стратегия Ленинградской области",
    direction=None,
    stage="Текущий проект",
    status="ongoing",
    project_type=None,
    date_text="с 2011 г. по настоящее время",
    start_date=date(2011, 1, 1),
    end_date=None,
    end_precision=None,
    open_ended=True,
    listing_section="Ongoing",
    listing_url=RU_LISTING,
    listing_sections=["Ongoing"],
    listing_urls=[RU_LISTING],
    thematic_areas=[],
)
UNDATED_EN = project_row(
    project_id="2007/nikel",
    title="Program for Nikel, Murmansk Oblast",
    project_type=None,
    date_text=None,
    start_date=None,
    end_date=None,
    start_precision=None,
    end_precision=None,
    listing_section=None,
    listing_url=None,
    listing_sections=[],
)
GATCHINA_EN = project_row(
    project_id="1998/gatchina",
    title="Strategy of Gatchina",
    date_text="1998–1999",
    start_date=date(1998, 1, 1),
    end_date=date(1999, 12, 31),
    listing_section="1998",
    listing_sections=["1998"],
)

PLACE_ROWS = [
    place("2013/sarov", "en", "city of Sarov", "RU-NIZ", "Nizhny Novgorod Oblast", place_kind="city"),
    place("2013/sarov", "ru", "городе Сарове", "RU-NIZ", "Nizhny Novgorod Oblast", place_kind="city"),
    place("title/strategiya", "ru", "Ленинградской области", "RU-LEN", "Leningrad Oblast"),
    place("2007/nikel", "en", "Nikel", "RU-MUR", "Murmansk Oblast", place_kind="city"),
    place("2007/nikel", "en", "Murmansk Oblast", "RU-MUR", "Murmansk Oblast"),
    place("1998/gatchina", "en", "Gatchina", "RU-LEN", "Leningrad Oblast", place_kind="city"),
    place("2013/sarov", "en", "Northern Russia", None, None, place_kind="macro_region", country_code="RU"),
    place("2013/sarov", "en", "Zheleznogorsk", None, None),
]
REJECT_ROWS = [
    REJECTS.row(
        page_url=RU_LISTING,
        language="ru",
        title="Проект без даты",
        line=12,
        step="normalise",
        reason="unreadable date 'весна 2013'",
        raw_text='=HYPERLINK("http://example.org")\nСрок: весна 2013',
        source_sha256="abc",
    ),
    REJECTS.row(
        page_url=None,
        language=None,
        title=None,
        line=None,
        step="load",
        reason="empty page",
        raw_text=None,
        source_sha256=None,
    ),
]
WARNING_ROWS = [
    WARNINGS.row(
        code="unknown-label",
        message="unknown label 'Партнёр:'",
        subject="Партнёр:",
        project_id="2013/sarov",
        language="ru",
        page_url="http://csr-nw.ru/projects/2013/sarov/",
        line=7,
    ),
]

FIRST = {
    "projects": [SAROV_EN, SAROV_RU, ONGOING_RU, UNDATED_EN],
    "rejects": REJECT_ROWS,
    "warnings": WARNING_ROWS,
    "project_places": PLACE_ROWS[:5],
}
SECOND = {
    "projects": [{**SAROV_EN, "description": "Rewritten."}, SAROV_RU, ONGOING_RU, UNDATED_EN, GATCHINA_EN],
    "rejects": REJECT_ROWS[:1],
    "warnings": WARNING_ROWS,
    "project_places": PLACE_ROWS,
}


def run_row(run_id: str, tables: dict[str, list[Row]]) -> Row:
    moment = datetime.strptime(run_id, "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
    return RUNS.row(
        run_id=run_id,
        started_at=moment,
        finished_at=moment,
        mode="build",
        pages_fetched=None,
        pages_not_modified=None,
        pages_failed=None,
        records=len(tables["projects"]),
        rejects=len(tables["rejects"]),
        warnings=len(tables["warnings"]),
        outcome="published",
        published=True,
        forced=False,
        reason=None,
    )


def publish_twice(target: Path) -> Path:
    """`target` as two builds leave it: FIRST published by RUN1, then SECOND by RUN2."""
    for run_id, tables in ((RUN1, FIRST), (RUN2, SECOND)):
        publish(target, tables, read_published(target), run_row(run_id, tables), {**METADATA, "run_id": run_id})
    return target
