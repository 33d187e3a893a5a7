from datetime import date

import pytest

from pipeline.normalise import normalise, pair_records, project_id, title_key
from pipeline.parse import Record

LISTING_URL = "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
DETAIL_URL = "http://csr-nw.ru/en/projects/2012/draft-concept/"
FIELDS = {
    "direction": "Spatial Development",
    "subdirection": "Clusters & Cluster Policy",
    "stage": "Completed project",
    "project_type": "Development",
    "date_text": "2011-2012",
}


def listing(title="Draft concept", fields=None, link=None, section="2012", language="en", line=10):
    return Record(
        LISTING_URL,
        "listing",
        language,
        "aaa",
        line,
        title,
        dict(FIELDS if fields is None else fields),
        listing_section=section,
        link=link,
        raw_lines=[title],
    )


def detail(title="Draft concept", fields=None, url=DETAIL_URL, description="About it.", complete=True):
    return Record(
        url,
        "detail",
        "en",
        "bbb",
        1,
        title,
        dict(fields or {}),
        link=url,
        description=description,
        raw_lines=[title],
        complete=complete,
    )


@pytest.mark.parametrize(
    "url, title, expected",
    [
        (DETAIL_URL, "Anything", "2012/draft-concept"),
        ("http://csr-nw.ru/projects/2012/draft-concept/", "Проект", "2012/draft-concept"),
        (
            "http://csr-nw.ru/en/projects/2018/zheleznogorsk-innovation-technology-cluster",
            "x",
            "2018/zheleznogorsk-innovation-technology-cluster",
        ),
        (
            None,
            "Draft concept of development of shipbuilding cluster in St. Petersburg",
            "title/draft-concept-of-development-of-shipbuilding-cluster-in-st-petersburg",
        ),
        (None, "Кластер «Север»  (2013)", "title/кластер-север-2013"),
        ("http://csr-nw.ru/en/news/1/", "Not a project URL", "title/not-a-project-url"),
        (None, "x" * 100, "title/" + "x" * 100),
        (None, "x" * 101, "title/" + "x" * 100 + "-c675a2e6"),  # cut, with a hash of the whole slug
    ],
)
def test_project_id(url, title, expected):
    assert project_id(url, title) == expected


@pytest.mark.parametrize(
    "a, b",
    [
        ('Center for Strategic Research" North-West"', "center for strategic research «north-west»"),
        ("Draft  concept\u00a0of development", "draft concept of development"),
        ("Ёлка", "елка"),
    ],
)
def test_title_key_ignores_case_quotes_and_spacing(a, b):
    assert title_key(a) == title_key(b)


def test_pairing_matches_by_title_and_keeps_listing_order():
    first, second = listing("First"), listing("Draft concept")
    pairs, warnings = pair_records(
        [first, second, detail(), detail("Only on its page", url="http://csr-nw.ru/en/projects/2010/only/")]
    )
    assert [(p.listing and p.listing.title, p.detail and p.detail.title) for p in pairs] == [
        ("First", None),
        ("Draft concept", "Draft concept"),
        (None, "Only on its page"),
    ]
    assert warnings == []


def test_pairing_prefers_the_link_over_the_title():
    linked = listing("Renamed in the listing", link=DETAIL_URL)
    pairs, _ = pair_records([listing("Draft concept"), linked, detail()])
    assert pairs[1].detail is not None and pairs[0].detail is None


OTHER_YEAR = {**FIELDS, "date_text": "2013"}


def test_an_ambiguous_title_is_not_merged_and_is_warned_about():
    entries = [listing(section="2012"), listing(section="2013", fields=OTHER_YEAR)]  # two projects, one title
    pairs, warnings = pair_records([*entries, detail()])
    assert all(p.detail is None for p in pairs[:2]) and pairs[2].detail is not None
    assert [(w["code"], w["project_id"]) for w in warnings] == [("ambiguous-title", "2012/draft-concept")]
    result = normalise([*entries, detail()])
    row_ids = {candidate.row["project_id"] for candidate in result.candidates}
    assert {w["project_id"] for w in result.warnings if w["code"] == "ambiguous-title"} <= row_ids


def test_merged_row_takes_listing_values_and_detail_url_and_description():
    result = normalise([listing(), detail(fields={"stage": "Completed project", "direction": "Spatial Development"})])
    [candidate] = result.candidates
    row = candidate.row
    assert row["project_id"] == "2012/draft-concept"
    assert (row["listing_section"], row["listing_url"], row["detail_url"]) == ("2012", LISTING_URL, DETAIL_URL)
    assert (row["start_date"], row["end_date"], row["start_precision"], row["end_precision"]) == (
        date(2011, 1, 1),
        date(2012, 12, 31),
        "year",
        "year",
    )
    assert row["status"] == "completed" and row["open_ended"] is False
    assert row["description"] == "About it."
    assert row["source_sha256"] == "aaa,bbb"
    assert result.rejects == [] and result.warnings == []


def test_disagreeing_values_keep_the_listing_and_warn():
    result = normalise([listing(), detail(fields={"stage": "Current project"})])
    assert result.candidates[0].row["stage"] == "Completed project"
    [warning] = result.warnings
    assert (warning["code"], warning["project_id"]) == ("listing-vs-detail", result.candidates[0].row["project_id"])
    assert "'Completed project'" in warning["message"] and "'Current project'" in warning["message"]


def test_a_detail_page_fills_what_the_listing_lacks():
    result = normalise(
        [listing(fields={"stage": "Current project"}), detail(fields={"date_text": "2011 – until present"})]
    )
    row = result.candidates[0].row
    assert (row["date_text"], row["open_ended"], row["end_date"]) == ("2011 – until present", True, None)


def test_an_unreadable_date_is_rejected_with_the_page_and_raw_text():
    record = listing(fields={**FIELDS, "date_text": "Spring-ish 20l3"}, line=42)
    record.raw_lines = ["Draft concept", "Date:", "Spring-ish 20l3"]
    result = normalise([record])
    assert result.candidates == []
    [reject] = result.rejects
    assert reject["step"] == "normalise" and reject["reason"].startswith("date: ")
    assert "Spring-ish 20l3" in reject["reason"]
    assert (reject["page_url"], reject["line"], reject["title"]) == (LISTING_URL, 42, "Draft concept")
    assert reject["raw_text"] == "Draft concept\nDate:\nSpring-ish 20l3"


def test_a_missing_title_is_rejected():
    result = normalise([listing(title="   ")])
    assert [r["reason"] for r in result.rejects] == ["the project has no title"]


def test_a_cut_short_capture_says_so():
    result = normalise([detail(fields={"stage": "Completed project"}, complete=False)])
    assert [w["code"] for w in result.warnings] == ["incomplete-capture"]
    bad = normalise([detail(fields={"date_text": "garbage 2013x"}, complete=False)])
    assert bad.rejects[0]["reason"].endswith("(the capture is cut short)")


def test_whitespace_is_squeezed_but_text_kept_as_published():
    record = listing(
        title='  The  Center\u00a0for “Strategic”  Research" ',
        fields={**FIELDS, "direction": " Spatial\u00a0 Development "},
    )
    row = normalise([record]).candidates[0].row
    assert row["title"] == 'The Center for “Strategic” Research"'
    assert row["direction"] == "Spatial Development"


def test_one_project_shown_twice_is_one_row_with_every_appearance():
    """Issue 10, case 4: the same detail URL under "Ongoing" and a year, on two areas' listings."""
    other_area = LISTING_URL.replace("clusters_and_cluster_policy", "regional_development_strategies")
    entries = [
        listing(section="Ongoing", link=DETAIL_URL),
        listing(section="2012", link=DETAIL_URL, line=40),
        Record(other_area, "listing", "en", "ccc", 5, "Draft concept", dict(FIELDS), "2012", DETAIL_URL, area="B"),
    ]
    entries[0].area = entries[1].area = "A"
    result = normalise([*entries, detail()])
    assert result.rejects == [] and len(result.candidates) == 1
    row = result.candidates[0].row
    assert row["description"] == "About it."
    assert (row["listing_section"], row["listing_sections"]) == ("Ongoing", ["Ongoing", "2012"])
    assert row["listing_urls"] == sorted([LISTING_URL, other_area]) and row["thematic_areas"] == ["A", "B"]
    assert row["source_sha256"] == "aaa,ccc,bbb"


def test_appearances_that_disagree_are_warned_about_and_the_first_kept():
    entries = [listing(section="Ongoing", link=DETAIL_URL), listing(fields=OTHER_YEAR, link=DETAIL_URL)]
    result = normalise(entries)
    [candidate] = result.candidates
    assert candidate.row["date_text"] == "2011-2012"
    assert [(w["code"], w["project_id"]) for w in result.warnings] == [("listing-vs-listing", "2012/draft-concept")]
    assert "'2011-2012'" in result.warnings[0]["message"] and "'2013'" in result.warnings[0]["message"]


def test_entries_without_a_link_merge_only_when_their_values_agree():
    same = normalise([listing(section="Ongoing"), listing(section="2012")])
    assert len(same.candidates) == 1 and same.candidates[0].row["listing_sections"] == ["Ongoing", "2012"]
    apart, _ = pair_records([listing(section="2012"), listing(section="2013", fields=OTHER_YEAR)])
    assert len(apart) == 2
