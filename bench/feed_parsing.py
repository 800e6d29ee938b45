"""Compare feed parsers on the real feeds in ../shared/data/feeds; print one JSON line.

Stages:
1. Load every feed file (not the licences or another library's expected output).
2. For each parser, parse every feed once to warm up, then time ROUNDS rounds.
3. Report milliseconds per feed (median round) and how many feeds each parser read with at
   least one entry, so speed is never compared without coverage.

Run: .venv/bin/python bench/feed_parsing.py   (fastfeedparser is measured when installed)
"""

from __future__ import annotations

import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from clipdesk.sources.feeds import FeedError, parse_feed

FEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "feeds"
ROUNDS = 5


def load_feeds() -> dict[str, bytes]:
    files = sorted(
        path
        for path in FEEDS.rglob("*")
        if path.is_file() and path.name != "LICENSE" and "expected_output" not in path.parts
    )
    return {str(path.relative_to(FEEDS)): path.read_bytes() for path in files}


def parsers() -> dict[str, Callable[[bytes, str], int]]:
    """Each parser as `body, url -> number of entries`, raising on failure."""
    found: dict[str, Callable[[bytes, str], int]] = {
        "clipdesk": lambda body, url: len(parse_feed(body, url).entries)
    }
    for name in ("feedparser", "fastfeedparser"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found[name] = lambda body, url, module=module: len(module.parse(body).entries)
    return found


def measure(parse: Callable[[bytes, str], int], feeds: dict[str, bytes]) -> dict[str, object]:
    read, failed = 0, []
    for name, body in feeds.items():
        try:
            read += parse(body, f"https://feeds.example/{name}") > 0
        except (FeedError, Exception):  # a parser that raises has not read the feed
            failed.append(name)
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for name, body in feeds.items():
            try:
                parse(body, f"https://feeds.example/{name}")
            except Exception:  # noqa: S112 - failures were counted above; time the rest
                continue
        rounds.append((time.perf_counter() - start) * 1000 / len(feeds))
    return {
        "ms_per_feed": round(statistics.median(rounds), 2),
        "feeds_with_entries": read,
        "failed": failed,
    }


def main() -> int:
    if not FEEDS.is_dir():
        print(json.dumps({"error": f"bench: no feeds at {FEEDS}"}))
        return 1
    feeds = load_feeds()
    result: dict[str, object] = {"bench": "feed_parsing", "feeds": len(feeds), "rounds": ROUNDS}
    for name, parse in parsers().items():
        result[name] = measure(parse, feeds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
