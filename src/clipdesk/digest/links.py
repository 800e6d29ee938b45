"""Addresses of the public pages, reversed once and remembered.

A page links to the front page, the archive, the feeds, its outlets and tags: dozens of
`reverse()` calls, each walking the URLconf (about 15 µs). The answer depends only on the
URLconf, the script prefix the site is served under and the arguments, so it is cached on
exactly those.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=32768)
def _reverse(urlconf: object, prefix: str, name: str, args: tuple) -> str:
    return reverse(name, urlconf=urlconf, args=args)


def url(name: str, *args: object) -> str:
    """reverse(name, args=args) for the URLconf and script prefix this thread serves."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(urlconf, get_script_prefix(), name, args)
