"""The published digest: posts, their credits, outlets, tags and the site's profile."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.functions import Lower
from django.utils import timezone

from clipdesk.articles.sanitizing import sanitize_html
from clipdesk.digest.links import url
from clipdesk.digest.names import fold_name, name_list

# A date no post has, standing for the bound of the month lookup while its SQL is compiled.
_STAND_IN_DAY = datetime.date(9999, 12, 31)


def _case_aside(name: str) -> str:
    """A name as the case-insensitive constraints compare it, for every alphabet."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


class Outlet(models.Model):
    """A publication that coverage is credited to, known by its name and its aliases."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other names and spellings of this outlet."
    )
    homepage = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="outlet_name_unique_ci",
                violation_error_message="An outlet of this name exists already (case aside).",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url("digest:outlet", self.slug)

    def clean(self) -> None:
        try:
            self.aliases = name_list(self.aliases or [], "Aliases")
        except ValueError as exc:
            raise ValidationError({"aliases": str(exc)}) from exc
        self._refuse_names_of_others()

    def _refuse_names_of_others(self) -> None:
        """One name, one outlet: an alias that is another outlet's name or alias made credits
        and articles of that name go to whichever of the two was read first."""
        aliases = {fold_name(alias) for alias in self.aliases} - {""}
        own = fold_name(self.name or "")
        names = aliases | {own}
        for other in Outlet.objects.exclude(pk=self.pk).only("name", "aliases"):
            if own and _case_aside(other.name) == _case_aside(self.name or ""):
                # The constraint's own check, where SQLite's lower() leaves "ÉTÉ" and "été"
                # two names (it folds ASCII letters only).
                raise ValidationError({"name": self._meta.constraints[0].violation_error_message})
            theirs_aliases = other.aliases if isinstance(other.aliases, list) else []
            theirs_aliases = [a for a in theirs_aliases if isinstance(a, str)]  # as outlets.py
            taken = [(other.name, aliases), *((alias, names) for alias in theirs_aliases)]
            for theirs, against in taken:
                if fold_name(theirs) in against:
                    field = "aliases" if fold_name(theirs) in aliases else "name"
                    raise ValidationError(
                        {
                            field: f"“{theirs}” names the outlet {other.name} already; if the "
                            "two are one outlet, merge them (the outlets list's action)."
                        }
                    )


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    # The name as `fold_name` compares it, kept with the row so that a name without Latin
    # letters (which has no slug of its own to be found by) is found in one indexed query.
    name_key = models.CharField(max_length=400, db_index=True, editable=False, default="")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="tag_name_unique_ci",
                violation_error_message="A tag of this name exists already (case aside).",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name_key = Tag.key_for(self.name)
        if (fields := kwargs.get("update_fields")) is not None and "name" in fields:
            kwargs["update_fields"] = {*fields, "name_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return url("digest:tag", self.slug)

    def clean(self) -> None:
        # The constraint's check again, by the folded name: on SQLite lower() folds ASCII
        # letters only, and "ÉTÉ" was a second tag beside "été".
        mine = _case_aside(self.name or "")
        alike = Tag.objects.filter(name_key=Tag.key_for(self.name or "")).exclude(pk=self.pk)
        if mine and any(_case_aside(name) == mine for name in alike.values_list("name", flat=True)):
            raise ValidationError({"name": self._meta.constraints[0].violation_error_message})

    @staticmethod
    def key_for(name: str) -> str:
        """The `name_key` a tag of this name has."""
        return fold_name(name)[:400]


class PostQuerySet(models.QuerySet):
    """The vocabulary the site, feeds, sitemap and importer speak in."""

    def published(self) -> PostQuerySet:
        return self.filter(status=Post.Status.PUBLISHED)

    def newest_first(self) -> PostQuerySet:
        return self.order_by("-posted_on_inferred", "-id")

    def for_listing(self) -> PostQuerySet:
        """Everything a list page shows, in a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch("credits", queryset=Credit.objects.select_related("outlet")),
            "tags",
        )

    def months(self) -> list[datetime.date]:
        """The first day of each month these posts fall in, newest first.

        One index lookup per month (the newest post before the month found last), not a
        pass over every post: the archive index, the sitemap and the static export ask often,
        and at 100,000 posts truncating every date took a quarter of a second on SQLite.
        """
        dates = self.order_by("-posted_on_inferred").values_list("posted_on_inferred", flat=True)
        newest = dates.first()
        if newest is None:
            return []
        # The lookup is compiled once by the ORM, with a stand-in date for the bound, and
        # run once per month on one cursor: through the ORM each lookup cost 0.35 ms of
        # query building, 48 ms at 100,000 posts (132 months) against 4 ms this way.
        connection = connections[self.db]
        stand_in = connection.ops.adapt_datefield_value(_STAND_IN_DAY)
        before = dates.filter(posted_on_inferred__lt=_STAND_IN_DAY)[:1]
        sql, params = before.query.sql_with_params()
        bound = [i for i, value in enumerate(params) if value == stand_in]
        if len(bound) != 1:  # a query shape this does not expect: the ORM, one by one
            return self._months_one_by_one(dates, newest)
        params = list(params)
        found = [newest.replace(day=1)]
        with connection.cursor() as cursor:
            while True:
                params[bound[0]] = connection.ops.adapt_datefield_value(found[-1])
                cursor.execute(sql, params)
                row = cursor.fetchone()
                if row is None:
                    return found
                day = row[0]
                if not isinstance(day, datetime.date):  # a driver that answers in text
                    day = datetime.date.fromisoformat(day)
                found.append(day.replace(day=1))

    @staticmethod
    def _months_one_by_one(dates: models.QuerySet, newest: datetime.date) -> list[datetime.date]:
        found = [newest.replace(day=1)]
        while (day := dates.filter(posted_on_inferred__lt=found[-1]).first()) is not None:
            found.append(day.replace(day=1))
        return found

    def in_month(self, year: int, month: int) -> PostQuerySet:
        """A date range, not __month: the index on posted_on_inferred can serve a range."""
        first = datetime.date(year, month, 1)
        if (year, month) == (datetime.MAXYEAR, 12):  # no first of the month after it
            return self.filter(posted_on_inferred__gte=first)
        after = datetime.date(year + month // 12, month % 12 + 1, 1)
        return self.filter(posted_on_inferred__gte=first, posted_on_inferred__lt=after)


class Post(models.Model):
    """One digest entry: a headline, when it was posted and what the press said."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=500)
    slug = models.SlugField(max_length=120, unique=True)
    posted_on = models.DateField(
        null=True, blank=True, help_text="The date shown after “Posted on”; blank when unknown."
    )
    posted_on_inferred = models.DateField(
        db_index=True,
        help_text="Used only to order posts and file them in archives: the posted date "
        "(set from it on saving), else the newest credit date, else the date of the post above "
        "it in the imported page.",
    )
    excerpt = models.TextField(blank=True)
    body = models.TextField(blank=True, help_text="Optional commentary; sanitised HTML.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # NULL, not "", for posts made here: the unique constraint covers imported posts only.
    import_key = models.CharField(  # noqa: DJ001
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        help_text="Identity of a post that came from an archive import, so re-imports update it.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Indexed: an incremental export reads the posts edited since the last one (publish/plan.py).
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_on_inferred", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=models.Q(import_key__isnull=False),
                name="post_import_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "-posted_on_inferred", "-id"])]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        # The body is shown as HTML: whatever wrote it, only allow-listed markup survives.
        self.body = sanitize_html(self.body) if self.body else ""
        # A post is filed under the day it says it was posted on: a "Posted on" changed in the
        # admin left the post in its old month, and ordered by its old day.
        if self.posted_on is not None:
            self.posted_on_inferred = self.posted_on
            if (fields := kwargs.get("update_fields")) is not None and "posted_on" in fields:
                kwargs["update_fields"] = {*fields, "posted_on_inferred"}
        super().save(*args, **kwargs)
        self._keep_old_slug()

    def get_absolute_url(self) -> str:
        return url("digest:post", self.slug)

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        post._stored_slug = post.__dict__.get("slug")  # what `save` compares a new slug with
        return post

    def _keep_old_slug(self) -> None:
        """Remember the address a changed slug leaves, so that links to it still lead here
        (views.post_detail redirects); a slug taken again is no one's old address."""
        before = getattr(self, "_stored_slug", None)
        if before == self.slug:
            return  # most saves: nothing to remember, no query
        OldSlug.objects.filter(slug=self.slug).delete()
        if before and before != self.slug:
            OldSlug.objects.update_or_create(slug=before, defaults={"post": self})
        self._stored_slug = self.slug

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Credit(models.Model):
    """One source of a post: who wrote it, where, when, and where to read it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="credits")
    position = models.PositiveSmallIntegerField(default=0)
    author = models.CharField(max_length=300, blank=True, default="")
    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, null=True, blank=True, related_name="credits"
    )
    place = models.CharField(max_length=200, blank=True, default="")
    date = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="credit_position_unique"),
        ]

    def __str__(self) -> str:
        who = ", ".join(p for p in (self.author, self.outlet and self.outlet.name) if p)
        return who or "unknown source"


class SiteProfile(models.Model):
    """The site's name and aims; there is exactly one row."""

    SINGLETON_ID = 1

    name = models.CharField(max_length=200, default="clipdesk")
    tagline = models.CharField(max_length=300, blank=True)
    about = models.TextField(blank=True, help_text="The organisation's aims, shown on /about/.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="siteprofile_singleton"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> SiteProfile:
        profile, _ = cls.objects.get_or_create(id=cls.SINGLETON_ID)
        return profile

    @classmethod
    def chosen_name(cls) -> str:
        """The name the operator gave the site; blank while it is the default (read only: a
        worker storing pages makes no row)."""
        name = cls.objects.filter(id=cls.SINGLETON_ID).values_list("name", flat=True).first()
        return "" if name in (None, cls._meta.get_field("name").default) else name


def today() -> datetime.date:
    return timezone.localdate()


class OldSlug(models.Model):
    """An address a post had before its slug was changed: old links are sent on to it."""

    slug = models.SlugField(max_length=120, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="old_slugs")

    def __str__(self) -> str:
        return f"{self.slug} → {self.post.slug}"


class PostVersion(models.Model):
    """A post as it was before an edit, so any earlier version can be restored."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(help_text="Headline, dates, excerpt, body, status, credits, tags.")

    class Meta:
        ordering = ["-saved_at", "-id"]

    def __str__(self) -> str:
        return f"{self.post} as of {self.saved_at:%Y-%m-%d %H:%M}"
