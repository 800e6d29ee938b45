"""Stage 2 of extraction: what a page says about itself, read once from its markup.

JSON-LD (the first Article-like node and its publisher), `<meta>` tags (og:, twitter:, author
names), `<h1>`s, `<title>`, `<link rel=canonical>`, a "By …" byline (looked for only when
asked), and `<html lang>`. These are candidates; extraction.py chooses among them and
trafilatura's view (stages 4 and 5).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import lxml.html
from lxml import etree

from clipdesk.storable import resolved_url

ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "ReportageNews", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "Report",
    "ScholarlyArticle", "TechArticle", "SocialMediaPosting", "LiveBlogPosting", "Recipe",
    "DiscussionForumPosting", "Review", "Posting",
}  # fmt: skip
ORGANIZATION_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite"}
AUTHOR_META = {"author", "article:author", "byl", "parsely-author", "sailthru.author", "dc.creator"}
BYLINE_XPATH = etree.XPath(
    "//*[contains(translate(@class, 'BYLINE', 'byline'), 'byline')"
    " or contains(@data-testid, 'byline') or contains(@id, 'byline')"
    " or contains(@class, 'author') or contains(@class, 'meta')]"
)
NAME = r"[A-ZÀ-Þ][\w.'’-]*(?:\s+(?:(?:de|van|von|der|da|di|la|le|bin)\s+)?[A-ZÀ-Þ][\w.'’-]*){0,4}"
NOT_NAME_WORD = re.compile(  # where a byline's names end: a date or a label follows them
    r"\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun"
    r"|Updated|Published|Posted|Photo|Read|Follow|Share|Email)[a-z]*[.,]?(?:\s|$).*"
)
BYLINE = re.compile(rf"(?:^|\b)(?:[Bb]y|BY)\s*:?\s+({NAME}(?:\s*(?:,|and|&)\s*{NAME})*)")


@dataclass
class PageMeta:
    ld_headline: str | None = None
    ld_authors: list[str] = field(default_factory=list)
    ld_publisher: str | None = None
    og_title: str | None = None
    twitter_title: str | None = None
    title_tag: str | None = None
    h1s: list[str] = field(default_factory=list)
    og_site_name: str | None = None
    app_name: str | None = None
    meta_authors: list[str] = field(default_factory=list)
    rel_authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    lang: str | None = None
    description: str | None = None
    tree: lxml.html.HtmlElement | None = field(default=None, repr=False, compare=False)

    @cached_property
    def byline(self) -> str | None:
        """Searched when first asked for: an XPath over every element and a regex over each
        match, about a millisecond a page, and the last-but-one source of authors."""
        return _find_byline(self.tree) if self.tree is not None else None


def read_page_metadata(tree: lxml.html.HtmlElement, url: str) -> PageMeta:
    meta = PageMeta(
        lang=tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        tree=tree,
    )
    metas: dict[str, str] = {}
    for el in tree.iter("meta"):
        named = (el.get("property") or el.get("name") or "").strip().lower()
        key = named or (el.get("itemprop") or "").strip().lower()
        content = clean_text(el.get("content"))
        if not key or not content:
            continue
        if named in AUTHOR_META:  # not itemprop: microdata authors are often a reference list
            meta.meta_authors.append(content)
        metas.setdefault(key, content)
    meta.og_title = metas.get("og:title")
    meta.twitter_title = metas.get("twitter:title")
    meta.og_site_name = metas.get("og:site_name")
    meta.app_name = metas.get("application-name") or metas.get("apple-mobile-web-app-title")
    meta.description = (
        metas.get("og:description") or metas.get("description") or metas.get("twitter:description")
    )
    title = tree.find(".//title")
    meta.title_tag = clean_text(title.text_content()) if title is not None else None
    meta.h1s = [h for el in tree.iter("h1") if (h := clean_text(el.text_content()))]
    for link in tree.iter("link", "a"):
        rel = (link.get("rel") or "").lower().split()
        if link.tag == "link" and "canonical" in rel and link.get("href"):
            meta.canonical = meta.canonical or resolved_url(url, link.get("href").strip())
        elif link.tag == "a" and "author" in rel and (name := clean_text(link.text_content())):
            meta.rel_authors.append(name)
    _read_json_ld(tree, meta)
    return meta


def _find_byline(tree: lxml.html.HtmlElement) -> str | None:
    """The names in the first short 'By …' line of a byline- or author-classed element."""
    for el in BYLINE_XPATH(tree):
        text = (
            clean_text(" ".join(el.itertext())) or ""
        )  # "<span>By</span><a>Name</a>" needs a space
        if len(text) <= 150 and (found := BYLINE.search(text)):
            return NOT_NAME_WORD.split(found.group(1))[0]
    return None


def _read_json_ld(tree: lxml.html.HtmlElement, meta: PageMeta) -> None:
    """Headline, authors and publisher of the first Article-like JSON-LD node."""
    nodes: list[dict] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            # Broken JSON-LD is common; the other sources still count. Nested deeper than
            # Python's stack (`[[[[…` a thousand deep), json raises RecursionError, and the
            # page's article was lost to it.
            continue
        nodes.extend(_flatten(data))
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    if article is not None:
        meta.ld_headline = clean_text(
            _string(article.get("headline")) or _string(article.get("name"))
        )
        meta.ld_authors = [
            name for author in _as_list(article.get("author")) if (name := _person_name(author))
        ]
        publisher = article.get("publisher")
        if isinstance(publisher, dict):
            meta.ld_publisher = clean_text(_string(publisher.get("name")))
    if meta.ld_publisher is None:
        org = next((n for n in nodes if _types(n) & ORGANIZATION_TYPES and n.get("name")), None)
        meta.ld_publisher = clean_text(_string(org.get("name"))) if org else None


def _flatten(data: object) -> Iterable[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _flatten(data["@graph"])
        if isinstance(data.get("mainEntity"), dict):
            yield data["mainEntity"]


def _types(node: dict) -> set[str]:
    return {t for t in _as_list(node.get("@type")) if isinstance(t, str)}


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _string(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _person_name(author: object) -> str | None:
    if isinstance(author, str):
        return None if author.startswith(("http://", "https://")) else clean_text(author)
    if isinstance(author, dict) and not (_types(author) & ORGANIZATION_TYPES):
        return clean_text(_string(author.get("name")))
    return None


def clean_text(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None
