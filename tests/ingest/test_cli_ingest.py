"""The editor's path from the command line, on a fresh instance and a loopback server."""

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from warcio.archiveiterator import ArchiveIterator

from clipdesk.demo.corpus_server import EXPECTED, WATCHLIST, CorpusServer
from tests.cli import clipdesk as run_clipdesk
from tests.conftest import SHARED, skip_or_fail


def clipdesk(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return run_clipdesk(home, *args, check=check, CLIPDESK_FETCH_ALLOW="127.0.0.1")


def test_source_add_watch_add_poll_on_a_fresh_instance(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init", "--site-name", "Harbour Watch")
    with CorpusServer() as corpus:
        # A homepage: its feed is found through <link rel="alternate">.
        added = clipdesk(home, "source", "add", corpus.url("/harbour-gazette/"))
        assert "found the feed" in added.stdout and "feed.xml" in added.stdout
        sitemap = clipdesk(home, "source", "add", corpus.url("/riverain/news-sitemap.xml"))
        assert sitemap.stdout.rstrip().endswith("(sitemap): found a Google News sitemap")
        rss = clipdesk(home, "source", "add", corpus.url("/copperline-bulletin/rss.xml"))
        assert rss.stdout.rstrip().endswith("(feed): found an RSS feed")
        ((name, aliases),) = WATCHLIST.items()
        clipdesk(home, "watch", "add", name, *[f"--alias={a}" for a in aliases])
        summary = json.loads(clipdesk(home, "poll", "--once", "--json").stdout)
    assert summary["sources_polled"] == 3 and summary["failed"] == []
    expected = sum(
        len(EXPECTED["by_feed"][feed])
        for feed in ("/harbour-gazette/feed.xml", "/riverain/news-sitemap.xml",
                     "/copperline-bulletin/rss.xml")
    )  # fmt: skip
    assert summary["articles_new"] == expected
    articles = json.loads(clipdesk(home, "articles", "--json").stdout)
    assert len(articles) == expected
    assert all(a["snapshot"] for a in articles)
    matched = json.loads(clipdesk(home, "articles", "--matched", "--json").stdout)
    assert 0 < len(matched) < len(articles)
    assert all(a["entities"] == [name] for a in matched)
    sources = json.loads(clipdesk(home, "source", "list", "--json").stdout)
    broken = next(s for s in sources if "copperline" in s["url"])
    assert broken["problems"] and broken["last_success"]
    # Each day's WARC file begins with the one record saying what wrote it, and for whom.
    days = sorted((home / "snapshots").glob("*.warc.gz"))
    assert days
    for day in days:
        with open(day, "rb") as fh:
            records = [(r.rec_type, r.content_stream().read()) for r in ArchiveIterator(fh)]
        kinds = [kind for kind, _ in records]
        assert kinds[:2] == ["warcinfo", "response"] and kinds.count("warcinfo") == 1
        info = records[0][1].decode()
        assert "operator: Harbour Watch\r\n" in info and "robots: obey\r\n" in info


def test_hostile_sources_are_refused_with_reasons_and_the_rest_still_polls(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url("/harbour-gazette/feed.xml"), "--kind=feed")
        near = corpus.url("/valley-ledger/feed.json").replace("127.0.0.1", "127.0.0.2")
        clipdesk(home, "source", "add", near, "--kind=feed")
        clipdesk(home, "source", "add", corpus.url("/no/such/feed.xml"), "--kind=feed")
        summary = json.loads(clipdesk(home, "poll", "--once", "--json").stdout)
    reasons = {f["url"]: f["reason"] for f in summary["failed"]}
    assert len(reasons) == 2
    assert "127.0.0.2" in next(r for u, r in reasons.items() if "127.0.0.2" in u)
    assert "404" in next(r for u, r in reasons.items() if "no/such" in u)
    assert summary["articles_new"] == len(EXPECTED["by_feed"]["/harbour-gazette/feed.xml"])


def test_source_add_refuses_an_internal_address_with_a_clear_message(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = clipdesk(home, "source", "add", "http://10.0.0.1/feed.xml", check=False)
    assert result.returncode == 2
    assert "10.0.0.1" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://a.example/feed", "is not an http(s) URL"),
        ("http://", "names no host"),
        ("https:///feed.xml", "names no host"),
        ("http://[::1/feed", "is not a valid URL"),
    ],
)
@pytest.mark.parametrize("kind", [None, "feed"])
def test_source_add_refuses_an_address_that_cannot_be_polled(tmp_path, url, reason, kind):
    """With a kind nothing is fetched first, so the address itself must be checked."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    args = ["source", "add", url] + ([f"--kind={kind}"] if kind else [])
    result = clipdesk(home, *args, check=False)
    assert result.returncode == 2
    assert reason in result.stderr and "Traceback" not in result.stderr
    assert clipdesk(home, "source", "list", "--json").stdout.strip() == "[]"


@pytest.fixture
def real_pages_server():
    pages_dir = SHARED / "data" / "trafilatura" / "html"
    if not pages_dir.is_dir():
        skip_or_fail("../shared/data/trafilatura is absent")
    pages = {f"/a/{p.name}": p.read_bytes() for p in sorted(pages_dir.glob("*.html"))}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            path = unquote(self.path)
            if path == "/feed.xml":
                items = "".join(
                    f"<item><title>Page {i}</title><link>{base}{p}</link></item>"
                    for i, p in enumerate(pages)
                )
                body = f'<rss version="2.0"><channel><title>Real</title>{items}</channel></rss>'
                body, kind = body.encode(), "application/rss+xml"
            elif path in pages:
                body, kind = pages[path], "text/html"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", len(pages)
    server.shutdown()


def test_real_pages_are_all_stored_with_snapshots(tmp_path, real_pages_server):
    base, count = real_pages_server
    home = tmp_path / "home"
    clipdesk(home, "init")
    clipdesk(home, "source", "add", f"{base}/feed.xml", "--kind=feed")
    summary = json.loads(clipdesk(home, "poll", "--once", "--json").stdout)
    assert summary["entries_seen"] == count
    assert summary["pages_failed"] == []
    articles = json.loads(clipdesk(home, "articles", "--json").stdout)
    # Pages whose text is identical are one article; every page is accounted for.
    assert summary["articles_new"] == len(articles) >= count - 2
    assert all(a["snapshot"] and a["title"] for a in articles)
