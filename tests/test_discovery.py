"""Discovery: `fetch --all-areas` finds every thematic area of the catalogue, in both languages.

Every test crawls a real local site (tests/sitefixture.py `catalogue_site`): three thematic
areas in English and Russian, linked through the navigation menu on every page and each page's
link to its other-language version, five projects with a detail page in each language, and a
home page in each language. One project is shown by two areas, and under both `Ongoing` and a
year in one of them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitefixture import (
    Catalogue,
    Reply,
    TestSite,
    catalogue_listing,
    catalogue_sections,
    catalogue_site,
)

from pipeline.build import build_tables, read_captures
from pipeline.cli import main
from pipeline.fetch import Crawler, FetchReport, crawl_key, discover_links
from pipeline.rawstore import RawStore
from pipeline.settings import FetchSettings
from pipeline.site import START_URLS, area_language, area_url

ROOT = Path(__file__).resolve().parents[1]
UA = ["--user-agent", "discovery-tests/1.0 (+https://example.org/contact)"]
CLUSTERS, STRATEGIES, INDUSTRY = "clusters_and_cluster_policy", "regional_development_strategies", "industrial_policy"
SHARED = "murmansk-cluster-strategy"
"""The project two areas show (Clusters under `Ongoing` and 2014, Strategies under 2014)."""


@pytest.fixture
def site():
    with TestSite() as test_site:
        yield test_site


@pytest.fixture
def catalogue(site):
    return catalogue_site(site)


def crawl(raw: Path, *start_urls: str, all_areas: bool = True, **overrides) -> FetchReport:
    options = {"delay": 0, "connect_timeout": 1, "read_timeout": 1, "max_retries": 0, "save_every": 1, **overrides}
    settings = FetchSettings(start_urls=start_urls, all_areas=all_areas, **options)
    return Crawler(RawStore(raw), settings).crawl()


def fetch(raw: Path, *start_urls: str, options: tuple[str, ...] = ("--all-areas",)) -> int:
    args = ["fetch", "--raw", str(raw), "--delay", "0", *UA, *options]
    for url in start_urls:
        args += ["--start-url", url]
    return main(args)


def kinds(raw: Path) -> dict[str, str | None]:
    """URL → kind of every capture in the manifest."""
    return {capture.url: capture.kind for capture in RawStore(raw).captures()}


def requested(site: TestSite) -> list[str]:
    return [target for target in site.targets() if target != "/robots.txt"]


def serve_listing(site: TestSite, catalogue: Catalogue, area: str, language: str, without: tuple[str, ...]) -> None:
    """Serve an area's listing again, without the projects `without` (by slug)."""
    listed = catalogue.area(area)
    sections = [(name, [p for p in projects if p.slug not in without]) for name, projects in catalogue_sections(listed)]
    site.page(listed.path(language), catalogue_listing(listed, language, [s for s in sections if s[1]]))


# -- finding the areas ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "area, language", [(CLUSTERS, "en"), (INDUSTRY, "ru")], ids=["english-clusters", "russian-industry"]
)
def test_all_areas_from_one_start_url_finds_every_listing_and_detail_page(
    site, catalogue, tmp_path, capsys, area, language
):
    code = fetch(tmp_path, catalogue.listing_url(area, language))

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("fetched 16 pages (0 unchanged), 0 not modified, 0 skipped, 0 failed")
    assert out[1] == "areas: 3 en, 3 ru"
    expected = {url: kind for url, kind in catalogue.kinds.items() if kind != "other"}
    assert len(catalogue.listing_urls()) == 6 and len(catalogue.detail_urls()) == 10
    assert kinds(tmp_path) == expected
    store = RawStore(tmp_path)
    assert all(store.read(capture) == catalogue.pages[capture.url] for capture in store.captures())
    targets = requested(site)
    assert len(targets) == len(set(targets)) == 16, "every page is fetched once, the shared project too"
    assert "/en/area_of_activity/" not in targets, "the areas' index page is no thematic-area listing"
    assert "/en/" not in targets and "/en/news/" not in targets


def test_refresh_all_areas_crawls_and_builds_every_area(site, catalogue, tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    args = ["refresh", "--raw", str(raw), "--out", str(out), "--delay", "0", "--all-areas", *UA]

    main([*args, "--start-url", catalogue.home_url("ru")])

    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == [printed[0], "areas: 3 en, 3 ru"] and " 0 failed" in printed[0]
    assert any(line.startswith(f"built {out}: 17 pages read, ") for line in printed)


def test_without_all_areas_only_the_start_area_is_crawled(site, catalogue, tmp_path, capsys):
    start = catalogue.listing_url(CLUSTERS, "en")

    code = fetch(tmp_path, start, options=())

    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[1] == "areas: 1 en, 0 ru"
    shown = [p for p in catalogue.projects if any(slug == CLUSTERS for slug, _ in p.shown)]
    assert kinds(tmp_path) == {start: "listing", **{catalogue.detail_url(p, "en"): "detail" for p in shown}}


def test_the_default_start_urls_are_the_sites_thematic_area_listings_in_both_languages():
    assert [area_url(url) for url in START_URLS] == list(START_URLS)
    assert FetchSettings().start_urls == START_URLS and not FetchSettings().all_areas
    assert sorted(area_language(url) for url in START_URLS) == ["en", "ru"]


def test_each_area_found_is_logged_with_its_language(site, catalogue, tmp_path, capsys):
    code = fetch(
        tmp_path, catalogue.listing_url(CLUSTERS, "en"), options=("--all-areas", "--verbose", "--log-format", "json")
    )

    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    found = {record["url"]: record["language"] for record in records if record["event"] == "area"}
    others = {url for url in catalogue.listing_urls() if url != catalogue.listing_url(CLUSTERS, "en")}
    assert found == {url: "en" if "/en/" in url else "ru" for url in others}


def test_an_area_link_to_another_site_is_not_followed(site, catalogue, tmp_path):
    foreign = "http://other.invalid/en/area_of_activity/x/thematic_areas/y/"
    area = catalogue.area(CLUSTERS)
    extra = f'<p><a href="{foreign}">Partner area</a></p>'
    site.page(area.path("en"), catalogue_listing(area, "en", catalogue_sections(area), extra=extra))

    report = crawl(tmp_path, catalogue.listing_url(CLUSTERS, "en"))

    assert (foreign, "off-host link") in report.skipped
    assert "areas: 3 en, 3 ru" in report.lines()


# -- a start page that is not a listing (Part 1, case 10) ---------------------------------------------------------


@pytest.mark.parametrize("all_areas", [True, False], ids=["all-areas", "start-pages-only"])
def test_the_home_page_is_stored_as_other_and_with_all_areas_leads_to_every_area(site, catalogue, tmp_path, all_areas):
    home = catalogue.home_url("en")

    report = crawl(tmp_path, home, all_areas=all_areas)

    assert report.failed == [] and report.skipped == []
    stored = kinds(tmp_path)
    assert stored[home] == "other"
    if all_areas:
        assert stored == {home: "other", **{url: k for url, k in catalogue.kinds.items() if k != "other"}}
        assert "areas: 3 en, 3 ru" in report.lines()
    else:  # its project teasers link detail pages: a page that is no listing gives none
        assert requested(site) == ["/en/"] and stored == {home: "other"}
        assert not any(line.startswith("areas:") for line in report.lines())
    home_only = [(c, b) for c, b in read_captures(RawStore(tmp_path)) if c.url == home]
    assert build_tables(home_only).projects == [], "a page of no kind gives no project rows"


def test_a_start_url_whose_path_tells_its_kind_keeps_it(site, catalogue, tmp_path):
    detail = catalogue.detail_url(SHARED, "ru")
    listing = catalogue.listing_url(STRATEGIES, "ru")

    crawl(tmp_path, detail, listing, all_areas=False)

    assert kinds(tmp_path)[detail] == "detail" and kinds(tmp_path)[listing] == "listing"


def test_a_home_page_an_older_crawl_stored_as_a_listing_becomes_other_on_a_304(site, tmp_path):
    catalogue = catalogue_site(site, etags=True)
    home = catalogue.home_url("ru")
    store = RawStore(tmp_path)
    store.put(  # what a crawl made before the kind was told from the content
        catalogue.pages[home],
        url=home,
        content_type="text/html",
        kind="listing",
        charset="utf-8",
        etag=catalogue.replies[home].etag,
    )
    store.flush()

    report = crawl(tmp_path, home, all_areas=False)

    assert report.not_modified == [home]
    assert site.requests_for("/")[0].status == 304
    assert kinds(tmp_path) == {home: "other"}


# -- a project in several areas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change, retired",
    [
        ("nothing", False),
        ("dropped by the area that found it", False),
        ("dropped by both areas", True),
        ("dropped by the area that found it, the other one fails", False),
        ("dropped by the other area, the one that found it fails", False),
    ],
)
def test_a_project_two_areas_show_is_retired_only_when_neither_links_it(site, catalogue, tmp_path, change, retired):
    start = catalogue.home_url("en")  # the menu still leads to every area when one of them fails
    crawl(tmp_path, start)
    shared = [catalogue.detail_url(SHARED, language) for language in ("en", "ru")]
    assert [RawStore(tmp_path).get(url).found_on for url in shared] == [
        catalogue.listing_url(CLUSTERS, language) for language in ("en", "ru")
    ]
    dropped_by = {
        "nothing": (),
        "dropped by the area that found it": (CLUSTERS,),
        "dropped by both areas": (CLUSTERS, STRATEGIES),
        "dropped by the area that found it, the other one fails": (CLUSTERS,),
        "dropped by the other area, the one that found it fails": (STRATEGIES,),
    }[change]
    failing = {"the other one fails": STRATEGIES, "the one that found it fails": CLUSTERS}.get(change.split(", ")[-1])
    for language in ("en", "ru"):
        for area in dropped_by:
            serve_listing(site, catalogue, area, language, without=(SHARED,))
        if failing:
            site.route(catalogue.area(failing).path(language), Reply(500))

    report = crawl(tmp_path, start)

    assert len(report.failed) == (2 if failing else 0)
    assert sorted(url for url, _ in report.retired) == (sorted(shared) if retired else [])
    assert all((url in kinds(tmp_path)) != retired for url in shared)
    assert len(kinds(tmp_path)) == len(catalogue.kinds) - 1 - 2 * retired  # the Russian home page is no area
    if change == "dropped by the area that found it":  # now the other area's
        assert [RawStore(tmp_path).get(url).found_on for url in shared] == [
            catalogue.listing_url(STRATEGIES, language) for language in ("en", "ru")
        ]


# -- bounds ---------------------------------------------------------------------------------------------------------


def paginate_industry(site: TestSite, catalogue: Catalogue) -> tuple[str, str]:
    """Split the English Industrial Policy listing into two pages (Ongoing, then 2013): its (page 1, page 2) URLs."""
    area = catalogue.area(INDUSTRY)
    path = area.path("en")
    ongoing, year = catalogue_sections(area)
    site.page(
        path, catalogue_listing(area, "en", [ongoing], extra='<div class="pager"><a href="?PAGEN_1=2">2</a></div>')
    )
    site.page(
        path + "?PAGEN_1=2",
        catalogue_listing(area, "en", [year], extra=f'<div class="pager"><a href="{path}">1</a></div>'),
    )
    return site.url(path), site.url(path + "?PAGEN_1=2")


def test_each_area_keeps_its_own_pagination_chain(site, catalogue, tmp_path):
    _, second = paginate_industry(site, catalogue)

    report = crawl(tmp_path, catalogue.listing_url(CLUSTERS, "ru"))

    assert report.failed == [] and report.bounds == []
    stored = kinds(tmp_path)
    assert stored[second] == "listing" and len(stored) == 17
    assert "areas: 3 en, 3 ru" in report.lines(), "a later page of an area is no area of its own"


def test_the_pagination_bound_cuts_only_its_own_areas_chain(site, catalogue, tmp_path):
    first, second = paginate_industry(site, catalogue)

    report = crawl(tmp_path, catalogue.listing_url(CLUSTERS, "en"), max_pagination_pages=1)

    assert report.bounds == [
        f"pagination of {first} stopped after 1 pages (--max-pagination-pages); not fetched: {second}"
    ]
    assert set(kinds(tmp_path)) == set(catalogue.kinds) - {
        catalogue.home_url("en"),
        catalogue.home_url("ru"),
        catalogue.detail_url("industrial-parks-review", "en"),  # only the cut-off page links it
    }


def test_max_pages_bounds_an_all_areas_crawl_and_retires_nothing(site, catalogue, tmp_path):
    start = catalogue.listing_url(CLUSTERS, "en")
    crawl(tmp_path, start)
    for language in ("en", "ru"):
        serve_listing(site, catalogue, CLUSTERS, language, without=("dimitrovgrad-cluster",))
    site.clear_log()

    report = crawl(tmp_path, start, max_pages=5)

    assert len(requested(site)) == 5
    assert [bound.split(";")[0] for bound in report.bounds] == ["page limit of 5 reached (--max-pages)"]
    assert report.retired == [] and len(kinds(tmp_path)) == 16


# -- a rerun -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("etags", [True, False], ids=["304", "same-bytes"])
def test_rerunning_on_an_unchanged_site_rewrites_nothing(site, tmp_path, etags):
    catalogue = catalogue_site(site, etags=etags)
    starts = (catalogue.home_url("en"), catalogue.listing_url(STRATEGIES, "ru"))
    crawl(tmp_path, *starts)
    files = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file() and path.name != ".lock"}
    manifest = (tmp_path / "manifest.json").read_bytes()
    site.clear_log()

    report = crawl(tmp_path, *starts)

    assert report.fetched == [] and report.failed == [] and report.retired == []
    assert len(report.not_modified if etags else report.unchanged) == 17
    assert (tmp_path / "manifest.json").read_bytes() == manifest
    assert {path: path.stat().st_mtime_ns for path in files} == files
    assert len(requested(site)) == 17


# -- links --------------------------------------------------------------------------------------------------------------

PAGE = "http://h/en/area_of_activity/territorial_development/thematic_areas/clusters/"
OTHER_AREA = "http://h/area_of_activity/economic_development/thematic_areas/industry/"


@pytest.mark.parametrize(
    "href, expected",
    [
        ("/area_of_activity/economic_development/thematic_areas/industry/", [(OTHER_AREA, "area")]),
        (
            "/en/area_of_activity/economic_development/thematic_areas/industry/",
            [(OTHER_AREA.replace("h/", "h/en/"), "area")],
        ),
        ("/area_of_activity/economic_development/thematic_areas/industry/?PAGEN_1=3#top", [(OTHER_AREA, "area")]),
        ("/area_of_activity/economic_development/thematic_areas/industry", [(OTHER_AREA[:-1], "area")]),
        ("?PAGEN_1=2", []),  # the page's own listing, and not pagination: the area itself
        ("/en/area_of_activity/", []),  # the index of the areas
        ("/en/area_of_activity/territorial_development/", []),  # a direction
        ("/en/area_of_activity/x/thematic_areas/y/projects/", []),  # deeper than an area
        ("/en/thematic_areas/y/", []),
        (
            "http://other.invalid/area_of_activity/x/thematic_areas/y/",
            [("http://other.invalid/area_of_activity/x/thematic_areas/y/", "area")],
        ),
        ("ftp://h/area_of_activity/x/thematic_areas/y/", []),
    ],
)
def test_discover_links_finds_thematic_area_listings(href, expected):
    body = f'<html><body><a href="{href}">An area</a></body></html>'.encode()
    assert discover_links(body, "text/html", "utf-8", PAGE, areas=True) == expected
    assert discover_links(body, "text/html", "utf-8", PAGE) == [], "areas are followed only when asked"


def test_a_page_that_is_no_listing_gives_area_links_only():
    body = (
        b'<a href="/en/projects/2015/a/">A project</a> <a href="?PAGEN_1=2">2</a> '
        b'<a href="/area_of_activity/economic_development/thematic_areas/industry/">Industry</a>'
    )
    assert discover_links(body, "text/html", "utf-8", "http://h/en/", listing=False, areas=True) == [
        (OTHER_AREA, "area")
    ]


@pytest.mark.parametrize(
    "one, other, same",
    [
        ("http://h/a/", "https://h/a/", True),
        ("http://h:80/a/?p=2", "https://h:443/a/?p=2", True),
        ("http://h/a/", "http://h/a/?p=2", False),
        ("http://h:8080/a/", "https://h:8080/a/", False),
        ("http://h/a/", "http://g/a/", False),
    ],
)
def test_the_crawl_key_makes_an_http_url_and_its_https_twin_one_page(one, other, same):
    assert (crawl_key(one) == crawl_key(other)) == same


def test_a_page_reached_by_a_redirect_is_not_fetched_again_by_its_own_url(site, catalogue, tmp_path):
    old = "/en/area_of_activity/territorial_development/thematic_areas/old_name_of_clusters/"
    site.route(old, Reply(301, "", headers={"Location": catalogue.area(CLUSTERS).path("en")}))

    report = crawl(tmp_path, site.url(old))

    assert report.failed == []
    assert len(site.requests_for(catalogue.area(CLUSTERS).path("en"))) == 1, "only as the redirect's target"
    assert set(kinds(tmp_path)) == {site.url(old), *(u for u, k in catalogue.kinds.items() if k != "other")} - {
        catalogue.listing_url(CLUSTERS, "en")
    }


# -- the documented defaults ------------------------------------------------------------------------------------------


def test_the_readme_lists_the_default_start_urls_and_the_scheduled_refresh_crawls_every_area():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Which thematic areas are crawled", 1)[1].split("\n## ", 1)[0]
    assert all(f"`{url}`" in section for url in START_URLS)
    assert "refresh --all-areas" in readme.split("## Live refresh", 1)[1].split("\n## ", 1)[0]
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "refresh.yml").read_text(encoding="utf-8"))
    runs = " ".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])
    assert re.search(r"-m pipeline refresh --all-areas\b", runs)
