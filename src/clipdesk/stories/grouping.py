"""Grouping articles into stories one at a time, with the editors' corrections kept.

A new article is placed in milliseconds however large the archive: every stage below does
bounded work (capped look-ups in sorted numpy arrays), never a scan of the archive.

1. Sketch. The body becomes a MinHash signature of its 5-word shingles (`shingles`); a
   signature stored with the article earlier is reused as it is.
2. Near-duplicates. The signature's LSH band keys find candidate articles (at most the
   newest MAX_BUCKET_ROWS per bucket). Each candidate's Jaccard resemblance is estimated from
   the two signatures and turned into the estimated share of the shorter article's shingles
   that the other has too. A share of `threshold` or more makes a near-duplicate: syndicated
   copies with another byline, a rewritten first sentence, a few edits or a trimmed end.
3. Follow-ups. Failing that, the headline's content words are looked up in an inverted index
   keyed by word and day, over the days within `window_days` either side (at most the newest
   MAX_WORD_ROWS per word). A candidate with a similar headline (Dice coefficient of at least
   FOLLOWUP_THRESHOLD) that shares at least one watched entity is coverage of the same event
   by someone else.
4. Choice. The best candidate's story wins: the highest score, ties to the oldest story (the
   smallest id), unless an editor's split decides (stage 6).
5. New story. Nothing qualified: the article starts a story of its own.
6. Corrections. `merge` moves one story's articles into another and forwards its id there,
   so articles that later match the merged story land in the kept one. `split` moves an
   article into a new story, pins it and records the new story and the old one as apart: a
   later article about as close to the split article as to the old story (within PIN_MARGIN,
   the noise of a 64-value estimate) follows the split article, not the story it left.

Grouping never moves an article once placed; only editors do, which is why their corrections
are never undone. The index is not thread-safe: one writer at a time (callers hold a lock).

Memory, per article: a row of numpy columns (the signature, 256 bytes at 64 values, and 30
bytes of story, day, sizes and flags), 32 band postings and about 8 headline postings of 12
bytes each, and a dict entry from article id to row: about 1.2 KB. bench/cluster.py peaks at
2 GB for a million articles, when merging postings or growing the columns copies an array.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from clipdesk.stories import shingles

# Headline Dice coefficient for a follow-up. In the hand-written pairs of tests/stories one
# event's paraphrased headlines score 0.71 and 0.75, another event sharing only the entity
# 0.13; in bench/cluster.py unrelated headlines with a common entity score exactly 0.5 (three
# words of six) about once in 5,000 articles. Just above that: a headline must share more than
# half its content words, so an entity and a subject word ("MEK", "court") are not enough.
FOLLOWUP_THRESHOLD = 0.55
# A body with fewer distinct shingles (about 24 words) is a stub, caption or paywall notice;
# identical stubs of unrelated articles must not make a story, so they skip stage 2.
MIN_SHINGLES = 20
# Newest rows read per LSH bucket or headline posting list: copies of one story rarely number
# more than a few dozen, and the cap bounds the work when boilerplate fills a bucket.
MAX_BUCKET_ROWS = 64
# Newest postings read per headline word within the window: a busy week of one subject brings
# a few hundred headlines naming it.
MAX_WORD_ROWS = 256
# Content words kept per headline; news headlines have 6-12.
MAX_HEADLINE_TOKENS = 16
# Headline candidates whose entities are compared, best first.
MAX_FOLLOWUP_CHECKS = 32
# Two standard deviations of a 64-value Jaccard estimate near 0.8 (sqrt(0.8 * 0.2 / 64)).
PIN_MARGIN = 0.1
_LAST_DAY = datetime.date(2800, 1, 1).toordinal()  # below 2**DAY_BITS with room for a window


@dataclass(frozen=True)
class ArticleSketch:
    """What grouping needs of an article; nothing here touches the database."""

    article_id: int
    title: str
    text: str
    published: datetime.date | None
    entities: frozenset[str] = frozenset()
    outlet: str = ""


@dataclass(frozen=True)
class Assignment:
    """Where an article went, and why in words an editor can check."""

    article_id: int
    story_id: int
    reason: str


def _day(published: datetime.date | None) -> int:
    """Day number of a date (or datetime); 0, which no real date has, when undated.

    A date past the year 2800 is a typo, and would not fit the headline keys' day bits: it
    counts as undated too.
    """
    day = published.toordinal() if published is not None else 0
    return day if day < _LAST_DAY else 0


def _span(days: int) -> str:
    if days == 0:
        return "same day"
    return f"within {days} day" if days == 1 else f"within {days} days"


class StoryIndex:
    """Articles placed in stories as they arrive; see the module docstring for the stages.

    `threshold` is the estimated share of the shorter text's shingles that a near-duplicate
    shares (0.6: a 150-word wire copy with a new byline, first sentence and three edited words
    keeps about 0.65-0.70); `num_perm` MinHash values per article (64 or fewer keeps memory
    small; an even number, as bands hold two); `window_days` either side of an article's day
    for follow-ups; `next_story_id` the first id a new story gets.
    """

    def __init__(
        self,
        *,
        threshold: float = 0.6,
        num_perm: int = 64,
        window_days: int = 3,
        next_story_id: int = 1,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("grouping: threshold must be in (0, 1]")
        if not 0 <= window_days <= 366:
            raise ValueError("grouping: window_days must be between 0 and 366")
        if num_perm < 2 * shingles.BAND_ROWS:
            raise ValueError(f"grouping: num_perm must be at least {2 * shingles.BAND_ROWS}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.window_days = window_days
        self._next_story = next_story_id
        self._count = 0
        self._capacity = 0
        self._ids = np.empty(0, dtype=np.int64)
        self._story = np.empty(0, dtype=np.int64)
        self._day = np.empty(0, dtype=np.int32)
        self._size = np.empty(0, dtype=np.uint32)
        self._head_count = np.empty(0, dtype=np.uint8)
        self._entities = np.empty(0, dtype=np.int32)
        self._pinned = np.empty(0, dtype=bool)
        self._sigs = np.empty((0, num_perm), dtype=np.uint32)
        self._row_of: dict[int, int] = {}
        self._bands = shingles.PostingTable()
        self._headlines = shingles.PostingTable()
        self._entity_sets: list[frozenset[str]] = [frozenset()]
        self._entity_set_ids: dict[frozenset[str], int] = {frozenset(): 0}
        self._merged: dict[int, int] = {}  # merged story -> the story it went into
        self._apart: dict[int, set[int]] = {}  # story -> stories an editor split from it

    def __len__(self) -> int:
        return self._count

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row_of

    # Stage 1: signatures ------------------------------------------------------------------

    def minhash_signature(self, text: str) -> bytes:
        """The text's signature as bytes (266 at 64 values), to store with the article.

        Layout in `shingles.pack_signature`: a header, datasketch-compatible MinHash values
        and the shingle count. Pass it to `add(..., signature=)` or `restore` to skip hashing.
        """
        return self.minhash_signatures([text])[0]

    def minhash_signatures(self, texts: Iterable[str]) -> list[bytes]:
        """Signatures of many texts in one numpy pass: for imports and worker processes."""
        values, sizes = shingles.signatures(texts, self.num_perm)
        return [shingles.pack_signature(v, int(s)) for v, s in zip(values, sizes, strict=True)]

    def signature_bytes(self, article_id: int) -> bytes:
        """The stored signature of an indexed article, as `minhash_signature` made it."""
        row = self._row(article_id)
        return shingles.pack_signature(self._sigs[row], int(self._size[row]))

    # Stages 2-5: placing a new article ----------------------------------------------------

    def add(self, sketch: ArticleSketch, *, signature: bytes | None = None) -> Assignment:
        """Place a new article in a story and say why; `signature` skips hashing the text.

        An article already in the index stays where it is (the same story is returned).
        """
        row = self._row_of.get(sketch.article_id)
        if row is not None:
            story = int(self._story[row])
            return Assignment(sketch.article_id, story, f"already in story {story}")
        if signature is None:
            values_all, sizes = shingles.signatures([sketch.text], self.num_perm)
            values, size = values_all[0], int(sizes[0])
        else:
            values, size = shingles.unpack_signature(signature, self.num_perm)
        day = _day(sketch.published)
        words = shingles.headline_tokens(sketch.title, MAX_HEADLINE_TOKENS)
        choice = self._near_duplicate(values, size) or self._follow_up(sketch, day, words)
        if choice is None:
            story, reason = self._new_story_id(), "new story"
        else:
            story, reason = choice
        self._record(sketch, story, values, size, day, words, rebuilding=False)
        return Assignment(sketch.article_id, story, reason)

    def _near_duplicate(self, values: np.ndarray, size: int) -> tuple[int, str] | None:
        """Stage 2: the story of the closest near-duplicate, or None."""
        if size < MIN_SHINGLES or not self._count:
            return None
        rows = self._bands.lookup(shingles.band_keys(values), MAX_BUCKET_ROWS)
        if not rows.size:
            return None
        rows = np.unique(rows)
        jaccard = np.count_nonzero(self._sigs[rows] == values, axis=1) / self.num_perm
        sizes = self._size[rows].astype(np.float64)
        # |A ∩ B| = J (|A| + |B|) / (1 + J); divided by the smaller set it is the share of the
        # shorter text found in the other, which survives a trimmed or re-topped copy.
        shared = jaccard / (1 + jaccard) * (sizes + size) / np.minimum(sizes, size)
        hits = np.flatnonzero(shared >= self.threshold)
        if not hits.size:
            return None
        pick, note = self._choose(rows[hits], jaccard[hits], PIN_MARGIN)
        row, score = int(rows[hits[pick]]), min(float(shared[hits[pick]]), 1.0)
        reason = (
            f"near-duplicate of article {self._ids[row]} (estimated Jaccard "
            f"{jaccard[hits[pick]]:.2f}, {score:.0%} of the shorter text shared){note}"
        )
        return int(self._story[row]), reason

    def _follow_up(
        self, sketch: ArticleSketch, day: int, words: list[str]
    ) -> tuple[int, str] | None:
        """Stage 3: the story of the most similar headline nearby in time, or None."""
        if not day or not sketch.entities or not words or not self._count:
            return None
        prefixes = shingles.headline_prefixes(words)
        rows = self._headlines.lookup_ranges(
            prefixes | np.uint64(max(day - self.window_days, 1)),
            prefixes | np.uint64(day + self.window_days),
            MAX_WORD_ROWS,
        )
        if not rows.size:
            return None
        # A row has one day, so it meets each shared headline word exactly once.
        rows, common = np.unique(rows, return_counts=True)
        dice = 2 * common / (len(words) + self._head_count[rows])
        close = dice >= FOLLOWUP_THRESHOLD
        rows, dice = rows[close], dice[close]
        order = np.lexsort((self._story[rows], -dice))[:MAX_FOLLOWUP_CHECKS].tolist()
        entities = frozenset(sketch.entities)
        matched = [i for i in order if self._entity_sets[self._entities[rows[i]]] & entities]
        if not matched:
            return None
        pick, note = self._choose(rows[matched], dice[matched], 0.0)
        row = int(rows[matched][pick])
        shared = sorted(self._entity_sets[self._entities[row]] & entities)
        names = ", ".join(shared[:3]) + (f" and {len(shared) - 3} more" if len(shared) > 3 else "")
        reason = (
            f"follow-up: headline similar to article {self._ids[row]} "
            f"({dice[matched][pick]:.2f}), shares {names}, "
            f"{_span(abs(int(self._day[row]) - day))}{note}"
        )
        return int(self._story[row]), reason

    def _choose(self, rows: np.ndarray, scores: np.ndarray, margin: float) -> tuple[int, str]:
        """Stage 4: index of the winning candidate, and a note when an editor's split decided.

        Highest score first, then the oldest story. When the winner's story has stories split
        from it, a pinned article of one of those scoring within `margin` of the best wins.
        """
        stories = self._story[rows]
        order = np.lexsort((stories, -scores))
        best = int(order[0])
        apart = self._apart.get(int(stories[best]))
        if apart:
            floor = scores[best] - margin - 1e-9
            for i in order.tolist():
                if scores[i] < floor:
                    break
                if int(stories[i]) in apart and self._pinned[rows[i]]:
                    note = (
                        f"; not story {stories[best]}: an editor split article "
                        f"{self._ids[rows[i]]} out of it"
                    )
                    return i, note
        return best, ""

    def _new_story_id(self) -> int:
        story = self._next_story
        self._next_story += 1
        return story

    def _record(
        self,
        sketch: ArticleSketch,
        story: int,
        values: np.ndarray,
        size: int,
        day: int,
        words: list[str],
        *,
        rebuilding: bool,
    ) -> int:
        if self._count == self._capacity:
            self._grow()
        row = self._count
        entities = frozenset(sketch.entities)
        entity_set = self._entity_set_ids.get(entities)
        if entity_set is None:
            entity_set = self._entity_set_ids[entities] = len(self._entity_sets)
            self._entity_sets.append(entities)
        self._ids[row] = sketch.article_id
        self._story[row] = story
        self._day[row] = day
        self._size[row] = size
        self._head_count[row] = len(words)
        self._entities[row] = entity_set
        self._pinned[row] = False
        self._sigs[row] = values
        self._row_of[sketch.article_id] = row
        self._count += 1
        file = shingles.PostingTable.stage if rebuilding else shingles.PostingTable.add
        if size >= MIN_SHINGLES:
            file(self._bands, shingles.band_keys(values), row)
        # Only dated articles with entities can ever be follow-ups of one another (stage 3).
        if day and entities and words:
            file(self._headlines, shingles.headline_prefixes(words) | np.uint64(day), row)
        return row

    def _grow(self) -> None:
        """Grow the columns by half (not double: 64 values are 256 bytes an article)."""
        capacity = max(1024, self._capacity + self._capacity // 2)
        for name in ("_ids", "_story", "_day", "_size", "_head_count", "_entities", "_pinned"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: self._count] = old[: self._count]
            setattr(self, name, new)
        sigs = np.zeros((capacity, self.num_perm), dtype=np.uint32)
        sigs[: self._count] = self._sigs[: self._count]
        self._sigs = sigs
        self._capacity = capacity

    # Rebuilding from stored rows ----------------------------------------------------------

    def restore(
        self,
        article_id: int,
        story_id: int,
        signature: bytes,
        sketch: ArticleSketch,
        *,
        split_from: int | None = None,
    ) -> None:
        """Put back a stored article: its story, signature and sketch, without rehashing.

        Restore in the order the articles were added (the newest rows of a bucket are the
        ones read), then replay merges and pins in any order; a later `add` then places an
        article as the original index would have. `split_from` is the story an editor split
        the article out of, when that is known.
        """
        if sketch.article_id != article_id:
            raise ValueError(f"grouping: sketch of article {sketch.article_id}, not {article_id}")
        if article_id in self._row_of:
            raise ValueError(f"grouping: article {article_id} is already in the index")
        values, size = shingles.unpack_signature(signature, self.num_perm)
        story = self._resolve(story_id)
        self._next_story = max(self._next_story, story_id + 1, story + 1)
        day = _day(sketch.published)
        words = shingles.headline_tokens(sketch.title, MAX_HEADLINE_TOKENS)
        row = self._record(sketch, story, values, size, day, words, rebuilding=True)
        if split_from is not None:
            self._pinned[row] = True
            self._set_apart(story, self._resolve(split_from))

    # Stage 6: editors' corrections --------------------------------------------------------

    def merge(self, keep_story: int, other_story: int) -> None:
        """Move `other_story`'s articles into `keep_story`, now and for later articles.

        Stories split from either stay apart from the merged one; if the two were apart
        themselves, the editor has changed their mind and they no longer are.
        """
        keep, other = self._resolve(keep_story), self._resolve(other_story)
        if keep == other:
            return
        stories = self._story[: self._count]
        stories[stories == other] = keep
        self._merged[other] = keep
        self._next_story = max(self._next_story, keep + 1, other + 1)
        for story in self._apart.pop(other, set()):
            self._apart[story].discard(other)
            if story != keep:
                self._apart[story].add(keep)
                self._apart.setdefault(keep, set()).add(story)
            elif not self._apart[story]:
                del self._apart[story]

    def split(self, article_id: int) -> int:
        """Move an article into a new story and pin it there; returns the new story's id.

        Remembered: the new story and the old one are apart (see `_choose`), and grouping
        never moves the article back.
        """
        row = self._row(article_id)
        old, new = int(self._story[row]), self._new_story_id()
        self._story[row] = new
        self._pinned[row] = True
        self._set_apart(new, old)
        return new

    def pin(self, article_id: int, story_id: int, split_from: int | None = None) -> None:
        """Place an article in `story_id` as an editor did, e.g. when replaying stored pins.

        `split_from`, when known, is the story it was split out of (kept apart, see `split`).
        """
        row = self._row(article_id)
        story = self._resolve(story_id)
        self._story[row] = story
        self._pinned[row] = True
        self._next_story = max(self._next_story, story + 1)
        if split_from is not None:
            self._set_apart(story, self._resolve(split_from))

    def _set_apart(self, story: int, other: int) -> None:
        if story != other:
            self._apart.setdefault(story, set()).add(other)
            self._apart.setdefault(other, set()).add(story)

    def _resolve(self, story: int) -> int:
        """The story a (possibly merged) story id now lives in; compresses the path walked."""
        root = story
        while root in self._merged:
            root = self._merged[root]
        while story != root:
            self._merged[story], story = root, self._merged[story]
        return root

    # Reading ------------------------------------------------------------------------------

    def story_of(self, article_id: int) -> int:
        return int(self._story[self._row(article_id)])

    def stories(self) -> dict[int, list[int]]:
        """Every story's article ids, in the order they were added. A full pass: for checks."""
        if not self._count:
            return {}
        stories = self._story[: self._count]
        order = np.argsort(stories, kind="stable")
        ordered, ids = stories[order], self._ids[: self._count][order]
        starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
        groups = np.split(ids, starts[1:])
        return {int(ordered[s]): g.tolist() for s, g in zip(starts, groups, strict=True)}

    def _row(self, article_id: int) -> int:
        row = self._row_of.get(article_id)
        if row is None:
            raise KeyError(f"grouping: article {article_id} is not in the index")
        return row
