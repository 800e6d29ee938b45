"""A real HTTP server on 127.0.0.1 for anything that fetches: no mocked clients.

``http_server`` is one threaded http.server per test session, on a free port, with the routes
cleared before each test. Register what a test needs and fetch ``http_server.url(path)``::

    http_server.route("/feed.xml", body, headers={"Content-Type": "application/rss+xml"})
    http_server.redirect("/old", "/feed.xml", status=301)
    http_server.gzip_bomb("/bomb")                   # 16 MiB of zeros, ~16 kB on the wire
    http_server.slow("/drip", b"abc", interval=1.0)  # one byte a second
    http_server.conditional("/feed", body, etag='"v1"', last_modified="...")  # answers 304
    http_server.handle("/custom", lambda request: Reply(status=418))

``http_server.requests`` lists what arrived (method, path, lower-cased headers), so a test can
prove that a refused fetch never reached the server. The fetcher refuses loopback addresses
unless allowed, so fetch with ``loopback_policy`` (which allows exactly 127.0.0.1).

Tests outside tests/sources can use the fixtures with
``from tests.sources.conftest import http_server, http_server_session, loopback_policy``.
"""

from __future__ import annotations

import gzip
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clipdesk.sources.fetching import FetchPolicy


@dataclass
class Reply:
    """What a route answers. ``interval`` > 0 trickles the body one byte per interval."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    interval: float = 0.0
    send_length: bool = True  # False: no Content-Length; the body ends when the socket closes


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""


Handler = Callable[[SeenRequest], Reply]


class LoopbackServer:
    """Routes and a request log, served by a ThreadingHTTPServer bound to 127.0.0.1."""

    host = "127.0.0.1"

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """``tls``: a server-side SSLContext to serve https instead of http."""
        self.routes: dict[str, Handler] = {}
        self.requests: list[SeenRequest] = []
        self.scheme = "https" if tls else "http"
        self._lock = threading.Lock()
        self._httpd = _Server((self.host, 0), _RequestHandler)
        self._httpd.loopback = self
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        """The URL of ``path``; ``host`` swaps the address (e.g. "localhost", "127.0.0.2")."""
        host = host or self.host
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.port}{path}"

    def reset(self) -> None:
        with self._lock:
            self.routes.clear()
            self.requests.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- registering routes: each returns the route's URL ---------------------------------
    def handle(self, path: str, handler: Handler) -> str:
        """Answer ``path`` (query string included if given) with ``handler(request)``."""
        with self._lock:
            self.routes[path] = handler
        return self.url(path)

    def route(
        self, path: str, body: bytes = b"", *, status: int = 200, headers: dict | None = None
    ) -> str:
        """Static bytes; a Content-Length in ``headers`` is sent as given (it may lie)."""
        return self.handle(path, lambda _request: Reply(status, body, dict(headers or {})))

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.route(path, status=status, headers={"Location": location})

    def gzip_bomb(self, path: str, *, size: int = 16 * 1024 * 1024) -> str:
        """``size`` bytes of zeros, gzipped (about 1000:1), served as Content-Encoding: gzip."""
        payload = gzip.compress(bytes(size), compresslevel=9)
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"}
        return self.route(path, payload, headers=headers)

    def slow(self, path: str, body: bytes, *, interval: float = 1.0) -> str:
        """Send the headers at once, then one byte of ``body`` every ``interval`` seconds."""
        return self.handle(path, lambda _request: Reply(body=body, interval=interval))

    def conditional(
        self,
        path: str,
        body: bytes,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict | None = None,
    ) -> str:
        """Answer 304 (with the ETag only) when the request's validators still match."""

        def answer(request: SeenRequest) -> Reply:
            if _not_modified(request.headers, etag, last_modified):
                return Reply(304, headers={"ETag": etag} if etag else {})
            validators = {"ETag": etag, "Last-Modified": last_modified}
            extra = {k: v for k, v in validators.items() if v}
            return Reply(200, body, {**extra, **(headers or {})})

        return self.handle(path, answer)

    def requests_for(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    def _find(self, path: str) -> Handler | None:
        with self._lock:
            return self.routes.get(path) or self.routes.get(path.split("?", 1)[0])

    def _record(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _not_modified(headers: dict[str, str], etag: str | None, last_modified: str | None) -> bool:
    if "if-none-match" in headers:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = [t.strip() for t in headers["if-none-match"].split(",")]
        return etag is not None and (etag in tags or "*" in tags)
    since = headers.get("if-modified-since")
    if not (since and last_modified):
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow handler must not hold up the end of the session
    loopback: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up mid-response (a fetcher refusing a body) are the point of many
        # tests, not server errors; anything else still prints its traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so the fetcher's connection pool is exercised

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log is LoopbackServer.requests; stderr noise helps nobody

    def _serve(self) -> None:
        server = self.server.loopback  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        request = SeenRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        server._record(request)
        handler = server._find(self.path)
        reply = handler(request) if handler else Reply(404, b"not found")
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (as a fetcher should, sometimes)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        given = {k.lower() for k in reply.headers}
        for name, value in reply.headers.items():
            self.send_header(name, value)
        has_body = self.command != "HEAD" and reply.status not in (204, 304)
        if "content-length" in given or not reply.send_length:
            self.close_connection = True  # the length may be a lie: never reuse this socket
            self.send_header("Connection", "close")
        elif has_body or self.command == "HEAD":
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not has_body:
            return
        if reply.interval <= 0:
            self.wfile.write(reply.body)
            return
        for i in range(len(reply.body)):
            self.wfile.write(reply.body[i : i + 1])
            self.wfile.flush()
            time.sleep(reply.interval)


@pytest.fixture(scope="session")
def http_server_session() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.close()


@pytest.fixture
def http_server(http_server_session: LoopbackServer) -> LoopbackServer:
    """The session's loopback server, with no routes and an empty request log."""
    http_server_session.reset()
    return http_server_session


@pytest.fixture
def server(monkeypatch) -> Iterator[LoopbackServer]:
    """A loopback server of its own that the commands' fetcher may reach (as the tests and
    the demo allow 127.0.0.1 in CLIPDESK_FETCH_ALLOW)."""
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "127.0.0.1")
    loopback = LoopbackServer()
    yield loopback
    loopback.close()


@pytest.fixture
def loopback_policy() -> FetchPolicy:
    """A FetchPolicy that may reach 127.0.0.1 (and nothing else internal), with short limits."""
    return FetchPolicy(allow=frozenset({"127.0.0.1"}), timeout=5.0)
