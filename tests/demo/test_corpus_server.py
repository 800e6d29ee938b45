"""The demo's fictional news corpus, served over loopback, behaves like a well-run news site.

`clipdesk.demo.corpus_server` serves six invented outlets whose feeds come in six shapes (RSS
2.0, Atom, JSON Feed, RSS 1.0, a Google News sitemap and a malformed RSS feed). These tests pin
the HTTP behaviour a poller relies on (content types, validators and 304s, robots.txt, 404s,
no escape from the root) and that `FEEDS` and `EXPECTED` describe what is really served.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import re
import urllib.robotparser
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

from clipdesk.demo.corpus_server import (
    CORPUS_DIR,
    EXPECTED,
    FEEDS,
    OUTLET_NAMES,
    WATCHLIST,
    CorpusServer,
)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


@pytest.fixture(scope="module")
def server():
    with CorpusServer() as corpus:
        yield corpus


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(server: CorpusServer, path: str, method: str = "GET", **headers: str) -> Response:
    """One raw request: the path goes out exactly as written (no client-side clean-up)."""
    parts = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        response = conn.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        conn.close()


def article_file(path: str):
    target = CORPUS_DIR / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


# --- HTTP behaviour --------------------------------------------------------------------------


def test_base_url_is_loopback_with_the_port_the_system_chose(server):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.base_url)
    assert server.port > 0
    assert server.url("/riverain/") == server.base_url + "/riverain/"


def test_an_html_page_comes_with_charset_and_cache_headers(server):
    r = request(server, "/harbour-gazette/2025/02/ashraf-road-hearing.html")
    assert r.status == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["Cache-Control"] == "max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{32}"', r.headers["ETag"])
    assert email.utils.parsedate_to_datetime(r.headers["Last-Modified"]).tzinfo is not None
    assert int(r.headers["Content-Length"]) == len(r.body)
    assert "<title>Court hears dispute" in r.text


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/harbour-gazette/feed.xml", "application/rss+xml"),
        ("/lindenau-abendpost/atom.xml", "application/atom+xml"),
        ("/valley-ledger/feed.json", "application/feed+json"),
        ("/pol-e-khabar/feed/rdf.xml", "application/rdf+xml"),
        ("/riverain/news-sitemap.xml", "application/xml"),
        ("/copperline-bulletin/rss.xml", "application/rss+xml"),
        ("/pol-e-khabar/2025/04/08/tirana-photo-exhibition/", "text/html"),
        ("/", "text/html"),
    ],
)
def test_content_types(server, path, mime):
    r = request(server, path)
    assert r.status == 200
    assert r.headers["Content-Type"] == f"{mime}; charset=utf-8"


def test_base_placeholder_is_replaced_in_every_text_file(server):
    for path, _ in FEEDS:
        text = request(server, path).text
        assert "{BASE}" not in text
        assert f"{server.base_url}/{path.split('/')[1]}/" in text
    page = request(server, "/harbour-gazette/2025/02/ashraf-road-hearing.html").text
    assert "{BASE}" not in page
    canonical = f"{server.base_url}/harbour-gazette/2025/02/ashraf-road-hearing.html"
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert f'"mainEntityOfPage": "{canonical}"' in page  # inside the JSON-LD too
    # ... while the file on disk keeps the placeholder, so any port works
    assert "{BASE}/harbour-gazette/" in (CORPUS_DIR / "harbour-gazette/feed.xml").read_text()


def test_etag_round_trip_answers_304(server):
    path = "/lindenau-abendpost/atom.xml"
    first = request(server, path)
    etag = first.headers["ETag"]
    again = request(server, path, If_None_Match=etag)
    assert again.status == 304
    assert again.body == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert again.headers["Cache-Control"] == "max-age=300"
    assert request(server, path, If_None_Match=f'"stale", W/{etag}').status == 304
    assert request(server, path, If_None_Match="*").status == 304
    changed = request(server, path, If_None_Match='"0123456789abcdef0123456789abcdef"')
    assert changed.status == 200
    assert changed.body == first.body


def test_if_modified_since_answers_304_unless_if_none_match_disagrees(server):
    path = "/valley-ledger/feed.json"
    first = request(server, path)
    last_modified = first.headers["Last-Modified"]
    assert request(server, path, If_Modified_Since=last_modified).status == 304
    assert request(server, path, If_Modified_Since="Mon, 01 Jan 2001 00:00:00 GMT").status == 200
    assert request(server, path, If_Modified_Since="not a date").status == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    stale = request(server, path, If_Modified_Since=last_modified, If_None_Match='"other"')
    assert stale.status == 200


def test_etag_depends_on_the_served_bytes(server):
    with CorpusServer() as other:
        mine = request(server, "/harbour-gazette/feed.xml").headers["ETag"]
        theirs = request(other, "/harbour-gazette/feed.xml").headers["ETag"]
    assert mine != theirs  # another port, other URLs inside, another ETag


def test_head_sends_headers_without_a_body(server):
    got = request(server, "/riverain/news-sitemap.xml")
    head = request(server, "/riverain/news-sitemap.xml", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(got.body))


def test_robots_txt_allows_everything(server):
    r = request(server, "/robots.txt")
    assert r.status == 200
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert r.headers["ETag"]
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(r.text.splitlines())
    for path in [p for p, _ in FEEDS] + EXPECTED["matching_articles"] + ["/anything"]:
        assert robots.can_fetch("clipdesk", server.url(path))
    assert robots.site_maps() == [server.url("/riverain/news-sitemap.xml")]


@pytest.mark.parametrize(
    "path",
    [
        "/missing.html",
        "/harbour-gazette/2025/02/missing.html",
        "/harbour-gazette/2025/",  # a directory without index.html
        "/harbour-gazette/feed.xml/",
        "/robots.txt/extra",
    ],
)
def test_anything_else_is_404(server, path):
    r = request(server, path)
    assert r.status == 404
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_the_server_is_quiet(server, capfd):
    request(server, "/harbour-gazette/")
    request(server, "/missing.html")
    request(server, "/riverain/news-sitemap.xml", method="POST")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_a_directory_without_slash_redirects(server):
    r = request(server, "/pol-e-khabar/2025/04/15/new-history-book")
    assert r.status == 301
    assert r.headers["Location"] == "/pol-e-khabar/2025/04/15/new-history-book/"


@pytest.mark.parametrize(
    "path",
    [
        "/../corpus_server.py",
        "/../../../../../../etc/passwd",
        "/harbour-gazette/../../corpus_server.py",
        "/%2e%2e/corpus_server.py",
        "/%2E%2E%2Fcorpus_server.py",
        "/harbour-gazette/%2e%2e/%2e%2e/__init__.py",
        "/..%5c..%5ccorpus_server.py",
        "//etc/passwd",
        "/harbour-gazette/feed.xml%00.html",
        "/.hidden",
    ],
)
def test_nothing_outside_the_root_is_served(server, path):
    r = request(server, path)
    assert r.status == 404
    assert b"import" not in r.body
    assert b"root:" not in r.body


def test_a_symlink_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "page.html").write_text("<p>{BASE}/page.html</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    with CorpusServer(root=root) as site:
        assert request(site, "/page.html").text == f"<p>{site.base_url}/page.html</p>"
        assert request(site, "/leak.txt").status == 404


def test_stop_frees_the_port_and_can_be_repeated():
    corpus = CorpusServer().start()
    parts = urlsplit(corpus.base_url)
    corpus.stop()
    corpus.stop()
    with pytest.raises(RuntimeError):
        _ = corpus.base_url
    with pytest.raises(OSError):
        http.client.HTTPConnection(parts.hostname, parts.port, timeout=2).connect()


# --- the feeds and what EXPECTED says about them ---------------------------------------------


def links_in(server: CorpusServer, path: str, kind: str) -> tuple[list[str], object]:
    """The article links a feed lists (as paths), read with a real feed reader."""
    body = request(server, path).body
    if kind == "sitemap":
        root = etree.fromstring(body)
        urls = root.findall(f"{{{SITEMAP_NS}}}url")
        assert all(u.find(f"{{{NEWS_NS}}}news/{{{NEWS_NS}}}title") is not None for u in urls)
        links = [u.findtext(f"{{{SITEMAP_NS}}}loc") for u in urls]
        parsed = root
    elif path.endswith(".json"):  # feedparser reads no JSON Feed
        parsed = json.loads(body)
        assert parsed["version"] == "https://jsonfeed.org/version/1.1"
        assert all(item["id"] and item["title"] for item in parsed["items"])
        links = [item["url"] for item in parsed["items"]]
    else:
        parsed = feedparser.parse(body)
        links = [entry.link for entry in parsed.entries]
    assert all(link.startswith(server.base_url + "/") for link in links)
    return [link.removeprefix(server.base_url) for link in links], parsed


@pytest.mark.parametrize(("path", "kind"), FEEDS)
def test_every_feed_parses_and_lists_reachable_articles(server, path, kind):
    links, parsed = links_in(server, path, kind)
    assert links == EXPECTED["by_feed"][path]
    if path == EXPECTED["broken_feed"]:
        assert parsed.bozo
        assert len(parsed.entries) == 2
    elif isinstance(parsed, feedparser.FeedParserDict):
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert {e.get("author") for e in parsed.entries} != {None}
    for link in links:
        page = request(server, link)
        assert page.status == 200, link
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"


def test_feed_formats_are_the_six_promised(server):
    versions = {}
    for path, kind in FEEDS:
        if kind == "feed" and not path.endswith(".json"):
            versions[path] = feedparser.parse(request(server, path).body).version
    assert versions == {
        "/harbour-gazette/feed.xml": "rss20",
        "/lindenau-abendpost/atom.xml": "atom10",
        "/pol-e-khabar/feed/rdf.xml": "rss10",
        "/copperline-bulletin/rss.xml": "rss20",
    }
    assert [kind for _, kind in FEEDS].count("sitemap") == 1


def test_the_project_feed_parser_reads_every_feed(server):
    from clipdesk.sources.feeds import parse_feed

    kinds = {}
    for path, _ in FEEDS:
        r = request(server, path)
        feed = parse_feed(r.body, server.url(path), r.headers["Content-Type"])
        kinds[path] = feed.kind
        assert [e.url.removeprefix(server.base_url) for e in feed.entries] == EXPECTED["by_feed"][
            path
        ]
        assert all(e.title and e.published for e in feed.entries)
        if path == EXPECTED["broken_feed"]:
            assert any("not well-formed" in p for p in feed.problems)
        else:
            assert feed.problems == [], path
    assert sorted(kinds.values()) == ["atom", "json", "news_sitemap", "rdf", "rss", "rss"]


def test_expected_describes_the_corpus():
    matching, other = EXPECTED["matching_articles"], EXPECTED["non_matching_articles"]
    every = [p for paths in EXPECTED["by_feed"].values() for p in paths]
    assert len(every) == len(set(every)) == EXPECTED["articles"] == 20
    assert sorted(matching + other) == sorted(every)
    assert not set(matching) & set(other)
    assert set(EXPECTED["syndicated"]) <= set(matching)
    assert len({p.split("/")[1] for p in EXPECTED["syndicated"]}) == 3
    assert set(EXPECTED["false_friends"]) <= set(other)
    assert len(other) - len(EXPECTED["false_friends"]) >= 4  # plain other news
    assert EXPECTED["broken_feed"] in dict(FEEDS)
    assert len(EXPECTED["by_feed"][EXPECTED["broken_feed"]]) == 2
    for path in every:
        assert article_file(path).is_file(), path


def test_every_outlet_homepage_links_its_feed_and_articles(server):
    for path, kind in FEEDS:
        outlet = path.split("/")[1]
        home = request(server, f"/{outlet}/").text
        assert f"<title>{OUTLET_NAMES[path]}</title>" in home
        feed_url = server.url(path)
        if kind == "feed":
            assert re.search(rf'<link rel="alternate" type="[^"]+" [^>]*href="{feed_url}"', home)
        else:
            assert f'href="{feed_url}"' in home
        for article in EXPECTED["by_feed"][path]:
            assert f'href="{server.url(article)}"' in home


# --- the text of the articles ----------------------------------------------------------------


def _words(html: str) -> str:
    """Visible words of an article's body, normalised as a lenient matcher would."""
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", body).replace("&#x27;", "'").replace("&amp;", "&")
    return text.replace("\u200c", " ").replace("ي", "ی").casefold()


def _found(alias: str, text: str) -> bool:
    alias = alias.replace("ي", "ی").casefold()
    return re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text) is not None


def test_every_alias_is_used_and_no_other_article_names_the_entity():
    aliases = [a for names in WATCHLIST.values() for a in names]
    texts = {
        p: _words(article_file(p).read_text(encoding="utf-8"))
        for paths in EXPECTED["by_feed"].values()
        for p in paths
    }
    for path in EXPECTED["matching_articles"]:
        assert any(_found(a, texts[path]) for a in aliases), path
    for path in EXPECTED["non_matching_articles"]:
        assert not [a for a in aliases if _found(a, texts[path])], path
    for alias in aliases:
        assert any(_found(alias, texts[p]) for p in EXPECTED["matching_articles"]), alias
    for path, words in EXPECTED["false_friends"].items():
        for word in words.split(", "):
            assert word.casefold() in texts[path], (path, word)
    raw = "".join(article_file(p).read_text(encoding="utf-8") for p in texts)
    assert "سازمان مجاهدین\u200cخلق" in raw  # with a zero-width non-joiner
    assert "سازمان مجاهدين خلق" in raw  # with Arabic yeh


def test_pages_declare_their_language_and_direction():
    langs = {}
    for paths in EXPECTED["by_feed"].values():
        for path in paths:
            head = article_file(path).read_text(encoding="utf-8")[:200]
            found = re.search(r'<html lang="([\w-]+)"( dir="rtl")?', head)
            assert found, path
            langs[path] = found.group(1)
            assert bool(found.group(2)) == (found.group(1) in ("fa", "ar")), path
    counts = {lang: sum(v.startswith(lang) for v in langs.values()) for lang in ("en", "de")}
    counts |= {lang: list(langs.values()).count(lang) for lang in ("fr", "fa", "ar")}
    assert counts["de"] >= 2 and counts["fr"] >= 2 and counts["fa"] >= 2
    assert counts["en"] > len(langs) / 2


def test_syndicated_copies_share_the_agency_text_with_small_differences():
    bodies = [_words(article_file(p).read_text(encoding="utf-8")) for p in EXPECTED["syndicated"]]
    core = "the council, whose president-elect is maryam rajavi, has offices"
    assert all(core in b for b in bodies)
    assert len(set(bodies)) == 3


def test_a_real_extractor_finds_title_author_date_and_text(server):
    trafilatura = pytest.importorskip("trafilatura")
    from clipdesk.sources.feeds import parse_feed

    for path, _ in FEEDS:
        r = request(server, path)
        for entry in parse_feed(r.body, server.url(path), r.headers["Content-Type"]).entries:
            html = request(server, entry.url.removeprefix(server.base_url)).text
            found = trafilatura.bare_extraction(html, url=entry.url, with_metadata=True)
            where = entry.url
            # trafilatura drops zero-width non-joiners, so Persian titles lose them
            assert found.title == entry.title.replace("\u200c", ""), where
            assert found.author, where
            for name in entry.authors:
                assert name.split(",")[0] in found.author, where
            assert found.date == entry.published.date().isoformat(), where
            assert 700 < len(found.text) < 3000, where
