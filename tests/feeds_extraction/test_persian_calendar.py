"""Persian-calendar (Solar Hijri) dates: the page's date line when htmldate reads none."""

from __future__ import annotations

import datetime

import pytest

from clipdesk import jalali
from clipdesk.articles.extraction import extract_article

URL = "https://tehran-ledger.example/news/harbour-budget"
# A made-up story: two paragraphs about a port budget, and one that names a day long past.
STORY = (
    "<p>شورای شهر بندر امروز بودجهٔ تازه‌ای برای بازسازی اسکله‌های قدیمی تصویب کرد و گفت که"
    " کار از بهار آینده آغاز می‌شود.</p>"
    "<p>به گفتهٔ یکی از اعضای شورا، بخش بزرگی از هزینه از عوارض کشتی‌های باری تأمین خواهد شد"
    " و ساکنان محله‌های ساحلی در جلسه‌ای عمومی نظر خواهند داد.</p>"
    "<p>نخستین اسکلهٔ این بندر در ۱۲ فروردین ۱۳۴۵ ساخته شد و از آن زمان چند بار تعمیر شده"
    " است؛ آخرین تعمیر بزرگ آن به دهه‌های گذشته بازمی‌گردد.</p>"
)


def persian_page(date_line: str = "") -> str:
    return (
        '<html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        "<title>بودجهٔ تازه برای اسکله‌های بندر</title></head><body>"
        "<article><h1>بودجهٔ تازه برای اسکله‌های بندر</h1>"
        f"{date_line}{STORY}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ('<span class="news-date">شنبه ۸ آذر ۱۴۰۵ - ۱۰:۴۵</span>', datetime.date(2026, 11, 29)),
        ('<div class="PublishDate">۱۴۰۴/۰۱/۰۱</div>', datetime.date(2025, 3, 21)),
        ("<time>۱۲ اردی‌بهشت‌ماه ۱۴۰۴</time>", datetime.date(2025, 5, 2)),
        ('<span id="datePosted">۲۰ اسد ۱۴۰۳</span>', datetime.date(2024, 8, 10)),  # Dari
        ('<span class="date">۵ دي ۱۴۰۳</span>', datetime.date(2024, 12, 25)),  # Arabic yeh
    ],
)
def test_a_persian_calendar_date_line_gives_the_publication_date(date_line, expected):
    article = extract_article(persian_page(date_line), URL)

    assert article.published == expected
    assert "Persian-calendar" in article.choices["published"]


@pytest.mark.parametrize(
    "date_line",
    [
        "",  # only the story's own past day, which is not when the story was published
        '<span class="date">۳۰ اسفند ۱۴۰۴</span>',  # 1404 is not a leap year
        '<span class="date">۲۹ اسفند ۱۴۲۰</span>',  # years ahead
        '<div class="date-and-place">' + "بندر " * 60 + "۸ آذر ۱۴۰۵</div>",  # no date line
    ],
)
def test_no_date_is_made_up_from_the_story_or_an_impossible_day(date_line):
    article = extract_article(persian_page(date_line), URL)

    assert article.published is None
    assert article.choices["published"].startswith("none")


def test_a_gregorian_date_htmldate_reads_is_kept_before_the_persian_one():
    page = persian_page(
        '<meta property="article:published_time" content="2024-05-06T08:00:00+03:30">'
        '<span class="date">۸ آذر ۱۴۰۵</span>'
    )
    assert extract_article(page, URL).published == datetime.date(2024, 5, 6)


def test_a_latin_page_is_not_read_for_persian_calendar_numbers():
    page = (
        "<html><head><title>Harbour budget passed</title></head><body><article>"
        "<h1>Harbour budget passed</h1><span class='date'>1403/05/20</span>"
        "<p>The council passed a new budget for the old piers today, and said work begins"
        " in spring. Most of the cost will be met from fees on cargo ships.</p>"
        "</article></body></html>"
    )
    assert extract_article(page, URL).published is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۸ آذر ۱۴۰۵", datetime.date(2026, 11, 29)),
        ("8 آذرماه 1405", datetime.date(2026, 11, 29)),
        ("٨ آذر ١٤٠٥", datetime.date(2026, 11, 29)),  # Arabic-Indic digits
        ("۸ آذر، ۱۴۰۵", datetime.date(2026, 11, 29)),  # an Arabic comma after the month
        ("تهران،۸ آذر ۱۴۰۵", datetime.date(2026, 11, 29)),  # and one before the day
        ("۸ آذر.", None),
        ("1405-9-8", datetime.date(2026, 11, 29)),
        ("08.09.1405", datetime.date(2026, 11, 29)),
        ("۳۰ اسفند ۱۴۰۳", datetime.date(2025, 3, 20)),  # 1403 is a leap year
        ("۱ فروردین ۱۳۰۰", datetime.date(1921, 3, 21)),
        ("۱ فروردین ۱۲۹۹", None),  # before anything a desk reads
        ("۸ آذر", None),  # no year
        ("۱۰ دیدار ۱۴۰۳", None),  # "دی" must be a whole word
        ("۱۴۰۵/۱۳/۰۱", None),  # no thirteenth month
        ("2026/11/29", None),  # a Gregorian year
    ],
)
def test_find_date(text, expected):
    assert jalali.find_date(text) == expected
