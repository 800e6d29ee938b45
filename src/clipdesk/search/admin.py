from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.search import indexing
from clipdesk.search.models import PendingIndexUpdate


@admin.register(PendingIndexUpdate)
class PendingIndexUpdateAdmin(CheckedModelAdmin):
    """Where an editor sees that search lags behind the archive, and can make it catch up."""

    list_display = ["kind", "object_id", "noted_at"]
    list_filter = ["kind"]
    ordering = ["noted_at"]
    actions = ["index_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from failed updates only

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.action(description="Index the selected rows now")
    def index_now(self, request: HttpRequest, queryset: QuerySet[PendingIndexUpdate]) -> None:
        rows = list(queryset.values_list("kind", "object_id", "noted_at"))
        try:
            indexing.index_pending(rows)
        except Exception as exc:  # the engine's own words: busy, disk full, ...
            self.message_user(
                request, f"The search index could not be updated: {exc}", messages.ERROR
            )
            return
        self.message_user(request, f"{len(rows)} row(s) indexed.", messages.SUCCESS)
