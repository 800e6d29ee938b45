"""Finding the credit in a line: "Author, Outlet, date" before or after the excerpt.

This module only says where a credit is and splits the line around it; which name is the
author and which the outlet is decided later by ``gazetteer.CreditReader``, after a first
pass over the whole page has taught the gazetteer its outlets.

Shapes recognised:
  lead:     "Jane Roe, The Herald, March 3 2020:… excerpt"  (separators ":…", ": …", ":...",
            "...", " – ", " - ", ":" or none); the date may be day-only ("16th") or lack the
            year; a dateless "Names:… excerpt" counts when a name is outlet-like.
  trailing: "excerpt … — Jane Roe, The Herald, March 3 2020", "by Jane Roe, ...", or the
            credit in brackets at the end, as newsletters write it.

A dateline opens a news text with where and when it was written, in a credit's shape:
"Baltimore, MD, March 3 2020 – The council voted …". It is no credit (``is_dateline``) when
its names are a place with nothing but state or country codes after it, and
  - the place is one the gazetteer lists ("Lisbon", "Boston, MA"), whatever follows the
    date; or
  - a name the list lacks, of one to three capitalised words, is followed by at least one
    code ("Baltimore, MD", "San Jose, Calif."), the date by a dash and text on the same
    line, and the name reads as no outlet (no marker word, not on the built-in list; a name
    in capitals is read as the words it spells, "BALTIMORE", unless it is one word of five
    letters or fewer, an acronym: "MSNBC, NY" stays a credit).
A lone unlisted name without a code ("Gullwing, March 3 2020 – …") stays a credit: outlets
with one plain word for a name are too many to take it for a town.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from clipdesk.archive.dates import WEEKDAYS, DateMention, find_dates, looks_like_month
from clipdesk.archive.gazetteer import (
    EDITION_WORDS,
    LINKING_WORDS,
    is_particle,
    is_place,
    reads_as_outlet,
    region_code,
    split_credit_names,
    without_particle,
    word_set,
)

# A credit's names sit within the first characters of a line; looking no further keeps a
# 1 MB page fast and stops dates deep in prose from being taken for credits.
LEAD_WINDOW = 260
ARABIC_COMMA = "\u060c"
TRAIL_WINDOW = 260
# Prose opens with these ("On Tuesday, March 3 2020, the council ..."); names never do.
_PROSE_OPENERS = word_set(
    """on in at since from last this next until before after during early late as when while
    through between monday tuesday wednesday thursday friday saturday sunday today
    yesterday"""
)

_NAMES_END = re.compile(r"(?:,|\s[–—-]|\s?\||\()\s*$")
_AFTER_DATE = re.compile(
    r"^\s*\)?\s*(?:[:;,.]?\s*(?:…\.*|\.{2,})|[:;]|[–—-]{1,2}(?=\s)|[,.](?=\s)|(?=\s)|$)\s*"
)
_TIME_AFTER_DATE = re.compile(
    r",?\s*(?:at\s+|um\s+|à\s+)?\d{1,2}[:.h]\d\d(?:\s*(?:[ap]\.?\s?m\.?|uhr))?(?=\W|$)",
    re.IGNORECASE,
)
# "Coastal Ledger, updated March 3 2019": a word saying which date it is, between the names
# and the date; it left the names without the comma that ends them.
_DATE_LABEL = re.compile(
    r"(?<![^\W_])(?:(?:first|last)\s+)?(?:updated|published|posted|modified)(?:\s+on)?\s*:?\s*$",
    re.IGNORECASE,
)
_DATELESS_LEAD = re.compile(r"^(?P<names>[^:…\n]{3,150}?)\s*:\s*(?:…|\.{3})\s*")
_TRAIL_MARKER = re.compile(
    r"(?:^|(?<=\s)|(?<=[.!?…”\"]))(?:(?:by|via)\b|sources?:|[—–]|--?|\()\s*", re.IGNORECASE
)
_BRACKETED_TEXT = re.compile(r"\(([^()]*)\)")
# Scripts without capitals end a sentence with a stop before the next word or the dash of a
# trailing credit ("…بازگشایی شد. — نیما کریمی، …"), where a Latin one shows a small letter.
_SENTENCE_BREAK = re.compile(
    r"[!?;“”\"]|\.\s+[a-z]|\s[a-z]+\s[a-z]+\s[a-z]+|[\u0600-\u06ff][.؟!]\s+(?:[—–-]|[\u0600-\u06ff])"
)
# What stands between a credit and its excerpt; a full stop typed after the ellipsis
# (":…. The quay") or on its own (":… . The quay") is one more, not the excerpt's start.
EXCERPT_LEAD_IN = re.compile(r"^(?:\s|[:;,]|…\.*|\.{2,}|\.(?=\s)|[–—-](?=\s))+")


# The last of a credit's names shaped as a day, a month and a year, but no date that can be
# read ("Smarch 45 2019", "12 Febrary 2019" past the spellings dates.py forgives): a date
# mistyped, not an outlet, where its word looks like a month's name ("Issue 12 2019" and a
# year alone with a name, "Expo 2020", are names).
_UNREADABLE_DATE = re.compile(
    r",\s*(?P<date>(?:(?P<month>[^\W\d_]{3,12})\.?\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}"
    r"(?:st|nd|rd|th)?\s+(?P<month_after>[^\W\d_]{3,12})\.?),?\s+(?:1[89]|2[01])\d\d)\s*$"
)


@dataclass(frozen=True)
class CreditMatch:
    """Where a credit sits in a line: its names, its date, and the text on either side."""

    names: str
    date: DateMention | None
    before: str = ""  # text before a trailing credit (part of the excerpt)
    after: str = ""  # text after a lead credit (the start of the excerpt)
    end: int = 0  # where a lead credit's names and date end in its line
    # A date too mistyped to read ("Smarch 45 2019"), taken off the names: the import says it.
    unread_date: str = ""


def _first_word(text: str) -> str:
    words = text.split()
    return words[0].casefold() if words else ""


@lru_cache(maxsize=8192)
def names_look_like_credit(names: str) -> bool:
    """Capitalised, short, comma-separated names, not a sentence and not a bare place; or
    groups of them joined by ";", the credits of one date ("Jane Roe, The Ledger; Osric
    Tallow, Northport Echo")."""
    if ";" in names and len(names) <= 200:
        groups = names.split(";")
        return len(groups) <= 4 and all(names_look_like_credit(g.strip()) for g in groups)
    if not names.strip() or len(names) > 200 or _SENTENCE_BREAK.search(names):
        return False
    parts = split_credit_names(names)
    if not 1 <= len(parts) <= 6 or _first_word(parts[0]) in _PROSE_OPENERS:
        return False
    if is_place_named(parts):
        return False  # "Washington, March 3 2020 – ..." is a dateline, not a credit
    for position, part in enumerate(parts):
        if part.rstrip(".").casefold() in WEEKDAYS:
            continue  # "Le Monde, dimanche, …": the day, written in lower case in French
        words = part.split()
        if len(part) > 80 or len(words) > 9:
            return False
        # "Coastal Ledger (UK edition)": an outlet's edition in brackets is written in lower
        # case as often as not, and a lower-case word made the whole line prose.
        bracketed = {word for inner in _BRACKETED_TEXT.findall(part) for word in inner.split()}
        if part[0].islower() and not part.startswith(("and ", "& ")):
            if position in (0, len(parts) - 1) or len(words) > 4:
                return False
            continue  # a job title between name and outlet
        for word in words:
            # Lower-case linking words: "Le Courrier des Rives", "Ludwig van Hal", "al-Rashid".
            if word.casefold() in LINKING_WORDS or is_particle(word) or not word[0].isalpha():
                continue
            bare = word.strip("()")
            if bare in bracketed and bare.casefold() in EDITION_WORDS:
                continue
            if without_particle(word)[0].islower():
                return False
    return True


def _without_codes(parts: list[str]) -> list[str]:
    """The names without the state or country codes that end them ("Baltimore", "MD")."""
    named = list(parts)
    while len(named) > 1 and region_code(named[-1]):
        named.pop()
    return named


def is_place_named(parts: list[str]) -> bool:
    """A place the gazetteer lists, alone or with its codes: "Lisbon", "Boston", "MA"."""
    named = _without_codes(parts)
    return len(named) == 1 and is_place(named[0])


# The most letters an acronym standing for an outlet is read as ("MSNBC"); a longer word in
# capitals is a name written as datelines write it ("BALTIMORE").
ACRONYM_LETTERS = 5


def is_dateline(names: str, separator: str, text: str) -> bool:
    """Whether the names, the separator after the date and the text after it open a news
    text rather than credit a source: the rule in the module docstring."""
    parts = split_credit_names(names)
    if is_place_named(parts):
        return True
    named = _without_codes(parts)
    opens_text = bool(re.search(r"[–—-]", separator)) and bool(text.strip())
    if len(named) != 1 or len(named) == len(parts) or not opens_text:
        return False
    name = named[0]
    if name.isupper() and (" " in name or len(name) > ACRONYM_LETTERS):
        name = name.title()  # "BALTIMORE", "SAN JOSE"
    words = name.split()
    return (
        1 <= len(words) <= 3
        and all(word[0].isupper() for word in words)
        and not reads_as_outlet(name)
    )


# Cached: a page's lines are read once to cut posts and again to read their bodies.
@lru_cache(maxsize=8192)
def find_lead_credit(line: str) -> CreditMatch | None:
    """The credit a line starts with, and the excerpt text after it, else None."""
    # The Arabic comma separates the names of a Persian or Arabic credit as "," does; read
    # as one, in the credit only (the excerpt after it keeps its own punctuation, and both
    # are one character, so positions hold).
    original = line
    if ARABIC_COMMA in line[:LEAD_WINDOW]:
        line = line[:LEAD_WINDOW].replace(ARABIC_COMMA, ",") + line[LEAD_WINDOW:]
    for mention in find_dates(line, partial=True, end=LEAD_WINDOW):
        prefix = _DATE_LABEL.sub("", line[: mention.start])
        names = prefix.strip()
        if not names:
            return None
        separated = _NAMES_END.search(prefix)
        if separated:
            names = prefix[: separated.start()].strip()
        elif not mention.is_complete or len(split_credit_names(names, brackets=False)) != 1:
            continue
        elif not reads_as_outlet(names):
            continue  # "Tehran Times February 17 2019" needs an outlet-like name
        end = mention.end
        if time := _TIME_AFTER_DATE.match(line, end):
            end = time.end()  # "Sep 1, 2020 at 10:00 am:…": the time is part of the date
        rest = line[end:]
        after = _AFTER_DATE.match(rest)
        if after is None or not names_look_like_credit(names):
            continue
        if is_dateline(names, after.group(), rest[after.end() :]):
            continue  # "Baltimore, MD, March 3 2020 – The council voted …"
        excerpt = original[end + after.end() :]
        return CreditMatch(names, mention, after=_clean_excerpt(excerpt), end=end)
    dateless = _DATELESS_LEAD.match(line)
    # Names with a date in them were read with it above, and refused ("Boston, MA, March 3
    # 2020:…" is a dateline): the date is no name.
    if (
        dateless
        and names_look_like_credit(dateless.group("names"))
        and next(find_dates(dateless.group("names")), None) is None
    ):
        names = dateless.group("names").strip()
        unread = ""
        broken = _UNREADABLE_DATE.search(names)
        if (
            broken
            and broken.start() > 0
            and looks_like_month(broken["month"] or broken["month_after"])
        ):
            names, unread = names[: broken.start()].strip(), broken.group("date")
        parts = split_credit_names(names)
        if any(reads_as_outlet(p) for p in parts):  # "Reuters:… The council voted."
            after = original[dateless.end() :]
            end = dateless.end("names")
            return CreditMatch(names, None, after=after, end=end, unread_date=unread)
    return None


def find_lead_credits(line: str) -> list[CreditMatch]:
    """The credits a line starts with: one, or several joined by "; ", as the source line
    writes credits of different dates or authors ("Author, Outlet, March 3 2019; Outlet,
    March 4 2019:… excerpt": the digest's own pages, imported again, lost all but the first).
    Only the last keeps the excerpt text after it."""
    found: list[CreditMatch] = []
    while (lead := find_lead_credit(line)) is not None:
        found.append(lead)
        joined = lead.date is not None and line[lead.date.end :].lstrip().startswith(";")
        if not (joined and lead.after and find_lead_credit(lead.after)):
            break
        found[-1] = replace(lead, after="")
        line = lead.after
    return found


@lru_cache(maxsize=8192)
def find_trailing_credit(line: str) -> CreditMatch | None:
    """A credit closing a line ("… — Jane Roe, The Herald, March 3 2020"), else None.

    The credit must end the line (closing brackets and full stops aside) and contain a date;
    the leftmost marker that yields one wins, so "by" inside a name does not cut it short.
    """
    window_start = max(0, len(line) - TRAIL_WINDOW)
    for marker in _TRAIL_MARKER.finditer(line, window_start):
        # The Arabic comma between the credit's names, as in a lead credit.
        credit_text = line[marker.end() :].rstrip(" .)]").replace(ARABIC_COMMA, ",")
        mentions = list(find_dates(credit_text, partial=True))
        if not mentions or credit_text[mentions[-1].end :].strip(" ,.;)]"):
            continue
        mention = mentions[-1]
        prefix = _DATE_LABEL.sub("", credit_text[: mention.start])
        separated = _NAMES_END.search(prefix)
        if not separated:
            continue
        names = prefix[: separated.start()].strip()
        if names and names_look_like_credit(names):
            before = line[: marker.start()].rstrip(" (")
            return CreditMatch(names, mention, before=before)
    return None


def _clean_excerpt(text: str) -> str:
    return EXCERPT_LEAD_IN.sub("", text).strip()
