"""Credit lines read whole: which names are authors, which outlets, and the date.

One row a source line, each with what the digest must make of it; the rules are written in
``clipdesk.archive.gazetteer`` ("A and B", places after an outlet) and ``dates`` (ranges).
"""

import datetime

import pytest

from clipdesk.archive.parsing import OutletGazetteer, parse_archive

HEADER = "Quay Notes\n\nNotes on the quay in the press.\n\n"
MAR_3 = datetime.date(2019, 3, 3)
FEB_19 = datetime.date(2019, 2, 19)
FEB_28 = datetime.date(2019, 2, 28)


def credits_of(line: str, gazetteer: OutletGazetteer | None = None) -> list[tuple]:
    """(author, outlet, date, place) of every source the line credits."""
    page = parse_archive(
        f"{HEADER}Ferry timetable cut\n\nPosted on:\n\n{line}:… The winter ferry was cut.\n",
        gazetteer=gazetteer,
    )
    [post] = page.posts
    assert post.excerpt == "The winter ferry was cut."
    return [(c.author, c.outlet, c.date, c.place) for c in post.sources]


# "and" inside an outlet's name, and "A and B" naming two sources.
AND_CASES = [
    pytest.param(
        "Jane Roe, Arts and Letters Daily, March 3 2019",
        [("Jane Roe", "Arts and Letters Daily", MAR_3, None)],
        id="and_inside_an_outlets_name_after_its_author",
    ),
    pytest.param(
        "Ladies and Gentlemen Weekly, March 3 2019",
        [(None, "Ladies and Gentlemen Weekly", MAR_3, None)],
        id="and_inside_an_outlets_name_alone",
    ),
    pytest.param(
        "Saltmarsh Daily, Ladies and Gentlemen Weekly, March 3 2019",
        [
            (None, "Saltmarsh Daily", MAR_3, None),
            (None, "Ladies and Gentlemen Weekly", MAR_3, None),
        ],
        id="and_inside_an_outlets_name_at_the_end_of_a_list",
    ),
    pytest.param(
        "Osric Tallow, Post and Courier, March 3 2019",
        [("Osric Tallow", "Post and Courier", MAR_3, None)],
        id="two_lone_newspaper_words_are_one_name",
    ),
    pytest.param(
        "Reuters and Arts and Letters Daily, March 3 2019",
        [(None, "Reuters", MAR_3, None), (None, "Arts and Letters Daily", MAR_3, None)],
        id="an_outlet_and_an_outlet_with_and_in_its_name",
    ),
    pytest.param(
        "Smith and Jones, Coastal Ledger, March 3 2019",
        [("Smith and Jones", "Coastal Ledger", MAR_3, None)],
        id="two_surnames_before_the_outlet_are_its_authors",
    ),
    pytest.param(
        "Jane Roe and Tomas Elder, Coastal Ledger, March 3 2019",
        [("Jane Roe and Tomas Elder", "Coastal Ledger", MAR_3, None)],
        id="two_full_names_are_its_authors",
    ),
    pytest.param(
        "Reuters and AP, March 3 2019",
        [(None, "Reuters", MAR_3, None), (None, "AP", MAR_3, None)],
        id="two_agencies",
    ),
    pytest.param(
        "Mara Keel, Northport Echo and Sun Daily, March 3 2019",
        [("Mara Keel", "Northport Echo", MAR_3, None), ("Mara Keel", "Sun Daily", MAR_3, None)],
        id="two_outlets_after_an_author",
    ),
    pytest.param(
        "Saltmarsh Daily, Harbour Lights and Gullwing, March 3 2019",
        [
            (None, "Saltmarsh Daily", MAR_3, None),
            (None, "Harbour Lights", MAR_3, None),
            (None, "Gullwing", MAR_3, None),
        ],
        id="bare_names_at_the_end_of_a_list_of_outlets",
    ),
    pytest.param(
        "Saltmarsh Daily & KSTR Radio, March 3 2019",
        [(None, "Saltmarsh Daily", MAR_3, None), (None, "KSTR Radio", MAR_3, None)],
        id="two_outlets_joined_by_an_ampersand",
    ),
    pytest.param(
        "Foreign Policy and Defence Review, March 3 2019",
        [(None, "Foreign Policy", MAR_3, None), (None, "Defence Review", MAR_3, None)],
        id="two_halves_that_are_outlets_split_when_the_whole_is_unknown",
    ),
]

# A state, province or country code after a newspaper's name.
REGION_CASES = [
    pytest.param(
        "Bayside Herald, MD, March 3 2019",
        [(None, "Bayside Herald (MD)", MAR_3, None)],
        id="state_after_an_outlet_alone",
    ),
    pytest.param(
        "Jane Roe, Valley Courier, KY, March 3 2019",
        [("Jane Roe", "Valley Courier (KY)", MAR_3, None)],
        id="state_after_an_outlet_and_its_author",
    ),
    pytest.param(
        "Lakeshore Tribune, ON, March 3 2019",
        [(None, "Lakeshore Tribune (ON)", MAR_3, None)],
        id="canadian_province",
    ),
    pytest.param(
        "Jane Roe, Ridge Gazette, Ky., March 3 2019",
        [("Jane Roe", "Ridge Gazette (KY)", MAR_3, None)],
        id="state_written_the_ap_way",
    ),
    pytest.param(
        "Jane Roe, The Herald, U.K., March 3 2019",
        [("Jane Roe", "The Herald (UK)", MAR_3, None)],
        id="country",
    ),
    pytest.param(
        "Jane Roe, Shore Daily, Boston, MA, March 3 2019",
        [("Jane Roe", "Shore Daily", MAR_3, "Boston, MA")],
        id="state_after_a_city_is_the_citys",
    ),
    pytest.param(
        "Osric Tallow, MD, Shore Daily, March 3 2019",
        [("Osric Tallow, MD", "Shore Daily", MAR_3, None)],
        id="a_degree_after_a_persons_name_stays_a_degree",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, Lisbon, March 3 2019",
        [("Jane Roe", "Coastal Ledger", MAR_3, "Lisbon")],
        id="a_city_after_an_outlet_is_still_the_place",
    ),
    pytest.param(
        "Bayside Herald, MD and Valley Courier, KY, March 3 2019",
        [(None, "Bayside Herald (MD)", MAR_3, None), (None, "Valley Courier (KY)", MAR_3, None)],
        id="a_state_before_the_and_of_a_list_is_the_first_outlets",
    ),
    pytest.param(
        "Jane Roe, Bayside Herald, Md. & Valley Courier, March 3 2019",
        [
            ("Jane Roe", "Bayside Herald (MD)", MAR_3, None),
            ("Jane Roe", "Valley Courier", MAR_3, None),
        ],
        id="a_state_written_the_ap_way_before_an_ampersand",
    ),
    pytest.param(
        "Bayside Herald, MD, Valley Courier, KY and Lakeshore Tribune, ON, March 3 2019",
        [
            (None, "Bayside Herald (MD)", MAR_3, None),
            (None, "Valley Courier (KY)", MAR_3, None),
            (None, "Lakeshore Tribune (ON)", MAR_3, None),
        ],
        id="a_state_after_every_outlet_of_a_list",
    ),
    pytest.param(
        "Bayside Herald and Valley Courier, KY, March 3 2019",
        [(None, "Bayside Herald", MAR_3, None), (None, "Valley Courier (KY)", MAR_3, None)],
        id="a_state_after_the_last_of_a_list_is_the_last_outlets_only",
    ),
    pytest.param(
        "Shore Daily, Boston, MA and Valley Courier, March 3 2019",
        [(None, "Shore Daily", MAR_3, "Boston, MA"), (None, "Valley Courier", MAR_3, "Boston, MA")],
        id="a_state_after_a_city_in_a_list_is_the_citys",
    ),
    pytest.param(
        "Osric Tallow, MD and Jane Roe, Shore Daily, March 3 2019",
        [("Osric Tallow, MD and Jane Roe", "Shore Daily", MAR_3, None)],
        id="a_degree_before_the_and_of_two_authors_stays_a_degree",
    ),
]

# Ranges of days, dated by their first day.
RANGE_CASES = [
    pytest.param(
        "Jane Roe, Coastal Ledger, February 19 - 21 2019",
        [("Jane Roe", "Coastal Ledger", FEB_19, None)],
        id="spaced_range_month_first",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, 19 – 21 February 2019",
        [("Jane Roe", "Coastal Ledger", FEB_19, None)],
        id="spaced_range_day_first",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, February 28 – March 2 2019",
        [("Jane Roe", "Coastal Ledger", FEB_28, None)],
        id="range_across_months_month_first",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, 28 February–2 March 2019",
        [("Jane Roe", "Coastal Ledger", FEB_28, None)],
        id="range_across_months_day_first",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, December 30 – January 2 2019",
        [("Jane Roe", "Coastal Ledger", datetime.date(2018, 12, 30), None)],
        id="range_across_the_new_year_begins_in_the_year_before",
    ),
    pytest.param(
        "Jane Roe, Coastal Ledger, February 19-21 2019",
        [("Jane Roe", "Coastal Ledger", FEB_19, None)],
        id="unspaced_range",
    ),
    pytest.param(
        "France 24 – 12 March 2019",
        [(None, "France 24", datetime.date(2019, 3, 12), None)],
        id="a_number_ending_an_outlets_name_is_no_first_day",
    ),
]


# Newspaper words missing from the outlet markers ("Sun", "Star", "Bee", "Record"), some of
# them people's surnames too: a known given name before one keeps the person a person.
NEWSPAPER_WORD_CASES = [
    pytest.param(
        "Baltimore Sun, MD, March 3 2019",
        [(None, "Baltimore Sun (MD)", MAR_3, None)],
        id="sun_with_a_state_is_no_doctor",
    ),
    pytest.param(
        "Jane Roe, Baltimore Sun, MD, March 3 2019",
        [("Jane Roe", "Baltimore Sun (MD)", MAR_3, None)],
        id="sun_with_a_state_after_its_author",
    ),
    pytest.param(
        "Corbin Star, March 3 2019",
        [(None, "Corbin Star", MAR_3, None)],
        id="star_alone_is_an_outlet_not_an_author",
    ),
    pytest.param(
        "Tulare Bee, CA, March 3 2019",
        [(None, "Tulare Bee (CA)", MAR_3, None)],
        id="bee_with_a_state",
    ),
    pytest.param(
        "Hillside Record, NJ, March 3 2019",
        [(None, "Hillside Record (NJ)", MAR_3, None)],
        id="record",
    ),
    pytest.param(
        "Quarry Sun-Times, IL, March 3 2019",
        [(None, "Quarry Sun-Times (IL)", MAR_3, None)],
        id="a_marker_word_inside_a_hyphenated_name",
    ),
    pytest.param(
        "Wei Sun, MD, March 3 2019",
        [("Wei Sun, MD", None, MAR_3, None)],
        id="a_doctor_whose_surname_is_sun",
    ),
    pytest.param(
        "Wei Sun, The Coastal Herald, March 3 2019",
        [("Wei Sun", "The Coastal Herald", MAR_3, None)],
        id="an_author_whose_surname_is_sun",
    ),
    pytest.param(
        "Samantha Bee, March 3 2019",
        [("Samantha Bee", None, MAR_3, None)],
        id="an_author_alone_whose_surname_is_bee",
    ),
    pytest.param(
        "Dr. Jane Q. Star, Coastal Ledger, March 3 2019",
        [("Dr. Jane Q. Star", "Coastal Ledger", MAR_3, None)],
        id="a_titled_author_with_an_initial_whose_surname_is_star",
    ),
    pytest.param(
        "Sun Yang, Coastal Ledger, March 3 2019",
        [("Sun Yang", "Coastal Ledger", MAR_3, None)],
        id="sun_as_a_first_word_is_a_name",
    ),
]


@pytest.mark.parametrize(
    ("line", "expected"), AND_CASES + REGION_CASES + RANGE_CASES + NEWSPAPER_WORD_CASES
)
def test_a_credit_line_gives_its_authors_outlets_and_date(line, expected) -> None:
    assert credits_of(line) == expected


def test_an_outlet_the_gazetteer_knows_keeps_the_and_in_its_name() -> None:
    known = OutletGazetteer(["Foreign Policy and Defence Review"])
    line = "Jane Roe, Foreign Policy and Defence Review, March 3 2019"
    assert credits_of(line, known) == [
        ("Jane Roe", "Foreign Policy and Defence Review", MAR_3, None)
    ]


def test_a_state_learned_with_its_outlet_is_no_outlet_of_its_own() -> None:
    gazetteer = OutletGazetteer()
    credits_of("Bayside Herald, MD, March 3 2019", gazetteer)
    assert "Bayside Herald (MD)" in gazetteer and "Bayside Herald, MD" in gazetteer
    assert "MD" not in gazetteer


def test_letters_the_gazetteer_knows_as_an_outlet_are_no_state() -> None:
    known = OutletGazetteer(["PA"])  # a news agency
    assert credits_of("Jane Roe, Coastal Ledger, PA, March 3 2019", known) == [
        ("Jane Roe", "Coastal Ledger", MAR_3, None),
        ("Jane Roe", "PA", MAR_3, None),
    ]


def test_letters_the_gazetteer_knows_as_an_outlet_are_no_state_before_an_and_either() -> None:
    known = OutletGazetteer(["PA"])
    assert credits_of("Coastal Ledger, PA and Reuters, March 3 2019", known) == [
        (None, "Coastal Ledger", MAR_3, None),
        (None, "PA", MAR_3, None),
        (None, "Reuters", MAR_3, None),
    ]


def test_a_spaced_dash_after_a_day_without_a_year_is_still_the_excerpts() -> None:
    page = parse_archive(
        f"{HEADER}Storm at sea\n\nPosted on: 2019/03/05\n\n"
        "Jane Roe, Coastal Ledger, March 3 - 4 boats sank in the storm.\n"
    )
    [post] = page.posts
    assert [(c.outlet, c.date) for c in post.sources] == [("Coastal Ledger", MAR_3)]
    assert post.excerpt == "4 boats sank in the storm."
