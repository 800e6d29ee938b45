"""The fetcher against a real loopback server: every limit, hop and refusal, end to end."""

from __future__ import annotations

import gzip
import ipaddress
import os
import pickle
import shutil
import ssl
import subprocess
import sys
import time
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clipdesk.sources.addresses import AllowList, BlockedAddress, VettingBackend
from clipdesk.sources.fetching import (
    Fetcher,
    FetchError,
    FetchPolicy,
    RobotsCache,
    backoff_seconds,
    is_public_address,
    next_check_seconds,
)
from clipdesk.sources.robots import (
    ROBOTS_PARSING_LIMIT,
    ROBOTS_RETRY,
    ROBOTS_STALE_LIMIT,
    parse_robots,
)
from tests.sources.conftest import LoopbackServer, Reply

MiB = 1024 * 1024


@pytest.fixture
def fetcher(loopback_policy: FetchPolicy):
    with Fetcher(loopback_policy) as fetcher:
        yield fetcher


def fetch_error(fetcher: Fetcher, url: str, **kwargs: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, **kwargs)
    assert str(caught.value).startswith("fetcher: ")
    return caught.value


# -- plain fetching --------------------------------------------------------------------------
def test_fetch_returns_body_headers_and_final_url(http_server: LoopbackServer, fetcher: Fetcher):
    url = http_server.route("/feed.xml", b"<rss/>", headers={"Content-Type": "application/rss+xml"})
    result = fetcher.get(url)
    assert (result.status, result.body, result.url) == (200, b"<rss/>", url)
    assert result.headers["content-type"] == "application/rss+xml"
    assert not result.not_modified and result.redirects == []
    assert result.elapsed > 0


def test_every_request_carries_a_clear_user_agent(http_server: LoopbackServer, fetcher: Fetcher):
    fetcher.get(http_server.route("/a", b"x"), accept="application/rss+xml")
    seen = http_server.requests_for("/a")[0].headers
    assert seen["user-agent"] == FetchPolicy().user_agent
    assert seen["user-agent"].startswith("clipdesk/")
    assert seen["accept"] == "application/rss+xml"


def test_gzip_and_deflate_bodies_are_decompressed(http_server: LoopbackServer, fetcher: Fetcher):
    text = b"<rss>" + b"news " * 1000 + b"</rss>"
    gz = http_server.route("/gz", gzip.compress(text), headers={"Content-Encoding": "gzip"})
    zl = http_server.route("/zl", zlib.compress(text), headers={"Content-Encoding": "deflate"})
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_body = raw.compress(text) + raw.flush()
    rd = http_server.route("/raw", raw_body, headers={"Content-Encoding": "deflate"})
    assert fetcher.get(gz).body == fetcher.get(zl).body == fetcher.get(rd).body == text


def test_unsupported_content_encoding_is_refused(http_server: LoopbackServer, fetcher: Fetcher):
    url = http_server.route("/br", b"\x8b\x00", headers={"Content-Encoding": "br"})
    assert fetch_error(fetcher, url).kind == "connection"


def test_a_body_wrapped_in_too_many_encodings_is_refused(
    http_server: LoopbackServer, fetcher: Fetcher
):
    text = b"<rss/>"
    twice = http_server.route(
        "/twice", gzip.compress(gzip.compress(text)), headers={"Content-Encoding": "gzip, gzip"}
    )
    assert fetcher.get(twice).body == text
    # Each layer adds a few bytes on the wire and, unwrapped one inside the other, a level of
    # Python's stack: a thousand of them raised RecursionError out of the fetch.
    body = text
    for _ in range(1200):
        body = gzip.compress(body, compresslevel=1)
    layers = ", ".join(["gzip"] * 1200)
    url = http_server.route("/onion", body, headers={"Content-Encoding": layers})
    err = fetch_error(fetcher, url)
    assert err.kind == "connection"
    assert f"1200 content encodings from {url}" in str(err)


def test_one_fetcher_serves_a_thread_pool(http_server: LoopbackServer, fetcher: Fetcher):
    urls = [http_server.route(f"/p{i}", f"page {i}".encode()) for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        bodies = list(pool.map(lambda u: fetcher.get(u).body, urls))
    assert bodies == [f"page {i}".encode() for i in range(24)]


# -- size cap --------------------------------------------------------------------------------
def test_gzip_bomb_is_refused_as_too_large(http_server: LoopbackServer):
    url = http_server.gzip_bomb("/bomb")  # 16 MiB inflated, over the default 10 MiB cap
    with Fetcher(FetchPolicy(allow=frozenset({"127.0.0.1"}))) as fetcher:
        err = fetch_error(fetcher, url)
    assert err.kind == "too_large"
    assert str(err).startswith(f"fetcher: response over 10 MB (10485760 bytes) from {url}")
    assert str(err).endswith("(decompressed body)")


def test_gzip_bomb_is_stopped_without_inflating_it_all(http_server: LoopbackServer):
    url = http_server.gzip_bomb("/bomb", size=64 * MiB)
    with Fetcher(FetchPolicy(allow=frozenset({"127.0.0.1"}), max_bytes=MiB)) as fetcher:
        tracemalloc.start()
        try:
            err = fetch_error(fetcher, url)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert err.kind == "too_large"
    assert peak < 4 * MiB  # the cap plus a few inflate steps, not 64 MiB


def test_body_over_the_cap_is_refused_while_streaming(http_server: LoopbackServer):
    url = http_server.handle("/big", lambda _r: Reply(body=b"x" * (MiB + 1), send_length=False))
    with Fetcher(FetchPolicy(allow=frozenset({"127.0.0.1"}), max_bytes=MiB)) as fetcher:
        err = fetch_error(fetcher, url)
    assert err.kind == "too_large"
    assert str(err).endswith("(body, as it arrived)")  # nothing was compressed


def test_declared_content_length_over_the_cap_is_refused_before_reading(
    http_server: LoopbackServer, fetcher: Fetcher
):
    url = http_server.route("/liar", b"tiny", headers={"Content-Length": str(50 * MiB)})
    err = fetch_error(fetcher, url)
    assert err.kind == "too_large"
    assert "Content-Length says 52428800 bytes" in str(err)


# -- total time limit ------------------------------------------------------------------------
def test_trickling_server_is_cut_off_at_the_deadline(http_server: LoopbackServer):
    url = http_server.slow("/drip", b"0123456789", interval=1.0)
    with Fetcher(FetchPolicy(allow=frozenset({"127.0.0.1"}), timeout=1.5)) as fetcher:
        started = time.monotonic()
        err = fetch_error(fetcher, url)
        took = time.monotonic() - started
    assert err.kind == "timeout"
    assert "within 1.5 s" in str(err)
    assert 1.4 < took < 2.5  # per-read timeouts would have let it run for 10 s


# -- redirects -------------------------------------------------------------------------------
def test_relative_redirects_are_followed_and_recorded(
    http_server: LoopbackServer, fetcher: Fetcher
):
    start = http_server.redirect("/a/start", "next")  # relative to /a/
    http_server.redirect("/a/next", "/final", status=301)
    final = http_server.route("/final", b"done")
    result = fetcher.get(start)
    assert (result.url, result.body) == (final, b"done")
    assert result.redirects == [start, http_server.url("/a/next")]


def test_more_than_max_redirects_is_refused(http_server: LoopbackServer):
    loop = http_server.redirect("/loop", "/loop")
    policy = FetchPolicy(allow=frozenset({"127.0.0.1"}), max_redirects=3)
    with Fetcher(policy) as fetcher:
        err = fetch_error(fetcher, loop)
    assert err.kind == "too_many_redirects"
    assert len(http_server.requests_for("/loop")) == 4  # the request and three redirects


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://example.org/feed",
        "gopher://x",
        # Addresses with no host: they were refused by httpx with its own words about the
        # URL that redirected ("For absolute URLs, path must be empty or begin with '/'").
        "data:text/html,<script>alert(1)</script>",
        "javascript:alert(1)",
        "mailto:desk@example.org",
    ],
)
def test_redirect_to_a_non_http_scheme_is_refused(
    http_server: LoopbackServer, fetcher: Fetcher, location: str
):
    url = http_server.redirect("/away", location)
    err = fetch_error(fetcher, url)
    assert err.kind == "bad_url"
    assert "only http and https are fetched, not " + location.split(":")[0] in str(err)
    assert f"(redirected from {url})" in str(err)


def test_a_redirect_to_an_unreadable_location_names_it_briefly(
    http_server: LoopbackServer, fetcher: Fetcher
):
    url = http_server.redirect("/long", "/" + "a" * 100_000)
    err = fetch_error(fetcher, url)
    assert err.kind == "bad_url"
    assert "fetcher: bad redirect Location '/aaa" in str(err)
    assert f"from {url}" in str(err) and len(str(err)) < 400


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "not a url",
        "http:///nohost",
        "/relative",
        "http://xn--ls8h.la/story.html",  # punycode of a name no registry allows
        "http://example.org:99999/feed",
    ],
)
def test_bad_urls_are_refused_before_any_request(fetcher: Fetcher, url: str):
    assert fetch_error(fetcher, url).kind == "bad_url"


# -- internal addresses ----------------------------------------------------------------------
def test_loopback_is_refused_unless_allowed(http_server: LoopbackServer):
    url = http_server.route("/secret", b"admin panel")
    with Fetcher() as fetcher:
        err = fetch_error(fetcher, url)
    assert err.kind == "blocked_address"
    assert "refused to connect to 127.0.0.1 (loopback address)" in str(err)
    assert http_server.requests == []


def test_neighbour_of_an_allowed_address_is_refused(http_server: LoopbackServer, fetcher: Fetcher):
    http_server.route("/", b"ok")
    assert fetcher.get(http_server.url("/")).body == b"ok"
    assert fetch_error(fetcher, http_server.url("/", host="127.0.0.2")).kind == "blocked_address"


def test_ipv6_loopback_is_refused(http_server: LoopbackServer, fetcher: Fetcher):
    for host in ("::1", "::ffff:127.0.0.1"):
        assert fetch_error(fetcher, http_server.url("/", host=host)).kind == "blocked_address"


def test_name_resolving_to_loopback_is_refused_when_only_the_ip_is_allowed(
    http_server: LoopbackServer, fetcher: Fetcher
):
    http_server.route("/", b"ok")
    err = fetch_error(fetcher, http_server.url("/", host="localhost"))
    assert err.kind == "blocked_address"
    assert "localhost: it resolves to 127.0.0.1 (loopback address)" in str(err)
    assert http_server.requests == []


def test_allowed_name_may_resolve_to_loopback(http_server: LoopbackServer):
    http_server.route("/", b"ok")
    with Fetcher(FetchPolicy(allow=frozenset({"localhost"}))) as fetcher:
        assert fetcher.get(http_server.url("/", host="localhost")).body == b"ok"


def test_allowed_host_and_port_permits_only_that_port(http_server: LoopbackServer):
    http_server.route("/", b"ok")
    exact = FetchPolicy(allow=frozenset({f"127.0.0.1:{http_server.port}"}))
    other = FetchPolicy(allow=frozenset({"127.0.0.1:1"}))
    with Fetcher(exact) as fetcher:
        assert fetcher.get(http_server.url("/")).body == b"ok"
    with Fetcher(other) as fetcher:
        assert fetch_error(fetcher, http_server.url("/")).kind == "blocked_address"


def test_redirect_from_allowed_host_to_internal_one_is_refused(
    http_server: LoopbackServer, fetcher: Fetcher
):
    hop = http_server.redirect("/hop", http_server.url("/inside", host="127.0.0.2"))
    err = fetch_error(fetcher, hop)
    assert err.kind == "blocked_address"
    assert err.url == http_server.url("/inside", host="127.0.0.2")
    assert f"redirected from {hop}" in str(err)
    # The host was the site's choice, not the editor's: no advice to open it up.
    assert "CLIPDESK_FETCH_ALLOW" not in str(err)
    assert "a redirect to an internal address is not followed" in str(err)


def test_an_internal_address_given_by_the_editor_says_how_to_allow_it(fetcher: Fetcher):
    err = fetch_error(fetcher, "http://127.0.0.2:9/feed.xml")
    assert "list the host in CLIPDESK_FETCH_ALLOW to permit it" in str(err)


@pytest.mark.parametrize(
    "typed",
    ["http://LOCALHOST:9/feed.xml", "HTTP://127.0.0.2:9/feed.xml", "http://127.0.0.2:9/a b"],
)
def test_an_address_only_respelled_by_the_fetcher_is_not_called_a_redirect(
    fetcher: Fetcher, typed: str
):
    # The host in lower case, the path's space as %20: the same address the editor gave,
    # which was said to be "redirected from" itself and denied the advice to allow it.
    err = fetch_error(fetcher, typed)
    assert err.kind == "blocked_address"
    assert "redirected" not in str(err)
    assert "list the host in CLIPDESK_FETCH_ALLOW to permit it" in str(err)


def test_address_check_happens_on_the_resolved_address_at_connect():
    backend = VettingBackend(AllowList.parse(["127.0.0.1"]))
    with pytest.raises(BlockedAddress):
        backend.connect_tcp("localhost", 80, timeout=1)
    assert backend.vetted_addresses("127.0.0.1", 80) == [ipaddress.ip_address("127.0.0.1")]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0",  # noqa: S104 - an address to classify; nothing binds to it
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1",
        "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::1", "64:ff9b::a00:1",
        "2001:db8::1", "::127.0.0.1", "fec0::1",
    ],
)  # fmt: skip
def test_internal_addresses_are_not_public(address: str):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_public(address: str):
    assert is_public_address(ipaddress.ip_address(address))


def test_allow_list_reads_hosts_ports_and_ipv6():
    allow = AllowList.parse(["127.0.0.1", "Example.org:8080", "[::1]:81", "::2", " "])
    assert allow.permits("127.0.0.1", 5) and allow.permits("example.org", 8080)
    assert allow.permits("::1", 81) and allow.permits("::2", 1)
    assert not allow.permits("example.org", 80) and not allow.permits("::1", 80)
    with pytest.raises(ValueError, match="bad port"):
        AllowList.parse(["example.org:http"])


def test_policy_from_env(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "127.0.0.1, example.org:8080,")
    monkeypatch.setenv("CLIPDESK_FETCH_MAX_BYTES", "1000")
    monkeypatch.setenv("CLIPDESK_FETCH_TIMEOUT", "2.5")
    policy = FetchPolicy.from_env()
    assert policy.allow == {"127.0.0.1", "example.org:8080"}
    assert (policy.max_bytes, policy.timeout) == (1000, 2.5)
    for nonsense in ("soon", "inf", "nan", "1e12"):  # inf overflowed the clock mid-poll
        monkeypatch.setenv("CLIPDESK_FETCH_TIMEOUT", nonsense)
        with pytest.raises(ImproperlyConfigured, match="CLIPDESK_FETCH_TIMEOUT"):
            FetchPolicy.from_env()
    monkeypatch.setenv("CLIPDESK_FETCH_TIMEOUT", "2.5")
    monkeypatch.setenv("CLIPDESK_FETCH_ALLOW", "example.org:http")
    with pytest.raises(ImproperlyConfigured, match=r"CLIPDESK_FETCH_ALLOW: .*bad port"):
        FetchPolicy.from_env()


def test_a_bad_fetch_setting_is_one_line_from_the_command(tmp_path):
    env = {**os.environ, "CLIPDESK_HOME": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "clipdesk"]
    subprocess.run([*command, "init"], env=env, capture_output=True, check=True)
    env["CLIPDESK_FETCH_MAX_BYTES"] = "1MB"
    done = subprocess.run(
        [*command, "source", "add", "http://example.org/feed"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().endswith(
        "fetcher: CLIPDESK_FETCH_MAX_BYTES must be a positive number of bytes up to 2**40 "
        "(1 TiB), not '1MB'"
    )
    assert "Traceback" not in done.stderr


# -- TLS: we dial the vetted IP, but the certificate is checked against the hostname ----------
@pytest.fixture(scope="module")
def localhost_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for the name "localhost" only (no IP in it)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [
        "openssl", "req", "-x509", "-nodes", "-days", "1", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_server(localhost_certificate: tuple[Path, Path]):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*localhost_certificate)
    server = LoopbackServer(tls=context)
    yield server
    server.close()


def test_tls_checks_the_certificate_against_the_hostname_not_the_dialled_ip(
    https_server: LoopbackServer,
    localhost_certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("SSL_CERT_FILE", str(localhost_certificate[0]))  # trust our test CA
    https_server.route("/", b"secure")
    with Fetcher(FetchPolicy(allow=frozenset({"localhost", "127.0.0.1"}))) as fetcher:
        # Connected to a vetted 127.0.0.1, verified as "localhost": the certificate's only name.
        assert fetcher.get(https_server.url("/", host="localhost")).body == b"secure"
        # The same server by IP fails verification, so the check is real.
        err = fetch_error(fetcher, https_server.url("/"))
    assert err.kind == "connection"
    assert "certificate" in str(err).lower()


# -- conditional GET and statuses ------------------------------------------------------------
def test_conditional_get_gives_not_modified_and_keeps_validators(
    http_server: LoopbackServer, fetcher: Fetcher
):
    stamp = formatdate(time.time() - 3600, usegmt=True)
    url = http_server.conditional("/feed", b"<rss/>", etag='"v1"', last_modified=stamp)
    first = fetcher.get(url)
    assert (first.etag, first.last_modified, first.body) == ('"v1"', stamp, b"<rss/>")
    again = fetcher.get(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert (again.etag, again.last_modified) == ('"v1"', stamp)  # the 304 sent only the ETag
    sent = http_server.requests_for("/feed")[-1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', stamp)


def test_last_modified_alone_gives_not_modified(http_server: LoopbackServer, fetcher: Fetcher):
    stamp = formatdate(time.time() - 3600, usegmt=True)
    url = http_server.conditional("/page", b"<html/>", last_modified=stamp)
    assert fetcher.get(url, last_modified=stamp).not_modified


def test_not_modified_to_a_request_that_was_not_conditional_is_a_fetch_error(
    http_server: LoopbackServer, fetcher: Fetcher
):
    # With nothing to compare against, a 304 has no copy to point to: taken as "unchanged",
    # its source was shown as fine, round after round, and never read once.
    err = fetch_error(fetcher, http_server.route("/feed", status=304))
    assert (err.kind, err.status) == ("http_status", 304)
    assert "no ETag or Last-Modified was sent" in str(err)


@pytest.mark.parametrize("status", [404, 410, 500])
def test_error_status_is_a_fetch_error(http_server: LoopbackServer, fetcher: Fetcher, status: int):
    err = fetch_error(fetcher, http_server.route("/gone", b"no", status=status))
    assert (err.kind, err.status, err.retry_after) == ("http_status", status, None)
    assert f"HTTP {status}" in str(err)


def test_retry_after_is_read_on_429_and_503(http_server: LoopbackServer, fetcher: Fetcher):
    slow_down = http_server.route("/429", status=429, headers={"Retry-After": "120"})
    later = formatdate(time.time() + 600, usegmt=True)
    down = http_server.route("/503", status=503, headers={"Retry-After": later})
    assert fetch_error(fetcher, slow_down).retry_after == 120.0
    assert 590 < fetch_error(fetcher, down).retry_after <= 600


def test_fetch_error_survives_pickling():
    err = FetchError("http_status", "http://x/", "fetcher: HTTP 429", status=429, retry_after=9.0)
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes, from the line above
    assert (copy.kind, copy.url, copy.status, copy.retry_after, str(copy)) == (
        "http_status", "http://x/", 429, 9.0, "fetcher: HTTP 429",
    )  # fmt: skip


# -- scheduling ------------------------------------------------------------------------------
def test_next_check_follows_max_age_within_clamps():
    assert next_check_seconds({"Cache-Control": "public, max-age=7200"}) == 7200
    assert next_check_seconds({"Cache-Control": "max-age=10"}) == 300
    assert next_check_seconds({"Cache-Control": "max-age=9999999"}) == 86400
    assert next_check_seconds({"Cache-Control": "no-cache"}, minimum=60) == 60


def test_next_check_reads_expires_from_the_servers_clock():
    date = formatdate(1_000_000_000, usegmt=True)
    expires = formatdate(1_000_000_000 + 5400, usegmt=True)
    assert next_check_seconds({"Date": date, "Expires": expires}) == 5400
    assert next_check_seconds({"Expires": "0"}) == 300  # unreadable Expires: already stale


def test_next_check_uses_feed_ttl_and_default():
    assert next_check_seconds({}) == 3600
    assert next_check_seconds({}, feed_ttl_minutes=120) == 7200
    assert next_check_seconds({"cache-control": "max-age=600"}, feed_ttl_minutes=30) == 1800
    assert next_check_seconds({}, feed_ttl_minutes=100_000) == 86400


def test_backoff_doubles_and_clamps():
    assert [backoff_seconds(n) for n in (0, 1, 2, 3, 4)] == [300, 300, 600, 1200, 2400]
    assert backoff_seconds(10) == 86400
    assert backoff_seconds(10**9) == 86400
    assert backoff_seconds(3, base=60, maximum=100) == 100


# -- robots.txt ------------------------------------------------------------------------------
def test_robots_disallow_is_respected(http_server: LoopbackServer, fetcher: Fetcher):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow: /private\n")
    robots = RobotsCache(fetcher)
    assert not robots.allowed(http_server.url("/private/page"))
    assert robots.allowed(http_server.url("/public/page"))
    assert robots.allowed(http_server.url("/robots.txt"))
    with pytest.raises(FetchError) as caught:
        robots.check(http_server.url("/private"))
    assert caught.value.kind == "robots"
    assert len(http_server.requests_for("/robots.txt")) == 1  # cached per origin


def test_robots_group_for_clipdesk_beats_the_star_group():
    body = (
        b"User-agent: *\nDisallow: /\n\n"
        b"User-agent: Googlebot\nUser-agent: ClipDesk/2.0\nDisallow: /drafts\nAllow: /drafts/ok\n"
    )
    rules = parse_robots(body)
    assert rules.allows("/news") and not rules.allows("/drafts/x")
    assert rules.allows("/drafts/ok/1")  # longest match wins


def test_robots_wildcards_and_anchor():
    rules = parse_robots(b"User-agent: *\nDisallow: /*?s=\nDisallow: /*.pdf$\nDisallow:\n")
    assert not rules.allows("/search?s=x") and not rules.allows("/a/file.pdf")
    assert rules.allows("/a/file.pdf.html") and rules.allows("/search")


def test_robots_is_read_as_far_as_rfc_9309s_parsing_limit_and_no_half_line_further():
    # Ten megabytes of rules (what the fetcher lets through) took seconds of CPU for every
    # page of the site checked against them, and a round waits for its slowest check.
    head = b"User-agent: *\nDisallow: /private\n"
    filler = b"Disallow: /archive-" + b"x" * 80 + b"\n"
    lines = head + filler * ((ROBOTS_PARSING_LIMIT - len(head)) // len(filler) - 1)
    lines += b"#" * (ROBOTS_PARSING_LIMIT - len(lines) - len(b"Disallow: /f") - 1) + b"\n"
    cut = b"Disallow: /feed-archive\n"  # the limit falls after its "/f": not read as "/f"
    rules = parse_robots(lines + cut + b"Disallow: /\n" + filler * 100_000)
    assert not rules.allows("/private/page") and not rules.allows("/archive-" + "x" * 80)
    assert rules.allows("/feed.xml") and rules.allows("/news")
    assert len(rules.rules) < ROBOTS_PARSING_LIMIT // len(filler) + 2


ROBOTS_CHECKS_IN_A_CHILD = """
import sys
from clipdesk.sources.fetching import Fetcher, FetchPolicy, RobotsCache

with Fetcher(FetchPolicy(allow=frozenset({"127.0.0.1"}))) as fetcher:
    robots = RobotsCache(fetcher)
    for url in sys.argv[1:]:
        print(robots.allowed(url))
"""


@pytest.mark.parametrize("sent", ["with a length", "without a length", "gzipped"])
def test_a_robots_txt_larger_than_the_fetch_limit_is_read_as_far_as_the_parsing_limit(
    http_server: LoopbackServer, fetcher: Fetcher, sent: str
):
    # Refused whole as too large (past the fetcher's 10 MB), the file kept its whole site out
    # as unreadable; RFC 9309 §2.5 has a crawler read the first 500 KiB at least.
    head = b"User-agent: *\nDisallow: /private\n"
    body = head + (b"#" + b"x" * 78 + b"\n") * (11 * 1024 * 1024 // 80)
    assert len(body) > fetcher.policy.max_bytes
    headers = {"Content-Type": "text/plain"}
    if sent == "gzipped":
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    http_server.handle(
        "/robots.txt",
        lambda _request: Reply(body=body, headers=headers, send_length=sent != "without a length"),
    )
    robots = RobotsCache(fetcher)
    assert robots.refusal(http_server.url("/public/page")) is None
    refusal = robots.refusal(http_server.url("/private/page"))
    assert refusal is not None and not refusal.passing, refusal


def test_a_fetch_can_read_only_the_first_bytes_of_a_body(
    http_server: LoopbackServer, fetcher: Fetcher
):
    url = http_server.route("/big", b"0123456789" * 2_000_000)  # 20 MB, past the limit
    assert fetcher.get(url, read_at_most=25).body == b"0123456789012345678901234"
    assert fetcher.get(http_server.route("/small", b"short"), read_at_most=25).body == b"short"
    with pytest.raises(FetchError) as refused:
        fetcher.get(url)
    assert refused.value.kind == "too_large"


def test_robots_hostile_wildcards_are_matched_without_backtracking(http_server: LoopbackServer):
    # Each "*" tried at every length took len(path) × len(pattern) steps per rule: rules like
    # these up to the parsing limit took most of a minute for each page of the site checked.
    hostile = b"Disallow: /*" + b"a" * 100 + b"b\n"
    lines = hostile * (ROBOTS_PARSING_LIMIT // len(hostile) - 2)
    body = b"User-agent: *\nDisallow: /private\nAllow: /*a*b$\n" + lines
    http_server.route("/robots.txt", body)
    long_path = "/" + "a" * 1000
    urls = [long_path, long_path + "b", long_path + "bc", "/private/" + "a" * 1000]
    done = subprocess.run(
        [sys.executable, "-c", ROBOTS_CHECKS_IN_A_CHILD, *map(http_server.url, urls)],
        capture_output=True,
        text=True,
        timeout=60,  # generous: the rules are checked in milliseconds, not minutes
        check=True,
    )
    # Allow: /*a*b$ is shorter than the hostile rule, which wins where both match.
    assert done.stdout.split() == ["True", "False", "False", "False"]
    assert len(http_server.requests_for("/robots.txt")) == 1


def test_robots_wildcards_agree_with_a_regular_expression():
    # The matcher must not backtrack, nor lose a match a backtracking one finds.
    cases = [
        ("/*a*b$", "/xaayb", True), ("/*a*b$", "/xaaybc", False), ("/a*", "/a", True),
        ("/*.pdf$", "/x.pdf.pdf", True), ("/a$", "/a", True), ("/a$", "/ab", False),
        ("/*ab*ab$", "/abab", True), ("/*ab*ab$", "/aba", False), ("/**b", "/b", True),
        ("/*aa$", "/aaa", True), ("/*b*", "/abc", True), ("$", "/", False),
        ("/x*$", "/x", True), ("/a*a", "/a", False),
    ]  # fmt: skip
    for pattern, path, expected in cases:
        rules = parse_robots(f"User-agent: *\nDisallow: {pattern}\n".encode())
        assert rules.allows(path) is not expected, (pattern, path)


def test_robots_empty_disallow_ends_a_group():
    rules = parse_robots(b"User-agent: clipdesk\nDisallow:\n\nUser-agent: other\nDisallow: /\n")
    assert rules.allows("/anything")


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (401, True), (403, True), (429, False), (500, False), (503, False)],
)
def test_robots_status_decides_when_there_are_no_rules(
    http_server: LoopbackServer, fetcher: Fetcher, status: int, allowed: bool
):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow: /\n", status=status)
    assert RobotsCache(fetcher).allowed(http_server.url("/page")) is allowed


def test_unreachable_robots_disallows_for_now(fetcher: Fetcher):
    robots = RobotsCache(fetcher)
    assert not robots.allowed("http://127.0.0.1:1/page")
    refusal = robots.refusal("http://127.0.0.1:1/page")
    # Said as what it is (the site does not answer), not as a rule of the site's.
    assert "robots.txt could not be read" in refusal.reason and "refused" in refusal.reason
    assert refusal.passing


def test_a_url_robots_cannot_judge_is_refused_as_no_url(fetcher: Fetcher):
    refusal = RobotsCache(fetcher).refusal("http://xn--ls8h.la/story.html")
    assert refusal.reason.startswith("fetcher: not a URL") and not refusal.passing


def test_robots_leaves_refused_addresses_to_the_fetcher(http_server: LoopbackServer):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow:\n")
    with Fetcher() as fetcher:  # loopback not allowed
        assert RobotsCache(fetcher).allowed(http_server.url("/page"))
        assert fetch_error(fetcher, http_server.url("/page")).kind == "blocked_address"


def test_robots_redirected_to_a_refused_address_keeps_the_site_out_for_now(
    http_server: LoopbackServer, fetcher: Fetcher
):
    # RFC 9309 §2.3.1.2 allows "unavailable" (allow all) only past five redirects, and that
    # as a MAY; a hop we refuse to follow is a robots.txt we could not reach (§2.3.1.4).
    http_server.redirect("/robots.txt", "http://169.254.169.254/robots.txt")
    refusal = RobotsCache(fetcher).refusal(http_server.url("/page"))
    assert refusal.passing and "could not be read" in refusal.reason
    assert "refused to connect to 169.254.169.254" in refusal.reason


def test_robots_cache_expires_after_its_ttl(http_server: LoopbackServer, fetcher: Fetcher):
    http_server.route("/robots.txt", b"User-agent: *\nDisallow:\n")
    now = [0.0]
    robots = RobotsCache(fetcher, clock=lambda: now[0])
    robots.allowed(http_server.url("/a"))
    now[0] = 3599.0
    robots.allowed(http_server.url("/b"))
    now[0] = 3601.0
    robots.allowed(http_server.url("/c"))
    assert len(http_server.requests_for("/robots.txt")) == 2


def robots_answers(http_server: LoopbackServer, statuses: list[int]) -> None:
    """Serve robots.txt (Disallow: /private) with these statuses in turn, then 200."""

    def answer(_request) -> Reply:
        status = statuses.pop(0) if statuses else 200
        return Reply(status, b"User-agent: *\nDisallow: /private\n")

    http_server.handle("/robots.txt", answer)


def test_unreadable_robots_is_asked_for_again_within_minutes(
    http_server: LoopbackServer, fetcher: Fetcher
):
    # One 503 kept the whole site out for the hour robots.txt is cached, though it was back
    # at the source's next check five minutes later.
    robots_answers(http_server, [503, 503])
    now = [0.0]
    robots = RobotsCache(fetcher, clock=lambda: now[0])
    assert robots.refusal(http_server.url("/page")).passing  # complete disallow meanwhile
    now[0] = ROBOTS_RETRY - 1
    assert not robots.allowed(http_server.url("/page"))
    assert len(http_server.requests_for("/robots.txt")) == 1  # not asked on every page
    now[0] = ROBOTS_RETRY + 1
    assert not robots.allowed(http_server.url("/page"))  # failed again: waits twice as long
    now[0] = ROBOTS_RETRY * 2
    assert not robots.allowed(http_server.url("/page"))
    assert len(http_server.requests_for("/robots.txt")) == 2
    now[0] = ROBOTS_RETRY * 4
    assert robots.allowed(http_server.url("/page"))
    assert not robots.allowed(http_server.url("/private/page"))
    assert len(http_server.requests_for("/robots.txt")) == 3
    assert backoff_seconds(1) > ROBOTS_RETRY * 4  # asked again by the source's next check


def test_robots_read_before_still_decides_while_a_new_read_fails(
    http_server: LoopbackServer, fetcher: Fetcher
):
    robots_answers(http_server, [200, 503])
    now = [0.0]
    robots = RobotsCache(fetcher, clock=lambda: now[0])
    assert robots.allowed(http_server.url("/page"))
    now[0] = 3601.0  # expired; this read fails: the copy read an hour ago still decides
    assert robots.allowed(http_server.url("/page"))
    refusal = robots.refusal(http_server.url("/private/page"))
    assert "disallowed by the site's robots.txt" in refusal.reason and not refusal.passing
    assert len(http_server.requests_for("/robots.txt")) == 2
    now[0] = read_at = 3601.0 + ROBOTS_RETRY + 1
    assert robots.allowed(http_server.url("/page"))
    assert len(http_server.requests_for("/robots.txt")) == 3  # asked again soon, read
    robots_answers(http_server, [503] * 100)
    now[0] = read_at + ROBOTS_STALE_LIMIT - 1  # failing from the hour on: the copy decides
    assert robots.allowed(http_server.url("/page"))
    now[0] = read_at + ROBOTS_STALE_LIMIT + 1  # a day past the last read: too old to go by
    assert robots.refusal(http_server.url("/page")).passing


def test_robots_sitemap_lines_are_kept_whichever_group_applies():
    body = (
        b"Sitemap: https://a.example/news.xml\n"
        b"User-agent: other\nDisallow: /\n"
        b"sitemap:https://a.example/posts.xml # posts\n"
        b"Sitemap: https://a.example/news.xml\nSitemap:\n"
    )
    rules = parse_robots(body)
    assert rules.allows("/anything")  # no group names us
    assert rules.sitemaps == ("https://a.example/news.xml", "https://a.example/posts.xml")
