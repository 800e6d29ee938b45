"""How documents and queries become PostgreSQL literals and WHERE clauses (engine: postgres.py).

A document's vector and a query's tsquery are written as quoted literals of tokens already
folded by `clipdesk.watch.normalizing.fold`, so that neither PostgreSQL's parser nor its
stemmer changes what matches, and nothing a reader types is read as tsquery syntax. `Where`
keeps a query's conditions in the parts the engine arranges differently per statement;
`Estimates` weighs finding the words through the GIN index against testing them row by row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from clipdesk.search.backends import Plan
from clipdesk.search.query import AllOf, AnyOf, Node, Phrase, Term, spellings

MAX_POSITION = 16383  # PostgreSQL keeps positions up to this; larger ones are clamped
MAX_POSITIONS_PER_LEXEME = 256  # and at most this many positions of one lexeme
# A vector's size in bytes as PostgreSQL stores it, kept under its limit (1 MB less a byte)
# with room for the header and for the estimate's rounding.
MAX_VECTOR_BYTES = 1_000_000
# Documents fall in one of SAMPLE_BUCKETS fixed hash buckets; the engine counts large match
# sets on a few of them (postgres.py).
SAMPLE_BUCKETS = 1024
# The `search_pairs` index (migration 0002) keeps a hash of each pair of neighbouring words,
# one of this many values: enough that a pair's hash is shared by few other pairs, few enough
# that the index stays a third of the vector's.
PAIR_KEYS = 2**18
# What the choice between the GIN index and testing rows weighs (see `Estimates`), in
# microseconds on this kind of machine: one posting of a word read from the index, and one
# row read from the table and tested (the table is larger than PostgreSQL's own cache, so a
# row is a page copied from the system's).
POSTING_COST = 0.08
ROW_COST = 3.0


def quote_lexeme(token: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal; nothing inside is read as an operator."""
    if "'" in token or "\\" in token:
        token = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{token}'"


def tsvector_literal(
    title: Iterable[str],
    body: Iterable[str],
    joined_title: Iterable[str] = (),
    joined_body: Iterable[str] = (),
) -> str:
    """The weighted vector of a document: headline positions weight A, text positions B.

    The words of headline and text with words cut by a zero-width non-joiner whole
    (`IndexDoc.joined_title`, `joined_body`) follow, weighted the same, each after a gap: a
    phrase is found in either copy, never across them. They come last, so a long text keeps
    its own positions and only the copy's may run past MAX_POSITION.

    Written for speed (a rebuild calls it once per document): positions past MAX_POSITION
    would all be clamped to it by PostgreSQL, so only a lexeme's first one is kept.

    PostgreSQL refuses a vector over 1 MB ("string is too long for tsvector"), which a page
    of a couple of hundred thousand different words (a long list of names or codes) reaches;
    past MAX_VECTOR_BYTES no new word is added, so such a document is found by its headline
    and the words of its first megabyte instead of not at all.
    """
    places: dict[str, list[str]] = {}
    position = 0
    size = 0
    sections = (("A", title), ("B", body), ("A", joined_title), ("B", joined_body))
    for weight, tokens in sections:
        for token in tokens:
            position += 1
            found = places.get(token)
            if found is None:
                # PostgreSQL's layout: an entry, the lexeme (aligned), a count, one position.
                size += 4 + len(token.encode()) + 1 + 2 + 2
                if size > MAX_VECTOR_BYTES:
                    break
                places[token] = [f"{min(position, MAX_POSITION)}{weight}"]
            elif position <= MAX_POSITION and len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{position}{weight}")
                size += 2
        position += 1  # a gap after each section: no phrase runs from one into the next
    return " ".join(quote_lexeme(token) + ":" + ",".join(at) for token, at in places.items())


def sample_bucket(object_id: int) -> int:
    """A fixed pseudo-random bucket in 0..SAMPLE_BUCKETS-1 (Knuth's multiplicative hash).

    Migration 0002 computes the same value in SQL for rows written before it.
    """
    return ((object_id * 2654435761) % 2**32) * SAMPLE_BUCKETS >> 32


def tsquery_literal(node: Node) -> str:
    if isinstance(node, Term):
        return quote_lexeme(node.text) + (":*" if node.prefix else "")
    if isinstance(node, Phrase) and node.joined:
        return "(" + " | ".join(tsquery_literal(one) for one in spellings(node)) + ")"
    if isinstance(node, Phrase):
        words = [quote_lexeme(word) for word in node.words]
        if node.prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"
    if isinstance(node, AllOf):
        return "(" + " & ".join(tsquery_literal(part) for part in node.parts) + ")"
    assert isinstance(node, AnyOf)
    return "(" + " | ".join(tsquery_literal(option) for option in node.options) + ")"


def pairs_condition(node: Node) -> tuple[str, list] | None:
    """What a node asks of the `search_pairs` index: the neighbour pairs of its phrases.

    A phrase's document has every two neighbouring words of the phrase as a pair; the index
    holds a hash of each pair (PAIR_KEYS values), so a few documents match a pair they do not
    have, and the vector weeds them out. None where the node asks nothing of the index: a
    single word, a phrase of a word and a prefix, or any of options one of which is so.
    """
    if isinstance(node, Term):
        return None
    if isinstance(node, Phrase) and node.joined:
        return pairs_condition(AnyOf(tuple(spellings(node))))
    if isinstance(node, Phrase):
        words = node.words[:-1] if node.prefix else node.words
        pairs = [f"{first}|{second}" for first, second in pairwise(words)]
        if not pairs:
            return None
        keys = ", ".join([f"hashtext(%s) & {PAIR_KEYS - 1}"] * len(pairs))
        return f"search_pairs(vector) @> ARRAY[{keys}]", pairs
    if isinstance(node, AllOf):
        parts = [found for part in node.parts if (found := pairs_condition(part))]
        return _joined(parts) if parts else None
    assert isinstance(node, AnyOf)
    options = [pairs_condition(option) for option in node.options]
    if any(option is None for option in options):
        return None
    return _joined(options, "OR")


@dataclass(frozen=True)
class Where:
    """The conditions of a plan, in the parts the engine arranges differently per statement."""

    kind: tuple[str, list]
    # The words and phrases included and excluded, as a condition the GIN index serves...
    text: tuple[str, list] | None
    text_filter: tuple[str, list] | None  # ... and as one it cannot serve
    pairs: tuple[str, list] | None  # the phrases' neighbour pairs (their own index)
    exclude: tuple[str, list] | None  # the excluded ones alone
    filters: list[tuple[str, list]]
    # The outlet, entity and tag filters again, as conditions their GIN indexes cannot serve.
    array_filters: list[tuple[str, list]]

    def sql(
        self,
        *,
        text_indexed: bool = True,
        text: bool = True,
        filters: bool = True,
        arrays_indexed: bool = True,
    ) -> tuple[str, list]:
        """The WHERE clause and its parameters.

        `text_indexed=False` writes the words as a function call that no index serves, so
        the planner reaches the rows through the other conditions and tests the words on
        each. With phrases, the pairs index finds the candidates and the vector then checks
        them (positions, the other words) without its posting lists being read.
        """
        parts = [self.kind]
        if text:
            if self.text is None:
                parts.append(self.exclude)  # a query of exclusions only
            elif not text_indexed:
                parts.append(self.text_filter)
            elif self.pairs is not None:
                parts += [self.pairs, self.text_filter]
            else:
                parts.append(self.text)
        if filters:
            parts += self.filters if arrays_indexed else self.array_filters
        return _joined(parts)

    def estimated(self, *, text: bool = True, filters: bool = True) -> tuple[str, list]:
        """The WHERE clause that the planner estimates best: the phrases through their pairs
        (PostgreSQL estimates a phrase as if its words could be anywhere), the words through
        the vector's statistics."""
        parts = [self.kind]
        if text:
            parts += [self.pairs, self.exclude] if self.pairs else [self.text or self.exclude]
        if filters:
            parts += self.filters
        return _joined(parts)

    @property
    def has_text(self) -> bool:
        return self.text is not None or self.exclude is not None


@dataclass(frozen=True)
class Estimates:
    """The planner's estimates for a plan: documents of its kind, those with its words, those
    that pass its filters, and the matches (all conditions)."""

    documents: int
    words: int
    filtered: int
    matches: int

    def look_up(self, candidates: float) -> bool:
        """Whether to find the words through the GIN index, rather than test them on each of
        the `candidates` rows that the other conditions lead to.

        The index reads every posting of the words, cheap each but many for a common word
        (80 ms for one in all of 1M documents); testing reads each candidate row, dear each,
        and is wasted on those the words reject.
        """
        rejected = 1 - min(1.0, self.words / max(1, self.documents))
        return self.words * POSTING_COST < candidates * rejected * ROW_COST


def _joined(parts: list[tuple[str, list] | None], operator: str = "AND") -> tuple[str, list]:
    """Conditions joined with AND (or OR, then each in brackets and the whole too)."""
    present = [part for part in parts if part is not None]
    params = [value for _, values in present for value in values]
    if operator == "AND":
        return " AND ".join(sql for sql, _ in present), params
    return "(" + f" {operator} ".join(f"({sql})" for sql, _ in present) + ")", params


def where_of(plan: Plan) -> Where:
    """The conditions of a plan, in parts (see `Where`)."""
    include = " & ".join(tsquery_literal(node) for node in plan.include)
    exclude = " | ".join(tsquery_literal(node) for node in plan.exclude)
    if include and exclude:
        include = f"{include} & !({exclude})"
    pairs = [found for node in plan.include if (found := pairs_condition(node))]
    filters: list[tuple[str, list]] = []
    arrays: list[tuple[str, list]] = []
    for column, values in (
        ("outlets", plan.outlets),
        ("entities", plan.entities),
        ("tags", plan.tags),
    ):
        if values is not None:
            filters.append((f"{column} && %s::integer[]", [sorted(values)]))
            arrays.append((f"arrayoverlap({column}, %s::integer[])", [sorted(values)]))
    others: list[tuple[str, list]] = []
    if plan.langs is not None:
        others.append(("lang = ANY(%s)", [sorted(plan.langs)]))
    if plan.date_from:
        others.append(("date >= %s", [plan.date_from]))
    if plan.date_to:
        others.append(("date <= %s", [plan.date_to]))
    return Where(
        kind=("kind = %s", [plan.kind]),
        text=("vector @@ %s::tsquery", [include]) if include else None,
        text_filter=("ts_match_vq(vector, %s::tsquery)", [include]) if include else None,
        pairs=_joined(pairs) if pairs else None,
        exclude=("NOT (vector @@ %s::tsquery)", [exclude]) if exclude else None,
        filters=filters + others,
        array_filters=arrays + others,
    )
