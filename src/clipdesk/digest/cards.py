"""What a public page shows of a post, read in a fixed number of queries.

The site's views and the static export read posts through this module, and the templates see
nothing else: plain objects with no lazy relations, so no template can send a query, and a
full export reads every published post in three queries instead of three per page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from clipdesk.digest.credits import CreditGroup, group_credits
from clipdesk.digest.links import url
from clipdesk.digest.models import Credit, Post

_POST_FIELDS = (
    *("id", "slug", "headline", "posted_on", "posted_on_inferred", "excerpt", "body"),
    "updated_at",
)
_CREDIT_FIELDS = ("post_id", "author", "place", "date", "url", "outlet__name", "outlet__slug")
_CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


# Addresses are kept on the card once made: a card lives for one request, or for one export,
# under one script prefix, and an export shows each outlet's and tag's address thousands of
# times.


@dataclass(frozen=True)
class _NamedPage:
    """An outlet or a tag: a name, and a page of its own at `route`."""

    route: ClassVar[str]
    name: str
    slug: str

    @cached_property
    def url(self) -> str:
        return url(self.route, self.slug)


class OutletCard(_NamedPage):
    route = "digest:outlet"


class TagCard(_NamedPage):
    route = "digest:tag"


@dataclass(frozen=True, slots=True)
class CreditCard:
    author: str
    place: str
    date: datetime.date | None
    url: str
    outlet: OutletCard | None


@dataclass(eq=False)
class PostCard:
    id: int
    slug: str
    headline: str
    posted_on: datetime.date | None
    posted_on_inferred: datetime.date
    excerpt: str
    body: str
    updated_at: datetime.datetime | None = None  # the sitemap's lastmod
    credits: list[CreditCard] = field(default_factory=list)
    tags: list[TagCard] = field(default_factory=list)
    # Fragments of HTML made from this card (the list summary), kept while the card lives.
    rendered: dict[str, str] = field(default_factory=dict, repr=False)

    @cached_property
    def url(self) -> str:
        return url("digest:post", self.slug)

    @cached_property
    def month_url(self) -> str:
        day = self.posted_on_inferred
        return url("digest:archive_month", day.year, day.month)

    @cached_property
    def source_groups(self) -> list[CreditGroup]:
        """The credits folded as the source line writes them (digest/credits.py)."""
        return group_credits(self.credits)

    @property
    def outlet_slugs(self) -> list[str]:
        """The outlets credited, each once, in credit order."""
        return list(dict.fromkeys(c.outlet.slug for c in self.credits if c.outlet))


def _assemble(post_rows, credit_rows, tag_rows) -> dict[int, PostCard]:
    cards = {row[0]: PostCard(*row) for row in post_rows}
    outlets: dict[str, OutletCard] = {}  # one object per outlet, however many credits
    for post_id, author, place, date, link, outlet_name, outlet_slug in credit_rows:
        card = cards.get(post_id)
        if card is None:
            continue
        outlet = None
        if outlet_slug is not None:
            outlet = outlets.get(outlet_slug) or outlets.setdefault(
                outlet_slug, OutletCard(outlet_name, outlet_slug)
            )
        card.credits.append(CreditCard(author, place, date, link, outlet))
    tags: dict[str, TagCard] = {}
    for post_id, name, slug in tag_rows:
        card = cards.get(post_id)
        if card is not None:
            card.tags.append(tags.get(slug) or tags.setdefault(slug, TagCard(name, slug)))
    return cards


def _credit_rows(posts: Iterable[int] | None):
    rows = Credit.objects.order_by("post_id", "position")
    if posts is None:
        rows = rows.filter(post__status=Post.Status.PUBLISHED)
    else:
        rows = rows.filter(post_id__in=posts)
    return rows.values_list(*_CREDIT_FIELDS).iterator(chunk_size=5000)


def _tag_rows(posts: Iterable[int] | None):
    # A post's tags in the order Tag's Meta gives them (by name), as post.tags.all() would.
    rows = Post.tags.through.objects.order_by("post_id", "tag__name", "tag_id")
    if posts is None:
        rows = rows.filter(post__status=Post.Status.PUBLISHED)
    else:
        rows = rows.filter(post_id__in=posts)
    return rows.values_list("post_id", "tag__name", "tag__slug").iterator(chunk_size=5000)


def cards_for(ids: list[int]) -> list[PostCard]:
    """The cards of these posts, in this order (a list page's: a few dozen ids)."""
    found: dict[int, PostCard] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        posts = Post.objects.filter(id__in=chunk).values_list(*_POST_FIELDS)
        found.update(_assemble(posts, _credit_rows(chunk), _tag_rows(chunk)))
    return [found[pk] for pk in ids if pk in found]


def published_cards() -> list[PostCard]:
    """Every published post's card, newest first: what a full export shows."""
    posts = (
        Post.objects.published().newest_first().values_list(*_POST_FIELDS).iterator(chunk_size=5000)
    )
    return list(_assemble(posts, _credit_rows(None), _tag_rows(None)).values())
