"""Articles per second through the whole ingest path, beside bare extraction; one JSON line.

Serves real article pages (../shared/data/trafilatura/html) in RSS feeds over loopback, then:
  1. bare trafilatura over the same pages, in this process: `extract` with its defaults (the
     targets' reference) and `bare_extraction(with_metadata=True)`;
  2. `clipdesk poll --once` on a fresh instance: poll, fetch, snapshot, extract, match, store;
  3. the same with two processes side by side (`--shard 0/2` and `--shard 1/2`);
  4. bare `extract` again; steps 2-4 `--repeat` times (3), each run's ratios taken against
     the bare timings on either side of it, and the medians reported;
  5. re-polling 1,000 unchanged feeds that all answer 304.

`cpu_ms_per_page` and `cpu_ratio` give the CPU a page costs (the pollers' processes, all their
threads and start-up, against bare `extract` in this process): on two cores, two processes
reach 1.6× bare `extract` only when the whole path costs at most about 1.16 times its CPU a
page (2 cores × their share of them, about 93%, ÷ 1.6).

Throughput counts every page fetched and extracted (a copy whose text turns out identical to a
stored one has gone through the whole path too); `articles_stored` says how many were new.
The headline rates time the whole command; `*_in_poll_*` beside them time the polling round
alone, as the poll reports it (the rate of a long-running `clipdesk run` or worker, which
starts Python and Django once), so the share of start-up in a short run can be read off.

    .venv/bin/python bench/ingest.py [--copies 4] [--feeds 10] [--unchanged 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "data" / "trafilatura" / "html"


class Corpus:
    """Pages (each copy made distinct by one added sentence) and the feeds that list them."""

    def __init__(self, copies: int, feeds: int, unchanged: int) -> None:
        files = sorted(PAGES.glob("*.html"))
        self.pages: dict[str, bytes] = {}
        for copy in range(copies):
            for i, path in enumerate(files):
                html = path.read_bytes()
                # A distinct sentence inside the first paragraph, so that each copy's main text
                # differs (the ingest path stores identical texts once).
                marker = f"Bench copy {copy} of page {i}. ".encode()
                html = re.sub(rb"(<p[ >][^>]*>|<p>)", rb"\1" + marker, html, count=1)
                self.pages[f"/page/{copy}/{i}.html"] = html
        paths = list(self.pages)
        self.feeds = {f"/feed/{j}.xml": rss(f"Feed {j}", paths[j::feeds]) for j in range(feeds)}
        self.feeds.update({f"/still/{k}.xml": rss(f"Quiet {k}", []) for k in range(unchanged)})


def rss(title: str, paths: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{{BASE}}{p}</link><guid>{{BASE}}{p}</guid></item>"
        for n, p in enumerate(paths)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>{{BASE}}/</link><description>bench</description>{items}</channel></rss>"
    ).encode()


def serve(corpus: Corpus) -> ThreadingHTTPServer:
    """A loopback server of the corpus. Each response's bytes and ETag are made before the
    first request, as a static file server keeps them: it shares the two cores with the
    pollers it serves, and should cost them as little as a server elsewhere would."""
    prepared: dict[str, tuple[bytes, str]] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept open, as news sites' servers keep them
        disable_nagle_algorithm = True  # else a body sent after its headers waits for an ACK

        def do_GET(self) -> None:
            if self.path not in prepared:
                self.send_error(404)
                return
            body, etag = prepared[self.path]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            kind = "application/rss+xml" if self.path.endswith(".xml") else "text/html"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}".encode()
    everything = {**corpus.pages, **corpus.feeds, "/robots.txt": b"User-agent: *\nAllow: /\n"}
    for path, template in everything.items():
        body = template.replace(b"{BASE}", base)
        prepared[path] = body, '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - a key
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class BareRate:
    pages_per_s: float
    cpu_ms_per_page: float


def bare_extraction_rate(corpus: Corpus, *, with_metadata: bool) -> BareRate:
    """Pages per second (and CPU a page) through trafilatura alone: `extract` with its
    defaults (what the targets are stated against), or `bare_extraction` with metadata
    (closer to our work)."""
    import trafilatura

    trafilatura.bare_extraction(next(iter(corpus.pages.values())).decode(), with_metadata=True)
    start = time.perf_counter()  # after one page: first calls set up trafilatura's tables
    cpu = time.process_time()
    for path, html in corpus.pages.items():
        page, url = html.decode("utf-8", "replace"), f"http://bench.example{path}"
        if with_metadata:
            trafilatura.bare_extraction(page, url=url, with_metadata=True)
        else:
            trafilatura.extract(page, url=url)
    pages = len(corpus.pages)
    return BareRate(
        pages / (time.perf_counter() - start), (time.process_time() - cpu) / pages * 1000
    )


def clipdesk(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLIPDESK_HOME": str(home), "CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "clipdesk", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


@contextlib.contextmanager
def instance_with_sources(base: str, paths: list[str]) -> Iterator[Path]:
    """A fresh instance polling `paths`; deleted afterwards (its snapshots run to gigabytes)."""
    home = Path(tempfile.mkdtemp(prefix="clipdesk-bench-"))
    try:
        yield _set_up(home, base, paths)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _set_up(home: Path, base: str, paths: list[str]) -> Path:
    clipdesk(home, "init")
    script = (
        "from clipdesk.sources.models import Source\n"
        "import sys\n"
        "Source.objects.bulk_create([Source(url=u, kind='feed') for u in sys.stdin.read().split()])"
    )
    urls = "\n".join(base + p for p in paths)
    clipdesk(home, "manage", "shell", "-c", script, input=urls)
    # A small watchlist, so matching has work and the pages that match are grouped.
    clipdesk(home, "watch", "add", "European Union", "--alias", "EU")
    clipdesk(home, "watch", "add", "Microsoft", "--alias", "Microsoft Corporation")
    clipdesk(home, "watch", "add", "Wikipedia")
    return home


@dataclass
class PollRate:
    pages_per_s: float  # the whole command, start-up included
    in_poll_pages_per_s: float  # the polling round alone (the slowest process's)
    stored: int
    matched: int
    cpu_ms_per_page: float  # the pollers' CPU (all their threads, start-up included)


def whole_path_rate(base: str, corpus: Corpus, processes: int) -> PollRate:
    with instance_with_sources(base, [p for p in corpus.feeds if p.startswith("/feed/")]) as home:
        return _poll_rate(home, processes)


def _poll_rate(home: Path, processes: int) -> PollRate:
    env = {**os.environ, "CLIPDESK_HOME": str(home), "CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    env.pop("DATABASE_URL", None)
    start = time.perf_counter()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "clipdesk", "poll", "--once", "--json", "--shard"]
    runs = [
        subprocess.Popen(
            [*command, f"{i}/{processes}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(processes)
    ]
    through = new = matched = 0
    in_poll = 0.0
    for run in runs:
        out, err = run.communicate()
        if run.returncode != 0:
            raise SystemExit(f"bench: poll failed: {err}")
        # A poll that logged an error did less than the whole path (an index update lost,
        # say): its rate would flatter the path, so the bench stops instead.
        if logged := [line for line in err.splitlines() if " ERROR " in line]:
            raise SystemExit("bench: poll logged errors:\n" + "\n".join(logged[:10]))
        summary = json.loads(out)
        # Every page fetched and extracted went through the whole path, stored or found to
        # be a copy of one stored (some real pages' main text misses the copy's marker).
        through += summary["entries_seen"] - len(summary["pages_failed"])
        new += summary["articles_new"]
        matched += summary["articles_matched"]
        in_poll = max(in_poll, summary["seconds"])
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return PollRate(through / elapsed, through / in_poll, new, matched, cpu / through * 1000)


def unchanged_repoll_seconds(base: str, corpus: Corpus) -> tuple[float, int]:
    quiet = [p for p in corpus.feeds if p.startswith("/still/")]
    with instance_with_sources(base, quiet) as home:
        clipdesk(home, "poll", "--once", "--json")  # learn every ETag
        start = time.perf_counter()
        result = json.loads(clipdesk(home, "poll", "--once", "--json").stdout)
        return time.perf_counter() - start, result["not_modified"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of each real page")
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--unchanged", type=int, default=1000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="whole-path runs of each kind (medians reported)"
    )
    args = parser.parse_args()
    if not PAGES.is_dir():
        raise SystemExit(f"bench: {PAGES} is absent (the shared test data)")
    if args.repeat < 1:
        raise SystemExit("bench: --repeat needs at least 1")
    corpus = Corpus(args.copies, args.feeds, args.unchanged)
    server = serve(corpus)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # The machine's speed drifts (by a fifth within a minute on a shared host), so bare
    # `extract` is timed between the whole-path runs: each run's ratio is against the mean of
    # the bare timings before and after it, and the ratios reported are the runs' medians.
    bare = [bare_extraction_rate(corpus, with_metadata=False)]
    bare_metadata = bare_extraction_rate(corpus, with_metadata=True).pages_per_s
    runs: list[tuple[PollRate, PollRate, BareRate]] = []
    for _ in range(args.repeat):
        one = whole_path_rate(base, corpus, processes=1)
        two = whole_path_rate(base, corpus, processes=2)
        bare.append(bare_extraction_rate(corpus, with_metadata=False))
        before, after = bare[-2], bare[-1]
        runs.append(
            (
                one,
                two,
                BareRate(
                    (before.pages_per_s + after.pages_per_s) / 2,
                    (before.cpu_ms_per_page + after.cpu_ms_per_page) / 2,
                ),
            )
        )
    repoll, not_modified = unchanged_repoll_seconds(base, corpus)
    server.shutdown()

    def median_of(values: list[float]) -> float:
        return round(statistics.median(values), 2)

    one_ratios = [one.pages_per_s / reference.pages_per_s for one, _, reference in runs]
    two_ratios = [two.pages_per_s / reference.pages_per_s for _, two, reference in runs]
    last_one, last_two, _ = runs[-1]
    print(
        json.dumps(
            {
                "pages": len(corpus.pages),
                "runs": args.repeat,
                "bare_extract_pages_per_s": median_of([b.pages_per_s for b in bare]),
                "bare_extract_each_time": [round(b.pages_per_s, 2) for b in bare],
                "bare_extraction_with_metadata_pages_per_s": round(bare_metadata, 2),
                "whole_path_1_process_pages_per_s": median_of([r[0].pages_per_s for r in runs]),
                "whole_path_2_processes_pages_per_s": median_of([r[1].pages_per_s for r in runs]),
                "ratio_1_process": median_of(one_ratios),
                "ratio_2_processes": median_of(two_ratios),
                "ratio_1_process_each_run": [round(r, 2) for r in one_ratios],
                "ratio_2_processes_each_run": [round(r, 2) for r in two_ratios],
                "ratio_1_process_vs_with_metadata": median_of(
                    [r[0].pages_per_s / bare_metadata for r in runs]
                ),
                "ratio_2_processes_vs_with_metadata": median_of(
                    [r[1].pages_per_s / bare_metadata for r in runs]
                ),
                "whole_path_in_poll_pages_per_s": [
                    median_of([r[0].in_poll_pages_per_s for r in runs]),
                    median_of([r[1].in_poll_pages_per_s for r in runs]),
                ],
                "ratio_in_poll": [
                    median_of([r[0].in_poll_pages_per_s / r[2].pages_per_s for r in runs]),
                    median_of([r[1].in_poll_pages_per_s / r[2].pages_per_s for r in runs]),
                ],
                "cpu_ms_per_page": {
                    "bare_extract": median_of([b.cpu_ms_per_page for b in bare]),
                    "whole_path": [
                        median_of([r[0].cpu_ms_per_page for r in runs]),
                        median_of([r[1].cpu_ms_per_page for r in runs]),
                    ],
                },
                "cpu_ratio": [
                    median_of([r[0].cpu_ms_per_page / r[2].cpu_ms_per_page for r in runs]),
                    median_of([r[1].cpu_ms_per_page / r[2].cpu_ms_per_page for r in runs]),
                ],
                "articles_stored": [last_one.stored, last_two.stored],
                "articles_matched": [last_one.matched, last_two.matched],
                "unchanged_feeds": args.unchanged,
                "unchanged_repoll_s": round(repoll, 2),
                "unchanged_not_modified": not_modified,
                "targets": {"ratio_1_process": 0.8, "ratio_2_processes": 1.6, "repoll_s": 10},
            }
        )
    )


if __name__ == "__main__":
    main()
