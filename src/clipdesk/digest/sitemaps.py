"""The sitemap: every public URL of the site (the static export walks the same list)."""

from __future__ import annotations

import datetime

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clipdesk.digest.models import Outlet, Post, Tag


class PostSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Post.objects.published().newest_first().only("slug", "updated_at")

    def lastmod(self, item: Post) -> datetime.datetime:
        return item.updated_at


class PageSitemap(Sitemap):
    """Front page, about page and one page per archive month."""

    changefreq = "daily"

    def items(self) -> list[str]:
        months = Post.objects.published().dates("posted_on_inferred", "month", order="DESC")
        pages = [reverse("digest:front_page"), reverse("digest:about")]
        pages.append(reverse("digest:archive_index"))
        pages += [reverse("digest:archive_month", args=[m.year, m.month]) for m in months]
        return pages

    def location(self, item: str) -> str:
        return item


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Tag.objects.filter(posts__status=Post.Status.PUBLISHED).distinct().order_by("slug")


class OutletSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Outlet.objects.filter(credits__post__status=Post.Status.PUBLISHED)
            .distinct()
            .order_by("slug")
        )


SITEMAPS = {
    "pages": PageSitemap,
    "posts": PostSitemap,
    "tags": TagSitemap,
    "outlets": OutletSitemap,
}
