"""Watched names in a query: a clause that names an entity searches all of its aliases.

A clause that names a watched entity — its name or any alias, compared by the watchlist
matcher's `skeleton` of each folded word, so "Mujahideen Khalq" names the entity whose alias
is "Mojahedin-e Khalq" — becomes "any of the entity's aliases". Neighbouring bare words are
tried together, longest first ("people's mojahedin organization of iran protest" finds the
alias in the first five words). Quoted phrases and excluded clauses are expanded only when
they are a whole alias; prefixes never are.

A single bare word also names an entity when it is the word people shorten the entity's names
to: a word of the entity's own name that recurs in at least two of its distinct names (after
folding and transliteration) and in no other entity's. "Mujahedin" is such a word for
"Mojahedin-e Khalq" with the alias "People's Mujahedin"; "Khalq" (in one distinct name only),
"People's" (not in the entity's name) and "Maryam" of "Maryam Rajavi" are not. Whole-word
only: the word must be the whole clause, never a prefix or a part of a longer alias run.

Acronyms. The watchlist matcher finds an acronym alias ("WHO", "MEK") only where it is
written in capitals, and a document carries its entity's word where the matcher found it
(words.py, `entity_word`). A search word is folded ("who"), so a query word names an entity
through an acronym only where it is written as the acronym, capitals and all ("WHO",
"W.H.O."): it then looks for the entity word and the entity's other names, and not for the
folded word, which is in every "who knows". Written any other way ("who", "mek") it is the
word as typed and the entity too (a search box is typed in lower case, and "mek" means the
MEK under every name), unless another name of an entity is that word ("Who", an alias of
"The Who"), which it then names.
An acronym in capitals inside a longer phrase ('"the WHO warned"') keeps the phrase and also
asks for the entity word: the index has no word for "WHO in capitals here", but a document
whose phrase writes it so is one where the matcher found the entity. An option of an OR is
read against the OR as typed. `entity:` filters are names, not words: "entity:who" names the
entity whatever its case (resolving.py).

Pure functions over an `AliasBook` (entity id → names); `resolving.load_alias_book` fills
one from the watchlists, and the benchmark builds one from made-up names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clipdesk.search.query import AllOf, AnyOf, Clause, Node, Phrase, Term, node_for, spellings
from clipdesk.search.words import entity_word, tokens, words_with_spans
from clipdesk.watch.matching import acronym_of
from clipdesk.watch.normalizing import skeleton

Key = tuple[str, ...]


def key_of_words(words: tuple[str, ...] | list[str]) -> Key:
    """The alias key of folded words: their skeletons, connectors ("e", "al") left out."""
    return tuple(filter(None, (skeleton(word) for word in words)))


def key_of(text: str) -> Key:
    return key_of_words(tokens(text))


def _node_words(node: Node) -> tuple[str, ...] | None:
    if isinstance(node, Term) and not node.prefix:
        return (node.text,)
    if isinstance(node, Phrase) and not node.prefix:
        return node.words
    return None


def _loose(node: Node) -> list[Node]:
    """A bare word's tokens as words found anywhere; a word cut by a zero-width non-joiner
    ("مجاهدین‌خلق") is its parts anywhere or the word whole (`Phrase.joined`)."""
    words = [Term(word) for word in _node_words(node) or ()]
    if not (isinstance(node, Phrase) and node.joined):
        return list(words)
    whole = spellings(node)[-1]
    return [AnyOf((words[0] if len(words) == 1 else AllOf(tuple(words)), whole))]


@dataclass
class AliasBook:
    """Every watched entity's names, by key."""

    entity_of: dict[Key, int] = field(default_factory=dict)  # any name, case aside (entity:)
    names: dict[int, list[str]] = field(default_factory=dict)  # entity → name, then aliases
    longest: int = 0
    heads: dict[str, int] = field(default_factory=dict)  # skeleton of a shortening word → entity
    # What a query word names: a name that is no acronym by its key, an acronym as written.
    named: dict[Key, int] = field(default_factory=dict)
    acronyms: dict[str, int] = field(default_factory=dict)  # "WHO" → entity

    @classmethod
    def from_names(cls, names: dict[int, list[str]]) -> AliasBook:
        """Entity id → its name, then its aliases (entities in the order given)."""
        book = cls(names=names)
        owners: dict[str, set[int]] = {}
        candidates: dict[str, int] = {}
        for entity_id, entity_names in names.items():
            keys = {key for name in entity_names if (key := key_of(name))}
            for key in keys:
                # Two entities sharing an alias: the first keeps it (entities by name).
                book.entity_of.setdefault(key, entity_id)
                book.longest = max(book.longest, len(key))
                for word in set(key):
                    owners.setdefault(word, set()).add(entity_id)
            for name in entity_names:
                if acronym := acronym_of(name):
                    book.acronyms.setdefault(acronym, entity_id)
                elif key := key_of(name):
                    book.named.setdefault(key, entity_id)
            own_name = key_of(entity_names[0]) if entity_names else ()
            for word in set(own_name):
                if sum(word in key for key in keys) >= 2:
                    candidates.setdefault(word, entity_id)
        book.heads = {w: e for w, e in candidates.items() if owners[w] == {e}}
        return book


@dataclass
class Expansion:
    include: list[Node]
    exclude: list[Node]
    also_searched: list[str]  # the names searched besides what was typed, for readers
    entities: list[int]
    # Search words of the acronyms looked for through the entity word: snippets mark them
    # where they are written in capitals (snippets.py).
    acronyms: list[str] = field(default_factory=list)


class _Expander:
    def __init__(self, book: AliasBook) -> None:
        self.book = book
        self.also: dict[str, str] = {}  # folded → as written
        self.typed: set[str] = set()
        self.entities: list[int] = []
        self.acronyms: dict[str, None] = {}

    def group(self, entity_id: int, typed: Node, source: str, written: str = "") -> Node:
        """Any of the entity's names, plus what the reader typed (it may be a new spelling),
        plus where the watchlist matcher found the entity (its entity word, words.py).

        An acronym among the names ("MEK") is looked for through the entity word alone: as a
        search word it is "mek", found in every lowercase word of those letters, which the
        matcher rejects. Typed as an acronym, the reader's own word is left out the same way
        (kept where the query also writes it otherwise: "WHO OR who").
        `written` is the query as typed where `source` is only its words (an OR's option).
        """
        options: dict[Node, None] = {}
        acronyms = [acronym_of(n) for n in self.book.names[entity_id] if acronym_of(n)]
        forms = _written_forms(key_of(source), written or source)
        if not forms or not all(form in acronyms for form in forms):
            options[typed] = None
        options[Term(entity_word(entity_id))] = None
        self.typed.add(" ".join(tokens(source)))
        for name in self.book.names[entity_id]:
            node = node_for(name)
            if node is not None:
                if not acronym_of(name):
                    options.setdefault(node, None)
                self.also.setdefault(" ".join(tokens(name)), name)
        for acronym in acronyms:
            self.acronyms.update(dict.fromkeys(tokens(acronym)))
        if entity_id not in self.entities:
            self.entities.append(entity_id)
        return AnyOf(tuple(options)) if len(options) > 1 else next(iter(options))

    def whole(self, clause: Clause, *, excluded: bool = False) -> Node:
        if isinstance(clause.node, AnyOf):
            # "LF OR leaflet": each option stands for itself, so a watched name among them
            # searches all its names, as it does alone (an OR used to switch that off, and
            # the wider query found fewer posts).
            options: dict[Node, None] = {}
            for option in clause.node.options:
                words = _node_words(option)
                # A bare word in it is shortened like one alone ("Fellowship"), except in an
                # exclusion, which stays as narrow as typed.
                expanded = self._node(
                    option, " ".join(words or ()), heads=not excluded, written=clause.source
                )
                for found in expanded.options if isinstance(expanded, AnyOf) else (expanded,):
                    options.setdefault(found, None)
            return AnyOf(tuple(options))
        return self._node(clause.node, clause.source, heads=False)

    def _node(self, node: Node, source: str, *, heads: bool, written: str = "") -> Node:
        words = _node_words(node)
        key = key_of_words(words) if words else ()
        entity = self.named(key, written or source)
        if entity is None and heads and isinstance(node, Term) and len(key) == 1:
            entity = self.book.heads.get(key[0])
        if entity is None:
            return self.with_acronyms(node, written or source)
        return self.group(entity, node, source, written)

    def named(self, key: Key, written: str) -> int | None:
        """The entity that words of this key name: through an acronym where `written` (the
        query as typed) writes one in capitals, else through any other name (module doc)."""
        if not key:
            return None
        if len(key) == 1:
            for form in _written_forms(key, written):
                if (entity := self.book.acronyms.get(form)) is not None:
                    return entity
        return self.book.named.get(key, self.book.entity_of.get(key))

    def with_acronyms(self, node: Node, written: str) -> Node:
        """A phrase that writes an acronym in capitals among other words ('"the WHO warned"',
        "WHO-led"), as typed and where the matcher found the acronym's entity."""
        if not isinstance(node, Phrase):
            return node
        found: dict[Node, None] = {}
        for word in dict.fromkeys(node.words):
            for form in _written_forms(key_of_words([word]), written):
                if (entity := self.book.acronyms.get(form)) is not None:
                    found[Term(entity_word(entity))] = None
                    self.acronyms.update(dict.fromkeys(tokens(form)))
                    if entity not in self.entities:
                        self.entities.append(entity)
        return AllOf((node, *found)) if found else node

    def runs(self, clauses: list[Clause]) -> list[Node]:
        """Expand clauses, trying runs of bare words together, longest first."""
        nodes: list[Node] = []
        index = 0
        while index < len(clauses):
            clause = clauses[index]
            if not clause.plain:
                nodes.append(self.whole(clause))
                index += 1
                continue
            found = self._longest_alias_at(clauses, index)
            if found is None:
                nodes.append(self._head_word(clause))
                index += 1
                continue
            end, entity = found
            run = clauses[index:end]
            # Bare words as typed stay words found anywhere ("maryam rajavi aide" finds
            # "Maryam visited, said Rajavi's aide"); the entity's names are searched beside.
            parts = [part for c in run for part in _loose(c.node)]
            typed: Node = parts[0] if len(parts) == 1 else AllOf(tuple(parts))
            nodes.append(self.group(entity, typed, " ".join(c.source for c in run)))
            index = end
        return nodes

    def _head_word(self, clause: Clause) -> Node:
        """A bare single word that the entity's names are shortened to, or the clause as is."""
        words = _node_words(clause.node)
        key = key_of_words(words) if words and len(words) == 1 else ()
        entity = self.book.heads.get(key[0]) if len(key) == 1 else None
        if entity is None or not isinstance(clause.node, Term):
            return self.with_acronyms(clause.node, clause.source)
        return self.group(entity, clause.node, clause.source)

    def _longest_alias_at(self, clauses: list[Clause], start: int) -> tuple[int, int] | None:
        end = start
        while end < len(clauses) and clauses[end].plain:
            end += 1
        for stop in range(end, start, -1):
            words = [w for c in clauses[start:stop] for w in _node_words(c.node) or ()]
            key = key_of_words(words)
            if len(key) > self.book.longest:
                continue
            written = " ".join(c.source for c in clauses[start:stop])
            if (entity := self.named(key, written)) is not None:
                return stop, entity
        return None


def expand_aliases(include: list[Clause], exclude: list[Clause], book: AliasBook) -> Expansion:
    expander = _Expander(book)
    included = expander.runs(include)
    excluded = [expander.whole(clause, excluded=True) for clause in exclude]
    also = [name for folded, name in expander.also.items() if folded not in expander.typed]
    return Expansion(included, excluded, also, expander.entities, list(expander.acronyms))


def _written_forms(key: Key, written: str) -> list[str]:
    """How `written` (a query as typed) writes each of its words whose key is `key` (one
    word), compared as an acronym: dots and a possessive left out ("W.H.O.'s" → "WHO")."""
    if len(key) != 1:
        return []
    words, spans = words_with_spans(written)
    return [
        _POSSESSIVE.split(written[start:end], maxsplit=1)[0].replace(".", "")
        for word, (start, end) in zip(words, spans, strict=True)
        if key_of_words([word]) == key
    ]


_POSSESSIVE = re.compile("['’]")
