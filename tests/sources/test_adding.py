"""Adding a source by hand: the address as pasted is taken, and found again however written."""

from __future__ import annotations

import datetime

import pytest

from clipdesk.sources.actions import SourceError, add_source
from clipdesk.sources.models import Source

pytestmark = pytest.mark.django_db


def test_an_address_in_capitals_with_spaces_around_is_taken_in_its_plain_form():
    added = add_source("  HTTPS://Harbour.Example/News/Feed.xml?Lang=EN \n", kind="feed")
    assert added.created
    assert added.source.url == "https://harbour.example/News/Feed.xml?Lang=EN"

    again = add_source("https://HARBOUR.example/News/Feed.xml?Lang=EN", kind="feed")
    assert not again.created and again.source.pk == added.source.pk
    assert Source.objects.count() == 1


def test_a_password_in_the_address_keeps_its_case():
    added = add_source("Http://Reader:PassWord@harbour.example/feed", kind="feed")
    assert added.source.url == "http://Reader:PassWord@harbour.example/feed"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://exa mple.org/feed", "no usable host"),
        ("http://example.org:99999/feed", "no such port"),
        ("http://example.org:abc/feed", "not a URL"),
    ],
)
def test_an_address_the_poll_would_refuse_is_refused_when_added(url, says):
    with pytest.raises(SourceError, match=says):
        add_source(url, kind="feed")
    assert not Source.objects.exists()


def test_a_fragment_or_an_empty_query_makes_no_second_source():
    first = add_source("https://harbour.example/rss.xml", kind="feed")
    for same in ("https://harbour.example/rss.xml#latest", "https://harbour.example/rss.xml?"):
        again = add_source(same, kind="feed")
        assert not again.created and again.source.pk == first.source.pk


def test_campaign_parameters_are_left_out_of_a_sources_address_and_others_kept():
    """A feed's address pasted from a newsletter carries the newsletter's campaign: it made a
    second source of the same feed, and every poll reported the campaign to the site."""
    first = add_source("https://harbour.example/rss.xml?topic=port", kind="feed")
    again = add_source(
        "https://harbour.example/rss.xml?utm_source=letter&topic=port&fbclid=Xy1&UTM_Medium=e",
        kind="feed",
    )
    assert not again.created and again.source.pk == first.source.pk
    kept = add_source("https://harbour.example/search.rss?keyword=ferry&ref=x", kind="feed")
    assert kept.source.url == "https://harbour.example/search.rss?keyword=ferry&ref=x"
    alone = add_source("https://harbour.example/all.xml?utm_campaign=spring", kind="feed")
    assert alone.source.url == "https://harbour.example/all.xml"


@pytest.mark.parametrize(
    ("first", "same"),
    [
        ("https://harbour.example/", "https://harbour.example"),
        ("https://harbour.example/news/feed.xml", "https://harbour.example/news/./feed.xml"),
        ("https://harbour.example/news/feed.xml", "https://harbour.example/old/../news/feed.xml"),
        ("https://harbour.example/news/", "https://harbour.example/news/feed/.."),
        ("https://harbour.example//feeds/rss.xml", "https://harbour.example//feeds/./rss.xml"),
        ("https://harbour.example/", "https://harbour.example/../.."),
    ],
)
def test_an_address_written_with_no_path_or_dot_segments_makes_no_second_source(first, same):
    added = add_source(same, kind="page")
    assert added.source.url == first
    again = add_source(first, kind="page")
    assert not again.created and again.source.pk == added.source.pk


HARBOUR_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
    b"<item><title>Quay</title><link>https://harbour.example/quay</link></item>"
    b"</channel></rss>"
)


def page_naming(*feeds: str) -> bytes:
    """A homepage whose head names these feeds, in this order."""
    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="{f}">' for f in feeds)
    return f"<html><head>{links}</head><body><p>Harbour news</p></body></html>".encode()


def test_a_dead_feed_named_first_on_a_page_gives_way_to_the_next(server):
    feed = server.route("/feed.xml", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    gone = server.route("/comments/feed.xml", b"gone", status=404)
    home = server.route("/", page_naming(gone, feed), headers={"Content-Type": "text/html"})

    added = add_source(home)

    assert added.source.url == feed and added.source.kind == Source.Kind.FEED
    assert added.note == f"found the feed {feed} on the page"


def test_a_page_whose_feeds_are_all_dead_is_followed_as_a_listing(server):
    gone = server.route("/feed.xml", b"gone", status=404)
    home = server.route(
        "/",
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{gone}">'
        "</head><body><p>Harbour news</p></body></html>".encode(),
        headers={"Content-Type": "text/html"},
    )

    added = add_source(home)

    assert added.source.kind == Source.Kind.PAGE and added.source.url == home
    assert "could not be read" in added.note and "404" in added.note


def test_a_site_whose_robots_txt_keeps_this_reader_out_is_not_read_by_adding_it(server):
    server.route("/robots.txt", b"User-agent: *\nDisallow: /news/\n")
    home = server.route("/news/", b"<html><body><p>Harbour news</p></body></html>")

    with pytest.raises(SourceError, match=r"disallowed by the site's robots\.txt"):
        add_source(home)

    assert not Source.objects.exists()
    assert [r.path for r in server.requests] == ["/robots.txt"]


def test_a_feed_the_site_keeps_this_reader_from_is_not_taken(server):
    server.route("/robots.txt", b"User-agent: *\nDisallow: /private/\n")
    kept_out = server.url("/private/feed.xml")
    feed = server.route("/feed.xml", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    home = server.route("/", page_naming(kept_out, feed), headers={"Content-Type": "text/html"})

    added = add_source(home)

    assert added.source.url == feed
    assert "/private/feed.xml" not in [r.path for r in server.requests]


def test_the_source_list_names_each_source_and_says_what_was_wrong():
    from io import StringIO

    from django.core.management import call_command

    read = datetime.datetime(2026, 11, 20, 8, 5, tzinfo=datetime.UTC)
    due = datetime.datetime(2026, 11, 20, 8, 35, tzinfo=datetime.UTC)
    polled = {"last_checked_at": read, "last_success_at": read, "next_check_at": due}
    Source.objects.create(url="https://harbour.example/feed.xml", name="Harbour Gazette", **polled)
    Source.objects.create(
        url="https://copper.example/rss",
        problems=["not well-formed XML at line 6 (parsed as far as possible)"],
        **polled,
    )
    Source.objects.create(url="https://slate.example/feed", next_check_at=due)
    out = StringIO()
    call_command("source", "list", stdout=out)
    first, second, third = out.getvalue().splitlines()
    assert first.endswith(
        "Harbour Gazette  https://harbour.example/feed.xml  [ok]  "
        "last read 2026-11-20 08:05 UTC, next check 2026-11-20 08:35 UTC"
    )
    assert second.endswith(
        "[read, with 1 problem(s): not well-formed XML at line 6 (parsed as far as possible)]"
        "  last read 2026-11-20 08:05 UTC, next check 2026-11-20 08:35 UTC"
    )
    # Never read: not "ok", which told the editor nothing.
    assert third.endswith(
        "https://slate.example/feed  [not polled yet]  next check 2026-11-20 08:35 UTC"
    )


def test_an_empty_source_list_says_how_to_add_one():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("source", "list", stdout=out)
    assert out.getvalue().strip() == "No sources yet: add one with `clipdesk source add URL`."


def test_adding_a_source_again_under_another_name_says_the_name_is_unchanged(server):
    feed = server.route("/feed.xml", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    from io import StringIO

    from django.core.management import call_command

    call_command("source", "add", feed, "--name", "Harbour Gazette", stdout=StringIO())
    out = StringIO()
    call_command("source", "add", feed, "--name", "Quay Daily", stdout=out)
    assert "its name is unchanged (`source set" in out.getvalue()
    assert Source.objects.get().name == "Harbour Gazette"


def test_a_homepage_without_a_feed_gives_the_sitemap_it_names_and_its_site_name(server):
    sitemap = server.route(
        "/news-sitemap.xml",
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://riverain.example/a/quay</loc><lastmod>2025-03-04</lastmod></url>"
        b"</urlset>",
        headers={"Content-Type": "application/xml"},
    )
    home = server.route(
        "/",
        f'<html><head><title>Home</title><meta property="og:site_name" content="Riverain '
        f'Dispatch"><link rel="sitemap" href="{sitemap}"></head><body><p>News</p></body>'
        "</html>".encode(),
        headers={"Content-Type": "text/html"},
    )

    added = add_source(home)

    assert (added.source.url, added.source.kind) == (sitemap, Source.Kind.SITEMAP)
    assert added.source.name == "Riverain Dispatch"
    assert added.note == f"found the sitemap {sitemap} on the page"


def test_a_listing_page_is_named_as_the_page_names_its_site_unless_named(server):
    home = server.route(
        "/", b"<html><head><title>Valley  Ledger</title></head><body><p>News</p></body></html>"
    )
    assert add_source(home).source.name == "Valley Ledger"
    other = server.route("/other/", b"<html><head><title>Other</title></head></html>")
    assert add_source(other, name="Our name").source.name == "Our name"


def test_a_text_sitemap_is_added_as_a_sitemap(server):
    story = server.url("/news/quay-reopens")
    listed = server.route(
        "/sitemap.txt", f"{story}\n".encode(), headers={"Content-Type": "text/plain"}
    )

    added = add_source(listed)

    assert (added.source.kind, added.note) == ("sitemap", "found a sitemap")


WORDPRESS_HOME = """<html><head><title>Harbour Gazette</title>
<link rel="alternate" type="application/rss+xml" title="Harbour Gazette &raquo; Comments Feed"
 href="{comments}">
<link rel="alternate" type="application/rss+xml" title="Harbour Gazette &raquo; Feed"
 href="{feed}">
</head><body><p>Harbour news</p></body></html>"""


@pytest.mark.parametrize(
    ("comments_path", "title"),
    [
        ("/comments/feed/", "Harbour Gazette &raquo; Comments Feed"),  # WordPress
        ("/?feed=comments-rss2", "Harbour Gazette &raquo; Comments Feed"),  # plain permalinks
        ("/feeds/comments/default", "Harbour Gazette - Comments"),  # Blogger
        ("/extra.xml", "Harbour Gazette &raquo; Flux des commentaires"),  # named by title only
    ],
)
def test_a_comments_feed_named_before_the_sites_feed_is_passed_over(server, comments_path, title):
    feed = server.route("/feed/", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    comments = server.route(
        comments_path, HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"}
    )
    page = WORDPRESS_HOME.format(comments=comments, feed=feed).replace(
        "Harbour Gazette &raquo; Comments Feed", title
    )
    home = server.route("/", page.encode(), headers={"Content-Type": "text/html"})

    added = add_source(home)

    assert (added.source.url, added.source.kind) == (feed, Source.Kind.FEED)
    assert comments_path not in [r.path for r in server.requests]


def test_a_page_naming_only_a_comments_feed_gives_that_feed(server):
    comments = server.route(
        "/comments/feed/", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"}
    )
    home = server.route("/", page_naming(comments), headers={"Content-Type": "text/html"})

    assert add_source(home).source.url == comments


def test_a_page_naming_its_feed_as_rss_and_as_atom_gives_one_source_the_first_named(server):
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour</title>'
        b'<entry><title>Quay</title><link href="https://harbour.example/quay"/>'
        b"<id>quay</id></entry></feed>"
    )
    rss = server.route("/feed/", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    server.route("/feed/atom/", atom, headers={"Content-Type": "application/atom+xml"})
    home = server.route(
        "/",
        f'<html><head><link rel="alternate" type="application/rss+xml" href="{rss}">'
        f'<link rel="alternate" type="application/atom+xml" href="{rss}atom/">'
        "</head><body></body></html>".encode(),
        headers={"Content-Type": "text/html"},
    )

    added = add_source(home)

    assert added.source.url == rss and Source.objects.count() == 1
    assert "/feed/atom/" not in [r.path for r in server.requests]


def sitemap_of(*urls: str, news: bool = False) -> bytes:
    """A sitemap listing these addresses; `news`: a Google News sitemap."""
    namespace = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    extra = (
        "<news:news><news:publication><news:name>Harbour</news:name>"
        "<news:language>en</news:language></news:publication>"
        "<news:publication_date>2025-03-04</news:publication_date>"
        "<news:title>Quay</news:title></news:news>"
        if news
        else ""
    )
    items = "".join(f"<url><loc>{u}</loc><lastmod>2025-03-04</lastmod>{extra}</url>" for u in urls)
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        f"{namespace}>{items}</urlset>"
    ).encode()


XML = {"Content-Type": "application/xml"}


def test_a_homepage_naming_no_feed_gives_the_sitemap_its_robots_txt_names(server):
    sitemap = server.route(
        "/wp-sitemap.xml", sitemap_of(server.url("/a/quay-reopens")), headers=XML
    )
    server.route(
        "/robots.txt", f"User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {sitemap}\n".encode()
    )
    home = server.route(
        "/",
        b'<html><head><meta property="og:site_name" content="Riverain Dispatch"></head>'
        b"<body><p>News</p></body></html>",
        headers={"Content-Type": "text/html"},
    )

    added = add_source(home)

    assert (added.source.url, added.source.kind) == (sitemap, Source.Kind.SITEMAP)
    assert added.source.name == "Riverain Dispatch"
    assert added.note == f"found the sitemap {sitemap} in the site's robots.txt"


def test_of_the_sitemaps_robots_txt_names_the_news_sitemap_on_the_site_is_taken(server):
    story = server.url("/a/quay-reopens")
    elsewhere = server.route("/elsewhere-news.xml", sitemap_of(story, news=True), headers=XML)
    pages = server.route("/page-sitemap.xml", sitemap_of(story), headers=XML)
    posts = server.route("/post-sitemap.xml", sitemap_of(story), headers=XML)
    news = server.route("/daily.xml", sitemap_of(story, news=True), headers=XML)
    other_host = elsewhere.replace("127.0.0.1", "localhost")
    server.route(
        "/robots.txt",
        f"Sitemap: {other_host}\nSitemap: {posts}\nSitemap: {pages}\nSitemap: {news}\n".encode(),
    )
    home = server.route("/", b"<html><body><p>News</p></body></html>")

    added = add_source(home)

    assert (added.source.url, added.source.kind) == (news, Source.Kind.SITEMAP)
    assert "/elsewhere-news.xml" not in [r.path for r in server.requests]


def test_a_news_sitemap_named_so_in_robots_txt_is_read_first(server):
    story = server.url("/a/quay-reopens")
    server.route("/sitemap_index.xml", sitemap_of(story), headers=XML)
    news = server.route("/news-sitemap.xml", sitemap_of(story, news=True), headers=XML)
    server.route(
        "/robots.txt", f"Sitemap: {server.url('/sitemap_index.xml')}\nSitemap: {news}\n".encode()
    )
    home = server.route("/", b"<html><body><p>News</p></body></html>")

    assert add_source(home).source.url == news
    assert "/sitemap_index.xml" not in [r.path for r in server.requests]


def test_a_sitemap_the_page_names_comes_before_those_of_robots_txt(server):
    story = server.url("/a/quay-reopens")
    named = server.route("/named.xml", sitemap_of(story), headers=XML)
    server.route("/news.xml", sitemap_of(story, news=True), headers=XML)
    server.route("/robots.txt", f"Sitemap: {server.url('/news.xml')}\n".encode())
    home = server.route(
        "/", f'<html><head><link rel="sitemap" href="{named}"></head></html>'.encode()
    )

    assert add_source(home).source.url == named


def test_a_homepage_whose_robots_txt_names_no_readable_sitemap_is_a_listing(server):
    server.route("/robots.txt", f"Sitemap: {server.url('/gone.xml')}\n".encode())
    home = server.route("/", b"<html><body><p>News</p></body></html>")

    added = add_source(home)

    assert (added.source.url, added.source.kind) == (home, Source.Kind.PAGE)
    assert "could not be read" in added.note and "404" in added.note


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        ("/notes.txt", b"Harbour news, read by hand.\n", "text/plain"),
        ("/report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    ],
)
def test_an_address_that_is_neither_feed_sitemap_nor_web_page_is_refused(
    server, path, body, content_type
):
    """Taken as a listing page, it was polled for links it could never hold, and each round
    said only that no link read like an article's."""
    address = server.route(path, body, headers={"Content-Type": content_type})

    with pytest.raises(SourceError, match=rf"not a feed, a sitemap or a web page \({content_type}"):
        add_source(address)

    assert not Source.objects.exists()


def test_a_feed_a_page_names_with_a_campaign_is_added_without_it(server):
    feed = server.route("/feed.xml", HARBOUR_FEED, headers={"Content-Type": "application/rss+xml"})
    page = (
        f'<html><head><link rel="alternate" type="application/rss+xml" '
        f'href="{feed}?utm_source=homepage&amp;edition=uk"></head><body></body></html>'
    ).encode()
    home = server.route("/", page, headers={"Content-Type": "text/html"})
    added = add_source(home)
    assert added.source.url == f"{feed}?edition=uk"


def test_a_feed_broken_past_reading_is_refused_with_the_parsers_reason(server):
    body = b'{"version": "https://jsonfeed.org/version/1.1", "items": ['
    address = server.route("/feed.json", body, headers={"Content-Type": "application/feed+json"})
    refused = r"application/feed\+json; read as a feed: the body looks like JSON but does not"
    with pytest.raises(SourceError, match=refused):
        add_source(address)


def test_a_web_page_served_with_another_content_type_is_still_a_listing(server):
    home = server.route(
        "/", b"<p><a href='/news/quay-reopens'>Quay</a></p>", headers={"Content-Type": "text/plain"}
    )
    assert add_source(home).source.kind == Source.Kind.PAGE


def test_an_address_that_cannot_be_read_is_refused_in_the_commands_own_words(server):
    gone = server.route("/feed.xml", b"gone", status=404)

    with pytest.raises(SourceError) as refused:
        add_source(gone)

    assert str(refused.value) == f"source: {gone!r} cannot be read (HTTP 404 Not Found from {gone})"


@pytest.mark.parametrize("written", ["news.example.com", "news.example.com/feed.xml"])
def test_an_address_without_its_scheme_is_refused_with_the_address_it_may_mean(written):
    with pytest.raises(SourceError, match=rf"did you mean 'https://{written}'\?"):
        add_source(written)
    assert not Source.objects.exists()
