"""Places: every place the corpus names, the spellings the site uses, Russian in every case, ambiguity,
the customer-line fallback, unresolved places, the alias table, and the hand-made Russian listing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from pipeline.build import build_tables, process_pages, read_captures
from pipeline.pages import load_page
from pipeline.places import (
    UNRESOLVED,
    alias_rows,
    customer_line,
    find_places,
    places_for,
    places_of,
    read_alias_table,
    region_names,
    ru_subdivisions,
)
from pipeline.rawstore import RawStore, sha256_hex
from pipeline.schema import PLACE_KINDS, PLACES, WARNINGS
from pipeline.validate import value_errors

ROOT = Path(__file__).resolve().parents[1]
RU_LISTING = Path(__file__).resolve().parent / "fixtures" / "ru" / "listing.ru.txt"
EN_LISTING_URL = (
    "http://csr-nw.ru/en/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"
)
RU_LISTING_URL = "http://csr-nw.ru/area_of_activity/territorial_development/thematic_areas/clusters_and_cluster_policy/"


def project(title, language="en", *, description=None, customer=None, project_id="title/x"):
    """A projects row with what places read: title, description, customer (the rest does not matter here)."""
    return {
        "project_id": project_id,
        "language": language,
        "title": title,
        "description": description,
        "customer": customer,
        "listing_url": EN_LISTING_URL if language == "en" else RU_LISTING_URL,
        "detail_url": None,
    }


def readings(text, language="en"):
    """(as written, kind, region code, country code) of each place a text names; None codes when not resolved."""
    out = []
    for found in find_places(text, language):
        codes = {(entry.kind, entry.region_code, entry.country_code) for entry in found.entries}
        if len(codes) == 1:
            out.append((found.text, *codes.pop()))
        else:
            out.append((found.text, found.kind if not codes else "ambiguous", None, None))
    return out


def summary(rows):
    return [(row["place"], row["place_kind"], row["region_code"], row["country_code"], row["source"]) for row in rows]


# --- every place the corpus names (../shared/corpus/csr-nw-en.jsonl, quoted verbatim) ----------------------

CITY, DISTRICT, REGION, FEDERAL, MACRO, COUNTRY = PLACE_KINDS

CORPUS_TITLES = [
    # the listing (the seed page): 17 titles
    (
        "Innovation Technology Cluster in Zheleznogorsk (Krasnoyarsk Krai)",
        [("Zheleznogorsk", CITY, "RU-KYA", "RU", "title"), ("Krasnoyarsk Krai", REGION, "RU-KYA", "RU", "title")],
    ),
    ("Development of innovative cluster in Dimitrovgrad city", [("Dimitrovgrad", CITY, "RU-ULY", "RU", "title")]),
    ("Development of innovative cluster in the City of Sarov", [("Sarov", CITY, "RU-NIZ", "RU", "title")]),
    (
        "Technological audit innovative territorial cluster of air and shipbuilding of the Khabarovsk Region participants",
        [("Khabarovsk Region", REGION, "RU-KHA", "RU", "title")],
    ),
    (
        "State and prospects of food industry cluster in the Leningrad region",
        [("Leningrad region", REGION, "RU-LEN", "RU", "title")],
    ),
    (
        "The concept of a cluster of medical, pharmaceutical industry, radiation technologies within the boundaries of the Gatchina Municipality until 2025",
        [("Gatchina Municipality", DISTRICT, "RU-LEN", "RU", "title")],
    ),
    (
        "Elaboration of the Program to Support Development the Medical, Pharmaceutical and Radiation Technology Cluster in the Leningrad region",
        [("Leningrad region", REGION, "RU-LEN", "RU", "title")],
    ),
    (
        "Audit of territorial-sectoral clusters with an assessment of the relationship of participants and the development of a system of strategic directions for development",
        [],
    ),
    (
        # Zheleznogorsk alone, with no description: Krasnoyarsk Krai or Kursk Oblast is not guessed
        "Development of the program for the cluster of innovative technologies in the city of Zheleznogorsk",
        [("Zheleznogorsk", CITY, None, "RU", "title")],
    ),
    (
        "Assistance to the development of a cluster of innovative technologies in the nuclear city of Sarov",
        [("Sarov", CITY, "RU-NIZ", "RU", "title")],
    ),
    ("Recommendations to the managing company of the cluster", []),
    (
        "Consulting support to development of the Nuclear Innovation Cluster of Dimitrovgrad in 2013",
        [("Dimitrovgrad", CITY, "RU-ULY", "RU", "title")],
    ),
    (
        "Consulting support to development of the radiation technology sector of the Medical, Pharmaceutical and Radiation Technology Cluster of St. Petersburg and Leningrad region in 2013",
        [("St. Petersburg", FEDERAL, "RU-SPE", "RU", "title"), ("Leningrad region", REGION, "RU-LEN", "RU", "title")],
    ),
    (
        "Elaboration of the Program to Support Development of Nuclear Innovation Cluster in the town of Dimitrovgrad for 2013-2020",
        [("Dimitrovgrad", CITY, "RU-ULY", "RU", "title")],
    ),
    (
        "Draft concept of development of shipbuilding cluster in St. Petersburg",
        [("St. Petersburg", FEDERAL, "RU-SPE", "RU", "title")],
    ),
    (
        "Concept of the technology park within the innovation cluster of the Khabarovsk Krai",
        [("Khabarovsk Krai", REGION, "RU-KHA", "RU", "title")],
    ),
    (
        "Scientific and methodological feasibility study for the creation of innovative clusters in the Republic of Kazakhstan",
        [("Republic of Kazakhstan", COUNTRY, None, "KZ", "title")],
    ),
    # the three detail pages the listing does not show
    (
        "Program for Socio-Economic Development of Nikel Urban Type Settlement (Murmansk Oblast)",
        [("Nikel", CITY, "RU-MUR", "RU", "title"), ("Murmansk Oblast", REGION, "RU-MUR", "RU", "title")],
    ),
    (
        # two spellings of one region give one row, the first as written
        "Finalization of the Strategy for Socio-Economic Development of Vologda Oblast until 2020 and Socio-Economic Development of the Vologda region until 2012",
        [("Vologda Oblast", REGION, "RU-VLG", "RU", "title")],
    ),
    (
        "The concept of social and economic development of Leningrad Oblast until 2025",
        [("Leningrad Oblast", REGION, "RU-LEN", "RU", "title")],
    ),
]


@pytest.mark.parametrize("title, expected", CORPUS_TITLES, ids=[title[:60] for title, _ in CORPUS_TITLES])
def test_every_title_of_the_corpus(title, expected):
    places, warnings = places_of(project(title))
    assert summary(places) == expected
    unresolved = [place for place in places if place["region_code"] is None and place["place_kind"] == CITY]
    assert [warning["subject"] for warning in warnings] == [place["place"] for place in unresolved]


CORPUS_DESCRIPTIONS = [
    # Nikel
    (
        "The largest industrial producer in Murmansk Oblast, Cola MMC is part of MMC Norilsk Nikel.",
        # the company's name reads as the settlement: harmless, a description only serves to settle an
        # ambiguous title place, and Nikel is not ambiguous
        [("Murmansk Oblast", REGION, "RU-MUR", "RU"), ("Nikel", CITY, "RU-MUR", "RU")],
    ),
    (
        "Since 1930s one of the divisions of the company is located in Nikel urban type settlement (Pechenga Region, Murmansk Oblast, further Nikel u.t.s) and is the largest employer in the region.",
        [
            ("Nikel", CITY, "RU-MUR", "RU"),
            ("Pechenga Region", DISTRICT, "RU-MUR", "RU"),  # a raion, which the site calls Region
            ("Murmansk Oblast", REGION, "RU-MUR", "RU"),
            ("Nikel", CITY, "RU-MUR", "RU"),
        ],
    ),
    (
        "Program for Socio-economic Development of Nikel urban settlement (Pechenga Region, Murmansk Oblast).",
        [
            ("Nikel", CITY, "RU-MUR", "RU"),
            ("Pechenga Region", DISTRICT, "RU-MUR", "RU"),
            ("Murmansk Oblast", REGION, "RU-MUR", "RU"),
        ],
    ),
    # Vologda
    ("Project originator: Vologda Oblast Administration.", [("Vologda Oblast", REGION, "RU-VLG", "RU")]),
    (
        "Assessment of socio-economic situation in the Vologda region. Identification of the most promising sectors of the post-crisis development the Oblast economy;",
        [("Vologda region", REGION, "RU-VLG", "RU")],
    ),
    (
        "The document was approved by Government of the Vologda region N 739 dated 28.06.2010.",
        [("Vologda region", REGION, "RU-VLG", "RU")],
    ),
    # St. Petersburg shipbuilding
    (
        "Customer:  St. Petersburg’s Committee for Economic Development, Industrial Policy and Trade",
        [("St. Petersburg", FEDERAL, "RU-SPE", "RU")],
    ),
    (
        "To analyze compliance of recruitment needs of St. Petersburg  shipbuilding sector with  capacity of the vocational education system  in St. Petersburg  to train the necessary personnel for the sector.",
        [("St. Petersburg", FEDERAL, "RU-SPE", "RU"), ("St. Petersburg", FEDERAL, "RU-SPE", "RU")],
    ),
    # an island is no place kind of ours
    (
        "in accordance with current plans to create a new shipbuilding complex in the south-western part of the island of Kotlin,",
        [],
    ),
    # Leningrad Oblast
    (
        "Customer: Committee for Economic Development and Investment Activity of Leningrad Oblast",
        [("Leningrad Oblast", REGION, "RU-LEN", "RU")],
    ),
    # Khabarovsk
    ("Customer: Far East Consulting Company", [("Far East", MACRO, None, "RU")]),
    (
        "The most intensive intra-cluster cooperation has been observed in Komsomolsk-on-Amur.",
        [("Komsomolsk-on-Amur", CITY, "RU-KHA", "RU")],
    ),
    # Zheleznogorsk
    (
        "In accordance with the adopted long-term strategy the mission of  the city of Zheleznogorsk is to become the  innovative development  center of  Krasnoyarsk Krai, securing  Russia’s global technological superiority",
        [
            ("Zheleznogorsk", "ambiguous", None, None),
            ("Krasnoyarsk Krai", REGION, "RU-KYA", "RU"),
            ("Russia", COUNTRY, None, "RU"),
        ],
    ),
    (
        "(Deputy Krasnoyarsk Krai Governor Andrei Gnezdilov, source:",
        [("Krasnoyarsk Krai", REGION, "RU-KYA", "RU")],
    ),
    (
        "In June 2012 the Ministry of Economic Development of the Russian Federation decided to include the Innovation Technology Cluster in Zheleznogorsk, Krasnoyarsk Krai, in the list",
        [
            ("Russian Federation", COUNTRY, None, "RU"),
            ("Zheleznogorsk", "ambiguous", None, None),
            ("Krasnoyarsk Krai", REGION, "RU-KYA", "RU"),
        ],
    ),
    # the listing's introduction
    (
        "The Russian Federation has been providing active support to innovative regional clusters since 2011.",
        [("Russian Federation", COUNTRY, None, "RU")],
    ),
    ("opens up new opportunities for Russian regions to enter fast-growing national and global markets", []),
]


@pytest.mark.parametrize("text, expected", CORPUS_DESCRIPTIONS, ids=[text[:60] for text, _ in CORPUS_DESCRIPTIONS])
def test_every_place_in_the_corpus_descriptions(text, expected):
    assert readings(text) == expected


def test_the_snapshot_builds_the_places_of_the_corpus():
    output = build_tables(read_captures(RawStore(ROOT / "raw")))
    by_title = {row["title"]: row["project_id"] for row in output.projects}
    expected = [
        (by_title[title], *place) for title, places in CORPUS_TITLES for place in places
    ]  # CORPUS_TITLES is in the snapshot's row order
    assert [(row["project_id"], *summary([row])[0]) for row in output.places] == expected
    assert [(w["code"], w["subject"]) for w in output.warnings if w["code"] == UNRESOLVED] == [
        (UNRESOLVED, "Zheleznogorsk")
    ]
    assert output.summary()["places"] == 21 and output.summary()["unresolved_places"] == 1
    for row in output.places:
        assert value_errors(row, PLACES) == []


# --- every spelling the site uses (English) --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Strategy of Leningrad Oblast", [("Leningrad Oblast", REGION, "RU-LEN", "RU")]),
        ("Strategy of Leningrad oblast", [("Leningrad oblast", REGION, "RU-LEN", "RU")]),
        ("Strategy of the Leningrad Region", [("Leningrad Region", REGION, "RU-LEN", "RU")]),
        ("Strategy of the Leningrad region", [("Leningrad region", REGION, "RU-LEN", "RU")]),
        ("Park of the Khabarovsk Krai", [("Khabarovsk Krai", REGION, "RU-KHA", "RU")]),
        ("Park of the Khabarovsk Kray", [("Khabarovsk Kray", REGION, "RU-KHA", "RU")]),
        ("Park of the Khabarovsk krai", [("Khabarovsk krai", REGION, "RU-KHA", "RU")]),
        ("Park of the Khabarovsk Territory", [("Khabarovsk Territory", REGION, "RU-KHA", "RU")]),
        ("Concept for the Gatchina Municipality", [("Gatchina Municipality", DISTRICT, "RU-LEN", "RU")]),
        ("Concept for the Gatchina Municipal District", [("Gatchina Municipal District", DISTRICT, "RU-LEN", "RU")]),
        ("Concept for the Gatchinsky District", [("Gatchinsky District", DISTRICT, "RU-LEN", "RU")]),
        ("Cluster in the City of Sarov", [("Sarov", CITY, "RU-NIZ", "RU")]),
        ("Cluster in the city of Sarov", [("Sarov", CITY, "RU-NIZ", "RU")]),
        ("Cluster in the town of Dimitrovgrad", [("Dimitrovgrad", CITY, "RU-ULY", "RU")]),
        ("Cluster in Dimitrovgrad city", [("Dimitrovgrad", CITY, "RU-ULY", "RU")]),
        ("Cluster in Dimitrovgrad", [("Dimitrovgrad", CITY, "RU-ULY", "RU")]),
        ("Program for Nikel Urban Type Settlement", [("Nikel", CITY, "RU-MUR", "RU")]),
        ("Program for Nikel urban-type settlement", [("Nikel", CITY, "RU-MUR", "RU")]),
        ("Parks of the Republic of Karelia", [("Republic of Karelia", REGION, "RU-KR", "RU")]),
        ("Parks of Karelia", [("Karelia", REGION, "RU-KR", "RU")]),
        ("Parks of the Chuvash Republic", [("Chuvash Republic", REGION, "RU-CU", "RU")]),
        ("Roads of the Nenets Autonomous Okrug", [("Nenets Autonomous Okrug", REGION, "RU-NEN", "RU")]),
        ("Roads of the Jewish Autonomous Region", [("Jewish Autonomous Region", REGION, "RU-YEV", "RU")]),
        # a federal city is not the oblast around it
        ("Moscow and Moscow Region", [("Moscow", FEDERAL, "RU-MOW", "RU"), ("Moscow Region", REGION, "RU-MOS", "RU")]),
        ("Shipyards of St. Petersburg", [("St. Petersburg", FEDERAL, "RU-SPE", "RU")]),
        ("Shipyards of St Petersburg", [("St Petersburg", FEDERAL, "RU-SPE", "RU")]),
        ("Shipyards of Saint Petersburg", [("Saint Petersburg", FEDERAL, "RU-SPE", "RU")]),
        ("Shipyards of Saint-Petersburg", [("Saint-Petersburg", FEDERAL, "RU-SPE", "RU")]),
        ("St. Petersburg’s Committee", [("St. Petersburg", FEDERAL, "RU-SPE", "RU")]),
        # ISO lists Sevastopol under no Russian code: its kind is known, its codes are not decided here
        ("Port of Sevastopol", [("Sevastopol", FEDERAL, None, None)]),
        # macro-regions: country RU, no region code
        ("Development of Northern Russia", [("Northern Russia", MACRO, None, "RU")]),
        ("Development of the North-West of Russia", [("North-West of Russia", MACRO, None, "RU")]),
        ("Ports of the Arctic", [("Arctic", MACRO, None, "RU")]),
        ("Ports of the Russian Arctic", [("Russian Arctic", MACRO, None, "RU")]),
        ("Towns of the Northwestern Federal District", [("Northwestern Federal District", MACRO, None, "RU")]),
        # countries
        ("Clusters of Russia and Finland", [("Russia", COUNTRY, None, "RU"), ("Finland", COUNTRY, None, "FI")]),
        ("Clusters in the Republic of Kazakhstan", [("Republic of Kazakhstan", COUNTRY, None, "KZ")]),
        ("Clusters in Kazakhstan", [("Kazakhstan", COUNTRY, None, "KZ")]),
        # the place word is not enough: a name must stand before or after it
        ("Development of the region", []),
        ("Cluster in the city", []),
        ("Regional Development Strategies", []),
        # capitalised words that are no place
        ("Program to Support Development the Medical, Pharmaceutical and Radiation Technology Cluster", []),
    ],
)
def test_english_spellings(text, expected):
    assert readings(text) == expected


# --- Russian in every grammatical case (written by hand, not generated) ----------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # Ленинградская область: nominative, genitive, dative, accusative, instrumental, prepositional
        ("Ленинградская область", ("Ленинградская область", REGION, "RU-LEN")),
        ("развитие Ленинградской области", ("Ленинградской области", REGION, "RU-LEN")),
        ("по Ленинградской области", ("Ленинградской области", REGION, "RU-LEN")),
        ("на Ленинградскую область", ("Ленинградскую область", REGION, "RU-LEN")),
        ("с Ленинградской областью", ("Ленинградской областью", REGION, "RU-LEN")),
        ("в Ленинградской области", ("Ленинградской области", REGION, "RU-LEN")),
        # Хабаровский край
        ("Хабаровский край", ("Хабаровский край", REGION, "RU-KHA")),
        ("кластер Хабаровского края", ("Хабаровского края", REGION, "RU-KHA")),
        ("по Хабаровскому краю", ("Хабаровскому краю", REGION, "RU-KHA")),
        ("с Хабаровским краем", ("Хабаровским краем", REGION, "RU-KHA")),
        ("в Хабаровском крае", ("Хабаровском крае", REGION, "RU-KHA")),
        # Саров, alone and after город / г.
        ("Саров", ("Саров", CITY, "RU-NIZ")),
        ("кластер Сарова", ("Сарова", CITY, "RU-NIZ")),
        ("по Сарову", ("Сарову", CITY, "RU-NIZ")),
        ("над Саровом", ("Саровом", CITY, "RU-NIZ")),
        ("в Сарове", ("Сарове", CITY, "RU-NIZ")),
        ("в городе Сарове", ("Сарове", CITY, "RU-NIZ")),
        ("в ядерном городе Сарове", ("Сарове", CITY, "RU-NIZ")),
        ("в г. Саров", ("Саров", CITY, "RU-NIZ")),
        ("в г.Саров", ("Саров", CITY, "RU-NIZ")),
        # Гатчинский муниципальный район
        ("Гатчинский муниципальный район", ("Гатчинский муниципальный район", DISTRICT, "RU-LEN")),
        ("в границах Гатчинского муниципального района", ("Гатчинского муниципального района", DISTRICT, "RU-LEN")),
        ("по Гатчинскому муниципальному району", ("Гатчинскому муниципальному району", DISTRICT, "RU-LEN")),
        ("в Гатчинском муниципальном районе", ("Гатчинском муниципальном районе", DISTRICT, "RU-LEN")),
        ("в Гатчинском районе", ("Гатчинском районе", DISTRICT, "RU-LEN")),
        ("в Гатчине", ("Гатчине", CITY, "RU-LEN")),
        # Республика Карелия: the name stays in the nominative after Республика, or is declined alone
        ("Республика Карелия", ("Республика Карелия", REGION, "RU-KR")),
        ("парки Республики Карелия", ("Республики Карелия", REGION, "RU-KR")),
        ("в Республике Карелия", ("Республике Карелия", REGION, "RU-KR")),
        ("с Республикой Карелия", ("Республикой Карелия", REGION, "RU-KR")),
        ("в Карелии", ("Карелии", REGION, "RU-KR")),
        ("Чувашской Республики", ("Чувашской Республики", REGION, "RU-CU")),
        ("Республики Саха (Якутия)", ("Республики Саха", REGION, "RU-SA")),
        ("в Ханты-Мансийском автономном округе — Югре", ("Ханты-Мансийском автономном округе", REGION, "RU-KHM")),
        # federal cities
        ("Санкт-Петербург", ("Санкт-Петербург", FEDERAL, "RU-SPE")),
        ("кластер Санкт-Петербурга", ("Санкт-Петербурга", FEDERAL, "RU-SPE")),
        ("в Санкт-Петербурге", ("Санкт-Петербурге", FEDERAL, "RU-SPE")),
        ("в Петербурге", ("Петербурге", FEDERAL, "RU-SPE")),
        ("в Москве", ("Москве", FEDERAL, "RU-MOW")),
        ("Московской области", ("Московской области", REGION, "RU-MOS")),
        # other cities of the alias file, declined
        ("в Мурманске", ("Мурманске", CITY, "RU-MUR")),
        ("в Димитровграде", ("Димитровграде", CITY, "RU-ULY")),
        ("в Великом Новгороде", ("Великом Новгороде", CITY, "RU-NGR")),
        ("в Нижнем Новгороде", ("Нижнем Новгороде", CITY, "RU-NIZ")),
        ("в Комсомольске-на-Амуре", ("Комсомольске-на-Амуре", CITY, "RU-KHA")),
        ("в Никеле", ("Никеле", CITY, "RU-MUR")),
        ("в Печенгском районе", ("Печенгском районе", DISTRICT, "RU-MUR")),
        # abbreviations
        ("в Мурманской обл.", ("Мурманской обл.", REGION, "RU-MUR")),
        ("Печенгский р-н", ("Печенгский р-н", DISTRICT, "RU-MUR")),
        ("в пгт Никель", ("Никель", CITY, "RU-MUR")),
        ("в пос. Никель", ("Никель", CITY, "RU-MUR")),
        # macro-regions and countries
        ("Северо-Запада России", ("Северо-Запада России", MACRO, None)),
        ("в Арктической зоне России", ("Арктической зоне России", MACRO, None)),
        ("Северо-Западного федерального округа", ("Северо-Западного федерального округа", MACRO, None)),
        ("в Республике Казахстан", ("Республике Казахстан", COUNTRY, None)),
        ("в Финляндии", ("Финляндии", COUNTRY, None)),
    ],
)
def test_russian_in_every_case(text, expected):
    assert readings(text, "ru")[:1] == [(*expected, RU_COUNTRY.get(expected[0], "RU"))]


RU_COUNTRY = {"Финляндии": "FI", "Республике Казахстан": "KZ"}


# Each federal subject's Russian name in the nominative: ISO's romanised name (pycountry) is met through
# transliteration, so every subject is found in every case without a Russian name of ours.
RUSSIAN_NAMES = {
    "RU-AD": "Республика Адыгея",
    "RU-AL": "Республика Алтай",
    "RU-ALT": "Алтайский край",
    "RU-AMU": "Амурская область",
    "RU-ARK": "Архангельская область",
    "RU-AST": "Астраханская область",
    "RU-BA": "Республика Башкортостан",
    "RU-BEL": "Белгородская область",
    "RU-BRY": "Брянская область",
    "RU-BU": "Республика Бурятия",
    "RU-CE": "Чеченская Республика",
    "RU-CHE": "Челябинская область",
    "RU-CHU": "Чукотский автономный округ",
    "RU-CU": "Чувашская Республика",
    "RU-DA": "Республика Дагестан",
    "RU-IN": "Республика Ингушетия",
    "RU-IRK": "Иркутская область",
    "RU-IVA": "Ивановская область",
    "RU-KAM": "Камчатский край",
    "RU-KB": "Кабардино-Балкарская Республика",
    "RU-KC": "Карачаево-Черкесская Республика",
    "RU-KDA": "Краснодарский край",
    "RU-KEM": "Кемеровская область",
    "RU-KGD": "Калининградская область",
    "RU-KGN": "Курганская область",
    "RU-KHA": "Хабаровский край",
    "RU-KHM": "Ханты-Мансийский автономный округ",
    "RU-KIR": "Кировская область",
    "RU-KK": "Республика Хакасия",
    "RU-KL": "Республика Калмыкия",
    "RU-KLU": "Калужская область",
    "RU-KO": "Республика Коми",
    "RU-KOS": "Костромская область",
    "RU-KR": "Республика Карелия",
    "RU-KRS": "Курская область",
    "RU-KYA": "Красноярский край",
    "RU-LEN": "Ленинградская область",
    "RU-LIP": "Липецкая область",
    "RU-MAG": "Магаданская область",
    "RU-ME": "Республика Марий Эл",
    "RU-MO": "Республика Мордовия",
    "RU-MOS": "Московская область",
    "RU-MOW": "Москва",
    "RU-MUR": "Мурманская область",
    "RU-NEN": "Ненецкий автономный округ",
    "RU-NGR": "Новгородская область",
    "RU-NIZ": "Нижегородская область",
    "RU-NVS": "Новосибирская область",
    "RU-OMS": "Омская область",
    "RU-ORE": "Оренбургская область",
    "RU-ORL": "Орловская область",
    "RU-PER": "Пермский край",
    "RU-PNZ": "Пензенская область",
    "RU-PRI": "Приморский край",
    "RU-PSK": "Псковская область",
    "RU-ROS": "Ростовская область",
    "RU-RYA": "Рязанская область",
    "RU-SA": "Республика Саха",
    "RU-SAK": "Сахалинская область",
    "RU-SAM": "Самарская область",
    "RU-SAR": "Саратовская область",
    "RU-SE": "Республика Северная Осетия",
    "RU-SMO": "Смоленская область",
    "RU-SPE": "Санкт-Петербург",
    "RU-STA": "Ставропольский край",
    "RU-SVE": "Свердловская область",
    "RU-TA": "Республика Татарстан",
    "RU-TAM": "Тамбовская область",
    "RU-TOM": "Томская область",
    "RU-TUL": "Тульская область",
    "RU-TVE": "Тверская область",
    "RU-TY": "Республика Тыва",
    "RU-TYU": "Тюменская область",
    "RU-UD": "Удмуртская Республика",
    "RU-ULY": "Ульяновская область",
    "RU-VGG": "Волгоградская область",
    "RU-VLA": "Владимирская область",
    "RU-VLG": "Вологодская область",
    "RU-VOR": "Воронежская область",
    "RU-YAN": "Ямало-Ненецкий автономный округ",
    "RU-YAR": "Ярославская область",
    "RU-YEV": "Еврейская автономная область",
    "RU-ZAB": "Забайкальский край",
}

_GENITIVE_ENDINGS = [
    ("ская", "ской"),
    ("цкая", "цкой"),
    ("ная", "ной"),
    ("кий", "кого"),
    ("ный", "ного"),
    ("ь", "и"),
    ("й", "я"),
    ("ва", "вы"),
    ("ка", "ки"),
    ("г", "га"),
]


def genitive(name):
    """The genitive of a subject's name by the plain textbook endings (independent of pymorphy3); a name
    after Республика stays in the nominative, as Russian writes it."""
    words = name.split()
    out = []
    for index, word in enumerate(words):
        if index > 0 and words[0] == "Республика":
            out.append(word)
            continue
        for ending, replacement in _GENITIVE_ENDINGS:
            if word.endswith(ending):
                word = word[: -len(ending)] + replacement
                break
        out.append(word)
    return " ".join(out)


def test_the_russian_names_cover_every_iso_subject():
    assert sorted(RUSSIAN_NAMES) == [code for code, _, _ in ru_subdivisions()]
    assert genitive("Ленинградская область") == "Ленинградской области"
    assert genitive("Чукотский автономный округ") == "Чукотского автономного округа"
    assert genitive("Республика Марий Эл") == "Республики Марий Эл"


@pytest.mark.parametrize("code", sorted(RUSSIAN_NAMES))
def test_every_federal_subject_in_russian_nominative_and_genitive(code):
    name = RUSSIAN_NAMES[code]
    for text in (name, f"Стратегия развития {genitive(name)} до 2030 года"):
        found = find_places(text, "ru")
        assert [[entry.region_code for entry in f.entries] for f in found][:1] == [[code]], text


@pytest.mark.parametrize("code", sorted(RUSSIAN_NAMES))
def test_every_federal_subject_in_english(code):
    name = region_names()[code]
    assert [[entry.region_code for entry in f.entries] for f in find_places(f"Strategy of {name}", "en")] == [[code]]


# --- an ambiguous name is never guessed --------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, description, language, expected",
    [
        # the title alone does not say
        ("Cluster in Zheleznogorsk", None, "en", [("Zheleznogorsk", CITY, None, "RU", "title")]),
        ("Кластер в Железногорске", None, "ru", [("Железногорске", CITY, None, "RU", "title")]),
        # a region named in the title settles it
        (
            "Cluster in Zheleznogorsk (Krasnoyarsk Krai)",
            None,
            "en",
            [("Zheleznogorsk", CITY, "RU-KYA", "RU", "title"), ("Krasnoyarsk Krai", REGION, "RU-KYA", "RU", "title")],
        ),
        (
            "Кластер в Железногорске Курской области",
            None,
            "ru",
            [("Железногорске", CITY, "RU-KRS", "RU", "title"), ("Курской области", REGION, "RU-KRS", "RU", "title")],
        ),
        # … or in the description; the place still comes from the title
        (
            "Cluster in Zheleznogorsk",
            "The mission of the city is to become the innovative center of Krasnoyarsk Krai.",
            "en",
            [("Zheleznogorsk", CITY, "RU-KYA", "RU", "title")],
        ),
        (
            "Cluster in Zheleznogorsk",
            "The iron ore plant of Kursk Oblast.",
            "en",
            [("Zheleznogorsk", CITY, "RU-KRS", "RU", "title")],
        ),
        # ZATO (a closed town): the Krasnoyarsk Zheleznogorsk, as the alias file documents
        ("Cluster of ZATO Zheleznogorsk", None, "en", [("Zheleznogorsk", CITY, "RU-KYA", "RU", "title")]),
        ("Кластер ЗАТО Железногорск", None, "ru", [("Железногорск", CITY, "RU-KYA", "RU", "title")]),
        # both regions named: still not guessed
        (
            "Cluster in Zheleznogorsk",
            "Compared with Krasnoyarsk Krai and Kursk Oblast.",
            "en",
            [("Zheleznogorsk", CITY, None, "RU", "title")],
        ),
        # a region that is neither candidate settles nothing
        (
            "Cluster in Zheleznogorsk",
            "Experience of Murmansk Oblast.",
            "en",
            [("Zheleznogorsk", CITY, None, "RU", "title")],
        ),
        # Kirovsk: Murmansk Oblast or Leningrad Oblast
        ("Mines of Kirovsk", None, "en", [("Kirovsk", CITY, None, "RU", "title")]),
        (
            "Mines of Kirovsk",
            "Apatite mining in the Murmansk region.",
            "en",
            [("Kirovsk", CITY, "RU-MUR", "RU", "title")],
        ),
    ],
)
def test_an_ambiguous_name_is_resolved_only_from_the_projects_own_words(title, description, language, expected):
    places, warnings = places_of(project(title, language, description=description))
    assert summary(places) == expected
    unresolved = [place["place"] for place in places if place["region_code"] is None]
    assert [(w["code"], w["subject"], w["project_id"]) for w in warnings] == [
        (UNRESOLVED, place, "title/x") for place in unresolved
    ]
    for warning in warnings:
        assert "the project's words do not say which" in warning["message"]
    if unresolved and "Zheleznogorsk" in unresolved[0]:
        assert "may be in Krasnoyarsk Krai (RU-KYA) or Kursk Oblast (RU-KRS)" in warnings[0]["message"]


# --- the customer line, for a title that names no place ----------------------------------------------------


@pytest.mark.parametrize(
    "row, expected",
    [
        (
            project("Recommendations to the managing company", customer="Vologda Oblast Administration"),
            [("Vologda Oblast", REGION, "RU-VLG", "RU", "description")],
        ),
        (
            project(
                "Recommendations to the managing company",
                description="Developer: CSR North-West\nProject originator: Vologda Oblast Administration.\nMore text",
            ),
            [("Vologda Oblast", REGION, "RU-VLG", "RU", "description")],
        ),
        (
            project(
                "The concept of social and economic development",
                description="Customer: Committee for Economic Development and Investment Activity of Leningrad Oblast",
            ),
            [("Leningrad Oblast", REGION, "RU-LEN", "RU", "description")],
        ),
        (
            project(
                "Концепция развития",
                "ru",
                description="Заказчик: Комитет экономического развития и инвестиционной деятельности Ленинградской области",
            ),
            [("Ленинградской области", REGION, "RU-LEN", "RU", "description")],
        ),
        # the customer column wins over the description's line
        (
            project(
                "Concept", customer="St. Petersburg’s Committee", description="Customer: Government of Murmansk Oblast"
            ),
            [("St. Petersburg", FEDERAL, "RU-SPE", "RU", "description")],
        ),
        # a title that names a place: the customer line is not read
        (
            project("Cluster in the City of Sarov", customer="Government of Murmansk Oblast"),
            [("Sarov", CITY, "RU-NIZ", "RU", "title")],
        ),
        # and the rest of the description is never a source
        (project("Recommendations", description="Work in Murmansk Oblast and Kursk Oblast."), []),
        (project("Recommendations", description="Originator: Kola Mining and Metallurgical Co. (Kola MMC)"), []),
    ],
)
def test_the_customer_line_for_a_title_without_places(row, expected):
    places, _ = places_of(row)
    assert summary(places) == expected


def test_customer_line():
    assert customer_line(project("x", customer="Acme")) == "Acme"
    assert customer_line(project("x", description="Aim: y\n  Originator:  Kola MMC  \nz")) == "Kola MMC"
    assert customer_line(project("x", "ru", description="Заказчик проекта: Администрация")) == "Администрация"
    assert customer_line(project("x", description="The customer: said so")) is None
    assert customer_line(project("x")) is None


# --- unresolved places ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, language, place, kind",
    [
        ("Strategy of Foobar Oblast", "en", "Foobar Oblast", REGION),
        ("Strategy of the Foobar region", "en", "Foobar region", REGION),
        ("Cluster in the town of Foobar", "en", "Foobar", CITY),
        ("Plan for the Foobar Municipality", "en", "Foobar Municipality", DISTRICT),
        ("Стратегия Энской области", "ru", "Энской области", REGION),
        ("Кластер в городе Энске", "ru", "Энске", CITY),
        ("Развитие Энского муниципального района", "ru", "Энского муниципального района", DISTRICT),
    ],
)
def test_a_place_like_phrase_that_matches_nothing_is_kept_and_warned_about(title, language, place, kind):
    places, warnings = places_of(project(title, language, project_id="2015/p"))
    assert summary(places) == [(place, kind, None, None, "title")]
    [warning] = warnings
    assert (warning["code"], warning["subject"], warning["project_id"], warning["language"]) == (
        UNRESOLVED,
        place,
        "2015/p",
        language,
    )
    assert "matches no known place" in warning["message"]
    assert value_errors(warning, WARNINGS) == []


def test_a_capitalised_name_alone_that_matches_nothing_is_no_place():
    assert places_of(project("Cluster Program of Foobar and Bazqux")) == ([], [])
    assert places_of(project("Программа Фубар и Базкукс", "ru")) == ([], [])


# --- rows: order, duplicates, schema ---------------------------------------------------------------------------


def test_places_keep_the_titles_order_and_one_row_per_place():
    places, _ = places_of(project("Moscow Region, St. Petersburg, Moscow, the Moscow region and St Petersburg"))
    assert [(row["place"], row["region_code"]) for row in places] == [
        ("Moscow Region", "RU-MOS"),
        ("St. Petersburg", "RU-SPE"),
        ("Moscow", "RU-MOW"),
    ]


def test_places_for_takes_rows_in_order_and_gives_valid_rows():
    rows = [
        project("Cluster in Zheleznogorsk", project_id="a"),
        project("Recommendations", project_id="b"),
        project("Кластер в Сарове", "ru", project_id="c"),
    ]
    places, warnings = places_for(rows)
    assert [(row["project_id"], row["place"]) for row in places] == [("a", "Zheleznogorsk"), ("c", "Сарове")]
    assert [warning["project_id"] for warning in warnings] == ["a"]
    assert all(value_errors(row, PLACES) == [] for row in places)
    assert places[1]["region_name"] == "Nizhny Novgorod Oblast"  # always English


# --- the alias table -----------------------------------------------------------------------------------------


def test_the_alias_table_is_well_formed():
    rows = alias_rows()
    iso = {code for code, _, _ in ru_subdivisions()}
    assert len(rows) > 100
    for row in rows:
        assert row.language in ("en", "ru"), row
        assert row.kind in PLACE_KINDS, row
        assert row.region_code is None or row.region_code in iso, row
        if row.kind in ("city", "district", "region"):
            assert row.region_code and row.country_code == "RU", row
        if row.kind in ("macro_region", "country"):
            assert row.region_code is None, row
    assert sorted(region_names()) == sorted(iso), "every ISO 3166-2:RU code needs an English name"
    assert region_names()["RU-KYA"] == "Krasnoyarsk Krai" and region_names()["RU-SPE"] == "Saint Petersburg"


def test_the_alias_table_reads_comments_and_clues():
    rows = read_alias_table(
        "# a comment\nname,language,kind,region_code,country_code,clue\n# another\nA,en,city,RU-X,RU,P|Q\n"
    )
    assert [(row.name, row.region_code, row.clues) for row in rows] == [("A", "RU-X", ("P", "Q"))]


def test_the_alias_table_ships_with_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "data/*.csv" in config["tool"]["setuptools"]["package-data"]["pipeline"]
    assert (ROOT / "pipeline" / "data" / "places.csv").is_file()


# --- the hand-made Russian rendering of the seed listing -------------------------------------------------


def build_listing(body: bytes, url: str):
    page = load_page(body, "text/plain", url, source_sha256=sha256_hex(body), kind="listing")
    return process_pages([page])


@pytest.fixture(scope="module")
def listings():
    store = RawStore(ROOT / "raw")
    capture = store.get(EN_LISTING_URL)
    assert capture is not None
    english = build_listing(store.read(capture), EN_LISTING_URL)
    russian = build_listing(RU_LISTING.read_bytes(), RU_LISTING_URL)
    return english, russian


def places_by_project(output):
    rows = {row["project_id"]: [] for row in output.projects}
    for place in output.places:
        rows[place["project_id"]].append((place["place_kind"], place["region_code"], place["country_code"]))
    return [rows[row["project_id"]] for row in output.projects]


def test_the_russian_listing_parses_like_the_english_one(listings):
    english, russian = listings
    assert len(russian.projects) == len(english.projects) == 17
    assert russian.rejects == []
    assert {row["language"] for row in russian.projects} == {"ru"}
    columns = ("listing_section", "status", "start_date", "end_date", "open_ended")
    assert [[row[c] for c in columns] for row in russian.projects] == [
        [row[c] for c in columns] for row in english.projects
    ]
    assert [w["code"] for w in russian.warnings] == [w["code"] for w in english.warnings]


def test_every_russian_project_has_the_places_of_its_english_original(listings):
    english, russian = listings
    assert places_by_project(russian) == places_by_project(english)
    assert sum(map(len, places_by_project(russian))) == 17
    assert russian.summary()["unresolved_places"] == english.summary()["unresolved_places"] == 1


def test_the_russian_listing_places_as_written(listings):
    _, russian = listings
    assert [row["place"] for row in russian.places] == [
        "Железногорске",
        "Красноярский край",
        "Димитровграде",
        "Сарове",
        "Хабаровского края",
        "Ленинградской области",
        "Гатчинского муниципального района",
        "Ленинградской области",
        "Железногорске",  # in the city of Zheleznogorsk, nothing more: unresolved in both languages
        "Сарове",
        "Димитровграда",
        "Санкт-Петербурга",
        "Ленинградской области",
        "Димитровграде",
        "Санкт-Петербурге",
        "Хабаровского края",
        "Республике Казахстан",
    ]
