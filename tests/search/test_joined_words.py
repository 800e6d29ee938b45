"""A Persian word written with a zero-width non-joiner, without it, or with a space.

"می‌خواهد" (wants) is written with a non-joiner between its parts, often without it
("میخواهد"), sometimes with a space ("می خواهد"). A search typed one way finds the others where
that can be told from the words: the parts with a non-joiner between them or a space are the
same two words, and the word without it is those parts whole. On SQLite these run on the
tantivy index, on PostgreSQL (the second pass) on the tsvector table.
"""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from clipdesk.search.backends.postgres_sql import pairs_condition, tsquery_literal, tsvector_literal
from clipdesk.search.indexing import reindex_all
from clipdesk.search.models import PendingIndexUpdate
from clipdesk.search.query import Phrase, Term, parse
from clipdesk.search.service import search
from clipdesk.search.snippets import Highlighter, mark
from clipdesk.search.words import joined_tokens, joined_words_with_spans, tokens
from clipdesk.watch.store import add_entity
from tests.factories import make_post
from tests.search.conftest import make_article

ZWNJ = "\u200c"

# The same sentence, "the government wants to sell the books", in three spellings.
SPELLINGS = {
    "zwnj": f"دولت می{ZWNJ}خواهد کتاب{ZWNJ}ها را بفروشد",
    "joined": "دولت میخواهد کتابها را بفروشد",
    "spaced": "دولت می خواهد کتاب ها را بفروشد",
}
EVERY = set(SPELLINGS)


@pytest.fixture
def posts(db):
    found = {
        name: make_post(f"Budget note {name}", excerpt=sentence)
        for name, sentence in SPELLINGS.items()
    }
    reindex_all()
    return found


def found(query: str, posts) -> set[str]:
    names = {post.pk: name for name, post in posts.items()}
    return {names[result.id] for result in search(query).results}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # One word, three ways.
        ("میخواهد", {"zwnj", "joined"}),
        (f"می{ZWNJ}خواهد", EVERY),
        ('"می خواهد"', {"zwnj", "spaced"}),
        ("کتابها", {"zwnj", "joined"}),
        (f"کتاب{ZWNJ}ها", EVERY),
        ('"کتاب ها"', {"zwnj", "spaced"}),
        # A part alone still finds the word written in parts.
        ("خواهد", {"zwnj", "spaced"}),
        ("کتاب", {"zwnj", "spaced"}),
        # Phrases around such a word, in each spelling.
        ('"دولت میخواهد"', {"zwnj", "joined"}),
        ('"میخواهد کتابها را"', {"zwnj", "joined"}),
        (f'"دولت می{ZWNJ}خواهد کتاب{ZWNJ}ها"', EVERY),
        ('"دولت می خواهد کتاب ها"', {"zwnj", "spaced"}),
        # Neighbouring words keep their places.
        ('"خواهد کتاب"', {"zwnj", "spaced"}),
        ('"ها را بفروشد"', {"zwnj", "spaced"}),
        ('"دولت می"', {"zwnj", "spaced"}),
        ('"دولت کتابها"', set()),
        # No phrase runs from the end of the text into its second copy.
        ('"بفروشد دولت"', set()),
        # Prefixes.
        ("میخوا*", {"zwnj", "joined"}),
        (f"می{ZWNJ}خوا*", EVERY),
    ],
)
def test_each_spelling_finds_the_others_it_can(posts, query, expected):
    assert found(query, posts) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("میخواهد", {"zwnj": f"می{ZWNJ}خواهد", "joined": "میخواهد"}),
        (
            f"می{ZWNJ}خواهد",
            {"zwnj": f"می{ZWNJ}خواهد", "joined": "میخواهد", "spaced": "می خواهد"},
        ),
        ('"دولت میخواهد"', {"zwnj": f"دولت می{ZWNJ}خواهد", "joined": "دولت میخواهد"}),
        ("کتابها", {"zwnj": f"کتاب{ZWNJ}ها", "joined": "کتابها"}),
    ],
)
def test_the_word_found_is_marked_as_written(posts, query, marked):
    results = {r.id: r for r in search(query).results}
    for name, written in marked.items():
        assert f"<mark>{written}</mark>" in results[posts[name].pk].snippet, name


@pytest.mark.django_db
def test_an_article_headline_with_a_non_joiner_is_found_both_ways(search_home):
    article = make_article(f"سازمان{ZWNJ}های مردم نهاد", "متن گزارش.")
    reindex_all()
    for query in ("سازمانهای", f"سازمان{ZWNJ}های", '"سازمانهای مردم"', "سازمان"):
        results = search(query, type="article").results
        assert [r.id for r in results] == [article.pk], query
    result = search('"سازمانهای مردم"', type="article").results[0]
    assert result.title_html == f"<mark>سازمان{ZWNJ}های مردم</mark> نهاد"


def test_query_words_with_a_non_joiner_are_their_parts_or_the_word_whole():
    [clause] = parse(f"می{ZWNJ}خواهد").include
    assert clause.node == Phrase(("می", "خواهد"), joined=("میخواهد",))
    [clause] = parse('"می خواهد"').include
    assert clause.node == Phrase(("می", "خواهد"))
    [clause] = parse("میخواهد").include
    assert clause.node == Term("میخواهد")


def test_document_words_whole_across_a_non_joiner():
    text = f"او می{ZWNJ}خواهد بی{ZWNJ}نام{ZWNJ}ها"
    parts = tokens(text)
    assert parts == ["او", "می", "خواهد", "بی", "نام", "ها"]
    assert joined_tokens(text, parts) == ["او", "میخواهد", "بینامها"]
    assert joined_tokens("او میخواهد", tokens("او میخواهد")) is None
    assert joined_tokens(f"{ZWNJ}کتاب ", tokens(f"{ZWNJ}کتاب ")) is None  # cuts no word
    words, spans = joined_words_with_spans(text)
    assert words == ["او", "میخواهد", "بینامها"]
    assert [text[a:b] for a, b in spans] == ["او", f"می{ZWNJ}خواهد", f"بی{ZWNJ}نام{ZWNJ}ها"]


def test_a_snippet_marks_the_parts_of_a_word_found_whole():
    text = f"دولت می{ZWNJ}خواهد برود و خواهد ماند"
    marked = mark(text, Highlighter.for_nodes([Term("میخواهد")]))
    assert marked == f"دولت <mark>می{ZWNJ}خواهد</mark> برود و خواهد ماند"
    marked = mark(text, Highlighter.for_nodes([Phrase(("دولت", "میخواهد", "برود"))]))
    assert marked == f"<mark>دولت می{ZWNJ}خواهد برود</mark> و خواهد ماند"


@pytest.mark.django_db
def test_the_upgrade_for_words_whole_notes_everything_again(search_home):
    post = make_post("گزارش", excerpt=f"می{ZWNJ}خواهد.")
    migration = importlib.import_module(
        "clipdesk.search.migrations.0008_index_again_with_joined_words"
    )
    PendingIndexUpdate.objects.all().delete()
    migration.Migration.operations[0].code(apps, None)
    assert list(PendingIndexUpdate.objects.values_list("kind", "object_id")) == [("post", post.pk)]


def test_postgres_literals_hold_both_copies_apart():
    node = Phrase(("می", "خواهد"), joined=("میخواهد",))
    assert tsquery_literal(node) == "(('می' <-> 'خواهد') | 'میخواهد')"
    assert pairs_condition(node) is None  # a word alone has no neighbour pair to look up
    # Headline, gap, text, gap, (no headline copy), gap, the text's copy.
    assert tsvector_literal(["a"], ["b", "c"], (), ["bc"]) == "'a':1A 'b':3B 'c':4B 'bc':7B"


@pytest.mark.django_db
def test_a_watched_name_typed_with_a_non_joiner_finds_it_written_whole(search_home):
    add_entity("Mojahedin-e Khalq", ["مجاهدین خلق"])
    whole = make_post("گزارش", excerpt="بیانیه مجاهدینخلق منتشر شد")
    reindex_all()
    found = search(f"مجاهدین{ZWNJ}خلق")
    assert found.expanded_aliases  # the entity's names are searched as well
    assert [r.id for r in found.results] == [whole.pk]
