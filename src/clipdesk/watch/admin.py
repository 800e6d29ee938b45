from django.contrib import admin, messages

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.inlines import ParentCheckedInline
from clipdesk.watch.matching import too_short
from clipdesk.watch.models import Alias, Entity, Match, Watchlist
from clipdesk.watch.store import MATCHING_CHANGED, matching_has_changed


class MatchingNoticeAdmin(CheckedModelAdmin):
    """The watch pages say when the stored matches were made by older matching rules, as
    `clipdesk poll` and `watch list` do: an editor here may be the first to look."""

    def changelist_view(self, request, extra_context=None):
        self._notice_matching_changed(request)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self._notice_matching_changed(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _notice_matching_changed(self, request) -> None:
        # On a page drawn, not on a form sent: that is answered by a redirect to a page that
        # says it, or redrawn with errors, where it would only add to them.
        if request.method == "GET" and matching_has_changed():
            self.message_user(
                request, MATCHING_CHANGED[0].upper() + MATCHING_CHANGED[1:] + ".", messages.WARNING
            )


class AliasInline(ParentCheckedInline):
    model = Alias
    extra = 3


@admin.register(Entity)
class EntityAdmin(MatchingNoticeAdmin):
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
class WatchlistAdmin(MatchingNoticeAdmin):
    list_display = ["name"]


@admin.register(Match)
class MatchAdmin(MatchingNoticeAdmin):
    list_display = ["article", "entity", "matched_text", "field", "reason"]
    list_filter = ["entity", "field"]
    list_select_related = ["article", "entity"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
