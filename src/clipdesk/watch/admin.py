from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.inlines import ParentCheckedInline
from clipdesk.people.roles import ADMIN, role_of
from clipdesk.watch.matching import too_short
from clipdesk.watch.models import Alias, Entity, Match, Watchlist
from clipdesk.watch.rematching import (
    IN_REQUEST_ARTICLES,
    applies_in_request,
    apply_rematch,
    latest_rematch,
    preview_rematch,
    rematch_outcome,
    request_rematch,
)
from clipdesk.watch.store import MATCHING_CHANGED, matching_has_changed

REMATCH_PAGE = "admin:watch_entity_rematch"


def may_rematch(user) -> bool:
    """Admins only: they keep the watchlists (people/roles.py). An editor, who cannot change a
    watchlist, has nothing to act on in the preview, and each one costs seconds of matching."""
    return role_of(user) == ADMIN


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
            notice = MATCHING_CHANGED[0].upper() + MATCHING_CHANGED[1:] + "."
            if may_rematch(request.user):
                notice = format_html(
                    '{} <a href="{}">Preview and apply it here.</a>', notice, reverse(REMATCH_PAGE)
                )
            self.message_user(request, notice, messages.WARNING)


class AliasInline(ParentCheckedInline):
    model = Alias
    extra = 3


@admin.register(Entity)
class EntityAdmin(MatchingNoticeAdmin):
    list_display = ["name", "watchlist"]
    list_filter = ["watchlist"]
    change_list_template = "admin/watch/entity/change_list.html"
    search_fields = ["name", "aliases__text"]
    inlines = [AliasInline]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        entity = form.instance
        for alias in [entity.name, *entity.aliases.values_list("text", flat=True)]:
            if warning := too_short(alias):
                self.message_user(request, f"Saved, but {warning}.", messages.WARNING)
        if form.has_changed() or any(f.has_changed() for f in formsets):
            # Not done on saving: re-matching the articles and indexing every post again can
            # take minutes on a large archive, longer than a save should.
            self.message_user(
                request,
                format_html(
                    "Stored articles and published posts follow the changed names once the "
                    'watchlists are <a href="{}">re-applied to stored articles</a> (or with '
                    "<code>clipdesk watch rematch --apply</code>).",
                    reverse(REMATCH_PAGE),
                ),
                messages.INFO,
            )

    def changelist_view(self, request, extra_context=None):
        if may_rematch(request.user):
            extra_context = {**(extra_context or {}), "rematch_url": reverse(REMATCH_PAGE)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        rematch = path(
            "rematch/", self.admin_site.admin_view(self.rematch_view), name="watch_entity_rematch"
        )
        return [rematch, *super().get_urls()]  # before the change page's catch-all

    def rematch_view(self, request: HttpRequest) -> HttpResponse:
        """The watchlists re-applied to stored articles: a preview of what would change, and
        a button that applies it (a form sent, never a page looked at, changes anything)."""
        if not may_rematch(request.user):
            raise PermissionDenied("Only an admin may re-apply the watchlists.")
        if request.method == "POST" and not applies_in_request():
            request_rematch(request.user)
            self.message_user(
                request,
                "Queued: the watchlists are re-applied in the background, before the poller's "
                "next round; this page shows how far it has come.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse(REMATCH_PAGE))
        if request.method == "POST":
            applied = apply_rematch(request.user, by="the admin")
            posts = applied.posts_indexed
            said = f"Watchlists re-applied: {len(applied.changes)} stored article(s) changed"
            if posts is not None:
                said += f"; {posts} published post(s) indexed again"
            self.message_user(request, said + ".", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:watch_entity_changelist"))
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Re-apply watchlists to stored articles",
            "preview": (preview := preview_rematch()),
            "matching_changed": matching_has_changed(),
            "job": (job := latest_rematch()),
            "job_outcome": rematch_outcome(job) if job and job.finished_at else "",
            "in_background": preview.stored > IN_REQUEST_ARTICLES,
        }
        return TemplateResponse(request, "admin/watch/entity/rematch.html", context)


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
