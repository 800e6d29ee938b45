"""Discovery: feed links a page advertises, and article links on a listing page."""

from __future__ import annotations

from pathlib import Path

import pytest

from clipdesk.sources.discovery import (
    find_article_links,
    find_feed_links,
    is_comments_feed,
    is_listing_or_service_page,
    is_listing_sitemap,
    looks_like_article,
)

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


def test_feed_links_in_page_order_resolved_against_base_href_and_deduplicated():
    html = (PAGES / "feed_links.html").read_bytes()
    assert find_feed_links(html, "https://tidewatch.example/blog/index.html") == [
        "https://tidewatch.example/blog/feed.rss",
        "https://tidewatch.example/blog/atom.xml",
        "https://tidewatch.example/feed.json",  # rel and type are matched case-insensitively
    ]


def test_feed_links_ignore_stylesheets_translations_anchors_and_script_urls():
    html = (PAGES / "feed_links.html").read_text()  # str input works as well as bytes
    found = find_feed_links(html, "https://tidewatch.example/blog/")
    assert not any(u.endswith(("style.css", "/de/", "/print/", "feed.xml")) for u in found)
    assert not any(u.startswith("javascript:") for u in found)


def test_feed_links_on_a_page_without_any():
    assert (
        find_feed_links(b"<html><head><title>x</title></head></html>", "https://a.example/") == []
    )
    assert find_feed_links(b"", "https://a.example/") == []


def test_article_links_from_a_listing_page():
    html = (PAGES / "listing.html").read_bytes()
    assert find_article_links(html, "https://breakwater-times.example/") == [
        "https://breakwater-times.example/2024/01/16/harbour-dredging-starts/",
        "https://breakwater-times.example/news/gulls-and-chips-a-seafront-feud",
        "https://breakwater-times.example/local/lifeboat-crew-saves-kayaker-123456.html",
        "https://breakwater-times.example/articles/987654/sea-wall",
    ]


def test_article_links_skip_navigation_footer_other_sites_and_service_pages():
    found = find_article_links(
        (PAGES / "listing.html").read_bytes(), "https://breakwater-times.example/"
    )
    text = " ".join(found)
    for unwanted in ("/tag/", "/author/", "/category/", "/page/", "/search", "/about-us/",
                     ".jpg", "other-paper.example", "year-in-review", "/weather", "#"):  # fmt: skip
        assert unwanted not in text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/2024/05/12/council-votes/", True),
        ("https://a.example/2024/05/12/", False),  # a day's archive
        ("https://a.example/2024/05/", False),
        ("https://a.example/news/council-votes-on-the-barrier", True),
        ("https://a.example/politik/artikel-2024-05-12.html", True),
        ("https://a.example/story/123456789", True),  # a long id beside a word
        ("https://a.example/123456789", False),  # an id alone says nothing
        ("https://a.example/tag/council-votes-on-the-barrier/", False),
        ("https://a.example/author/mara-quillfeather-jones/", False),
        ("https://a.example/contact", False),
        ("https://a.example/", False),
        ("https://a.example/files/annual-report-for-2023.pdf", False),
        ("ftp://a.example/news/council-votes-on-the-barrier", False),
    ],
)
def test_looks_like_article(url, expected):
    assert looks_like_article(url) is expected


def test_links_no_row_could_keep_are_not_followed_or_taken_for_feeds():
    base = "https://harbour-gazette.example/news/"
    long = "/news/2024/03/" + "a" * 2000
    page = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed&#x1;.xml">'
        '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>'
        f'<a href="{long}">long</a><a href="/news/2024/03/ferry&#x7;-timetable">bell</a>'
        '<a href="/news/2024/03/ferry-timetable-winter">ferry</a></body></html>'
    )
    assert find_feed_links(page, base) == ["https://harbour-gazette.example/feed.xml"]
    assert find_article_links(page, base) == [
        "https://harbour-gazette.example/news/2024/03/ferry-timetable-winter"
    ]


@pytest.mark.parametrize(
    ("url", "listing"),
    [
        ("https://pier.example/", True),
        ("https://pier.example/about", True),
        ("https://pier.example/fr/a-propos/", True),
        ("https://pier.example/en/contact-us.html", True),
        ("https://pier.example/tag/harbour/", True),
        ("https://pier.example/news/page/2", True),
        ("https://pier.example/tags", True),
        ("https://pier.example/report.pdf", True),
        ("https://pier.example/?p=4021", False),  # WordPress's plain article address
        ("https://pier.example/news/40213", False),
        ("https://pier.example/about-the-harbour-strike", False),
        ("https://pier.example/2026/11/harbour-strike-ends/", False),
    ],
)
def test_a_sitemaps_lists_and_service_pages(url, listing):
    assert is_listing_or_service_page(url) is listing


@pytest.mark.parametrize(
    ("url", "listing"),
    [
        ("https://pier.example/post-sitemap.xml", False),
        ("https://pier.example/wp-sitemap-posts-post-1.xml", False),
        ("https://pier.example/sitemaps/2026-11.xml", False),
        ("https://pier.example/page-sitemap.xml", True),
        ("https://pier.example/category-sitemap.xml", True),
        ("https://pier.example/post_tag-sitemap.xml", True),
        ("https://pier.example/author-sitemap.xml", True),
        ("https://pier.example/wp-sitemap-posts-page-1.xml", True),
        ("https://pier.example/wp-sitemap-taxonomies-category-1.xml", True),
        ("https://pier.example/wp-sitemap-users-1.xml", True),
    ],
)
def test_child_sitemaps_of_lists_and_static_pages(url, listing):
    assert is_listing_sitemap(url) is listing


def test_article_links_with_and_without_www_or_a_trailing_slash_are_one_article():
    page = (
        '<a href="https://www.harbour.example/2024/05/01/pier-reopens-after-storm/">a</a>'
        '<a href="https://harbour.example/2024/05/01/pier-reopens-after-storm">b</a>'
        '<a href="/2024/05/01/pier-reopens-after-storm/feed/">comments</a>'
        '<a href="/2024/05/01/pier-reopens-after-storm/?replytocom=3#respond">reply</a>'
        '<a href="/2024/05/01/pier-reopens-after-storm/?amp">amp</a>'
    )
    assert find_article_links(page, "https://harbour.example/news/") == [
        "https://www.harbour.example/2024/05/01/pier-reopens-after-storm/"
    ]


@pytest.mark.parametrize(
    ("url", "title", "comments"),
    [
        ("https://a.example/comments/feed/", "", True),
        ("https://a.example/?feed=comments-rss2", "", True),
        ("https://a.blogspot.com/feeds/comments/default", "", True),
        ("https://a.blogspot.com/feeds/8807/comments/default", "", True),
        ("https://a.example/2024/05/quay/feed/", "Gazette » Quay Reopens Comments Feed", True),
        ("https://a.example/x.xml", "Gazette » Kommentar-Feed", True),
        ("https://a.example/feed/", "Gazette » Feed", False),
        ("https://a.example/comment/feed/", "The Gazette - Comment", False),  # opinion section
        ("https://a.blogspot.com/feeds/posts/default", "Blog - Atom", False),
    ],
)
def test_comments_feeds_are_told_by_path_query_or_title(url, title, comments):
    assert is_comments_feed(url, title) is comments
