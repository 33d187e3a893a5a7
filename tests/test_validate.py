from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rows import project_row
from test_publish import publish_rows

from pipeline.normalise import Candidate
from pipeline.schema import PROJECTS, SCHEMA_VERSION
from pipeline.validate import check, row_errors, row_warnings, validate_directory

GOOD = project_row(project_id="2015/x", title="X", listing_url=None, listing_urls=[], source_sha256="abc")


def row(**changes):
    return {**GOOD, **changes}


def test_a_good_row_has_no_errors_or_warnings():
    assert row_errors(GOOD) == [] and row_warnings(GOOD) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"title": None}, "title is required"),
        ({"title": ""}, "title is required"),
        ({"stage": None, "status": None}, "stage is required"),
        ({"language": "de"}, "language 'de' is not one of en, ru"),
        ({"start_precision": "week"}, "start_precision 'week' is not one of day, month, quarter, half, year"),
        ({"start_date": date(2016, 1, 1)}, "start_date 2016-01-01 is after end_date 2015-12-31"),
        ({"open_ended": True}, "open_ended but end_date is 2015-12-31"),
        ({"end_precision": None}, "end_precision and end_date must be both set or both null"),
        ({"status": "ongoing"}, "status 'ongoing' does not match stage 'Completed project' (expected 'completed')"),
        (
            {"stage": "Planned project", "status": None},
            "stage 'Planned project' is not a known stage, so no status can be derived",
        ),
    ],
)
def test_rule_violations_are_named(changes, expected):
    assert expected in row_errors(row(**changes))


@pytest.mark.parametrize(
    "changes, code",
    [
        ({"stage": "Current project", "status": "ongoing"}, "stage-vs-date"),
        ({"open_ended": True, "end_date": None, "end_precision": None}, "stage-vs-date"),
        ({"listing_section": "Ongoing"}, "section-vs-stage"),
        ({"listing_section": "2016"}, "section-vs-date"),
        ({"project_type": "Consulting"}, "unknown-type"),
    ],
)
def test_cross_field_doubts_are_warnings(changes, code):
    candidate = row(**changes)
    assert row_errors(candidate) == []
    assert code in [c for c, _ in row_warnings(candidate)]


def test_check_rejects_bad_rows_and_duplicates_with_their_source():
    candidates = [
        Candidate(row(), "http://a", 3, "raw a"),
        Candidate(row(title=None), "http://b", 5, "raw b"),
        Candidate(row(title="Again"), "http://c", 7, "raw c"),
    ]
    checked = check(candidates)
    assert [r["title"] for r in checked.rows] == ["X"]
    assert [(r["page_url"], r["line"], r["raw_text"], r["step"]) for r in checked.rejects] == [
        ("http://b", 5, "raw b", "validate"),
        ("http://c", 7, "raw c", "validate"),
    ]
    assert checked.rejects[0]["reason"] == "title is required"
    assert checked.rejects[1]["reason"].startswith("duplicate (project_id, language) ('2015/x', 'en')")


def test_a_published_folder_validates(tmp_path):
    publish_rows(tmp_path / "out", "20261128T000000.000000Z", projects=[GOOD])
    assert validate_directory(tmp_path / "out") == []


def test_validate_directory_reports_every_problem_with_its_row(tmp_path):
    out = tmp_path / "out"
    publish_rows(out, "20261128T000000.000000Z", projects=[GOOD])
    rows = [GOOD, row(status="ongoing"), row(project_id="2015/y", start_date=date(2016, 1, 1))]
    table = pa.Table.from_pylist(rows, schema=PROJECTS.arrow_schema({"schema_version": SCHEMA_VERSION}))
    pq.write_table(table, out / "projects" / "part-0.parquet")
    problems = validate_directory(out)
    assert any("row 1 ('2015/x', 'en'): status 'ongoing' does not match" in p for p in problems)
    assert any("row 1 ('2015/x', 'en'): duplicate (project_id, language)" in p for p in problems)
    assert any("row 2 ('2015/y', 'en'): start_date 2016-01-01 is after end_date" in p for p in problems)
    assert len(problems) == 3


def test_validate_directory_catches_schema_drift_and_missing_data(tmp_path):
    out = tmp_path / "out"
    publish_rows(out, "20261128T000000.000000Z", projects=[GOOD])
    pq.write_table(pa.table({"project_id": ["x"]}), out / "projects" / "part-0.parquet")
    (out / "warnings" / "part-0.parquet").unlink()
    problems = validate_directory(out)
    assert any("projects: columns ['project_id'] differ" in p for p in problems)
    assert any("warnings: dataset missing" in p for p in problems)
    assert validate_directory(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: not a directory"]


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"date_text": None, "start_date": None, "end_date": None, "start_precision": None, "end_precision": None},
            "no Date is given: date filters will not find this project",
        ),
        (
            {
                "date_text": None,
                "start_date": None,
                "end_date": None,
                "start_precision": None,
                "end_precision": None,
                "project_type": None,
            },
            "no Date and no Type is given: date filters will not find this project",
        ),
    ],
)
def test_a_row_without_a_date_is_warned_about_as_incomplete(changes, message):
    assert ("incomplete", message) in row_warnings(row(**changes))
    assert not any(code == "incomplete" for code, _ in row_warnings(GOOD))
