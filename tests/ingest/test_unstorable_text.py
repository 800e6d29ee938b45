"""Text no database column takes (NUL, lone surrogates, other control characters) is left out
of what a feed or page gives, and a value refused anyway fails its page, not the round.

Before, one such value in one feed item or one page's JSON-LD failed the whole polling round
(PostgreSQL refuses NUL; neither database can encode a lone surrogate), and every round
after it, since the round ended before the sources' state was saved.
"""

from __future__ import annotations

import json

import pytest

from clipdesk.articles import extraction
from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source
from clipdesk.storable import storable_text
from tests.ingest.test_poll_failures import ARTICLE, page

HTML = {"Content-Type": "text/html; charset=utf-8"}
BAD = "\x00\ud800\x07"  # NUL, a lone surrogate, BEL


def rss_without_titles(*links: str) -> bytes:
    items = "".join(f"<item><link>{u}</link></item>" for u in links)
    channel = f"<channel><title>T</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


NO_HEADLINE = (  # the page's headline only in its JSON-LD
    ARTICLE.replace(b"<title>Ferry timetable changes</title>", b"").replace(
        b"<h1>Ferry timetable changes</h1>", b""
    )
)


def with_json_ld(html: bytes, **fields: str) -> bytes:
    # json.dumps writes the bad characters as \u escapes, as JSON-LD in the wild carries them.
    data = json.dumps({"@type": "NewsArticle", **fields})
    script = f'<script type="application/ld+json">{data}</script></head>'.encode()
    return html.replace(b"</head>", script)


@pytest.mark.django_db(transaction=True)
def test_a_json_feed_with_unstorable_text_is_read_without_it(server):
    good = server.route("/ferry.html", ARTICLE, headers=HTML)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"Harbour{BAD} news",
        "items": [
            {
                "id": f"ferry{BAD}",
                "url": good,
                "title": f"Ferry{BAD} timetable",
                "summary": f"Winter{BAD} crossings",
                "authors": [{"name": f"Ines{BAD} Brackwater"}],
            },
            {"id": "broken", "url": f"{server.url('/pier')}{BAD}.html", "title": "Pier"},
        ],
    }
    body = json.dumps(feed).encode()
    add_source(
        server.route("/feed.json", body, headers={"Content-Type": "application/feed+json"}),
        kind="feed",
    )
    other = server.route("/pier-2.html", page(2), headers=HTML)
    add_source(server.route("/other.xml", rss_without_titles(other)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.pages_failed == []
    assert summary.articles_new == 2  # the other source's page too: the round went on
    article = Article.objects.get(url=good)
    assert article.title == "Ferry timetable"
    assert article.extracted["feed"]["authors"] == ["Ines Brackwater"]
    # The item whose address holds control characters is left out, and the editor told.
    problems = Source.objects.get(url__endswith=".json").problems
    assert "1 entry without a usable link was skipped" in problems


@pytest.mark.django_db(transaction=True)
def test_a_page_with_unstorable_json_ld_is_stored_without_it(server):
    html = with_json_ld(
        NO_HEADLINE,
        headline=f"Ferry{BAD} timetable changes",
        author={"@type": "Person", "name": f"Ines{BAD} Brackwater"},
    )
    url = server.route("/ferry.html", html, headers=HTML)
    add_source(server.route("/feed.xml", rss_without_titles(url)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 1 and summary.pages_failed == []
    article = Article.objects.get()
    assert (article.title, article.authors) == ("Ferry timetable changes", ["Ines Brackwater"])


@pytest.mark.django_db(transaction=True)
def test_a_value_the_database_refuses_fails_its_page_and_the_round_goes_on(server, monkeypatch):
    # As if extraction missed a field: the guard in the round is what is left.
    monkeypatch.setattr(extraction, "_make_storable", lambda article: None)
    bad = with_json_ld(NO_HEADLINE, headline=f"Ferry{BAD} timetable changes")
    urls = [
        server.route("/bad.html", bad, headers=HTML),
        server.route("/good.html", page(2), headers=HTML),
    ]
    add_source(server.route("/feed.xml", rss_without_titles(*urls)), kind="feed")

    summary = poll_sources(due_only=False)

    assert [p["url"] for p in summary.pages_failed] == [urls[0]]
    assert summary.pages_failed[0]["reason"].startswith("storing: the database refused")
    assert list(Article.objects.values_list("url", flat=True)) == [urls[1]]
    assert Source.objects.get().last_success_at is not None  # the source's state was saved


@pytest.mark.django_db(transaction=True)
def test_validators_longer_than_their_columns_are_not_kept_and_rounds_go_on(server):
    long_etag, long_date = '"' + "e" * 800 + '"', "Tue, 5 Mar 2024 " + "0" * 300
    url = server.route("/ferry.html", ARTICLE, headers=HTML)
    feed_url = server.route(
        "/feed.xml",
        rss_without_titles(url),
        headers={"ETag": long_etag, "Last-Modified": long_date},
    )
    add_source(feed_url, kind="feed")

    for _ in range(2):  # the first round failed at its end on PostgreSQL, and so did each next
        summary = poll_sources(due_only=False)
        assert summary.failed == [] and summary.polled == 1

    source = Source.objects.get()
    assert (source.etag, source.last_modified) == ("", "")
    assert source.last_success_at is not None
    asked = server.requests_for("/feed.xml")[-1].headers
    assert "if-none-match" not in asked and "if-modified-since" not in asked


def test_non_characters_are_not_storable():
    assert storable_text("a\ufffeb\uffffc\ufffd") == "abc\ufffd"  # U+FFFD is a character


@pytest.mark.parametrize(
    "inside",
    [
        "",
        "\x00",
        "\x01",
        "\x0b",
        "\x0c",
        "\x1f",
        "\x7f",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\t\n\r",
        "é",
        "\u200c",
        "ی",
        "\U0001f600",
        "\x80",
        "\x9f",
    ],
)
@pytest.mark.parametrize("length", [10, 10_000])
def test_long_and_short_texts_are_judged_alike(inside, length):
    """A long text is read as bytes, a short one by the pattern: the answer is the same."""
    from clipdesk.storable import UNSTORABLE, has_unstorable, storable_text

    text = ("Harbour pier, قایق " * length)[:length] + inside + "end"
    assert has_unstorable(text) == (UNSTORABLE.search(text) is not None)
    assert UNSTORABLE.search(storable_text(text)) is None
