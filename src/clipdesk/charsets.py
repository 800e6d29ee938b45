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
LATIN = {"iso8859-1", "ascii", "cp1252", "latin-1"}  # WHATWG reads all of these as windows-1252
# Legacy CJK labels name a narrow standard, but what is written under them is the vendors'
# superset, and browsers (WHATWG) decode them as that: GB 2312 as GBK (gb18030 reads both),
# Shift_JIS as Windows-31J, EUC-KR as UHC. Read with Python's strict codecs, a headline with
# 镕 (Zhu Rongji's name), a ① or the syllable 똠 came out as U+FFFD, and names went unmatched.
SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932", "euc_kr": "cp949"}


def text_codec(label: str | None) -> str | None:
    """The codec a charset label names; None for none, an unknown one, one that is no text
    encoding ("base64", which `bytes.decode` refuses with a LookupError), or UTF-16/32
    without a byte-order mark (a document whose bytes are ASCII cannot be in them: browsers
    read such a label as UTF-8). A legacy CJK label names the superset browsers read
    (SUPERSETS)."""
    if not label:
        return None
    try:
        codec = codecs.lookup(label)
    except LookupError:
        return None
    if not codec._is_text_encoding or codec.name.startswith(("utf-16", "utf-32")):
        return None
    return SUPERSETS.get(codec.name, codec.name)


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


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """An HTML page's bytes as text: its byte-order mark, else the charset its server and
    its meta tag declare where the bytes agree, else UTF-8 (stray bytes as windows-1252),
    else windows-1252. Extraction and the snapshot view read a page alike."""
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    # The server's word outranks the page's, as browsers read them: a page in windows-1251
    # that says so only in its Content-Type was stored as mojibake. But bytes that are UTF-8
    # are UTF-8 whatever either says, and bytes that are not are not, whatever either says.
    header = text_codec(content_type_charset(content_type))
    found = META_CHARSET.search(data, 0, 65536)
    meta = text_codec(found.group(1).decode("ascii")) if found else None
    declared = header or meta
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        if declared in (None, "utf-8") or declared in LATIN or not data.isascii():
            return text  # valid UTF-8 with non-ASCII bytes is UTF-8, whatever was declared
        return data.decode(declared, "replace")  # a 7-bit encoding (ISO-2022-JP) says so
    for label in (header, meta):  # the server's word first, then the page's
        if label and label != "utf-8":
            return data.decode("cp1252" if label in LATIN else label, "replace")
    return mostly_utf8(data) or data.decode("cp1252", "replace")


def binary_kind(text: str) -> str | None:
    """What a decoded response is when it is no text at all: "a PDF document", or "binary
    data" for a NUL among its first 2 KB (images, archives, office files); None for text."""
    head = text[:2048].lstrip()
    if head.startswith("%PDF"):
        return "a PDF document"
    if "\x00" in head:
        return "binary data"
    return None
