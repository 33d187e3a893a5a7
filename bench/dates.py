"""Benchmark `pipeline.dates.parse_date_range` against a fair `dateparser` adapter.

Run: .venv/bin/python bench/dates.py   (needs the `bench` extra: dateparser)

Both parsers read the same few hundred distinct English and Russian date
strings, each with a known answer: a (start, end) pair, (start, None) for an
open range, or None for a string that must be rejected. The script prints
throughput, accuracy and false accepts (invalid strings read as dates).
Goals: at least 100x dateparser's throughput, no false accepts, better accuracy.
"""

from __future__ import annotations

import random
import re
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

try:
    import dateparser
except ImportError:
    print("dateparser is not installed; install the bench extra: pip install -e '.[bench]'", file=sys.stderr)
    sys.exit(1)

from pipeline.dates import DateRangeError, parse_date_range

Answer = tuple[date, date | None] | None
"""(start, end), (start, None) for an open range, None for a rejection."""

OUR_REPEATS = 50
EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
EN_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept.", "Oct", "Nov", "Dec"]
RU = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
RU_OF = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
ROMAN = ["I", "II", "III", "IV"]

# Strings every reader must reject.
INVALID = [
    "",
    "   ",
    "TBD",
    "Completed project",
    "Spatial Development",
    "abc 2014 xyz",
    "2014 abc",
    "ongoing",
    "present",
    "until present",
    "31 February 2013",
    "29 February 2013",
    "29.02.1900",
    "32.01.2013",
    "13.13.2013",
    "Q5 2014",
    "H3 2015",
    "5 квартал 2014",
    "2016-2015",
    "March 2014 – December 2013",
    "2020-19",
    "2011-2012-2013",
    "15",
    "20155",
    "0999",
    "Decmber 2013",
    "Septmber 2013",
    "декабр 2013",
    "2013/2015",  # two years, or 2013-2015? ambiguous (README, "How pages are read")
    "1799",
    "2200",
    "31 апреля 2014 г.",
    "30.02.2016",
    "Q3–Q1 2014",
    "2011 - 2012 - 2013",
]


def month_end(year: int, month: int) -> date:
    """Last day of a month, counted back from the next month's first day."""
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def build_cases(rng: random.Random) -> dict[str, Answer]:
    """A few hundred distinct strings with the answer each should give."""
    cases: dict[str, Answer] = {text: None for text in INVALID}

    def add(text: str, start: date, end: date | None) -> None:
        cases[text] = (start, end)

    for text, answer in {
        "2011 – until present": (date(2011, 1, 1), None),
        "2011-2012": (date(2011, 1, 1), date(2012, 12, 31)),
        "2015-2016": (date(2015, 1, 1), date(2016, 12, 31)),
        "December 2013–March 2014": (date(2013, 12, 1), date(2014, 3, 31)),
        "November-December 2013": (date(2013, 11, 1), date(2013, 12, 31)),
        "September – December 2007": (date(2007, 9, 1), date(2007, 12, 31)),
        "February-March 2010": (date(2010, 2, 1), date(2010, 3, 31)),
        "2013/2014": (date(2013, 1, 1), date(2014, 12, 31)),  # a season spans both years
    }.items():
        add(text, *answer)
    for year in range(2000, 2025):
        first, last = date(year, 1, 1), date(year, 12, 31)
        add(str(year), first, last)
        add(f"{year} г.", first, last)
        span = rng.randint(1, 4)
        end = date(year + span, 12, 31)
        add(f"{year}-{year + span}", first, end)
        add(f"{year} – {year + span} гг.", first, end)
        add(f"с {year} по {year + span} г.", first, end)
        add(f"from {year} to {year + span}", first, end)
        short_end = f"{year}–{(year + span) % 100:02d}"
        if (year + span) % 100 > 12:
            add(short_end, first, end)
        else:  # `2010–12`: December 2010 or 2010-2012? ambiguous, so rejected (README)
            cases.setdefault(short_end, None)
        cases.setdefault(f"{year + span}-{year}", None)  # end before start
        add(
            rng.choice(
                [
                    f"{year} – until present",
                    f"{year} - present",
                    f"since {year}",
                    f"с {year} г.",
                    f"{year} – по настоящее время",
                    f"{year} – н.в.",
                ]
            ),
            first,
            None,
        )
    for _ in range(30):
        y1, m1 = rng.randint(2005, 2020), rng.randint(1, 12)
        y2, m2 = (y1, rng.randint(m1, 12)) if rng.random() < 0.5 else (y1 + rng.randint(1, 2), rng.randint(1, 12))
        start, end = date(y1, m1, 1), month_end(y2, m2)
        add(f"{EN[m1 - 1]} {y1}", start, month_end(y1, m1))
        add(f"{RU[m1 - 1]} {y1}", start, month_end(y1, m1))
        add(f"{EN[m1 - 1]} {y1}–{EN[m2 - 1]} {y2}", start, end)
        add(f"{EN_SHORT[m1 - 1]} {y1} - {EN_SHORT[m2 - 1]} {y2}", start, end)
        add(f"{RU[m1 - 1]} {y1} – {RU[m2 - 1]} {y2}", start, end)
        add(f"с {RU_OF[m1 - 1]} {y1} по {RU[m2 - 1]} {y2}", start, end)
        if y1 == y2:
            add(f"{EN[m1 - 1]}-{EN[m2 - 1]} {y2}", start, end)
        else:
            cases.setdefault(f"{EN[m2 - 1]} {y2} – {EN[m1 - 1]} {y1}", None)
    for _ in range(20):
        a = date(2005, 1, 1) + timedelta(days=rng.randint(0, 5000))
        b = a + timedelta(days=rng.randint(1, 60))
        add(f"{a.day} {EN[a.month - 1]} {a.year}", a, a)
        add(f"{EN[a.month - 1]} {a.day}, {a.year}", a, a)
        add(f"{a:%d.%m.%Y}", a, a)
        add(a.isoformat(), a, a)
        add(f"{a.day} {RU_OF[a.month - 1]} {a.year} г.", a, a)
        add(f"{a:%d.%m.%Y} - {b:%d.%m.%Y}", a, b)
        add(f"{a.isoformat()} – {b.isoformat()}", a, b)
        if a.year == b.year:
            add(f"{a.day} {EN[a.month - 1]} – {b.day} {EN[b.month - 1]} {b.year}", a, b)
        if a.month == b.month:
            add(f"{a.day}–{b.day} {EN[a.month - 1]} {a.year}", a, b)
            add(f"{EN[a.month - 1]} {a.day}-{b.day}, {a.year}", a, b)
            add(f"{a.day}-{b.day} {RU_OF[a.month - 1]} {a.year} г.", a, b)
    for year in range(2010, 2020):
        q1, q2 = sorted(rng.sample(range(1, 5), 2))
        quarters = (date(year, 3 * q1 - 2, 1), month_end(year, 3 * q2))
        add(f"Q{q1} {year}", quarters[0], month_end(year, 3 * q1))
        add(f"{ROMAN[q1 - 1]} квартал {year}", quarters[0], month_end(year, 3 * q1))
        add(f"Q{q1}–Q{q2} {year}", *quarters)
        add(f"{ROMAN[q1 - 1]}–{ROMAN[q2 - 1]} кв. {year}", *quarters)
        add(f"H2 {year}", date(year, 7, 1), date(year, 12, 31))
        add(f"first half of {year}", date(year, 1, 1), date(year, 6, 30))
        add(f"2-е полугодие {year}", date(year, 7, 1), date(year, 12, 31))
    return cases


# --- the two readers, each returning an Answer ---------------------------------


def ours(text: str) -> Answer:
    try:
        result = parse_date_range(text)
    except DateRangeError:
        return None
    return result.start, result.end


_SPACED_SEPARATOR = re.compile(r"\s+(?:[-–—−]|to|till|until|по|до)\s+", re.IGNORECASE)
_TIGHT_SEPARATOR = re.compile(r"[-–—−]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OPENING = re.compile(r"^(?:from|since|с|со)\s+", re.IGNORECASE)
_FIRST = {"PREFER_DAY_OF_MONTH": "first", "PREFER_MONTH_OF_YEAR": "first", "DATE_ORDER": "DMY"}
_LAST = {"PREFER_DAY_OF_MONTH": "last", "PREFER_MONTH_OF_YEAR": "last", "DATE_ORDER": "DMY"}


def _split_range(text: str) -> tuple[str, str]:
    """One split on the range separator; an ISO date is not split at its hyphens."""
    text = _OPENING.sub("", text.strip())
    match = _SPACED_SEPARATOR.search(text)
    if match is None and not _ISO_DATE.fullmatch(text):
        match = _TIGHT_SEPARATOR.search(text)
    if match is None:
        return text, text
    return text[: match.start()], text[match.end() :]


def with_dateparser(text: str) -> Answer:
    """The fair adapter: left side read preferring first days, right side last days."""
    left, right = _split_range(text)
    start = dateparser.parse(left, languages=["en", "ru"], settings=_FIRST)
    end = dateparser.parse(right, languages=["en", "ru"], settings=_LAST)
    if start is None or end is None:
        return None
    return start.date(), end.date()


# --- measuring -----------------------------------------------------------------


def throughput(reader: Callable[[str], Answer], texts: list[str]) -> float:
    """Strings per second over one pass of `texts`."""
    began = time.perf_counter()
    for text in texts:
        reader(text)
    return len(texts) / (time.perf_counter() - began)


def score(reader: Callable[[str], Answer], cases: dict[str, Answer]) -> tuple[float, int, list[str]]:
    """Accuracy %, false accepts, and the strings read wrongly."""
    read = {text: reader(text) for text in cases}
    wrong = [text for text, answer in cases.items() if read[text] != answer]
    false_accepts = sum(1 for text, answer in cases.items() if answer is None and read[text] is not None)
    return 100 * (len(cases) - len(wrong)) / len(cases), false_accepts, wrong


def main() -> int:
    cases = build_cases(random.Random(20240601))
    texts = list(cases)
    invalid = sum(1 for answer in cases.values() if answer is None)

    our_rate = max(throughput(ours, texts * OUR_REPEATS) for _ in range(3))
    with_dateparser(texts[0])  # load dateparser's language data before timing
    their_rate = max(throughput(with_dateparser, texts) for _ in range(2))
    our_accuracy, our_false, our_wrong = score(ours, cases)
    their_accuracy, their_false, _ = score(with_dateparser, cases)

    print(f"{len(texts)} distinct strings ({len(texts) - invalid} valid, {invalid} to reject), English and Russian")
    print(f"timed: ours on {OUR_REPEATS} passes over them (best of 3 runs), uncached;")
    print("       dateparser on 1 pass (best of 2 runs): a smaller sample, same strings")
    print()
    print(f"{'':<16}{'ours':>14}{'dateparser':>14}")
    print(f"{'strings/second':<16}{our_rate:>14,.0f}{their_rate:>14,.0f}")
    print(f"{'accuracy':<16}{our_accuracy:>13.1f}%{their_accuracy:>13.1f}%")
    print(f"{'false accepts':<16}{our_false:>14}{their_false:>14}")
    print(f"{'speed ratio':<16}{our_rate / their_rate:>13.0f}x")
    if our_wrong:
        print("\nours read these wrongly:", *our_wrong[:10], sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
