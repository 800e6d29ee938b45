"""Dates in credit lines: layouts, misspelled months, partial dates."""

import datetime

import pytest

from clipdesk.archive.dates import find_dates, match_month, parse_date, parse_iso_date

FEB_19 = datetime.date(2019, 2, 19)


@pytest.mark.parametrize(
    "text",
    [
        "February 19 2019",
        "February 19, 2019",
        "19 February 2019",
        "Feb. 19, 2019",
        "2019/02/19",
        "2019-02-19",
        "19/02/2019",
        "19th February 2019",
        "February 19th, 2019",
        "19th of February 2019",
        "02/19/2019",
        "19-Feb-2019",
        "19 février 2019",
        "19 fevrier 2019",
        "19. Februar 2019",
        "Feb. 19 2019",
        "2019-02-19T10:00:00+00:00",
        "2019-02-19T23:59Z",
        "19 de febrero de 2019",
        "19 febbraio 2019",
    ],
)
def test_date_written_many_ways(text: str) -> None:
    assert parse_date(text) == FEB_19


@pytest.mark.parametrize(
    ("word", "month"),
    [
        *[("Febrauary", 2), ("Janaury", 1), ("Sept", 9), ("Agust", 8), ("Octber", 10)],
        *[("dec", 12), ("juin", 6), ("juil.", 7), ("Août", 8), ("déc", 12), ("Okt", 10)],
        *[("März", 3), ("Mai", 5), ("1er", None)],
    ],
)
def test_misspelled_and_abbreviated_months(word: str, month: int) -> None:
    assert match_month(word) == month


@pytest.mark.parametrize("word", ["The", "Monday", "Roe", "Herald", "Ma", "Mayor", "jui", "Maire"])
def test_words_that_are_not_months(word: str) -> None:
    assert match_month(word) is None


@pytest.mark.parametrize(
    "text", ["March 3-4 2019", "March 3–4, 2019", "3-4 March 2019", "3rd–4th March 2019"]
)
def test_a_range_of_days_is_dated_by_its_first_day(text: str) -> None:
    [mention] = find_dates(f"Coastal Ledger, {text}: The quay was rebuilt.")
    assert mention.resolve() == datetime.date(2019, 3, 3)


@pytest.mark.parametrize(
    ("text", "first_day"),
    [
        ("February 19 - 21 2019", FEB_19),
        ("February 19 – 21, 2019", FEB_19),
        ("19 – 21 February 2019", FEB_19),
        ("19th - 21st February 2019", FEB_19),
        ("February 28 – March 2 2019", datetime.date(2019, 2, 28)),
        ("Febrauary 28 — March 2, 2019", datetime.date(2019, 2, 28)),
        ("28 February–2 March 2019", datetime.date(2019, 2, 28)),
        ("28 February – 2 March, 2019", datetime.date(2019, 2, 28)),
        ("December 30 – January 2 2019", datetime.date(2018, 12, 30)),
        ("30 December–2 January 2019", datetime.date(2018, 12, 30)),
    ],
)
def test_a_spaced_range_or_one_across_months_is_dated_by_its_first_day(text, first_day) -> None:
    line = f"Coastal Ledger, {text}: The quay was rebuilt."
    [mention] = find_dates(line, partial=True)
    assert mention.resolve() == first_day
    assert line[mention.start : mention.end] == text


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("March 3 - 4 boats sank", []),  # no year: the dash before the excerpt
        ("France 24 – 12 March 2019", [datetime.date(2019, 3, 12)]),  # the outlet's number
        ("February 28 – Roe 2 2019", []),  # no month after the dash
    ],
)
def test_a_spaced_dash_without_a_range_around_it_is_no_range(text, dates) -> None:
    assert [mention.resolve() for mention in find_dates(text)] == dates


def test_a_range_of_days_without_a_year_is_completed_from_its_first_day() -> None:
    [mention] = find_dates("Coastal Ledger, March 3-4: The quay", partial=True)
    assert mention.resolve(datetime.date(2019, 3, 10)) == datetime.date(2019, 3, 3)


def test_misspelled_month_in_full_date() -> None:
    assert parse_date("Febrauary 17 2019") == datetime.date(2019, 2, 17)


def test_the_first_of_the_month_in_french() -> None:
    assert parse_date("1er juin 2018") == datetime.date(2018, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 de maio de 2021", datetime.date(2021, 5, 4)),  # Portuguese
        ("12 de março de 2020", datetime.date(2020, 3, 12)),
        ("4 maart 2021", datetime.date(2021, 3, 4)),  # Dutch
        ("17 mei 2019", datetime.date(2019, 5, 17)),
    ],
)
def test_portuguese_and_dutch_months(text, expected) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2 18:", datetime.date(2018, 3, 2)),
        ("March 2, '18", datetime.date(2018, 3, 2)),
        ("2 March 18", datetime.date(2018, 3, 2)),
        ("2-Mar-18", datetime.date(2018, 3, 2)),
        ("Dec. 30 '99", datetime.date(1999, 12, 30)),
    ],
)
def test_a_two_digit_year_after_a_month_name(text, expected) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["March 2, 18:30", "May 3 18-year-olds", "May 3 18 people"])
def test_a_number_after_a_month_and_day_that_is_no_year(text) -> None:
    assert parse_date(text) is None


def test_impossible_date_is_none() -> None:
    assert parse_date("February 30 2019") is None
    assert parse_date("2019/13/01") is None


def test_blank_or_dateless_text_is_none() -> None:
    assert parse_date("") is None
    assert parse_date("by admin") is None


def test_day_only_takes_month_and_year_from_reference() -> None:
    (mention,) = find_dates("16th", partial=True)
    assert mention.resolve(datetime.date(2019, 2, 19)) == datetime.date(2019, 2, 16)


def test_day_only_after_reference_day_means_previous_month() -> None:
    (mention,) = find_dates("28th", partial=True)
    assert mention.resolve(datetime.date(2019, 1, 2)) == datetime.date(2018, 12, 28)


def test_month_and_day_without_year_is_never_after_reference() -> None:
    (mention,) = find_dates("December 30", partial=True)
    assert mention.resolve(datetime.date(2020, 1, 5)) == datetime.date(2019, 12, 30)


def test_partial_date_without_reference_is_none() -> None:
    (mention,) = find_dates("16th", partial=True)
    assert mention.resolve(None) is None


def test_month_word_that_is_no_month_does_not_hide_the_date_after_it() -> None:
    (mention,) = find_dates("Roe 16th March 2020")
    assert mention.resolve() == datetime.date(2020, 3, 16)


def test_iso_datetime_attribute() -> None:
    assert parse_iso_date("2021-03-04T09:12:00+00:00") == datetime.date(2021, 3, 4)
    assert parse_iso_date(None) is None
