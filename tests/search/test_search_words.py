"""Search words: "Rajavi’s" is found by "Rajavi", "l’exil" by "exil", on either engine."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps

from clipdesk.search.indexing import index_pending, reindex_all
from clipdesk.search.models import PendingIndexUpdate
from clipdesk.search.service import search
from clipdesk.search.snippets import Highlighter, mark
from clipdesk.search.words import tokens, words_with_spans
from clipdesk.watch.store import add_entity
from tests.factories import make_post
from tests.search.conftest import make_article


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rajavi’s speech", ["rajavi", "speech"]),
        ("the People's court", ["the", "people", "court"]),
        ("MEK‘s", ["mek"]),
        ("retour à l’exil", ["retour", "a", "exil"]),
        ("d'Ashraf qu'il jusqu'à", ["ashraf", "il", "a"]),
        ("dell’Iran all'ONU", ["iran", "onu"]),
        # Other glued words stay whole; a lone "s" or "l" is a word of its own.
        ("O’Brien, Shi'ite, rock'n'roll", ["obrien", "shiite", "rocknroll"]),
        ("Section s and l", ["section", "s", "and", "l"]),
        ("members' rights", ["members", "rights"]),
        ("’s", ["s"]),
    ],
)
def test_search_words(text, expected):
    assert tokens(text) == expected


def test_each_word_keeps_the_span_it_was_written_in():
    text = "Rajavi’s exile, d’Ashraf"
    words, spans = words_with_spans(text)
    assert words == ["rajavi", "exile", "ashraf"]
    assert [text[start:end] for start, end in spans] == ["Rajavi’s", "exile", "d’Ashraf"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a \u0301Rajavi x", ["a", "Rajavi", "x"]),  # a stray accent with no letter before it
        ("a \u200dRajavi\u200d x", ["a", "Rajavi", "x"]),  # joiners at both ends
        ("\u00adRaj\u00adavi\u00ad", ["Raj\u00adavi"]),  # a soft hyphen inside stays
        ("\u0301\u200dRajavi", ["Rajavi"]),
        ("Rajavi\u0301 x", ["Rajavi\u0301", "x"]),  # an accent on the last letter stays
        ("\u0301北\u200d京", ["北", "京"]),
    ],
)
def test_a_word_is_marked_from_its_first_letter_without_invisibles_at_its_ends(text, written):
    """A combining mark before a word's first letter, or a joiner at either end, shows
    nothing of its own; the snippet's mark began on it, so a stray accent was highlighted as
    part of the word. The words themselves are unchanged."""
    words, spans = words_with_spans(text)
    assert words == tokens(text)
    assert [text[start:end] for start, end in spans] == written


def test_a_stray_accent_before_a_word_is_left_out_of_its_mark():
    marked = mark("a \u0301Rajavi\u0301 x", Highlighter(terms={"rajavi"}))
    assert marked == "a \u0301<mark>Rajavi\u0301</mark> x"


@pytest.fixture
def posts(db, search_home):
    add_entity("Maryam Rajavi", ["Rajavi"])
    found = {
        "possessive": make_post(
            "Rajavi’s speech in Auvers",
            posted_on=datetime.date(2024, 5, 1),
            excerpt="The People’s Mojahedin heard it.",
        ),
        "french": make_post(
            "Le retour d’Ashraf",
            posted_on=datetime.date(2024, 5, 2),
            excerpt="Ils parlent de l’exil et qu’il dure.",
        ),
        "plain": make_post(
            "Rajavi speaks", posted_on=datetime.date(2024, 5, 3), excerpt="Exil and people."
        ),
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
        ("rajavi", {"possessive", "plain"}),
        ("Rajavi’s", {"possessive", "plain"}),
        ('"rajavi speech"', {"possessive"}),
        ('"Rajavi\'s speech"', {"possessive"}),
        ("exil", {"french", "plain"}),
        ("l'exil", {"french", "plain"}),
        ("ashraf", {"french"}),
        ('"people mojahedin"', {"possessive"}),
        ('"people’s mojahedin"', {"possessive"}),
        ("people", {"possessive", "plain"}),
    ],
)
def test_possessives_and_elisions_are_found_by_the_bare_word(posts, query, expected):
    assert found(query, posts) == expected


@pytest.mark.django_db
def test_the_whole_written_word_is_marked(posts):
    result = next(r for r in search("rajavi").results if r.id == posts["possessive"].pk)
    assert result.title_html == "<mark>Rajavi’s</mark> speech in Auvers"
    result = search("exil").results
    french = next(r for r in result if r.id == posts["french"].pk)
    assert "de <mark>l’exil</mark> et" in french.snippet


@pytest.mark.django_db
def test_the_upgrade_notes_every_post_and_article_for_indexing_again(search_home):
    post = make_post("Rajavi’s visit", excerpt="A visit.")
    article = make_article("Rajavi’s letter", "A letter.")
    migration = importlib.import_module(
        "clipdesk.search.migrations.0004_index_again_for_search_words"
    )
    PendingIndexUpdate.objects.all().delete()
    migration.note_everything(apps, None)
    migration.note_everything(apps, None)  # a second run adds nothing
    rows = list(PendingIndexUpdate.objects.values_list("kind", "object_id", "noted_at"))
    assert sorted(row[:2] for row in rows) == [("article", article.pk), ("post", post.pk)]
    index_pending(rows)
    assert PendingIndexUpdate.objects.count() == 0
    assert [r.id for r in search("rajavi").results] == [post.pk]
    assert [r.id for r in search("rajavi", type="article").results] == [article.pk]


def _words_one_by_one(text: str) -> list[str]:
    """The search words by their definition: glued_words's words, each made a search word."""
    from clipdesk.search.words import MAX_TOKEN_CHARS, search_word, split_unspaced
    from clipdesk.watch.normalizing import glued_words

    words = (
        piece
        for pieces, _start, _end in glued_words(text)
        for piece in split_unspaced(search_word(pieces))
    )
    return [word for word in words if len(word) <= MAX_TOKEN_CHARS]


GLUE_CASES = [
    "l'exil d'Ashraf, dell’Iran et qu’il",
    "People’s Mujahedin's rally, O’Brien's Shi’ite neighbours",
    "a'b'c'd e 'lead trail' x ''y",
    "the U.S.'s envoy; ʼAbd ʻAli; __a_'b",
    "Ma\u0301ryam a\u0301 \u0301 b",  # combining marks, one of them alone
    "Mojahedin-e-Khalq " + "x" * 150 + " مجاهدین‌خلق",  # a token too long to index
    "我们在北京开会。東京都に住んでいます、ﾆｭｰｽ 北京2008年 北京's",
    "काम कम ข้าว ขาว でかぎ て\u3099 ﾃﾞﾊﾟｰﾄ \u3099",  # marks that are letters, one alone
]


@pytest.mark.parametrize("text", GLUE_CASES)
def test_search_words_are_glued_words_made_search_words(text):
    assert tokens(text) == _words_one_by_one(text)


def test_search_words_of_real_article_texts_are_glued_words_made_search_words():
    from pathlib import Path

    from clipdesk.articles.extraction import extract_article

    pages = Path(__file__).resolve().parents[2].parent / "shared/data/trafilatura/html"
    if not pages.is_dir():
        pytest.skip(f"{pages} is absent (the shared test data)")
    for page in sorted(pages.glob("*.html"))[:40]:
        text = extract_article(page.read_bytes(), f"https://news.example/{page.name}").text
        assert tokens(text) == _words_one_by_one(text), page.name


def test_a_glued_arabic_article_is_no_part_of_a_search_word():
    assert tokens("جماعة الفانوس على الساحل") == ["جماعه", "فانوس", "علی", "ساحل"]
    assert tokens("ال الف") == ["ال", "الف"]  # too short to hold an article and a word


@pytest.mark.django_db
def test_an_arabic_word_is_found_with_its_article_or_without(search_home):
    with_article = make_post("ندوة على الساحل", excerpt="عقدت جماعة الفانوس ندوة على الساحل.")
    without = make_post("ساحل المدينة", excerpt="زار الوفد ساحل المدينة.")
    reindex_all()
    assert {r.id for r in search("ساحل").results} == {with_article.pk, without.pk}
    assert {r.id for r in search("الساحل").results} == {with_article.pk, without.pk}
    found = next(r for r in search("فانوس").results if r.id == with_article.pk)
    assert "<mark>الفانوس</mark>" in found.snippet  # the whole written word is marked


@pytest.mark.django_db
def test_the_upgrade_for_the_arabic_article_notes_everything_again(search_home):
    post = make_post("ندوة على الساحل", excerpt="ندوة.")
    migration = importlib.import_module(
        "clipdesk.search.migrations.0005_index_again_without_the_arabic_article"
    )
    PendingIndexUpdate.objects.all().delete()
    migration.Migration.operations[0].code(apps, None)
    assert list(PendingIndexUpdate.objects.values_list("kind", "object_id")) == [("post", post.pk)]


def test_chinese_and_japanese_characters_are_words_of_their_own():
    assert tokens("我们在北京开会。") == ["我", "们", "在", "北", "京", "开", "会"]
    assert tokens("北京2008年 Paris") == ["北", "京", "2008", "年", "paris"]
    assert tokens("ﾆｭｰｽ") == ["ニ", "ュ", "ー", "ス"]  # half-width kana as the usual ones
    text = "在北京开会"
    words, spans = words_with_spans(text)
    assert words == ["在", "北", "京", "开", "会"]
    assert [text[a:b] for a, b in spans] == list(text)


@pytest.mark.django_db
def test_a_chinese_or_japanese_word_inside_a_sentence_is_found_and_marked(search_home):
    beijing = make_post("北京会议", excerpt="我们在北京开会。代表们讨论了问题。")
    tokyo = make_post("東京のニュース", excerpt="私は東京都に住んでいます。" + "長" * 150)
    reindex_all()
    assert [r.id for r in search("北京").results] == [beijing.pk]
    assert [r.id for r in search("开会").results] == [beijing.pk]
    assert search("京北").total == 0  # the characters side by side, in the order typed
    assert [r.id for r in search("東京").results] == [tokyo.pk]
    assert [r.id for r in search("ニュース").results] == [tokyo.pk]
    assert [r.id for r in search("長長長").results] == [tokyo.pk]  # a run past 100 characters
    result = search("北京").results[0]
    assert result.title_html == "<mark>北京</mark>会议"
    assert result.snippet.startswith("我们在<mark>北京</mark>开会。")


@pytest.mark.django_db
def test_a_star_after_chinese_characters_finds_the_words_they_begin(search_home):
    beijing = make_post("北京会议", excerpt="我们在北京开会。")
    reindex_all()
    found = search("北京*")
    assert [r.id for r in found.results] == [beijing.pk]
    assert "prefix" not in found.message


@pytest.mark.django_db
def test_the_upgrade_for_chinese_and_japanese_notes_everything_again(search_home):
    post = make_post("北京会议", excerpt="北京.")
    migration = importlib.import_module(
        "clipdesk.search.migrations.0007_index_again_with_han_and_kana_words"
    )
    PendingIndexUpdate.objects.all().delete()
    migration.Migration.operations[0].code(apps, None)
    assert list(PendingIndexUpdate.objects.values_list("kind", "object_id")) == [("post", post.pk)]


def test_vowel_signs_and_voicing_marks_stay_in_search_words():
    """A vowel sign of Devanagari or Thai, or a kana voicing mark, is a letter: "काम" (work)
    is no search word "कम" (less), and "で" is one character, not "て" and a mark."""
    assert tokens("काम कम") == ["काम", "कम"]
    assert tokens("ข้าว ขาว") == ["ข้าว", "ขาว"]
    assert tokens("でかぎ") == ["て\u3099", "か", "き\u3099"]
    assert tokens("ﾃﾞ") == tokens("デ") != tokens("テ")
    text = "東京でかぎ"
    words, spans = words_with_spans(text)
    assert words == ["東", "京", "て\u3099", "か", "き\u3099"]
    assert [text[a:b] for a, b in spans] == list(text)


@pytest.mark.django_db
def test_a_word_is_not_found_by_its_look_alike_without_a_vowel_sign(search_home):
    work = make_post("काम की बात", excerpt="यह काम ज़रूरी है।")
    less = make_post("कम बारिश", excerpt="इस साल कम बारिश हुई।")
    key = make_post("かぎをなくした", excerpt="家のかぎ。")
    oyster = make_post("かきを食べた", excerpt="広島のかき。")
    reindex_all()
    assert [r.id for r in search("काम").results] == [work.pk]
    assert [r.id for r in search("कम").results] == [less.pk]
    assert [r.id for r in search("かぎ").results] == [key.pk]
    assert [r.id for r in search("かき").results] == [oyster.pk]
    result = search("かぎ").results[0]
    assert result.title_html == "<mark>かぎ</mark>をなくした"


@pytest.mark.django_db
def test_the_upgrade_for_vowel_signs_notes_everything_again(search_home):
    post = make_post("काम की बात", excerpt="काम.")
    migration = importlib.import_module(
        "clipdesk.search.migrations.0009_index_again_with_vowel_signs"
    )
    PendingIndexUpdate.objects.all().delete()
    migration.Migration.operations[0].code(apps, None)
    assert list(PendingIndexUpdate.objects.values_list("kind", "object_id")) == [("post", post.pk)]
