"""Publishing figures for synthetic archives of 10k and 100k posts; prints one JSON line.

For each size, in a fresh temporary instance (SQLite, posts inserted in bulk, seeded):
  1. `clipdesk export-static` full export: wall time and peak memory (ru_maxrss), and, in
     turns with it, Hugo's build of the same posts (equivalent content files, a minimal
     theme, 20 posts per list page, tags and outlets as taxonomies) when `hugo` is
     installed; each side `--rounds` times (2) from an empty folder, the best of each kept
     and every time listed;
  2. the incremental export after one new post, and after one post edited in place (the
     archive's posts stamped as last edited on their own days, as an archive's are once its
     import is ten minutes old: right after an import, the plan compares every post);
  3. front-page requests per second from `clipdesk run` (gunicorn, 2 workers), served from
     the page cache — Redis (CLIPDESK_CACHE_URL) and the default local memory — under `wrk`
     on loopback for a bounded time (a bounded Python client when wrk is absent).

    .venv/bin/python bench/publish.py [--sizes 10000,100000] [--duration 10] [--only hugo]
                                      [--no-serving] [--rounds 2]

`--no-serving` skips step 3 (the front page under load) when only the exports matter.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIPDESK = [sys.executable, "-m", "clipdesk"]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number of its own on the shared server
WORDS = [
    *("harbour", "council", "inquiry", "fellowship", "members", "report", "court", "hearing"),
    *("charity", "regulator", "leaders", "former", "campaign", "mooring", "licence", "farm"),
    *("centre", "network", "witness", "evidence", "review", "minister", "petition", "donations"),
    *("community", "spokesperson", "investigation", "compound", "branch"),
]
TAGS, OUTLETS, SEED = 50, 300, 20240229


# --- seeding (runs in a child process with the instance's settings) ---------------------


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def seed(size: int, hugo_dir: Path | None) -> None:
    """Insert `size` published posts with credits and tags, in bulk; write Hugo's content."""
    import django

    django.setup()
    from django.db import connection

    from clipdesk.digest.models import Credit, Outlet, Post, SiteProfile, Tag
    from clipdesk.publish.caching import bump_content_version

    rng = random.Random(SEED)
    SiteProfile.objects.update_or_create(id=1, defaults={"name": "Bench Watch"})
    outlets = Outlet.objects.bulk_create(
        Outlet(name=f"Outlet {i} {rng.choice(WORDS)}", slug=f"outlet-{i}") for i in range(OUTLETS)
    )
    tags = Tag.objects.bulk_create(Tag(name=f"Tag {i}", slug=f"tag-{i}") for i in range(TAGS))
    first = datetime.date(2014, 1, 1)
    span = (datetime.date(2024, 12, 31) - first).days
    now = datetime.datetime.now(datetime.UTC)
    through = Post.tags.through
    for start in range(0, size, 5000):
        batch = []
        for i in range(start, min(size, start + 5000)):
            day = first + datetime.timedelta(days=rng.randint(0, span))
            batch.append(
                Post(
                    headline=_text(rng, 5, 12).capitalize(),
                    slug=f"post-{i}",
                    posted_on=day,
                    posted_on_inferred=day,
                    excerpt=_text(rng, 25, 60),
                    status=Post.Status.PUBLISHED,
                    created_at=now,
                    updated_at=now,
                )
            )
        posts = Post.objects.bulk_create(batch)
        credits, links = [], []
        for post in posts:
            for position in range(rng.choice((1, 1, 2, 3))):
                credits.append(
                    Credit(
                        post=post,
                        position=position,
                        author=_text(rng, 2, 2).title() if rng.random() < 0.6 else "",
                        outlet=rng.choice(outlets),
                        date=post.posted_on,
                        url=f"https://news.example/{post.slug}/{position}",
                    )
                )
            links += [through(post=post, tag=t) for t in rng.sample(tags, rng.choice((0, 1, 2, 3)))]
        Credit.objects.bulk_create(credits)
        through.objects.bulk_create(links)
        if hugo_dir is not None:
            _hugo_content(hugo_dir, posts, credits, links)
    # Each post last edited at noon on its own day, as an archive's posts are once its import
    # is older than publish/plan.py's RECENT_EDITS (bulk_create stamps them all "now"). The
    # bench runs on SQLite, which keeps datetimes as text.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE digest_post SET updated_at = posted_on_inferred || ' 12:00:00'")
    bump_content_version()  # bulk_create sends no signals


def _hugo_content(folder: Path, posts, credits, links) -> None:
    by_post: dict[int, dict] = {p.pk: {"tags": [], "outlets": [], "line": []} for p in posts}
    for credit in credits:
        row = by_post[credit.post_id]
        row["outlets"].append(credit.outlet.name)
        row["line"].append(", ".join(p for p in (credit.author, credit.outlet.name) if p))
    for link in links:
        by_post[link.post_id]["tags"].append(link.tag.name)
    content = folder / "content" / "post"
    content.mkdir(parents=True, exist_ok=True)
    for post in posts:
        row = by_post[post.pk]
        front = {
            "title": post.headline,
            "date": post.posted_on.isoformat(),
            "slug": post.slug,
            "tags": row["tags"],
            "outlets": sorted(set(row["outlets"])),
        }
        body = "; ".join(row["line"]) + f", {post.posted_on:%B %-d %Y}:… {post.excerpt}\n"
        (content / f"{post.slug}.md").write_text(json.dumps(front) + "\n\n" + body)


HUGO_CONFIG = """baseURL = "http://127.0.0.1/"
title = "Bench Watch"
paginate = 20
disableKinds = ["RSS"]
[taxonomies]
tag = "tags"
outlet = "outlets"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '<link rel="stylesheet" href="/site.css"></head><body><header><a href="/">Bench Watch'
        '</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/list.html": (
        '{{ define "main" }}{{ range .Paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">'
        '{{ .Title }}</a></h2><p>Posted on: {{ .Date.Format "2006/01/02" }}</p>{{ .Content }}'
        '</article>{{ end }}{{ with .Paginator }}{{ if .HasPrev }}<a href="{{ .Prev.URL }}">'
        "Newer</a>{{ end }} Page {{ .PageNumber }} of {{ .TotalPages }} {{ if .HasNext }}"
        '<a href="{{ .Next.URL }}">Older</a>{{ end }}{{ end }}{{ end }}'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>Posted on: '
        '{{ .Date.Format "2006/01/02" }}</p>{{ .Content }}<p>{{ range .Params.tags }}'
        '<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p></article>{{ end }}'
    ),
    "index.html": (
        # Every regular page is a post. (`where` here would be evaluated again for each of
        # the home page's pages: quadratic, an hour at 100,000 posts.)
        '{{ define "main" }}{{ $p := .Paginate .Site.RegularPages }}'
        '{{ range $p.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>'
        "{{ .Content }}</article>{{ end }}{{ end }}"
    ),
}


def write_hugo_site(folder: Path) -> None:
    (folder / "config.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def add_post(kind: str) -> None:
    """One new published post (newest), or one existing post edited in place."""
    import django

    django.setup()
    from clipdesk.digest.models import Credit, Outlet, Post, Tag

    if kind == "new":
        day = datetime.date(2025, 1, 15)
        post = Post.objects.create(
            headline="A new post for the incremental export",
            slug="bench-new-post",
            posted_on=day,
            posted_on_inferred=day,
            excerpt="Fresh coverage.",
            status=Post.Status.PUBLISHED,
        )
        Credit.objects.create(post=post, position=0, outlet=Outlet.objects.first(), date=day)
        post.tags.set(Tag.objects.all()[:2])
    else:
        post = Post.objects.order_by("pk")[400]  # an old post: its pages do not shift
        post.excerpt += " (corrected)"
        post.save()


# --- measuring --------------------------------------------------------------------------


def measured(cmd: list[str], env: dict[str, str]) -> dict:
    """Run `cmd` in a child that reports wall time and the peak RSS of its descendants.

    Written data still in memory from the step before is flushed first, so that its
    write-back does not fall inside this step's time.
    """
    os.sync()
    out = subprocess.run(
        [sys.executable, __file__, "--measure", "--", *cmd],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(cmd: list[str]) -> None:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024)}
    with contextlib.suppress(ValueError):  # not every command prints a JSON report
        result["report"] = json.loads(done.stdout)
    print(json.dumps(result))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"bench: {url} did not answer within {seconds} s")


def front_page_rps(env: dict[str, str], duration: int) -> dict:
    """Requests per second on the cached front page of `clipdesk run`, under wrk."""
    port = free_port()
    # Others may have added a migration since the instance was made; `run` refuses then.
    subprocess.run([*CLIPDESK, "init"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*CLIPDESK, "run", "--port", str(port), "--no-poll"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for(url)
        for _ in range(20):  # every worker renders once and fills its cache
            urllib.request.urlopen(url, timeout=5).read()
        if shutil.which("wrk"):
            out = subprocess.run(
                ["wrk", "-t2", "-c16", f"-d{duration}s", url],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            return {
                "tool": "wrk -t2 -c16",
                "rps": round(rps),
                "non_2xx": int(errors.group(1)) if errors else 0,
            }
        return {"tool": "python, 8 threads", "rps": round(python_load(url, duration))}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


def python_load(url: str, duration: int, threads: int = 8) -> float:
    """A bounded fallback load generator: keep-alive connections for `duration` seconds."""
    import http.client

    count = [0] * threads
    deadline = time.monotonic() + duration
    host, port = url.split("//")[1].strip("/").split(":")

    def run(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        while time.monotonic() < deadline:
            conn.request("GET", "/")
            conn.getresponse().read()
            count[i] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(count) / duration


def _progress(result: dict) -> None:
    """Partial results on stderr, so a long run that fails late still told what it measured."""
    sys.stderr.write(json.dumps(result) + "\n")
    sys.stderr.flush()


def bench_size(
    size: int, duration: int, parts: set[str], serving: bool = True, rounds: int = 2
) -> dict:
    """Every figure for one archive size; `parts` picks "clipdesk" and/or "hugo"."""
    work = Path(tempfile.mkdtemp(prefix=f"clipdesk-bench-publish-{size}-"))
    home, hugo_dir = work / "home", work / "hugo"
    env = {**os.environ, "CLIPDESK_HOME": str(home), "DJANGO_SETTINGS_MODULE": "clipdesk.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("CLIPDESK_CACHE_URL", None)
    hugo = "hugo" in parts and shutil.which("hugo") is not None
    result: dict = {"posts": size, "load_before": [round(x, 1) for x in os.getloadavg()]}
    try:
        subprocess.run(
            [*CLIPDESK, "init", "--site-name", "Bench Watch"],
            env=env,
            check=True,
            capture_output=True,
        )
        start = time.perf_counter()
        seed_cmd = [sys.executable, __file__, "--seed", str(size)]
        if hugo:
            seed_cmd += ["--hugo-dir", str(hugo_dir)]
        subprocess.run(seed_cmd, env=env, check=True)
        result["seed_s"] = round(time.perf_counter() - start, 1)
        if hugo:
            write_hugo_site(hugo_dir)
        site, out = work / "site", work / "hugo-out"
        # Full builds in turns, `rounds` times, each from an empty folder, ours first in one
        # round and Hugo's in the next: this disk's speed swings by 2× from one minute to the
        # next, so one build of each side says little; the best of each side's is compared.
        ours: list[dict] = []
        theirs: list[dict] = []

        def build_ours() -> None:
            _clear(site)
            ours.append(_full_export(env, site))

        def build_theirs() -> None:
            _clear(out)
            build = measured(["hugo", "--quiet", "-s", str(hugo_dir), "-d", str(out)], env)
            theirs.append({**build, "pages": sum(1 for _ in out.rglob("*.html"))})

        sides = [build_ours] * ("clipdesk" in parts) + [build_theirs] * hugo
        for turn in range(rounds):
            for build_side in sides if turn % 2 == 0 else sides[::-1]:
                build_side()
        if ours:
            result["full_export"] = _best(ours)
            _progress(result)
        if theirs:
            result["hugo"] = _best(theirs)
        if ours and theirs:
            ratio = result["full_export"]["seconds"] / result["hugo"]["seconds"]
            result["full_export_to_hugo"] = round(ratio, 2)
        if "clipdesk" in parts:
            _bench_incremental(result, env, site, duration if serving else 0)
    finally:
        result["load_after"] = [round(x, 1) for x in os.getloadavg()]
        # Deleted before the next size is measured: hundreds of thousands of files take tens
        # of seconds to delete on some disks, and a deletion running beside the next size's
        # exports and Hugo's build slowed them by a fifth to a half.
        shutil.rmtree(work, ignore_errors=True)
        os.sync()
    return result


def _export_command(out: Path) -> list[str]:
    return [*CLIPDESK, "export-static", str(out), "--base-url", "http://127.0.0.1/", "--json"]


def _full_export(env: dict[str, str], out: Path) -> dict:
    full = measured(_export_command(out), env)
    report = full.pop("report")
    return {**full, "pages": report["rendered"], "jobs": os.cpu_count()}


def _best(runs: list[dict]) -> dict:
    """The fastest of several builds, with every build's time and the highest peak."""
    best = min(runs, key=lambda run: run["seconds"])
    peak = max(run["peak_mb"] for run in runs)
    return {**best, "peak_mb": peak, "runs": [run["seconds"] for run in runs]}


def _clear(folder: Path) -> None:
    """Delete an output folder (for an export: its link, builds and trash), then flush."""
    for path in (folder, *folder.parent.glob(f".{folder.name}.*")):
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
    os.sync()


def _bench_incremental(result: dict, env: dict[str, str], out: Path, duration: int) -> None:
    """Two incremental exports of `out`, then (unless `duration` is 0) the front page's rate."""
    export = _export_command(out)
    for kind in ("new", "edit"):
        subprocess.run([sys.executable, __file__, "--add", kind], env=env, check=True)
        step = measured([*export, "--incremental"], env)
        report = step.pop("report")
        result[f"incremental_{kind}"] = {
            **step,
            "live_s": round(report["seconds"], 2),
            "mode": report["mode"],
            "rendered": report["rendered"],
            "changed_files": report["changed"],
            "timings": {k: round(v, 2) for k, v in report["timings"].items()},
        }
        _progress(result)
    if not duration:
        return
    for name, cache_env in (("locmem", {}), ("redis", {"CLIPDESK_CACHE_URL": REDIS_URL})):
        try:
            result[f"front_page_{name}"] = front_page_rps({**env, **cache_env}, duration)
        except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
            result[f"front_page_{name}"] = {"error": str(exc)}
        _progress(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load, at most 60")
    parser.add_argument(
        "--only", choices=("clipdesk", "hugo"), help="measure one side only (default: both)"
    )
    parser.add_argument(
        "--no-serving", action="store_true", help="skip the front page's requests per second"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="full builds of each side, in turns (best kept)"
    )
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--hugo-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--add", choices=("new", "edit"), help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("cmd", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return _measure(args.cmd)
    if args.seed:
        return seed(args.seed, args.hugo_dir)
    if args.add:
        return add_post(args.add)
    sizes = [int(s) for s in args.sizes.split(",")]
    duration = max(1, min(args.duration, 60))
    parts = {args.only} if args.only else {"clipdesk", "hugo"}
    rounds = max(1, args.rounds)
    results = [bench_size(n, duration, parts, not args.no_serving, rounds) for n in sizes]
    print(json.dumps({"bench": "publish", "cores": os.cpu_count(), "sizes": results}))


if __name__ == "__main__":
    main()
