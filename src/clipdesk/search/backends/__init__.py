"""What every search engine is given and must give back, and which engine an instance uses.

Two engines answer the same `Plan` with the same `EngineResult`:

- `tantivy_backend` (default with SQLite): a tantivy index in CLIPDESK_HOME/search-index;
- `postgres` (default with PostgreSQL): a weighted tsvector with a GIN index in the database.

Both receive text already folded by `clipdesk.watch.normalizing.fold` (documents at indexing,
queries at parsing), so neither engine's own tokenizer, stemmer or stop list decides what
matches: the same folded tokens go into both, and the same tree comes out of `query.parse`.
`CLIPDESK_SEARCH_ENGINE` (setting or environment: "tantivy" or "postgres") overrides the default;
tantivy also works beside a PostgreSQL database.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from clipdesk.search.query import Node

KINDS = ("post", "article")
# Facet buckets shown per facet; years are all shown.
FACET_SIZE = 10


@dataclass(frozen=True)
class IndexDoc:
    """One searchable document, already folded: what both engines index."""

    kind: str
    object_id: int
    title: tuple[str, ...]  # folded tokens
    body: tuple[str, ...]
    date: datetime.date
    lang: str = ""
    outlets: tuple[int, ...] = ()
    entities: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()
    # The title's and the text's words again with each word cut by a zero-width non-joiner
    # (or a spaced Persian affix) whole (words.py, `joined_tokens`); empty where no word is.
    # Indexed after the others, with a gap before each, so no phrase runs from one copy into
    # the other.
    joined_title: tuple[str, ...] = ()
    joined_body: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """A parsed query with names resolved to ids: everything an engine needs, nothing typed.

    A filter of None does not filter; an empty set is a filter that nothing passes (an outlet
    name that matches no outlet), so the service can skip the engine for it.
    """

    kind: str
    include: tuple[Node, ...] = ()
    exclude: tuple[Node, ...] = ()
    outlets: frozenset[int] | None = None
    entities: frozenset[int] | None = None
    tags: frozenset[int] | None = None
    langs: frozenset[str] | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "relevance"  # or "date"; without include clauses there is no relevance
    offset: int = 0
    limit: int = 20
    facets: bool = True

    @property
    def by_date(self) -> bool:
        return self.sort == "date" or not self.include


@dataclass
class EngineResult:
    total: int
    ids: list[int]  # object ids of the page, in order
    # facet name ("outlet", "entity", "year") → {key: count}
    facets: dict[str, dict[int, int]] = field(default_factory=dict)
    facets_estimated: bool = False  # counted on a sample of a very large result
    total_is_estimate: bool = False  # scaled up from a sample of a very large result
    # Ranked among the matches dated this day or later only (a very large result); None when
    # every match was ranked, or the page is sorted by date.
    ranked_since: datetime.date | None = None


Progress = Callable[[int, int], None]  # (done, total)


class Backend(Protocol):
    name: str

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace documents; returns how many were written."""
        ...

    def delete(self, kind: str, ids: Iterable[int]) -> None: ...

    def rebuild(self, docs: Iterable[IndexDoc], total: int, progress: Progress | None) -> int:
        """Replace the whole index with `docs`; readers see the old one until it is done."""
        ...

    def search(self, plan: Plan) -> EngineResult: ...

    def size_bytes(self) -> int: ...


class IndexBusy(Exception):
    """Another process holds the index for writing for longer than a writer waits."""


class SearchUnavailable(Exception):
    """The engine cannot answer now (no index yet, too slow); the message is for readers."""


def engine_name() -> str:
    from django.conf import settings
    from django.db import connection

    chosen = getattr(settings, "CLIPDESK_SEARCH_ENGINE", None) or os.environ.get(
        "CLIPDESK_SEARCH_ENGINE"
    )
    if chosen:
        return chosen
    return "postgres" if connection.vendor == "postgresql" else "tantivy"


def get_backend() -> Backend:
    """The engine for this instance's settings; one per process."""
    from django.conf import settings

    # Where the PostgreSQL engine stops answering exactly ({"exact_limit": 10000, ...}, see
    # `postgres.PostgresBackend`); the defaults suit archives up to millions of documents.
    limits = getattr(settings, "CLIPDESK_SEARCH_POSTGRES_LIMITS", None) or {}
    return _backend(engine_name(), str(settings.CLIPDESK_HOME), tuple(sorted(limits.items())))


@cache
def _backend(name: str, home: str, limits: tuple[tuple[str, int], ...] = ()) -> Backend:
    if name == "postgres":
        from clipdesk.search.backends.postgres import PostgresBackend

        return PostgresBackend(**dict(limits))
    if name == "tantivy":
        from pathlib import Path

        from clipdesk.search.backends.tantivy_backend import TantivyBackend

        return TantivyBackend(Path(home) / "search-index")
    raise ValueError(f"search: unknown engine {name!r} (CLIPDESK_SEARCH_ENGINE)")


def reset_backends() -> None:
    """Forget the per-process engines (tests that switch homes or engines)."""
    _backend.cache_clear()
