"""The whole ingest path against the demo corpus, served over loopback by a real server."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils.html import escape

from clipdesk.articles.models import Article
from clipdesk.articles.snapshots import read_snapshot
from clipdesk.demo.corpus_server import EXPECTED, FEEDS, WATCHLIST, CorpusServer
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source
from clipdesk.watch.store import add_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(monkeypatch):
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "127.0.0.1")
    with CorpusServer() as server:
        for path, kind in FEEDS:
            add_source(f"{server.base_url}/{path.lstrip('/')}", kind=kind)
        for name, aliases in WATCHLIST.items():
            add_entity(name, aliases)
        yield server


def path_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def test_first_poll_stores_every_article_with_a_readable_snapshot(corpus):
    summary = poll_sources(due_only=False)
    assert summary.polled == len(FEEDS)
    assert summary.articles_new == EXPECTED["articles"] == Article.objects.count()
    for article in Article.objects.select_related("snapshot"):
        snap = article.snapshot
        body = read_snapshot(
            settings.CLIPDESK_HOME, snap.warc_file, snap.warc_offset, snap.warc_length
        ).body
        assert b"<html" in body.lower()
        assert article.title and article.text


def test_every_alias_spelling_matches_and_no_false_friend_does(corpus):
    poll_sources(due_only=False)
    matched = {path_of(a.url) for a in Article.objects.matched()}
    expected = {p.lstrip("/") for p in EXPECTED["matching_articles"]}
    assert matched == expected
    for path in EXPECTED["non_matching_articles"]:
        assert path.lstrip("/") not in matched


def test_broken_feed_is_salvaged_and_its_problem_recorded(corpus):
    poll_sources(due_only=False)
    broken = Source.objects.get(url__endswith=EXPECTED["broken_feed"].lstrip("/"))
    assert broken.problems, "the editor must see what is wrong with the feed"
    assert broken.articles.count() == 2


def test_second_poll_is_answered_not_modified_and_stores_nothing(corpus):
    poll_sources(due_only=False)
    count = Article.objects.count()
    again = poll_sources(due_only=False)
    assert again.not_modified == len(FEEDS)
    assert again.articles_new == 0 and Article.objects.count() == count


def test_sources_are_not_due_again_right_after_a_poll(corpus):
    poll_sources(due_only=False)
    assert poll_sources(due_only=True).polled == 0


def test_an_article_is_extracted_again_from_its_snapshot(corpus):
    from clipdesk.articles.actions import reextract_article

    poll_sources(due_only=False)
    article = Article.objects.matched().first()
    original_text = article.text
    Article.objects.filter(pk=article.pk).update(text="tampered", text_sha256="x" * 64)
    article.refresh_from_db()
    reextract_article(article)
    article.refresh_from_db()
    assert article.text == original_text
    assert article.matches.exists()


def test_extracting_again_from_a_lost_snapshot_is_refused_in_the_admin(
    corpus, admin_client, settings
):
    poll_sources(due_only=False)
    article = Article.objects.matched().select_related("snapshot").first()
    (settings.CLIPDESK_HOME / article.snapshot.warc_file).unlink()  # the day's file is gone

    page = admin_client.post(
        "/admin/articles/article/",
        {"action": "reextract", "_selected_action": [article.pk]},
        follow=True,
    )

    assert page.status_code == 200
    shown = [str(m) for m in page.context["messages"]]
    assert any(f"article {article.pk}: snapshots:" in m for m in shown)
    assert "0 article(s) extracted again." in shown


def test_pages_carry_a_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_admin_shows_an_articles_matches_highlighted(corpus, admin_client):
    poll_sources(due_only=False)
    article = Article.objects.matched().first()
    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    first = article.matches.first()
    assert f"<mark>{escape(first.matched_text)}</mark>" in html
    assert escape(first.reason) in html
