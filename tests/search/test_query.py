"""The query language: what each piece of syntax becomes, and what hostile text turns into."""

import datetime

import pytest

from clipdesk.search.backends.postgres_sql import quote_lexeme, tsquery_literal, tsvector_literal
from clipdesk.search.query import MAX_QUERY_CHARS, AnyOf, Phrase, Term, parse, parse_date


def nodes(query: str):
    parsed = parse(query)
    return [c.node for c in parsed.include], [c.node for c in parsed.exclude]


def test_words_must_all_match_and_are_folded():
    assert nodes("Élysée PALACE") == ([Term("elysee"), Term("palace")], [])


def test_quoted_phrase_keeps_word_order():
    assert nodes('"Camp Ashraf"') == ([Phrase(("camp", "ashraf"))], [])


def test_hyphenated_word_is_a_phrase_like_the_matcher_reads_it():
    assert nodes("Mojahedin-e-Khalq") == ([Phrase(("mojahedin", "e", "khalq"))], [])


def test_minus_excludes_a_word_or_a_phrase():
    assert nodes('camp -closes -"named ashraf"') == (
        [Term("camp")],
        [Term("closes"), Phrase(("named", "ashraf"))],
    )


def test_or_joins_its_two_neighbours_only():
    include, _ = nodes("paris OR berlin rally")
    assert include == [AnyOf((Term("paris"), Term("berlin"))), Term("rally")]


def test_lowercase_or_is_a_word():
    assert nodes("this or that")[0] == [Term("this"), Term("or"), Term("that")]


def test_prefix_needs_two_characters():
    assert nodes("moj*")[0] == [Term("moj", prefix=True)]
    parsed = parse("m*")
    assert [c.node for c in parsed.include] == [Term("m")]
    assert "prefix" in " ".join(parsed.notes)


@pytest.mark.parametrize(
    ("query", "node"),
    [
        ("北京*", Phrase(("北", "京"))),
        ('"北京*"', Phrase(("北", "京"))),
        ("京*", Term("京")),
        ("東京ニュ*", Phrase(("東", "京", "ニ", "ュ"))),
    ],
)
def test_a_star_after_chinese_or_japanese_searches_the_characters_without_a_note(query, node):
    """Each Han or kana character is a search word of its own, so the characters typed find
    every longer word they begin: the prefix is already searched, and "a prefix needs 2
    letters or more" was wrong."""
    parsed = parse(query)
    assert [c.node for c in parsed.include] == [node]
    assert parsed.notes == []


def test_prefix_on_the_last_word_of_a_hyphenated_word():
    assert nodes("mojahedin-e-kh*")[0] == [Phrase(("mojahedin", "e", "kh"), prefix=True)]


def test_a_star_at_the_end_of_a_phrase_makes_its_last_word_a_prefix():
    assert nodes('"maryam raj*"')[0] == [Phrase(("maryam", "raj"), prefix=True)]
    assert nodes('"raj*"')[0] == [Term("raj", prefix=True)]
    parsed = parse('"maryam r*"')
    assert [c.node for c in parsed.include] == [Phrase(("maryam", "r"))]
    assert "prefix" in " ".join(parsed.notes)


def test_persian_and_arabic_letter_forms_and_zwnj_fold_like_the_matcher():
    arabic, persian = nodes("مجاهدين كتاب")[0], nodes("مجاهدین کتاب")[0]
    assert arabic == persian
    # A non-joiner cuts like a space, and the word is also looked for whole (words.py); so
    # does a space after a verbal prefix.
    wants = [Phrase(("می", "خواهند"), joined=("میخواهند",))]
    assert nodes("می\u200cخواهند")[0] == wants
    assert nodes('"می خواهند"')[0] == wants


def test_filters():
    parsed = parse('outlet:guardian outlet:"Le Monde" entity:MEK tag:camps lang:FR war')
    assert parsed.filters.outlet == ["guardian", "Le Monde"]
    assert parsed.filters.entity == ["MEK"]
    assert parsed.filters.tag == ["camps"]
    assert parsed.filters.lang == ["FR"]
    assert [c.node for c in parsed.include] == [Term("war")]


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2019", False, datetime.date(2019, 1, 1)),
        ("2019", True, datetime.date(2019, 12, 31)),
        ("2020-02", True, datetime.date(2020, 2, 29)),
        ("2020-2", False, datetime.date(2020, 2, 1)),
        ("2021-03-14", True, datetime.date(2021, 3, 14)),
        ("2021-13", False, None),
        ("2021-02-30", False, None),
        ("yesterday", False, None),
    ],
)
def test_dates(value, end, expected):
    assert parse_date(value, end=end) == expected


def test_bad_date_is_said_and_ignored():
    parsed = parse("from:2021-13 rally")
    assert parsed.filters.date_from is None
    assert "not a date" in parsed.notes[0]


def test_dates_the_wrong_way_round_are_said_to_be():
    parsed = parse("rally from:2021 to:2020-06")
    assert parsed.notes == [
        "“from:2021” comes after “to:2020-06”: no day lies between them; swap them to search "
        "that span."
    ]
    assert parse("rally from:2020 to:2020").notes == []


def test_unknown_field_is_searched_as_words():
    assert nodes("title:ashraf")[0] == [Phrase(("title", "ashraf"))]


def test_negated_filter_is_refused_with_a_note():
    parsed = parse("-outlet:guardian camp")
    assert parsed.filters.outlet == []
    assert "cannot be negated" in parsed.notes[0]


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ('"camp ashraf', "closing quote"),
        ("OR", "nothing to apply to"),
        ("camp OR", "nothing to apply to"),
        ("OR camp", "nothing to apply to"),
        ("-", "no letters or digits"),
        ("- camp", None),
        ("a OR -b", "nothing to apply to"),
        ("x" * 10_000, "cut"),
        ("\x00camp\x00", None),
        ("?!… --- ***", "no letters or digits"),
        ("", "Type a word"),
        ("outlet:", "needs a value"),
    ],
)
def test_hostile_queries_parse_with_a_note_or_a_best_effort(query, said):
    parsed = parse(query)
    if said:
        assert said.lower() in " ".join(parsed.notes).lower()
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert "\x00" not in parsed.text


@pytest.mark.parametrize("query", ["NEAR(camp ashraf)", "camp^2", "title:camp", "a:* & !b | c"])
def test_fts_syntax_is_only_ever_words(query):
    parsed = parse(query)
    words = [
        w
        for c in parsed.include
        for w in (c.node.words if isinstance(c.node, Phrase) else [c.node.text])
    ]
    assert all(w.isalnum() for w in words)


def test_lexemes_are_quoted_for_postgres():
    assert quote_lexeme("it's") == "'it''s'"
    assert quote_lexeme("a\\b") == "'a\\\\b'"
    node = AnyOf((Term("x'y", prefix=True), Phrase(("a", "b"))))
    assert tsquery_literal(node) == "('x''y':* | ('a' <-> 'b'))"


def test_tsvector_weights_headline_and_separates_it_from_the_text():
    assert tsvector_literal(["camp"], ["ashraf", "camp"]) == "'camp':1A,4B 'ashraf':3B"
