"""Canonical URLs: one spelling per article, so the same story from two feeds is one article.

Stages of `canonical_url`:
1. Refuse what is not an http(s) address with a host, drop a visitor's session
   (`without_session`: its parameters, an ASP.NET cookieless segment) and resolve dot
   segments (`/a/../b`).
2. courlan's normalisation: lower-case scheme and host, no default port, query parameters
   sorted, its tracker list (utm_*, fbclid, gclid, mc_*, ...) removed.
3. Our own additions to that tracker list (parameters seen in real feeds that courlan keeps),
   and the parameters of a post's variants (WordPress's reply-to-comment and AMP pages);
   no fragment: `#comments` and `#top` are the same article, and no user name or password.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

# Campaign parameters that courlan 1.4 keeps; seen in feeds from heise, the BBC, the Guardian,
# the New York Times, HubSpot and Marketo newsletters.
EXTRA_TRACKERS = {
    "wt_mc",
    "wt_zmc",
    "at_medium",
    "at_campaign",
    "at_custom1",
    "at_custom2",
    "at_custom3",
    "at_custom4",
    "ocid",
    "cmpid",
    "cmp",
    "smid",
    "smtyp",
    "s_cid",
    "ito",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ns_mchannel",
    "ns_source",
    "ns_campaign",
    "ns_linkname",
    "ns_fee",
    "__twitter_impression",
    "spm",
}
# Parameters that ask for a variant of the same post: WordPress's comment reply form
# (`?replytocom=123`, one link per comment on a listing page) and its AMP page (`?amp=1`).
PAGE_VARIANTS = {"replytocom", "amp"}
# Parameters that carry a visitor's session, not what the page shows: a site that writes them
# into its links (Java's `;jsessionid=` path parameter, PHP's `?PHPSESSID=`) gives the same
# page a new address every round, and it was fetched and stored again each time. Listed by
# hand: courlan 1.4 drops only names that begin with "session" (sessionid, session_id), and
# only from a query; it keeps the others and percent-encodes a `;jsessionid=` into the path.
# `without_session` also works on addresses as listed, which courlan never sees, so the names
# it does drop are here too.
SESSION_PARAMETERS = {"jsessionid", "phpsessid", "sessid", "sessionid", "session_id"}
# Names that are a session only when the value is a session's token (phpBB's `sid=`,
# vBulletin's `s=`: 32 hexadecimal digits, or a SHA-1's 40). Otherwise they select what the
# page shows: PHP-Nuke's `?sid=123` is a story, WordPress's `?s=harbour` a search.
TOKEN_PARAMETERS = {"sid", "s"}
SESSION_TOKEN = re.compile(r"[0-9a-f]{32}(?:[0-9a-f]{8})?", re.IGNORECASE)
# ASP.NET's cookieless state: a path segment of its own holding one or more `Letter(value)`
# groups in parentheses (`/(S(lit3py55t21z5v55vlm25s55))/news/item.aspx`, `(X(1)S(...))`,
# `(A(...))` for an anonymous visitor, `(F(...))` for a sign-in ticket). Only a whole segment
# of that shape: parentheses in a page's name (`/wiki/Mercury_(planet)`) are the page's.
COOKIELESS_SEGMENT = re.compile(r"\((?:[A-Za-z]\([^()/]*\))+\)")


class URLError(ValueError):
    """Not an address an article can have."""


def canonical_url(url: str) -> str:
    """The one spelling of `url` we store and compare; raises URLError for non-web URLs."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise URLError(f"urls: not an http(s) address with a host: {url[:200]!r}")
    url = without_session(url)
    parts = urlsplit(url)
    if "/." in parts.path:
        url = urljoin(url, urlunsplit(("", "", parts.path, parts.query, "")))  # 1
    normal = urlsplit(normalize_url(url, strict=False))  # 2
    query = [
        (key, value)
        for key, value in parse_qsl(normal.query, keep_blank_values=True)
        if key.lower() not in EXTRA_TRACKERS and key.lower() not in PAGE_VARIANTS
    ]
    path = normal.path or "/"
    netloc = _host_and_port(normal.netloc)  # no user name or password: see below
    return urlunsplit((normal.scheme, netloc, path, urlencode(query), ""))  # 3


def without_session(url: str) -> str:
    """`url` without the session it may carry: parameters (SESSION_PARAMETERS,
    TOKEN_PARAMETERS) in the query or as a path parameter, and an ASP.NET cookieless path
    segment (COOKIELESS_SEGMENT); the rest as spelled. The address
    an entry is remembered under: its session is new every round, its page is not."""
    parts = urlsplit(url)
    path = "/".join(
        _segment_without_session(segment)
        for segment in parts.path.split("/")
        if not COOKIELESS_SEGMENT.fullmatch(unquote(segment))
    )
    if parts.path.startswith("/") and not path.startswith("/"):
        path = "/" + path  # the session was all the path held: the site's front page
    query = "&".join(p for p in parts.query.split("&") if not _is_session(p))
    if path == parts.path and query == parts.query:
        return url  # unchanged, to the last character (urlunsplit may drop an empty "?")
    return urlunsplit(parts._replace(path=path, query=query))


# A path parameter begins at ";", or at "%3B" where a feed's generator (or an earlier
# canonical form) escaped it: "pier.html%3Bjsessionid=…" carries the same session.
_PATH_PARAMETER = re.compile(r"(;|%3[Bb])")


def _segment_without_session(segment: str) -> str:
    """One path segment less its session parameters, each other one kept as spelled."""
    if ";" not in segment and "%3" not in segment:
        return segment
    first, *rest = _PATH_PARAMETER.split(segment)
    kept = [first]
    for separator, parameter in zip(rest[::2], rest[1::2], strict=True):
        if not _is_session(parameter):
            kept += [separator, parameter]
    return "".join(kept)


def _is_session(parameter: str) -> bool:
    """Whether one `name=value` of a query or a path segment carries a session."""
    name, _, value = parameter.partition("=")
    name = unquote(name).strip().lower()
    if name in SESSION_PARAMETERS:
        return True
    return name in TOKEN_PARAMETERS and bool(SESSION_TOKEN.fullmatch(unquote(value).strip()))


def slash_twin(url: str) -> str | None:
    """`url` with its path's final slash taken off, or one put on (`/news/pier` and
    `/news/pier/`): the same host, the same query, the path different by that slash alone.
    Sites link to an article both ways, from one page or from a feed and a listing page, and
    each spelling was fetched and stored as an article of its own; polling takes the two for
    one entry (stored addresses keep their spelling). None for a site's front page."""
    parts = urlsplit(url)
    path = parts.path
    if not path.strip("/") or path.endswith("//"):
        return None
    return urlunsplit(parts._replace(path=path[:-1] if path.endswith("/") else path + "/"))


def entry_key(url: str) -> str:
    """One key for the spellings of an entry's address that are one page: its canonical URL
    with no final slash on the path (`slash_twin`). Raises URLError as canonical_url does."""
    canonical = canonical_url(url)
    if urlsplit(canonical).path.endswith("/"):
        return slash_twin(canonical) or canonical
    return canonical


def without_credentials(url: str) -> str:
    """`url` without the user name and password it may carry. A source behind HTTP
    authentication is added as `https://user:password@host/feed.xml`, and the links of its
    feed or page resolve against that address: its articles are fetched with the credentials
    but stored, shown and published without them (they were, password and all)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=_host_and_port(parts.netloc)))


def same_site(url: str, other: str) -> bool:
    """Whether two addresses are on one site: the same host, give or take `www.`."""
    return _site(url) == _site(other)


def is_front_page(url: str) -> bool:
    """Whether an address is a site's front page (no path): what sitemaps list beside the
    articles, and what misconfigured sites give as every article's canonical address."""
    return not urlsplit(url).path.strip("/")


def user_info(url: str) -> str:
    """The `user:password` an address carries before its host; "" for none."""
    return urlsplit(url).netloc.rpartition("@")[0]


def _host_and_port(netloc: str) -> str:
    """An address's authority without the `user:password@` it may begin with."""
    return netloc.rpartition("@")[2]


def with_user_info(url: str, info: str) -> str:
    """`url` carrying `info` (a `user_info`) before its host; `url` itself for none."""
    if not info:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{info}@{_host_and_port(parts.netloc)}"))


# The path below an article of its other views, which name the article as their address:
# `/story/amp/` and `/story/print/` (WordPress and many CMSs), a slideshow's `/story/slide/1`.
ARTICLE_VIEW = re.compile(r"amp|print|(?:page|slide)/\d{1,3}", re.IGNORECASE)


def is_section_above(section: str, url: str) -> bool:
    """Whether `section`'s path is a proper ancestor of `url`'s (`/news/` above
    `/news/2024/05/strike.html`): a listing or section page, which misconfigured sites give
    as the canonical address of every article in it. Not when what lies between is one of
    the article's other views (ARTICLE_VIEW). Compared segment by segment, so `/news/quay`
    is not above `/news/quay-v2`, and `/news/quay/` is `/news/quay`."""
    above = _segments(section)
    below = _segments(url)
    if len(above) >= len(below) or below[: len(above)] != above:
        return False
    return not ARTICLE_VIEW.fullmatch("/".join(below[len(above) :]))


# Paths of a script that shows whichever article its query names (`article.php?id=5`).
SCRIPT_SUFFIXES = (".php", ".php3", ".asp", ".aspx", ".jsp", ".cfm", ".cgi", ".pl")


def drops_naming_query(declared: str, url: str) -> bool:
    """Whether `declared` is `url` with no query, where the query names the article: the path
    is a script (SCRIPT_SUFFIXES) or the front page (WordPress's `/?p=412`). Such a site's
    canonical address names the script, the same for every article. Elsewhere a query on an
    article's own path is a view of it (`?ref=home`, `?output=amp`), and the canonical wins."""
    try:
        declared_parts, own = urlsplit(canonical_url(declared)), urlsplit(canonical_url(url))
    except URLError:
        return False
    if declared_parts.query or not own.query or declared_parts.path != own.path:
        return False
    return is_front_page(url) or own.path.lower().endswith(SCRIPT_SUFFIXES)


def _segments(url: str) -> list[str]:
    return [segment for segment in urlsplit(url).path.split("/") if segment]


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
