"""An entry whose page led to no new article under its own address is not fetched again.

A redirecting link, a syndicated copy of a stored article and a link to a PDF were fetched
and snapshotted again every round the feed was read in full: the snapshots grew by one per
such entry per round, without end.
"""

from __future__ import annotations

import pytest

from clipdesk.articles.models import Article, EntryAddress, Snapshot
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source
from tests.ingest.test_poll_failures import feed, page

pytestmark = pytest.mark.django_db(transaction=True)

HTML = {"Content-Type": "text/html; charset=utf-8"}


def poll_twice() -> None:
    poll_sources(due_only=False)
    Source.objects.update(etag="", last_modified="")  # the feed is read in full again
    poll_sources(due_only=False)


def test_a_redirecting_link_is_fetched_once(server):
    story = server.route("/news/2026/11/pier-reopens.html", page(1), headers=HTML)
    server.redirect("/r/pier", story, status=301)
    add_source(server.route("/feed.xml", feed(server.url("/r/pier"))), kind="feed")

    poll_twice()

    assert len(server.requests_for("/r/pier")) == 1
    assert list(Article.objects.values_list("url", flat=True)) == [story]
    assert Snapshot.objects.count() == 1
    assert EntryAddress.objects.get().article == Article.objects.get()


def test_a_syndicated_copy_and_a_pdf_are_fetched_once(server):
    first = server.route("/a/harbour.html", page(1), headers=HTML)
    copy = server.route("/b/harbour-copy.html", page(1), headers=HTML)
    pdf = server.route("/files/report.pdf", b"%PDF-1.4\n1 0 obj\n", headers={})
    add_source(server.route("/a.xml", feed(first)), kind="feed")
    add_source(server.route("/b.xml", feed(copy, pdf)), kind="feed")

    poll_twice()

    assert len(server.requests_for("/b/harbour-copy.html")) == 1
    assert len(server.requests_for("/files/report.pdf")) == 1
    assert Article.objects.count() == 1 and Snapshot.objects.count() == 3
    reasons = dict(EntryAddress.objects.values_list("url", "reason"))
    assert reasons[copy] == "a copy of an article stored"
    assert "PDF" in reasons[pdf]


def test_an_empty_answer_is_asked_for_again(server):
    empty = server.route("/news/2026/11/blank.html", b"", headers=HTML)
    add_source(server.route("/feed.xml", feed(empty)), kind="feed")

    poll_twice()

    assert len(server.requests_for("/news/2026/11/blank.html")) == 2
    assert not EntryAddress.objects.exists()


def test_a_page_two_feeds_list_in_one_round_is_fetched_once(server):
    story = server.route("/news/2026/11/pier-reopens.html", page(1), headers=HTML)
    add_source(server.route("/a.xml", feed(story)), kind="feed")
    add_source(server.route("/b.xml", feed(story + "?utm_source=rss")), kind="feed")

    summary = poll_sources(due_only=False)

    paths = [r.path for r in server.requests if r.path.startswith("/news/")]
    assert len(paths) == 1
    assert summary.entries_seen == 2 and summary.articles_new == 1
    assert Article.objects.count() == 1 and Snapshot.objects.count() == 1


def test_the_password_of_a_source_is_kept_out_of_its_articles_addresses(server):
    # A feed behind HTTP authentication, added as http://user:password@host/feed.xml, whose
    # items link relative to it: each article's address is resolved against the feed's, and
    # was stored, shown and published with the password in it.
    server.route("/news/2026/11/pier-reopens.html", page(1), headers=HTML)
    url = server.url("/feed.xml").replace("://", "://desk:s3cret@", 1)
    server.route("/feed.xml", feed("/news/2026/11/pier-reopens.html"))
    add_source(url, kind="feed")

    poll_sources(due_only=False)

    # The page was asked for with the feed's credentials, and is stored without them.
    assert server.requests_for("/news/2026/11/pier-reopens.html")[0].headers["authorization"]
    article = Article.objects.get()
    assert article.url == server.url("/news/2026/11/pier-reopens.html")
    assert article.canonical_url == server.url("/news/2026/11/pier-reopens.html")
    assert "s3cret" not in Snapshot.objects.get().url


def test_an_items_xml_base_leads_to_its_page_and_an_internal_one_is_still_refused(server):
    # The item's xml:base was ignored: "pier.html" was fetched from the channel's site, a 404.
    story = server.route("/sub/pier.html", page(1), headers=HTML)
    server.route("/home/pier.html", b"", status=404)
    inside = server.url("/inside/", host="127.0.0.2")
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title>'
        f"<link>{server.url('/home/')}</link>"
        f'<item xml:base="{server.url("/sub/")}"><title>Pier</title><link>pier.html</link></item>'
        f'<item xml:base="{inside}"><title>In</title><link>secret.html</link></item>'
        "</channel></rss>"
    ).encode()
    add_source(server.route("/feed.xml", body), kind="feed")

    summary = poll_sources(due_only=False)

    assert list(Article.objects.values_list("url", flat=True)) == [story]
    assert not server.requests_for("/home/pier.html")
    (failed,) = summary.pages_failed
    assert failed["url"] == inside + "secret.html"
    assert "127.0.0.2" in failed["reason"]


def test_articles_that_name_their_section_as_canonical_address_are_each_stored(server):
    section = b'<head><link rel="canonical" href="/news/">'
    pages = [page(n).replace(b"<head>", section) for n in range(3)]
    urls = [server.route(f"/news/2026/11/s{n}.html", p, headers=HTML) for n, p in enumerate(pages)]
    add_source(server.route("/feed.xml", feed(*urls)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 3
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == urls
    assert not EntryAddress.objects.filter(reason="a copy of an article stored").exists()


def test_the_articles_of_a_listing_page_behind_a_password_are_fetched_with_it(server):
    # A listing page's links are made canonical before they are fetched, and the canonical
    # spelling, kept and shown, carries no password: the pages were asked for without it.
    server.route("/news/2026/11/pier-reopens.html", page(1), headers=HTML)
    listing = (
        b'<html><body><a href="/news/2026/11/pier-reopens.html">Pier reopens</a></body></html>'
    )
    server.route("/news/", listing, headers=HTML)
    add_source(server.url("/news/").replace("://", "://desk:s3cret@", 1), kind="page")

    poll_sources(due_only=False)

    assert server.requests_for("/news/2026/11/pier-reopens.html")[0].headers["authorization"]
    assert Article.objects.get().url == server.url("/news/2026/11/pier-reopens.html")


def test_a_listing_page_links_to_each_article_once_whatever_the_spelling(server):
    """A listing page links to a post with and without its trailing slash, to its comments
    feed, and to its reply-to-comment and AMP variants: each was taken for another article,
    and the post's page fetched again for each."""
    post = "/2026/11/04/pier-reopens-after-storm/"
    story = server.route(post, page(1), headers=HTML)
    server.route(post.rstrip("/"), page(1), headers=HTML)
    server.route(f"{post}feed/", feed(story), headers={"Content-Type": "application/rss+xml"})
    variants = [post, post.rstrip("/"), f"{post}feed/", f"{post}?replytocom=12", f"{post}?amp=1"]
    links = "".join(f'<a href="{v}">Pier reopens</a>' for v in variants)
    listing = f"<html><body><main>{links}</main></body></html>".encode()
    add_source(server.route("/news/", listing, headers=HTML), kind="page")

    summary = poll_sources(due_only=False)

    assert summary.entries_seen == 1 and summary.pages_failed == []
    assert list(Article.objects.values_list("url", flat=True)) == [story]
    assert [r.path for r in server.requests if r.path.startswith("/2026/")] == [post]
