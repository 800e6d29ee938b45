"""HTML archive pages: WordPress-style listings, single posts, embed cards, teaser lists.

Stages:
  1. parse the (already decoded) text with lxml.html;
  2. read the site's identity: og:site_name, .site-title, <title>; an "About" block, the
     tagline or the meta description;
  3. drop chrome: scripts, styles, nav, aside, header/footer outside posts, share, comment,
     menu and pagination blocks;
  4. find posts, first way that gives any:
     a. article / .post / .entry / .hentry blocks and embed cards, innermost first;
     b. the page's lines cut at "Posted on" lines and credit lines (text_pages rules 1-3);
     c. teaser lists: list items each with a headline link and a short excerpt;
     d. the page's lines cut at headings (text_pages rule 4).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from clipdesk.archive.credits import find_lead_credit, find_trailing_credit
from clipdesk.archive.dates import parse_date, parse_iso_date
from clipdesk.archive.gazetteer import word_set
from clipdesk.archive.text_pages import (
    Line,
    RawPage,
    RawPost,
    join_wrapped_credits,
    segment_lines,
)

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCK_TAGS = word_set(
    """address article aside blockquote body center dd details div dl dt fieldset figcaption
    figure footer h1 h2 h3 h4 h5 h6 header hr li main ol p pre section summary table tbody
    td th thead tfoot tr ul"""
)
_DROP_TAGS = word_set(
    "script style noscript template svg iframe nav aside button select input object"
)
_POST_CLASSES = word_set("post hentry entry type-post blog-post post-item news-item clipping clip")
_CARD_CLASSES = word_set(
    """wp-embedded-content embed embed-card card link-card teaser teaser-item preview
    link-preview wp-block-embed oembed"""
)
_TITLE_CLASSES = word_set("entry-title post-title card-title title headline teaser-title")
_PAGE_FRAME_CLASSES = word_set("site-header site-footer masthead header footer")
_CHROME_CLASS = re.compile(
    r"""^(?:nav|navbar|navigation|nav-links|post-navigation|menu|main-menu|site-navigation
    |sidebar|widget|widget-area|widgets|share|sharing|sharedaddy|share-buttons|social
    |social-links|social-icons|comments?|comment-respond|comments-area|respond|pagination
    |pager|page-numbers|breadcrumbs?|related|related-posts|jp-relatedposts|cookie-notice
    |skip-link|screen-reader-text|search-form|searchform|copyright|advert|ads
    |newsletter-signup|more-link)$""",
    re.VERBOSE,
)
# Post furniture: the blog's own date, author and category bars, not the clipping.
_META_CLASSES = word_set(
    """entry-meta post-meta postmetadata byline posted-on entry-date post-date entry-footer
    post-footer entry-utility cat-links tags-links tag-links post-tags comments-link edit-link
    post-categories"""
)
_TAG_BAR_CLASSES = word_set("tags-links tag-links post-tags tags")
_DATE_CLASSES = word_set("entry-date published post-date date posted-on postdate")
_SITE_NAME_CLASSES = word_set("site-title site-name blog-title logo-text")
_TAGLINE_CLASSES = word_set("site-description tagline site-tagline blog-description")
_ABOUT_HEADING = re.compile(r"^(?:about\b|aims\b|our aims|who we are|mission)", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—»:-]\s+|\s+::\s+")


class HtmlPageError(ValueError):
    """The text cannot be read as HTML at all."""


@dataclass
class _SiteHints:
    name: str | None = None
    title: str | None = None
    about: str | None = None
    description: str | None = None  # the meta description: the site's, or on a post, the post's
    base_url: str | None = None
    canonical: str | None = None


def parse_html(text: str, *, quote_cards: bool = True) -> RawPage:
    """The page's posts. ``quote_cards`` False: no plain blockquote is a pasted card (a
    WordPress export's posts, each one post whose quotes are its excerpt)."""
    root = _parse_tree(text)
    hints = _site_hints(root)
    containers = _containers(root, quote_cards=quote_cards)
    _drop_chrome(root, containers)
    posts = _container_posts(containers)
    fallback = None
    if not posts:
        lines = element_lines(root.find("body") if root.find("body") is not None else root)
        fallback = segment_lines(lines, fallback=False)
        if not fallback.posts:
            posts = _teaser_posts(root)
            fallback = None if posts else segment_lines(lines)
        if fallback is not None:
            posts = fallback.posts
    for post in posts:
        if post.url and hints.base_url:
            post.url = urljoin(hints.base_url, post.url)
    if len(posts) == 1 and posts[0].url is None:
        posts[0].url = hints.canonical  # a single-post page's own address
    name = hints.name or _name_from_title(hints.title, posts)
    about = hints.about or _site_description(hints.description, posts)
    if fallback is not None:
        name = name or fallback.site_name
        about = about or fallback.about
    return RawPage(name, about, posts)


def _parse_tree(text: str) -> lxml.html.HtmlElement:
    # lxml refuses str input that declares an encoding; the text is decoded already.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    # huge_tree: past 256 levels of unclosed tags libxml2 stopped reading, and the posts
    # below were lost without a word. Files are capped at 50 MB (reading.py) all the same.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise HtmlPageError(f"not readable as HTML ({exc})") from exc


_NO_TOKENS: frozenset[str] = frozenset()


def _tokens(el: etree._Element) -> frozenset[str] | set[str]:
    """The element's class names and id: what themes name their parts by."""
    classes, ident = el.get("class"), el.get("id")
    if not classes and not ident:
        return _NO_TOKENS
    return set((classes or "").split()) | set((ident or "").split())


def _text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _elements(root: etree._Element) -> Iterable[etree._Element]:
    return (el for el in root.iter() if isinstance(el.tag, str))


def _first(root: etree._Element, classes: frozenset[str]) -> str | None:
    for el in _elements(root):
        if _tokens(el) & classes and _text(el):
            return _text(el)
    return None


def _site_hints(root: etree._Element) -> _SiteHints:
    hints = _SiteHints()
    og_name = root.xpath("//meta[@property='og:site_name']/@content")
    hints.name = (og_name[0].strip() if og_name else None) or _first(root, _SITE_NAME_CLASSES)
    title = root.find(".//title")
    hints.title = _text(title) if title is not None else None
    hints.about = _about_block(root) or _first(root, _TAGLINE_CLASSES)
    description = root.xpath("//meta[@name='description']/@content")
    hints.description = description[0].strip() if description else None
    base = root.xpath("//base/@href")
    canonical = root.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")
    hints.canonical = canonical[0].strip() if canonical else None
    hints.base_url = base[0].strip() if base else hints.canonical
    return hints


def _about_block(root: etree._Element) -> str | None:
    """The text under an "About" / "Aims" heading, as sidebars and footers give it."""
    for heading in _elements(root):
        if heading.tag not in _HEADINGS or not _ABOUT_HEADING.match(_text(heading)):
            continue
        parts = []
        for sibling in heading.itersiblings():
            if not isinstance(sibling.tag, str) or sibling.tag in _HEADINGS:
                break
            if _text(sibling):
                parts.append(_text(sibling))
        about = "\n\n".join(parts)
        if len(about.split()) >= 5:
            return about
    return None


def _site_description(description: str | None, posts: list[RawPost]) -> str | None:
    """The meta description, unless it merely repeats a post (single-post pages)."""
    if not description:
        return None
    folded = description.casefold()
    for post in posts:
        for text in (post.headline, *post.body[:2]):
            text = text.casefold()
            if text and (folded[:40] in text or text in folded):
                return None
    return description


def _name_from_title(title: str | None, posts: list[RawPost]) -> str | None:
    """ "Headline – Site" on single posts, "Site – Tagline" on listings: drop headlines."""
    if not title:
        return None
    headlines = {post.headline.casefold() for post in posts}
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    parts = [p for p in parts if p.casefold() not in headlines]
    if title.casefold() in headlines:
        return None
    return parts[0] if parts else None


def _is_post_container(el: etree._Element) -> bool:
    tokens = _tokens(el)
    return el.tag == "article" or bool(tokens & (_POST_CLASSES | _CARD_CLASSES))


def _is_chrome_block(el: etree._Element) -> bool:
    """Sidebars, menus, comment threads, related-post strips: articles in them are no posts."""
    tokens = _tokens(el)
    return el.tag in ("aside", "nav", "footer") or any(_CHROME_CLASS.match(t) for t in tokens)


def _containers(root: etree._Element, *, quote_cards: bool = True) -> list[etree._Element]:
    # Sets hold the elements themselves: lxml proxies live only while referenced, so their
    # id() is reused and cannot stand for an element.
    found = [
        el
        for el in _elements(root)
        if _is_post_container(el) and not any(_is_chrome_block(a) for a in el.iterancestors())
    ]
    inside = {a for el in found for a in el.iterancestors()} | set(found)
    quotes = [
        q
        for q in root.iter("blockquote")
        if quote_cards and q not in inside and _looks_like_card(q)
    ]
    chosen = set(found) | set(quotes)
    return [el for el in _elements(root) if el in chosen]


def _looks_like_card(quote: etree._Element) -> bool:
    """A plain blockquote with a title and a credit line: a pasted link preview."""
    if _headline_element(quote, card=True) is None:
        return False
    lines = [line.text for line in element_lines(quote)]
    return any(find_lead_credit(t) or find_trailing_credit(t) for t in lines[1:])


def _drop_chrome(root: etree._Element, containers: list[etree._Element]) -> None:
    posts = set(containers)
    holds_post = {a for el in containers for a in el.iterancestors()}
    doomed = []
    for el in _elements(root):
        if el.tag in ("html", "body", "head") or el in posts or el in holds_post:
            continue
        tokens = _tokens(el)
        unwanted_tag = el.tag in _DROP_TAGS or (el.tag == "form" and not _holds_content(el))
        page_frame = el.tag in ("header", "footer") or bool(tokens & _PAGE_FRAME_CLASSES)
        chrome_class = any(_CHROME_CLASS.match(token) for token in tokens)
        if page_frame and not (unwanted_tag or chrome_class):
            page_frame = not any(a in posts for a in el.iterancestors())  # entry-header stays
        if unwanted_tag or page_frame or chrome_class:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _holds_content(el: etree._Element) -> bool:
    """ASP.NET-style pages wrap the whole page in one <form>; search forms hold no text."""
    return el.find(".//p") is not None or next(el.iter(*_HEADINGS), None) is not None


def _headline_element(container: etree._Element, card: bool = False) -> etree._Element | None:
    for el in _elements(container):
        is_title = el.tag in _HEADINGS or bool(_tokens(el) & _TITLE_CLASSES)
        if el is not container and is_title and _text(el):
            return el
    if card:
        for el in container.iter("a", "strong", "b"):
            if el is not container and len(_text(el).split()) >= 2:
                return el
    return None


def _container_posts(containers: list[etree._Element]) -> list[RawPost]:
    """One post per container with a headline; nested ones first, then cut from their parent."""
    order = {el: position for position, el in enumerate(containers)}
    depth = {el: sum(1 for _ in el.iterancestors()) for el in containers}
    found: list[tuple[int, RawPost]] = []
    for container in sorted(containers, key=lambda el: -depth[el]):
        if container.getparent() is None:
            continue
        is_card = bool(_tokens(container) & _CARD_CLASSES) or container.tag == "blockquote"
        headline = _headline_element(container, card=is_card)
        if headline is None:
            continue
        found.append((order[container], _container_post(container, headline)))
        if container.getparent() is not None:
            container.drop_tree()
    return [post for _, post in sorted(found, key=lambda pair: pair[0])]


def _container_post(container: etree._Element, headline: etree._Element) -> RawPost:
    post = RawPost(headline=_text(headline), url=_link_of(headline))
    post.tags = _tags(container)
    post.posted_on = _posted_on(container)
    post.has_posted_line = post.posted_on is not None
    headline.drop_tree()
    for el in [el for el in _elements(container) if _tokens(el) & _META_CLASSES]:
        if el.getparent() is not None:
            el.drop_tree()
    post.body = [line.text for line in join_wrapped_credits(element_lines(container))]
    return post


def _link_of(headline: etree._Element) -> str | None:
    """The headline's link (or the link around it); made absolute later, page-wide."""
    links = [headline] if headline.tag == "a" else list(headline.iter("a"))
    parent = headline.getparent()
    if not links and parent is not None and parent.tag == "a":
        links = [parent]
    for link in links:
        href = (link.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:")):
            return href
    return None


def _tags(container: etree._Element) -> list[str]:
    tags = []
    for link in container.iter("a"):
        rel = (link.get("rel") or "").split()
        if "category" in rel:
            continue
        in_tag_bar = any(_tokens(a) & _TAG_BAR_CLASSES for a in link.iterancestors())
        if ("tag" in rel or in_tag_bar) and _text(link):
            tags.append(_text(link))
    return list(dict.fromkeys(tags))


def _posted_on(container: etree._Element) -> datetime.date | None:
    """The blog's own date: <time datetime> (published before updated), else a date class."""
    times = sorted(container.iter("time"), key=lambda t: "updated" in _tokens(t))
    for time in times:
        found = parse_iso_date(time.get("datetime")) or parse_date(_text(time))
        if found:
            return found
    for el in _elements(container):
        if _tokens(el) & _DATE_CLASSES:
            found = parse_iso_date(el.get("title")) or parse_date(_text(el))
            if found:
                return found
    return None


def _teaser_posts(root: etree._Element) -> list[RawPost]:
    """Lists whose items are a headline link and a short excerpt (no dates needed)."""
    posts: list[RawPost] = []
    taken: set[etree._Element] = set()
    for listing in root.iter("ul", "ol"):
        if any(a in taken for a in listing.iterancestors()):
            continue
        items = [li for li in listing if li.tag == "li"]
        found = [post for post in (_teaser(li) for li in items) if post]
        if len(found) >= 2 and 2 * len(found) >= len(items):
            posts.extend(found)
            taken.add(listing)
    return posts


def _teaser(item: etree._Element) -> RawPost | None:
    link = next((a for a in item.iter("a") if a.get("href") and _text(a)), None)
    if link is None:
        return None
    headline = _text(link)
    excerpt = _text(item).replace(headline, "", 1).strip(" -–—:|·")
    if len(excerpt.split()) < 3 and len(headline.split()) < 4:
        return None  # a menu entry, not a teaser
    post = RawPost(headline=headline, url=_link_of(link))
    post.body = [excerpt] if excerpt else []
    return post


_BREAK = "\ue000"  # a private-use character marking a paragraph break inside a text node
_LINE_BREAK = "\ue001"  # and one marking a line break (<br>, a new line inside <pre>)
_BREAKS = re.compile(f"({_BREAK}|{_LINE_BREAK})")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


def element_lines(root: etree._Element) -> list[Line]:
    """The element's text as paragraphs, split at block elements and <br>; headings keep
    their level and first link so the text rules can use them. Text dumps wrapped in HTML
    keep their lines: every line break inside <pre>, blank lines elsewhere."""
    lines: list[Line] = []
    buffer: list[str] = []
    heading, href, in_pre = 0, None, 0

    def add(text: str) -> None:
        text = _BLANK_LINE.sub(_BREAK, text)
        buffer.append(text.replace("\n", _LINE_BREAK) if in_pre else text)

    def flush() -> None:
        # A line after a single line break may be the rest of the line before it; after a
        # blank line, two breaks or a new block it is a paragraph of its own.
        breaks, first = 0, True
        for part in _BREAKS.split("".join(buffer)):
            if part == _LINE_BREAK:
                breaks += 1
            elif part == _BREAK:
                breaks += 2
            elif text := " ".join(part.split()):
                lines.append(Line(text, heading, href, wrapped=breaks == 1 and not first))
                breaks, first = 0, False
        buffer.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag == "br":
                buffer.append(_LINE_BREAK)
            elif tag in _BLOCK_TAGS:
                flush()
            if tag in _HEADINGS:
                heading, href = _HEADINGS[tag], None
            elif tag == "a" and heading and href is None:
                href = el.get("href")
            in_pre += tag == "pre"
            if tag and el.text:
                add(el.text)
        else:
            if tag in _HEADINGS:
                flush()
                heading, href = 0, None
            elif tag in _BLOCK_TAGS:
                flush()
            in_pre -= tag == "pre"
            if el is not root and el.tail:
                add(el.tail)
    flush()
    return lines
