"""Cutting a page's lines into a header and posts (plain text, and HTML without post markup).

A post starts at its headline. Headlines are found from anchors, in this order:
  1. the line before each "Posted on:" line;
  2. a short headline-like line right before a line that starts with a credit;
  3. when neither exists, trailing credits ("... — Jane Roe, The Herald, March 3 2020") end
     posts and the first headline-like line of each stretch starts one;
  4. when no line anchors anything: headings (HTML) at the level used for posts, else short
     lines each followed by a paragraph (teaser lists), the page's first line being its name.
Everything before the first headline is the header: the site's name and its about text
(without all-capitals section headings such as "IN THE PRESS THIS MONTH").
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from clipdesk.archive.chrome import is_chrome_line, tags_in_line
from clipdesk.archive.credits import find_lead_credit, find_trailing_credit
from clipdesk.archive.dates import parse_date

# "Posted on: 2019/02/19", "Posted on February 3, 2020 by admin", "Published: 19 Feb 2019";
# not "Posted in Uncategorized" nor "Posted by admin", which are chrome. The same labels in
# the other languages whose months dates.py reads ("Publié le : 5 mars 2021"), and Persian.
POSTED_LINE = re.compile(
    r"^(?:(?:posted|published)(?:\s+on\b\s*:?|\s*:)"
    r"|(?:publi[ée]|post[ée]|mis\s+en\s+ligne)\s+le\b\s*:?"
    r"|(?:ver[öo]ffentlicht|gepostet)(?:\s+am\b)?\s*:?"
    r"|publicado(?:\s+(?:el|en|em)\b)?\s*:?"
    r"|pubblicato(?:\s+il\b)?\s*:?"
    r"|(?:gepubliceerd|geplaatst)(?:\s+op\b)?\s*:?"
    r"|(?:date|datum|fecha|data)\s*:"
    # Persian: "تاریخ انتشار: …", "تاریخ: …", "منتشر شده در …", "ارسال شده در …"
    r"|(?:تاریخ(?:[\s\u200c]*(?:انتشار|ارسال))?|زمان[\s\u200c]*انتشار)\s*:"
    r"|(?:منتشر|ارسال)[\s\u200c]*شده(?:[\s\u200c]+در\b)?\s*:?)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
# A "Posted on" value that is no date is a sentence ("Posted on social media, the clip…"):
# a posted line's value is empty, or short with a digit in it.
POSTED_VALUE_MAX_CHARS = 40


def posted_line(text: str) -> re.Match | None:
    """The "Posted on …" / "Date: …" line of a post, or None for a sentence that only
    begins like one (it stays in the excerpt, where it was silently dropped)."""
    found = POSTED_LINE.match(text) if len(text) < 120 else None
    if found is None:
        return None
    value = found.group("value").strip()
    if (
        not value
        or parse_date(value)
        or (len(value) <= POSTED_VALUE_MAX_CHARS and any(ch.isdigit() for ch in value))
    ):
        return found
    return None


_SITE_LABEL = re.compile(r"^(?P<label>author|site|blog|title|name)\s*:\s*(?P<name>.+)$", re.I)
# Longest headline seen in legacy archives is well under this; longer lines are paragraphs.
HEADLINE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 30


class Line(NamedTuple):
    """One paragraph of a page; HTML pages also say if it was a heading and where it links.
    `wrapped`: only a line break stands between it and the line before (no blank line, no
    new block), so the two may be one line broken in two (``join_wrapped_credits``)."""

    text: str
    heading: int = 0
    href: str | None = None
    wrapped: bool = False


@dataclass
class RawPost:
    """A post as cut from the page, before credits are read."""

    headline: str
    body: list[str] = field(default_factory=list)
    posted_on: datetime.date | None = None
    has_posted_line: bool = False
    # The "Posted on" line's value as written, to say which one read as no date.
    posted_text: str = ""
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    # Begun at a "Posted on" line with no headline above it (lost when the page was saved):
    # the post is still read, and named from its excerpt.
    headless: bool = False


@dataclass
class RawPage:
    site_name: str | None
    about: str | None
    posts: list[RawPost]


def text_lines(text: str) -> list[Line]:
    """Non-empty, whitespace-collapsed lines of a normalised plain-text page."""
    lines: list[Line] = []
    previous = ""
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if line:
            lines.append(Line(line, wrapped=bool(previous and lines)))
        previous = line
    return lines


# A line ending so has ended a sentence, an excerpt or a credit: what follows is another.
_ENDS_LINE = re.compile(r"[.!?…:;\"”’)\]؟]$")
# A line ending so stops between two names of a credit ("Jane Roe, The Coastal Ledger,").
_ENDS_IN_NAMES = re.compile(r"(?:[,،&|]|\s[–—-]|\sand)$", re.IGNORECASE)


def join_wrapped_credits(lines: list[Line]) -> list[Line]:
    """Credit lines that a hard wrap (or a <br>) broke in two, joined again.

    Rule: a line and the next, with only a line break between them, are joined when
      - neither is a heading, a "Posted on" line, a tag or chrome line, and the first does
        not end a sentence, an excerpt or a credit (a stop, ellipsis, colon, quote mark)
        nor already hold a credit with its excerpt;
      - the two joined start with a credit (names, then a date or ":…") whose names or date
        run across the break: "Jane Roe, The Coastal / Ledger, February 19 2019:…",
        "Jane Roe, The Coastal Ledger, / February 19 2019:…", "…, February 19 / 2019:…";
      - and, when the second line is a credit on its own ("Ledger, February 19 2019:…"),
        the first cannot be the post's headline above it: it ends between names (a comma,
        "&", "and", a dash) or the post's "Posted on" line stands right before it.
    Lines of an excerpt are never joined (a line that starts with a credit and its excerpt
    ends the search), so a hard-wrapped excerpt keeps its paragraphs as before.
    """
    joined: list[Line] = []
    for line in lines:
        if (
            joined
            and line.wrapped
            and _joins(joined[-1], line, joined[-2] if len(joined) > 1 else None)
        ):
            first = joined[-1]
            joined[-1] = first._replace(text=f"{first.text} {line.text}")
        else:
            joined.append(line)
    return joined


def _joins(first: Line, second: Line, before: Line | None) -> bool:
    if first.heading or second.heading or _ENDS_LINE.search(first.text):
        return False
    if posted_line(first.text) or posted_line(second.text):
        return False
    if tags_in_line(first.text) or is_chrome_line(first.text):
        return False
    alone = find_lead_credit(first.text)
    if alone is not None and alone.after:
        return False
    text = f"{first.text} {second.text}"
    credit = find_lead_credit(text)
    if credit is None or credit.end <= len(first.text):
        return False  # no credit, or one that ends before the break: the break is not in it
    if find_lead_credit(second.text) is None:
        return True
    after_posted = before is not None and posted_line(before.text) is not None
    return after_posted or bool(_ENDS_IN_NAMES.search(first.text))


# Cached: HTML pages without post markup are cut twice (anchors only, then with fallbacks).
@lru_cache(maxsize=65536)
def _kind(line: Line) -> str:
    """posted | lead (credit + excerpt) | credit (credit alone) | trail | tags | chrome |
    short (headline-like) | text."""
    text = line.text
    if posted_line(text):
        return "posted"
    lead = find_lead_credit(text)
    if lead:
        return "lead" if lead.after else "credit"
    if find_trailing_credit(text):
        return "trail"
    if tags_in_line(text):
        return "tags"
    if is_chrome_line(text):
        return "chrome"
    return "short" if line.heading or _headline_like(text) else "text"


def _headline_like(text: str) -> bool:
    if len(text) > HEADLINE_MAX_CHARS or len(text.split()) > HEADLINE_MAX_WORDS:
        return False
    if text.endswith((",", ";", ":")) or (text.endswith(".") and not text.endswith("...")):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "‘“\"'([«„‹"


def segment_lines(lines: list[Line], *, fallback: bool = True) -> RawPage:
    """Cut lines into header and posts (see the module docstring for the numbered rules);
    without ``fallback``, only rules 1-3, which need a date or a credit to anchor a post."""
    lines = join_wrapped_credits(lines)
    kinds = [_kind(line) for line in lines]
    kept = [i for i, kind in enumerate(kinds) if kind != "chrome"]
    lines = [lines[i] for i in kept]
    kinds = [kinds[i] for i in kept]
    heads = _anchored_heads(kinds) or _trailing_credit_heads(kinds)
    if not heads and fallback:
        heads = _fallback_heads(lines, kinds)
    if not heads:
        return RawPage(None, None, [])  # no posts: the caller reports it, identity is moot
    name, about = _site_identity(lines[: heads[0]])
    posts = []
    for start, end in zip(heads, [*heads[1:], len(lines)], strict=True):
        if kinds[start] == "posted":
            post = _raw_post(Line(""), lines[start:end])
            post.headless = True
        else:
            post = _raw_post(lines[start], lines[start + 1 : end])
        posts.append(post)
    return RawPage(name, about, posts)


def _anchored_heads(kinds: list[str]) -> list[int]:
    heads = set()
    dated = False  # whether the post begun at the last head has had its "Posted on" line
    for i, kind in enumerate(kinds):
        if i == 0:
            continue
        # 1. "Posted on" follows the headline.
        above_posted = kind == "posted" and kinds[i - 1] not in ("posted", "lead", "credit", "tags")
        # 2. A headline right above a credit line.
        above_credit = kind in ("lead", "credit") and kinds[i - 1] == "short"
        if above_posted or above_credit:
            heads.add(i - 1)
            dated = False
        if kind == "posted":
            begins_credit = i + 1 < len(kinds) and kinds[i + 1] in ("lead", "credit")
            if dated and kinds[i - 1] in ("lead", "credit") and begins_credit:
                # A second "Posted on" right after this post's credit, no headline above
                # it: the next post, its headline lost. It was read as more of this post,
                # its credit and words added to another story's.
                heads.add(i)
            dated = True
    return sorted(heads)


def _trailing_credit_heads(kinds: list[str]) -> list[int]:
    """3. Each trailing credit closes a post; the headline opens the stretch before it."""
    ends = [i for i, kind in enumerate(kinds) if kind in ("trail", "credit")]
    heads: list[int] = []
    previous_end = -1
    for end in ends:
        stretch = range(previous_end + 1, end)
        shorts = [i for i in stretch if kinds[i] == "short"]
        if previous_end < 0:  # the first stretch also holds the header: take its last headline
            shorts = [i for i in shorts if i + 1 < end and kinds[i + 1] != "short"] or shorts
            shorts = shorts[-1:]
        if shorts:
            heads.append(shorts[0])
        previous_end = end
    return heads


def _fallback_heads(lines: list[Line], kinds: list[str]) -> list[int]:
    """4. Headings at the post level, else short lines that each open a paragraph."""
    levels = Counter(line.heading for line in lines if line.heading)
    if levels:
        repeated = [level for level, count in levels.items() if count > 1]
        level = min(repeated) if repeated else max(levels)
        heads = [i for i, line in enumerate(lines) if line.heading == level]
        if len(heads) > 1 or heads[0] + 1 < len(lines):
            return heads
    pairs = [
        i
        for i in range(len(lines) - 1)
        if kinds[i] == "short" and kinds[i + 1] in ("text", "tags") and not lines[i].heading
    ]
    if pairs and pairs[0] == 0:
        pairs = pairs[1:]  # the page's first line is its name, the paragraph its about text
    return pairs


def _raw_post(headline: Line, body: list[Line]) -> RawPost:
    post = RawPost(headline=headline.text, url=headline.href)
    for position, line in enumerate(body):
        posted = posted_line(line.text)
        if posted and position < 3 and not post.has_posted_line:
            post.has_posted_line = True
            post.posted_text = posted.group("value").strip()
            post.posted_on = parse_date(post.posted_text)
            continue
        post.body.append(line.text)
    return post


def _site_identity(header: list[Line]) -> tuple[str | None, str | None]:
    """The site's name (a repeated line, a "Site:" label, the first line, an "Author:" label)
    and its about text (the header's remaining paragraphs)."""
    labelled = {m.group("label").casefold(): m.group("name").strip() for m in _labels(header)}
    counts = Counter(line.text for line in header)
    repeated = [line.text for line in header if counts[line.text] > 1 and _headline_like(line.text)]
    unlabelled = [
        line.text
        for line in header
        if not _SITE_LABEL.match(line.text) and _headline_like(line.text)
    ]
    site_label = labelled.get("site") or labelled.get("blog") or labelled.get("title")
    first_line = unlabelled[0] if unlabelled and header[0].text == unlabelled[0] else None
    name = next(
        (n for n in (*repeated[:1], site_label, first_line, labelled.get("author")) if n), None
    )
    about_lines = [
        line.text
        for line in header
        if line.text != name
        and not _SITE_LABEL.match(line.text)
        and not tags_in_line(line.text)
        and not is_section_heading(line.text)
    ]
    return name, "\n\n".join(about_lines) or None


def is_section_heading(text: str) -> bool:
    """ "IN THE PRESS THIS MONTH": a short all-capitals line that heads a part of the page
    (newsletters put one before their first post); a heading, not about text."""
    words = text.split()
    letters = [ch for ch in text if ch.isalpha()]
    if not 1 <= len(words) <= 12 or len(letters) < 4 or text.endswith((".", ",", ";")):
        return False
    cased = [ch for ch in letters if ch.isupper() or ch.islower()]
    return len(cased) >= 4 and all(ch.isupper() for ch in cased)


def _labels(header: list[Line]) -> list[re.Match[str]]:
    return [m for m in (_SITE_LABEL.match(line.text) for line in header) if m]


def parse_text(text: str) -> RawPage:
    return segment_lines(text_lines(text))
