"""The search query language, parsed into a small syntax tree that no engine sees as text.

What a reader can type:

    mojahedin khalq            every word must appear (in the title or the text)
    "camp ashraf"              a phrase: the words in this order
    -rumour  -"fake news"      leave out documents with this word or phrase
    paris OR berlin            either word (OR in capitals binds two neighbours)
    mojah*                     a word beginning with "mojah" (at least two characters;
                               "北京*" is "北京", whose characters are words of their own)
    "maryam raj*"              a phrase whose last word begins with "raj"
    outlet:guardian  outlet:"Le Monde"   entity:MEK  tag:protests  lang:fa
    from:2019  to:2020-06  from:2019-02-14

Stages of `parse`:
1. Clean: drop NUL and other control characters, cut the text at MAX_QUERY_CHARS.
2. Lex into words, quoted phrases (an unbalanced quote closes at the end), `-`, `OR`, and
   `name:value` filters. A lone `-`, `*` or `OR` with nothing to bind is dropped with a note.
3. Fold each word with the watchlist matcher's `fold` (case, accents, Persian/Arabic letter
   forms, ZWNJ), less a possessive or an elision (words.py), as documents are folded for
   the index. A word that folds to several tokens ("Mojahedin-e-Khalq", "foo:bar", "NEAR(a")
   becomes a phrase; one that folds to nothing (punctuation) disappears. A word cut by a
   zero-width non-joiner ("می‌خواهد") is a phrase of its parts that also matches the word
   whole ("میخواهد", `Phrase.joined`), as writers spell it without the non-joiner. So are
   two bare words that are a Persian prefix and its word or a word and its suffix typed with
   a space for the non-joiner ("می خواهد", "کتاب ها"; words.py, `joins_affix`), and a
   phrase that writes one so.
4. Group `a OR b OR c` into one clause; everything else is a separate clause that must match.

Engines never receive the user's text: `backends` compile the tree into tantivy query objects
or into a tsquery whose every lexeme is quoted, so FTS syntax (`NEAR(`, `^`, `col:`, `:*`,
`&`, `!`) is only ever searched for as words.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field

from clipdesk.search.words import (
    MAX_TOKEN_CHARS,
    is_unspaced_character,
    joined_tokens,
    tokens,
)
from clipdesk.watch.normalizing import fold, joins_affix

# A reader's query is a few words; past this it is pasted text, and each extra word only
# makes the engine's work longer without narrowing anything a person would notice.
MAX_QUERY_CHARS = 500
MAX_CLAUSES = 24
MIN_PREFIX = 2  # "a*" matches most of the vocabulary: a prefix of one letter is a word
FILTER_NAMES = ("outlet", "entity", "tag", "lang", "from", "to")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_QUOTES = str.maketrans(dict.fromkeys("“”„«»\u201f", '"'))
_LEXEME = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<neg>-)(?=["\w])               # "-" glued to what it excludes
  | (?P<filter>[A-Za-z]+):(?P<fvalue>"[^"]*"?|[^\s"]+)?
  | (?P<phrase>"[^"]*"?)
  | (?P<word>[^\s"]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Term:
    """One folded token; with `prefix`, any token that begins with it."""

    text: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    """Folded tokens that must appear next to each other, in order; `prefix` is for the last.

    `joined`: where the reader wrote a word with a zero-width non-joiner ("می‌خواهد"), the
    same tokens with that word whole ("میخواهد"), which the phrase matches too (words.py):
    `spellings` gives both."""

    words: tuple[str, ...]
    prefix: bool = False
    joined: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """At least one of the options: `a OR b`, or every alias of a watched entity."""

    options: tuple[Node, ...]


@dataclass(frozen=True)
class AllOf:
    """Every one of the parts, anywhere: bare words that spell a watched name, kept as words
    beside the entity's other names (aliases.py)."""

    parts: tuple[Node, ...]


Node = Term | Phrase | AnyOf | AllOf


def spellings(phrase: Phrase) -> list[Term | Phrase]:
    """The phrase as its words, then (when it has one) its `joined` spelling, a Term when that
    is one word: what an engine or a highlighter looks for, any of them."""
    found: list[Term | Phrase] = [Phrase(phrase.words, phrase.prefix)]
    if len(phrase.joined) == 1:
        found.append(Term(phrase.joined[0], phrase.prefix))
    elif phrase.joined:
        found.append(Phrase(phrase.joined, phrase.prefix))
    return found


@dataclass(frozen=True)
class Clause:
    """One part of the query that must match (or, in `exclude`, must not)."""

    node: Node
    source: str  # as typed, for notes and alias look-up
    plain: bool = False  # a bare word: neighbouring plain words may together name an entity


@dataclass
class Filters:
    """Filter values as typed; `service` resolves names to ids. Repeats of one filter are ORed."""

    outlet: list[str] = field(default_factory=list)
    entity: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def any(self) -> bool:
        return bool(
            self.outlet or self.entity or self.tag or self.lang or self.date_from or self.date_to
        )


@dataclass
class ParsedQuery:
    text: str
    include: list[Clause] = field(default_factory=list)
    exclude: list[Clause] = field(default_factory=list)
    filters: Filters = field(default_factory=Filters)
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for and nothing to filter by."""
        return not (self.include or self.exclude or self.filters.any())


def node_for(text: str, *, prefix: bool = False) -> Node | None:
    """The node for a word or phrase as typed: a Term, a Phrase, or None if nothing is left."""
    words = tokens(text)
    if not words:
        return None
    if prefix and len(words[-1]) < MIN_PREFIX:
        prefix = False
    if len(words) == 1:
        return Term(words[0], prefix)
    joined = joined_tokens(text, words) or ()
    return Phrase(tuple(words), prefix, tuple(joined))


def parse_date(value: str, *, end: bool) -> datetime.date | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (or, with `end`, the last) day it covers."""
    found = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value.strip())
    if not found:
        return None
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else (12 if end else 1)
    try:
        if found.group(3):
            return datetime.date(year, month, int(found.group(3)))
        day = calendar.monthrange(year, month)[1] if end else 1
        return datetime.date(year, month, day)
    except (ValueError, calendar.IllegalMonthError):
        return None


def _clean(text: str, notes: list[str]) -> str:
    text = _CONTROL.sub(" ", text or "").translate(_QUOTES)
    if len(text) > MAX_QUERY_CHARS:
        notes.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
        text = text[:MAX_QUERY_CHARS]
    return text.strip()


@dataclass
class _Item:
    kind: str  # "clause", "or", "neg"
    clause: Clause | None = None


def _unquote(value: str) -> tuple[str, bool]:
    """The text inside quotes, and whether the closing quote was missing."""
    if value.startswith('"'):
        closed = len(value) > 1 and value.endswith('"')
        return value[1 : -1 if closed else None], not closed
    return value, False


def _say_if_the_dates_are_reversed(query: ParsedQuery) -> None:
    """ "from:2021 to:2020" finds nothing; said so, rather than a bare "nothing matched"."""
    filters = query.filters
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        written = dict(re.findall(r"\b(from|to):(\S+)", query.text))
        query.notes.append(
            f"“from:{written.get('from', filters.date_from)}” comes after "
            f"“to:{written.get('to', filters.date_to)}”: no day lies between them; swap them "
            "to search that span."
        )


def _add_filter(name: str, raw: str | None, query: ParsedQuery) -> None:
    value, _ = _unquote(raw or "")
    value = value.strip()
    if not value:
        query.notes.append(f"“{name}:” needs a value after the colon; it was ignored.")
        return
    filters = query.filters
    if name in ("from", "to"):
        day = parse_date(value, end=name == "to")
        if day is None:
            query.notes.append(
                f"“{name}:{value}” is not a date (YYYY, YYYY-MM or YYYY-MM-DD); it was ignored."
            )
        elif name == "from":
            filters.date_from = day
        else:
            filters.date_to = day
        return
    getattr(filters, name).append(value[:MAX_TOKEN_CHARS])


def _lex(text: str, query: ParsedQuery) -> list[_Item]:
    items: list[_Item] = []
    unbalanced = False
    for found in _LEXEME.finditer(text):
        kind = found.lastgroup if found.lastgroup != "fvalue" else "filter"
        value = found.group()
        if kind == "space":
            continue
        if kind == "neg":
            items.append(_Item("neg"))
            continue
        if kind == "filter" and found.group("filter").lower() in FILTER_NAMES:
            if items and items[-1].kind == "neg":
                items.pop()
                query.notes.append(f"“-{value}”: filters cannot be negated; it was ignored.")
                continue
            _add_filter(found.group("filter").lower(), found.group("fvalue"), query)
            continue
        if kind == "word" and value == "OR":
            items.append(_Item("or"))
            continue
        if kind == "phrase":
            inner, missing = _unquote(value)
            unbalanced |= missing
            # "maryam raj*": a phrase whose last word is a prefix, as the same words unquoted
            # are read (the star used to be dropped, and the phrase asked for "raj" whole).
            prefix = inner.rstrip().endswith("*")
            node = node_for(inner.rstrip().rstrip("*"), prefix=prefix)
            if prefix and _prefix_too_short(node):
                query.notes.append(f"“{value}”: a prefix needs {MIN_PREFIX} letters or more.")
            clause = Clause(node, inner.strip()) if node else None
        else:  # a word, or an unknown "name:value", which is searched as words
            prefix = value.endswith("*")
            stem = value.rstrip("*")
            previous = items[-1].clause if items and items[-1].kind == "clause" else None
            if previous is not None and previous.plain and joins_affix(previous.source, stem):
                # "می خواهد", "کتاب ها": one word typed with a space for its non-joiner.
                stem = f"{previous.source} {stem}"
                items.pop()
            node = node_for(stem, prefix=prefix)
            if prefix and _prefix_too_short(node):
                query.notes.append(f"“{value}”: a prefix needs {MIN_PREFIX} letters or more.")
            clause = Clause(node, stem, plain=not prefix) if node else None
        if clause is None:
            if any(len(token) > MAX_TOKEN_CHARS for token in fold(value).split(" ")):
                query.notes.append(f"Words over {MAX_TOKEN_CHARS} characters are not searched.")
            if items and items[-1].kind == "neg":
                items.pop()
            continue
        items.append(_Item("clause", clause))
    if unbalanced:
        query.notes.append("A closing quote was missing; the phrase runs to the end.")
    return items


def _is_prefix(node: Node) -> bool:
    return isinstance(node, Term | Phrase) and node.prefix


def _prefix_too_short(node: Node | None) -> bool:
    """Whether a star was dropped because the word before it was too short ("m*"). A star
    after Chinese or Japanese ("北京*") is not: each of those characters is a search word of
    its own (words.py), so the characters searched side by side already find every longer
    word they begin, and the note said the prefix was too short where it was searched."""
    if isinstance(node, Term) and not node.prefix:
        return not is_unspaced_character(node.text)
    if isinstance(node, Phrase) and not node.prefix:
        return not is_unspaced_character(node.words[-1])
    return False


def _group(items: list[_Item], query: ParsedQuery) -> None:
    """Apply `-` and `OR` to their neighbours; whatever they cannot bind is noted and dropped."""
    dropped: set[str] = set()
    pending: list[tuple[Clause, bool]] = []  # (clause, negated) in order
    joins: list[bool] = []  # joins[i]: pending[i] is ORed with pending[i + 1]
    negate = False
    want_or = False
    for item in items:
        if item.kind == "neg":
            if negate:
                dropped.add("-")
            negate = True
            continue
        if item.kind == "or":
            if not pending or want_or or negate:
                dropped.add("OR")
            want_or = bool(pending) and not negate
            continue
        assert item.clause is not None
        if want_or and (negate or pending[-1][1]):
            dropped.add("OR")  # "a OR -b": an exclusion cannot be an alternative
            want_or = False
        if pending:
            joins.append(want_or)
        pending.append((item.clause, negate))
        negate = want_or = False
    if negate:
        dropped.add("-")
    if want_or:
        dropped.add("OR")
    if dropped:
        names = " and ".join(f"“{name}”" for name in sorted(dropped))
        query.notes.append(f"Ignored {names} with nothing to apply to.")

    groups: list[list[tuple[Clause, bool]]] = []
    for index, entry in enumerate(pending):
        if index and joins[index - 1]:
            groups[-1].append(entry)
        else:
            groups.append([entry])
    for group in groups:
        clause, negated = group[0]
        if len(group) > 1:
            options = tuple(dict.fromkeys(member.node for member, _ in group))
            source = " OR ".join(member.source for member, _ in group)
            clause = Clause(AnyOf(options) if len(options) > 1 else options[0], source)
        (query.exclude if negated else query.include).append(clause)


def parse(text: str) -> ParsedQuery:
    """Parse a reader's query; never raises, and says in `notes` what it could not use."""
    notes: list[str] = []
    cleaned = _clean(text, notes)
    query = ParsedQuery(cleaned, notes=notes)
    _group(_lex(cleaned, query), query)
    _say_if_the_dates_are_reversed(query)
    clauses = len(query.include) + len(query.exclude)
    if clauses > MAX_CLAUSES:
        query.notes.append(f"Only the first {MAX_CLAUSES} words or phrases were searched.")
        query.include = query.include[:MAX_CLAUSES]
        query.exclude = query.exclude[: max(0, MAX_CLAUSES - len(query.include))]
    if query.is_empty:
        if any(char.isalnum() for char in cleaned):
            query.notes.append("Nothing was left to search for.")
        elif cleaned:
            query.notes.append("Nothing to search for: the query has no letters or digits.")
        else:
            query.notes.append("Type a word or a phrase to search.")
    return query
