"""Deliveries of a worker task counted in the database, where no Redis is configured.

With RabbitMQ alone nothing counted them, and a task whose worker process died each time was
handed back for ever. tests/scale/test_celery.py drops such a task on real workers; these
check the counter itself, on SQLite and (in `make test`'s second pass) PostgreSQL.
"""

from __future__ import annotations

import datetime

import pytest
from celery.app.task import Context
from django.db import transaction
from django.utils import timezone

from clipdesk import celery as clipdesk_celery
from clipdesk.celery import (
    DELIVERIES_KEPT,
    MAX_DELIVERIES,
    count_delivery_in_database,
    delivered_too_often,
    forget_old_deliveries,
)
from clipdesk.sources.models import TaskDelivery

# Committed on its own (a durable transaction), so the tests commit for real too.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def without_redis(settings):
    settings.CLIPDESK_REDIS_URL = ""
    clipdesk_celery._deliveries_client.cache_clear()
    yield
    clipdesk_celery._deliveries_client.cache_clear()


def test_deliveries_are_counted_per_task_and_attempt():
    assert [count_delivery_in_database("task-a") for _ in range(3)] == [1, 2, 3]
    assert count_delivery_in_database("task-b") == 1
    # A retry is a new attempt of the same task: counted from one again.
    assert count_delivery_in_database("task-a", retries=1) == 1
    rows = TaskDelivery.objects.order_by("task_id", "retries")
    assert [(r.task_id, r.retries, r.deliveries) for r in rows] == [
        ("task-a", 0, 3),
        ("task-a", 1, 1),
        ("task-b", 0, 1),
    ]


def test_without_redis_a_task_past_the_limit_is_to_be_dropped(without_redis):
    request = Context(id="3f1c9a52-6b0e-4d4e-9a7e-0c2b8f5d1e77", retries=0)
    said = [delivered_too_often(request) for _ in range(MAX_DELIVERIES + 1)]
    assert said == [None] * MAX_DELIVERIES + [MAX_DELIVERIES + 1]
    # Its retry (the page failed for now the last time) has deliveries of its own.
    assert delivered_too_often(Context(id=request.id, retries=1)) is None
    assert TaskDelivery.objects.get(task_id=request.id, retries=0).deliveries == 4


def test_a_count_is_committed_before_the_task_does_anything():
    """The process that dies next must leave its delivery counted: never inside a
    transaction that its death would roll back."""
    with pytest.raises(RuntimeError), transaction.atomic():
        count_delivery_in_database("task-a")


def test_counts_last_delivered_a_day_ago_are_forgotten_at_the_scheduler_tick():
    from clipdesk.sources.tasks import poll_due_sources

    now = timezone.now()
    kept = datetime.timedelta(seconds=DELIVERIES_KEPT)
    count_delivery_in_database("old", now=now - kept - datetime.timedelta(hours=1))
    count_delivery_in_database("recent", now=now - kept - datetime.timedelta(hours=2))
    count_delivery_in_database("recent", now=now - kept + datetime.timedelta(hours=1))
    count_delivery_in_database("older", now=now - 3 * kept)

    assert forget_old_deliveries(now) == 2
    # Kept from its last delivery, not its first.
    assert list(TaskDelivery.objects.values_list("task_id", "deliveries")) == [("recent", 2)]
    assert count_delivery_in_database("old") == 1  # forgotten: counted from one again

    count_delivery_in_database("stale", now=now - 2 * kept)
    poll_due_sources.apply()  # the scheduler's tick, run by Celery in this process
    assert not TaskDelivery.objects.filter(task_id="stale").exists()
