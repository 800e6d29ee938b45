"""Acronyms in text written all in capitals: a headline or a passage that shouts.

An acronym alias is found only in capitals ("WHO", not "who"), but a headline in capitals
writes every word so: "WHO KILLED THE HARBOUR MASTER?" is no mention of the World Health
Organization. There an acronym counts only when the article names its entity elsewhere. Every
text is written for these tests.
"""

import re

import pytest

from clipdesk.watch.matching import Matcher, Shouting, shouted_spans

WATCHLIST = {
    "World Health Organization": ["WHO", "سازمان بهداشت جهانی"],
    "Harbour IT Office": ["IT"],
    "European Union": ["EU"],
    "NATO": ["North Atlantic Treaty Organization"],
    "United Nations": ["UN"],
    "MEK": ["PMOI", "Mojahedin-e Khalq", "مجاهدین خلق"],
    "NCRI": [],
    "AT&T": [],
}

MATCHER = Matcher.build(WATCHLIST)


def found(headline: str, text: str) -> list[tuple[str, str, str]]:
    return [(m.field, m.entity, m.matched_text) for m in MATCHER.find(headline, text)]


def case(name: str, headline: str, text: str, *expected: tuple[str, str, str]):
    return pytest.param(headline, text, list(expected), id=name)


WHO = "World Health Organization"

NOT_CORROBORATED = [
    case("who_killed_headline", "WHO KILLED THE HARBOUR MASTER?", "Police named no suspect."),
    case("it_is_over_headline", "IT IS OVER FOR THE MAYOR", "The mayor resigned on Friday."),
    case("two_word_headline", "WHO WARNS", ""),
    case("list_inside_a_shouted_headline", "NATO, EU AND UN LEADERS MEET", "Leaders met."),
    case("stretch_in_a_mixed_line", "", "Update: IT IS OVER FOR THE MAYOR, aides said."),
    case("shouted_line_in_the_body", "", "The council met.\nWHO PAYS FOR IT?\nNobody knew."),
    case("capitals_only_alias", "SHOPPERS LOOKED AT T-SHIRTS", ""),
    case("other_mention_also_shouted", "WHO WARNS", "NOTE: WHO PAYS IS UNCLEAR"),
    case("two_acronyms_of_one_entity_both_shouted", "PMOI AND MEK RALLY IN PARIS", ""),
    case("word_in_other_case_elsewhere", "WHO KNOWS?", "Who knows, said the mayor."),
]

CORROBORATED = [
    case(
        "same_acronym_in_the_body",
        "WHO WARNS OF MEASLES",
        "The WHO said cases rose.",
        ("headline", WHO, "WHO"),
        ("text", WHO, "WHO"),
    ),
    case(
        "full_name_in_the_body",
        "WHO WARNS OF MEASLES",
        "The World Health Organization said cases rose.",
        ("headline", WHO, "WHO"),
        ("text", WHO, "World Health Organization"),
    ),
    case(
        "full_name_also_in_capitals",
        "WHO AND THE WORLD HEALTH ORGANIZATION",
        "",
        ("headline", WHO, "WHO"),
        ("headline", WHO, "WORLD HEALTH ORGANIZATION"),
    ),
    case(
        "only_the_corroborated_ones_of_a_shouted_list",
        "NATO, EU AND UN LEADERS MEET",
        "EU ministers and the North Atlantic Treaty Organization met.",
        ("headline", "NATO", "NATO"),
        ("headline", "European Union", "EU"),
        ("text", "European Union", "EU"),
        ("text", "NATO", "North Atlantic Treaty Organization"),
    ),
    case(
        "other_acronym_of_the_entity",
        "PMOI RALLY IN PARIS",
        "Supporters of the MEK marched.",
        ("headline", "MEK", "PMOI"),
        ("text", "MEK", "MEK"),
    ),
    case(
        "headline_corroborates_the_body",
        "WHO report on measles",
        "UPDATE: WHO REVISES ITS FIGURES",
        ("headline", WHO, "WHO"),
        ("text", WHO, "WHO"),
    ),
    case(
        "shouted_line_in_the_body",
        "",
        "The WHO said so.\nWHO PAYS FOR THE VACCINES?",
        ("text", WHO, "WHO"),
        ("text", WHO, "WHO"),
    ),
    case(
        "persian_alias_in_the_body",
        "MEK RALLY IN PARIS",
        "هواداران مجاهدین خلق در پاریس",
        ("headline", "MEK", "MEK"),
        ("text", "MEK", "مجاهدین خلق"),
    ),
]


@pytest.mark.parametrize(("headline", "text", "expected"), NOT_CORROBORATED)
def test_an_acronym_in_shouted_text_alone_is_no_mention(headline, text, expected):
    assert found(headline, text) == expected


@pytest.mark.parametrize(("headline", "text", "expected"), CORROBORATED)
def test_an_acronym_in_shouted_text_counts_where_the_article_names_its_entity(
    headline, text, expected
):
    assert found(headline, text) == expected
    kept = [m for m in MATCHER.find(headline, text) if "counted because" in m.reason]
    assert kept, "a shouted acronym kept says why"


NOT_SHOUTED = [
    case(
        "normal_headline_with_two_acronyms",
        "MEK and NCRI rally in Paris",
        "",
        ("headline", "MEK", "MEK"),
        ("headline", "NCRI", "NCRI"),
    ),
    case(
        "acronyms_listed_in_running_text",
        "",
        "The US, UK, EU and UN said so.",
        ("text", "European Union", "EU"),
        ("text", "United Nations", "UN"),
    ),
    case(
        "acronyms_listed_with_slashes",
        "",
        "The PMOI/MEK and the EU/UN met.",
        ("text", "MEK", "PMOI"),
        ("text", "MEK", "MEK"),
        ("text", "European Union", "EU"),
        ("text", "United Nations", "UN"),
    ),
    case(
        "headline_of_acronyms_in_a_list",
        "NATO, EU, UN",
        "",
        ("headline", "NATO", "NATO"),
        ("headline", "European Union", "EU"),
        ("headline", "United Nations", "UN"),
    ),
    case("one_word_headline", "NATO", "", ("headline", "NATO", "NATO")),
    case("two_capital_words_in_running_text", "", "The WHO TEAM arrived.", ("text", WHO, "WHO")),
    case(
        "one_letter_words_are_not_shouting",
        "",
        "A UN WHO mission came; I, EU staff, met it.",
        ("text", "United Nations", "UN"),
        ("text", WHO, "WHO"),
        ("text", "European Union", "EU"),
    ),
    case(
        "shouted_sentence_after_the_acronym",
        "",
        "Thanks go to the WHO. READ MORE: measles",
        ("text", WHO, "WHO"),
    ),
    case("acronym_in_a_compound", "", "A WHO-led campaign began.", ("text", WHO, "WHO")),
]

PERSIAN_AND_ARABIC = [
    case("persian_around_an_acronym", "", "گزارش WHO درباره سرخک", ("text", WHO, "WHO")),
    case(
        "persian_headline_and_acronyms",
        "بیانیه EU و UN",
        "",
        ("headline", "European Union", "EU"),
        ("headline", "United Nations", "UN"),
    ),
    case("arabic_around_acronyms", "", "قالت PMOI في بيان", ("text", "MEK", "PMOI")),
    case(
        "persian_alias",
        "سازمان بهداشت جهانی هشدار داد",
        "",
        ("headline", WHO, "سازمان بهداشت جهانی"),
    ),
]


@pytest.mark.parametrize(("headline", "text", "expected"), NOT_SHOUTED + PERSIAN_AND_ARABIC)
def test_an_acronym_outside_shouted_text_counts_on_its_own(headline, text, expected):
    assert found(headline, text) == expected
    for line in (*headline.splitlines(), *text.splitlines()):
        assert shouted_spans(line) == [], line


SPANS = pytest.mark.parametrize(
    ("line", "shouted"),
    [
        pytest.param("WHO KILLED THE HARBOUR MASTER?", ["WHO KILLED THE HARBOUR MASTER?"]),
        pytest.param("WHO WARNS", ["WHO WARNS"], id="two_words_are_a_whole_line"),
        pytest.param("NATO, EU AND UN LEADERS MEET", ["NATO, EU AND UN LEADERS MEET"]),
        pytest.param("WHO? WE DID.", ["WHO? WE DID."], id="line_of_sentences"),
        pytest.param("Update: IT IS OVER, aides said", ["IT IS OVER,"], id="stretch"),
        pytest.param("U.S. OFFICIALS SAY WHO", ["U.S. OFFICIALS SAY WHO"], id="abbreviation"),
        pytest.param("the WHO. IT WAS late", [], id="a_sentence_ends_between"),
        pytest.param("the WHO.THE MAYOR LEFT", ["THE MAYOR LEFT"], id="a_lost_space"),
        pytest.param("A UN WHO mission", [], id="one_letter_words_do_not_count"),
        pytest.param("IT IS A MESS", ["IT IS A MESS"], id="one_letter_word_inside"),
        pytest.param("a WHO TEAM came", [], id="two_words_in_a_mixed_line"),
        pytest.param("the US, UK, EU said", [], id="a_list"),
        pytest.param("US, UK, EU", [], id="a_line_that_is_a_list"),
        pytest.param("the MEK and NCRI said", [], id="acronyms_and_words"),
        pytest.param("WHO", [], id="one_word"),
        pytest.param("THE 2 MEN WHO LEFT", ["THE 2 MEN WHO LEFT"], id="a_number_inside"),
        pytest.param("گزارش WHO و EU امروز", [], id="persian_words_are_not_capitals"),
        pytest.param("WHO — 2024 — IN FULL", ["WHO — 2024 — IN FULL"], id="words_without_letters"),
        pytest.param(
            "Then WHO — A DAY, IT SAID", ["WHO — A DAY, IT SAID"], id="one_letter_between"
        ),
    ],
)


@SPANS
def test_shouted_spans(line, shouted):
    assert [line[start:end] for start, end in shouted_spans(line)] == shouted


@SPANS
def test_a_field_reads_a_line_only_where_a_hit_may_be_shouted_and_agrees_with_it(line, shouted):
    """`Shouting` looks at the letters beside a hit before it reads the whole line."""
    spans = shouted_spans(line)
    for word in re.finditer(r"[A-Z]+", line):
        in_a_span = any(start <= word.start() < end for start, end in spans)
        assert Shouting(f"Lead.\n{line}\nEnd.").covers(word.start() + 6, word.end() + 6) == (
            in_a_span
        ), word.group()


@pytest.mark.parametrize(
    ("headline", "text", "reason"),
    [
        pytest.param(
            "WHO WARNS",
            "The WHO said so.",
            "acronym “WHO” as a whole word; in text written all in capitals, counted because "
            "the text also writes “WHO” where capitals tell",
            id="same_acronym",
        ),
        pytest.param(
            "WHO WARNS",
            "The World Health\nOrganization said so.",
            "acronym “WHO” as a whole word; in text written all in capitals, counted because "
            "the text also names the entity as “World Health Organization”",
            id="other_alias",
        ),
        pytest.param(
            "The WHO warns",
            "WHO PAYS FOR IT?",
            "acronym “WHO” as a whole word; in text written all in capitals, counted because "
            "the headline also writes “WHO” where capitals tell",
            id="from_the_headline",
        ),
    ],
)
def test_the_reason_says_what_corroborated_a_shouted_acronym(headline, text, reason):
    shouted = [m for m in MATCHER.find(headline, text) if m.entity == WHO and "counted" in m.reason]
    assert [m.reason for m in shouted] == [reason]


def test_an_acronym_outside_shouted_text_keeps_its_plain_reason():
    (headline, text) = MATCHER.find("WHO WARNS", "The WHO said so.")
    assert text.reason == "acronym “WHO” as a whole word"
    assert headline.reason.startswith(text.reason + "; ")
