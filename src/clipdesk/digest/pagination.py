"""List pages numbered from the oldest post, so that a numbered page keeps its posts.

Page 1 of a list holds its oldest `per_page` posts, page 2 the next ones, and the last page
the newest few, filling up as posts come. The list's own address (no number) shows the newest
`per_page` posts and links to the newest numbered page that holds older ones. A new post
therefore changes the list's own page and its last numbered page (and, when it opens a new
page, the one before, whose "newer" link appears), never a full page: bookmarks and search
engines keep finding what they found, and the static export rewrites a handful of pages
instead of every page after the new post.

A post's place is its index in the list ordered oldest first by (posted_on_inferred, id);
`page_for_index` is the one formula the views and the export's planner share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet


class NoSuchPage(LookupError):
    """The page number is not a whole number from 1 to the list's number of pages."""


def page_count(count: int, per_page: int) -> int:
    """Numbered pages of a list of `count` posts: at least one, even when empty."""
    return max(1, math.ceil(count / per_page))


def page_for_index(index: int, per_page: int) -> int:
    """The numbered page of the post with `index` older posts in its list."""
    return index // per_page + 1


def parse_page_number(value: str | None) -> int | None:
    """`?page=` as given: None for the list's own address, else a number, else NoSuchPage."""
    if value in (None, ""):
        return None
    # 18 digits: past them no list has a page, and int() refuses 4,300 and more (an error
    # page for a query string anyone can type).
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise NoSuchPage(value[:40])
    return int(value)


@dataclass(frozen=True)
class ListPage:
    """One page of a list, newest post first, with what its navigation links to."""

    posts: list
    number: int | None  # None: the list's own address, showing the newest posts
    count: int  # posts in the whole list
    per_page: int

    @property
    def num_pages(self) -> int:
        return page_count(self.count, self.per_page)

    @property
    def newer_number(self) -> int | None:
        """The numbered page of the next newer posts; None on the newest pages."""
        if self.number is None or self.number >= self.num_pages:
            return None
        return self.number + 1

    @property
    def older_number(self) -> int | None:
        """The numbered page of the next older posts; from the list's own address, the newest
        numbered page holding a post it does not show."""
        if self.number is None:
            return self.num_pages - 1 if self.count > self.per_page else None
        return self.number - 1 if self.number > 1 else None

    @property
    def is_last_numbered(self) -> bool:
        return self.number == self.num_pages


def list_page(posts: QuerySet | Sequence, number: int | None, per_page: int) -> ListPage:
    """Page `number` of `posts` (newest first: a queryset, or a list held in memory), or
    its newest posts.

    From a queryset the slice is taken from whichever end of the list is nearer, so that the
    database skips as few rows as possible: old pages are read oldest first, recent ones
    newest first.
    """
    in_database = isinstance(posts, QuerySet)
    count = posts.count() if in_database else len(posts)
    if number is None:
        return ListPage(list(posts[:per_page]), None, count, per_page)
    if not 1 <= number <= page_count(count, per_page):
        raise NoSuchPage(number)
    start = (number - 1) * per_page  # oldest-first positions [start, stop)
    stop = min(number * per_page, count)
    if count - stop <= start or not in_database:
        window = list(posts[count - stop : count - start])
    else:
        window = list(posts.reverse()[start:stop])[::-1]
    return ListPage(window, number, count, per_page)
