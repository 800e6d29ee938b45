from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.digest.admin import URL_FIELDS
from clipdesk.sources.models import Source


@admin.register(Source)
class SourceAdmin(CheckedModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "__str__", "kind", "format", "enabled", "last_success_at", "error_count",
        "failing_since", "last_error_short", "problems_short", "moved_note", "next_check_at",
    ]  # fmt: skip
    list_filter = ["kind", "enabled", "format"]
    search_fields = ["url", "name"]
    readonly_fields = [
        "format", "etag", "last_modified", "last_checked_at", "last_success_at", "last_error",
        "error_count", "failing_since", "problems", "moved_note", "created_at",
    ]  # fmt: skip
    actions = ["check_now"]

    @admin.display(description="Last error")
    def last_error_short(self, source: Source) -> str:
        return source.last_error[:120]

    @admin.display(description="Problems")
    def problems_short(self, source: Source) -> str:
        """What was wrong with a response read all the same (a broken feed's recovered XML):
        shown on the source's own page only, a source read so looked healthy in the list."""
        return "; ".join(source.problems or [])[:160]

    @admin.action(description="Check the selected sources at the next poll")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        n = queryset.update(next_check_at=timezone.now())
        self.message_user(
            request, f"{n} source(s) will be checked at the next poll.", messages.SUCCESS
        )
