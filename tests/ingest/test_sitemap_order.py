"""A round takes the newest entries of a sitemap, or of a feed longer than a round takes,
wherever the site lists them.

Sitemaps are not ordered newest first as feeds are: sites add to their end, and WordPress
numbers its sitemaps from the oldest posts on, without dates. A round takes a bounded number
of entries (and of an index's child sitemaps); taken in document order, those were the oldest
pages, stored long ago, and new pages were never seen.
"""

from __future__ import annotations

import pytest

from clipdesk import ingest
from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from tests.ingest.test_poll_failures import page

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}


def urlset(*items: tuple[str, str | None]) -> bytes:
    urls = "".join(
        f"<url><loc>{loc}</loc>{f'<lastmod>{day}</lastmod>' if day else ''}</url>"
        for loc, day in items
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()


def stored_pages() -> set[str]:
    return {url.rsplit("/", 1)[1] for url in Article.objects.values_list("url", flat=True)}


@pytest.mark.django_db(transaction=True)
def test_a_round_takes_the_newest_dated_entries_of_a_sitemap_listed_oldest_first(
    server, monkeypatch
):
    monkeypatch.setattr(ingest, "MAX_ENTRIES_PER_SOURCE", 3)
    items = []
    for n in range(1, 7):  # p1 on the 1st of January … p6 on the 6th, in that order
        items.append((server.route(f"/p{n}.html", page(n), headers=HTML), f"2026-01-0{n}"))
    add_source(server.route("/sitemap.xml", urlset(*items), headers=XML), kind="sitemap")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 3
    assert stored_pages() == {"p4.html", "p5.html", "p6.html"}


@pytest.mark.django_db(transaction=True)
def test_an_index_of_undated_numbered_sitemaps_is_read_from_its_last(server, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_ENTRIES_PER_SOURCE", 3)
    monkeypatch.setattr(ingest, "MAX_CHILD_SITEMAPS", 2)
    children = []
    for number in (1, 2, 3):  # as WordPress numbers them: posts-1 holds the oldest
        pages = [(number - 1) * 2 + 1, (number - 1) * 2 + 2]
        items = [(server.route(f"/p{n}.html", page(n), headers=HTML), None) for n in pages]
        children.append(server.route(f"/posts-{number}.xml", urlset(*items), headers=XML))
    index = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
    body = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{index}</sitemapindex>"
    ).encode()
    add_source(server.route("/sitemap.xml", body, headers=XML), kind="sitemap")

    poll_sources(due_only=False)

    assert stored_pages() == {"p6.html", "p5.html", "p4.html"}
    assert server.requests_for("/posts-1.xml") == []  # the oldest sitemap is not asked for


def rss(*items: tuple[str, str | None]) -> bytes:
    entries = "".join(
        f"<item><title>Item {n}</title><link>{link}</link>"
        f"{f'<pubDate>{day}</pubDate>' if day else ''}</item>"
        for n, (link, day) in enumerate(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title>'
        f"<link>http://example.org/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_a_feed_longer_than_a_round_listed_oldest_first_gives_its_newest_items(server, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_ENTRIES_PER_SOURCE", 3)
    items = [
        (server.route(f"/p{n}.html", page(n), headers=HTML), f"Tue, 0{n} Jan 2026 08:00:00 GMT")
        for n in range(1, 7)  # oldest first, as some archive feeds list them
    ]
    add_source(server.route("/feed.xml", rss(*items), headers=XML), kind="feed")

    poll_sources(due_only=False)

    assert stored_pages() == {"p4.html", "p5.html", "p6.html"}


@pytest.mark.django_db(transaction=True)
def test_a_feed_a_round_can_take_whole_keeps_its_order(server, monkeypatch):
    """Within a round, entries are stored in the feed's order (the first copy of a story
    wins), so a feed that fits is taken as listed; undated items of a long feed too."""
    monkeypatch.setattr(ingest, "MAX_ENTRIES_PER_SOURCE", 3)
    undated = [(server.route(f"/u{n}.html", page(n), headers=HTML), None) for n in range(1, 5)]
    add_source(server.route("/undated.xml", rss(*undated), headers=XML), kind="feed")

    poll_sources(due_only=False)

    assert stored_pages() == {"u1.html", "u2.html", "u3.html"}
    entries = [ingest.ParsedEntry(url=f"http://x/{n}") for n in range(3)]
    assert ingest.feed_entries_to_take(entries) == entries


def sitemap_index(*children: str) -> bytes:
    listed = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{listed}</sitemapindex>"
    ).encode()


@pytest.mark.django_db(transaction=True)
def test_an_index_that_lists_indexes_is_followed_to_their_sitemaps(server):
    months = []
    for month in (10, 11):
        story = server.route(f"/news/2026/{month}/story.html", page(month), headers=HTML)
        months.append(
            server.route(f"/sitemaps/2026-{month}.xml", urlset((story, None)), headers=XML)
        )
    year = server.route("/sitemaps/2026.xml", sitemap_index(*months), headers=XML)
    top = server.route("/sitemap.xml", b"", headers=XML)  # filled below: it lists itself too
    server.route("/sitemap.xml", sitemap_index(year, top), headers=XML)
    add_source(top, kind="sitemap")

    summary = poll_sources(due_only=False)

    assert summary.pages_failed == [] and summary.failed == []
    assert stored_pages() == {"story.html"} and Article.objects.count() == 2
    assert len(server.requests_for("/sitemap.xml")) == 1  # not asked for again as its child


@pytest.mark.django_db(transaction=True)
def test_a_sitemaps_front_page_is_not_taken_for_an_article(server):
    front = server.route("/", page(1), headers=HTML)
    story = server.route("/news/2026/11/pier.html", page(2), headers=HTML)
    sitemap = urlset((front, "2026-11-20"), (story, "2026-11-19"))
    add_source(server.route("/sitemap.xml", sitemap, headers=XML), kind="sitemap")

    poll_sources(due_only=False)

    assert list(Article.objects.values_list("url", flat=True)) == [story]
    assert server.requests_for("/") == []


@pytest.mark.django_db(transaction=True)
def test_a_sitemaps_lists_and_service_pages_are_not_taken_for_articles(server):
    pages = [
        server.route(path, page(n), headers=HTML)
        for n, path in enumerate(
            ["/about", "/en/contact-us.html", "/tag/harbour/", "/author/ines-varga/", "/news/40213"]
        )
    ]
    sitemap = urlset(*[(url, "2026-11-20") for url in pages])
    add_source(server.route("/sitemap.xml", sitemap, headers=XML), kind="sitemap")

    poll_sources(due_only=False)

    assert stored_pages() == {"40213"}
    assert all(server.requests_for(path) == [] for path in ("/about", "/tag/harbour/"))


@pytest.mark.django_db(transaction=True)
def test_a_wordpress_index_is_read_for_its_posts_not_its_tags_authors_or_pages(server):
    post = server.route("/2026/11/harbour-strike-ends/", page(1), headers=HTML)
    donate = server.route("/support-the-harbour-fund/", page(2), headers=HTML)
    tag = server.route("/harbour-archive-2026/", page(3), headers=HTML)  # a tag page, by its map
    children = [
        server.route("/post-sitemap.xml", urlset((post, "2026-11-20")), headers=XML),
        server.route("/page-sitemap.xml", urlset((donate, "2026-11-21")), headers=XML),
        server.route("/post_tag-sitemap.xml", urlset((tag, "2026-11-21")), headers=XML),
    ]
    add_source(server.route("/sitemap_index.xml", sitemap_index(*children), headers=XML))

    poll_sources(due_only=False)

    assert stored_pages() == {""} and Article.objects.get().url == post
    assert server.requests_for("/page-sitemap.xml") == []
    assert server.requests_for("/post_tag-sitemap.xml") == []


@pytest.mark.django_db(transaction=True)
def test_an_index_of_page_sitemaps_alone_is_still_read(server):
    story = server.route("/stories/harbour-strike-ends", page(1), headers=HTML)
    child = server.route("/sitemap-pages-1.xml", urlset((story, "2026-11-20")), headers=XML)
    add_source(server.route("/sitemap.xml", sitemap_index(child), headers=XML))

    poll_sources(due_only=False)

    assert stored_pages() == {"harbour-strike-ends"}
