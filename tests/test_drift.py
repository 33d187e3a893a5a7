"""pipeline.drift: the guard that refuses a build worse than the published one; and `run_build` refusing a
renamed label until it is forced."""

import hashlib
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rows import project_row

from pipeline.build import run_build
from pipeline.drift import GuardSettings, objections, reject_share
from pipeline.history import read_runs, run_line
from pipeline.parquet import read_rows
from pipeline.rawstore import RawStore
from pipeline.schema import PROJECTS, REJECTS, WARNINGS, Row

AREA_A = "http://csr-nw.ru/en/area_of_activity/a/"
AREA_B = "http://csr-nw.ru/en/area_of_activity/b/"
DEFAULTS = GuardSettings()


def project(number: int, listing: str | None = AREA_A, **changes: object) -> Row:
    values: dict[str, object] = {
        "project_id": f"2015/project-{number}",
        "title": f"Project {number}",
        "subdirection": "Clusters & Cluster Policy",
        "listing_url": listing,
        "listing_urls": [listing] if listing else [],
    }
    values.update(changes)
    return project_row(**values)


def reject(number: int) -> Row:
    return REJECTS.row(
        page_url=AREA_A,
        language="en",
        title=f"Bad {number}",
        line=number,
        step="normalise",
        reason="the date 'Spring 20l5' cannot be read",
        raw_text="…",
        source_sha256="aaa",
    )


SUBJECT = {  # what the parser names as a warning's subject, read back out of its message
    "unknown-label": r"unknown label '([^']*)'",
    "ignored-line": r"ignored: '([^']*)'$",
    "label-outside-project": r"label '([^']*)' outside",
}


def warning(code: str, message: str) -> Row:
    found = re.search(SUBJECT[code], message) if code in SUBJECT else None
    return WARNINGS.row(
        code=code,
        message=message,
        subject=found.group(1) if found else None,
        project_id=None,
        language="en",
        page_url=AREA_A,
        line=4,
    )


def projects(count: int, listing: str | None = AREA_A, start: int = 0, **changes: object) -> list[Row]:
    return [project(start + number, listing, **changes) for number in range(count)]


def tables(rows: list[Row], rejects: int = 0, warnings: tuple[Row, ...] = ()) -> dict[str, list[Row]]:
    return {
        "projects": rows,
        "rejects": [reject(number) for number in range(rejects)],
        "warnings": list(warnings),
        "project_places": [],
    }


UNKNOWN_PARTNER = warning(
    "unknown-label", "unknown label 'Partner' in 'Project 1' (value 'Acme') kept out of the record"
)
IGNORED = warning("ignored-line", "line after project 'Project 2' ignored: 'Share this page'")
OUTSIDE = warning("label-outside-project", "label 'Phase:' outside any project ignored")
DOUBT = warning("stage-vs-date", "'Current project' but the date '2014' ended in 2014")
TWO_LISTINGS = projects(5) + projects(5, AREA_B, start=5)


@pytest.mark.parametrize(
    "previous, new, settings, expected",
    [
        pytest.param(tables(TWO_LISTINGS), tables(TWO_LISTINGS), DEFAULTS, [], id="identical"),
        pytest.param(
            tables(projects(10), 3, (UNKNOWN_PARTNER, IGNORED)),
            tables(projects(10), 3, (UNKNOWN_PARTNER, IGNORED)),
            DEFAULTS,
            [],
            id="identical-with-known-words-and-many-rejects",
        ),
        pytest.param(
            tables(TWO_LISTINGS),
            tables(projects(5, AREA_B, start=5)),
            DEFAULTS,
            [[f"listing {AREA_A} ", "yields no project", "5"]],
            id="a-listing-yields-no-project",
        ),
        pytest.param(
            tables(projects(4)),
            tables([]),
            DEFAULTS,
            [[f"listing {AREA_A} ", "yields no project", "4"]],
            id="no-project-at-all",
        ),
        pytest.param(
            tables(projects(5)),
            tables(projects(3)),
            DEFAULTS,
            [[f"listing {AREA_A} ", "lost 2 of its 5 projects", "20%", "--max-listing-loss"]],
            id="listing-loses-more-than-max-listing-loss",
        ),
        pytest.param(
            tables(projects(5)), tables(projects(4)), DEFAULTS, [], id="listing-loses-exactly-max-listing-loss"
        ),
        pytest.param(
            tables(projects(10)),
            tables(projects(7)),
            GuardSettings(max_listing_loss=0.3),
            [],
            id="listing-loses-exactly-a-custom-max-listing-loss",
        ),
        pytest.param(
            tables(projects(10)),
            tables(projects(6)),
            GuardSettings(max_listing_loss=0.3),
            [[f"listing {AREA_A} ", "lost 4 of its 10 projects", "30%", "--max-listing-loss"]],
            id="listing-loses-more-than-a-custom-max-listing-loss",
        ),
        pytest.param(
            tables(projects(10)),
            tables(projects(6)),
            GuardSettings(max_listing_loss=0.5),
            [],
            id="a-looser-max-listing-loss",
        ),
        pytest.param(tables(projects(5)), tables(projects(9)), DEFAULTS, [], id="a-listing-grows"),
        pytest.param(
            tables(TWO_LISTINGS),
            tables(projects(5) + projects(3, AREA_B, start=5)),
            DEFAULTS,
            [[f"listing {AREA_B} ", "lost 2 of its 5 projects", "--max-listing-loss"]],
            id="only-the-listing-that-lost-is-named",
        ),
        pytest.param(
            tables(projects(5, listing=None)),
            tables(projects(2, listing=None)),
            DEFAULTS,
            [],
            id="rows-from-no-listing-are-not-a-listing",
        ),
        pytest.param(
            tables(projects(5)),
            tables(projects(5), warnings=(UNKNOWN_PARTNER,)),
            DEFAULTS,
            [["1 line ", "the parser does not know", UNKNOWN_PARTNER["message"]]],
            id="new-unknown-label",
        ),
        pytest.param(
            tables(projects(5)),
            tables(projects(5), warnings=(IGNORED,)),
            DEFAULTS,
            [["1 line ", IGNORED["message"]]],
            id="new-ignored-line",
        ),
        pytest.param(
            tables(projects(5)),
            tables(projects(5), warnings=(OUTSIDE,)),
            DEFAULTS,
            [["1 line ", OUTSIDE["message"]]],
            id="new-label-outside-project",
        ),
        pytest.param(
            tables(projects(5), warnings=(UNKNOWN_PARTNER,)),
            tables(projects(5), warnings=(IGNORED, UNKNOWN_PARTNER)),
            DEFAULTS,
            [["1 line ", IGNORED["message"]]],
            id="only-the-new-word-counts",
        ),
        pytest.param(
            tables(projects(5), warnings=(UNKNOWN_PARTNER, IGNORED)),
            tables(projects(5), warnings=(UNKNOWN_PARTNER, IGNORED)),
            DEFAULTS,
            [],
            id="words-seen-before",
        ),
        pytest.param(
            tables(projects(5)),
            tables(projects(5), warnings=(DOUBT,)),
            DEFAULTS,
            [],
            id="a-new-doubt-is-no-unknown-word",
        ),
        pytest.param(
            tables(projects(10)),
            tables(projects(10), 2),
            DEFAULTS,
            [["17% of the records were rejected", "was 0%", "10%", "--max-reject-share"]],
            id="reject-share-rises-above-max-reject-share",
        ),
        pytest.param(
            tables(projects(10), 1),
            tables(projects(9), 2),
            DEFAULTS,
            [["18% of the records were rejected", "was 9%", "--max-reject-share"]],
            id="reject-share-rises-from-below-to-above",
        ),
        pytest.param(
            tables(projects(9)), tables(projects(9), 1), DEFAULTS, [], id="reject-share-exactly-max-reject-share"
        ),
        pytest.param(
            tables(projects(10), 3), tables(projects(10), 3), DEFAULTS, [], id="reject-share-high-but-not-rising"
        ),
        pytest.param(
            tables(projects(10), 5), tables(projects(10), 3), DEFAULTS, [], id="reject-share-high-and-falling"
        ),
        pytest.param(
            tables(projects(10)),
            tables(projects(10), 2),
            GuardSettings(max_reject_share=0.2),
            [],
            id="a-looser-max-reject-share",
        ),
        pytest.param(
            tables(projects(4)),
            tables(projects(4, direction=None)),
            DEFAULTS,
            [["column direction ", "100%", "--filled-share"]],
            id="a-filled-column-turns-all-null",
        ),
        pytest.param(
            tables(projects(3) + projects(1, start=3, description="About it.")),
            tables(projects(4)),
            DEFAULTS,
            [],
            id="a-mostly-null-column-turns-all-null",
        ),
        pytest.param(
            tables(projects(2) + projects(2, start=2, subdirection=None)),
            tables(projects(4, subdirection=None)),
            DEFAULTS,
            [["column subdirection ", "50%", "--filled-share"]],
            id="filled-exactly-at-filled-share",
        ),
        pytest.param(
            tables(projects(2) + projects(2, start=2, subdirection=None)),
            tables(projects(4, subdirection=None)),
            GuardSettings(filled_share=0.6),
            [],
            id="below-a-custom-filled-share",
        ),
        pytest.param(
            tables(projects(4)),
            tables(projects(3) + projects(1, start=3, direction=None)),
            DEFAULTS,
            [],
            id="a-column-null-in-some-rows-only",
        ),
        pytest.param(
            tables(TWO_LISTINGS),
            tables(projects(5, AREA_B, start=5, direction=None), 2, (IGNORED,)),
            DEFAULTS,
            [
                [f"listing {AREA_A} ", "yields no project"],
                ["1 line ", IGNORED["message"]],
                ["29% of the records were rejected", "--max-reject-share"],
                ["column direction ", "--filled-share"],
            ],
            id="several-at-once",
        ),
    ],
)
def test_objections(previous, new, settings, expected):
    reasons = objections(previous, new, settings)
    assert len(reasons) == len(expected), reasons
    for reason, fragments in zip(reasons, expected, strict=True):
        positions = [reason.find(fragment) for fragment in fragments]
        assert -1 not in positions and positions == sorted(positions), (reason, fragments)


@pytest.mark.parametrize(
    "projects_, rejects, share",
    [
        (0, 0, 0.0),
        (9, 1, 0.1),
        (0, 3, 1.0),
        (3, 0, 0.0),
        (1, 3, 0.75),
    ],
)
def test_reject_share(projects_, rejects, share):
    assert reject_share(tables(projects(projects_), rejects)) == share


PARTNER_ON_A_NEW_PROJECT = warning(
    "unknown-label", "unknown label 'Partner' in 'Project 5' (value 'Acme') kept out of the record"
)
PARTNER_WITH_ANOTHER_VALUE = warning(
    "unknown-label", "unknown label 'Partner' in 'Project 1' (value 'Beta') kept out of the record"
)


@pytest.mark.parametrize(
    "previous, new",
    [
        pytest.param(
            tables(projects(5), warnings=(UNKNOWN_PARTNER,)),
            tables(projects(6), warnings=(UNKNOWN_PARTNER, PARTNER_ON_A_NEW_PROJECT)),
            id="new-project",
        ),
        pytest.param(
            tables(projects(5), warnings=(UNKNOWN_PARTNER,)),
            tables(projects(5), warnings=(PARTNER_WITH_ANOTHER_VALUE,)),
            id="new-value",
        ),
    ],
)
def test_a_label_already_unknown_before_is_no_new_word(previous, new):
    assert objections(previous, new, DEFAULTS) == []


# -- run_build end to end: a renamed label is refused, then forced ---------------------------------------------------


def entry(title: str, stage: str, date_text: str, label: str) -> str:
    return (
        f"{title}\n- Direction:\n- Spatial Development\n- {label}:\n- {stage}\n- Type:\n- Development\n"
        f"- Date:\n- {date_text}\n"
    )


def put_raw(raw: Path, label: str = "Stage") -> None:
    store = RawStore(raw)
    store.put(
        (
            "Area one\nAn introduction.\nOngoing\n"
            + entry("Project A", "Current project", "2011 – until present", label)
            + "2016\n"
            + entry("Project B", "Completed project", "2015-2016", label)
        ).encode(),
        url=AREA_A,
        content_type="text/plain",
        kind="listing",
    )
    store.put(
        ("Area two\nAnother introduction.\n2015\n" + entry("Project C", "Completed project", "2015", "Stage")).encode(),
        url=AREA_B,
        content_type="text/plain",
        kind="listing",
    )


def files(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_a_renamed_label_is_refused_and_published_when_forced(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    put_raw(raw)
    assert run_build(raw, out).outcome == "published"
    published = read_rows(out, PROJECTS)
    assert published is not None and len(published) == 3
    before = files(out)

    put_raw(raw, label="Phase")
    refused = run_build(raw, out)
    after = files(out)
    assert refused.outcome == "refused"
    assert after.keys() == before.keys()
    assert {name for name in before if before[name] != after[name]} == {"runs.parquet"}
    assert read_rows(out, PROJECTS) == published
    run = read_runs(out)[-1]
    assert (run["run_id"], run["outcome"], run["published"], run["forced"]) == (
        refused.run["run_id"],
        "refused",
        False,
        False,
    )
    assert refused.objections and run["reason"] == "; ".join(refused.objections)
    assert f"listing {AREA_A} yields no project" in run["reason"] and "Phase" in run["reason"]
    assert AREA_B not in run["reason"]
    assert pd.read_parquet(out / "runs.parquet")["outcome"].tolist() == ["published", "refused"]

    forced = run_build(raw, out, force=True)
    assert forced.outcome == "published"
    run = read_runs(out)[-1]
    assert (run["run_id"], run["outcome"], run["published"], run["forced"]) == (
        forced.run["run_id"],
        "published",
        True,
        True,
    )
    assert run["reason"] == "; ".join(forced.objections) and "Phase" in run["reason"]
    assert "(forced)" in run_line(run)
    assert read_rows(out, PROJECTS) == forced.output.projects
    assert [row["project_id"] for row in pq.read_table(out / "projects").to_pylist()] == ["title/project-c"]
    assert pd.read_parquet(out / "runs.parquet")["forced"].tolist() == [False, False, True]


def test_a_project_counts_for_every_listing_that_shows_it():
    """A project shown by two areas' listings: its second listing has not lost it."""
    both = [AREA_A, AREA_B]
    before = tables([project(1, listing_urls=both), project(2, listing=AREA_B)])
    moved_first = tables([project(1, listing=AREA_B, listing_urls=both), project(2, listing=AREA_B)])
    assert objections(before, moved_first, DEFAULTS) == []
    dropped = tables([project(1), project(2, listing=AREA_B)])
    assert any(AREA_B in reason and "lost 1" in reason for reason in objections(before, dropped, DEFAULTS))
