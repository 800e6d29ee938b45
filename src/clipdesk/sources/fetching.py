"""The fetcher: one GET of a feed or page, treating every byte from the network as hostile.

What a fetch guarantees, whatever the server does:

1. It only speaks http(s), and never to an internal address (see addresses.py: vetted on the
   resolved IP at connect time, again after every redirect, unless CLIPDESK_FETCH_ALLOW says so).
2. It ends by ``policy.timeout`` seconds in total — connect, redirects and the whole body.
3. It never holds more than ``policy.max_bytes`` of *decompressed* body: gzip is inflated in
   bounded steps, so a bomb is refused after max_bytes, not after it filled the memory.
4. It follows at most ``policy.max_redirects`` redirects, itself, checking each hop.
5. Every failure is one FetchError whose ``kind`` says which guarantee (or the server) stopped it.

Politeness lives in robots.py and is re-exported here: RobotsCache (may we fetch this path?)
and the schedule (next_check_seconds, backoff_seconds: when do we come back?).
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, CookiePolicy
from itertools import chain
from typing import Literal

import httpcore
import httpx
from django.core.exceptions import ImproperlyConfigured

from clipdesk.sources.addresses import (
    AllowList,
    BlockedAddress,
    VettedTransport,
    VettingBackend,
    deadline,
    is_public_address,
)
from clipdesk.sources.robots import (
    RobotsCache,
    backoff_seconds,
    next_check_seconds,
    retry_after_seconds,
)

__all__ = [
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "RobotsCache",
    "backoff_seconds",
    "is_public_address",
    "next_check_seconds",
]

FetchErrorKind = Literal[
    "blocked_address",
    "too_large",
    "timeout",
    "too_many_redirects",
    "http_status",
    "connection",
    "bad_url",
    "robots",
]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
_INFLATE_STEP = 64 * 1024  # most decompressed bytes produced per step, so the cap bites early
# Most Content-Encoding layers unwrapped: real servers send one. Each costs a few bytes on the
# wire and a level of the stack to unwrap, and a thousand of them overflowed it.
_MOST_ENCODINGS = 4
# A redirect's Location, kept out of httpx's sight (see _hide_location).
_LOCATION = "clipdesk.location"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for every fetch; from_env() is how the running site configures them."""

    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 20.0
    max_redirects: int = 5
    allow: frozenset[str] = frozenset()
    user_agent: str = "clipdesk/0.1 (+https://github.com/clipdesk; press-clipping desk)"

    @classmethod
    def from_env(cls) -> FetchPolicy:
        """Read CLIPDESK_FETCH_ALLOW (comma-separated), _MAX_BYTES and _TIMEOUT; blank = default."""
        env = os.environ
        allow = frozenset(h.strip() for h in env.get("CLIPDESK_FETCH_ALLOW", "").split(","))
        try:
            AllowList.parse(allow)  # a bad entry should fail at start-up, not at the first fetch
        except ValueError as exc:
            raise ImproperlyConfigured(f"fetcher: CLIPDESK_FETCH_ALLOW: {exc}") from exc
        kwargs: dict[str, object] = {"allow": allow - {""}}
        # The largest values taken: a limit past them is none (and "inf" or 1e12 seconds
        # overflowed the clock's arithmetic in the middle of a poll).
        for name, key, kind, largest, said in (
            ("CLIPDESK_FETCH_MAX_BYTES", "max_bytes", int, 2**40, "bytes up to 2**40 (1 TiB)"),
            ("CLIPDESK_FETCH_TIMEOUT", "timeout", float, 86400.0, "seconds up to 86400 (a day)"),
        ):
            raw = env.get(name, "").strip()
            if not raw:
                continue
            try:
                value = kind(raw)
            except ValueError:
                value = 0
            if not 0 < value <= largest:
                # ImproperlyConfigured: `clipdesk` says it in one line (exit 2), no traceback.
                raise ImproperlyConfigured(
                    f"fetcher: {name} must be a positive number of {said}, not {raw!r}"
                )
            kwargs[key] = value
        return cls(**kwargs)  # type: ignore[arg-type]


@dataclass
class FetchResult:
    """A response that passed every check; ``body`` is decompressed and b"" for a 304."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    not_modified: bool
    etag: str | None
    last_modified: str | None
    elapsed: float
    redirects: list[str] = field(default_factory=list)  # each URL that answered with a redirect
    redirect_statuses: list[int] = field(default_factory=list)  # what each of them answered

    @property
    def moved_permanently(self) -> bool:
        """Whether every redirect on the way was permanent (301, 308), so that ``url`` is the
        address the first one asked to be used from now on; a temporary one (302, 307)
        anywhere in the chain says the old address stays."""
        return bool(self.redirect_statuses) and all(
            status in PERMANENT_REDIRECTS for status in self.redirect_statuses
        )


class FetchError(Exception):
    """Why a fetch stopped; ``str(err)`` is a sentence naming the stage ("fetcher: …")."""

    def __init__(
        self,
        kind: FetchErrorKind,
        url: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword arguments survive pickling (task results, process pools).
        state = {"status": self.status, "retry_after": self.retry_after}
        return (self.__class__, (self.kind, self.url, str(self)), state)


class _NoCookies(CookiePolicy):
    """Feeds need no cookies, and one server's cookies must never reach another's request."""

    netscape = True
    rfc2965 = hide_cookie2 = False

    def set_ok(self, cookie: object, request: object) -> bool:
        return False

    def return_ok(self, cookie: object, request: object) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: object) -> bool:
        return False

    def path_return_ok(self, path: str, request: object) -> bool:
        return False


class Fetcher:
    """GETs URLs under a FetchPolicy; one pooled client, safe to share between threads."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        self._client = httpx.Client(
            transport=VettedTransport(VettingBackend(AllowList.parse(self.policy.allow))),
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            cookies=CookieJar(policy=_NoCookies()),
            follow_redirects=False,
            event_hooks={"response": [_hide_location]},
            trust_env=False,  # a proxy from the environment would dodge the address checks
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        read_at_most: int | None = None,
    ) -> FetchResult:
        """Fetch ``url``; pass the stored validators to get a cheap 304 when nothing changed.

        ``read_at_most``: keep only the body's first that many bytes (decompressed) and stop
        reading there, where a longer body would be refused as too large: for a file of which
        only the beginning counts (robots.txt, RFC 9309 §2.5)."""
        started = time.monotonic()
        headers = {"Accept": accept or "*/*"}
        if etag and etag.isprintable():
            headers["If-None-Match"] = etag
        if last_modified and last_modified.isprintable():
            headers["If-Modified-Since"] = last_modified
        conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
        current = checked_url(url)
        redirects: list[str] = []
        statuses: list[int] = []
        with deadline(started + self.policy.timeout):
            while True:
                # Until a redirect, the address is the editor's, only respelled by parsing
                # (host in lower case, a space as %20): not "redirected from" what they typed.
                with self._errors(str(current), url if redirects else str(current), started):
                    left = started + self.policy.timeout - time.monotonic()
                    request = self._client.build_request("GET", current, headers=headers)
                    request.extensions["timeout"] = httpx.Timeout(max(left, 0.0)).as_dict()
                    response = self._client.send(request, stream=True)
                    try:
                        status = response.status_code
                        location = response.extensions.get(_LOCATION)
                        if status not in _REDIRECTS or not location:
                            if status == 304 and conditional:
                                body = b""
                            else:  # an unasked-for 304 is refused there, as an error
                                body = self._body(response, str(current), read_at_most)
                            break
                    finally:
                        response.close()
                redirects.append(str(current))
                statuses.append(status)
                if len(redirects) > self.policy.max_redirects:
                    raise FetchError(
                        "too_many_redirects",
                        str(current),
                        f"fetcher: more than {self.policy.max_redirects} redirects "
                        f"from {_via(str(current), url)}",
                    )
                current = checked_url(_join(current, location, url), url)
        result = _result(response, str(current), body, etag, last_modified, redirects, started)
        result.redirect_statuses = statuses
        return result

    @contextmanager
    def _errors(self, url: str, original: str, started: float) -> Iterator[None]:
        """Turn what httpx, httpcore and the backend raise into one FetchError per stage."""
        where = _via(url, original)
        try:
            yield
        except FetchError:
            raise
        except BlockedAddress as exc:
            # The way out is for an address the editor gave; one a site redirected to was the
            # site's choice (a cloud's metadata address, say), and advising to allow it would
            # open the door the check keeps shut.
            advice = (
                "list the host in CLIPDESK_FETCH_ALLOW to permit it"
                if url == original
                else "a redirect to an internal address is not followed"
            )
            raise FetchError("blocked_address", url, f"{exc}, fetching {where}; {advice}") from exc
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            raise FetchError(
                "timeout",
                url,
                f"fetcher: no complete response within {self.policy.timeout:g} s "
                f"(gave up after {time.monotonic() - started:.1f} s) from {where}",
            ) from exc
        except (httpx.UnsupportedProtocol, httpcore.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise FetchError("bad_url", url, f"fetcher: cannot request {where}: {exc}") from exc
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
            reason = str(exc).removeprefix("fetcher: ") or type(exc).__name__
            raise FetchError(
                "connection", url, f"fetcher: connection failed for {where}: {reason}"
            ) from exc

    def _body(self, response: httpx.Response, url: str, read_at_most: int | None = None) -> bytes:
        """Read and inflate the body, refusing it as soon as it exceeds the cap; with
        ``read_at_most``, its first that many bytes instead, never refused for its size."""
        status = response.status_code
        if status >= 300:
            retry_after = retry_after_seconds(response.headers) if status in (429, 503) else None
            # A 304 here answered a request with no validator: there is no copy it can mean,
            # and taken as "unchanged" its source showed as fine while never read once.
            unasked = ", though no ETag or Last-Modified was sent" if status == 304 else ""
            raise FetchError(
                "http_status",
                url,
                f"fetcher: HTTP {status} {response.reason_phrase} from {url}{unasked}",
                status=status,
                retry_after=retry_after,
            )
        cap = self.policy.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if read_at_most is None and declared.isdigit() and int(declared) > cap:
            raise _too_large(url, cap, f"Content-Length says {int(declared)} bytes")
        decoders = _decoders(response.headers.get("content-encoding", ""), url)
        body = bytearray()
        try:
            for chunk in chain(response.iter_raw(), [None]):  # None: the end, flush inflaters
                for piece in _inflate(decoders, chunk or b"", final=chunk is None):
                    body += piece
                    if read_at_most is not None and len(body) >= read_at_most:
                        # The rest is not read (closing the response drops the connection).
                        return bytes(body[:read_at_most])
                    if len(body) > cap:
                        what = "decompressed body" if decoders else "body, as it arrived"
                        raise _too_large(url, cap, what)
        except zlib.error as exc:
            raise FetchError(
                "connection", url, f"fetcher: corrupt compressed body from {url}: {exc}"
            ) from exc
        return bytes(body)


class _Inflater:
    """One gzip or deflate layer, inflated at most _INFLATE_STEP bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding != "deflate"
        self._obj: zlib._Decompress | None = None
        self._members = 0

    def _start(self, data: bytes) -> zlib._Decompress:
        if self._gzip:
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" should be zlib-wrapped, but some servers send a raw deflate stream.
        wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and int.from_bytes(data[:2]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            if self._obj is None:
                if self._members and not self._gzip:
                    return  # bytes after a complete deflate stream: ignored
                self._obj = self._start(data)
            try:
                out = self._obj.decompress(data, _INFLATE_STEP)
            except zlib.error:
                if self._members:
                    return  # padding after a complete gzip member: ignored, as browsers do
                raise
            if out:
                yield out
            data = self._obj.unconsumed_tail
            if self._obj.eof:  # a gzip body may hold several members
                data, self._obj = self._obj.unused_data, None
                self._members += 1

    def finish(self) -> Iterator[bytes]:
        if self._obj is not None:
            yield self._obj.flush()


def _decoders(header: str, url: str) -> list[_Inflater]:
    """Inflaters for Content-Encoding, innermost last (they were applied in header order)."""
    names = [n.strip().lower() for n in header.split(",") if n.strip()]
    names = [name for name in names if name != "identity"]
    if len(names) > _MOST_ENCODINGS:
        raise FetchError(
            "connection",
            url,
            f"fetcher: refused {len(names)} content encodings from {url} "
            f"(at most {_MOST_ENCODINGS} are unwrapped)",
        )
    decoders = []
    for name in reversed(names):
        if name not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(
                "connection", url, f"fetcher: unsupported Content-Encoding {name!r} from {url}"
            )
        decoders.append(_Inflater(name))
    return decoders


def _inflate(decoders: list[_Inflater], data: bytes, *, final: bool = False) -> Iterator[bytes]:
    if not decoders:
        if data:
            yield data
        return
    head, tail = decoders[0], decoders[1:]
    for piece in head.feed(data):
        yield from _inflate(tail, piece)
    if final:
        for piece in head.finish():
            yield from _inflate(tail, piece)
        yield from _inflate(tail, b"", final=True)


def _hide_location(response: httpx.Response) -> None:
    """Move a redirect's Location where httpx does not look (a response hook, run before it
    does). Even with redirects not followed, httpx builds the next request from it and
    raises its own error for one it cannot (``data:``, ``javascript:``, one too long), which
    named the redirecting URL, not the address; the fetcher checks every hop itself."""
    if response.status_code in _REDIRECTS and "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def _too_large(url: str, cap: int, detail: str) -> FetchError:
    return FetchError(
        "too_large",
        url,
        f"fetcher: response over {cap / 2**20:.3g} MB ({cap} bytes) from {url} ({detail})",
    )


def _via(url: str, original: str) -> str:
    return url if url == original else f"{url} (redirected from {original})"


def checked_url(candidate: str, original: str | None = None) -> httpx.URL:
    """Parse a URL we are about to request; only http(s) with a plain host gets through
    (raises FetchError, kind "bad_url", saying why)."""
    try:
        parsed = httpx.URL(candidate)
        host = parsed.host  # decodes an IDNA name: idna's errors are ValueErrors
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(
            "bad_url",
            str(candidate),
            f"fetcher: not a URL: {_via(str(candidate), original or str(candidate))}",
        ) from exc
    where = _via(str(parsed), original or str(parsed))
    if parsed.scheme not in ("http", "https"):
        scheme = parsed.scheme or "a relative URL"
        raise FetchError(
            "bad_url",
            str(parsed),
            f"fetcher: only http and https are fetched, not {scheme}: {where}",
        )
    if not host or any(c in host for c in "% \t\r\n"):
        raise FetchError("bad_url", str(parsed), f"fetcher: no usable host in {where}")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise FetchError("bad_url", str(parsed), f"fetcher: no such port in {where}")
    return parsed


def _join(current: httpx.URL, location: str, original: str) -> str:
    try:
        return str(current.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(
            "bad_url",
            str(current),
            f"fetcher: bad redirect Location {_shortened(location)!r} "
            f"from {_via(str(current), original)}",
        ) from exc


def _shortened(text: str, most: int = 100) -> str:
    """``text`` cut to ``most`` characters, for a message quoting what a server sent."""
    return text if len(text) <= most else text[: most - 1] + "…"


def _result(
    response: httpx.Response,
    url: str,
    body: bytes,
    etag: str | None,
    last_modified: str | None,
    redirects: list[str],
    started: float,
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    not_modified = response.status_code == 304
    return FetchResult(
        url=url,
        status=response.status_code,
        headers=headers,
        body=body,
        not_modified=not_modified,
        # A 304 need not repeat the validators; the ones we sent are still the current ones.
        etag=headers.get("etag") or (etag if not_modified else None),
        last_modified=headers.get("last-modified") or (last_modified if not_modified else None),
        elapsed=time.monotonic() - started,
        redirects=redirects,
    )
