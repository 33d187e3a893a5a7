"""Rows for tests that need a valid `projects` row without spelling out every column."""

from __future__ import annotations

from datetime import date

from pipeline.schema import PROJECTS, Row

LISTING = "http://csr-nw.ru/en/area_of_activity/a/"


def project_row(**changes: object) -> Row:
    """A completed 2015 English project listed on LISTING; `changes` override any column."""
    values: dict[str, object] = {
        "project_id": "2015/alpha",
        "language": "en",
        "title": "Alpha",
        "direction": "Spatial Development",
        "subdirection": None,
        "stage": "Completed project",
        "status": "completed",
        "project_type": "Development",
        "date_text": "2015",
        "start_date": date(2015, 1, 1),
        "end_date": date(2015, 12, 31),
        "start_precision": "year",
        "end_precision": "year",
        "open_ended": False,
        "listing_section": "2015",
        "listing_url": LISTING,
        "listing_sections": ["2015"],
        "listing_urls": [LISTING],
        "thematic_areas": [],
        "detail_url": None,
        "project_key": None,
        "description": None,
        "customer": None,
        "developer": None,
        "aim": None,
        "leader": None,
        "source_sha256": "aaa",
    }
    values.update(changes)
    return PROJECTS.row(**values)
