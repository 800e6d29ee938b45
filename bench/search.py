"""Search latency on both engines over the same synthetic archive; prints one JSON line.

Stages:
1. Make N documents (default 1,000,000; seeded): a headline of 4-12 words and a text of
   40-200 words drawn from a Zipf vocabulary of 50,000 made-up words; dates over 2005-2025;
   one or two of 200 outlets (also Zipf); 20 watched entities with four aliases each, one
   named in 5% of documents; three languages.
2. Build each engine through its real backend (`rebuild`, as `clipdesk reindex` does): the
   tantivy index in a temporary folder, and the PostgreSQL table in a scratch database
   (`--postgres-url`, the database is created and dropped). Time and size for each.
3. Run a fixed mix of queries through `query.parse` → alias expansion → `backend.search`
   (one page of 20, the total and the facets, as the service asks): plain words from common
   to rare, phrases, an alias-expanded name, filters, and date-sorted pages. Each query
   WARMUP times untimed, then REPEAT times; p50/p95/p99 over all timings per engine, and the
   median per query. Known worst cases (a phrase of two words found in every document) are
   timed apart, under "stress", so that one pathological query does not hide the rest.
   Then the two engines again, query by query in turns (`alternating_with_tantivy`, 10
   rounds), so that both meet the same load: the steadier ratio on a shared machine.
4. For the record, SQLite FTS5 on the same documents (`--fts5`, on by default): build time,
   size, and the two ways to page a common word — ranked by bm25, and newest first.

Also measured: folding (`words.tokens`, the index's tokenizer) on a sample of raw texts, and
cutting 20 highlighted snippets, the per-page work the service adds to an engine's answer.

    .venv/bin/python bench/search.py [--docs 1000000] [--repeat 20] [--postgres-repeat 5]
        [--no-fts5] [--no-postgres] [--postgres-url postgres://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

VOCABULARY = 50_000
ZIPF_EXPONENT = 1.07  # close to word frequencies in English news text
OUTLETS = 200
ENTITIES = 20
ENTITY_SHARE = 0.05
LANGS = ("en", "fr", "fa")
FIRST_DAY = datetime.date(2005, 1, 1).toordinal()
LAST_DAY = datetime.date(2025, 12, 31).toordinal()
WARMUP = 2
SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"]


def make_vocabulary(rng: np.random.Generator) -> list[str]:
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        size = int(rng.integers(1, 5))
        words.setdefault("".join(rng.choice(SYLLABLES, size)), None)
    return list(words)


def zipf_sampler(rng: np.random.Generator, size: int, exponent: float):
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    cumulative = np.cumsum(weights / weights.sum())
    return lambda count: np.searchsorted(cumulative, rng.random(count))


def entity_names(vocab: list[str]) -> dict[int, list[str]]:
    """Entity id → name and aliases, made of rare words so that they mean something."""
    names: dict[int, list[str]] = {}
    for entity in range(1, ENTITIES + 1):
        base = VOCABULARY - 400 + entity * 10
        a, b, c = vocab[base], vocab[base + 1], vocab[base + 2]
        names[entity] = [f"{a} {b}", f"{a}-e {b}", f"{c}{a[:2]}", f"{b} {c} of {a}"]
    return names


def make_documents(count: int, seed: int):
    """IndexDocs for both engines, and a sample of raw texts to time folding on."""
    from clipdesk.search.backends import IndexDoc
    from clipdesk.search.words import tokens

    rng = np.random.default_rng(seed)
    vocab = make_vocabulary(rng)
    draw = zipf_sampler(rng, VOCABULARY, ZIPF_EXPONENT)
    draw_outlet = zipf_sampler(rng, OUTLETS, 1.0)
    aliases = entity_names(vocab)
    alias_tokens = {e: [tuple(tokens(name)) for name in names] for e, names in aliases.items()}
    lengths = rng.integers(40, 201, count)
    title_lengths = rng.integers(4, 13, count)
    days = rng.integers(FIRST_DAY, LAST_DAY + 1, count)
    langs = rng.choice(len(LANGS), count, p=[0.7, 0.15, 0.15])
    second_outlet = rng.random(count) < 0.3
    with_entity = rng.random(count) < ENTITY_SHARE
    entity_of = rng.integers(1, ENTITIES + 1, count)
    words = draw(int(lengths.sum() + title_lengths.sum()))
    docs: list[IndexDoc] = []
    sample: list[str] = []
    cursor = 0
    for i in range(count):
        title = [vocab[w] for w in words[cursor : cursor + title_lengths[i]]]
        cursor += title_lengths[i]
        body = [vocab[w] for w in words[cursor : cursor + lengths[i]]]
        cursor += lengths[i]
        entities: tuple[int, ...] = ()
        if with_entity[i]:
            entity = int(entity_of[i])
            spot = int(rng.integers(0, len(body)))
            alias = alias_tokens[entity][int(rng.integers(0, 4))]
            body[spot:spot] = alias
            entities = (entity,)
        outlets = {int(draw_outlet(1)[0]) + 1}
        if second_outlet[i]:
            outlets.add(int(draw_outlet(1)[0]) + 1)
        docs.append(
            IndexDoc(
                kind="post",
                object_id=i + 1,
                title=tuple(title),
                body=tuple(body),
                date=datetime.date.fromordinal(int(days[i])),
                lang=LANGS[langs[i]],
                outlets=tuple(sorted(outlets)),
                entities=entities,
            )
        )
        if i < 2000:
            sample.append(" ".join(title).capitalize() + ". " + " ".join(body).capitalize())
    return docs, vocab, aliases, sample


def query_mix(vocab: list[str], aliases: dict[int, list[str]]) -> dict[str, tuple[str, dict]]:
    """Name → (query text, service options). Word ranks: 0 is the most frequent word."""
    common, mid, rare = vocab[0], vocab[300], vocab[20_000]
    name = aliases[3][2]  # a one-word alias: expands to all four names of entity 3
    return {
        "common_word": (common, {}),
        "two_common_words": (f"{vocab[1]} {vocab[2]}", {}),
        "four_common_words": (f"{vocab[3]} {vocab[5]} {vocab[8]} {vocab[13]}", {}),
        "mid_word": (mid, {}),
        "rare_word": (rare, {}),
        "prefix": (vocab[40][:3] + "*", {}),
        "phrase_common_and_mid": (f'"{vocab[0]} {vocab[300]}"', {}),
        "phrase_mid": (f'"{vocab[30]} {vocab[60]}"', {}),
        "alias_expanded": (name, {}),
        "alias_and_word": (f"{name} {vocab[10]}", {}),
        "filtered_outlet": (f"{vocab[4]} outlet:1", {}),
        "filtered_years": (f"{vocab[6]} from:2015 to:2016", {}),
        "filtered_lang_excluding": (f"{vocab[7]} -{vocab[9]} lang:fr", {}),
        "sorted_by_date_common": (common, {"sort": "date"}),
        "sorted_by_date_filter_only": ("outlet:2 from:2020", {"sort": "date"}),
        "common_page_5": (vocab[2], {"page": 5}),
    }


def stress_queries(vocab: list[str]) -> dict[str, tuple[str, dict]]:
    """Known worst cases, timed apart from the mix: positions are checked in every match."""
    return {"phrase_of_two_words_in_every_document": (f'"{vocab[0]} {vocab[1]}"', {})}


def plan_for(text: str, options: dict, book):
    """What `service.search` gives the engine, without the database look-ups of names."""
    from clipdesk.search.aliases import expand_aliases
    from clipdesk.search.backends import Plan
    from clipdesk.search.query import parse

    parsed = parse(text)
    expansion = expand_aliases(parsed.include, parsed.exclude, book)
    page = options.get("page", 1)
    return Plan(
        kind="post",
        include=tuple(expansion.include),
        exclude=tuple(expansion.exclude),
        outlets=frozenset(int(v) for v in parsed.filters.outlet) or None,
        langs=frozenset(parsed.filters.lang) or None,
        date_from=parsed.filters.date_from,
        date_to=parsed.filters.date_to,
        sort=options.get("sort", "relevance"),
        offset=(page - 1) * 20,
        limit=20,
    )


def percentiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": at(1.0)}


def measure(backend, plans: dict, repeat: int, stress: dict | None = None) -> dict:
    from clipdesk.search.backends import SearchUnavailable

    timings: list[float] = []
    per_query: dict[str, dict] = {}
    for name, plan in plans.items():
        runs: list[float] = []
        total = None
        estimated = False
        for attempt in range(WARMUP + repeat):
            started = time.perf_counter()
            try:
                found = backend.search(plan)
                total, estimated = found.total, found.total_is_estimate
            except SearchUnavailable:
                total = "timeout"
            elapsed = time.perf_counter() - started
            if attempt >= WARMUP:
                runs.append(elapsed)
        timings += runs
        per_query[name] = {"median_ms": round(statistics.median(runs) * 1000, 2), "total": total}
        if estimated:
            per_query[name]["total_is_estimate"] = True
    result = {**percentiles(timings), "queries": per_query}
    if stress:
        result["stress"] = measure(backend, stress, max(1, repeat // 4))["queries"]
    return result


def alternating(first, second, plans: dict, rounds: int) -> dict:
    """Both engines query by query, in turns, so that both meet the same load."""
    timings: dict[str, list[float]] = {first.name: [], second.name: []}
    for attempt in range(WARMUP + rounds):
        for plan in plans.values():
            for backend in (first, second):
                started = time.perf_counter()
                backend.search(plan)
                if attempt >= WARMUP:
                    timings[backend.name].append(time.perf_counter() - started)
    result = {name: percentiles(runs) for name, runs in timings.items()}
    result["p95_ratio"] = round(result[second.name]["p95_ms"] / result[first.name]["p95_ms"], 2)
    return result


def bench_tantivy(docs, plans, stress, repeat: int, workdir: Path) -> tuple[dict, object]:
    from clipdesk.search.backends.tantivy_backend import TantivyBackend

    backend = TantivyBackend(workdir / "search-index")
    started = time.perf_counter()
    backend.rebuild(iter(docs), len(docs), None)
    build = time.perf_counter() - started
    result = {"build_s": round(build, 1), "index_mb": round(backend.size_bytes() / 1e6, 1)}
    result["segments"] = backend._open("post").searcher().num_segments
    return {**result, **measure(backend, plans, repeat, stress)}, backend


def bench_postgres(
    docs, plans, stress, repeat: int, url: str, rival=None, rounds: int = 10
) -> dict:
    import dj_database_url
    import psycopg
    from django.conf import settings

    database = f"clipdesk_bench_{os.getpid()}"
    admin = psycopg.connect(url, autocommit=True)
    admin.execute(f'CREATE DATABASE "{database}"')
    try:
        config = dj_database_url.parse(url)
        config["NAME"] = database
        settings.configure(DATABASES={"default": config}, INSTALLED_APPS=[], USE_TZ=True)
        import django

        django.setup()
        from django.db import connection

        from clipdesk.search.backends.postgres import PostgresBackend

        for name in ("0001_initial", "0002_large_archives"):
            migration = __import__(f"clipdesk.search.migrations.{name}", fromlist=["POSTGRES_SQL"])
            with connection.cursor() as cursor:
                for statement in migration.POSTGRES_SQL:
                    cursor.execute(statement)
        backend = PostgresBackend()
        started = time.perf_counter()
        backend.rebuild(iter(docs), len(docs), None)
        build = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_document")
        result = {"build_s": round(build, 1), "index_mb": round(backend.size_bytes() / 1e6, 1)}
        result.update(measure(backend, plans, repeat, stress))
        if rival is not None:
            result["alternating_with_tantivy"] = alternating(rival, backend, plans, rounds)
        connection.close()
        return result
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def bench_fts5(docs, vocab: list[str], workdir: Path, repeat: int) -> dict:
    """The rejected alternative, measured beside the others: SQLite FTS5, same tokens."""
    db = sqlite3.connect(workdir / "fts5.sqlite3")
    db.execute(
        "CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    db.executemany(
        "INSERT INTO doc (rowid, title, body) VALUES (?, ?, ?)",
        ((d.object_id, " ".join(d.title), " ".join(d.body)) for d in docs),
    )
    db.commit()
    build = time.perf_counter() - started
    size = (workdir / "fts5.sqlite3").stat().st_size

    def timed(sql: str, word: str) -> float:
        runs = []
        for attempt in range(1 + repeat):
            started = time.perf_counter()
            db.execute(sql, [f'"{word}"']).fetchall()
            if attempt:
                runs.append(time.perf_counter() - started)
        return round(statistics.median(runs) * 1000, 2)

    ranked = "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY bm25(doc, 2.0, 1.0) LIMIT 20"
    newest = "SELECT rowid FROM doc WHERE doc MATCH ? ORDER BY rowid DESC LIMIT 20"
    count = "SELECT count(*) FROM doc WHERE doc MATCH ?"
    out = {"build_s": round(build, 1), "index_mb": round(size / 1e6, 1)}
    for label, word in (("common", vocab[0]), ("mid", vocab[300]), ("rare", vocab[20_000])):
        out[f"{label}_ranked_ms"] = timed(ranked, word)
        out[f"{label}_newest_first_ms"] = timed(newest, word)
        out[f"{label}_count_ms"] = timed(count, word)
    db.close()
    return out


def bench_per_page_work(sample: list[str], vocab: list[str]) -> dict:
    from clipdesk.search.query import AnyOf, Term
    from clipdesk.search.snippets import Highlighter, snippet
    from clipdesk.search.words import tokens

    started = time.perf_counter()
    for text in sample:
        tokens(text)
    fold_ms = (time.perf_counter() - started) * 1000 / len(sample)
    highlighter = Highlighter.for_nodes([AnyOf((Term(vocab[300]), Term(vocab[5])))])
    started = time.perf_counter()
    rounds = max(1, len(sample) // 20)
    for start in range(0, rounds * 20, 20):
        for text in sample[start : start + 20]:
            snippet(text, highlighter)
    page_ms = (time.perf_counter() - started) * 1000 / rounds
    return {"fold_ms_per_doc": round(fold_ms, 3), "snippets_ms_per_page_of_20": round(page_ms, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres-repeat", type=int, default=5, help="fewer: its slow queries take seconds"
    )
    parser.add_argument("--seed", type=int, default=20250301)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-fts5", action="store_true")
    args = parser.parse_args()

    from clipdesk.search.aliases import AliasBook

    started = time.perf_counter()
    docs, vocab, aliases, sample = make_documents(args.docs, args.seed)
    generated = time.perf_counter() - started
    book = AliasBook.from_names(aliases)
    plans = {
        name: plan_for(text, opts, book) for name, (text, opts) in query_mix(vocab, aliases).items()
    }
    stress = {
        name: plan_for(text, opts, book) for name, (text, opts) in stress_queries(vocab).items()
    }
    report: dict = {
        "docs": args.docs,
        "repeat": args.repeat,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "generate_s": round(generated, 1),
        "queries": {
            name: text
            for name, (text, _) in {**query_mix(vocab, aliases), **stress_queries(vocab)}.items()
        },
        "per_page": bench_per_page_work(sample, vocab),
    }
    with tempfile.TemporaryDirectory(prefix="clipdesk-bench-search-") as workdir:
        report["tantivy"], tantivy = bench_tantivy(docs, plans, stress, args.repeat, Path(workdir))
        if not args.no_fts5:
            report["sqlite_fts5_reference"] = bench_fts5(docs, vocab, Path(workdir), 3)
        if not args.no_postgres:
            # The tantivy index is kept until PostgreSQL is measured: then both take turns.
            report["postgres"] = bench_postgres(
                docs, plans, stress, args.postgres_repeat, args.postgres_url, rival=tantivy
            )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
