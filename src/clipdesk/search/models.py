"""The search app's one table: index updates that failed, kept until one succeeds."""

from __future__ import annotations

from django.db import models


class PendingIndexUpdate(models.Model):
    """A post or article whose index update failed after its write had committed.

    The write is never undone for the index's sake, so without this row the index would miss
    the change until someone rebuilt it: for instance, every article a poll stored while
    `clipdesk reindex` held the index for longer than a writer waits. Every later flush, in
    any process, indexes the pending rows again and deletes them once that succeeds.
    """

    kind = models.CharField(max_length=10)  # "post" or "article"
    object_id = models.BigIntegerField()
    # Set again each time the update fails: a row re-noted while another process retries it
    # keeps a later time, so that process's delete (of the time it read) leaves it in place.
    noted_at = models.DateTimeField()
    # Failed retries in flushes where other documents were indexed: the engine refuses this
    # one (indexing.MAX_ATTEMPTS).
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_pending_once")
        ]
        indexes = [models.Index(fields=["noted_at"], name="search_pending_noted_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}, pending since {self.noted_at:%Y-%m-%d %H:%M}"
