"""Legacy archive pages (plain text or HTML) parsed into posts with their credits.

Stages, each in its own module:
  1. decode: bytes as UTF-8 (HTML may fall back to its meta charset, then cp1252); BOM,
     Windows line endings, non-breaking and zero-width spaces normalised (here), the
     zero-width (non-)joiners of Persian spelling kept; a WordPress export is first written
     out as the HTML of a listing page (``wordpress``);
  2. cut the page into a header (site name, about text) and raw posts: headline, date, body
     paragraphs (``text_pages`` for plain text, ``html_pages`` for HTML);
  3. find each post's credit lines, before or after the excerpt (``credits``); a credit
     after the excerpt closes the post, so a newsletter's footer is not part of it;
  4. learn outlets from the credits that leave no doubt, over the whole page first, so the
     gazetteer the caller passes in grows as a multi-file import goes (``gazetteer``);
  5. decide author, outlet and place of every credit with that gazetteer, complete partial
     dates from the post's date or the previous post's, and build the excerpt (here).
Bad input of any kind raises ArchiveParseError with a message saying what is wrong.
"""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from clipdesk.archive.chrome import is_chrome_line, strip_read_more, tags_in_line
from clipdesk.archive.credits import (
    EXCERPT_LEAD_IN,
    CreditMatch,
    find_lead_credits,
    find_trailing_credit,
)
from clipdesk.archive.dates import parse_date
from clipdesk.archive.gazetteer import CreditReader, OutletGazetteer
from clipdesk.archive.html_pages import HtmlPageError, parse_html
from clipdesk.archive.text_pages import RawPage, RawPost, parse_text, posted_line
from clipdesk.archive.wordpress import (
    WordPressExportError,
    as_listing_html,
    is_feed,
    is_wordpress_export,
)
from clipdesk.charsets import META_CHARSET, mostly_utf8, text_codec
from clipdesk.storable import storable_text

__all__ = [
    "ArchiveCredit",
    "ArchivePage",
    "ArchiveParseError",
    "ArchivePost",
    "NoPostsError",
    "OutletGazetteer",
    "parse_archive",
]


@dataclass
class ArchiveCredit:
    author: str | None
    outlet: str | None
    date: datetime.date | None
    place: str | None = None


@dataclass
class ArchivePost:
    headline: str
    posted_on: datetime.date | None
    sources: list[ArchiveCredit]
    excerpt: str
    url: str | None = None  # the post's own link, when an HTML page gives one
    tags: list[str] = field(default_factory=list)  # when an HTML page gives them
    # The editor's own words before a credit line that introduces the excerpt below it.
    commentary: str = ""
    # What the post is known by through every edit, where its source keeps one (a WordPress
    # export's post id); None for saved pages, known by their headline and date.
    identity: str | None = None
    # What the reading doubts, in words for the summary: a date not yet come and left out, a
    # "Posted on" that reads as no date, no source line.
    doubts: list[str] = field(default_factory=list)


@dataclass
class ArchivePage:
    site_name: str | None
    about: str | None
    posts: list[ArchivePost]

    def as_dict(self) -> dict:
        """The page as JSON-ready data, in the shape of the seed's expected files."""
        return {
            "site": {"name": self.site_name, "about": self.about},
            "posts": [
                {
                    "headline": post.headline,
                    "posted_on": _iso(post.posted_on),
                    "sources": [
                        {"author": c.author, "outlet": c.outlet, "date": _iso(c.date)}
                        for c in post.sources
                    ],
                    "excerpt": post.excerpt,
                }
                for post in self.posts
            ],
        }


class ArchiveParseError(ValueError):
    """The content is not an archive page this parser can read; the message says why."""


class NoPostsError(ArchiveParseError):
    """The content was read, and holds no post: empty, or text with nothing in a digest
    post's shape (a robots.txt, a readme). A folder's file that says so is left out of an
    import; one that cannot be read at all fails it."""


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# 1. Decoding -----------------------------------------------------------------------------

_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|article|div|p|h[1-6]|section|main|blockquote|ul|ol"
    r"|table|meta|title)[\s>/]",
    re.IGNORECASE,
)
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u3000": " "})
# Invisible characters that only get in the way: zero-width space, word joiner, BOM, soft
# hyphen. The zero-width non-joiner and joiner (U+200C, U+200D) are part of normal Persian
# (and Indic, and emoji) spelling: "خانواده‌ها" must keep its ZWNJ. They go only where they
# join nothing, at the start or end of a word.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_STRAY_JOINERS = re.compile("(?<!\\S)[\u200c\u200d]+|[\u200c\u200d]+(?!\\S)")
# Direction marks, embeddings and isolates at a line's start or end only set which way the
# line runs; before "Author, Outlet, date" one made the author read as an outlet.
_EDGE_BIDI = re.compile(
    "^[ \t]*[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+|"
    "[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]+[ \t]*$",
    re.MULTILINE,
)
_XML_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Share of control characters above which a "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05


def _is_html_name(filename: str) -> bool:
    return filename.lower().endswith((".html", ".htm", ".xhtml"))


def _looks_like_html(text: str, filename: str) -> bool:
    return _is_html_name(filename) or reads_as_html(text)


def reads_as_html(text: str) -> bool:
    """Whether a text whose name does not say so is an HTML page: it starts with a tag
    such as <html> or <div>, or has three of them near its start. A folder's .php or
    .shtml pages, saved from a site, are picked by this rule too."""
    tags = len(_HTML_START.findall(text[:4096]))
    return tags >= 3 or (tags >= 1 and text.lstrip().startswith("<"))


LATIN_LABELS = {"iso8859-1", "ascii"}  # codec names of "latin1", "ISO-8859-1", "US-ASCII"…


def _decode(content: bytes, filename: str) -> str:
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ArchiveParseError("not valid UTF-16 text despite its byte-order mark") from exc
    if (wide := _utf16_without_mark(content)) is not None:
        try:
            return content.decode(wide)
        except UnicodeDecodeError as exc:
            raise ArchiveParseError(
                "text in UTF-16 without a byte-order mark, with bytes that are not; "
                "save the file as UTF-8 and import it again"
            ) from exc
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = content[:4096]
        declared = META_CHARSET.search(head)
        says_utf8 = text_codec(declared.group(1).decode("ascii") if declared else "utf-8")
        # UTF-8 but for a stray byte or two: those alone are read as windows-1252.
        if says_utf8 == "utf-8" and (text := mostly_utf8(content)) is not None:
            return text
        if (kind := _binary_kind(head)) is not None:
            raise ArchiveParseError(f"{kind}, not a text or HTML page") from exc
        if not _is_html_name(filename) and not _HTML_START.search(head.decode("ascii", "replace")):
            raise ArchiveParseError(_not_utf8(content, exc.start)) from exc
    for label in (declared.group(1).decode("ascii") if declared else None, "cp1252"):
        if (encoding := text_codec(label)) is None:
            continue
        if encoding in LATIN_LABELS:
            # Read as browsers read them (WHATWG): a page saying ISO-8859-1 is written in
            # windows-1252, and its curly quotes became invisible C1 control characters.
            encoding = "cp1252"
        try:
            return content.decode(encoding)
        except ValueError:  # bytes invalid in that charset
            if encoding == "cp1252" and label != "cp1252":
                return content.decode("latin-1")  # the five bytes cp1252 leaves undefined
            continue
    raise ArchiveParseError("not valid UTF-8 text, nor in the page's declared charset or cp1252")


# The files most often named by mistake, by their first bytes.
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip file (unpack it and import its folder)"),
    (b"%PDF-", "a PDF document"),
)


def _binary_kind(head: bytes) -> str | None:
    """What a file that is no text is ("a zip file", "a PDF document", "binary data"), or
    None for text: a zip of saved pages was told to be saved again as UTF-8."""
    for signature, kind in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0b\x0c")
    if b"\x00" in head or controls > _MAX_CONTROL_SHARE * len(head):
        return "binary data"
    return None


def _not_utf8(content: bytes, start: int) -> str:
    """Why a plain-text file cannot be read, where, and what to do about it: a text file says
    nothing of its encoding, and guessing one would store wrong letters unseen."""
    line = content.count(b"\n", 0, start) + 1
    return (
        f"not valid UTF-8 text (bad byte at {start}, line {line}); "
        "save the file as UTF-8 and import it again"
    )


def _utf16_without_mark(content: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for text whose every other byte is zero (Latin letters in
    UTF-16, as some Windows tools save it without a byte-order mark), else None. Such a file
    is valid UTF-8 byte by byte, and was refused as binary data."""
    head = content[:400]
    half = len(head) // 2
    if half < 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= 0.9 * half and even == 0:
        return "utf-16-le"
    if even >= 0.9 * half and odd == 0:
        return "utf-16-be"
    return None


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n\n").translate(_SPACES)
    return _drop_invisible(text)


def _drop_invisible(text: str) -> str:
    return _EDGE_BIDI.sub("", _STRAY_JOINERS.sub("", _INVISIBLE.sub("", text)))


def _drop_invisible_from(raw: RawPage) -> None:
    """HTML entities (&shy;, &#8203;, &zwnj;, &#1;, &#xFFFE;) are decoded after
    ``_normalise`` and ``_scrub_controls``: clean what the HTML reader made of them too (a
    control character or non-character stored in a post made its feeds unreadable)."""
    raw.site_name = raw.site_name and _decoded_clean(raw.site_name)
    raw.about = raw.about and _decoded_clean(raw.about)
    for post in raw.posts:
        post.headline = " ".join(_decoded_clean(post.headline).split())
        post.body = [text for text in (_decoded_clean(line).strip() for line in post.body) if text]


def _decoded_clean(text: str) -> str:
    return _drop_invisible(storable_text(text))


def _scrub_controls(text: str) -> str:
    """Vertical tabs and form feeds (page breaks in old dumps) become line breaks; other
    control characters, lone surrogates and non-characters, which lxml refuses, spaces."""
    return _XML_UNSAFE.sub(" ", text.replace("\x0b", "\n").replace("\x0c", "\n"))


def _check_is_text(text: str) -> None:
    if not text.strip():
        raise NoPostsError("empty input: no text at all")
    sample = text[:20000]
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\x0b\x0c"
    )
    if "\x00" in sample or controls > _MAX_CONTROL_SHARE * len(sample):
        raise ArchiveParseError("binary data, not a text or HTML page")


# 2.-5. Entry point ------------------------------------------------------------------------


def parse_archive(
    content: bytes | str, *, gazetteer: OutletGazetteer | None = None, filename: str = ""
) -> ArchivePage:
    """Parse one legacy archive page; ``gazetteer`` (if given) learns the page's outlets.

    Raises ArchiveParseError for undecodable, empty, binary or post-less input, and for a
    page whose posts neither credit a source nor link to a post's page.
    """
    if isinstance(content, bytearray | memoryview):
        content = bytes(content)
    identities: dict[str, str] = {}
    # Each article written out from an export is one post: a block quote in it, bold line
    # and all, is the excerpt the post quotes, never a pasted card of a post of its own.
    from_export = isinstance(content, bytes) and is_wordpress_export(content)
    if from_export:
        try:
            export = as_listing_html(content)
        except WordPressExportError as exc:
            raise ArchiveParseError(str(exc)) from exc
        text, identities, filename = export.html, export.identities, "wordpress-export.html"
    elif isinstance(content, bytes) and is_feed(content):
        raise ArchiveParseError(
            "an RSS or Atom feed, not a page of the archive: watch it as a source "
            "(clipdesk source add), or import the site's WordPress export or saved pages"
        )
    elif isinstance(content, bytes):
        text = _decode(content, filename)
    elif isinstance(content, str):
        text = content
    else:
        raise TypeError(f"content must be bytes or str, not {type(content).__name__}")
    text = _normalise(text)
    _check_is_text(text)
    text = _scrub_controls(text)
    try:
        if _looks_like_html(text, filename):
            raw = parse_html(text, quote_cards=not from_export)
            _drop_invisible_from(raw)
        else:
            raw = parse_text(text)
    except HtmlPageError as exc:
        raise ArchiveParseError(str(exc)) from exc
    except RecursionError as exc:
        raise ArchiveParseError("page nested too deeply to read") from exc
    posts = [post for post in raw.posts if post.headline.strip() or post.headless]
    if not posts:
        raise NoPostsError("no posts found")
    reader = CreditReader(gazetteer if gazetteer is not None else OutletGazetteer())
    built = _build_posts(posts, reader)
    if not any(post.sources for post in built) and not _links_to_post_pages(built):
        # A digest credits its clippings, or (an index of teasers) links to the pages that
        # do; a page with neither is something else (a shop's page, a readme, a list of
        # links to other sites), whose lines would become published posts, and its name the
        # site's.
        raise NoPostsError(
            "no source lines (such as “Author, Outlet, March 3 2019:… excerpt”) found: "
            "not a page of the archive"
        )
    for post in built:
        post.identity = identities.get(post.url or "")
    return ArchivePage(_clean(raw.site_name), _clean(raw.about), built)


# A post whose headline was lost is named by this many of its excerpt's first words.
HEADLINE_FROM_EXCERPT_WORDS = 10


def headline_from(excerpt: str) -> str:
    """A headline for a post that lost its own: its excerpt's first sentence, or its first
    words with an ellipsis; "Untitled" when it has no words either."""
    first = re.split(r"(?<=[.!?])\s", excerpt, maxsplit=1)[0].strip()
    words = first.split()
    if not words:
        return "Untitled"
    if len(words) <= HEADLINE_FROM_EXCERPT_WORDS:
        return first.rstrip(".")
    return " ".join(words[:HEADLINE_FROM_EXCERPT_WORDS]).rstrip(",;:") + "…"


def _links_to_post_pages(posts: list[ArchivePost]) -> bool:
    """Whether the posts link to pages of one site, as an index of a digest's posts does,
    rather than to the front pages of several ("Useful links": one line per organisation)."""
    addresses = [urlsplit(post.url) for post in posts if post.url]
    hosts = {address.hostname for address in addresses if address.hostname}
    return len(hosts) <= 1 and any(address.path.strip("/") for address in addresses)


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


@dataclass
class _PostParts:
    """What a post's body holds once its credit lines are found."""

    credits: list[CreditMatch]
    paragraphs: list[str]
    tags: list[str]
    posted_on: datetime.date | None
    byline: str | None = None
    intro: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


# A credit line that ends pointing at what follows ("…, March 3 2020:" then the quote below).
_POINTS_FORWARD = re.compile(r"(?::|:?\s*(?:…|\.{3}))\s*$")

_BYLINE = re.compile(r"^(?:by|written by|author:)\s+(?P<name>[^,;:]{3,60})$", re.IGNORECASE)


def _split_body(raw: RawPost, reader: CreditReader) -> _PostParts:
    """3. Credit lines, excerpt paragraphs, tags and a "Posted on" date out of a body."""
    parts = _PostParts([], [], list(raw.tags), raw.posted_on)
    closed = False  # by a credit line after the excerpt: later text is not the post's
    for line in raw.body:
        if closed:
            parts.tags.extend(t for t in tags_in_line(line) if t not in parts.tags)
            continue
        leads = find_lead_credits(line)
        if leads:
            ends_post = not leads[-1].after and bool(parts.paragraphs) and not parts.credits
            if ends_post and _POINTS_FORWARD.search(line):
                # "Intro. / Jane Roe, The Herald, March 3 2020: / The quote.": the credit
                # introduces the quote below it; what stood above is the editor's, where it
                # became the excerpt and the quote was lost.
                parts.intro, parts.paragraphs = parts.paragraphs, []
                ends_post = False
            closed = ends_post
            parts.credits.extend(leads)
            if leads[-1].after:
                parts.paragraphs.append(strip_read_more(leads[-1].after))
            continue
        tags = tags_in_line(line)
        if tags or is_chrome_line(line):
            parts.tags.extend(t for t in tags if t not in parts.tags)
            continue
        posted = posted_line(line)
        if posted:
            if not raw.has_posted_line and parts.posted_on is None:
                parts.posted_on = parse_date(posted.group("value"))
            continue
        byline = _BYLINE.match(line)
        if byline and reader.gazetteer.is_person(byline.group("name")):
            parts.byline = byline.group("name").strip()
            continue
        if byline and len(byline.group("name").split()) == 1:
            continue  # "by admin": the blog's account, not the clipping's author
        parts.paragraphs.append(strip_read_more(line))
    if not parts.credits:
        # Newsletters put the credit after the excerpt, and it closes the post: what follows
        # it (a footer, a sign-off) is not part of the excerpt. The last credit wins.
        for index in range(len(parts.paragraphs) - 1, -1, -1):
            trailing = find_trailing_credit(parts.paragraphs[index])
            if trailing is not None:
                parts.credits.append(trailing)
                del parts.paragraphs[index + 1 :]
                if trailing.before:
                    parts.paragraphs[index] = trailing.before
                else:
                    del parts.paragraphs[index]
                break
    if _not_yet_come(parts.posted_on):
        # Not yet come, so mistyped ("2091" for "2019"): a post it would have sorted above
        # every other, for decades. Undated, it is ordered by its credits' dates.
        said = _said(parts.posted_on)
        parts.doubts.append(f"its “Posted on” date {said} is not yet come: left out")
        parts.posted_on = None
    elif parts.posted_on is None and raw.posted_text:
        parts.doubts.append(f"its “Posted on” date “{raw.posted_text}” reads as no date")
    return parts


def _not_yet_come(day: datetime.date | None) -> bool:
    return day is not None and day > datetime.date.today() + POSTED_SLACK


def _said(day: datetime.date) -> str:
    return f"{day:%B} {day.day} {day.year}"


# A "Posted on" date this far ahead of today (time zones, a clock set wrong) is still taken.
POSTED_SLACK = datetime.timedelta(days=2)


def _build_posts(raw_posts: list[RawPost], reader: CreditReader) -> list[ArchivePost]:
    split = [_split_body(raw, reader) for raw in raw_posts]
    # 4. Learn first, over the whole page, so that a credit early in the page is read with
    # what the page says about its outlets further down.
    for parts in split:
        for credit in parts.credits:
            for outlet in reader.outlets_to_learn(credit.names):
                reader.gazetteer.add(outlet)
    # Then the outlets only the "Author, Outlet" order decides, where what was learned does
    # not decide them: the database keeps them as outlets, so an import of the page read
    # without them would differ from the next import, read with them.
    for parts in split:
        for credit in parts.credits:
            for outlet in reader.outlets_by_position(credit.names):
                reader.gazetteer.add(outlet)
    # 5. Then decide every credit.
    posts: list[ArchivePost] = []
    previous_date: datetime.date | None = None
    for raw, parts in zip(raw_posts, split, strict=True):
        reference = parts.posted_on or previous_date
        sources = []
        for credit in parts.credits:
            if credit.unread_date:
                parts.doubts.append(f"a source's date “{credit.unread_date}” reads as no date")
            day = credit.date.resolve(reference) if credit.date else None
            if _not_yet_come(day):
                # Mistyped as a "Posted on" can be: the post was ordered by it, above every
                # other for decades, and the credit showed a day not yet come.
                parts.doubts.append(f"a source's date {_said(day)} is not yet come: left out")
                day = None
            for roles in reader.roles(credit.names):
                sources.append(ArchiveCredit(roles.author, roles.outlet, day, roles.place))
        if not sources and parts.byline:
            sources.append(ArchiveCredit(parts.byline, None, None))
        excerpt = EXCERPT_LEAD_IN.sub("", "\n\n".join(p for p in parts.paragraphs if p))
        posts.append(
            ArchivePost(
                headline=raw.headline.strip() or headline_from(excerpt.strip()),
                posted_on=parts.posted_on,
                sources=sources,
                excerpt=excerpt.strip(),
                url=raw.url,
                tags=parts.tags,
                commentary="\n\n".join(p for p in parts.intro if p).strip(),
                doubts=parts.doubts
                + ([] if sources or raw.url else ["no source line: it credits no one"]),
            )
        )
        own_dates = [s.date for s in sources if s.date]
        previous_date = parts.posted_on or (own_dates[0] if own_dates else previous_date)
    return posts
