"""The audit trail: every editorial action, and every change to an account, by whom and when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        PUBLISH = "publish", "published"
        UNPUBLISH = "unpublish", "unpublished"
        DISMISS = "dismiss", "dismissed"
        SNOOZE = "snooze", "snoozed"
        MERGE = "merge", "merged"
        SPLIT = "split", "split"
        EDIT = "edit", "edited"
        RESTORE = "restore", "restored"
        # Accounts, changed by an operator with `clipdesk people` (no account of their own).
        ADD_ACCOUNT = "add_account", "added"
        SET_ROLE = "set_role", "changed the role of"
        UNLOCK = "unlock", "unlocked sign-in to"
        DISABLE = "disable", "disabled"
        ENABLE = "enable", "enabled"
        # The watchlists applied again to every stored article (from the admin or the shell).
        REMATCH = "rematch", "re-matched the stored articles under"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=12, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        who = self.user or "the system"
        return f"{who} {self.get_action_display()} {self.object_type} {self.object_id}"


def record(user, action: str, obj: models.Model, **detail) -> AuditEntry:
    """Write one audit entry; callers do it inside the transaction of the action itself."""
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        detail=detail,
    )
