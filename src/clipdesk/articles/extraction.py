"""Article extraction: a fetched page (and its feed entry, if any) in, one `ExtractedArticle` out.

Stages of `extract_article` (comments in the code carry the same numbers):

1. Decode: byte-order mark, then `<meta charset>`, then UTF-8, else windows-1252. Empty,
   binary, JSON, PDF, feed or markup-free input is refused with `ExtractionError`.
2. Read the page's own metadata once (page_metadata.py): JSON-LD, `<meta>`, `<h1>`s,
   `<title>`, `<link rel=canonical>`, a byline, `<html lang>`.
3. Site rule (optional, data): `drop_xpaths` are pruned; `title_xpath`, `author_xpath`,
   `date_xpath` and `body_xpath` win over everything below.
4. General path: trafilatura's metadata, the last candidate, read field by field only when
   a choice (5) asks (trafilatura_meta.py), and htmldate asked as trafilatura asks it for the
   date; then trafilatura's `bare_extraction` for the text, fast pass first (see
   `FULL_PASS_BELOW_CHARS`), on the tree without what it would remove unread (`_drop_code`).
5. Choose each page field from its candidates (see `_choose_title`, `_choose_authors`,
   `_choose_outlet`); measured on the 101 gold pages in ../shared/data/trafilatura. The
   choices are made before the text is extracted, which is the tree's last use.
6. Language from the text (language.py); canonical URL from `<link rel=canonical>` when it is
   on the same site (canonical.py); the zero-width joiners trafilatura dropped from the page's
   values put back (joiners.py).
7. Merge with the feed entry: the title and date from the feed (as published, usually right),
   unless a site rule gives them (an editor's word for that site wins over the heuristic); the
   authors from the page when it names any (feeds often give one account or none); the feed's
   and the page's values are both kept, and `choices` says which won and why.
"""

from __future__ import annotations

import datetime
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

import htmldate
import lxml.html
import trafilatura
from lxml import etree
from trafilatura.baseline import html2txt

from clipdesk import jalali
from clipdesk.articles.canonical import (
    URLError,
    canonical_url,
    drops_naming_query,
    is_front_page,
    is_section_above,
    same_site,
    user_info,
    without_credentials,
)
from clipdesk.articles.joiners import JoinerRestorer, may_have_lost_joiners
from clipdesk.articles.language import detect_language, primary_subtag
from clipdesk.articles.page_metadata import PageMeta, clean_text, read_page_metadata
from clipdesk.articles.trafilatura_meta import TrafilaturaMeta
from clipdesk.bidi import closed_bidi
from clipdesk.charsets import binary_kind, decode_page
from clipdesk.sources.feed_formats import EMAIL_NAME, NAME_EMAIL
from clipdesk.sources.feeds import ParsedEntry
from clipdesk.storable import storable_text, storable_url

__all__ = [
    "ExtractedArticle",
    "ExtractionError",
    "canonical_url",  # re-exported: the interface promises it here; it lives in canonical.py
    "clean_author_names",
    "decode_html",
    "extract_article",
    "strip_site_name",
]

RULE_KEYS = {"title_xpath", "author_xpath", "date_xpath", "body_xpath", "drop_xpaths"}


class ExtractionError(ValueError):
    """The input is not an article page that can be read; the message says why.

    `lasting` is False for what may pass (an empty answer, a server's passing fault): such
    a page is asked for again, where one that is no article (a PDF, a feed) is not."""

    def __init__(self, message: str, *, lasting: bool = True) -> None:
        super().__init__(message)
        self.lasting = lasting


@dataclass
class ExtractedArticle:
    """What one page says, after the feed merge; `page_*`/`feed_*` keep both sides' values."""

    url: str
    canonical_url: str
    title: str | None
    authors: list[str]
    outlet_name: str | None
    published: datetime.date | None
    language: str | None
    text: str
    description: str | None
    feed_title: str | None = None
    page_title: str | None = None
    feed_published: datetime.date | None = None
    page_published: datetime.date | None = None
    feed_authors: list[str] = field(default_factory=list)
    page_authors: list[str] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)
    # The fields a site rule gave ("title", "authors", "published", "text"): an editor's word
    # for the site, which wins over the feed's, also when the article is extracted again.
    rule_fields: frozenset[str] = frozenset()


def extract_article(
    html: bytes | str,
    url: str,
    *,
    entry: ParsedEntry | None = None,
    rules: Mapping | None = None,
    content_type: str | None = None,
) -> ExtractedArticle:
    """Read one article page; `entry` is its feed item, `rules` a site rule (see stage 3),
    `content_type` the response's header (its charset decides how the bytes are read)."""
    text_html = decode_html(html, content_type)  # 1
    tree = _parse_html(text_html)
    meta = read_page_metadata(tree, url)  # 2
    choices: dict[str, str] = {}
    canonical = _choose_canonical(meta.canonical, url, choices)  # 6, early: a bad URL stops here
    rule = _RuleResult.apply(tree, rules or {}, url)  # 3
    # trafilatura's metadata, read field by field when a choice below first asks for it (4),
    # before its text: that extraction may take the tree apart.
    traf = TrafilaturaMeta(tree, url, DATE_PARAMS)
    outlets = _choose_outlet(meta, traf, url, choices)  # 5
    page_title = _choose_title(meta, traf, rule, outlets, url, choices)
    page_authors = _choose_authors(meta, traf, rule, choices)
    page_published = _choose_date(rule, traf, tree, page_title, choices)
    description = meta.description or traf.description

    prune = list(rules.get("drop_xpaths", ())) if rules else []
    for path in prune:  # a rule saved before they were checked on saving
        if not all(isinstance(found, etree._Element) for found in _xpath(tree, path)):
            raise ExtractionError(
                f"extraction: the site rule's drop XPath {path!r} selects text or attributes, "
                "not elements"
            )
    doc = _trafilatura(tree, url, prune)  # 4
    # Spaces and blank lines at either end (trafilatura's fuller passes leave them on some
    # pages: 26 of the 482 of ../shared/data) would show wherever the text is shown.
    body = (rule.body or (doc.text if doc is not None and doc.text else "")).strip()
    body = _without_byline_remnant(body)
    if rule.body:
        choices["text"] = "the site rule's body_xpath"
    else:
        choices["text"] = "trafilatura's main text" if body else "none: no main text was found"

    language, how = detect_language(body, meta.lang)  # 6
    if language is None and entry is not None and (declared := primary_subtag(entry.language)):
        language, how = declared, "from the feed entry"
    choices["language"] = how

    article = ExtractedArticle(
        url=without_credentials(url),
        canonical_url=canonical,
        title=page_title,
        authors=page_authors,
        outlet_name=outlets[0] if outlets else None,
        published=page_published,
        language=language,
        text=body,
        description=description,
        page_title=page_title,
        page_published=page_published,
        page_authors=page_authors,
        choices=choices,
        rule_fields=rule.fields(),
    )
    if may_have_lost_joiners((page_title, body), text_html):
        # trafilatura drops zero-width joiners (joiners.py); the page's text has them. The
        # tree has lost only what holds no article text (_drop_code).
        _restore_joiners(article, JoinerRestorer(["".join(tree.itertext())]))
    if entry is not None:
        _merge_entry(article, entry, rule)  # 7
    _make_storable(article)
    return article


def _restore_joiners(article: ExtractedArticle, joiners: JoinerRestorer) -> None:
    """The page's values with the zero-width joiners trafilatura dropped put back."""
    for name in ("title", "page_title", "text", "description", "outlet_name"):
        setattr(article, name, joiners.restore(getattr(article, name)))
    for name in ("authors", "page_authors"):
        setattr(article, name, [joiners.restore(a) for a in getattr(article, name)])


# The values shown on one line beside others (the desk's "headline · outlet · date", a post
# page's title): what bidirectional controls they open is closed at their end (bidi.py).
_SHOWN_BESIDE_OTHERS = frozenset(
    {"title", "page_title", "feed_title", "outlet_name", "authors", "page_authors", "feed_authors"}
)


def _make_storable(article: ExtractedArticle) -> None:
    """Every text of the article as a database column takes it (clipdesk/storable.py): a page
    can put NUL or a lone surrogate anywhere, JSON-LD most easily."""
    for item in fields(article):
        value = getattr(article, item.name)
        tidy = closed_bidi if item.name in _SHOWN_BESIDE_OTHERS else _unchanged
        if isinstance(value, str):
            setattr(article, item.name, tidy(storable_text(value)))
        elif isinstance(value, list):
            kept = (storable_text(v) for v in value)
            setattr(article, item.name, [tidy(v) for v in kept if v])
        elif isinstance(value, dict):
            setattr(article, item.name, {k: storable_text(v) for k, v in value.items()})


def _unchanged(value: str) -> str:
    return value


# --- 1. decode -------------------------------------------------------------------------------

XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
FEED_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF|urlset)\b")
SOME_MARKUP = re.compile(r"<(?:html|head|body|title|meta|p|div|article|h1|span|a|br)\b", re.I)


def decode_html(data: bytes | str, content_type: str | None = None) -> str:
    """The page as text: BOM, then the charset of the response's Content-Type, then the
    page's meta charset (either unless the bytes are UTF-8), then UTF-8."""
    text = data if isinstance(data, str) else _decode_bytes(data, content_type)
    head = text[:2048].lstrip()
    if not head:
        raise ExtractionError("extraction: the page is empty", lasting=False)
    if what := binary_kind(head):
        raise ExtractionError(f"extraction: {what}, not an HTML page")
    if head[0] in "{[":
        raise ExtractionError("extraction: JSON, not an HTML page")
    if FEED_ROOT.match(head):
        raise ExtractionError("extraction: a feed or sitemap, not an article page")
    if not SOME_MARKUP.search(text, 0, 65536):
        raise ExtractionError("extraction: no HTML markup in the first 64 KB; not a web page")
    return text


def _decode_bytes(data: bytes, content_type: str | None = None) -> str:
    return decode_page(data, content_type)


class _Parsers(threading.local):
    """One parser per thread (extraction runs on pollers' preparing threads).

    Comments and processing instructions are dropped, as trafilatura's own parser drops them
    (its readability fallback fails on a tree that holds comments). Every element is a plain
    `HtmlElement`: lxml.html's default lookup asks a Python method for the class of each
    element the extractors touch (over a million calls on bench/ingest.py's 404 pages, about
    3% of extraction), only to find the form classes, which nothing here uses.
    """

    def __init__(self) -> None:
        self.html = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        self.html.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )


_parsers = _Parsers()


def _parse_html(text: str) -> lxml.html.HtmlElement:
    """The page's tree, with the characters XML refuses taken out first (`storable_text`):
    lxml's HTML parser keeps a vertical tab or form feed in the tree but refuses to set one
    back, and trafilatura sets every text it cleans, so such a page failed extraction."""
    try:
        return lxml.html.document_fromstring(
            XML_DECLARATION.sub("", storable_text(text), count=1), parser=_parsers.html
        )
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"extraction: the HTML cannot be parsed ({exc})") from exc


# --- 3. site rules ---------------------------------------------------------------------------


@dataclass
class _RuleResult:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: datetime.date | None = None
    body: str | None = None

    def fields(self) -> frozenset[str]:
        """The article's fields this rule gave."""
        given = {"title": self.title, "authors": self.authors, "published": self.date}
        return frozenset(name for name, value in {**given, "text": self.body}.items() if value)

    @classmethod
    def apply(cls, tree: lxml.html.HtmlElement, rules: Mapping, url: str) -> _RuleResult:
        """What a site rule's XPaths find; the tree given to trafilatura is not changed."""
        unknown = set(rules) - RULE_KEYS
        if unknown:
            raise ExtractionError(f"extraction: unknown site rule keys {sorted(unknown)}")
        if not rules:
            return cls()
        tree = _copy_without(tree, rules.get("drop_xpaths", ()))
        result = cls()
        if path := rules.get("title_xpath"):
            result.title = next(iter(_xpath_texts(tree, path)), None)
        if path := rules.get("author_xpath"):
            result.authors = _xpath_texts(tree, path)
        if path := rules.get("date_xpath"):
            for value in _xpath_texts(tree, path):
                found = htmldate.find_date(f"<html><body><p>{value}</p></body></html>", url=url)
                if found:
                    result.date = datetime.date.fromisoformat(found)
                    break
        if path := rules.get("body_xpath"):
            paragraphs = _xpath_texts(tree, path, block=True)
            result.body = "\n".join(paragraphs) or None
        return result


def _copy_without(tree: lxml.html.HtmlElement, paths: Iterable[str]) -> lxml.html.HtmlElement:
    tree = lxml.html.fromstring(lxml.html.tostring(tree))
    for path in paths:
        for el in _xpath(tree, path):
            if isinstance(el, etree._Element) and el.getparent() is not None:
                el.drop_tree()
    return tree


def _xpath(tree: lxml.html.HtmlElement, path: str) -> list:
    try:
        found = tree.xpath(path)
    except etree.XPathError as exc:
        raise ExtractionError(f"extraction: the site rule's XPath {path!r} is invalid") from exc
    return found if isinstance(found, list) else [found]


def _xpath_texts(tree: lxml.html.HtmlElement, path: str, block: bool = False) -> list[str]:
    texts = []
    for found in _xpath(tree, path):
        if isinstance(found, etree._Element):
            if block:
                parts = [clean_text(p.text_content()) for p in found.iter("p", "h2", "h3", "li")]
                value = "\n".join(p for p in parts if p) or clean_text(found.text_content())
            else:
                value = clean_text(found.text_content())
        else:
            value = clean_text(str(found))
        if value:
            texts.append(value)
    return texts


# --- 4. trafilatura's view -------------------------------------------------------------------

# htmldate's settings for the published date: the original date, not a later update, found
# by the extensive search (trafilatura's own default narrows the search in its fast mode).
DATE_PARAMS = {"original_date": True, "extensive_search": True}
# When the fast pass finds under this many characters of main text, and under this share of
# the page's whole text, extract again with trafilatura's fallback extractors (readability,
# jusText). Measured on the 101 gold pages: the fast pass alone loses two pages' text (recall
# of the gold's expected sentences 0.950 → 0.940), both under 600 characters; fast first and
# full below 1,000 characters keeps 0.950 and precision 0.961. Of the ten pages under 1,000
# characters, the full pass changes the text of those two only, where the fast pass found 2%
# and 4% of the page's text; on the eight others (12–86%) it found the same text, at up to
# 244 ms a page. On the 181 pages of the article extraction benchmark, the one page it would
# change (20% of its page) it made worse (token precision 0.97 → 0.20). With the share, the
# full pass runs on the two gold pages that need it: recall 0.950, precision 0.961 on the
# gold, 0.984 and 0.951 on the benchmark (0.947 before), a fifth fewer instructions on the
# ten short pages (callgrind).
FULL_PASS_BELOW_CHARS = 1000
FULL_PASS_PAGE_SHARE = 0.1


def _trafilatura(tree: lxml.html.HtmlElement, url: str, prune: list[str]) -> object | None:
    """trafilatura's main text: the fast pass, then the full one if short and a small part
    of the page's text (trafilatura's baseline `html2txt` measures the page).

    The tree is the caller's last use of it: what trafilatura would remove unread is taken
    out first (`_drop_code`). trafilatura copies a tree it is given before cleaning it, so both
    passes read the same page, parsed once in stage 1.
    """
    _drop_code(tree)
    options = {
        "url": url,
        "include_comments": False,
        "prune_xpath": prune or None,
    }
    doc = trafilatura.bare_extraction(tree, fast=True, **options)
    found = len(doc.text or "") if doc is not None else 0
    if found < FULL_PASS_BELOW_CHARS and found < FULL_PASS_PAGE_SHARE * len(html2txt(tree)):
        doc = trafilatura.bare_extraction(tree, **options) or doc
    return doc


LD_JSON = "application/ld+json"


def _drop_code(tree: lxml.html.HtmlElement) -> None:
    """Remove what trafilatura would remove unread, in place: scripts (but JSON-LD), styles,
    inline SVG, asides and footers, and the head's meta and link elements.

    trafilatura removes them too, and its page measure (`html2txt`) does not count them, but
    only after pruning the raw tree with XPaths that visit every element and copying it twice
    (for the text, and a backup); asides and footers (related stories, comment threads) are
    the largest of them. Removed first, extraction takes 12% fewer instructions a page
    (callgrind, the 101 gold pages) and leaves every field of the 482 pages of
    ../shared/data as it was. Navigation stays: the page measure counts it, and removing it
    changed the text of 3 of the 482. JSON-LD stays: trafilatura reads it for forum threads
    and article bodies.
    """
    for element in list(tree.iter("script", "style", "svg", "aside", "footer")):
        if element.tag == "script" and (element.get("type") or "").strip().lower() == LD_JSON:
            continue
        if element.getparent() is not None:
            element.drop_tree()  # the tail text stays
    head = tree.find("head")
    if head is not None:
        for element in head.findall("meta") + head.findall("link"):
            element.drop_tree()


# --- 5. choosing page fields -----------------------------------------------------------------

SEPARATOR = re.compile(r"\s+(?:[|–—·•»]|-{1,2}|::)\s+")


def _key(text: str | None) -> str:
    """Comparison key: case, accents, quotes, punctuation and spaces make no difference."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return re.sub(r"[\W_]+", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _host_label(url: str) -> str:
    """`www.nytimes.com` → `nytimes`; `tonedeaf.thebrag.com` → `tonedeafthebrag`."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    labels = host.split(".")
    labels = labels[:-2] if len(labels) > 2 and len(labels[-2]) <= 3 else labels[:-1]
    return _key("".join(labels))


def _is_site_name(text: str, outlets: list[str], url: str) -> bool:
    key, label = _key(text), _host_label(url)
    if not key:
        return False
    if any(key == _key(o) for o in outlets):
        return True
    return len(label) >= 4 and (label in key or (len(key) >= 4 and key in label))


def strip_site_name(title: str, outlets: list[str], url: str) -> str:
    """'Headline | Outlet' → 'Headline'; also 'Outlet - Headline'. The headline is never emptied."""
    for sep in SEPARATOR.finditer(title):  # leftmost separator whose tail is the site
        if _is_site_name(title[sep.end() :], outlets, url) and sep.start() > 0:
            title = title[: sep.start()]
            break
    for sep in reversed(list(SEPARATOR.finditer(title))):  # and a site name before it
        if _is_site_name(title[: sep.start()], outlets, url) and sep.end() < len(title):
            title = title[sep.end() :]
            break
    return title.strip()


def _choose_outlet(
    meta: PageMeta, traf: TrafilaturaMeta, url: str, choices: dict[str, str]
) -> list[str]:
    """Outlet names, best first: the first candidate that matches the host name wins.

    og:site_name is sometimes a section ("U.S." on reuters.com) and the JSON-LD publisher a
    domain ("Salon.com"), so agreement with the address decides between them.
    """
    candidates = [
        (source, name)
        for source, name in (
            ("og:site_name", meta.og_site_name),
            ("the JSON-LD publisher", meta.ld_publisher),
            ("the application-name meta tag", meta.app_name),
        )
        if name
    ]
    label = _host_label(url)

    def matches(name: str) -> bool:
        key = _key(name)
        return len(label) >= 3 and len(key) >= 3 and (key in label or label in key)

    found = next(((source, name) for source, name in candidates if matches(name)), None)
    # trafilatura's name costs a parse of the JSON-LD: read only when the page's own names
    # do not match the address.
    if found is None and (name := traf.sitename):
        candidates.append(("trafilatura's site name", name))
        found = candidates[-1] if matches(name) else None
    if found is not None:
        source, name = found
        choices["outlet_name"] = f"{source}, which matches the address"
        return [name] + [n for _, n in candidates if n != name]
    if candidates:
        choices["outlet_name"] = f"{candidates[0][0]} (no candidate matches the address)"
        return [n for _, n in candidates]
    choices["outlet_name"] = "none: the page names no site"
    return []


def _choose_title(
    meta: PageMeta,
    traf: TrafilaturaMeta,
    rule: _RuleResult,
    outlets: list[str],
    url: str,
    choices: dict[str, str],
) -> str | None:
    """The visible headline (an h1) when the metadata confirms it, else the cleanest metadata.

    Measured on the 101 gold pages: the h1 is the gold headline on 79, og:title on 59, the
    JSON-LD headline on 47, trafilatura's title on 67; an h1 confirmed by metadata is rarely a
    widget heading.
    """
    if rule.title:
        choices["title"] = "the site rule's title_xpath"
        return rule.title
    named = [
        ("the JSON-LD headline", meta.ld_headline),
        ("og:title", meta.og_title),
        ("twitter:title", meta.twitter_title),
        ("the <title>", meta.title_tag),
    ]
    cleaned = [(s, strip_site_name(t, outlets, url)) for s, t in named if t]
    keys = {_key(t) for _, t in named if t} | {_key(t) for _, t in cleaned}
    for h1 in meta.h1s:
        if _key(h1) in keys:
            choices["title"] = "the page's h1, which its metadata confirms"
            return h1
    for h1 in meta.h1s:
        key = _key(h1)
        if len(key) >= 20 and any(key in k for k in keys):  # the metadata adds a kicker
            choices["title"] = "the page's h1, which a metadata title contains"
            return h1
        for source, title in cleaned:  # the h1 adds a section label or a standfirst
            if len(_key(title)) >= 20 and _key(title) in key:
                choices["title"] = f"{source}, which the page's h1 contains with more around it"
                return title
    if cleaned:
        source, title = cleaned[0]
        choices["title"] = f"{source}, without the site name"
        return title
    if meta.h1s:
        choices["title"] = "the page's first h1 (no metadata title)"
        return meta.h1s[0]
    if traf.title:
        choices["title"] = "trafilatura's title"
        return traf.title
    choices["title"] = "none found"
    return None


# trafilatura drops an author's name marked as such (`<span class="author">`) and keeps the
# word before it: the text began "By" or "Par" on a line of its own, in search and quotes.
_BYLINE_REMNANT = re.compile(r"(?:by|von|par|por|door|di|av|af)\s*:?", re.IGNORECASE)
BYLINE_REMNANT_LINES = 3  # looked for among the text's first lines only


def _without_byline_remnant(body: str) -> str:
    lines = body.split("\n")
    for index, line in enumerate(lines[:BYLINE_REMNANT_LINES]):
        if _BYLINE_REMNANT.fullmatch(line.strip()):
            return "\n".join(lines[:index] + lines[index + 1 :]).strip()
    return body


BYLINE_PREFIX = re.compile(
    r"^(?:(?:view\s+all\s+posts|posted|written|reported|words|text|story)\s+)?"
    r"(?:by|von|par|por|door|di)\s*[:\-]?\s+",
    re.IGNORECASE,
)
CREDENTIAL = re.compile(r",?\s+(?:Ph\.?\s?D|M\.?D|MPH|RN|DVM|MBA|Esq)\.?$", re.IGNORECASE)
MAX_AUTHORS = 12  # more names than that is a reference list or a comment thread, not a byline
NOT_NAMES = {"no author", "follow", "admin", "administrator", "unknown", "anonymous", "author"}
SPLIT_NAMES = re.compile(r"\s*;\s*|\s*,\s*|\s+and\s+|\s+&\s+|\s+und\s+|\s+et\s+|\s*\|\s*", re.I)
NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv|phd|md)\.?$", re.IGNORECASE)
# Bylines of a newsroom rather than of people: "Staff and agencies", "Guardian staff & wires"
# are one credit, not the two authors "Staff" and "agencies".
COLLECTIVE_WORDS = frozenset(
    {"staff", "agencies", "agency", "wires", "wire", "reports", "reporters", "correspondents"}
    | {"writers", "services", "desk", "editors"}
)


def _collective_byline(parts: list[str]) -> bool:
    return len(parts) > 1 and all(
        part.split() and part.split()[-1].casefold() in COLLECTIVE_WORDS for part in parts
    )


def clean_author_names(values: Iterable[str]) -> list[str]:
    """Names from bylines: 'By A, B and C' → [A, B, C], 'a@x (A)' → [A]; bare addresses and
    placeholders dropped.

    An author equal to the outlet is kept: personal blogs and press releases are signed so.
    """
    names: list[str] = []
    for value in values:
        value = BYLINE_PREFIX.sub("", clean_text(value) or "")
        value = re.sub(r"\s+says:?$", "", value, flags=re.IGNORECASE)
        parts: list[str] = []
        for part in SPLIT_NAMES.split(value):
            if NAME_SUFFIX.match(part) and parts:
                parts[-1] = f"{parts[-1]}, {part}"  # "Perry Bacon, Jr." is one person
            elif part:
                parts.append(part)
        if _collective_byline(parts):
            parts = [value]
        for part in parts:
            part = CREDENTIAL.sub("", BYLINE_PREFIX.sub("", _name_beside_address(part))).strip(
                " ,;:-|·"
            )  # not dots: "Jr." and initials keep theirs
            if _is_name(part):
                names.append(part)
    return list(dict.fromkeys(names))


def _name_beside_address(text: str) -> str:
    """The name in RSS's `mail@x (Name)` and in `Name <mail@x>`, as feeds' authors are read;
    sites copy the form into their author meta tag. Anything else as it is: a bare address
    then fails `_is_name`, as it names no one."""
    found = EMAIL_NAME.match(text) or NAME_EMAIL.match(text)
    return found.group(1).strip() if found else text


def _is_name(text: str) -> bool:
    if not text or len(text) > 60 or len(text.split()) > 6:
        return False
    if "@" in text or "://" in text or text.startswith("www."):
        return False
    return text.casefold() not in NOT_NAMES


def _choose_authors(
    meta: PageMeta,
    traf: TrafilaturaMeta,
    rule: _RuleResult,
    choices: dict[str, str],
) -> list[str]:
    """The first source that yields a person's name, in an order measured on the gold pages.

    Each source is read only when those before it gave no name: trafilatura's author
    heuristics cost a few milliseconds a page.
    """
    sources: list[tuple[str, Callable[[], list[str]]]] = [
        ("the site rule's author_xpath", lambda: rule.authors),
        ("the JSON-LD article author", lambda: meta.ld_authors),
        ("the author meta tags", lambda: meta.meta_authors),
        ("trafilatura's author", lambda: traf.authors),
        ("a 'By …' line in the page's byline", lambda: [meta.byline] if meta.byline else []),
        ("rel=author links", lambda: meta.rel_authors),
    ]
    for source, values in sources:
        names = clean_author_names(values())
        if 0 < len(names) <= MAX_AUTHORS:
            choices["authors"] = source
            return names
    choices["authors"] = "none: the page names no author"
    return []


def _choose_date(
    rule: _RuleResult,
    traf: TrafilaturaMeta,
    tree: lxml.html.HtmlElement,
    title: str | None,
    choices: dict[str, str],
) -> datetime.date | None:
    if rule.date:
        choices["published"] = "the site rule's date_xpath"
        return rule.date
    found = traf.date  # htmldate, with DATE_PARAMS
    if found:
        choices["published"] = "htmldate (original publication date)"
        return datetime.date.fromisoformat(found)
    if title and _ARABIC_SCRIPT.search(title) and (solar := _solar_hijri_date(tree)):
        choices["published"] = f"a Persian-calendar date in the page's date line ({solar[1]!r})"
        return solar[0]
    choices["published"] = "none: htmldate found no date"
    return None


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
# Where a page prints its own date: a <time>, or an element named for the date; not the
# article's text, which names other days ("30 Khordad 1360" in a story about 1981).
_DATE_LINES = etree.XPath(
    "//time"
    " | //*[@itemprop='datePublished' or @itemprop='dateCreated']"
    " | //*[not(self::html or self::body)]"
    "[contains(translate(@class, 'DATEPUBLISH', 'datepublish'), 'date')"
    " or contains(translate(@class, 'DATEPUBLISH', 'datepublish'), 'publish')"
    " or contains(translate(@id, 'DATEPUBLISH', 'datepublish'), 'date')"
    " or contains(@class, 'time')]"
    " | //meta[contains(@name, 'date') or contains(@property, 'date')]/@content"
)
_DATE_LINE_CHARS = 200  # a date line; a longer element is a section holding one


def _solar_hijri_date(tree: lxml.html.HtmlElement) -> tuple[datetime.date, str] | None:
    """The first Solar Hijri date in the page's date lines (htmldate reads only Gregorian
    ones), with the line it was read from; None when none is a date up to tomorrow."""
    latest = datetime.date.today() + datetime.timedelta(days=1)
    for found in _DATE_LINES(tree)[:50]:
        line = found if isinstance(found, str) else " ".join(found.itertext())
        line = " ".join(line.split())
        if not line or len(line) > _DATE_LINE_CHARS:
            continue
        if day := jalali.find_date(line, latest=latest):
            return day, line
    return None


# --- 6. canonical URL ------------------------------------------------------------------------


def _choose_canonical(declared: str | None, url: str, choices: dict[str, str]) -> str:
    try:
        own = canonical_url(url)
    except URLError as exc:
        raise ExtractionError(f"extraction: the page address is not usable ({exc})") from exc
    if declared and not storable_url(declared):
        choices["canonical_url"] = (
            "the page address (its rel=canonical is too long or holds control characters)"
        )
        return own
    if declared and user_info(declared) != user_info(url):
        # A user name or password the page writes into its canonical address would be
        # stored and shown with every link to the article. One the page address carries is
        # the editor's own, given with the source's address; a relative canonical inherits it.
        choices["canonical_url"] = (
            "the page address (its rel=canonical carries a user name or password)"
        )
        return own
    if declared and same_site(declared, url) and is_front_page(declared) and not is_front_page(url):
        # A misconfigured site names its home page as every article's canonical address;
        # taken at its word, every article after the first was a "copy" and dropped.
        choices["canonical_url"] = "the page address (its rel=canonical is the site's home page)"
        return own
    if declared and same_site(declared, url) and is_section_above(declared, url):
        # The same mistake one level down: the section's address (`/news/`) as the canonical
        # address of every article in it lost all of them but the first as well.
        choices["canonical_url"] = "the page address (its rel=canonical is a section page above it)"
        return own
    if declared and same_site(declared, url) and drops_naming_query(declared, url):
        # And for a site of one script told which article by its query: its address
        # (`/article.php`), the same for all of them, lost every article but the first.
        choices["canonical_url"] = (
            "the page address (its rel=canonical drops the query that names the article)"
        )
        return own
    if declared and same_site(declared, url):
        try:
            choices["canonical_url"] = "the page's <link rel=canonical>"
            return canonical_url(declared)
        except URLError:
            pass
    if declared:
        choices["canonical_url"] = "the page address (its rel=canonical points to another site)"
    else:
        choices["canonical_url"] = "the page address (no rel=canonical)"
    return own


# --- 7. merging with the feed entry ----------------------------------------------------------

# A feed's date this far past today is a mistake (a template's "2038", a time zone slip gives
# a day at most), and 1 January 1970 is the zero of Unix time a feed prints for "no date".
FUTURE_SLACK = datetime.timedelta(days=2)
UNIX_EPOCH = datetime.date(1970, 1, 1)


def _implausible(day: datetime.date) -> str | None:
    """Why a feed entry's date cannot be the article's, in words; None when it can."""
    if day == UNIX_EPOCH:
        return "the zero of Unix time, a placeholder"
    if day > datetime.date.today() + FUTURE_SLACK:
        return "in the future"
    return None


def _merge_entry(article: ExtractedArticle, entry: ParsedEntry, rule: _RuleResult) -> None:
    """Title and date from the feed unless the site rule gave them, authors from the page
    when it has any; both kept.

    An editor writes a site rule for a site whose feed gets a field wrong (headlines cut
    short or prefixed, the date of the last update), so what the rule finds wins.
    """
    article.feed_title = entry.title
    article.feed_published = entry.published.date() if entry.published else None
    article.feed_authors = list(entry.authors)
    if rule.title and entry.title:
        article.choices["title"] += " (a site rule wins over the feed entry)"
    elif entry.title:
        article.title = entry.title
        article.choices["title"] = (
            "the feed entry (feeds carry the headline as published); "
            f"the page's was from {article.choices.get('title', 'nowhere')}"
        )
    if rule.date and article.feed_published:
        article.choices["published"] += " (a site rule wins over the feed entry)"
    elif article.feed_published and (why := _implausible(article.feed_published)):
        article.choices["published"] += f" (the feed entry's {article.feed_published} is {why})"
    elif article.feed_published and entry.modified_only and article.published:
        article.choices["published"] += (
            f" (the feed entry's {article.feed_published} is when it last changed)"
        )
    elif article.feed_published:
        article.published = article.feed_published
        article.choices["published"] = (
            "the feed entry (its date is the publisher's own); "
            f"the page's was from {article.choices.get('published', 'nowhere')}"
        )
    if not article.page_authors and entry.authors:
        article.authors = list(entry.authors)
        article.choices["authors"] = "the feed entry (the page names no author)"
    elif article.page_authors:
        article.choices["authors"] += " (page authors are preferred to the feed's)"
