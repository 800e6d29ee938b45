"""A source whose address answers with a permanent redirect: moved on its own site, and the
editor told what happened either way."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source

RSS = {"Content-Type": "application/rss+xml"}
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title></channel></rss>'
)


def source_list(*args: str) -> str:
    out = io.StringIO()
    call_command("source", "list", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [301, 308])
def test_a_feed_moved_permanently_on_its_own_site_is_polled_at_its_new_address(server, status):
    new = server.route("/news/feed.xml", FEED, headers=RSS)
    old = server.redirect("/rss.php", "/news/feed.xml", status=status)
    source = add_source(old, kind="feed").source

    summary = poll_sources(due_only=False)

    source.refresh_from_db()
    assert source.url == new
    assert source.moved_note.startswith(f"{old} moved permanently to {new} (")
    assert source.moved_note.endswith("); now polled there")
    assert source.problems == [] and source.last_error == ""
    assert summary.as_dict()["moved"] == [{"source": source.pk, "from": old, "to": new}]
    assert f"[ok; {source.moved_note}]" in source_list()
    (row,) = json.loads(source_list("--json"))
    assert (row["url"], row["moved"]) == (new, source.moved_note)

    server.requests.clear()
    poll_sources(due_only=False)
    assert server.requests_for("/rss.php") == []  # the redirect is no longer paid for
    assert len(server.requests_for("/news/feed.xml")) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [302, 307])
def test_a_temporary_redirect_changes_nothing(server, status):
    server.route("/news/feed.xml", FEED, headers=RSS)
    old = server.redirect("/rss.php", "/news/feed.xml", status=status)
    source = add_source(old, kind="feed").source

    summary = poll_sources(due_only=False)

    source.refresh_from_db()
    assert (source.url, source.moved_note, source.problems) == (old, "", [])
    assert summary.as_dict()["moved"] == []


@pytest.mark.django_db(transaction=True)
def test_a_chain_with_a_temporary_step_is_not_followed_for_good(server):
    server.route("/news/feed.xml", FEED, headers=RSS)
    server.redirect("/for-now", "/news/feed.xml", status=302)
    old = server.redirect("/rss.php", "/for-now", status=301)
    source = add_source(old, kind="feed").source

    poll_sources(due_only=False)

    source.refresh_from_db()
    assert (source.url, source.moved_note, source.problems) == (old, "", [])


@pytest.mark.django_db(transaction=True)
def test_a_permanent_redirect_to_another_site_is_said_and_not_followed_for_good(
    server, monkeypatch
):
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "127.0.0.1,localhost")
    elsewhere = server.route("/feed.xml", FEED, headers=RSS).replace("127.0.0.1", "localhost")
    old = server.redirect("/rss.php", elsewhere, status=301)
    source = add_source(old, kind="feed").source

    summary = poll_sources(due_only=False)

    source.refresh_from_db()
    assert source.url == old and source.moved_note == ""
    said = (
        f"answers with a permanent redirect to {elsewhere}, on another site; not followed for "
        "good (change the source's address if the feed really moved there)"
    )
    assert source.problems == [said]
    assert summary.as_dict()["moved"] == []
    assert f"[read, with 1 problem(s): {said}]" in source_list()

    poll_sources(due_only=False)  # said once, not once more each round
    source.refresh_from_db()
    assert source.problems == [said]


@pytest.mark.django_db(transaction=True)
def test_a_permanent_redirect_to_another_sources_address_is_said_and_not_followed(server):
    new = server.route("/news/feed.xml", FEED, headers=RSS)
    old = server.redirect("/rss.php", "/news/feed.xml", status=301)
    other = add_source(new, kind="feed").source
    source = add_source(old, kind="feed").source

    poll_sources(due_only=False)

    source.refresh_from_db()
    assert source.url == old and source.moved_note == ""
    assert source.problems == [
        f"answers with a permanent redirect to {new}, which is source {other.pk}'s address; "
        "not followed for good (one of the two sources may be deleted)"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_sources_moved_to_one_address_in_one_round_are_not_both_moved(server):
    new = server.route("/news/feed.xml", FEED, headers=RSS)
    first = add_source(server.redirect("/rss.php", "/news/feed.xml", status=301), kind="feed")
    second = add_source(server.redirect("/feed/", "/news/feed.xml", status=301), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.failed == []
    urls = set(Source.objects.values_list("url", flat=True))
    assert new in urls and len(urls) == 2
    stayed = Source.objects.exclude(url=new).get()
    assert stayed.pk in (first.source.pk, second.source.pk)
    assert stayed.problems[0].startswith(f"answers with a permanent redirect to {new}, which is")


@pytest.mark.django_db(transaction=True)
def test_a_permanent_redirect_to_plain_http_is_not_followed_for_good():
    from clipdesk.ingest import _permanent_redirect_refusal

    said = _permanent_redirect_refusal(
        "https://harbour.example/rss.php", "http://harbour.example/feed.xml"
    )
    assert said == (
        "answers with a permanent redirect to http://harbour.example/feed.xml, over plain "
        "http; not followed for good"
    )
    assert (
        _permanent_redirect_refusal(
            "http://harbour.example/rss.php", "https://www.harbour.example/feed.xml"
        )
        is None
    )  # to https and to www. on the same site: moved


@pytest.mark.django_db(transaction=True)
def test_a_permanent_redirect_answered_with_304_moves_the_source_too(server):
    new = server.conditional("/news/feed.xml", FEED, etag='"v1"', headers=RSS)
    old = server.redirect("/rss.php", "/news/feed.xml", status=301)
    source = Source.objects.create(url=old, kind="feed", etag='"v1"')

    summary = poll_sources(due_only=False)

    assert summary.not_modified == 1
    source.refresh_from_db()
    assert source.url == new and source.etag == '"v1"'


@pytest.mark.django_db(transaction=True)
def test_a_permanent_redirect_to_a_page_that_is_no_feed_does_not_move_the_source(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/", b"<!doctype html><html><body><p>Welcome</p></body></html>", headers=html)
    old = server.redirect("/rss.php", "/", status=301)  # a feed removed, sent to the homepage
    source = add_source(old, kind="feed").source

    poll_sources(due_only=False)

    source.refresh_from_db()
    assert source.url == old and source.moved_note == ""
    assert source.last_error.startswith("feeds: this is an HTML page")
