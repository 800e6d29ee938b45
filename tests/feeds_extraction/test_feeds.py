"""Feed parsing: every format on our own fixtures, each real-world fault, and the real feeds."""

from __future__ import annotations

import datetime
import gzip
import http.server
import json
import re
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from clipdesk.articles.canonical import canonical_url
from clipdesk.articles.extraction import extract_article
from clipdesk.sources.feeds import FeedError, ParsedEntry, ParsedFeed, parse_date, parse_feed
from tests.conftest import skip_or_fail

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
SHARED_FEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "feeds"
UTC = datetime.UTC


def parse_fixture(name: str, url: str | None = None, **kwargs: str) -> ParsedFeed:
    return parse_feed(
        (FEEDS / name).read_bytes(), url or f"https://fixtures.example/{name}", **kwargs
    )


# --- formats ---------------------------------------------------------------------------------


def test_rss_091_with_netscape_doctype_and_html_entities():
    feed = parse_fixture("rss091.xml")
    assert feed.kind == "rss" and feed.problems == []
    assert feed.title == "Harbour Gazette — Headlines"
    assert feed.language == "en-gb"
    assert [e.title for e in feed.entries] == [
        "Café on the quay reopens after the storm",
        "Ferry timetable changes for the winter",
    ]
    assert feed.entries[0].summary == "The owners say the terrace will be back by May."  # &nbsp;
    # a relative link resolves against the channel's link
    assert feed.entries[1].url == "https://harbour-gazette.example/news/ferry-timetable-winter"


def test_rss_092_escaped_html_description_becomes_plain_text_and_linkless_item_is_counted():
    feed = parse_fixture("rss092.xml")
    assert feed.kind == "rss"
    assert len(feed.entries) == 1
    assert feed.entries[0].summary == "After forty years the old crane comes down."
    assert feed.problems == ["1 entry without a usable link was skipped"]


def test_rss_20_fields():
    feed = parse_fixture("rss20.xml")
    assert feed.kind == "rss" and feed.problems == []
    assert (feed.title, feed.link, feed.language) == (
        "The Shoreline Post",
        "https://shoreline-post.example/",
        "en-US",
    )
    assert feed.ttl_minutes == 30
    first = feed.entries[0]
    assert first.title == "Council votes to protect the dunes & the marsh"  # &amp;amp; in XML
    assert first.guid == "shoreline-post-10451"
    assert first.published == datetime.datetime(2024, 3, 5, 8, 30, tzinfo=UTC)
    assert first.authors == ["Mara Quillfeather", "Tobias Wren"]
    assert first.summary == "The vote was seven to two."  # script dropped, tags out
    assert first.language == "en-US"


def test_rss_20_guid_permalink_author_with_email_and_bad_date():
    feed = parse_fixture("rss20.xml")
    _, letter, tides = feed.entries
    assert letter.url == "https://shoreline-post.example/letters/pier-lights"  # from the guid
    assert letter.authors == ["Ines Brackwater"]  # "mail (Name)"
    assert tides.url == "https://shoreline-post.example/tides/march"
    assert tides.published is None  # "not a date at all"
    assert tides.authors == []  # a bare e-mail address is not a name


def test_rss_10_rdf_with_dublin_core_and_syndication_period():
    feed = parse_fixture("rss10_rdf.xml")
    assert feed.kind == "rdf"
    assert feed.title == "Lighthouse Journal" and feed.language == "fr"
    assert feed.ttl_minutes == 30  # hourly, twice an hour
    first, second = feed.entries
    assert first.title == "Le journal du gardien retrouvé"
    assert first.published == datetime.datetime(2023, 11, 20, 13, 0, tzinfo=UTC)
    assert first.authors == ["Odile Marchetant"]
    assert first.guid == "https://lighthouse-journal.example/articles/keepers-logbook"
    assert second.published == datetime.datetime(2023, 11, 21, tzinfo=UTC)


def test_atom_10_xml_base_html_title_xhtml_summary_and_inherited_author():
    feed = parse_fixture("atom10.xml")
    assert feed.kind == "atom" and feed.problems == []
    assert feed.title == "Tidewatch Blog"
    assert feed.link == "https://tidewatch.example/blog/"
    assert feed.language == "de"
    storm, note = feed.entries
    assert storm.url == "https://tidewatch.example/blog/2024/05/sturmflut-erwartet"
    assert storm.title == "Sturmflut erwartet"
    assert storm.published == datetime.datetime(2024, 5, 1, 20, 15, tzinfo=UTC)  # published
    assert storm.authors == ["Jonas Kielberg"]
    assert storm.summary == "Pegel steigen rasch."
    assert note.published == datetime.datetime(2024, 4, 30, 12, 0, tzinfo=UTC)  # updated
    assert note.authors == ["Redaktion Tidewatch"]
    assert note.language == "en"
    assert note.summary == "An English note."


def test_json_feed_11():
    feed = parse_fixture("jsonfeed11.json")
    assert feed.kind == "json"
    assert (feed.title, feed.link, feed.language) == (
        "Saltmarsh Weekly",
        "https://saltmarsh.example/",
        "en-GB",
    )
    heron, reeds = feed.entries
    assert heron.title == "Heron count hits a record"
    assert heron.published == datetime.datetime(2024, 2, 10, 12, 45, tzinfo=UTC)
    assert heron.authors == ["Priya Estuary"]  # the author without a name is dropped
    assert heron.summary == "Volunteers counted 212 herons."
    assert heron.language == "en"
    assert reeds.url == "https://saltmarsh.example/2024/02/reed-beds"
    assert reeds.guid == "42"  # a number, as strings are in the spec
    assert reeds.title is None
    assert reeds.authors == ["Saltmarsh Desk"]  # inherited from the feed
    assert feed.problems == ["1 entry without a usable link was skipped"]


def test_json_feed_10_single_author():
    feed = parse_fixture("jsonfeed10.json")
    assert feed.kind == "json"
    assert feed.entries[0].authors == ["Hal Moorings"]
    assert feed.entries[0].summary == "It creaked."


def test_sitemap():
    feed = parse_fixture("sitemap.xml")
    assert feed.kind == "sitemap"
    assert [e.url for e in feed.entries] == [
        "https://breakwater-times.example/2024/01/15/sea-wall-funding/",
        "https://breakwater-times.example/about/",
    ]
    assert feed.entries[0].published == datetime.datetime(2024, 1, 15, tzinfo=UTC)


def test_sitemap_index_lists_child_sitemaps():
    feed = parse_fixture("sitemap_index.xml")
    assert feed.kind == "sitemap_index"
    assert [e.url for e in feed.entries] == [
        "https://breakwater-times.example/sitemap-news.xml",
        "https://breakwater-times.example/sitemap-2023.xml.gz",
    ]
    assert feed.entries[0].published == datetime.datetime(2024, 1, 16, 6, 0, tzinfo=UTC)


def test_a_text_sitemap_lists_one_address_a_line():
    # The sitemaps protocol's other form (sitemap.txt): it was refused as plain text, and
    # `source add` took it for a listing page with no link on it.
    body = (
        b"https://harbour.example/news/quay-reopens\r\n"
        b"\n"
        b"https://harbour.example/news/ferry-timetable-changes\n"
        b"not an address\n"
        b"/relative/story-link\n"
    )
    for data in (body, gzip.compress(body)):
        feed = parse_feed(data, "https://harbour.example/sitemap.txt", "text/plain")
        assert feed.kind == "sitemap"
        assert [e.url for e in feed.entries] == [
            "https://harbour.example/news/quay-reopens",
            "https://harbour.example/news/ferry-timetable-changes",
        ]
        assert feed.problems == ["2 lines that are no http(s) address were skipped"]


def test_google_news_sitemap_titles_dates_and_publication():
    feed = parse_fixture("news_sitemap.xml")
    assert feed.kind == "news_sitemap"
    assert feed.title == "Breakwater Times" and feed.language == "en"
    dredging, gulls = feed.entries
    assert dredging.title == "Harbour dredging starts on Monday"
    assert dredging.published == datetime.datetime(2024, 1, 16, 4, 30, tzinfo=UTC)
    assert gulls.title == "Gulls & chips: a seafront feud"
    assert gulls.language == "en"


def test_gzipped_sitemap_is_unpacked():
    body = gzip.compress((FEEDS / "sitemap.xml").read_bytes())
    assert len(parse_feed(body, "https://breakwater-times.example/sitemap.xml.gz").entries) == 2


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<" + b" " * (60 * 1024 * 1024))
    with pytest.raises(FeedError, match=r"over 10 MB \(10485760 bytes\)"):
        parse_feed(bomb, "https://bomb.example/sitemap.xml.gz")


def test_a_gzipped_sitemap_is_held_to_the_fetchers_default_cap_once_unpacked():
    # 12 MiB unpacked: over the fetcher's 10 MB, which a gzip body without Content-Encoding
    # escaped (it was allowed 50 MiB).
    sitemap = (FEEDS / "sitemap.xml").read_bytes().replace(b"</urlset>", b" " * 12 * 2**20)
    with pytest.raises(FeedError, match=r"unpacked, the gzip data is over 10 MB"):
        parse_feed(gzip.compress(sitemap + b"</urlset>"), "https://bw.example/sitemap.xml.gz")


def test_a_gzipped_sitemap_is_held_to_the_cap_it_is_given():
    sitemap = (FEEDS / "sitemap.xml").read_bytes()
    body = gzip.compress(sitemap)
    with pytest.raises(FeedError, match=r"over 0.000191 MB \(200 bytes\); refused"):
        parse_feed(body, "https://bw.example/sitemap.xml.gz", max_bytes=200)
    feed = parse_feed(body, "https://bw.example/sitemap.xml.gz", max_bytes=len(sitemap))
    assert len(feed.entries) == 2


# --- safety ----------------------------------------------------------------------------------


def test_billion_laughs_is_parsed_without_expansion_quickly_and_in_little_memory():
    body = (FEEDS / "billion_laughs.xml").read_bytes()
    tracemalloc.start()
    started = time.perf_counter()
    feed = parse_feed(body, "https://laughs.example/feed")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5 * 1024 * 1024
    assert feed.title == "Laughs"
    assert feed.entries[0].title == "Item title"
    assert "lol" not in (feed.entries[0].title or "")
    assert "the feed defines its own XML entities; they were ignored for safety" in feed.problems


@pytest.fixture
def loopback_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED-THROUGH-DTD">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def test_xxe_neither_reads_local_files_nor_fetches_external_dtds(loopback_server):
    port, requests = loopback_server
    body = (FEEDS / "xxe.xml").read_bytes().replace(b"PORT", str(port).encode())
    feed = parse_feed(body, "https://xxe.example/feed")
    texts = [feed.title] + [v for e in feed.entries for v in (e.title, e.summary)]
    assert not any("root:" in t or "LEAKED" in t for t in texts if t)
    assert feed.entries[0].title == "Secret:"
    assert requests == []  # the external parameter entity was never fetched
    assert "the feed defines its own XML entities; they were ignored for safety" in feed.problems


def test_external_dtd_in_doctype_is_not_fetched(loopback_server):
    port, requests = loopback_server
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/rss.dtd">'
        '<rss version="2.0"><channel><title>T</title><item><title>&leak;</title>'
        "<link>https://dtd.example/a</link></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://dtd.example/feed")
    assert requests == []
    assert feed.entries[0].title is None
    assert "undefined entities were removed: &leak;" in feed.problems


# --- broken feeds: parsed as far as possible, the fault named --------------------------------


def test_malformed_xml_is_recovered_and_the_line_is_named():
    feed = parse_fixture("malformed.rss")
    assert [e.url.rsplit("/", 1)[1] for e in feed.entries] == [
        "first-item-is-fine",
        "second-item",
        "third-item",
    ]
    assert feed.entries[1].title == "Second item has a stray bold tag"
    assert len(feed.problems) == 1
    assert feed.problems[0].startswith("not well-formed XML at line 11:")
    assert feed.problems[0].endswith("(parsed as far as possible)")


def test_declared_latin1_but_body_utf8():
    feed = parse_fixture("declared_latin1_is_utf8.xml")
    assert feed.title == "Brückenbote"
    assert feed.entries[0].title == "Fußgängerbrücke wird gesperrt"
    assert feed.problems == ["declared encoding iso-8859-1 but the body is UTF-8"]


def test_declared_utf8_but_body_latin1():
    feed = parse_fixture("declared_utf8_is_latin1.xml")
    assert feed.entries[0].title == "Crème brûlée au menu"
    assert feed.problems == [
        "declared encoding UTF-8 but the body is not UTF-8; read as windows-1252"
    ]


def test_no_xml_declaration_and_latin1_body():
    feed = parse_fixture("latin1_no_declaration.xml")
    assert feed.title == "Notícias do Cais"
    assert feed.entries[0].title == "Pescadores de São Brás voltam ao mar"
    assert feed.problems == ["no encoding declared and the body is not UTF-8; read as windows-1252"]


def test_declared_multibyte_encoding_but_body_utf8():
    body = (
        '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>港口日报</title>'
        "<item><title>新码头今天开放</title><link>https://gangkou.example/a</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://gangkou.example/rss")
    assert feed.entries[0].title == "新码头今天开放"
    assert feed.problems == ["declared encoding gb2312 but the body is UTF-8"]


def test_windows_1251_body():
    feed = parse_fixture("windows1251.xml")
    assert feed.title == "Вестник Гавани"
    assert feed.entries[0].title == "Новый причал открыт для лодок"
    assert feed.problems == []


def test_gb2312_body():
    feed = parse_fixture("gb2312.xml")
    assert feed.title == "港口日报"
    assert feed.entries[0].title == "新码头今天开放"


@pytest.mark.parametrize(
    ("label", "codec", "title"),
    [
        ("gb2312", "gb18030", "朱镕基视察新码头"),  # 镕 is GBK's, not GB 2312's
        ("Shift_JIS", "cp932", "①新しい桟橋が開通"),  # ① is Windows-31J's
        ("EUC-KR", "cp949", "똠방각하 부두 개장"),  # 똠 is UHC's
    ],
)
def test_a_legacy_cjk_label_is_read_as_the_superset_browsers_read(label, codec, title):
    body = (
        f'<?xml version="1.0" encoding="{label}"?><rss version="2.0"><channel><title>{title}'
        f"</title><item><title>{title}</title><link>https://gangkou.example/a</link></item>"
        "</channel></rss>"
    ).encode(codec)
    feed = parse_feed(body, "https://gangkou.example/rss")
    assert feed.entries[0].title == title
    assert feed.problems == []


def test_utf8_labelled_gb2312_is_utf8_even_where_gb18030_would_read_it():
    # GB18030 takes most pairs of bytes: the UTF-8 of 港口日报 reads as 娓彛鏃ユ姤 in it.
    body = (
        '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>港口日报</title>'
        "<item><title>港口日报</title><link>https://gangkou.example/a</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://gangkou.example/rss")
    assert feed.entries[0].title == "港口日报"
    assert feed.problems == ["declared encoding gb2312 but the body is UTF-8"]


def test_utf16_with_byte_order_mark():
    feed = parse_fixture("utf16_bom.xml")
    assert feed.title == "Ébb & Flow"
    assert feed.entries[0].title == "Marée haute à midi"


WIDE_FEED = (
    '<?xml version="1.0" encoding="{label}"?>\n<rss version="2.0"><channel><title>Hafen</title>'
    "<item><title>Größe Straße 港口</title><link>https://hafen.example/a</link></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize(
    ("codec", "label"),
    [
        ("utf-16-le", "utf-16"),
        ("utf-16-be", "UTF-16"),
        ("utf-16-le", "UTF-16LE"),
        ("utf-32-le", "utf-32"),
        ("utf-32-be", "UTF-32"),
    ],
)
def test_utf16_or_utf32_without_byte_order_mark_is_read_from_its_zero_bytes(codec, label):
    """No byte-order mark, and the zero bytes of "<?xml" say the width and the byte order
    (XML 1.0, appendix F): such a feed was refused as "not XML that can be read (Char 0x0)"."""
    body = WIDE_FEED.format(label=label)
    for text in (body, body.split("\n", 1)[1], "\n  " + body):  # no declaration; space first
        feed = parse_feed(text.encode(codec), "https://hafen.example/feed.xml")
        assert feed.title == "Hafen"
        assert [e.title for e in feed.entries] == ["Größe Straße 港口"]
        assert feed.problems == []


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be"])
def test_utf32_with_byte_order_mark(codec):
    """A UTF-32 little-endian mark starts as UTF-16's does: the feed was read as UTF-16."""
    body = WIDE_FEED.format(label="utf-32").encode(codec)
    if codec == "utf-32-be":
        body = b"\x00\x00\xfe\xff" + body
    feed = parse_feed(body, "https://hafen.example/feed.xml")
    assert [e.title for e in feed.entries] == ["Größe Straße 港口"]
    assert feed.problems == []


def test_a_billion_laughs_in_utf16_without_byte_order_mark_is_defused_too():
    text = (FEEDS / "billion_laughs.xml").read_text("utf-8")
    feed = parse_feed(text.encode("utf-16-le"), "https://laughs.example/feed")
    assert feed.entries[0].title == "Item title"
    assert "the feed defines its own XML entities; they were ignored for safety" in feed.problems


def test_http_charset_disagreeing_with_the_declaration_is_reported():
    body = (FEEDS / "windows1251.xml").read_bytes()
    feed = parse_feed(body, "https://vestnik.example/rss", "text/xml; charset=iso-8859-1")
    assert feed.entries[0].title == "Новый причал открыт для лодок"  # the declaration wins
    assert feed.problems == [
        "the server says iso-8859-1 but the feed declares windows-1251; read as windows-1251"
    ]


def test_rss_file_that_is_really_atom():
    feed = parse_fixture("atom_named.rss", "https://mooring.example/news.rss")
    assert feed.kind == "atom"
    assert feed.entries[0].title == "An Atom entry in a .rss file"
    assert feed.problems == ["the address ends in .rss but the body is an Atom feed"]


def test_content_type_claiming_another_format_is_reported():
    feed = parse_fixture(
        "atom_named.rss", "https://mooring.example/feed", content_type="application/rss+xml"
    )
    assert feed.problems == ["served as application/rss+xml but the body is an Atom feed"]


def test_feed_served_as_text_html_is_parsed_and_reported():
    feed = parse_fixture(
        "rss20.xml", "https://shoreline-post.example/feed/", content_type="text/html"
    )
    assert len(feed.entries) == 3
    assert feed.problems == ["served as text/html (a web page) but the body is an RSS feed"]


def test_html_page_instead_of_a_feed_is_refused_naming_its_feeds():
    with pytest.raises(
        FeedError,
        match=re.escape("HTML page, not a feed; it links to: https://pier.example/feed.xml"),
    ):
        parse_fixture("html_page.html", "https://pier.example/")


def test_server_warning_before_the_xml_declaration_is_skipped():
    feed = parse_fixture("php_warning.rss")
    assert feed.entries[0].title == "Launch postponed by fog"
    assert len(feed.problems) == 1 and "before the feed were skipped" in feed.problems[0]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"   \n ", "empty"),
        (b"Service temporarily unavailable", "neither XML nor JSON"),
        (b'{"items": [', "does not parse"),
        (b'{"data": []}', "not a JSON Feed"),
        (b"<?xml version='1.0'?><opml><body/></opml>", "root element is <opml>"),
        (b"<rss><channel><title>Cut off", "no entry could be recovered"),
    ],
)
def test_nothing_usable_raises_feed_error_in_words(body, message):
    with pytest.raises(FeedError, match=message) as raised:
        parse_feed(body, "https://broken.example/feed")
    assert str(raised.value).startswith("feeds: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 05 Mar 2024 09:30:00 +0100", datetime.datetime(2024, 3, 5, 8, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 09:30:00 GMT", datetime.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 09:30:00 EST", datetime.datetime(2024, 3, 5, 14, 30, tzinfo=UTC)),
        ("Tue, 05 Mar 2024 09:30:00 CEST", datetime.datetime(2024, 3, 5, 7, 30, tzinfo=UTC)),
        ("2024-03-05T09:30:00Z", datetime.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),
        (
            "2024-03-05T09:30:00.250+02:00",
            datetime.datetime(2024, 3, 5, 7, 30, 0, 250000, tzinfo=UTC),
        ),
        ("2024-03-05", datetime.datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024/3/5 09:30:00", datetime.datetime(2024, 3, 5, 9, 30, tzinfo=UTC)),  # naive: UTC
        ("Seg, 24 Set 2018 19:42:40 -0300", datetime.datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)),
        ("Di, 3. Mär 2020 10:00:00 +0100", datetime.datetime(2020, 3, 3, 9, 0, tzinfo=UTC)),
        ("lundi, 5 févr. 2024 08:00 GMT", datetime.datetime(2024, 2, 5, 8, 0, tzinfo=UTC)),
        ("yesterday", None),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
    ],
)
def test_dates_in_many_spellings_become_aware_utc(value, expected):
    assert parse_date(value) == expected


# --- the real feeds in ../shared/data/feeds --------------------------------------------------


def real_feeds() -> list[Path]:
    if not SHARED_FEEDS.is_dir():
        return []
    return sorted(
        p
        for p in SHARED_FEEDS.rglob("*")
        if p.is_file() and p.name != "LICENSE" and "expected_output" not in p.parts
    )


@pytest.fixture(scope="module")
def shared_feeds() -> Path:
    if not SHARED_FEEDS.is_dir():
        skip_or_fail("../shared/data/feeds (real feeds beside the repository) is absent")
    return SHARED_FEEDS


def test_every_real_feed_file_is_found(shared_feeds):
    assert len(real_feeds()) >= 19


@pytest.mark.parametrize("path", real_feeds(), ids=lambda p: p.name)
def test_real_feed_parses_with_sane_entries(path):
    feed = parse_feed(path.read_bytes(), f"https://feeds.example/{path.name}")
    assert feed.entries, feed.problems
    assert feed.title and "<" not in feed.title
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://")), entry.url
        assert " " not in entry.url.strip()
        if entry.title:
            assert "<" not in entry.title and "\ufffd" not in entry.title
            assert "Ã" not in entry.title  # UTF-8 read as Latin-1
        assert entry.published is None or entry.published.utcoffset() is not None  # aware
    assert sum(1 for e in feed.entries if e.title) >= len(feed.entries) * 0.9


@pytest.mark.parametrize(
    ("name", "kind", "title", "first_title"),
    [
        ("miniflux-v2/encoding_WINDOWS-1251.xml", "rss", "iBash.Org.Ru", "Цитата #17703"),
        ("RSParser/kc0011.rss", "rss", None, "建国35周年纪念，华表，和平鸽"),
        ("rss-parser/input/encoding.rss", "rss", "Jornal de Notícias - Últimas Notícias", None),
        ("miniflux-v2/rdf_UTF8.xml", "rdf", "heise online News", None),
        ("rss-parser/input/rss-1.rss", "rdf", None, "Food for fungi"),
        ("RSParser/DaringFireball.rss", "atom", "Daring Fireball", None),
        ("RSParser/DaringFireball.json", "json", "Daring Fireball", None),
        ("rss-parser/input/heise.atom", "atom", "heise developer neueste Meldungen", None),
    ],
)
def test_real_feed_formats_and_encodings(shared_feeds, name, kind, title, first_title):
    feed = parse_feed((shared_feeds / name).read_bytes(), f"https://feeds.example/{name}")
    assert feed.kind == kind
    if title:
        assert feed.title == title
    if first_title:
        assert feed.entries[0].title == first_title


def test_real_feeds_with_problems_name_them(shared_feeds):
    rss_atom = parse_feed(
        (shared_feeds / "RSParser/DaringFireball.rss").read_bytes(), "https://x.example/main.rss"
    )
    assert rss_atom.problems == ["the address ends in .rss but the body is an Atom feed"]
    uol = parse_feed(
        (shared_feeds / "rss-parser/input/uolNoticias.rss").read_bytes(), "https://x.example/u"
    )
    assert uol.entries[0].title.startswith("Ibope: Bolsonaro perde de Haddad")
    assert "simulações de 2º turno" in uol.entries[0].title
    assert uol.problems == ["no encoding declared and the body is not UTF-8; read as windows-1252"]


def test_real_feeds_agree_with_another_parser_on_links_and_titles(shared_feeds):
    """rss-parser's expected output is one library's parse, not gold: links must agree exactly."""
    compared = 0
    for expected_file in sorted((shared_feeds / "rss-parser" / "expected_output").glob("*.json")):
        try:
            expected = json.loads(expected_file.read_bytes().decode("utf-8"))["feed"]["items"]
        except UnicodeDecodeError:
            continue  # that library's output for the Latin-1 feed is itself undecodable
        source = next((shared_feeds / "rss-parser" / "input").glob(expected_file.stem + ".*"))
        feed = parse_feed(source.read_bytes(), f"https://feeds.example/{source.name}")
        assert [e.url for e in feed.entries] == [i["link"] for i in expected], source.name
        for ours, theirs in zip(feed.entries, expected, strict=True):
            if "\ufffd" not in theirs.get("title", ""):
                assert ours.title == " ".join(theirs["title"].split()), source.name
        compared += 1
    assert compared >= 4


def test_links_no_row_could_keep_are_left_out_and_counted():
    long = "https://harbour-gazette.example/" + "a" * 2000
    items = "".join(
        f"<item><title>{n}</title><link>{link}</link></item>"
        for n, link in enumerate([long, "https://harbour-gazette.example/&#x7;x", "/ferry"])
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
        f"<link>https://harbour-gazette.example/</link>{items}</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://harbour-gazette.example/feed.xml")
    assert [e.url for e in feed.entries] == ["https://harbour-gazette.example/ferry"]
    assert "2 entries without a usable link were skipped" in feed.problems


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 22 Nov 2026 01:30:00 +0330",  # Tehran, just after midnight
        "Sun, 22 Nov 2026 21:30:00 -0500",  # New York, late evening
        "2026-11-22T01:00:00+03:30",  # a Google News sitemap's publication date
        "Sun, 22 Nov 2026 23:59:00 GMT",
    ],
)
def test_a_feed_date_keeps_the_day_the_publisher_gave(value):
    """The source line shows the outlet's date: in UTC the first two were the 21st and 23rd."""
    entry = ParsedEntry(url="https://news.example/a", published=parse_date(value))
    extracted = extract_article(
        b"<html><body><article><h1>Quay</h1><p>" + b"The quay reopened. " * 20 + b"</p>"
        b"</article></body></html>",
        "https://news.example/a",
        entry=entry,
    )
    assert extracted.feed_published == datetime.date(2026, 11, 22)
    assert extracted.published == datetime.date(2026, 11, 22)


QUAY_PAGE = (
    b'<html><head><meta property="article:published_time" content="2026-11-20T09:00:00Z">'
    b"</head><body><article><h1>Quay</h1><p>" + b"The quay reopened. " * 20 + b"</p>"
    b"</article></body></html>"
)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("Fri, 01 Jan 2038 00:00:00 GMT", "in the future"),
        ("Thu, 01 Jan 1970 00:00:00 GMT", "the zero of Unix time, a placeholder"),
    ],
)
def test_an_implausible_feed_date_gives_way_to_the_pages(value, why):
    entry = ParsedEntry(url="https://news.example/a", published=parse_date(value))
    extracted = extract_article(QUAY_PAGE, "https://news.example/a", entry=entry)
    assert extracted.published == datetime.date(2026, 11, 20)
    assert why in extracted.choices["published"]
    assert extracted.feed_published == parse_date(value).date()  # kept, as the feed said


def test_a_canonical_address_that_is_the_home_page_is_not_the_articles():
    page = QUAY_PAGE.replace(
        b"<head>", b'<head><link rel="canonical" href="https://news.example/">'
    )
    extracted = extract_article(page, "https://news.example/2026/11/quay-reopens.html")
    assert extracted.canonical_url == "https://news.example/2026/11/quay-reopens.html"
    assert "home page" in extracted.choices["canonical_url"]


@pytest.mark.parametrize(
    "declared",
    [
        "https://news.example/2026/",
        "https://www.news.example/2026/11",
        "/2026/11/",
        "https://news.example/2026/11/?utm_source=rss",
    ],
)
def test_a_canonical_address_that_is_a_section_above_the_page_is_not_the_articles(declared):
    # Every article of such a site names its section as its address: taken at its word, each
    # article after the first was a "copy" of it and dropped.
    page = QUAY_PAGE.replace(b"<head>", f'<head><link rel="canonical" href="{declared}">'.encode())
    extracted = extract_article(page, "https://news.example/2026/11/quay-reopens.html")
    assert extracted.canonical_url == "https://news.example/2026/11/quay-reopens.html"
    assert "a section page above it" in extracted.choices["canonical_url"]


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        # The article's AMP and print views name the article as their address.
        ("https://news.example/2026/11/quay/amp/", "/2026/11/quay/", "/2026/11/quay/"),
        ("https://news.example/2026/11/quay/print", "/2026/11/quay", "/2026/11/quay"),
        ("https://news.example/jokes-for-kids/slide/1", "/jokes-for-kids/", "/jokes-for-kids/"),
        # Not above the page: the same path, a trailing slash, or a sibling page.
        ("https://news.example/2026/11/quay?page=2", "/2026/11/quay", "/2026/11/quay"),
        ("https://news.example/2026/11/quay", "/2026/11/quay/", "/2026/11/quay/"),
        ("https://news.example/2026/11/quay-v2", "/2026/11/quay", "/2026/11/quay"),
        ("https://news.example/2026/11/quay", "/2026/11/quay.html", "/2026/11/quay.html"),
    ],
)
def test_a_canonical_address_near_the_page_but_not_a_section_above_it_is_taken(
    url, declared, expected
):
    page = QUAY_PAGE.replace(b"<head>", f'<head><link rel="canonical" href="{declared}">'.encode())
    extracted = extract_article(page, url)
    assert extracted.canonical_url == "https://news.example" + expected
    assert extracted.choices["canonical_url"] == "the page's <link rel=canonical>"


def test_a_json_feed_not_in_utf8_is_read_as_windows_1252_and_said_so():
    body = (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Hafen",'
        ' "items": [{"id": "1", "url": "https://hafen.example/a", "title": "Größe Straße"}]}'
    ).encode("latin-1")
    feed = parse_feed(body, "https://hafen.example/feed.json")
    assert [e.title for e in feed.entries] == ["Größe Straße"]
    assert "the JSON Feed is not valid UTF-8, as JSON must be; read as windows-1252" in (
        feed.problems
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sunday, November 22nd, 2026", datetime.date(2026, 11, 22)),
        ("November 1st 2026 10:30:00 +0100", datetime.date(2026, 11, 1)),
        ("Nov 3, 2026", datetime.date(2026, 11, 3)),
        ("22 novembre 2026", datetime.date(2026, 11, 22)),  # no time: the day still counts
    ],
)
def test_dates_written_out_as_cms_templates_print_them(value, expected):
    assert parse_date(value).date() == expected


@pytest.mark.parametrize("label", ["base64", "rot13", "x-no-such-charset"])
def test_a_feed_declaring_no_text_encoding_is_read_as_unknown(label):
    body = (
        f'<?xml version="1.0" encoding="{label}"?><rss version="2.0"><channel><title>H</title>'
        "<item><title>Größe Straße</title><link>https://hafen.example/a</link></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://hafen.example/feed.xml")  # raised LookupError for base64
    assert [e.title for e in feed.entries] == ["Größe Straße"]
    assert f"declared encoding {label} is unknown" in feed.problems


@pytest.mark.parametrize(
    "value", ["Mon, 01 Jan 0001 00:00:00 +0000", "01 Jan 0001", "0001-01-01T00:00:00Z"]
)
def test_the_year_one_that_static_site_generators_write_for_no_date_is_no_date(value):
    # email.utils reads a year under 100 as two digits: 0001 became 2001.
    assert parse_date(value) is None


def test_json_feed_fields_that_are_not_text_are_missing_not_turned_into_text():
    # "url": 123 was read as the relative link "123", fetched and stored as an article.
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": 42, "home_page_url": 7,'
        b' "authors": [{"name": 5}], "items": ['
        b'{"id": "a", "url": 123, "title": "Numbered"},'
        b'{"id": "b", "external_url": ["https://hafen.example/list"]},'
        b'{"id": 3, "url": "https://hafen.example/c", "title": NaN, "date_published": 1700000000}'
        b"]}"
    )
    feed = parse_feed(body, "https://hafen.example/feed.json")
    assert feed.title is None and feed.link is None
    (entry,) = feed.entries
    assert (entry.url, entry.guid, entry.title) == ("https://hafen.example/c", "3", None)
    assert entry.published is None and entry.authors == []
    assert feed.problems == [
        "2 entries without a usable link were skipped",
        "the JSON Feed gives home_page_url, name, title, url, external_url, date_published "
        "as something other than text; read as missing",
    ]


def test_a_json_feed_nested_thousands_deep_is_refused_in_words():
    with pytest.raises(FeedError, match="nested too deep"):
        parse_feed(b"[" * 100_000 + b"]" * 100_000, "https://hafen.example/feed.json")


def test_an_entry_address_is_taken_without_its_fragment():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>'
        b"<item><title>A</title><link>https://quay.example/story.html#top</link></item>"
        b"<item><title>B</title><link>/other.html#comments</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(body, "https://quay.example/feed.xml")
    assert [e.url for e in feed.entries] == [
        "https://quay.example/story.html",
        "https://quay.example/other.html",
    ]


def test_an_atom_entrys_page_is_its_html_alternate_link():
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Quay</title>'
        b"<entry><title>Seventh</title><id>tag:quay.example,2024:7</id>"
        b'<link rel="alternate" type="application/pdf" href="seventh.pdf"/>'
        b'<link rel="alternate" type="text/html" href="seventh-story.html"/>'
        b"<updated>2024-03-09T10:00:00Z</updated></entry></feed>"
    )
    (entry,) = parse_feed(body, "https://quay.example/atom.xml").entries
    assert entry.url == "https://quay.example/seventh-story.html"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://news.example/a</loc><lastmod>2026-11-25</lastmod></url></urlset>",
            id="sitemap_lastmod",
        ),
        pytest.param(
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title>'
            b"<entry><title>Quay</title><id>tag:news.example,2026:a</id>"
            b'<link href="https://news.example/a"/><updated>2026-11-25T10:00:00Z</updated>'
            b"</entry></feed>",
            id="atom_updated_alone",
        ),
    ],
)
def test_a_date_of_the_last_change_gives_way_to_the_pages_own(body):
    (entry,) = parse_feed(body, "https://news.example/feed").entries
    assert entry.modified_only
    extracted = extract_article(QUAY_PAGE, "https://news.example/a", entry=entry)
    assert extracted.published == datetime.date(2026, 11, 20)  # the page's own date
    assert extracted.feed_published == datetime.date(2026, 11, 25)  # kept, as the feed said
    assert "when it last changed" in extracted.choices["published"]


def test_a_publication_date_in_a_news_sitemap_or_atom_is_the_feeds_to_give():
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title>'
        b'<entry><title>Quay</title><id>x</id><link href="https://news.example/a"/>'
        b"<published>2026-11-19T10:00:00Z</published><updated>2026-11-25T10:00:00Z</updated>"
        b"</entry></feed>"
    )
    (entry,) = parse_feed(atom, "https://news.example/feed").entries
    assert not entry.modified_only
    extracted = extract_article(QUAY_PAGE, "https://news.example/a", entry=entry)
    assert extracted.published == datetime.date(2026, 11, 19)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # An offset written with a colon, as ISO 8601 writes it, was dropped: read as UTC.
        (
            "Tue, 10 Jun 2003 09:41:01 +05:30",
            datetime.datetime(2003, 6, 10, 4, 11, 1, tzinfo=UTC),
        ),
        ("Tue, 10 Jun 2003 09:41:01 -03:00", datetime.datetime(2003, 6, 10, 12, 41, 1, tzinfo=UTC)),
        # A 12-hour clock: PM was dropped (4:00 PM was 04:00), and with it the offset after it.
        ("Tuesday, June 10, 2003 4:00 PM", datetime.datetime(2003, 6, 10, 16, 0, tzinfo=UTC)),
        ("Tuesday, June 10, 2003 4:00 am", datetime.datetime(2003, 6, 10, 4, 0, tzinfo=UTC)),
        ("June 10, 2003 12:05 AM", datetime.datetime(2003, 6, 10, 0, 5, tzinfo=UTC)),
        ("June 10, 2003 12:05 p.m.", datetime.datetime(2003, 6, 10, 12, 5, tzinfo=UTC)),
        ("10 June 2003 4:00:30 PM +0200", datetime.datetime(2003, 6, 10, 14, 0, 30, tzinfo=UTC)),
        ("Tue, 10 Jun 2003 4:00 PM EST", datetime.datetime(2003, 6, 10, 21, 0, tzinfo=UTC)),
        ("Tue, 10 Jun 2003 16:00 PM GMT", datetime.datetime(2003, 6, 10, 16, 0, tzinfo=UTC)),
    ],
)
def test_an_offset_with_a_colon_and_a_12_hour_clock_are_read(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Written by Java's SimpleDateFormat ("z" for a zone with no name) and by sites in
        # India: "GMT+05:30" is UTC+5:30, as an ISO offset, not POSIX TZ's inverted sign.
        ("Tue, 10 Jun 2003 09:41:01 GMT+05:30", datetime.datetime(2003, 6, 10, 4, 11, 1)),
        ("Tue, 10 Jun 2003 09:41:01 GMT+0530", datetime.datetime(2003, 6, 10, 4, 11, 1)),
        ("Tue, 10 Jun 2003 09:41:01 UTC+0530", datetime.datetime(2003, 6, 10, 4, 11, 1)),
        ("Tue, 10 Jun 2003 09:41:01 GMT +05:30", datetime.datetime(2003, 6, 10, 4, 11, 1)),
        ("Tue, 10 Jun 2003 09:41:01 GMT-5", datetime.datetime(2003, 6, 10, 14, 41, 1)),
        ("Tue, 10 Jun 2003 09:41:01 UTC-03:00", datetime.datetime(2003, 6, 10, 12, 41, 1)),
        ("Tue, 10 Jun 2003 09:41:01 GMT+9", datetime.datetime(2003, 6, 10, 0, 41, 1)),
        ("10 June 2003 9:41 AM GMT+2", datetime.datetime(2003, 6, 10, 7, 41)),
        ("Tue, 10 Jun 2003 09:41:01 GMT", datetime.datetime(2003, 6, 10, 9, 41, 1)),
    ],
)
def test_an_offset_written_after_gmt_or_utc_is_read(value, expected):
    """The offset after "GMT" was ignored: 09:41 GMT+05:30 was stored as 09:41 UTC."""
    assert parse_date(value) == expected.replace(tzinfo=UTC)


def test_a_date_in_a_zone_we_do_not_know_keeps_its_local_time_and_is_reported():
    """ "NZST" has no offset we know: the date keeps the publisher's clock, labelled UTC as a
    date with no offset is (its day is the day the outlet printed), and the editor is told,
    where it was read as UTC without a word."""
    problems: list[str] = []
    value = "Tue, 10 Jun 2003 23:41:01 NZST"
    assert parse_date(value, problems) == datetime.datetime(2003, 6, 10, 23, 41, 1, tzinfo=UTC)
    assert problems == [
        "dates in the time zone NZST, whose offset is not known, were read as the "
        "publisher's local time"
    ]
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour</title>'
        "<item><title>A</title><link>https://harbour.example/a</link>"
        f"<pubDate>{value}</pubDate></item>"
        "<item><title>B</title><link>https://harbour.example/b</link>"
        "<pubDate>Tue, 10 Jun 2003 09:00:00 NZST</pubDate></item>"
        "<item><title>C</title><link>https://harbour.example/c</link>"
        "<pubDate>Tue, 10 Jun 2003 09:00:00</pubDate></item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://harbour.example/feed.xml")
    assert [e.published.date() for e in feed.entries] == [datetime.date(2003, 6, 10)] * 3
    assert feed.problems == problems  # once for the feed; a date with no zone is no fault


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title>'
            b'<entry><title>Quay</title><id>x</id><link href="https://news.example/a"/>'
            b"<published>Tue, 10 Jun 2003 23:41:01 NZST</published></entry></feed>",
            id="atom",
        ),
        pytest.param(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://news.example/a</loc>"
            b"<lastmod>Tue, 10 Jun 2003 23:41:01 NZST</lastmod></url></urlset>",
            id="sitemap",
        ),
        pytest.param(
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a",'
            b' "url": "https://news.example/a",'
            b' "date_published": "Tue, 10 Jun 2003 23:41:01 NZST"}]}',
            id="json",
        ),
    ],
)
def test_every_format_reports_a_date_in_a_zone_we_do_not_know(body):
    feed = parse_feed(body, "https://news.example/feed")
    assert feed.entries[0].published == datetime.datetime(2003, 6, 10, 23, 41, 1, tzinfo=UTC)
    assert any("time zone NZST" in p for p in feed.problems)


def test_rss_links_resolve_against_the_xml_base_in_scope():
    """An item's xml:base was ignored: its relative link resolved against the channel's
    <link>, an address the site never had. A relative xml:base resolves against its parent's;
    with none in scope the channel's <link> is the base, as before."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0" xml:base="https://quay.example/news/">'
        b'<channel xml:base="world/"><title>Quay</title><link>home/</link>'
        b'<item xml:base="https://other.example/sub/"><title>A</title><link>c.html</link></item>'
        b'<item xml:base="../sport/"><title>B</title><link>d.html</link></item>'
        b"<item><title>C</title><link>e.html</link></item>"
        b'<item xml:base="//mirror.example/x/y/../"><title>D</title><link>./f.html?p=1</link>'
        b"</item></channel></rss>"
    )
    feed = parse_feed(body, "https://feeds.example/quay/rss.xml")
    assert feed.link == "https://quay.example/news/world/home/"
    assert [e.url for e in feed.entries] == [
        "https://other.example/sub/c.html",
        "https://quay.example/news/sport/d.html",
        "https://quay.example/news/world/e.html",
        "https://mirror.example/x/f.html?p=1",
    ]
    no_base = body.replace(b' xml:base="https://quay.example/news/"', b"").replace(
        b' xml:base="world/"', b""
    )
    assert parse_feed(no_base, "https://feeds.example/quay/rss.xml").entries[2].url == (
        "https://feeds.example/quay/home/e.html"  # against the channel's <link>
    )


def test_an_rdf_items_xml_base_is_honoured():
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/" xml:base="https://quay.example/news/">'
        b'<channel rdf:about="x"><title>Quay</title><link>https://quay.example/</link></channel>'
        b'<item rdf:about="a"><title>A</title><link>a.html</link></item></rdf:RDF>'
    )
    (entry,) = parse_feed(body, "https://feeds.example/rdf.xml").entries
    assert entry.url == "https://quay.example/news/a.html"


@pytest.mark.parametrize(
    "base",
    [
        "javascript:alert(1)//",
        "file:///etc/",
        "data:text/html,x/",
        "http://[::1/",
        "ftp://q.example/",
    ],
)
def test_an_xml_base_of_no_web_address_gives_no_entry(base):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quay</title>'
        "<link>https://quay.example/</link>"
        f'<item xml:base="{base}"><title>A</title><link>c.html</link></item>'
        "<item><title>B</title><link>d.html</link></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://quay.example/rss.xml")
    assert [e.url for e in feed.entries] == ["https://quay.example/d.html"]
    assert "1 entry without a usable link was skipped" in feed.problems


@pytest.mark.parametrize("label", ["UTF-16", "utf-16le", "UTF-32"])
def test_a_feed_declaring_utf16_in_8_bit_bytes_says_so_and_what_it_was_read_as(label):
    """Bytes with no byte-order mark whose declaration is in single bytes are no UTF-16: the
    problem said the (well-known) encoding was "unknown"."""
    body = (
        f'<?xml version="1.0" encoding="{label}"?><rss version="2.0"><channel><title>H</title>'
        "<item><title>Größe Straße</title><link>https://hafen.example/a</link></item>"
        "</channel></rss>"
    )
    feed = parse_feed(body.encode(), "https://hafen.example/feed.xml")
    assert [e.title for e in feed.entries] == ["Größe Straße"]
    assert feed.problems == [
        f"declared encoding {label} does not fit the bytes (8-bit text without a byte-order "
        "mark); read as UTF-8"
    ]
    latin = parse_feed(body.encode("latin-1"), "https://hafen.example/feed.xml")
    assert [e.title for e in latin.entries] == ["Größe Straße"]
    assert latin.problems == [
        f"declared encoding {label} does not fit the bytes (8-bit text without a byte-order "
        "mark); read as windows-1252"
    ]
    served = parse_feed(
        body.encode("latin-1"), "https://hafen.example/feed.xml", "text/xml; charset=iso-8859-1"
    )
    assert [e.title for e in served.entries] == ["Größe Straße"]
    assert served.problems == [
        f"declared encoding {label} does not fit the bytes (8-bit text without a byte-order "
        "mark); read as the server's iso-8859-1"
    ]


@pytest.mark.parametrize(
    ("url", "declared"),
    [
        ("https://news.example/article.php?id=5", "https://news.example/article.php"),
        ("https://news.example/news/show.aspx?story=88&lang=en", "/news/show.aspx"),
        ("https://news.example/?p=412", "https://news.example/"),
    ],
)
def test_a_canonical_address_without_the_query_that_names_the_article_is_not_the_articles(
    url, declared
):
    # On a site whose articles are one script told which by its query, a canonical address
    # without the query names the script: every article after the first was its "copy".
    page = QUAY_PAGE.replace(b"<head>", f'<head><link rel="canonical" href="{declared}">'.encode())
    extracted = extract_article(page, url)
    assert extracted.canonical_url == canonical_url(url)


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        # A query of another kind on an article's own path is a view of it: the canonical wins.
        (
            "https://news.example/2026/11/quay.html?ref=home",
            "/2026/11/quay.html",
            "/2026/11/quay.html",
        ),
        ("https://news.example/2026/11/quay/?output=amp", "/2026/11/quay/", "/2026/11/quay/"),
        # A script's canonical address that keeps the naming parameter is taken.
        (
            "https://news.example/article.php?id=5&from=rss",
            "/article.php?id=5",
            "/article.php?id=5",
        ),
    ],
)
def test_a_canonical_address_that_drops_a_views_query_is_taken(url, declared, expected):
    page = QUAY_PAGE.replace(b"<head>", f'<head><link rel="canonical" href="{declared}">'.encode())
    extracted = extract_article(page, url)
    assert extracted.canonical_url == "https://news.example" + expected
