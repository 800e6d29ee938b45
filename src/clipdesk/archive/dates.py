"""Dates as legacy clipping pages write them: many layouts, misspelled months, partial dates.

Why hand-written: no maintained library handles misspelled month names. dateutil's parser and
dateparser both reject "Febrauary 17 2019" or "Agust 3", and dateutil's fuzzy mode invents
dates out of stray numbers in the surrounding prose. Credit lines need the opposite: find a
date only where one plainly is, tolerate typos in the month, and say where it sits in the line
so the text around it can be cut into names and excerpt.

Layouts understood (``find_dates``):
  2019/02/19, 2019-02-19, 2019.02.19             year first
  19/02/2019, 19-02-2019                          day first; month first only when the day
                                                  number cannot be a month (02/19/2019)
  February 19 2019, February 19, 2019, Feb. 19, 2019, February 16th, 2019
  19 February 2019, 16th February 2019, 16th of February, 2019, 19-Feb-2019
  month names in French, German, Spanish and Italian too: 3 juin 2018, 1er février 2019,
  3. Juni 2018, 28 de febrero de 2021, 3 giugno 2018
  a two-digit year after a month name: March 2 '18, 2 March 18, 2-Mar-18 (not 02/03/18)
  a range of days, dated by its first day: March 3-4 2019, 3–4 March 2019, and with a
  year after it also spaced (February 19 - 21 2019, 19 – 21 February 2019) or across
  months (February 28 – March 2 2019, 28 February–2 March 2019; December 30 – January 2
  2019 begins in 2018)
and with ``partial=True`` also "February 16" (no year) and "16th" (day only), which
``DateMention.resolve`` completes from a reference date (see there for the rule).

Persian archives: Persian and Arabic-Indic digits read as ASCII ones; the Gregorian months
by their Persian names (۲۰ مارس ۲۰۲۱, ۸ می ۲۰۲۱); and Solar Hijri dates (۸ آذر ۱۴۰۵,
۱۴۰۵/۰۹/۰۸, 08/09/1405), found by ``clipdesk.jalali`` and given as their Gregorian day.
With ``partial=True`` also a day and a Solar Hijri month without a year ("۸ آذر"), completed
by the same rule in that calendar.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from clipdesk import jalali

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

# Month names of the other languages clipping archives are kept in, written in full, accents
# folded; their abbreviations ("févr.", "Okt.") are their prefixes, as in English.
OTHER_MONTH_NAMES = {  # French, German, Spanish, Italian, Portuguese, Dutch
    **dict.fromkeys(("janvier", "januar", "enero", "gennaio", "janeiro", "januari"), 1),
    **dict.fromkeys(("fevrier", "februar", "febrero", "febbraio", "fevereiro", "februari"), 2),
    **dict.fromkeys(("mars", "marz", "maerz", "marzo", "marco", "maart"), 3),
    **dict.fromkeys(("avril", "abril", "aprile"), 4),
    **dict.fromkeys(("mai", "mayo", "maggio", "maio", "mei"), 5),
    **dict.fromkeys(("juin", "juni", "junio", "giugno", "junho"), 6),
    **dict.fromkeys(("juillet", "juli", "julio", "luglio", "julho"), 7),
    **dict.fromkeys(("aout", "agosto", "augustus"), 8),
    **dict.fromkeys(("septembre", "septiembre", "setiembre", "settembre", "setembro"), 9),
    **dict.fromkeys(("octobre", "oktober", "octubre", "ottobre", "outubro"), 10),
    **dict.fromkeys(("novembre", "noviembre", "novembro"), 11),
    **dict.fromkeys(("decembre", "dezember", "diciembre", "dicembre", "dezembro"), 12),
}

_MONTH = r"[^\W\d_]{3,10}\.?"
# The Gregorian months as Persian writes them, matched whole (after ``_month_word``): a
# prefix or a letter off is another Persian word. May is "مه" or "می", two letters: read
# only between a day and a year (``_FULL_LAYOUTS``), as "می" also begins many verbs.
PERSIAN_MONTH_NAMES = {
    **dict.fromkeys(("ژانویه", "ژانویهٔ"), 1),
    **dict.fromkeys(("فوریه", "فوریهٔ"), 2),
    "مارس": 3,
    "آوریل": 4,
    **dict.fromkeys(("مه", "می"), 5),
    "ژوئن": 6,
    **dict.fromkeys(("ژوئیه", "ژوئیهٔ", "جولای"), 7),
    **dict.fromkeys(("اوت", "آگوست"), 8),
    "سپتامبر": 9,
    "اکتبر": 10,
    "نوامبر": 11,
    "دسامبر": 12,
}
_PERSIAN_MAY = r"مه|می"
_DAY = r"[0-3]?\d(?:st|nd|rd|th|er)?"  # "1er": French writes the first of the month so
_YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
# Not glued to a preceding word or number ...
_BEFORE = r"(?<![\w/.\-])"
# ... nor followed by one ("2019abc", "19/02/2019/5"), but for the time of an ISO 8601
# timestamp ("2021-03-01T10:00:00+00:00", as WordPress writes "Posted on").
_AFTER = r"(?:(?![\w/]|-\d|\.\d)|(?=T\d\d:\d\d))"

# A year of two digits, beside a month name only (all-digit "02/03/18" stays unplaced: which
# number is the year is a guess): "'18", or "18" where the credit or the text ends, not the
# hour of "18:30" nor the number of "18 people" or "18-year-olds".
_SHORT_YEAR = r"(?:['’]\d\d|\d\d(?!:\d)(?=\s*(?:[:;,…)\]|]|\.(?!\d)|[–—-]\s|$)))"
# The last day of a range, straight after its first: no spaces around the dash, which would
# be the dash between a credit and its excerpt ("March 3 - 4 boats sank") ...
_DAY_RANGE_END = rf"[-–—]{_DAY}"
# ... unless a year follows the range: "February 19 - 21 2019" is a date however spaced.
_SPACED_RANGE_END = rf"\s*[-–—]\s*{_DAY}"
_RANGE_DASH = r"\s*[-–—]\s*"
_FULL_LAYOUTS = [
    rf"(?P<ymd_y>{_YEAR})(?P<ymd_sep>[/.\-])(?P<ymd_m>[01]?\d)(?P=ymd_sep)(?P<ymd_d>[0-3]?\d)",
    rf"(?P<dmyn_d>[0-3]?\d)(?P<dmyn_sep>[/.\-])(?P<dmyn_m>[0-3]?\d)(?P=dmyn_sep)(?P<dmyn_y>{_YEAR})",
    rf"(?P<mdy_m>{_MONTH})\s*(?P<mdy_d>{_DAY})(?:\s*,\s*|\s+)(?P<mdy_y>{_YEAR})",
    rf"(?P<dmy_d>{_DAY})\.?(?:\s+of|\s+de)?\s+(?P<dmy_m>{_MONTH}|{_PERSIAN_MAY})(?:,|\s+de)?\s+(?P<dmy_y>{_YEAR})",
    rf"(?P<dhy_d>[0-3]?\d)-(?P<dhy_m>{_MONTH})-(?P<dhy_y>{_YEAR})",
    rf"(?P<mds_m>{_MONTH})\s*(?P<mds_d>{_DAY})(?:\s*,\s*|\s+)(?P<mds_y>{_SHORT_YEAR})",
    rf"(?P<dms_d>{_DAY})\.?\s+(?P<dms_m>{_MONTH}),?\s+(?P<dms_y>{_SHORT_YEAR})",
    rf"(?P<dhs_d>[0-3]?\d)-(?P<dhs_m>{_MONTH})-(?P<dhs_y>{_SHORT_YEAR})",
    # A range of days ("March 3-4 2019", "3 – 4 March 2019"): dated by its first day. Read
    # as no date, the whole of it became an outlet's name.
    rf"(?P<mdr_m>{_MONTH})\s*(?P<mdr_d>{_DAY}){_SPACED_RANGE_END}(?:\s*,\s*|\s+)(?P<mdr_y>{_YEAR})",
    rf"(?P<dmr_d>{_DAY}){_DAY_RANGE_END}\.?\s+(?P<dmr_m>{_MONTH}),?\s+(?P<dmr_y>{_YEAR})",
    # Spaced, its first day not straight after a word: in "France 24 – 12 March 2019" the
    # number is the outlet's and the dash the one before the date.
    rf"(?<![^\W\d_]\s)(?P<dms2_d>{_DAY}){_SPACED_RANGE_END}\.?\s+(?P<dms2_m>{_MONTH}),?\s+"
    rf"(?P<dms2_y>{_YEAR})",
    # A range across months ("February 28 – March 2 2019", "28 February–2 March 2019"); the
    # year written is the last day's (see ``_mention``).
    rf"(?P<mdx_m>{_MONTH})\s*(?P<mdx_d>{_DAY}){_RANGE_DASH}(?P<mdx_m2>{_MONTH})\s*{_DAY}"
    rf"(?:\s*,\s*|\s+)(?P<mdx_y>{_YEAR})",
    rf"(?P<dmx_d>{_DAY})\.?\s+(?P<dmx_m>{_MONTH}){_RANGE_DASH}{_DAY}\.?\s+(?P<dmx_m2>{_MONTH})"
    rf",?\s+(?P<dmx_y>{_YEAR})",
]
_PARTIAL_LAYOUTS = [
    rf"(?P<mdq_m>{_MONTH})\s+(?P<mdq_d>{_DAY}){_DAY_RANGE_END}",
    rf"(?P<dmq_d>{_DAY}){_DAY_RANGE_END}\s+(?P<dmq_m>{_MONTH})",
    rf"(?P<md_m>{_MONTH})\s+(?P<md_d>{_DAY})",
    rf"(?P<dm_d>{_DAY})(?:\s+of)?\s+(?P<dm_m>{_MONTH})",
    r"(?P<d_d>[0-3]?\d)(?:st|nd|rd|th)",
]


def _compile(layouts: list[str]) -> re.Pattern[str]:
    return re.compile(_BEFORE + "(?:" + "|".join(layouts) + ")" + _AFTER, re.IGNORECASE)


_FULL_DATE = _compile(_FULL_LAYOUTS)
_ANY_DATE = _compile(_FULL_LAYOUTS + _PARTIAL_LAYOUTS)
_ISO_PREFIX = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")


def _edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    neighbours each cost 1, so "Janaury" is one step from "january"."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def match_month(token: str) -> int | None:
    """The month number a word means, tolerating abbreviations and typos, else None.

    Abbreviations: any prefix of three letters or more ("Feb", "Sept", "Febr"), of an English,
    French or German name ("févr", "Okt"), that names one month only ("jui" does not).
    Typos, in English names only: at most one edit for words of four or five letters
    ("Agust"), two for longer ones ("Febrauary"), the first letter right, and exactly one
    closest month.
    """
    word = _month_word(token)
    if word in _PERSIAN_MONTHS:
        return _PERSIAN_MONTHS[word]
    if len(word) < 3 or not word.isalpha():
        return None
    named = {number for number, name in enumerate(MONTH_NAMES, start=1) if name.startswith(word)}
    named |= {number for name, number in OTHER_MONTH_NAMES.items() if name.startswith(word)}
    if named:
        return named.pop() if len(named) == 1 else None
    if len(word) < 4:
        return None
    allowed = 1 if len(word) <= 5 else 2
    scored = [
        (_edit_distance(word, name), number)
        for number, name in enumerate(MONTH_NAMES, start=1)
        if name[0] == word[0]
    ]
    scored = [pair for pair in scored if pair[0] <= allowed]
    if not scored:
        return None
    scored.sort()
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def looks_like_month(token: str) -> bool:
    """Whether a word is a month's name, or two edits from an English one whatever its first
    letter ("Smarch"): too mistyped for `match_month`, it still says a date was meant."""
    if match_month(token) is not None:
        return True
    word = _month_word(token)
    return len(word) >= 4 and any(_edit_distance(word, name) <= 2 for name in MONTH_NAMES)


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _month_word(token: str) -> str:
    """A month word as month names are compared: lower case, unaccented, and in Persian one
    spelling of each letter (Arabic yeh and kaf as Persian writes them, madda and hamza
    dropped by the unaccenting)."""
    return jalali.fold(_unaccented(token.strip().rstrip(".").casefold()))


_PERSIAN_MONTHS = {_month_word(name): number for name, number in PERSIAN_MONTH_NAMES.items()}


_MONTH_YEAR = re.compile(rf"^(?P<month>{_MONTH})\s+{_YEAR}$")
# A day, a word and a year, either way round: a date in a language the reader has no month
# names for ("5 Mai 2018", "Agosto 3 2019").
_WORDED_DATE = re.compile(
    rf"^(?:{_DAY}\.?\s+{_MONTH},?|{_MONTH}\s+{_DAY},?)\s+{_YEAR}$", re.IGNORECASE
)
_NUMERIC_PIECES = "/.-–— "
WEEKDAYS = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    | {"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat"}  # "Sun" is a paper
    | {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
    | {"montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"}
)


def is_undated_date(text: str) -> bool:
    """Whether a credit's name is really a date the reader cannot place on a day: a month
    and a year ("July 2020"), a day and year around a month name it does not know ("5 Mai
    2018"), a year alone, or digits and separators only ("19/02/19", Arabic-Indic digits
    too), or a day of the week ("Reuters, Sunday, February 28, 2021"). Read as names, these
    became outlets and places. A day and a Solar Hijri month with no year ("۸ آذر") too.
    """
    text = text.strip()
    if text.rstrip(".").casefold() in WEEKDAYS or jalali.is_day_and_month(text):
        return True
    if found := _MONTH_YEAR.match(text):
        return match_month(found.group("month")) is not None
    if _WORDED_DATE.match(text):
        return True
    return any(ch.isdigit() for ch in text) and all(
        ch.isdigit() or ch in _NUMERIC_PIECES for ch in text
    )


@dataclass(frozen=True)
class DateMention:
    """A date written in a text, possibly without month or year; start/end index the text."""

    start: int
    end: int
    day: int
    month: int | None
    year: int | None
    # Day and month of the Solar Hijri calendar, written without a year ("۸ آذر"); a Solar
    # Hijri date with its year is held as its Gregorian day.
    solar_hijri: bool = False

    @property
    def is_complete(self) -> bool:
        return self.month is not None and self.year is not None

    def resolve(self, reference: datetime.date | None = None) -> datetime.date | None:
        """The calendar date, or None when it does not exist or cannot be completed.

        Completion rule for partial dates: a missing year (and month) is taken from the
        reference date (the post's own date, else the previous post's), choosing the most
        recent such date on or before the reference, because a credit never postdates the
        post quoting it: "28th" referred to 2019-02-02 means 2019-01-28. A Solar Hijri day
        and month take the reference's Solar Hijri year, or the one before: "۳۰ بهمن"
        referred to 2019-02-20 (1 Esfand 1397) means 30 Bahman 1397, 2019-02-19.
        """
        if self.month is not None and self.year is not None:
            return _safe_date(self.year, self.month, self.day)
        if reference is None:
            return None
        if self.month is not None:
            if self.solar_hijri:
                in_year, year = jalali.gregorian, jalali.solar_year(reference)
            else:
                in_year, year = _safe_date, reference.year
            same_year = in_year(year, self.month, self.day)
            if same_year is not None and same_year <= reference:
                return same_year
            return in_year(year - 1, self.month, self.day)
        year, month = reference.year, reference.month
        if self.day > reference.day:
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return _safe_date(year, month, self.day)


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _year_number(text: str) -> int:
    """The year written, a two-digit one ("18", "'99") in the century that puts it no later
    than next year: credits quote what was already published."""
    year = int(text.lstrip("'’"))
    if year >= 100:
        return year
    next_year = datetime.date.today().year + 1
    year += next_year // 100 * 100
    return year if year <= next_year else year - 100


def _mention(match: re.Match[str]) -> DateMention | None:
    """Turn one regex match into a mention, or None when its month word is no month."""
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    layout = next(iter(groups)).split("_")[0]
    day = _day_number(groups[f"{layout}_d"])
    year = _year_number(groups[f"{layout}_y"]) if f"{layout}_y" in groups else None
    month_text = groups.get(f"{layout}_m")
    if layout in ("ymd", "dmyn"):
        month = int(month_text or 0)
        if layout == "dmyn" and month > 12 >= day:  # 02/19/2019 can only be month first
            day, month = month, day
    elif month_text is not None:
        month = match_month(month_text)
        if month is None:
            return None
    else:
        month = None
    if (last_month_text := groups.get(f"{layout}_m2")) is not None:
        last_month = match_month(last_month_text)
        if last_month is None or month is None:
            return None
        if year is not None and last_month < month:
            year -= 1  # "December 30 – January 2 2019": the year is the range's last day's
    if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):
        return None
    return DateMention(match.start(), match.end(), day, month, year)


def find_dates(
    text: str, *, partial: bool = False, start: int = 0, end: int | None = None
) -> Iterator[DateMention]:
    """Every date written in text[start:end], left to right.

    A candidate whose month word is not a month ("Roe 16th") is skipped one character at a
    time rather than past its whole match, so "Roe 16th March 2020" still finds the date.
    """
    pattern = _ANY_DATE if partial else _FULL_DATE
    limit = len(text) if end is None else min(end, len(text))
    solar = _solar_hijri_mentions(text, start, limit, partial=partial)
    text = jalali.ascii_digits(text)  # "۲۰ مارس ۲۰۲۱": the same length, so positions hold
    position = start
    while position < limit:
        solar = [found for found in solar if found.start >= position]
        mention = _next_mention(text, pattern, position, limit)
        if solar and (mention is None or solar[0].start <= mention.start):
            mention = solar[0]  # whichever starts first is the date; one overlapping it not
        if mention is None:
            return
        yield mention
        position = mention.end


def _next_mention(
    text: str, pattern: re.Pattern[str], position: int, limit: int
) -> DateMention | None:
    while position < limit:
        match = pattern.search(text, position, limit)
        if match is None:
            return None
        if (mention := _mention(match)) is not None:
            return mention
        position = match.start() + 1
    return None


# Where a Solar Hijri date may be: a letter of the Arabic script, or a year of the 13th or
# 14th century of that calendar. Other text is not searched for one.
_MAY_BE_SOLAR_HIJRI = re.compile(r"[\u0600-\u06ff]|(?<!\d)1[34]\d\d(?!\d)")


def _solar_hijri_mentions(text: str, start: int, limit: int, *, partial: bool) -> list[DateMention]:
    """The Solar Hijri dates in text[start:limit], left to right; with `partial`, also the
    days and months written without a year."""
    if not _MAY_BE_SOLAR_HIJRI.search(text, start, limit):
        return []
    window = text[start:limit]
    found = [
        DateMention(start + span.start, start + span.end, day.day, day.month, day.year)
        for span in jalali.find_spans(window)
        if (day := span.date)
    ]
    if partial:
        found += [
            DateMention(start + d.start, start + d.end, d.day, d.month, None, solar_hijri=True)
            for d in jalali.find_days_and_months(window)
        ]
    return sorted(found, key=lambda mention: mention.start)


def parse_date(text: str) -> datetime.date | None:
    """The first complete, real date in a short text such as a "Posted on" value, else None."""
    for mention in find_dates(text):
        resolved = mention.resolve()
        if resolved is not None:
            return resolved
    return None


def parse_iso_date(value: str | None) -> datetime.date | None:
    """The date part of an ISO 8601 value such as a ``<time datetime>`` attribute."""
    if not value:
        return None
    match = _ISO_PREFIX.match(value)
    if match is None:
        return parse_date(value)
    return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
