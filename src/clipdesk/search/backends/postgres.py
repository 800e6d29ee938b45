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

Cost (bench/search.py, 1M synthetic documents on this 2-core machine): rare and
mid-frequency words and date-sorted pages are fast, but ts_rank reads the vector of every
match, so relevance ranking of a word in most documents costs about a second — the same wall
as SQLite FTS5. A statement timeout (STATEMENT_TIMEOUT) turns a runaway query into a message;
an instance with a large archive on PostgreSQL can set CLIPDESK_SEARCH_ENGINE=tantivy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

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

TABLE = "search_document"
MAX_POSITION = 16383  # PostgreSQL keeps positions up to this; larger ones are clamped
MAX_POSITIONS_PER_LEXEME = 256  # and at most this many positions of one lexeme
RANK_NORMALIZATION = 1  # divide by 1 + log(length): like bm25, long texts do not win by bulk
STATEMENT_TIMEOUT = "10s"
COLUMNS = "kind, object_id, date, lang, outlets, entities, tags, vector"


def quote_lexeme(token: str) -> str:
    """A lexeme as a quoted tsvector/tsquery literal; nothing inside is read as an operator."""
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title: Iterable[str], body: Iterable[str]) -> str:
    """The weighted vector of a document: headline positions weight A, text positions B."""
    positions: dict[str, dict[int, str]] = {}
    position = 0
    for weight, tokens in (("A", title), ("B", body)):
        for token in tokens:
            position += 1
            places = positions.setdefault(token, {})
            if len(places) < MAX_POSITIONS_PER_LEXEME:
                places.setdefault(min(position, MAX_POSITION), weight)
        position += 1  # a gap between headline and text: no phrase across the two
    return " ".join(
        quote_lexeme(token) + ":" + ",".join(f"{p}{w}" for p, w in places.items())
        for token, places in positions.items()
    )


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
    )


class PostgresBackend:
    name = "postgres"

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        rows = [_row(doc) for doc in docs]
        if not rows:
            return 0
        sql = (
            f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::tsvector) "
            "ON CONFLICT (kind, object_id) DO UPDATE SET date = EXCLUDED.date, "
            "lang = EXCLUDED.lang, outlets = EXCLUDED.outlets, entities = EXCLUDED.entities, "
            "tags = EXCLUDED.tags, vector = EXCLUDED.vector"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return len(rows)

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {TABLE} WHERE kind = %s AND object_id = ANY(%s)", [kind, ids]
                )

    def rebuild(self, docs: Iterable[IndexDoc], total: int, progress: Progress | None) -> int:
        """Replace every row in one transaction: readers see the old rows until the commit."""
        done = 0
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
            with cursor.cursor.copy(f"COPY {TABLE} ({COLUMNS}) FROM STDIN") as copy:
                for doc in docs:
                    copy.write_row(_row(doc))
                    done += 1
                    if progress and done % 1000 == 0:
                        progress(done, total)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
        if progress:
            progress(done, total)
        return done

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
            return int(cursor.fetchone()[0])

    def search(self, plan: Plan) -> EngineResult:
        where, params = _where(plan)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'")
                ids = self._page(cursor, plan, where, params)
                total, facets = self._counts(cursor, plan, where, params)
        except OperationalError as exc:
            log.warning("search_timeout engine=postgres error=%s", exc)
            raise SearchUnavailable(
                "This search took too long. Add a more specific word or a filter."
            ) from exc
        return EngineResult(total=total, ids=ids, facets=facets)

    def _page(self, cursor, plan: Plan, where: str, params: list) -> list[int]:
        if plan.by_date:
            order, order_params = "date DESC, object_id DESC", []
        else:
            order = "ts_rank(vector, %s::tsquery, %s) DESC, date DESC, object_id DESC"
            rank_query = " & ".join(tsquery_literal(node) for node in plan.include)
            order_params = [rank_query, RANK_NORMALIZATION]
        cursor.execute(
            f"SELECT object_id FROM {TABLE} WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*params, *order_params, plan.limit, plan.offset],
        )
        return [row[0] for row in cursor.fetchall()]

    def _counts(self, cursor, plan: Plan, where: str, params: list) -> tuple[int, dict]:
        if not plan.facets:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)
            return int(cursor.fetchone()[0]), {}
        # Every document has exactly one year, so the year buckets add up to the total.
        cursor.execute(
            f"""
            WITH m AS MATERIALIZED (SELECT date, outlets, entities FROM {TABLE} WHERE {where})
            SELECT 'year', extract(year FROM date)::integer, count(*) FROM m GROUP BY 2
            UNION ALL
            SELECT 'outlet', o, count(*) FROM m, unnest(m.outlets) AS o GROUP BY 2
            UNION ALL
            SELECT 'entity', e, count(*) FROM m, unnest(m.entities) AS e GROUP BY 2
            """,
            params,
        )
        facets: dict[str, dict[int, int]] = {"year": {}, "outlet": {}, "entity": {}}
        for name, key, count in cursor.fetchall():
            facets[name][int(key)] = int(count)
        return sum(facets["year"].values()), facets
