"""The words search indexes and looks for: the watchlist matcher's folded tokens, with what an
apostrophe adds to a word taken off.

The matcher's `fold` joins tokens glued by an apostrophe ("Rajavi’s" → "rajavis", "l’exil" →
"lexil"), which suits comparing whole names ("People’s Mujahedin"), but a reader who searches
for "Rajavi" or "exil" means those words too. So a search word is the folded word without:

- an English possessive "’s" at its end ("Rajavi’s", "People’s" → "rajavi", "people");
- an elided article, pronoun or conjunction at its start, as French and Italian write them
  ("l’exil", "d’Ashraf", "qu’il", "dell’Iran" → "exil", "ashraf", "il", "iran");
- the Arabic article "ال" glued to a word of three letters or more ("الساحل" → "ساحل"): a
  reader searching "ساحل" means "the coast" too. A word that begins with those letters
  ("الهام", "الماس") loses them as well; both sides of a search agree, at the cost of a rare
  look-alike. The watchlist matcher, which says an article names an entity, keeps them on a
  rest of three letters ("الماس" is not "ماس"); search keeps three: it lists what it found,
  where a reader passes over a look-alike, and every index was built so.

Other glued words stay whole ("O’Brien" → "obrien", "Shi’ite" → "shiite").

Chinese and Japanese are written without spaces between words, so `fold` makes a whole clause
one token ("我们在北京开会"), and a search for "北京" found nothing (nor did any clause of over
MAX_TOKEN_CHARS characters, which was not indexed at all). Each Han, Hiragana or Katakana
character is therefore a search word of its own; a query word of several becomes a phrase of
them (query.py), which finds the characters side by side, as they were typed. This is what
Lucene's possessive and elision filters do; it is written here because both engines are given
tokens made by this project (backends/__init__.py), so neither engine's analysers apply.

Persian writes many words in parts joined by a zero-width non-joiner (ZWNJ): "می‌خواهد",
"کتاب‌ها", "سازمان‌های". `fold` cuts at it as at a space, so "خواهد" and "کتاب" find those
words, and so does "می خواهد" typed as a phrase. But writers and readers often leave the
non-joiner out ("میخواهد"), and that one token never met the two parts. So a document that
writes a word with a non-joiner is indexed a second time with such words whole
(`joined_tokens`, documents.py), after its ordinary words, where no phrase runs from one copy
into the other; a query word typed without a non-joiner finds that copy, and one typed with
it asks for its parts as a phrase or for the word whole (query.py, `Phrase.joined`).

Writers also put a plain space where the non-joiner belongs ("می خواهد", "کتاب ها"). A space
is no sign of one word, so it joins only where Persian grammar puts a non-joiner: after the
verbal prefixes "می" and "نمی" standing alone before an Arabic-script word, and before the
plural and comparative suffixes "ها", "های", "هایی", "تر", "ترین" standing alone after one
(`AFFIX_GAP`, in clipdesk/watch/normalizing.py: the watchlist matcher reads them so too). The
second copy joins those too, and a query that writes them so ("می خواهد", quoted or not:
query.py) is a phrase of its parts or the word whole, as if typed with the non-joiner. The
rare other "می" (wine) or "تر" (wet) gets a joined look-alike in the second copy that no one
searches for; its own word is still indexed as written.

Documents (documents.py) and queries (query.py) both go through `tokens`, and snippets mark
words found by `words_with_spans`, so all three agree.
"""

from __future__ import annotations

import re

from clipdesk.scripts import HAN_AND_KANA
from clipdesk.watch.normalizing import (
    AFFIX_GAP,
    AFFIX_WORDS,
    ARABIC_ARTICLE,
    ELIDED_WORDS,
    MARK_CHARS,
    ZWNJ,
    fold_token,
    folded_pieces,
    glued_words,
    strip_arabic_article,
    visible_span,
)

MAX_TOKEN_CHARS = 100  # longer tokens are not indexed, so not searched for either

# The fewest letters a word keeps once a glued "ال" is dropped from it.
ARTICLE_SHORTEST_REST = 3
POSSESSIVE = "s"


def search_word(pieces: list[str]) -> str:
    """One word from its folded pieces (see the module's docstring)."""
    if len(pieces) > 1 and pieces[-1] == POSSESSIVE:
        pieces = pieces[:-1]
    if len(pieces) > 1 and pieces[0] in ELIDED_WORDS:
        pieces = pieces[1:]
    return strip_arabic_article("".join(pieces), shortest_rest=ARTICLE_SHORTEST_REST)


# Chinese and Japanese, written without spaces between words (clipdesk.scripts; folded, so
# NFKC has made half-width kana and compatibility ideographs the ordinary ones).
_UNSPACED = re.compile(f"[{HAN_AND_KANA}]")
# A character with the marks folding keeps after it: "で" is folded to "て" and a voicing mark,
# one character to a reader, and a search word apart from "て".
_UNSPACED_CHARACTER = f"[{HAN_AND_KANA}][{MARK_CHARS}]*"
_UNSPACED_SPLIT = re.compile(f"({_UNSPACED_CHARACTER})")
_ONE_UNSPACED = re.compile(_UNSPACED_CHARACTER)


def split_unspaced(word: str) -> list[str]:
    """A search word cut before and after each Han or kana character ("北京2008年" → "北",
    "京", "2008", "年"); any other word as it is."""
    if not _UNSPACED.search(word):
        return [word]
    return [piece for piece in _UNSPACED_SPLIT.split(word) if piece]


def is_unspaced_character(word: str) -> bool:
    """Whether a search word is one Han or kana character (with its voicing mark), as
    `split_unspaced` cuts them: a word of its own, so a prefix of it is the character itself."""
    return _ONE_UNSPACED.fullmatch(word) is not None


def _unspaced_spans(text: str, start: int, end: int, parts: list[str]) -> list[tuple[int, int]]:
    """The span of `text[start:end]` that each of `parts` (the word's pieces) was folded from;
    `fold` maps character by character, so each original character is folded alone. Where the
    pieces are not the characters folded in order (an apostrophe's "s" taken off), every piece
    gets the whole span."""
    spans: list[tuple[int, int]] = []
    position = start
    for part in parts:
        folded = ""
        part_start = position
        while position < end and len(folded) < len(part):
            folded += fold_token(text[position])
            position += 1
        while position < end and not fold_token(text[position]):
            position += 1  # the combining marks after a character belong to it
        if folded != part:
            return [(start, end)] * len(parts)
        spans.append((part_start, position))
    return spans


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
            strip_arabic_article(word, shortest_rest=ARTICLE_SHORTEST_REST)
            if word.startswith(ARABIC_ARTICLE)
            else word
            for word in folded
        ]
        words = []
        start = 0
        for first, last in _runs(glued):
            words += folded[start:first]
            words.append(search_word(folded[first : last + 2]))
            start = last + 2
        words += folded[start:]
    # One look over the folded words (NFKC makes half-width kana the ordinary ones), not one
    # a word: an article has thousands.
    if _UNSPACED.search(" ".join(words)):
        words = [piece for word in words for piece in split_unspaced(word)]
    return [word for word in words if len(word) <= MAX_TOKEN_CHARS]


_AFFIX_LETTERS = ("\u0645", "\u0647", "\u062a")  # م, ه, ت: every affix has one


def _joined_text(text: str) -> str | None:
    """`text` without its non-joiners and without the spaces of `AFFIX_GAP`: each word a
    writer cut into parts written whole; None when `text` cuts no word so."""
    joined = text.replace(ZWNJ, "")
    if any(letter in joined for letter in _AFFIX_LETTERS):
        joined = AFFIX_GAP.sub("", joined)
    return joined if joined != text else None


def joined_tokens(text: str, parts: list[str]) -> list[str] | None:
    """The search words of `text` with each word that a zero-width non-joiner, or a space
    beside a prefix or suffix (`AFFIX_GAP`), cuts into parts ("می‌خواهد", "می خواهد" → "می",
    "خواهد") kept whole ("میخواهد"), as a writer who leaves the non-joiner out writes it.
    `parts` are `tokens(text)`; None when no word of `text` is so cut."""
    if ZWNJ not in text and AFFIX_WORDS.isdisjoint(parts):
        return None
    joined = _joined_text(text)
    if joined is None:
        return None
    whole = tokens(joined)
    return whole if whole != parts else None


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
    """Every search word of `text` and the (start, end) of the original text it came from.

    A span starts at the word's first letter and leaves out invisible characters at its ends
    (`visible_span`, as the watchlist marks a mention): a stray accent before a word, or a
    joiner pasted beside it, was marked as part of it."""
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    for pieces, start, end in glued_words(text):
        parts = split_unspaced(search_word(pieces))
        words += parts
        found = [(start, end)] if len(parts) == 1 else _unspaced_spans(text, start, end, parts)
        spans += [visible_span(text, *span) for span in found]
    return words, spans


def joined_words_with_spans(text: str) -> tuple[list[str], list[tuple[int, int]]] | None:
    """`words_with_spans` of `text` with words cut by a non-joiner or a spaced affix kept
    whole (see `joined_tokens`), each span from its first part's start to its last part's
    end; None when `text` cuts no word so."""
    if _joined_text(text) is None:
        return None
    kept = [index for index, char in enumerate(text) if char != ZWNJ]
    plain = text.replace(ZWNJ, "")
    gaps = {index for gap in AFFIX_GAP.finditer(plain) for index in range(*gap.span())}
    if gaps:
        kept = [at for index, at in enumerate(kept) if index not in gaps]
        plain = "".join(char for index, char in enumerate(plain) if index not in gaps)
    words, spans = words_with_spans(plain)
    return words, [(kept[start], kept[end - 1] + 1) for start, end in spans]


# A word in a document for each watched entity the watchlist matcher found in it: a query that
# names the entity looks for it beside the entity's names (aliases.py). What the matcher found
# under a spelling no alias writes ("Mujahideen-e-Khalgh") is then found, and an acronym alias
# is found where the matcher found it (in capitals) and not in every lowercase word of its
# letters ("mek"), which a search word, folded, cannot tell apart. No typed word can be it:
# `tokens` never keeps the mark it begins with.
ENTITY_WORD_MARK = "\u2058"  # FOUR DOT PUNCTUATION
_ENTITY_WORD_START = f"{ENTITY_WORD_MARK}entity"


def entity_word(entity_id: int) -> str:
    return f"{_ENTITY_WORD_START}{entity_id}"


def entity_of_word(word: str) -> str:
    """The entity id (as text, as the matcher names entities) an entity word stands for, or
    "" for any other word."""
    return word.removeprefix(_ENTITY_WORD_START) if word.startswith(_ENTITY_WORD_START) else ""
