"""Time story grouping of one new article against large archives; print one JSON line.

Stages:
1. Vocabulary: VOCABULARY pseudo-words with Zipf-like frequencies (rank r has weight
   1 / (r + 2.7)), seeded, so the top hundred words behave like function words.
2. Base archive, in batches made by worker processes: bylined articles of 150-800 words
   (log-normal around 380, sentences of 12-30 words), a headline, one or two watched entities
   and a day (ARTICLES_PER_DAY a day). COPY_SHARE of them are syndicated copies of an earlier
   article of the batch: another byline, a rewritten first sentence and EDITS edited words,
   the same day or the next. Workers hash the texts; the main process groups every article
   with `StoryIndex.add(..., signature=...)`, the same decision a new article gets.
3. At each size: time `add` (the whole path, hashing included) for ADDS fresh articles, a
   COPY_SHARE of them copies, and report the median and 95th percentile in milliseconds.
4. Pairwise precision and recall of the stories against the known copies (an original and its
   copies are one story, every other article its own), and the peak resident memory.

Run: .venv/bin/python bench/cluster.py [--sizes 10000,100000,1000000] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import multiprocessing.pool
import resource
import statistics
import sys
import time
from collections.abc import Iterator

import numpy as np

from clipdesk.stories import shingles
from clipdesk.stories.grouping import ArticleSketch, StoryIndex

SEED = 20250304
VOCABULARY = 50_000
COPY_SHARE = 0.10
EDITS = 3
ADDS = 300
BATCH = 5_000
ARTICLES_PER_DAY = 1_000  # a million articles span under three years
ENTITIES = 500
OUTLETS = 300
START = datetime.date(2022, 1, 1).toordinal()

_vocabulary: list[str] = []
_capitalised: list[str] = []
_cumulative = np.empty(0)


def _build_vocabulary() -> None:
    """Stage 1, once per process: pseudo-words of two to four syllables, and their weights."""
    global _vocabulary, _capitalised, _cumulative
    rng = np.random.default_rng(SEED)
    syllables = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        parts = rng.integers(0, len(syllables), size=rng.integers(2, 5))
        words.setdefault("".join(syllables[p] for p in parts), None)
    _vocabulary = list(words)
    _capitalised = [word.capitalize() for word in _vocabulary]
    weights = 1.0 / (np.arange(1, VOCABULARY + 1) + 2.7)
    _cumulative = np.cumsum(weights) / weights.sum()


class Writer:
    """Synthetic articles from one seeded generator."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def words(self, count: int, *, content: bool = False) -> np.ndarray:
        ids = np.searchsorted(_cumulative, self.rng.random(count))
        return np.minimum(ids + (200 if content else 0), VOCABULARY - 1)

    def sentence(self, ids: np.ndarray) -> str:
        return " ".join([_capitalised[ids[0]], *map(_vocabulary.__getitem__, ids[1:])]) + "."

    def byline(self) -> str:
        first, last = self.words(2, content=True)
        outlet = int(self.rng.integers(OUTLETS))
        return f"By {_capitalised[first]} {_capitalised[last]}, Outlet {outlet}"

    def body(self) -> tuple[np.ndarray, np.ndarray]:
        """An article as word ids and sentence starts: 150-800 words, log-normal around 380."""
        length = int(np.clip(self.rng.lognormal(np.log(380), 0.45), 150, 800))
        starts = np.cumsum(self.rng.integers(12, 31, size=length // 12 + 1))
        return self.words(length), np.concatenate(([0], starts[starts < length - 3]))

    def copy(self, ids: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A syndicated copy: a rewritten first sentence, EDITS words replaced elsewhere."""
        rest = ids[starts[1] :].copy() if len(starts) > 1 else ids.copy()
        at = self.rng.choice(len(rest), size=min(EDITS, len(rest)), replace=False)
        rest[at] = self.words(len(at))
        first = self.words(int(self.rng.integers(12, 31)))
        shift = len(first) - (starts[1] if len(starts) > 1 else 0)
        return np.concatenate((first, rest)), np.concatenate(([0], starts[1:] + shift))

    def text(self, ids: np.ndarray, starts: np.ndarray) -> str:
        """Byline, then the sentences: capitalised first word, full stop after the last."""
        words = list(map(_vocabulary.__getitem__, ids.tolist()))
        for start in starts.tolist():
            words[start] = _capitalised[ids[start]]
            if start:
                words[start - 1] += "."
        return self.byline() + "\n\n" + " ".join(words) + "."

    def headline(self) -> str:
        return self.sentence(self.words(int(self.rng.integers(6, 11)), content=True))[:-1]

    def entities(self) -> frozenset[str]:
        ranks = np.searchsorted(_cumulative, self.rng.random(int(self.rng.integers(1, 3))))
        return frozenset(f"Entity {rank % ENTITIES}" for rank in ranks)


def articles(seed: int, first_id: int, count: int) -> Iterator[tuple[ArticleSketch, int]]:
    """Stage 2: `count` sketches with ids from `first_id`, and the id each one copies."""
    writer = Writer(np.random.default_rng([SEED, seed]))
    originals: list[tuple[int, tuple[np.ndarray, np.ndarray], str, frozenset[str], int]] = []
    for article_id in range(first_id, first_id + count):
        day = START + article_id // ARTICLES_PER_DAY
        if originals and writer.rng.random() < COPY_SHARE:
            source, body, title, entities, source_day = originals[
                int(writer.rng.integers(max(0, len(originals) - 50), len(originals)))
            ]
            body = writer.copy(*body)
            title = title if writer.rng.random() < 0.5 else writer.headline()
            day = source_day + int(writer.rng.integers(0, 2))
        else:
            source, body = article_id, writer.body()
            title, entities = writer.headline(), writer.entities()
            originals.append((article_id, body, title, entities, day))
        published = datetime.date.fromordinal(day)
        sketch = ArticleSketch(article_id, title, writer.text(*body), published, entities)
        yield sketch, source


def signed_batch(spec: tuple[int, int, int]) -> list[tuple[ArticleSketch, bytes, int]]:
    """A worker's batch: sketches without their texts, with signatures made from them."""
    if not _vocabulary:
        _build_vocabulary()
    made = list(articles(*spec))
    values, sizes = shingles.signatures((sketch.text for sketch, _ in made), 64)
    return [
        (
            ArticleSketch(sketch.article_id, sketch.title, "", sketch.published, sketch.entities),
            shingles.pack_signature(value, int(size)),
            source,
        )
        for (sketch, source), value, size in zip(made, values, sizes, strict=True)
    ]


def grow(
    index: StoryIndex, truth: list[int], target: int, pool: multiprocessing.pool.Pool
) -> float:
    """Add base articles until the index holds `target`; returns the seconds it took."""
    started = time.perf_counter()
    first = len(truth)
    specs = [
        (1_000_000 + start // BATCH, start, min(BATCH, target - start))
        for start in range(first, target, BATCH)
    ]
    for batch in pool.imap(signed_batch, specs):
        for sketch, signature, source in batch:
            index.add(sketch, signature=signature)
            truth.append(source)
        print(f"bench: {len(truth):,} articles indexed", file=sys.stderr, flush=True)
    return time.perf_counter() - started


def timed_adds(index: StoryIndex, truth: list[int]) -> dict[str, float]:
    """Stage 3: milliseconds for each of ADDS fresh articles through the whole `add`.

    Wall-clock and CPU time both: on a shared machine the wall clock also counts the time
    the scheduler gave to other processes, which the CPU time leaves out.
    """
    made = list(articles(10**9 + len(truth), len(truth), ADDS))
    wall, cpu = [], []
    for sketch, source in made:
        started, started_cpu = time.perf_counter(), time.process_time()
        index.add(sketch)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        truth.append(source)
    return {
        "median_ms": round(statistics.median(wall), 3),
        "p95_ms": round(float(np.percentile(wall, 95)), 3),
        "max_ms": round(max(wall), 3),
        "cpu_median_ms": round(statistics.median(cpu), 3),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 3),
    }


def pairwise(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float | int]:
    """Stage 4: precision and recall over all pairs of articles put in one story."""

    def pairs(labels: np.ndarray) -> int:
        counts = np.unique(labels, return_counts=True)[1].astype(np.int64)
        return int((counts * (counts - 1) // 2).sum())

    both = truth.astype(np.int64) * (int(predicted.max()) + 1) + predicted
    true_pairs, found_pairs, right = pairs(truth), pairs(predicted), pairs(both)
    return {
        "precision": round(right / found_pairs, 4) if found_pairs else 1.0,
        "recall": round(right / true_pairs, 4) if true_pairs else 1.0,
        "true_pairs": true_pairs,
        "found_pairs": found_pairs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    sizes = sorted(int(size) for size in options.sizes.split(","))
    _build_vocabulary()
    index, truth = StoryIndex(), []
    result: dict[str, object] = {
        "bench": "cluster",
        "num_perm": index.num_perm,
        "threshold": index.threshold,
        "copy_share": COPY_SHARE,
        "adds_per_size": ADDS,
        "sizes": {},
    }
    with multiprocessing.get_context("fork").Pool(options.workers) as pool:
        for size in sizes:
            build_seconds = grow(index, truth, size, pool)
            result["sizes"][str(size)] = timed_adds(index, truth) | {
                "build_s": round(build_seconds, 1),
                "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
    predicted = np.empty(len(truth), dtype=np.int64)
    for story, members in index.stories().items():
        predicted[members] = story
    result.update(pairwise(np.array(truth), predicted))
    result["articles"] = len(truth)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
