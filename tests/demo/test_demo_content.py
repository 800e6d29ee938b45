"""The demo's sample archive parses as a new user would expect to see it.

The three files in `clipdesk/demo/content/` are imported by `clipdesk demo`; each carries
quirks of real clipping archives (misspelled months, several outlets on one line, credits
after the excerpt, right-to-left text). These tests pin what the archive parser makes of
them, without a database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import clipdesk.demo
from clipdesk.archive.parsing import parse_archive

pytestmark = []

CONTENT = Path(clipdesk.demo.__file__).resolve().parent / "content"


def parsed(name: str) -> dict:
    return parse_archive((CONTENT / name).read_bytes(), filename=name).as_dict()


def post(name: str, headline: str) -> dict:
    matches = [p for p in parsed(name)["posts"] if p["headline"] == headline]
    assert len(matches) == 1, f"{name}: {len(matches)} post(s) headed {headline!r}"
    return matches[0]


def credits(entry: dict) -> list[tuple[str | None, str | None, str | None]]:
    return [(s["author"], s["outlet"], s["date"]) for s in entry["sources"]]


def test_demo_content_holds_exactly_the_three_sample_files():
    assert sorted(p.name for p in CONTENT.iterdir()) == [
        "front-page.txt",
        "newsletter.txt",
        "older-page.html",
    ]


@pytest.mark.parametrize(
    ("name", "count"),
    [("front-page.txt", 16), ("older-page.html", 9), ("newsletter.txt", 5)],
)
def test_each_demo_file_parses_to_its_number_of_posts(name, count):
    assert len(parsed(name)["posts"]) == count


def test_front_page_names_the_fictional_site_and_its_aims():
    site = parsed("front-page.txt")["site"]
    assert site["name"] == "Open Shore Watch"
    assert site["about"].startswith("Aims of Open Shore Watch")


# (file, headline, posted_on, [(author, outlet, date)], excerpt start)
QUIRKS = [
    pytest.param(
        "front-page.txt",
        "Lantern Fellowship, LF, Jamiat-e Fanus: one movement, many names …",
        None,
        [("Joaquín Ibáñez", "Northern Ledger", "2021-04-15")],
        "The group that calls itself the Fellowship of the Lantern",
        id="blank-posted-on-accented-author",
    ),
    pytest.param(
        "front-page.txt",
        "Regional papers question Beacon Relief Trust accounts",
        "2021-04-12",
        [
            (None, "The Harbour Gazette", "2021-04-12"),
            (None, "Northern Ledger", "2021-04-12"),
            (None, "Valley Times", "2021-04-12"),
        ],
        "The Beacon Relief Trust",
        id="three-outlets-no-author",
    ),
    pytest.param(
        "front-page.txt",
        "Council hearing on Saltmarsh dormitories postponed again",
        "2021-04-02",
        [(None, "Kestrel News Agency", "2021-04-02")],
        "A council hearing on a planning application",
        id="spaced-ellipsis-separator",
    ),
    pytest.param(
        "front-page.txt",
        "Fellowship’s Lisbon study centre closes its doors",
        "2021-03-29",
        [("Ines Vasconcelos", "The Meridian Post", "2021-03-29")],
        "The small study centre",
        id="place-in-credit",
    ),
    pytest.param(
        "front-page.txt",
        "What the Fellowship’s own newsletters reveal",
        None,
        [("Søren Lykke", "Valley Times", "2021-03-14")],
        "Back issues of The Lamp",
        id="abbreviated-month-three-dots",
    ),
    pytest.param(
        "front-page.txt",
        "Why the Warden’s followers stay silent",
        "2021-03-09",
        [("Tomás Ferreira-Lund", None, "2021-03-09")],
        "I spent six years inside the Lantern Fellowship",
        id="author-without-outlet",
    ),
    pytest.param(
        "front-page.txt",
        "Ex-members set up a support network in Port Calder",
        "2021-03-03",
        [("Niamh Ó Briain", "Tidewater Weekly", "2021-03-03")],
        "A group of former Lantern Fellowship members",
        id="irish-name-particle-o",
    ),
    pytest.param(
        "front-page.txt",
        "LF spokesperson: “We are a community, not a cult”",
        "2021-02-24",
        [(None, "Coastline Radio", "2021-02-24")],
        "In a rare radio interview",
        id="febrauary",
    ),
    pytest.param(
        "front-page.txt",
        "Mira Calloway, the Fellowship’s “second voice”, speaks for the first time",
        "2021-02-16",
        [("Dariush Kamrani", "The Civic Observer", "2021-02-16")],
        "Mira Calloway, who has run",
        id="day-only-16th",
    ),
    pytest.param(
        "front-page.txt",
        "Fishing licences held by Fellowship companies under review",
        "2021-02-12",
        [
            (None, "Lowland Review (Weekend Edition)", "2021-02-12"),
            (None, "Valley Times", "2021-02-12"),
            (None, "Coastline Radio", "2021-02-12"),
        ],
        "The marine licensing office",
        id="outlet-with-parenthesis",
    ),
    pytest.param(
        "older-page.html",
        "Harbour board reviews Fellowship mooring leases",
        "2021-01-28",
        [("Bartholomew Okafor-Reid", "The Harbour Gazette", "2021-01-28")],
        "The Port Calder harbour board",
        id="html-janaury",
    ),
    pytest.param(
        "older-page.html",
        "La Confrérie de la Lanterne s’implante discrètement en Bretagne",
        "2021-01-19",
        [("Benoît Ravelle", "Le Courrier des Rives", "2021-01-19")],
        "Depuis l’été dernier, une dizaine de membres",
        id="html-french-outlet-with-des",
    ),
    pytest.param(
        "older-page.html",
        "«جماعة الفانوس» تحت المجهر: شهادات أعضاء سابقين",
        "2020-12-15",
        [("Layla Haddad-Mourad", "Al-Manara Daily", "2020-12-15")],
        "تحدث ثلاثة أعضاء سابقين",
        id="html-arabic-rtl",
    ),
    pytest.param(
        "older-page.html",
        "Listeners’ stories: leaving the Lanternists",
        "2020-10-13",
        [("Łucja Wróbel", "Coastline Radio", "2020-10-13")],
        "Over the past fortnight",
        id="html-en-dash-entity",
    ),
    pytest.param(
        "older-page.html",
        "Who is Aurelian Voss, the man the Lanternists call “the Warden”?",
        "2020-08-21",
        [("Elias Thorvaldsen", "Valley Times", "2020-08-21")],
        "Few people outside Port Calder",
        id="html-agust",
    ),
    pytest.param(
        "newsletter.txt",
        "Regulator appoints interim manager at Beacon Relief Trust",
        "2021-05-12",
        [("Marta Quennell", "The Harbour Gazette", "2021-05-12")],
        "The charity regulator has appointed",
        id="newsletter-credit-after-excerpt",
    ),
    pytest.param(
        "newsletter.txt",
        "Former members ask MPs for an inquiry into high-control groups",
        "2021-05-05",
        [("Saoirse Whelan", "Coastline Radio", "2021-05-05")],
        "Eleven former members",
        id="newsletter-credit-in-parentheses",
    ),
    pytest.param(
        "newsletter.txt",
        "Saltmarsh dormitories plan withdrawn",
        None,
        [(None, "Valley Times", "2021-04-30")],
        "The Lantern Fellowship has withdrawn",
        id="newsletter-credit-after-no-author",
    ),
    pytest.param(
        "newsletter.txt",
        "Where did the Lisbon members go?",
        "2021-04-27",
        [("Ines Vasconcelos", "The Meridian Post", "2021-04-27")],
        "A month after the Fellowship closed",
        id="newsletter-credit-after-with-place",
    ),
]


@pytest.mark.parametrize(("name", "headline", "posted_on", "sources", "excerpt"), QUIRKS)
def test_quirky_demo_post_parses_right(name, headline, posted_on, sources, excerpt):
    entry = post(name, headline)
    assert entry["posted_on"] == posted_on
    assert credits(entry) == sources
    assert entry["excerpt"].startswith(excerpt)


def test_persian_post_keeps_its_credit_and_right_to_left_excerpt():
    # The zero-width non-joiner (U+200C) is part of Persian spelling and must survive.
    entry = post("front-page.txt", "خانواده\u200cها خواستار دیدار با اعضای جمعیت فانوس شدند")
    assert entry["posted_on"] == "2021-04-08"
    assert credits(entry) == [("Sima Rastegar", "Sada-ye Sahel", "2021-04-08")]
    assert entry["excerpt"].startswith("گروهی از خانواده\u200cهای اعضای جمعیت فانوس")
    assert entry["excerpt"].endswith(
        "خانواده\u200cها می\u200cگویند نامه\u200cهایشان همچنان بی\u200cپاسخ مانده است."
    )
    assert "Sima Rastegar" not in entry["excerpt"]


def test_every_excerpt_is_one_clean_paragraph_without_credit_or_chrome():
    for name in ("front-page.txt", "older-page.html", "newsletter.txt"):
        for entry in parsed(name)["posts"]:
            assert entry["sources"], f"{name}: {entry['headline']!r} has no credit"
            excerpt = entry["excerpt"]
            assert "\n" not in excerpt, f"{name}: {entry['headline']!r}"
            assert excerpt.endswith((".", "”", "»")), f"{name}: {entry['headline']!r}"
            for source in entry["sources"]:
                assert not source["author"] or source["author"] not in excerpt[:80]


def test_newsletter_last_excerpt_ends_at_its_credit_not_in_the_footer():
    entry = post("newsletter.txt", "Where did the Lisbon members go?")
    assert entry["excerpt"].endswith(
        "Neither card carried a return address or a single handwritten line."
    )
    assert "receiving" not in entry["excerpt"] and "STOP" not in entry["excerpt"]


def test_newsletter_about_text_is_its_letter_without_the_section_heading():
    site = parsed("newsletter.txt")["site"]
    assert site["name"] == "Open Shore Watch"
    about = site["about"]
    assert "This month brought good news for families in Port Calder" in about
    assert about.endswith("our volunteers are happy to talk.")
    assert "IN THE PRESS" not in about
