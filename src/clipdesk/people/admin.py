"""The audit trail in the admin: read, never written there (actions write it themselves)."""

from django.contrib import admin
from django.http import HttpRequest

from clipdesk.people.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "detail"]
    list_filter = ["action", "object_type"]
    search_fields = ["user__username", "object_type", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a record of what was done: kept whole
