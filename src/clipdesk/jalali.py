"""Dates in the Persian (Solar Hijri) calendar, as Persian pages and archives write them.

Persian outlets often print only "۸ آذر ۱۴۰۵" or "۱۴۰۵/۰۹/۰۸" beside a story, and htmldate
reads Gregorian dates alone. Finding the date in the text is ours (month names, the scripts'
digits and letter variants); turning a Solar Hijri day into a Gregorian one is jdatetime's.
"""

from __future__ import annotations

import datetime
import re

import jdatetime

# Persian and Arabic-Indic digits, Arabic yeh and kaf as Persian writes them, and the
# non-joiner (inside "اردی‌بهشت") and tatweel dropped: month names are then one spelling each.
_FOLD = str.maketrans(
    {
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        **{chr(0x0660 + d): str(d) for d in range(10)},
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
_LETTER = r"\u0600-\u06ff"
# "8 آذر 1405", "8 آذرماه 1405", "8 آذر ماه 1405" (after folding). The month must be a whole
# word: "دی" (the tenth month) is also the first letters of many words.
_NAMED = re.compile(
    rf"(?<![\d{_LETTER}])(\d{{1,2}})\s*({_MONTH})(?:\s*ماه)?(?![{_LETTER}])"
    rf"[\s,،]*(\d{{4}})(?!\d)"
)
# "1405/09/08", "1405-9-8", "08/09/1405": a year of the 13th or 14th Solar Hijri century
# tells the calendar (Gregorian years that far back are not publication dates).
_YEAR_FIRST = re.compile(r"(?<!\d)(1[34]\d\d)\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)")
_YEAR_LAST = re.compile(r"(?<!\d)(\d{1,2})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(1[34]\d\d)(?!\d)")

_EARLIEST_YEAR = 1300  # 1921: older than anything a press desk reads


def fold(text: str) -> str:
    """`text` with ASCII digits and one spelling of each Persian letter the calendar uses."""
    return text.translate(_FOLD)


def gregorian(year: int, month: int, day: int) -> datetime.date | None:
    """The Gregorian day of Solar Hijri `year`/`month`/`day`, or None when there is none
    (the 31st of a 30-day month, a leap day in a common year)."""
    if year < _EARLIEST_YEAR:
        return None
    try:
        return jdatetime.date(year, month, day).togregorian()
    except ValueError:
        return None


def find_date(text: str, *, latest: datetime.date | None = None) -> datetime.date | None:
    """The first Solar Hijri date written in `text`, as a Gregorian date; None when there is
    none, or when it is later than `latest` (a page is not published tomorrow)."""
    folded = fold(text)
    found: list[tuple[int, datetime.date]] = []
    for match in _NAMED.finditer(folded):
        day = gregorian(int(match[3]), _MONTHS[match[2]], int(match[1]))
        if day:
            found.append((match.start(), day))
            break
    for pattern, order in ((_YEAR_FIRST, (1, 3, 4)), (_YEAR_LAST, (4, 3, 1))):
        for match in pattern.finditer(folded):
            year, month, day_of_month = (int(match[i]) for i in order)
            if 1 <= month <= 12 and (day := gregorian(year, month, day_of_month)):
                found.append((match.start(), day))
                break
    if not found:
        return None
    date = min(found)[1]
    if latest is not None and date > latest:
        return None
    return date
