"""Quote checking: an excerpt must be in the credited articles, word for word.

Compared modulo whitespace, quote styles (“ ” „ « » ‘ ’ ‚ ‹ › → " and '), dashes, and the
invisible zero-width joiners and soft hyphens (an excerpt copied from a Persian page keeps
its non-joiners, which a text stored by an older version lacks, and some sites put soft
hyphens inside long words), and the spaces between two letters of the Arabic script (Persian
writes "سه‌شنبه" with a non-joiner, a space or nothing, and an editor retyping a quote
cannot see which the page used); case of nothing else. An ellipsis in the excerpt marks an
omission: each part between ellipses must appear, in order, in one of the articles.
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


class ExcerptNotFound(ValueError):
    """The excerpt, or a part of it, is not in any credited article."""


def normalise_for_quote(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _SPACE.sub(" ", text).strip()
    return _SPACE_IN_ARABIC.sub("", text) if " " in text else text


def excerpt_parts(excerpt: str) -> list[str]:
    """The quoted parts of an excerpt, without the ellipses that join or frame them."""
    return [p for p in (normalise_for_quote(x) for x in _ELLIPSIS.split(excerpt)) if p]


def check_excerpt(excerpt: str, texts: Sequence[str]) -> None:
    """Raise ExcerptNotFound naming the first part that no article contains, in order."""
    parts = excerpt_parts(excerpt)
    if not parts:
        raise ExcerptNotFound("the excerpt is empty")
    haystacks = [normalise_for_quote(t) for t in texts]
    for text in haystacks:
        position = 0
        for part in parts:
            found = text.find(part, position)
            if found < 0:
                break
            position = found + len(part)
        else:
            return
    missing = next((p for p in parts if not any(p in text for text in haystacks)), None)
    if missing is None:
        # Every part is quoted, but not all from one article, or not in their order there.
        raise ExcerptNotFound(
            "the excerpt is not a quote from the credited articles: its parts are each in "
            "one of them, but an excerpt quotes one article, in the order of its text"
        )
    typed = next((p for p in _ELLIPSIS.split(excerpt) if normalise_for_quote(p) == missing), "")
    shown = " ".join(typed.split()) or missing  # as the editor typed it, not as compared
    shown = shown if len(shown) <= 80 else shown[:77] + "…"
    raise ExcerptNotFound(
        f"the excerpt is not a quote from the credited articles: “{shown}” is not in their text"
    )
