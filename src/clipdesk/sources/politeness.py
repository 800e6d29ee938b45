"""At most N requests in flight per host, in one process or across every worker.

One process (`clipdesk poll`) counts with HostLimiter: a semaphore per host, in memory. Workers
on several processes or machines share RedisHostLimiter instead: a semaphore per host kept in
Redis as a sorted set of leases, each scored with its expiry, so a worker killed mid-request
gives its slot back when the lease runs out instead of holding it for ever.

host_limiter() picks one: Redis when settings.CLIPDESK_REDIS_URL is set (CLIPDESK_REDIS_URL,
or the broker URL when the broker is Redis), else the in-process semaphore. Both are callables
`limit(url)` returning a context manager, which is all the fetching code needs to know.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

KEY_PREFIX = "clipdesk:host-slots:"
# A fetch ends within the fetcher's total timeout (fetching.py, guarantee 2), so a lease that
# long plus this margin is never taken from a request still running; no renewal is needed.
LEASE_MARGIN = 5.0
# Longest wait for a slot before the caller is told the host is busy; a task then retries
# later instead of holding a worker slot while other hosts' work waits behind it.
MAX_WAIT = 10.0

# KEYS[1] = the host's set; ARGV = limit, lease (ms), token. Redis's own clock, so workers
# whose clocks disagree still agree on which leases have run out.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""


class HostBusy(RuntimeError):
    """No request slot for a host came free in time (or the shared counter is unreachable).

    Raised instead of fetching over the limit; a task retries later (articles/tasks.py).
    """


class Limiter(Protocol):
    def __call__(self, url: str) -> AbstractContextManager[Any]: ...


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLimiter:
    """At most `per_host` requests in flight to one host, whatever the pool size (one process)."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._locks: dict[str, threading.BoundedSemaphore] = {}
        self._guard = threading.Lock()

    def __call__(self, url: str) -> threading.BoundedSemaphore:
        host = host_of(url)
        with self._guard:
            if host not in self._locks:
                self._locks[host] = threading.BoundedSemaphore(self._per_host)
            return self._locks[host]


class RedisHostLimiter:
    """At most `per_host` requests in flight to one host across every process using one Redis.

    A slot is a lease of `lease_seconds`; release removes it early. Waiting polls with a
    growing, jittered pause (no blocking primitive exists for sorted sets), and gives up with
    HostBusy after `max_wait` seconds.
    """

    def __init__(
        self,
        client: Any,
        per_host: int,
        *,
        lease_seconds: float,
        max_wait: float = MAX_WAIT,
        prefix: str = KEY_PREFIX,
    ) -> None:
        self.client = client
        self.per_host = per_host
        self.lease_ms = int(lease_seconds * 1000)
        self.max_wait = max_wait
        self.prefix = prefix
        self._acquire = client.register_script(_ACQUIRE)

    def __call__(self, url: str) -> AbstractContextManager[None]:
        return self._slot(host_of(url))

    @contextmanager
    def _slot(self, host: str) -> Iterator[None]:
        import redis  # only a process configured for Redis gets here

        key, token = self.prefix + host, uuid.uuid4().hex
        deadline = time.monotonic() + self.max_wait
        pause = 0.02
        try:
            while not self._acquire(keys=[key], args=[self.per_host, self.lease_ms, token]):
                if time.monotonic() >= deadline:
                    raise HostBusy(
                        f"politeness: no free request slot for {host} within {self.max_wait:g} s"
                    )
                time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrets
                pause = min(pause * 2, 0.5)
        except redis.RedisError as exc:
            raise HostBusy(f"politeness: the shared slot counter is unreachable ({exc})") from exc
        try:
            yield
        finally:
            try:
                self.client.zrem(key, token)
            except redis.RedisError:
                logger.warning("politeness: could not release a slot for %s; it expires", host)


def host_limiter(per_host: int, *, fetch_timeout: float) -> Limiter:
    """The shared Redis limiter when a Redis URL is configured, else the in-process one."""
    from django.conf import settings

    url = getattr(settings, "CLIPDESK_REDIS_URL", "")
    if not url:
        return HostLimiter(per_host)
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return RedisHostLimiter(client, per_host, lease_seconds=fetch_timeout + LEASE_MARGIN)
