"""Adding sources: what the editor gives (a homepage, a feed, a sitemap) becomes a Source."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from django.db import transaction
from django.utils import timezone

from clipdesk.articles.canonical import EXTRA_TRACKERS, same_site
from clipdesk.sources.discovery import (
    find_feed_links,
    find_sitemap_links,
    is_listing_sitemap,
    site_name,
)
from clipdesk.sources.feeds import FeedError, ParsedFeed, parse_feed
from clipdesk.sources.fetching import (
    Fetcher,
    FetchError,
    FetchPolicy,
    FetchResult,
    checked_url,
)
from clipdesk.sources.models import Source
from clipdesk.sources.robots import RobotsCache
from clipdesk.storable import has_unstorable, resolved_url, storable_url


class SourceError(ValueError):
    """The URL cannot become a source; the message says why."""


def _reason(said: str) -> str:
    return said.removeprefix("robots: ").removeprefix("fetcher: ")


@dataclass
class NewSource:
    source: Source
    created: bool
    note: str


# The feeds a page names that `source add` tries, in the page's order, before giving up.
FEED_LINKS_TRIED = 4

SITEMAP_KINDS = frozenset({"sitemap", "sitemap_index", "news_sitemap"})

# How `source add` names what it found.
FORMAT_NAMES = {
    "rss": "an RSS feed",
    "rdf": "an RSS 1.0 feed",
    "atom": "an Atom feed",
    "json": "a JSON Feed",
    "sitemap": "sitemap",
    "sitemap_index": "sitemap index",
    "news_sitemap": "Google News sitemap",
}


def add_source(url: str, *, name: str = "", kind: str | None = None) -> NewSource:
    """Add a source. Without a kind, the URL is fetched: a feed or sitemap is taken as it is,
    an HTML page is searched for its feed (<link rel="alternate">), else polled as a listing.
    """
    url = _written_plainly(url)
    if not url.startswith(("http://", "https://")):
        raise SourceError(f"source: {url!r} is not an http(s) URL{_scheme_hint(url)}")
    if has_unstorable(url) or has_unstorable(name):
        raise SourceError("source: the URL and name cannot hold control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as exc:  # an unclosed [ of an IPv6 address, say
        raise SourceError(f"source: {url!r} is not a valid URL ({exc})") from exc
    if not host:
        raise SourceError(f"source: {url!r} names no host")
    try:
        checked_url(url)  # what the poll would refuse (a space in the host, port 99999)
    except FetchError as exc:
        reason = str(exc).removeprefix("fetcher: ")
        raise SourceError(f"source: {url!r} cannot be fetched ({reason})") from exc
    # A fragment is never sent, "feed.xml?" is "feed.xml", no path is "/", and "./" and "../"
    # are resolved before a request is made: one source, however pasted.
    url = urlunsplit(
        parts._replace(
            path=_without_dot_segments(parts.path),
            query=_without_campaign(parts.query),
            fragment="",
        )
    )
    _fits("the URL", url)
    _fits("the name", name, "name")
    existing = Source.objects.filter(url=url).first()
    if existing:
        return NewSource(existing, False, "already a source")
    note = ""  # the kind asked for, which the caller shows anyway
    if kind is None:
        kind, url, note, named = _detect(url)
        # A feed the page names may carry a campaign too ("feed.xml?utm_source=rss").
        found = urlsplit(url)
        url = urlunsplit(found._replace(query=_without_campaign(found.query)))
        existing = Source.objects.filter(url=url).first()
        if existing:
            return NewSource(existing, False, f"{note}; already a source")
        # A feed names itself at its first poll; a page or sitemap found from a homepage is
        # named as the homepage names its site, or its articles are credited to a host name.
        name = name or named[: Source._meta.get_field("name").max_length]
    _fits("the feed's URL found on the page", url)
    source = Source.objects.create(url=url, name=name, kind=kind)
    return NewSource(source, True, note)


# Parameters that only tell the site which newsletter or advert a visitor came from: an
# address pasted from one is the same feed, and polling should not report the campaign every
# round. A narrower list than the articles' (articles/canonical.py, after courlan's), which
# also drops names such as "ref", "source" or "keyword": a search feed may be chosen by them.
CAMPAIGN_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid"}
) | frozenset(EXTRA_TRACKERS)


def _without_campaign(query: str) -> str:
    """`query` less its campaign parameters (utm_*, CAMPAIGN_PARAMETERS), the rest as spelled."""
    kept = []
    for parameter in query.split("&"):
        name = unquote_plus(parameter.partition("=")[0]).strip().lower()
        if name.startswith("utm_") or name in CAMPAIGN_PARAMETERS:
            continue
        kept.append(parameter)
    return "&".join(kept)


def changed_source(
    source_id: int,
    *,
    name: str | None = None,
    kind: str | None = None,
    enabled: bool | None = None,
) -> Source:
    """Rename a source, set its kind, or stop and start polling it; None leaves a value as
    it is. A new kind is read as that from the next poll on: the validators are forgotten (a
    304 would keep the old reading) and the source is due at once."""
    source = _existing(source_id)
    if name is not None:
        if has_unstorable(name):
            raise SourceError("source: the name cannot hold control characters")
        _fits("the name", name, "name")
        source.name = name
    if kind is not None and kind != source.kind:
        source.kind = kind
        source.etag = source.last_modified = ""
        source.next_check_at = timezone.now()
    if enabled is not None:
        source.enabled = enabled
    source.save()
    return source


@transaction.atomic
def removed_source(source_id: int) -> tuple[Source, int]:
    """Delete a source, no longer to be polled, and say how many articles it had brought in:
    they are kept (with their snapshots, matches and posts), no longer credited to it."""
    source = _existing(source_id)
    articles = source.articles.count()
    source.delete()
    return source, articles


def _existing(source_id: int) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise SourceError(f"source: there is no source {source_id} (`source list` shows them)")
    return source


_SCHEME_AND_HOST = re.compile(r"(https?)://([^/?#]*)(.*)", re.IGNORECASE | re.DOTALL)


def _written_plainly(url: str) -> str:
    """The address as pasted, without the spaces around it, and with its scheme and host in
    lower case (`HTTP://Example.org/Feed` is `http://example.org/Feed`), so that it is taken
    and found again whichever way it was written."""
    url = url.strip()
    found = _SCHEME_AND_HOST.match(url)
    if found is None:
        return url
    scheme, netloc, rest = found.groups()
    if "@" not in netloc:  # a password in the address keeps its case
        netloc = netloc.lower()
    return f"{scheme.lower()}://{netloc}{rest}"


def _without_dot_segments(path: str) -> str:
    """`path` as it is requested: "/" for none, its "." and ".." segments resolved (RFC 3986
    §5.2.4). By hand: `urljoin` reads a path that begins "//feeds/" as a host name."""
    if not path:
        return "/"
    if "/." not in path:
        return path
    segments = path.split("/")
    kept = [""]
    for segment in segments[1:]:
        if segment == ".":
            continue
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
            continue
        kept.append(segment)
    if segments[-1] in (".", ".."):
        kept.append("")  # "/news/." is the folder "/news/"
    return "/".join(kept) or "/"


def _fits(what: str, value: str, field: str = "url") -> None:
    """Refuse a value longer than its column: PostgreSQL would fail on it with a traceback,
    SQLite would keep it whole for the admin to refuse later."""
    limit = Source._meta.get_field(field).max_length
    if len(value) > limit:
        raise SourceError(f"source: {what} is {len(value)} characters long; at most {limit} fit")


def _detect(url: str) -> tuple[str, str, str, str]:
    """Read the address to learn what it is; robots.txt is asked first, as the poll asks it,
    so that a site which keeps this reader out is not fetched from by adding it either."""
    with Fetcher(FetchPolicy.from_env()) as fetcher:
        robots = RobotsCache(fetcher)
        if (refusal := robots.refusal(url)) is not None:
            raise SourceError(
                f"source: {url!r} cannot be read to find what it is ({_reason(refusal.reason)})"
            )
        try:
            response = fetcher.get(url)
        except FetchError as exc:
            raise SourceError(f"source: {url!r} cannot be read ({_reason(str(exc))})") from exc
        try:
            feed = _parsed(fetcher, response)
            if feed.kind in SITEMAP_KINDS:
                return Source.Kind.SITEMAP, url, f"found a {FORMAT_NAMES[feed.kind]}", ""
            if not any(p.startswith("this is an HTML page") for p in feed.problems):
                found = FORMAT_NAMES.get(feed.kind, feed.kind)
                return Source.Kind.FEED, url, f"found {found}", ""
        except FeedError as exc:
            if not _may_be_web_page(response):
                served = response.headers.get("content-type", "").split(";")[0].strip()
                # The parser's reason too: a feed broken past reading, or cut off by the
                # size cap, is no picture or PDF.
                reason = str(exc).removeprefix("feeds: ")
                raise SourceError(
                    f"source: {url!r} is not a feed, a sitemap or a web page "
                    f"({served or 'no content type'}; read as a feed: {reason}): there is "
                    "nothing in it to poll"
                ) from None
        failures: list[str] = []
        # Each is read before it is taken: a page's first feed may be a comments feed long
        # gone, which would fail at every poll while the site's own feed was named next.
        feeds = find_feed_links(response.body, response.url)
        for link, feed in _readable(fetcher, robots, feeds, failures):
            if not any(p.startswith("this is an HTML page") for p in feed.problems):
                return Source.Kind.FEED, link, f"found the feed {link} on the page", ""
            failures.append(f"{link} is an HTML page, not a feed")
        named = site_name(response.body)
        # No feed read: a sitemap the page names lists the site's articles with dates.
        sitemaps = find_sitemap_links(response.body, response.url)
        for link, feed in _readable(fetcher, robots, sitemaps, failures):
            if feed.kind in SITEMAP_KINDS:
                note = f"found the {FORMAT_NAMES[feed.kind]} {link} on the page"
                return Source.Kind.SITEMAP, link, note, named
        # Nor one the page names: most sites name theirs in robots.txt (`Sitemap:` lines),
        # which was read above; the page was taken for a listing page without a look at them.
        listed = _robots_sitemaps(robots, response.url, passed=sitemaps)
        if (chosen := _preferred_sitemap(fetcher, robots, listed, failures)) is not None:
            link, kind = chosen
            note = f"found the {FORMAT_NAMES[kind]} {link} in the site's robots.txt"
            return Source.Kind.SITEMAP, link, note, named
        if failures:
            return (
                Source.Kind.PAGE,
                url,
                f"the feeds and sitemaps the site names could not be read "
                f"({'; '.join(failures)}): the page's article links will be followed",
                named,
            )
        note = "no feed found: the page's article links will be followed"
        return Source.Kind.PAGE, url, note, named


# An HTML element a listing page is made of, near its start, whatever type it is served as.
_HTML_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|a|div|p|ul|ol|li|table|article|main)[\s>/]",
    re.IGNORECASE,
)


def _may_be_web_page(response: FetchResult) -> bool:
    """Whether a response that is no feed can be read for links: served as HTML, or holding
    HTML markup. A picture, a PDF or a text file was taken for a listing page, and each poll
    then said only that no link on it read like an article's."""
    mime = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return True
    return bool(_HTML_MARKUP.search(response.body[:65536]))


_BARE_HOST = re.compile(r"(?:[a-z0-9-]+\.)+[a-z0-9-]+(?::[0-9]+)?|localhost(?::[0-9]+)?", re.I)


def _scheme_hint(written: str) -> str:
    """The address a host name pasted without its scheme may mean ("news.example/feed"),
    for the refusal to suggest; nothing for what begins with no host name ("ftp://…")."""
    host = written.split("/", 1)[0]
    if not _BARE_HOST.fullmatch(host) or any(char.isspace() for char in written):
        return ""
    return f" (did you mean {'https://' + written!r}?)"


def _robots_sitemaps(robots: RobotsCache, page_url: str, *, passed: list[str]) -> list[str]:
    """The sitemaps the site's robots.txt names, on the page's own site (a robots.txt may
    name another's), but those listing tags, authors or static pages and those already
    `passed`; the ones called news first, the site's freshest articles."""
    found: dict[str, None] = {}
    for written in robots.sitemaps(page_url):
        link = resolved_url(page_url, written)
        if (
            link
            and link.startswith(("http://", "https://"))
            and storable_url(link)
            and same_site(link, page_url)
            and not is_listing_sitemap(link)
            and link not in passed
        ):
            found.setdefault(link)
    return sorted(found, key=lambda link: "news" not in urlsplit(link).path.lower())


def _preferred_sitemap(
    fetcher: Fetcher, robots: RobotsCache, links: list[str], failures: list[str]
) -> tuple[str, str] | None:
    """Of these sitemaps, with the kind it is, the first that reads as a news sitemap, else
    the first that reads as any sitemap; None when none does."""
    first: tuple[str, str] | None = None
    for link, feed in _readable(fetcher, robots, links, failures):
        if feed.kind == "news_sitemap":
            return link, feed.kind
        if feed.kind in SITEMAP_KINDS:
            first = first or (link, feed.kind)
        else:
            failures.append(f"{link} is {FORMAT_NAMES.get(feed.kind, feed.kind)}, not a sitemap")
    return first


def _readable(
    fetcher: Fetcher, robots: RobotsCache, links: list[str], failures: list[str]
) -> Iterator[tuple[str, ParsedFeed]]:
    """The first FEED_LINKS_TRIED of the feeds or sitemaps a page names, each that may be
    fetched and parses, with what it holds; why each other one could not be, in `failures`."""
    for link in links[:FEED_LINKS_TRIED]:
        if (refusal := robots.refusal(link)) is not None:
            failures.append(_reason(refusal.reason))
            continue
        try:
            yield link, _parsed(fetcher, fetcher.get(link))
        except (FetchError, FeedError) as exc:
            failures.append(str(exc))


def _parsed(fetcher: Fetcher, response: FetchResult) -> ParsedFeed:
    content_type = response.headers.get("content-type")
    return parse_feed(response.body, response.url, content_type, max_bytes=fetcher.policy.max_bytes)
