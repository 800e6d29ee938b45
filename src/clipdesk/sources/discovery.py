"""Discovery: from a site's HTML page to its feeds, or to the articles a listing page links to.

`find_feed_links` stages:
1. Parse the page leniently (lxml.html) and take its `<base href>` into account.
2. Keep `<link rel="alternate">` whose type is RSS, Atom or JSON Feed, in page order.
3. Pass over comments feeds (WordPress's `/comments/feed/`, Blogger's `/feeds/comments/`,
   or titled "Comments Feed") when the page names another feed: WordPress names the
   comments feed first on many themes, and its entries are readers' comments, not articles.

`find_article_links` stages:
1. Parse as above; skip links inside `<nav>`, `<footer>` and `role="navigation"` blocks.
2. Keep same-site http(s) links (host equal, give or take `www.`).
3. Drop pages that are not articles by their path: home, tag, category, author, search,
   pagination, account pages and files.
4. Keep paths that look like articles: a date (`/2024/05/12/`, `2024-05-12`), a slug of
   three or more words, or a long numeric id next to a word.
5. Canonicalise (no fragments, trackers or `?replytocom=`/`?amp` variants) and deduplicate,
   keeping page order: with or without `www.` and a trailing slash, a link is one article.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import lxml.html
from lxml import etree

from clipdesk.articles.canonical import (
    URLError,
    canonical_url,
    same_site,
    user_info,
    with_user_info,
)
from clipdesk.storable import resolved_url, storable_url

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}

# Path segments of pages that list or describe, not report. Each is matched as a whole segment.
# Lists of articles, by tag, section, author, date or page:
LISTING_SEGMENTS = {
    "tag", "tags", "category", "categories", "topic", "topics", "section", "sections",
    "author", "authors", "people", "profile", "profiles", "user", "users", "contributor",
    "search", "page", "archive", "archives", "feed", "feeds", "rss", "label", "labels",
}  # fmt: skip
# The site's own service pages, in English and in a few other languages sites write them in:
SERVICE_PAGES = {
    "login", "logout", "signin", "signup", "register", "account", "subscribe", "subscription",
    "newsletter", "newsletters", "about", "about-us", "contact", "contact-us", "privacy",
    "privacy-policy", "terms", "terms-of-service", "terms-of-use", "cookies", "cookie-policy",
    "impressum", "imprint", "jobs", "careers", "advertise", "help", "faq", "wp-admin",
    "wp-login.php", "cart", "shop", "donate", "a-propos", "contactez-nous", "mentions-legales",
    "kontakt", "datenschutz", "ueber-uns",
}  # fmt: skip
NOT_ARTICLE_SEGMENTS = (
    LISTING_SEGMENTS
    | SERVICE_PAGES
    | {"video", "videos", "gallery", "galleries", "podcasts", "events"}
)
# Last path segments of a post's own service addresses (WordPress's comments feed, trackback
# and embed pages): `/2024/05/01/slug/feed/` is no article, though its path reads like one.
POST_ENDPOINTS = {"feed", "feeds", "rss", "atom", "rdf", "trackback", "embed"}
FILE_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".mp3", ".mp4",
    ".css", ".js", ".xml", ".json", ".rss", ".atom", ".ico", ".doc", ".docx", ".xls",
)  # fmt: skip
DATE_IN_PATH = re.compile(r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|$)|(19|20)\d\d-[01]\d-[0-3]\d")
SLUG = re.compile(r"^[^\W_]+(?:[-_][^\W_]+){2,}(?:\.s?html?|\.php|\.aspx?)?$")
NUMERIC_ID = re.compile(r"(?:^|[-_./])\d{5,}(?:[-_./]|$)")
WORD = re.compile(r"[^\W\d_]{3,}")


def find_feed_links(html: bytes | str, base_url: str) -> list[str]:
    """Feed addresses a page advertises with `<link rel="alternate">`, in page order; its
    comments feeds only when it names no other feed."""
    found = _linked(html, base_url, lambda rel, kind: "alternate" in rel and kind in FEED_TYPES)
    articles = [url for url, title in found.items() if not is_comments_feed(url, title)]
    return articles or list(found)


def find_sitemap_links(html: bytes | str, base_url: str) -> list[str]:
    """Sitemap addresses a page advertises with `<link rel="sitemap">`, in page order."""
    return list(_linked(html, base_url, lambda rel, kind: "sitemap" in rel))


# What comments feeds are called: WordPress's "Site » Comments Feed" and "Post Comments
# Feed" (and as its translations write it), Blogger's "Blog - Comments".
COMMENTS_FEED_TITLE = re.compile(
    r"\bcomments\b(?:\s+feed)?\s*$|\bcomments?\s+(?:feed|rss|atom)\b"
    r"|flux des commentaires|kommentar-?feed|feed de (?:los )?comentarios|feed dei commenti"
    r"|feed de comentários|reacties[- ]?feed",
    re.IGNORECASE,
)
# WordPress's `?feed=comments-rss2` (plain permalinks) and `comments-atom`.
COMMENTS_FEED_QUERY = re.compile(r"(?:^|&)feed=comments-", re.IGNORECASE)


def is_comments_feed(url: str, title: str = "") -> bool:
    """Whether a feed a page names carries its comments rather than its articles: by its
    path (WordPress's `/comments/feed/`, Blogger's `/feeds/comments/default` and
    `/feeds/123/comments/default`), by WordPress's `?feed=comments-rss2`, or by its title
    (a post's comments feed, `/2024/05/story/feed/`, is told by its title only). A section
    called "Comment" (opinion, as British papers name it) is not one."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.lower().split("/") if s]
    if "comments" in segments or COMMENTS_FEED_QUERY.search(parts.query):
        return True
    return bool(COMMENTS_FEED_TITLE.search(title))


def _linked(html: bytes | str, base_url: str, wanted) -> dict[str, str]:
    """The addresses of the `<link>`s `wanted(rel, type)` keeps, in page order, each with
    its title."""
    root = _parse(html)
    if root is None:
        return {}
    base = _base(root, base_url)
    found: dict[str, str] = {}
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if href and wanted(rel, kind):
            url = resolved_url(base, href)
            if url and url.startswith(("http://", "https://")) and storable_url(url):
                found.setdefault(url, " ".join((link.get("title") or "").split()))
    return found


def site_name(html: bytes | str) -> str:
    """What a homepage calls its site: og:site_name, application-name, else its <title>."""
    root = _parse(html)
    if root is None:
        return ""
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        if key in ("og:site_name", "application-name") and (meta.get("content") or "").strip():
            return " ".join(meta.get("content").split())
    title = root.find(".//title")
    return " ".join((title.text_content() if title is not None else "").split())


def find_article_links(html: bytes | str, base_url: str) -> list[str]:
    """Same-site links that look like articles, canonical and deduplicated, in page order."""
    root = _parse(html)
    if root is None:
        return []
    base = _base(root, base_url)
    found: dict[str, str] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if _in_navigation(anchor):
            continue
        url = resolved_url(base, href)
        if not url or not storable_url(url) or not same_site(url, base_url):
            continue
        if not looks_like_article(url):
            continue
        try:
            canonical = canonical_url(url)
        except URLError:
            continue
        # The canonical spelling carries no user name or password; a page behind the
        # source's own credentials is fetched with them (stored without, as every article).
        fetched = with_user_info(canonical, user_info(url))
        found.setdefault(_same_page(canonical), fetched)
    return list(found.values())


def _same_page(url: str) -> str:
    """What two links to one article on one listing page share: `www.` or not, a trailing
    slash or not (sites link to `/2024/05/01/slug/` and `/2024/05/01/slug` side by side; each
    was fetched as an article of its own). Only for deduplicating one page's links: stored
    addresses keep their spelling, as canonical_url does."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), parts.query, ""))


def looks_like_article(url: str) -> bool:
    """Whether an address's path reads like one article rather than a list or a service page."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    path = parts.path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments or path.endswith(FILE_SUFFIXES):  # 3
        return False
    if any(s in NOT_ARTICLE_SEGMENTS for s in segments[:-1] or segments):
        return False
    last = segments[-1]
    if last in POST_ENDPOINTS and len(segments) > 1:
        return False
    if DATE_IN_PATH.search(path) and (len(segments) > 3 or SLUG.match(last)):  # 4
        return True
    if SLUG.match(last) or SLUG.match(last.rsplit(".", 1)[0]):
        return True
    return bool(NUMERIC_ID.search(path) and WORD.search(path))


def is_listing_or_service_page(url: str) -> bool:
    """Whether a sitemap's address is the front page, a list (`/tag/iran/`, `/author/jane/`,
    `/news/page/2`) or a service page (`/about`, `/en/contact-us.html`), not an article.

    Laxer than `looks_like_article`: a sitemap lists the site's own pages, whose articles may
    have any address (`/news/40213`), so only what reads as something else is left out.
    """
    parts = urlsplit(url)
    path = parts.path.lower()
    segments = [s for s in path.split("/") if s]
    if not segments:
        return not parts.query  # the front page, where `/?p=123` is a WordPress article
    if path.endswith(FILE_SUFFIXES):
        return True
    last = segments[-1].rsplit(".", 1)[0]
    if {last, segments[-1]} & (SERVICE_PAGES | LISTING_SEGMENTS):
        return True
    return any(s in LISTING_SEGMENTS for s in segments[:-1])


# Child sitemaps of WordPress (core, Yoast, Rank Math) and the like that list tag, category
# and author pages, or the site's static pages: `category-sitemap.xml`, `post_tag-sitemap.xml`,
# `author-sitemap.xml`, `page-sitemap.xml`, `wp-sitemap-taxonomies-category-1.xml`,
# `wp-sitemap-users-1.xml`, `wp-sitemap-posts-page-1.xml`.
LISTING_SITEMAP = re.compile(
    r"(?:^|[-_/])(?:categor(?:y|ies)|(?:post_)?tags?|authors?|users|taxonomies|pages?)"
    r"(?:-sitemap|[-_]\d+)?\.xml(?:\.gz)?$|wp-sitemap-posts-page-\d+\.xml$",
    re.IGNORECASE,
)


def is_listing_sitemap(url: str) -> bool:
    """Whether a sitemap index's child sitemap lists lists or static pages, not articles."""
    return bool(LISTING_SITEMAP.search(urlsplit(url).path))


def _parse(html: bytes | str) -> etree._Element | None:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _base(root: etree._Element, base_url: str) -> str:
    for base in root.iter("base"):
        if base.get("href"):
            return resolved_url(base_url, base.get("href").strip()) or base_url
    return base_url


def _in_navigation(anchor: etree._Element) -> bool:
    for parent in anchor.iterancestors():
        if parent.tag in ("nav", "footer") or parent.get("role") == "navigation":
            return True
    return False
