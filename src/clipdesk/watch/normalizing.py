"""Text normalisation for watchlist matching: one folded form, with offsets back to the original.

Editors type an alias once ("Mojahedin-e Khalq", "مجاهدین خلق"); articles write it with other
capitals, accents, hyphens, apostrophes, letter forms and digits. Alias and article go through
the same stages, so comparing folded forms compares what a reader would call the same words:

1. Tokenise the original text. A token is a run of letters, digits and combining marks, plus
   the invisible characters that sit inside words (soft hyphen, zero-width joiner, tatweel);
   a dotted abbreviation ("U.S.", "M.E.K.") is one token. Everything else separates tokens:
   spaces, line breaks, hyphens, dashes, punctuation, apostrophes, and the zero-width
   non-joiner (ZWNJ), which in Persian marks a morpheme boundary, so "مجاهدین‌خلق" and
   "مجاهدین خلق" give the same tokens.
2. Fold each token character by character: NFKD, drop the combining marks that are accents
   or optional vowel signs (those of Latin, Greek and Cyrillic, Hebrew points, Arabic
   harakat; `_DROPPED_MARKS`) and tatweel, keep the marks that are letters (the vowel signs
   of Devanagari, Thai and the other Brahmic scripts, the kana voicing marks), casefold,
   unify Arabic and Persian letter forms (ي ى → ی, ك → ک, ة → ه, أ إ آ ٱ → ا), read every
   decimal digit as 0–9, drop the dots of abbreviations and the in-word invisibles.
3. Join the folded tokens with one space; tokens separated by a single apostrophe are joined
   without one ("People’s" → "peoples", "l’OMPI" → "lompi").
4. For matching only, `skeleton` reduces a folded token to a key shared by its common
   romanisation variants ("Mojahedin", "Mujahideen" and "Moudjahidine" → "mujahidin").

`glued_words` gives the same words with their folded pieces kept apart and the span of the
original text each came from, for search (clipdesk/search/words.py), which marks its matches
on the original characters.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator

# Stage 1. Combining marks are not word characters for `re` (\w is letters and digits only), so
# the token pattern lists them explicitly: every mark in the Basic Multilingual Plane, computed
# once at import (about 5 ms) rather than hand-listed per script.


def _mark_ranges() -> str:
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )


MARK_CHARS = _mark_ranges()  # for a character class: every combining mark of the BMP
TATWEEL = "\u0640"
ZWNJ = "\u200c"
_IN_WORD_INVISIBLES = "\u00ad\u200d"  # soft hyphen, zero-width joiner
_LETTER = r"[^\W\d_]"
# One character class is twice as fast as an alternation; it cannot leave out "_" (part of
# \w), so `_scannable` turns underscores into spaces first, which keeps every offset.
_WORD_CHARS = rf"[\w{MARK_CHARS}{_IN_WORD_INVISIBLES}]"
# A dotted abbreviation must end at a word end, so "Iran.The" (a missing space) stays two words.
TOKEN_RE = re.compile(rf"{_LETTER}\.(?:{_LETTER}\.)*{_LETTER}(?!\w)|{_WORD_CHARS}+")


_MODIFIER_APOSTROPHES = "ʼʻ"  # letters to `re` (category Lm) but apostrophes to a reader


def _scannable(text: str) -> str:
    """`text` with the same length, made ready for `TOKEN_RE`."""
    text = text.replace("_", " ")
    for char in _MODIFIER_APOSTROPHES:
        if char in text:
            text = text.replace(char, "'")
    return text


def token_texts(text: str) -> list[str]:
    """The tokens of `text` (stage 1), as written."""
    return TOKEN_RE.findall(_scannable(text))


def token_spans(text: str, count: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) offsets of the tokens of `text` (the first `count` of them)."""
    found = itertools.islice(TOKEN_RE.finditer(_scannable(text)), count)
    return [token.span() for token in found]


APOSTROPHES = frozenset("'’‘ʼʻ`´′＇")

# Stage 2.
_GLUE = str.maketrans(dict.fromkeys(f".{_IN_WORD_INVISIBLES}", ""))
_LETTER_FORMS = str.maketrans(
    {
        "\u064a": "\u06cc",  # ARABIC YEH → FARSI YEH
        "\u0649": "\u06cc",  # ALEF MAKSURA → FARSI YEH
        "\u0643": "\u06a9",  # ARABIC KAF → KEHEH
        "\u0629": "\u0647",  # TEH MARBUTA → HEH
        "\u06c1": "\u0647",  # HEH GOAL → HEH
        "\u06be": "\u0647",  # HEH DOACHASHMEE → HEH
        "\u06d5": "\u0647",  # AE, what NFKD leaves of Persian ۀ (heh with yeh above) → HEH
        "\u0671": "\u0627",  # ALEF WASLA → ALEF (أ إ آ decompose to alef + a mark under NFKD)
        "\u0672": "\u0627",  # ALEF WITH WAVY HAMZA ABOVE → ALEF
        "\u0673": "\u0627",  # ALEF WITH WAVY HAMZA BELOW → ALEF
        # Latin letters that NFKD leaves alone but readers see as a base letter plus a mark.
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


# The combining marks that folding drops. In some scripts a mark is an accent or an optional
# vowel sign: a reader sees "é" as "e", and Arabic, Hebrew and Syriac are mostly written
# without their vowel points. In the others it is a letter: the vowel signs, viramas, nuktas
# and tone marks of Devanagari, Bengali, Tamil, Thai, Khmer, Myanmar and the other Brahmic
# scripts, and the kana voicing marks ("か" ka, "が" ga); "काम" (work) and "कम" (less), or
# "ข้าว" (rice) and "ขาว" (white), are different words. Text goes through NFKD one character
# at a time (`_FoldTable`), so the rule is decided by the mark alone, not by the letter it
# sits on: a mark is dropped when it is in one of these ranges, and kept otherwise.
_DROPPED_MARKS = (
    (0x0300, 0x036F),  # combining diacritical marks: the accents of Latin, Greek, Cyrillic
    (0x0483, 0x0489),  # Cyrillic titlo and the like
    (0x0591, 0x05C7),  # Hebrew points and cantillation
    (0x0610, 0x061A),  # Arabic honorific marks
    (0x064B, 0x065F),  # Arabic harakat (and the hamza that NFKD takes off "أ")
    (0x0670, 0x0670),  # Arabic superscript alef
    (0x06D6, 0x06ED),  # Quranic annotation marks
    (0x0711, 0x0711),  # Syriac superscript alaph
    (0x0730, 0x074A),  # Syriac vowel points
    (0x0898, 0x08FF),  # Arabic extended: more Quranic marks
    (0x180B, 0x180F),  # Mongolian free variation selectors
    (0x1AB0, 0x1AFF),  # combining diacritical marks extended
    (0x1DC0, 0x1DFF),  # combining diacritical marks supplement
    (0x20D0, 0x20FF),  # combining marks for symbols (enclosing circles, keycaps)
    (0x2DE0, 0x2DFF),  # Cyrillic combining letters
    (0xA66F, 0xA67D),  # more Cyrillic combining marks
    (0xA69E, 0xA69F),
    (0xFB1E, 0xFB1E),  # Hebrew point varika
    (0xFE00, 0xFE0F),  # variation selectors: they change a glyph's look, never the word
    (0xFE20, 0xFE2F),  # combining half marks
    (0xE0100, 0xE01EF),  # variation selectors supplement
)


def _is_dropped_mark(char: str) -> bool:
    """Tatweel, or a combining mark that is an accent or an optional vowel sign
    (`_DROPPED_MARKS`); a mark of a script in which marks are letters is no such mark."""
    if char == TATWEEL:
        return True
    if unicodedata.category(char)[0] != "M":
        return False
    code = ord(char)
    return any(low <= code <= high for low, high in _DROPPED_MARKS)


def is_invisible(char: str) -> bool:
    """A format character (category Cf: zero-width joiner, soft hyphen, ...): nothing to see."""
    return unicodedata.category(char) == "Cf"


# What a token may begin with that shows nothing of its own: format characters (Cf) and
# combining marks (Mn, Mc, Me).
_NOTHING_TO_SHOW_ALONE = frozenset({"Cf", "Mn", "Mc", "Me"})


def visible_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A token's span without what shows nothing at its edges: a combining mark with no letter
    before it ("\u0301MEK") or a joiner at either end. Highlighting those marked a stray
    accent, or nothing, as part of the word. A mark at the end stays: it sits on the last
    letter ("Khalq\u0301"). Watchlist mentions and search snippets both mark this span."""
    while start < end - 1 and unicodedata.category(text[start]) in _NOTHING_TO_SHOW_ALONE:
        start += 1
    while end - 1 > start and is_invisible(text[end - 1]):
        end -= 1
    return start, end


def strip_marks(text: str) -> str:
    """Drop accents, optional vowel signs and tatweel (`_is_dropped_mark`); expects decomposed
    (NFKD) text. The vowel signs of Brahmic scripts and the kana voicing marks stay."""
    return "".join(char for char in text if not _is_dropped_mark(char))


def _ascii_digits(text: str) -> str:
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in text
    )


def _casefold_plain(char: str) -> str:
    """`char` casefolded, unless it is a compatibility form (kept as written)."""
    return char.casefold() if unicodedata.normalize("NFKD", char) == char else char


def fold_piece(
    text: str,
    *,
    case: bool = True,
    marks: bool = True,
    letters: bool = True,
    digits: bool = True,
    compatibility: bool = True,
) -> str:
    """Stage 2 on the text of one token; the flags switch single steps off to explain a match.

    `compatibility` reads full-width letters, ligatures and Arabic presentation forms as the
    plain letters (NFKD rather than NFD); off, casefolding leaves them alone too, since it
    would turn "ﬁ" into "fi" all the same."""
    form = "NFKD" if compatibility else "NFD"
    text = unicodedata.normalize(form, text)
    if marks:
        text = strip_marks(text)
    if case:
        # Casefolding can produce new decomposable letters ("İ" → "i̇"), so decompose again.
        folded = text.casefold() if compatibility else "".join(map(_casefold_plain, text))
        text = unicodedata.normalize(form, folded)
        if marks:
            text = strip_marks(text)
    text = text.translate(_GLUE)
    if letters:
        text = text.translate(_LETTER_FORMS)
    if digits:
        text = _ascii_digits(text)
    # Compatibility ligatures such as U+FDFA expand to whole phrases; a token stays one token.
    return "".join(text.split())


class _FoldTable(dict[int, str]):
    """Code point → folded text, filled on first sight so `str.translate` runs at C speed."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = fold_piece(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold_token(token: str) -> str:
    """Stage 2 for one token from `TOKEN_RE`."""
    return token.translate(_FOLD_TABLE)


def split_tokens(text: str) -> tuple[list[str], list[str]]:
    """The tokens of `text` and the separators between them (one fewer than tokens)."""
    tokens: list[str] = []
    separators: list[str] = []
    end = None
    for found in TOKEN_RE.finditer(_scannable(text)):
        if end is not None:
            separators.append(text[end : found.start()])
        tokens.append(found.group())
        end = found.end()
    return tokens, separators


def _glued(text: str, previous_end: int, start: int) -> bool:
    return start == previous_end + 1 and text[previous_end] in APOSTROPHES


def fold(text: str) -> str:
    """The normalised form of `text`: folded tokens joined by single spaces (stages 1-3)."""
    parts: list[str] = []
    previous_end = -1
    for found in TOKEN_RE.finditer(_scannable(text)):
        folded = found.group().translate(_FOLD_TABLE)
        if not folded:
            continue
        if parts and not _glued(text, previous_end, found.start()):
            parts.append(" ")
        parts.append(folded)
        previous_end = found.end()
    return "".join(parts)


_TOKEN_SPLIT = re.compile(f"({TOKEN_RE.pattern})")


def folded_pieces(text: str) -> tuple[list[str], list[int]] | None:
    """`glued_words`'s pieces without their spans, at a third of the cost (one `re.split`,
    one `translate` a token, in comprehensions): every folded token of `text` in order, and
    the positions i at which token i is glued to token i + 1 (one apostrophe between them).
    None when a token folds to nothing (a lone combining mark), which `glued_words` skips
    before it looks for glue: the caller takes `glued_words` then."""
    parts = _TOKEN_SPLIT.split(_scannable(text))
    folded = [token.translate(_FOLD_TABLE) for token in parts[1::2]]
    if not all(folded):
        return None
    # parts: separator, token, separator, token, ..., separator; parts[2::2][i] follows
    # token i (the last one, after the last token, never glues anything).
    glued = [i for i, between in enumerate(parts[2:-1:2]) if between in APOSTROPHES]
    return folded, glued


def glued_words(text: str) -> Iterator[tuple[list[str], int, int]]:
    """The words of `text` as `fold` sees them, each with its folded tokens kept apart and its
    span in `text`: a word is one token, or tokens glued by single apostrophes ("People’s" →
    ["people", "s"]), which `fold` joins. Search reads the pieces (clipdesk/search/words.py)."""
    pieces: list[str] = []
    start = end = -1
    for found in TOKEN_RE.finditer(_scannable(text)):
        folded = found.group().translate(_FOLD_TABLE)
        if not folded:
            continue
        if pieces and not _glued(text, end, found.start()):
            yield pieces, start, end
            pieces = []
        if not pieces:
            start = found.start()
        pieces.append(folded)
        end = found.end()
    if pieces:
        yield pieces, start, end


# Persian prefixes and suffixes. Persian writes a verb's prefix "می" or "نمی" and a noun's
# plural or an adjective's comparative suffix ("ها", "های", "هایی", "تر", "ترین") three ways:
# with a zero-width non-joiner ("می‌خواهد", "کتاب‌ها"), with a space ("می خواهد", "کتاب ها")
# or joined ("میخواهد", "کتابها"). The first two give the same tokens; search
# (clipdesk/search/words.py) and the watchlist matcher (matching.py) also take the joined
# spelling for the same word. Both read a space as the join only where these stand alone:
# "کمی" (a little) and "هاست" (is ...s) are words of their own. Folded forms; `AFFIX_GAP`
# reads a text as written, so it takes any of the three yehs.
VERB_PREFIXES = ("نمی", "می")
NOUN_SUFFIXES = ("هایی", "های", "ها", "ترین", "تر")  # longest first
AFFIX_WORDS = frozenset(VERB_PREFIXES + NOUN_SUFFIXES)
# Letters of the Arabic script (its block and supplement, without the marks and digits), the
# three yehs that folding makes one, and the spaces of one line.
ARABIC_LETTER = (
    "[\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f]"
)
_ANY_YEH = "[\u06cc\u064a\u0649]"
_LINE_SPACE = "[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]"


def _any_yeh(word: str) -> str:
    """A pattern for a folded affix as any text writes it (with any of the three yehs)."""
    return "".join(_ANY_YEH if char == "\u06cc" else char for char in word)


_PREFIX_BEHIND = "|".join(f"(?<=(?<!\\w){_any_yeh(prefix)}.)" for prefix in VERB_PREFIXES)
_SUFFIX_AHEAD = "|".join(_any_yeh(suffix) for suffix in NOUN_SUFFIXES)
# The spaces after a verbal prefix that stands alone before a word, or before a suffix that
# stands alone after one: where a writer who spaces a word's parts puts a non-joiner. It
# begins with a space and looks behind from there, so the engine skips from space to space (a
# pattern that begins by looking behind is tried at every character: four times slower on
# Persian text).
AFFIX_GAP = re.compile(
    f"{_LINE_SPACE}(?:"
    f"(?:{_PREFIX_BEHIND}){_LINE_SPACE}*(?={ARABIC_LETTER})"
    f"|(?<={ARABIC_LETTER}.){_LINE_SPACE}*(?=(?:{_SUFFIX_AHEAD})(?!\\w))"
    ")"
)


def joins_affix(first: str, second: str) -> bool:
    """Whether the words `first` and `second`, typed apart, are one word's prefix and rest or
    its stem and suffix ("می", "خواهد"; "کتاب", "ها")."""
    first = first.replace(ZWNJ, "")
    return AFFIX_GAP.match(f"{first} {second.replace(ZWNJ, '')}", len(first)) is not None


# Stage 4.
EZAFE = frozenset({"e", "i", "ye", "yi"})

# French and Italian words that drop their last vowel before a vowel and are written joined
# to the next word by an apostrophe ("l'exil", "qu'il", "dell'Iran"); the next word is a word
# of its own. Folded, as they come before the apostrophe: French, then Italian (Catalan shares
# the short ones). Search drops them from its words (search/words.py); the quote check lets
# a quote begin after them (digest/quotes.py).
ELIDED_WORDS = frozenset(
    {
        *("c", "d", "j", "l", "m", "n", "s", "t", "qu"),
        *("jusqu", "lorsqu", "puisqu", "quoiqu", "presqu"),
        *("all", "dall", "dell", "nell", "sull", "coll", "quell", "quest", "un", "nessun"),
    }
)
ARTICLES = frozenset({"al", "el"})  # the Arabic article as romanised, folded
CONNECTORS = EZAFE | ARTICLES
ARABIC_ARTICLE = "ال"

_MIN_TRANSLITERATED = 4  # shorter words have too many look-alikes ("mek", "mik", "meek")
# Vowels, doubled letters, a mute "e" and "w"/"v" vary only in words of this many syllables.
_MIN_LOOSE_SYLLABLES = 2
_CONSONANTS = re.compile(r"dsch|sch|dj|ck|zation|q|gh$")
_CONSONANT_KEYS = {
    "dsch": "j",  # German Mudschahedin
    "sch": "sh",  # German Schah
    "dj": "j",  # French Moudjahidine, Radjavi
    "ck": "k",
    "zation": "sation",  # Organization / Organisation
    "q": "k",  # Khalq / Khalk, Qaida / Kaida
    "gh": "k",  # only word-final: Khalgh
}
_MUTE_E = re.compile(r"(?<=[bcdfghjklmnpqrstvwxz])e(s?)$")
_LOOSE_LETTERS = str.maketrans("eow", "iuv")  # German writes "w" for "v": Radschawi
_DOUBLED = re.compile(r"(.)\1+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def _syllables(word: str) -> int:
    """The vowel groups of a Latin word, a mute final "e" left out ("stone" has one)."""
    return len(_VOWEL_GROUP.findall(_MUTE_E.sub(r"\1", word)))


def transliteration_key(token: str) -> str:
    """The romanisation-blind form of a folded Latin word; other tokens are returned as they are.

    Persian and Arabic names reach Latin script through English, French and German habits and
    ad-hoc spellings. The schemes agree on consonants far more than on vowels, and the source
    scripts write three vowel qualities (a; e/i; o/u), so the key keeps that much and no more:

    a. consonant spellings: "dsch", "dj" → "j"; "sch" → "sh"; "ck", "q" and a word-final "gh"
       → "k"; "-zation" → "-sation";
    b. in a word of two syllables or more only: a mute final "e" (or "es") after a consonant
       goes (French "Moudjahidine"); "e" → "i", "o" → "u", "w" → "v"; then doubled letters
       collapse ("Mujahideen", "Moudjahiddine").

    Mojahedin, Mujahedin, Mujahideen, Mojahedeen, Mudjahedin, Moudjahidine and Mudschahedin all
    give "mujahidin"; Khalq, Khalgh and Khalk give "khalk"; Rajavi, Radjavi and Radschawi give
    "rajavi"; Massoud and Masoud, Hossein and Hussein, Hassan and Hasan, Omar and Umar share
    theirs. Step b leaves words of one syllable alone: they come in pairs that differ by just
    that and are different words: "stone" and "stun", "desk" and "disk", "sheep" and "ship",
    "plane" and "plan", "west" and "vest". Two-syllable English pairs still meet ("later"
    and "latter", "lower" and "lover"); the given names of the languages a desk follows are
    mostly of two syllables, and missing "Hussein" for "Hossein" costs more than a watched
    word finding its rare look-alike. Deliberately not merged at any length, because each
    would make distinct names collide: "a" with "e" (Hassan/Hessen), "ch" with "kh" or "sh"
    (German writes Chalq for Khalq, French Achraf for Ashraf), a word-initial "gh" with "q"
    (distinct Arabic letters: Ghassan, Qassam), and words shorter than four letters, which
    stay as folded. So does a word whose key would be shorter than that ("Nick" keeps its
    "ck": "nik" would be a three-letter key with three-letter look-alikes).
    """
    if len(token) < _MIN_TRANSLITERATED or not (token.isascii() and token.isalpha()):
        return token
    key = _CONSONANTS.sub(lambda found: _CONSONANT_KEYS[found.group()], token)
    if _syllables(key) >= _MIN_LOOSE_SYLLABLES:
        key = _MUTE_E.sub(r"\1", key)
        key = _DOUBLED.sub(r"\1", key.translate(_LOOSE_LETTERS))
    return key if len(key) >= _MIN_TRANSLITERATED else token


# The fewest letters a word keeps after a glued "ال" for the "ال" to be read as the article.
_MIN_AFTER_ARTICLE = 4


def strip_arabic_article(token: str, *, shortest_rest: int = _MIN_AFTER_ARTICLE) -> str:
    """Drop a glued Arabic article "ال" from a word of four or more letters after it.

    "the X" names X: "المنافقين" is "منافقین" with the article, "القاعدة" "قاعدة". But the
    spelling alone cannot tell the article from a word that merely begins with those two
    letters: "الماس" is one word (almās, diamond), not "ال" + "ماس", and "الهام" is the name
    Elham, not "ال" + "هام" (important). The shorter the rest, the likelier it is such a
    word and the more common words it would stand for, so a rest of three letters or fewer
    keeps its "ال": an alias of three letters never finds a word with the article glued on
    (add that spelling as an alias), and one written with it finds only that spelling.
    Search words take `shortest_rest` 3 (clipdesk/search/words.py)."""
    if token.startswith(ARABIC_ARTICLE) and len(token) >= len(ARABIC_ARTICLE) + shortest_rest:
        return token[len(ARABIC_ARTICLE) :]
    return token


def skeleton(token: str) -> str:
    """The matching key of one folded token, or "" for a connector that matching skips.

    Connectors are the Persian ezafe written as its own word ("Mojahedin-e Khalq",
    "Mujahidin-i Khalq") and the article "al"/"el" ("al-Qaida", "el-Qaida", "Qaida"): optional
    in romanised names, so dropped from alias and text alike (an alias that begins with the
    article written apart, "El País", needs it in the text: matching.leading_article). Then
    the Arabic-script article goes (`strip_arabic_article`) and Latin words get their
    `transliteration_key`.
    """
    if token in CONNECTORS:
        return ""
    return transliteration_key(strip_arabic_article(token))


_MAX_CACHED = 200_000


class _SkeletonCache(dict[str, str]):
    """Raw token → skeleton; articles reuse most of their words, so most lookups are hits."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _MAX_CACHED:
            self.clear()
        key = self[token] = skeleton(token.translate(_FOLD_TABLE))
        return key


SKELETONS = _SkeletonCache()
