"""Dates in the Persian (Solar Hijri) calendar, as Persian pages and archives write them.

Persian outlets often print only "۸ آذر ۱۴۰۵" or "۱۴۰۵/۰۹/۰۸" beside a story, and htmldate
reads Gregorian dates alone. Finding the date in the text is ours (month names, the scripts'
digits and letter variants); turning a Solar Hijri day into a Gregorian one is jdatetime's.
"""

from __future__ import annotations

import datetime
import re
from typing import NamedTuple

import jdatetime

# Persian and Arabic-Indic digits as ASCII ones: one character for one, so positions hold.
_DIGITS = {
    **{chr(0x06F0 + d): str(d) for d in range(10)},
    **{chr(0x0660 + d): str(d) for d in range(10)},
}
_ASCII_DIGITS = str.maketrans(_DIGITS)
# The digits, Arabic yeh and kaf as Persian writes them, and the non-joiner (inside
# "اردی‌بهشت") and tatweel dropped: month names are then one spelling each.
_FOLD = str.maketrans(
    {
        **_DIGITS,
        "\u064a": "\u06cc",  # ي → ی
        "\u0649": "\u06cc",  # ى → ی
        "\u0643": "\u06a9",  # ك → ک
        "\u200c": None,
        "\u0640": None,
    }
)

_MONTHS = {
    "فروردین": 1,
    "اردیبهشت": 2,
    "خرداد": 3,
    "تیر": 4,
    "مرداد": 5,
    "امرداد": 5,
    "شهریور": 6,
    "مهر": 7,
    "آبان": 8,
    "آذر": 9,
    "دی": 10,
    "بهمن": 11,
    "اسفند": 12,
    "اسپند": 12,
    # Afghanistan's names for the same months (Dari and Pashto pages)
    "حمل": 1,
    "ثور": 2,
    "جوزا": 3,
    "سرطان": 4,
    "اسد": 5,
    "سنبله": 6,
    "میزان": 7,
    "عقرب": 8,
    "قوس": 9,
    "جدی": 10,
    "دلو": 11,
    "حوت": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# The Arabic block, less the marks that end a word as a space does (comma U+060C, semicolon
# U+061B, question mark U+061F, full stop U+06D4): "۸ آذر، ۱۴۰۵" and "تهران،۸ آذر" name a
# day as "۸ آذر ۱۴۰۵" does.
_LETTER = r"\u0600-\u060b\u060d-\u061a\u061c-\u061e\u0620-\u06d3\u06d5-\u06ff"
# "8 آذر", "8 آذرماه", "8 آذر ماه" (after folding): a day and a month.
_DAY_MONTH = rf"(\d{{1,2}})\s*({_MONTH})(?:\s*ماه)?"
# The same found in running text: the month a whole word, as "دی" (the tenth month) is also
# the first letters of many words.
_DAY_MONTH_IN_TEXT = rf"(?<![\d{_LETTER}]){_DAY_MONTH}(?![{_LETTER}])"
# "8 آذر 1405": with the year after it.
_NAMED = re.compile(rf"{_DAY_MONTH_IN_TEXT}[\s,،]*(\d{{4}})(?!\d)")
# "8 آذر" with no year after it (nor a number that may be one): a date the archive reader
# completes from the post's own.
_NAMED_WITHOUT_YEAR = re.compile(rf"{_DAY_MONTH_IN_TEXT}(?![\s,،]*\d)")
# "8 آذر", "8 آذر 1405": a text that is only a day and a month, with or without a year.
_DAY_AND_MONTH = re.compile(rf"{_DAY_MONTH}(?:[\s,،]*\d{{4}})?")
# "1405/09/08", "1405-9-8", "08/09/1405": a year of the 13th or 14th Solar Hijri century
# tells the calendar (Gregorian years that far back are not publication dates).
_YEAR_FIRST = re.compile(r"(?<!\d)(1[34]\d\d)\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_YEAR_LAST = re.compile(r"(?<!\d)(\d{1,2})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(1[34]\d\d)(?!\d)")

_EARLIEST_YEAR = 1300  # 1921: older than anything a press desk reads


def fold(text: str) -> str:
    """`text` with ASCII digits and one spelling of each Persian letter the calendar uses."""
    return text.translate(_FOLD)


def ascii_digits(text: str) -> str:
    """`text` with Persian and Arabic-Indic digits written as ASCII ones, and nothing else
    changed: an index into the result is an index into `text`."""
    return text.translate(_ASCII_DIGITS)


def gregorian(year: int, month: int, day: int) -> datetime.date | None:
    """The Gregorian day of Solar Hijri `year`/`month`/`day`, or None when there is none
    (the 31st of a 30-day month, a leap day in a common year)."""
    if year < _EARLIEST_YEAR:
        return None
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None


def solar_year(day: datetime.date) -> int:
    """The Solar Hijri year Gregorian `day` falls in (2019-02-19 is in 1397)."""
    return jdatetime.date.fromgregorian(date=day).year


def is_day_and_month(text: str) -> bool:
    """Whether `text` is only a day and a Solar Hijri month, and perhaps a year ("۸ آذر",
    "8 آذرماه", "۳۰ اسفند ۱۴۰۴"): a date, not a name, though no year says which day it is
    or the day is not in the calendar."""
    found = _DAY_AND_MONTH.fullmatch(fold(text).strip())
    return found is not None and 1 <= int(found[1]) <= 31


class DateSpan(NamedTuple):
    """A Solar Hijri date written in a text: where it is (indexes into the text as given, not
    folded) and its Gregorian day."""

    start: int
    end: int
    date: datetime.date


def find_spans(text: str) -> list[DateSpan]:
    """Every Solar Hijri date written in `text`, left to right, none overlapping another;
    impossible days (the 31st of a 30-day month) are not dates. The archive reader cuts a
    credit line around them, so the spans index `text` itself, whatever folding dropped."""
    folded, origin = _folded_with_origin(text)
    found: list[DateSpan] = []
    for match in _NAMED.finditer(folded):
        if day := gregorian(int(match[3]), _MONTHS[match[2]], int(match[1])):
            found.append(DateSpan(origin[match.start()], origin[match.end() - 1] + 1, day))
    for pattern, order in ((_YEAR_FIRST, (1, 3, 4)), (_YEAR_LAST, (4, 3, 1))):
        for match in pattern.finditer(folded):
            year, month, day_of_month = (int(match[i]) for i in order)
            if 1 <= month <= 12 and (day := gregorian(year, month, day_of_month)):
                found.append(DateSpan(origin[match.start()], origin[match.end() - 1] + 1, day))
    spans: list[DateSpan] = []
    for span in sorted(found):
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


class DayAndMonth(NamedTuple):
    """A day and a Solar Hijri month written without a year: where they are (indexes into
    the text as given) and the numbers written, which a year may yet make no day."""

    start: int
    end: int
    month: int
    day: int


def find_days_and_months(text: str) -> list[DayAndMonth]:
    """Every day and Solar Hijri month written without a year in `text` ("۸ آذر"), left to
    right. Only the year a reader completes it with says whether it is a day at all."""
    folded, origin = _folded_with_origin(text)
    return [
        DayAndMonth(origin[match.start()], origin[match.end() - 1] + 1, _MONTHS[match[2]], day)
        for match in _NAMED_WITHOUT_YEAR.finditer(folded)
        if 1 <= (day := int(match[1])) <= 31
    ]


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """`fold(text)`, and for each of its characters the index of the one it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        replaced = char.translate(_FOLD)
        folded.append(replaced)
        origin.extend([index] * len(replaced))
    return "".join(folded), origin


def find_date(text: str, *, latest: datetime.date | None = None) -> datetime.date | None:
    """The first Solar Hijri date written in `text`, as a Gregorian date; None when there is
    none, or when it is later than `latest` (a page is not published tomorrow)."""
    spans = find_spans(text)
    if not spans:
        return None
    date = spans[0].date
    if latest is not None and date > latest:
        return None
    return date
