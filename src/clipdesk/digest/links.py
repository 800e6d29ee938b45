"""Addresses of the public pages, reversed once and remembered.

A page links to the front page, the archive, the feeds, its outlets and tags: dozens of
`reverse()` calls, each walking the URLconf (15–40 µs). The answer depends only on the
URLconf, the script prefix the site is served under and the arguments, so it is cached on
exactly those. Pages named by one slug (a post, a tag, an outlet) are reversed once with a
stand-in slug and the real one put in its place: a slug is made of characters that a URL
keeps as they are, so the result is what reverse() gives (tests/digest/test_links.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=32768)
def _reverse(urlconf: object, prefix: str, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)


# Routes whose one argument is a <slug:...>; their addresses are filled in, not reversed.
SLUG_ROUTES = frozenset({"digest:post", "digest:tag", "digest:outlet"})
_STAND_IN = "clipdesk-stand-in-slug"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def url(name: str, *args: object) -> str:
    """reverse(name, args=args) for the URLconf and script prefix this thread serves."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    prefix = get_script_prefix()
    if name in SLUG_ROUTES and len(args) == 1:
        slug = args[0]
        if isinstance(slug, str) and _SLUG.fullmatch(slug):
            return _reverse(urlconf, prefix, name, (_STAND_IN,)).replace(_STAND_IN, slug, 1)
    return _reverse(urlconf, prefix, name, args)


def slug_addresses(name: str) -> Callable[[str], str]:
    """`url(name, slug)` for many slugs under this thread's script prefix, looked up once:
    a full export makes a hundred thousand post addresses."""
    if name not in SLUG_ROUTES:
        raise ValueError(f"{name} is not a route named by one slug")
    pattern = url(name, _STAND_IN)

    def fill(slug: str) -> str:
        if not _SLUG.fullmatch(slug):
            return url(name, slug)  # reverse() says what is wrong with it
        return pattern.replace(_STAND_IN, slug, 1)

    return fill


@dataclass(frozen=True)
class SiteLinks:
    """What every page's header and footer link to."""

    front: str
    archive: str
    search: str
    about: str
    rss: str
    atom: str


def site_links() -> SiteLinks:
    return SiteLinks(
        front=url("digest:front_page"),
        archive=url("digest:archive_index"),
        search=url("search:page"),
        about=url("digest:about"),
        rss=url("digest:feed_rss"),
        atom=url("digest:feed_atom"),
    )
