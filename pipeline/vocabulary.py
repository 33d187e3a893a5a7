"""The site's own words, in English and Russian, kept in one place.

Parsing uses them to recognise labels, headings and unlabelled values on
detail pages; normalisation uses them to map a published stage to a status.
Keys are compared after `fold`, so case, `ё` and stray spaces do not matter.
"""
from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "direction": "direction",
    "subdirection": "subdirection",
    "stage": "stage",
    "type": "project_type",
    "date": "date_text",
    "направление": "direction",
    "поднаправление": "subdirection",
    "стадия": "stage",
    "тип": "project_type",
    "дата": "date_text",
}
"""Listing label (without its colon) → record field."""

ONGOING_HEADINGS = frozenset({"ongoing", "current projects", "текущие", "текущие проекты"})
"""Listing section headings that open the `Ongoing` section."""

STAGE_STATUS: dict[str, str] = {
    "current project": "ongoing",
    "ongoing project": "ongoing",
    "completed project": "completed",
    "текущий проект": "ongoing",
    "завершенный проект": "completed",
    "реализованный проект": "completed",
}
"""Published stage phrase → controlled `status` value."""

KNOWN_TYPES = frozenset({
    "development",
    "development projects",
    "research",
    "group of projects",
    "разработка",
    "проекты развития",
    "исследование",
    "исследования",
    "группа проектов",
})
"""Project types seen on the site; an unknown type is kept and warned about."""

KNOWN_SUBDIRECTIONS = frozenset({
    "clusters & cluster policy",
    "regional development strategies",
    "кластеры и кластерная политика",
    "стратегии регионального развития",
})
"""Lets a lone unlabelled value on a detail page be told from a direction."""

def fold(text: str) -> str:
    """Key for vocabulary look-ups: casefolded, `ё`→`е`, whitespace squeezed."""
    return " ".join(text.casefold().replace("ё", "е").split())


def status_for_stage(stage: str) -> str | None:
    """The controlled status for a published stage, or None when unknown."""
    return STAGE_STATUS.get(fold(stage))
