from django.contrib import admin, messages

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.inlines import ParentCheckedInline
from clipdesk.watch.matching import too_short
from clipdesk.watch.models import Alias, Entity, Match, Watchlist


class AliasInline(ParentCheckedInline):
    model = Alias
    extra = 3


@admin.register(Entity)
class EntityAdmin(CheckedModelAdmin):
    list_display = ["name", "watchlist"]
    list_filter = ["watchlist"]
    search_fields = ["name", "aliases__text"]
    inlines = [AliasInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        entity = form.instance
        for alias in [entity.name, *entity.aliases.values_list("text", flat=True)]:
            if warning := too_short(alias):
                self.message_user(request, f"Saved, but {warning}.", messages.WARNING)
        if form.has_changed() or any(f.has_changed() for f in formsets):
            # Not done here: re-matching the articles and indexing every post again can take
            # minutes on a large archive, longer than a page should.
            self.message_user(
                request,
                "Stored articles and published posts follow the changed names after "
                "`clipdesk watch rematch --apply` (a preview without --apply).",
                messages.INFO,
            )


@admin.register(Watchlist)
class WatchlistAdmin(CheckedModelAdmin):
    list_display = ["name"]


@admin.register(Match)
class MatchAdmin(CheckedModelAdmin):
    list_display = ["article", "entity", "matched_text", "field", "reason"]
    list_filter = ["entity", "field"]
    list_select_related = ["article", "entity"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
