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

Pure functions over an `AliasBook` (entity id → names); `resolving.load_alias_book` fills
one from the watchlists, and the benchmark builds one from made-up names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clipdesk.search.query import AllOf, AnyOf, Clause, Node, Phrase, Term, node_for, spellings
from clipdesk.search.words import entity_word, tokens
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

    entity_of: dict[Key, int] = field(default_factory=dict)
    names: dict[int, list[str]] = field(default_factory=dict)  # entity → name, then aliases
    longest: int = 0
    heads: dict[str, int] = field(default_factory=dict)  # skeleton of a shortening word → entity

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
        matcher rejects. Typed as an acronym, the reader's own word is left out the same way.
        `written` is the query as typed where `source` is only its words (an OR's option).
        """
        options: dict[Node, None] = {}
        key = key_of(source)
        acronyms = [acronym_of(n) for n in self.book.names[entity_id] if acronym_of(n)]
        typed_in_capitals = any(
            key_of(acronym) == key and _in_capitals(acronym, written or source)
            for acronym in acronyms
        )
        if not typed_in_capitals:
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
        entity = self.book.entity_of.get(key) if key else None
        if entity is None and heads and isinstance(node, Term) and len(key) == 1:
            entity = self.book.heads.get(key[0])
        if entity is None:
            return node
        return self.group(entity, node, source, written)

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
            return clause.node
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
            if key and (entity := self.book.entity_of.get(key)) is not None:
                return stop, entity
        return None


def expand_aliases(include: list[Clause], exclude: list[Clause], book: AliasBook) -> Expansion:
    expander = _Expander(book)
    included = expander.runs(include)
    excluded = [expander.whole(clause, excluded=True) for clause in exclude]
    also = [name for folded, name in expander.also.items() if folded not in expander.typed]
    return Expansion(included, excluded, also, expander.entities, list(expander.acronyms))


def _in_capitals(acronym: str, written: str) -> bool:
    """Whether the query has `acronym` ("MEK") written in capitals, as a word, dotted or not
    ("MEK", "M.E.K."); "mek" is a word the reader asks for as written."""
    letters = r"\.?".join(map(re.escape, acronym))
    return re.search(rf"(?<!\w){letters}\.?(?!\w)", written) is not None
