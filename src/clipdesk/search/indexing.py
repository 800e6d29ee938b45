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
  a post's tags, an article or a watchlist match only notes the id (a set insert); the notes
  are indexed once per transaction, after it commits (`transaction.on_commit`, robust: an
  indexing failure is logged and never undoes or fails the write). They are skipped when
  CLIPDESK_SEARCH_AUTO_INDEX is False. What they do not see: `QuerySet.update`, bulk
  creation, and renamed outlets, entities or aliases — `clipdesk reindex` catches those up.
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
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from clipdesk.articles.models import Article
from clipdesk.digest.models import Credit, Post
from clipdesk.search.backends import IndexDoc, Progress, get_backend
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
PENDING_PER_FLUSH = 1000  # failed updates retried by one flush; the rest by the next ones
FORGET_CHUNK = 200  # rows deleted by one statement (one condition each: SQLite's depth limit)


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


def _flush() -> None:
    notes = _notes()
    posts, articles = set(notes["post"]), set(notes["article"])
    notes["post"].clear()
    notes["article"].clear()
    retried = _pending_updates()
    for kind, object_id, _noted_at in retried:
        (posts if kind == "post" else articles).add(object_id)
    if not (posts or articles):
        return
    try:
        index_posts(posts)
        index_articles(articles)
    except Exception:
        # The write has committed and stays; the index catches up on a later flush.
        log.exception("search_index_failed posts=%d articles=%d", len(posts), len(articles))
        _keep_pending({"post": posts, "article": articles})
        return
    _forget_pending(retried)


def index_pending(rows: list[tuple[str, int, datetime.datetime]]) -> None:
    """Index these pending rows now and forget them; raises what the engine raises."""
    index_posts(object_id for kind, object_id, _noted_at in rows if kind == "post")
    index_articles(object_id for kind, object_id, _noted_at in rows if kind == "article")
    _forget_pending(rows)


def _pending_updates() -> list[tuple[str, int, datetime.datetime]]:
    """Updates that failed before, oldest first: retried with the notes of this flush."""
    try:
        return list(
            PendingIndexUpdate.objects.order_by("noted_at").values_list(
                "kind", "object_id", "noted_at"
            )[:PENDING_PER_FLUSH]
        )
    except DatabaseError as exc:  # e.g. an instance not migrated since the table came
        log.error("search_pending_unread (%s)", exc)
        return []


def _keep_pending(ids: dict[str, set[int]]) -> None:
    now = timezone.now()
    rows = [
        PendingIndexUpdate(kind=kind, object_id=object_id, noted_at=now)
        for kind, object_ids in ids.items()
        for object_id in sorted(object_ids)
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
        log.error("search_pending_lost posts=%d articles=%d (%s)", *map(len, ids.values()), exc)
        return
    log.warning("search_index_pending kept=%d", len(rows))


def _forget_pending(retried: list[tuple[str, int, datetime.datetime]]) -> None:
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
