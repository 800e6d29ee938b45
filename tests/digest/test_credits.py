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


def test_place_stands_between_outlet_and_date():
    post = make_post(
        credits=[
            {"author": "Rosa Field", "outlet": make_outlet("Harbour Gazette"), "place": "Lisbon"}
        ]
    )
    assert source_line(post.credits.all()) == "Rosa Field, Harbour Gazette, Lisbon"


def test_credit_date_has_no_padding_and_no_comma():
    assert format_credit_date(datetime.date(2020, 3, 4)) == "March 4 2020"
