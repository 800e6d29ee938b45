"""Watchlists, their entities and aliases, and the matches found in articles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clipdesk.watch.matching import never_matched


class Watchlist(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self) -> str:
        return self.name


class Entity(models.Model):
    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="entities")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "name"], name="entity_unique_in_list")
        ]

    def __str__(self) -> str:
        return self.name


class Alias(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["entity", "text"]
        verbose_name_plural = "aliases"
        constraints = [models.UniqueConstraint(fields=["entity", "text"], name="alias_unique")]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        if reason := never_matched(self.text or ""):
            raise ValidationError({"text": reason[0].upper() + reason[1:] + "."})


class Match(models.Model):
    """One place where an article names a watched entity, and why that counts."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="matches"
    )
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="matches")
    alias = models.CharField(max_length=300)
    field = models.CharField(max_length=10)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    matched_text = models.CharField(max_length=500)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["article", "field", "start"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "entity", "field", "start"], name="match_unique_place"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity} in {self.field} at {self.start}"


class MatchingState(models.Model):
    """Which version of the matching rules (`matching.RULES_VERSION`) the stored matches were
    made with; one row. No row while articles are stored: made before the rules had versions."""

    SINGLETON_ID = 1

    rules_version = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="matchingstate_singleton"),
        ]

    def __str__(self) -> str:
        return f"matching rules version {self.rules_version}"


class RematchJob(models.Model):
    """The watchlists re-applied to every stored article, asked for in the admin and done by
    the poller (`clipdesk run`) or a worker: on an archive larger than a page may wait for,
    the request itself was cut off by the server's timeout half-way. The row says who asked
    and how far it has come; `heartbeat_at` lets another poller take over from one that died
    (watch/rematching.py)."""

    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)  # articles gone over
    total = models.PositiveIntegerField(default=0)  # articles stored when it started
    articles_changed = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # times taken up

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["finished_at"], name="watch_rematch_unfinished")]

    def __str__(self) -> str:
        return f"re-applying the watchlists, asked for at {self.requested_at:%Y-%m-%d %H:%M}"
