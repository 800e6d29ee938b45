"""The tantivy engine: a BM25 index beside the database, in CLIPDESK_HOME/search-index.

Chosen over SQLite FTS5 by measurement (`bench/search.py`, 1,000,000 synthetic documents of
40-200 words from a Zipf vocabulary, this 2-core machine, one run, 2026-11-28):

                                 tantivy (this module)     SQLite FTS5         PostgreSQL
    build                        66 s, 291 MB              99 s, 1.44 GB       372 s, 1.92 GB
    mix of 16 queries, p50/p95   10 / 24 ms (p99 26)       -                   746 / 4,742 ms
    one common word, ranked      14 ms with total+facets   1,033 ms (top 20)   4,220 ms
    one common word, count only  (included above)          36 ms               -
    newest first, common word    11 ms with total+facets   2 ms (top 20 only)  3,025 ms

PostgreSQL has since bounded its work on large results (an estimated total, sampled facets,
a window of the newest matches ranked; `backends.postgres`): 12.4 / 23.3 ms (p99 28) for the
same mix, against this engine's 7.9 / 22.8 ms in the same run; build 321 s, 2.62 GB.

FTS5 ranks by computing bm25 for every match, so a word found in most documents takes a
second, and the totals and facet counts that a results page shows need every match again,
joined to its metadata. A recency-bounded window (rank only the newest N matches) keeps the
time but gives wrong answers: the best older document never shows, and the total and the
facets describe the window rather than the archive. tantivy counts and aggregates over
columnar fast fields and keeps the whole mix under the 30 ms target. Its known slow case is a
phrase of two words that are both in nearly every document (215 ms: positions are checked in
every match); the benchmark times it apart, under "stress".

Choices made by measurement here (bench at 100k/1M documents):
- One field, `text`: the headline TITLE_REPEAT times, then the text, separated by SEPARATOR;
  then, for a document with words cut by a zero-width non-joiner, the same again with those
  words whole (`IndexDoc.joined_title`, `joined_body`), so both spellings are found and
  phrases of either, and a phrase of neighbouring words keeps its positions.
  A title field with a boost doubled or tripled multi-word queries (each clause a union).
- One index per kind (posts, articles): a `kind` filter doubled a common word's cost.
- Facets exact up to FACET_EXACT_LIMIT matches, above it counted on a fixed 1/16 sample.
- Prefixes expand through the term dictionary into scored words (a regex query scores every
  match alike, and equal scores made ordering by recency walk every match).
- Date filters go through the `year` postings; days only when a bound is not a whole year.

It is derived data: `indexing.reindex_all` (`clipdesk reindex`) rebuilds it from the database
at any time, in place, and readers keep the old version until the new one is committed.
Writes take tantivy's directory lock; another writer (another process) waits up to
WRITER_WAIT_S for it. An index written with another SCHEMA_VERSION, or whose files tantivy
finds damaged, is dropped on opening (under OPEN_LOCK) and made again, empty.

Fields: `key` (the id, for replace and delete), `text` (folded tokens, whitespace tokenizer:
folding already happened), `recency` (date ordinal << 32 | id: one unique sort key, so sorting
by date needs no tie-break), `sample` (the facet sample bucket), `year`, `lang`, and
multi-valued `outlet`, `entity`, `tag` ids as fast fields for filters and facets.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterable
from contextlib import ExitStack, contextmanager
from pathlib import Path

import tantivy

from clipdesk.instance import file_lock
from clipdesk.search.backends import (
    FACET_SIZE,
    KINDS,
    EngineResult,
    IndexBusy,
    IndexDoc,
    Plan,
    Progress,
)
from clipdesk.search.query import AllOf, AnyOf, Node, Phrase, Term, spellings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
META_FILE = "clipdesk-search.json"
# What tantivy says of an index whose files cannot be read (as ValueError): "Data corrupted"
# for a damaged file, FileDoesNotExist for one that a commit never finished writing.
DAMAGED = ("Data corrupted", "FileDoesNotExist")
OPEN_LOCK = ".open.lock"  # beside the kinds' folders: making or dropping one waits on it
TOKENIZER = "folded"
# The headline goes into the text field this many times, so that under BM25 a headline word
# counts as more than one word of the text. A separate title field with a boost ranks the
# same way but made every multi-word query about six times slower (bench, 100k documents:
# two common words 6.5 ms against 1.1 ms), since each clause became a union of two fields.
TITLE_REPEAT = 2
# Between the copies of the headline and the text, so a phrase never runs from one to the
# next; `fold` never produces it, so no query can match it.
SEPARATOR = "|"
# Facet counts visit every match. Past this many matches they are counted on a fixed 1/16
# sample of the documents (the `sample` field) and scaled: at 1M documents exact counts of a
# common word cost 60 ms (outlets are multi-valued), the sample about 4 ms.
FACET_EXACT_LIMIT = 20_000
SAMPLE_BUCKETS = 16
WRITER_WAIT_S = 30.0
ID_BITS = 32
ID_MASK = (1 << ID_BITS) - 1
# Heap for one writer; tantivy flushes a segment when it is full. Small for single updates,
# large for a rebuild (fewer, larger segments to merge afterwards).
SMALL_HEAP = 32_000_000
REBUILD_HEAP = 400_000_000
# A prefix stands for at most this many words, the most frequent first (PostgreSQL's `:*`
# has no limit; no reader pages through results that differ only past the 512th word).
PREFIX_EXPANSIONS = 512
# Documents tied with the last one on a page are ordered newest first; past this many ties
# (a query that scores everything alike) the order among them is the index's.
MAX_TIE_FETCH = 2000
TIE_MARGIN = 32


def recency_key(date_ordinal: int, object_id: int) -> int:
    if not 0 <= object_id <= ID_MASK:
        raise ValueError(f"search: id {object_id} does not fit the tantivy sort key")
    return (date_ordinal << ID_BITS) | object_id


def sample_bucket(object_id: int) -> int:
    """A fixed pseudo-random bucket in 0..SAMPLE_BUCKETS-1 (Knuth's multiplicative hash)."""
    return ((object_id * 2654435761) % 2**32) * SAMPLE_BUCKETS >> 32


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name=TOKENIZER)
    builder.add_integer_field("recency", indexed=True, fast=True)
    builder.add_unsigned_field("sample", indexed=True, fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_text_field("lang", tokenizer_name="raw", fast=True)
    for name in ("outlet", "entity", "tag"):
        builder.add_unsigned_field(name, indexed=True, fast=True)
    return builder.build()


def indexed_documents(path: Path) -> int | None:
    """How many documents the index at `path` holds, read from tantivy's own meta.json
    without opening the index (opening makes one, and `clipdesk status` writes nothing): 0
    where there is none, None where the file cannot be read."""
    try:
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:
        return 0
    except (OSError, ValueError):
        return None
    try:
        return sum(
            segment["max_doc"] - ((segment.get("deletes") or {}).get("num_deleted_docs") or 0)
            for segment in meta.get("segments", [])
        )
    except (TypeError, KeyError, AttributeError):
        return None


class TantivyBackend:
    name = "tantivy"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema()
        self._indexes: dict[str, tantivy.Index] = {}
        self._lock = threading.Lock()
        self._pid = os.getpid()

    # -- opening and writing --------------------------------------------------------------

    def _open(self, kind: str) -> tantivy.Index:
        """The index of one kind: posts and articles are kept apart, so neither needs a
        kind filter (an intersection with every document) and BM25's length statistics of
        short posts are not mixed with those of long articles."""
        if self._pid != os.getpid():
            # A forked process (a server's worker, forked after the index was opened): the
            # thread that reloads an index's reader when a commit lands stayed in the parent,
            # so the child searched what the index held at the fork, for good (`demo`'s
            # workers did). The child opens its own.
            self._indexes, self._lock, self._pid = {}, threading.Lock(), os.getpid()
        with self._lock:
            if kind not in self._indexes:
                self._indexes[kind] = self._open_or_create(self.path / kind)
            return self._indexes[kind]

    def _open_or_create(self, path: Path) -> tantivy.Index:
        """Open the index at `path`, making it (or making it again, for another schema) first.

        Under a lock file shared by every process of the instance: two pollers starting on a
        fresh instance would otherwise both make the index, and one would find the other's
        half-made folder (no schema file yet), take it for an old schema and delete it while
        the other wrote into it, and both lose their batch.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(path.parent / OPEN_LOCK):
            return self._open_or_create_locked(path)

    def _open_or_create_locked(self, path: Path) -> tantivy.Index:
        meta = path / META_FILE
        try:
            version = json.loads(meta.read_text()).get("schema")
        except (OSError, ValueError):
            version = None
        if version != SCHEMA_VERSION and path.exists():
            # An index from another schema cannot be read with this one; it is derived data,
            # so it is dropped, and `clipdesk reindex` fills the new one.
            log.warning("search_index_reset path=%s found_schema=%s", path, version)
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as exc:
            if not any(marker in str(exc) for marker in DAMAGED):
                raise
            # Damaged files (a crash or a full disk in the middle of a commit, a partial
            # restore): nothing can be read from them, and no rebuild could write over them.
            # Dropped like an old schema's index, so that search and `clipdesk reindex` work.
            log.error(
                "search_index_damaged path=%s (%s); started afresh, `clipdesk reindex` refills it",
                path,
                " ".join(str(exc).split())[:300],
            )
            shutil.rmtree(path)
            path.mkdir()
            index = tantivy.Index(self.schema, path=str(path), reuse=True)
            version = None
        if version != SCHEMA_VERSION:
            # Written whole and renamed into place: a reader finds the old file or the new.
            part = meta.with_suffix(".part")
            part.write_text(json.dumps({"schema": SCHEMA_VERSION}))
            os.replace(part, meta)
        analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        index.register_tokenizer(TOKENIZER, analyzer)
        return index

    @contextmanager
    def _writer(self, kind: str, heap: int = SMALL_HEAP, threads: int = 1):
        """tantivy's writer, waiting while another process holds the directory lock."""
        index = self._open(kind)
        deadline = time.monotonic() + WRITER_WAIT_S
        pause = 0.02
        while True:
            try:
                writer = index.writer(heap_size=heap, num_threads=threads)
                break
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise IndexBusy(f"{kind} index held by another writer") from exc
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
        document.add_text("key", str(doc.object_id))
        parts = [" ".join(doc.title)] * TITLE_REPEAT + [" ".join(doc.body)]
        if doc.joined_title:
            parts += [" ".join(doc.joined_title)] * TITLE_REPEAT
        if doc.joined_body:
            parts.append(" ".join(doc.joined_body))
        document.add_text("text", f" {SEPARATOR} ".join(parts))
        document.add_integer("recency", recency_key(doc.date.toordinal(), doc.object_id))
        document.add_unsigned("sample", sample_bucket(doc.object_id))
        document.add_unsigned("year", doc.date.year)
        document.add_text("lang", doc.lang or "")
        for name, values in (("outlet", doc.outlets), ("entity", doc.entities), ("tag", doc.tags)):
            for value in values:
                document.add_unsigned(name, value)
        return document

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        docs = list(docs)
        written = 0
        for kind in KINDS:
            batch = [doc for doc in docs if doc.kind == kind]
            if not batch:
                continue
            with self._writer(kind) as writer:
                for doc in batch:
                    writer.delete_documents_by_term("key", str(doc.object_id))
                    writer.add_document(self._document(doc))
            written += len(batch)
        return written

    def delete(self, kind: str, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._writer(kind) as writer:
            for object_id in ids:
                writer.delete_documents_by_term("key", str(object_id))

    def rebuild(self, docs: Iterable[IndexDoc], total: int, progress: Progress | None) -> int:
        done = 0
        with ExitStack() as stack:
            writers = {
                kind: stack.enter_context(self._writer(kind, REBUILD_HEAP // len(KINDS), 2))
                for kind in KINDS
            }
            for writer in writers.values():
                writer.delete_all_documents()
            for doc in docs:
                writers[doc.kind].add_document(self._document(doc))
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, total)
        if progress:
            progress(done, total)
        return done

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    # -- searching ------------------------------------------------------------------------

    def _node(self, node: Node, searcher: tantivy.Searcher) -> tantivy.Query:
        if isinstance(node, Term):
            if node.prefix:
                return self._prefix(node.text, searcher)
            return tantivy.Query.term_query(self.schema, "text", node.text)
        if isinstance(node, Phrase):
            if node.joined:
                return tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, self._node(one, searcher)) for one in spellings(node)]
                )
            if node.prefix:
                return tantivy.Query.phrase_prefix_query(self.schema, "text", list(node.words))
            return tantivy.Query.phrase_query(self.schema, "text", list(node.words))
        if isinstance(node, AllOf):
            return tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._node(part, searcher)) for part in node.parts]
            )
        assert isinstance(node, AnyOf)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._node(option, searcher)) for option in node.options]
        )

    def _prefix(self, prefix: str, searcher: tantivy.Searcher) -> tantivy.Query:
        """Any of the words that begin with `prefix`, each scored like a word typed in full.

        A regex query would match the same documents, but scores them all alike, and equal
        scores send `_top_by_score` through every match to order them by date.
        """
        words = searcher.terms_with_prefix("text", prefix, limit=PREFIX_EXPANSIONS)
        if not words:
            return tantivy.Query.empty_query()
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "text", word))
                for word, _ in words
            ]
        )

    def _filter(self, query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
        # Filters decide what matches, never how it ranks.
        return tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)

    def _query(self, plan: Plan, searcher: tantivy.Searcher) -> tantivy.Query:
        schema = self.schema
        parts = [(tantivy.Occur.Must, self._node(node, searcher)) for node in plan.include]
        if not parts:
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        parts += [(tantivy.Occur.MustNot, self._node(node, searcher)) for node in plan.exclude]
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
            parts += [self._filter(query) for query in self._dates(plan)]
        return tantivy.Query.boolean_query(parts)

    def _dates(self, plan: Plan) -> list[tantivy.Query]:
        """Date filters: the years through the inverted index (a few posting lists, cheap to
        intersect), and the exact days on the sort key only when a bound is not a whole year
        (a fast-field range alone reads the date of every candidate document)."""
        first, last = plan.date_from, plan.date_to
        queries = [
            tantivy.Query.range_query(
                self.schema,
                "year",
                tantivy.FieldType.Unsigned,
                first.year if first else None,
                last.year if last else None,
                use_inverted_index=True,
            )
        ]
        whole_years = (first is None or (first.month, first.day) == (1, 1)) and (
            last is None or (last.month, last.day) == (12, 31)
        )
        if not whole_years:
            low = recency_key(first.toordinal(), 0) if first else None
            high = recency_key(last.toordinal(), ID_MASK) if last else None
            queries.append(
                tantivy.Query.range_query(
                    self.schema, "recency", tantivy.FieldType.Integer, low, high
                )
            )
        return queries

    def search(self, plan: Plan) -> EngineResult:
        index = self._open(plan.kind)
        # What another process committed, now: the reader's own reload follows a commit
        # after a delay, and a server's workers answered the same query differently for a
        # moment after a publish (one saw the post, the next did not). 20 µs when unchanged.
        index.reload()
        searcher = index.searcher()
        query = self._query(plan, searcher)
        if plan.by_date:
            found = searcher.search(
                query, limit=plan.limit, offset=plan.offset, order_by_field="recency"
            )
            ids = [key & ID_MASK for key, _ in found.hits]
            total = found.count or 0
        else:
            ids, total = self._top_by_score(searcher, query, plan.offset + plan.limit)
            ids = ids[plan.offset :]
        result = EngineResult(total=total, ids=ids)
        if plan.facets and total:
            estimated = total > FACET_EXACT_LIMIT
            result.facets = self._facets(searcher, query, sampled=estimated)
            result.facets_estimated = estimated
        return result

    def _top_by_score(
        self, searcher: tantivy.Searcher, query: tantivy.Query, wanted: int
    ) -> tuple[list[int], int]:
        """The best `wanted` ids by score, newest first among equal scores.

        tantivy breaks score ties by its internal document order, so documents tied with the
        last one on the page are fetched too (the fetch grows until the boundary is not a
        tie, up to MAX_TIE_FETCH more) and then ordered by (score, recency).
        """
        # A little more than the page: most ties at the boundary are settled in one pass.
        fetch = wanted + TIE_MARGIN
        while True:
            found = searcher.search(query, limit=fetch)
            hits = found.hits
            tied = len(hits) == fetch and hits[-1][0] == hits[wanted - 1][0]
            if not tied or fetch >= min(found.count or 0, wanted + MAX_TIE_FETCH):
                break
            fetch = min(fetch * 4, wanted + MAX_TIE_FETCH)
        keys = searcher.fast_field_values("recency", [address for _, address in hits])
        ranked = sorted(zip((score for score, _ in hits), keys, strict=True), reverse=True)
        return [key & ID_MASK for _, key in ranked[:wanted]], found.count or 0

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query, *, sampled: bool) -> dict:
        scale = 1
        if sampled:
            bucket = tantivy.Query.term_query(self.schema, "sample", 0)
            query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), self._filter(bucket)])
            scale = SAMPLE_BUCKETS
        # Asking for more buckets than are shown keeps the top ones exact across segments.
        spec = {
            "outlet": {"terms": {"field": "outlet", "size": FACET_SIZE * 5}},
            "entity": {"terms": {"field": "entity", "size": FACET_SIZE * 5}},
            "year": {"terms": {"field": "year", "size": 1000}},
        }
        found = searcher.aggregate(query, spec)
        return {
            name: {
                int(bucket["key"]): int(bucket["doc_count"]) * scale
                for bucket in found[name]["buckets"]
            }
            for name in spec
        }
