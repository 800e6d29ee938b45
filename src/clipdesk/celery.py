"""The Celery app: the ingest path (ingest.py) as tasks, for `clipdesk worker` and `scheduler`.

Imported only by those two commands and by the task modules, and only with
CLIPDESK_BROKER_URL set; an instance without a broker never imports Celery.

The broker URL and its transport options come from Django settings (the CELERY_* names in
the task queue block of settings.py). What follows here is not a choice an operator makes:
each setting is what makes the tasks safe to run on many workers.

Queues:
  default   poll_due_sources, poll_source, ingest_entry: any number of workers;
  grouping  group_article: one process (`clipdesk worker --queues grouping`), because the
            story index lives in that process's memory (stories/actions.py).
"""

from __future__ import annotations

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")

TASK_MODULES = [
    "clipdesk.sources.tasks",
    "clipdesk.articles.tasks",
    "clipdesk.stories.tasks",
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
