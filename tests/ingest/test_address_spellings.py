"""A page listed under another spelling of its address is the page already stored.

A site that writes a visitor's session into its links (`;jsessionid=`, `?PHPSESSID=`, a
forum's `?s=` token, ASP.NET's cookieless `/(S(...))/` segment) lists its pages under new
addresses every round, and a site that links to `/news/pier/` on one page and `/news/pier`
on another (or in its feed) lists each page twice: each spelling was fetched again, every
round, and kept as a copy of the article.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from clipdesk.articles.models import Article, EntryAddress, Snapshot
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from tests.ingest.test_poll_failures import feed, page
from tests.sources.conftest import Reply, SeenRequest

pytestmark = pytest.mark.django_db(transaction=True)

HTML = {"Content-Type": "text/html; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml"}
PIER = "/news/2026/11/pier-reopens.html"


def article_requests(server) -> list[str]:
    skipped = ("/feed.xml", "/news/", "/robots.txt")
    return [r.path for r in server.requests if r.path not in skipped]


def test_links_that_differ_by_their_session_alone_are_fetched_and_stored_once(server):
    sessions = iter(["0a1b2c3d4e5f60718293a4b5c6d7e8f9", "f9e8d7c6b5a4938271605f4e3d2c1b0a"])

    def by_query(request: SeenRequest) -> Reply:
        # The query says which article (`id`, `p`); the session in it changes nothing.
        query = parse_qs(urlsplit(request.path).query)
        return Reply(200, page(int((query.get("id") or query["p"])[0])), HTML)

    def session_feed(_request: SeenRequest) -> Reply:
        token = next(sessions)
        pier = server.route(f"{PIER};jsessionid={token.upper()}.node1", page(1), headers=HTML)
        return Reply(
            200,
            feed(
                pier,
                server.url(f"/story.php?id=7&amp;PHPSESSID={token}"),
                server.url(f"/story.php?PHPSESSID={token}&amp;id=8"),
                server.url(f"/forum/read.php?s={token}&amp;p=42"),
            ),
            RSS,
        )

    server.handle("/story.php", by_query)
    server.handle("/forum/read.php", by_query)
    add_source(server.handle("/feed.xml", session_feed), kind="feed")

    first = poll_sources(due_only=False)
    fetched_first = len(article_requests(server))
    second = poll_sources(due_only=False)

    assert first.articles_new == 4 and fetched_first == 4
    # The second round read the feed (new sessions in every link) and fetched no page.
    assert len(server.requests_for("/feed.xml")) == 2
    assert second.entries_seen == 4 and second.articles_new == 0
    assert len(article_requests(server)) == 4
    assert Snapshot.objects.count() == 4 and not EntryAddress.objects.exists()
    # Stored without the sessions, and told apart by what selects the article.
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == [
        server.url("/forum/read.php?p=42"),
        server.url(PIER),
        server.url("/story.php?id=7"),
        server.url("/story.php?id=8"),
    ]


def test_links_under_a_new_cookieless_session_segment_are_fetched_and_stored_once(server):
    # ASP.NET without cookies writes the session as a path segment, a new one every round.
    sessions = iter(["lit3py55t21z5v55vlm25s55", "qd1mbx45cnrgkd55ybkqaj45"])
    planet = "/wiki/Mercury_(planet)"  # parentheses that name the page
    server.route(planet, page(9), headers=HTML)

    def by_id(request: SeenRequest) -> Reply:
        return Reply(200, page(int(parse_qs(urlsplit(request.path).query)["id"][0])), HTML)

    def session_feed(_request: SeenRequest) -> Reply:
        token = next(sessions)
        plain, with_flag = f"/(S({token}))/news/item.aspx", f"/(X(1)S({token}))/news/item.aspx"
        server.handle(plain, by_id)
        server.handle(with_flag, by_id)
        links = [f"{plain}?id=4", f"{with_flag}?id=5", planet]
        return Reply(200, feed(*(server.url(link) for link in links)), RSS)

    add_source(server.handle("/feed.xml", session_feed), kind="feed")

    first = poll_sources(due_only=False)
    fetched_first = len(article_requests(server))
    second = poll_sources(due_only=False)

    assert first.articles_new == 3 and fetched_first == 3
    assert second.entries_seen == 3 and second.articles_new == 0
    assert len(server.requests_for("/feed.xml")) == 2 and len(article_requests(server)) == 3
    assert Snapshot.objects.count() == 3 and not EntryAddress.objects.exists()
    assert sorted(Article.objects.values_list("canonical_url", flat=True)) == [
        server.url("/news/item.aspx?id=4"),
        server.url("/news/item.aspx?id=5"),
        server.url("/wiki/Mercury_%28planet%29"),
    ]


def test_a_listing_page_that_drops_an_articles_final_slash_is_not_read_again(server):
    post = "/2026/11/04/pier-reopens-after-storm/"
    server.route(post, page(1), headers=HTML)
    server.route(post.rstrip("/"), page(1), headers=HTML)
    listing = '<html><body><main><a href="{}">Pier reopens</a></main></body></html>'
    server.route("/news/", listing.format(post).encode(), headers=HTML)
    add_source(server.url("/news/"), kind="page")

    poll_sources(due_only=False)
    server.route("/news/", listing.format(post.rstrip("/")).encode(), headers=HTML)
    second = poll_sources(due_only=False)

    assert second.entries_seen == 1 and second.articles_new == 0
    assert [r.path for r in server.requests if r.path.startswith("/2026/")] == [post]
    assert list(Article.objects.values_list("url", flat=True)) == [server.url(post)]
    assert not EntryAddress.objects.exists()


def test_a_feed_and_a_listing_page_that_spell_a_link_with_and_without_its_slash(server):
    # In one round, and again in the next.
    post = "/2026/11/04/pier-reopens-after-storm"
    server.route(post, page(1), headers=HTML)
    server.route(f"{post}/", page(1), headers=HTML)
    listing = f'<html><body><main><a href="{post}/">Pier reopens</a></main></body></html>'
    add_source(server.route("/news/", listing.encode(), headers=HTML), kind="page")
    add_source(server.route("/feed.xml", feed(server.url(post)), headers=RSS), kind="feed")

    first = poll_sources(due_only=False)
    second = poll_sources(due_only=False)

    assert first.articles_new == 1 and second.articles_new == 0
    assert len([r for r in server.requests if r.path.startswith("/2026/")]) == 1
    assert Article.objects.count() == 1 and Snapshot.objects.count() == 1
    assert not EntryAddress.objects.exists()
