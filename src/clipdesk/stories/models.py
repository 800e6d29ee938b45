"""Stories: the articles of several outlets that report one event, and the desk's state."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone


class StoryQuerySet(models.QuerySet):
    def on_desk(self, today: datetime.date | None = None) -> StoryQuerySet:
        """Stories waiting for an editor: new ones, snoozed ones whose day has come, and
        published or dismissed ones that outlets have covered since."""
        today = today or timezone.localdate()
        return self.filter(merged_into__isnull=True).filter(
            models.Q(status=Story.Status.NEW)
            | models.Q(status=Story.Status.SNOOZED, snoozed_until__lte=today)
            | models.Q(
                status__in=[Story.Status.PUBLISHED, Story.Status.DISMISSED],
                new_coverage_since__isnull=False,
            )
        )


class Story(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        PUBLISHED = "published", "Published"
        DISMISSED = "dismissed", "Dismissed"
        SNOOZED = "snoozed", "Snoozed"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    snoozed_until = models.DateField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="An editor merged this story into another; later grouping follows it there.",
    )
    post = models.ForeignKey(
        "digest.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    new_coverage_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When an article joined the story after it was published or dismissed: the "
        "story is back on the desk until an editor adds the new coverage to the post or sets it "
        "aside.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return f"Story {self.pk}"


class StoryMember(models.Model):
    """An article's place in a story, why it is there, and what editors said about it."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="story_member"
    )
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="members")
    reason = models.CharField(max_length=300, blank=True)
    pinned = models.BooleanField(
        default=False, help_text="Placed by an editor: automatic grouping never moves it."
    )
    split_from = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The story an editor split this article out of."
    )
    signature = models.BinaryField(
        help_text="MinHash signature of the text, kept so the index rebuilds without rehashing."
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["story", "joined_at", "id"]

    def __str__(self) -> str:
        return f"article {self.article_id} in story {self.story_id}"
