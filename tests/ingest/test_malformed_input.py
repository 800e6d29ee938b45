"""Malformed pieces of a feed or a page fail that piece, in words; the round goes on.

Each of these used to end the whole polling round with a traceback, before the sources'
state was saved, so the next round failed the same way and the instance stopped ingesting:
a character reference to a lone surrogate (libxml2 keeps it as bytes that are not UTF-8),
and links whose host urllib cannot read ("http://[object Object]/", a broken template).
"""

from __future__ import annotations

import gzip

import pytest

from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.feeds import parse_feed
from clipdesk.sources.models import Source
from tests.ingest.test_poll_failures import feed, page

pytestmark = pytest.mark.django_db(transaction=True)

HTML = {"Content-Type": "text/html; charset=utf-8"}
BROKEN_HOST = "http://[object Object]/news/harbour-wall"


def healthy_source(server) -> str:
    """A second source, whose article must be stored whatever the first one holds."""
    good = server.route("/healthy/pier-9.html", page(9), headers=HTML)
    add_source(server.route("/healthy.xml", feed(good)), kind="feed")
    return good


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Quay</title>'
        f"{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize("reference", ["&#xD800;", "&#55296;", "&#xDFFF;", "&#x110000;"])
def test_a_reference_to_no_character_is_replaced_and_the_round_goes_on(server, reference):
    first = server.route("/pier-1.html", page(1), headers=HTML)
    body = rss(f"<item><title>Quay {reference} wall</title><link>{first}</link></item>")
    add_source(server.route("/quay.xml", body), kind="feed")
    good = healthy_source(server)

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.pages_failed == []
    assert set(Article.objects.values_list("url", flat=True)) == {first, good}
    assert Article.objects.get(url=first).extracted["feed"]["title"] == "Quay \ufffd wall"
    quay = Source.objects.get(url__endswith="/quay.xml")
    assert quay.problems == ["1 character reference(s) to no character were replaced"]


def test_a_link_with_an_unreadable_host_is_skipped_and_the_round_goes_on(server):
    first = server.route("/pier-1.html", page(1), headers=HTML)
    items = (
        f"<item><title>Wall</title><link>{BROKEN_HOST}</link></item>"
        f"<item><title>Pier</title><link>{first}</link></item>"
    )
    add_source(server.route("/quay.xml", rss(items)), kind="feed")
    good = healthy_source(server)

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.pages_failed == []
    assert set(Article.objects.values_list("url", flat=True)) == {first, good}
    assert Source.objects.get(url__endswith="/quay.xml").problems == [
        "1 entry without a usable link was skipped"
    ]


def test_a_listing_page_with_an_unreadable_link_gives_its_other_links(server):
    story = server.route("/news/2026/11/harbour-wall-repaired.html", page(1), headers=HTML)
    listing = (
        f'<html><body><main><a href="{BROKEN_HOST}/2026/11/broken-story">Broken</a>'
        f'<a href="{story}">Harbour wall repaired</a></main></body></html>'
    ).encode()
    add_source(server.route("/news/", listing, headers=HTML), kind="page")

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.pages_failed == []
    assert list(Article.objects.values_list("url", flat=True)) == [story]


def test_an_unreadable_canonical_address_is_ignored(server):
    odd = page(1).replace(
        b"</head>", f'<link rel="canonical" href="{BROKEN_HOST}"></head>'.encode()
    )
    first = server.route("/pier-1.html", odd, headers=HTML)
    after = server.route("/pier-2.html", page(2), headers=HTML)
    add_source(server.route("/quay.xml", feed(first, after)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.pages_failed == []
    assert Article.objects.get(url=first).canonical_url == first
    assert Article.objects.filter(url=after).exists()  # the page after it too


def test_json_nested_too_deep_to_read_fails_its_source_in_words(server):
    nested = b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    add_source(
        server.route("/deep.json", nested, headers={"Content-Type": "application/feed+json"}),
        kind="feed",
    )
    good = healthy_source(server)

    summary = poll_sources(due_only=False)

    assert [f["url"] for f in summary.failed] == [server.url("/deep.json")]
    assert summary.failed[0]["reason"] == "feeds: the body is JSON nested too deep to be a feed"
    assert list(Article.objects.values_list("url", flat=True)) == [good]
    deep = Source.objects.get(url__endswith="/deep.json")
    assert deep.error_count == 1 and deep.last_error == summary.failed[0]["reason"]


def sitemap_of(*locs: str, padding: int = 0) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}{' ' * padding}</urlset>"
    ).encode()


GZIP_FILE = {"Content-Type": "application/gzip"}  # a .gz file: no Content-Encoding


def test_a_gzipped_sitemap_over_the_fetch_cap_once_unpacked_fails_in_words(server, monkeypatch):
    # The fetcher caps what it inflates for a Content-Encoding; a sitemap.xml.gz is unpacked
    # after it, and was allowed 50 MiB whatever the cap.
    monkeypatch.setenv("CLIPDESK_FETCH_MAX_BYTES", "65536")
    story = server.route("/news/pier-1.html", page(1), headers=HTML)
    body = gzip.compress(sitemap_of(story, padding=100_000))
    add_source(server.route("/sitemap.xml.gz", body, headers=GZIP_FILE), kind="sitemap")
    good = healthy_source(server)

    summary = poll_sources(due_only=False)

    assert [f["reason"] for f in summary.failed] == [
        "feeds: unpacked, the gzip data is over 0.0625 MB (65536 bytes); refused"
    ]
    assert list(Article.objects.values_list("url", flat=True)) == [good]
    assert server.requests_for("/news/pier-1.html") == []


def test_a_gzipped_child_sitemap_over_the_fetch_cap_is_a_problem_of_its_index(server, monkeypatch):
    monkeypatch.setenv("CLIPDESK_FETCH_MAX_BYTES", "65536")
    small = server.route("/news/pier-1.html", page(1), headers=HTML)
    large = server.route("/news/pier-2.html", page(2), headers=HTML)
    children = [
        server.route("/small.xml.gz", gzip.compress(sitemap_of(small)), headers=GZIP_FILE),
        server.route(
            "/large.xml.gz",
            gzip.compress(sitemap_of(large, padding=100_000)),
            headers=GZIP_FILE,
        ),
    ]
    index = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    add_source(
        server.route(
            "/sitemap.xml",
            (
                '<?xml version="1.0"?>'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{index}</sitemapindex>"
            ).encode(),
            headers={"Content-Type": "application/xml"},
        ),
        kind="sitemap",
    )

    summary = poll_sources(due_only=False)

    assert list(Article.objects.values_list("url", flat=True)) == [small]
    (reported,) = summary.problems
    assert reported["problems"] == [
        f"child sitemap {children[1]}: feeds: unpacked, the gzip data is over 0.0625 MB "
        "(65536 bytes); refused"
    ]


def test_the_feed_reader_itself_replaces_references_to_no_character():
    parsed = parse_feed(
        rss("<item><title>A &#xD800; B</title><link>http://news.example/a</link></item>"),
        "http://news.example/feed.xml",
    )
    assert [e.title for e in parsed.entries] == ["A \ufffd B"]


def test_a_listing_page_without_article_links_says_so(server):
    listing = b'<html><body><main><a href="/b/p20.html">One</a><a href="/about">About</a></main>'
    add_source(server.route("/news/", listing + b"</body></html>", headers=HTML), kind="page")

    summary = poll_sources(due_only=False)

    assert summary.failed == [] and summary.entries_seen == 0
    (problem,) = Source.objects.get().problems
    assert problem.startswith("no link on the page reads like an article's")


def test_a_feed_that_cannot_be_read_stays_failed_when_it_answers_304(server):
    # Its validators used to be kept: the next round's 304 then marked it as fine.
    url = server.conditional("/cut.xml", b'<?xml version="1.0"?><rss><chan', etag='"v1"')
    add_source(url, kind="feed")

    first = poll_sources(due_only=False)
    second = poll_sources(due_only=False)

    assert [f["url"] for f in first.failed] == [url] == [f["url"] for f in second.failed]
    source = Source.objects.get(url=url)
    assert source.error_count == 2 and source.last_error and source.etag == ""


def test_what_was_wrong_with_a_feed_read_all_the_same_is_in_the_polls_summary(server):
    article = server.route("/pier-1.html", page(1), headers=HTML)
    body = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY quay "Quay">]>'
        f'<rss version="2.0"><channel><title>&quay;</title><item><title>Pier</title>'
        f"<link>{article}</link></item></channel></rss>"
    ).encode()
    url = server.route("/entities.xml", body)
    add_source(url, kind="feed")
    healthy_source(server)

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 2
    assert summary.as_dict()["problems"] == [
        {
            "source": Source.objects.get(url=url).pk,
            "url": url,
            "problems": [
                "the feed defines its own XML entities; they were ignored for safety",
                "undefined entities were removed: &quay;",
            ],
        }
    ]


SITEMAP = (
    b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    b"<url><loc>https://harbour.example/news/quay-wall-reopens</loc></url></urlset>"
)


@pytest.mark.parametrize(
    ("path", "body", "content_type", "says"),
    [
        ("/feed/", rss("<item><title>Quay</title></item>"), "application/rss+xml", "an RSS feed"),
        (  # served as a web page, with a link in an item's description
            "/news.rss",
            rss(
                "<item><title>Quay</title><link>https://harbour.example/news/quay-wall</link>"
                "<description><![CDATA[<a href='/news/harbour-master-resigns'>Also</a>]]>"
                "</description></item>"
            ),
            "text/html",
            "an RSS feed",
        ),
        ("/sitemap.xml", SITEMAP, "application/xml", "a sitemap"),
        (
            "/sitemap.txt",
            b"https://harbour.example/news/quay-wall-reopens\n",
            "text/plain",
            "a sitemap",
        ),
    ],
)
def test_a_feed_or_sitemap_added_as_a_page_fails_saying_what_it_is(
    server, path, body, content_type, says
):
    # Added with --kind page, a feed was read for links as if it were HTML, and every poll
    # said only that no link on the page read like an article's.
    url = server.route(path, body, headers={"Content-Type": content_type})
    add_source(url, kind="page")

    summary = poll_sources(due_only=False)

    (failed,) = summary.failed
    kind = "sitemap" if "sitemap" in says else "feed"
    assert failed["reason"] == (
        f"feeds: this address is {says}, not a page that links to articles; set the "
        f"source's kind to {kind} (it was added as a page) to read it"
    )
    source = Source.objects.get()
    assert source.last_error == failed["reason"] and source.error_count == 1
