"""The ingest path, read top to bottom: how a feed entry becomes a stored, matched article.

    1. due sources are fetched concurrently (conditional GET, per-host limit, robots.txt);
    2. each response is parsed: feed, sitemap (an index is followed one level), or a listing
       page whose article links are followed; the source's state and next check are saved;
    3. entries whose URL is not stored yet are fetched concurrently;
    4. each page is kept as a snapshot (WARC), extracted, and stored once (canonical URL and
       text are unique);
    5. the watchlists are matched against headline and text; an article with a match is a
       candidate for the desk.

Network work runs in a thread pool; every database write happens on the calling thread, so
SQLite sees one writer and the stages stay free of the ORM.
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from clipdesk.articles.extraction import ExtractionError, canonical_url, extract_article
from clipdesk.articles.models import Article, ExtractionRule, Snapshot
from clipdesk.articles.snapshots import write_snapshot
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.sources.discovery import find_article_links
from clipdesk.sources.feeds import FeedError, ParsedEntry, ParsedFeed, parse_feed
from clipdesk.sources.fetching import (
    Fetcher,
    FetchError,
    FetchPolicy,
    FetchResult,
    RobotsCache,
    backoff_seconds,
    next_check_seconds,
)
from clipdesk.sources.models import Source
from clipdesk.stories.actions import group_article
from clipdesk.watch.store import WatchMatcher, load_matcher, store_matches

MAX_ENTRIES_PER_SOURCE = 200
MAX_LINKS_PER_PAGE = 100


@dataclass
class PollSummary:
    polled: int = 0
    not_modified: int = 0
    failed: list[dict] = field(default_factory=list)
    entries_seen: int = 0
    articles_new: int = 0
    articles_matched: int = 0
    pages_failed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sources_polled": self.polled,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "entries_seen": self.entries_seen,
            "articles_new": self.articles_new,
            "articles_matched": self.articles_matched,
            "pages_failed": self.pages_failed,
        }


class HostLimiter:
    """At most `per_host` requests in flight to one host, whatever the pool size."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._locks: dict[str, threading.BoundedSemaphore] = {}
        self._guard = threading.Lock()

    def __call__(self, url: str) -> threading.BoundedSemaphore:
        host = (urlsplit(url).hostname or "").lower()
        with self._guard:
            if host not in self._locks:
                self._locks[host] = threading.BoundedSemaphore(self._per_host)
            return self._locks[host]


@dataclass
class Download:
    """The outcome of one request made in the pool: a response or a reason."""

    url: str
    result: FetchResult | None = None
    error: str | None = None
    retry_after: float | None = None
    entry: ParsedEntry | None = None


class Poller:
    def __init__(self, fetcher: Fetcher, *, workers: int = 8, per_host: int = 2) -> None:
        self.fetcher = fetcher
        self.robots = RobotsCache(fetcher)
        self.workers = workers
        self.limit = HostLimiter(per_host)

    # -- network, in the pool -----------------------------------------------------------
    def download(self, url: str, *, etag: str = "", last_modified: str = "") -> Download:
        if not self.robots.allowed(url):
            return Download(url, error=f"robots: {url} is disallowed by the site's robots.txt")
        with self.limit(url):
            try:
                result = self.fetcher.get(
                    url, etag=etag or None, last_modified=last_modified or None
                )
            except FetchError as exc:
                return Download(url, error=str(exc), retry_after=exc.retry_after)
        return Download(url, result=result)

    def download_all(self, jobs: Iterable[tuple[str, Callable[[], Download]]]) -> list[Download]:
        jobs = list(jobs)
        if not jobs:
            return []
        with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
            return list(pool.map(lambda job: job[1](), jobs))

    # -- the whole path ------------------------------------------------------------------
    def poll(self, sources: list[Source]) -> PollSummary:
        summary = PollSummary()
        downloads = self.download_all(
            (s.url, lambda s=s: self.download(s.url, etag=s.etag, last_modified=s.last_modified))
            for s in sources
        )
        wanted: list[tuple[Source, ParsedEntry]] = []
        for source, download in zip(sources, downloads, strict=True):
            summary.polled += 1
            entries = self._read_source(source, download, summary)
            summary.entries_seen += len(entries)
            wanted += [(source, e) for e in self._unknown(entries)]

        pages = self.download_all(
            (entry.url, lambda e=entry: self._download_entry(e)) for _, entry in wanted
        )
        outlets = OutletDirectory()
        matcher = load_matcher()
        rules = {r.host: r.as_rule() for r in ExtractionRule.objects.filter(enabled=True)}
        for (source, _), page in zip(wanted, pages, strict=True):
            if page.error or page.result is None:
                summary.pages_failed.append({"url": page.url, "reason": page.error})
                continue
            article = self._store_article(source, page, outlets, matcher, rules)
            if article is not None:
                summary.articles_new += 1
                summary.articles_matched += int(article.matched)
        return summary

    def _download_entry(self, entry: ParsedEntry) -> Download:
        download = self.download(entry.url)
        download.entry = entry
        return download

    # -- stage 2: what a source's response says ------------------------------------------
    def _read_source(self, source: Source, download: Download, summary: PollSummary) -> list:
        now = timezone.now()
        source.last_checked_at = now
        if download.error or download.result is None:
            source.error_count += 1
            source.last_error = download.error or "no response"
            wait = backoff_seconds(source.error_count)
            if download.retry_after:
                wait = max(wait, int(download.retry_after))
            source.next_check_at = now + datetime.timedelta(seconds=wait)
            source.save()
            summary.failed.append(
                {"source": source.pk, "url": source.url, "reason": source.last_error}
            )
            return []
        result = download.result
        source.etag = result.etag or source.etag
        source.last_modified = result.last_modified or source.last_modified
        if result.not_modified:
            summary.not_modified += 1
            self._succeeded(source, result, now, ttl=None)
            return []
        try:
            feed, entries = self._entries_of(source, result)
        except FeedError as exc:
            source.error_count += 1
            source.last_error = str(exc)
            source.next_check_at = now + datetime.timedelta(
                seconds=backoff_seconds(source.error_count)
            )
            source.save()
            summary.failed.append({"source": source.pk, "url": source.url, "reason": str(exc)})
            return []
        source.format = feed.kind if feed else "page"
        source.problems = list(feed.problems) if feed else []
        self._succeeded(source, result, now, ttl=feed.ttl_minutes if feed else None)
        return entries[:MAX_ENTRIES_PER_SOURCE]

    def _succeeded(self, source: Source, result: FetchResult, now, ttl: int | None) -> None:
        source.error_count = 0
        source.last_error = ""
        source.last_success_at = now
        wait = next_check_seconds(result.headers, feed_ttl_minutes=ttl)
        source.next_check_at = now + datetime.timedelta(seconds=wait)
        source.save()

    def _entries_of(
        self, source: Source, result: FetchResult
    ) -> tuple[ParsedFeed | None, list[ParsedEntry]]:
        if source.kind == Source.Kind.PAGE:
            links = find_article_links(result.body, result.url)[:MAX_LINKS_PER_PAGE]
            return None, [_bare_entry(url) for url in links]
        feed = parse_feed(result.body, result.url, result.headers.get("content-type"))
        if feed.kind != "sitemap_index":
            return feed, feed.entries
        # A sitemap index: follow its child sitemaps one level, newest first.
        children = self.download_all(
            (e.url, lambda u=e.url: self.download(u)) for e in feed.entries[:20]
        )
        entries: list[ParsedEntry] = []
        for child in children:
            if child.result is not None and not child.error:
                try:
                    entries += parse_feed(child.result.body, child.url).entries
                except FeedError as exc:
                    feed.problems.append(f"child sitemap {child.url}: {exc}")
            else:
                feed.problems.append(f"child sitemap {child.url}: {child.error}")
        return feed, entries

    def _unknown(self, entries: list[ParsedEntry]) -> list[ParsedEntry]:
        """Entries not stored yet (by URL or canonical URL), each URL once."""
        by_url: dict[str, ParsedEntry] = {}
        for entry in entries:
            if entry.url and entry.url.startswith(("http://", "https://")):
                by_url.setdefault(canonical_url(entry.url), entry)
        if not by_url:
            return []
        known = set(
            Article.objects.filter(canonical_url__in=list(by_url)).values_list(
                "canonical_url", flat=True
            )
        )
        known |= set(
            Article.objects.filter(url__in=[e.url for e in by_url.values()]).values_list(
                "url", flat=True
            )
        )
        return [e for key, e in by_url.items() if key not in known and e.url not in known]

    # -- stages 4 and 5: snapshot, extract, store, match -----------------------------------
    def _store_article(self, source, page: Download, outlets, matcher: WatchMatcher, rules):
        result = page.result
        fetched_at = timezone.now()
        stored = write_snapshot(
            settings.CLIPDESK_HOME, result.url, result.status, result.headers, result.body,
            fetched_at,
        )  # fmt: skip
        snapshot = Snapshot.objects.create(
            url=result.url,
            status=result.status,
            content_type=result.headers.get("content-type", "")[:200],
            fetched_at=fetched_at,
            **stored.__dict__,
        )
        host = (urlsplit(result.url).hostname or "").lower()
        try:
            extracted = extract_article(
                result.body, result.url, entry=page.entry, rules=rules.get(host)
            )
        except ExtractionError as exc:
            page.error = str(exc)
            return None
        return save_article(source, extracted, snapshot, outlets, matcher)


def _bare_entry(url: str) -> ParsedEntry:
    return ParsedEntry(
        url=url, guid=None, title=None, published=None, authors=[], summary=None, language=None
    )


def text_digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


@dataclass
class StoredArticle:
    article: Article
    matched: bool


def save_article(source, extracted, snapshot, outlets, matcher) -> StoredArticle | None:
    """Store an extracted article once, with its matches; None when it is a duplicate.

    Duplicates are the same canonical URL or the same text (syndicated copies that differ
    in nothing): the first copy stored wins, later ones are not stored again.
    """
    digest = text_digest(extracted.text or extracted.url)
    if Article.objects.filter(canonical_url=extracted.canonical_url).exists():
        return None
    if Article.objects.filter(text_sha256=digest).exists():
        return None
    outlet_name = outlet_name_for(extracted, source)
    outlet = outlets.get_or_create(outlet_name) if outlet_name else None
    try:
        with transaction.atomic():
            article = Article.objects.create(
                source=source,
                url=extracted.url,
                canonical_url=extracted.canonical_url,
                title=(extracted.title or "")[:1000],
                authors=list(extracted.authors),
                outlet=outlet,
                outlet_name=(outlet_name or "")[:300],
                published=extracted.published,
                language=extracted.language or "",
                text=extracted.text,
                text_sha256=digest,
                description=extracted.description or "",
                extracted=_provenance(extracted),
                snapshot=snapshot,
            )
            matches = store_matches(article, matcher)
    except IntegrityError:
        return None  # stored meanwhile by another worker: the first copy wins
    if matches:
        # Only candidates go on the desk, so only they are grouped into stories.
        group_article(article)
    return StoredArticle(article, matched=bool(matches))


def outlet_name_for(extracted, source: Source | None) -> str:
    """The page's own site name, unless it is only the host name (what extractors fall back
    to when a site names itself nowhere): then the name the editor gave the source."""
    name = (extracted.outlet_name or "").strip()
    host = (urlsplit(extracted.url).netloc or "").lower()
    bare = name.lower().removeprefix("www.")
    if (
        source is not None
        and source.name
        and (not name or bare in {host, host.removeprefix("www.")})
    ):
        return source.name
    return name


def _provenance(extracted) -> dict:
    def iso(day):
        return day.isoformat() if day else None

    return {
        "feed": {
            "title": extracted.feed_title,
            "published": iso(extracted.feed_published),
            "authors": list(extracted.feed_authors),
        },
        "page": {
            "title": extracted.page_title,
            "published": iso(extracted.page_published),
            "authors": list(extracted.page_authors),
        },
        "choices": dict(extracted.choices),
    }


def poll_sources(
    *,
    due_only: bool = True,
    workers: int = 8,
    per_host: int = 2,
    shard: tuple[int, int] = (0, 1),
    fetcher: Fetcher | None = None,
) -> PollSummary:
    """Poll every due (or every enabled) source once.

    `shard=(i, n)` takes only the sources whose id is i modulo n, so n processes can share
    the work without a broker and without polling a source twice.
    """
    index, count = shard
    sources = [
        s
        for s in (Source.objects.due() if due_only else Source.objects.enabled())
        if s.pk % count == index
    ]
    own = fetcher is None
    fetcher = fetcher or Fetcher(FetchPolicy.from_env())
    try:
        return Poller(fetcher, workers=workers, per_host=per_host).poll(sources)
    finally:
        if own:
            fetcher.close()
