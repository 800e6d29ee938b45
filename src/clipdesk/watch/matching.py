"""The watchlist matcher: which entities an article names, where exactly, and why.

1. Build (`Matcher.build`). Every alias becomes token patterns: an alias in capitals of at most
   six letters ("MEK", "PMOI") is an acronym, also found in its plural ("MEKs"); every alias
   is tokenised and folded like article text (`normalizing`) and each token replaced by its
   `skeleton`. An alias with an apostrophe also gets its joined form ("People’s" ~
   "Peoples"), a word ending in "s" its possessive form ("Peoples" ~ "People’s"), and an
   Arabic-script word that may begin a construct its other form ("مجاهدین خلق" ~
   "مجاهدي خلق"), and a Persian verb prefix or plural or comparative suffix its other
   spelling, joined or apart ("سازمان های" ~ "سازمانهای", "نمیخواهد" ~ "نمی خواهد":
   `persian_affix_spellings`). All patterns go into one Aho-Corasick automaton, each written as
   " tok tok ", so a pattern can only ever match whole tokens.
2. Scan. A field is tokenised, each token replaced by its skeleton (cached per process), and
   the skeletons joined by single spaces; the automaton reads that string once. Apostrophes
   separate tokens here, so "MEK's", "Rajavi's" and "l’OMPI" contain "MEK", "Rajavi", "OMPI".
3. Verify. An acronym hit counts only when the original token is written in capitals ("MEK",
   "M.E.K.", or its plural "MEKs"): "Mek" and "mek" are rejected, and "Mekong" was never a
   hit (another token); nor when it is a label of an address ("info@MEK.org", "MEK.Com",
   "NCRI-Iran.org"; "MEK.Die", a sentence that lost the space after its full stop, is a
   mention). An acronym written with marks ("AT&T") is matched as words, in capitals only.
   An acronym (or capitals-only) hit in text written all in capitals needs corroboration
   (`Shouting`, stage 5): there every word is in capitals, so the case check tells nothing.
   An alias word written with the Arabic article ("القاعدة") counts only where the text
   writes it so (not "قاعدة", a base). The romanised article "al"/"el" is optional, but an
   alias that begins with it written apart ("El País", "Al Jazeera") counts only where the
   text writes an article before it (not "País Vasco", "Jazeera Airways"): `leading_article`.
4. Map back. Token positions in the scanned string → offsets in the original field; an alias
   that begins with the article is marked from the text's article ("al-Qaeda", not "Qaeda").
5. Resolve. Overlapping matches keep the longest span; an equal span keeps one match per
   entity, the alias written closest to the text. Then, over headline and text together, an
   acronym hit in shouted text is kept only when the article names its entity elsewhere
   (`_corroborated`).
6. Explain. Each match says in words which differences were ignored to find it.

Lowercase acronyms ("mek") are not matched on purpose: newsrooms write acronyms in capitals,
and lowercase hits are mostly URLs, usernames, typos and words of other languages.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import ahocorasick

from clipdesk.watch.normalizing import (
    APOSTROPHES,
    ARABIC_ARTICLE,
    ARTICLES,
    CONNECTORS,
    EZAFE,
    NOUN_SUFFIXES,
    SKELETONS,
    VERB_PREFIXES,
    ZWNJ,
    fold,
    fold_piece,
    fold_token,
    is_invisible,
    joins_affix,
    skeleton,
    split_tokens,
    strip_arabic_article,
    strip_marks,
    token_spans,
    token_texts,
    transliteration_key,
    visible_span,
)

# The version of the matching rules. Raise it by one whenever a change here or in
# `normalizing` alters what is found (a place found or no longer found, for the same
# watchlist and text): matches an instance stored under an older version are out of date, and
# `init`, `poll`, `watch list` and the admin tell the operator to run `watch rematch`.
# tests/watch/test_rules_version.py pins what a sample of texts finds for each version.
RULES_VERSION = 4

ACRONYM_MAX_LETTERS = 6
# An alias with many "s"-final words would multiply its possessive variants; past this many
# patterns per alias only the joined and split forms of real apostrophes are kept.
MAX_VARIANTS = 16


@dataclass(frozen=True)
class Match:
    """One mention of a watched entity: where it is in the original field, and why it counts."""

    entity: str
    alias: str
    field: str
    start: int
    end: int
    matched_text: str
    reason: str


@dataclass(frozen=True, slots=True)
class _Alias:
    entity: str
    alias: str
    acronym: str  # the capitals without dots ("MEK") for an acronym alias, else ""
    rank: int  # position in the build input: on equal footing the earlier alias wins
    capitals: bool = False  # an acronym with other marks ("AT&T"): found in capitals only
    # Which of the alias's words are written with a glued "ال": the text must write them so.
    articles: frozenset[int] = frozenset()
    # How the alias writes an "al"/"el" before its first word (`leading_article`).
    leading_article: str = ""


def acronym_of(alias: str) -> str:
    """The capitals of an acronym alias ("M.E.K." → "MEK"), or "" if the alias is not one."""
    compact = alias.replace(".", "")
    letters = sum(char.isalpha() for char in compact)
    if compact.isalnum() and compact.isupper() and 0 < letters <= ACRONYM_MAX_LETTERS:
        return compact
    return ""


# What joins the capitals of an acronym written with marks: "AT&T", "S&P". Not a hyphen:
# "COVID-19" is written "Covid-19" as often, and is found so.
_ACRONYM_MARKS = str.maketrans("", "", "&.")


def capitals_only(alias: str) -> bool:
    """Whether an alias that is no plain acronym is one written with marks ("AT&T"): its
    words are then matched as words, but only where they are written in capitals, or "at T"
    in "looked at T-shirts" was AT&T."""
    compact = alias.translate(_ACRONYM_MARKS)
    letters = sum(char.isalpha() for char in compact)
    return (
        not acronym_of(alias)
        and compact != alias
        and compact.isalnum()
        and compact.isupper()
        and 0 < letters <= ACRONYM_MAX_LETTERS
    )


def too_short(alias: str) -> str | None:
    """Why an alias of one letter will match far more than the entity, or None.

    One letter alone is an initial ("Jane M. Doe"), a list label or a grade; it is matched as
    a word (in capitals, as an acronym), so it is allowed, but an editor who adds it by
    mistake should hear what it will do.
    """
    letters = [char for char in alias if char.isalpha()]
    if len(letters) != 1 or any(char.isdigit() for char in alias):
        return None  # "X1" and "B-2" are matched whole, never as the letter alone
    return (
        f"the alias {alias!r} is one letter: it matches every {letters[0]!r} standing alone "
        "(initials, list labels), not only this entity"
    )


def never_matched(alias: str) -> str | None:
    """Why an alias can never be found, or None: without a letter ("2011", "---") it is a
    number or punctuation, not a name, and the matcher leaves it out (`Matcher.build`)."""
    if any(char.isalpha() for char in alias):
        return None
    return f"the alias {alias!r} has no letters: it is no name, and is never matched"


def article_words(text: str) -> frozenset[int]:
    """The positions, among the words matching compares (connectors left out), of the words
    written with a glued Arabic article ("القاعدة" → {0}).

    Matching drops that article from alias and text alike, so that "منافقین" finds
    "المنافقين"; but an alias written with it names the entity where the bare word is a
    common noun ("القاعدة", al-Qaeda; "قاعدة", a base), so the text must write it there too."""
    words = [fold_token(token) for token in token_texts(text)]
    compared = _without_standalone_affixes([word for word in words if skeleton(word)])
    return frozenset(
        index for index, word in enumerate(compared) if strip_arabic_article(word) != word
    )


def _without_standalone_affixes(words: list[str]) -> list[str]:
    """`words` less each prefix or suffix written apart from its word: "سازمان های القاعدة"
    and "سازمانهای القاعدة" have the article on the same word."""
    return [
        word
        for index, word in enumerate(words)
        if not (word in VERB_PREFIXES and index + 1 < len(words) and _joins(word, words[index + 1]))
        and not (word in NOUN_SUFFIXES and index and _joins(words[index - 1], word))
    ]


ARTICLE_JOINED = "joined"
ARTICLE_APART = "apart"


def leading_article(alias: str) -> str:
    """How `alias` writes the romanised article "al"/"el" before its first word: joined to it
    by a hyphen or an apostrophe ("al-Qaeda", "el-Sisi", "Al\u2011Quds"), apart from it
    ("El País", "Al Jazeera"), or not at all ("").

    The article is optional in romanised Arabic names: "al-Qaeda", "el-Qaeda" and "Qaeda"
    name the same group, and Egyptian papers write "El-Sisi" for "Sisi". Joined to its word
    it is that kind of article, and the alias finds the word without it. Written apart at an
    alias's start it is as often Spanish ("El País", "El Salvador") or part of a name that
    the word alone does not make ("Al Jazeera", the network; "Jazeera Airways" another
    company): such an alias needs the article in the text (written either way). Inside an
    alias ("Ayman al Zawahiri") the words before it tell the name from others, so there it
    stays optional however it is written. An alias in Arabic script writes its article
    glued to the word ("الجزيرة"), which `article_words` handles."""
    tokens, separators = split_tokens(alias)
    if len(tokens) < 2 or fold_token(tokens[0]) not in ARTICLES:
        return ""
    if not any(skeleton(fold_token(token)) for token in tokens[1:]):
        return ""
    between = separators[0]
    joined = len(between) == 1 and (
        between in APOSTROPHES or unicodedata.category(between) == "Pd" or between == "\u2212"
    )
    return ARTICLE_JOINED if joined else ARTICLE_APART


def _article_before(tokens: list[str], kept: list[int], word: int) -> int | None:
    """The index among `tokens` of an article "al"/"el" among the skipped connectors right
    before the `word`-th compared token (the nearest one), or None."""
    previous = kept[word - 1] if word else -1
    for index in range(kept[word] - 1, previous, -1):
        if fold_token(tokens[index]) in ARTICLES:
            return index
    return None


def _written_as_acronym(original: str, acronym: str) -> bool:
    """Case-sensitive: "MEK" or "M.E.K." (or with accents "MÉK"), never "Mek" or "mek"; or its
    plural "MEKs" (`acronym_plural`).

    Invisible format characters (a zero-width joiner or a soft hyphen pasted with the word,
    "ME\u00adK") are left out, as folding leaves them out: they hid the acronym."""
    compact = _without_invisibles(original.replace(".", ""))
    if acronym_plural(acronym) and compact.endswith(PLURAL_S):
        compact = compact.removesuffix(PLURAL_S)
    return compact == acronym or (
        compact.isupper() and _unaccented(compact) == _unaccented(acronym)
    )


PLURAL_S = "s"


def acronym_plural(acronym: str) -> str:
    """The plural of an acronym of two or more characters, "MEKs", or "".

    An acronym's plural names what the acronym does ("two MEKs", as "NGOs"), so it is a
    mention; only with a small "s": "MEKS" in capitals may be another acronym, and a
    headline in capitals then loses the plural. One letter plus "s" is a word ("As", "Is")."""
    return acronym + PLURAL_S if len(acronym) >= 2 else ""


# How far around an acronym an address is looked for: a text without spaces (a hostile page)
# is not read to its ends at every hit.
ADDRESS_MAX_CHARS = 200


def _in_an_address(value: str, start: int, end: int) -> bool:
    """Whether the span is part of an e-mail address, a URL or a host name ("info@MEK.org",
    "http://x.example/MEK/", "MEK.example", "MEK.Com", "NCRI-Iran.org"): a label of an
    address, not a mention. "#MEK", "(MEK)", "PMOI/MEK", "MEK-backed" and "MEK." at a
    sentence's end are mentions, and so is "MEK.Die", a sentence whose space after the full
    stop was lost (`_ends_in_a_top_level_domain`)."""
    left = value[max(0, start - ADDRESS_MAX_CHARS) : start]
    left = "" if not left or left[-1].isspace() else left.split()[-1]
    right = value[end : end + ADDRESS_MAX_CHARS]
    right = "" if not right or right[0].isspace() else right.split()[0]
    chunk = left + value[start:end] + right  # the run of text without spaces the span is in
    if "@" in chunk or "://" in chunk or chunk.casefold().startswith("www."):
        return True
    # The run of host-name characters the span is in: "MEK" + ".org" of "MEK.org/x",
    # "NCRI" + "-Iran.org" of "(NCRI-Iran.org)".
    before = _HOST_RUN.match(left[::-1]).group()[::-1]
    host = (before + value[start:end] + _HOST_RUN.match(right).group()).strip(".-")
    if "." not in host:
        return False
    return _ends_in_a_top_level_domain(host.rsplit(".", 1)[-1])


# What may stand beside a label in a host name: more labels, up to the first other character.
_HOST_RUN = re.compile(r"[\w.-]*")
_TOP_LEVEL_MAX_CHARS = 24
# Top-level domains that a host name written in title case ends in ("MEK.Com", "PMOI.Org"),
# and which do not begin a sentence in the languages read. Any other label in title case
# after a lost space ("MEK.Die", "MEK.In", "MEK.Le") is a sentence's first word.
_TITLE_CASE_TOP_LEVEL = frozenset({"Com", "Org", "Net", "Edu", "Gov"})


def _ends_in_a_top_level_domain(label: str) -> bool:
    """Whether the last label of a dotted word may end a host name.

    In lower case any run of 2 to 24 letters may ("org", "de", and "example" or "test", which
    no registry lists), as may a listed one in punycode ("xn--p1ai"). A label with capitals
    must be a listed top-level domain, in capitals ("MEK.ORG"), or one of the generic ones in
    title case ("MEK.Com"): another, such as "Die" or "In", is the first word of a sentence
    whose space was lost ("MEK.Die Gruppe", "MEK.In Paris"), though "in" is India's. The list
    is the Public Suffix List that courlan's `tld` ships."""
    if label.islower() and label.isalpha() and 2 <= len(label) <= _TOP_LEVEL_MAX_CHARS:
        return True
    if label in _TITLE_CASE_TOP_LEVEL:
        return True
    if label != label.lower() and label != label.upper():
        return False
    return len(label) >= 2 and _listed_top_level_domain(label.lower())


@lru_cache(maxsize=1024)
def _listed_top_level_domain(label: str) -> bool:
    """Imports `tld` and reads the Public Suffix List on first use (about 100 ms together),
    only when an acronym touches a full stop: most processes that match never need it."""
    from tld import is_tld

    return is_tld(label, search_private=False)


def _in_capitals(text: str) -> bool:
    return all(char.isupper() for char in text if char.isalpha())


def _without_invisibles(text: str) -> str:
    return "".join(char for char in text if not is_invisible(char))


def _unaccented(text: str) -> str:
    return strip_marks(unicodedata.normalize("NFKD", text))


def _may_be_possessive(folded: str) -> bool:
    """ "Peoples" may be "People's" with the apostrophe left out; "Ashraf" or "Hass" may not."""
    return (
        folded.isascii()
        and folded.isalpha()
        and len(folded) >= 5
        and folded.endswith("s")
        and not folded.endswith("ss")
    )


def _word_options(pieces: list[str]) -> list[str]:
    """The skeleton spellings of one alias word; `pieces` were separated by apostrophes."""
    split = " ".join(key for key in (skeleton(fold_token(piece)) for piece in pieces) if key)
    options = [split]
    if len(pieces) > 1:
        options.append(skeleton(fold_token("".join(pieces))))
    else:
        folded = fold_token(pieces[0])
        if _may_be_possessive(folded):
            # Text splits at apostrophes, so "Peoples" must also be findable as "People's".
            options.append(f"{skeleton(folded[:-1])} s")
    return list(dict.fromkeys(options))


# A plural in "-īn" that begins an Arabic construct loses its "n": "مجاهدين" (mujāhidīn)
# is "مجاهدي خلق" (mujāhidī khalq) in Arabic, where Persian writes "مجاهدین خلق".
_PLURAL_N, _YEH = "\u06cc\u0646", "\u06cc"  # folded: Persian yeh (and noon)
_CONSTRUCT_MIN_LETTERS = 4


def _construct_form(option: str) -> str | None:
    """The other form of a word that may begin a construct: "-ین" ↔ "-ی" (folded)."""
    if " " in option or len(option) < _CONSTRUCT_MIN_LETTERS:
        return None
    if option.endswith(_PLURAL_N):
        return option[:-1]
    if option.endswith(_YEH) and _has_arabic_script(option):
        return option + "\u0646"
    return None


# Persian verb prefixes and plural and comparative suffixes (normalizing.AFFIX_GAP): a writer
# joins them to their word, or puts a non-joiner or a space between. Text is read as written
# (a non-joiner separates tokens as a space does), so an alias gets the other spellings as
# patterns of its own. A prefix or suffix that stands alone is joined to its word as search
# joins it; a joined word is cut only where it reads as one: after "می"/"نمی" a verb, which
# ends in a personal ending (م, ی, د, ت: "میخواهم", "نمیخواهد", "میرفت") and keeps at least
# two letters ("میز", table, and "میدان", square, are not "می" + "ز" or "دان"); before a suffix
# a stem of two letters or more ("رها" stays whole). The same holds for joining, so an alias
# that writes "می دان" does not find "میدان" either. Known look-alikes the spelling cannot
# tell: "تنها" (alone) and "تن ها" (bodies), "دکتر" (doctor) and "دک تر".
_STEM_MIN_LETTERS = 2
_VERB_ENDINGS = frozenset("\u0645\u06cc\u062f\u062a")  # م ی د ت, folded


def _may_be_verb_after_prefix(rest: str) -> bool:
    return len(rest) >= _STEM_MIN_LETTERS and rest[-1] in _VERB_ENDINGS


def _joins(first: str, second: str) -> bool:
    """Whether two folded words written apart are one word's prefix and rest, or stem and
    suffix (`joins_affix`, with the stems this matcher asks for)."""
    if not joins_affix(first, second):
        return False
    if first in VERB_PREFIXES and _may_be_verb_after_prefix(second):
        return True
    return second in NOUN_SUFFIXES and len(first) >= _STEM_MIN_LETTERS


def _affix_cut(word: str) -> str | None:
    """A joined folded word cut before its stem or suffix ("نمیخواهد" → "نمی خواهد",
    "کتابها" → "کتاب ها"), or None when it holds no prefix or suffix."""
    for prefix in VERB_PREFIXES:
        rest = word.removeprefix(prefix)
        if rest != word and _joins(prefix, rest):
            return f"{prefix} {rest}"
    for suffix in NOUN_SUFFIXES:
        stem = word.removesuffix(suffix)
        if stem != word and _joins(stem, suffix):
            return f"{stem} {suffix}"
    return None


def persian_affix_spellings(pattern: str) -> list[str]:
    """`pattern` (skeletons joined by spaces) and its spellings with each prefix or suffix
    written the other way: joined where it stands apart, apart where it is joined. The
    pattern as written comes first. Past `MAX_VARIANTS` spellings, only the pattern as
    written and the one with every prefix and suffix written the other way. (Each of the
    alias's possessive and construct variants gets these: an alias of many words may have
    up to MAX_VARIANTS times as many patterns.)"""
    words = pattern.split(" ")
    units: list[list[str]] = []
    index = 0
    while index < len(words):
        word = words[index]
        if index + 1 < len(words) and _joins(word, words[index + 1]):
            units.append([f"{word} {words[index + 1]}", word + words[index + 1]])
            index += 2
            continue
        cut = _affix_cut(word)
        units.append([word, cut] if cut else [word])
        index += 1
    if len(units) == len(words) and all(len(unit) == 1 for unit in units):
        return [pattern]
    if math.prod(len(unit) for unit in units) > MAX_VARIANTS:
        other = " ".join(unit[-1] for unit in units)
        return list(dict.fromkeys([pattern, other]))
    return list(dict.fromkeys(" ".join(parts) for parts in itertools.product(*units)))


def alias_patterns(alias: str) -> list[str]:
    """The automaton keys for one alias, each " tok tok " (none if nothing could match)."""
    acronym = acronym_of(alias)
    if acronym:
        forms = [acronym, acronym_plural(acronym)]
        keys = (skeleton(fold(form)) for form in forms if form)
        return list(dict.fromkeys(f" {key} " for key in keys if key))
    tokens, separators = split_tokens(alias)
    words: list[list[str]] = []
    for index, token in enumerate(tokens):
        if index and separators[index - 1] in APOSTROPHES:
            words[-1].append(token)
        else:
            words.append([token])
    choices = [_word_options(pieces) for pieces in words]
    for options in choices[:-1]:  # every word but the last: the first term of a construct
        options += [form for form in map(_construct_form, options) if form and form not in options]
    if math.prod(len(options) for options in choices) > MAX_VARIANTS:
        choices = [
            options[:2] if len(pieces) > 1 else options[:1]
            for options, pieces in zip(choices, words, strict=True)
        ]
    patterns = (" ".join(part for part in parts if part) for parts in itertools.product(*choices))
    spelled = (spelling for pattern in patterns if pattern for spelling in _spellings(pattern))
    return list(dict.fromkeys(f" {pattern} " for pattern in spelled))


def _spellings(pattern: str) -> list[str]:
    """`persian_affix_spellings`, skipped for a pattern without Arabic script (every Latin one):
    building a large English watchlist costs what it did."""
    if not _has_arabic_script(pattern):
        return [pattern]
    return persian_affix_spellings(pattern)


class Matcher:
    """Finds the entities of a watchlist in a headline and a text, in one automaton pass each.

    Build once per watchlist version (`Matcher.build`) and reuse: finding is read-only, so one
    matcher can serve many threads.
    """

    def __init__(
        self,
        automaton: ahocorasick.Automaton | None,
        alias_count: int,
        ignored: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._automaton = automaton
        self.alias_count = alias_count
        # (entity, alias) pairs with nothing to match on: no letters ("42"), or only "al".
        self.ignored = ignored

    @classmethod
    def build(cls, entities: Mapping[str, Iterable[str]]) -> Matcher:
        """Compile entity name → aliases; the name itself is an alias too."""
        keyed: dict[str, list[_Alias]] = {}
        ignored: list[tuple[str, str]] = []
        rank = 0
        for entity, aliases in entities.items():
            given = [aliases] if isinstance(aliases, str) else list(aliases)
            for alias in dict.fromkeys(text.strip() for text in (entity, *given)):
                if not alias:
                    continue
                # An alias without letters ("3", "1984") is a number, not a name; skipping it
                # also keeps callers that key entities by database id from matching that id.
                patterns = alias_patterns(alias) if any(c.isalpha() for c in alias) else []
                if not patterns:
                    ignored.append((entity, alias))
                    continue
                item = _Alias(
                    entity,
                    alias,
                    acronym_of(alias),
                    rank,
                    capitals_only(alias),
                    article_words(alias),
                    leading_article(alias),
                )
                rank += 1
                for pattern in patterns:
                    keyed.setdefault(pattern, []).append(item)
        if not keyed:
            return cls(None, 0, tuple(ignored))
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for pattern, items in keyed.items():
            automaton.add_word(pattern, (len(pattern), pattern.count(" ") - 1, tuple(items)))
        automaton.make_automaton()
        return cls(automaton, rank, tuple(ignored))

    def find(self, headline: str = "", text: str = "") -> list[Match]:
        """Every mention, ordered by field (headline first) and then by start offset."""
        found: list[tuple[Match, bool]] = []
        for field, value in (("headline", headline), ("text", text)):
            if value:
                found.extend(self._find_in(field, value))
        return _corroborated(found)

    def entities_in(self, headline: str = "", text: str = "") -> set[str]:
        """The names of the entities mentioned at least once."""
        return {match.entity for match in self.find(headline, text)}

    def _find_in(self, field: str, value: str) -> list[tuple[Match, bool]]:
        """The mentions in one field, each with whether it is an acronym in shouted text (and
        counts only if corroborated: `_corroborated`)."""
        if self._automaton is None:
            return []
        # Stage 2: one C-speed pass each for tokens, cached skeletons and the automaton.
        tokens = token_texts(value)
        skeletons = list(map(SKELETONS.__getitem__, tokens))
        scanned = " " + " ".join(filter(None, skeletons)) + " "
        hits = list(self._automaton.iter(scanned))
        if not hits:
            return []
        # Stage 4, paid for only when something matched: the n-th token of `scanned` follows
        # its (n+1)-th space, and connectors (empty skeletons) are not in it.
        kept = list(itertools.compress(range(len(skeletons)), skeletons))
        token_at = _token_indices(scanned, {end - size + 2 for end, (size, _, _) in hits})
        found = [(token_at[end - size + 2], length, items) for end, (size, length, items) in hits]
        needed = max(first + length for first, length, _ in found)  # tokens up to the last hit
        spans = token_spans(value, count=kept[needed - 1] + 1)
        candidates: dict[tuple[int, int], list[_Alias]] = {}
        for first, length, items in found:
            last_end = spans[kept[first + length - 1]][1]
            word_span = visible_span(value, spans[kept[first]][0], last_end)
            article_span = None  # from an "al"/"el" before the first word, if any alias asks
            if any(item.leading_article for item in items):
                article = _article_before(tokens, kept, first)
                if article is not None:
                    article_span = visible_span(value, spans[article][0], last_end)
            for item in items:
                span = word_span
                if item.leading_article:
                    # Stage 3 and 4 for an alias that begins with "al"/"el".
                    if article_span is None and item.leading_article == ARTICLE_APART:
                        continue
                    span = article_span or word_span
                # Stage 3.
                if item.acronym and not _written_as_acronym(value[slice(*span)], item.acronym):
                    continue
                if item.acronym and _in_an_address(value, *span):
                    continue
                if item.capitals and not _in_capitals(value[slice(*span)]):
                    continue
                if item.articles and not item.articles <= article_words(value[slice(*span)]):
                    continue
                candidates.setdefault(span, []).append(item)
        shouting = Shouting(value)
        return [
            (
                self._match(field, value, span, item),
                bool(item.acronym or item.capitals) and shouting.covers(*span),
            )
            for span in _longest_first(candidates)
            for item in _one_per_entity(value[slice(*span)], candidates[span])
        ]

    @staticmethod
    def _match(field: str, value: str, span: tuple[int, int], item: _Alias) -> Match:
        start, end = span
        matched = value[start:end]
        return Match(
            entity=item.entity,
            alias=item.alias,
            field=field,
            start=start,
            end=end,
            matched_text=matched,
            reason=explain(item.alias, matched, acronym=bool(item.acronym)),
        )


def _token_indices(scanned: str, positions: Iterable[int]) -> dict[int, int]:
    """Token index for each token start in `scanned`, counting spaces once from left to right."""
    indices: dict[int, int] = {}
    index, previous = -1, 0
    for position in sorted(positions):
        index += scanned.count(" ", previous, position)
        indices[position] = index
        previous = position
    return indices


def _longest_first(candidates: Mapping[tuple[int, int], object]) -> list[tuple[int, int]]:
    """Stage 5: keep the longest of overlapping spans (the earlier one on a tie), in text order."""
    chosen: list[tuple[int, int]] = []  # sorted and disjoint, so only neighbours can overlap
    for start, end in sorted(candidates, key=lambda span: (span[0] - span[1], span[0])):
        index = bisect_left(chosen, (start, end))
        if index and chosen[index - 1][1] > start:
            continue
        if index < len(chosen) and chosen[index][0] < end:
            continue
        chosen.insert(index, (start, end))
    return chosen


def _one_per_entity(matched: str, items: list[_Alias]) -> list[_Alias]:
    """Stage 5 for one span: per entity, the alias written most like the text."""
    if len(items) == 1:
        return items
    folded = fold(matched)

    def closeness(item: _Alias) -> tuple[int, int]:
        if item.alias == matched:
            return (0, item.rank)
        return (1 if fold(item.alias) == folded else 2, item.rank)

    best: dict[str, _Alias] = {}
    for item in sorted(items, key=closeness):
        best.setdefault(item.entity, item)
    return sorted(best.values(), key=lambda item: item.rank)


# Stage 5, over the whole article: acronyms in shouted text.
#
# An acronym alias is found only where it is written in capitals, because "WHO", "IT" and
# "EU" in capitals name the World Health Organization, an IT department and the European
# Union, while "who" and "it" are words. Text written all in capitals ("WHO KILLED THE
# HARBOUR MASTER?", "IT IS OVER FOR THE MAYOR") writes every word so, and there the capitals
# tell nothing: such a hit counts only when the article names the same entity where they do
# tell, either the acronym written in capitals among words that are not ("the WHO said"), or
# another alias of the entity anywhere ("World Health Organization", also in capitals, which
# is matched in any case anyway). The match's reason then says what corroborated it.
#
# Shouted text is one of:
# a. a line (a headline is one) whose words are all in capitals ("WHO WARNS OF MEASLES",
#    "NATO, EU AND UN LEADERS MEET");
# b. in a line of mixed case, a stretch of at least `SHOUTED_MIN_WORDS` consecutive words in
#    capitals within a sentence ("Update: IT IS OVER FOR THE MAYOR, aides say").
# Either way two of its words must stand side by side with nothing but spaces between them,
# as the words of a phrase do: acronyms listed in running text are set apart by commas,
# slashes or "and" ("the US, UK, EU", "the MEK and NCRI said", "PMOI/MEK"), and are mentions.
# Words without letters ("2024", "—") or of one letter ("A", "I") neither count nor break a
# stretch, though they part its words (they are not side by side); a word of a script
# without case (Persian, Arabic) is a word not in capitals, so Persian or Arabic text around
# an acronym is never shouted. Known limit: three acronyms side by side in running text ("the
# US EU UK talks") read as shouted, and one of them counts only when corroborated.
SHOUTED_MIN_WORDS = 3
_LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")
_LINE = re.compile(r"[^\n\r\v\f\x85\u2028\u2029]+")
# A word: characters other than spaces, ended also by a full stop, "!" or "?" after two word
# characters and before a letter: a sentence that lost its space ("MEK.THE POLICE").
_WORD = re.compile(r"(?:[^\s.!?]|(?<!\w\w)[.!?]|[.!?](?![^\W\d_]))+")
_CLOSING = "\"'’”»)]"
_DOTTED = re.compile(r"\W*(?:[^\W\d_]\.)+")  # "U.S.", "M.E.K.", an initial "J.": no sentence end
_CAPITALS, _NOT_CAPITALS, _NO_LETTERS = "capitals", "not capitals", "no letters"
_MODIFIER_APOSTROPHES = "ʼʻ"


def _written_in(word: str) -> str:
    """Whether a word's letters are all capitals, or it has one that is not (a small letter, a
    letter of a script without case), or it has no letters to tell. Modifier apostrophes
    ("ʼ") are letters to Unicode but apostrophes to a reader. A word of one capital letter
    tells nothing either: "A" begins sentences and "I" is written so in any text ("A UN WHO
    mission")."""
    capitals = 0
    for char in word:
        if char.isupper():
            capitals += 1
        elif char.isalpha() and char not in _MODIFIER_APOSTROPHES:
            return _NOT_CAPITALS
    return _CAPITALS if capitals > 1 else _NO_LETTERS


def _ends_a_sentence(word: str, gap: str) -> bool:
    """Whether a sentence ends after `word`, followed by `gap` (the text up to the next word)."""
    if any(char in ".!?" for char in gap):
        return True
    word = word.rstrip(_CLOSING)
    if word.endswith(("!", "?")):
        return True
    return word.endswith(".") and not _DOTTED.fullmatch(word)


def _side_by_side(left: str, gap: str, right: str) -> bool:
    """Two words written as a phrase: only spaces between them, no punctuation at the join."""
    return gap.isspace() and left[-1:].isalnum() and right[:1].isalnum()


def shouted_spans(line: str) -> list[tuple[int, int]]:
    """The spans of `line` (no line breaks in it) that are written all in capitals, in the
    sense of the rule above: the whole line, or its shouted stretches."""
    words = list(_WORD.finditer(line))
    kinds = [_written_in(word.group()) for word in words]
    gaps = [line[a.end() : b.start()] for a, b in itertools.pairwise(words)]
    # side[i]: words i and i + 1 are both in capitals and stand side by side.
    side = [
        kinds[index] == kinds[index + 1] == _CAPITALS
        and _side_by_side(words[index].group(), gap, words[index + 1].group())
        for index, gap in enumerate(gaps)
    ]
    capitals = [index for index, kind in enumerate(kinds) if kind == _CAPITALS]
    if capitals and _NOT_CAPITALS not in kinds:
        return [(words[capitals[0]].start(), words[capitals[-1]].end())] if any(side) else []
    spans: list[tuple[int, int]] = []
    stretch: list[int] = []  # indices of the words in capitals of the current stretch
    for index, kind in enumerate(kinds):
        if kind == _CAPITALS:
            stretch.append(index)
        ends = kind == _NOT_CAPITALS or (
            index < len(gaps) and _ends_a_sentence(words[index].group(), gaps[index])
        )
        if ends or index == len(kinds) - 1:
            if len(stretch) >= SHOUTED_MIN_WORDS and any(side[i] for i in stretch[:-1]):
                spans.append((words[stretch[0]].start(), words[stretch[-1]].end()))
            stretch = []
    return spans


class Shouting:
    """Which spans of a field are shouted text, worked out line by line, and only for the lines
    where an acronym may be in capitals among capitals (`covers`)."""

    def __init__(self, value: str) -> None:
        self._value = value
        self._lines: list[tuple[int, int]] | None = None
        self._spans: dict[int, list[tuple[int, int]]] = {}

    def _next_letter_is_a_capital(self, position: int, step: int) -> bool:
        """Whether the first letter from `position` on, going by `step`, on the same line, is a
        capital."""
        value = self._value
        while 0 <= position < len(value) and value[position] not in _LINE_BREAKS:
            char = value[position]
            if char.isalpha() and char not in _MODIFIER_APOSTROPHES:
                return char.isupper()
            position += step
        return False

    def covers(self, start: int, end: int) -> bool:
        """Whether the span `start`-`end` lies in shouted text."""
        # Shouted text around a hit has a capital word beside it (after words without letters
        # or of one capital), so the letters on either side of most hits, small ones ("the MEK
        # said") settle it without reading the line.
        if not (
            self._next_letter_is_a_capital(start - 1, -1) or self._next_letter_is_a_capital(end, 1)
        ):
            return False
        if self._lines is None:
            self._lines = [line.span() for line in _LINE.finditer(self._value)]
        index = bisect_left(self._lines, (start + 1,)) - 1
        if index < 0:
            return False
        line_start, line_end = self._lines[index]
        if index not in self._spans:
            line = self._value[line_start:line_end]
            self._spans[index] = [(line_start + a, line_start + b) for a, b in shouted_spans(line)]
        return any(a < end and start < b for a, b in self._spans[index])


def _corroborated(found: list[tuple[Match, bool]]) -> list[Match]:
    """Stage 5 over the article: the matches, less each acronym in shouted text whose entity
    the article names nowhere else; one kept says so in its reason."""
    witnesses: dict[str, Match] = {}
    for match, shouted in found:
        if not shouted:
            witnesses.setdefault(match.entity, match)
    kept: list[Match] = []
    for match, shouted in found:
        if not shouted:
            kept.append(match)
        elif (witness := witnesses.get(match.entity)) is not None:
            kept.append(replace(match, reason=f"{match.reason}; {corroboration(match, witness)}"))
    return kept


def corroboration(match: Match, witness: Match) -> str:
    """In words why an acronym in shouted text counts: where else the article names it."""
    shown = " ".join(witness.matched_text.split())
    where = f"the {witness.field}"
    if witness.alias == match.alias:
        return (
            f"in text written all in capitals, counted because {where} also writes “{shown}” "
            "where capitals tell"
        )
    return (
        f"in text written all in capitals, counted because {where} also names the entity "
        f"as “{shown}”"
    )


# Stage 6. A step is named in the reason when the match would fail without it; each step
# switches off one part of the normalisation that matching applies.
_STEPS = (
    ("construct", "Arabic construct form, its final “ن” dropped"),
    ("transliteration", "transliteration variant"),
    ("article", f"ignoring the article “{ARABIC_ARTICLE}”"),
    ("connectors", ""),  # worded from the connectors involved
    ("letters", "unifying letter forms"),
    ("digits", "reading digits as 0-9"),
    ("compatibility", "reading full-width, ligature and presentation forms as plain letters"),
    ("diacritics", "ignoring diacritics"),
    ("case", "ignoring case"),
    ("separators", ""),  # worded from the separator characters involved
)
_SEPARATOR_KINDS = (
    "hyphens",
    "apostrophes",
    "dots",
    "punctuation",
    "zero-width non-joiners",
    "line breaks",
    "spacing",
)


def _comparison_key(text: str, skip: str) -> tuple[str, ...]:
    """What matching compares, with the one step `skip` left out."""
    tokens, separators = split_tokens(text)
    units: list[str] = []
    gaps: list[str] = []
    for index, token in enumerate(tokens):
        if index and skip != "separators" and separators[index - 1] in APOSTROPHES:
            units[-1] += token
        else:
            units.append(token)
            gaps.append(separators[index] if index < len(separators) else "")
    key: list[str] = []
    last = len(units) - 1
    for index, (unit, gap) in enumerate(zip(units, gaps, strict=True)):
        folded = fold_piece(
            unit,
            case=skip != "case",
            marks=skip != "diacritics",
            letters=skip != "letters",
            digits=skip != "digits",
            compatibility=skip != "compatibility",
        )
        if skip == "connectors" or folded.casefold() not in CONNECTORS:
            if skip != "article":
                folded = strip_arabic_article(folded)
            if skip != "transliteration":
                folded = transliteration_key(folded)
            if skip != "construct" and index < last and folded.endswith(_PLURAL_N):
                folded = folded[:-1]  # "-ین" and "-ی" compare alike (alias_patterns)
            key.append(folded)
        if skip == "separators":
            key.append(gap)
    return tuple(key)


def _connector_note(alias: str, matched: str) -> str:
    def connectors(text: str) -> set[str]:
        return {fold(token) for token in split_tokens(text)[0]} & CONNECTORS

    differing = connectors(alias) ^ connectors(matched)
    ezafe = "/".join(f"“-{form}”" for form in sorted(differing & EZAFE))
    article = "/".join(f"“{form}-”" for form in sorted(differing - EZAFE))
    notes = [
        f"optional ezafe {ezafe}" if ezafe else "",
        f"optional article {article}" if article else "",
    ]
    return ", ".join(note for note in notes if note) or "optional connector"


def _separator_kind(char: str) -> str:
    category = unicodedata.category(char)
    if char in APOSTROPHES:
        return "apostrophes"
    if char == ZWNJ:
        return "zero-width non-joiners"
    if char in _LINE_BREAKS:
        return "line breaks"
    if char.isspace() or category == "Cf":
        return "spacing"
    if category == "Pd" or char == "\u2212":
        return "hyphens"
    if char == ".":
        return "dots"
    return "punctuation"


def _separator_note(alias: str, matched: str) -> str:
    # Separator by separator, in order: counted, "Peoples'" for "People's" (the same
    # characters elsewhere) read as spacing alone.
    pairs = itertools.zip_longest(split_tokens(alias)[1], split_tokens(matched)[1], fillvalue="")
    differing = {
        _separator_kind(char) for ours, theirs in pairs if ours != theirs for char in ours + theirs
    }
    kinds = [kind for kind in _SEPARATOR_KINDS if kind in differing]
    if len(kinds) > 1 and "spacing" in kinds:
        kinds.remove("spacing")  # a hyphen or line break replaced by a space is not news
    return "ignoring " + " and ".join(kinds or ["spacing"])


def _has_arabic_script(text: str) -> bool:
    return any("\u0600" <= char <= "\u06ff" for char in text)


def _affixes_joined(text: str) -> tuple[str, list[tuple[str, str]]]:
    """`text` with each Persian prefix or suffix that stands apart joined to its word, and how
    `text` writes each one: (affix, "joined" / "apart" / "with a non-joiner")."""
    tokens, separators = split_tokens(text)
    spans = token_spans(text)
    words = [fold_token(token) for token in tokens]
    found: list[tuple[str, str]] = []
    cuts: list[tuple[int, int]] = []  # the separators to leave out
    for index, word in enumerate(words):
        if index + 1 < len(words) and word in VERB_PREFIXES and _joins(word, words[index + 1]):
            gap = index
        elif index and word in NOUN_SUFFIXES and _joins(words[index - 1], word):
            gap = index - 1
        else:
            cut = _affix_cut(word)
            if cut:
                prefix, rest = cut.split(" ")
                found.append((prefix if prefix in VERB_PREFIXES else rest, "joined"))
            continue
        found.append((word, "with a non-joiner" if separators[gap] == ZWNJ else "apart"))
        cuts.append((spans[gap][1], spans[gap + 1][0]))
    for start, end in reversed(cuts):
        text = text[:start] + text[end:]
    return text, found


@lru_cache(maxsize=4096)
def explain(alias: str, matched: str, *, acronym: bool = False) -> str:
    """In words why `matched` (the original text) counts as a mention of `alias`."""
    shown = " ".join(matched.split())
    if acronym:
        if matched == alias:
            return f"acronym “{alias}” as a whole word"
        plural = acronym_plural(acronym_of(alias))
        if plural and _without_invisibles(matched.replace(".", "")) == plural:
            return f"acronym “{alias}” as “{shown}”, its plural"
        return f"acronym “{alias}” as “{shown}”, a whole word"
    if matched == alias:
        return f"matched alias “{alias}” exactly"
    # A Persian prefix or suffix is said once, how the text writes it; the other steps compare
    # the words with it joined, or its space read as "ignoring spacing".
    alias_joined, alias_affixes = _affixes_joined(alias)
    matched_joined, matched_affixes = _affixes_joined(matched)
    notes = [
        f"the Persian {'prefix' if affix in VERB_PREFIXES else 'suffix'} “{affix}” written {how}"
        for affix, how in dict.fromkeys(matched_affixes)
        if (affix, how) not in alias_affixes
    ]
    for step, note in _STEPS:
        # Joined, so that a word cut in two by a lost apostrophe ("People s") compares as
        # the alias's word: compared as tokens, every step seemed needed to find it.
        if "".join(_comparison_key(alias_joined, step)) == "".join(
            _comparison_key(matched_joined, step)
        ):
            continue
        if step == "letters" and _has_arabic_script(alias + matched):
            note = "unifying Arabic and Persian letter forms"
        elif step == "connectors":
            note = _connector_note(alias_joined, matched_joined)
        elif step == "separators":
            note = _separator_note(alias_joined, matched_joined)
        notes.append(note)
    return f"matched alias “{alias}” as “{shown}” ({', '.join(notes) or 'same folded form'})"
