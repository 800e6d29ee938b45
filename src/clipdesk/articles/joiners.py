"""Zero-width joiners that trafilatura drops, put back where the page had them.

trafilatura keeps only printable characters and spaces in the text and metadata it returns
(`trafilatura.utils.remove_control_characters`), and Python counts the zero-width non-joiner
(U+200C) as unprintable. Persian spelling needs it: without it "می‌گویند" reads as a misspelt
word, a quote no longer matches its source, and an alias the page writes with it
("مجاهدین‌خلق") is fused into one word that no watchlist alias matches. The zero-width
joiner (U+200D) is part of the spelling of Indic scripts and of emoji sequences.

The page's own text says which words held them. Each such word is looked for in what
trafilatura returned, by the form trafilatura made of it, and written back as the page had it.
A form the page also uses as it stands (both spellings on one page), or that two different
words of the page would both give, is left as it is: there is no telling which was meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

JOINERS = "\u200c\u200d"
# Where a word ends: spaces and punctuation, Latin and Arabic-script, quotes and dashes.
_DELIMITERS = r"\s!-/:-@\[-`{-~«»،؛؟“”‘’„…—–"
_WORD = re.compile(f"[^{_DELIMITERS}]+")
# Scripts whose spelling uses the joiners: Arabic (Persian, Urdu, Kurdish …) and the Indic
# scripts of South Asia. Looking for a joiner in a whole page (200 KB on average) takes about
# 0.5 ms; looking for these letters in the extracted values first spares most pages that.
_JOINING_SCRIPTS = re.compile("[\u0600-\u06ff\u0750-\u077f\u0900-\u0dff\ufb50-\ufdff\ufe70-\ufefc]")
_RAW_MARKERS = ("\u200c", "\u200d", "&zwnj;", "&zwj;", "&#8204;", "&#8205;", "&#x200", "&#X200")


def may_have_lost_joiners(values: Iterable[str | None], html: str) -> bool:
    """Whether extracted `values` are in a script that spells with joiners and the page's
    markup `html` holds one, as a character or a character reference."""
    if not any(value and _JOINING_SCRIPTS.search(value) for value in values):
        return False
    return any(marker in html for marker in _RAW_MARKERS)


def _as_trafilatura_gives(word: str) -> str:
    """The word as trafilatura returns it: printable characters and spaces only."""
    return "".join(c for c in word if c.isprintable() or c.isspace())


class JoinerRestorer:
    """Built from the page's own text; `restore` puts the joiners back into a value."""

    def __init__(self, page_texts: Iterable[str]) -> None:
        """`page_texts`: the page's text, in pieces that do not cut a word in two."""
        originals: dict[str, set[str]] = {}
        as_written: set[str] = set()
        for text in page_texts:
            for word in _WORD.findall(text):
                if word.isprintable():  # most words: no joiner, nothing trafilatura drops
                    as_written.add(word)
                    continue
                # A joiner at either end of a word joins nothing: only those inside count.
                kept = "".join(c for c in word if c in JOINERS or c.isprintable()).strip(JOINERS)
                if any(j in kept for j in JOINERS):
                    originals.setdefault(_as_trafilatura_gives(kept), set()).add(kept)
                else:
                    as_written.add(kept)
        self._words = {
            form: next(iter(spellings))
            for form, spellings in originals.items()
            if form and len(spellings) == 1 and form not in as_written
        }

    def restore(self, value: str | None) -> str | None:
        # Word by word, a dictionary lookup each: a page can hold any number of such words,
        # and one alternation of them all would grow with it (1 ms on a Persian page).
        if not value or not self._words:
            return value
        return _WORD.sub(lambda m: self._words.get(m.group(0), m.group(0)), value)
