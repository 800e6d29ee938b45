"""At most N requests in flight per host, in one process or across every worker.

One process alone counts with HostLimiter: a semaphore per host, in memory. Processes that
fetch side by side share a count:

- RedisHostLimiter, when there is a Redis: a semaphore per host kept in Redis as a sorted set
  of leases, each scored with its expiry, so a worker killed mid-request gives its slot back
  when the lease runs out instead of holding it for ever.
- SharedHostLimiter otherwise, with what every instance has: its database. On PostgreSQL a
  slot is a session-level advisory lock (PostgresSlots), on SQLite a lock file in the home
  taken with flock (FileSlots); either way a process that dies frees its slots at once.

host_limiter() picks one: Redis when settings.CLIPDESK_REDIS_URL is set (CLIPDESK_REDIS_URL,
or the broker URL when the broker is Redis), else the database's. Both are callables
`limit(url)` returning a context manager, which is all the fetching code needs to know.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
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

    def close(self) -> None:
        """Let go of what the limiter holds between rounds (a database session)."""


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class HostLimiter:
    """At most `per_host` requests in flight to one host, whatever the pool size (one process)."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._locks: dict[str, threading.BoundedSemaphore] = {}
        self._guard = threading.Lock()

    def close(self) -> None:
        """Nothing to let go: the semaphores live as long as the process, a lease runs out."""

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

    def close(self) -> None:
        """Nothing to let go: the semaphores live as long as the process, a lease runs out."""

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


class SlotsUnreachable(RuntimeError):
    """The shared slots could not be asked (the database gone, the lock folder unwritable)."""


class HostSlots(Protocol):
    """Numbered slots per host shared by every process of an instance, tried without waiting.

    take() returns a token when the slot was free (and is now this process's), None when some
    other process holds it; give_back() frees it. A process that dies frees its slots at once.
    """

    def take(self, host: str, slot: int) -> object | None: ...

    def give_back(self, host: str, slot: int, token: object) -> None: ...

    def close(self) -> None: ...


def host_key(host: str) -> int:
    """A host as a signed 32-bit number (PostgreSQL's advisory lock keys are int4 pairs)."""
    from clipdesk.stories.actions import GROUPING_LOCK

    key = int.from_bytes(hashlib.sha256(host.encode()).digest()[:4], "big", signed=True)
    return key + 1 if key == GROUPING_LOCK[0] else key  # never grouping's lock, whatever the host


class PostgresSlots:
    """Slots as session-level advisory locks, pg_try_advisory_lock(host key, slot number).

    A session lock outlives transactions and is held by the session that took it, so every
    take and give-back goes through one connection of this object's own, not Django's
    per-thread connection: the pool's threads would each open one per round (and leave it
    to the garbage collector), and a lock taken in one thread's session cannot be freed from
    another's. The connection is in autocommit and no transaction ever wraps it. A worker
    that dies closes its connection, and the server frees its locks at once.

    Locks in one session stack (taking a held key again succeeds), so the limiter never asks
    this process's session for a slot it holds itself (SharedHostLimiter's own count).
    """

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._connection: Any = None
        # Bumped when the connection is lost: the locks it held went with it, so the tokens
        # of that connection are not given back (another process may hold those keys now).
        self._generation = 0

    def take(self, host: str, slot: int) -> object | None:
        from django.db import DatabaseError

        try:
            with self._cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [host_key(host), slot])
                (taken,) = cursor.fetchone()
        except DatabaseError as exc:
            self._lose_connection()
            raise SlotsUnreachable(f"the database is unreachable ({exc})") from exc
        return self._generation if taken else None

    def give_back(self, host: str, slot: int, token: object) -> None:
        from django.db import DatabaseError

        if token != self._generation:
            return  # its connection is gone, and the lock with it
        try:
            with self._cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [host_key(host), slot])
        except DatabaseError:
            # Closing the session frees its every lock, this one included.
            logger.warning("politeness: could not free a slot for %s; closing its session", host)
            self._lose_connection()

    def close(self) -> None:
        self._lose_connection()

    def _cursor(self) -> Any:
        if self._connection is None:
            from django.db import connections

            connection = connections.create_connection(self.alias)
            connection.inc_thread_sharing()  # used by the pool's threads, one at a time
            self._connection = connection
        return self._connection.cursor()

    def _lose_connection(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        self._generation += 1
        try:
            connection.close()
        except Exception:  # already broken: the server ends the session anyway
            logger.debug("politeness: closing a broken lock session failed", exc_info=True)


class FileSlots:
    """Slots as lock files, `<folder>/<sha256 of the host>.<slot>`, each taken with flock.

    For SQLite, where every process of an instance runs on the machine that holds its home.
    An flock belongs to the open file, so two threads or two processes never share one, and
    the kernel drops it when its holder dies. The files stay (a few bytes per host and slot).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ready = False

    def take(self, host: str, slot: int) -> object | None:
        digest = hashlib.sha256(host.encode()).hexdigest()[:32]
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._ready = True
            fd = os.open(self.folder / f"{digest}.{slot}", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise SlotsUnreachable(f"no lock file in {self.folder} ({exc.strerror})") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # held by another process (EWOULDBLOCK)
            return None
        return fd

    def give_back(self, host: str, slot: int, token: object) -> None:
        os.close(token)  # type: ignore[arg-type] - the descriptor take() returned

    def close(self) -> None:
        pass


class SharedHostLimiter:
    """At most `per_host` requests in flight to one host across every process of an instance,
    counted in `slots` (the database's advisory locks, or lock files beside SQLite).

    This process's own requests queue first on an in-process semaphore, as HostLimiter's do,
    without a time limit (each ends within the fetch timeout); only a request that could go
    by that count asks for a shared slot, trying each slot this process does not hold, and
    polls with a growing, jittered pause while other processes hold them all, giving up with
    HostBusy after `max_wait` seconds.
    """

    def __init__(self, slots: HostSlots, per_host: int, *, max_wait: float = MAX_WAIT) -> None:
        self.slots = slots
        self.per_host = per_host
        self.max_wait = max_wait
        self._in_process = HostLimiter(per_host)
        self._guard = threading.Lock()
        self._held: dict[str, set[int]] = {}  # the slots this process holds, per host

    def __call__(self, url: str) -> AbstractContextManager[None]:
        return self._slot(url)

    def close(self) -> None:
        """Free the database session (its locks go with it); a later request opens another."""
        with self._guard:
            self.slots.close()

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        host = host_of(url)
        with self._in_process(url):
            slot, token = self._take(host)
            try:
                yield
            finally:
                with self._guard:
                    held = self._held[host]
                    held.discard(slot)
                    if not held:
                        del self._held[host]  # a worker meets many hosts over weeks
                    self.slots.give_back(host, slot, token)

    def _take(self, host: str) -> tuple[int, object]:
        deadline = time.monotonic() + self.max_wait
        pause = 0.02
        while True:
            # One try at a time in the process: PostgresSlots's connection is one session.
            with self._guard:
                held = self._held.setdefault(host, set())
                for slot in range(self.per_host):
                    if slot in held:
                        continue
                    try:
                        token = self.slots.take(host, slot)
                    except SlotsUnreachable as exc:
                        raise HostBusy(f"politeness: no request slot for {host}: {exc}") from exc
                    if token is not None:
                        held.add(slot)
                        return slot, token
            if time.monotonic() >= deadline:
                raise HostBusy(
                    f"politeness: no free request slot for {host} within {self.max_wait:g} s"
                )
            time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not secrets
            pause = min(pause * 2, 0.5)


def host_limiter(per_host: int, *, fetch_timeout: float) -> Limiter:
    """The limit every process of the instance shares: Redis's when a Redis URL is configured,
    else the database's (advisory locks on PostgreSQL, lock files in the home on SQLite).

    Used by worker processes and by `clipdesk poll` alike, so two `poll --shard` processes,
    or the poller of `clipdesk run` beside a manual `poll`, are polite together. What it costs
    a fetch (taking and freeing its slot, measured over loopback on a 2-core machine): about
    0.2 ms on PostgreSQL (two short queries on a connection of its own, opened once per round
    or per worker process), about 0.01 ms on SQLite (open, flock, close), against tens to
    hundreds of milliseconds for the request itself.
    """
    from django.conf import settings

    url = getattr(settings, "CLIPDESK_REDIS_URL", "")
    if url:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return RedisHostLimiter(client, per_host, lease_seconds=fetch_timeout + LEASE_MARGIN)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        slots: HostSlots = PostgresSlots()
    else:
        slots = FileSlots(Path(settings.CLIPDESK_HOME) / "locks" / "hosts")
    return SharedHostLimiter(slots, per_host)
