"""Issue 10, part 1: HTML a real CMS would plausibly serve gives the right rows, or a reject or
warning that names the real problem: never a silently wrong row.

Each case is a whole page read through the real stages (load_page → parse → normalise → validate).
"""

from __future__ import annotations

import pytest

from pipeline.build import BuildOutput, process_pages
from pipeline.pages import load_page
from pipeline.parse import parse_page

LISTING_URL = "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
DETAIL_URL = "http://csr-nw.ru/en/projects/2015/alpha/"
HOME_URL = "http://csr-nw.ru/en/"


def html(body: str) -> bytes:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def build(*pages: tuple[str, str]) -> BuildOutput:
    return process_pages([load_page(html(body), "text/html", url) for url, body in pages])


def rows(output: BuildOutput, *names: str) -> list[tuple[object, ...]]:
    return [tuple(row[name] for name in names) for row in output.projects]


def codes(output: BuildOutput) -> list[str]:
    return sorted(str(warning["code"]) for warning in output.warnings)


def div_entry(title: str, values: dict[str, str], link: str | None = None) -> str:
    """A project as plain divs: title, then one row per label with its value cell (empty when the value is)."""
    title_html = f'<a href="{link}">{title}</a>' if link else title
    cells = "".join(
        f'<div class="row"><div class="label">{label}:</div><div class="value">{value}</div></div>'
        for label, value in values.items()
    )
    return f'<div class="project"><div class="title">{title_html}</div>{cells}</div>'


FULL = {"Direction": "Spatial Development", "Stage": "Completed project", "Type": "Research", "Date": "2015"}


# -- case 1: an empty value cell is an empty value ---------------------------------------------------------


def test_an_empty_date_cell_does_not_swallow_the_next_year_heading():
    body = (
        "<h1>Clusters</h1><div class='year'>2016</div>"
        + div_entry("Alpha", {**FULL, "Date": ""})
        + "<div class='year'>2015</div>"
        + div_entry("Beta", FULL)
    )
    output = build((LISTING_URL, body))
    assert rows(output, "title", "listing_section", "date_text") == [("Alpha", "2016", None), ("Beta", "2015", "2015")]
    assert "missing-value" in codes(output)


def test_an_empty_type_cell_does_not_swallow_the_next_title():
    last_empty = {"Direction": "Spatial Development", "Stage": "Completed project", "Date": "2015", "Type": ""}
    body = "<h1>Clusters</h1><div>2015</div>" + div_entry("Alpha", last_empty) + div_entry("Beta", FULL)
    output = build((LISTING_URL, body))
    assert rows(output, "title", "project_type", "date_text") == [("Alpha", None, "2015"), ("Beta", "Research", "2015")]


def test_an_empty_dd_does_not_swallow_the_next_title_in_a_definition_list():
    entry = (
        "<div><div class='t'>{}</div><dl><dt>Stage:</dt><dd>Completed project</dd><dt>Date:</dt><dd>{}</dd></dl></div>"
    )
    body = "<h1>Clusters</h1><div>2015</div>" + entry.format("Alpha", "") + entry.format("Beta", "2015")
    output = build((LISTING_URL, body))
    assert rows(output, "title", "date_text") == [("Alpha", None), ("Beta", "2015")]


# -- case 2: page chrome on a detail page is not the Direction ---------------------------------------------


@pytest.mark.parametrize(
    "chrome",
    [
        '<p><a href="?print=1">Print version</a></p>',
        '<div class="crumbs"><a href="/en/">Home</a> → <a href="/en/projects/">Projects</a> → 2015</div>',
        '<div class="share"><a href="https://facebook.com/x">Facebook</a> <a href="https://vk.com/x">VK</a></div>',
        '<div><a href="javascript:window.print()">Print this page</a></div>',
    ],
    ids=["print-version", "breadcrumbs", "share-buttons", "javascript-link"],
)
def test_page_chrome_between_title_and_values_is_not_a_value(chrome):
    body = (
        f"<h1>Alpha</h1>{chrome}<p>Spatial Development</p><p>Clusters &amp; Cluster Policy</p>"
        "<p>Completed project</p><p>Research</p><p>2015</p><p>The project studied clusters.</p>"
    )
    [row] = build((DETAIL_URL, body)).projects
    assert (row["direction"], row["subdirection"], row["stage"], row["project_type"], row["date_text"]) == (
        "Spatial Development",
        "Clusters & Cluster Policy",
        "Completed project",
        "Research",
        "2015",
    )
    assert row["description"] == "The project studied clusters."


def test_unknown_furniture_before_the_values_is_ignored_with_a_warning_not_taken_as_direction():
    body = "<h1>Alpha</h1><p>Subscribe to our newsletter</p><p>Urban Economy</p><p>Clusters &amp; Cluster Policy</p>"
    body += "<p>Completed project</p><p>2015</p><p>Text.</p>"
    output = build((DETAIL_URL, body))
    [row] = output.projects
    assert (row["direction"], row["subdirection"]) == ("Urban Economy", "Clusters & Cluster Policy")
    [warning] = [w for w in output.warnings if w["code"] == "ignored-line"]
    assert warning["subject"] == "Subscribe to our newsletter"


# -- case 3: a title split by <br> is one title -------------------------------------------------------------


@pytest.mark.parametrize(
    "title_html",
    [
        '<h3><a href="/en/projects/2015/alpha/">Cluster development programme<br>for the Kaluga region</a></h3>',
        "<h3>Cluster development programme<br/>for the Kaluga region</h3>",
        '<div class="title"><a href="/en/projects/2015/alpha/">Cluster development programme<br>for the Kaluga region</a></div>',
        '<div class="title">Cluster development programme<br>for the Kaluga region</div>',
    ],
    ids=["h3-link", "h3", "div-link", "div"],
)
def test_a_listing_title_split_by_br_is_whole(title_html):
    values = "".join(f"<div>{label}: {value}</div>" for label, value in FULL.items())
    output = build((LISTING_URL, f"<h1>Clusters</h1><h2>2015</h2><div>{title_html}{values}</div>"))
    assert rows(output, "title") == [("Cluster development programme for the Kaluga region",)]
    if "href" in title_html:
        assert rows(output, "project_id") == [("2015/alpha",)]
    assert "ignored-line" not in codes(output)


def test_a_value_split_by_br_is_one_value():
    body = "<h1>Alpha</h1><p>Spatial Development</p><p>Current project</p><p>December 2013 –<br>March 2014</p>"
    [row] = build((DETAIL_URL, body)).projects
    assert row["date_text"] == "December 2013 – March 2014" and str(row["end_date"]) == "2014-03-31"


def test_a_listing_value_split_by_br_is_one_value():
    body = "<h1>Clusters</h1><h2>Ongoing</h2><h3>Alpha</h3><dl><dt>Stage:</dt><dd>Current project</dd>"
    body += "<dt>Date:</dt><dd>December 2013 -<br>March 2014</dd></dl>"
    assert rows(build((LISTING_URL, body)), "date_text") == [("December 2013 - March 2014",)]


# -- case 4: one detail URL listed twice keeps its description ----------------------------------------------


def test_a_project_listed_under_ongoing_and_a_year_is_one_row_with_its_description():
    entry = '<h3><a href="/en/projects/2015/alpha/">Alpha</a></h3><ul><li>Stage: Current project</li><li>Date: 2015</li></ul>'
    listing = f"<h1>Clusters</h1><h2>Ongoing</h2>{entry}<h2>2015</h2>{entry}"
    detail = "<h1>Alpha</h1><p>Current project</p><p>2015</p><p>What it did.</p>"
    output = build((LISTING_URL, listing), (DETAIL_URL, detail))
    assert output.rejects == []
    [row] = output.projects
    assert (row["description"], row["listing_sections"], row["thematic_areas"]) == (
        "What it did.",
        ["Ongoing", "2015"],
        ["Clusters"],
    )


# -- case 6: a malformed label does not make a project ------------------------------------------------------


@pytest.mark.parametrize("label", ["Subdirection", "Sub direction", "Subdirectoin:"])
def test_a_malformed_label_is_an_ignored_line_not_a_project(label):
    text = (
        "Clusters\nOngoing\nAlpha\n- Direction:\n- Spatial Development\n"
        f"- {label}\n- Clusters & Cluster Policy\n- Stage:\n- Current project\n- Date:\n- 2015\n"
        "Beta\n- Stage:\n- Current project\n- Date:\n- 2016\n"
    )
    output = process_pages([load_page(text.encode(), "text/plain", LISTING_URL)])
    assert rows(output, "title", "stage", "date_text") == [
        ("Alpha", "Current project", "2015"),
        ("Beta", "Current project", "2016"),
    ]
    assert output.rejects == []
    assert {"ignored-line", "unknown-label"} & set(codes(output))


def test_a_hyphenated_label_is_the_label():
    text = "Clusters\nOngoing\nAlpha\n- Sub-direction:\n- Clusters & Cluster Policy\n- Stage:\n- Current project\n"
    output = process_pages([load_page(text.encode(), "text/plain", LISTING_URL)])
    assert rows(output, "title", "subdirection") == [("Alpha", "Clusters & Cluster Policy")]


# -- case 7: a title that starts like a label ---------------------------------------------------------------


@pytest.mark.parametrize(
    "title", ["Date: a history of the cluster", "Type: new industrial parks", "Stage: two of the strategy"]
)
def test_a_title_starting_with_a_label_is_a_title(title):
    second = f'<h3><a href="/en/projects/2015/beta/">{title}</a></h3>'
    body = "<h1>Clusters</h1><h2>2015</h2><h3>Alpha</h3><ul><li>Stage: Completed project</li><li>Date: 2015</li></ul>"
    body += second + "<ul><li>Stage: Completed project</li><li>Date: 2015</li></ul>"
    output = build((LISTING_URL, body))
    assert rows(output, "title", "date_text") == [("Alpha", "2015"), (title, "2015")]
    assert output.rejects == [] and "repeated-label" not in codes(output)


def test_labels_written_as_headings_stay_labels():
    entry = "<h3>{}</h3><h4>Stage: Completed project</h4><h4>Date: 2015</h4><h4>Type: Research</h4>"
    body = "<h1>Clusters</h1><h2>2015</h2>" + entry.format("Alpha") + entry.format("Beta")
    output = build((LISTING_URL, body))
    assert rows(output, "title", "date_text", "project_type") == [
        ("Alpha", "2015", "Research"),
        ("Beta", "2015", "Research"),
    ]


def test_a_text_title_starting_with_a_label_is_a_title():
    text = "Clusters\n2015\nAlpha\n- Stage:\n- Completed project\nDate: a history\n- Stage:\n- Completed project\n"
    output = process_pages([load_page(text.encode(), "text/plain", LISTING_URL)])
    assert rows(output, "title") == [("Alpha",), ("Date: a history",)]


# -- case 8: detail values out of order ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        ["Spatial Development", "Completed project", "2015", "Research"],
        ["Completed project", "Spatial Development", "Research", "2015"],
        ["2015", "Research", "Completed project", "Spatial Development"],
    ],
    ids=["date-before-type", "stage-before-direction", "reversed"],
)
def test_detail_values_in_any_order_land_in_their_fields(values):
    body = "<h1>Alpha</h1>" + "".join(f"<p>{value}</p>" for value in values) + "<p>What it did.</p>"
    [row] = build((DETAIL_URL, body)).projects
    assert (row["direction"], row["stage"], row["project_type"], row["date_text"], row["description"]) == (
        "Spatial Development",
        "Completed project",
        "Research",
        "2015",
        "What it did.",
    )


# -- case 10: a page that is no listing yields no project ---------------------------------------------------


def test_a_home_page_with_project_teasers_yields_no_project():
    teaser = '<div class="teaser"><a href="/en/projects/2015/{0}/">{0}</a><p>Stage: Current project</p><p>Date: 2015</p></div>'
    body = "<h1>CSR North-West</h1><h2>Our projects</h2>" + teaser.format("alpha") + teaser.format("beta")
    page = load_page(html(body), "text/html", HOME_URL, kind="listing")  # a crawler once tagged it a listing
    assert page.kind == "other"
    output = process_pages([page])
    assert output.projects == [] and output.rejects == [] and codes(output) == ["not-a-project-page"]


# -- the detail page's own words: customer, developer, aim, leader -------------------------------------------


def test_customer_developer_aim_and_leader_come_from_the_detail_text():
    body = (
        "<h1>Alpha</h1><p>Completed project</p><p>2015</p><p>Project originator: Vologda Oblast Administration.</p>"
        "<p>Project developer: CSR North-West.</p><p>Project aim:</p><p>to update   the priorities.</p>"
        "<p>Project leader - Ivan Petrov</p>"
    )
    [row] = build((DETAIL_URL, body)).projects
    assert (row["customer"], row["developer"], row["aim"], row["leader"]) == (
        "Vologda Oblast Administration.",
        "CSR North-West.",
        "to update the priorities.",
        "Ivan Petrov",
    )
    assert row["description"].startswith("Project originator: Vologda")


def test_a_page_whose_text_starts_with_a_label_keeps_it_in_the_description():
    body = "<h1>Alpha</h1><p>Customer: Vologda Oblast Administration</p><p>Project aim: to update it.</p><p>Prose.</p>"
    parsed = parse_page(load_page(html(body), "text/html", DETAIL_URL))
    [record] = parsed.records
    assert record.description == "Customer: Vologda Oblast Administration\nProject aim: to update it.\nProse."
    assert record.facts == {"customer": "Vologda Oblast Administration", "aim": "to update it."}
    assert record.fields == {} and parsed.warnings == []


def test_a_label_given_twice_with_different_values_is_warned_about():
    body = "<h1>Альфа</h1><p>Завершенный проект</p><p>2015</p><p>Заказчик: Администрация г. Сарова</p><p>Заказчик: ГК Росатом</p>"
    output = build(("http://csr-nw.ru/projects/2015/alpha/", body))
    [row] = output.projects
    assert row["customer"] == "Администрация г. Сарова"
    [warning] = [w for w in output.warnings if w["code"] == "repeated-label"]
    assert warning["subject"] == "customer" and "Росатом" in warning["message"]
