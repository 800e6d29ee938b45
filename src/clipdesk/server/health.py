"""What `clipdesk status` reports: the instance's state in one look, and what needs attention.

An operator had the sources' list, the admin's columns and the log, and nothing that summed
them up. `instance_status()` reads the facts in a fixed number of cheap queries (counts over
indexed columns and bounded ranges, never a walk over the articles or matches), lists the
snapshot files (one a day) and asks the broker and the page cache whether they answer, each
within BROKER_CHECK_SECONDS. It writes nothing.

The report is a plain dict with stable keys (`--json` prints it as it is); `attention` lists,
in words, each thing an operator should act on, and `healthy` is whether that list is empty.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone

import clipdesk

# Free space on the snapshots' disk below either of these is a warning: each poll adds to it.
LOW_FREE_BYTES = 1 << 30
LOW_FREE_SHARE = 0.05
# How long the broker and the page cache are given to answer.
BROKER_CHECK_SECONDS = 2.0
# A re-application of the watchlists queued this long with no poller taking it up needs
# attention: nothing polls.
QUEUED_TOO_LONG = datetime.timedelta(minutes=10)
# Index updates waiting are counted up to this many (an upgrade may note every document).
PENDING_COUNT_LIMIT = 100_000

T = TypeVar("T")


def not_set_up() -> str | None:
    """Why the instance cannot be reported on yet (never initialised), in words; None when
    its database holds clipdesk's tables. SQLite's file is looked for before connecting, as
    connecting would make an empty one."""
    from clipdesk.server.setup import database_label

    database = settings.DATABASES["default"]
    sqlite = database["ENGINE"].endswith("sqlite3")
    where = settings.CLIPDESK_HOME if sqlite else database_label()
    problem = f"the instance at {where} is not set up; run `clipdesk init`"
    if sqlite and not Path(database["NAME"]).exists():
        return problem
    recorder = MigrationRecorder(connections[DEFAULT_DB_ALIAS])
    if not recorder.has_table() or not recorder.migration_qs.filter(app="sources").exists():
        return problem
    return None


def instance_status(now: datetime.datetime | None = None) -> dict:
    """Every fact `clipdesk status` shows, and what needs attention (see the module's doc)."""
    now = now or timezone.now()
    attention: list[str] = []
    instance = _instance(attention, now)
    # The sign-in counter is in the page cache's Redis when there is one: not asked again
    # (and waited for again) when that did not answer.
    cache = instance["cache"]
    counter_answers = not cache["configured"] or cache["reachable"]
    report = {
        "instance": instance,
        "sources": _sources(attention),
        "articles": _articles(now),
        "desk": _desk(),
        "snapshots": _snapshots(attention),
        "accounts": _accounts(counter_answers=counter_answers),
    }
    return {"healthy": not attention, "attention": attention, **report}


# -- the instance ----------------------------------------------------------------------------


def _instance(attention: list[str], now: datetime.datetime) -> dict:
    from clipdesk.server.setup import pending_migrations
    from clipdesk.watch.store import MATCHING_CHANGED, matching_has_changed

    pending = pending_migrations()
    if pending:
        attention.append(
            f"{len(pending)} migration(s) not applied ({', '.join(pending[:5])}"
            f"{', …' if len(pending) > 5 else ''}): run `clipdesk init`"
        )
    matching_changed = matching_has_changed(record=False)
    if matching_changed:
        attention.append(MATCHING_CHANGED)
    # Its table is made by watch 0003: an instance upgraded from before it, not migrated
    # yet, has none, and is reported all the same (its migrations first among what to do).
    database = _database()
    if database.get("writable") is False:
        attention.append(
            f"the database {database['path']} cannot be written (read-only): polls and every "
            "change fail until it can"
        )
    rematch = _unless_not_migrated(pending, lambda: _rematch(attention, now))
    broker = _broker()
    if broker["configured"] and not broker["reachable"]:
        how = "refuses this instance" if broker["answers"] else "does not answer"
        attention.append(f"the broker at {broker['address']} {how} ({broker['error']})")
    cache = _cache()
    if cache["configured"] and not cache["reachable"]:
        attention.append(
            f"the page cache at {cache['address']} does not answer ({cache['error']}): "
            "sign-in is refused until it does"
        )
    return {
        "home": str(settings.CLIPDESK_HOME),
        "database": database,
        "version": clipdesk.__version__,
        "pending_migrations": pending,
        "search": _search(attention),
        "matching_changed": matching_changed,
        "rematch": rematch,
        "broker": broker,
        "cache": cache,
    }


def _unless_not_migrated(pending: list[str], read: Callable[[], T]) -> T | None:
    """What `read` reads, or None when it fails on a table or column that migrations not
    applied yet would make; with every migration applied, a failure is a fault and raised."""
    if not pending:
        return read()
    try:
        with transaction.atomic():  # PostgreSQL: the failed query's transaction rolled back
            return read()
    except DatabaseError:
        return None


def _rematch(attention: list[str], now: datetime.datetime) -> dict | None:
    """The watchlists' re-application an admin asked for and not finished (None if none):
    queued, running, or stalled, and how far it has come. One left waiting, or stopped, for
    STALLED_AFTER means nothing is polling to take it up."""
    from clipdesk.watch.rematching import STALLED_AFTER, unfinished_rematch

    job = unfinished_rematch()
    if job is None:
        return None
    before = len(attention)
    if job.started_at is None:
        state = "queued"
        # A poller takes a job up before its next round, a minute at most away.
        if job.requested_at < now - QUEUED_TOO_LONG:
            attention.append(
                f"re-applying the watchlists, asked for at {job.requested_at:%Y-%m-%d %H:%M}, "
                "waits for a poller: nothing polls (`clipdesk run`, or a worker with a "
                "broker); or run `clipdesk watch rematch --apply`"
            )
    elif job.heartbeat_at is not None and job.heartbeat_at < now - STALLED_AFTER:
        state = "stalled"
        attention.append(
            f"re-applying the watchlists stopped at {job.done} of {job.total} articles (last "
            f"heard of at {job.heartbeat_at:%Y-%m-%d %H:%M}); the next poller takes it up"
        )
    else:
        state = "running"
    return {
        "state": state,
        "requested_at": job.requested_at.isoformat(),
        "done": job.done,
        "total": job.total,
        "needs_attention": len(attention) > before,
    }


def _database() -> dict:
    """Where the data is, without the password."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = Path(database["NAME"])
        # SQLite opens a file it may not write read-only, without a word: each write then
        # fails. Its folder too, where the -wal and -shm files are made.
        # None: no file (the tests' database in memory).
        writable = (
            os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) if path.is_file() else None
        )
        return {"engine": "sqlite", "path": str(path), "writable": writable}
    return {
        "engine": "postgresql",
        "host": database.get("HOST") or "local socket",
        "port": database.get("PORT") or None,
        "name": database.get("NAME"),
    }


def _search(attention: list[str]) -> dict:
    from clipdesk.search.backends import engine_name
    from clipdesk.search.models import PendingIndexUpdate

    waiting = PendingIndexUpdate.objects.values("id")[:PENDING_COUNT_LIMIT].count()
    engine = engine_name()
    missing = _missing_indexes() if engine == "tantivy" else []
    if missing:
        attention.append(
            f"the search index of the {' and the '.join(missing)} is missing (a backup "
            "restored without --with-index?): search finds none of them until `clipdesk "
            "reindex` has run"
        )
    return {
        "engine": engine,
        "waiting": waiting,
        "waiting_at_least": waiting >= PENDING_COUNT_LIMIT,
        "missing": missing,
    }


def _missing_indexes() -> list[str]:
    """The kinds (posts, articles) stored but with nothing in their index: the home's index
    folder is derived data, which a backup leaves out unless asked, and a restore then
    searched nothing while status said all was well (any search or poll since made the
    index again, empty). Read from the index's own files, never opened: status writes
    nothing, and opening makes an empty index."""
    from clipdesk.articles.models import Article
    from clipdesk.digest.models import Post
    from clipdesk.search.backends import get_backend
    from clipdesk.search.backends.tantivy_backend import indexed_documents

    folder = get_backend().path
    stored = {
        "posts": ("post", Post.objects.published().exists()),
        "articles": ("article", Article.objects.exists()),
    }
    return [
        label
        for label, (kind, any_stored) in stored.items()
        if any_stored and indexed_documents(folder / kind) == 0
    ]


def _broker() -> dict:
    """Whether a broker is configured and answers: one connection, BROKER_CHECK_SECONDS."""
    from clipdesk.server.guards import address_label

    url = settings.CELERY_BROKER_URL
    if not url:
        return {
            "configured": False,
            "address": None,
            "reachable": None,
            "answers": None,
            "error": None,
        }
    from clipdesk.server.guards import broker_error, broker_unreachable

    error = None
    answers = True
    if (exc := broker_error(url, BROKER_CHECK_SECONDS)) is not None:
        error = " ".join(str(exc).split()) or type(exc).__name__
        answers = not broker_unreachable(exc)
    return {
        "configured": True,
        "address": address_label(url),
        "reachable": error is None,
        "answers": answers,
        "error": error,
    }


def _cache() -> dict:
    """The shared page cache (CLIPDESK_CACHE_URL), which also counts failed sign-ins."""
    from django.core.cache import caches

    from clipdesk.publish.redis_cache import PooledRedisCache
    from clipdesk.server.guards import address_label

    cache = caches["default"]
    if not isinstance(cache, PooledRedisCache):
        return {"configured": False, "address": None, "reachable": None, "error": None}
    from redis.exceptions import RedisError

    error = None
    try:
        cache.get("status:probe")
    except (RedisError, OSError) as exc:
        error = " ".join(str(exc).split()) or type(exc).__name__
    return {
        "configured": True,
        "address": address_label(settings.CACHES["default"]["LOCATION"]),
        "reachable": error is None,
        "error": error,
    }


# -- sources, articles, the desk --------------------------------------------------------------


def _sources(attention: list[str]) -> dict:
    from clipdesk.sources.models import Source

    counts = Source.objects.aggregate(
        polled=Count("id", filter=Q(enabled=True)),
        not_polled=Count("id", filter=Q(enabled=False)),
        never_polled=Count("id", filter=Q(enabled=True, last_checked_at__isnull=True)),
        last_success=Max("last_success_at"),
        next_check=Min("next_check_at", filter=Q(enabled=True)),
    )
    failing = [
        {
            "id": source.pk,
            "name": str(source),
            "url": source.url,
            "error": source.last_error or "no response",
            "failures_in_a_row": source.error_count,
            # The first failure of the run; for a run begun before sources kept it, bounded
            # by the last good read (or, never read, by when the source was added).
            "failing_since": _iso(
                source.failing_since or source.last_success_at or source.created_at
            ),
            "first_failure_known": source.failing_since is not None,
            "never_read": source.last_success_at is None,
            "last_tried": _iso(source.last_checked_at),
        }
        for source in Source.objects.enabled()
        .filter(error_count__gt=0)
        .only(
            "url",
            "name",
            "last_error",
            "error_count",
            "failing_since",
            "last_success_at",
            "last_checked_at",
            "created_at",
        )
        .order_by("id")
    ]
    if failing:
        attention.append(f"{len(failing)} source(s) failing")
    return {
        "enabled": counts["polled"],
        "disabled": counts["not_polled"],
        "never_polled": counts["never_polled"],
        "failing": failing,
        "last_success": _iso(counts["last_success"]),
        "next_check": _iso(counts["next_check"]),
    }


def _articles(now: datetime.datetime) -> dict:
    from clipdesk.articles.models import Article
    from clipdesk.watch.models import Match

    day, week = now - datetime.timedelta(days=1), now - datetime.timedelta(days=7)
    # Bounded by the index on fetched_at: only the week's articles are looked at.
    counts = Article.objects.filter(fetched_at__gte=week).aggregate(
        last_24h=Count("id", filter=Q(fetched_at__gte=day)),
        last_7d=Count("id"),
        matched_7d=Count("id", filter=Q(Exists(Match.objects.filter(article=OuterRef("pk"))))),
    )
    newest = Article.objects.order_by("-fetched_at").values_list("fetched_at", flat=True).first()
    return {
        "last_24h": counts["last_24h"],
        "last_7d": counts["last_7d"],
        "matched_7d": counts["matched_7d"],
        "newest": _iso(newest),
    }


def _desk() -> dict:
    """Stories waiting for an editor, as the desk lists them (those with a matched article;
    only matched articles are grouped into stories)."""
    from clipdesk.stories.models import Story, StoryMember
    from clipdesk.watch.models import Match

    matched = StoryMember.objects.filter(story=OuterRef("pk")).filter(
        Exists(Match.objects.filter(article=OuterRef("article_id")))
    )
    return {"waiting": Story.objects.on_desk().filter(Exists(matched)).count()}


# -- the disk and the accounts ----------------------------------------------------------------


def disk_is_nearly_full(free: int, total: int) -> bool:
    return free < LOW_FREE_BYTES or (total > 0 and free / total < LOW_FREE_SHARE)


def _snapshots(attention: list[str]) -> dict:
    """The snapshots' size (one WARC file a day, so a short listing) and the room left."""
    folder = Path(settings.CLIPDESK_HOME) / "snapshots"
    size = files = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                size += os.stat(os.path.join(root, name), follow_symlinks=False).st_size
            except OSError:  # removed meanwhile
                continue
            files += 1
    usage = shutil.disk_usage(folder if folder.is_dir() else settings.CLIPDESK_HOME)
    nearly_full = disk_is_nearly_full(usage.free, usage.total)
    if nearly_full:
        attention.append(
            f"the disk of {folder} is nearly full: {human_bytes(usage.free)} free "
            f"of {human_bytes(usage.total)}"
        )
    return {
        "path": str(folder),
        "bytes": size,
        "files": files,
        "disk_free_bytes": usage.free,
        "disk_total_bytes": usage.total,
        "disk_nearly_full": nearly_full,
    }


def _accounts(*, counter_answers: bool) -> dict:
    """Active accounts by role (as `people list` names them) and those locked out now."""
    from django.contrib.auth.models import User

    from clipdesk.people import throttle
    from clipdesk.people.accounts import ROLES  # admin, editor, reader: role_of's order
    from clipdesk.people.roles import ADMIN, EDITOR, READER

    accounts: dict[int, tuple[str, bool, set[str]]] = {}
    disabled = set()
    rows = User.objects.values_list("pk", "username", "is_superuser", "is_active", "groups__name")
    for pk, username, superuser, active, group in rows:  # one row an account and group
        if not active:
            disabled.add(pk)
            continue
        accounts.setdefault(pk, (username, superuser, set()))[2].add(group)
    counts = {ADMIN: 0, EDITOR: 0, READER: 0, None: 0}
    for _username, superuser, held in accounts.values():
        counts[ADMIN if superuser else next((r for r in ROLES if r in held), None)] += 1
    locked: list[str] | None = None  # unknown: the counter does not answer
    if counter_answers:
        with contextlib.suppress(throttle.CounterUnavailable):
            locked = throttle.locked_accounts([a[0] for a in accounts.values()])
    return {
        "admins": counts[ADMIN],
        "editors": counts[EDITOR],
        "readers": counts[READER],
        "without_role": counts[None],
        "disabled": len(disabled),
        "locked": locked,
    }


def human_bytes(size: float) -> str:
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        size /= 1024
        if size < 1024 or unit == "TiB":
            break
    return f"{size:.1f} {unit}"


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
