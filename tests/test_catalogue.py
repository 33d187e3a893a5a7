"""Issue 10, part 2: the whole catalogue, both languages, from a local site of three thematic areas.

The site (tests/sitefixture.py `catalogue_site`) links its areas through a menu; one project is shown
by two areas and under both "Ongoing" and a year; detail pages link their other-language version.
The crawl is real (a local HTTP server); so are the build and the Parquet it publishes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from sitefixture import LANGUAGES, TestSite, catalogue_site
from test_discovery import SHARED, crawl

from pipeline.build import run_build

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
README_PYTHON = re.findall(r"```python\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The catalogue crawled from one start URL with --all-areas, then built and published."""
    root = tmp_path_factory.mktemp("catalogue")
    with TestSite() as site:
        catalogue = catalogue_site(site)
        crawl(root / "raw", catalogue.listing_url("clusters_and_cluster_policy", "en"))
    result = run_build(root / "raw", root / "processed")
    return catalogue, result.output, root / "processed"


def test_one_row_per_project_and_language_and_nothing_rejected(built):
    catalogue, output, _ = built
    assert output.rejects == []
    keys = [(row["project_id"], row["language"]) for row in output.projects]
    assert sorted(keys) == sorted((p.project_id, language) for p in catalogue.projects for language in LANGUAGES)


def test_each_row_has_its_areas_sections_and_listings(built):
    catalogue, output, _ = built
    for row in output.projects:
        project, language = catalogue.project(row["project_id"]), row["language"]
        areas = sorted(
            {(catalogue.listing_url(slug, language), catalogue.area(slug).names[language]) for slug, _ in project.shown}
        )
        assert row["listing_urls"] == [url for url, _ in areas], row["title"]
        assert row["thematic_areas"] == [name for _, name in areas], row["title"]
        assert set(row["listing_sections"]) == set(catalogue.sections_of(project)), row["title"]
        assert row["title"] == project.titles[language] and row["description"], row["title"]
        assert row["project_key"] == project.key


def test_the_shared_project_keeps_every_appearance(built):
    catalogue, output, _ = built
    shared = [row for row in output.projects if row["project_id"].endswith(SHARED)]
    assert len(shared) == 2
    for row in shared:
        assert sorted(row["thematic_areas"]) == sorted(catalogue.areas_of(SHARED, row["language"]))
        assert len(row["thematic_areas"]) == 2 and set(row["listing_sections"]) == {"Ongoing", "2014"}


def test_english_and_russian_rows_pair_by_project_key(built, monkeypatch):
    """The README's join, run as the README prints it, on the catalogue's published Parquet."""
    catalogue, _, processed = built
    [snippet] = [block for block in README_PYTHON if "project_key" in block]
    monkeypatch.chdir(processed.parent)
    namespace: dict[str, object] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)
    titles = namespace["titles"]
    assert isinstance(titles, pd.DataFrame) and len(titles) == len(catalogue.projects)
    pairs = {row.project_key: (row.title_en, row.title_ru) for row in titles.itertuples()}
    assert pairs == {project.key: (project.titles["en"], project.titles["ru"]) for project in catalogue.projects}
