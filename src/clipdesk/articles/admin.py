from django.contrib import admin
from django.utils.html import format_html

from clipdesk.articles.models import Article, ExtractionRule, Snapshot


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published", "language", "entities", "snapshot_link"]
    list_filter = ["language", "outlet", "published", "matches__entity"]
    search_fields = ["title", "url", "text"]
    list_select_related = ["outlet", "snapshot"]
    readonly_fields = ["snapshot_link", "extracted", "text_sha256", "fetched_at"]
    raw_id_fields = ["source", "outlet", "snapshot"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("matches__entity")

    @admin.display(description="Entities")
    def entities(self, article: Article) -> str:
        return ", ".join(sorted({m.entity.name for m in article.matches.all()}))

    @admin.display(description="Snapshot")
    def snapshot_link(self, article: Article) -> str:
        if not article.snapshot_id:
            return "-"
        return format_html('<a href="{}">view as fetched</a>', article.snapshot.get_absolute_url())


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["url", "status", "fetched_at", "warc_file"]
    search_fields = ["url"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a snapshot is evidence: never edited


@admin.register(ExtractionRule)
class ExtractionRuleAdmin(admin.ModelAdmin):
    list_display = ["host", "enabled", "title_xpath", "author_xpath", "date_xpath"]
    search_fields = ["host"]
