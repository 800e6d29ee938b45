"""Being a polite crawler: robots.txt says *whether* we may fetch, the schedule says *when*.

robots.txt follows RFC 9309: the group naming our product token ("clipdesk") wins, else the
``*`` group; the longest matching rule decides, Allow winning a tie; ``*`` and ``$`` work as
wildcards. A 4xx robots.txt means "no rules" (allow all), a 5xx, a 429 or no answer means
"assume everything is disallowed for now". Rules are cached per origin for an hour; a robots.txt
that could not be read is asked for again within minutes (ROBOTS_RETRY, doubling while it keeps
failing), and meanwhile the copy last read, if under a day old, still decides. An origin
the fetcher refuses to connect to gets no verdict here (allowed): the page fetch is refused
for the same reason, and its error says so instead of blaming robots.txt.

The schedule (next_check_seconds, backoff_seconds) turns the server's caching headers, the
feed's <ttl> and our own failures into a clamped wait. Both are re-exported by fetching.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote

import httpx

if TYPE_CHECKING:
    from clipdesk.sources.fetching import Fetcher

PRODUCT_TOKEN = "clipdesk"  # noqa: S105 - RFC 9309's name for a crawler's user-agent, not a secret
ROBOTS_TTL = 3600.0  # seconds; RFC 9309 asks crawlers not to cache robots.txt beyond 24 hours
# RFC 9309 §2.5: a crawler may stop reading robots.txt past a limit of at least 500 KiB. Read
# whole (the fetcher lets 10 MB through), a site's rules took seconds of CPU for every one of
# its pages checked against them, and the round waited for each check.
ROBOTS_PARSING_LIMIT = 500 * 1024
# A robots.txt that could not be read (a 5xx, no answer) kept its whole site out for ROBOTS_TTL,
# though the site was back a minute later and its sources were retried after five. It is asked
# for again after this, twice as long after each failure in a row, never longer than the TTL:
# at a source's next check (backoff_seconds starts at 300), and not more than once a minute.
ROBOTS_RETRY = 60.0
# RFC 9309 §2.4: a cached robots.txt should not be used for more than 24 hours. Within that, a
# copy read earlier still decides while a new read fails (§2.3.1.4 allows a cached copy): a
# site's robots.txt failing once kept out pages the site had always allowed.
ROBOTS_STALE_LIMIT = 86400.0


@dataclass(frozen=True)
class RobotsRules:
    """The Allow/Disallow rules of the group that applies to us, as (pattern, allow) pairs."""

    rules: tuple[tuple[str, bool], ...] = ()
    # Why every path is disallowed for now when robots.txt could not be read (a 5xx, no
    # answer): the page's own failure is then this, not a rule of the site's.
    unreadable: str = ""
    # The file's `Sitemap:` lines, in its order (they belong to no group): where `source add`
    # looks for a site's articles when its homepage names no feed.
    sitemaps: tuple[str, ...] = ()

    def allows(self, path: str) -> bool:
        """Longest matching pattern wins; on a tie Allow wins; no match means allowed."""
        best_length, verdict = -1, True
        target = unquote(path)
        for pattern, allow in self.rules:
            if _matches(pattern, target) and (
                len(pattern) > best_length or (len(pattern) == best_length and allow)
            ):
                best_length, verdict = len(pattern), allow
        return verdict


@dataclass(frozen=True)
class Refusal:
    """Why a URL may not be fetched; `passing` when it may be later (robots.txt unreadable)."""

    reason: str
    passing: bool = False


ALLOW_ALL = RobotsRules()
DISALLOW_ALL = RobotsRules((("/", False),))


@dataclass(frozen=True)
class _Cached:
    """An origin's rules as answered until ``expires``, with the copy last read to fall back
    on (``read`` at ``read_at``) and how many reads in a row have failed since."""

    expires: float
    rules: RobotsRules
    read: RobotsRules | None = None
    read_at: float = 0.0
    failures: int = 0


def parse_robots(body: bytes, token: str = PRODUCT_TOKEN) -> RobotsRules:
    """Pick our group (merged, if the file names us more than once) out of a robots.txt,
    with the sitemaps it names."""
    groups: list[tuple[list[str], list[tuple[str, bool]]]] = []
    agents: list[str] = []
    rules: list[tuple[str, bool]] = []
    in_rules = False  # an empty "Disallow:" still ends the run of user-agent lines
    sitemaps: dict[str, None] = {}
    if len(body) > ROBOTS_PARSING_LIMIT:
        # Whole lines only: "Disallow: /feed-archive" cut to "Disallow: /f" would keep out
        # every path starting with /f.
        ends = (body.rfind(end, 0, ROBOTS_PARSING_LIMIT + 1) for end in (b"\n", b"\r"))
        body = body[: max(ends) + 1]
    for raw in body.decode("utf-8", "replace").removeprefix("\ufeff").splitlines():
        key, sep, value = raw.split("#", 1)[0].partition(":")
        key, value = key.strip().lower(), value.strip()
        if not sep:
            continue
        if key == "user-agent":
            if in_rules:  # a user-agent line after rules starts the next group
                groups.append((agents, rules))
                agents, rules, in_rules = [], [], False
            agents.append(value.split("/", 1)[0].strip().lower())
        elif key in ("allow", "disallow") and agents:
            in_rules = True
            if value:  # "Disallow:" with nothing after it disallows nothing
                rules.append((unquote(value), key == "allow"))
        elif key == "sitemap" and value:  # anywhere in the file, for every crawler
            sitemaps.setdefault(value)
    groups.append((agents, rules))
    for wanted in (token.lower(), "*"):
        chosen = [rule for names, group in groups if wanted in names for rule in group]
        if any(wanted in names for names, _ in groups):
            return RobotsRules(tuple(chosen), sitemaps=tuple(sitemaps))
    return RobotsRules(sitemaps=tuple(sitemaps))


def _matches(pattern: str, path: str) -> bool:
    """Glob match with ``*`` and a final ``$``, in time linear in the path and the pattern.

    Between two ``*``s the text may sit anywhere, and its leftmost place is never worse than a
    later one (it leaves the most path for what follows), so each piece is looked for once with
    str.find and never tried again. Trying each ``*`` at every length instead (backtracking)
    took len(path) × len(pattern) steps: "Disallow: /*aaaa…ab" lines filling the parsing limit
    took tens of seconds for one page of the site, and the poll round waited for every check.
    """
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    head, *pieces = pattern.split("*")
    if not path.startswith(head):
        return False
    if not pieces:  # no wildcard: a prefix, or the whole path when anchored
        return not anchored or len(path) == len(head)
    *middle, tail = pieces
    position = len(head)
    for piece in middle:
        found = path.find(piece, position)
        if found < 0:
            return False
        position = found + len(piece)
    if anchored:  # the last piece ends the path, after everything matched before it
        return len(path) - len(tail) >= position and path.endswith(tail)
    return path.find(tail, position) >= 0


class RobotsCache:
    """robots.txt per origin, fetched through the caller's Fetcher and kept for ``ttl`` s
    (one that could not be read: until it is asked for again, ROBOTS_RETRY s and up).

    Thread-safe; two threads asking about a new origin at once may both fetch its robots.txt,
    which costs one request and keeps the lock out of the network wait.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        ttl: float = ROBOTS_TTL,
        token: str = PRODUCT_TOKEN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetcher, self.ttl, self.token, self.clock = fetcher, ttl, token, clock
        self._rules: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        """May we fetch ``url``? A URL we could not fetch anyway (bad, not http) is refused."""
        return self.refusal(url) is None

    def refusal(self, url: str) -> Refusal | None:
        """Why ``url`` may not be fetched; None when it may."""
        try:
            parsed = httpx.URL(url)
            # Reading the host decodes an IDNA name, which fails on one no registry allows
            # ("xn--ls8h.la"); a ValueError (idna's errors are ones) like a malformed URL.
            host = parsed.host
        except (httpx.InvalidURL, TypeError, ValueError):
            return Refusal(f"fetcher: not a URL that can be fetched: {url}")
        if parsed.scheme not in ("http", "https") or not host:
            return Refusal(f"fetcher: not a URL that can be fetched: {url}")
        path = parsed.raw_path.decode("ascii")
        if path == "/robots.txt":
            return None
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        rules = self.rules_for(origin)
        if rules.allows(path):
            return None
        if rules.unreadable:
            return Refusal(
                f"robots: {origin}/robots.txt could not be read ({rules.unreadable}); the "
                "site is not fetched from until it can be",
                passing=True,
            )
        return Refusal(f"robots: {url} is disallowed by the site's robots.txt")

    def sitemaps(self, url: str) -> tuple[str, ...]:
        """The sitemaps named by the robots.txt of ``url``'s origin, as written there; none
        when it cannot be read."""
        try:
            parsed = httpx.URL(url)
            host = parsed.host
        except (httpx.InvalidURL, TypeError, ValueError):
            return ()
        if parsed.scheme not in ("http", "https") or not host:
            return ()
        return self.rules_for(f"{parsed.scheme}://{parsed.netloc.decode('ascii')}").sitemaps

    def check(self, url: str) -> None:
        """Raise FetchError(kind="robots") when robots.txt disallows ``url``."""
        from clipdesk.sources.fetching import FetchError  # fetching imports this module

        if (refusal := self.refusal(url)) is not None:
            raise FetchError("robots", url, refusal.reason)

    def rules_for(self, origin: str) -> RobotsRules:
        now = self.clock()
        with self._lock:
            cached = self._rules.get(origin)
        if cached is not None and cached.expires > now:
            return cached.rules
        rules, retry_after = self._fetch(origin)
        if not rules.unreadable:
            entry = _Cached(now + self.ttl, rules, read=rules, read_at=now)
        else:
            entry = self._after_failure(cached, rules, retry_after, now)
        with self._lock:
            self._rules[origin] = entry
        return entry.rules

    def _after_failure(
        self, cached: _Cached | None, unreadable: RobotsRules, retry_after: float | None, now: float
    ) -> _Cached:
        """Disallow all (or the copy last read, under a day old) until the next try, which is
        ROBOTS_RETRY away, doubled for each failure in a row, at most the TTL; a later
        Retry-After from the server is kept to, within the TTL."""
        failures = (cached.failures if cached is not None else 0) + 1
        wait = ROBOTS_RETRY * 2 ** min(failures - 1, 32)  # 2**32 minutes is past any TTL
        wait = min(max(wait, retry_after or 0.0), self.ttl)
        read, read_at = (cached.read, cached.read_at) if cached is not None else (None, 0.0)
        if read is None or now - read_at >= ROBOTS_STALE_LIMIT:
            return _Cached(now + wait, unreadable, failures=failures)
        expires = min(now + wait, read_at + ROBOTS_STALE_LIMIT)  # not used past a day old
        return _Cached(expires, read, read=read, read_at=read_at, failures=failures)

    def _fetch(self, origin: str) -> tuple[RobotsRules, float | None]:
        """The origin's rules, with the server's Retry-After when it could not be read."""
        from clipdesk.sources.fetching import FetchError  # fetching imports this module

        robots_url = f"{origin}/robots.txt"
        try:
            # Only the first ROBOTS_PARSING_LIMIT bytes are read (one more, for parse_robots to
            # see the last line may be cut): a larger file was refused whole by the fetcher's
            # size limit, and its site kept out as if robots.txt were unreadable.
            result = self.fetcher.get(
                robots_url, accept="text/plain", read_at_most=ROBOTS_PARSING_LIMIT + 1
            )
        except FetchError as exc:
            if exc.kind == "blocked_address" and exc.url == robots_url:
                # The page itself will be refused for the same reason; let that error say so.
                return ALLOW_ALL, None
            status = (exc.status or 0) if exc.kind == "http_status" else 0
            if 400 <= status < 500 and status != 429:
                return ALLOW_ALL, None  # RFC 9309 §2.3.1.3: a 4xx robots.txt means no rules
            # §2.3.1.4: unreachable (5xx, 429, network) means keep out, for now. So does a
            # redirect we will not follow (to a refused address, past five hops): §2.3.1.2
            # only allows taking a long chain as "unavailable" (a MAY); a site that means to
            # have no rules can answer 404 itself.
            reason = str(exc).removeprefix("fetcher: ")
            return RobotsRules(DISALLOW_ALL.rules, unreadable=reason), exc.retry_after
        return parse_robots(result.body, self.token), None


def _http_date_in(value: str, now: float) -> float | None:
    """Seconds from ``now`` until an HTTP date, or None if it is not one."""
    try:
        return parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# RFC 9111 §1.2.2: a delta-seconds past what can be held is taken as 2**31 (68 years).
LARGEST_COUNT = 2**31


def decimal_count(value: str) -> int | None:
    """A count written in ASCII digits (max-age, Retry-After, a feed's <ttl>), at most
    LARGEST_COUNT however many digits it has; None when it is not one.

    str.isdigit() alone let "²" through to int(), which refuses it, and int() refuses more
    than 4,300 digits (a float of 400 is infinity): from one server's header, either raised
    in the middle of a poll round and stopped the polling of every source.
    """
    value = value.strip()
    if not (value.isascii() and value.isdigit()):
        return None
    digits = value.lstrip("0")
    if len(digits) > len(str(LARGEST_COUNT)):
        return LARGEST_COUNT
    return min(int(digits or "0"), LARGEST_COUNT)


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Retry-After as seconds (it may be a delay or an HTTP date), None when absent or bad."""
    value = headers.get("retry-after", "").strip()
    if (seconds := decimal_count(value)) is not None:
        return float(seconds)
    seconds = _http_date_in(value, time.time()) if value else None
    return None if seconds is None else max(seconds, 0.0)


def next_check_seconds(
    headers: Mapping[str, str],
    *,
    feed_ttl_minutes: int | None = None,
    minimum: int = 300,
    maximum: int = 86400,
    default: int = 3600,
) -> int:
    """Seconds until the next fetch: the longest the server (or the feed's <ttl>) asked for.

    Cache-Control max-age beats Expires (RFC 9111); no-store/no-cache counts as "now", and an
    unreadable Expires as already expired. Without any hint, ``default``. The result is clamped
    to [minimum, maximum] so a hostile header can neither hammer a site nor silence a source.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    directives = {
        part.split("=", 1)[0].strip().lower(): part.partition("=")[2].strip().strip('"')
        for part in lowered.get("cache-control", "").split(",")
    }
    max_age = decimal_count(directives.get("max-age", ""))
    hints: list[float] = []
    if "no-store" in directives or "no-cache" in directives:
        hints.append(0)
    elif max_age is not None:
        hints.append(max_age)
    elif "expires" in lowered:
        now = time.time()
        server_offset = _http_date_in(lowered.get("date", ""), now)
        if server_offset is not None:
            now += server_offset  # measure from the server's clock, as RFC 9111 does
        hints.append(_http_date_in(lowered["expires"], now) or 0)
    if feed_ttl_minutes is not None and feed_ttl_minutes > 0:
        hints.append(feed_ttl_minutes * 60)
    seconds = max(hints) if hints else default
    return int(min(max(seconds, minimum), maximum))


def backoff_seconds(error_count: int, *, base: int = 300, maximum: int = 86400) -> int:
    """Wait after ``error_count`` consecutive failures: base, 2×base, 4×base… up to maximum.

    Deterministic (no jitter) so a schedule can be tested and explained to an editor.
    """
    exponent = min(max(error_count - 1, 0), 32)  # 2**32 × base is past any sane maximum
    return int(min(base * 2**exponent, maximum))
