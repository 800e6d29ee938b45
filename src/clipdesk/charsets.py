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


def _stray_bytes_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A decode error handler: the bytes that are not UTF-8, read as windows-1252."""
    if not isinstance(error, UnicodeDecodeError):
        raise error  # registered for decoding only
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


codecs.register_error("clipdesk-stray-cp1252", _stray_bytes_as_cp1252)


def mostly_utf8(data: bytes) -> str | None:
    """`data` read as UTF-8 with its few stray bytes read as windows-1252 (a page saved as
    UTF-8 with one quote pasted from elsewhere: read as windows-1252 whole, every accented
    letter of it became two); None when the bytes are not UTF-8 but for a few, that is when
    they hold no more well-formed multi-byte characters than bytes that are not UTF-8."""
    well_formed = data.decode("utf-8", "ignore")
    stray = len(data) - len(well_formed.encode("utf-8"))
    multibyte = len(well_formed) - len(well_formed.encode("ascii", "ignore"))  # at C speed
    if multibyte <= stray:
        return None
    return data.decode("utf-8", "clipdesk-stray-cp1252")
