"""A round takes a sitemap's newest entries, wherever the site lists them.

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
