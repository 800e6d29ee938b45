"""Quote checking: an excerpt must be in the credited articles, word for word.

Compared modulo whitespace, quote styles (“ ” „ « » ‘ ’ ‚ ‹ › → " and '), dashes, the
invisible zero-width joiners and soft hyphens (an excerpt copied from a Persian page keeps
its non-joiners, which a text stored by an older version lacks, and some sites put soft
hyphens inside long words), the Arabic tatweel and vowel signs, harakat (they stretch or
vocalise a word without making it another), and the spaces between two letters of the Arabic
script (Persian writes "سه‌شنبه" with a non-joiner, a space or nothing, and an editor retyping
a quote cannot see which the page used); case of nothing else. An ellipsis in the excerpt
marks an omission: each part between ellipses must appear, in order, in one of the articles.

Each part begins and ends with whole words of the article: "isbon - The harbour" or "L" out
of "Lisbon" is no quote, though the letters are in the text. Where a word ends is read in the
article as stored:
- an apostrophe between two letters is inside the word: "don" out of "don't", "aujourd" out of
  "aujourd'hui" and "group" out of "group's" (the possessive is a suffix) are no quotes, while
  "the players'" or a word before a closing quotation mark is one. After a French or Italian
  elided word ("l'", "d'", "qu'", "jusqu'", "dell'"...) a new word begins: "Iran" out of
  "l'Iran" is a quote, as is the whole "l'Iran";
- in the Arabic script a word ends where the article has a space, though the comparison
  ignores those spaces; a non-joiner is inside a word ("گویند" out of "می‌گویند" is no quote);
- in Chinese, Japanese, Thai, Lao, Khmer and Myanmar, whose words are not set apart by
  spaces, a quote may begin and end anywhere in a line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from clipdesk.scripts import UNSPACED_SCRIPTS
from clipdesk.watch.normalizing import ELIDED_WORDS

_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‹": "'", "›": "'", "′": "'", "`": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ",
        "\u200c": None, "\u200d": None, "\u00ad": None,
        "\u0640": None,  # tatweel
        **{chr(c): None for c in range(0x064B, 0x0653)}, "\u0670": None,  # harakat
    }
)  # fmt: skip
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\])\s*")
_SPACE = re.compile(r"\s+")
_ARABIC_LETTER = r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f]"
_SPACE_IN_ARABIC = re.compile(f"(?<={_ARABIC_LETTER}) (?={_ARABIC_LETTER})")
# Scripts written without spaces between words: a quote may begin or end anywhere in a line.
_UNSPACED = re.compile(f"[{UNSPACED_SCRIPTS}]")
# After an elided word a new word begins; but "presqu'île" is one word (a peninsula), whose
# "île" is no quote of its own, though search finds it by "île".
_ELIDED = ELIDED_WORDS - {"presqu"}


class ExcerptNotFound(ValueError):
    """The excerpt, or a part of it, is not in any credited article."""


def _compared(text: str) -> tuple[str, str]:
    """The text as compared, before and after the spaces inside Arabic script are dropped."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _SPACE.sub(" ", text).strip()
    return text, _SPACE_IN_ARABIC.sub("", text) if " " in text else text


def normalise_for_quote(text: str) -> str:
    return _compared(text)[1]


def excerpt_parts(excerpt: str) -> list[str]:
    """The quoted parts of an excerpt, without the ellipses that join or frame them."""
    return [p for p in (normalise_for_quote(x) for x in _ELLIPSIS.split(excerpt)) if p]


class _Article(NamedTuple):
    """An article's text as compared, and where a dropped space set two words apart there."""

    text: str
    word_breaks: frozenset[int]


def _article(text: str) -> _Article:
    spaced, compared = _compared(text)
    # The n-th dropped space stood before what is now position (its index - n).
    dropped = (m.start() for m in _SPACE_IN_ARABIC.finditer(spaced)) if " " in spaced else ()
    return _Article(compared, frozenset(at - n for n, at in enumerate(dropped)))


def _in_a_word(char: str) -> bool:
    """A letter, digit or mark (a vowel sign, an accent) that a word goes on with."""
    return unicodedata.category(char)[0] in "LNM"


def _inner_apostrophe(text: str, at: int) -> bool:
    """An apostrophe with a letter or digit either side: "don't", "group's", "l'Iran"."""
    return (
        0 < at < len(text) - 1
        and text[at] == "'"
        and _in_a_word(text[at - 1])
        and _in_a_word(text[at + 1])
    )


def _after_an_elision(text: str, apostrophe: int) -> bool:
    """Whether the word before this apostrophe is an elided article or the like ("l'", "qu'")
    standing as a word of its own, so that the next word begins after the apostrophe."""
    start = apostrophe
    while start > 0 and unicodedata.category(text[start - 1])[0] == "L":
        start -= 1
    if start > 0 and (_in_a_word(text[start - 1]) or _inner_apostrophe(text, start - 1)):
        return False  # "rock'n'roll": the "n" is inside a word itself
    return text[start:apostrophe].casefold() in _ELIDED


def _splits_a_word(article: _Article, at: int) -> bool:
    """Whether a quote beginning or ending at this position of the text cuts a word in two."""
    text = article.text
    if at <= 0 or at >= len(text) or at in article.word_breaks:
        return False
    if _inner_apostrophe(text, at):
        return True  # "don" out of "don't", "group" out of "group's"
    if _inner_apostrophe(text, at - 1):
        return not _after_an_elision(text, at - 1)  # "t" out of "don't"; "Iran" of "l'Iran"
    before, after = text[at - 1], text[at]
    if not (_in_a_word(before) and _in_a_word(after)):
        return False
    # Words not set apart by spaces: no edge to tell.
    return not (_UNSPACED.match(before) or _UNSPACED.match(after))


def _find_quoted(article: _Article, part: str, position: int = 0) -> int:
    """Where `part` is in the article from `position` on, beginning and ending with whole
    words there; -1 when it is not, or only inside longer words."""
    found = article.text.find(part, position)
    while found >= 0:
        if not (_splits_a_word(article, found) or _splits_a_word(article, found + len(part))):
            return found
        found = article.text.find(part, found + 1)
    return -1


def check_excerpt(excerpt: str, texts: Sequence[str]) -> None:
    """Raise ExcerptNotFound naming the first part that no article contains, in order."""
    parts = excerpt_parts(excerpt)
    if not parts:
        raise ExcerptNotFound("the excerpt is empty")
    haystacks = [_article(t) for t in texts]
    for article in haystacks:
        position = 0
        for part in parts:
            found = _find_quoted(article, part, position)
            if found < 0:
                break
            position = found + len(part)
        else:
            return
    missing = next((p for p in parts if not any(_find_quoted(a, p) >= 0 for a in haystacks)), None)
    if missing is None:
        # Every part is quoted, but not all from one article, or not in their order there.
        raise ExcerptNotFound(
            "the excerpt is not a quote from the credited articles: its parts are each in "
            "one of them, but an excerpt quotes one article, in the order of its text"
        )
    typed = next((p for p in _ELLIPSIS.split(excerpt) if normalise_for_quote(p) == missing), "")
    shown = " ".join(typed.split()) or missing  # as the editor typed it, not as compared
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    if any(missing in article.text for article in haystacks):
        # The letters are there, but the quote starts or stops in the middle of a word.
        raise ExcerptNotFound(
            f"the excerpt is not a quote from the credited articles: “{shown}” begins or ends "
            "inside a word of their text; a quote must begin and end with whole words"
        )
    raise ExcerptNotFound(
        f"the excerpt is not a quote from the credited articles: “{shown}” is not in their text"
    )
