"""Zero-width joiners survive extraction: Persian spells with the non-joiner (U+200C).

trafilatura returns printable characters only, and drops it; without it a Persian word is
misspelt, a quote no longer matches its source, and a name the page writes with it is fused
into one word no watchlist alias matches.
"""

from __future__ import annotations

import re

import pytest

from clipdesk.articles.extraction import extract_article
from clipdesk.articles.joiners import JoinerRestorer
from clipdesk.watch.matching import Matcher

ZWNJ, ZWJ = "\u200c", "\u200d"
WORD = re.compile(r"[^\s.,:;!?«»،؛؟()\"']+")


def persian_page(body: str, title: str = "گزارش") -> bytes:
    paragraphs = "".join(f"<p>{line}</p>\n" for line in body.split("\n"))
    return (
        f'<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><nav><a href='/'>خانه</a></nav><article><h1>{title}</h1>{paragraphs}"
        "</article><footer>حق نشر</footer></body></html>"
    ).encode()


BODY = (
    "نشست سالانهٔ انجمن کتاب‌داران شهر روز پنجشنبه در تالار اصلی کتاب‌خانهٔ مرکزی برگزار شد "
    "و گروهی از اعضای سازمان مجاهدین‌خلق نیز در میان تماشاگران دیده می‌شدند.\n"
    "برگزارکنندگان می‌گویند شمار شرکت‌کنندگان امسال دو برابر سال گذشته بوده است و "
    "گزارش‌های رسیده از شهرستان‌ها نشان می‌دهد که علاقه به این نشست‌ها رو به افزایش است.\n"
    "در پایان، دبیر انجمن از همکاری کتاب‌فروشی‌های محلی و داوطلبان جوان سپاسگزاری کرد "
    "و گفت برنامهٔ سال آینده در پاییز اعلام خواهد شد."
)


def test_the_non_joiners_of_a_persian_page_stay_in_its_text_and_title():
    title = "نشست سالانهٔ کتاب‌داران"
    article = extract_article(persian_page(BODY, title), "http://news.example/fa/1")

    assert "سازمان مجاهدین‌خلق" in article.text
    assert "می‌گویند" in article.text and "کتاب‌فروشی‌های" in article.text
    assert "میگویند" not in article.text
    assert article.text.count(ZWNJ) == (title + BODY).count(ZWNJ)  # the h1 is in the text
    assert article.title == title


def test_an_alias_written_with_a_non_joiner_is_found_in_the_stored_text():
    article = extract_article(persian_page(BODY), "http://news.example/fa/2")
    matcher = Matcher.build({"Mojahedin-e Khalq": ["سازمان مجاهدین خلق"]})

    (match,) = matcher.find(text=article.text)
    assert match.matched_text == "سازمان مجاهدین‌خلق"


def test_a_word_the_page_spells_both_ways_is_left_as_trafilatura_gives_it():
    restorer = JoinerRestorer(["می‌رود و میرود", "کتاب‌ها"])
    assert restorer.restore("او میرود و کتابها") == "او میرود و کتاب‌ها"


def test_joiners_at_the_edge_of_a_word_join_nothing_and_are_not_put_back():
    restorer = JoinerRestorer([f"{ZWNJ}سلام{ZWNJ} و 30{ZWNJ}"])
    assert restorer.restore("سلام و 30") == "سلام و 30"


def test_a_form_two_words_of_the_page_would_both_give_is_left_alone():
    restorer = JoinerRestorer([f"ab{ZWNJ}cd ab{ZWJ}cd", f"ef{ZWJ}gh"])
    assert restorer.restore("abcd efgh") == f"abcd ef{ZWJ}gh"


def test_only_whole_words_are_put_back():
    restorer = JoinerRestorer(["نامه‌ها"])
    assert restorer.restore("نامهها، نامههایی") == "نامه‌ها، نامههایی"


PERSIAN_PAGES = ["1523806243", "1602557452", "1641304459"]


@pytest.mark.parametrize("name", PERSIAN_PAGES)
def test_real_persian_pages_keep_every_word_they_spell_with_a_non_joiner(shared_dir, name):
    html = (shared_dir / "data" / "htmldate" / "test_set" / f"{name}.html").read_bytes()
    page_text = html.decode("utf-8", "replace").replace("&zwnj;", ZWNJ)
    with_joiner = {w.strip(ZWNJ) for w in WORD.findall(page_text) if ZWNJ in w.strip(ZWNJ)}
    as_written = {w.strip(ZWNJ) for w in WORD.findall(page_text) if ZWNJ not in w.strip(ZWNJ)}
    fused = {w.replace(ZWNJ, ""): w for w in with_joiner} if with_joiner else {}

    text = extract_article(html, "http://news.example/fa/page").text

    assert text.count(ZWNJ) > 0
    misspelt = [w for w in WORD.findall(text) if w in fused and w not in as_written]
    assert misspelt == []


def test_the_joiner_of_an_indic_word_stays_too():
    # Devanagari: ka, virama, zero-width joiner, ssa — the half form of ka, on purpose.
    word = "\u0915\u094d\u200d\u0937"
    body = (
        f"नगर परिषद की बैठक में {word}ेत्र के नए पुस्तकालय पर चर्चा हुई और सदस्यों ने "
        "बजट को मंज़ूरी दी। पुस्तकालय अगले वर्ष खुलेगा और उसमें बच्चों के लिए एक अलग कक्ष होगा।"
    )
    html = (
        '<html lang="hi"><head><meta charset="utf-8"><title>बैठक</title></head><body>'
        f"<article><h1>बैठक</h1><p>{body}</p><p>अध्यक्ष ने कहा कि निर्माण का काम "
        "अगले महीने शुरू होगा और इसमें स्थानीय कारीगरों को काम दिया जाएगा।</p></article>"
        "</body></html>"
    ).encode()

    article = extract_article(html, "http://news.example/hi/1")

    assert f"{word}ेत्र" in article.text
    assert article.text.count(ZWJ) == 1
