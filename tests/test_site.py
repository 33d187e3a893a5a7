"""What the site's URLs and words mean: page kinds, ids, languages, labels and headings."""

import pytest

from pipeline.site import (
    DETAIL,
    LISTING,
    detail_key,
    heading_of,
    is_next_page_link,
    kind_of_url,
    known_field,
    label_of,
    language_of_url,
    page_kind,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ongoing", "Ongoing"),
        ("ONGOING", "Ongoing"),
        ("Current projects", "Ongoing"),
        ("Текущие проекты", "Ongoing"),
        ("Текущие", "Ongoing"),
        ("2016", "2016"),
        ("2012", "2012"),
        ("2016 г.", "2016"),
        ("2016 г", "2016"),
        ("2016г.", "2016"),
        ("2016 год", "2016"),
        # the same headings worded differently
        ("Ongoing projects", "Ongoing"),
        ("Ongoing:", "Ongoing"),
        ("Current projects:", "Ongoing"),
        ("Реализуемые проекты", "Ongoing"),
        ("2015:", "2015"),
        ("Year 2015", "2015"),
        ("In 2015", "2015"),
        ("in 2015:", "2015"),
        ("2012 год", "2012"),
        ("В 2012 году", "2012"),
        ("2012 г.:", "2012"),
        ("За 2014 год", "2014"),
        # still no heading
        ("In 2015 the cluster was founded", None),
        ("Year 2015 results of the cluster", None),
        ("1066", None),
        ("Ongoing project:", None),
        # a title or value holding a year is no heading
        (
            "The concept of a cluster of medical, pharmaceutical "
            "industry, radiation technologies within the boundaries "
            "of the Gatchina Municipality until 2025",
            None,
        ),
        (
            "Elaboration of the Program to Support Development of "
            "Nuclear Innovation Cluster in the town of Dimitrovgrad "
            "for 2013-2020",
            None,
        ),
        ("Consulting support to development of the Nuclear Innovation Cluster of Dimitrovgrad in 2013", None),
        ("2015-2016", None),
        ("2011 – until present", None),
        ("20166", None),
        ("Date: 2015", None),
        ("Ongoing project", None),
        ("Completed project", None),
        ("", None),
    ],
)
def test_heading_of(text, expected):
    assert heading_of(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Direction:", ("direction", "")),
        ("Subdirection:", ("subdirection", "")),
        ("Stage:", ("stage", "")),
        ("Type:", ("project_type", "")),
        ("Date:", ("date_text", "")),
        ("Date: 2015", ("date_text", "2015")),
        ("Date:2011 – until present", ("date_text", "2011 – until present")),
        ("Direction: Spatial Development", ("direction", "Spatial Development")),
        ("DIRECTION :  Spatial Development", ("direction", "Spatial Development")),
        ("type: Development Projects", ("project_type", "Development Projects")),
        ("Направление:", ("direction", "")),
        ("Поднаправление:", ("subdirection", "")),
        ("Стадия: Текущий проект", ("stage", "Текущий проект")),
        ("Тип:", ("project_type", "")),
        ("Дата: 2015 г.", ("date_text", "2015 г.")),
        ("ДАТА:", ("date_text", "")),
        # not known labels
        ("Customer: Far East Consulting Company", None),
        ("Project aim: to form a modern competitive shipbuilding cluster", None),
        ("Заказчик: Администрация", None),
        ("Direction", None),
        ("Spatial Development", None),
        ("Date of the project: 2015", None),
        ("2015: a year", None),
        ("", None),
    ],
)
def test_known_field(text, expected):
    assert known_field(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Customer: Far East Consulting Company", ("Customer", "Far East Consulting Company")),
        ("Project aim: to form", ("Project aim", "to form")),
        ("Key deliverables:", ("Key deliverables", "")),
        ("Date: 12:30", ("Date", "12:30")),
        ("Stage 1:", None),
        ("Contacts (812) 380-03-20", None),
        ("Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)", None),
    ],
)
def test_label_of(text, expected):
    assert label_of(text) == expected


# --- URLs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, kind, key, language",
    [
        ("http://csr-nw.ru/en/projects/2012/draft-concept/", DETAIL, "2012/draft-concept", "en"),
        ("http://csr-nw.ru/projects/2012/draft-concept/", DETAIL, "2012/draft-concept", "ru"),
        ("https://www.csr-nw.ru/projects/2012/draft-concept", DETAIL, "2012/draft-concept", "ru"),
        ("http://csr-nw.ru/en/projects/2012/draft-concept/?print=1#top", DETAIL, "2012/draft-concept", "en"),
        ("http://127.0.0.1:8000/en/projects/2015/a/", DETAIL, "2015/a", "en"),
        ("http://127.0.0.1:8000/projects/2015/a/", DETAIL, "2015/a", None),  # not the site: the language is unknown
        ("http://csr-nw.ru/en/projects/2012/draft-concept/print/", None, None, "en"),
        ("http://csr-nw.ru/en/projects/draft-concept/", None, None, "en"),
        (
            "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
            LISTING,
            None,
            "en",
        ),
        (
            "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/",
            LISTING,
            None,
            "ru",
        ),
        ("http://csr-nw.ru/en/news/1187/", None, None, "en"),
        ("http://csr-nw.ru/", None, None, "ru"),
    ],
)
def test_what_a_url_says(url, kind, key, language):
    assert (kind_of_url(url), detail_key(url), language_of_url(url)) == (kind, key, language)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("listing", "listing"),
        ("detail", "detail"),
        ("other", "other"),
        ("project", "detail"),  # the name older manifests and corpus files use
    ],
)
def test_page_kind_reads_current_and_legacy_names(name, expected):
    assert page_kind(name) == expected


@pytest.mark.parametrize("name", ["projects", "Detail", "", "page"])
def test_an_unknown_page_kind_is_an_error_naming_it(name):
    with pytest.raises(ValueError, match=repr(name)):
        page_kind(name)


@pytest.mark.parametrize(
    "text, rel, expected",
    [
        ("2", [], True),
        (" 12 ", [], True),
        ("Next", [], True),
        ("далее", [], True),
        ("»", [], True),
        ("More", ["next"], True),
        ("More", ["nofollow"], False),
        ("Shipbuilding cluster", [], False),
        ("2015", [], True),  # a number is a page number: listings never link to years
    ],
)
def test_is_next_page_link(text, rel, expected):
    assert is_next_page_link(text, rel) is expected
