"""The words search indexes and looks for: the watchlist matcher's folded tokens, with what an
apostrophe adds to a word taken off.

The matcher's `fold` joins tokens glued by an apostrophe ("Rajavi’s" → "rajavis", "l’exil" →
"lexil"), which suits comparing whole names ("People’s Mujahedin"), but a reader who searches
for "Rajavi" or "exil" means those words too. So a search word is the folded word without:

- an English possessive "’s" at its end ("Rajavi’s", "People’s" → "rajavi", "people");
- an elided article, pronoun or conjunction at its start, as French and Italian write them
  ("l’exil", "d’Ashraf", "qu’il", "dell’Iran" → "exil", "ashraf", "il", "iran");
- the Arabic article "ال" glued to a word of three letters or more ("الساحل" → "ساحل"), as
  the watchlist matcher drops it: a reader searching "ساحل" means "the coast" too. A Persian
  word that begins with those letters ("الهام") loses them as well; both sides of a search
  agree, at the cost of a rare look-alike.

Other glued words stay whole ("O’Brien" → "obrien", "Shi’ite" → "shiite"). This is what
Lucene's possessive and elision filters do; it is written here because both engines are given
tokens made by this project (backends/__init__.py), so neither engine's analysers apply.

Documents (documents.py) and queries (query.py) both go through `tokens`, and snippets mark
words found by `words_with_spans`, so all three agree.
"""

from __future__ import annotations

from clipdesk.watch.normalizing import (
    ARABIC_ARTICLE,
    folded_pieces,
    glued_words,
    strip_arabic_article,
)

MAX_TOKEN_CHARS = 100  # longer tokens are not indexed, so not searched for either

POSSESSIVE = "s"
# Folded, as they come before an apostrophe: French, then Italian (Catalan shares the short ones).
ELIDED = frozenset(
    {
        *("c", "d", "j", "l", "m", "n", "s", "t", "qu"),
        *("jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"),
        *("all", "dall", "dell", "nell", "sull", "coll", "quell", "quest", "un", "nessun"),
    }
)


def search_word(pieces: list[str]) -> str:
    """One word from its folded pieces (see the module's docstring)."""
    if len(pieces) > 1 and pieces[-1] == POSSESSIVE:
        pieces = pieces[:-1]
    if len(pieces) > 1 and pieces[0] in ELIDED:
        pieces = pieces[1:]
    return strip_arabic_article("".join(pieces))


def tokens(text: str) -> list[str]:
    """The search words of `text`, as the index stores them (long tokens dropped)."""
    found = folded_pieces(text)
    if found is None:
        words = [search_word(pieces) for pieces, _start, _end in glued_words(text)]
    else:
        # Indexing a poll's articles spent a fifth of its time in glued_words's loop (a
        # generator step and a list a word); here only glued words are handled one by one.
        folded, glued = found
        folded = [
            strip_arabic_article(word) if word.startswith(ARABIC_ARTICLE) else word
            for word in folded
        ]
        words = []
        start = 0
        for first, last in _runs(glued):
            words += folded[start:first]
            words.append(search_word(folded[first : last + 2]))
            start = last + 2
        words += folded[start:]
    return [word for word in words if len(word) <= MAX_TOKEN_CHARS]


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Consecutive glue positions as (first, last): 3, 4 and 7 → (3, 4), (7, 7)."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def words_with_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Every search word of `text` and the (start, end) of the original text it came from."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for pieces, start, end in glued_words(text):
        words.append(search_word(pieces))
        spans.append((start, end))
    return words, spans


# A word in a document for each watched entity the watchlist matcher found in it: a query that
# names the entity looks for it beside the entity's names (aliases.py). What the matcher found
# under a spelling no alias writes ("Mujahideen-e-Khalgh") is then found, and an acronym alias
# is found where the matcher found it (in capitals) and not in every lowercase word of its
# letters ("mek"), which a search word, folded, cannot tell apart. No typed word can be it:
# `tokens` never keeps the mark it begins with.
ENTITY_WORD_MARK = "\u2058"  # FOUR DOT PUNCTUATION


def entity_word(entity_id: int) -> str:
    return f"{ENTITY_WORD_MARK}entity{entity_id}"
