"""Keeping the search index in step with the database.

The index is derived data: every function here re-reads the rows it is given by id, so it can
be called late, twice, or for a row that is gone (a missing or unpublished post is removed
from the index, never an error).

- `index_post(post)`, `index_article(article)`, `remove_post(id)`, `remove_article(id)`: one
  row, now. Callers that write in bulk (`QuerySet.update`, `bulk_create`) call these, or
  `index_posts(ids)` / `index_articles(ids)`, after their transaction commits.
- `reindex_all(progress)`: rebuild everything (`clipdesk reindex`); readers keep the old
  index until the new one is complete.
- Receivers (`connect_signals`, from the app's `ready`): saving or deleting a post, a credit,
  a post's tags, an article or a watchlist match, or saving an outlet (its name is searched
  in every post that credits it) only notes the ids (a set insert); the notes
  are indexed once per transaction, after it commits (`transaction.on_commit`, robust: an
  indexing failure is logged and never undoes or fails the write). They are skipped when
  CLIPDESK_SEARCH_AUTO_INDEX is False. What they do not see: `QuerySet.update`, bulk
  creation, and renamed entities or aliases — `clipdesk reindex` catches those up.
- Failed updates (the index busy past a writer's wait, a full disk) are kept in the database
  (`models.PendingIndexUpdate`) and retried by every later flush, in any process, until one
  succeeds; a rebuild clears those it covered.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import threading
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from clipdesk.articles.models import Article
from clipdesk.digest.models import Credit, Outlet, Post
from clipdesk.search.backends import IndexBusy, IndexDoc, Progress, get_backend
from clipdesk.search.documents import (
    MATCHERS,
    article_document,
    articles_for_indexing,
    post_document,
    posts_for_indexing,
)
from clipdesk.search.models import PendingIndexUpdate
from clipdesk.watch.models import Match

log = logging.getLogger(__name__)

CHUNK = 500
POSTS_CHUNK = 5000  # posts indexed by one writer in reindex_posts (one commit each)
PENDING_PER_FLUSH = 1000  # failed updates retried by one flush; the rest by the next ones
FORGET_CHUNK = 200  # rows deleted by one statement (one condition each: SQLite's depth limit)
# Failed attempts after which a pending update is given up: counted only in flushes where
# other documents were indexed, so only against a document the engine itself refuses.
MAX_ATTEMPTS = 5


def index_posts(ids: Iterable[int]) -> int:
    """Index these posts as they are now; those missing or unpublished leave the index."""
    ids = set(ids)
    if not ids:
        return 0
    matcher = MATCHERS.get()
    docs = [post_document(post, matcher) for post in posts_for_indexing().filter(pk__in=ids)]
    backend = get_backend()
    backend.delete("post", sorted(ids - {doc.object_id for doc in docs}))
    return backend.upsert(docs)


def reindex_posts() -> int:
    """Index every published post again, a chunk at a time; returns how many.

    A post's watched names are found when it is indexed, so after a watchlist changes the
    `entity:` filter and the "Watched names" facet miss every older post until this runs
    (articles follow through their matches, which `watch rematch` updates).
    """
    ids = list(posts_for_indexing().order_by("pk").values_list("pk", flat=True))
    return sum(
        index_posts(ids[start : start + POSTS_CHUNK]) for start in range(0, len(ids), POSTS_CHUNK)
    )


def index_articles(ids: Iterable[int]) -> int:
    ids = set(ids)
    if not ids:
        return 0
    docs = [article_document(article) for article in articles_for_indexing().filter(pk__in=ids)]
    backend = get_backend()
    backend.delete("article", sorted(ids - {doc.object_id for doc in docs}))
    return backend.upsert(docs)


def index_post(post: Post) -> None:
    index_posts([post.pk])


def index_article(article: Article) -> None:
    index_articles([article.pk])


def remove_post(post_id: int) -> None:
    get_backend().delete("post", [post_id])


def remove_article(article_id: int) -> None:
    get_backend().delete("article", [article_id])


def _all_documents() -> Iterator[IndexDoc]:
    matcher = MATCHERS.get()
    for post in posts_for_indexing().order_by("pk").iterator(chunk_size=CHUNK):
        yield post_document(post, matcher)
    for article in articles_for_indexing().order_by("pk").iterator(chunk_size=CHUNK):
        yield article_document(article)


def reindex_all(progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the whole index from the database; `progress(done, total)` is called as it goes.

    Returns the number of posts and articles indexed.
    """
    posts = posts_for_indexing().count()
    articles = Article.objects.count()
    started = timezone.now()
    done = get_backend().rebuild(_all_documents(), posts + articles, progress)
    log.info("search_reindexed posts=%d articles=%d documents=%d", posts, articles, done)
    # The rebuild read every row after these were noted: they are in it.
    PendingIndexUpdate.objects.filter(noted_at__lt=started).delete()
    return {"post": posts, "article": articles}


# -- receivers ----------------------------------------------------------------------------

_pending = threading.local()


def _notes() -> dict[str, set[int]]:
    if not hasattr(_pending, "ids"):
        _pending.ids = {"post": set(), "article": set()}
    return _pending.ids


Key = tuple[str, int]  # ("post" or "article", object id)
Pending = tuple[str, int, datetime.datetime]  # a key and when its update last failed


def _flush() -> None:
    notes = _notes()
    keys = [("post", i) for i in sorted(notes["post"])]
    keys += [("article", i) for i in sorted(notes["article"])]
    notes["post"].clear()
    notes["article"].clear()
    failed: list[Key] = []
    if keys:
        try:
            failed = _index_isolating(keys)
        except IndexBusy as exc:
            log.error("search_index_busy kept=%d (%s)", len(keys), exc)
            failed = keys
        # The writes have committed and stay; the index catches up on a later flush.
        _keep_pending(failed)
        if len(failed) == len(keys):
            return  # nothing could be indexed: what is pending would fail now too
    _retry_pending(others_indexed=bool(keys), just_kept=set(failed))


def _index_keys(keys: list[Key]) -> None:
    index_posts(object_id for kind, object_id in keys if kind == "post")
    index_articles(object_id for kind, object_id in keys if kind == "article")


def _index_isolating(keys: list[Key], *, engine_works: bool = False) -> list[Key]:
    """Index `keys` and return those that could not be, found by halving a batch that
    failed: one document the engine refuses must not hold back the rest of its batch.

    Halving goes on only once some part has been indexed (or `engine_works` says so): while
    every part fails, the engine itself is the likely cause (a full disk), and the rest is
    returned untried after a few attempts, where halving to the end would try every key.
    IndexBusy (another process writes the index for longer than a writer waits) is raised at
    once: each part would only wait again.
    """
    works = engine_works

    def attempt(batch: list[Key]) -> list[Key]:
        nonlocal works
        try:
            _index_keys(batch)
        except IndexBusy:
            raise
        except Exception:
            if len(batch) == 1:
                log.exception("search_index_failed kind=%s id=%d", *batch[0])
                return batch
        else:
            works = True
            return []
        middle = len(batch) // 2
        first = attempt(batch[:middle])
        if not works:
            return first + batch[middle:]
        return first + attempt(batch[middle:])

    return attempt(keys)


def _retry_pending(*, others_indexed: bool, just_kept: set[Key]) -> None:
    """Index again what failed before; forget what now succeeds.

    A failure counts against a row only when something else was indexed in the same flush:
    the engine works, so the document is what it refuses; after MAX_ATTEMPTS the row is
    given up (in the log, for `clipdesk reindex` once its cause is mended). When nothing
    could be indexed (a full disk, the engine down) no row is blamed, and they wait as long
    as it takes.
    """
    rows = [row for row in _pending_updates() if row[:2] not in just_kept]
    if not rows:
        return
    keys = [(kind, object_id) for kind, object_id, _noted_at in rows]
    try:
        failed = set(_index_isolating(keys, engine_works=others_indexed))
    except IndexBusy:
        return  # still pending, nobody to blame
    _forget_pending([row for row in rows if row[:2] not in failed])
    if failed and (others_indexed or len(failed) < len(rows)):
        _count_failure(failed)


def index_pending(rows: list[Pending]) -> None:
    """Index these pending rows now and forget them; raises what the engine raises."""
    _index_keys([(kind, object_id) for kind, object_id, _noted_at in rows])
    _forget_pending(rows)


def _pending_updates() -> list[Pending]:
    """Updates that failed before, oldest first."""
    try:
        return list(
            PendingIndexUpdate.objects.order_by("noted_at").values_list(
                "kind", "object_id", "noted_at"
            )[:PENDING_PER_FLUSH]
        )
    except DatabaseError as exc:  # e.g. an instance not migrated since the table came
        log.error("search_pending_unread (%s)", exc)
        return []


def _keep_pending(keys: list[Key]) -> None:
    if not keys:
        return
    now = timezone.now()
    rows = [
        PendingIndexUpdate(kind=kind, object_id=object_id, noted_at=now) for kind, object_id in keys
    ]
    try:
        PendingIndexUpdate.objects.bulk_create(
            rows,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=["noted_at"],
        )
    except DatabaseError as exc:
        # Nowhere left to keep them: only a rebuild (`clipdesk reindex`) repairs the index.
        log.error("search_pending_lost count=%d (%s)", len(rows), exc)
        return
    log.warning("search_index_pending kept=%d", len(rows))


def _forget_pending(retried: list[Pending]) -> None:
    """Delete the rows just indexed, as they were read: one noted again meanwhile (a newer
    change whose update failed elsewhere) has a later time and stays."""
    for start in range(0, len(retried), FORGET_CHUNK):
        condition = Q()
        for kind, object_id, noted_at in retried[start : start + FORGET_CHUNK]:
            condition |= Q(kind=kind, object_id=object_id, noted_at=noted_at)
        try:
            PendingIndexUpdate.objects.filter(condition).delete()
        except DatabaseError as exc:  # indexed again next time: harmless
            log.error("search_pending_unforgotten (%s)", exc)
            return


def _count_failure(keys: set[Key]) -> None:
    # By kind, with IN: one OR per key would pass SQLite's expression depth limit (1,000).
    condition = Q(pk__in=[])
    for kind in ("post", "article"):
        if ids := sorted(object_id for key_kind, object_id in keys if key_kind == kind):
            condition |= Q(kind=kind, object_id__in=ids)
    try:
        pending = PendingIndexUpdate.objects.filter(condition)
        pending.update(attempts=F("attempts") + 1)
        given_up = pending.filter(attempts__gte=MAX_ATTEMPTS)
        for row in given_up:
            log.error(
                "search_index_gave_up kind=%s id=%d after %d attempts; `clipdesk reindex` "
                "adds it once the cause (in the log above) is mended",
                row.kind,
                row.object_id,
                row.attempts,
            )
        given_up.delete()
    except DatabaseError as exc:
        log.error("search_pending_uncounted (%s)", exc)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Index everything noted inside the block once, at its end, instead of per transaction.

    An index commit costs far more than a row (tantivy writes segment files), so a poll that
    stores a hundred articles in a hundred transactions indexes them in one go. Rows whose
    transaction rolled back are simply not found when the notes are flushed.
    """
    outer = getattr(_pending, "batched", False)
    _pending.batched = True
    try:
        yield
    finally:
        _pending.batched = outer
        if not outer:
            _flush()


def schedule(kind: str, object_id: int | None) -> None:
    """Note a changed row; it is indexed when the current transaction commits."""
    if object_id is None or not getattr(settings, "CLIPDESK_SEARCH_AUTO_INDEX", True):
        return
    _notes()[kind].add(object_id)
    if getattr(_pending, "batched", False):
        return
    # A callback for every note, even a repeated one: a rolled-back transaction drops its
    # callbacks but not the notes, so a note alone proves nothing about what is scheduled.
    # Any callback that survives flushes every note; the others find nothing left to do.
    transaction.on_commit(_flush, robust=True)


def _post_changed(sender, instance: Post, **kwargs) -> None:
    schedule("post", instance.pk)


def _credit_changed(sender, instance: Credit, **kwargs) -> None:
    schedule("post", instance.post_id)


def _tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:
        schedule("post", instance.pk)
    else:
        for post_id in pk_set or ():
            schedule("post", post_id)


def _outlet_changed(sender, instance: Outlet, created: bool = False, **kwargs) -> None:
    """A renamed outlet (or one given aliases): the posts crediting it are found by its name
    (a rename in the admin left them found by the old one until a reindex)."""
    if created:
        return  # credited by no post yet
    posts = Credit.objects.filter(outlet=instance).values_list("post_id", flat=True)
    for post_id in posts.distinct().order_by():
        schedule("post", post_id)


def _article_changed(sender, instance: Article, **kwargs) -> None:
    schedule("article", instance.pk)


def _match_changed(sender, instance: Match, **kwargs) -> None:
    schedule("article", instance.article_id)


def connect_signals() -> None:
    uid = "clipdesk.search"
    for signal in (post_save, post_delete):
        signal.connect(_post_changed, sender=Post, dispatch_uid=f"{uid}.post.{id(signal)}")
        signal.connect(_credit_changed, sender=Credit, dispatch_uid=f"{uid}.credit.{id(signal)}")
        signal.connect(_article_changed, sender=Article, dispatch_uid=f"{uid}.article.{id(signal)}")
        signal.connect(_match_changed, sender=Match, dispatch_uid=f"{uid}.match.{id(signal)}")
    m2m_changed.connect(_tags_changed, sender=Post.tags.through, dispatch_uid=f"{uid}.tags")
    post_save.connect(_outlet_changed, sender=Outlet, dispatch_uid=f"{uid}.outlet")
