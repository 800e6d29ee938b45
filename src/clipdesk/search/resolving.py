"""From names in a parsed query to ids and alias groups: the part of a query that needs the DB.

1. Aliases. A clause that names a watched entity — its name or any alias, compared by the
   watchlist matcher's `skeleton` of each folded word, so "Mujahideen Khalq" names the entity
   whose alias is "Mojahedin-e Khalq" — becomes "any of the entity's aliases". Neighbouring
   bare words are tried together, longest first ("people's mojahedin organization of iran
   protest" finds the alias in the first five words). Quoted phrases and excluded clauses are
   expanded only when they are a whole alias; prefixes never are.
2. Filters. outlet: matches an outlet's slug, name or one of its aliases; entity: an entity's
   name or alias; tag: a tag's slug or name; all folded, so case and accents do not matter.
   A name that matches nothing filters everything out, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify

from clipdesk.digest.models import Outlet, Tag
from clipdesk.search.query import AnyOf, Clause, Filters, Node, Phrase, Term, node_for
from clipdesk.watch.models import Alias, Entity
from clipdesk.watch.normalizing import fold, skeleton

Key = tuple[str, ...]


def key_of_words(words: tuple[str, ...] | list[str]) -> Key:
    """The alias key of folded words: their skeletons, connectors ("e", "al") left out."""
    return tuple(filter(None, (skeleton(word) for word in words)))


def key_of(text: str) -> Key:
    return key_of_words(fold(text).split(" "))


def _node_words(node: Node) -> tuple[str, ...] | None:
    if isinstance(node, Term) and not node.prefix:
        return (node.text,)
    if isinstance(node, Phrase) and not node.prefix:
        return node.words
    return None


@dataclass
class AliasBook:
    """Every watched entity's names, by key."""

    entity_of: dict[Key, int] = field(default_factory=dict)
    names: dict[int, list[str]] = field(default_factory=dict)  # entity → name, then aliases
    longest: int = 0

    @classmethod
    def load(cls) -> AliasBook:
        book = cls()
        for entity_id, name in Entity.objects.order_by("name", "id").values_list("id", "name"):
            book.names[entity_id] = [name]
        for entity_id, text in Alias.objects.order_by("text", "id").values_list(
            "entity_id", "text"
        ):
            book.names.setdefault(entity_id, []).append(text)
        for entity_id, names in book.names.items():
            for name in names:
                key = key_of(name)
                if key:
                    # Two entities sharing an alias: the first keeps it (entities by name).
                    book.entity_of.setdefault(key, entity_id)
                    book.longest = max(book.longest, len(key))
        return book


@dataclass
class Expansion:
    include: list[Node]
    exclude: list[Node]
    also_searched: list[str]  # the names searched besides what was typed, for readers
    entities: list[int]


class _Expander:
    def __init__(self, book: AliasBook) -> None:
        self.book = book
        self.also: dict[str, str] = {}  # folded → as written
        self.typed: set[str] = set()
        self.entities: list[int] = []

    def group(self, entity_id: int, typed: Node, source: str) -> Node:
        """Any of the entity's names, plus what the reader typed (it may be a new spelling)."""
        options: dict[Node, None] = {typed: None}
        self.typed.add(fold(source))
        for name in self.book.names[entity_id]:
            node = node_for(name)
            if node is not None:
                options.setdefault(node, None)
                self.also.setdefault(fold(name), name)
        if entity_id not in self.entities:
            self.entities.append(entity_id)
        return AnyOf(tuple(options)) if len(options) > 1 else typed

    def whole(self, clause: Clause) -> Node:
        words = _node_words(clause.node)
        entity = self.book.entity_of.get(key_of_words(words)) if words else None
        if entity is None:
            return clause.node
        return self.group(entity, clause.node, clause.source)

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
                nodes.append(clause.node)
                index += 1
                continue
            end, entity = found
            run = clauses[index:end]
            words = tuple(w for c in run for w in _node_words(c.node) or ())
            typed: Node = Term(words[0]) if len(words) == 1 else Phrase(words)
            nodes.append(self.group(entity, typed, " ".join(c.source for c in run)))
            index = end
        return nodes

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
    excluded = [expander.whole(clause) for clause in exclude]
    also = [name for folded, name in expander.also.items() if folded not in expander.typed]
    return Expansion(included, excluded, also, expander.entities)


# -- filters ------------------------------------------------------------------------------


@dataclass
class ResolvedFilters:
    outlets: frozenset[int] | None = None
    entities: frozenset[int] | None = None
    tags: frozenset[int] | None = None
    langs: frozenset[str] | None = None
    notes: list[str] = field(default_factory=list)


def _outlet_ids(value: str) -> set[int]:
    wanted, slug = fold(value), slugify(value)
    found: set[int] = set()
    for outlet_id, name, outlet_slug, aliases in Outlet.objects.values_list(
        "id", "name", "slug", "aliases"
    ):
        names = [name, *(a for a in aliases or [] if isinstance(a, str))]
        if outlet_slug == slug or wanted in {fold(n) for n in names}:
            found.add(outlet_id)
    return found


def _tag_ids(value: str) -> set[int]:
    wanted, slug = fold(value), slugify(value)
    return {
        tag_id
        for tag_id, name, tag_slug in Tag.objects.values_list("id", "name", "slug")
        if tag_slug == slug or fold(name) == wanted
    }


def _entity_ids(value: str, book: AliasBook) -> set[int]:
    key = key_of(value)
    found = {book.entity_of[key]} if key in book.entity_of else set()
    # An alias shared by two entities names both.
    for entity_id, names in book.names.items():
        if any(key_of(name) == key for name in names):
            found.add(entity_id)
    return found


def resolve_filters(filters: Filters, book: AliasBook) -> ResolvedFilters:
    resolved = ResolvedFilters()
    for name, attribute, values, finder in (
        ("outlet", "outlets", filters.outlet, _outlet_ids),
        ("tag", "tags", filters.tag, _tag_ids),
        ("entity", "entities", filters.entity, lambda value: _entity_ids(value, book)),
    ):
        if not values:
            continue
        ids: set[int] = set()
        for value in values:
            found = finder(value)
            if not found:
                resolved.notes.append(f"No {name} is called “{value}”.")
            ids |= found
        setattr(resolved, attribute, frozenset(ids))
    if filters.lang:
        resolved.langs = frozenset(value.strip().lower() for value in filters.lang)
    return resolved
