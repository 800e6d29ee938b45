"""Writes with side effects on the digest; views, admin actions and commands call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from clipdesk.digest.models import Credit, Outlet, Post


def set_status(posts: QuerySet[Post], status: str) -> int:
    """Publish or unpublish many posts at once; returns how many changed."""
    return posts.exclude(status=status).update(status=status)


@transaction.atomic
def merge_outlets(target: Outlet, duplicates: Iterable[Outlet]) -> int:
    """Fold duplicate outlets into `target`: their credits move, their names become aliases.

    Returns the number of credits moved. The target's own name, slug and homepage are never
    overwritten; a duplicate's homepage is kept only when the target has none.
    """
    moved = 0
    aliases = list(target.aliases)
    known = {a.casefold() for a in aliases} | {target.name.casefold()}
    for dup in duplicates:
        if dup.pk == target.pk:
            continue
        moved += Credit.objects.filter(outlet=dup).update(outlet=target)
        for name in [dup.name, *dup.aliases]:
            if name.casefold() not in known:
                aliases.append(name)
                known.add(name.casefold())
        if not target.homepage and dup.homepage:
            target.homepage = dup.homepage
        dup.delete()
    target.aliases = aliases
    target.save()
    return moved
