"""The editors' admin: posts with their credits, outlets, tags and the site profile."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.digest import actions
from clipdesk.digest.credits import source_line
from clipdesk.digest.models import Credit, Outlet, Post, PostVersion, SiteProfile, Tag
from clipdesk.digest.quotes import ExcerptNotFound
from clipdesk.inlines import ParentCheckedInline
from clipdesk.people.models import AuditEntry, record

# Links typed without a scheme are taken as https, not http.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class CreditInline(ParentCheckedInline):
    model = Credit
    formfield_overrides = URL_FIELDS
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["outlet"]
    fields = ["position", "author", "outlet", "place", "date", "url"]


class PostVersionInline(admin.TabularInline):
    """Earlier versions, newest first, each with a link that restores it."""

    model = PostVersion
    extra = 0
    can_delete = False
    fields = ["saved_at", "saved_by", "headline_then", "restore_link"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="Headline then")
    def headline_then(self, version: PostVersion) -> str:
        return version.data.get("headline", "")

    @admin.display(description="")
    def restore_link(self, version: PostVersion) -> str:
        url = reverse("admin:digest_post_restore", args=[version.post_id, version.pk])
        return format_html('<a href="{}">restore this version</a>', url)


class OutletFilter(admin.SimpleListFilter):
    """Filter posts by a credited outlet (the posts' own field is reverse, so list it here)."""

    title = "outlet"
    parameter_name = "outlet"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return [(str(o.pk), o.name) for o in Outlet.objects.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Post]) -> QuerySet[Post]:
        if not self.value():
            return queryset
        if not re.fullmatch(r"[0-9]{1,18}", self.value()):
            # Typed or cut short in the address: the admin's own notice for a filter it cannot
            # apply (the list again, with "?e=1"), where the query was a server error.
            raise IncorrectLookupParameters(f"outlet={self.value()!r} is no outlet's number")
        return queryset.filter(credits__outlet_id=int(self.value())).distinct()


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = [
            "headline", "slug", "status", "posted_on", "posted_on_inferred", "excerpt", "body",
            "tags",
        ]  # fmt: skip

    def clean_excerpt(self) -> str:
        excerpt = self.cleaned_data["excerpt"]
        if self.instance.pk and "excerpt" in self.changed_data:
            try:
                actions.check_edited_excerpt(self.instance, excerpt)
            except ExcerptNotFound as exc:
                message = str(exc)  # its quote as written: str.capitalize lowercased it
                raise forms.ValidationError(message[:1].upper() + message[1:]) from exc
        return excerpt


@admin.register(Post)
class PostAdmin(CheckedModelAdmin):
    form = PostAdminForm
    list_display = ["headline", "posted_on", "sources", "status", "updated_at"]
    list_filter = ["status", OutletFilter, "tags"]
    date_hierarchy = "posted_on_inferred"
    search_fields = ["headline", "excerpt", "credits__author", "credits__outlet__name"]
    prepopulated_fields = {"slug": ["headline"]}
    filter_horizontal = ["tags"]
    inlines = [CreditInline, PostVersionInline]
    actions = ["publish", "unpublish"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["headline", "slug", "status", "posted_on", "posted_on_inferred"]}),
        (None, {"fields": ["excerpt", "body", "tags"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        return super().get_queryset(request).prefetch_related("credits__outlet")

    def save_model(self, request: HttpRequest, obj: Post, form, change: bool) -> None:
        # The version before the edit is kept, so the edit can be undone.
        if change:
            actions.save_version(obj, request.user)
        super().save_model(request, obj, form, change)
        record(request.user, AuditEntry.Action.EDIT, obj, fields=form.changed_data)

    def get_urls(self):
        restore = path(
            "<id:post_id>/restore/<id:version_id>/",
            self.admin_site.admin_view(self.restore_view),
            name="digest_post_restore",
        )
        return [restore, *super().get_urls()]

    def restore_view(self, request: HttpRequest, post_id: int, version_id: int):
        """Restoring changes the post: it asks first (GET), and acts on POST only."""
        version = get_object_or_404(PostVersion, pk=version_id, post_id=post_id)
        if not self.has_change_permission(request, version.post):
            raise PermissionDenied
        if request.method == "POST":
            actions.restore_version(version, request.user)
            self.message_user(request, "The earlier version is restored.", messages.SUCCESS)
            return redirect("admin:digest_post_change", post_id)
        context = {**self.admin_site.each_context(request), "version": version, "title": "Restore"}
        return TemplateResponse(request, "admin/digest/post/restore.html", context)

    @admin.display(description="Sources")
    def sources(self, post: Post) -> str:
        return source_line(post.credits.all())

    @admin.action(description="Publish selected posts")
    def publish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        changed = actions.set_status(queryset, Post.Status.PUBLISHED, user=request.user)
        self.message_user(request, f"Published {changed} post(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected posts (back to draft)")
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        changed = actions.set_status(queryset, Post.Status.DRAFT, user=request.user)
        self.message_user(request, f"Unpublished {changed} post(s).", messages.SUCCESS)


@admin.register(Outlet)
class OutletAdmin(CheckedModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "slug", "homepage", "credit_count"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_into_first"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outlet]:
        return super().get_queryset(request).annotate(n_credits=Count("credits"))

    @admin.display(description="Credits", ordering="n_credits")
    def credit_count(self, outlet: Outlet) -> int:
        return outlet.n_credits

    @admin.action(description="Merge selected outlets into the one with the most credits")
    def merge_into_first(self, request: HttpRequest, queryset: QuerySet[Outlet]) -> None:
        chosen = list(queryset.order_by("-n_credits", "pk"))
        if len(chosen) < 2:
            self.message_user(request, "Select at least two outlets to merge.", messages.WARNING)
            return
        target, duplicates = chosen[0], chosen[1:]
        moved = actions.merge_outlets(target, duplicates)
        names = ", ".join(d.name for d in duplicates)
        self.message_user(
            request,
            f"Merged {names} into {target.name}; {moved} credit(s) moved.",
            messages.SUCCESS,
        )


@admin.register(Tag)
class TagAdmin(CheckedModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SiteProfile)
class SiteProfileAdmin(CheckedModelAdmin):
    list_display = ["name", "tagline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteProfile.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SiteProfile | None = None) -> bool:
        return False
