"""Watchlists, their entities and aliases, and the matches found in articles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

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
