"""The ingest path, read top to bottom: how a feed entry becomes a stored, matched article.

    1. due sources are claimed (next check moved forward in one conditional UPDATE each) and
       fetched (conditional GET, per-host limit, robots.txt);
    2. each response is parsed: feed, sitemap (newest entries first; an index is followed one
       level), or a listing page whose article links are followed; the source's state and
       next check are saved once its new entries are stored (or handed on), so none is lost
       to a 304;
    3. entries whose URL is not stored yet are fetched;
    4. each page is kept as a snapshot (WARC), extracted, and stored once (canonical URL and
       text are unique; articles/storing.py);
    5. the watchlists are matched against headline and text; an article with a match is a
       candidate for the desk;
    6. each candidate is grouped into a story (stories.actions.group_article).

Two service functions carry the path, one source or one entry at a time: poll_source (1–3:
fetch and read a source, hand on its new entries) and ingest_entry (3–6: fetch, snapshot,
extract, store, match, group). They run in two ways:

- in process (`clipdesk poll`, Poller.poll): network work runs in a thread pool, a few pages
  ahead (download_ahead); pages are encoded and extracted on a second thread a page or two
  ahead (prepare_ahead); every database write happens on the calling thread, so SQLite sees
  one writer;
- with a broker (CLIPDESK_BROKER_URL), as Celery tasks on any number of workers:
  sources/tasks.py (1–3), articles/tasks.py (3–5), stories/tasks.py (6). Tasks carry IDs and
  plain data, and every step is safe to run twice (see docs/celery.md).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from clipdesk.articles import language
from clipdesk.articles.canonical import (
    URLError,
    entry_key,
    same_site,
    slash_twin,
    user_info,
    with_user_info,
    without_credentials,
    without_session,
)
from clipdesk.articles.extraction import (
    ExtractedArticle,
    ExtractionError,
    canonical_url,
    extract_article,
)
from clipdesk.articles.models import Article, EntryAddress, ExtractionRule, Snapshot
from clipdesk.articles.snapshots import EncodedSnapshot, append_snapshot, encode_snapshot_soon
from clipdesk.articles.storing import StoredArticle, copy_credit, read_text, save_article
from clipdesk.digest.models import SiteProfile
from clipdesk.digest.outlets import OutletDirectory
from clipdesk.search import indexing as search_indexing
from clipdesk.sources.discovery import (
    find_article_links,
    is_listing_or_service_page,
    is_listing_sitemap,
    site_name,
)
from clipdesk.sources.feed_formats import KIND_NAMES
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
from clipdesk.sources.models import WEB_ADDRESS, Source
from clipdesk.sources.politeness import HostBusy, HostLimiter, Limiter, host_limiter
from clipdesk.stories.actions import group_article, note_new_copy
from clipdesk.watch.store import WatchMatcher, load_matcher

log = logging.getLogger(__name__)

MAX_ENTRIES_PER_SOURCE = 200
MAX_LINKS_PER_PAGE = 100
NO_ARTICLE_LINKS = (
    "no link on the page reads like an article's (dated or slug-like addresses on the same "
    "site); if this page lists articles, its feed or sitemap may be the better source"
)
# An entry whose page answers 404 is counted this many tries in all, then no more asked for (a
# dead link). A feed may list a page a while before it is published: a 404 counts as a new try
# only this long after the last one counted, so the page is given (TRIES - 1) × SPACING, half
# an hour, however often its source is polled; a 404 in between is asked for, but not counted.
NOT_FOUND_TRIES = 3
NOT_FOUND_SPACING = datetime.timedelta(minutes=15)
# A page not found yet whose entry left its feed before its tries were used up is no longer
# asked for; its pending record is forgotten this long after its last counted try. Far longer
# than the longest wait between two polls of a source (a day), so a listed dead link is counted
# again before its record could be forgotten and its count start over.
PENDING_NOT_FOUND_KEPT = datetime.timedelta(days=7)
MAX_RETRY_AFTER_SECONDS = 86400  # the longest next check (robots.next_check_seconds)
MAX_CHILD_SITEMAPS = 20  # of a sitemap index, the newest (newest_first)
MAX_SITEMAP_DEPTH = 3  # sitemap indexes listing sitemap indexes, followed this many levels
# A claimed source that nobody polls (its task lost with a broker that forgot it) is due
# again after this; longer than a poll task waits in a busy queue, short enough to notice.
CLAIM_LEASE = datetime.timedelta(minutes=15)
CLAIM_BATCH = 1000  # sources claimed per scheduler tick; the rest wait for the next tick
# Pages downloaded ahead of the one being stored, per download worker: enough that the
# preparing thread never waits on the network while pages keep coming, few enough that a
# round holds a few dozen bodies at once, whatever its size.
DOWNLOAD_AHEAD_PER_WORKER = 3

# What happens to a new candidate: grouped at once in process, or a task enqueued for it.
Grouper = Callable[[Article], object]
HandOff = Callable[[list[ParsedEntry]], object]


@dataclass
class PollSummary:
    polled: int = 0
    not_modified: int = 0
    failed: list[dict] = field(default_factory=list)
    entries_seen: int = 0
    articles_new: int = 0
    articles_matched: int = 0
    pages_failed: list[dict] = field(default_factory=list)
    # Sources read this round despite a fault (malformed XML recovered, a wrong charset
    # declared, entities ignored): what `source list` and the admin show the editor.
    problems: list[dict] = field(default_factory=list)
    seconds: float = 0.0  # the round itself, from choosing the sources to the last store
    # Sources whose address answered with a permanent redirect on its own site, now polled at
    # the new one: {"source": id, "from": old address, "to": new address}.
    moved: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sources_polled": self.polled,
            "not_modified": self.not_modified,
            "failed": self.failed,
            "entries_seen": self.entries_seen,
            "articles_new": self.articles_new,
            "articles_matched": self.articles_matched,
            "pages_failed": self.pages_failed,
            "problems": self.problems,
            "moved": self.moved,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class Download:
    """The outcome of one request: a response or a reason."""

    url: str
    result: FetchResult | None = None
    error: str | None = None
    retry_after: float | None = None
    entry: ParsedEntry | None = None
    transient: bool = False  # a failure that may pass: a timeout, a lost connection, a 5xx
    # A refusal that will not pass by asking again: the page is over the size limit, at an
    # address that may not be fetched, in a redirect loop, or gone (410).
    lasting: bool = False
    not_found: bool = False  # a 404: perhaps not published yet (NOT_FOUND_TRIES)
    busy: bool = False  # no request slot for the host came free (HostBusy): not even asked


# Answers that say "not now" rather than "not here": the page is asked for again next round.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def _transient(exc: FetchError) -> bool:
    if exc.kind == "http_status":
        return exc.status in TRANSIENT_STATUSES
    return exc.kind in ("timeout", "connection")


def _lasting(exc: FetchError) -> bool:
    """Whether asking for the page again would be refused the same way. Not a 404: a feed
    may list a page a moment before it is published."""
    if exc.kind == "http_status":
        return exc.status == 410
    return exc.kind in ("too_large", "blocked_address", "bad_url", "too_many_redirects")


@dataclass
class StoreContext:
    """What storing needs besides the page, loaded once per poll round (or per task)."""

    outlets: OutletDirectory
    matcher: WatchMatcher
    rules: dict[str, dict]

    @classmethod
    def load(cls) -> StoreContext:
        return cls(OutletDirectory(), load_matcher(), ExtractionRule.enabled_by_host())

    @functools.cached_property
    def site_name(self) -> str:
        """Named in the warcinfo record that begins each day's WARC file: read when a file is
        begun (about once a day), not for every article a task stores."""
        return SiteProfile.chosen_name()


class Poller:
    """The network side of polling (fetcher, robots.txt, per-host limit) and the stages."""

    def __init__(
        self,
        fetcher: Fetcher,
        *,
        workers: int = 8,
        per_host: int = 2,
        limit: Limiter | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.robots = RobotsCache(fetcher)
        self.workers = workers
        self.limit = limit or HostLimiter(per_host)
        # Set when a round is cut short (Ctrl-C): downloads waiting for their host's slot
        # then give up instead of each being made in turn before the command can stop.
        self._stopping = threading.Event()

    # -- network ------------------------------------------------------------------------
    def download(self, url: str, *, etag: str = "", last_modified: str = "") -> Download:
        # In the host's slot, robots.txt included: eight feeds of one site asked for it on
        # eight connections at once, past the per-host limit the pages keep.
        try:
            return self._download_in_slot(url, etag=etag, last_modified=last_modified)
        except HostBusy as exc:
            # The shared limit's slots all taken by other workers (or its Redis away): the
            # page was not asked for, which is for later. Caught as an unforeseen error by
            # fetch_entry, it failed for good: the task never retried, a round kept its
            # source's validators, and the entry was never fetched while the feed said 304.
            return Download(url, error=str(exc), transient=True, busy=True)

    def _download_in_slot(self, url: str, *, etag: str, last_modified: str) -> Download:
        with self.limit(url):
            if self._stopping.is_set():
                return Download(url, error="poll: stopped before it was fetched", transient=True)
            if (refusal := self.robots.refusal(url)) is not None:
                # robots.txt unreadable (the site down, say) is passing, as the fetch would be.
                return Download(url, error=refusal.reason, transient=refusal.passing)
            try:
                result = self.fetcher.get(
                    url, etag=etag or None, last_modified=last_modified or None
                )
            except FetchError as exc:
                return Download(
                    url,
                    error=str(exc),
                    retry_after=exc.retry_after,
                    transient=_transient(exc),
                    lasting=_lasting(exc),
                    not_found=exc.kind == "http_status" and exc.status == 404,
                )
        return Download(url, result=result)

    def download_all(self, jobs: Iterable[tuple[str, Callable[[], Download]]]) -> list[Download]:
        jobs = list(jobs)
        if not jobs:
            return []
        self._stopping.clear()
        pool = ThreadPoolExecutor(max_workers=min(self.workers, len(jobs)))
        try:
            return list(pool.map(lambda job: job[1](), jobs))
        except BaseException:
            # Interrupted (Ctrl-C), the sources not yet asked for are not: the pool's own
            # exit waited for every one of them before the command could stop.
            self._stopping.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def download_ahead(
        self, wanted: list[tuple[Source, ParsedEntry]]
    ) -> Iterator[tuple[Source, Download]]:
        """Each entry's page with its source, in order, downloaded in the pool up to
        DOWNLOAD_AHEAD_PER_WORKER pages a worker ahead of the caller.

        Pages arrive while earlier ones are extracted, rather than all before the first one
        is, and a round holds a bounded number of bodies in memory (it held every page of
        the round at once: hundreds of megabytes for a few hundred sources).
        """
        if not wanted:
            return
        workers = min(self.workers, len(wanted))
        self._stopping.clear()
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="download")
        try:
            waiting: deque[tuple[Source, Future[Download]]] = deque()
            for source, entry in wanted:
                waiting.append((source, pool.submit(self.fetch_entry, entry)))
                if len(waiting) >= workers * DOWNLOAD_AHEAD_PER_WORKER:
                    source, future = waiting.popleft()
                    yield source, future.result()
            while waiting:
                source, future = waiting.popleft()
                yield source, future.result()
        except BaseException:
            self._stopping.set()  # a round cut short: what waits for a slot is not fetched
            raise
        finally:
            # A round cut short (an error while storing) leaves no download queued.
            pool.shutdown(wait=True, cancel_futures=True)

    def fetch_source(self, source: Source) -> Download:
        try:
            return self.download(source.url, etag=source.etag, last_modified=source.last_modified)
        except Exception as exc:  # one source never stops the round
            log.exception("poll: fetching %s failed", source.url)
            return Download(source.url, error=f"fetcher: {source.url} failed ({exc})")

    def fetch_entry(self, entry: ParsedEntry) -> Download:
        try:
            download = self.download(entry.url)
        except Exception as exc:  # one page never stops the round (its source's others go on)
            log.exception("poll: fetching %s failed", entry.url)
            download = Download(entry.url, error=f"fetcher: {entry.url} failed ({exc})")
        download.entry = entry
        return download

    # -- the whole path, in process ------------------------------------------------------
    def poll(self, sources: list[Source]) -> PollSummary:
        """Stages 1–6 for these sources: the network in the pool, every write on this thread."""
        summary = PollSummary()
        if sources:
            language.load_soon()
        # 1. every source at once
        downloads = self.download_all((s.url, lambda s=s: self.fetch_source(s)) for s in sources)
        # 2. what each says, and its state (saved at the end, below)
        wanted: list[tuple[Source, ParsedEntry]] = []
        # A page two feeds list (an outlet's and an aggregator's) is fetched once a round: it
        # was downloaded and extracted for each, and every copy after the first thrown away.
        # Once whatever the spelling: a session parameter, or a final slash on the path.
        taken: set[str] = set()
        for source, download in zip(sources, downloads, strict=True):
            for entry in self.read_source(source, download, summary, save=False):
                if (key := entry_key(entry.url)) not in taken:
                    taken.add(key)
                    wanted.append((source, entry))
        # 3–6. each new entry's page, downloaded in the pool a few pages ahead; then one page
        # at a time, in order: each is snapshot-encoded and extracted on a second thread while
        # this one stores the page before (prepare_ahead)
        context = StoreContext.load()
        retry: set[int] = set()
        with contextlib.closing(self.download_ahead(wanted)) as fetched:
            for source, page, prepared in prepare_ahead(fetched, context):
                if page.transient:
                    retry.add(id(source))
                if prepared is None:
                    summary.pages_failed.append({"url": page.url, "reason": page.error})
                    if _remember_refusal(page):
                        retry.add(id(source))  # not found, yet: asked for again next round
                    continue
                try:
                    stored = store_page(
                        source, page, context, group=group_article, prepared=prepared
                    )
                except (DataError, UnicodeError) as exc:
                    # A value the database refuses (the page's transaction is rolled back):
                    # this page fails, the round goes on. Extraction makes every text storable
                    # (clipdesk/storable.py); this is the guard for what it may miss.
                    reason = f"storing: the database refused the page's data ({exc})"
                    summary.pages_failed.append({"url": page.url, "reason": reason[:500]})
                    # An outlet made in the rolled-back transaction is gone: forget it too.
                    context.outlets = OutletDirectory()
                    continue
                if stored is not None:
                    summary.articles_new += 1
                    summary.articles_matched += int(stored.matched)
                elif page.error:  # fetched, kept as a snapshot, but not readable as an article
                    summary.pages_failed.append({"url": page.url, "reason": page.error})
                    if not prepared.error_lasting:
                        # An empty answer, or a page the reader failed on: asked for again
                        # next round, which a feed answering 304 would not let happen.
                        retry.add(id(source))
        # 7. the sources' state last. Saved before the pages were stored, a source's
        # validators would have its server answer 304 next time, and the entries of a round
        # that ended early (a full disk, the process killed) would never be read again;
        # unsaved, the next round fetches the source in full and stores what is missing.
        # A source with a page that failed for now (a timeout, a server error, an empty
        # answer, a 404 with tries left) forgets its validators, for the same reason: next
        # round, that page is asked for again.
        for source in sources:
            if id(source) in retry:
                source.etag = source.last_modified = ""
            save_polled_state(source)
        return summary

    # -- stage 2: what a source's response says ------------------------------------------
    def read_source(
        self,
        source: Source,
        download: Download,
        summary: PollSummary,
        hand_off: HandOff | None = None,
        *,
        save: bool = True,
    ) -> list[ParsedEntry]:
        """The source's new entries; its state (validators, next check) saved last, or left
        for the caller to save once the entries are stored (`save=False`).

        `hand_off` gets the new entries *before* the state is saved: a process that dies in
        between fetches the source in full again next time, where saved validators would
        have had the server answer 304 and the entries would be lost.
        """
        summary.polled += 1
        entries = self._update_state(source, download, summary)
        summary.entries_seen += len(entries)
        new = self._unknown(entries)
        if hand_off is not None and new:
            hand_off(new)
        if save:
            save_polled_state(source)
        return new

    def _update_state(self, source: Source, download: Download, summary: PollSummary) -> list:
        now = timezone.now()
        source.last_checked_at = now
        if download.error or download.result is None:
            _failed(source, download.error or "no response", now)
            wait = backoff_seconds(source.error_count)
            if download.retry_after:
                # The server's wish, within the bounds every wait keeps: a Retry-After of
                # 10,000,000 s silenced the source for four months.
                wait = max(wait, min(int(download.retry_after), MAX_RETRY_AFTER_SECONDS))
            source.next_check_at = now + datetime.timedelta(seconds=wait)
            summary.failed.append(
                {"source": source.pk, "url": source.url, "reason": source.last_error}
            )
            return []
        result = download.result
        if result.etag:
            source.etag = _validator(result.etag, "etag")
        if result.last_modified:
            source.last_modified = _validator(result.last_modified, "last_modified")
        if result.not_modified:
            summary.not_modified += 1
            # The new address answered 304 to the validators of the old: the same feed.
            _follow_permanent_redirect(source, result, summary)
            # The feed's <ttl> from its last full answer: a 304 has no body to say it again.
            _succeeded(source, result, now, ttl=source.feed_ttl_minutes)
            return []
        try:
            feed, entries = self._entries_of(source, result)
        except Exception as exc:  # one source's response never stops the round
            if isinstance(exc, FeedError):
                reason = str(exc)
            else:
                # A case the readers do not foresee yet: this source fails, in words, and
                # the traceback goes to the log to be mended; the other sources go on.
                log.exception("poll: reading %s failed", source.url)
                reason = f"could not read the response ({type(exc).__name__}: {exc})"[:500]
            _failed(source, reason, now)
            # Kept, the validators of a response that could not be read had the server
            # answer 304 next time, and the source showed as fine while its feed was not.
            source.etag = source.last_modified = ""
            source.next_check_at = now + datetime.timedelta(
                seconds=backoff_seconds(source.error_count)
            )
            summary.failed.append({"source": source.pk, "url": source.url, "reason": reason})
            return []
        # Only now, the response read as the source's kind: a feed whose address was sent to
        # the site's homepage for good is not moved there.
        not_followed = _follow_permanent_redirect(source, result, summary)
        source.format = feed.kind if feed else "page"
        source.feed_ttl_minutes = feed.ttl_minutes if feed else None
        if not source.name:
            # Named as the feed names itself, or a listing page its site, until an editor
            # names it: the outlet of its pages that name no site of their own was their host
            # ("127.0.0.1:8802"). A page added with --kind is not read when added, so this is
            # the first time its name is seen.
            named = (feed.title if feed is not None else site_name(result.body)) or ""
            source.name = " ".join(named.split())[: Source._meta.get_field("name").max_length]
        if feed is not None:
            source.problems = list(feed.problems)
        else:  # a listing page: say so when none of its links reads like an article's
            source.problems = [] if entries else [NO_ARTICLE_LINKS]
        if not_followed:
            source.problems.insert(0, not_followed)
        if source.problems:
            summary.problems.append(
                {"source": source.pk, "url": source.url, "problems": list(source.problems)}
            )
        _succeeded(source, result, now, ttl=feed.ttl_minutes if feed else None)
        return entries[:MAX_ENTRIES_PER_SOURCE]

    def _entries_of(
        self, source: Source, result: FetchResult
    ) -> tuple[ParsedFeed | None, list[ParsedEntry]]:
        if source.kind == Source.Kind.PAGE:
            if not _reads_as_html(result):
                _refuse_feed_as_page(result, self.fetcher.policy.max_bytes)
            links = find_article_links(result.body, result.url)[:MAX_LINKS_PER_PAGE]
            return None, [_bare_entry(url) for url in links]
        cap = self.fetcher.policy.max_bytes
        feed = parse_feed(
            result.body, result.url, result.headers.get("content-type"), max_bytes=cap
        )
        if feed.kind in ("sitemap", "news_sitemap"):
            return feed, newest_first(_possible_articles(feed.entries))
        if feed.kind != "sitemap_index":
            return feed, feed_entries_to_take(feed.entries)
        # A sitemap index: follow its child sitemaps, newest first; an index may list other
        # indexes (a year's, then its months'), whose sitemaps are followed too, up to
        # MAX_SITEMAP_DEPTH levels and MAX_CHILD_SITEMAPS sitemaps in all. Before, a nested
        # index's sitemaps were fetched as if they were articles, every round.
        entries: list[ParsedEntry] = []
        seen = {source.url, result.url}
        fetched = 0
        level = [e for e in _article_sitemaps(newest_first(feed.entries)) if e.url not in seen]
        for _depth in range(MAX_SITEMAP_DEPTH):
            level = level[: MAX_CHILD_SITEMAPS - fetched]
            if not level:
                break
            fetched += len(level)
            seen.update(e.url for e in level)
            nested: list[ParsedEntry] = []
            children = self.download_all((e.url, lambda u=e.url: self.download(u)) for e in level)
            for child in children:
                if child.result is None or child.error:
                    feed.problems.append(f"child sitemap {child.url}: {child.error}")
                    continue
                try:
                    parsed = parse_feed(child.result.body, child.url, max_bytes=cap)
                except FeedError as exc:
                    feed.problems.append(f"child sitemap {child.url}: {exc}")
                    continue
                if parsed.kind == "sitemap_index":
                    nested += parsed.entries
                else:
                    entries += newest_first(_possible_articles(parsed.entries))
            level = [e for e in _article_sitemaps(newest_first(nested)) if e.url not in seen]
        else:
            if level:
                feed.problems.append(
                    f"sitemap indexes nested more than {MAX_SITEMAP_DEPTH} deep were not followed"
                )
        return feed, entries

    def _unknown(self, entries: list[ParsedEntry]) -> list[ParsedEntry]:
        """Entries not stored yet (by URL or canonical URL, in any spelling `_spellings`
        gives), each page once."""
        by_key: dict[str, ParsedEntry] = {}
        for entry in entries:
            if entry.url and entry.url.startswith(("http://", "https://")):
                by_key.setdefault(entry_key(entry.url), entry)
        if not by_key:
            return []
        spellings = {key: _spellings(entry.url) for key, entry in by_key.items()}
        canonicals = sorted({url for canonical, _ in spellings.values() for url in canonical})
        addresses = sorted({url for _, listed in spellings.values() for url in listed})
        known = set(
            Article.objects.filter(canonical_url__in=canonicals).values_list(
                "canonical_url", flat=True
            )
        )
        known |= set(Article.objects.filter(url__in=addresses).values_list("url", flat=True))
        known |= set(_remembered().filter(url__in=addresses).values_list("url", flat=True))
        return [
            entry
            for key, entry in by_key.items()
            if known.isdisjoint(spellings[key][0]) and known.isdisjoint(spellings[key][1])
        ]


def _article_sitemaps(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A sitemap index's child sitemaps without those of tag, category, author and static
    pages (WordPress's), unless nothing else is left: each of those pages was stored as an
    article, and they took the places of the sitemaps of articles (MAX_CHILD_SITEMAPS)."""
    return [e for e in entries if not is_listing_sitemap(e.url)] or entries


def _possible_articles(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A sitemap lists a site's front page, its lists and its service pages with its articles;
    stored, the front page became an article titled after the site, dated by its newest story,
    and an about page that names the watched subject a candidate on the desk."""
    return [e for e in entries if not is_listing_or_service_page(e.url)]


def _validator(value: str, field: str) -> str:
    """A response's ETag or Last-Modified as the source keeps it, or "" when its column cannot
    hold it whole or it is not printable: cut short it would never match, and on PostgreSQL
    a value too long failed the round's last step, saving the sources' state, every time."""
    fits = len(value) <= Source._meta.get_field(field).max_length and value.isprintable()
    return value if fits else ""


def newest_first(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A sitemap's entries in the order a round takes them (it takes at most
    MAX_ENTRIES_PER_SOURCE): those with a date newest first, then the undated ones from the
    last listed. Sitemaps are not ordered newest first as feeds are; sites add to their end
    (WordPress lists its posts oldest first, in numbered sitemaps without dates), so in
    document order a round would take the oldest pages again and again, never the new ones.
    """
    return _dated_newest_first(entries) + [e for e in reversed(entries) if not e.published]


def feed_entries_to_take(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A feed's entries in the order a round takes them. Feeds list their newest items first,
    and that order is kept; but a feed longer than a round takes (MAX_ENTRIES_PER_SOURCE) may
    list its oldest first (some archives and CMS exports do), and taken in document order
    its newest items would never be seen. So such a feed gives its dated items newest first,
    then its undated ones in the order listed.
    """
    if len(entries) <= MAX_ENTRIES_PER_SOURCE:
        return entries
    return _dated_newest_first(entries) + [e for e in entries if not e.published]


# What a poll learns about a source; the rest (its address, name, kind, whether it is
# polled) is the editor's, who may change it while a round is under way.
POLLED_STATE = (
    "format",
    "etag",
    "last_modified",
    "next_check_at",
    "last_checked_at",
    "last_success_at",
    "last_error",
    "error_count",
    "failing_since",
    "problems",
    "feed_ttl_minutes",
    "moved_note",  # the address itself is moved by its own guarded update
)


def save_polled_state(source: Source) -> None:
    """Write what the poll learnt about `source`, and only that, to its row if it is still
    there. `save()` wrote every column: a source removed (`source remove`) while its round
    was under way came back (Django inserts the row an update no longer finds), and one
    renamed, given another kind or disabled meanwhile got its old values back. The name its
    feed gives is taken only while the source is still unnamed."""
    state = {field: getattr(source, field) for field in POLLED_STATE}
    if source.name:  # one statement: a second UPDATE found no unnamed row on nearly every save
        state["name"] = Case(When(name="", then=Value(source.name)), default=F("name"))
    Source.objects.filter(pk=source.pk).update(**state)


def _dated_newest_first(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """The entries that give a date, newest first (entries of one date keep their order)."""
    return sorted((e for e in entries if e.published), key=lambda e: e.published, reverse=True)


def _follow_permanent_redirect(
    source: Source, result: FetchResult, summary: PollSummary
) -> str | None:
    """Move the source to where a permanent redirect (301, 308, every step of the chain) sent
    it, when that is on the same site; else say why not, for the source's problems.

    A source kept its old address for ever, paying the redirect every round, and the editor
    was never told. Feed readers move a source on a permanent redirect; this one does so only
    on the site the editor chose (`www.` or not, http to https), so a hijacked or sold
    domain's redirect cannot swap the feed for another site's. The new address passed the
    fetcher's checks (no internal address unless allowed) on the way here; one that is
    already another source's is not taken (the unique address would refuse it)."""
    if not result.moved_permanently:
        return None
    old, new = source.url, urlsplit(result.url)._replace(fragment="").geturl()
    if new == old:
        return None
    if (refusal := _permanent_redirect_refusal(old, new)) is not None:
        return refusal
    if user_info(old) and not user_info(new):  # the password the editor gave, kept on its site
        new = with_user_info(new, user_info(old))
    taken = Source.objects.filter(url=new).exclude(pk=source.pk).first()
    if taken is None and source.pk is not None:
        try:
            with transaction.atomic():  # two sources sent to one address in one round
                Source.objects.filter(pk=source.pk).update(url=new)
        except IntegrityError:
            taken = Source.objects.filter(url=new).exclude(pk=source.pk).first()
    if taken is not None:
        return (
            f"answers with a permanent redirect to {new}, which is source {taken.pk}'s "
            "address; not followed for good (one of the two sources may be deleted)"
        )
    source.url = new
    source.moved_note = (
        f"{old} moved permanently to {new} ({timezone.now():%Y-%m-%d}); now polled there"
    )
    summary.moved.append({"source": source.pk, "from": old, "to": new})
    return None


def _permanent_redirect_refusal(old: str, new: str) -> str | None:
    """Why a source at `old` is not moved to `new`, where a permanent redirect sent it; None
    when it may be."""
    said = f"answers with a permanent redirect to {new}"
    if urlsplit(old).scheme == "https" and urlsplit(new).scheme == "http":
        return f"{said}, over plain http; not followed for good"
    if not same_site(old, new) or _port(old) != _port(new):
        return (
            f"{said}, on another site; not followed for good "
            "(change the source's address if the feed really moved there)"
        )
    try:
        WEB_ADDRESS(new)
    except ValidationError:
        return f"{said}, which cannot be a source's address; not followed for good"
    if len(new) > Source._meta.get_field("url").max_length:
        return f"{said}, too long to be a source's address; not followed for good"
    return None


def _port(url: str) -> int | None:
    """The port an address names; None for its scheme's own (http to https keeps "none")."""
    try:
        port = urlsplit(url).port
    except ValueError:
        return None
    return None if port in (80, 443) else port


def _failed(source: Source, reason: str, now: datetime.datetime) -> None:
    """One more failure in a row. The first of a run is when the source began failing: kept
    while the failures go on, so `status` and `source list` say since when, which the last
    good read only bounded (a source read daily may have failed from an hour after it)."""
    if source.error_count == 0:
        source.failing_since = now
    source.error_count += 1
    source.last_error = reason


def _succeeded(source: Source, result: FetchResult, now, ttl: int | None) -> None:
    """A good read, a 304 to the source's validators included: the run of failures ends."""
    source.error_count = 0
    source.last_error = ""
    source.failing_since = None
    source.last_success_at = now
    wait = next_check_seconds(result.headers, feed_ttl_minutes=ttl)
    source.next_check_at = now + datetime.timedelta(seconds=wait)


# -- the service functions, one source or one entry at a time --------------------------------


def poll_source(
    source: Source,
    *,
    poller: Poller,
    summary: PollSummary | None = None,
    hand_off: HandOff | None = None,
) -> list[ParsedEntry]:
    """Stages 1–3 for one (claimed) source: fetch it, save its state, return its new entries.

    Polling again is harmless: the validators make the server answer 304, and entries already
    stored are left out.
    """
    download = poller.fetch_source(source)
    if download.busy:
        # For the task to retry: the source was not asked, so it is not counted as failing.
        raise HostBusy(download.error or f"politeness: no free request slot for {source.url}")
    return poller.read_source(source, download, summary or PollSummary(), hand_off)


class PageNotNow(RuntimeError):
    """An entry's page failed for now (a timeout, a server error): its task tries again later,
    since the source, polled with its validators, will not list the entry again."""


def ingest_entry(
    source: Source | None,
    entry: ParsedEntry,
    *,
    poller: Poller,
    context: StoreContext | None = None,
    group: Grouper | None = group_article,
) -> StoredArticle | None:
    """Stages 3–6 for one entry; None when nothing new was stored (known, failed, duplicate).

    Safe to run twice, even at once: a stored entry is not fetched again, and a second copy
    racing the first waits for it on a lock and then finds it stored. A matched article that
    a crashed attempt stored but never grouped is grouped now. A page that fails for now
    raises PageNotNow, for the task to try again.
    """
    stored = _stored(entry).first()
    if stored is not None:
        if group is not None and _awaits_grouping(stored):
            group(stored)
        return None
    if _is_remembered(entry):
        return None  # led before to no new article (a redirect, a copy, a PDF)
    page = poller.fetch_entry(entry)
    if page.transient:
        raise PageNotNow(page.error or f"{entry.url}: no answer for now")
    if page.error or page.result is None:
        if _remember_refusal(page) and source is not None:
            # Not found, yet: the source's validators, saved before this task ran, would
            # have its feed answer 304 and the entry never be listed again.
            forget_validators(source.pk)
        return None
    context = context or StoreContext.load()
    prepared = _prepare_page(page, context)
    stored = store_page(source, page, context, group=group, prepared=prepared)
    if stored is None and page.error and not prepared.error_lasting and source is not None:
        # Fetched but not read (an empty answer, a page the reader failed on), as a round
        # does: the source forgets the validators it saved before this task ran, so that its
        # next poll lists the entry again instead of the feed answering 304 for good.
        forget_validators(source.pk)
    return stored


def forget_validators(source_id: int) -> None:
    """Have the source's next poll read it in full (no ETag, no Last-Modified sent): what an
    entry task leaves for later. Its feed would answer 304 to the validators saved before the
    task ran, and the entry would never be listed again."""
    Source.objects.filter(pk=source_id).update(etag="", last_modified="")


def store_page(
    source: Source | None,
    page: Download,
    context: StoreContext,
    *,
    group: Grouper | None = group_article,
    prepared: PreparedPage | None = None,
) -> StoredArticle | None:
    """Stages 4–6 for a fetched page: snapshot, extract, store once, match; then group.
    `prepared` is the page already encoded and extracted (prepare_ahead).

    The slow part (encoding the WARC record, extracting, matching) runs before the
    transaction, so that on SQLite, where a write transaction holds the single write lock
    from its start, other pollers and workers can write meanwhile. The callers have checked
    that the entry is not stored; in the transaction its URL is locked (on PostgreSQL) and
    checked again, so two workers given the same entry store one article, one snapshot and
    one WARC record. Grouping runs after the commit, so a grouping task always finds the
    article.
    """
    prepared = prepared or _prepare_page(page, context)
    # Matched here, on the storing thread, which has time to spare while the preparing thread
    # extracts the next page; and before the transaction, which needs only the result.
    findings = read_text(prepared.extracted, context.matcher) if prepared.extracted else None
    with transaction.atomic():
        _lock_url(_lock_key(page.entry.url if page.entry else page.url))
        if page.entry is not None and _known(page.entry):
            return None
        if source is not None and not _source_kept(source):
            # Deleted since it was polled: its entries go with it, as a task finds them gone.
            # Stored, the article pointed at no source, and the commit failed: a round ended
            # there, every page after it left unstored.
            return None
        if page.entry is not None:
            _forget_not_found(page.entry)  # found now: what it led to is remembered below
        stored_snapshot = append_snapshot(
            settings.CLIPDESK_HOME, prepared.encoded, operator=lambda: context.site_name
        )
        snapshot = Snapshot.objects.create(**prepared.snapshot, **stored_snapshot.__dict__)
        if prepared.extracted is None:
            page.error = prepared.error
            if page.entry is not None and prepared.error_lasting:
                _remember(page.entry, None, prepared.error or "no article")
            return None  # the snapshot stays: what the page was is evidence even unread
        stored = save_article(
            source,
            prepared.extracted,
            snapshot,
            context.outlets,
            context.matcher,
            findings,
        )
        if stored is not None and not stored.created:  # a copy: nothing new to store
            if page.entry is not None:
                credit = copy_credit(prepared.extracted, source, context.outlets, snapshot)
                seen = timezone.now()
                _remember(page.entry, stored.article, EntryAddress.COPY, seen_at=seen, **credit)
                outlet = credit["outlet"]
                if outlet is not None and outlet.pk != stored.article.outlet_id:
                    note_new_copy(stored.article, seen)  # another outlet: a decided story's news
            return None
        if page.entry is not None:
            _remember_address(page.entry, stored)
    if stored is not None and stored.matched and group is not None:
        # Only candidates go on the desk, so only they are grouped into stories.
        group(stored.article)
    return stored


@dataclass
class PreparedPage:
    """A page encoded as a WARC record and extracted, before anything is stored."""

    snapshot: dict
    encoded: EncodedSnapshot
    extracted: ExtractedArticle | None
    error: str | None = None
    # The page is no article and will not become one (a PDF, a feed): its address is
    # remembered and not fetched again. False for what may pass (an empty answer) and for
    # an unforeseen failure, which a mended reader may read next time.
    error_lasting: bool = False


def _prepare_page(page: Download, context: StoreContext) -> PreparedPage:
    result = page.result
    fetched_at = timezone.now()
    # Encoded on another thread while this one extracts (about 2 ms a page, hidden when a
    # core is free); appending it stays with the transaction, on this thread.
    address = without_credentials(result.url)  # kept and shown: no password in it
    encoding = encode_snapshot_soon(address, result.status, result.headers, result.body, fetched_at)
    snapshot = {
        "url": address,
        "status": result.status,
        "content_type": result.headers.get("content-type", "")[:200],
        "fetched_at": fetched_at,
    }
    host = (urlsplit(result.url).hostname or "").lower()
    try:
        extracted = extract_article(
            result.body,
            result.url,
            entry=page.entry,
            rules=context.rules.get(host),
            content_type=result.headers.get("content-type"),
        )
    except ExtractionError as exc:
        return PreparedPage(snapshot, encoding.result(), None, str(exc), exc.lasting)
    except Exception as exc:  # one page never stops the round
        # A page the extractor does not foresee: it fails in words (its snapshot is kept),
        # the traceback goes to the log to be mended, and the round goes on.
        log.exception("poll: extracting %s failed", result.url)
        reason = f"extraction: an unexpected error ({type(exc).__name__}: {exc})"[:500]
        return PreparedPage(snapshot, encoding.result(), None, reason)
    return PreparedPage(snapshot, encoding.result(), extracted)


# Pages prepared ahead of the one being stored: two keep the preparing thread busy while the
# store of one page and the start of the next overlap; more would only hold more pages.
PREPARE_AHEAD = 2


def prepare_ahead(
    pages: Iterable[tuple[Source, Download]], context: StoreContext
) -> Iterator[tuple[Source, Download, PreparedPage | None]]:
    """Each fetched page with its `PreparedPage` (None when it was not fetched), in order.

    Pages are encoded and extracted on one thread, up to PREPARE_AHEAD ahead of the caller,
    who stores them one by one: while one page's rows are written (SQLite and the WARC write
    release the GIL) the next is being extracted. Preparing touches no database and no file,
    so storing stays on the caller's thread, one writer, in the pages' order; an error in
    preparing a page is raised to the caller when it reaches that page, as before.
    """

    def prepare(page: Download) -> PreparedPage | None:
        if page.error or page.result is None:
            return None
        return _prepare_page(page, context)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as pool:
        waiting: deque[tuple[Source, Download, Future[PreparedPage | None]]] = deque()
        for source, page in pages:
            waiting.append((source, page, pool.submit(prepare, page)))
            if len(waiting) > PREPARE_AHEAD:
                source, page, future = waiting.popleft()
                yield source, page, future.result()
        while waiting:
            source, page, future = waiting.popleft()
            yield source, page, future.result()


# Asked for each entry when the round sorts new from known, and again for each page stored
# (whether it is stored, whether it is remembered, what to remember): made once a page.
@functools.lru_cache(maxsize=4096)
def _spellings(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The addresses an entry's page may be stored or remembered under already: its canonical
    URL and that URL's slash twin; its address as listed, without its session parameters
    (as EntryAddress keeps it), and that one's slash twin.

    A site that writes a visitor's session into its links (`;jsessionid=`, `?PHPSESSID=`)
    lists its pages under new addresses every round, and one that links to `/news/pier` here
    and `/news/pier/` there lists each page twice: each spelling was fetched again, and
    stored as a copy. Raises URLError as canonical_url does."""
    canonical = canonical_url(url)
    address = without_session(url)
    canonicals = (canonical, *filter(None, [slash_twin(canonical)]))
    addresses = tuple(dict.fromkeys([url, address, *filter(None, [slash_twin(address)])]))
    return canonicals, addresses


def _stored(entry: ParsedEntry) -> QuerySet[Article]:
    """The article already stored for this entry, by canonical URL or URL in any of their
    spellings (`_spellings`; one query)."""
    if not entry.url or not entry.url.startswith(("http://", "https://")):
        return Article.objects.none()
    canonicals, addresses = _spellings(entry.url)
    return Article.objects.filter(Q(canonical_url__in=canonicals) | Q(url__in=addresses))


def _known(entry: ParsedEntry) -> bool:
    """Whether the entry's page is stored, or its address is remembered as leading to no new
    article (EntryAddress)."""
    return _stored(entry).exists() or _is_remembered(entry)


def _is_remembered(entry: ParsedEntry) -> bool:
    """Whether the entry's address, in any of its spellings, is one polling skips."""
    if not entry.url or not entry.url.startswith(("http://", "https://")):
        return _remembered().filter(url=entry.url).exists()
    return _remembered().filter(url__in=_spellings(entry.url)[1]).exists()


def _remembered() -> QuerySet[EntryAddress]:
    """The entry addresses polling skips: all but those not found yet with tries left."""
    return EntryAddress.objects.exclude(reason=EntryAddress.NOT_FOUND_YET)


def _remember_address(entry: ParsedEntry, stored: StoredArticle | None) -> None:
    """Remember an entry's address when the next round would not find it by itself: it led
    to an article stored under another address (a redirect). Copies are remembered by
    store_page, with their credit."""
    if stored is None or not stored.created:
        return  # stored meanwhile by another worker, which remembers what it needs to
    article = stored.article
    canonicals, addresses = _spellings(entry.url)
    if article.url not in addresses and article.canonical_url not in canonicals:
        _remember(entry, article, "led to the article at its own address")


def _remember_refusal(page: Download) -> bool:
    """An entry's page refused for good (`Download.lasting`) is remembered with the reason,
    so that it is not downloaded again (up to the size limit, each time) whenever its feed
    changes. Deleting the address in the admin (Entry addresses) has it asked for again.

    A 404 is counted: until it has answered NOT_FOUND_TRIES times the page is asked for
    again (True: its source must not keep validators that would hide the entry), then it is
    remembered as refused for good. Kept as a plain refusal, the 404 of a page listed a
    minute before it was published left it unread for good while its feed answered 304.
    """
    if page.entry is None:
        return False
    if page.not_found:
        return _count_not_found(page.entry, page.error or "not found (HTTP 404)")
    if page.lasting:
        _remember(page.entry, None, page.error or "refused")
    return False


def remember_refused(url: str, reason: str) -> None:
    """Remember an entry's address as refused for good, whatever was counted for it before (a
    404 not yet final): polling no longer hands it on. Deleting it in the admin (Entry
    addresses) has it asked for again."""
    EntryAddress.objects.update_or_create(
        url=without_session(url),
        defaults={"article": None, "reason": reason[:300], "seen_at": timezone.now()},
    )


def _count_not_found(entry: ParsedEntry, reason: str) -> bool:
    """One more 404 for the entry's page; whether it has tries left.

    Counted only NOT_FOUND_SPACING after the last 404 counted (its `seen_at`): counted at
    every poll, a source polled each minute used up its tries in three minutes, and a page
    listed a little longer before it was published was never stored."""
    now = timezone.now()
    with transaction.atomic():
        address, _ = EntryAddress.objects.select_for_update().get_or_create(
            url=without_session(entry.url),
            defaults={"reason": EntryAddress.NOT_FOUND_YET, "seen_at": now},
        )
        if address.reason != EntryAddress.NOT_FOUND_YET:
            return False  # remembered meanwhile for another reason (another worker)
        if address.not_found and now - address.seen_at < NOT_FOUND_SPACING:
            return True  # too soon to count: asked for again, still the same try
        address.not_found += 1
        address.seen_at = now
        if address.not_found >= NOT_FOUND_TRIES:
            address.reason = f"{reason} ({address.not_found} times)"[:300]
        address.save()
    return address.reason == EntryAddress.NOT_FOUND_YET


def _forget_not_found(entry: ParsedEntry) -> None:
    pending = EntryAddress.objects.filter(reason=EntryAddress.NOT_FOUND_YET)
    pending.filter(url__in=[entry.url, without_session(entry.url)]).delete()


def forget_stale_not_found(now: datetime.datetime | None = None) -> int:
    """Forget the pages not found yet whose last counted 404 is PENDING_NOT_FOUND_KEPT old: their
    entries left their feeds before their tries were used up, and their pending records
    cluttered Entry addresses for ever. One DELETE, run at the end of a poll round; how many."""
    cutoff = (now or timezone.now()) - PENDING_NOT_FOUND_KEPT
    stale = EntryAddress.objects.filter(reason=EntryAddress.NOT_FOUND_YET, seen_at__lt=cutoff)
    return stale.delete()[0]


def _remember(entry: ParsedEntry, article: Article | None, reason: str, **credit) -> None:
    # Without its session parameters: the next round lists the page with another session.
    url = without_session(entry.url)
    EntryAddress.objects.bulk_create(
        [EntryAddress(url=url, article=article, reason=reason[:300], **credit)],
        ignore_conflicts=True,  # remembered meanwhile by another worker
    )


def _source_kept(source: Source) -> bool:
    """Whether the source still exists, held (on PostgreSQL) until the transaction ends so
    that it cannot be deleted before the article that points at it is committed."""
    return Source.objects.select_for_update(no_key=True).filter(pk=source.pk).exists()


def _awaits_grouping(article: Article) -> bool:
    return article.matches.exists() and not hasattr(article, "story_member")


def _lock_key(url: str) -> str:
    """What two workers storing one page lock, whichever spelling of its address each has."""
    try:
        return entry_key(url)
    except URLError:
        return url


def _lock_url(url: str) -> None:
    """Hold a transaction-scoped lock on one URL (PostgreSQL); SQLite has a single writer."""
    if connection.vendor != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# The start of a web page: a doctype or <html>, after a byte-order mark, spaces or comments.
HTML_START = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])",
    re.IGNORECASE | re.DOTALL,
)


def _reads_as_html(result: FetchResult) -> bool:
    """Whether a page source's response is plainly a web page: served as HTML and starting
    as one. Anything else may be a feed or a sitemap (`_refuse_feed_as_page`)."""
    mime = result.headers.get("content-type", "").split(";")[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml") and bool(
        HTML_START.match(result.body[:4096])
    )


def _refuse_feed_as_page(result: FetchResult, max_bytes: int) -> None:
    """Raise FeedError saying what a page source's address is when it is a feed or a
    sitemap. Added with `--kind page`, one was read for links as if it were HTML: an RSS
    item's <link> is no link there, so polls found none (or only those in the items'
    descriptions) and said no link read like an article's, never that the kind was wrong,
    which is what a feed added with `--kind feed` on a web page is told."""
    try:
        feed = parse_feed(
            result.body, result.url, result.headers.get("content-type"), max_bytes=max_bytes
        )
    except FeedError:
        return  # a page after all (or nothing a reader knows): its links are looked for
    kind = "sitemap" if feed.kind in ("sitemap", "sitemap_index", "news_sitemap") else "feed"
    raise FeedError(
        f"feeds: this address is {KIND_NAMES.get(feed.kind, feed.kind)}, not a page that links "
        f"to articles; set the source's kind to {kind} (it was added as a page) to read it"
    )


def _bare_entry(url: str) -> ParsedEntry:
    return ParsedEntry(
        url=url, guid=None, title=None, published=None, authors=[], summary=None, language=None
    )


# -- entries as task data ---------------------------------------------------------------------


def entry_as_data(entry: ParsedEntry) -> dict:
    """A feed entry as JSON-safe plain data, for a task message."""
    return {
        "url": entry.url,
        "guid": entry.guid,
        "title": entry.title,
        "published": entry.published.isoformat() if entry.published else None,
        "modified_only": entry.modified_only,
        "authors": list(entry.authors),
        "summary": entry.summary,
        "language": entry.language,
    }


def entry_from_data(data: dict) -> ParsedEntry:
    published = data.get("published")
    return ParsedEntry(
        url=data["url"],
        guid=data.get("guid"),
        title=data.get("title"),
        published=datetime.datetime.fromisoformat(published) if published else None,
        modified_only=bool(data.get("modified_only")),
        authors=list(data.get("authors") or []),
        summary=data.get("summary"),
        language=data.get("language"),
    )


# -- who polls what ---------------------------------------------------------------------------


def claim_due_sources(
    *, now: datetime.datetime | None = None, shard: tuple[int, int] = (0, 1)
) -> list[int]:
    """Claim the due sources (of one shard), oldest due first; their IDs.

    Each claim is one `UPDATE … SET next_check_at = now + lease WHERE id = … AND
    next_check_at <= now`: of two schedulers (or a scheduler and `clipdesk poll`) racing for a
    source, exactly one updates the row, so no source is polled twice. Polling sets the real
    next check; a claim whose poll never happens lapses after CLAIM_LEASE.
    """
    now = now or timezone.now()
    index, count = shard
    claimed: list[int] = []
    for pk in Source.objects.due(now).values_list("pk", flat=True)[:CLAIM_BATCH]:
        if pk % count != index:
            continue
        taken = Source.objects.enabled().filter(pk=pk, next_check_at__lte=now)
        if taken.update(next_check_at=now + CLAIM_LEASE):
            claimed.append(pk)
    return claimed


def poll_sources(
    *,
    due_only: bool = True,
    workers: int = 8,
    per_host: int = 2,
    shard: tuple[int, int] = (0, 1),
    fetcher: Fetcher | None = None,
) -> PollSummary:
    """Poll every due (claimed first) or every enabled source once, in this process.

    `shard=(i, n)` takes only the sources whose id is i modulo n, so n processes can share
    the work without a broker and without polling a source twice.
    """
    started = time.perf_counter()
    index, count = shard
    claimed_at = timezone.now()
    claimed: list[int] = []
    if due_only:
        claimed = claim_due_sources(now=claimed_at, shard=shard)
        by_id = Source.objects.in_bulk(claimed)
        sources = [by_id[pk] for pk in claimed if pk in by_id]
    else:
        sources = [s for s in Source.objects.enabled() if s.pk % count == index]
    own = fetcher is None
    fetcher = fetcher or Fetcher(FetchPolicy.from_env())
    limit = host_limiter(per_host, fetch_timeout=fetcher.policy.timeout)
    try:
        with search_indexing.batched():
            summary = Poller(fetcher, workers=workers, per_host=per_host, limit=limit).poll(sources)
        forget_stale_not_found()
        summary.seconds = time.perf_counter() - started
        return summary
    except BaseException:
        release_claims(claimed, claimed_at)
        raise
    finally:
        limit.close()  # the round's lock session, on PostgreSQL
        if own:
            fetcher.close()


def release_claims(ids: list[int], claimed_at: datetime.datetime) -> None:
    """Make the claimed sources that a failed round left unsaved due again, so the next round
    polls them rather than waiting out the claim's lease (a quarter of an hour).

    A source whose state the round saved has its own next check and is left alone. Best
    effort: when the database is what failed, the release may fail too, and the lease is
    the fallback it was made for.
    """
    if not ids:
        return
    # Never in the way of the round's own error: a database that failed, or a transaction
    # broken by the failure (TransactionManagementError is one), refuses it; the lease stays.
    with contextlib.suppress(DatabaseError):
        Source.objects.filter(pk__in=ids, next_check_at=claimed_at + CLAIM_LEASE).update(
            next_check_at=claimed_at
        )


_process_poller: Poller | None = None
_process_guard = threading.Lock()


def process_poller() -> Poller:
    """This worker process's Poller, made on first use and kept for its connection pool and
    robots.txt cache. Made lazily, after the worker forked, so no two processes share an
    HTTP connection; the per-host limit is the shared one (politeness.host_limiter)."""
    global _process_poller
    with _process_guard:
        if _process_poller is None:
            fetcher = Fetcher(FetchPolicy.from_env())
            per_host = getattr(settings, "CLIPDESK_FETCH_PER_HOST", 2)
            limit = host_limiter(per_host, fetch_timeout=fetcher.policy.timeout)
            _process_poller = Poller(fetcher, workers=4, per_host=per_host, limit=limit)
        return _process_poller


def close_process_poller() -> None:
    """Close this process's Poller, if one was made: its HTTP connections and, on PostgreSQL,
    the session its per-host slots are held in (a database with a session open cannot be
    dropped). A worker process needs none of it (its end closes both); one that ran tasks
    and goes on, as the test suite does, calls it. The next task makes another."""
    global _process_poller
    with _process_guard:
        poller, _process_poller = _process_poller, None
    if poller is None:
        return
    poller.limit.close()
    poller.fetcher.close()
