import datetime

import pytest

from clipdesk.digest.credits import format_credit_date, source_line
from tests.factories import make_outlet, make_post

pytestmark = pytest.mark.django_db

FEB_18 = datetime.date(2019, 2, 18)


def test_author_outlet_and_date_read_as_one_credit():
    outlet = make_outlet("Des Spiegel (Spiegel Online)")
    post = make_post(credits=[{"author": "Ada Example", "outlet": outlet, "date": FEB_18}])
    assert source_line(post.credits.all()) == (
        "Ada Example, Des Spiegel (Spiegel Online), February 18 2019"
    )


def test_outlets_of_one_story_share_one_date():
    names = ["The Independent", "Tehran Times", "Sun Daily"]
    credits = [{"outlet": make_outlet(n), "date": FEB_18} for n in names]
    post = make_post(credits=credits)
    assert source_line(post.credits.all()) == (
        "The Independent, Tehran Times and Sun Daily, February 18 2019"
    )


def test_credits_with_authors_or_other_dates_stay_apart():
    a, b = make_outlet("Northern Ledger"), make_outlet("Valley Times")
    post = make_post(
        credits=[
            {"author": "Rosa Field", "outlet": a, "date": FEB_18},
            {"outlet": b, "date": datetime.date(2019, 2, 19)},
        ]
    )
    assert source_line(post.credits.all()) == (
        "Rosa Field, Northern Ledger, February 18 2019; Valley Times, February 19 2019"
    )


def test_missing_outlet_place_and_date_are_left_out_not_shown_empty():
    post = make_post(credits=[{"author": "Rosa Field"}, {"outlet": make_outlet("Coast FM")}])
    assert source_line(post.credits.all()) == "Rosa Field; Coast FM"


def test_a_credit_naming_nothing_leaves_no_empty_piece_in_the_line():
    """A credit with an address alone (added in the admin, or an article of no known outlet,
    author or date) read "Harbour Gazette, February 18 2019; ; Coast FM"."""
    gazette, radio = make_outlet("Harbour Gazette"), make_outlet("Coast FM")
    post = make_post(
        credits=[
            {"outlet": gazette, "date": FEB_18},
            {"url": "https://unknown.example/a/1"},
            {"outlet": radio, "date": FEB_18},
        ]
    )
    assert source_line(post.credits.all()) == "Harbour Gazette and Coast FM, February 18 2019"
    assert "; ;" not in html_line(post) and "; ;" not in html_line(post, linked=True)
    assert (
        source_line(make_post(credits=[{"url": "https://unknown.example/a/2"}]).credits.all()) == ""
    )


def test_place_stands_between_outlet_and_date():
    post = make_post(
        credits=[
            {"author": "Rosa Field", "outlet": make_outlet("Harbour Gazette"), "place": "Lisbon"}
        ]
    )
    assert source_line(post.credits.all()) == "Rosa Field, Harbour Gazette, Lisbon"


def test_credit_date_has_no_padding_and_no_comma():
    assert format_credit_date(datetime.date(2020, 3, 4)) == "March 4 2020"


def html_line(post, linked=False) -> str:
    from clipdesk.digest.cards import cards_for
    from clipdesk.digest.jinja import source_line as source_line_html

    return str(source_line_html(cards_for([post.pk])[0], linked=linked))


def test_html_line_links_outlets_to_their_pages_or_on_the_post_page_to_the_articles():
    gazette, radio = make_outlet("Harbour Gazette"), make_outlet("Coast FM")
    post = make_post(
        credits=[
            {"outlet": gazette, "date": FEB_18, "url": "https://gazette.example/a?x=1&y=2"},
            {"outlet": radio, "date": FEB_18},
        ]
    )
    assert html_line(post) == (
        '<span class="source-line">'
        f'<a class="outlet" href="/outlet/{gazette.slug}/">Harbour Gazette</a> and '
        f'<a class="outlet" href="/outlet/{radio.slug}/">Coast FM</a>, '
        '<time datetime="2019-02-18">February 18 2019</time></span>'
    )
    linked = html_line(post, linked=True)
    assert (
        '<a class="outlet" href="https://gazette.example/a?x=1&amp;y=2" '
        'rel="nofollow noopener">Harbour Gazette</a> and '
        f'<a class="outlet" href="/outlet/{radio.slug}/">Coast FM</a>'
    ) in linked


def test_html_line_escapes_every_value():
    post = make_post(
        credits=[
            {"author": "<b>Rosa</b>", "outlet": make_outlet("A & B"), "place": 'Quay "7"'},
            {"author": "Ned O'Hara"},
        ]
    )
    assert html_line(post) == (
        '<span class="source-line"><span class="author">&lt;b&gt;Rosa&lt;/b&gt;</span>, '
        '<a class="outlet" href="/outlet/a-b/">A &amp; B</a>, '
        '<span class="place">Quay &#34;7&#34;</span>; '
        '<span class="author">Ned O&#39;Hara</span></span>'
    )


@pytest.mark.parametrize("format_string", ["Y/m/d", "F j Y", "F Y", "Y-m-d", "N j, Y"])
def test_date_filter_reads_as_djangos_for_every_day_of_a_century(format_string):
    """The filter spells out the templates' formats itself (for speed); every answer is
    Django's own, including years before 1000, padded as Django pads them."""
    from django.utils import dateformat

    from clipdesk.digest.jinja import date

    days = [datetime.date(1950, 1, 1) + datetime.timedelta(days=n) for n in range(0, 36525, 7)]
    days += [datetime.date(999, 12, 31), datetime.date(2024, 2, 29), datetime.date(2099, 12, 1)]
    for day in days:
        assert date(day, format_string) == dateformat.format(day, format_string), day


@pytest.mark.parametrize(
    "text",
    [
        "",
        "one",
        "  spaced\tout\nover   lines  ",
        " ".join(f"word{i}" for i in range(40)),
        " ".join(f"word{i}" for i in range(41)),
        " ".join(f"word{i}" for i in range(39)) + " ends with …",
        "Ünïcode wörds — with dashes, and a very " * 12,
    ],
)
def test_truncatewords_reads_as_djangos(text):
    from django.utils.text import Truncator

    from clipdesk.digest.jinja import truncatewords

    assert truncatewords(text, 40) == Truncator(text).words(40, truncate=" …")
