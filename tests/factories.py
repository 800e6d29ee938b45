"""Plain factory functions: the least a test needs to say to get a row."""

from __future__ import annotations

import datetime
import itertools

from django.utils.text import slugify

from clipdesk.digest.models import Credit, Outlet, Post, Tag

_seq = itertools.count(1)


def make_outlet(name: str | None = None, **fields) -> Outlet:
    name = name or f"Outlet {next(_seq)}"
    return Outlet.objects.create(name=name, slug=fields.pop("slug", slugify(name)), **fields)


def make_tag(name: str) -> Tag:
    return Tag.objects.create(name=name, slug=slugify(name))


def make_post(
    headline: str | None = None,
    posted_on: datetime.date | None = datetime.date(2021, 3, 14),
    credits: list[dict] | None = None,
    tags: list[Tag] = (),
    status: str = Post.Status.PUBLISHED,
    **fields,
) -> Post:
    headline = headline or f"Headline {next(_seq)}"
    post = Post.objects.create(
        headline=headline,
        slug=fields.pop("slug", f"{slugify(headline)}-{next(_seq)}"),
        posted_on=posted_on,
        posted_on_inferred=fields.pop("posted_on_inferred", posted_on or datetime.date(2021, 1, 1)),
        status=status,
        **fields,
    )
    for position, credit in enumerate(credits or []):
        Credit.objects.create(post=post, position=position, **credit)
    post.tags.set(tags)
    return post
