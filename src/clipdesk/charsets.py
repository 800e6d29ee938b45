"""Charset labels from the network (a Content-Type, an XML declaration, a meta tag), read as
browsers read them. Feeds, article pages and archive pages all name their encoding this
way, and all three are hostile input."""

from __future__ import annotations

import codecs
import re

# A page's own word: <meta charset="..."> or <meta http-equiv content="...; charset=...">,
# searched for in the bytes before they can be decoded.
META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
# The charset parameter of a Content-Type header ("text/html; charset=windows-1251").
CONTENT_TYPE_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def text_codec(label: str | None) -> str | None:
    """The codec a charset label names; None for none, an unknown one, one that is no text
    encoding ("base64", which `bytes.decode` refuses with a LookupError), or UTF-16/32
    without a byte-order mark (a document whose bytes are ASCII cannot be in them: browsers
    read such a label as UTF-8)."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label)
    except LookupError:
        return None
    if not codec._is_text_encoding or codec.name.startswith(("utf-16", "utf-32")):
        return None
    return codec.name


def content_type_charset(content_type: str | None) -> str | None:
    """The charset label a Content-Type header gives, as written; None without one."""
    found = CONTENT_TYPE_CHARSET.search(content_type or "")
    return found.group(1) if found else None
