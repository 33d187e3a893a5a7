"""The drift guard: refuse to publish a build that is worse than the one already published.

A site redesign, a renamed label, an empty listing or a dead site can each give a
build that runs cleanly and is wrong. Compared with the last published tables,
such a build loses projects, meets words the parser does not know, rejects far
more, or empties a column; `objections` names each such sign. Pure: tables in,
reasons out; publishing decides what to do with them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from .schema import PROJECTS, Row
from .wording import counted

Tables = Mapping[str, list[Row]]

UNKNOWN_WORDS = ("unknown-label", "ignored-line", "label-outside-project")
"""Warning codes that mean the parser met a label, heading or line it does not know."""


@dataclass(frozen=True)
class GuardSettings:
    # Share of a listing's projects it may lose in one run before the build is refused.
    max_listing_loss: float = 0.2
    # Share of rejected records (rejects / (projects + rejects)) above which a build is refused.
    max_reject_share: float = 0.1
    # A column filled in at least this share of rows that turns all-null refuses the build.
    filled_share: float = 0.5


DEFAULT_GUARD = GuardSettings()


def objections(previous: Tables, new: Tables, settings: GuardSettings = DEFAULT_GUARD) -> list[str]:
    """Every reason the new tables look worse than the previous ones; empty when they may be published."""
    return (
        _lost_listings(previous["projects"], new["projects"], settings)
        + _unknown_words(previous["warnings"], new["warnings"])
        + _more_rejects(previous, new, settings)
        + _emptied_columns(previous["projects"], new["projects"], settings)
    )


def _lost_listings(previous: list[Row], new: list[Row], settings: GuardSettings) -> list[str]:
    """A listing page that yields no project, or loses more than the allowed share of them."""
    before = Counter(url for row in previous for url in _listings_of(row))
    after = Counter(url for row in new for url in _listings_of(row))
    reasons = []
    for url, count in before.items():
        now = after.get(url, 0)
        if now == 0:
            reasons.append(f"listing {url} yields no project (it had {count})")
        elif (count - now) / count > settings.max_listing_loss:
            reasons.append(
                f"listing {url} lost {count - now} of its {counted(count, 'project')} "
                f"(more than {settings.max_listing_loss:.0%}; --max-listing-loss)"
            )
    return reasons


def _listings_of(row: Row) -> list[str]:
    """Every listing that shows the project (a row published before `listing_urls` existed: its one listing)."""
    urls = row.get("listing_urls")
    if isinstance(urls, list):
        return [str(url) for url in urls]
    listing = row.get("listing_url")
    return [str(listing)] if listing else []


def _unknown_words(previous: list[Row], new: list[Row]) -> list[str]:
    """Labels, headings or lines the parser does not know that the last published build did not show.
    Compared by the word itself (`subject`), so a known oddity on one more project is not news."""
    seen = {_unknown_word(row) for row in previous if row["code"] in UNKNOWN_WORDS}
    fresh = [row for row in new if row["code"] in UNKNOWN_WORDS and _unknown_word(row) not in seen]
    if not fresh:
        return []
    examples = "; ".join(str(row["message"]) for row in fresh[:3])
    return [
        f"{counted(len(fresh), 'line')} the parser does not know where labels and headings stood before "
        f"(the site may have renamed them), e.g. {examples}"
    ]


def _unknown_word(row: Row) -> tuple[object, object]:
    return row["code"], row["subject"] if row["subject"] is not None else row["message"]


def reject_share(tables: Tables) -> float:
    """Rejected records as a share of all records read."""
    rejects, projects = len(tables["rejects"]), len(tables["projects"])
    return rejects / (rejects + projects) if rejects + projects else 0.0


def _more_rejects(previous: Tables, new: Tables, settings: GuardSettings) -> list[str]:
    share, before = reject_share(new), reject_share(previous)
    if share > settings.max_reject_share and share > before:
        return [
            f"{share:.0%} of the records were rejected (was {before:.0%}; above "
            f"{settings.max_reject_share:.0%}, --max-reject-share)"
        ]
    return []


def _emptied_columns(previous: list[Row], new: list[Row], settings: GuardSettings) -> list[str]:
    """A column that was filled for most rows and is now null in every row."""
    if not previous or not new:
        return []
    reasons = []
    for name in PROJECTS.column_names:
        filled = sum(_filled(row.get(name)) for row in previous) / len(previous)
        if filled >= settings.filled_share and not any(_filled(row.get(name)) for row in new):
            reasons.append(
                f"column {name} was filled in {filled:.0%} of the rows and is now empty in all (--filled-share)"
            )
    return reasons


def _filled(value: object) -> bool:
    """A value that says something: not null, and not an empty list."""
    return value is not None and value != []
