"""Golden files: what the pipeline makes of each capture of the embedded snapshot, and of the whole snapshot.

`tests/golden/<short-name>.json` holds, for one capture of `raw/manifest.json`,
`{"url", "projects", "rejects", "warnings", "places"}` from `process_pages([load_page(...)])`
for that page alone; `tests/golden/snapshot.json` holds the whole build
(`build_tables(read_captures(RawStore(raw/)))`). Rows are written as
`pipeline.publish.json_lines` writes them (schema column order, ISO dates).

The committed goldens were checked by hand against the capture text. After a
deliberate change to the pipeline, regenerate them with

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden.py

(the tests that rewrite a file are skipped, so a regeneration run is never
green by accident), then READ the diff of tests/golden/ before committing it:
every changed value must be checked against the capture again.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from pipeline.build import BuildOutput, build_tables, page_of, process_pages, read_captures
from pipeline.publish import json_lines
from pipeline.rawstore import RawStore
from pipeline.schema import PLACES, PROJECTS, REJECTS, WARNINGS

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

SITE = "http://csr-nw.ru"
LISTING_URL = SITE + "/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
SHORT_NAMES = {
    LISTING_URL: "listing-clusters",
    SITE
    + "/en/projects/2007/program_for_socio-economic_development_of_nikel_urban_type_settlement_murmansk_oblast/": "nikel",
    SITE + "/en/projects/2010/finalization_of_the_strategy_for_socio-economic_development_of_vologda_oblast_until_2020_"
    "and_socio-economic_development_of_the_v/": "vologda",
    SITE + "/en/projects/2012/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg/": "shipbuilding",
    SITE
    + "/en/projects/2013/the-concept-of-social-and-economic-development-of-the-leningrad-region-until-2025/": "leningrad",
    SITE + "/en/projects/2015/technological-audit-innovative-territorial-cluster-of-air-and-shipbuilding-of-the-"
    "khabarovsk-region-participants/": "khabarovsk",
    SITE + "/en/projects/2018/zheleznogorsk-innovation-technology-cluster/": "zheleznogorsk",
}


def tables_json(output: BuildOutput) -> dict[str, list[dict[str, object]]]:
    return {
        "projects": [json.loads(line) for line in json_lines(output.projects, PROJECTS)],
        "rejects": [json.loads(line) for line in json_lines(output.rejects, REJECTS)],
        "warnings": [json.loads(line) for line in json_lines(output.warnings, WARNINGS)],
        "places": [json.loads(line) for line in json_lines(output.places, PLACES)],
    }


def page_document(url: str) -> dict[str, object]:
    store = RawStore(RAW)
    capture = store.get(url)
    assert capture is not None, url
    return {"url": url, **tables_json(process_pages([page_of(capture, store.read(capture))]))}


def snapshot_document() -> dict[str, object]:
    output = build_tables(read_captures(RawStore(RAW)))
    return {"summary": output.summary(), **tables_json(output)}


def dump(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def changed_fields(expected: dict[str, object], actual: dict[str, object]) -> list[str]:
    """One line per table row that differs: `projects[3] 'Title': end_date, status`."""
    lines = []
    for table in ("projects", "rejects", "warnings", "places"):
        old, new = expected.get(table, []), actual.get(table, [])
        if len(old) != len(new):
            lines.append(f"{table}: {len(old)} rows in the golden file, {len(new)} now")
        for index, (before, after) in enumerate(zip(old, new, strict=False)):
            names = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
            if names:
                label = after.get("title") or after.get("code") or after.get("place") or ""
                lines.append(f"{table}[{index}] {label!r}: {', '.join(names)}")
    return lines


def check_golden(name: str, actual: dict[str, object]) -> None:
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(dump(actual), encoding="utf-8")
        pytest.skip(f"UPDATE_GOLDEN=1: rewrote {path.relative_to(ROOT)}; read its diff before committing")
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 pytest {Path(__file__).name} and check it by hand"
    expected_text = path.read_text(encoding="utf-8")
    actual_text = dump(actual)
    expected = json.loads(expected_text)
    if expected != actual:
        summary = "\n".join(changed_fields(expected, actual))
        diff = "".join(
            difflib.unified_diff(
                expected_text.splitlines(keepends=True),
                actual_text.splitlines(keepends=True),
                fromfile=f"golden/{name}.json",
                tofile="actual",
                n=2,
            )
        )
        pytest.fail(
            f"output differs from the golden file {path.relative_to(ROOT)}:\n{summary}\n\n{diff}", pytrace=False
        )


def test_every_capture_of_the_snapshot_has_a_golden_name():
    assert sorted(capture.url for capture in RawStore(RAW).captures()) == sorted(SHORT_NAMES)


@pytest.mark.parametrize("url", sorted(SHORT_NAMES, key=SHORT_NAMES.get), ids=lambda url: SHORT_NAMES[url])
def test_page_matches_its_golden(url):
    check_golden(SHORT_NAMES[url], page_document(url))


def test_snapshot_matches_its_golden():
    check_golden("snapshot", snapshot_document())


# Hand-written checks of the snapshot, independent of the golden files, so that a
# careless regeneration cannot bless a wrong value.


@pytest.fixture(scope="module")
def snapshot():
    return snapshot_document()


def by_title(document, title):
    [row] = [row for row in document["projects"] if row["title"] == title]
    return row


def test_snapshot_counts(snapshot):
    assert snapshot["summary"] == {
        "pages": 7,
        "projects": 20,
        "rejects": 0,
        "warnings": 4,
        "places": 21,
        "unresolved_places": 1,
    }
    rows = snapshot["projects"]
    assert sum(row["listing_url"] == LISTING_URL for row in rows) == 17
    assert [row["title"] for row in rows if "," in row["source_sha256"]] == [
        "Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)",
        "Technological audit innovative territorial cluster of air "
        "and shipbuilding of the Khabarovsk Region participants",
        "Draft concept of development of shipbuilding cluster in St. Petersburg",
    ]
    assert [row["title"] for row in rows if row["listing_url"] is None] == [
        "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
        "Finalization of the Strategy for Socio-Economic Development of Vologda Oblast until 2020 and "
        "Socio-Economic Development of the Vologda region until 2012",
        "The concept of social and economic development of Leningrad Oblast until 2025",
    ]
    assert [(w["code"], w["project_id"]) for w in snapshot["warnings"]] == [
        ("incomplete-capture", "2018/zheleznogorsk-innovation-technology-cluster"),
        (
            "stage-vs-date",
            "title/elaboration-of-the-program-to-support-development-the-medical-pharmaceutical-and-"
            "radiation-technolog-d720d1aa",
        ),
        # the Leningrad concept gives no Date and no Type: said, so date filters do not drop it silently
        ("incomplete", "2013/the-concept-of-social-and-economic-development-of-the-leningrad-region-until-2025"),
        # the listing names Zheleznogorsk alone, and both Zheleznogorsks are in Russia: not guessed
        (
            "unresolved-place",
            "title/development-of-the-program-for-the-cluster-of-innovative-technologies-in-the-city-of-zheleznogorsk",
        ),
    ]


@pytest.mark.parametrize(
    "title, date_text, start, end, precisions, open_ended",
    [
        (
            "Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)",
            "2011 – until present",
            "2011-01-01",
            None,
            ("year", None),
            True,
        ),
        (
            "Elaboration of the Program to Support Development the "
            "Medical, Pharmaceutical and Radiation Technology Cluster "
            "in the Leningrad region",
            "December 2013–March 2014",
            "2013-12-01",
            "2014-03-31",
            ("month", "month"),
            False,
        ),
        (
            "Consulting support to development of the radiation technology sector of the Medical, Pharmaceutical and "
            "Radiation Technology Cluster of St. Petersburg and Leningrad region in 2013",
            "November-December 2013",
            "2013-11-01",
            "2013-12-31",
            ("month", "month"),
            False,
        ),
        (
            "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
            "September – December 2007",
            "2007-09-01",
            "2007-12-31",
            ("month", "month"),
            False,
        ),
        (
            "Finalization of the Strategy for Socio-Economic Development "
            "of Vologda Oblast until 2020 and Socio-Economic "
            "Development of the Vologda region until 2012",
            "February-March 2010",
            "2010-02-01",
            "2010-03-31",
            ("month", "month"),
            False,
        ),
        (
            "Development of innovative cluster in Dimitrovgrad city",
            "2015-2016",
            "2015-01-01",
            "2016-12-31",
            ("year", "year"),
            False,
        ),
        (
            "Draft concept of development of shipbuilding cluster in St. Petersburg",
            "2011-2012",
            "2011-01-01",
            "2012-12-31",
            ("year", "year"),
            False,
        ),
        (
            "Elaboration of the Program to Support Development of "
            "Nuclear Innovation Cluster in the town of Dimitrovgrad "
            "for 2013-2020",
            "2013",
            "2013-01-01",
            "2013-12-31",
            ("year", "year"),
            False,
        ),
        (
            "The concept of social and economic development of Leningrad Oblast until 2025",
            None,
            None,
            None,
            (None, None),
            False,
        ),
    ],
)
def test_snapshot_dates(snapshot, title, date_text, start, end, precisions, open_ended):
    row = by_title(snapshot, title)
    assert (row["date_text"], row["start_date"], row["end_date"]) == (date_text, start, end)
    assert (row["start_precision"], row["end_precision"], row["open_ended"]) == (*precisions, open_ended)


@pytest.mark.parametrize(
    "title, expected",
    [
        # merged: listing values, the detail page's URL (hence its id) and description
        (
            "Draft concept of development of shipbuilding cluster in St. Petersburg",
            {
                "project_id": "2012/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg",
                "listing_section": "2012",
                "stage": "Completed project",
                "status": "completed",
                "project_type": "Development",
                "subdirection": "Clusters & Cluster Policy",
            },
        ),
        # detail page only, without Direction and Subdirection
        (
            "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
            {
                "project_id": "2007/program_for_socio-economic_development_of_nikel_urban_type_settlement_murmansk_oblast",
                "direction": None,
                "subdirection": None,
                "stage": "Completed project",
                "project_type": "Development Projects",
                "listing_section": None,
                "listing_url": None,
            },
        ),
        # listing only: no detail page, so the id comes from the title
        (
            "Recommendations to the managing company of the cluster",
            {
                "project_id": "title/recommendations-to-the-managing-company-of-the-cluster",
                "detail_url": None,
                "description": None,
                "project_type": "Research",
                "listing_section": "2013",
            },
        ),
        # the Type the listing writes with a capital P, kept as published
        (
            "Consulting support to development of the Nuclear Innovation Cluster of Dimitrovgrad in 2013",
            {"project_type": "Development Projects", "date_text": "2013", "listing_section": "2013"},
        ),
    ],
)
def test_snapshot_rows(snapshot, title, expected):
    row = by_title(snapshot, title)
    assert {name: row[name] for name in expected} == expected


def test_snapshot_descriptions_start_and_end_where_the_captures_do(snapshot):
    nikel = by_title(
        snapshot, "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)"
    )
    assert nikel["description"].startswith("Developer: CSR «North-West»\nOriginator: Kola Mining")
    assert "\nStage 1. Research stage\n" in nikel["description"]
    assert nikel["description"].endswith(
        "\n- Program for Socio-economic Development of Nikel urban settlement (Pechenga Region, Murmansk Oblast)."
    )
    cut = by_title(snapshot, "Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)")
    assert cut["description"].endswith("in the list of pilot projects to receive subsides from fe")
    assert cut["description"].count("\n") == 6
