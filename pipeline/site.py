"""Everything specific to csr-nw.ru, in one place: hosts, URL patterns, page kinds, start URLs,
and the site's own words (labels, headings, stages, types) in English and Russian.

When the site changes its URLs or wording, this is the one file to edit. The
crawler asks it what a URL is; the parser asks it what a line says.
Vocabulary keys are compared after `fold`, so case, `ё` and stray spaces do not matter.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

HOSTS = frozenset({"csr-nw.ru", "www.csr-nw.ru"})
"""Host names the site answers on; a URL on another host says nothing about the site's layout."""

START_URLS = (
    "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
    "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
)
"""The thematic-area listings the scheduled refresh starts from (English and Russian)."""

# -- page kinds and URLs -------------------------------------------------------------------------------------

LISTING, DETAIL, OTHER = "listing", "detail", "other"
PAGE_KINDS = (LISTING, DETAIL, OTHER)
"""A listing shows many projects under section headings; a detail page shows one project."""

_LEGACY_KINDS = {"project": DETAIL}
"""Kind names that older manifests and corpus files use."""

_DETAIL_PATH = re.compile(r"/projects/(\d{4}/[^/]+)/?$")
_LISTING_PATH = re.compile(r"/(?:area_of_activity|thematic_areas)/")


def page_kind(name: str) -> str:
    """The current name of a page kind, accepting the legacy `project` for `detail`.

    Raises ValueError for a name that is no kind at all.
    """
    kind = _LEGACY_KINDS.get(name, name)
    if kind not in PAGE_KINDS:
        raise ValueError(f"unknown page kind {name!r}; expected one of {', '.join(PAGE_KINDS)}")
    return kind


def kind_of_url(url: str) -> str | None:
    """`detail` or `listing` when the URL's path says so, else None (the content must tell)."""
    path = urlsplit(url).path
    if _DETAIL_PATH.search(path):
        return DETAIL
    if _LISTING_PATH.search(path):
        return LISTING
    return None


def detail_key(url: str) -> str | None:
    """`<year>/<slug>` of a detail page URL, the same in both languages; None for other URLs."""
    match = _DETAIL_PATH.search(urlsplit(url).path)
    return match.group(1) if match else None


def language_of_url(url: str) -> str | None:
    """`en` for `/en/` paths, `ru` for the site's other paths, None when the URL does not tell."""
    parts = urlsplit(url)
    if parts.path.startswith("/en/"):
        return "en"
    if (parts.hostname or "").lower() in HOSTS:
        return "ru"
    return None


_AREA_PATH = re.compile(r"^(?:/en)?/area_of_activity/[^/]+/thematic_areas/[^/]+/?$")
"""A thematic-area listing: `/area_of_activity/<direction>/thematic_areas/<area>/`, after `/en` in English."""


def area_url(url: str) -> str | None:
    """The first page of the thematic-area listing `url` is a page of (its query and fragment dropped),
    or None when `url` is no thematic-area listing."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not _AREA_PATH.match(parts.path):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def area_language(url: str) -> str:
    """`en` for a listing under `/en/`, else `ru`: the site's other paths are Russian."""
    return "en" if language_of_url(url) == "en" else "ru"


_PAGINATION_TEXT = re.compile(r"^(?:\d+|next|следующая|далее|[»›>→]+)$", re.IGNORECASE)


def is_next_page_link(text: str, rel: list[str]) -> bool:
    """A link to another page of the same listing: `rel="next"`, a page number or a `next` arrow."""
    return "next" in rel or bool(_PAGINATION_TEXT.match(text.strip()))


# -- the site's words ----------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Key for vocabulary look-ups: casefolded, `ё`→`е`, whitespace squeezed."""
    return " ".join(text.casefold().replace("ё", "е").split())


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

FACT_LABELS: dict[str, str] = {
    "customer": "customer",
    "originator": "customer",
    "project originator": "customer",
    "project customer": "customer",
    "заказчик": "customer",
    "заказчик проекта": "customer",
    "developer": "developer",
    "project developer": "developer",
    "разработчик": "developer",
    "разработчик проекта": "developer",
    "исполнитель": "developer",
    "project aim": "aim",
    "aim": "aim",
    "project goal": "aim",
    "цель проекта": "aim",
    "цель": "aim",
    "project leader": "leader",
    "project manager": "leader",
    "руководитель проекта": "leader",
    "руководитель": "leader",
}
"""Labels in a detail page's text (`Customer: …`, `Project leader - …`) → `projects` column. `Project goals:`
(plural) heads a list of goals, not the aim, so it is not here."""

_FACT_LINE = re.compile(r"^([^\W\d_]+(?: [^\W\d_]+){0,2}?)\s*(?::|\s[-–—]\s)\s*(.*)$")


def fact_of(text: str) -> tuple[str, str] | None:
    """(column, inline value) for a `Customer: …` or `Project leader - …` line of a detail page, else None."""
    match = _FACT_LINE.match(text)
    if match is None:
        return None
    name = FACT_LABELS.get(fold(match.group(1)))
    return (name, match.group(2)) if name else None


METADATA_FIELDS = ("direction", "subdirection", "stage", "project_type", "date_text")
"""The order of the unlabelled values on a detail page (and of labels on a listing)."""

ONGOING_HEADINGS = frozenset(
    {
        "ongoing",
        "ongoing projects",
        "current",
        "current projects",
        "projects in progress",
        "in progress",
        "текущие",
        "текущие проекты",
        "реализуемые проекты",
        "проекты в работе",
    }
)
"""Listing section headings that open the `Ongoing` section (compared after `fold`, a final `:` or `.` dropped)."""

ONGOING_SECTION = "Ongoing"
"""The section name published for every ongoing heading, in either language."""

STAGE_STATUS: dict[str, str] = {
    "current project": "ongoing",
    "ongoing project": "ongoing",
    "completed project": "completed",
    "текущий проект": "ongoing",
    "завершенный проект": "completed",
    "реализованный проект": "completed",
}
"""Published stage phrase → controlled `status` value."""

KNOWN_TYPES = frozenset(
    {
        "development",
        "development projects",
        "research",
        "group of projects",
        "разработка",
        "проекты развития",
        "исследование",
        "исследования",
        "группа проектов",
    }
)
"""Project types seen on the site; an unknown type is kept and warned about."""

KNOWN_SUBDIRECTIONS = frozenset(
    {
        "clusters & cluster policy",
        "regional development strategies",
        "кластеры и кластерная политика",
        "стратегии регионального развития",
    }
)
"""Lets a lone unlabelled value on a detail page be told from a direction."""

KNOWN_DIRECTIONS = frozenset(
    {
        "spatial development",
        "territorial development",
        "economic development",
        "social development",
        "public administration",
        "пространственное развитие",
        "территориальное развитие",
        "экономическое развитие",
        "социальное развитие",
        "государственное управление",
    }
)
"""Directions seen on the site (and in its URLs): a Direction is recognised by its value, wherever it stands."""

PAGE_CHROME = frozenset(
    {
        "print",
        "print version",
        "printable version",
        "version for printing",
        "печать",
        "версия для печати",
        "распечатать",
        "share",
        "share this",
        "поделиться",
        "tweet",
        "like",
        "facebook",
        "twitter",
        "vk",
        "vkontakte",
        "вконтакте",
        "telegram",
        "whatsapp",
        "linkedin",
        "odnoklassniki",
        "одноклассники",
        "livejournal",
        "google+",
        "email",
        "e-mail",
        "send to a friend",
        "отправить другу",
        "back",
        "назад",
        "back to list",
        "back to projects",
        "вернуться к списку",
        "к списку проектов",
        "all projects",
        "все проекты",
        "home",
        "главная",
        "rss",
        "subscribe",
        "подписаться",
    }
)
"""Words of page furniture (print, share, back links) that stand between a detail page's title and
its values; a line made only of them is never a value."""

_BREADCRUMB = re.compile(r"\s(?:→|›|»|>|/|\||::|←|‹|«)\s")
_CHROME_SEPARATORS = re.compile(r"\s*(?:[|·•,/]|\s)\s*")


def is_chrome(text: str, link: str | None = None) -> bool:
    """Page furniture: print, share and back links, a breadcrumb trail (`Home → Projects → 2007`:
    two separators, or one after `Home`), or a link that goes nowhere on the web (`javascript:`, `mailto:`)."""
    key = fold(text).strip("«»<>‹›←→: ")
    if key in PAGE_CHROME or all(word in PAGE_CHROME for word in _CHROME_SEPARATORS.split(key) if word):
        return True
    crumbs = _BREADCRUMB.split(f" {key} ")
    if len(crumbs) >= 3 or (len(crumbs) == 2 and crumbs[0].strip() in PAGE_CHROME):
        return True
    return link is not None and urlsplit(link).scheme not in ("http", "https", "")


_LABEL_WORD = r"[^\W\d_]{1,25}(?:-[^\W\d_]{1,25})?"
_LABEL_LINE = re.compile(rf"^({_LABEL_WORD}(?: {_LABEL_WORD}){{0,2}}?)\s*:\s*(.*)$")
"""`Label:` or `Label: value`: one to three words of letters (a hyphen inside a word too) before the colon."""

_FIELD_BY_KEY = {label.replace(" ", ""): name for label, name in FIELD_LABELS.items()}


def _label_key(label: str) -> str:
    """A label as looked up: folded, with no hyphens or spaces, so `Sub-direction` is `Subdirection`."""
    return fold(label).replace("-", "").replace(" ", "")


_YEAR_HEADING = re.compile(
    r"^(?:(?:year|in|в|за)\s+)?((?:19|20|21)\d\d)(?:\s*(?:г\.?|год[ау]?|year))?\s*[:.]?$", re.IGNORECASE
)
"""A year heading, as the site words it in either language: `2015`, `2015:`, `Year 2015`, `In 2015`,
`2012 год`, `2012 г.`, `В 2012 году`. A year inside a longer line is never a heading."""


def status_for_stage(stage: str) -> str | None:
    """The controlled status for a published stage, or None when unknown."""
    return STAGE_STATUS.get(fold(stage))


def label_of(text: str) -> tuple[str, str] | None:
    """(label, inline value) for a `Label:` or `Label: value` line, else None."""
    match = _LABEL_LINE.match(text)
    return (match.group(1), match.group(2)) if match else None


def known_field(text: str) -> tuple[str, str] | None:
    """(record field, inline value) for a line with a known label, else None."""
    label = label_of(text)
    if label is None:
        return None
    name = _FIELD_BY_KEY.get(_label_key(label[0]))
    return (name, label[1]) if name else None


def heading_of(text: str) -> str | None:
    """`Ongoing` or the year for a listing's section heading line; None for any other line."""
    if fold(text).rstrip(":.").rstrip() in ONGOING_HEADINGS:
        return ONGOING_SECTION
    match = _YEAR_HEADING.match(text)
    return match.group(1) if match else None
