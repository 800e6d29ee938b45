"""What feeds say, in one shape: `ParsedEntry` and `ParsedFeed`, and one adapter per format.

Stage 6 of `feeds.parse_feed`: RSS 0.9x/2.0, RSS 1.0 (RDF), Atom (0.3 read as 1.0), sitemaps
(plain, index, Google News, text) and JSON Feed each become a `ParsedFeed` of `ParsedEntry`s
with absolute URLs, dates in the publisher's own offset, plain-text titles and summaries, and
author names without e-mail addresses. The input is already decoded, defused and parsed
(feeds.py, stages 1-5).
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from lxml import etree

from clipdesk.sources.robots import decimal_count
from clipdesk.storable import resolved_url, storable_url

UTC = datetime.UTC
SUMMARY_CHARS = 1000  # summaries are excerpts for matching and the editor's list, not bodies


class FeedError(ValueError):
    """Nothing usable could be read; the message says why, in words."""


@dataclass
class ParsedEntry:
    """One feed item, sitemap URL or (for a sitemap index) child sitemap."""

    url: str
    guid: str | None = None
    title: str | None = None
    # Aware, in the publisher's own offset: its date is the day the outlet printed, which the
    # source line shows ("Outlet, November 22 2026"); in UTC, "01:30 +0330" was the 21st.
    published: datetime.datetime | None = None
    # `published` is when the entry last changed, not when it came out: a sitemap's
    # <lastmod>, or an Atom entry's <updated> with no <published>. The page's own date wins
    # over it (articles/extraction.py).
    modified_only: bool = False
    authors: list[str] = field(default_factory=list)
    summary: str | None = None  # plain text, at most SUMMARY_CHARS
    language: str | None = None


@dataclass
class ParsedFeed:
    kind: str  # "rss" | "atom" | "json" | "rdf" | "sitemap" | "sitemap_index" | "news_sitemap"
    title: str | None = None
    link: str | None = None
    language: str | None = None
    ttl_minutes: int | None = None
    entries: list[ParsedEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- namespaces: native ones read as plain names, known extensions by their usual prefix ----

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM03_NS = "http://purl.org/atom/ns#"
RSS10_NS = "http://purl.org/rss/1.0/"
RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://search.yahoo.com/mrss/": "media",
    ATOM_NS: "atom",
    NEWS_NS: "news",
    RDF_NS: "rdf",
}
NATIVE = {
    "rss": {""},
    "rdf": {RSS10_NS, RSS090_NS, ""},
    "atom": {ATOM_NS, ATOM03_NS, ""},
    "sitemap": {SITEMAP_NS, ""},
}
KINDS_BY_CONTENT_TYPE = {
    "application/rss+xml": {"rss", "rdf"},
    "application/rdf+xml": {"rdf"},
    "application/atom+xml": {"atom"},
    "application/feed+json": {"json"},
}
KIND_NAMES = {"rss": "an RSS feed", "rdf": "an RSS 1.0 (RDF) feed", "atom": "an Atom feed"}
KIND_NAMES |= {"json": "a JSON Feed", "sitemap": "a sitemap", "news_sitemap": "a news sitemap"}
KIND_NAMES |= {"sitemap_index": "a sitemap index"}
SY_PERIOD_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200}
SY_PERIOD_MINUTES |= {"yearly": 525600}

Children = dict[str, list[etree._Element]]


def recovered(problems: list[str]) -> bool:
    """Whether the XML was parsed in recovery mode (entries may be missing)."""
    return any(p.startswith("not well-formed XML") for p in problems)


# --- 6. formats ------------------------------------------------------------------------------


def _children(el: etree._Element, native: set[str]) -> Children:
    """Child elements by name: plain for the format's own namespace, else `prefix:name`."""
    found: Children = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        ns, _, local = child.tag[1:].partition("}") if child.tag[0] == "{" else ("", "", child.tag)
        key = local if ns in native else f"{PREFIXES.get(ns, ns)}:{local}"
        found.setdefault(key, []).append(child)
    return found


def _first(kids: Children, *names: str) -> str | None:
    for name in names:
        for el in kids.get(name, ()):
            value = _text(el)
            if value:
                return value
    return None


# Elements that recovery from malformed XML may have nested inside another item's fields.
STRUCTURAL = {"link", "item", "entry", "guid", "pubDate", "description", "title", "id"}


def _text(el: etree._Element) -> str:
    """An element's text, without the text of misnested structural elements inside it."""
    if not len(el):
        return (el.text or "").strip()
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and etree.QName(child).localname not in STRUCTURAL:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


def _descendants(el: etree._Element, name: str) -> list[etree._Element]:
    return [d for d in el.iter() if isinstance(d.tag, str) and etree.QName(d).localname == name]


TAG = re.compile(r"<[A-Za-z/!][^>]*>")
BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|figure|"
    r"figcaption|pre|hr|dd|dt)\b[^>]*>",
    re.IGNORECASE,
)
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def plain_text(value: str | None, limit: int | None = None) -> str | None:
    """Markup and entities out, whitespace collapsed; None when nothing is left."""
    if not value:
        return None
    if "<" in value:
        value = TAG.sub("", BLOCK_TAG.sub(" ", SCRIPT.sub(" ", value)))
    if "&" in value:
        value = html.unescape(value)
    value = " ".join(value.split())
    if limit and len(value) > limit:
        value = value[:limit].rsplit(" ", 1)[0] + "…"
    return value or None


MONTHS = {  # English abbreviations for the month names of the languages feeds are often in
    name: english
    for english, names in {
        "Jan": "jan janv ene gen",
        "Feb": "feb fev fév févr",
        "Mar": "mar mär mrz mrt mars",
        "Apr": "apr abr avr",
        "May": "may mai mei mag",
        "Jun": "jun juin giu",
        "Jul": "jul juil lug",
        "Aug": "aug ago aoû août",
        "Sep": "sep sept set",
        "Oct": "oct out okt ott",
        "Nov": "nov",
        "Dec": "dec dez déc dic",
    }.items()
    for name in names.split()
}
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})(.*)$")
# "November 22nd, 2026 10:00", as some CMSs print pubDate: month first, an ordinal day.
MONTH_DAY_YEAR = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(.*)$", re.I)
NUMERIC = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T](\d{1,2}):(\d\d)(?::(\d\d))?)?")


def parse_date(value: str | None, problems: list[str] | None = None) -> datetime.datetime | None:
    """RFC 822, ISO 8601 and their common misspellings, as an aware datetime in the offset
    the value gives (UTC when it gives none).

    A zone name whose offset we do not know ("NZST") is read as no offset: the publisher's
    clock is kept and labelled UTC, like a date that names no zone, so its day is still the
    day the outlet printed (the only use the desk has for it). An offset guessed for a name
    several zones share (CST, IST) would move that day; the name goes in `problems`, so the
    editor knows the time is the publisher's clock, not UTC."""
    if not value or not (value := value.strip()):
        return None
    parsed = _rfc822(value, problems)
    if parsed is None:
        with contextlib.suppress(ValueError):
            parsed = datetime.datetime.fromisoformat(value)
    if parsed is None:
        # A non-English day or month name, or "2020/1/10 14:33": rebuild what we can read.
        cleaned = re.sub(r"^[^\d,]+,\s*", "", value)
        if found := DAY_MONTH_YEAR.match(cleaned):
            day, month, year, rest = found.groups()
            month = MONTHS.get(month.lower()[:4]) or MONTHS.get(month.lower()[:3])
            parsed = (
                _rfc822(f"{day} {month} {year}{rest or ' 00:00:00'}", problems) if month else None
            )
        elif found := MONTH_DAY_YEAR.match(cleaned):
            month, day, year, rest = found.groups()
            month = MONTHS.get(month.lower()[:4]) or MONTHS.get(month.lower()[:3])
            parsed = (
                _rfc822(f"{day} {month} {year}{rest or ' 00:00:00'}", problems) if month else None
            )
        elif found := NUMERIC.match(value):
            with contextlib.suppress(ValueError):
                parsed = datetime.datetime(*(int(part or 0) for part in found.groups()))
    if parsed is None or not 1970 <= parsed.year <= 2100:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)  # no zone given: UTC is the least surprising reading
    return parsed


# Zone names email.utils does not know (it knows UT, GMT and the US ones), seen in real feeds.
ZONES = {"CET": "+0100", "CEST": "+0200", "BST": "+0100", "IST": "+0530", "JST": "+0900"}
ZONES |= {"MSK": "+0300", "AEST": "+1000", "AEDT": "+1100", "EET": "+0200", "EEST": "+0300"}
ZONE_NAME = re.compile(r"\s([A-Z]{3,5})$")
# Two spellings email.utils does not read, rewritten into its own first (hand-parsed, since
# no function of the standard library reads either in an RFC 822 date): an offset with a
# colon ("+05:30", as ISO 8601 writes it) was dropped, the date read as UTC; a 12-hour clock
# ("4:00 PM") had its PM taken for an unknown zone name, so 4 PM was 04:00 and any offset
# after it was lost.
COLON_OFFSET = re.compile(r"(\s[+-]\d\d):(\d\d)$")
TWELVE_HOUR = re.compile(r"\b(\d{1,2})(:\d\d(?::\d\d)?)\s*([AaPp])\.?[Mm]\.?(?=\s|$)")
# An offset after the zone's name ("GMT+05:30", "UTC+0530", "GMT-5"), as Java's SimpleDateFormat
# writes a zone it has no name for and as many sites in India print their dates: email.utils
# read the name and dropped the offset, so 09:41 GMT+05:30 was 09:41 UTC. In feeds the sign is
# the ISO one, "+05:30" being ahead of UTC (not the inverted sign of a POSIX TZ string, where
# "GMT+5" is five hours behind: no feed was found writing that).
NAMED_OFFSET = re.compile(r"\s(?:GMT|UTC|UT)\s*([+-])(\d{1,2})(?::?(\d\d))?$")


def _offset_after_name(match: re.Match[str]) -> str:
    """The offset as email.utils reads it (" +0530"); one past any zone's is left as written."""
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes > 59:
        return match.group(0)
    return f" {sign}{hours:02d}{minutes:02d}"


def _twenty_four_hour(match: re.Match[str]) -> str:
    """The time on a 24-hour clock: "4:00 PM" is "16:00", "12:05 AM" is "00:05"; an hour
    that is no 12-hour one ("16:00 PM") is already on one and stays as written."""
    hour, rest, half = int(match.group(1)), match.group(2), match.group(3).lower()
    if 1 <= hour <= 12:
        hour = hour % 12 + (12 if half == "p" else 0)
    return f"{hour:02d}{rest}"


def _rfc822(value: str, problems: list[str] | None = None) -> datetime.datetime | None:
    value = NAMED_OFFSET.sub(_offset_after_name, value)
    value = TWELVE_HOUR.sub(_twenty_four_hour, COLON_OFFSET.sub(r"\1\2", value))
    if (zone := ZONE_NAME.search(value)) and zone.group(1) in ZONES:
        value = value[: zone.start(1)] + ZONES[zone.group(1)]
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    # email.utils reads any year under 100 as a two-digit one: "01 Jan 0001", which Hugo and
    # Go write for "no date", became 2001. A year written in four digits is that year.
    if (year := RFC822_YEAR.search(value)) and len(year[1]) == 4 and int(year[1]) != parsed.year:
        return None
    if zone and parsed.tzinfo is None and problems is not None:
        problems.append(
            f"dates in the time zone {zone.group(1)}, whose offset is not known, were read "
            "as the publisher's local time"
        )
    return parsed


RFC822_YEAR = re.compile(r"\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d{1,4})\b")


EMAIL_NAME = re.compile(r"^\S+@\S+\s*\((.+)\)$")
NAME_EMAIL = re.compile(r"^(.+?)\s*<\S+@\S+>$")


def author_name(value: str | None) -> str | None:
    """A person's name from `mail@x (Name)` or `Name <mail@x>`; a bare address is no name."""
    value = plain_text(value)
    if not value:
        return None
    if found := EMAIL_NAME.match(value) or NAME_EMAIL.match(value):
        return found.group(1).strip() or None
    return None if re.fullmatch(r"\S+@\S+", value) else value


def _language(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _collect(
    items: Iterable[etree._Element],
    read: Callable[[etree._Element], ParsedEntry | None],
    problems: list[str],
) -> list[ParsedEntry]:
    entries, skipped = [], 0
    for item in items:
        entry = read(item)
        if entry is None:
            skipped += 1
        else:
            entries.append(entry)
    if skipped:
        what = (
            "entry without a usable link was"
            if skipped == 1
            else "entries without a usable link were"
        )
        problems.append(f"{skipped} {what} skipped")
    return entries


def _absolute(link: str | None, base: str) -> str | None:
    """An http(s) address, resolved against the feed's; None for anything else (tag:, mailto:,
    one no row can keep: control characters, too long; clipdesk/storable.py)."""
    link = (link or "").strip()
    if not link:
        return None
    url = resolved_url(base, link)
    if url is None or not storable_url(url):
        return None
    # A fragment is never sent: "story.html#top" is "story.html", and was stored as another
    # address of one page (fetched twice when two workers took the two entries at once).
    url = urldefrag(url).url
    return url if url.startswith(("http://", "https://")) and urlsplit(url).hostname else None


# RSS 0.91, 0.92, 2.0 and RSS 1.0 / 0.90 (RDF) share item fields.


def parse_rss(root: etree._Element, url: str, problems: list[str]) -> ParsedFeed:
    channel = next((c for c in root if etree.QName(c).localname == "channel"), None)
    if channel is None:
        raise FeedError("feeds: an RSS document without a <channel>")
    kids = _children(channel, NATIVE["rss"])
    language = _language(_first(kids, "language", "dc:language"))
    link = _absolute(_first(kids, "link"), _xml_base(channel, url) or url)
    items = kids.get("item", [])
    if recovered(problems):  # items may have been nested inside one another
        items = _descendants(channel, "item")
    return _rss_family("rss", kids, items, link, language, url, problems)


def parse_rdf(root: etree._Element, url: str, problems: list[str]) -> ParsedFeed:
    kids = _children(root, NATIVE["rdf"])
    channel_el = kids["channel"][0] if kids.get("channel") else None
    channel = _children(channel_el, NATIVE["rdf"]) if channel_el is not None else {}
    language = _language(_first(channel, "dc:language", "language"))
    base = _xml_base(channel_el if channel_el is not None else root, url)
    link = _absolute(_first(channel, "link"), base or url)
    items = _descendants(root, "item") if recovered(problems) else kids.get("item", [])
    return _rss_family("rdf", channel, items, link, language, url, problems)


def _rss_family(
    kind: str,
    channel: Children,
    items: list[etree._Element],
    link: str | None,
    language: str | None,
    url: str,
    problems: list[str],
) -> ParsedFeed:
    """The feed of an RSS 2.0 or RSS 1.0 channel: the two differ only in where items live.
    An item's links resolve against the xml:base in scope, else the channel's <link>."""

    def read(item: etree._Element) -> ParsedEntry | None:
        base = _xml_base(item, url)
        return _rss_item(item, link or url if base is None else base, language, kind, problems)

    entries = _collect(items, read, problems)
    return ParsedFeed(
        kind=kind,
        title=plain_text(_first(channel, "title", "dc:title")),
        link=link,
        language=language,
        ttl_minutes=_ttl(channel),
        entries=entries,
    )


def _xml_base(el: etree._Element, url: str) -> str | None:
    """The base address the xml:base attributes of `el` and its ancestors set, None when
    none is in scope. Each resolves against its parent's base, the outermost against the
    feed's address (RFC 3986, as every link here). One that resolves to no address leaves
    relative links without a base (""): they are skipped, not resolved against another."""
    bases = [b for e in (el, *el.iterancestors()) if (b := e.get(XML_BASE)) is not None]
    if not bases:
        return None
    base: str | None = url
    for value in reversed(bases):
        base = resolved_url(base, value.strip()) if base else None
    return base or ""


def _rss_item(
    item: etree._Element, base: str, language: str | None, kind: str, problems: list[str]
) -> ParsedEntry | None:
    kids = _children(item, NATIVE[kind])
    guid_el = next(iter(kids.get("guid", [])), None)
    guid = _text(guid_el) if guid_el is not None else item.get(f"{{{RDF_NS}}}about")
    link = _first(kids, "link", "atom:link")
    if not link:
        for el in kids.get("atom:link", []):
            if el.get("rel", "alternate") == "alternate" and el.get("href"):
                link = el.get("href")
                break
    if not link:  # after recovery from malformed XML the link may sit deeper
        link = next((t for d in _descendants(item, "link")[:1] if (t := _text(d))), None)
    if not link and guid and guid_el is not None and guid_el.get("isPermaLink") != "false":
        link = guid if guid.startswith(("http://", "https://")) else None
    entry_url = _absolute(link, base)
    if entry_url is None:
        return None
    authors = [
        name
        for el in kids.get("author", []) + kids.get("dc:creator", []) + kids.get("atom:author", [])
        if (name := author_name(_text(el)))
    ]
    return ParsedEntry(
        url=entry_url,
        guid=guid or None,
        title=plain_text(_first(kids, "title", "dc:title")),
        published=parse_date(
            _first(kids, "pubDate", "dc:date", "dcterms:issued", "atom:published"), problems
        ),
        authors=list(dict.fromkeys(authors)),
        summary=plain_text(_first(kids, "description", "content:encoded"), SUMMARY_CHARS),
        language=_language(_first(kids, "dc:language") or item.get(XML_LANG)) or language,
    )


MAX_TTL_MINUTES = 24 * 60


def _ttl(kids: Children) -> int | None:
    ttl = decimal_count(_first(kids, "ttl") or "")
    if ttl:
        # No wait is longer than a day (robots.next_check_seconds), and a source keeps the
        # number in a column of its own: "99999999999999" would not fit one.
        return min(ttl, MAX_TTL_MINUTES)
    period = SY_PERIOD_MINUTES.get((_first(kids, "sy:updatePeriod") or "").lower())
    if period is None:
        return None
    # Read as decimal_count reads it: 5,000 digits or a "²" refused the whole feed.
    frequency = decimal_count(_first(kids, "sy:updateFrequency") or "1")
    return max(1, period // frequency) if frequency else period


# Atom 1.0 (and 0.3, which differs only in names we do not read).


def parse_atom(root: etree._Element, url: str, problems: list[str]) -> ParsedFeed:
    kids = _children(root, NATIVE["atom"])
    feed_authors = _atom_authors(kids)
    language = _language(root.get(XML_LANG))
    entries = _collect(
        kids.get("entry", []),
        lambda el: _atom_entry(el, feed_authors, language, problems),
        problems,
    )
    return ParsedFeed(
        kind="atom",
        title=_atom_text(kids, "title"),
        link=_atom_link(kids, root.base or url),
        language=language,
        entries=entries,
    )


def _atom_entry(
    entry: etree._Element, feed_authors: list[str], language: str | None, problems: list[str]
) -> ParsedEntry | None:
    kids = _children(entry, NATIVE["atom"])
    link = _atom_link(kids, entry.base or "")
    guid = _first(kids, "id")
    if link is None and guid and guid.startswith(("http://", "https://")):
        link = guid
    if link is None:
        return None
    summary = _atom_text(kids, "summary", SUMMARY_CHARS) or _atom_text(
        kids, "content", SUMMARY_CHARS
    )
    return ParsedEntry(
        url=link,
        guid=guid,
        title=_atom_text(kids, "title"),
        published=parse_date(_first(kids, "published", "issued", "updated", "modified"), problems),
        modified_only=not _first(kids, "published", "issued"),
        authors=_atom_authors(kids) or list(feed_authors),
        summary=summary,
        language=_language(entry.get(XML_LANG)) or language,
    )


def _atom_text(kids: Children, name: str, limit: int | None = None) -> str | None:
    """Text, HTML (escaped) and XHTML (inline) constructs all end as plain text."""
    for el in kids.get(name, ()):
        return plain_text(_text(el), limit)
    return None


def _atom_link(kids: Children, base: str) -> str | None:
    """The entry's web page: its alternate link of an HTML type (or of none) first. Atom
    allows one alternate a type; the first one was taken, a PDF among them."""
    alternates = [el for el in kids.get("link", []) if el.get("rel", "alternate") == "alternate"]
    alternates = [el for el in alternates if el.get("href")]
    for el in sorted(alternates, key=lambda el: _not_a_page(el.get("type", ""))):
        if found := _absolute(el.get("href"), base):
            return found
    return None


def _not_a_page(media_type: str) -> bool:
    kind = media_type.split(";")[0].strip().lower()
    return bool(kind) and kind not in ("text/html", "application/xhtml+xml")


def _atom_authors(kids: Children) -> list[str]:
    names = []
    for el in kids.get("author", []):
        name = _first(_children(el, NATIVE["atom"]), "name") or _text(el)
        if name := author_name(name):
            names.append(name)
    return list(dict.fromkeys(names))


# Sitemaps: urlset (with or without Google News tags) and sitemap indexes.


def parse_sitemap(root: etree._Element, url: str, problems: list[str]) -> ParsedFeed:
    is_index = etree.QName(root).localname == "sitemapindex"
    kids = _children(root, NATIVE["sitemap"])
    items = kids.get("sitemap" if is_index else "url", [])
    publications: set[str] = set()
    languages: set[str | None] = set()

    def read(item: etree._Element) -> ParsedEntry | None:
        fields = _children(item, NATIVE["sitemap"])
        loc = _absolute(_first(fields, "loc"), url)
        if loc is None:
            return None
        entry = ParsedEntry(
            url=loc, published=parse_date(_first(fields, "lastmod"), problems), modified_only=True
        )
        for news in fields.get("news:news", []):
            info = _children(news, {NEWS_NS})
            entry.title = plain_text(_first(info, "title"))
            if published := parse_date(_first(info, "publication_date"), problems):
                entry.published, entry.modified_only = published, False
            for publication in info.get("publication", []):
                pub = _children(publication, {NEWS_NS})
                entry.language = _language(_first(pub, "language"))
                if name := _first(pub, "name"):
                    publications.add(name)
        languages.add(entry.language)
        return entry

    entries = _collect(items, read, problems)
    kind = "sitemap_index" if is_index else "news_sitemap" if publications else "sitemap"
    if not is_index and not publications and any(e.title for e in entries):
        kind = "news_sitemap"
    return ParsedFeed(
        kind=kind,
        title=publications.pop() if len(publications) == 1 else None,
        language=languages.pop() if len(languages) == 1 else None,
        entries=entries,
    )


def parse_text_sitemap(data: bytes, url: str, problems: list[str]) -> ParsedFeed:
    """A text sitemap (sitemaps.org): one absolute http(s) address a line, in UTF-8. Blank
    lines are passed over; a line that is no address (a relative one included, which the
    protocol forbids) is skipped and counted in `problems`."""
    text = data.decode("utf-8", "replace")
    entries, skipped = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        found = _absolute(line, url) if line.lower().startswith(("http://", "https://")) else None
        if found is None or any(c.isspace() for c in line):
            skipped += 1
        else:
            entries.append(ParsedEntry(url=found))
    if skipped:
        what = "line that is" if skipped == 1 else "lines that are"
        was = "was" if skipped == 1 else "were"
        problems.append(f"{skipped} {what} no http(s) address {was} skipped")
    return ParsedFeed(kind="sitemap", entries=entries)


# JSON Feed 1.0 and 1.1.


def parse_json_feed(data: bytes, url: str, problems: list[str]) -> ParsedFeed:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # JSON is UTF-8 (RFC 8259); a feed in another charset is read as windows-1252, the
        # usual culprit, as the XML path reads a wrong declaration, and the editor is told.
        text = data.decode("cp1252", "replace")
        problems.append("the JSON Feed is not valid UTF-8, as JSON must be; read as windows-1252")
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise FeedError(f"feeds: the body looks like JSON but does not parse ({exc})") from exc
    except RecursionError as exc:  # arrays nested thousands deep: no feed, a trap
        raise FeedError("feeds: the body is JSON nested too deep to be a feed") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise FeedError("feeds: JSON, but not a JSON Feed (no list of items)")
    if "jsonfeed.org/version/" not in str(doc.get("version", "")):
        problems.append("the JSON Feed does not say its version; read as JSON Feed 1.1")
    # A field of the wrong type is missing, not text: `"url": 123` read as "123" was a
    # relative link to the feed's own host, fetched and stored as an article.
    wrong: list[str] = []
    link = _absolute(_json_str(doc, "home_page_url", wrong), url)
    feed_authors = _json_authors(doc, wrong)
    language = _language(_json_str(doc, "language", wrong))

    def read(item: object) -> ParsedEntry | None:
        if not isinstance(item, dict):
            return None
        guid = _json_id(item, wrong)
        link_ = _json_str(item, "url", wrong) or _json_str(item, "external_url", wrong)
        if not link_ and guid and guid.startswith(("http://", "https://")):
            link_ = guid
        entry_url = _absolute(link_, link or url)
        if entry_url is None:
            return None
        summary = _json_str(item, "summary", wrong) or _json_str(item, "content_text", wrong)
        return ParsedEntry(
            url=entry_url,
            guid=guid,
            title=plain_text(_json_str(item, "title", wrong)),
            published=parse_date(
                _json_str(item, "date_published", wrong) or _json_str(item, "date_modified", wrong),
                problems,
            ),
            authors=_json_authors(item, wrong) or list(feed_authors),
            summary=plain_text(summary or _json_str(item, "content_html", wrong), SUMMARY_CHARS),
            language=_language(_json_str(item, "language", wrong)) or language,
        )

    title = plain_text(_json_str(doc, "title", wrong))
    entries = _collect(doc["items"], read, problems)
    if wrong:
        names = ", ".join(dict.fromkeys(wrong))
        problems.append(
            f"the JSON Feed gives {names} as something other than text; read as missing"
        )
    return ParsedFeed(kind="json", title=title, link=link, language=language, entries=entries)


def _json_str(doc: dict, key: str, wrong: list[str]) -> str | None:
    """The text of `key`; a number, list or object there is no text (its name goes in
    `wrong`), and null is the same as no key."""
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        wrong.append(key)
        return None
    return (value.strip() or None) if value else None


def _json_id(item: dict, wrong: list[str]) -> str | None:
    """An item's id: the spec tells readers to take a number as its digits ("id": 42)."""
    value = item.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _json_str(item, "id", wrong)


def _json_authors(doc: dict, wrong: list[str]) -> list[str]:
    raw = doc.get("authors")
    if not isinstance(raw, list):
        raw = [doc["author"]] if isinstance(doc.get("author"), dict) else []
    names = [author_name(_json_str(a, "name", wrong)) for a in raw if isinstance(a, dict)]
    return list(dict.fromkeys(n for n in names if n))
