"""WordPress exports (WXR, Tools → Export): the published posts of the file, as the HTML of a
blog's listing page that html_pages reads like any saved page.

An export is RSS with WordPress's own elements: each item's title, link, date
(`wp:post_date`), status and type, its tags, and its content as the editor saved it
(`content:encoded`). Written out as one `<article>` per published post, the credits, dates,
excerpts and tags of the posts follow the same rules as those of a saved page.

The XML is read without entity expansion, DTDs or network access: an export file is a user's
upload like any other.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import etree

# The export namespace, whatever its version ("http://wordpress.org/export/1.2/").
_EXPORT_NAMESPACE = re.compile(rb"""xmlns:wp\s*=\s*["']http://wordpress\.org/export/""")
# Content saved by the classic editor has no paragraph markup: WordPress adds it when it shows
# the post (its PHP function wpautop, which has no maintained Python counterpart). Blank lines
# are paragraphs there, which is all the archive reader needs of it.
_BLOCK_MARKUP = re.compile(r"<(?:p|div|h[1-6]|ul|ol|blockquote|table|figure)\b|<!--\s*wp:", re.I)
_BLANK_LINES = re.compile(r"\n\s*\n")
# A picture pasted in as a data: address (megabytes in one attribute, past what the page
# reader's parser takes): no text of the clipping is in it.
_DATA_ADDRESS = re.compile(r"""\b(src|href)\s*=\s*(["'])data:.*?\2""", re.I | re.S)
# Shortcodes of pictures and players: a caption's words are the picture's, not the clipping's.
_MEDIA_SHORTCODE = re.compile(
    r"\[(caption|gallery|embed|video|audio|playlist)\b[^\]]*\](?:.*?\[/\1\])?", re.I | re.S
)


class WordPressExportError(ValueError):
    """The file is a WordPress export that cannot be read; the message says why."""


def is_wordpress_export(content: bytes) -> bool:
    head = content[:4096]
    return b"<rss" in head and bool(_EXPORT_NAMESPACE.search(head))


_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")


def is_feed(content: bytes) -> bool:
    """An RSS or Atom feed that is no WordPress export (a site's /feed/)."""
    head = content[:4096].lstrip()
    return head.startswith((b"<?xml", b"<rss", b"<feed")) and bool(_FEED_ROOT.search(head))


@dataclass
class ExportPage:
    html: str  # the published posts, newest first, as one HTML listing page
    # Each post's link → "site|post id": the identity WordPress keeps through every edit.
    identities: dict[str, str]


def as_listing_html(content: bytes) -> ExportPage:
    """The export's published posts as one HTML listing page, with their identities."""
    # huge_tree: a post with a picture pasted in as a data: address holds a text over
    # libxml2's 10 MB limit for one node, and the whole export was refused as not
    # well-formed. The file itself is capped (reading.MAX_FILE_BYTES) and no entity expands.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise WordPressExportError(
            f"a WordPress export that is not well-formed XML ({exc})"
        ) from exc
    channel = root.find("channel")
    if channel is None:
        raise WordPressExportError("a WordPress export without its channel")
    posts = [item for item in channel.iterfind("item") if _is_published_post(item)]
    if not posts:
        raise WordPressExportError("a WordPress export with no published post in it")
    posts.sort(key=lambda item: _text(item, "{*}post_date"), reverse=True)
    site, about = _text(channel, "title"), _text(channel, "description")
    articles = "\n".join(_article(item) for item in posts)
    home = _text(channel, "link")
    identities = {
        _text(item, "link"): f"{home}|{_text(item, '{*}post_id')}"
        for item in posts
        if _text(item, "link") and _text(item, "{*}post_id")
    }
    return ExportPage(
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(site)}</title></head><body>"
        f'<header class="site-header"><p class="site-title">{html.escape(site)}</p>'
        f'<p class="site-description">{html.escape(about)}</p></header>'
        f"<main>{articles}</main></body></html>",
        identities,
    )


def _is_published_post(item: etree._Element) -> bool:
    """A published post for everyone to read: not a draft, a page, an attachment, nor a post
    behind a password."""
    kind = _text(item, "{*}post_type") or "post"
    public = not _text(item, "{*}post_password")
    return kind == "post" and _text(item, "{*}status") == "publish" and public


def _article(item: etree._Element) -> str:
    # Titles and tags are HTML as WordPress stores them ("&#8216;", "R&amp;D"): written out
    # as they are, not escaped a second time; the reader parses and cleans them.
    title = _text(item, "title") or "(no title)"  # as WordPress lists such a post
    link = html.escape(_text(item, "link"), quote=True)
    day = _text(item, "{*}post_date")[:10]
    content = _text(item, "{http://purl.org/rss/1.0/modules/content/}encoded")
    content = _DATA_ADDRESS.sub(r'\1=""', _MEDIA_SHORTCODE.sub("", content))
    if not _BLOCK_MARKUP.search(content):
        # As WordPress shows classic content: blank lines part paragraphs, a single line
        # break is a <br> (a second credit line stays a line of its own).
        paragraphs = (p.strip() for p in _BLANK_LINES.split(content))
        content = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs if p)
    tags = [
        f'<a rel="tag" href="#">{category.text.strip()}</a>'
        for category in item.iterfind("category")
        if category.get("domain") == "post_tag" and (category.text or "").strip()
    ]
    return (
        f'<article class="post"><h2 class="entry-title"><a href="{link}">{title}</a></h2>'
        f'<div class="entry-meta"><time class="entry-date published" datetime="{day}">'
        f"{day}</time></div>"
        f'<div class="entry-content">{content}</div>'
        f'<footer class="entry-footer"><span class="tags-links">{"".join(tags)}</span>'
        "</footer></article>"
    )


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path)
    return "".join(found.itertext()).strip() if found is not None else ""
