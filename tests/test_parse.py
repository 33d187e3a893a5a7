import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import page_of, process_pages
from pipeline.pages import Line, Page, PageError, load_page
from pipeline.parse import assign_metadata, detail_facts, parse_page, value_kind
from pipeline.rawstore import RawStore, sha256_hex
from pipeline.site import DETAIL, LISTING, OTHER

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(__file__).resolve().parent / "fixtures" / "html"
LISTING_URL = "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
RU_LISTING_URL = "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
NEWS_URL = "http://csr-nw.ru/en/news/1187/"


def run(text: str, url: str | None = LISTING_URL, *, complete: bool = True, kind: str | None = None):
    """A text page through parse, normalise and validate."""
    body = text.encode("utf-8")
    page = load_page(body, "text/plain", url, source_sha256=sha256_hex(body), complete=complete, kind=kind)
    return process_pages([page])


def codes(output):
    return [warning["code"] for warning in output.warnings]


# --- detail pages: value_kind and assign_metadata --------------------------


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("Completed project", "en", "stage"),
        ("Current project", "en", "stage"),
        ("Текущий проект", "ru", "stage"),
        ("Завершённый проект", "ru", "stage"),
        ("Development Projects", "en", "type"),
        ("Group of projects", "en", "type"),
        ("группа проектов", "ru", "type"),
        ("Clusters & Cluster Policy", "en", "subdirection"),
        ("Regional Development Strategies", "en", "subdirection"),
        ("Кластеры и кластерная политика", "ru", "subdirection"),
        ("2015", "en", "date"),
        ("September – December 2007", "en", "date"),
        ("2011 – по настоящее время", "ru", "date"),
        ("Spring-ish 2013", "en", "date-like"),  # holds a year but will not parse: a date only after the stage
        ("Spatial Development", "en", "direction"),
        ("Пространственное развитие", "ru", "direction"),
        ("Urban Economy", "en", "text"),
        ("Feasibility study", "en", "text"),
    ],
)
def test_value_kind(text, language, expected):
    assert value_kind(text, language) == expected


D, S, C, T, Y = "Spatial Development", "Clusters & Cluster Policy", "Completed project", "Development Projects", "2013"


@pytest.mark.parametrize(
    "values, language, expected, used",
    [
        pytest.param(
            [D, "Regional Development Strategies", C, T, "February-March 2010"],
            "en",
            {
                "direction": D,
                "subdirection": "Regional Development Strategies",
                "stage": C,
                "project_type": T,
                "date_text": "February-March 2010",
            },
            5,
            id="all-five-vologda",
        ),
        pytest.param(
            [C, T, "September – December 2007"],
            "en",
            {"stage": C, "project_type": T, "date_text": "September – December 2007"},
            3,
            id="stage-type-date-nikel",
        ),
        pytest.param(
            [D, S, C], "en", {"direction": D, "subdirection": S, "stage": C}, 3, id="direction-subdirection-stage"
        ),
        pytest.param([S], "en", {"subdirection": S}, 1, id="lone-known-subdirection"),
        pytest.param([D], "en", {"direction": D}, 1, id="lone-unknown-value-is-the-direction"),
        pytest.param(
            [D, S, C, "Feasibility study", "2015"],
            "en",
            {"direction": D, "subdirection": S, "stage": C, "project_type": "Feasibility study", "date_text": "2015"},
            5,
            id="unknown-type-after-the-stage",
        ),
        pytest.param(
            [D, "Urban Economy", C],
            "en",
            {"direction": D, "subdirection": "Urban Economy", "stage": C},
            3,
            id="unknown-subdirection-after-direction",
        ),
        pytest.param([C, Y], "en", {"stage": C, "date_text": Y}, 2, id="stage-date"),
        pytest.param(
            [
                "Пространственное развитие",
                "Кластеры и кластерная политика",
                "Текущий проект",
                "Группа проектов",
                "2011 – по настоящее время",
            ],
            "ru",
            {
                "direction": "Пространственное развитие",
                "subdirection": "Кластеры и кластерная политика",
                "stage": "Текущий проект",
                "project_type": "Группа проектов",
                "date_text": "2011 – по настоящее время",
            },
            5,
            id="russian-five",
        ),
        # values recognised by what they are, in any order (issue 10, case 8)
        pytest.param(
            [C, Y, "Development"],
            "en",
            {"stage": C, "date_text": Y, "project_type": "Development"},
            3,
            id="type-after-date",
        ),
        pytest.param([Y, C], "en", {"date_text": Y, "stage": C}, 2, id="stage-after-date"),
        pytest.param(
            [C, D, S, T, Y],
            "en",
            {"stage": C, "direction": D, "subdirection": S, "project_type": T, "date_text": Y},
            5,
            id="stage-before-direction",
        ),
        pytest.param(
            [D, S, Y, C, T],
            "en",
            {"direction": D, "subdirection": S, "date_text": Y, "stage": C, "project_type": T},
            5,
            id="date-before-stage-and-type",
        ),
        # a value whose slot is taken, or free text after the values, ends the block
        pytest.param([C, "Current project"], "en", {"stage": C}, 1, id="second-stage-ends-block"),
        pytest.param(
            [C, T, Y, "A short line"],
            "en",
            {"stage": C, "project_type": T, "date_text": Y},
            3,
            id="text-after-date-ends-block",
        ),
        # page chrome between the title and the values is passed over (issue 10, case 2)
        pytest.param(["Print version", D, S, C], "en", {"direction": D, "subdirection": S, "stage": C}, 4, id="print"),
        pytest.param(
            ["Home → Projects → 2007", "Share", "Facebook Twitter", C, T, Y],
            "en",
            {"stage": C, "project_type": T, "date_text": Y},
            6,
            id="breadcrumbs-and-share-buttons",
        ),
        pytest.param(
            ["Главная / Проекты / 2007", "Версия для печати", "Пространственное развитие", "Текущий проект"],
            "ru",
            {"direction": "Пространственное развитие", "stage": "Текущий проект"},
            4,
            id="russian-chrome",
        ),
        pytest.param(
            ["Subscribe to our newsletter", "Urban Economy", S, C],
            "en",
            {"direction": "Urban Economy", "subdirection": S, "stage": C},
            4,
            id="unknown-furniture-before-the-values-is-ignored",
        ),
        pytest.param(
            ["Published: 12.03.2014", "Print", C, Y],
            "en",
            {"stage": C, "date_text": Y},
            4,
            id="unknown-label-before-the-values-is-ignored",
        ),
        pytest.param([C, Y, "Project aim:"], "en", {"stage": C, "date_text": Y}, 2, id="label-after-values-ends-block"),
        pytest.param([], "en", {}, 0, id="no-values"),
    ],
)
def test_assign_metadata(values, language, expected, used):
    metadata = assign_metadata(values, language)
    assert (metadata.fields, metadata.used) == (expected, used)


NIKEL_URL = "http://csr-nw.ru/en/projects/2007/program_for_socio-economic_development_of_nikel_urban_type_settlement_murmansk_oblast/"


def test_a_detail_page_block_then_description():
    text = (
        "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)\n\n"
        "Completed project\nDevelopment Projects\nSeptember – December 2007\n\n"
        "Developer: CSR «North-West»\n\nStage 1. Research stage\n\n  • Labor market;\n  • Social sphere.\n"
    )
    body = text.encode()
    [record] = parse_page(load_page(body, "text/plain", NIKEL_URL)).records
    assert (record.page_kind, record.title, record.line_no, record.link) == (
        DETAIL,
        "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
        1,
        NIKEL_URL,
    )
    assert record.fields == {
        "stage": "Completed project",
        "project_type": "Development Projects",
        "date_text": "September – December 2007",
    }
    assert (
        record.description == "Developer: CSR «North-West»\nStage 1. Research stage\n- Labor market;\n- Social sphere."
    )
    assert record.raw_lines == [
        "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
        "Completed project",
        "Development Projects",
        "September – December 2007",
    ]


RU_DETAIL_URL = "http://csr-nw.ru/projects/2015/development-of-innovative-cluster-in-the-city-of-sarov/"
RU_DETAIL = (
    "Развитие инновационного кластера в г. Сарове\n\nПространственное развитие\n"
    "Кластеры и кластерная политика\nЗавершенный проект\nРазработка\n{date}\n\n"
    "Заказчик: Администрация г. Сарова\n"
)


@pytest.mark.parametrize(
    "date_text",
    [
        "2015",
        "2011 – по настоящее время",
        "декабрь 2013 – март 2014",
        "2015 г.",
        "2011-2012 гг.",
        "с 2012 г.",  # a final period ends a date, not a sentence
    ],
)
def test_a_russian_detail_page(date_text):
    [record] = parse_page(load_page(RU_DETAIL.format(date=date_text).encode(), "text/plain", RU_DETAIL_URL)).records
    assert record.language == "ru"
    assert record.fields == {
        "direction": "Пространственное развитие",
        "subdirection": "Кластеры и кластерная политика",
        "stage": "Завершенный проект",
        "project_type": "Разработка",
        "date_text": date_text,
    }
    assert record.description == "Заказчик: Администрация г. Сарова"


def test_a_detail_page_whose_block_stops_early_keeps_the_rest_in_the_description():
    text = "Title\n\nCompleted project\n2013\nCompleted project\n\nProse."
    [record] = parse_page(load_page(text.encode(), "text/plain", NIKEL_URL)).records
    assert record.fields == {"stage": "Completed project", "date_text": "2013"}
    assert record.description == "Completed project\nProse."


# --- listing pages ----------------------------------------------------------

SMALL_LISTING = """Clusters & Cluster Policy
Intro prose about clusters, skipped.
Ongoing
Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)
- Direction:
- Spatial Development
- Subdirection:
- Clusters & Cluster Policy
- Stage:
- Current project
- Type:
- Group of projects
- Date:
- 2011 – until present
2013
Elaboration of the Program to Support Development of Nuclear Innovation Cluster in the town of Dimitrovgrad for 2013-2020
- Direction:
- Spatial Development
- Stage:
- Completed project
- Date:
- November-December 2013
"""


def test_listing_records():
    page = load_page(SMALL_LISTING.encode(), "text/plain", LISTING_URL)
    result = parse_page(page)
    assert result.warnings == []
    assert [(r.title, r.listing_section, r.line_no, r.page_kind, r.language) for r in result.records] == [
        ("Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)", "Ongoing", 4, LISTING, "en"),
        (
            "Elaboration of the Program to Support Development of "
            "Nuclear Innovation Cluster in the town of Dimitrovgrad "
            "for 2013-2020",
            "2013",
            16,
            LISTING,
            "en",
        ),
    ]
    assert result.records[0].fields == {
        "direction": "Spatial Development",
        "subdirection": "Clusters & Cluster Policy",
        "stage": "Current project",
        "project_type": "Group of projects",
        "date_text": "2011 – until present",
    }
    assert result.records[1].fields == {
        "direction": "Spatial Development",
        "stage": "Completed project",
        "date_text": "November-December 2013",
    }
    assert result.records[1].raw_lines == [
        "Elaboration of the Program to Support Development of Nuclear Innovation Cluster in the town of Dimitrovgrad "
        "for 2013-2020",
        "Direction:",
        "Spatial Development",
        "Stage:",
        "Completed project",
        "Date:",
        "November-December 2013",
    ]


def test_listing_rows():
    output = run(SMALL_LISTING)
    assert output.rejects == [] and output.warnings == []
    first, second = output.projects
    assert (first["status"], first["open_ended"], str(first["start_date"]), first["end_date"]) == (
        "ongoing",
        True,
        "2011-01-01",
        None,
    )
    assert (second["project_id"], second["subdirection"], second["project_type"]) == (
        "title/elaboration-of-the-program-to-support-development-of-nuclear-innovation-cluster-in-the-town-of-dimit-d562249e",
        None,
        None,
    )
    assert (str(second["start_date"]), str(second["end_date"]), second["start_precision"], second["end_precision"]) == (
        "2013-11-01",
        "2013-12-31",
        "month",
        "month",
    )


RUSSIAN_LISTING = """Кластеры и кластерная политика
Кластерная политика – один из эффективных инструментов развития территорий.
Текущие проекты
Инновационный технологический кластер в Железногорске (Красноярский край)
- Направление:
- Пространственное развитие
- Поднаправление:
- Кластеры и кластерная политика
- Стадия:
- Текущий проект
- Тип:
- Группа проектов
- Дата:
- 2011 – по настоящее время
2016 г.
Развитие инновационного кластера в г. Димитровграде
- Направление:
- Пространственное развитие
- Стадия:
- Завершённый проект
- Тип:
- Разработка
- Дата:
- 2015-2016 гг.
2014
Разработка программы развития кластера медицинской, фармацевтической промышленности и радиационных технологий Ленинградской области
- Стадия:
- Текущий проект
- Дата:
- декабрь 2013 – март 2014
"""


@pytest.mark.parametrize("url", [RU_LISTING_URL, None])
def test_russian_listing(url):
    output = run(RUSSIAN_LISTING, url)
    assert output.rejects == []
    rows = [
        {key: str(value) if value is not None and key.endswith("_date") else value for key, value in row.items()}
        for row in output.projects
    ]
    assert [(r["language"], r["listing_section"], r["stage"], r["status"]) for r in rows] == [
        ("ru", "Ongoing", "Текущий проект", "ongoing"),
        ("ru", "2016", "Завершённый проект", "completed"),
        ("ru", "2014", "Текущий проект", "ongoing"),
    ]
    assert [
        (r["date_text"], r["start_date"], r["end_date"], r["start_precision"], r["end_precision"], r["open_ended"])
        for r in rows
    ] == [
        ("2011 – по настоящее время", "2011-01-01", None, "year", None, True),
        ("2015-2016 гг.", "2015-01-01", "2016-12-31", "year", "year", False),
        ("декабрь 2013 – март 2014", "2013-12-01", "2014-03-31", "month", "month", False),
    ]
    assert (rows[0]["direction"], rows[0]["subdirection"], rows[0]["project_type"]) == (
        "Пространственное развитие",
        "Кластеры и кластерная политика",
        "Группа проектов",
    )
    assert rows[1]["title"] == "Развитие инновационного кластера в г. Димитровграде"
    assert rows[1]["project_id"] == "title/развитие-инновационного-кластера-в-г-димитровграде"
    assert codes(output) == ["stage-vs-date"]


# --- bad pages: clear notes and rejects, never a crash or a silent loss -----

LISTING_CAPTURE = RawStore(ROOT / "raw").get(LISTING_URL)
FULL_LISTING = (ROOT / "raw" / LISTING_CAPTURE.path).read_text(encoding="utf-8")
LAST_TITLE = "Scientific and methodological feasibility study for the creation of innovative clusters in the Republic of Kazakhstan"


def truncated_listing(after: str) -> str:
    """The real listing cut right after `after`, inside its last project."""
    start = FULL_LISTING.index(LAST_TITLE)
    return FULL_LISTING[: FULL_LISTING.index(after, start) + len(after)]


def test_an_empty_detail_page_gives_a_warning():
    page = Page(NIKEL_URL, DETAIL, "en", (Line(""), Line("")))
    output = process_pages([page])
    assert output.projects == [] and output.rejects == []
    assert [(w["code"], w["message"]) for w in output.warnings] == [("empty-page", "detail page has no text")]


def test_a_listing_without_projects_gives_a_warning():
    output = run("Clusters & Cluster Policy\nIntro prose.\n2015\n")
    assert output.projects == [] and output.rejects == []
    assert [(w["code"], w["message"]) for w in output.warnings] == [("no-projects", "listing page has no projects")]


@pytest.mark.parametrize(
    "cut_after, missing_value_note",
    [
        ("- Stage:", True),  # cut after a label: its value is missing
        ("- Clus", False),  # cut inside a value
    ],
)
def test_a_listing_cut_short_mid_project(cut_after, missing_value_note):
    output = run(truncated_listing(cut_after), complete=False)
    assert len(output.projects) == 16 and LAST_TITLE not in [row["title"] for row in output.projects]
    [reject] = output.rejects
    assert (reject["title"], reject["step"], reject["line"]) == (LAST_TITLE, "validate", 187)
    assert reject["reason"].startswith("stage is required; status is required")
    assert reject["raw_text"].startswith(LAST_TITLE)
    notes = [w for w in output.warnings if w["code"] == "missing-value"]
    assert [w["message"] for w in notes] == ([f"'Stage:' of {LAST_TITLE!r} has no value"] if missing_value_note else [])


def test_a_listing_cut_right_after_a_title_reports_the_title_as_a_stray_line():
    # With no label after it, a title cannot be told from prose: it is reported, not lost.
    output = run(truncated_listing(LAST_TITLE), complete=False)
    assert len(output.projects) == 16 and output.rejects == []
    assert [(w["code"], w["message"], w["line"]) for w in output.warnings if w["code"] == "ignored-line"] == [
        (
            "ignored-line",
            "line after project 'Concept of the technology park within the innovation cluster of the "
            f"Khabarovsk Krai' ignored: {LAST_TITLE!r}",
            187,
        )
    ]


def test_a_reject_from_a_cut_short_listing_says_so():
    [reject] = run(truncated_listing("- Stage:"), complete=False).rejects
    assert reject["reason"].endswith("(the capture is cut short)")


ORDERED = """2015
Development of innovative cluster in the City of Sarov
- Direction:
- Spatial Development
- Subdirection:
- Clusters & Cluster Policy
- Stage:
- Completed project
- Type:
- Development
- Date:
- 2015
"""
SHUFFLED = """2015
Development of innovative cluster in the City of Sarov
- Date:
- 2015
- Type:
- Development
- Stage:
- Completed project
- Direction:
- Spatial Development
- Subdirection:
- Clusters & Cluster Policy
"""
INLINE_SHUFFLED = """2015
Development of innovative cluster in the City of Sarov
Stage: Completed project
Subdirection: Clusters & Cluster Policy
Date: 2015
Direction: Spatial Development
Type: Development
"""


@pytest.mark.parametrize("text", [SHUFFLED, INLINE_SHUFFLED])
def test_labels_in_an_unexpected_order_give_the_same_row(text):
    expected, actual = run(ORDERED), run(text)
    assert actual.rejects == [] and actual.warnings == []
    assert [{k: v for k, v in row.items() if k != "source_sha256"} for row in actual.projects] == [
        {k: v for k, v in row.items() if k != "source_sha256"} for row in expected.projects
    ]
    assert actual.projects[0]["stage"] == "Completed project" and str(actual.projects[0]["end_date"]) == "2015-12-31"


@pytest.mark.parametrize(
    "text, line",
    [
        pytest.param(
            ORDERED.replace("- Type:", "- Customer:\n- Far East Consulting Company\n- Type:"),
            9,
            id="label-and-value-on-two-lines",
        ),
        pytest.param(ORDERED + "Customer: Far East Consulting Company\n", 13, id="inline-as-the-last-line"),
        pytest.param(ORDERED + "Customer: Far East Consulting Company\n2014\n", 13, id="inline-before-a-heading"),
    ],
)
def test_an_unknown_label_is_warned_about_with_its_value(text, line):
    output = run(text)
    [row] = output.projects
    assert (row["title"], row["stage"], row["project_type"], row["date_text"]) == (
        "Development of innovative cluster in the City of Sarov",
        "Completed project",
        "Development",
        "2015",
    )
    assert output.rejects == []
    assert [(w["code"], w["message"], w["line"]) for w in output.warnings] == [
        (
            "unknown-label",
            "unknown label 'Customer' in 'Development of innovative cluster in the City of Sarov' "
            "(value 'Far East Consulting Company') kept out of the record",
            line,
        )
    ]


def test_an_inline_unknown_label_between_known_labels():
    output = run(ORDERED.replace("- Type:", "Customer: Far East Consulting Company\n- Type:"))
    assert [row["title"] for row in output.projects] == ["Development of innovative cluster in the City of Sarov"]
    assert codes(output) == ["unknown-label"]


@pytest.mark.parametrize(
    "date_text, reason",
    [
        ("Spring-ish 20l3", "date: not a date expression: 'Spring-ish 20l3' (unknown word 'Spring')"),
        ("2013–Ma", "date: unknown month 'Ma' in '2013–Ma'"),
    ],
)
def test_a_garbage_date_is_rejected_at_normalise(date_text, reason):
    output = run(ORDERED.replace("- 2015\n", f"- {date_text}\n") + ORDERED.replace("City of Sarov", "Town of Sarov"))
    assert [row["title"] for row in output.projects] == ["Development of innovative cluster in the Town of Sarov"]
    [reject] = output.rejects
    assert (reject["step"], reject["reason"], reject["title"], reject["line"], reject["page_url"]) == (
        "normalise",
        reason,
        "Development of innovative cluster in the City of Sarov",
        2,
        LISTING_URL,
    )
    assert reject["raw_text"].endswith(f"Date:\n{date_text}")


def test_a_garbage_date_on_a_cut_short_page_says_so():
    [reject] = run(ORDERED.replace("- 2015\n", "- Spring-ish 20l3\n"), complete=False).rejects
    assert reject["reason"] == (
        "date: not a date expression: 'Spring-ish 20l3' (unknown word 'Spring') (the capture is cut short)"
    )


NEWS = """News
The Foundation took part in the forum "Russia – a country of opportunities"
12 March 2015
On 12 March experts of the Center presented the results of the audit of territorial clusters.
"""


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/plain", NEWS.encode()),
        (
            "text/html",
            (
                b"<html><body><nav><a href='/en/'>Home</a></nav><h1>News</h1>"
                b"<h2>The Foundation took part in the forum</h2><p>12 March 2015</p>"
                b"<p>On 12 March experts of the Center presented the results.</p></body></html>"
            ),
        ),
    ],
)
def test_a_news_page_gives_no_records_and_says_why(content_type, body):
    page = load_page(body, content_type, NEWS_URL, source_sha256=sha256_hex(body))
    assert page.kind == OTHER
    output = process_pages([page])
    assert output.projects == [] and output.rejects == []
    assert [(w["code"], w["message"], w["page_url"]) for w in output.warnings] == [
        ("not-a-project-page", "not a listing or detail page (kind 'other'): no projects read from it", NEWS_URL)
    ]


def test_stray_lines_after_a_project_are_warned_about():
    text = (
        ORDERED
        + "Back to the list of projects\nShare: Facebook\n"
        + ORDERED.replace("2015\n", "2014\n").replace("City of Sarov", "Town of Sarov")
    )
    output = run(text)
    assert [row["title"] for row in output.projects] == [
        "Development of innovative cluster in the City of Sarov",
        "Development of innovative cluster in the Town of Sarov",
    ]
    assert [row["listing_section"] for row in output.projects] == ["2015", "2014"]
    assert [(w["code"], w["message"], w["line"]) for w in output.warnings] == [
        (
            "ignored-line",
            "line after project 'Development of innovative cluster in the City of Sarov' ignored: "
            "'Back to the list of projects'",
            13,
        ),
        (
            "unknown-label",
            "unknown label 'Share' in 'Development of innovative cluster in the City of Sarov' "
            "(value 'Facebook') kept out of the record",
            14,
        ),
    ]


def test_a_label_before_any_project_is_warned_about():
    output = run("Date: 2015\n" + ORDERED)
    assert len(output.projects) == 1
    assert [(w["code"], w["message"]) for w in output.warnings] == [
        ("label-outside-project", "label 'Date: 2015' outside any project ignored")
    ]


def test_a_repeated_label_keeps_the_first_value_and_warns():
    output = run(ORDERED.replace("- Type:", "- Stage:\n- Current project\n- Type:"))
    assert output.projects[0]["stage"] == "Completed project"
    assert [(w["code"], w["message"]) for w in output.warnings] == [
        (
            "repeated-label",
            "'Stage:' repeated in 'Development of innovative cluster in the City of Sarov': "
            "kept 'Completed project', ignored 'Current project'",
        )
    ]


def test_a_label_without_a_value_is_warned_about_and_the_row_rejected():
    output = run(ORDERED.replace("- Completed project\n", ""))
    assert output.projects == []
    assert [r["reason"] for r in output.rejects] == ["stage is required; status is required"]
    assert [w["message"] for w in output.warnings] == [
        "'Stage:' of 'Development of innovative cluster in the City of Sarov' has no value"
    ]


# --- HTML renderings of the snapshot (tests/fixtures/html) -----------------

FIXTURES = {entry["file"]: entry for entry in json.loads((HTML / "fixtures.json").read_text(encoding="utf-8"))}
DETAILS = ["nikel", "vologda", "shipbuilding", "leningrad", "khabarovsk", "zheleznogorsk"]
FOOTER_LINES = [
    "© 2000–2018 Center for Strategic Research «North-West» Foundation",
    "6th line 1/25, Vasilievsky Island, St. Petersburg, 199004, Russia",
]
LINK_DEPENDENT = ("project_id", "project_key", "detail_url", "source_sha256")
P = "http://csr-nw.ru/en/projects/"
LISTING_LINKS = [
    P + "2018/zheleznogorsk-innovation-technology-cluster/",
    P + "2016/development-of-innovative-cluster-in-dimitrovgrad-city/",
    P + "2015/development-of-innovative-cluster-in-the-city-of-sarov/",
    P + "2015/technological-audit-innovative-territorial-cluster-of-air-and-shipbuilding-of-the-khabarovsk-region-"
    "participants/",
    P + "2015/state-and-prospects-of-food-industry-cluster-in-the-leningrad-region/",
    P + "2014/the-concept-of-a-cluster-of-medical-pharmaceutical-industry-radiation-technologies-within-the-bounda/",
    P + "2014/elaboration-of-the-program-to-support-development-the-medical-pharmaceutical-and-radiation-technolog/",
    P + "2013/audit-of-territorial-sectoral-clusters-with-an-assessment-of-the-relationship-of-participants-and-th/",
    P + "2013/development-of-the-program-for-the-cluster-of-innovative-technologies-in-the-city-of-zheleznogorsk/",
    P + "2013/assistance-to-the-development-of-a-cluster-of-innovative-technologies-in-the-nuclear-city-of-sarov/",
    P + "2013/recommendations-to-the-managing-company-of-the-cluster/",
    P + "2013/consulting-support-to-development-of-the-nuclear-innovation-cluster-of-dimitrovgrad-in-2013/",
    P + "2013/consulting-support-to-development-of-the-radiation-technology-sector-of-the-medical-pharmaceutical-a/",
    P + "2013/elaboration-of-the-program-to-support-development-of-nuclear-innovation-cluster-in-the-town-of-dimit/",
    P + "2012/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg/",
    P + "2012/concept-of-the-technology-park-within-the-innovation-cluster-of-the-khabarovsk-krai/",
    P + "2012/scientific-and-methodological-feasibility-study-for-the-creation-of-innovative-clusters-in-the-repub/",
]


def html_page(name: str, url: str | None = None) -> Page:
    entry = FIXTURES[name]
    body = (HTML / name).read_bytes()
    return load_page(body, "text/html", url or entry["url"], source_sha256=sha256_hex(body), complete=entry["complete"])


def text_output(url: str):
    store = RawStore(ROOT / "raw")
    capture = store.get(url)
    body = store.read(capture)
    return process_pages(
        [
            load_page(
                body,
                capture.content_type,
                url,
                kind=capture.kind,
                source_sha256=capture.sha256,
                complete=capture.complete,
            )
        ]
    )


def without(rows, names):
    return [{key: value for key, value in row.items() if key not in names} for row in rows]


def test_the_fixture_index_covers_every_file():
    assert sorted(FIXTURES) == sorted(path.name for path in HTML.glob("*.html"))
    assert len([name for name in FIXTURES if FIXTURES[name]["kind"] == "detail"]) == 3 * len(DETAILS)
    for entry in FIXTURES.values():
        assert f'<meta charset="{entry["charset"]}">'.encode() in (HTML / entry["file"]).read_bytes()


@pytest.mark.parametrize("layout", ["list", "dl", "table"])
def test_html_listing_gives_the_text_listing_rows(layout):
    expected, actual = text_output(LISTING_URL), process_pages([html_page(f"listing.{layout}.html")])
    assert len(actual.projects) == 17 and actual.rejects == []
    assert without(actual.projects, LINK_DEPENDENT) == without(expected.projects, LINK_DEPENDENT)
    # what the title links change: the detail URL, and the id read from it
    assert [row["detail_url"] for row in actual.projects] == LISTING_LINKS
    assert [row["project_id"] for row in actual.projects] == [link[len(P) : -1] for link in LISTING_LINKS]
    assert [row["project_id"] for row in expected.projects][:2] == [
        "title/innovation-technology-cluster-in-zheleznogorsk-krasnoyarsk-krai",
        "title/development-of-innovative-cluster-in-dimitrovgrad-city",
    ]
    assert [(w["code"], w["message"]) for w in actual.warnings if w["code"] != "ignored-line"] == [
        (w["code"], w["message"]) for w in expected.warnings
    ]
    ignored = [w["message"] for w in actual.warnings if w["code"] == "ignored-line"]
    assert all(any(message.endswith(f"ignored: {line!r}") for line in FOOTER_LINES) for message in ignored), ignored


@pytest.mark.parametrize("layout", ["list", "dl", "divs"])
@pytest.mark.parametrize("name", DETAILS)
def test_html_detail_gives_the_text_detail_row(name, layout):
    url = FIXTURES[f"{name}.{layout}.html"]["url"]
    expected, actual = text_output(url), process_pages([html_page(f"{name}.{layout}.html")])
    assert without(actual.projects, ("source_sha256", "description")) == without(
        expected.projects, ("source_sha256", "description")
    )
    assert actual.rejects == [] and [w["code"] for w in actual.warnings] == [w["code"] for w in expected.warnings]
    assert actual.projects[0]["description"].startswith(expected.projects[0]["description"])


@pytest.mark.parametrize("layout", ["list", "dl", "divs"])
@pytest.mark.parametrize("name", DETAILS)
def test_html_detail_description_is_the_text_one(name, layout):
    url = FIXTURES[f"{name}.{layout}.html"]["url"]
    expected, actual = text_output(url), process_pages([html_page(f"{name}.{layout}.html")])
    assert actual.projects[0]["description"] == expected.projects[0]["description"]


def test_nikel_html_has_no_direction_and_the_cut_page_says_so():
    nikel = process_pages([html_page("nikel.dl.html")]).projects[0]
    assert (nikel["direction"], nikel["subdirection"], nikel["stage"], nikel["project_type"], nikel["date_text"]) == (
        None,
        None,
        "Completed project",
        "Development Projects",
        "September – December 2007",
    )
    cut = process_pages([html_page("zheleznogorsk.divs.html")])
    assert [w["code"] for w in cut.warnings] == ["incomplete-capture"]
    assert cut.projects[0]["description"].endswith("to receive subsides from fe")


def test_html_listing_and_detail_pages_merge_by_link():
    pages = [html_page("listing.table.html")] + [html_page(f"{name}.list.html") for name in DETAILS]
    output = process_pages(pages)
    assert len(output.projects) == 20 and output.rejects == []
    merged = [row["project_id"] for row in output.projects if row["listing_section"] and row["description"]]
    assert merged == [
        "2018/zheleznogorsk-innovation-technology-cluster",
        "2015/technological-audit-innovative-territorial-cluster-of-air-and-shipbuilding-of-the-"
        "khabarovsk-region-participants",
        "2012/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg",
    ]
    assert [row["project_id"][:4] for row in output.projects[17:]] == ["2007", "2010", "2013"]


def test_the_russian_windows_1251_listing():
    page = html_page("listing-ru.cp1251.html")
    assert (page.kind, page.language) == (LISTING, "ru")
    output = process_pages([page])
    assert len(output.projects) == 17 and output.rejects == []
    rows = output.projects
    english = process_pages([html_page("listing.list.html")]).projects
    # same projects, same order, same ids (read from the same detail slugs) and the same dates as the English page
    assert [r["project_id"] for r in rows] == [r["project_id"] for r in english]
    assert [
        (
            r["listing_section"],
            r["status"],
            r["start_date"],
            r["end_date"],
            r["start_precision"],
            r["end_precision"],
            r["open_ended"],
        )
        for r in rows
    ] == [
        (
            r["listing_section"],
            r["status"],
            r["start_date"],
            r["end_date"],
            r["start_precision"],
            r["end_precision"],
            r["open_ended"],
        )
        for r in english
    ]
    assert {(r["language"], r["direction"], r["subdirection"]) for r in rows} == {
        ("ru", "Пространственное развитие", "Кластеры и кластерная политика")
    }
    first, seventh = rows[0], rows[6]
    assert (first["title"], first["stage"], first["project_type"], first["date_text"], first["listing_url"]) == (
        "Инновационный технологический кластер в Железногорске (Красноярский край)",
        "Текущий проект",
        "Группа проектов",
        "2011 – по настоящее время",
        RU_LISTING_URL,
    )
    assert (seventh["stage"], seventh["date_text"], str(seventh["start_date"]), str(seventh["end_date"])) == (
        "Текущий проект",
        "декабрь 2013 – март 2014",
        "2013-12-01",
        "2014-03-31",
    )
    assert [r["detail_url"] for r in rows][-1] == (
        "http://csr-nw.ru/projects/2012/scientific-and-methodological-feasibility-study-for-the-creation-of-"
        "innovative-clusters-in-the-repub/"
    )
    assert [w["code"] for w in output.warnings if w["code"] != "ignored-line"] == ["stage-vs-date"]


def test_fixture_pages_served_from_another_host_keep_their_kind_language_and_links():
    page = html_page("listing-ru.cp1251.html", "http://127.0.0.1:8765/area_of_activity/x/clusters_and_cluster_policy/")
    assert (page.kind, page.language) == (LISTING, "ru")
    output = process_pages([page])
    assert (
        output.projects[0]["detail_url"]
        == "http://127.0.0.1:8765/projects/2018/zheleznogorsk-innovation-technology-cluster/"
    )
    detail = html_page("nikel.list.html", "http://127.0.0.1:8765" + re.sub(r"^http://[^/]+", "", NIKEL_URL))
    assert (detail.kind, detail.language) == (DETAIL, "en")


# --- a value missing right before the next heading or title ------------------
#
# A label whose value is missing must not swallow the line after it when that
# line is a section heading or the next project's title: the project keeps its
# other fields (with a `missing-value` note) and the next heading or project is
# read as usual.

SAROV = "Development of innovative cluster in the City of Sarov"
KHABAROVSK = (
    "Technological audit innovative territorial cluster of air and shipbuilding of the Khabarovsk Region participants"
)
DIMITROVGRAD_2020 = (
    "Elaboration of the Program to Support Development of Nuclear Innovation Cluster in the town of "
    "Dimitrovgrad for 2013-2020"
)
DATE_FIELDS = ("date_text", "start_date", "end_date", "start_precision", "end_precision")
VALUE_MARKUP = {"list": "<li>{}</li>", "dl": "<dd>{}</dd>", "table": "<td>{}</td>"}


def listing_without_date(layout: str, title: str, date_text: str) -> bytes:
    """The HTML listing fixture with the Date value of `title` left empty."""
    html = (HTML / f"listing.{layout}.html").read_text(encoding="utf-8")
    value = VALUE_MARKUP[layout].format(date_text)
    at = html.index(value, html.index(f">{title}</a>"))
    empty = "<td></td>" if layout == "table" else ""
    return (html[:at] + empty + html[at + len(value) :]).encode("utf-8")


def text_listing_without_date(title: str, date_text: str) -> bytes:
    at = FULL_LISTING.index(f"- Date:\n- {date_text}\n", FULL_LISTING.index(title + "\n")) + len("- Date:\n")
    return (FULL_LISTING[:at] + FULL_LISTING[at + len(f"- {date_text}\n") :]).encode("utf-8")


def without_date(rows, title):
    """`rows` with the date of the row titled `title` gone, as a missing Date value leaves it."""
    return [{**row, **({name: None for name in DATE_FIELDS} if row["title"] == title else {})} for row in rows]


def missing_date_case(source: str, title: str, date_text: str):
    """(output of the listing with the Date value of `title` missing, output of the intact listing)."""
    if source == "text":
        body, intact = text_listing_without_date(title, date_text), FULL_LISTING.encode("utf-8")
        content_type = "text/plain"
    else:
        body, intact = listing_without_date(source, title, date_text), (HTML / f"listing.{source}.html").read_bytes()
        content_type = "text/html"
    outputs = [
        process_pages([load_page(data, content_type, LISTING_URL, source_sha256="s")]) for data in (body, intact)
    ]
    return outputs[0], outputs[1]


def assert_only_the_date_is_missing(output, intact, title):
    assert output.rejects == []
    assert output.projects == without_date(intact.projects, title)
    assert [(w["code"], w["message"]) for w in output.warnings if w["code"] == "missing-value"] == [
        ("missing-value", f"'Date:' of {title!r} has no value")
    ]


@pytest.mark.parametrize("source", ["text", "list"])
def test_a_missing_value_before_a_year_heading_leaves_the_heading_alone(source):
    # The value lines are list items here, so a non-item heading line is told from a value.
    output, intact = missing_date_case(source, DIMITROVGRAD_2020, "2013")
    assert_only_the_date_is_missing(output, intact, DIMITROVGRAD_2020)
    assert [row["listing_section"] for row in output.projects][-4:] == ["2013", "2012", "2012", "2012"]


@pytest.mark.parametrize("layout", ["dl", "table"])
def test_an_html_missing_value_before_a_year_heading_leaves_the_heading_alone(layout):
    output, intact = missing_date_case(layout, DIMITROVGRAD_2020, "2013")
    assert [row["listing_section"] for row in output.projects][-4:] == ["2013", "2012", "2012", "2012"]
    assert_only_the_date_is_missing(output, intact, DIMITROVGRAD_2020)


@pytest.mark.parametrize("source", ["text", "list", "dl", "table"])
def test_a_missing_value_before_the_next_title_leaves_the_title_alone(source):
    output, intact = missing_date_case(source, SAROV, "2015")
    assert KHABAROVSK in [row["title"] for row in output.projects]
    assert_only_the_date_is_missing(output, intact, SAROV)


def test_a_title_with_a_colon_after_a_project_without_a_date():
    text = (
        "2013\nRecommendations to the managing company of the cluster\n- Direction:\n- Spatial Development\n"
        "- Stage:\n- Completed project\n"
        "Kaliningrad: strategy for the development of the cluster\n- Direction:\n- Spatial Development\n"
        "- Stage:\n- Completed project\n- Date:\n- 2013\n"
    )
    output = run(text)
    assert [(row["title"], row["date_text"]) for row in output.projects] == [
        ("Recommendations to the managing company of the cluster", None),
        ("Kaliningrad: strategy for the development of the cluster", "2013"),
    ]
    assert output.rejects == []
    assert [(w["code"], w["message"]) for w in output.warnings] == [
        ("incomplete", "no Date and no Type is given: date filters will not find this project")
    ]


def test_long_titles_that_differ_only_at_the_end_are_two_projects():
    title = (
        "Consulting support to development of the radiation technology sector of the Medical, Pharmaceutical and "
        "Radiation Technology Cluster of St. Petersburg and Leningrad region in {}"
    )
    project = "{}\n- Stage:\n- Completed project\n- Date:\n- {}\n"
    output = run(
        "2014\n" + project.format(title.format(2014), 2014) + "2013\n" + project.format(title.format(2013), 2013)
    )
    assert output.rejects == []
    assert [row["title"] for row in output.projects] == [title.format(2014), title.format(2013)]
    assert len({row["project_id"] for row in output.projects}) == 2


# --- a capture that is no page at all, through the whole build ---------------


def test_an_empty_html_capture_becomes_a_load_reject_and_the_others_are_kept():
    from pipeline.build import build_tables
    from pipeline.rawstore import Capture

    chrome = (
        b'<html><head><meta charset="utf-8"><title>Projects</title></head><body>'
        b'<nav><a href="/en/">Home</a></nav><script>gtag()</script></body></html>'
    )
    listing = (HTML / "listing.list.html").read_bytes()
    empty_url = P + "2015/development-of-innovative-cluster-in-the-city-of-sarov/"
    captures = [
        (Capture(url, "text/html", sha256_hex(body), f"captures/{sha256_hex(body)}.html", len(body), kind=kind), body)
        for url, kind, body in [(LISTING_URL, "listing", listing), (empty_url, "detail", chrome)]
    ]
    output = build_tables(captures)
    assert output.summary()["pages"] == 2 and len(output.projects) == 17
    [reject] = output.rejects
    assert (reject["step"], reject["reason"], reject["page_url"], reject["title"], reject["language"]) == (
        "load",
        "the page is empty",
        empty_url,
        None,
        None,
    )
    assert reject["raw_text"] == chrome.decode() and reject["source_sha256"] == sha256_hex(chrome)


# --- invisible characters ----------------------------------------------------------------------------------

ONE_PROJECT = (
    "Clusters\n\n2015\n{title}\n- {label}:\n- Spatial Development\n- Stage:\n- Completed project\n- Date:\n- 2015\n"
)


@pytest.mark.parametrize(
    "title, label, expected_title",
    [
        ("Ship\u00adbuilding cluster", "Direction", "Shipbuilding cluster"),  # soft hyphen in a title
        ("Ship\u200bbuilding cluster", "Direction", "Shipbuilding cluster"),  # zero-width space in a word
        ("Shipbuilding\u2060 cluster\u200d", "Direction", "Shipbuilding cluster"),  # word joiner, ZWJ
        ("\ufeffShipbuilding cluster", "Direc\u00adtion", "Shipbuilding cluster"),  # BOM; soft hyphen in a label
        ("Shipbuilding cluster", "\u200eDirection", "Shipbuilding cluster"),  # a direction mark before a label
    ],
)
def test_invisible_format_characters_are_dropped_before_matching_and_storing(title, label, expected_title):
    output = run(ONE_PROJECT.format(title=title, label=label))
    [row] = output.projects
    assert (row["title"], row["direction"]) == (expected_title, "Spatial Development")
    assert output.rejects == [] and codes(output) == []


def test_a_title_with_a_soft_hyphen_merges_with_its_detail_page_once():
    listing = ONE_PROJECT.format(title="Ship\u00adbuilding cluster", label="Direction").encode()
    detail = b"Shipbuilding cluster\n\nSpatial Development\nCompleted project\n2015\n\nAbout it.\n"
    pages = [
        load_page(listing, "text/plain", LISTING_URL, source_sha256="a"),
        load_page(detail, "text/plain", "http://csr-nw.ru/en/projects/2015/shipbuilding/", source_sha256="b"),
    ]
    [row] = process_pages(pages).projects
    assert (row["title"], row["description"]) == ("Shipbuilding cluster", "About it.")


@pytest.mark.parametrize(
    "ongoing, year",
    [
        ("Ongoing", "2015"),
        ("Ongoing projects", "2015:"),
        ("Current projects:", "Year 2015"),
        ("Текущие проекты", "2015 год"),
        ("Ongoing", "In 2015"),
    ],
)
def test_section_headings_worded_differently_open_their_sections(ongoing, year):
    text = (
        f"Clusters\n\n{ongoing}\nFirst project\n- Stage:\n- Current project\n- Date:\n- 2011 – until present\n"
        f"{year}\nSecond project\n- Stage:\n- Completed project\n- Date:\n- 2015\n"
    )
    output = run(text)
    assert [(row["title"], row["listing_section"]) for row in output.projects] == [
        ("First project", "Ongoing"),
        ("Second project", "2015"),
    ]
    assert codes(output) == []


# --- what each real detail page says of its project (issue 11) ----------------------------------

SNAPSHOT_DETAILS = {capture.url: capture for capture in RawStore(ROOT / "raw").captures() if capture.kind == "detail"}


@pytest.mark.parametrize(
    "slug, customer, developer, aim, leader",
    [
        (
            "2007/program_for_socio-economic_development_of_nikel_urban_type_settlement_murmansk_oblast",
            "Kola Mining and Metallurgical Co. (Kola MMC)",
            "CSR «North-West»",
            "to forecast results of the development of the economic base of Nikel settlement and to elaborate "
            "steps aimed at achieving a new stage of development of the municipal unit.",
            None,
        ),
        (
            "2010/finalization_of_the_strategy_for_socio-economic_development_of_vologda_oblast_until_2020_and_"
            "socio-economic_development_of_the_v",
            "Vologda Oblast Administration.",
            "CSR North-West.",
            "to update strategic development priorities for the sustainable development of the region in the long term.",
            None,
        ),
        (
            "2012/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg",
            "St. Petersburg’s Committee for Economic Development, Industrial Policy and Trade",
            None,
            "to form a modern competitive shipbuilding cluster in St. Petersburg and to create a basis for further "
            "strengthening of the concentration of shipbuilding companies and related industrial enterprises in the city.",
            None,
        ),
        (
            "2013/the-concept-of-social-and-economic-development-of-the-leningrad-region-until-2025",
            "Committee for Economic Development and Investment Activity of Leningrad Oblast",
            None,
            "to identify priority areas for development of Leningrad Oblast, taking into account the current social "
            "and economic situation, elaboration of strategic projects aimed at stimulating social and economic "
            "development and investment activities in the area, as well as mechanisms for implementation of the "
            "concept in particular sectors of industry.",
            None,
        ),
        (
            "2015/technological-audit-innovative-territorial-cluster-of-air-and-shipbuilding-of-the-khabarovsk-region-"
            "participants",
            "Far East Consulting Company",
            None,
            "to identify technology competencies of the cluster participants for the purpose of creating sustainable "
            "chains of cooperation within the framework of the cluster in the key areas of its specialization, and "
            "also to identify deficiencies in the chains.",
            None,
        ),
        ("2018/zheleznogorsk-innovation-technology-cluster", None, None, None, None),
    ],
)
def test_each_snapshot_detail_page_names_its_customer_developer_aim_and_leader(slug, customer, developer, aim, leader):
    [capture] = [c for url, c in SNAPSHOT_DETAILS.items() if url.rstrip("/").endswith(slug)]
    [record] = parse_page(page_of(capture, RawStore(ROOT / "raw").read(capture))).records
    assert [record.facts.get(name) for name in ("customer", "developer", "aim", "leader")] == [
        customer,
        developer,
        aim,
        leader,
    ]


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["Customer: A"], {"customer": "A"}),
        (["Originator: A"], {"customer": "A"}),
        (["Project originator: A."], {"customer": "A."}),
        (["Заказчик: Администрация г. Сарова"], {"customer": "Администрация г. Сарова"}),
        (["Developer: B"], {"developer": "B"}),
        (["Project developer:  B  C"], {"developer": "B C"}),
        (["Разработчик: ЦСР «Северо-Запад»"], {"developer": "ЦСР «Северо-Запад»"}),
        (["Project aim:", "to do it."], {"aim": "to do it."}),
        (["Project goal: to do it."], {"aim": "to do it."}),
        (["Project goals:", "- one", "- two"], {}),  # a list of goals, not the aim
        (["Цель проекта: сделать."], {"aim": "сделать."}),
        (["Project leader - Ivan Petrov"], {"leader": "Ivan Petrov"}),
        (["Руководитель проекта – Иван Петров"], {"leader": "Иван Петров"}),
        (["Руководитель проекта: Иван Петров"], {"leader": "Иван Петров"}),
        (["The customer was pleased."], {}),
    ],
)
def test_detail_facts(lines, expected):
    assert detail_facts(lines)[0] == expected


# --- any arrangement of the site's lines: rows, rejects or warnings, never an exception -------------

_PIECES = [
    "Ongoing",
    "2015",
    "Year 2014:",
    "Alpha project",
    "Date: a history",
    "Direction:",
    "Spatial Development",
    "Sub-direction:",
    "Stage: Completed project",
    "Current project",
    "Type:",
    "Research",
    "Date:",
    "December 2013 –",
    "March 2014",
    "2010-12",
    "Customer: A",
    "Project aim:",
    "Print version",
    "Home → Projects → 2007",
    "Дата:",
    "в 2013 году",
    "",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.tuples(st.sampled_from(_PIECES), st.booleans(), st.integers(0, 3)), max_size=40),
    kind=st.sampled_from(["listing", "detail"]),
)
def test_any_arrangement_of_the_sites_lines_parses_without_error(pieces, kind):
    lines = tuple(Line(text, item=item, heading=heading) for text, item, heading in pieces)
    url = LISTING_URL if kind == "listing" else "http://csr-nw.ru/en/projects/2015/alpha/"
    page = Page(url, kind, "en", lines, source_sha256="x")
    output = process_pages([page])
    records = len(parse_page(page).records)
    assert len(output.projects) + len(output.rejects) <= max(records, 1)


_html_node = st.recursive(
    st.sampled_from([*_PIECES, "<br>", "<br/>"]),
    lambda children: st.tuples(
        st.sampled_from(["div", "p", "h1", "h2", "h3", "li", "ul", "dl", "dt", "dd", "td", "tr", "a", "span"]),
        st.lists(children, max_size=5),
    ).map(
        lambda node: (
            f"<{node[0]}{' href=/en/projects/2015/x/' if node[0] == 'a' else ''}>{''.join(node[1])}</{node[0]}>"
        )
    ),
    max_leaves=40,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(_html_node, max_size=8), kind=st.sampled_from(["listing", "detail", None]))
def test_any_html_of_the_sites_lines_builds_without_error(body, kind):
    html = f"<html><body>{''.join(body)}</body></html>".encode()
    try:
        page = load_page(html, "text/html", LISTING_URL if kind == "listing" else None, kind=kind)
    except PageError:  # an empty page
        return
    process_pages([page])
