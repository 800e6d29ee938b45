"""Sign-in throttling: a few failures per address and per account, then a pause.

Counted in Django's cache (shared by every worker when the cache is Redis), so guessing
passwords costs an attacker time, and a legitimate user is locked out of one account for
a quarter of an hour at most.
"""

from __future__ import annotations

from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(address: str, username: str) -> list[str]:
    return [f"login-fail:ip:{address}", f"login-fail:user:{username.strip().casefold()}"]


def is_locked(address: str, username: str) -> bool:
    return any((cache.get(k) or 0) >= MAX_FAILURES for k in _keys(address, username))


def note_failure(address: str, username: str) -> None:
    for key in _keys(address, username):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, WINDOW_SECONDS)


def clear(address: str, username: str) -> None:
    cache.delete_many(_keys(address, username))
