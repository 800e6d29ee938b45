"""Suggesting an excerpt: the passage that best carries the watched entities and the news.

Not merely the first paragraph: each window of one to three consecutive sentences is scored
by (1) mentions of watched entities, (2) words it shares with the headline (the news), (3) a
mild preference for early passages (the lead carries the news more often than not), and
(4) a length that reads well on the front page (roughly 25-90 words). Ties go to the earlier
passage. The passage is returned verbatim, so it passes the quote check.

The headline itself is never part of a passage: pages that put their `<h1>` inside the article
give it again as the text's first line (or the start of its first line), and, sharing every
word with the headline, it scored best; the digest's entry then showed its headline twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from clipdesk.name_titles import NAME_TITLES

# A sentence ends at its full stop, before the next one's first letter or digit (after an
# opening quote): a space between them, or none after the full stops of Chinese and Japanese.
# Whether that letter may open a sentence (not lower case) is asked in `sentences`: a class of
# capitals here (A-Z and Latin-1's) ran every sentence opening with "Ş", "İ", "Ł", a Cyrillic,
# Greek or Hebrew letter, or a Chinese character into the one before it.
_SENTENCE_END = re.compile(
    r"(?<=[.!?…؟।])[\"”’»)]*\s+(?=[\"“‘«(]?(?P<spaced>[^\W_]))"
    r"|(?<=[。！？])[」』”’)）]*\s*(?=[「『“‘(（]?(?P<unspaced>[^\W_]))"
)
_WORD = re.compile(r"\w+", re.UNICODE)
IDEAL_MIN_WORDS, IDEAL_MAX_WORDS = 25, 90
# Words too common to say anything about the news when shared with the headline.
_STOP = frozenset(
    """the a an of to in on for and or but is are was were be been by with as at from that this
    it its his her their they he she we you not no said says will would has have had""".split()  # noqa: SIM905
)


# Abbreviations a name or a word follows that are no title of a person ("St. Ives", "No. 5",
# "Acme Co. Ltd."), written as they are (case counts).
_OTHER_ABBREVIATIONS = ("St", "Mt", "Ft", "No", "Nos", "vs", "Inc", "Corp", "Co", "Ltd")
# Titles ("Mr. Smith", "Gen. Vance") and those abbreviations: their full stop ends no sentence,
# and a suggestion began "Smith said…". A title is capitalised, as it is written before a name.
_TITLES = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(sorted(title.capitalize() for title in NAME_TITLES) + list(_OTHER_ABBREVIATIONS))
    + r")\.$"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences in the text, paragraphs never joined."""
    spans: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        for cut in _SENTENCE_END.finditer(para.group()):
            if (cut["spaced"] or cut["unspaced"]).islower():
                continue  # "e.g. the", "U.S. rules": no new sentence
            if _TITLES.search(para.group(), 0, cut.start()):
                continue  # "Mr. Smith", "Gen. Vance"
            spans.append((start, para.start() + cut.start()))
            start = para.start() + cut.end()
        if start < para.end():
            spans.append((start, para.end()))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


MIN_HEADLINE_WORDS = 3  # a shorter headline ("Update") may well open a sentence of the text


def _without_headline(
    text: str, spans: list[tuple[int, int]], headline: str
) -> tuple[list[tuple[int, int]], list[int]]:
    """The sentences without the headline where one is it or starts with it, and for each
    sentence the part of the text it is in (the parts are what lies between headlines)."""
    wanted = _words(headline)
    if len(wanted) < MIN_HEADLINE_WORDS:
        return spans, [0] * len(spans)
    kept: list[tuple[int, int]] = []
    parts: list[int] = []
    part = 0
    for start, end in spans:
        words = list(_WORD.finditer(text, start, end))
        if [w.group().casefold() for w in words[: len(wanted)]] == wanted:
            part += 1
            if len(words) == len(wanted):
                continue  # the headline, alone
            start = words[len(wanted)].start()  # the sentence it was run into
        kept.append((start, end))
        parts.append(part)
    return kept, parts


def suggest_excerpt(
    text: str,
    *,
    headline: str = "",
    entity_spans: Iterable[tuple[int, int]] = (),
    max_sentences: int = 3,
) -> str:
    """The best passage of `text`, verbatim; the start of the text when nothing scores."""
    start, end = suggest_excerpt_span(
        text, headline=headline, entity_spans=entity_spans, max_sentences=max_sentences
    )
    return text[start:end]


FALLBACK_LENGTH = 600  # characters of the text's start, when no sentence is left to score


def suggest_excerpt_span(
    text: str,
    *,
    headline: str = "",
    entity_spans: Iterable[tuple[int, int]] = (),
    max_sentences: int = 3,
) -> tuple[int, int]:
    """Where in `text` the suggested passage is, as (start, end) offsets: what marks the
    watched names in it needs these, as a search for the passage finds the same words earlier
    in the text when they are there (the start of a longer sentence, a repeated line)."""
    spans, parts = _without_headline(text, sentences(text), headline)
    if not spans:
        return _text_start(text)
    mentions = sorted(entity_spans)
    news_words = {w for w in _words(headline) if w not in _STOP and len(w) > 2}
    best: tuple[float, tuple[int, int]] | None = None
    for i in range(len(spans)):
        for size in range(1, max_sentences + 1):
            if i + size > len(spans) or parts[i + size - 1] != parts[i]:
                break  # a passage never runs over the headline
            start, end = spans[i][0], spans[i + size - 1][1]
            passage = text[start:end].strip()
            score = _score(passage, start, end, i, mentions, news_words)
            if best is None or score > best[0]:
                best = (score, _stripped(text, start, end))
    return best[1] if best else _text_start(text)


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of text[start:end] without the whitespace around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _text_start(text: str) -> tuple[int, int]:
    """The start of the text, at most FALLBACK_LENGTH characters, cut where a word ends (the
    quote check takes whole words only) unless the first word is longer than that."""
    start, end = _stripped(text, 0, len(text))
    if end - start <= FALLBACK_LENGTH:
        return start, end
    cut = start + FALLBACK_LENGTH
    if not text[cut].isspace():
        spaces = [m.start() for m in re.finditer(r"\s", text[start:cut])]
        cut = start + spaces[-1] if spaces else cut
    return _stripped(text, start, cut)


def _score(
    passage: str,
    start: int,
    end: int,
    index: int,
    mentions: Sequence[tuple[int, int]],
    news_words: set[str],
) -> float:
    words = _words(passage)
    n = len(words)
    inside = sum(1 for s, e in mentions if s >= start and e <= end)
    shared = len(news_words.intersection(words))
    score = 3.0 * min(inside, 3) + 1.5 * min(shared, 6) - 0.3 * index
    if n < IDEAL_MIN_WORDS:
        score -= (IDEAL_MIN_WORDS - n) * 0.15
    elif n > IDEAL_MAX_WORDS:
        score -= (n - IDEAL_MAX_WORDS) * 0.1
    return score
