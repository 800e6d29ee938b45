"""A fictional news corpus served over loopback, for `clipdesk demo` and the tests.

`corpus/` holds six invented outlets, each with its own page template and feed format (RSS 2.0,
Atom 1.0, JSON Feed 1.1, RSS 1.0/RDF, a Google News sitemap, and one deliberately malformed
RSS feed). Every outlet, journalist, spokesperson and event in it is invented; the stories
cover an Iranian opposition group under all of its spellings, plus look-alike words and
unrelated news that must not match.

Files hold the placeholder `{BASE}` wherever an absolute URL is needed; the server swaps in
its own base URL (such as `http://127.0.0.1:41234`) when it serves a text file, so the corpus
works on whatever port the operating system hands out.

    with CorpusServer() as corpus:
        for path, kind in FEEDS:
            add_source(corpus.base_url + path, kind=kind)

The server behaves like a polite, cache-friendly news site: correct content types, `ETag` and
`Last-Modified` with 304 answers to conditional requests, `Cache-Control: max-age=300`, a
`robots.txt` that allows everything, 404 for anything else, nothing outside its root.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import mimetypes
import os
import re
import socket
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
PLACEHOLDER = b"{BASE}"
CACHE_CONTROL = "max-age=300"
ROBOTS_TXT = "User-agent: *\nAllow: /\n\nSitemap: {BASE}/riverain/news-sitemap.xml\n"

# --- what the corpus holds, for the demo and the tests ---------------------------------------

# Each outlet's feed or sitemap: (path relative to the base URL, source kind).
FEEDS: list[tuple[str, str]] = [
    ("/harbour-gazette/feed.xml", "feed"),  # RSS 2.0; pages carry JSON-LD NewsArticle
    ("/lindenau-abendpost/atom.xml", "feed"),  # Atom 1.0; pages carry only <meta> tags (German)
    ("/valley-ledger/feed.json", "feed"),  # JSON Feed 1.1; byline and <time> in the body
    ("/pol-e-khabar/feed/rdf.xml", "feed"),  # RSS 1.0 (RDF); WordPress-like, Persian and Arabic
    ("/riverain/news-sitemap.xml", "sitemap"),  # Google News sitemap; minimal pages (fr/en)
    ("/copperline-bulletin/rss.xml", "feed"),  # malformed RSS 2.0; two items can be salvaged
]

# Each feed's outlet, by its feed path: a name for the source. Only the Harbour Gazette
# (JSON-LD publisher) and the Lindenauer Abendpost (og:site_name) name themselves in metadata;
# the others say who they are only in <title> and on the page, as many small sites do.
OUTLET_NAMES: dict[str, str] = {
    "/harbour-gazette/feed.xml": "The Harbour Gazette",
    "/lindenau-abendpost/atom.xml": "Lindenauer Abendpost",
    "/valley-ledger/feed.json": "The Valley Ledger",
    "/pol-e-khabar/feed/rdf.xml": "پل خبر",  # "Pol-e Khabar", the news bridge
    "/riverain/news-sitemap.xml": "Riverain Dispatch",
    "/copperline-bulletin/rss.xml": "Copperline Bulletin",
}

# The demo's watchlist: one entity under every spelling the corpus uses. The Persian name is
# given once, in its standard spelling; the corpus also writes it with a zero-width
# non-joiner (ZWNJ) instead of the space, and with Arabic yeh (ي) for Persian yeh (ی), which a
# matcher has to treat as the same name.
WATCHLIST: dict[str, list[str]] = {
    "Mojahedin-e Khalq": [
        "MEK",
        "MKO",
        "PMOI",
        "NCRI",
        "Mojahedin-e Khalq",
        "Mujahedin-e-Khalq",
        "People's Mujahedin",
        "People's Mujahedin Organization of Iran",
        "Mujahideen Khalq",
        "Rajavi",
        "Camp Ashraf",
        "Ashraf 3",
        "سازمان مجاهدین خلق",
        "منافقین",
    ],
}

_BY_FEED: dict[str, list[str]] = {
    "/harbour-gazette/feed.xml": [
        "/harbour-gazette/2025/03/winter-ferry-timetable.html",
        "/harbour-gazette/2025/03/mekong-low-water.html",
        "/harbour-gazette/2025/03/exile-council-archive.html",
        "/harbour-gazette/2025/02/ashraf-road-hearing.html",
    ],
    "/lindenau-abendpost/atom.xml": [
        "/lindenau-abendpost/lokales/stadtrat-beschliesst-radweg-uferstrasse-4752.html",
        "/lindenau-abendpost/lokales/pilgerreisen-nach-mekka-ausgebucht-4730.html",
        "/lindenau-abendpost/lokales/diskussionsabend-iranische-exilopposition-4711.html",
    ],
    "/valley-ledger/feed.json": [
        "/valley-ledger/news/library-extends-weekend-hours.html",
        "/valley-ledger/news/barn-fire-closes-route-9.html",
        "/valley-ledger/news/campus-debate-iran-policy.html",
        "/valley-ledger/news/iranian-exile-leaflet-archive.html",
    ],
    "/pol-e-khabar/feed/rdf.xml": [
        "/pol-e-khabar/2025/04/22/amman-seminar/",
        "/pol-e-khabar/2025/04/15/new-history-book/",
        "/pol-e-khabar/2025/04/08/tirana-photo-exhibition/",
    ],
    "/riverain/news-sitemap.xml": [
        "/riverain/a/20250416-market-hall-reopens.html",
        "/riverain/a/20250409-festival-grand-prix.html",
        "/riverain/a/20250402-colloque-exil-iranien.html",
        "/riverain/a/20250304-exile-leaflet-archive.html",
    ],
    "/copperline-bulletin/rss.xml": [
        "/copperline-bulletin/stories/ridge-mine-wage-deal.html",
        "/copperline-bulletin/stories/camp-ashraf-memoir.html",
    ],
}

_SYNDICATED = [
    "/harbour-gazette/2025/03/exile-council-archive.html",
    "/valley-ledger/news/iranian-exile-leaflet-archive.html",
    "/riverain/a/20250304-exile-leaflet-archive.html",
]

# Articles that name no watched entity, and the look-alike word each carries (if any).
_FALSE_FRIENDS: dict[str, str] = {
    "/harbour-gazette/2025/03/mekong-low-water.html": "Mekong",
    "/lindenau-abendpost/lokales/pilgerreisen-nach-mekka-ausgebucht-4730.html": "Mekka",
    "/valley-ledger/news/barn-fire-closes-route-9.html": "smoke, Ashrafi",
    "/riverain/a/20250409-festival-grand-prix.html": "Khalqi",
}
_OTHER_NEWS = [
    "/harbour-gazette/2025/03/winter-ferry-timetable.html",
    "/lindenau-abendpost/lokales/stadtrat-beschliesst-radweg-uferstrasse-4752.html",
    "/valley-ledger/news/library-extends-weekend-hours.html",
    "/riverain/a/20250416-market-hall-reopens.html",
    "/copperline-bulletin/stories/ridge-mine-wage-deal.html",
]
_NON_MATCHING = [*_FALSE_FRIENDS, *_OTHER_NEWS]
_ALL_ARTICLES = [path for paths in _BY_FEED.values() for path in paths]

EXPECTED: dict = {
    # article pages reachable from FEEDS, counting the broken feed's two salvageable items
    "articles": len(_ALL_ARTICLES),
    "matching_articles": [p for p in _ALL_ARTICLES if p not in _NON_MATCHING],
    "non_matching_articles": [p for p in _ALL_ARTICLES if p in _NON_MATCHING],
    # one news-agency story, published with small differences at three outlets
    "syndicated": _SYNDICATED,
    "broken_feed": "/copperline-bulletin/rss.xml",
    # extras: the article paths behind each feed (newest first, as the feeds list them), and
    # the look-alike words that a careless matcher would take for the entity
    "by_feed": _BY_FEED,
    "false_friends": _FALSE_FRIENDS,
}

# --- content types ---------------------------------------------------------------------------

TEXT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".css": "text/css",
    ".js": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
}
XML_ROOT = re.compile(rb"<(?:[\w-]+:)?(rss|feed|RDF|urlset|sitemapindex)[\s>]")
XML_TYPES = {
    b"rss": "application/rss+xml",
    b"feed": "application/atom+xml",
    b"RDF": "application/rdf+xml",
}


def content_type(path: Path, body: bytes) -> tuple[str, bool]:
    """The Content-Type to send for a file, and whether it is text (gets `{BASE}` swapped)."""
    suffix = path.suffix.lower()
    mime = TEXT_TYPES.get(suffix)
    if mime is None:
        guessed, _ = mimetypes.guess_type(path.name)
        return guessed or "application/octet-stream", False
    if suffix == ".xml":
        found = XML_ROOT.search(body, 0, 2048)
        if found:
            mime = XML_TYPES.get(found.group(1), mime)
    elif suffix == ".json" and b"jsonfeed.org/version/" in body[:2048]:
        mime = "application/feed+json"
    return f"{mime}; charset=utf-8", True


# --- the server ------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    root: Path
    base_url: str
    started: float

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-answer is routine here; stay quiet about it.
        logger.debug("corpus server: error answering %s", client_address, exc_info=True)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "clipdesk-corpus/1"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection does not hold a thread for ever

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args) -> None:
        logger.debug("corpus server: " + format, *args)

    # ---

    def _answer(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/robots.txt":
            body = ROBOTS_TXT.encode().replace(PLACEHOLDER, self.server.base_url.encode())
            self._send_file(body, "text/plain; charset=utf-8", self.server.started, send_body)
            return
        found = self._resolve(path)
        if found is None:
            self._send_plain(HTTPStatus.NOT_FOUND, "Not found\n", send_body)
            return
        if found == "redirect":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            body = found.read_bytes()
            mtime = found.stat().st_mtime
        except OSError:
            self._send_plain(HTTPStatus.NOT_FOUND, "Not found\n", send_body)
            return
        mime, is_text = content_type(found, body)
        if is_text:
            body = body.replace(PLACEHOLDER, self.server.base_url.encode())
        self._send_file(body, mime, mtime, send_body)

    def _resolve(self, path: str) -> Path | str | None:
        """The file a URL path names inside the root; "redirect" for a directory without "/"."""
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") for p in parts):
            return None
        root = self.server.root
        try:
            target = root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not target.is_relative_to(root):  # e.g. a symbolic link that leads out
            return None
        if target.is_dir():
            if not path.endswith("/"):
                return "redirect" if (target / "index.html").is_file() else None
            target = target / "index.html"
        elif path.endswith("/"):  # a file is not a directory
            return None
        return target if target.is_file() else None

    def _send_file(self, body: bytes, mime: str, mtime: float, send_body: bool) -> None:
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        if self._not_modified(etag, int(mtime)):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._send_validators(etag, last_modified)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self._send_validators(etag, last_modified)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_validators(self, etag: str, last_modified: str) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", CACHE_CONTROL)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since:
            return False
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return mtime <= since.timestamp()

    def _send_plain(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


class CorpusServer:
    """The corpus on a loopback HTTP server, run in a daemon thread; a context manager."""

    def __init__(self, root: Path = CORPUS_DIR, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._owner_pid = 0  # the process whose thread serves; a forked child has no such thread

    def start(self) -> CorpusServer:
        if self._httpd is not None:
            return self
        server_class = _Server6 if ":" in self.host else _Server
        httpd = server_class((self.host, self.port), _Handler)
        httpd.root = self.root
        httpd.started = time.time()
        self.port = httpd.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        httpd.base_url = f"http://{host}:{self.port}"
        self._httpd = httpd
        self._owner_pid = os.getpid()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"corpus-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        """`http://host:port`, without a trailing slash: FEEDS paths are appended to it."""
        if self._httpd is None:
            raise RuntimeError("the corpus server is not running; call start() first")
        return self._httpd.base_url

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        if os.getpid() != self._owner_pid:
            # A forked child (a server worker) holds a copy of the socket but not the serving
            # thread: shutdown() would wait for that thread for ever. Close the copy only.
            httpd.server_close()
            return
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> CorpusServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
