"""The sitemap: every public URL of the site (the static export walks the same list).

`/sitemap.xml` is an index of the sections below, each cut into chunks of CHUNK_SIZE URLs
(`/sitemap-posts.xml`, `/sitemap-posts.xml?p=2`, ...), so no post is left out however large
the archive grows (a single sitemap may list 50,000 URLs at most). Posts are listed oldest
first by id: a new post lands in the last chunk and every earlier chunk stays as it was, so
the static export rewrites the index and one chunk. Small chunks keep that one cheap to render.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse

from clipdesk.digest.links import slug_addresses
from clipdesk.digest.models import Outlet, Post, Tag

CHUNK_SIZE = 1000  # 60 ms to render at 100,000 posts; 2,000 took 120 ms
TEMPLATE = "digest/sitemap.xml"  # a section's, for the view (urls.py) and the static export


class _Chunked(Sitemap):
    limit = CHUNK_SIZE


class PostSitemap(_Chunked):
    changefreq = "monthly"

    def items(self):
        return Post.objects.published().order_by("id").only("slug", "updated_at")

    def lastmod(self, item: Post) -> datetime.datetime:
        return item.updated_at

    def get_latest_lastmod(self) -> datetime.datetime | None:
        # Django's default loads every post to find the newest date; one query does it.
        return Post.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def paths(self) -> Iterator[str]:
        """Every item's location, in order, without making a Post of each row: the static
        export's plan reads all of them (a second at 100,000 posts the other way)."""
        address = slug_addresses("digest:post")
        for slug in self.items().values_list("slug", flat=True).iterator(chunk_size=5000):
            yield address(slug)


class PageSitemap(_Chunked):
    """Front page, about page, and one page per archive year and month."""

    changefreq = "daily"

    def items(self) -> list[str]:
        months = Post.objects.published().months()
        pages = [reverse("digest:front_page"), reverse("digest:about")]
        pages.append(reverse("digest:archive_index"))
        for year in dict.fromkeys(m.year for m in months):
            pages.append(reverse("digest:archive_year", args=[year]))
            pages += [
                reverse("digest:archive_month", args=[m.year, m.month])
                for m in months
                if m.year == year
            ]
        return pages

    def location(self, item: str) -> str:
        return item


# Tags and outlets with a published post. EXISTS stops at the first post found; a join with
# DISTINCT went through every credit (0.4 s at 100,000 posts, for each sitemap index).


class TagSitemap(_Chunked):
    changefreq = "weekly"

    def items(self):
        published = Post.objects.published().filter(tags=OuterRef("pk"))
        return Tag.objects.filter(Exists(published)).order_by("slug")


class OutletSitemap(_Chunked):
    changefreq = "weekly"

    def items(self):
        published = Post.objects.published().filter(credits__outlet=OuterRef("pk"))
        return Outlet.objects.filter(Exists(published)).order_by("slug")


SITEMAPS = {
    "pages": PageSitemap,
    "posts": PostSitemap,
    "tags": TagSitemap,
    "outlets": OutletSitemap,
}
