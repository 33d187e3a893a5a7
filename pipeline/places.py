"""Places: where each project happened, read from its title in English or Russian.

Pure functions: a projects row in, its `project_places` rows and `unresolved-place`
warnings out. What is read:

- **The title.** Every place it names, in the order it names them: a name with a
  kind word (`Leningrad Oblast`, `the Leningrad region`, `Khabarovsk Krai`/`Kray`,
  `Republic of Karelia`, `Gatchina Municipality`, `the City of Sarov`, `town of
  Dimitrovgrad`, `Nikel Urban Type Settlement`; `Ленинградской области`,
  `Хабаровского края`, `в городе Сарове`, `г. Саров`, `Гатчинского муниципального
  района`, `Республике Карелия`) or a known name alone (`Zheleznogorsk`,
  `St. Petersburg`, `Санкт-Петербурга`, `Kazakhstan`, `Northern Russia`). Russian
  words are compared by their lemma (pymorphy3), so every grammatical case matches.
- **The customer line**, only for a project whose title names no place: the row's
  `customer`, or else the first `Customer:`, `Originator:`, `Project originator:`,
  `Client:` or `Заказчик:` line of its description (a small fallback for rows
  built before the `customer` column was filled). Those places have source
  `description`.
- **The description** only to resolve an ambiguous name: `Zheleznogorsk` is in
  Krasnoyarsk Krai and in Kursk Oblast, so it is resolved only when the project's
  own title or description names exactly one of those regions (or a clue the alias
  file gives for one of them, such as `ZATO`). Otherwise nothing is guessed.

Where the facts come from: region codes, and the romanised and (partly) Russian
names of the federal subjects, from `pycountry` (ISO 3166-2:RU); country codes
and names from `pycountry` (ISO 3166-1, with its Russian translations); the rest,
English names of the federal subjects, cities, districts, macro-regions and other
spellings, from the one alias file `pipeline/data/places.csv`. Russian text is
matched to ISO's romanised names by transliterating its lemmas the way ISO
romanises (BGN/PCGN), so `Вологодской области` finds `Vologodskaya oblast'`.

A place-like phrase (a name with a kind word) that matches nothing, and an
ambiguous name the project's words do not settle, are kept with null region codes
and each gives one `unresolved-place` warning. A name alone that matches nothing
is no place at all (`Cluster`, `Program`).

Cost: the tables load once, on first use (pymorphy3 and the Russian tables only
when a Russian row comes); the lemmas of a word are cached, so a large build
lemmatises each distinct word once.
"""

from __future__ import annotations

import csv
import gettext
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any, NamedTuple

from .schema import PLACES, WARNINGS, Row

ALIAS_FILE = "data/places.csv"
"""The alias table, inside the `pipeline` package."""

UNRESOLVED = "unresolved-place"
"""Warning code for a place kept with null codes."""


@dataclass(frozen=True)
class Entry:
    """One known place: what a name may stand for."""

    name: str
    kind: str
    region_code: str | None
    country_code: str | None
    clues: tuple[str, ...] = ()

    @cached_property
    def identity(self) -> tuple[str, str | None, str | None, str]:
        """Two mentions of the same place (`Vologda Oblast`, `the Vologda region`) give one row."""
        by_code = self.kind in ("region", "federal_city", "country") and (self.region_code or self.country_code)
        return (self.kind, self.region_code, self.country_code, "" if by_code else self.name.casefold())


class Found(NamedTuple):
    """A place named in a text: where, as written, what its wording says it is, and what it may be.
    (A named tuple: a large build makes one for every place of every title.)"""

    start: int
    end: int
    """Character span of the whole phrase (kind words included), for choosing between overlapping readings."""
    text: str
    """The place as written (a `city of`/`город` before it left out)."""
    kind: str | None
    """What the wording says (`region` for `… Oblast`), or None for a known name alone."""
    entries: tuple[Entry, ...]
    """Every known place the words may mean; empty when they match nothing."""


# -- the text: words and where they stand --------------------------------------------------------------------

_TOKEN = re.compile(r"((?:St|Ste|г|пос|обл)\.|[^\W\d_]+(?:[-‐'’](?![sS]\b)[^\W\d_]+)*)")
"""A word (hyphens and apostrophes inside it, a possessive `'s` left out), or an abbreviation with its dot;
captured, so that `split` gives gaps and words in turn."""


class _Words:
    """The words of a text, and which of them stand in one phrase."""

    __slots__ = ("_offsets", "joined", "parts", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        normal = text.translate(_NORMAL) if "’" in text or "ё" in text or "Ё" in text else text
        # gap, word, gap, word, …, gap: `split` is the cheapest way to the words and what stands between them
        self.parts = _TOKEN.split(normal)
        self.words: list[str] = self.parts[1::2]
        # joined[i]: word i and word i+1 stand in one phrase (only spaces, or nothing after a dot, between them)
        self.joined: list[bool] = [
            gap == " " or (gap.isspace() if gap else word[-1] == ".")
            for word, gap in zip(self.words, self.parts[2:-1:2], strict=False)  # n words, n - 1 gaps
        ]
        self.joined.append(False)
        self._offsets: list[int] | None = None

    @classmethod
    def of(cls, text: str) -> _Words:
        """The words of a text; `’` is read as `'` and `ё` as `е` (the text itself is kept as written)."""
        return cls(text)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span of words first..last."""
        if self._offsets is None:
            self._offsets = [0, *itertools.accumulate(map(len, self.parts))]
        return self._offsets[2 * first + 1], self._offsets[2 * last + 2]

    def phrase(self, first: int, last: int) -> str:
        start, end = self.span(first, last)
        return self.text[start:end]

    def run_before(self, index: int, limit: int, accept: Any) -> list[int]:
        """Indexes of the words just before `index` that `accept` takes, nearest last, at most `limit`."""
        run: list[int] = []
        i = index - 1
        while i >= 0 and len(run) < limit and self.joined[i] and accept(i):
            run.insert(0, i)
            i -= 1
        return run

    def run_after(self, index: int, limit: int, accept: Any) -> list[int]:
        run: list[int] = []
        i = index + 1
        while i < len(self.words) and len(run) < limit and self.joined[i - 1] and accept(i):
            run.append(i)
            i += 1
        return run

    def capitalised(self, i: int) -> bool:
        return self.words[i][0].isupper()


_NORMAL = str.maketrans({"’": "'", "ё": "е", "Ё": "Е"})


def _fold(word: str) -> str:
    """Key for comparing a word: casefolded, `’` as `'`, `ё` as `е` (the same length as the word)."""
    return word.translate(_NORMAL).casefold()


# -- the tables ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AliasRow:
    name: str
    language: str
    kind: str
    region_code: str | None
    country_code: str | None
    clues: tuple[str, ...]

    def entry(self) -> Entry:
        return Entry(self.name, self.kind, self.region_code, self.country_code, self.clues)


def read_alias_table(text: str) -> list[_AliasRow]:
    """The alias file's rows: `#` lines are comments, the first other line the header."""
    lines = (line for line in io.StringIO(text) if line.strip() and not line.lstrip().startswith("#"))
    rows = []
    for record in csv.DictReader(lines):
        rows.append(
            _AliasRow(
                name=record["name"].strip(),
                language=record["language"].strip(),
                kind=record["kind"].strip(),
                region_code=record["region_code"].strip() or None,
                country_code=record["country_code"].strip() or None,
                clues=tuple(clue.strip() for clue in (record["clue"] or "").split("|") if clue.strip()),
            )
        )
    return rows


@cache
def alias_rows() -> tuple[_AliasRow, ...]:
    return tuple(read_alias_table(resources.files("pipeline").joinpath(ALIAS_FILE).read_text(encoding="utf-8")))


@cache
def ru_subdivisions() -> tuple[tuple[str, str, str], ...]:
    """(code, ISO romanised name, ISO type) of every Russian federal subject, from pycountry."""
    import pycountry

    return tuple(sorted((s.code, s.name, s.type) for s in pycountry.subdivisions if s.country_code == "RU"))


@cache
def region_names() -> dict[str, str]:
    """ISO 3166-2 code → the English name published as `region_name` (the alias file's first for the code)."""
    names: dict[str, str] = {}
    for row in alias_rows():
        if row.language == "en" and row.kind in ("region", "federal_city") and row.region_code:
            names.setdefault(row.region_code, row.name)
    return names


def _add(index: dict[tuple[str, ...], list[Entry]], key: tuple[str, ...], entry: Entry) -> None:
    entries = index.setdefault(key, [])
    if entry.identity not in {known.identity for known in entries} or entry.clues:
        entries.append(entry)


# English: a region's kind word follows its name (`Leningrad Oblast`) or, for a republic, may precede it.
_EN_SUBJECT_WORDS = {"oblast", "region", "krai", "kray", "territory", "okrug", "province"}
_EN_DISTRICT_WORDS = {"municipality", "district", "raion", "rayon"}
_EN_CITY_AFTER = {"city", "town", "settlement", "village"}
_EN_CITY_BEFORE = {"city", "town", "village", "settlement"}
_EN_BEFORE_OF = _EN_CITY_BEFORE | {"republic"}
_EN_AFTER_NAME = _EN_SUBJECT_WORDS | _EN_DISTRICT_WORDS | _EN_CITY_AFTER | {"republic"}
_EN_SKIP_BEFORE_KIND = {"autonomous", "municipal", "urban", "type", "urban-type"}
"""Words between a name and its kind word that belong to the kind (`Nenets Autonomous Okrug`,
`Gatchina Municipal District`, `Nikel Urban Type Settlement`)."""


@dataclass
class _EnglishTables:
    bare: dict[tuple[str, ...], list[Entry]]
    """Names that stand alone: cities, federal cities, macro-regions, countries, bare republic names."""
    subject: dict[tuple[str, ...], list[Entry]]
    """Stems of oblasts, krais and okrugs (`leningrad`), matched with any subject kind word."""
    republic: dict[tuple[str, ...], list[Entry]]
    district: dict[tuple[str, ...], list[Entry]]
    bare_firsts: dict[str, int] = field(default_factory=dict)


def _en_key(name: str) -> tuple[str, ...]:
    return tuple(_fold(word) for word in _Words.of(name).words)


def _en_stem(key: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """(`subject`, `republic` or `district`, the name without its kind words), or None for a name alone."""
    if len(key) > 2 and key[:2] == ("republic", "of"):
        return "republic", key[2:]
    if len(key) > 1 and key[-1] == "republic":
        return "republic", key[:-1]
    if len(key) > 1 and key[-1] in _EN_SUBJECT_WORDS:
        stem = key[:-1]
        if stem[-1] == "autonomous" and len(stem) > 1:
            stem = stem[:-1]
        return "subject", stem
    if len(key) > 1 and key[-1] in _EN_DISTRICT_WORDS:
        stem = key[:-1]
        if stem[-1] == "municipal" and len(stem) > 1:
            stem = stem[:-1]
        return "district", stem
    return None


@cache
def english_tables() -> _EnglishTables:
    import pycountry

    tables = _EnglishTables({}, {}, {}, {})
    for row in alias_rows():
        if row.language != "en":
            continue
        key = _en_key(row.name)
        stem = _en_stem(key) if row.kind in ("region", "district") else None
        if stem is None:
            _add(tables.bare, key, row.entry())
        else:
            _add(getattr(tables, stem[0]), stem[1], row.entry())
    for country in pycountry.countries:
        entry = Entry(country.name, "country", None, country.alpha_2)
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name:
                _add(tables.bare, _en_key(name), entry)
    tables.bare_firsts = _first_words(tables.bare)
    return tables


# Russian: lemmas (pymorphy3), transliterated as ISO romanises Russian names, so both meet.

_RU_KIND_LEMMAS = {
    "область": ("subject", "oblast"),
    "край": ("subject", "kray"),
    "округ": ("subject", "okrug"),
    "республика": ("republic", "respublika"),
    "район": ("district", "rayon"),
    "обл": ("subject", "oblast"),  # `Мурманская обл.`
    "р-н": ("district", "rayon"),  # `Печенгский р-н`
}
_RU_CITY_LEMMAS = {"город", "г", "поселок", "пгт", "пос", "село", "деревня"}
_RU_CONNECTORS = {"автономный", "муниципальный", "городской", "федеральный"}
"""Lower-case words that may stand inside a region's name (`Ханты-Мансийского автономного округа`)."""
_RU_DROPPED = {"munitsipalnyy"}
"""Words left out of a key: `Гатчинский муниципальный район` is `Гатчинский район`."""
_RU_MAYBE_KIND = re.compile(
    r"^(?:област|обл\.?$|р-н$|кра[йяюеи]|краем|округ|республик|район|город|г\.?$|пгт|пос|посел|посёл|сел[оаеу]|деревн"
    r"|автономн|муниципальн|городск|федеральн)",
    re.IGNORECASE,
)
"""Lower-case words worth lemmatising: those that may be a kind word or a connector. Capitalised words are
always lemmatised (they may be names); other lower-case words never are."""

_ROMAN = {
    **dict(zip("абвгдезийклмнопрстуфыэ", "abvgdeziyklmnoprstufye", strict=True)),
    **{"ж": "zh", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ю": "yu", "я": "ya", "ъ": "", "ь": ""},
}
_VOWELS = set("аеёиоуыэюяъь")
_ADJECTIVE_ENDINGS = ("aya", "iy", "yy", "oy")


@lru_cache(maxsize=65536)
def romanise(lemma: str) -> str:
    """A Russian word in ISO 3166-2:RU's romanisation (BGN/PCGN), apostrophes for soft signs left out."""
    out = []
    previous = ""
    for char in lemma.casefold().replace("ё", "е"):
        if char == "е" and (not previous or previous in _VOWELS or not previous.isalpha()):
            out.append("ye")
        else:
            out.append(_ROMAN.get(char, char))
        previous = char
    return "".join(out)


def _stem(word: str) -> str:
    """A romanised word without its adjective ending, so `Leningradskaya` (ISO) meets `ленинградский` (lemma)."""
    for ending in _ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _iso_words(name: str) -> list[str]:
    """ISO's romanised name as words: `Kareliya, Respublika` → kareliya, respublika."""
    return [word.replace("'", "") for word in name.casefold().replace(",", " ").split()]


def _phrase_key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(_stem(word) for word in words if word not in _RU_DROPPED))


_ANALYZER: Any = None


def _analyzer() -> Any:
    global _ANALYZER
    if _ANALYZER is None:
        import pymorphy3

        _ANALYZER = pymorphy3.MorphAnalyzer(lang="ru")
    return _ANALYZER


def lemmas_uncached(word: str) -> tuple[str, ...]:
    """The distinct lemmas pymorphy3 gives a word, most likely first (at most three)."""
    seen: list[str] = []
    for parse in _analyzer().parse(word):
        lemma = parse.normal_form.replace("ё", "е")
        if lemma not in seen:
            seen.append(lemma)
        if len(seen) == 3:
            break
    return tuple(seen) or (word.casefold(),)


lemmas = lru_cache(maxsize=1 << 18)(lemmas_uncached)
"""`lemmas_uncached`, each distinct word parsed once: a title's words repeat across a catalogue."""


@dataclass
class _RussianTables:
    bare: dict[tuple[str, ...], list[Entry]]
    """Romanised lemmas in order (`velikiy novgorod`) → the places that stand alone under that name."""
    phrase: dict[tuple[str, ...], list[Entry]]
    """Sorted stems with the kind word (`leningradsk oblast`) → regions, districts and federal districts."""
    bare_firsts: dict[str, int] = field(default_factory=dict)


def _ru_name_keys(name: str) -> tuple[str, tuple[str, ...]]:
    """(`bare` or `phrase`, key) of a Russian name written in the nominative."""
    words = [lemmas(word)[0] for word in _Words.of(name).words]
    roman = [romanise(word) for word in words]
    if any(word in _RU_KIND_LEMMAS for word in words):
        return "phrase", _phrase_key(roman)
    return "bare", tuple(roman)


@cache
def russian_tables() -> _RussianTables:
    import pycountry

    tables = _RussianTables({}, {})
    names = region_names()
    kind_words = {roman for _, roman in _RU_KIND_LEMMAS.values()}
    translations = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    for code, iso_name, iso_type in ru_subdivisions():
        kind = "federal_city" if iso_type == "Autonomous city" else "region"
        entry = Entry(names.get(code, iso_name), kind, code, "RU")
        words = _iso_words(iso_name)
        if any(word in kind_words for word in words):
            _add(tables.phrase, _phrase_key(words), entry)
            if words[-1] == "respublika" and "," in iso_name:  # `Kareliya, Respublika`: also `Карелия` alone
                _add(tables.bare, tuple(words[:-1]), entry)
        else:
            _add(tables.bare, tuple(words), entry)
        russian = translations.gettext(iso_name)
        if russian != iso_name:
            table, key = _ru_name_keys(russian)
            _add(getattr(tables, table), key, entry)
    for row in alias_rows():
        if row.language == "ru":
            table, key = _ru_name_keys(row.name)
            _add(getattr(tables, table), key, row.entry())
    countries = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    for country in pycountry.countries:
        entry = Entry(country.name, "country", None, country.alpha_2)
        for attribute in ("name", "official_name"):
            english = getattr(country, attribute, None)
            russian = countries.gettext(english) if english else ""
            if russian and russian != english and "," not in russian:
                table, key = _ru_name_keys(russian)
                _add(getattr(tables, table), key, entry)
    tables.bare_firsts = _first_words(tables.bare)
    return tables


# -- finding places in a text --------------------------------------------------------------------------------


def _found(words: _Words, first: int, last: int, kind: str | None, entries: Sequence[Entry], name: range) -> Found:
    return Found(
        *words.span(first, last),
        words.phrase(name.start, name.stop - 1),
        kind,
        tuple(entries),
    )


def _english_places(text: str) -> list[Found]:
    tables = english_tables()
    words = _Words.of(text)
    folded = [word.casefold() for word in words.words]  # _Words.of has read `’` and `ё` already
    caps = [word[0].isupper() and fold not in ("the", "of") for word, fold in zip(words.words, folded, strict=True)]
    cap = caps.__getitem__
    found: list[Found] = []

    for i, word in enumerate(folded):
        # `Republic of Karelia`, `the City of Sarov`, `town of Dimitrovgrad`
        if word in _EN_BEFORE_OF and i + 2 < len(folded) and folded[i + 1] == "of":
            if not words.joined[i]:
                continue
            start = i + 2 if folded[i + 2] != "the" else i + 3
            run = words.run_after(start - 1, 3, cap)
            if not run:
                continue
            if word == "republic":
                found.append(_resolve_republic(words, folded, i, run, tables))
            else:
                found.append(_resolve_name(words, folded, i, run, "city", tables.bare, before=False))
            continue
        # `Leningrad Oblast`, `Khabarovsk Region`, `Nenets Autonomous Okrug`, `Chechen Republic`
        if word in _EN_AFTER_NAME:
            kind_start = i
            while kind_start > 0 and folded[kind_start - 1] in _EN_SKIP_BEFORE_KIND and words.joined[kind_start - 1]:
                kind_start -= 1
            run = words.run_before(kind_start, 3, cap)
            if not run:
                continue
            if word in _EN_SUBJECT_WORDS:
                found.append(_resolve_subject(words, folded, run, i, word, tables))
            elif word == "republic":
                found.append(_resolve_stems(words, folded, run, i, "region", [tables.republic, tables.bare]))
            elif word in _EN_DISTRICT_WORDS:
                found.append(_resolve_district(words, folded, run, i, tables))
            else:
                found.append(_resolve_name(words, folded, i, run, "city", tables.bare, before=True))
    firsts = tables.bare_firsts
    starts = [(i, firsts[fold]) for i, fold in enumerate(folded) if fold in firsts and caps[i]]
    if starts:
        found += _bare_names(words, lambda i: (folded[i],), tables.bare, starts)
    return _choose(found)


def _suffixes(run: list[int]) -> Iterator[list[int]]:
    """The run, then shorter runs ending where it ends: `Development Strategy Murmansk` tries `Murmansk` too."""
    for start in range(len(run)):
        yield run[start:]


def _prefixes(run: list[int]) -> Iterator[list[int]]:
    for stop in range(len(run), 0, -1):
        yield run[:stop]


def _resolve_subject(
    words: _Words, folded: list[str], run: list[int], kind_word: int, word: str, tables: _EnglishTables
) -> Found:
    for part in _suffixes(run):
        key = tuple(folded[i] for i in part)
        entries = tables.subject.get(key) or [
            entry for entry in tables.bare.get(key, []) if entry.kind == "macro_region"
        ]
        if not entries and word == "region":  # the site writes `Pechenga Region` for a raion
            entries = tables.district.get(key, [])
        if entries:
            kind = entries[0].kind if all(entry.kind == entries[0].kind for entry in entries) else "region"
            return _found(words, part[0], kind_word, kind, entries, range(part[0], kind_word + 1))
    return _found(words, run[0], kind_word, "region", [], range(run[0], kind_word + 1))


def _resolve_stems(
    words: _Words,
    folded: list[str],
    run: list[int],
    kind_word: int,
    kind: str,
    indexes: list[dict[tuple[str, ...], list[Entry]]],
) -> Found:
    for part in _suffixes(run):
        key = tuple(folded[i] for i in part)
        for index in indexes:
            entries = index.get(key) or index.get((*key, folded[kind_word]))
            if entries:
                return _found(words, part[0], kind_word, entries[0].kind, entries, range(part[0], kind_word + 1))
    return _found(words, run[0], kind_word, kind, [], range(run[0], kind_word + 1))


def _resolve_republic(words: _Words, folded: list[str], republic: int, run: list[int], tables: _EnglishTables) -> Found:
    """`Republic of X`: a country (`Republic of Kazakhstan`) or a Russian republic (`Republic of Karelia`)."""
    for part in _prefixes(run):
        key = tuple(folded[i] for i in part)
        entries = tables.bare.get(("republic", "of", *key)) or tables.republic.get(key)
        if not entries:
            entries = [entry for entry in tables.bare.get(key, []) if entry.kind in ("country", "region")]
        if entries:
            return _found(words, republic, part[-1], entries[0].kind, entries, range(republic, part[-1] + 1))
    return _found(words, republic, run[-1], "region", [], range(republic, run[-1] + 1))


def _resolve_district(
    words: _Words, folded: list[str], run: list[int], kind_word: int, tables: _EnglishTables
) -> Found:
    for part in _suffixes(run):
        key = tuple(folded[i] for i in part)
        whole = tables.bare.get((*key, *folded[part[-1] + 1 : kind_word + 1]))  # `Central Federal District`
        entries = whole or tables.district.get(key)
        if entries:
            return _found(words, part[0], kind_word, entries[0].kind, entries, range(part[0], kind_word + 1))
    return _found(words, run[0], kind_word, "district", [], range(run[0], kind_word + 1))


def _resolve_name(
    words: _Words,
    folded: list[str],
    kind_word: int,
    run: list[int],
    kind: str,
    index: dict[tuple[str, ...], list[Entry]],
    *,
    before: bool,
) -> Found:
    """A city named with `city of`/`town of` before it or `city`/`Urban Type Settlement` after it."""
    first, last = (run[0], kind_word) if before else (kind_word, run[-1])
    for part in _suffixes(run) if before else _prefixes(run):
        entries = [e for e in index.get(tuple(folded[i] for i in part), []) if e.kind in ("city", "federal_city")]
        if entries:
            first, last = (part[0], kind_word) if before else (kind_word, part[-1])
            return _found(words, first, last, entries[0].kind, entries, range(part[0], part[-1] + 1))
    return _found(words, first, last, kind, [], range(run[0], run[-1] + 1))


def _first_words(index: dict[tuple[str, ...], list[Entry]]) -> dict[str, int]:
    """First word of every name in an index → the most words a name starting with it has."""
    firsts: dict[str, int] = {}
    for key in index:
        firsts[key[0]] = max(firsts.get(key[0], 0), len(key))
    return firsts


def _bare_names(
    words: _Words,
    reading: Callable[[int], tuple[str, ...]],
    index: dict[tuple[str, ...], list[Entry]],
    starts: Iterable[tuple[int, int]],
) -> list[Found]:
    """Known names standing alone, longest first (`Nizhny Novgorod` before `Novgorod`). `starts` gives each
    word that may begin one, with the most words such a name has; `reading(i)` is word i's possible readings
    (itself in English, its lemmas in Russian)."""
    found = []
    count = len(words.words)
    after = -1
    for i, longest in starts:
        if i <= after:
            continue
        for size in range(min(longest, count - i), 0, -1):
            last = i + size - 1
            if not all(words.joined[j] for j in range(i, last)):
                continue
            entries = _lookup(index, [reading(j) for j in range(i, last + 1)])
            if entries:
                found.append(_found(words, i, last, None, entries, range(i, last + 1)))
                after = last
                break
    return found


def _lookup(index: dict[tuple[str, ...], list[Entry]], readings: Sequence[tuple[str, ...]]) -> list[Entry]:
    for key in itertools.islice(itertools.product(*readings), 8):
        entries = index.get(key)
        if entries:
            return entries
    return []


def _russian_places(text: str) -> list[Found]:
    tables = russian_tables()
    words = _Words.of(text)
    count = len(words.words)
    capital = [word[0].isupper() for word in words.words]
    first = [
        _kind_lemma(word) if capital[i] or _RU_MAYBE_KIND.match(word) else "" for i, word in enumerate(words.words)
    ]
    roman = _RomanReadings(words.words)
    found: list[Found] = []

    def name_word(i: int) -> bool:
        return capital[i] and first[i] not in _RU_KIND_LEMMAS and first[i] not in _RU_CITY_LEMMAS

    def region_word(i: int) -> bool:
        return (name_word(i) and _adjective_or_place(words.words[i])) or first[i] in _RU_CONNECTORS

    for i in range(count):
        lemma = first[i]
        if lemma in _RU_KIND_LEMMAS:
            kind, kind_roman = _RU_KIND_LEMMAS[lemma]
            if kind == "republic":
                after = words.run_after(i, 3, name_word)
                hit = _ru_republic_after(words, roman, i, after, tables) if after else None
                if hit is not None:
                    found.append(hit)
                    continue
            before = words.run_before(i, 4, region_word)
            while before and not capital[before[0]]:
                before = before[1:]
            if not before:
                continue
            if lemma == "округ" and first[before[-1]] in ("муниципальный", "городской"):
                kind = "district"
            found.append(_ru_phrase(words, roman, before, i, kind, kind_roman, tables))
        elif lemma in _RU_CITY_LEMMAS and (words.words[i].endswith(".") or lemma != "г"):
            after = words.run_after(i, 3, name_word)
            if after:
                found.append(_ru_city(words, roman, i, after, tables))
    firsts = tables.bare_firsts
    starts = []
    for i in range(count):
        if name_word(i):
            longest = max((firsts.get(reading, 0) for reading in roman[i]), default=0)
            if longest:
                starts.append((i, longest))
    if starts:
        found += _bare_names(words, roman.__getitem__, tables.bare, starts)
    return _choose(found)


def _kind_lemma(word: str) -> str:
    """The word's lemma that is a kind word or connector (`округу` may be `округа` or `округ`), else its first."""
    readings = lemmas(word.rstrip("."))
    for lemma in readings:
        if lemma in _RU_KIND_LEMMAS or lemma in _RU_CITY_LEMMAS or lemma in _RU_CONNECTORS:
            return lemma
    return readings[0]


@lru_cache(maxsize=1 << 16)
def _adjective_or_place(word: str) -> bool:
    """A word that may stand in a region's name before its kind word: an adjective (`Ленинградской`) or a
    geographical name, not a common noun (`Стратегия Энской области` names `Энской области`)."""
    return any(
        parse.tag.POS == "ADJF" or "Geox" in parse.tag or parse.tag.POS is None for parse in _analyzer().parse(word)[:3]
    )


class _RomanReadings:
    """Word i's lemmas, romanised, computed when first asked for (most lower-case words never are)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.readings: dict[int, tuple[str, ...]] = {}

    def __getitem__(self, i: int) -> tuple[str, ...]:
        reading = self.readings.get(i)
        if reading is None:
            reading = self.readings[i] = _romanised_lemmas(self.words[i].rstrip("."))
        return reading


@lru_cache(maxsize=1 << 18)
def _romanised_lemmas(word: str) -> tuple[str, ...]:
    return tuple(romanise(lemma) for lemma in lemmas(word))


def _ru_phrase(
    words: _Words,
    roman: _RomanReadings,
    run: list[int],
    kind_word: int,
    kind: str,
    kind_roman: str,
    tables: _RussianTables,
) -> Found:
    for part in _suffixes(run):
        if not words.capitalised(part[0]):
            continue
        for names in itertools.islice(itertools.product(*(roman[i] for i in part)), 8):
            entries = tables.phrase.get(_phrase_key([*names, kind_roman]))
            if entries:
                return _found(words, part[0], kind_word, entries[0].kind, entries, range(part[0], kind_word + 1))
    return _found(words, run[0], kind_word, "region" if kind == "subject" else kind, [], range(run[0], kind_word + 1))


def _ru_republic_after(
    words: _Words, roman: _RomanReadings, republic: int, run: list[int], tables: _RussianTables
) -> Found | None:
    """`Республике Карелия`, `Республики Саха`, `Республике Казахстан`; None when nothing matches."""
    for part in _prefixes(run):
        readings = [roman[i] for i in part]
        for names in itertools.islice(itertools.product(*readings), 8):
            entries = tables.phrase.get(_phrase_key([*names, "respublika"]))
            if entries:
                return _found(words, republic, part[-1], entries[0].kind, entries, range(republic, part[-1] + 1))
        entries = [e for e in _lookup(tables.bare, readings) if e.kind in ("country", "region")]
        if entries:
            return _found(words, republic, part[-1], entries[0].kind, entries, range(republic, part[-1] + 1))
    return None


def _ru_city(words: _Words, roman: _RomanReadings, prefix: int, run: list[int], tables: _RussianTables) -> Found:
    for part in _prefixes(run):
        entries = [e for e in _lookup(tables.bare, [roman[i] for i in part]) if e.kind in ("city", "federal_city")]
        if entries:
            return _found(words, prefix, part[-1], entries[0].kind, entries, range(part[0], part[-1] + 1))
    return _found(words, prefix, run[-1], "city", [], range(run[0], run[-1] + 1))


def _choose(found: list[Found]) -> list[Found]:
    """One reading per stretch of text: the longest phrase, a resolved one before an unresolved one; then in
    text order."""
    if len(found) < 2:
        return found
    chosen: list[Found] = []
    for candidate in sorted(found, key=lambda f: (-(f.end - f.start), not f.entries, f.start)):
        if all(candidate.end <= other.start or candidate.start >= other.end for other in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda f: f.start)


def find_places(text: str, language: str) -> list[Found]:
    """Every place a text names, in text order, each with the known places it may be."""
    if not text:
        return []
    return _russian_places(text) if language == "ru" else _english_places(text)


# -- a project's places --------------------------------------------------------------------------------------

_CUSTOMER_LINE = re.compile(
    r"^[ \t]*(?:(?:project[ \t]+)?(?:customer|originator|client)|заказчик(?:[ \t]+проекта)?)"
    r"[ \t]*:[ \t]*(\S.*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def customer_line(row: Row) -> str | None:
    """Who commissioned the project: the row's `customer`, else the first customer line of its description."""
    customer = row.get("customer")
    if isinstance(customer, str) and customer.strip():
        return customer
    description = row.get("description")
    if isinstance(description, str):
        match = _CUSTOMER_LINE.search(description)
        if match:
            return match.group(1)
    return None


class _Mention(NamedTuple):
    found: Found
    source: str


def places_of(row: Row) -> tuple[list[Row], list[Row]]:
    """The `project_places` rows of one projects row, and an `unresolved-place` warning for each place
    kept with null codes."""
    language = str(row["language"])
    title = str(row.get("title") or "")
    description = row.get("description")
    description = description if isinstance(description, str) else None
    mentions = [_Mention(found, "title") for found in find_places(title, language)]
    customer = None
    if not mentions:
        customer = customer_line(row)
        if customer:
            mentions = [_Mention(found, "description") for found in find_places(customer, language)]
    if not mentions:
        return [], []
    evidence: set[str] | None = None
    places: list[Row] = []
    warnings: list[Row] = []
    seen: set[object] = set()
    for mention in mentions:
        entries = mention.found.entries
        if len(entries) > 1 and len({entry.identity for entry in entries}) > 1:
            if evidence is None:
                evidence = _evidence(mentions, title, description, customer, language)
            entries = _settle(entries, evidence, " ".join(filter(None, (title, description, customer))))
        identity: object = entries[0].identity if len(entries) == 1 else ("?", _fold(mention.found.text))
        if identity in seen:
            continue
        seen.add(identity)
        place, warning = _place_row(row, mention, entries)
        places.append(place)
        if warning is not None:
            warnings.append(warning)
    return places, warnings


def _evidence(
    mentions: list[_Mention], title: str, description: str | None, customer: str | None, language: str
) -> set[str]:
    """Region codes the project's own words name unambiguously: its title's other places, then its
    description's (and customer line's) places."""
    codes = {m.found.entries[0].region_code for m in mentions if len(m.found.entries) == 1}
    for text in (description, customer):
        if text:
            codes |= {f.entries[0].region_code for f in find_places(text, language) if len(f.entries) == 1}
    return {code for code in codes if code}


def _settle(entries: tuple[Entry, ...], evidence: set[str], words: str) -> tuple[Entry, ...]:
    """The one entry the project's words point at (a region they name, or a clue), else all of them."""
    pointed = [
        entry
        for entry in entries
        if entry.region_code in evidence or any(_has_word(words, clue) for clue in entry.clues)
    ]
    return (pointed[0],) if len({entry.identity for entry in pointed}) == 1 else entries


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def _has_word(text: str, word: str) -> bool:
    return bool(_word_pattern(word).search(text))


def _place_row(row: Row, mention: _Mention, entries: tuple[Entry, ...]) -> tuple[Row, Row | None]:
    found = mention.found
    base = {"project_id": row["project_id"], "language": row["language"], "place": found.text}
    if len(entries) == 1:
        entry = entries[0]
        code = entry.region_code
        return (
            PLACES.row(
                **base,
                place_kind=entry.kind,
                region_code=code,
                region_name=region_names().get(code) if code else None,
                country_code=entry.country_code,
                source=mention.source,
            ),
            None,
        )
    kinds = {entry.kind for entry in entries}
    countries = {entry.country_code for entry in entries}
    if entries:
        options = " or ".join(
            f"{region_names().get(e.region_code, e.region_code)} ({e.region_code})" for e in entries if e.region_code
        )
        message = f"{found.text!r} in the {mention.source} may be in {options}; the project's words do not say which"
    else:
        message = f"{found.text!r} in the {mention.source} matches no known place (pipeline/data/places.csv)"
    place = PLACES.row(
        **base,
        place_kind=kinds.pop() if len(kinds) == 1 else found.kind,
        region_code=None,
        region_name=None,
        country_code=countries.pop() if len(countries) == 1 else None,
        source=mention.source,
    )
    warning = WARNINGS.row(
        code=UNRESOLVED,
        message=message,
        subject=found.text,
        project_id=row["project_id"],
        language=row["language"],
        page_url=row.get("listing_url") or row.get("detail_url"),
        line=None,
    )
    return place, warning


def places_for(rows: Iterable[Row]) -> tuple[list[Row], list[Row]]:
    """`places_of` every row, in row order: all their place rows, then all their warnings."""
    places: list[Row] = []
    warnings: list[Row] = []
    for row in rows:
        row_places, row_warnings = places_of(row)
        places += row_places
        warnings += row_warnings
    return places, warnings
