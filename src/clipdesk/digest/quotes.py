"""Quote checking: an excerpt must be in the credited articles, word for word.

Compared modulo whitespace, quote styles (“ ” „ « » ‘ ’ ‚ ‹ › → " and '), dashes, and the
invisible zero-width joiners and soft hyphens (an excerpt copied from a Persian page keeps
its non-joiners, which a text stored by an older version lacks, and some sites put soft
hyphens inside long words), and the spaces between two letters of the Arabic script (Persian
writes "سه‌شنبه" with a non-joiner, a space or nothing, and an editor retyping a quote
cannot see which the page used); case of nothing else. An ellipsis in the excerpt marks an
omission: each part between ellipses must appear, in order, in one of the articles.

Each part begins and ends with whole words of the article: "isbon - The harbour" or "L" out
of "Lisbon" is no quote, though the letters are in the text. Not where the text's words are not
set apart by spaces: in Chinese, Japanese, Thai, Lao, Khmer and Myanmar, and between two
letters of the Arabic script, whose spaces the comparison removes (see above).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"',
        "‘": "'", "’": "'", "‚": "'", "‹": "'", "›": "'", "′": "'", "`": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ",
        "\u200c": None, "\u200d": None, "\u00ad": None,
    }
)  # fmt: skip
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\])\s*")
_SPACE = re.compile(r"\s+")
_ARABIC_LETTER = r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff\u0750-\u077f]"
_SPACE_IN_ARABIC = re.compile(f"(?<={_ARABIC_LETTER}) (?={_ARABIC_LETTER})")
_ARABIC_LETTER_ONE = re.compile(_ARABIC_LETTER)
# Scripts written without spaces between words: a quote may begin or end anywhere in a line.
_UNSPACED = re.compile(
    r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u31f0-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff]"
)


class ExcerptNotFound(ValueError):
    """The excerpt, or a part of it, is not in any credited article."""


def normalise_for_quote(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _SPACE.sub(" ", text).strip()
    return _SPACE_IN_ARABIC.sub("", text) if " " in text else text


def excerpt_parts(excerpt: str) -> list[str]:
    """The quoted parts of an excerpt, without the ellipses that join or frame them."""
    return [p for p in (normalise_for_quote(x) for x in _ELLIPSIS.split(excerpt)) if p]


def _in_a_word(char: str) -> bool:
    """A letter, digit or mark (a vowel sign, an accent) that a word goes on with."""
    return unicodedata.category(char)[0] in "LNM"


def _splits_a_word(before: str, after: str) -> bool:
    """Whether a quote's edge between these two characters of the text cuts a word in two."""
    if not (_in_a_word(before) and _in_a_word(after)):
        return False
    if _UNSPACED.match(before) or _UNSPACED.match(after):
        return False  # words not set apart by spaces: no edge to tell
    # Between two Arabic letters the comparison dropped any space the text had.
    return not (_ARABIC_LETTER_ONE.match(before) and _ARABIC_LETTER_ONE.match(after))


def _find_quoted(text: str, part: str, position: int = 0) -> int:
    """Where `part` is in `text` from `position` on, beginning and ending with whole words
    there; -1 when it is not, or only inside longer words."""
    found = text.find(part, position)
    while found >= 0:
        end = found + len(part)
        starts_a_word = found == 0 or not _splits_a_word(text[found - 1], part[0])
        ends_a_word = end == len(text) or not _splits_a_word(part[-1], text[end])
        if starts_a_word and ends_a_word:
            return found
        found = text.find(part, found + 1)
    return -1


def check_excerpt(excerpt: str, texts: Sequence[str]) -> None:
    """Raise ExcerptNotFound naming the first part that no article contains, in order."""
    parts = excerpt_parts(excerpt)
    if not parts:
        raise ExcerptNotFound("the excerpt is empty")
    haystacks = [normalise_for_quote(t) for t in texts]
    for text in haystacks:
        position = 0
        for part in parts:
            found = _find_quoted(text, part, position)
            if found < 0:
                break
            position = found + len(part)
        else:
            return
    missing = next(
        (p for p in parts if not any(_find_quoted(text, p) >= 0 for text in haystacks)), None
    )
    if missing is None:
        # Every part is quoted, but not all from one article, or not in their order there.
        raise ExcerptNotFound(
            "the excerpt is not a quote from the credited articles: its parts are each in "
            "one of them, but an excerpt quotes one article, in the order of its text"
        )
    typed = next((p for p in _ELLIPSIS.split(excerpt) if normalise_for_quote(p) == missing), "")
    shown = " ".join(typed.split()) or missing  # as the editor typed it, not as compared
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    if any(missing in text for text in haystacks):
        # The letters are there, but the quote starts or stops in the middle of a word.
        raise ExcerptNotFound(
            f"the excerpt is not a quote from the credited articles: “{shown}” begins or ends "
            "inside a word of their text; a quote must begin and end with whole words"
        )
    raise ExcerptNotFound(
        f"the excerpt is not a quote from the credited articles: “{shown}” is not in their text"
    )
