"""Sign-in throttling: a few failures per address and per account, then a pause.

Counted in Django's "sign_in" cache, which every worker of the server shares (Redis when
the instance has one, else files in the instance home), so guessing passwords costs an
attacker time, and a legitimate user is locked out of one account for a quarter of an hour
at most.

The count per account stops a guesser who spreads guesses over many addresses, but it also
lets anyone who knows an editor's user name keep that editor out. So a browser the account
has signed in with before carries a signed "device" cookie naming that account; an attempt
that brings one is counted against that browser alone, neither against the address nor the
account, and the account's lock does not stop it (OWASP's device-cookie scheme). A guesser
holds no such cookie: they are issued only on signing in.

When the cache does not answer, signing in is refused for the moment (CounterUnavailable)
rather than let through uncounted: a password guesser must not gain from a Redis outage.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.cache import BaseCache, caches
from django.core.cache.backends.filebased import FileBasedCache

from clipdesk.publish.redis_cache import unreachable_errors

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
DEVICE_COOKIE = "clipdesk_device"
DEVICE_MAX_AGE = 365 * 24 * 60 * 60
_DEVICE_SALT = "clipdesk.people.device"


def _counter_errors() -> tuple[type[BaseException], ...]:
    """What a count that cannot be kept raises: Redis not answering, or answering in a way
    no Redis does (CLIPDESK_CACHE_URL moved to another server: "Protocol error"), or the
    default cache's files. Signing in then pauses, rather than answering 500."""
    from redis.exceptions import RedisError

    return (*unreachable_errors(), RedisError, OSError)


def _keys(address: str, username: str, device: str | None = None) -> list[str]:
    if device:
        return [f"login-fail:device:{device}"]
    return [f"login-fail:ip:{address}", _account_count(username)]


def device_cookie(username: str) -> str:
    """A new device cookie's value for a browser that has just signed in to this account:
    signed with the instance's key, so it cannot be made up or moved to another account."""
    value = {"account": account_key(username), "device": secrets.token_urlsafe(16)}
    return signing.dumps(value, salt=_DEVICE_SALT)


def known_device(cookie: str | None, username: str) -> str | None:
    """The device a cookie names when it was issued for the account this name signs in to and
    is younger than DEVICE_MAX_AGE; None for a missing, forged, expired or other account's."""
    if not cookie:
        return None
    try:
        value = signing.loads(cookie, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(value, dict) or value.get("account") != account_key(username):
        return None
    device = value.get("device")
    return device if isinstance(device, str) and device else None


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


def is_locked(address: str, username: str, device: str | None = None) -> bool:
    """Whether this attempt is refused: by its address's or its account's failures, or,
    from a known device, by that device's own."""
    try:
        counts = counter().get_many(_keys(address, username, device))
        return any(count >= MAX_FAILURES for count in counts.values())
    except _counter_errors() as exc:
        log.error("sign-in refused: the failed-attempt counter does not answer (%s)", exc)
        raise CounterUnavailable(str(exc)) from exc


def note_failure(address: str, username: str, device: str | None = None) -> None:
    cache = counter()
    try:
        with _one_count_at_a_time(cache):
            for key in _keys(address, username, device):
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


def clear(address: str, username: str, device: str | None = None) -> None:
    """Forget the failures a successful sign-in answers: its own. One from a known device
    clears that device's count only; clearing the account's and the address's too would
    give a guesser elsewhere five fresh tries each time the editor signs in."""
    try:
        counter().delete_many(_keys(address, username, device))
    except _counter_errors() as exc:  # the count lapses with its window
        log.error("failed sign-ins could not be cleared (%s)", exc)
