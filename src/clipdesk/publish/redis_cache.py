"""Django's Redis cache backend, with one redis-py client per connection pool, and keys whose
value each process keeps until Redis says it changed (`WatchedKey`).

Django's `RedisCacheClient.get_client` makes a new `redis.Redis` object for every cache call:
70 µs each here, where the GET itself takes 160 µs, on every request for a cached page. A
`redis.Redis` object holds no connection of its own (each command borrows one from the pool)
and may be shared by threads, so one per pool does for every call. Everything else is
Django's backend unchanged.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)


@functools.cache
def unreachable_errors() -> tuple[type[BaseException], ...]:
    """What a cache call raises when Redis does not answer: redis-py's connection errors and
    timeouts (imported when first needed: a process on the default cache never loads
    redis-py), a reply no Redis gives ("Protocol error": another server took the address),
    and OSError (the default cache's version file, which can fail to be written)."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import InvalidResponse
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, InvalidResponse, OSError)


class PooledClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # A race between two threads makes two clients of the same pool: harmless.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = PooledClient
        self._watched: dict[str, WatchedKey] = {}

    def watched(self, key: str) -> WatchedKey | None:
        """This process's watch on `key` (see WatchedKey); None with replicas, where a read
        may come from one that lags behind the change just heard from the primary, and the
        older value would then be kept."""
        if len(self._servers) > 1:
            return None
        # Asked on every request: the watch is remembered here, so that the key is not made
        # and checked again each time (half the cost of reading a kept version).
        watch = self._watched.get(key)
        if watch is None or watch.pid != os.getpid():
            redis_key = self.make_and_validate_key(key)
            watch = self._watched[key] = watched_key(self._servers[0], redis_key)
        return watch


_watches: dict[tuple[str, str], WatchedKey] = {}
_watches_pid = os.getpid()
_watches_guard = threading.Lock()


def stop_watches() -> None:
    """Stop every watch of this process (tests that start and stop Redis servers)."""
    with _watches_guard:
        watches = list(_watches.values())
        _watches.clear()
    for watch in watches:
        watch.stop()


def watched_key(server: str, redis_key: str) -> WatchedKey:
    """One watch per key and process, whichever thread asks (Django gives each thread a cache
    object of its own), started on first use, and again in a forked child, which inherits
    the objects but not their threads."""
    global _watches, _watches_pid
    with _watches_guard:
        if _watches_pid != os.getpid():
            _watches, _watches_pid = {}, os.getpid()
        watch = _watches.get((server, redis_key))
        if watch is None:
            watch = _watches[(server, redis_key)] = WatchedKey(server, redis_key)
        return watch


INVALIDATIONS = "__redis__:invalidate"


class WatchedKey:
    """One key's value kept in this process, forgotten the moment Redis says the key changed.

    Every request for a cached page needs the content version. Read from Redis each time, it
    took a third of the machine's time per page on two cores (the round trip, Redis's own
    work and the switches between processes; docs/scaling.md). Redis can tell a client when
    keys change (CLIENT TRACKING, Redis 6 and later): one connection per process, in the
    broadcast mode, subscribed to its own invalidation messages, hears of every change of the
    key — written, deleted, expired, evicted, or the database flushed — and the value kept
    here is dropped at once; the next read asks Redis again.

    A value is kept only while that connection is known to be up: when it fails, or stays
    silent a second after a PING, what is kept is dropped and every read goes to Redis until
    the watch is back. A value read from Redis is kept only if no change was heard while it
    was being read (`generation`). Where Redis refuses CLIENT TRACKING (an older server, a
    proxy, a user without the right), the watch ends and every read goes to Redis, as before.

    Written here because redis-py's own client-side cache needs Redis 7.4 or later and
    applies to every read of every key; this is one key, with a protocol of Redis 6.
    """

    WAKE_SECONDS = 0.25  # how often the listening thread looks at the time between messages
    PING_EVERY_SECONDS = 1.0
    PONG_WITHIN_SECONDS = 1.0  # else the connection is taken as lost
    RETRY_AFTER_SECONDS = 1.0

    def __init__(self, server: str, redis_key: str) -> None:
        import redis

        # RESP2, where a subscribed connection receives messages and nothing else; timeouts
        # so that a Redis that stops answering is noticed, not waited for.
        self._pool = redis.ConnectionPool.from_url(
            server, protocol=2, socket_connect_timeout=1.0, socket_timeout=1.0
        )
        self.redis_key = redis_key
        self.pid = os.getpid()  # a forked child has the object but not the thread
        self._lock = threading.Lock()
        self._value: object = None
        self._live = False
        self._generation = 0
        self._stopped = threading.Event()
        self.ended: str | None = None  # why the watch gave up for good, when it did
        self._thread = threading.Thread(target=self._watch, name=f"watch {redis_key}", daemon=True)
        self._thread.start()

    # -- the readers' side -------------------------------------------------------------------
    def kept(self) -> tuple[object, int]:
        """The value kept (None: ask Redis) and the generation to pass back to `keep`."""
        with self._lock:
            return (self._value if self._live else None), self._generation

    def keep(self, value: object, generation: int) -> None:
        """Keep a value read from Redis, unless a change was heard since `kept` was asked."""
        with self._lock:
            if self._live and generation == self._generation:
                self._value = value

    def forget(self) -> None:
        """Drop the kept value (this process has just written the key)."""
        self._changed(live=None)

    @property
    def live(self) -> bool:
        return self._live

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)

    # -- the listening thread ----------------------------------------------------------------
    def _heard_change(self) -> None:
        self._changed(live=True)

    def _changed(self, live: bool | None) -> None:
        with self._lock:
            self._generation += 1
            self._value = None
            if live is not None:
                self._live = live

    def _watch(self) -> None:
        try:
            self._watch_until_stopped()
        finally:  # however the thread ends, nothing it kept may outlive it
            self._changed(live=False)

    def _watch_until_stopped(self) -> None:
        from redis.exceptions import RedisError, ResponseError

        while not self._stopped.is_set():
            # A connection of its own, outside any pool: reconnecting for days must not
            # count against a pool's limit.
            connection = self._pool.connection_class(**self._pool.connection_kwargs)
            try:
                connection.connect()
                connection.send_command("CLIENT", "ID")
                own_id = connection.read_response()
                tracking = ("CLIENT", "TRACKING", "ON", "REDIRECT", own_id, "BCAST")
                connection.send_command(*tracking, "PREFIX", self.redis_key)
                connection.read_response()
                connection.send_command("SUBSCRIBE", INVALIDATIONS)
                connection.read_response()
                self._changed(live=True)
                self._listen(connection)
            except ResponseError as exc:
                self.ended = str(exc)
                log.info("%s is read from Redis every time (%s)", self.redis_key, exc)
                return
            except (RedisError, OSError):
                self._changed(live=False)  # retried below; the cache's own calls log outages
            except Exception:  # a reply it cannot read: start again rather than stop hearing
                self._changed(live=False)
                log.exception("watching %s: unexpected failure; starting again", self.redis_key)
            finally:
                connection.disconnect()
            self._stopped.wait(self.RETRY_AFTER_SECONDS)

    def _listen(self, connection) -> None:
        from redis.exceptions import ConnectionError as RedisConnectionError

        pinged_at, waiting_for_pong = time.monotonic(), False
        while not self._stopped.is_set():
            if connection.can_read(timeout=self.WAKE_SECONDS):
                reply = connection.read_response()
                if reply[0] == b"message":  # the key changed, or the database was flushed
                    self._heard_change()
                elif reply[0] == b"pong":
                    waiting_for_pong = False
            now = time.monotonic()
            if waiting_for_pong and now - pinged_at > self.PONG_WITHIN_SECONDS:
                raise RedisConnectionError("no answer to PING")
            if not waiting_for_pong and now - pinged_at >= self.PING_EVERY_SECONDS:
                connection.send_command("PING")
                pinged_at, waiting_for_pong = now, True
