from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join

from clipdesk.admin_input import CheckedModelAdmin
from clipdesk.articles.actions import reextract_articles
from clipdesk.articles.models import Article, EntryAddress, ExtractionRule, Snapshot
from clipdesk.digest.admin import URL_FIELDS


@admin.register(Article)
class ArticleAdmin(CheckedModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["title", "outlet", "published", "language", "entities", "snapshot_link"]
    list_filter = ["language", "outlet", "published", "matches__entity"]
    search_fields = ["title", "url", "text"]
    list_select_related = ["outlet", "snapshot"]
    readonly_fields = ["matches_shown", "snapshot_link", "extracted", "text_sha256", "fetched_at"]
    raw_id_fields = ["source", "outlet", "snapshot"]
    actions = ["reextract"]

    # Changes the stored articles: for those who may change them (admins), not for editors,
    # who only view articles (people/roles.py).
    @admin.action(description="Extract again from the snapshot", permissions=["change"])
    def reextract(self, request, queryset) -> None:
        report = reextract_articles(queryset.select_related("snapshot"))
        for _, reason in report.failed:
            self.message_user(request, reason, messages.WARNING)
        self.message_user(
            request, f"{report.extracted} article(s) extracted again.", messages.SUCCESS
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("matches__entity")

    @admin.display(description="Watched names in the text")
    def matches_shown(self, article: Article) -> str:
        """The headline and text with every match highlighted, and why each matched."""
        from clipdesk.stories.desk import highlight

        matches = list(article.matches.select_related("entity"))
        title = highlight(
            article.title, [(m.start, m.end) for m in matches if m.field == "headline"]
        )
        text = highlight(article.text, [(m.start, m.end) for m in matches if m.field == "text"])
        reasons = format_html_join(
            "", "<li>{}: {}</li>", ((m.entity.name, m.reason) for m in matches)
        )
        return format_html(
            '<p><strong>{}</strong></p><ul>{}</ul><div style="white-space:pre-wrap">{}</div>',
            title,
            reasons,
            text,
        )

    @admin.display(description="Entities")
    def entities(self, article: Article) -> str:
        return ", ".join(sorted({m.entity.name for m in article.matches.all()}))

    @admin.display(description="Snapshot")
    def snapshot_link(self, article: Article) -> str:
        if not article.snapshot_id:
            return "-"
        return format_html('<a href="{}">view as fetched</a>', article.snapshot.get_absolute_url())


@admin.register(Snapshot)
class SnapshotAdmin(CheckedModelAdmin):
    list_display = ["url", "status", "fetched_at", "warc_file"]
    search_fields = ["url"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a snapshot is evidence: never edited


@admin.register(ExtractionRule)
class ExtractionRuleAdmin(CheckedModelAdmin):
    list_display = ["host", "enabled", "title_xpath", "author_xpath", "date_xpath"]
    search_fields = ["host"]


@admin.register(EntryAddress)
class EntryAddressAdmin(CheckedModelAdmin):
    """Addresses polling no longer fetches; deleting one has the next round fetch it again
    (a PDF since replaced by an article page, say)."""

    list_display = ["url", "reason", "article", "not_found", "seen_at"]
    search_fields = ["url", "reason"]
    readonly_fields = ["url", "article", "reason", "not_found", "seen_at"]

    def has_add_permission(self, request) -> bool:
        return False
