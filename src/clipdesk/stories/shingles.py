"""From article text to hashes, and the tables they are filed in for grouping.

1. Normalise. Casefold and keep runs of word characters only, so the case, punctuation and
   spacing that differ between outlets' copies of one wire story disappear.
2. Shingle. Every run of SHINGLE_WORDS consecutive words becomes one 32-bit hash, built from
   stable 64-bit word hashes (BLAKE2b), never from Python's `hash()`, which changes from one
   process to the next: signatures are stored and must mean the same thing tomorrow.
3. MinHash. datasketch's "affine32" scheme with datasketch's own permutations for the seed
   (MurmurHash3 finaliser, then `a * h + b mod 2**32`), computed with numpy for many texts at
   once. `tests/stories` checks the values equal `datasketch.MinHash.update_batch`'s.
4. Pack. A signature travels as bytes: a header naming the format, the MinHash values and
   the number of distinct shingles (the set size turns an estimated Jaccard into an estimated
   share of the shorter text, see `grouping`).
5. Band. Pairs of MinHash values become uint64 LSH keys, one per band.
6. Headlines. Headline words lose stop words and common English suffixes; each becomes a key
   prefix to which a day number is added, so a word's postings over a week are one key range.
7. File. `PostingTable` holds rows under uint64 keys (LSH bands, headline words) in sorted
   numpy arrays, compact and read in bounded time; datasketch's MinHashLSH would hold a
   Python set per bucket and band, some 10 GB for a million articles.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

# Five-word shingles: shorter ones let common phrases ("said in a statement") make unrelated
# articles look alike; longer ones let every edited word destroy more of a copy's overlap.
SHINGLE_WORDS = 5
# The permutation seed of datasketch's MinHash; part of the stored format (FORMAT_VERSION).
SEED = 1
# Two MinHash values per band: with 64 values that is 32 bands, and a pair of texts is a
# candidate with probability 1 - (1 - J**2)**32: 0.95 at Jaccard 0.30, 0.998 at 0.43, the
# resemblance of a copy whose shorter side shares 60 % of its shingles (see `grouping`).
BAND_ROWS = 2
# Bump when tokenising, shingle hashing or the permutations change: stored signatures made
# the old way then fail loudly in `unpack_signature` instead of grouping wrongly.
FORMAT_VERSION = 1
_MAGIC = b"MH"
_HEADER = struct.Struct("<2sBBH")  # magic, format version, shingle words, number of values
# Shingle-by-value products per numpy chunk in `signatures`: 2**16 values (256 KB) stay in the
# CPU cache; measured 0.24 ms a 400-word text, against 0.40 ms with 2**20 or more.
_CHUNK_VALUES = 1 << 16
_TEXTS_PER_PASS = 1024  # texts whose words are hashed in one numpy pass (a few MB)
_WORD_CACHE_LIMIT = 1 << 20  # distinct words remembered; a news archive has a few hundred k

# Recent postings live in a dict until they outnumber 1/RECENT_FRACTION of the sorted arrays
# (and RECENT_MIN); merging then costs one pass over the arrays, amortised O(1) per posting.
RECENT_MIN = 1 << 16
RECENT_FRACTION = 64
_STAGE_FLUSH = 4096  # staged arrays are concatenated every this many, to keep few objects
# Keys per block of a posting table: 512 bytes, eight cache lines read in a row; the fences
# (one key in 64) of 32 million postings take 4 MB, about what a CPU cache holds.
FENCE = 64
_BLOCK = np.arange(FENCE)
_NO_ROWS = np.empty(0, dtype=np.int32)

_WORD = re.compile(r"\w+")
_U32_MAX = np.uint32(0xFFFFFFFF)
# Odd 64-bit multipliers (golden ratio, MurmurHash3 and xxHash primes) that make a shingle's
# hash depend on the order of its words.
_SHINGLE_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0x27D4EB2F165667C5,
    ],
    dtype=np.uint64,
)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
DAY_BITS = 20

# English words that carry no news in a headline; headlines in other languages keep theirs,
# which only makes the follow-up matcher stricter for them.
_STOP_WORD_TEXT = """
    a about above after again against all also am amid an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my new no nor not now of off on once only or other our out over own said same says she
    should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())
# Suffixes folded so "rules", "ruled" and "ruling" meet; a stem keeps at least three letters.
_SUFFIXES = ("ing", "ed", "es", "s")


def tokens(text: str) -> list[str]:
    """The casefolded words of `text`, punctuation dropped (stage 1)."""
    return _WORD.findall(text.casefold())


_WORD_HASHES: dict[str, int] = {}


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """Stable 64-bit hashes of `words` (uint64), cached per process."""
    cache = _WORD_HASHES
    try:
        return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))
    except KeyError:
        if len(cache) > _WORD_CACHE_LIMIT:
            cache.clear()
        for word in words:
            if word not in cache:
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                cache[word] = int.from_bytes(digest, "little")
        return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads structured keys over all 64 bits."""
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it first."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct 32-bit hashes of the text's word shingles (stage 2), sorted.

    A text shorter than one shingle is a single shingle of all its words; an empty one has none.
    """
    return _distinct_shingles([text])[0]


def _distinct_shingles(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Stage 2 for many texts at once: their distinct shingle hashes, and how many each has.

    The hashes come grouped by text (in order), sorted within a text. One numpy pass over all
    the words, rather than a dozen small numpy calls per text, halves the time of a batch.
    """
    word_lists = [tokens(text) for text in texts]
    lengths = np.array([len(words) for words in word_lists], dtype=np.int64)
    hashed = word_hashes([word for words in word_lists for word in words])
    starts = np.cumsum(lengths) - lengths
    padded = np.concatenate((hashed, np.zeros(SHINGLE_WORDS - 1, dtype=np.uint64)))
    combined = np.zeros(len(hashed), dtype=np.uint64)
    for offset in range(SHINGLE_WORDS):
        combined += padded[offset : offset + len(hashed)] * _SHINGLE_MULTIPLIERS[offset]
    # Shingles start at each word with SHINGLE_WORDS - 1 words after it in the same text; a
    # shorter, non-empty text has one shingle of all its words, recomputed below.
    counts = np.maximum(lengths - SHINGLE_WORDS + 1, (lengths > 0).astype(np.int64))
    owner = np.repeat(np.arange(len(texts), dtype=np.uint64), counts)
    first = np.cumsum(counts) - counts
    positions = np.arange(counts.sum()) + np.repeat(starts - first, counts)
    values = combined[positions]
    for text in np.flatnonzero((lengths > 0) & (lengths < SHINGLE_WORDS)).tolist():
        words = hashed[starts[text] : starts[text] + lengths[text]]
        at = int(first[text])
        values[at] = (words * _SHINGLE_MULTIPLIERS[: len(words)]).sum(dtype=np.uint64)
    mixed = fmix64(values)
    folded = (mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    keys = np.sort((owner << np.uint64(32)) | folded)
    # Sorted and compared with the neighbour: np.unique hashes first, 30 times slower here.
    fresh = np.ones(len(keys), dtype=bool)
    fresh[1:] = keys[1:] != keys[:-1]
    keys = keys[fresh]
    sizes = np.bincount((keys >> np.uint64(32)).astype(np.intp), minlength=len(texts))
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), sizes.astype(np.uint32)


@lru_cache(maxsize=8)
def permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters `(a, b)` for `num_perm` values and SEED.

    Drawn here the way `datasketch.MinHash` draws them (numpy's RandomState(SEED): an odd `a`,
    then any `b`) instead of building a MinHash: the datasketch package imports scipy, about
    0.45 s at the start of every process that groups. `tests/stories` checks the two agree.
    """
    draw = np.random.RandomState(SEED)
    a = draw.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = draw.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures(texts: Iterable[str], num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """MinHash values (n x num_perm uint32) and distinct shingle counts (n uint32) of `texts`.

    Stage 3, by chunks of texts: each chunk's shingles are permuted as one (shingles x
    num_perm) block that fits the CPU cache and reduced per text with `np.minimum.reduceat`.
    A text without shingles keeps datasketch's empty value, 2**32 - 1, everywhere.
    """
    a, b = permutations(num_perm)
    texts = list(texts)
    values = np.full((len(texts), num_perm), _U32_MAX, dtype=np.uint32)
    sizes = np.zeros(len(texts), dtype=np.uint32)
    limit = max(1, _CHUNK_VALUES // num_perm)
    for batch in range(0, len(texts), _TEXTS_PER_PASS):
        hashes, counts = _distinct_shingles(texts[batch : batch + _TEXTS_PER_PASS])
        sizes[batch : batch + len(counts)] = counts
        ends = np.cumsum(counts, dtype=np.intp)
        start = 0
        while start < len(counts):
            # Texts from `start` up to `stop` whose shingles fit `limit` (at least one text).
            base = ends[start] - counts[start]
            stop = max(start + 1, int(np.searchsorted(ends, base + limit, side="right")))
            rows = start + np.flatnonzero(counts[start:stop])
            if rows.size:
                block = fmix32(hashes[base : ends[stop - 1]])[:, None] * a + b
                offsets = ends[rows] - counts[rows] - base
                values[batch + rows] = np.minimum.reduceat(block, offsets, axis=0)
            start = stop
    return values, sizes


def pack_signature(values: np.ndarray, size: int) -> bytes:
    """Signature bytes (stage 4): header, little-endian uint32 MinHash values, shingle count.

    Bytes 6 to 6 + 4 * num_perm are datasketch `MinHash(num_perm, seed=1, scheme="affine32")`
    hash values of the shingle hashes; 64 values make 266 bytes.
    """
    header = _HEADER.pack(_MAGIC, FORMAT_VERSION, SHINGLE_WORDS, len(values))
    return header + values.astype("<u4").tobytes() + struct.pack("<I", size)


def unpack_signature(signature: bytes, num_perm: int) -> tuple[np.ndarray, int]:
    """MinHash values and shingle count from `pack_signature` bytes made for `num_perm`.

    Raises ValueError for bytes of another format, shingle size or number of values: such a
    signature cannot be compared with this index's, and regrouping with it would be wrong.
    """
    signature = bytes(signature)
    if len(signature) < _HEADER.size:
        raise ValueError("grouping: signature too short")
    magic, version, words, count = _HEADER.unpack_from(signature)
    if (magic, version, words, count) != (_MAGIC, FORMAT_VERSION, SHINGLE_WORDS, num_perm):
        raise ValueError(
            f"grouping: signature is format {version}, {words}-word shingles, {count} values; "
            f"this index needs format {FORMAT_VERSION}, {SHINGLE_WORDS}-word, {num_perm} values"
        )
    if len(signature) != _HEADER.size + 4 * num_perm + 4:
        raise ValueError("grouping: signature length does not match its header")
    values = np.frombuffer(signature, dtype="<u4", count=num_perm, offset=_HEADER.size)
    (size,) = struct.unpack_from("<I", signature, _HEADER.size + 4 * num_perm)
    return values.astype(np.uint32), size


def band_keys(values: np.ndarray) -> np.ndarray:
    """LSH keys of MinHash values (stage 5): one uint64 per band of BAND_ROWS values.

    Works on one signature (num_perm,) or many (n, num_perm). Each band's pair is packed into
    64 bits and salted with its band number, so equal pairs in different bands never meet.
    """
    bands = values.shape[-1] // BAND_ROWS
    wide = values[..., : bands * BAND_ROWS].astype(np.uint64)
    pairs = (wide[..., 0::2] << np.uint64(32)) | wide[..., 1::2]
    salts = np.arange(1, bands + 1, dtype=np.uint64) * _GOLDEN
    return fmix64(pairs ^ salts)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def headline_tokens(title: str, limit: int) -> list[str]:
    """The distinct stemmed content words of a headline (stage 6), at most `limit`, in order."""
    seen: dict[str, None] = {}
    for word in tokens(title):
        if len(word) > 1 and word not in STOP_WORDS:
            seen.setdefault(_stem(word), None)
    return list(seen)[:limit]


def headline_prefixes(words: Sequence[str]) -> np.ndarray:
    """Headline words as posting-key prefixes: the top 44 bits of their hashes.

    A key is `prefix | day number` (day numbers stay below 2**20 until the year 2870), so one
    word's postings over a window of days are one contiguous range of keys.
    """
    return word_hashes(words) & ~np.uint64((1 << DAY_BITS) - 1)


class PostingTable:
    """Rows filed under uint64 keys: many keys per row, few rows per key.

    The bulk is two sorted numpy arrays, 12 bytes a posting, plus every FENCE-th key as fences.
    A look-up searches the fences, which stay in the CPU cache, then reads one block of FENCE
    keys: two memory reads where a binary search over 32 million keys makes twenty, which is
    what keeps the time of an add flat as the archive grows. Recent postings wait in a dict.
    (datasketch's MinHashLSH keeps a Python set per bucket and band instead: measured 1.1 GB
    for 200,000 signatures at 16 bands, so some 10 GB for a million articles at 32 bands.)
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = _NO_ROWS
        self._fences = self._keys
        self._recent: dict[int, list[int]] = {}
        self._recent_keys: list[int] = []
        self._recent_rows: list[int] = []
        self._staged: list[tuple[np.ndarray, np.ndarray]] = []

    def __len__(self) -> int:
        staged = sum(len(keys) for keys, _ in self._staged)
        return len(self._keys) + len(self._recent_keys) + staged

    def add(self, keys: np.ndarray, row: int) -> None:
        """File `row` under `keys`; visible to the next look-up."""
        recent = self._recent
        listed = keys.tolist()
        for key in listed:
            bucket = recent.get(key)
            if bucket is None:
                recent[key] = [row]
            else:
                bucket.append(row)
        # The same postings in arrival order, so a merge converts two lists, not the dict.
        self._recent_keys.extend(listed)
        self._recent_rows.extend([row] * len(listed))
        if len(self._recent_keys) > max(RECENT_MIN, len(self._keys) // RECENT_FRACTION):
            keys_out = np.array(self._recent_keys, dtype=np.uint64)
            rows_out = np.array(self._recent_rows, dtype=np.int32)
            self._recent, self._recent_keys, self._recent_rows = {}, [], []
            self._merge(keys_out, rows_out)

    def stage(self, keys: np.ndarray, row: int) -> None:
        """Like `add`, for rebuilding: sorted in at the next look-up, in one pass."""
        self._staged.append((keys, np.full(len(keys), row, dtype=np.int32)))
        if len(self._staged) >= _STAGE_FLUSH:
            self._staged = [self._concatenate_staged()]

    def lookup(self, keys: np.ndarray, cap: int) -> np.ndarray:
        """The rows filed under any of `keys`: at most the newest `cap` per key and segment."""
        self._settle()
        parts = []
        if len(self._keys):
            low = self.position(keys)
            found = low < len(self._keys)
            found[found] = self._keys[low[found]] == keys[found]
            if found.any():
                high = self.position(keys[found], after=True)
                for start, stop in zip(low[found].tolist(), high.tolist(), strict=True):
                    parts.append(self._rows[max(start, stop - cap) : stop])
        if self._recent:
            get = self._recent.get
            for key in keys.tolist():
                bucket = get(key)
                if bucket:
                    parts.append(np.array(bucket[-cap:], dtype=np.int32))
        return np.concatenate(parts) if parts else _NO_ROWS

    def lookup_ranges(self, lows: np.ndarray, highs: np.ndarray, cap: int) -> np.ndarray:
        """The rows filed under keys from `lows[i]` to `highs[i]`, both included.

        For short ranges (a week of days): recent postings are read key by key. At most the
        newest `cap` rows per range of the sorted arrays, and per key of the recent ones.
        """
        self._settle()
        parts = []
        if len(self._keys):
            low, high = self.position(lows), self.position(highs, after=True)
            for i in np.flatnonzero(high > low).tolist():
                parts.append(self._rows[max(low[i], high[i] - cap) : high[i]])
        if self._recent:
            get = self._recent.get
            for first, last in zip(lows.tolist(), highs.tolist(), strict=True):
                for key in range(first, last + 1):
                    bucket = get(key)
                    if bucket:
                        parts.append(np.array(bucket[-cap:], dtype=np.int32))
        return np.concatenate(parts) if parts else _NO_ROWS

    def position(self, keys: np.ndarray, *, after: bool = False) -> np.ndarray:
        """`np.searchsorted(sorted keys, keys, side="right" if after else "left")`, in two steps.

        The last fence below each key (at or below, `after`) names its block; the answer is
        that block's start plus the block's keys below (at or below) the key.
        """
        side = "right" if after else "left"
        block = np.maximum(np.searchsorted(self._fences, keys, side=side) - 1, 0)
        starts = block * FENCE
        at = starts[:, None] + _BLOCK
        inside = at < len(self._keys)
        window = self._keys[np.minimum(at, len(self._keys) - 1)]
        below = window <= keys[:, None] if after else window < keys[:, None]
        return starts + np.count_nonzero(below & inside, axis=1)

    def _settle(self) -> None:
        if self._staged:
            self._merge(*self._concatenate_staged())
            self._staged = []

    def _concatenate_staged(self) -> tuple[np.ndarray, np.ndarray]:
        keys, rows = zip(*self._staged, strict=True)
        return np.concatenate(keys), np.concatenate(rows)

    def _merge(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order]
        if len(self._keys):
            # After equal keys already present: the newest rows of a bucket stay at its end.
            at = np.searchsorted(self._keys, keys, side="right")
            keys, rows = np.insert(self._keys, at, keys), np.insert(self._rows, at, rows)
        self._keys, self._rows = keys, rows
        self._fences = keys[::FENCE].copy()
