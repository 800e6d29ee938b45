"""Legacy archive parsing: one test per quirk seen in old clipping pages.

Fixtures are our own fictional pages (Harbour Watch, Port Calloway and their press) in
tests/fixtures/archive/; short cases are written inline.
"""

import datetime
import json
import random
import time
from pathlib import Path

import pytest

from clipdesk.archive.parsing import (
    ArchiveCredit,
    ArchivePage,
    ArchiveParseError,
    OutletGazetteer,
    parse_archive,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "archive"
HEADER = (
    "Author: Tidewater Trust\n\nTidewater Trust\nTidewater Trust\n\n"
    "Aims of the Tidewater Trust – to keep a record of what is written about the estuary.\n\n"
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def text_page(*posts: str, header: str = HEADER) -> str:
    return header + "\n\n".join(posts) + "\n"


def post(credit_line: str, headline: str = "Estuary Wall Repairs Begin", posted: str = "") -> str:
    return f"{headline}\n\nPosted on: {posted}\n\n{credit_line}\n"


def only_post(content: str | bytes, **kwargs) -> tuple[ArchivePage, object]:
    page = parse_archive(content, **kwargs)
    assert len(page.posts) == 1, [p.headline for p in page.posts]
    return page, page.posts[0]


# --- the plain-text format ---------------------------------------------------------------


def test_text_fixture_matches_golden_output() -> None:
    page = parse_archive(fixture_bytes("harbour_watch.txt"))
    expected = json.loads((FIXTURES / "harbour_watch.expected.json").read_text("utf-8"))
    assert page.as_dict() == expected


def test_site_name_from_repeated_name_lines_and_about_paragraph() -> None:
    page = parse_archive(text_page(post("Jane Roe, The Coastal Herald, March 3 2020: Text.")))
    assert page.site_name == "Tidewater Trust"
    assert page.about is not None and page.about.startswith("Aims of the Tidewater Trust")


def test_blank_posted_on_gives_none() -> None:
    _, item = only_post(text_page(post("Jane Roe, The Coastal Herald, March 3 2020: Text.")))
    assert item.posted_on is None
    assert item.sources[0].date == datetime.date(2020, 3, 3)


@pytest.mark.parametrize("posted", ["2020/03/04", "2020-03-04T10:00:00+00:00"])
def test_posted_on_value_is_parsed(posted) -> None:
    content = text_page(post("Jane Roe, The Coastal Herald, March 3 2020: Text.", posted=posted))
    _, item = only_post(content)
    assert item.posted_on == datetime.date(2020, 3, 4)


@pytest.mark.parametrize("weekday", ["Sunday", "Sat.", "dimanche", "Sonntag"])
def test_a_day_of_the_week_in_a_credit_is_no_outlet(weekday) -> None:
    line = f"Reuters, {weekday}, February 28, 2021:… The council voted."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit(None, "Reuters", datetime.date(2021, 2, 28))]
    assert item.excerpt == "The council voted."


def test_misspelled_month_febrauary() -> None:
    _, item = only_post(text_page(post("Tehran Times, Febrauary 17 2019:… The wall held.")))
    assert item.sources == [ArchiveCredit(None, "Tehran Times", datetime.date(2019, 2, 17))]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("Janaury 3 2020", datetime.date(2020, 1, 3)),
        ("Sept 3, 2020", datetime.date(2020, 9, 3)),
        ("Agust 3 2020", datetime.date(2020, 8, 3)),
    ],
)
def test_misspelled_or_short_months_in_credit(written: str, day: datetime.date) -> None:
    _, item = only_post(text_page(post(f"Jane Roe, The Coastal Herald, {written}: The wall held.")))
    assert item.sources[0].date == day


@pytest.mark.parametrize(
    "written",
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
        "19-Feb-2019",
        "19 février 2019",
        "19 févr. 2019",
        "19. Februar 2019",
        "19 de febrero de 2019",
        "19 febbraio 2019",
        "February 19, 2019 at 10:00 am",
        "19. Februar 2019 um 10:00 Uhr",
    ],
)
def test_credit_dates_written_many_ways(written: str) -> None:
    _, item = only_post(text_page(post(f"Jane Roe, The Coastal Herald, {written}: The wall held.")))
    assert item.sources == [
        ArchiveCredit("Jane Roe", "The Coastal Herald", datetime.date(2019, 2, 19))
    ]
    assert item.excerpt == "The wall held."


def test_day_only_date_takes_month_from_posted_on() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, 16th: The wall held.", posted="2019/02/19")
    )
    _, item = only_post(content)
    assert item.sources[0].date == datetime.date(2019, 2, 16)


def test_day_only_date_takes_month_from_previous_post() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, February 19 2019: First.", headline="Wall Repairs"),
        post("Tomas Elder, Calloway Evening Post, 16th: Second.", headline="Wall Holds"),
    )
    page = parse_archive(content)
    assert page.posts[1].posted_on is None
    assert page.posts[1].sources[0].date == datetime.date(2019, 2, 16)


@pytest.mark.parametrize("separator", [":…", ": …", ":...", "...", " – ", " - ", ":", ": … "])
def test_separators_between_credit_and_excerpt(separator: str) -> None:
    line = f"Jane Roe, The Coastal Herald, March 3 2020{separator}The wall held overnight."
    _, item = only_post(text_page(post(line)))
    assert item.sources[0].outlet == "The Coastal Herald"
    assert item.excerpt == "The wall held overnight."


def test_excerpt_continues_over_following_paragraphs() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020:… First part.") + "\nSecond part.\n"
    )
    _, item = only_post(content)
    assert item.excerpt == "First part.\n\nSecond part."


@pytest.mark.parametrize("lead_in", [":", ":…", "…"])
def test_a_credit_that_points_at_the_quote_below_leaves_the_words_above_to_the_editor(lead_in):
    content = text_page(
        "Estuary Wall Repairs Begin\n\nPosted on: 2020/03/04\n\n"
        "The wall story drew wide coverage this week.\n\n"
        f"Jane Roe, The Coastal Herald, March 3 2020{lead_in}\n\n"
        "Work started on the wall on Monday.\n"
    )
    _, item = only_post(content)
    assert item.excerpt == "Work started on the wall on Monday."
    assert item.commentary == "The wall story drew wide coverage this week."
    assert item.sources[0].outlet == "The Coastal Herald"


def test_a_credit_after_the_quote_still_closes_the_post() -> None:
    content = text_page(
        "Estuary Wall Repairs Begin\n\nPosted on: 2020/03/04\n\n"
        "Work started on the wall on Monday.\n\n"
        "Jane Roe, The Coastal Herald, March 3 2020\n\n"
        "Sent from the newsroom.\n"
    )
    _, item = only_post(content)
    assert item.excerpt == "Work started on the wall on Monday."
    assert item.commentary == ""


def test_several_outlets_on_one_line() -> None:
    line = "The Independent, Tehran Times and Sun Daily, February 18 2019:… Text."
    _, item = only_post(text_page(post(line)))
    day = datetime.date(2019, 2, 18)
    assert item.sources == [
        ArchiveCredit(None, "The Independent", day),
        ArchiveCredit(None, "Tehran Times", day),
        ArchiveCredit(None, "Sun Daily", day),
    ]


def test_outlets_joined_with_ampersand() -> None:
    _, item = only_post(text_page(post("Saltmarsh Daily & KSTR Radio, March 3 2020: Text.")))
    assert [s.outlet for s in item.sources] == ["Saltmarsh Daily", "KSTR Radio"]
    assert all(s.author is None for s in item.sources)


def test_serial_comma_outlet_list() -> None:
    line = "Saltmarsh Daily, Brine Street Journal, and KSTR Radio, March 3 2020: Text."
    _, item = only_post(text_page(post(line)))
    assert [s.outlet for s in item.sources] == [
        "Saltmarsh Daily",
        "Brine Street Journal",
        "KSTR Radio",
    ]


def test_ampersand_inside_one_outlet_name_is_kept() -> None:
    _, item = only_post(text_page(post("Jane Roe, Arts & Letters Daily, March 3 2020: Text.")))
    assert item.sources == [
        ArchiveCredit("Jane Roe", "Arts & Letters Daily", datetime.date(2020, 3, 3))
    ]


def test_place_in_credit_from_known_city() -> None:
    line = "Jane Roe, The Coastal Herald, Lisbon, March 3 2020: Text."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit("Jane Roe", "The Coastal Herald", datetime.date(2020, 3, 3), "Lisbon")
    ]


def test_place_in_credit_from_unknown_single_word_after_outlet() -> None:
    line = "Jane Roe, The Coastal Herald, Portcalloway, March 3 2020: Text."
    _, item = only_post(text_page(post(line)))
    assert (item.sources[0].outlet, item.sources[0].place) == ("The Coastal Herald", "Portcalloway")


def test_credit_without_author() -> None:
    _, item = only_post(text_page(post("Tehran Times, Febrauary 17 2019:… Text.")))
    assert (item.sources[0].author, item.sources[0].outlet) == (None, "Tehran Times")


def test_credit_without_outlet() -> None:
    _, item = only_post(text_page(post("Jane Roe, March 3 2020:… Text.")))
    assert item.sources == [ArchiveCredit("Jane Roe", None, datetime.date(2020, 3, 3))]


def test_credit_after_excerpt_with_by() -> None:
    page = parse_archive(fixture_bytes("newsletter.txt"))
    first = page.posts[0]
    assert first.headline == "Quay Lease Renewed For Ten Years"
    assert first.sources == [
        ArchiveCredit("Jane Roe", "The Coastal Herald", datetime.date(2021, 3, 3))
    ]
    assert first.excerpt.startswith("The council renewed the lease")
    assert "Jane Roe" not in first.excerpt


def test_credit_after_excerpt_with_dash() -> None:
    page = parse_archive(fixture_bytes("newsletter.txt"))
    second = page.posts[1]
    assert second.headline == "Storm Damage Bill Arrives"
    assert second.sources == [
        ArchiveCredit("Tomas Elder", "Calloway Evening Post", datetime.date(2021, 3, 2))
    ]
    assert second.excerpt.endswith("officials said.")
    assert page.site_name == "Harbour Watch Weekly"


def test_outlet_first_then_author_newsweek() -> None:
    _, item = only_post(text_page(post("Newsweek, Critian Maza, February 19 2019:… Text.")))
    assert (item.sources[0].author, item.sources[0].outlet) == ("Critian Maza", "Newsweek")


def test_outlet_learned_earlier_in_page_is_recognised() -> None:
    # "Harbour Lights" looks like a person's name; the list credit shows it is an outlet.
    content = text_page(
        post("The Coastal Herald, Harbour Lights and Sun Daily, March 3 2020: One.", "Wall One"),
        post("Harbour Lights, Jane Roe, March 2 2020: Two.", "Wall Two"),
    )
    second = parse_archive(content).posts[1]
    assert (second.sources[0].author, second.sources[0].outlet) == ("Jane Roe", "Harbour Lights")


def test_outlet_learned_later_in_page_is_recognised_by_first_pass() -> None:
    content = text_page(
        post("Harbour Lights, Jane Roe, March 2 2020: Two.", "Wall Two"),
        post("The Coastal Herald, Harbour Lights and Sun Daily, March 1 2020: One.", "Wall One"),
    )
    first = parse_archive(content).posts[0]
    assert (first.sources[0].author, first.sources[0].outlet) == ("Jane Roe", "Harbour Lights")


def test_without_learning_person_like_outlet_falls_back_on_position() -> None:
    _, item = only_post(text_page(post("Jane Roe, Harbour Lights, March 2 2020: Two.")))
    assert (item.sources[0].author, item.sources[0].outlet) == ("Jane Roe", "Harbour Lights")


def test_gazetteer_passed_in_learns_outlets_for_the_next_file() -> None:
    gazetteer = OutletGazetteer(["The Coastal Herald"])
    parse_archive(
        text_page(post("Saltmarsh Daily, Harbour Lights and Gullwing, March 3 2020: One.")),
        gazetteer=gazetteer,
    )
    assert "harbour lights" in gazetteer and "GULLWING" in gazetteer
    _, item = only_post(
        text_page(post("Harbour Lights, Jane Roe, March 2 2020: Two.")), gazetteer=gazetteer
    )
    assert item.sources[0].outlet == "Harbour Lights"


@pytest.mark.parametrize(
    "credit",
    [
        "Jane Roe (The Coastal Herald), February 19 2019",
        "Jane Roe (The Coastal Herald) February 19 2019",
        "The Coastal Herald (Jane Roe), February 19 2019",
        "Jane Roe (Reuters), February 19 2019",
    ],
)
def test_an_author_and_outlet_one_in_brackets_are_two_names(credit) -> None:
    _, item = only_post(text_page(post(f"{credit}: The wall held.")))
    outlet = "Reuters" if "Reuters" in credit else "The Coastal Herald"
    assert item.sources == [ArchiveCredit("Jane Roe", outlet, datetime.date(2019, 2, 19))]
    assert item.excerpt == "The wall held."


def test_an_outlets_edition_in_brackets_stays_part_of_its_name() -> None:
    line = "Lowland Review (Weekend Edition), March 2 2021:… The licences were reviewed."
    _, item = only_post(text_page(post(line)))
    assert [(s.author, s.outlet) for s in item.sources] == [
        (None, "Lowland Review (Weekend Edition)")
    ]


@pytest.mark.parametrize("edition", ["UK edition", "print edition", "Weekend edition"])
def test_an_outlets_edition_in_brackets_in_lower_case_is_still_a_credit(edition) -> None:
    line = f"Mara Keel, Coastal Ledger ({edition}), March 3 2019:… The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit("Mara Keel", f"Coastal Ledger ({edition})", datetime.date(2019, 3, 3))
    ]
    assert item.excerpt == "The quay was rebuilt."


@pytest.mark.parametrize(
    "label", ["updated", "published", "posted", "Updated:", "published on", "first published"]
)
def test_a_word_saying_what_the_date_is_does_not_hide_the_credit(label) -> None:
    line = f"Mara Keel, Coastal Ledger, {label} March 3 2019:… The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit("Mara Keel", "Coastal Ledger", datetime.date(2019, 3, 3))]
    assert item.excerpt == "The quay was rebuilt."


def test_a_trailing_credit_with_a_word_saying_what_the_date_is_is_read() -> None:
    line = "The quay was rebuilt.\nby Mara Keel, Coastal Ledger, updated March 3 2019"
    _, item = only_post(text_page(f"Quay Rebuilt\n\nPosted on: 2019/03/04\n\n{line}\n"))
    assert item.sources == [ArchiveCredit("Mara Keel", "Coastal Ledger", datetime.date(2019, 3, 3))]
    assert item.excerpt == "The quay was rebuilt."


def test_a_credit_dated_with_a_range_of_days_is_dated_by_the_first() -> None:
    line = "Mara Keel, Coastal Ledger, March 3-4 2019:… The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit("Mara Keel", "Coastal Ledger", datetime.date(2019, 3, 3))]
    assert item.excerpt == "The quay was rebuilt."


@pytest.mark.parametrize("separator", [":…. ", ":… . ", "…. ", ":.... ", ":…."])
def test_a_full_stop_after_the_ellipsis_is_not_left_in_the_excerpt(separator) -> None:
    line = f"Mara Keel, Coastal Ledger, March 3 2019{separator}The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit("Mara Keel", "Coastal Ledger", datetime.date(2019, 3, 3))]
    assert item.excerpt == "The quay was rebuilt."


@pytest.mark.parametrize("edition", ["Sunday Edition", "UK Edition", "Weekend Supplement"])
def test_an_outlets_edition_after_a_comma_is_the_outlets_not_a_second_author(edition) -> None:
    line = f"Mara Keel, Coastal Ledger, {edition}, March 3 2019:… The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit("Mara Keel", f"Coastal Ledger ({edition})", datetime.date(2019, 3, 3))
    ]


def test_an_edition_after_an_author_alone_is_still_read_as_the_outlet() -> None:
    line = "Mara Keel, Weekend Edition, March 3 2019:… The quay was rebuilt."
    _, item = only_post(text_page(post(line)))
    march_3 = datetime.date(2019, 3, 3)
    assert item.sources == [ArchiveCredit("Mara Keel", "Weekend Edition", march_3)]


def test_parenthesised_alias_outlet() -> None:
    line = "Luise Brandt, Der Kurier (Kurier Online), February 19 2019:… Text."
    _, item = only_post(text_page(post(line)))
    assert item.sources[0].outlet == "Der Kurier (Kurier Online)"


@pytest.mark.parametrize(
    "line", ["Reuters:… The council voted.", "Reuters March 2 2021: The council voted."]
)
def test_a_well_known_outlet_alone_opens_a_credit(line) -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: One."),
        post(line, "Dredging vote"),
    )
    page = parse_archive(content)
    assert [p.headline for p in page.posts] == ["Estuary Wall Repairs Begin", "Dredging vote"]
    assert page.posts[1].sources[0].outlet == "Reuters"
    assert page.posts[1].excerpt == "The council voted."


def test_acronym_alone_is_an_outlet() -> None:
    _, item = only_post(text_page(post("KSTR, February 16 2019:… Text.")))
    assert (item.sources[0].author, item.sources[0].outlet) == (None, "KSTR")


def test_headline_before_credit_without_posted_on_line() -> None:
    content = text_page(
        "Wall Repairs Begin\n\nJane Roe, The Coastal Herald, March 3 2020: One.\n",
        "Wall Repairs Finish\n\nTomas Elder, Calloway Evening Post, March 9 2020: Two.\n",
    )
    page = parse_archive(content)
    assert [p.headline for p in page.posts] == ["Wall Repairs Begin", "Wall Repairs Finish"]
    assert page.posts[1].sources[0].outlet == "Calloway Evening Post"


def test_dateline_is_not_taken_for_a_credit() -> None:
    dateline = "Lisbon, March 2 2020 – Officials met on Monday.\n"
    content = text_page(post("Jane Roe, The Coastal Herald, March 3 2020: One.") + dateline)
    _, item = only_post(content)
    assert len(item.sources) == 1
    assert "Officials met on Monday." in item.excerpt


# A news text's opening line after the credit: where and when it was written, then a dash.
DATELINES = [
    pytest.param("Baltimore, MD, March 3 2020 – The pier closed.", id="city_and_state"),
    pytest.param("BALTIMORE, Md. — The pier closed.", id="no_date_no_credit_as_before"),
    pytest.param("BALTIMORE, Md., March 3 2020 — The pier closed.", id="capitals_ap_state"),
    pytest.param("San Jose, Calif., March 3 2020 - The pier closed.", id="two_word_city"),
    pytest.param("FORT ASHBY, WV, 3 March 2020 -- The pier closed.", id="capitals_two_words"),
    pytest.param("Boston, MA, March 3 2020 – The pier closed.", id="listed_city_and_state"),
    pytest.param("Boston, MA, March 3 2020:… The pier closed.", id="listed_city_any_separator"),
    pytest.param("London, UK, March 3 2020 – The pier closed.", id="listed_city_and_country"),
]


@pytest.mark.parametrize("dateline", DATELINES)
def test_a_dateline_with_its_state_is_the_excerpts_first_words_not_a_credit(dateline):
    credit = "Jane Roe, Baltimore Sun, March 3 2020:…"
    _, item = only_post(text_page(post(f"{credit}\n\n{dateline}\n\nThe vote was close.")))
    assert item.sources == [ArchiveCredit("Jane Roe", "Baltimore Sun", datetime.date(2020, 3, 3))]
    assert item.excerpt == f"{dateline}\n\nThe vote was close."


# Credits in the same shape: an outlet's name, a colon, or no text after the dash.
CREDITS_LIKE_DATELINES = [
    pytest.param(
        "Jane Roe, Baltimore Sun, March 3 2020:… The pier closed.",
        [("Jane Roe", "Baltimore Sun", None)],
        id="city_in_an_outlets_name",
    ),
    pytest.param(
        "Bayside Herald, MD, March 3 2020 – The pier closed.",
        [(None, "Bayside Herald (MD)", None)],
        id="outlet_and_state_before_a_dash",
    ),
    pytest.param(
        "MSNBC, NY, March 3 2020 – The pier closed.",
        [(None, "MSNBC (NY)", None)],
        id="short_acronym_and_state",
    ),
    pytest.param(
        "Politico, DC, March 3 2020 – The pier closed.",
        [(None, "Politico (DC)", None)],
        id="well_known_outlet_and_state",
    ),
    pytest.param(
        "Gullwing, March 3 2020 – The pier closed.",
        [(None, "Gullwing", None)],
        id="one_plain_word_without_a_state",
    ),
    pytest.param(
        "Baltimore, MD, March 3 2020:… The pier closed.",
        [(None, "Baltimore (MD)", None)],
        id="unlisted_name_and_state_before_a_colon",
    ),
    pytest.param(
        "Jane Roe, Shore Daily, Boston, MA, March 3 2020 – The pier closed.",
        [("Jane Roe", "Shore Daily", "Boston, MA")],
        id="city_and_state_after_an_outlet",
    ),
]


@pytest.mark.parametrize(("line", "expected"), CREDITS_LIKE_DATELINES)
def test_a_credit_shaped_like_a_dateline_is_still_a_credit(line, expected):
    _, item = only_post(text_page(post(line)))
    assert [(s.author, s.outlet, s.place) for s in item.sources] == expected
    assert item.excerpt == "The pier closed."


# --- site chrome -------------------------------------------------------------------------


CHROME_LINES = [
    "Home | About | Contact",
    "@tidewatertrust",
    "Follow us on Twitter",
    "Read more",
    "Continue reading →",
    "Share this:",
    "Leave a comment",
    "3 Comments",
    "© 2020 Tidewater Trust",
    "Copyright 2020 Tidewater Trust. All rights reserved.",
    "Search for:",
    "Older posts",
    "« Newer posts",
    "Page 2 of 40",
    "1 2 3 … 40 Next »",
    "Posted in Uncategorized",
    "Proudly powered by WordPress",
    "12 thoughts on “Wall Repairs Begin”",
    "One Reply",
    "Follow us:",
    "Posted in News | Tagged walls, estuary | Leave a comment",
]

# Sentences that open like chrome and belong to the clipping.
PROSE_LIKE_CHROME = [
    "Copyright holders of the film asked for it to be withdrawn.",
    "Powered by wind, the ferry crossed in record time.",
    "12 replies were sent to the council's consultation.",
    "Follow me, said the guide, and the visitors did.",
    "Tagged as terrorists in 1997, the group later won its delisting.",
    "One thought dominated the hearing: the cost.",
]


def test_site_chrome_is_never_a_post_nor_part_of_an_excerpt() -> None:
    chrome = "\n".join(CHROME_LINES)
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: One.") + "\n" + chrome + "\n",
        post("Tomas Elder, Calloway Evening Post, March 2 2020: Two.", "Wall Two") + "\n" + chrome,
        header=HEADER + chrome + "\n\n",
    )
    page = parse_archive(content)
    assert [p.excerpt for p in page.posts] == ["One.", "Two."]
    assert page.about is not None and "Follow us" not in page.about


@pytest.mark.parametrize("sentence", PROSE_LIKE_CHROME)
def test_a_sentence_that_opens_like_chrome_stays_in_the_excerpt(sentence) -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020:… First part.") + f"\n{sentence}\n"
    )
    _, item = only_post(content)
    assert item.excerpt == f"First part.\n\n{sentence}"
    assert item.tags == []


def test_a_headline_that_opens_like_a_copyright_line_is_a_post() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: One.", "Copyright row over harbour film")
    )
    _, item = only_post(content)
    assert item.headline == "Copyright row over harbour film"


def test_read_more_link_at_end_of_excerpt_is_dropped() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: The wall held. Read more")
    )
    _, item = only_post(content)
    assert item.excerpt == "The wall held."


def test_tags_line_gives_tags_not_excerpt() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: One.") + "\nTags: wall, estuary\n"
    )
    _, item = only_post(content)
    assert (item.excerpt, item.tags) == ("One.", ["wall", "estuary"])


# --- text hygiene ------------------------------------------------------------------------


def test_windows_line_endings() -> None:
    plain = fixture_bytes("harbour_watch.txt")
    assert parse_archive(plain.replace(b"\n", b"\r\n")) == parse_archive(plain)


def test_non_breaking_spaces() -> None:
    plain = fixture_bytes("harbour_watch.txt").decode("utf-8")
    spaced = plain.replace("March 4 2021:… The", "March\u00a04\u00a02021:…\u00a0\u00a0The")
    assert parse_archive(spaced) == parse_archive(plain)


def test_byte_order_mark() -> None:
    plain = fixture_bytes("harbour_watch.txt")
    page = parse_archive(b"\xef\xbb\xbf" + plain)
    assert page == parse_archive(plain)
    assert page.site_name == "Harbour Watch"


def test_trailing_whitespace() -> None:
    plain = fixture_bytes("harbour_watch.txt").decode("utf-8")
    padded = "\n".join(line + " \t " for line in plain.split("\n"))
    assert parse_archive(padded) == parse_archive(plain)


# --- HTML pages --------------------------------------------------------------------------


def test_wordpress_listing_gives_posts_with_dates_urls_and_tags() -> None:
    page = parse_archive(fixture_bytes("wordpress_listing.html"), filename="index.html")
    assert page.site_name == "Harbour Watch"
    assert page.about is not None and page.about.startswith("Harbour Watch is a volunteer group")
    first, second = page.posts
    assert first.headline == "Dredging Contract Awarded Without Tender"
    assert first.posted_on == datetime.date(2021, 3, 4)  # published, not updated
    assert first.url == "https://harbourwatch.example/2021/03/dredging-contract/"
    assert first.tags == ["contracts", "port authority"]
    assert first.sources == [
        ArchiveCredit("Ines Marlow", "The Coastal Herald", datetime.date(2021, 3, 4))
    ]
    assert first.excerpt == (
        "The port authority signed the contract on a Tuesday evening.\n\n"
        "Councillors said they learned of it from the newspaper."
    )
    assert second.posted_on is None
    assert [s.outlet for s in second.sources] == ["Saltmarsh Daily", "Brine Street Journal"]


def test_html_chrome_and_scripts_never_become_posts_or_excerpts() -> None:
    page = parse_archive(fixture_bytes("wordpress_listing.html"))
    text = json.dumps(page.as_dict())
    chrome = ["Not a post", "Share this", "Twitter", "Leave a comment", "Older posts"]
    chrome += ["Search for", "powered by", "Skip to content", "admin", "Continue reading"]
    assert [c for c in chrome if c in text] == []


def test_single_post_html_page() -> None:
    _, item = only_post(fixture_bytes("single_post.html"))
    assert item.headline == "Mayor Promises An Independent Review"
    assert item.posted_on == datetime.date(2021, 2, 20)
    assert item.url == "https://harbourwatch.example/2021/02/mayor-review/"
    assert item.sources == [
        ArchiveCredit("Tomas Elder", "Calloway Evening Post", datetime.date(2021, 2, 19))
    ]
    assert item.excerpt.endswith("before the summer recess.")
    assert item.tags == ["review", "council"]


def test_single_post_page_site_name_from_title_without_headline() -> None:
    page = parse_archive(fixture_bytes("single_post.html"))
    assert page.site_name == "Harbour Watch"


def test_short_embed_cards_give_posts() -> None:
    page = parse_archive(fixture_bytes("embed_cards.html"))
    assert [p.headline for p in page.posts] == [
        "Quay Lease Renewed For Ten Years",
        "Storm Damage Bill Arrives",
        "Salt Flats Survey Published",
    ]
    link_only, card, quote = page.posts
    assert link_only.url == "https://coastalherald.example/quay-lease"
    assert card.sources == [
        ArchiveCredit("Tomas Elder", "Calloway Evening Post", datetime.date(2021, 3, 2))
    ]
    assert card.excerpt == "Repairs to the breakwater will cost more than the first estimate."
    assert quote.sources[0].outlet == "The Coastal Herald"
    assert quote.excerpt == "The survey maps every nesting site along the estuary."


def test_teaser_list_without_dates_gives_posts() -> None:
    page = parse_archive(fixture_bytes("teaser_list.html"))
    assert page.site_name == "Harbour Watch"
    assert [(p.headline, p.posted_on, p.sources, p.url) for p in page.posts] == [
        ("Quay Lease Renewed For Ten Years", None, [], "/quay-lease/"),
        ("Storm Damage Bill Arrives", None, [], "/storm-bill/"),
        ("Salt Flats Survey Published", None, [], "/salt-flats/"),
    ]
    assert page.posts[1].excerpt == "Breakwater repairs will cost more than planned."


def test_html_headings_without_post_markup() -> None:
    content = (
        "<html><body><h1>Tidewater Trust</h1>"
        "<h2><a href='/a'>Wall Repairs Begin</a></h2><p>Work started on Monday.</p>"
        "<h2><a href='/b'>Wall Repairs Finish</a></h2><p>Work ended on Friday.</p>"
        "</body></html>"
    )
    page = parse_archive(content)
    assert page.site_name == "Tidewater Trust"
    assert [(p.headline, p.url, p.excerpt) for p in page.posts] == [
        ("Wall Repairs Begin", "/a", "Work started on Monday."),
        ("Wall Repairs Finish", "/b", "Work ended on Friday."),
    ]


def test_html_in_cp1252_falls_back_from_utf8() -> None:
    content = (
        "<html><body><article><h2>Quay Café Closes</h2>"
        "<p>Jane Roe, The Coastal Herald, March 3 2020 – The café shut.</p></article></body></html>"
    ).encode("cp1252")
    _, item = only_post(content)
    assert item.headline == "Quay Café Closes"
    assert item.excerpt == "The café shut."


def test_html_meta_charset_is_used_when_not_utf8() -> None:
    content = (
        '<html><head><meta charset="iso-8859-15"></head><body><article><h2>Quay Café €</h2>'
        "<p>Jane Roe, The Coastal Herald, March 3 2020: Text.</p></article></body></html>"
    ).encode("iso-8859-15")
    _, item = only_post(content)
    assert item.headline == "Quay Café €"


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO_8859-1", "latin1", "us-ascii"])
def test_a_page_saying_latin1_is_read_as_windows_1252_as_browsers_read_it(label) -> None:
    content = (
        f'<html><head><meta charset="{label}"></head><body><article><h2>“Quay” Café</h2>'
        "<p>Jane Roe, The Coastal Herald, March 3 2020: It’s shut.</p></article></body></html>"
    ).encode("cp1252")
    _, item = only_post(content)
    assert item.headline == "“Quay” Café"
    assert item.excerpt == "It’s shut."


def test_a_latin1_page_with_a_byte_windows_1252_leaves_undefined_is_still_read() -> None:
    content = (
        b'<html><head><meta charset="iso-8859-1"></head><body><article><h2>Quay Caf\xe9\x81</h2>'
        b"<p>Jane Roe, The Coastal Herald, March 3 2020: Shut.</p></article></body></html>"
    )
    _, item = only_post(content)
    assert item.headline.startswith("Quay Café")


@pytest.mark.parametrize(
    "label",
    ["Publié le :", "Mis en ligne le", "Veröffentlicht am:", "Publicado el", "Publicado em:",
     "Pubblicato il", "Gepubliceerd op:", "Datum:"],
)  # fmt: skip
def test_a_posted_on_label_in_another_language_dates_the_post(label) -> None:
    content = (
        "Veille portuaire\n\nLa digue tient bon\n\n"
        f"{label} 2020/03/04\n\n"
        "Solène Marchetti, Le Phare des Îles, 3 mars 2020 :… La digue a tenu.\n"
        "Nouveaux horaires\n\n"
        f"{label} 2020/03/01\n\n"
        "Le Phare des Îles, 28 février 2020 :… Le ferry change ses horaires.\n"
    )
    page = parse_archive(content)
    assert [(p.headline, p.posted_on) for p in page.posts] == [
        ("La digue tient bon", datetime.date(2020, 3, 4)),
        ("Nouveaux horaires", datetime.date(2020, 3, 1)),
    ]


def test_a_utf8_page_with_one_stray_windows_1252_byte_keeps_its_other_letters() -> None:
    content = (
        '<html><head><meta charset="utf-8"></head><body><article><h2>Grève à Nordhavre</h2>'
        "<p>Hélène Dubreuil, Le Phare des Îles, March 3 2020:… The dockers’ strike.</p>"
        "</article></body></html>"
    ).encode()
    content = content.replace("’".encode(), b"\x92")  # one quote pasted from elsewhere
    _, item = only_post(content)
    assert item.headline == "Grève à Nordhavre"  # not "GrÃ¨ve Ã Nordhavre"
    assert item.excerpt == "The dockers’ strike."


def test_posts_nested_deeper_than_libxml2s_default_limit_are_all_read() -> None:
    posts = "".join(
        f'<div class="item"><h2>Quay notice {n}</h2>'
        f"<p>Jane Roe, The Coastal Herald, March 3 2020: Notice number {n} was posted.</p>"
        for n in range(300)  # never closed: 300 levels of div
    )
    page = parse_archive(f"<html><body>{posts}</body></html>".encode(), filename="deep.html")
    assert len(page.posts) == 300
    assert page.posts[-1].headline == "Quay notice 299"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", "", b"   \n\r\n\t", "\ufeff"])
def test_empty_input_raises(content: bytes | str) -> None:
    with pytest.raises(ArchiveParseError, match="empty"):
        parse_archive(content)


def test_invalid_utf8_text_raises() -> None:
    with pytest.raises(ArchiveParseError, match="not valid UTF-8 text") as raised:
        parse_archive("Quay Notes\n\nQuay Café\n\nPosted on: 2020/03/03\n".encode("cp1252"))
    # Where, and the way out: a text file names no encoding to read it in.
    assert "(bad byte at 20, line 3); save the file as UTF-8 and import it again" in str(
        raised.value
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_a_byte_order_mark_is_read(encoding: str) -> None:
    text = (
        "Quay Notes\n\nQuay reopens\n\nPosted on: 2020/03/03\n\n"
        "Jane Roe, Harbour Gazette, March 3 2020:… The quay reopened at dawn.\n"
    )
    page = parse_archive(text.encode(encoding))
    assert [p.headline for p in page.posts] == ["Quay reopens"]


def test_binary_data_raises() -> None:
    with pytest.raises(ArchiveParseError, match="binary"):
        parse_archive(bytes(range(32)) * 20)


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x9c\x8b" + bytes(range(256)) * 4, "zip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 9 >>\nstream\n\x9c\xf3\x00", "PDF"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)), "binary data"),
    ],
)
def test_binary_file_is_not_said_to_be_text_in_another_encoding(content: bytes, said: str) -> None:
    """A zip of saved pages or a PDF was told to be saved again as UTF-8: it is no text."""
    with pytest.raises(ArchiveParseError, match=said) as failure:
        parse_archive(content, filename="pages.zip")
    assert "UTF-8" not in str(failure.value)


@pytest.mark.parametrize(
    "content",
    ["Just a line of text.", "<html><body><p>Hello.</p></body></html>", "<html></html>", "<"],
)
def test_input_without_posts_raises(content: str) -> None:
    with pytest.raises(ArchiveParseError, match="no posts found"):
        parse_archive(content)


SPLICES = [b"\x0b", b"\x0c", b"\x1f", b"\xc2\x85", b"\xe2\x80\xa8", b"<", b"</article>",
           b"<h2>", b"<p>", b"\r", b",", b":\xe2\x80\xa6", b" and ", b"16th", b"\n\n"]  # fmt: skip


def test_random_and_truncated_input_only_raises_archive_parse_error() -> None:
    rng = random.Random(20240611)  # noqa: S311 - seeded test data, not security
    samples = [p.read_bytes() for p in sorted(FIXTURES.iterdir())]
    for _ in range(300):
        source = rng.choice(samples)
        spliced = bytearray(source)
        for _ in range(rng.randrange(1, 30)):
            at = rng.randrange(len(spliced) + 1)
            spliced[at:at] = rng.choice(SPLICES)
        candidates = [
            bytes(rng.randrange(256) for _ in range(rng.randrange(200))),
            source[: rng.randrange(len(source) + 1)],
            bytes(rng.choice(b"<>/:,.\n 0123456789aZ&;") for _ in range(rng.randrange(200))),
            bytes(spliced),
        ]
        for content in candidates:
            try:
                page = parse_archive(content, filename=rng.choice(["", "x.html", "x.txt"]))
            except ArchiveParseError:
                continue
            assert page.posts


def _wall_of_posts(size: int) -> tuple[bytes, int]:
    """A page of about `size` bytes of posts, and how many posts it holds."""
    rng = random.Random(5)  # noqa: S311 - seeded test data, not security
    words = ["quay", "wall", "tide", "council", "ferry", "dredging", "harbour", "survey"]
    blocks = [HEADER]
    while sum(map(len, blocks)) < size:
        n = len(blocks)
        body = " ".join(rng.choice(words) for _ in range(rng.randrange(40, 120)))
        blocks.append(
            f"Wall Story {n}\n\nPosted on: 2020/03/{n % 28 + 1:02d}\n\n"
            f"Jane Roe, The Coastal Herald, March {n % 28 + 1} 2020:… {body} {n}.\n\n"
            f"{body[::-1]} {n}.\n\n"
        )
    return "".join(blocks).encode(), len(blocks) - 1


def test_a_one_megabyte_page_parses_whole_in_time_that_grows_with_its_size() -> None:
    """Every post of a 1 MB page, and ten times the page costs about ten times the time:
    a pattern that backtracks over the whole page would make it a hundred. Measured against
    a tenth of the page in the same run, so the machine's speed does not matter."""
    small, small_posts = _wall_of_posts(100_000)
    big, big_posts = _wall_of_posts(1_000_000)
    assert len(parse_archive(small).posts) == small_posts

    def seconds(content: bytes) -> float:
        started = time.perf_counter()
        parse_archive(content)
        return time.perf_counter() - started

    small_time = min(seconds(small) for _ in range(3))
    started = time.perf_counter()
    page = parse_archive(big)
    big_time = time.perf_counter() - started
    assert len(page.posts) == big_posts
    assert big_time < 40 * small_time, f"{big_time:.2f} s against {small_time:.3f} s"


def test_as_dict_shape() -> None:
    page = parse_archive(text_page(post("Jane Roe, The Coastal Herald, March 3 2020: One.")))
    assert page.as_dict() == {
        "site": {"name": "Tidewater Trust", "about": page.about},
        "posts": [
            {
                "headline": "Estuary Wall Repairs Begin",
                "posted_on": None,
                "sources": [
                    {"author": "Jane Roe", "outlet": "The Coastal Herald", "date": "2020-03-03"}
                ],
                "excerpt": "One.",
            }
        ],
    }


# --- the gazetteer -----------------------------------------------------------------------


def test_gazetteer_matches_ignoring_case_punctuation_and_leading_the() -> None:
    gazetteer = OutletGazetteer(["The Coastal Herald", "Der Kurier (Kurier Online)"])
    assert "coastal herald" in gazetteer
    assert "THE COASTAL-HERALD" in gazetteer
    assert "Kurier Online" in gazetteer and "der kurier" in gazetteer
    assert "Coastal Times" not in gazetteer
    gazetteer.add("Gullwing")
    assert "gullwing." in gazetteer


@pytest.mark.parametrize(
    "name",
    ["Tehran Times", "Sun Daily", "KSTR", "The Intercept", "Iran Front Page", "Nejat Society",
     "harbourwatch.com", "Der Kurier (Kurier Online)", "Newsweek"],
)  # fmt: skip
def test_gazetteer_outlet_heuristics(name: str) -> None:
    gazetteer = OutletGazetteer()
    assert gazetteer.is_outlet(name)
    assert not gazetteer.is_person(name)


@pytest.mark.parametrize("name", ["Jane Roe", "Critian Maza", "Ludwig van Hal", "J. R. Tolman"])
def test_gazetteer_person_heuristics(name: str) -> None:
    gazetteer = OutletGazetteer()
    assert gazetteer.is_person(name)
    assert not gazetteer.is_outlet(name)


def test_gazetteer_known_name_is_never_a_person() -> None:
    gazetteer = OutletGazetteer(["Harbour Lights"])
    assert gazetteer.is_outlet("Harbour Lights")
    assert not gazetteer.is_person("Harbour Lights")


def test_text_dump_wrapped_in_pre_keeps_its_lines() -> None:
    plain = fixture_bytes("harbour_watch.txt").decode("utf-8")
    wrapped = "<html><body><pre>" + plain.replace("&", "&amp;") + "</pre></body></html>"
    assert parse_archive(wrapped).as_dict() == parse_archive(plain).as_dict()


def test_legacy_html_with_br_line_breaks() -> None:
    content = (
        "<html><body><p>Tidewater Trust</p>"
        "<p>Wall One<br>Posted on: 2020/03/05<br>"
        "Jane Roe, The Coastal Herald, March 3 2020: The wall held.</p>"
        "<p>Wall Two<br>Posted on:<br>KSTR, March 1 2020 – The ferry ran late.</p></body></html>"
    )
    page = parse_archive(content)
    assert page.site_name == "Tidewater Trust"
    assert [(p.headline, p.posted_on, p.excerpt) for p in page.posts] == [
        ("Wall One", datetime.date(2020, 3, 5), "The wall held."),
        ("Wall Two", None, "The ferry ran late."),
    ]


def test_sentence_opening_with_a_date_is_not_a_credit() -> None:
    content = text_page(
        post("Jane Roe, The Coastal Herald, March 3 2020: One.")
        + "\nOn Tuesday, March 3 2020, the council met again.\n"
    )
    _, item = only_post(content)
    assert len(item.sources) == 1
    assert item.excerpt == "One.\n\nOn Tuesday, March 3 2020, the council met again."


def test_control_characters_in_html_are_harmless() -> None:
    content = "<html><body><article><h2>Wall\x0b One\x1f</h2>\x0c<p>Jane Roe, The Coastal Herald,"
    content += " March 3 2020: The wall\x07 held.</p></article></body></html>"
    _, item = only_post(content)
    assert item.headline == "Wall One"
    assert item.excerpt == "The wall held."


def test_wordpress_single_article_ignores_comments_and_related_posts() -> None:
    page, item = only_post(fixture_bytes("single_article.html"))
    assert page.site_name == "Harbour Watch"
    assert page.about is None  # the meta description there describes the post, not the site
    assert item.headline == "Salt Flats Survey Published"
    assert item.posted_on == datetime.date(2021, 2, 28)
    assert item.url == "https://harbourwatch.example/2021/02/salt-flats-survey/"
    assert item.tags == ["birds"]
    assert item.sources == [
        ArchiveCredit("Ines Marlow", "The Coastal Herald", datetime.date(2021, 2, 16))
    ]
    assert item.excerpt == (
        "The survey maps every nesting site along the estuary, from the old ferry slip to the "
        "salt pans.\n\nVolunteers counted birds on six weekends in a row."
    )


# --- quirks found on the demo content ------------------------------------------------------


def test_persian_zero_width_non_joiner_is_kept_in_headline_and_excerpt() -> None:
    # "Families gathered" with ZWNJ (U+200C) inside words, as Persian spells them.
    headline = "خانواده\u200cها در بندر گرد آمدند"
    line = "Parisa Tavakol, Sada-ye Bandar, May 2 2021:… خانواده\u200cهای اعضا می\u200cگویند."
    _, item = only_post(text_page(post(line, headline=headline)))
    assert item.headline == headline
    assert item.excerpt == "خانواده\u200cهای اعضا می\u200cگویند."
    assert item.sources == [
        ArchiveCredit("Parisa Tavakol", "Sada-ye Bandar", datetime.date(2021, 5, 2))
    ]


def test_zero_width_joiner_is_kept_and_other_invisibles_are_dropped() -> None:
    # ZWJ inside an emoji sequence stays; zero-width space, soft hyphen and stray joiners at
    # word edges go, in text and in HTML entities alike.
    line = (
        "Jane Roe, The Coastal Herald, March 3 2020: Sea\u00adwall\u200b fans 👩\u200d🔧 \u200cmet."
    )
    _, item = only_post(text_page(post(line)))
    assert item.excerpt == "Seawall fans 👩\u200d🔧 met."
    html = (
        "<html><body><article><h2>Sea&shy;wall&#8203; Repairs</h2><p>Jane Roe, The Coastal"
        " Herald, March 3 2020: Kh&#8204;ane&zwnj;ha &#8204;held.</p></article></body></html>"
    )
    _, item = only_post(html)
    assert item.headline == "Seawall Repairs"
    assert item.excerpt == "Kh\u200cane\u200cha held."


def test_irish_one_letter_name_particle_o_makes_an_author() -> None:
    line = "Aoife Ó Dálaigh, Saltmarsh Weekly, March 3 2021 – A group of volunteers met."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit("Aoife Ó Dálaigh", "Saltmarsh Weekly", datetime.date(2021, 3, 3))
    ]
    assert item.excerpt == "A group of volunteers met."


@pytest.mark.parametrize(
    "name",
    ["Aoife Ó Dálaigh", "Ciarán Mc Grath", "Seamus O' Dowd", "J. Tolman", "J.R. Tolman",
     "Ana de Souza", "Pieter van Dam", "Omar al-Rashid", "Omar al- Rashid", "Luc d'Aubrac",
     "Marta Ortega y Vidal"],
)  # fmt: skip
def test_name_particles_and_initials_make_person_names(name: str) -> None:
    gazetteer = OutletGazetteer()
    assert gazetteer.is_person(name)
    assert not gazetteer.is_outlet(name)


@pytest.mark.parametrize("name", ["de Souza", "Pieter van", "Ó", "Tidewater Weekly", "MEK"])
def test_particle_at_an_edge_or_a_lone_capital_is_no_person_name(name: str) -> None:
    assert not OutletGazetteer().is_person(name)


def test_credit_with_particle_glued_by_hyphen_is_read() -> None:
    line = "Omar al-Rashid, Calloway Evening Post, March 3 2021: The ferry ran late."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit("Omar al-Rashid", "Calloway Evening Post", datetime.date(2021, 3, 3))
    ]
    assert item.excerpt == "The ferry ran late."


def test_lower_case_linking_word_des_in_french_outlet_name() -> None:
    content = (
        "<html><body><article><h2>La digue tient bon</h2><p>Solène Marchetti, Le Phare des"
        " Dunes, 19 January 2021:&hellip; Depuis l&#8217;hiver dernier, la digue tient.</p>"
        "</article></body></html>"
    )
    _, item = only_post(content)
    assert item.sources == [
        ArchiveCredit("Solène Marchetti", "Le Phare des Dunes", datetime.date(2021, 1, 19))
    ]
    assert item.excerpt == "Depuis l’hiver dernier, la digue tient."


@pytest.mark.parametrize(
    "outlet",
    ["Diario de la Ría", "Jornal do Estuário", "Gazzetta della Laguna", "Stem van het Wad",
     "Bote für die Küste", "Voix du Port", "Notícias dos Cais", "Mail on Sunday"],
)  # fmt: skip
def test_lower_case_linking_words_in_outlet_names_of_several_languages(outlet: str) -> None:
    line = f"Jane Roe, {outlet}, March 3 2021: The wall held."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit("Jane Roe", outlet, datetime.date(2021, 3, 3))]
    assert item.excerpt == "The wall held."


NEWSLETTER_FOOTER = (
    "\n\n\nYou are receiving this newsletter because you joined Tidewater Trust at a harbour"
    " meeting. To stop receiving it, reply with the word STOP.\n"
    "Tidewater Trust · 4 Quay Lane · Portcalloway\n"
)


def test_newsletter_footer_after_trailing_credit_is_not_in_the_excerpt() -> None:
    last = (
        "Ferry Timetable Cut\n\nPosted on: 2021/04/27\n\nThe winter ferry will run twice a day."
        "\nby Nuno Falcão, The Quayside Post, Lisbon, 27 April 2021\n"
    )
    _, item = only_post(text_page(last) + NEWSLETTER_FOOTER)
    assert item.sources == [
        ArchiveCredit("Nuno Falcão", "The Quayside Post", datetime.date(2021, 4, 27), "Lisbon")
    ]
    assert item.excerpt == "The winter ferry will run twice a day."


def test_text_after_a_trailing_credit_is_not_part_of_the_post() -> None:
    # Not chrome, and more than one paragraph of it: the credit still closes the post.
    last = (
        "Ferry Timetable Cut\n\nPosted on: 2021/04/27\n\nThe winter ferry will run twice a day."
        "\n\nby Nuno Falcão, The Quayside Post, 27 April 2021\n\nWith thanks to our volunteers."
        "\n\nSee you at the next meeting.\n"
    )
    _, item = only_post(text_page(last))
    assert item.sources[0].outlet == "The Quayside Post"
    assert item.excerpt == "The winter ferry will run twice a day."


@pytest.mark.parametrize(
    "line",
    [
        "You are receiving this newsletter because you signed up on our website.",
        "You're receiving this email because you are a member of Tidewater Trust.",
        "Unsubscribe",
        "To unsubscribe, write to the secretary.",
        "Click here to unsubscribe | Update your preferences",
        "Reply STOP to stop receiving these updates.",
        "To stop receiving it, reply with the word STOP.",
        "Forward this email to a friend",
        "Forwarded this email? Sign up here.",
        "View this email in your browser",
        "View in browser",
        "Having trouble viewing this email? View it online.",
    ],
)
def test_newsletter_boilerplate_is_chrome(line: str) -> None:
    content = text_page(post("Jane Roe, The Coastal Herald, March 3 2020: One.") + line + "\n")
    _, item = only_post(content)
    assert item.excerpt == "One."


def test_prose_mentioning_unsubscribing_stays_in_the_excerpt() -> None:
    prose = "Members who tried to unsubscribe from the mailings were phoned at home."
    content = text_page(post("Jane Roe, The Coastal Herald, March 3 2020: One.") + prose + "\n")
    _, item = only_post(content)
    assert item.excerpt == f"One.\n\n{prose}"


def test_all_caps_section_heading_before_first_post_is_not_about_text() -> None:
    header = (
        "Tidewater Trust\n\nDear members,\n\nHere is what the press wrote about the estuary.\n\n"
        "IN THE PRESS THIS MONTH\n\n\n\n"
    )
    page = parse_archive(
        text_page(post("Jane Roe, The Coastal Herald, March 3 2020: One."), header=header)
    )
    assert page.site_name == "Tidewater Trust"
    assert page.about == "Dear members,\n\nHere is what the press wrote about the estuary."
    assert [p.headline for p in page.posts] == ["Estuary Wall Repairs Begin"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Posted on social media, the clip drew thousands of views overnight.",
        "Date: to be confirmed by the harbour board, a spokesman said.",
        "Published on the council's website, the plan runs to forty pages.",
    ],
)
def test_a_sentence_that_begins_like_a_posted_line_stays_in_the_excerpt(sentence):
    page = text_page(
        post(
            "Jane Roe, Ridge Weekly, July 2 2019:… A fisherman filmed the waves.\n\n" + sentence,
            posted="2019/07/02",
        )
    )
    _, found = only_post(page)
    assert found.posted_on == datetime.date(2019, 7, 2)
    assert found.excerpt.endswith(sentence)


@pytest.mark.parametrize("line", ["Posted on: 3 juin 2018", "Date: 2019-07-02", "Posted on:"])
def test_a_posted_line_with_a_date_or_none_is_still_not_excerpt(line):
    page = text_page(
        "Estuary Wall Repairs Begin\n\n"
        f"{line}\n\nJane Roe, Ridge Weekly, July 2 2019:… A fisherman filmed the waves.\n"
    )
    _, found = only_post(page)
    assert found.excerpt == "A fisherman filmed the waves."


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (
            "<html><head><title>Spokes and Chains</title></head><body><h1>Spokes and Chains</h1>"
            "<p>We mend bicycles of every age.</p><h2>Prices</h2><p>A new tube costs little."
            "</p><h2>Opening hours</h2><p>Weekdays from nine.</p></body></html>",
            "shop.html",
        ),
        (
            "Setting up\n\nRun the installer and follow the steps.\n\n"
            "Troubleshooting\n\nIf the window stays blank, start it again.\n",
            "readme.txt",
        ),
        (
            "<html><head><title>Useful links</title></head><body><h1>Useful links</h1>"
            "<p>Groups we work with.</p><ul>"
            '<li><a href="https://gulls.example/">Gull Trust</a> – a bird charity in Leeds</li>'
            '<li><a href="https://nets.example/">Netmakers Guild</a> – mending nets since 1972'
            '</li><li><a href="https://quay.example/">Quay Watch</a> – independent monitoring'
            "</li></ul></body></html>",
            "links.html",
        ),
    ],
)
def test_a_page_that_credits_no_source_is_not_taken_for_the_archive(content, filename):
    with pytest.raises(ArchiveParseError, match=r"no source lines .* not a page of the archive"):
        parse_archive(content, filename=filename)


@pytest.mark.parametrize(
    "content",
    [
        text_page(post("\u200fJane Roe, Ridge Weekly, June 3 2020:… The ferry ran late.")),
        text_page(post("  \u202bJane Roe, Ridge Weekly, June 3 2020:… The ferry ran late.\u202c")),
        "<html><body><article><h2>Estuary Wall Repairs Begin</h2><p>&#x202B;Jane Roe, Ridge "
        "Weekly, June 3 2020:&hellip; The ferry ran late.&#x202C;</p></article></body></html>",
    ],
)
def test_a_direction_mark_before_a_credit_does_not_change_who_is_the_author(content):
    _, found = only_post(content)
    assert [(s.author, s.outlet) for s in found.sources] == [("Jane Roe", "Ridge Weekly")]
    assert found.excerpt == "The ferry ran late."


def test_a_credit_whose_names_are_separated_by_the_arabic_comma_is_read():
    line = "Nima Karimi، Bandar Daily News، March 20 2021:… بندر، پس از دو ماه، بازگشایی شد."
    _, item = only_post(text_page(post(line, "بندر بازگشایی شد", posted="2021/03/20")))
    assert [(s.author, s.outlet, s.date) for s in item.sources] == [
        ("Nima Karimi", "Bandar Daily News", datetime.date(2021, 3, 20))
    ]
    assert item.excerpt == "بندر، پس از دو ماه، بازگشایی شد."  # its own commas kept


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        ("نیما کریمی، روزنامه بندر", ("نیما کریمی", "روزنامه بندر")),
        ("نیما کریمی، خبرگزاری ساحل", ("نیما کریمی", "خبرگزاری ساحل")),
        ("روزنامه بندر", (None, "روزنامه بندر")),
        ("نیما کریمی، هفته‌نامه ساحل", ("نیما کریمی", "هفته‌نامه ساحل")),
    ],
)
def test_a_persian_author_and_outlet_are_told_apart_by_the_outlets_marker_word(credit, expected):
    line = f"{credit}، March 20 2021:… بندر بازگشایی شد."
    _, item = only_post(text_page(post(line, "بندر بازگشایی شد", posted="2021/03/20")))
    assert [(s.author, s.outlet) for s in item.sources] == [expected]


@pytest.mark.parametrize("when", ["March 2 18", "March 2, '18", "2 March 18", "2-Mar-18"])
def test_a_credit_dated_with_a_two_digit_year_keeps_its_year_out_of_the_excerpt(when):
    line = f"Jane Roe, Ridge Weekly, {when}:… The ferry ran late."
    _, item = only_post(text_page(post(line, posted="2019/03/10")))
    assert [(s.author, s.outlet, s.date, s.place) for s in item.sources] == [
        ("Jane Roe", "Ridge Weekly", datetime.date(2018, 3, 2), None)
    ]
    assert item.excerpt == "The ferry ran late."


@pytest.mark.parametrize(
    "author",
    [
        *("Dr. Osric Tallow", "Prof. Marta Quill", "Mrs. Ines Farrow", "Osric Tallow Jr."),
        # The titles a suggested excerpt knows are an author's too, and French ones kept.
        *("Gov. Osric Tallow", "Mme. Ines Farrow", "Mlle. Ines Farrow"),
    ],
)
def test_an_author_with_a_title_or_suffix_is_a_person_not_an_outlet(author):
    line = f"{author}, Ridge Weekly, March 3 2021:… The ferry ran late."
    _, item = only_post(text_page(post(line, posted="2021/03/04")))
    assert [(s.author, s.outlet) for s in item.sources] == [(author, "Ridge Weekly")]


@pytest.mark.parametrize("degree", ["PhD", "Ph.D.", "MD", "MBA", "QC", "KC"])
def test_a_degree_after_the_authors_name_is_the_authors_not_an_outlet(degree):
    line = f"Osric Tallow, {degree}, Shore Daily, March 3 2019:… The ferry ran late."
    _, item = only_post(text_page(post(line)))
    assert item.sources == [
        ArchiveCredit(f"Osric Tallow, {degree}", "Shore Daily", datetime.date(2019, 3, 3))
    ]
    assert item.excerpt == "The ferry ran late."


def test_letters_like_a_degree_after_an_outlet_are_not_joined_to_it():
    line = "Bayside Herald, MD, March 3 2019:… The ferry ran late."  # Maryland, not a doctor
    _, item = only_post(text_page(post(line)))
    assert item.sources == [ArchiveCredit(None, "Bayside Herald (MD)", datetime.date(2019, 3, 3))]


@pytest.mark.parametrize("when", ["July 2020", "5 Mai 2018", "2019", "19/02/19", "۱۲/۰۲/۲۰۱۹"])
def test_a_date_the_reader_cannot_place_on_a_day_is_no_outlet_or_place(when):
    _, item = only_post(text_page(post(f"Jane Roe, Ridge Weekly, {when}:… The ferry ran late.")))
    assert [(s.author, s.outlet, s.place) for s in item.sources] == [
        ("Jane Roe", "Ridge Weekly", None)
    ]


@pytest.mark.parametrize(
    ("credit_line", "expected"),
    [
        pytest.param(
            "Marta Quillfeather, The Coastal Ledger, Northport Echo, Saltmarsh Herald, "
            "March 4 2021:… The deal was signed.",
            [
                ("Marta Quillfeather", "The Coastal Ledger"),
                ("Marta Quillfeather", "Northport Echo"),
                ("Marta Quillfeather", "Saltmarsh Herald"),
            ],
            id="an_author_then_three_outlets",
        ),
        pytest.param(
            "Jane Roe, Coastal Ledger; Osric Tallow, Northport Echo, March 7 2021:… Talks resumed.",
            [("Jane Roe", "Coastal Ledger"), ("Osric Tallow", "Northport Echo")],
            id="two_credits_of_one_date_joined_by_a_semicolon",
        ),
        pytest.param(
            "Bellweather Gazette & Northport Echo, March 6 2021:… A fire broke out.",
            [(None, "Bellweather Gazette"), (None, "Northport Echo")],
            id="two_outlets_joined_by_an_ampersand",
        ),
    ],
)
def test_several_outlets_on_one_line_in_other_layouts(credit_line, expected) -> None:
    _, item = only_post(text_page(post(credit_line, posted="2021/03/08")))
    assert [(c.author, c.outlet) for c in item.sources] == expected


@pytest.mark.parametrize(
    ("excerpt", "headline"),
    [
        ("The ferry operator set out a summer timetable. Fares stay.", "The ferry operator set "
         "out a summer timetable"),
        ("Ferries will run every hour from the first of July until the end of the season, "
         "says the operator.", "Ferries will run every hour from the first of July…"),
    ],
)  # fmt: skip
def test_a_post_whose_headline_was_lost_is_its_own_post_named_from_its_excerpt(
    excerpt, headline
) -> None:
    page = parse_archive(
        text_page(
            post(
                "Lena Fox, Morning Beacon, June 10 2019:… Fares rise by a tenth.",
                posted="2019/06/10",
            ),
            f"Posted on: 2019/06/08\n\nTom Reyes, Bay Courier, June 8 2019:… {excerpt}\n",
        )
    )

    first, second = page.posts
    assert (first.excerpt, first.sources) == (
        "Fares rise by a tenth.",
        [ArchiveCredit("Lena Fox", "Morning Beacon", datetime.date(2019, 6, 10))],
    )
    assert second.headline == headline and second.excerpt == excerpt
    assert second.posted_on == datetime.date(2019, 6, 8)
    assert second.sources == [ArchiveCredit("Tom Reyes", "Bay Courier", datetime.date(2019, 6, 8))]


def test_a_posted_on_line_below_the_credits_of_its_own_post_begins_no_other() -> None:
    page = parse_archive(
        text_page(
            "Estuary Wall Repairs Begin\n\nLena Fox, Morning Beacon, June 10 2019:… Work began."
            "\n\nPosted on: 2019/06/10\n",
            "Harbour Dues Rise\n\nTom Reyes, Bay Courier, June 8 2019:… Dues went up."
            "\n\nPosted on: 2019/06/08\n",
        )
    )
    assert [(p.headline, p.posted_on) for p in page.posts] == [
        ("Estuary Wall Repairs Begin", datetime.date(2019, 6, 10)),
        ("Harbour Dues Rise", datetime.date(2019, 6, 8)),
    ]


def test_a_posted_on_date_yet_to_come_is_a_typo_and_no_date() -> None:
    ahead = datetime.date.today() + datetime.timedelta(days=5)
    soon = datetime.date.today() + datetime.timedelta(days=1)
    page = parse_archive(
        text_page(
            post("Lena Fox, Morning Beacon, June 10 2019:… Work began.", posted="2091/06/10"),
            post("Tom Reyes, Bay Courier, June 10 2019:… Dues rose.", "Dues Rise", "2019/06/10"),
            post("Ann Lee, Bay Courier:… Fares rose.", "Fares Rise", ahead.strftime("%Y/%m/%d")),
            post("Ann Lee, Bay Courier:… Tolls rose.", "Tolls Rise", soon.strftime("%Y/%m/%d")),
        )
    )
    assert [p.posted_on for p in page.posts] == [None, datetime.date(2019, 6, 10), None, soon]
    assert page.posts[0].sources[0].date == datetime.date(2019, 6, 10)


def test_a_posted_on_line_below_the_credit_of_a_post_with_an_unusual_headline_begins_none():
    page = parse_archive(
        text_page(
            "Estuary Wall Repairs Begin\n\nLena Fox, Morning Beacon, June 10 2019:… Work began."
            "\n\nPosted on: 2019/06/10\n",
            "«Nous ne céderons pas», say port unions\n\nTom Reyes, Bay Courier, June 8 2019:… "
            "The unions met.\n\nPosted on: 2019/06/08\n",
        )
    )
    assert [p.headline for p in page.posts] == [
        "Estuary Wall Repairs Begin",
        "«Nous ne céderons pas», say port unions",
    ]
    # A headline read as a sentence (its full stop) is no headline; no post without words
    # is made of the "Posted on" line below its credit either.
    page = parse_archive(
        text_page(
            "Estuary Wall Repairs Begin\n\nLena Fox, Morning Beacon, June 10 2019:… Work began."
            "\n\nPosted on: 2019/06/10\n",
            "Navy ship leaves port early.\n\nTom Reyes, Bay Courier, June 8 2019:… It left."
            "\n\nPosted on: 2019/06/08\n",
        )
    )
    assert all(p.excerpt and p.sources for p in page.posts)


def test_what_the_parser_doubts_is_kept_with_the_post() -> None:
    """A date not yet come, a "Posted on" that reads as no date and a post crediting no one
    are kept as doubts, so the import can say them, where they were dropped in silence."""
    far = datetime.date.today().year + 60
    page = parse_archive(
        "Quay Notes\n\n"
        "Wall cracks\n\nPosted on: Januray 5 "
        f"{far}\n\nBay Herald, January 5 {far}:… A crack in the west wall.\n\n"
        "Gates shut\n\nPosted on: Smarch 45 2019\n\nBay Herald, March 4 2019:… Shut for winter.\n\n"
        "Pier report\n\nPosted on: 2019/03/02\n\nThe pier is to be repaired by summer.\n\n"
        "Market opens\n\nPosted on: 2019/03/01\n\nBay Herald, March 1 2019:… It opened.\n"
    )
    wall, gates, pier, market = page.posts
    assert wall.posted_on is None and [c.date for c in wall.sources] == [None]
    assert any(f"January 5 {far}" in d and "not yet come" in d for d in wall.doubts)
    assert gates.doubts == ["its “Posted on” date “Smarch 45 2019” reads as no date"]
    assert pier.doubts == ["no source line: it credits no one"]
    assert market.doubts == []


def test_a_source_date_that_reads_as_no_date_is_no_outlet_and_is_doubted() -> None:
    """ "Smarch 45 2019" at a credit's end is a date mistyped past reading, not an outlet:
    it was stored as one, and every post so credited listed it beside the real outlet."""
    page = parse_archive(
        "Quay Notes\n\n"
        "Gates shut\n\nPosted on: 2019/03/04\n\n"
        "Ann Lee, Bay Herald, Smarch 45 2019:… The gates were shut for winter.\n\n"
        "Expo plans\n\nPosted on: 2019/03/05\n\n"
        "Bay Herald, Expo 2020:… Plans for the fair were shown.\n\n"
        "Fair issue\n\nPosted on: 2019/03/06\n\n"
        "Bay Herald, Issue 12 2019:… The fair had an issue of its own.\n"
    )
    gates, expo, issue = page.posts
    assert issue.doubts == []  # "Issue 12 2019" is no month's name: a name
    assert [(c.author, c.outlet, c.date) for c in gates.sources] == [
        ("Ann Lee", "Bay Herald", None)
    ]
    assert gates.doubts == ["a source's date “Smarch 45 2019” reads as no date"]
    # A name with a year in it and no day stays a name.
    assert "Expo 2020" in {c.outlet for c in expo.sources} | {c.author for c in expo.sources}
