"""The watchlists applied again to stored articles, and what follows: search, the audit trail.

`clipdesk watch rematch` and the admin's page of the same name both go through here, so that
an alias changed in either place reaches search and the audit trail the same way.

The admin applies it within the request up to IN_REQUEST_ARTICLES stored articles; beyond,
the request would outlast the server's timeout, so it asks for a RematchJob instead, which
the poller of `clipdesk run` (or, with a broker, a worker) takes up before its next round.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from clipdesk.watch.models import MatchingState, RematchJob
from clipdesk.watch.store import Rematch, rematch_articles

log = logging.getLogger(__name__)

# A page's preview looks at this many of the newest articles: 5,000 took 1.5 s (3.4 KB of
# text each, 35 entities) on a 2-core machine, and the time grows with the archive.
PREVIEW_ARTICLES = 5000
# And lists this many of the articles that would change; the others are counted.
PREVIEW_SHOWN = 100
# The admin applies it in the request up to this many articles (a few seconds), beyond that
# in the background.
IN_REQUEST_ARTICLES = PREVIEW_ARTICLES
# A job that has said nothing for this long lost its poller (stopped, killed): another may
# take it up. It says how far it has come every PROGRESS_EVERY articles, a second or two,
# but not while search indexes the changed articles and every post again, which on a large
# archive takes minutes.
STALLED_AFTER = datetime.timedelta(minutes=30)
# A job taken up this many times without finishing is given up, said on the page.
MOST_ATTEMPTS = 3
BACKGROUND = "the admin, in the background"


@dataclass
class RematchPreview:
    shown: list[Rematch]  # the first of the articles that would change
    changed: int  # articles that would change, of those looked at
    looked_at: int
    stored: int  # every stored article; applying goes over them all

    @property
    def partial(self) -> bool:
        return self.looked_at < self.stored


@dataclass
class RematchApplied:
    changes: list[Rematch]
    posts_indexed: int | None  # None: search is not kept up to date automatically


def preview_rematch() -> RematchPreview:
    """What re-applying the watchlists would change, over the PREVIEW_ARTICLES stored last (a
    page must answer before a proxy gives up; the shell's preview looks at them all)."""
    from clipdesk.articles.models import Article

    stored = Article.objects.count()
    changes = rematch_articles(apply=False, newest=PREVIEW_ARTICLES)
    return RematchPreview(
        changes[:PREVIEW_SHOWN], len(changes), min(stored, PREVIEW_ARTICLES), stored
    )


def apply_rematch(
    user, *, by: str, progress: Callable[[int, int], None] | None = None
) -> RematchApplied:
    """Store what the watchlists find now in every article, index the changed articles and
    the published posts again, and record who did it (`user` None: `by` a command).

    The posts are indexed again even when no article changed: a post's watched names are
    found in its own text as it is indexed (search.documents.post_document), not read from
    the articles' matches, so an alias that only posts use changes them and no article."""
    from clipdesk.people.models import AuditEntry, record

    started = timezone.now()
    changes = rematch_articles(apply=True, progress=progress)
    posts = follow_in_search([c.article_id for c in changes])
    record(
        user,
        AuditEntry.Action.REMATCH,
        MatchingState.objects.get(id=MatchingState.SINGLETON_ID),
        articles_changed=len(changes),
        articles=[c.article_id for c in changes[:PREVIEW_SHOWN]],
        by=by,
    )
    _settle_waiting(len(changes), asked_by=started)
    return RematchApplied(changes, posts)


def follow_in_search(articles: list[int] = ()) -> int | None:
    """Index the published posts, and the articles whose matches changed, again, so that search
    finds them by the new names (matches stored in bulk index nothing by themselves: an
    article's first match was missed by `entity:` until a reindex). Returns how many posts,
    or None where search is not indexed as things change."""
    from clipdesk.search.indexing import index_articles, reindex_posts

    if not getattr(settings, "CLIPDESK_SEARCH_AUTO_INDEX", True):
        return None
    if articles:
        index_articles(articles)
    return reindex_posts()


def applies_in_request() -> bool:
    """Whether the admin's page may re-apply the watchlists itself: few enough articles."""
    from clipdesk.articles.models import Article

    return Article.objects.count() <= IN_REQUEST_ARTICLES


def request_rematch(user) -> RematchJob:
    """Ask for the watchlists to be re-applied in the background. A job asked for already
    and not started is that request (it reads the watchlists when it starts); one running
    read them before this request's change, so another is queued after it."""
    waiting = RematchJob.objects.filter(finished_at__isnull=True, started_at__isnull=True)
    return waiting.order_by("requested_at").first() or RematchJob.objects.create(requested_by=user)


def unfinished_rematch() -> RematchJob | None:
    return RematchJob.objects.filter(finished_at__isnull=True).order_by("requested_at").first()


def latest_rematch() -> RematchJob | None:
    """The job to show: the one not finished, else the one that finished last."""
    return unfinished_rematch() or RematchJob.objects.order_by("-finished_at", "-pk").first()


def rematch_waiting(now: datetime.datetime | None = None) -> bool:
    """Whether a job waits for a poller: not started, or its poller stalled."""
    job = unfinished_rematch()
    return job is not None and _may_take(job, now or timezone.now())


def _may_take(job: RematchJob, now: datetime.datetime) -> bool:
    return job.heartbeat_at is None or job.heartbeat_at < now - STALLED_AFTER


def _settle_waiting(changed: int, asked_by: datetime.datetime) -> None:
    """Jobs not started and asked for before `asked_by`, when the watchlists were read for
    a re-application done another way (the shell's, the page's): marked finished, so that
    no poller does the same again. One asked for later may follow a change since: it stays."""
    from clipdesk.articles.models import Article

    now, stored = timezone.now(), Article.objects.count()
    RematchJob.objects.filter(
        finished_at__isnull=True, started_at__isnull=True, requested_at__lte=asked_by
    ).update(
        started_at=now,
        heartbeat_at=now,
        finished_at=now,
        done=stored,
        total=stored,
        articles_changed=changed,
    )


def run_requested_rematch() -> RematchJob | None:
    """Take up the job waiting, if any, and do it: the poller's and the worker's part. The
    job is claimed by a conditional update, so two pollers never both run it; the one that
    loses finds it claimed and goes on polling. A poller that takes over a stalled job makes
    the first one's later writes to it no-ops (they name the claim they were made under); a
    job that stopped MOST_ATTEMPTS times without finishing is given up. Returns the job
    done, or None."""
    job = unfinished_rematch()
    now = timezone.now()
    if job is None or not _may_take(job, now):
        return None
    if job.attempts >= MOST_ATTEMPTS:
        RematchJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            finished_at=now,
            error=f"stopped {job.attempts} times before finishing (the process ended or ran "
            "out of memory?); `clipdesk watch rematch --apply` on the server shows why",
        )
        job.refresh_from_db()
        return job
    claimed = RematchJob.objects.filter(
        pk=job.pk, finished_at__isnull=True, heartbeat_at=job.heartbeat_at
    ).update(started_at=now, heartbeat_at=now, done=0, attempts=F("attempts") + 1)
    if not claimed:
        return None
    mine = RematchJob.objects.filter(pk=job.pk, started_at=now)

    def progress(done: int, total: int) -> None:
        mine.update(done=done, total=total, heartbeat_at=timezone.now())

    log.info("watch: re-applying the watchlists to the stored articles, as asked in the admin")
    try:
        applied = apply_rematch(job.requested_by, by=BACKGROUND, progress=progress)
    except Exception as exc:  # said on the admin's page; the poller goes on
        log.exception("watch: re-applying the watchlists failed")
        reason = " ".join(str(exc).split()) or type(exc).__name__
        mine.update(finished_at=timezone.now(), error=reason)
    else:
        mine.update(finished_at=timezone.now(), articles_changed=len(applied.changes))
        log.info("watch: watchlists re-applied, %d stored article(s) changed", len(applied.changes))
    job.refresh_from_db()
    return job


def rematch_outcome(job: RematchJob) -> str:
    """A finished job in one line, for the poller's output and the admin's page."""
    if job.error:
        return f"re-applying the watchlists failed: {job.error}"
    return f"watchlists re-applied to {job.total} stored article(s), {job.articles_changed} changed"
