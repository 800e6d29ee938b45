"""A source is something clipdesk polls: a feed, a sitemap or a listing page."""

from __future__ import annotations

import datetime

from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

# Only these are fetched (sources/fetching.py); URLField alone also takes ftp and ftps. A code
# of its own, or a form would show its own "Enter a valid URL." instead of this message.
WEB_ADDRESS = URLValidator(
    schemes=["http", "https"], message="An http or https address.", code="not_web_address"
)


class SourceQuerySet(models.QuerySet):
    def enabled(self) -> SourceQuerySet:
        return self.filter(enabled=True)

    def due(self, now: datetime.datetime | None = None) -> SourceQuerySet:
        now = now or timezone.now()
        return self.enabled().filter(next_check_at__lte=now).order_by("next_check_at", "id")


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "Feed (RSS, Atom, JSON Feed)"
        SITEMAP = "sitemap", "Sitemap"
        PAGE = "page", "Listing page"

    url = models.URLField(max_length=1000, unique=True, validators=[WEB_ADDRESS])
    name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FEED)
    format = models.CharField(
        max_length=20, blank=True, help_text="What the last response turned out to be."
    )
    enabled = models.BooleanField(default=True)
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="The last failure, in words.")
    error_count = models.PositiveIntegerField(
        default=0, help_text="Failures in a row; the wait before the next try grows with it."
    )
    failing_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the failures in a row began (the first of them); cleared by a good read.",
    )
    problems = models.JSONField(
        default=list, blank=True, help_text="What was wrong with the last response, if anything."
    )
    feed_ttl_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The feed's own <ttl>, kept for the rounds its server answers 304.",
    )
    moved_note = models.TextField(
        blank=True,
        help_text="Where a permanent redirect on the same site moved the address, and when.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "url"]

    def __str__(self) -> str:
        return self.name or self.url


class TaskDelivery(models.Model):
    """How many times one attempt of a worker task was handed to a worker process, counted in
    the database where no Redis is configured (RabbitMQ alone): a task whose worker process
    dies each time is dropped past clipdesk.celery.MAX_DELIVERIES. Kept in the sources app
    with the scheduler's tick (sources.tasks.poll_due_sources), which prunes old rows."""

    task_id = models.CharField(max_length=255)
    retries = models.PositiveIntegerField(default=0)  # a retry is a new attempt, counted anew
    deliveries = models.PositiveIntegerField(default=1)
    delivered_at = models.DateTimeField(default=timezone.now)  # the last delivery

    class Meta:
        constraints = [
            # The key of the upsert that counts (celery.count_delivery_in_database).
            models.UniqueConstraint(fields=["task_id", "retries"], name="taskdelivery_attempt"),
        ]
        indexes = [
            # For the pruning at every scheduler tick: rows delivered last before a time.
            models.Index(fields=["delivered_at"], name="taskdelivery_delivered_at"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} (try {self.retries + 1}): {self.deliveries} deliveries"
