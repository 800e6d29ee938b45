"""Persian archives: credit and "Posted on" lines dated in the Solar Hijri calendar, or in the
Gregorian one with Persian month names, in Persian or Arabic-Indic digits.

One row a line, with the credit the digest must make of it; a date that is none (a day the
calendar lacks) leaves the credit undated and is no name of it; a day and month without a year
take the year from the post's date, in the Solar Hijri calendar.
"""

import datetime

import pytest

from clipdesk.archive.dates import find_dates
from clipdesk.archive.parsing import ArchiveCredit, parse_archive

HEADER = "یادداشت‌های بندر\n\nآنچه روزنامه‌ها دربارهٔ بندر نوشته‌اند.\n\n"
HEADLINE = "اسکله دوباره باز شد"
EXCERPT = "اسکله پس از زمستان دوباره باز شد."
AUTHOR, OUTLET = "نیما کریمی", "روزنامه بندر"
FEB_19 = datetime.date(2019, 2, 19)  # 30 Bahman 1397
FEB_20 = datetime.date(2019, 2, 20)  # 1 Esfand 1397


def only_post(body: str, posted: str = "Posted on:"):
    page = parse_archive(f"{HEADER}{HEADLINE}\n\n{posted}\n\n{body}\n")
    [post] = page.posts
    return post


CREDIT_LINES = [
    pytest.param("نیما کریمی، روزنامه بندر، ۳۰ بهمن ۱۳۹۷:… ", FEB_19, id="persian_digits"),
    pytest.param("نیما کریمی، روزنامه بندر، ٣٠ بهمن ١٣٩٧:… ", FEB_19, id="arabic_indic_digits"),
    pytest.param("نیما کریمی، روزنامه بندر، 30 بهمن 1397:… ", FEB_19, id="ascii_digits"),
    pytest.param("نیما کریمی، روزنامه بندر، ۳۰ بهمن‌ماه ۱۳۹۷:… ", FEB_19, id="month_with_mah"),
    pytest.param(
        "نیما کریمی، روزنامه بندر، ۱۲ اردی‌بهشت ۱۳۹۸:… ",
        datetime.date(2019, 5, 2),
        id="month_spelled_with_a_non_joiner",
    ),
    pytest.param("نیما کریمی، روزنامه بندر، ۱۳۹۷/۱۱/۳۰:… ", FEB_19, id="year_first_numbers"),
    pytest.param("نیما کریمی، روزنامه بندر، ۳۰/۱۱/۱۳۹۷ :… ", FEB_19, id="year_last_numbers"),
    pytest.param("نیما کریمی، روزنامه بندر، ۱۹ فوریه ۲۰۱۹:… ", FEB_19, id="gregorian_in_persian"),
    pytest.param(
        "نیما کریمی، روزنامه بندر، ۲ می ۲۰۱۹:… ",
        datetime.date(2019, 5, 2),
        id="gregorian_may_of_two_letters",
    ),
    pytest.param("نیما کریمی، روزنامه بندر، ۳۰ اسفند ۱۳۹۷:… ", None, id="no_30_esfand_in_1397"),
    pytest.param("نیما کریمی، روزنامه بندر، ۳۰ بهمن:… ", FEB_19, id="no_year_the_posts_year"),
]


@pytest.mark.parametrize(("lead", "date"), CREDIT_LINES)
def test_a_persian_credit_line_is_dated_and_its_date_is_no_name(lead, date):
    post = only_post(lead + EXCERPT, posted="Posted on: 2019/02/20")
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, date)]
    assert post.excerpt == EXCERPT


# A day and a Solar Hijri month with no year, and the post's "Posted on" date: the day is the
# latest one on or before the post, in the post's Solar Hijri year or the year before it.
YEARLESS_CREDITS = [
    # 2019-12-05 is 14 Azar 1398
    pytest.param("۸ آذر", "2019/12/05", datetime.date(2019, 11, 29), id="earlier_that_month"),
    pytest.param("١٤ آذرماه", "2019/12/05", datetime.date(2019, 12, 5), id="the_posts_own_day"),
    pytest.param("۵ دی", "2019/12/05", datetime.date(2018, 12, 26), id="after_it_the_year_before"),
    # 2019-04-01 is 12 Farvardin 1398: Esfand is the last month of 1397
    pytest.param("۲۰ اسفند", "2019/04/01", datetime.date(2019, 3, 11), id="across_nowruz"),
    pytest.param("29 اسفند ماه", "2019/03/21", datetime.date(2019, 3, 20), id="eve_of_nowruz"),
    # 1399 has a 30 Esfand; 2021-03-25 is 5 Farvardin 1400
    pytest.param("۳۰ اسفند", "2021/03/25", datetime.date(2021, 3, 20), id="leap_day"),
    pytest.param("۳۱ مهر", "2019/12/05", None, id="mehr_has_30_days"),
]


@pytest.mark.parametrize(("when", "posted", "date"), YEARLESS_CREDITS)
def test_a_persian_credit_without_a_year_takes_it_from_the_post(when, posted, date):
    post = only_post(f"{AUTHOR}، {OUTLET}، {when}:… {EXCERPT}", posted=f"Posted on: {posted}")
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, date)]
    assert post.excerpt == EXCERPT


def test_a_persian_credit_after_the_excerpt_without_a_year_takes_it_from_the_post():
    post = only_post(f"{EXCERPT} — {AUTHOR}، {OUTLET}، ۸ آذر", posted="Posted on: 2019/12/05")
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, datetime.date(2019, 11, 29))]
    assert post.excerpt == EXCERPT


def test_a_persian_credit_with_no_date_stays_undated():
    post = only_post(f"{AUTHOR}، {OUTLET}:… {EXCERPT}", posted="Posted on: 2019/12/05")
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, None)]
    assert post.excerpt == EXCERPT


def test_a_day_and_month_without_a_year_is_no_date_without_a_post_date():
    post = only_post(f"{AUTHOR}، {OUTLET}، ۸ آذر:… {EXCERPT}")
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, None)]
    assert post.excerpt == EXCERPT


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(f"{EXCERPT} — نیما کریمی، روزنامه بندر، ۳۰ بهمن ۱۳۹۷", id="after_a_dash"),
        pytest.param(f"{EXCERPT} (نیما کریمی، روزنامه بندر، ۱۳۹۷/۱۱/۳۰)", id="in_brackets"),
    ],
)
def test_a_persian_credit_after_the_excerpt_is_read(line):
    post = only_post(line)
    assert post.sources == [ArchiveCredit(AUTHOR, OUTLET, FEB_19)]
    assert post.excerpt == EXCERPT


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        pytest.param("تاریخ انتشار: ۱ اسفند ۱۳۹۷", FEB_20, id="tarikh_enteshar"),
        pytest.param("تاریخ: ۱۳۹۷/۱۲/۰۱", FEB_20, id="tarikh"),
        pytest.param("منتشر شده در ۱ اسفند ۱۳۹۷", FEB_20, id="montashar_shode_dar"),
        pytest.param("منتشر‌شده در: ١ اسفند ١٣٩٧", FEB_20, id="with_a_non_joiner"),
        pytest.param("Posted on: ۱ اسفند ۱۳۹۷", FEB_20, id="english_label"),
        pytest.param("تاریخ انتشار: ۲۰ فوریه ۲۰۱۹", FEB_20, id="gregorian_in_persian"),
        pytest.param("تاریخ انتشار: ۳۰ اسفند ۱۳۹۷", None, id="a_day_the_year_lacks"),
        pytest.param("تاریخ انتشار:", None, id="blank"),
    ],
)
def test_a_persian_posted_on_line_dates_the_post(posted, expected):
    post = only_post(f"نیما کریمی، روزنامه بندر، ۳۰ بهمن ۱۳۹۷:… {EXCERPT}", posted=posted)
    assert post.headline == HEADLINE
    assert post.posted_on == expected
    assert post.excerpt == EXCERPT  # the posted line is not part of it


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۳۰ بهمن ۱۳۹۷", [FEB_19]),
        ("March 3 2019 و ۳۰ بهمن ۱۳۹۷", [datetime.date(2019, 3, 3), FEB_19]),
        ("۳۰ بهمن ۱۳۹۷ and March 3 2019", [FEB_19, datetime.date(2019, 3, 3)]),
        ("۸ میلیون ۲۰۱۹", []),  # "می" begins the word, which is no month
        ("۱۰ دیدار ۱۳۹۷", []),  # "دی" likewise
        ("اسکله ۱۳۹۷ ساخته شد", []),  # a year alone
        ("Ridge Weekly, 1397 boats", []),
    ],
)
def test_find_dates_reads_both_calendars_left_to_right(text, expected):
    assert [m.resolve() for m in find_dates(text)] == expected


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("نیما کریمی، ۸ آذر:… متن", "۸ آذر"),
        ("نیما کریمی، ۱۲ اردی‌بهشت‌ماه:… متن", "۱۲ اردی‌بهشت‌ماه"),
        ("نیما کریمی، ۳۰ اسفند ۱۳۹۷:… متن", None),  # its year makes it no day
        ("نیما کریمی، ۸ آذر ۹۸:… متن", None),  # a number after it may be a year
        ("۱۰ دیدار در بندر", None),
    ],
)
def test_a_day_and_month_without_a_year_is_a_partial_date(text, written):
    found = [text[m.start : m.end] for m in find_dates(text, partial=True)]
    assert found == ([written] if written else [])
    assert list(find_dates(text)) == []


def test_a_solar_hijri_dates_span_covers_what_is_written():
    text = "نیما کریمی, ۱۲ اردی‌بهشت‌ماه ۱۳۹۸:… متن"
    [mention] = find_dates(text, partial=True)
    assert text[mention.start : mention.end] == "۱۲ اردی‌بهشت‌ماه ۱۳۹۸"
