"""Site chrome: lines a blog page shows around its posts that are never part of a post.

Menus, social links, "Read more", share bars, comment counts, copyright lines, search boxes,
pagination and newsletter footers ("You are receiving this…", "Unsubscribe", "Reply STOP",
"View in browser") survive in saved pages and text dumps. They must never become posts (a short
capitalised line looks like a headline) nor end up in excerpts.
"""

from __future__ import annotations

import re

from clipdesk.archive.gazetteer import word_set

_MENU_WORDS = word_set(
    """home about contact menu archives archive blog news links categories tags search
    donate subscribe login register resources events shop faq privacy terms"""
)

_CHROME_LINE = re.compile(
    r"""^(?:
      (?:main\s+|primary\s+)?menu | skip\s+to\s+(?:main\s+)?content | toggle\s+navigation
    | home | about(?:\s+us)? | contact(?:\s+us)? | search(?:\s+for)?\s*:? | search\s*(?:…|\.\.\.)
    | archives? | categories | recent\s+(?:posts|comments) | meta | log\s*in | blogroll | rss
    | (?:entries|comments)\s+(?:rss|feed) | subscribe | donate
    | (?:read\s+more|continue\s+reading|read\s+the\s+(?:full|whole)\s+\w+|full\s+story)\b.{0,60}
    | more\s*(?:»|›|→|\.\.\.|…)?
    | share\s+this\s*:? | share(?:\s+on\s+\w+.*)? | click\s+to\s+(?:share|print|email).*
    | like\s+this\s*:? | like\s+loading\S* | loading\s*(?:\.\.\.|…)? | related(?:\s+posts)?
    | tweet | print | e-?mail | facebook | twitter | x\s+\(twitter\) | whatsapp | telegram
    | linkedin | pinterest | reddit | tumblr | pocket | instagram | youtube | mastodon
    | follow\s+(?:us|me)(?:\s+on\s.*|\s*:.*)? | follow\s+@\w+.*
    | like\s+us\s+on\s+\w+.* | find\s+us\s+on\s+\w+.*
    | @\w{2,30}
    | leave\s+a\s+(?:comment|reply).*
    | (?:\d+|one)\s+(?:comments?|responses?|repl(?:y|ies)|thoughts?)(?:\s+(?:on|to)\s+["“‘'].*)?
    | no\s+comments?(?:\s+yet)?\.?
    | comments?\s+(?:are\s+)?(?:closed|off).*
    | (?:©|\(c\)).* | copyright\s*(?:©|\(c\)|\d{4}|:).* | .*\ball\s+rights\s+reserved\b.*
    | (?:proudly\s+)?powered\s+by\s+[^.,;:]{1,40}\.? | theme\s*(?::|by)\s.*
    | (?:«|‹|←)?\s*(?:older|newer)\s+(?:posts|entries|articles)\s*(?:»|›|→)?
    | (?:«|‹|←)?\s*(?:previous|next)(?:\s+(?:page|post|entries|posts))?\s*(?:»|›|→)?
    | page\s+\d+\s+of\s+\d+
    | (?:(?:«|‹)\s*(?:prev(?:ious)?)?\s*)?(?:\d+|…|\.\.\.)(?:\s+(?:\d+|…|\.\.\.))+
      (?:\s*next\s*(?:»|›)?)?
    | posted\s+in\s.* | filed\s+under\s.* | categor(?:y|ies)\s*:.* | posted\s+by\s+\S+(?:\s+\S+)?
    | back\s+to\s+top\W* | (?:top\s*)?↑
    | (?:sign\s+up|subscribe)\s+(?:to|for)\s+(?:our|the)\s+(?:newsletter|updates|mailing).*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Newsletter footers: why the reader gets it and how to stop it. Whole lines (or a short
# paragraph) that open with such a phrase; the phrases never open a clipping's excerpt.
_NEWSLETTER_LINE = re.compile(
    r"""^(?:
      you(?:\s+are|'re|’re)\s+(?:receiving|getting)\s+this\b
    | you\s+(?:received|got)\s+this\s+(?:e-?mail|newsletter|message)\b
    | (?:to\s+|click\s+here\s+to\s+)?unsubscribe\b
    | (?:to\s+stop\s+receiving\b[^.]{0,40}?,?\s*)?reply\s+(?:with\s+)?(?:the\s+word\s+)?
      ["“‘']?stop\b
    | (?:please\s+)?forward\s+this\s+(?:e-?mail|newsletter|message)\b
    | (?:was\s+this\s+)?forwarded\s+(?:to\s+you|this\s+(?:e-?mail|newsletter))\b
    | (?:click\s+here\s+to\s+)?view\s+(?:this\s+(?:e-?mail|newsletter)\s+)?(?:in|on)\s+
      (?:your\s+|a\s+)?(?:web\s+)?browser\b
    | (?:having\s+)?trouble\s+(?:viewing|reading)\s+this\b
    | (?:update|manage)\s+(?:your\s+)?(?:e-?mail\s+|subscription\s+)?(?:preferences|subscription)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_NEWSLETTER_LINE_MAX_CHARS = 400
_MENU_SEPARATORS = re.compile(r"\s*[|•·»]\s*|\s+/\s+")
_TAGS_LINE = re.compile(
    r"^(?:tags|tagged(?:\s+with|\s+as)?|keywords)\s*:?\s+(?P<tags>.+)$", re.IGNORECASE
)
_MAY_NAME_TAGS = re.compile(r"tag|keyword", re.IGNORECASE)  # cheap test before the full one
_TRAILING_READ_MORE = re.compile(
    r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]\s*)?(?:read\s+more|continue\s+reading)\b[^.!?]{0,40}$",
    re.IGNORECASE,
)


def tags_in_line(line: str) -> list[str]:
    """Tags named by a "Tags: a, b" line, or by a "Tagged a, b" part of a meta bar."""
    if not _MAY_NAME_TAGS.search(line):
        return []
    parts = _MENU_SEPARATORS.split(line)
    for part in parts:
        match = _TAGS_LINE.match(part.strip())
        if match and (len(parts) > 1 or ":" in part[: match.start("tags")]):
            # Alone on its line, "Tagged" needs its colon: "Tagged as terrorists in 1997,
            # the group …" is a sentence of the excerpt, not a list of tags.
            tags = re.split(r"\s*[,;]\s*", match.group("tags"))
            return [t.strip(" .") for t in tags if t.strip(" .")]
    return []


def is_chrome_line(line: str) -> bool:
    """True for navigation, social, sharing, comment, copyright and pagination lines."""
    text = line.strip()
    if not text:
        return True
    if len(text) <= 160 and _CHROME_LINE.match(text):
        return True
    if len(text) <= _NEWSLETTER_LINE_MAX_CHARS and _NEWSLETTER_LINE.match(text):
        return True
    return _is_menu(text)


def _is_chrome_part(part: str) -> bool:
    return bool(_CHROME_LINE.match(part) or _NEWSLETTER_LINE.match(part))


def _is_menu(text: str) -> bool:
    """ "Home | About | Contact", or a meta bar "Posted in X | Tagged y | Leave a comment"."""
    parts = [p for p in _MENU_SEPARATORS.split(text) if p.strip()]
    if len(parts) < 2 or len(text) > 240:
        return False
    if any(_is_chrome_part(p.strip()) or _TAGS_LINE.match(p.strip()) for p in parts):
        return all(len(p.split()) <= 8 for p in parts)
    if len(parts) == 2:
        return all(p.strip().casefold() in _MENU_WORDS for p in parts)
    return all(len(p.split()) <= 4 and not p.rstrip().endswith((".", "?", "!")) for p in parts)


def strip_read_more(text: str) -> str:
    """An excerpt without its trailing "Read more" / "Continue reading →" link text."""
    return _TRAILING_READ_MORE.sub("", text).rstrip()
