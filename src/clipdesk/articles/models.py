"""Articles and their snapshots.

A snapshot is the raw response as fetched, kept as a WARC record in the instance home, so
every quote can be checked against what the outlet published even after it changes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from clipdesk.digest.names import name_list


class Snapshot(models.Model):
    url = models.URLField(max_length=2000)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    warc_file = models.CharField(max_length=300, help_text="Relative to the instance home.")
    warc_offset = models.BigIntegerField()
    warc_length = models.BigIntegerField()
    record_id = models.CharField(max_length=100, unique=True)
    payload_sha256 = models.CharField(max_length=64, db_index=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return f"{self.url} at {self.fetched_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("snapshot", args=[self.pk])


class ArticleQuerySet(models.QuerySet):
    def matched(self) -> ArticleQuerySet:
        return self.filter(matches__isnull=False).distinct()


class Article(models.Model):
    """One article as extracted; the feed's and the page's versions of disputed fields kept."""

    source = models.ForeignKey(
        "sources.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # Indexed: polling asks, for every entry of every feed, whether its URL is stored.
    url = models.URLField(max_length=2000, db_index=True)
    canonical_url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=1000, blank=True)
    authors = models.JSONField(default=list, blank=True)
    outlet = models.ForeignKey(
        "digest.Outlet", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    outlet_name = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=12, blank=True)
    text = models.TextField(blank=True)
    text_sha256 = models.CharField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    extracted = models.JSONField(
        default=dict,
        blank=True,
        help_text="Both versions of fields the feed and the page disagree on, and the choice.",
    )
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    fetched_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-fetched_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.url

    def clean(self) -> None:
        try:
            self.authors = name_list(self.authors or [], "Authors")
        except ValueError as exc:
            raise ValidationError({"authors": str(exc)}) from exc


class EntryAddress(models.Model):
    """An address a source listed that is no stored article's own, remembered so that the
    entry is not fetched and snapshotted again every round: it redirected to an article
    stored under its final address, its page's text was an article already stored (a
    syndicated copy), or its page is no article at all (a PDF, a feed)."""

    COPY = "a copy of an article stored"
    # Its page answered 404, and is asked for again a few times (ingest.NOT_FOUND_TRIES, spaced
    # by NOT_FOUND_SPACING; `seen_at` is the last counted): a feed may list a page a while
    # before it is published. Not yet an address polling skips.
    NOT_FOUND_YET = "not found (HTTP 404) yet: asked for again"

    url = models.URLField(max_length=2000, unique=True)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    reason = models.CharField(max_length=300)
    seen_at = models.DateTimeField(default=timezone.now)
    # A copy's own credit: a wire story carried word for word by several outlets is stored
    # once, and each outlet that carried it can still be credited in the post.
    outlet = models.ForeignKey(
        "digest.Outlet", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    outlet_name = models.CharField(max_length=300, blank=True)
    authors = models.JSONField(default=list, blank=True)
    published = models.DateField(null=True, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    not_found = models.PositiveSmallIntegerField(default=0)  # times its page answered 404

    class Meta:
        indexes = [
            # For ingest.forget_stale_not_found, at the end of every poll round: the pending
            # 404s (one reason) counted last before a time. Without it each round read the
            # whole table, which grows by every copy and refused page ever listed.
            models.Index(fields=["reason", "seen_at"], name="entryaddress_reason_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.url}: {self.reason}"

    @property
    def is_copy(self) -> bool:
        return self.reason == self.COPY


class ExtractionRule(models.Model):
    """A site-specific extraction rule: data an admin can edit, tried before the general path."""

    host = models.CharField(max_length=255, unique=True, help_text="e.g. www.example.org")
    title_xpath = models.CharField(max_length=500, blank=True)
    author_xpath = models.CharField(max_length=500, blank=True)
    date_xpath = models.CharField(max_length=500, blank=True)
    body_xpath = models.CharField(max_length=500, blank=True)
    drop_xpaths = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host

    def clean(self) -> None:
        """Every XPath must evaluate, and the host be one a page's address can name: a rule
        that cannot apply, saved, would fail or miss every page of its site."""
        from clipdesk.articles import rules  # lxml, loaded by the admin only when it checks

        errors: dict[str, str] = {}
        host = rules.normal_host(self.host or "")
        if host is None:
            errors["host"] = "A host name, such as www.example.org."
        else:
            self.host = host
        for name in ("title_xpath", "author_xpath", "date_xpath", "body_xpath"):
            if (path := getattr(self, name).strip()) and (problem := rules.xpath_problem(path)):
                errors[name] = problem[0].upper() + problem[1:] + "."
        if self.drop_xpaths in (None, ""):
            self.drop_xpaths = []
        if problem := rules.drop_xpaths_problem(self.drop_xpaths):
            errors["drop_xpaths"] = problem[0].upper() + problem[1:] + "."
        if errors:
            raise ValidationError(errors)

    def as_rule(self) -> dict:
        fields = ("title_xpath", "author_xpath", "date_xpath", "body_xpath")
        rule = {name: getattr(self, name) for name in fields if getattr(self, name)}
        if self.drop_xpaths:
            rule["drop_xpaths"] = list(self.drop_xpaths)
        return rule

    @classmethod
    def enabled_by_host(cls) -> dict[str, dict]:
        """Every enabled rule as extraction takes it, by host: loaded once for many pages."""
        return {rule.host: rule.as_rule() for rule in cls.objects.filter(enabled=True)}
