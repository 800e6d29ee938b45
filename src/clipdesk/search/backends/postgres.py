"""The PostgreSQL engine: a weighted tsvector per document, a GIN index, ranked by ts_rank.

Table `search_document` (migrations 0001 and 0002, PostgreSQL only) holds one row per post or
article: the vector, the date, the language, the outlet, entity and tag ids as integer arrays
(so filters and facets never join the content tables), and a fixed sample bucket.

The vector and every query are written as literals (postgres_sql.py), not computed by
`to_tsvector` or `websearch_to_tsquery`: the tokens are already folded by
`clipdesk.watch.normalizing.fold` (the same tokens the tantivy engine indexes), each lexeme is
quoted, and so neither PostgreSQL's parser, stemmer nor stop list changes what matches, and
nothing a reader types is ever read as tsquery syntax. Headline tokens carry weight A, text
weight B; the text starts two positions after the headline, so a phrase cannot run from one
into the other.

How a query is answered (`PostgresBackend.search`), in one transaction, JIT and parallel
workers off (compiling a plan costs 30-100 ms, more than a bounded statement takes):

1. The planner's estimates (EXPLAIN, no row read): documents of the kind, those with the
   words, those that pass the filters, and the matches.
2. Up to EXACT_LIMIT matches: one statement ranks every match with ts_rank, counts them and
   tallies the facets. Exact.
3. Above it, the work per match (ts_rank reads each match's vector, and a row read costs
   about 3 us once the table outgrows PostgreSQL's cache: seconds for a common word at 1M
   documents) is bounded, and the answer says where it is approximate:
   - the total and the facets are counted on a fixed pseudo-random sample of the archive
     (as many of the 1024 `sample` buckets as hold about SAMPLE_TARGET matches) and scaled
     up: `total_is_estimate` and `facets_estimated`, "about 310,000 posts" on the page. When
     the sample finds the estimate far too high, the exact statement answers after all;
   - relevance is computed for the newest matches only (about RANK_WINDOW, from the date the
     sample points at): `ranked_since`, which the page states. Sorting by date stays exact.

Where rows are found: the words through the GIN index, or tested on each row that the date,
language, outlet or sample indexes lead to, whichever the estimates say reads less
(`Estimates.look_up`); phrases through an index of hashed neighbour pairs (`search_pairs`),
so a phrase of two common words does not recheck every document that has both; samples
through partial GIN indexes over the first 32 buckets. A statement timeout (STATEMENT_TIMEOUT)
turns a runaway query into a message. Figures: docs/scaling.md, "Search on PostgreSQL".
"""

from __future__ import annotations

import datetime
import json
import logging
import re
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
from clipdesk.search.backends.postgres_sql import (
    POSTING_COST,
    ROW_COST,
    SAMPLE_BUCKETS,
    Estimates,
    Where,
    sample_bucket,
    tsquery_literal,
    tsvector_literal,
    where_of,
)

log = logging.getLogger(__name__)

RANK_NORMALIZATION = 1  # divide by 1 + log(length): like bm25, long texts do not win by bulk
STATEMENT_TIMEOUT = "10s"
COPY_BATCH = 2000
# A rebuild fills this table, then renames it into place.
NEXT_TABLE = "search_document_next"
# For building the indexes of a rebuild: the GIN indexes build in memory in fewer passes.
MAINTENANCE_WORK_MEM = "512MB"
# Past this many matches (the planner's estimate, then the sample's) a query takes the
# bounded path: every match costs about 3 us to rank and tally, so the exact answer of a word
# in most of 1M documents takes seconds, and one of 10,000 matches about 30 ms.
EXACT_LIMIT = 10_000
# The bounded path ranks the newest matches only, about this many (more for deep pages).
RANK_WINDOW = 1_000
# ... and counts the total and the facets on the documents of a few of SAMPLE_BUCKETS fixed
# hash buckets (postgres_sql.py), as many buckets as give about SAMPLE_TARGET matches (a
# relative error of a few per cent), then scales the counts up.
SAMPLE_TARGET = 2_000
# The partial GIN indexes of migration 0002 cover the documents of buckets 0..31; a sample
# stays within them as long as it still holds MIN_SAMPLED matches (a few per cent of error).
INDEXED_BUCKETS = 32
MIN_SAMPLED = 300
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


def _row(doc: IndexDoc) -> tuple:
    return (
        doc.kind,
        doc.object_id,
        doc.date,
        doc.lang or "",
        list(doc.outlets),
        list(doc.entities),
        list(doc.tags),
        tsvector_literal(doc.title, doc.body, doc.joined_title, doc.joined_body),
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
        """Fill a new table, index it, then put it in the old one's place, in one transaction.

        Readers see the old rows until the commit (and wait only for the swap at its end).
        Building each index once over the full table is several times faster than keeping
        it up to date row by row, and the old rows leave no dead space behind. The new table
        and its indexes are made from the old ones' definitions, so they follow migrations.
        Rows go in with COPY, one batch at a time: `docs` reads the database as it goes, and
        a connection cannot run a query while a COPY is open on it.
        """
        done = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            indexes = self._index_definitions(cursor)
            cursor.execute(f"DROP TABLE IF EXISTS {NEXT_TABLE}")
            cursor.execute(
                f"CREATE TABLE {NEXT_TABLE} (LIKE search_document INCLUDING DEFAULTS "
                "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)"
            )
            for batch in batched(docs, COPY_BATCH):
                rows = [_row(doc) for doc in batch]
                with cursor.cursor.copy(f"COPY {NEXT_TABLE} ({COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                done += len(rows)
                if progress:
                    progress(done, total)
            for name, definition, _ in indexes:
                cursor.execute(definition.replace(name, f"{name}_next", 1))
            cursor.execute("DROP TABLE search_document")
            cursor.execute(f"ALTER TABLE {NEXT_TABLE} RENAME TO search_document")
            for name, _, primary in indexes:
                cursor.execute(f"ALTER INDEX {name}_next RENAME TO {name}")
                if primary:
                    cursor.execute(
                        f"ALTER TABLE search_document ADD CONSTRAINT {name} "
                        f"PRIMARY KEY USING INDEX {name}"
                    )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")
        if progress:
            progress(done, total)
        return done

    def _index_definitions(self, cursor) -> list[tuple[str, str, bool]]:
        """(name, CREATE INDEX statement on the new table, whether it is the primary key)."""
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid), x.indisprimary
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = 'search_document'::regclass
            ORDER BY x.indisprimary DESC, i.relname
            """
        )
        found = []
        for name, definition, primary in cursor.fetchall():
            on_table = re.compile(r" ON (ONLY )?(\S+\.)?search_document ")
            definition = on_table.sub(f" ON {NEXT_TABLE} ", definition, count=1)
            found.append((name, definition, primary))
        return found

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
        where = where_of(plan)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                counts = self._estimates(cursor, where)
                found = None
                if counts.matches > self.exact_limit:
                    found = self._bounded(cursor, plan, where, counts)
                if found is None:
                    candidates = counts.filtered
                    found = self._exact(
                        cursor, plan, where.sql(text_indexed=counts.look_up(candidates))
                    )
        except OperationalError as exc:
            log.warning("search_timeout engine=postgres error=%s", exc)
            raise SearchUnavailable(
                "This search took too long. Add a more specific word or a filter."
            ) from exc
        return found

    def _estimate(self, cursor, where: tuple[str, list]) -> int:
        """The planner's estimate of the rows: a fraction of a millisecond, no rows read.

        Good for words in the column statistics (the common ones, which matter here); words
        that are not in them are estimated low, so they take the exact path, as rare words
        should. An underestimate only costs time, never correctness.
        """
        sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM search_document WHERE {where[0]}"  # noqa: S608
        cursor.execute(sql, where[1])
        found = cursor.fetchone()[0]
        if isinstance(found, str):
            found = json.loads(found)
        return int(found[0]["Plan"]["Plan Rows"])

    def _estimates(self, cursor, where: Where) -> Estimates:
        matches = self._estimate(cursor, where.estimated())
        if where.text is None:
            return Estimates(matches, matches, matches, matches)
        documents = self._estimate(cursor, where.estimated(text=False, filters=False))
        words, filtered = matches, documents
        if where.filters:
            words = self._estimate(cursor, where.estimated(filters=False))
            filtered = self._estimate(cursor, where.estimated(text=False))
        return Estimates(documents, words, filtered, matches)

    def _rank(self, plan: Plan) -> tuple[str, list]:
        if plan.by_date:
            return "0::real", []
        rank_query = " & ".join(tsquery_literal(node) for node in plan.include)
        return "ts_rank(vector, %s::tsquery, %s)", [rank_query, RANK_NORMALIZATION]

    def _exact(self, cursor, plan: Plan, where: tuple[str, list]) -> EngineResult:
        """One statement: the matching rows are read once for the page, the total and facets."""
        rank, rank_params = self._rank(plan)
        # S608: the SQL in this module is built from constant fragments (`_where`), and every
        # value goes in as a %s parameter.
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT object_id, date, outlets, entities, {rank} AS rank
                FROM search_document WHERE {where[0]}
            ),
            page AS (
                SELECT object_id, rank, date FROM m
                ORDER BY rank DESC, date DESC, object_id DESC LIMIT %s OFFSET %s
            )
            SELECT 'page', object_id, NULL::bigint, rank, date FROM page
            UNION ALL
            {FACETS_SQL if plan.facets else COUNT_SQL}
        """  # noqa: S608
        cursor.execute(sql, [*rank_params, *where[1], plan.limit, plan.offset])
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

    def _bounded(self, cursor, plan: Plan, where: Where, counts: Estimates) -> EngineResult | None:
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
        estimate = max(1, counts.matches)
        buckets = min(SAMPLE_BUCKETS, -(-SAMPLE_BUCKETS * self.sample_target // estimate))
        if buckets > INDEXED_BUCKETS and estimate * INDEXED_BUCKETS >= MIN_SAMPLED * SAMPLE_BUCKETS:
            # Fewer sampled matches, but found through the small partial indexes.
            buckets = INDEXED_BUCKETS
        scale = SAMPLE_BUCKETS / buckets
        wanted = max(self.rank_window, plan.offset + plan.limit)
        nth = max(0, int(wanted * WINDOW_MARGIN / scale) - 1)
        # Within the first INDEXED_BUCKETS buckets the partial GIN indexes hold 1/32 of each
        # posting list, so even a word found everywhere is cheap to look up there.
        sampled_rows = counts.filtered * buckets / SAMPLE_BUCKETS
        sample_where, params = where.sql(
            text_indexed=buckets <= INDEXED_BUCKETS or counts.look_up(sampled_rows)
        )
        sql = f"""
            WITH m AS MATERIALIZED (
                SELECT date, outlets, entities FROM search_document
                WHERE {sample_where} AND sample < %s
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
        # The window holds about `wanted` matches, among the rows the filters let through.
        window_rows = wanted * WINDOW_MARGIN * counts.filtered / estimate
        # The same for an outlet, entity or tag filter against the rows of the window's days.
        dated_rows = wanted * WINDOW_MARGIN * counts.documents / estimate
        passed = counts.filtered / max(1, counts.documents)
        page_where = where.sql(
            text_indexed=counts.look_up(window_rows),
            arrays_indexed=counts.filtered * POSTING_COST < dated_rows * (1 - passed) * ROW_COST,
        )
        ids = self._window_page(cursor, plan, page_where, cutoff)
        if ids is None:
            cutoff = None
            ids = self._window_page(cursor, plan, page_where, None)
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
        self, cursor, plan: Plan, where: tuple[str, list], since: datetime.date | None
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
            WHERE {where[0]}{window}
            ORDER BY {order} LIMIT %s OFFSET %s
        """  # noqa: S608
        cursor.execute(sql, [*rank_params, *where[1], *window_params, plan.limit, plan.offset])
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
