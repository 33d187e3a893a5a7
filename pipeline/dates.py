"""Read the catalogue's free-text `Date:` field into a typed date range.

The site writes dates by hand, in English or Russian, so one field may say
`2015`, `2011-2012`, `December 2013–March 2014` or `2011 – until present`.
`parse_date_range` turns such text into a `DateRange`: the first day of the
first period named, the last day of the last one, and how precise each end is.
Text it cannot read for certain raises `DateRangeError`; it never guesses.

Forms read (either language, any letter case, with or without spaces around
a separator; NBSP and other Unicode spaces count as spaces):

- years: `2015`, `2015 год`, `2011-2012 гг.`, `2020–21` (two-digit end year,
  same century); a season of two consecutive years, `2013/2014` or `2013/14`,
  reads as both years whole;
- months: `February 2012`, `Sept. 2013`, `дек. 2013`, `с марта 2012`;
  English full and short names, Russian nominative, genitive, prepositional
  and short names; in figures, month.year: `12.2013`, `3.2014`;
- days: `15 March 2013`, `March 15, 2013`, `15.03.2013`, `2013-03-15`,
  `15 марта 2013 г.`, `15.03.2013 г.`; ordinal days in figures:
  `20th March 2013`, `the 1st of March 2013`, `March 20th, 2013`,
  `20-го марта 2013`;
- quarters and halves: `Q1 2014`, `1Q 2014`, `first quarter of 2014`,
  `the first half of 2016`, `I квартал 2014`, `H2 2015`, `1st half 2016`,
  `2-е полугодие 2015`, `первое полугодие 2015`;
- ranges of any two of the above joined by `-`, `–`, `—`, `−`, `to`, `till`,
  `until`, `through`, `по` or `до`, optionally opened by `from` or `с`.
  The start may leave out what the end states: `November-December 2013`,
  `1–15 March 2013`, `15 March – 20 April 2013`, `Q1–Q3 2014`,
  `II–III кв. 2014`, `20th–25th March 2013`; and `August 7-9, 2007` shares
  its month;
- open ranges: `2011 – until present`, `2011 - present`, `2011 – ongoing`,
  `2011 to date`, `2011 onwards`, `since 2012`, `from 2012`,
  `2012 – по настоящее время`, `2012 – н.в.`, `с 2012 г.`. The phrase for
  "now" may carry an article and a filler word (`until the present day`,
  `up to the present`, `2011 – present time`, `to this day`); a Russian one
  reads in any case after any lead (`по сей день`, `до настоящего момента`,
  `вплоть до наших дней`, `– наши дни`);
- a period or closed range framed by a preposition: `in 2013`, `during 2013`,
  `throughout 2013`, `in March 2013`, `on 15 March 2013`, `в 2013 году`,
  `в 2013-м году`, `в течение 2013 г.`, `на протяжении 2013 года`,
  `в марте 2013 года`, `в I квартале 2014 года`, `за 2013 год`,
  `в 1-м полугодии 2015 г.`, `в 2011–2012 годах`,
  `в период с 2011 по 2012 г.`, `during the period from 2011 to 2012`.
  A frame before an open range (`в 2011 – по н.в.`) is rejected;
- one closing `.`, `;` or `,` after the whole text, spaces around it or not:
  `2013.`, `2015-2016.`, `October 2013;`, `2011 – until present.`
  (`2013..` is rejected; a period inside keeps its meaning: `15.03.2013`,
  `Sept.`, `г.`);
- look-alike letters: Latin letters that look like Cyrillic ones inside a
  Russian word (`Maрт` with a Latin M and a), or the reverse (`Mаrch` with a
  Cyrillic а), when swapping them gives a known word; a lone Latin `c` (or
  `B`, `co`) for the Russian preposition before a number or a Russian word:
  `c 2011`, `c марта 2012`. A word in Latin letters only is never read as
  Russian (`MAPT 2013` is rejected), and `c. 2011` is "circa": rejected.

Two forms are ambiguous, and each has one rule:

- `YYYY-NN` (any dash) with NN from 01 to 12 may be a month (ISO 8601
  writes December 2010 as `2010-12`) or a two-digit end year (2010–2012).
  It is rejected as ambiguous, saying both readings, unless a year word
  after it says years (`2010-12 гг.`). NN from 13 (`2019-21`) or `00` is
  an end year;
- `YYYY/YYYY` or `YYYY/YY` reads as a season, both years whole, only when the
  second year follows the first (`2013/2014`, `2013/14`, `1999/00`);
  `2013/2015` may be two separate years or the span between them and is
  rejected as ambiguous.

Years must lie in 1800–2199 (`MIN_YEAR`–`MAX_YEAR`): anything else is far
more likely a typo or a stray number than a project date.

How it works: one compiled regex cuts the text into tokens (any dash is a
dash, any space a space), each token gets a one-letter kind (`Y` year,
`M` month, `N` small number, ...); a closing mark, a frame, an open tail and
an opening `from`/`с` are cut off the ends, and the kinds of each side of the
range are looked up in small tables of accepted shapes. Look-alike letters are
tried only for a word that is not in the vocabulary, so clean text pays nothing
for them. No caching, no `dateutil.parser`: the pipeline reads every record on
every run, so the parser is kept cheap.
"""

from __future__ import annotations

import calendar
import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "PRECISIONS",
    "DateRange",
    "DateRangeError",
    "Precision",
    "parse_date_range",
]

Precision = Literal["day", "month", "quarter", "half", "year"]
PRECISIONS: tuple[Precision, ...] = ("day", "month", "quarter", "half", "year")
MIN_YEAR = 1800
MAX_YEAR = 2199


class DateRangeError(ValueError):
    """The text is not a date range we can read; the message quotes it and says why."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """A period as published: `end` is None when the range is still open."""

    start: date
    end: date | None
    start_precision: Precision
    end_precision: Precision | None
    open_ended: bool


# --- vocabulary -------------------------------------------------------------
# A word maps to (kind, value). Kinds: M month, O ordinal, K "quarter",
# P "half", G "year" word (г., годы), X "of", S range separator,
# F "from"/"since", T word of an open-ended tail ("present", "н.в."),
# E the article "the" (dropped before an ordinal: `the first half of 2016`),
# I word of a frame (`in`, `в течение`). Words are matched by value in phrases.

_MONTH_NAMES = (
    "january jan январь января январе янв",
    "february feb февраль февраля феврале фев февр",
    "march mar март марта марте мар",
    "april apr апрель апреля апреле апр",
    "may май мая мае",
    "june jun июнь июня июне июн",
    "july jul июль июля июле июл",
    "august aug август августа августе авг",
    "september sep sept сентябрь сентября сентябре сен сент",
    "october oct октябрь октября октябре окт",
    "november nov ноябрь ноября ноябре ноя нояб",
    "december dec декабрь декабря декабре дек",
)
_ORDINAL_NAMES = (
    "i first первое первый первая первого первом первой первую",
    "ii second второе второй вторая второго втором вторую",
    "iii third третье третий третья третьего третьем третьей третью",
    "iv fourth четвертое четвертый четвертая четвертого четвертом четвертой четвертую"
    " четвёртое четвёртый четвёртая четвёртого четвёртом четвёртой четвёртую",
)
# Words that only frame the one period that follows: `в течение 2013 г.`, `in March 2013`.
_FRAMES = (
    *(f"{word}{period}" for word in ("in", "during", "over") for period in ("", " the period")),
    "on",
    "throughout",
    *(f"{word}{period}" for word in ("в", "во", "за") for period in ("", " период")),
    "в течение",
    "в течении",
    "в ходе",
    "на протяжении",
)
_FRAME_PHRASES = frozenset(tuple(frame.split()) for frame in _FRAMES)
_LONGEST_FRAME = max(len(frame) for frame in _FRAME_PHRASES)
# Open tails: a lead ("until", "по", or only a dash) and a phrase meaning "now",
# with or without an article or a filler word: `until the present day`. Russian
# grammar wants the nominative after a dash, the accusative after по and the
# genitive after до, but each form reads after each lead.
_NOW_EN = (
    *(f"{the}present{filler}" for the in ("", "the ") for filler in ("", " day", " time", " moment")),
    "now",
    "today",
)
_NOW_RU = (
    "настоящее время",
    "настоящего времени",
    "настоящий момент",
    "настоящего момента",
    "настоящий день",
    "настоящего дня",
    "текущий момент",
    "текущего момента",
    "сегодняшний день",
    "сегодняшнего дня",
    "сей день",
    "сего дня",
    "наши дни",
    "наших дней",
    "сих пор",
    "сегодня",
    "наст время",
    "наст времени",
    "наст вр",
    "н.в",
    "н в",
    "н.вр",
)
# Open tails that carry their own separator ("until", "по") or need none.
_SELF_SEPARATED_TAILS = (
    *(f"{lead} {now}" for lead in ("until", "till", "to", "up to", "up till", "up until") for now in _NOW_EN),
    *(f"{lead} this day" for lead in ("until", "till", "to", "up to")),
    "to date",
    "up to date",
    "till date",
    "ongoing",
    "onwards",
    "onward",
    *(f"{lead} {now}" for lead in ("по", "до", "вплоть до", "вплоть по") for now in _NOW_RU),
)
# Open tails that only read as "to now" after a dash: `2011 – present`.
_DASHED_TAILS = _NOW_EN + _NOW_RU
_OPEN_TAILS = frozenset(
    {tuple(p.split()) for p in _SELF_SEPARATED_TAILS}
    | {("-", *p.split()) for p in _SELF_SEPARATED_TAILS + _DASHED_TAILS}
)
_TAIL_ENDS = frozenset(tail[-1] for tail in _OPEN_TAILS)
_LONGEST_TAIL = max(len(tail) for tail in _OPEN_TAILS)
_SEPARATORS = ("to", "till", "until", "through", "по", "до")


TokenValue = int | str | tuple[int, int] | tuple[int, int, int] | None
"""A token's meaning: a number, a word's own text, a (year, month), a (year, month, day), or nothing."""


def _vocabulary() -> dict[str, tuple[str, TokenValue]]:
    """Every known word, casefolded, with and without a trailing dot (`dec.`, `г.`)."""
    words: dict[str, tuple[str, TokenValue]] = {}
    for number, names in enumerate(_MONTH_NAMES, start=1):
        words.update(dict.fromkeys(names.split(), ("M", number)))
    for number, names in enumerate(_ORDINAL_NAMES, start=1):
        words.update(dict.fromkeys(names.split(), ("O", number)))
    quarters = ("quarter", "quarters", "квартал", "квартала", "квартале", "кварталы", "кварталов", "кварталах", "кв")
    words.update(dict.fromkeys(quarters, ("K", None)))
    halves = ("half", "halves", "полугодие", "полугодия", "полугодии", "полугодий", "полугодиях")
    words.update(dict.fromkeys((*halves, "половина", "половины", "половине", "половину"), ("P", None)))
    words.update(dict.fromkeys(("г", "гг", "год", "года", "годы", "году", "годов", "годах"), ("G", None)))
    words.update(dict.fromkeys(("from", "since", "с", "со"), ("F", None)))
    words["of"] = ("X", None)
    for tail in _OPEN_TAILS:
        words.update((word, ("T", word)) for word in tail if word != "-")
    words.update((word, ("S", word)) for word in _SEPARATORS)
    words["the"] = ("E", "the")
    for frame in _FRAMES:  # its first word tells a frame; the others keep a kind they have (`the`)
        first, *others = frame.split()
        words[first] = ("I", first)
        words.update((word, ("I", word)) for word in others if word not in words)
    return words | {f"{word}.": entry for word, entry in words.items()}


_WORDS = _vocabulary()
_MONTH_WORDS = [word for word, (kind, _) in _WORDS.items() if kind == "M"]

# --- tokens -----------------------------------------------------------------
# Besides the words' kinds: Y year (`2013`, `2013-м`), N number of one or two
# digits, O ordinal in figures (`1st`, `2-е`), D full date, U month.year, W season
# (`2013/14`), Q and H (`Q1`, `H2`), `,` and `.` (also `;`).

_DASH = "[-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"  # hyphen, en/em dashes, minus, ...
_TOKEN = re.compile(
    r"\s*(?:"  # spaces only separate tokens, so they are eaten here
    r"(?P<iso>[0-9]{4}-[0-9]{2}-[0-9]{2})(?![0-9])"
    r"|(?P<dmy>[0-9]{1,2}\.(?:[0-9]{1,2}\.)?[0-9]{4})(?![0-9])"  # 15.03.2013, 12.2013
    r"|(?P<season>[0-9]{4}\s*/\s*[0-9]{2}(?:[0-9]{2})?)(?![0-9])"  # 2013/2014, 2013/14
    rf"|(?P<ordinal>[0-9]{{1,2}})(?:st|nd|rd|th|{_DASH}?(?:е|й|я|го|ое|ый|ий|ой|ая|м|ом|ем))(?!\w)"  # 1st, 2-е
    r"|(?P<period>[qh][0-9]|[0-9][qh])(?!\w)"  # Q1, 1Q, H2
    rf"|(?P<number>[0-9]+)(?:{_DASH}?(?:й|го|м)(?!\w))?"  # 2013-й, 2013-го, 2013-м (never 2010-е: a decade)
    r"|(?P<word>[^\W\d_]+(?:\.[^\W\d_]+)*\.?)"  # also `н.в.`, `Sept.`
    rf"|(?P<dash>{_DASH})"
    r"|(?P<comma>,)"
    r"|(?P<stop>[.;])"  # only as the text's last mark: `2013.`
    r"|(?P<bad>\S))",
    re.IGNORECASE,
)

Token = tuple[str, TokenValue, str]
"""(kind, value, text as written)."""


def _tokenise(text: str) -> list[Token]:
    """Cut `text` into classified tokens; unknown words and stray characters fail here."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        group = match.lastgroup or "bad"  # every alternative is a named group
        raw = match.group(group)
        if group == "word":
            entry = _WORDS.get(raw.casefold()) or _lookalike(raw, text, match.end())
            if entry is None:
                raise _unknown_word(raw, text)
            tokens.append((entry[0], entry[1], raw))
        elif group == "number":
            tokens.append(("N" if len(raw) <= 2 else "Y", int(raw), raw))
        elif group == "dash":
            tokens.append(("S", "-", raw))
        elif group in ("comma", "stop"):
            tokens.append((raw if raw == "," else ".", None, raw))
        elif group == "iso":
            tokens.append(("D", (int(raw[:4]), int(raw[5:7]), int(raw[8:])), raw))
        elif group == "dmy":
            parts = raw.split(".")
            if len(parts) == 3:
                tokens.append(("D", (int(parts[2]), int(parts[1]), int(parts[0])), raw))
            else:
                tokens.append(("U", (int(parts[1]), int(parts[0])), raw))
        elif group == "season":
            tokens.append(("W", _season(raw, text), raw))
        elif group == "ordinal":
            tokens.append(("O", int(raw), raw))
        elif group == "period":
            folded = raw.casefold()
            tokens.append(("Q" if "q" in folded else "H", int(folded.strip("qh")), raw))
        else:
            raise DateRangeError(f"unexpected character {raw!r} in {text!r}")
    return tokens


# Latin letters that look like Cyrillic ones, and the Cyrillic letters they look like.
_LATIN_LOOKALIKES = "acekopxyABCEHKMOPTXY"
_CYRILLIC_LOOKALIKES = "асекорхуАВСЕНКМОРТХУ"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
_LATIN_LETTER = re.compile("[a-z]", re.IGNORECASE)
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
_DATE_AHEAD = re.compile(r"\s*[0-9\u0400-\u04ff]")  # a number or a Russian word comes next


def _lookalike(word: str, text: str, end: int) -> tuple[str, TokenValue] | None:
    """Read a word typed with look-alike letters of the other alphabet, or return None.

    A word mixing the alphabets (`Maрт` with a Latin M and a, `Mаrch` with a
    Cyrillic а) is read when swapping its look-alikes one way, and only one
    way, makes it a known word. A word in Latin letters only is English and
    never turned into Russian, except a lone Russian preposition (`c`, `B`,
    `co`) before a number or a Russian word: `c 2011`, `c марта 2012`. With a
    dot (`c. 2011`) it is the English "circa" and stays unknown.
    """
    if not _LATIN_LETTER.search(word):
        return None
    if _CYRILLIC_LETTER.search(word):
        to_russian = _WORDS.get(word.translate(_TO_CYRILLIC).casefold())
        to_english = _WORDS.get(word.translate(_TO_LATIN).casefold())
        return to_russian if to_english is None else to_english if to_russian is None else None
    if word.endswith(".") or not _DATE_AHEAD.match(text, end):
        return None
    entry = _WORDS.get(word.translate(_TO_CYRILLIC).casefold())
    return entry if entry is not None and entry[0] in ("F", "I") else None


def _season(raw: str, text: str) -> tuple[int, int]:
    """The two years of `2013/2014` or `2013/14`, which must follow each other.

    A season (an academic or heating year) spans two consecutive years, so it is
    read as both years whole; `2013/2015` may be two separate years or the span
    between them, and is rejected.
    """
    first, second = (part.strip() for part in raw.split("/"))
    year = int(first)
    last = int(second) if len(second) == 4 else year // 100 * 100 + int(second)
    if int(second) == (year + 1) % (100 if len(second) == 2 else 10_000):  # 1999/00 too
        return year, year + 1
    if last <= year:
        raise DateRangeError(f"not a season: {second} does not follow {year} in {text!r}")
    raise DateRangeError(
        f"ambiguous {text!r}: the years {year} and {last}, or {year}–{last}? "
        "Only two consecutive years read as one season"
    )


def _unknown_word(word: str, text: str) -> DateRangeError:
    """Name a misspelt month as such; anything else is simply not a date.

    Only months sharing the word's first letter are compared: typos seldom
    touch it, and this keeps the error path cheap.
    """
    key = word.casefold().rstrip(".")
    candidates = [month for month in _MONTH_WORDS if month[0] == key[0]]
    if difflib.get_close_matches(key, candidates, n=1, cutoff=0.75):
        return DateRangeError(f"unknown month {word!r} in {text!r}")
    return DateRangeError(f"not a date expression: {text!r} (unknown word {word!r})")


# --- shapes -----------------------------------------------------------------
# The kinds of one side of a range, joined, name the fields its tokens fill
# (None: the token only says what the number before it counts).

_FULL: dict[str, tuple[str | None, ...]] = {
    "Y": ("year",),
    "MY": ("month", "year"),
    "NMY": ("day", "month", "year"),
    "MNY": ("month", "day", "year"),
    "OMY": ("ordinal day", "month", "year"),  # 20th March 2013, 20-го марта 2013
    "MOY": ("month", "ordinal day", "year"),  # March 20th, 2013
    "D": ("date",),
    "U": ("month of year",),
    "W": ("season",),
    "QY": ("quarter", "year"),
    "HY": ("half", "year"),
    "NKY": ("quarter", None, "year"),
    "OKY": ("quarter", None, "year"),
    "NPY": ("half", None, "year"),
    "OPY": ("half", None, "year"),
}
"""Shapes that name a whole period on their own."""

_START: dict[str, tuple[str | None, ...]] = {
    **_FULL,
    "M": ("month",),  # November-December 2013
    "NM": ("day", "month"),  # 15 March – 20 April 2013
    "MN": ("month", "day"),  # August 7-9, 2007
    "OM": ("ordinal day", "month"),
    "MO": ("month", "ordinal day"),
    "N": ("bare",),  # 1–15 March 2013, 1-3 кв. 2014
    "O": ("ordinal",),  # II–III кв. 2014
    "Q": ("quarter",),
    "H": ("half",),
    "NK": ("quarter", None),
    "OK": ("quarter", None),
    "NP": ("half", None),
    "OP": ("half", None),
}
"""A range's start may leave out what its end states."""

_END: dict[str, tuple[str | None, ...]] = {
    **_FULL,
    "NY": ("day", "year"),  # the `9, 2007` of `August 7-9, 2007`
    "OY": ("ordinal day", "year"),  # the `9th, 2007` of `August 7th-9th, 2007`
    "N": ("yy",),  # the `21` of `2020–21`
}
"""A range's end always names its year."""

# Tokens that only decorate the token before them: `2013 г.`, `half of`, `15,`, `20th of`.
_DECORATIONS = {"G": ("Y", "N", "D", "U", "W"), "X": ("K", "P", "O"), ",": ("N", "M", "O")}

Side = dict[str, int]
_ORDINAL_FIELDS = {"ordinal day": "day", "ordinal": "bare"}
"""What an ordinal in figures fills: it counts like a bare number."""


def _read_side(tokens: list[Token], shapes: dict[str, tuple[str | None, ...]], text: str) -> Side:
    """Fill a side's fields (year, month, day, quarter, half, ...) from its tokens."""
    kept: list[Token] = []
    for token in tokens:
        kind = token[0]
        after = _DECORATIONS.get(kind)
        if after is not None and kept and kept[-1][0] in after:
            continue
        if kind == "O" and kept and kept[-1][0] == "E":
            kept.pop()  # `the first quarter`, `the 20th of March`
        kept.append(token)
    fields = shapes.get("".join(token[0] for token in kept))
    if fields is None:
        raise DateRangeError(f"not a date expression: {text!r}")
    side: Side = {}
    for field, (_, value, raw) in zip(fields, kept, strict=True):
        if isinstance(value, int):
            if field in _ORDINAL_FIELDS:  # `20th`, `20-го` count like `20`; a word ordinal is never a day
                field = _ORDINAL_FIELDS[field] if raw[0].isdigit() else field
                if field == "ordinal day":
                    raise DateRangeError(f"not a date expression: {text!r}")
            elif field == "yy" and len(raw) != 2:
                raise DateRangeError(f"not a date expression: {text!r}")
            if field:
                side[field] = value
        elif isinstance(value, tuple):  # a date, a month.year or a season
            if len(value) == 3:
                side["year"], side["month"], side["day"] = value
            else:
                side["year"], side["month" if field == "month of year" else "last year"] = value
    return side


def _share(start: Side, end: Side, dashed: bool, right: list[Token], text: str) -> None:
    """Let each side borrow what the text states only once: the year, the month, the unit."""
    if "yy" in end:  # only `2020–21`: a dash between a year and two digits
        if start.keys() != {"year"} or not dashed:
            raise DateRangeError(f"not a date expression: {text!r}")
        _end_year(start["year"], end, right, text)
    if "day" in end and "month" not in end:
        if "day" not in start or "month" not in start:
            raise DateRangeError(f"no month for the end day in {text!r}")
        end["month"] = start["month"]
    for field, units in (("bare", ("day", "quarter", "half")), ("ordinal", ("quarter", "half"))):
        if field in start:
            unit = next((unit for unit in units if unit in end), None)
            if unit is None:
                raise DateRangeError(f"cannot tell what {start[field]} counts in {text!r}")
            start[unit] = start.pop(field)
    if "year" not in start:
        if end.keys() <= {"year", "last year"}:
            raise DateRangeError(f"no year for the start in {text!r}")
        start["year"] = end["year"]
        if "day" in start and "month" not in start:
            start["month"] = end["month"]


def _end_year(year: int, end: Side, right: list[Token], text: str) -> None:
    """Read the two digits of `2020–21` as the end year, in the start's century.

    Two digits that could be a month (01–12) make `2010-12` ambiguous: December
    2010 (ISO 8601 writes months so) or 2010–2012. It is rejected, unless a year
    word after it says years: `2010-12 гг.`.
    """
    two_digits = end.pop("yy")
    end["year"] = year // 100 * 100 + two_digits
    if 1 <= two_digits <= 12 and not any(token[0] == "G" for token in right):
        month = _MONTH_NAMES[two_digits - 1].split()[0].capitalize()
        raise DateRangeError(
            f"ambiguous {text!r}: {month} {year} or {year}–{end['year']}? "
            "Write the month by name or the end year in full"
        )


def _period(side: Side, text: str) -> tuple[date, date, Precision]:
    """First day, last day and precision of the period one side names (a season: both its years)."""
    year = last_year = side["year"]
    if "last year" in side:
        last_year = side["last year"]
        if not MIN_YEAR <= last_year <= MAX_YEAR:
            raise DateRangeError(f"year {last_year} outside {MIN_YEAR}–{MAX_YEAR} in {text!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateRangeError(f"year {year} outside {MIN_YEAR}–{MAX_YEAR} in {text!r}")
    if "day" in side:
        try:
            day = date(year, side["month"], side["day"])
        except ValueError:
            raise DateRangeError(f"no such date {side['day']:02d}.{side['month']:02d}.{year} in {text!r}") from None
        return day, day, "day"
    if "month" in side:
        month = side["month"]
        if not 1 <= month <= 12:
            raise DateRangeError(f"no month {month} in {text!r}")
        return _months(year, month, month, "month")
    if "quarter" in side:
        quarter = side["quarter"]
        if not 1 <= quarter <= 4:
            raise DateRangeError(f"no quarter {quarter} in {text!r}")
        return _months(year, 3 * quarter - 2, 3 * quarter, "quarter")
    if "half" in side:
        half = side["half"]
        if not 1 <= half <= 2:
            raise DateRangeError(f"no half-year {half} in {text!r}")
        return _months(year, 6 * half - 5, 6 * half, "half")
    return date(year, 1, 1), date(last_year, 12, 31), "year"


def _months(year: int, first: int, last: int, precision: Precision) -> tuple[date, date, Precision]:
    """The span from the first day of month `first` to the last day of month `last`."""
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1]), precision


# --- entry point ------------------------------------------------------------


def parse_date_range(text: str, lang: str | None = None) -> DateRange:
    """Read a published date field, e.g. `December 2013–March 2014`.

    `lang` ("en", "ru" or None) is accepted as a hint only: the English and
    Russian vocabularies share no word, so the text always tells them apart
    and the result never depends on the hint.

    Raises DateRangeError (a ValueError) for anything it cannot read for certain.
    """
    tokens, framed = _strip_frame(_tokenise(text), text)
    tokens, open_ended = _strip_open_tail(tokens)
    if tokens and tokens[0][0] == "F":  # from / since / с
        tokens = tokens[1:]
        open_ended = open_ended or not any(token[0] == "S" for token in tokens)
    if not tokens:
        raise DateRangeError(f"no start date in {text!r}")
    if framed and open_ended:
        raise DateRangeError(f"{framed!r} frames a whole period, not an open one, in {text!r}")
    cuts = [i for i, token in enumerate(tokens) if token[0] == "S"]
    if len(cuts) > 1 or (cuts and open_ended):
        raise DateRangeError(f"more than two parts in {text!r}")
    if not cuts:
        start, end, precision = _period(_read_side(tokens, _FULL, text), text)
        if open_ended:
            return DateRange(start, None, precision, None, True)
        return DateRange(start, end, precision, precision, False)
    left, right = tokens[: cuts[0]], tokens[cuts[0] + 1 :]
    if not left or not right:
        raise DateRangeError(f"range without {'a start' if not left else 'an end'} in {text!r}")
    start_side, end_side = _read_side(left, _START, text), _read_side(right, _END, text)
    _share(start_side, end_side, tokens[cuts[0]][1] == "-", right, text)
    start, _, start_precision = _period(start_side, text)
    _, end, end_precision = _period(end_side, text)
    if end < start:
        raise DateRangeError(f"end before start in {text!r}")
    return DateRange(start, end, start_precision, end_precision, False)


def _strip_frame(tokens: list[Token], text: str) -> tuple[list[Token], str]:
    """Drop one closing `.`, `;` or `,` and an opening frame (`в течение`); return the frame's words."""
    if not tokens:
        raise DateRangeError(f"empty date expression: {text!r}")
    if tokens[-1][0] in ".,":  # `2013.`, `October 2013;`
        tokens.pop()
        if tokens and tokens[-1][0] in ".,":
            raise DateRangeError(f"more than one closing mark in {text!r}")
    if not tokens:
        raise DateRangeError(f"no date in {text!r}")
    if tokens[0][0] != "I":
        return tokens, ""
    for size in range(min(_LONGEST_FRAME, len(tokens)), 0, -1):  # longest first: `в течение`
        if tuple(token[1] for token in tokens[:size]) in _FRAME_PHRASES:
            return tokens[size:], " ".join(token[2] for token in tokens[:size])
    raise DateRangeError(f"not a date expression: {text!r}")


def _strip_open_tail(tokens: list[Token]) -> tuple[list[Token], bool]:
    """Drop a trailing `– until present` / `по н.в.`; say whether there was one."""
    if not tokens or tokens[-1][1] not in _TAIL_ENDS:
        return tokens, False
    for size in range(min(_LONGEST_TAIL, len(tokens)), 0, -1):  # longest first: `– until the present`
        if tuple(token[1] for token in tokens[-size:]) in _OPEN_TAILS:
            return tokens[:-size], True
    return tokens, False
