"""The Celery app: the ingest path (ingest.py) as tasks, for `clipdesk worker` and `scheduler`.

Imported only by those two commands and by the task modules, and only with
CLIPDESK_BROKER_URL set; an instance without a broker never imports Celery.

The broker URL and its transport options come from Django settings (the CELERY_* names in
the task queue block of settings.py). What follows here is not a choice an operator makes:
each setting is what makes the tasks safe to run on many workers.

Queues:
  default   poll_due_sources, poll_source, ingest_entry, rematch_requested: any number of
            workers;
  grouping  group_article: one process (`clipdesk worker --queues grouping`), because the
            story index lives in that process's memory (stories/actions.py).
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
from typing import TYPE_CHECKING

from celery import Celery
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

if TYPE_CHECKING:
    import redis
    from celery.app.task import Context

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")

TASK_MODULES = [
    "clipdesk.sources.tasks",
    "clipdesk.articles.tasks",
    "clipdesk.stories.tasks",
    "clipdesk.watch.tasks",
]
QUEUES = ("default", "grouping")

app = Celery("clipdesk", include=TASK_MODULES)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged when it has finished, not when it was taken, and a worker process
    # that dies mid-task hands it back: nothing is lost to a crash. Every task is safe to run
    # twice (ingest.py), which is what this costs.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One task reserved per worker process at a time: a slow fetch does not hold others back,
    # and a killed worker takes as few tasks with it (until redelivery) as possible.
    worker_prefetch_multiplier=1,
    # Tasks carry IDs and plain data; JSON keeps it so and refuses anything pickled.
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    # Nothing reads task results; the database is where the outcome lives.
    task_ignore_result=True,
    task_store_errors_even_if_ignored=False,
    task_default_queue="default",
    task_create_missing_queues=True,
    task_routes={"clipdesk.stories.tasks.*": {"queue": "grouping"}},
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,  # settings.LOGGING decides, as everywhere else
    timezone=settings.TIME_ZONE,
    beat_schedule={
        "poll-due-sources": {
            "task": "clipdesk.sources.tasks.poll_due_sources",
            "schedule": settings.CLIPDESK_SCHEDULER_INTERVAL,
            # A look that waited longer than the interval is stale; the next one replaces it,
            # so ticks do not pile up while the workers are down.
            "options": {"expires": settings.CLIPDESK_SCHEDULER_INTERVAL},
        }
    },
)

# A task whose worker process dies (the pool process killed for want of memory while it
# extracted a huge page, a crash in a parser's C code) is handed back by the settings above,
# and, killing each worker that takes it, would be handed back for ever. Each task counts its
# own deliveries as it starts, and past this many it is dropped (the task says how, and what it
# remembers). Counted in Redis where there is one (CLIPDESK_REDIS_URL, by default the Redis
# broker), else in the database, which every instance has.
#
# Why the database and not the broker, with RabbitMQ alone: a quorum queue's x-delivery-limit
# would count without a write of ours, but a queue's type is fixed when it is declared, and a
# deployed instance's classic `default` and `grouping` queues refuse to be declared again as
# quorum queues (PRECONDITION_FAILED): every worker would fail to start until an operator
# deleted them, and the tasks queued in them. And the broker drops the message by itself:
# no log line would name the page, nor would it be remembered as refused (the feed read in
# full again would hand it on again), unless it were dead-lettered to a queue of its own with
# a consumer of its own. Celery's retry_on_worker_lost
# (Celery 5.7 on; clipdesk allows 5.4) spends the retries of a page that failed for now, and
# never sees a worker whose main process died too. One upsert per delivery is little beside
# the writes that storing a page makes, and old rows are pruned at every scheduler tick.
MAX_DELIVERIES = 3
DELIVERIES_KEPT = 24 * 3600  # seconds a task's count is kept: far longer than a redelivery takes
DELIVERIES_KEY = "clipdesk:deliveries:{task_id}:{retries}"

log = logging.getLogger(__name__)


def count_delivery(client: redis.Redis, task_id: str, retries: int = 0) -> int:
    """One more delivery of the task, counted in Redis; how many deliveries it has had so far.

    Counted per attempt: a retry (PageNotNow, HostBusy) is a new message with the same task
    ID, and must not be counted as the first attempt delivered again."""
    key = DELIVERIES_KEY.format(task_id=task_id, retries=retries)
    pipe = client.pipeline()
    pipe.incr(key)
    pipe.expire(key, DELIVERIES_KEPT)
    count, _ = pipe.execute()
    return int(count)


def count_delivery_in_database(
    task_id: str, retries: int = 0, now: datetime.datetime | None = None
) -> int:
    """One more delivery of the task, counted in the database (sources.TaskDelivery); how many
    deliveries it has had so far. Per attempt, as count_delivery.

    One statement that inserts the first count or adds one to it, so that two copies of a task
    delivered at once count two. Committed on its own before the task does anything: the
    process that dies next must leave the delivery counted (durable: never inside a
    transaction)."""
    from django.db import connection, transaction

    from clipdesk.sources.models import TaskDelivery

    table = connection.ops.quote_name(TaskDelivery._meta.db_table)
    delivered_at = connection.ops.adapt_datetimefield_value(now or timezone.now())
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (task_id, retries, deliveries, delivered_at) "  # noqa: S608 - table name from the model
            "VALUES (%s, %s, 1, %s) ON CONFLICT (task_id, retries) DO UPDATE "
            f"SET deliveries = {table}.deliveries + 1, delivered_at = excluded.delivered_at "
            "RETURNING deliveries",
            [task_id[:255], retries, delivered_at],
        )
        return int(cursor.fetchone()[0])


def forget_old_deliveries(now: datetime.datetime | None = None) -> int:
    """Delete the database's counts last delivered DELIVERIES_KEPT ago (their tasks finished or
    were dropped long since); how many. Run at every scheduler tick: one indexed DELETE."""
    from clipdesk.sources.models import TaskDelivery

    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=DELIVERIES_KEPT)
    return TaskDelivery.objects.filter(delivered_at__lt=cutoff).delete()[0]


@functools.cache
def _deliveries_client() -> redis.Redis | None:
    url = getattr(settings, "CLIPDESK_REDIS_URL", "")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


def delivered_too_often(request: Context) -> int | None:
    """The task's deliveries when it has had more than MAX_DELIVERIES (its worker process died
    each time: it is to be dropped), else None. Counted in Redis where there is one, else in
    the database; a store that does not answer drops nothing."""
    if not request.id:
        return None
    retries = request.retries or 0
    client = _deliveries_client()
    if client is None:
        try:
            count = count_delivery_in_database(request.id, retries)
        except DatabaseError as exc:
            log.warning("task %s: its deliveries could not be counted (%s)", request.id, exc)
            return None
    else:
        import redis

        try:
            count = count_delivery(client, request.id, retries)
        except redis.RedisError as exc:
            log.warning("task %s: its deliveries could not be counted (%s)", request.id, exc)
            return None
    return count if count > MAX_DELIVERIES else None
