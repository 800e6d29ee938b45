"""Feed, sitemap and JSON Feed parsing: response bytes in, one `ParsedFeed` out.

Stages, in the order `parse_feed` runs them:

1. Sniff: unpack gzip (up to the fetch size cap), re-encode UTF-16 and UTF-32 as UTF-8 (told
   by the byte-order mark or, with none, by the zero bytes around the first character), drop
   a byte-order mark and any junk before the feed (a PHP warning printed ahead of `<?xml` is
   common), and tell JSON from markup.
2. Decode: pick the encoding from the BOM, the XML declaration, the HTTP charset and what the
   bytes really are; every disagreement becomes a line in `problems`.
3. Defuse: remove any DOCTYPE (feeds never need one, and entity definitions are how billion
   laughs and XXE attacks work), turn HTML named entities such as `&nbsp;` into characters
   and remove undefined ones, so nothing is ever expanded from a definition in the feed.
   The lxml parser is also built to resolve no entity, load no DTD and touch no network.
4. Parse: strict first; malformed XML is parsed again in recovery mode and said so.
5. Dispatch on the root element (never on the URL or content type, which lie):
   rss / RDF / feed / urlset / sitemapindex, or JSON Feed; an HTML page is refused. A body
   whose first line is an address and nothing else is a text sitemap (sitemap.txt).
6. Adapt each format's items to one `ParsedEntry`: absolute URL, dates in the publisher's
   offset, plain-text titles and summaries, author names without e-mail addresses
   (feed_formats.py).

Parser choice, measured with `bench/feed_parsing.py` on the 19 real feeds in
`../shared/data/feeds` (this 2-core machine, warm, median of 5 rounds, three runs):
feedparser 6.0.14 25-27 ms per feed, fastfeedparser 0.6.5 (compiled core) 0.7 ms, this
lxml-based parser 2.4-2.6 ms. feedparser reads no JSON Feed or sitemap. fastfeedparser is the
fastest, but it finds no entry in the real RSS 0.90 (RDF) feed, and on our fixtures it
drops the item of the billion-laughs feed, reads undeclared Latin-1 as U+FFFD, cuts
"Caf&eacute;" to "Caf", keeps relative links relative and refuses sitemaps. So we parse
with lxml ourselves: 10x feedparser's speed, every format, and each fault named for the
editor in `problems`.
"""

from __future__ import annotations

import codecs
import html
import re
import zlib
from urllib.parse import urlsplit

from lxml import etree

from clipdesk.charsets import content_type_charset, text_codec
from clipdesk.sources.discovery import find_feed_links
from clipdesk.sources.feed_formats import (
    ATOM03_NS,
    KIND_NAMES,
    KINDS_BY_CONTENT_TYPE,
    FeedError,
    ParsedEntry,
    ParsedFeed,
    parse_atom,
    parse_date,
    parse_json_feed,
    parse_rdf,
    parse_rss,
    parse_sitemap,
    parse_text_sitemap,
    recovered,
)
from clipdesk.sources.fetching import FetchPolicy
from clipdesk.storable import storable_or_none, storable_text

# The types and `parse_date` are part of this module's interface; they live with the formats.
__all__ = ["FeedError", "ParsedEntry", "ParsedFeed", "parse_date", "parse_feed"]

# A body gzipped without a Content-Encoding (sitemap.xml.gz) is unpacked here, not by the
# fetcher, and is held to the fetcher's cap all the same: the fetch policy's max_bytes
# (CLIPDESK_FETCH_MAX_BYTES), counted after decompression. With a limit of its own (50 MiB)
# a few kB on the wire could take five times what the cap allows. The sitemaps protocol
# allows 50 MB unpacked; a site that needs it needs the setting raised, for either path.
DEFAULT_MAX_BYTES = FetchPolicy().max_bytes


def parse_feed(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedFeed:
    """Read any feed or sitemap format; raise FeedError only when nothing is usable.
    `max_bytes` caps a gzipped body once unpacked: pass the fetch policy's, which capped the
    response."""
    problems: list[str] = []
    data = _sniff(body, problems, max_bytes)  # 1
    if data[:1] in (b"{", b"["):
        feed = parse_json_feed(data, url, problems)
    elif TEXT_SITEMAP_START.match(data):
        feed = parse_text_sitemap(data, url, problems)
    else:
        text = _decode(data, content_type, problems)  # 2
        root = _parse_xml(_defuse(text, problems), url, problems)  # 3, 4
        feed = _dispatch(root, url, problems)  # 5, 6
        if not feed.entries and recovered(problems):
            fault = next(p for p in problems if p.startswith("not well-formed XML"))
            raise FeedError(f"feeds: {fault}, and no entry could be recovered")
    _note_mismatches(feed.kind, url, content_type, problems)
    feed.problems = list(dict.fromkeys(storable_text(p) for p in problems))
    _make_storable(feed)
    return feed


def _make_storable(feed: ParsedFeed) -> None:
    """Every text the feed gives, as a database column takes it (clipdesk/storable.py);
    the addresses with such characters were refused when read (`_absolute`)."""
    feed.title = storable_or_none(feed.title)
    for entry in feed.entries:
        entry.guid = storable_or_none(entry.guid)
        entry.title = storable_or_none(entry.title)
        entry.summary = storable_or_none(entry.summary)
        entry.language = storable_or_none(entry.language)
        entry.authors = [a for a in (storable_text(a) for a in entry.authors) if a]


# --- 1. sniff --------------------------------------------------------------------------------

FEED_START = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|RDF|urlset|sitemapindex)[\s>]")
# A text sitemap (sitemap.txt, sitemaps.org): one absolute address a line, nothing else.
TEXT_SITEMAP_START = re.compile(rb"https?://[^\s<>]+\s*(?:\n|$)", re.IGNORECASE)


def _sniff(body: bytes, problems: list[str], max_bytes: int) -> bytes:
    """The bytes where the document starts, unpacked and without BOM or leading junk."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, max_bytes)
    if codec := _wide_codec(body):  # re-encoded once so every later stage sees UTF-8
        # At most 1.5 times the bytes (a CJK character: 2 in UTF-16, 3 in UTF-8), so the
        # fetch's cap still bounds what is parsed.
        body = body.decode(codec, "replace").removeprefix("\ufeff").encode("utf-8")
        body = WIDE_DECLARATION.sub(rb"\1utf-8", body.lstrip(), count=1)
    body = body.removeprefix(codecs.BOM_UTF8).lstrip()
    if not body:
        raise FeedError("feeds: the response is empty")
    start = body.find(b"<?xml", 0, 4096)  # a declaration anywhere but first is junk before it
    if start <= 0 and body[:1] in (b"<", b"{", b"["):
        return body
    if start < 0:
        found = FEED_START.search(body, 0, 4096)
        if found is None and TEXT_SITEMAP_START.match(body):
            return body
        if found is None:
            raise FeedError("feeds: this is neither XML nor JSON (it starts with plain text)")
        start = found.start()
    problems.append(f"{start} bytes of text before the feed were skipped (often a server warning)")
    return body[start:]


# The byte-order marks of UTF-32 first: a little-endian one starts as UTF-16's does.
WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Without a mark, the zero bytes around the first character (an ASCII one: "<" of "<?xml" or
# of the root, or white space) give the width and the byte order, as XML 1.0 appendix F
# reads "<?xml": 00 00 00 3C is UTF-32 big-endian, 3C 00 3F 00 UTF-16 little-endian.
WIDE_STARTS = (
    (re.compile(rb"\x00\x00\x00[\x01-\x7f]"), "utf-32-be"),
    (re.compile(rb"[\x01-\x7f]\x00\x00\x00"), "utf-32-le"),
    (re.compile(rb"\x00[\x01-\x7f]\x00[\x01-\x7f]"), "utf-16-be"),
    (re.compile(rb"[\x01-\x7f]\x00[\x01-\x7f]\x00"), "utf-16-le"),
)
WIDE_DECLARATION = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*[\"'])[\w.:-]+")


def _wide_codec(body: bytes) -> str | None:
    """The codec of a body in UTF-16 or UTF-32, told by its byte-order mark or, with none,
    by its zero bytes; None for any other (8-bit text has no zero bytes). A feed in UTF-16
    with no mark was refused as "not XML that can be read (Char 0x0 ...)"."""
    for bom, codec in WIDE_BOMS:
        if body.startswith(bom):
            return codec
    for start, codec in WIDE_STARTS:
        if start.match(body):
            return codec
    return None


def _gunzip(body: bytes, max_bytes: int) -> bytes:
    """The unpacked body, refused once it passes `max_bytes`: a gzip bomb is never inflated
    whole (one byte more than the cap is all that is ever unpacked)."""
    unpacker = zlib.decompressobj(wbits=31)
    try:
        data = unpacker.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FeedError(f"feeds: the gzip data is damaged ({exc})") from exc
    if len(data) > max_bytes:
        raise FeedError(
            f"feeds: unpacked, the gzip data is over {max_bytes / 2**20:.3g} MB "
            f"({max_bytes} bytes); refused"
        )
    return data


# --- 2. decode -------------------------------------------------------------------------------

DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']")
LATIN = {"iso8859-1", "cp1252", "ascii", "iso8859-15", "latin-1"}


def _decode(data: bytes, content_type: str | None, problems: list[str]) -> bytes:
    """UTF-8 bytes of the document, read in the encoding its bytes are really in."""
    if data.isascii():
        return data  # every encoding a feed may declare reads ASCII the same way
    found = DECLARED.match(data)
    declared_label = found.group(1).decode("ascii") if found else None
    header_label = content_type_charset(content_type)
    declared, from_header = text_codec(declared_label), text_codec(header_label)
    # UTF-16 or UTF-32 declared in a declaration the parser could read byte by byte, with no
    # byte-order mark (stage 1 reads real UTF-16 by its mark or zero bytes): the label is known,
    # it just cannot be what the bytes are in, and calling it "unknown" sent the editor looking
    # for a typo in it.
    wide = declared_label is not None and declared is None and _names_utf16_or_32(declared_label)
    if declared_label and declared is None and not wide:
        problems.append(f"declared encoding {declared_label} is unknown")
    is_utf8 = _is_utf8(data)
    if declared and from_header and declared != from_header:
        problems.append(
            f"the server says {header_label} but the feed declares {declared_label}; "
            f"read as {'UTF-8' if is_utf8 else declared_label}"
        )
    wanted = declared or from_header
    label = declared_label if declared else header_label
    noted = len(problems)
    text, read_as = _read_as(data, wanted, label, is_utf8, problems, silent_default=wide)
    if wide:
        if from_header and read_as == label:
            read_as = f"the server's {label}"
        problems.insert(
            noted,
            f"declared encoding {declared_label} does not fit the bytes (8-bit text without a "
            f"byte-order mark); read as {read_as}",
        )
    return text


def _read_as(
    data: bytes,
    wanted: str | None,
    label: str | None,
    is_utf8: bool,
    problems: list[str],
    silent_default: bool = False,
) -> tuple[bytes, str]:
    """The bytes as UTF-8 and the name of the encoding they were read in. `silent_default`:
    the caller says itself why windows-1252 was taken when nothing usable was declared."""
    if is_utf8 and wanted and wanted != "utf-8" and not _decodes(data, wanted, single_byte=True):
        # Legacy text is almost never valid UTF-8 by chance; UTF-8 mislabelled as Latin-1 is
        # one of the commonest feed faults.
        problems.append(f"declared encoding {label} but the body is UTF-8")
        return data, "UTF-8"
    if wanted is None:
        if is_utf8:
            return data, "UTF-8"
        if not silent_default:
            problems.append("no encoding declared and the body is not UTF-8; read as windows-1252")
        return _recode(data, "cp1252", problems), "windows-1252"
    if wanted == "utf-8" and not is_utf8:
        problems.append(
            f"declared encoding {label} but the body is not UTF-8; read as windows-1252"
        )
        return _recode(data, "cp1252", problems), "windows-1252"
    if wanted == "utf-8":
        return data, "UTF-8"
    return _recode(data, "cp1252" if wanted in LATIN else wanted, problems), str(label)


def _names_utf16_or_32(label: str) -> bool:
    try:
        return codecs.lookup(label).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


# Multi-byte codecs that take most byte pairs: UTF-8 Chinese often reads as GB18030 mojibake
# (港口日报 as 娓彛鏃ユ姤), so valid UTF-8 labelled GB 2312 is UTF-8, as for single-byte codecs.
LENIENT = {"gb18030"}


def _decodes(data: bytes, codec: str, single_byte: bool = False) -> bool:
    """Whether `data` is plausibly in `codec`; single-byte codecs decode anything, so no."""
    if single_byte and (
        codec in LATIN or codec in LENIENT or codec.startswith(("cp", "iso8859", "koi8", "mac"))
    ):
        return False
    try:
        data.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _recode(data: bytes, codec: str, problems: list[str]) -> bytes:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text = data.decode(codec, "replace")
        problems.append(f"some bytes are not valid {codec} and were replaced")
    return text.encode("utf-8")


# --- 3. defuse -------------------------------------------------------------------------------

DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*(?:\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


NUMERIC_REFERENCE = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")


def _mend_references(data: bytes, problems: list[str]) -> bytes:
    """Character references to a lone surrogate (&#xD800;) or past Unicode (&#x110000;)
    become U+FFFD. libxml2's recovering parser keeps them as bytes that are not UTF-8, and
    reading that text raised in the middle of a round, which stopped the poll of every
    source. (References to control characters are left to the parser and to storable_text:
    an address holding one is still refused, not fetched with U+FFFD in it.)"""
    bad = 0

    def mend(match: re.Match[bytes]) -> bytes:
        nonlocal bad
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        if not (0xD800 <= code <= 0xDFFF or code > 0x10FFFF):
            return match.group(0)
        bad += 1
        return b"&#xFFFD;"

    data = NUMERIC_REFERENCE.sub(mend, data)
    if bad:
        problems.append(f"{bad} character reference(s) to no character were replaced")
    return data


def _defuse(data: bytes, problems: list[str]) -> bytes:
    """Without DTD and with every named entity spelled out or removed, so none is expanded;
    numeric references to no character at all mended."""
    if b"&#" in data:
        data = _mend_references(data, problems)
    doctype = DOCTYPE.search(data, 0, 65536)
    if doctype:
        if b"<!ENTITY" in doctype.group(0):
            problems.append("the feed defines its own XML entities; they were ignored for safety")
        data = data[: doctype.start()] + data[doctype.end() :]
    if not NAMED_ENTITY.search(data):
        return data
    unknown: set[str] = set()

    def spell_out(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name in XML_ENTITIES:
            return match.group(0)
        char = html.entities.html5.get(name.decode("ascii") + ";")  # &nbsp; &eacute; in RSS 0.91
        if char is None:
            unknown.add(name.decode("ascii"))
        return char.encode("utf-8") if char else b""

    data = NAMED_ENTITY.sub(spell_out, data)
    if unknown:
        names = ", ".join(f"&{name};" for name in sorted(unknown)[:5])
        problems.append(f"undefined entities were removed: {names}")
    return data


# --- 4. parse --------------------------------------------------------------------------------


BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9A-Fa-f]+;|[A-Za-z][A-Za-z0-9]*;)")


def _xml_parser(recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        encoding="utf-8",  # stage 2 made it so, whatever the declaration says
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


STRICT, RECOVER = _xml_parser(False), _xml_parser(True)


def _parse_xml(data: bytes, url: str, problems: list[str]) -> etree._Element:
    try:
        return etree.fromstring(data, STRICT, base_url=url)
    except etree.XMLSyntaxError as exc:
        first = exc
    if re.match(rb"\s*<(!doctype\s+html|html[\s>])", data[:512], re.IGNORECASE):
        raise _html_page(data, url) from first
    problems.append(
        f"not well-formed XML at line {first.lineno}: {first.msg.split(', line')[0]} "
        "(parsed as far as possible)"
    )
    data = BARE_AMPERSAND.sub(b"&amp;", data)  # the commonest fault; recovery drops the rest
    try:
        root = etree.fromstring(data, RECOVER, base_url=url)
    except etree.XMLSyntaxError:
        root = None
    if root is None:
        raise FeedError(f"feeds: not XML that can be read ({first.msg})") from first
    return root


# --- 5. dispatch -----------------------------------------------------------------------------


def _dispatch(root: etree._Element, url: str, problems: list[str]) -> ParsedFeed:
    name = etree.QName(root).localname
    if name == "rss":
        return parse_rss(root, url, problems)
    if name == "RDF":
        return parse_rdf(root, url, problems)
    if name == "feed":
        if etree.QName(root).namespace == ATOM03_NS:
            problems.append("this is an Atom 0.3 feed (obsolete); read as Atom 1.0")
        return parse_atom(root, url, problems)
    if name in ("urlset", "sitemapindex"):
        return parse_sitemap(root, url, problems)
    if name.lower() == "html":
        raise _html_page(etree.tostring(root), url)
    raise FeedError(f"feeds: the XML root element is <{name}>, not a feed or a sitemap")


def _html_page(data: bytes, url: str) -> FeedError:
    """The refusal for a web page, naming the feeds it advertises: the editor's next step."""
    feeds = find_feed_links(data, url)
    if feeds:
        return FeedError(
            f"feeds: this is an HTML page, not a feed; it links to: {', '.join(feeds[:5])}"
        )
    return FeedError("feeds: this is an HTML page, not a feed, and it links to no feed")


def _note_mismatches(kind: str, url: str, content_type: str | None, problems: list[str]) -> None:
    """Say when the address or the server's content type claims another format."""
    path = urlsplit(url).path.lower()
    if path.endswith(".rss") and kind not in ("rss", "rdf"):
        problems.append(f"the address ends in .rss but the body is {KIND_NAMES[kind]}")
    if path.endswith(".atom") and kind != "atom":
        problems.append(f"the address ends in .atom but the body is {KIND_NAMES[kind]}")
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime == "text/html":
        problems.append(f"served as text/html (a web page) but the body is {KIND_NAMES[kind]}")
    elif kind not in KINDS_BY_CONTENT_TYPE.get(mime, {kind}):
        problems.append(f"served as {mime} but the body is {KIND_NAMES[kind]}")
