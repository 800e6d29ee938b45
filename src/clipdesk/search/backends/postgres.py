"""The PostgreSQL engine: a weighted tsvector per document, a GIN index, ranked by ts_rank.

Table `search_document` (migration 0001, PostgreSQL only) holds one row per post or article:
the vector, the date, the language and the outlet, entity and tag ids as integer arrays, so
filters and facets never join the content tables.

The vector and every query are written as literals, not computed by `to_tsvector` or
`websearch_to_tsquery`: the tokens are already folded by `clipdesk.watch.normalizing.fold`
(the same tokens the tantivy engine indexes), each lexeme is quoted, and so neither
PostgreSQL's parser, stemmer nor stop list changes what matches, and nothing a reader types is
ever read as tsquery syntax. Headline tokens carry weight A, text weight B; the text starts two
positions after the headline, so a phrase cannot run from one into the other.

Cost (bench/search.py, 1M synthetic documents, this 2-core machine): rare words and alias
names answer in 4-30 ms, but ts_rank reads the vector of every match, and the total and facet
counts read every matching row, so a word found in most documents takes 3-5 s (p50 of the
benchmark's mix 746 ms, p95 4.7 s; at 100k documents about ten times less). One statement
reads the matches once for the page, the total and the facets; a statement timeout
(STATEMENT_TIMEOUT) turns a runaway query into a message. An instance with a large archive on
PostgreSQL should set CLIPDESK_SEARCH_ENGINE=tantivy (see `tantivy_backend` for its figures).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import OperationalError, connection, transaction

from clipdesk.search.backends import (
    EngineResult,
    IndexDoc,
    Plan,
    Progress,
    SearchUnavailable,
)
from clipdesk.search.query import AnyOf, Node, Phrase, Term

log = logging.getLogger(__name__)

MAX_POSITION = 16383  # PostgreSQL keeps positions up to this; larger ones are clamped
MAX_POSITIONS_PER_LEXEME = 256  # and at most this many positions of one lexeme
RANK_NORMALIZATION = 1  # divide by 1 + log(length): like bm25, long texts do not win by bulk
STATEMENT_TIMEOUT = "10s"
COPY_BATCH = 2000
# Past this many matches (the planner's estimate, then the sample's) a query takes the
# bounded path: every match costs about 3 us to rank and tally, so the exact answer of a word
# in most of 1M documents takes seconds, and one of 10,000 matches about 30 ms.
EXACT_LIMIT = 10_000
# The bounded path ranks the newest matches only, about this many (more for deep pages).
RANK_WINDOW = 2_000
# ... and counts the total and the facets on the documents of a few of SAMPLE_BUCKETS fixed
# hash buckets, as many buckets as give about SAMPLE_TARGET matches (a relative error of a few
# per cent), then scales the counts up.
SAMPLE_BUCKETS = 1024
SAMPLE_TARGET = 2_000
# From this share of the documents on, the bounded path tests each row instead of reading
# the GIN index (see `_bounded`).
ROW_FILTER_SHARE = 0.15
# The window starts at the date of the n-th newest sampled match; this margin makes it hold
# at least RANK_WINDOW matches in most cases despite the sample's spread.
WINDOW_MARGIN = 1.25
# Facet counts over the matching rows `m`: years, outlets, entities (name, key, count, -, -).
FACETS_SQL = """
    SELECT 'year', extract(year FROM date)::bigint, count(*), NULL, NULL FROM m GROUP BY 2
    UNION ALL
    SELECT 'outlet', o, count(*), NULL, NULL FROM m, unnest(m.outlets) AS o GROUP BY 2
    UNION ALL
    SELECT 'entity', e, count(*), NULL, NULL FROM m, unnest(m.entities) AS e GROUP BY 2
"""
COUNT_SQL = "SELECT 'total', NULL, count(*), NULL, NULL FROM m"
# The date of the n-th newest row of `m`: where the ranking window starts.
CUTOFF_SQL = """
    SELECT 'cutoff', NULL::bigint, NULL::bigint, NULL::real,
        (SELECT date FROM m ORDER BY date DESC OFFSET %s LIMIT 1)
"""
# Enough memory that the bitmap of a common word's matches stays exact (no lossy pages to
# recheck) and the facet groups hash in memory.
WORK_MEM = "64MB"
COLUMNS = "kind, object_id, date, lang, outlets, entities, tags, vector, sample"


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def quote_lexeme(token: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal; nothing inside is read as an operator."""
    if "'" in token or "\\" in token:
        token = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{token}'"


def tsvector_literal(title: Iterable[str], body: Iterable[str]) -> str:
    """The weighted vector of a document: headline positions weight A, text positions B.

    Written for speed (a rebuild calls it once per document): positions past MAX_POSITION
    would all be clamped to it by PostgreSQL, so only a lexeme's first one is kept.
    """
    places: dict[str, list[str]] = {}
    position = 0
    for weight, tokens in (("A", title), ("B", body)):
        for token in tokens:
            position += 1
            found = places.get(token)
            if found is None:
                places[token] = [f"{min(position, MAX_POSITION)}{weight}"]
            elif position <= MAX_POSITION and len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{position}{weight}")
        position += 1  # a gap between headline and text: no phrase across the two
    return " ".join(quote_lexeme(token) + ":" + ",".join(at) for token, at in places.items())


def sample_bucket(object_id: int) -> int:
    """A fixed pseudo-random bucket in 0..SAMPLE_BUCKETS-1 (Knuth's multiplicative hash).

    Migration 0002 computes the same value in SQL for rows written before it.
    """
    return ((object_id * 2654435761) % 2**32) * SAMPLE_BUCKETS >> 32


def tsquery_literal(node: Node) -> str:
    if isinstance(node, Term):
        return quote_lexeme(node.text) + (":*" if node.prefix else "")
    if isinstance(node, Phrase):
        words = [quote_lexeme(word) for word in node.words]
        if node.prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"
    assert isinstance(node, AnyOf)
    return "(" + " | ".join(tsquery_literal(option) for option in node.options) + ")"


def _where(plan: Plan) -> tuple[str, list]:
    clauses = ["kind = %s"]
    params: list = [plan.kind]
    include = [tsquery_literal(node) for node in plan.include]
    exclude = [tsquery_literal(node) for node in plan.exclude]
    if include:
        clauses.append("vector @@ %s::tsquery")
        params.append(" & ".join(include + [f"!{part}" for part in exclude]))
    elif exclude:
        # A query of exclusions only lists everything else.
        clauses.append("NOT (vector @@ %s::tsquery)")
        params.append(" | ".join(exclude))
    for column, values in (("outlets", plan.outlets), ("entities", plan.entities)):
        if values is not None:
            clauses.append(f"{column} && %s::integer[]")
            params.append(sorted(values))
    if plan.tags is not None:
        clauses.append("tags && %s::integer[]")
        params.append(sorted(plan.tags))
    if plan.langs is not None:
        clauses.append("lang = ANY(%s)")
        params.append(sorted(plan.langs))
    if plan.date_from:
        clauses.append("date >= %s")
        params.append(plan.date_from)
    if plan.date_to:
        clauses.append("date <= %s")
        params.append(plan.date_to)
    return " AND ".join(clauses), params


def _row(doc: IndexDoc) -> tuple:
    return (
        doc.kind,
        doc.object_id,
        doc.date,
        doc.lang or "",
        list(doc.outlets),
        list(doc.entities),
        list(doc.tags),
        tsvector_literal(doc.title, doc.body),
        sample_bucket(doc.object_id),
    )


class PostgresBackend:
    name = "postgres"

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        rows = [_row(doc) for doc in docs]
        if not rows:
            return 0
        sql = (
            f"INSERT INTO search_document ({COLUMNS}) "  # noqa: S608 (constant column list)
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector, %s) "
            "ON CONFLICT (kind, object_id) DO UPDATE SET date = EXCLUDED.date, "
            "lang = EXCLUDED.lang, outlets = EXCLUDED.outlets, entities = EXCLUDED.entities, "
            "tags = EXCLUDED.tags, vector = EXCLUDED.vector, sample = EXCLUDED.sample"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return len(rows)

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_document WHERE kind = %s AND object_id = ANY(%s)",
                    [kind, ids],
                )

    def rebuild(self, docs: Iterable[IndexDoc], total: int, progress: Progress | None) -> int:
        """Replace every row in one transaction: readers see the old rows until the commit.

        Rows go in with COPY, one batch at a time: `docs` reads the database as it goes, and
        a connection cannot run a query while a COPY is open on it.
        """
        done = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_document")
            for batch in batched(docs, COPY_BATCH):
                rows = [_row(doc) for doc in batch]
                with cursor.cursor.copy(f"COPY search_document ({COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                done += len(rows)
                if progress:
                    progress(done, total)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
        if progress:
            progress(done, total)
        return done

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_document')")
            return int(cursor.fetchone()[0])

    def __init__(
        self,
        *,
        exact_limit: int = EXACT_LIMIT,
        rank_window: int = RANK_WINDOW,
        sample_target: int = SAMPLE_TARGET,
    ) -> None:
        self.exact_limit = exact_limit
        self.rank_window = rank_window
        self.sample_target = sample_target

    def search(self, plan: Plan) -> EngineResult:
        """Exact for up to `exact_limit` matches; bounded above it (see the module docstring).

        All statements run in one transaction with JIT and parallel workers off: compiling a
        plan costs 30-100 ms, more than these statements take once they are bounded.
        """
        where, params = _where(plan)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                found = None
                estimate = self._estimate(cursor, where, params)
                if estimate > self.exact_limit:
                    found = self._bounded(cursor, plan, where, params, estimate)
                if found is None:
                    found = self._exact(cursor, plan, where, params)
        except OperationalError as exc:
            log.warning("search_timeout engine=postgres error=%s", exc)
            raise SearchUnavailable(
                "This search took too long. Add a more specific word or a filter."
            ) from exc
        return found

    def _estimate(self, cursor, where: str, params: list) -> int:
        """The planner's estimate of the matches: a fraction of a millisecond, no rows read.

        Good for words in the column statistics (the common ones, which matter here); words
        that are not in them are estimated low, so they take the exact path, as rare words
        should. An underestimate only costs time, never correctness.
        """
        sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document WHERE {where}"  # noqa: S608
        cursor.execute(sql, params)
        found = cursor.fetchone()[0]
        if isinstance(found, str):
            found = json.loads(found)
        return int(found[0]["Plan"]["Plan Rows"])

    def _rank(self, plan: Plan) -> tuple[str, list]:
        if plan.by_date:
            return "0::real", []
        rank_query = " & ".join(tsquery_literal(node) for node in plan.include)
        return "ts_rank(vector, %s::tsquery, %s)", [rank_query, RANK_NORMALIZATION]

    def _exact(self, cursor, plan: Plan, where: str, params: list) -> EngineResult:
        """One statement: the matching rows are read once for the page, the total and facets."""
        rank, rank_params = self._rank(plan)
        # S608: the SQL in this module is built from constant fragments (`_where`), and every
        # value goes in as a %s parameter.
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT object_id, date, outlets, entities, {rank} AS rank
                FROM search_document WHERE {where}
            ),
            page AS (
                SELECT object_id, rank, date FROM m
                ORDER BY rank DESC, date DESC, object_id DESC LIMIT %s OFFSET %s
            )
            SELECT 'page', object_id, NULL::bigint, rank, date FROM page
            UNION ALL
            {FACETS_SQL if plan.facets else COUNT_SQL}
        """  # noqa: S608
        cursor.execute(sql, [*rank_params, *params, plan.limit, plan.offset])
        rows = cursor.fetchall()
        page = sorted(
            ((rank, date, key) for name, key, _, rank, date in rows if name == "page"),
            reverse=True,
        )
        facets, total, _ = _tally(rows)
        if plan.facets:
            # Every document has exactly one year, so the year buckets add up to the total.
            total = sum(facets["year"].values())
        return EngineResult(
            total=total, ids=[key for _, _, key in page], facets=facets if plan.facets else {}
        )

    def _bounded(
        self, cursor, plan: Plan, where: str, params: list, estimate: int
    ) -> EngineResult | None:
        """A large match set: the total and facets from a sample, the page from the newest.

        1. Sample: the matches among the documents of the first `buckets` sample buckets
           (a fixed pseudo-random share of the archive, so no year or outlet is favoured),
           enough buckets for about `sample_target` matches. Counting them and scaling up
           gives the total and the facet counts; their dates say where the newest
           `rank_window` matches begin. If the sample shows that the estimate was far too
           high, None: the caller answers exactly.
        2. Page: the matches since that date, ranked (or sorted by date). If that window
           holds fewer matches than the page needs, the page is read without it.

        Sorting by date stays exact: the window holds the newest matches. Ranking by
        relevance ranks the window only, and says so (`ranked_since`).
        """
        documents = self._estimate(cursor, "kind = %s", [plan.kind])
        if estimate >= ROW_FILTER_SHARE * documents:
            # Most documents match: reading the GIN posting lists of such common words costs
            # more (about 50 ms per word at 1M documents) than testing the vector of each
            # row that the sample or date index leads to.
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        buckets = min(SAMPLE_BUCKETS, -(-SAMPLE_BUCKETS * self.sample_target // max(1, estimate)))
        scale = SAMPLE_BUCKETS / buckets
        wanted = max(self.rank_window, plan.offset + plan.limit)
        nth = max(0, int(wanted * WINDOW_MARGIN / scale) - 1)
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT date, outlets, entities FROM search_document
                WHERE {where} AND sample < %s
            )
            {CUTOFF_SQL}
            UNION ALL
            {FACETS_SQL if plan.facets else COUNT_SQL}
        """  # noqa: S608
        cursor.execute(sql, [*params, buckets, nth])
        rows = cursor.fetchall()
        facets, sampled, cutoff = _tally(rows)
        if plan.facets:
            sampled = sum(facets["year"].values())
        exact = buckets == SAMPLE_BUCKETS  # the sample is the whole archive
        total = sampled if exact else round(sampled * scale)
        if total <= self.exact_limit and not exact:
            return None
        ids = self._window_page(cursor, plan, where, params, cutoff)
        if ids is None:
            cutoff = None
            ids = self._window_page(cursor, plan, where, params, None)
        if not exact:
            facets = {
                name: {key: round(count * scale) for key, count in counts.items()}
                for name, counts in facets.items()
            }
        return EngineResult(
            total=total,
            ids=ids,
            facets=facets if plan.facets else {},
            facets_estimated=not exact and plan.facets,
            total_is_estimate=not exact,
            ranked_since=cutoff if not plan.by_date else None,
        )

    def _window_page(
        self, cursor, plan: Plan, where: str, params: list, since: datetime.date | None
    ) -> list[int] | None:
        """One page of the matches since `since` (all of them without); None if the window
        is too small to fill the page."""
        rank, rank_params = self._rank(plan)
        window, window_params = "", []
        if since is not None:
            window, window_params = " AND date >= %s", [since]
        order = "date DESC, object_id DESC"
        if not plan.by_date:
            order = "rank DESC, " + order
        sql = f"""
            SELECT object_id, {rank} AS rank FROM search_document
            WHERE {where}{window}
            ORDER BY {order} LIMIT %s OFFSET %s
        """  # noqa: S608
        cursor.execute(sql, [*rank_params, *params, *window_params, plan.limit, plan.offset])
        ids = [row[0] for row in cursor.fetchall()]
        if since is not None and len(ids) < plan.limit:
            return None
        return ids


def _tally(rows: list[tuple]) -> tuple[dict[str, dict[int, int]], int, datetime.date | None]:
    """Facet counts, the total and the window's first date from the rows of FACETS_SQL,
    COUNT_SQL and CUTOFF_SQL."""
    facets: dict[str, dict[int, int]] = {"year": {}, "outlet": {}, "entity": {}}
    total = 0
    cutoff = None
    for name, key, count, _, value in rows:
        if name == "total":
            total = int(count)
        elif name == "cutoff":
            cutoff = value
        elif name != "page":
            facets[name][int(key)] = int(count)
    return facets, total, cutoff
