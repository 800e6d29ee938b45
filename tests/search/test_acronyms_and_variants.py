"""Watched acronyms and transliterated names in queries, on whichever engine the database
implies (tantivy on SQLite, the tsvector table on PostgreSQL).

An acronym alias typed in capitals ("WHO") searches its entity: where the watchlist matcher
found it, and the entity's other names, not the word "who". Typed any other way ("who",
"mek") it is the word as typed and the entity too: a search box is typed in lower case, and
"mek" means the MEK under all its names. A watched
name typed letter for letter also finds the posts where the matcher found the entity under
another spelling ("Mujahedin-i-Khalq"), and the snippet marks that spelling.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from clipdesk.search.indexing import reindex_all
from clipdesk.search.service import search
from clipdesk.watch.store import add_entity, load_matcher, store_matches
from tests.factories import make_post
from tests.search.conftest import make_article

pytestmark = pytest.mark.django_db

TEXTS = {
    "acronym": "The WHO warned of measles in the region.",
    "named": "World Health Organization staff arrived on Monday.",
    "led": "A WHO-led campaign began in the spring.",
    "knows": "Who knows what comes next for the harbour.",
    "lower_phrase": "Then the who warned nobody, a singer said.",
    "mek": "The MEK said the camp would stay open.",
    "mek_word": "Boats left the mek village at dawn.",
    "variant": "Supporters of the Mujahedin-i-Khalq rallied in the square.",
    "others": "Farmers rallied in the square as well.",
    "councils": "The NCRI and the EU met in Brussels.",
    "union": "European Union ministers met on Friday.",
    "lowercase": "Filenames ncri.txt and eu.txt were listed.",
}


@pytest.fixture
def desk(db):
    add_entity("World Health Organization", ["WHO"])
    add_entity("Mojahedin-e Khalq", ["MEK"])
    add_entity("National Council of Resistance of Iran", ["NCRI"])
    add_entity("European Union", ["EU"])
    posts = {
        name: make_post(f"Item {index}", excerpt=text)
        for index, (name, text) in enumerate(TEXTS.items())
    }
    reindex_all()
    return SimpleNamespace(posts=posts, names={post.pk: name for name, post in posts.items()})


def found(desk, query: str) -> dict[str, str]:
    """Name of each post found → its snippet."""
    return {desk.names[result.id]: result.snippet for result in search(query).results}


WHO = {"acronym", "named", "led"}
EVERY_WHO = {"acronym", "led", "knows", "lower_phrase"}  # every post with the word "who"

QUERIES = [
    # Typed in capitals, an acronym alias is its entity, not the word.
    ("WHO", WHO),
    ("W.H.O.", WHO),
    ('"WHO"', WHO),
    ("WHO OR measles", WHO),
    ("WHO knows", set()),
    ("MEK", {"mek", "variant"}),
    ("NCRI", {"councils"}),
    ("EU", {"councils", "union"}),
    # Written any other way, it is the word as typed, wherever it is written, and the entity.
    ("who", EVERY_WHO | WHO),
    ("Who", EVERY_WHO | WHO),
    ("who knows", {"knows"}),
    ("mek", {"mek", "mek_word", "variant"}),
    ("ncri", {"councils", "lowercase"}),
    ("eu", {"councils", "lowercase", "union"}),
    ("WHO OR who", WHO | EVERY_WHO),
    # In a longer phrase, the phrase is found where the acronym is the entity.
    ('"the WHO warned"', {"acronym"}),
    ('"the who warned"', {"acronym", "lower_phrase"}),
    ("WHO-led", {"led"}),
    # Exclusions read the same way.
    ("warned -WHO", {"lower_phrase"}),
    ("warned -who", set()),
    # entity: names an entity whatever its case.
    ("entity:who", WHO),
    # A watched name as spelt in the watchlist finds the other spellings the matcher found.
    ("Mojahedin-e Khalq", {"mek", "variant"}),
    ('"Mojahedin-e Khalq"', {"mek", "variant"}),
    ("Mojahedin-e Khalq rallied", {"variant"}),
    ("rallied -MEK", {"others"}),
    ("rallied -Mojahedin-e-Khalq", {"others"}),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_acronyms_and_spellings_of_watched_names(desk, query, expected):
    assert set(found(desk, query)) == expected


SNIPPETS = [
    ("WHO", "acronym", "The <mark>WHO</mark> warned"),
    ("WHO", "led", "A <mark>WHO</mark>-led campaign"),
    ("WHO", "named", "<mark>World Health Organization</mark> staff"),
    ("who", "knows", "<mark>Who</mark> knows"),
    ('"the WHO warned"', "acronym", "<mark>The WHO warned</mark> of"),
    ("Mojahedin-e Khalq", "variant", "the <mark>Mujahedin-i-Khalq</mark> rallied"),
    ('"Mojahedin-e Khalq"', "variant", "the <mark>Mujahedin-i-Khalq</mark> rallied"),
    ("MEK", "variant", "the <mark>Mujahedin-i-Khalq</mark> rallied"),
    ("MEK", "mek", "The <mark>MEK</mark> said"),
]


@pytest.mark.parametrize(("query", "post", "marked"), SNIPPETS)
def test_snippets_mark_what_was_found(desk, query, post, marked):
    assert marked in found(desk, query)[post]


def test_an_articles_other_spelling_is_found_and_marked(desk):
    """Articles carry the matches stored for them; the snippet marks the spelling written."""
    article = make_article("Rally in Tirana", "A Mujahideen-e-Khalgh rally filled the square.")
    store_matches(article, load_matcher())
    reindex_all()
    results = search("Mojahedin-e Khalq", type="article").results
    assert [result.id for result in results] == [article.pk]
    assert "A <mark>Mujahideen-e-Khalgh</mark> rally" in results[0].snippet
