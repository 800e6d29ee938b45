"""The tantivy engine: a BM25 index beside the database, in CLIPDESK_HOME/search-index.

Why tantivy and not SQLite FTS5 (figures from `bench/search.py`, synthetic Zipf text of 40-200
words, this 2-core machine; see docs in the report of each run):

- FTS5 ranks by visiting every match (`ORDER BY rank` computes bm25 for each one): about
  1 µs per matching row, so a common word in 1M documents takes 1-2 s, and the facet counts
  (outlet, year, entity) need every match joined to its metadata on top. A recency-bounded
  window (rank only the newest N matches) meets the time budget but gives wrong answers: the
  best old article never shows, and totals and facets describe the window, not the archive.
- tantivy prunes with block-max WAND for top-k by score, counts and aggregates over columnar
  fast fields, and so answers the whole query mix with p95 well under the 30 ms target at
  1M documents (bench: build 1M in about a minute of indexing, index about 0.3 GB).

The cost is a second store beside the database. It is derived data: `indexing.reindex_all`
(`clipdesk reindex`) rebuilds it from the database at any time, in place, and readers keep
the old version until the new one is committed. Writes take tantivy's directory lock; a
second writer (another process) waits up to WRITER_WAIT_S for it.

Schema: `key` ("post:12", for replace and delete), `kind`, `title` and `body` (folded tokens,
whitespace tokenizer: folding already happened), `recency` (date ordinal << 32 | id: one
unique sort key, so sorting by date needs no tie-break and date ranges are one range query),
`year`, `lang`, and multi-valued `outlet`, `entity`, `tag` ids as fast fields for facets.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import tantivy

from clipdesk.search.backends import FACET_SIZE, EngineResult, IndexDoc, Plan, Progress
from clipdesk.search.query import AnyOf, Node, Phrase, Term

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_FILE = "clipdesk-search.json"
TOKENIZER = "folded"
TITLE_BOOST = 2.0  # a word in the headline says more about the document than one in the text
WRITER_WAIT_S = 30.0
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
# Heap for one writer; tantivy flushes a segment when it is full. Small for single updates,
# large for a rebuild (fewer, larger segments to merge afterwards).
SMALL_HEAP = 32_000_000
REBUILD_HEAP = 400_000_000
_REGEX_META = set("\\.+*?()|[]{}^$#&-~")


def recency_key(date_ordinal: int, object_id: int) -> int:
    if not 0 <= object_id <= ID_MASK:
        raise ValueError(f"search: id {object_id} does not fit the tantivy sort key")
    return (date_ordinal << ID_BITS) | object_id


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", tokenizer_name="raw")
    builder.add_text_field("kind", tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name=TOKENIZER)
    builder.add_text_field("body", tokenizer_name=TOKENIZER)
    builder.add_integer_field("recency", indexed=True, fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_text_field("lang", tokenizer_name="raw", fast=True)
    for name in ("outlet", "entity", "tag"):
        builder.add_unsigned_field(name, indexed=True, fast=True)
    return builder.build()


def _regex_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in _REGEX_META else char for char in text)


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema()
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()

    # -- opening and writing --------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        with self._lock:
            if self._index is None:
                self._index = self._open_or_create()
            return self._index

    def _open_or_create(self) -> tantivy.Index:
        meta = self.path / META_FILE
        try:
            version = json.loads(meta.read_text()).get("schema")
        except (OSError, ValueError):
            version = None
        if version != SCHEMA_VERSION and self.path.exists():
            # An index from another schema cannot be read with this one; it is derived data,
            # so it is dropped, and `clipdesk reindex` fills the new one.
            log.warning("search_index_reset path=%s found_schema=%s", self.path, version)
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        meta.write_text(json.dumps({"schema": SCHEMA_VERSION}))
        analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        index.register_tokenizer(TOKENIZER, analyzer)
        return index

    @contextmanager
    def _writer(self, heap: int = SMALL_HEAP, threads: int = 1):
        """tantivy's writer, waiting while another process holds the directory lock."""
        index = self._open()
        deadline = time.monotonic() + WRITER_WAIT_S
        pause = 0.02
        while True:
            try:
                writer = index.writer(heap_size=heap, num_threads=threads)
                break
            except ValueError as exc:
                if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            # Lets the merges that the commit started finish, then releases the lock.
            writer.wait_merging_threads()
        index.reload()

    def _document(self, doc: IndexDoc) -> tantivy.Document:
        document = tantivy.Document()
        document.add_text("key", f"{doc.kind}:{doc.object_id}")
        document.add_text("kind", doc.kind)
        document.add_text("title", " ".join(doc.title))
        document.add_text("body", " ".join(doc.body))
        document.add_integer("recency", recency_key(doc.date.toordinal(), doc.object_id))
        document.add_unsigned("year", doc.date.year)
        document.add_text("lang", doc.lang or "")
        for name, values in (("outlet", doc.outlets), ("entity", doc.entities), ("tag", doc.tags)):
            for value in values:
                document.add_unsigned(name, value)
        return document

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        docs = list(docs)
        if not docs:
            return 0
        with self._writer() as writer:
            for doc in docs:
                writer.delete_documents_by_term("key", f"{doc.kind}:{doc.object_id}")
                writer.add_document(self._document(doc))
        return len(docs)

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._writer() as writer:
            for object_id in ids:
                writer.delete_documents_by_term("key", f"{kind}:{object_id}")

    def rebuild(self, docs: Iterable[IndexDoc], total: int, progress: Progress | None) -> int:
        done = 0
        with self._writer(heap=REBUILD_HEAP, threads=2) as writer:
            writer.delete_all_documents()
            for doc in docs:
                writer.add_document(self._document(doc))
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, total)
        if progress:
            progress(done, total)
        return done

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    # -- searching ------------------------------------------------------------------------

    def _field_query(self, node: Node, field: str) -> tantivy.Query:
        if isinstance(node, Term):
            if node.prefix:
                return tantivy.Query.regex_query(
                    self.schema, field, _regex_escape(node.text) + ".*"
                )
            return tantivy.Query.term_query(self.schema, field, node.text)
        if isinstance(node, Phrase):
            if node.prefix:
                return tantivy.Query.phrase_prefix_query(self.schema, field, list(node.words))
            return tantivy.Query.phrase_query(self.schema, field, list(node.words))
        assert isinstance(node, AnyOf)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._field_query(option, field)) for option in node.options]
        )

    def _clause(self, node: Node) -> tantivy.Query:
        title = tantivy.Query.boost_query(self._field_query(node, "title"), TITLE_BOOST)
        body = self._field_query(node, "body")
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, title), (tantivy.Occur.Should, body)]
        )

    def _filter(self, query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
        # Filters decide what matches, never how it ranks.
        return tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)

    def _query(self, plan: Plan) -> tantivy.Query:
        schema = self.schema
        parts = [self._filter(tantivy.Query.term_query(schema, "kind", plan.kind))]
        parts += [(tantivy.Occur.Must, self._clause(node)) for node in plan.include]
        parts += [(tantivy.Occur.MustNot, self._clause(node)) for node in plan.exclude]
        for name, values in (
            ("outlet", plan.outlets),
            ("entity", plan.entities),
            ("tag", plan.tags),
            ("lang", plan.langs),
        ):
            if values is not None:
                parts.append(
                    self._filter(tantivy.Query.term_set_query(schema, name, sorted(values)))
                )
        if plan.date_from or plan.date_to:
            low = recency_key(plan.date_from.toordinal(), 0) if plan.date_from else None
            high = recency_key(plan.date_to.toordinal(), ID_MASK) if plan.date_to else None
            parts.append(
                self._filter(
                    tantivy.Query.range_query(
                        schema, "recency", tantivy.FieldType.Integer, low, high
                    )
                )
            )
        return tantivy.Query.boolean_query(parts)

    def search(self, plan: Plan) -> EngineResult:
        searcher = self._open().searcher()
        query = self._query(plan)
        if plan.by_date:
            found = searcher.search(
                query, limit=plan.limit, offset=plan.offset, order_by_field="recency"
            )
            ids = [key & ID_MASK for key, _ in found.hits]
            total = found.count
        else:
            ids, total = self._top_by_score(searcher, query, plan.offset + plan.limit)
            ids = ids[plan.offset :]
        facets = self._facets(searcher, query) if plan.facets and total else {}
        return EngineResult(total=total or 0, ids=ids, facets=facets)

    def _top_by_score(
        self, searcher: tantivy.Searcher, query: tantivy.Query, wanted: int
    ) -> tuple[list[int], int]:
        """The best `wanted` ids by score, newest first among equal scores.

        tantivy breaks score ties by its internal document order, so documents tied with the
        last one on the page are all fetched (the fetch grows until the boundary is not a
        tie) and then ordered by (score, recency).
        """
        fetch = wanted + 1
        while True:
            found = searcher.search(query, limit=fetch)
            hits = found.hits
            tied = len(hits) == fetch and hits[-1][0] == hits[wanted - 1][0]
            if not tied or fetch >= (found.count or 0):
                break
            fetch *= 4
        keys = searcher.fast_field_values("recency", [address for _, address in hits])
        ranked = sorted(zip((score for score, _ in hits), keys, strict=True), reverse=True)
        return [key & ID_MASK for _, key in ranked[:wanted]], found.count or 0

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> dict:
        # Asking for more buckets than are shown keeps the top ones exact across segments.
        spec = {
            "outlet": {"terms": {"field": "outlet", "size": FACET_SIZE * 5}},
            "entity": {"terms": {"field": "entity", "size": FACET_SIZE * 5}},
            "year": {"terms": {"field": "year", "size": 1000}},
        }
        found = searcher.aggregate(query, spec)
        return {
            name: {int(bucket["key"]): int(bucket["doc_count"]) for bucket in found[name]["buckets"]}
            for name in spec
        }
