"""A Persian word written with a zero-width non-joiner, without it, or with a space.

"می‌خواهد" (wants) is written with a non-joiner between its parts, often without it
("میخواهد"), sometimes with a space ("می خواهد"); so are plurals and comparatives ("کتاب‌ها",
"کتابها", "کتاب ها"; "بزرگ‌تر"). A search typed one way finds the others: the parts with a
non-joiner between them or a space are the same two words, and the word without it is those
parts whole. A space joins only the verbal prefixes "می"/"نمی" to the word after them and the
suffixes "ها", "های", "هایی", "تر", "ترین" to the word before them. On SQLite these run on the
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
        ("میخواهد", EVERY),
        (f"می{ZWNJ}خواهد", EVERY),
        ('"می خواهد"', EVERY),
        ("می خواهد", EVERY),
        ("کتابها", EVERY),
        (f"کتاب{ZWNJ}ها", EVERY),
        ('"کتاب ها"', EVERY),
        ("کتاب ها", EVERY),
        # A part alone still finds the word written in parts.
        ("خواهد", {"zwnj", "spaced"}),
        ("کتاب", {"zwnj", "spaced"}),
        # Phrases around such a word, in each spelling.
        ('"دولت میخواهد"', EVERY),
        ('"میخواهد کتابها را"', EVERY),
        (f'"دولت می{ZWNJ}خواهد کتاب{ZWNJ}ها"', EVERY),
        ('"دولت می خواهد کتاب ها"', EVERY),
        ("دولت می خواهد کتاب ها را", EVERY),
        # Neighbouring words keep their places.
        ('"خواهد کتاب"', {"zwnj", "spaced"}),
        ('"ها را بفروشد"', {"zwnj", "spaced"}),
        ('"دولت می"', {"zwnj", "spaced"}),
        ('"دولت کتابها"', set()),
        # No phrase runs from the end of the text into its second copy.
        ('"بفروشد دولت"', set()),
        # Prefixes.
        ("میخوا*", EVERY),
        (f"می{ZWNJ}خوا*", EVERY),
        ("می خوا*", EVERY),
        # Excluded in any spelling.
        ("دولت -میخواهد", set()),
        ("دولت -می خواهد", set()),
    ],
)
def test_each_spelling_finds_the_others(posts, query, expected):
    assert found(query, posts) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "marked"),
    [
        (
            "میخواهد",
            {"zwnj": f"می{ZWNJ}خواهد", "joined": "میخواهد", "spaced": "می خواهد"},
        ),
        (
            f"می{ZWNJ}خواهد",
            {"zwnj": f"می{ZWNJ}خواهد", "joined": "میخواهد", "spaced": "می خواهد"},
        ),
        (
            '"دولت میخواهد"',
            {"zwnj": f"دولت می{ZWNJ}خواهد", "joined": "دولت میخواهد", "spaced": "دولت می خواهد"},
        ),
        ("کتابها", {"zwnj": f"کتاب{ZWNJ}ها", "joined": "کتابها", "spaced": "کتاب ها"}),
        ("کتاب ها", {"zwnj": f"کتاب{ZWNJ}ها", "joined": "کتابها", "spaced": "کتاب ها"}),
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
    [clause] = parse("میخواهد").include
    assert clause.node == Term("میخواهد")


def test_query_words_an_affix_is_spaced_from_are_their_parts_or_the_word_whole():
    wants = Phrase(("می", "خواهد"), joined=("میخواهد",))
    for typed in ('"می خواهد"', "می خواهد", "می  خواهد"):
        [clause] = parse(typed).include
        assert clause.node == wants, typed
    [clause] = parse("می خواهد").include
    assert (clause.source, clause.plain) == ("می خواهد", True)
    [clause] = parse("نمي خواهند").include  # an Arabic yeh, as some keyboards type it
    assert clause.node == Phrase(("نمی", "خواهند"), joined=("نمیخواهند",))
    [clause] = parse("سازمان های مردم").include[:1]
    assert clause.node == Phrase(("سازمان", "های"), joined=("سازمانهای",))
    [clause] = parse("بزرگ تر").include
    assert clause.node == Phrase(("بزرگ", "تر"), joined=("بزرگتر",))
    [clause] = parse("-کتاب ها").exclude
    assert clause.node == Phrase(("کتاب", "ها"), joined=("کتابها",))
    # Not joined: an OR or a "-" between, an affix at the wrong end, another script, a
    # longer word that only begins or ends like one.
    for typed in ("می OR خواهد", "می -خواهد", "خواهد می", "ها کتاب", "می Paris", "کمی خواهد"):
        query = parse(typed)
        assert not any(isinstance(c.node, Phrase) for c in query.include + query.exclude), typed


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


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("او می خواهد", ["او", "میخواهد"]),
        ("او نمی  خواهد", ["او", "نمیخواهد"]),
        ("کتاب ها و کتاب های او", ["کتابها", "و", "کتابهای", "او"]),
        ("چیز هایی بزرگ تر از بزرگ ترین", ["چیزهایی", "بزرگتر", "از", "بزرگترین"]),
        (f"نمی خواهد کتاب{ZWNJ}ها را", ["نمیخواهد", "کتابها", "را"]),
        ("نمی خواهد کتاب ها را", ["نمیخواهد", "کتابها", "را"]),
    ],
)
def test_document_words_whole_across_a_space_after_a_prefix_or_before_a_suffix(text, whole):
    assert joined_tokens(text, tokens(text)) == whole
    words, spans = joined_words_with_spans(text)
    assert words == whole
    assert "".join(text[a:b] for a, b in spans).replace(" ", "").replace(ZWNJ, "") == "".join(whole)


@pytest.mark.parametrize(
    "text",
    [
        "جام می، خواهد",  # "wine", then a comma
        "جام می",  # at the end
        "می Paris",  # before another script
        "می 2020",
        "کمی خواهد",  # a word that ends in the prefix's letters
        "ها کتاب",  # a suffix before the word, not after it
        "کتاب، ها",
        "کتاب هاست",  # a longer word that begins like a suffix
        "کتاب\nها",  # across a line break
    ],
)
def test_no_word_is_joined_where_no_affix_is_spaced_from_it(text):
    assert joined_tokens(text, tokens(text)) is None
    assert joined_words_with_spans(text) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("written", "queries"),
    [
        ("آنها نمی خواهند", ["نمیخواهند", f"نمی{ZWNJ}خواهند", '"نمی خواهند"']),
        ("آنها نمیخواهند", ["نمی خواهند", f"نمی{ZWNJ}خواهند"]),
        ("شهر بزرگ ترین است", ["بزرگترین", f"بزرگ{ZWNJ}ترین", "بزرگ ترین"]),
        (f"شهر بزرگ{ZWNJ}تر است", ["بزرگتر", "بزرگ تر"]),
        ("گزارش سازمان هایی دیگر", ["سازمانهایی", f"سازمان{ZWNJ}هایی", '"سازمان هایی دیگر"']),
        ("گزارش سازمانهای دیگر", ["سازمان های", '"گزارش سازمان های دیگر"']),
    ],
)
def test_other_affixes_find_each_other_in_each_spelling(search_home, written, queries):
    post = make_post("خبر", excerpt=written)
    reindex_all()
    for query in queries:
        assert [r.id for r in search(query).results] == [post.pk], query


def test_a_snippet_marks_the_parts_of_a_word_found_whole():
    text = f"دولت می{ZWNJ}خواهد برود و خواهد ماند"
    marked = mark(text, Highlighter.for_nodes([Term("میخواهد")]))
    assert marked == f"دولت <mark>می{ZWNJ}خواهد</mark> برود و خواهد ماند"
    marked = mark(text, Highlighter.for_nodes([Phrase(("دولت", "میخواهد", "برود"))]))
    assert marked == f"<mark>دولت می{ZWNJ}خواهد برود</mark> و خواهد ماند"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["0008_index_again_with_joined_words", "0010_index_again_with_spaced_affixes_joined"]
)
def test_the_upgrade_for_words_whole_notes_everything_again(search_home, name):
    post = make_post("گزارش", excerpt=f"می{ZWNJ}خواهد.")
    migration = importlib.import_module(f"clipdesk.search.migrations.{name}")
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


@pytest.mark.django_db
def test_a_watched_name_typed_with_a_spaced_suffix_finds_it_written_whole(search_home):
    add_entity("NGOs", ["سازمان های مردم نهاد"])
    whole = make_post("گزارش", excerpt="بیانیه سازمانهای مردم نهاد منتشر شد")
    make_post("گزارش دیگر", excerpt="سازمان ملل")
    reindex_all()
    found = search("سازمان های مردم نهاد")
    assert [r.id for r in found.results] == [whole.pk]
