"""Sign-in throttling: a few failures per address and per account, then a pause.

Counted in Django's "sign_in" cache, which every worker of the server shares (Redis when
the instance has one, else files in the instance home), so guessing passwords costs an
attacker time, and a legitimate user is locked out of one account for a quarter of an hour
at most.

When the cache does not answer, signing in is refused for the moment (CounterUnavailable)
rather than let through uncounted: a password guesser must not gain from a Redis outage.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.filebased import FileBasedCache

from clipdesk.publish.redis_cache import unreachable_errors

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _counter_errors() -> tuple[type[BaseException], ...]:
    """What a count that cannot be kept raises: Redis not answering, or answering in a way
    no Redis does (CLIPDESK_CACHE_URL moved to another server: "Protocol error"), or the
    default cache's files. Signing in then pauses, rather than answering 500."""
    from redis.exceptions import RedisError

    return (*unreachable_errors(), RedisError, OSError)


def _keys(address: str, username: str) -> list[str]:
    return [f"login-fail:ip:{address}", _account_count(username)]


def _account_count(username: str) -> str:
    return f"login-fail:user:{account_key(username)}"


def account_key(username: str) -> str:
    """The account a typed user name signs in to, as the failures against it are counted.
    The sign-in form reads the name in Unicode's NFKC form ("ｅｄｄｉｅ" in full-width letters
    is "eddie"): counted as typed, each spelling of one name was five more guesses at its
    password. Case is set aside too, so the count errs on the side of locking."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def counter() -> BaseCache:
    """The cache that counts failures: "sign_in", or the default one where settings name no
    such cache (a test's own)."""
    return caches["sign_in" if "sign_in" in settings.CACHES else "default"]


class CounterUnavailable(Exception):
    """The cache that counts failed sign-ins does not answer."""


def is_locked(address: str, username: str) -> bool:
    try:
        counts = counter().get_many(_keys(address, username))
        return any(count >= MAX_FAILURES for count in counts.values())
    except _counter_errors() as exc:
        log.error("sign-in refused: the failed-attempt counter does not answer (%s)", exc)
        raise CounterUnavailable(str(exc)) from exc


def note_failure(address: str, username: str) -> None:
    cache = counter()
    try:
        with _one_count_at_a_time(cache):
            for key in _keys(address, username):
                if not cache.add(key, 1, WINDOW_SECONDS):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired between add and incr
                        cache.set(key, 1, WINDOW_SECONDS)
    except _counter_errors() as exc:  # the failure is answered as one all the same
        log.error("a failed sign-in could not be counted (%s)", exc)


@contextlib.contextmanager
def _one_count_at_a_time(cache: BaseCache) -> Iterator[None]:
    """Hold a file lock while counting in files: their add and incr each read then write,
    so failures counted at the same moment by two workers (or two threads) counted once.
    Redis counts atomically by itself."""
    if not isinstance(cache, FileBasedCache):
        yield
        return
    folder = Path(cache._dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "counting.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def account_is_locked(username: str) -> bool:
    """Whether signing in to this account is refused now, from any address (an address's own
    lock aside). Raises CounterUnavailable when the count cannot be read."""
    try:
        return (counter().get(_account_count(username)) or 0) >= MAX_FAILURES
    except _counter_errors() as exc:
        raise CounterUnavailable(str(exc)) from exc


def locked_accounts(usernames: list[str]) -> list[str]:
    """Those of these accounts that signing in to is refused now, read in one cache call.
    Raises CounterUnavailable when the counts cannot be read."""
    keys = {_account_count(name): name for name in usernames}
    try:
        counts = counter().get_many(list(keys))
    except _counter_errors() as exc:
        raise CounterUnavailable(str(exc)) from exc
    return sorted(keys[key] for key, count in counts.items() if count >= MAX_FAILURES)


def clear_account(username: str) -> None:
    """Forget the failures against one account (an operator letting its owner in at once).
    Unlike clear(), a cache that does not answer is raised (CounterUnavailable): the operator
    must be told the account is still locked."""
    try:
        counter().delete(_account_count(username))
    except _counter_errors() as exc:
        raise CounterUnavailable(str(exc)) from exc


def clear(address: str, username: str) -> None:
    try:
        counter().delete_many(_keys(address, username))
    except _counter_errors() as exc:  # the count lapses with its window
        log.error("failed sign-ins could not be cleared (%s)", exc)
