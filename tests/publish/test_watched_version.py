"""The content version kept in each process while Redis is heard to leave it unchanged: read
from Redis once, forgotten at any change (from any client), any flush, or any doubt about the
connection that would hear of one."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from clipdesk.publish import caching
from clipdesk.publish.redis_cache import WatchedKey, stop_watches, watched_key


def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def settled(watch: WatchedKey) -> str:
    """The version, read once and now kept by this process."""
    version = caching.content_version()
    assert watch.kept()[0] == version
    return version


def gets(url: str) -> int:
    """GET commands the server has answered so far."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return stats.get("cmdstat_get", {}).get("calls", 0)


@pytest.fixture
def version_cache(private_redis):
    """The instance's cache on a private Redis; yields its watch on the content version."""
    private_redis.start()
    backend = {
        "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
        "LOCATION": private_redis.url,
    }
    with override_settings(CACHES={"default": backend}):
        # The instance's version made before the watch starts, as by an earlier process: the
        # first read would otherwise make it, a write Redis reports like any other change.
        caches["default"].set(caching.VERSION_KEY, "1700000000000000000.0badcafe", None)
        watch = caches["default"].watched(caching.VERSION_KEY)
        assert eventually(lambda: watch.live), "the watch did not start"
        yield watch
    stop_watches()


def other_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def test_the_version_is_read_from_redis_once_while_it_stays_the_same(private_redis, version_cache):
    first = settled(version_cache)
    before = gets(private_redis.url)
    assert all(caching.content_version() == first for _ in range(200))
    assert gets(private_redis.url) == before


def test_a_change_by_another_process_is_heard_at_once(private_redis, version_cache):
    first = caching.content_version()
    assert caching.content_version() == first
    # Another process moves the version on, through its own connection.
    other = caches.create_connection("default")
    other.set(caching.VERSION_KEY, "1700000000000000000.feedface", timeout=None)
    assert eventually(lambda: caching.content_version() == "1700000000000000000.feedface", 1.0)


def test_this_process_s_own_bump_is_read_back_at_once(private_redis, version_cache, monkeypatch):
    watch = version_cache
    settled(watch)
    monkeypatch.setattr(watch, "_heard_change", lambda: None)  # Redis's message is late
    new = caching.bump_content_version()
    assert caching.content_version() == new


def test_a_flushed_database_is_heard(private_redis, version_cache):
    first = caching.content_version()
    other_client(private_redis.url).flushdb()
    assert eventually(lambda: caching.content_version() != first, 1.0)


def test_a_value_read_while_a_change_arrives_is_not_kept(private_redis, version_cache):
    watch = version_cache
    caching.content_version()
    _, generation = watch.kept()
    other_client(private_redis.url).set(watch.redis_key, b"ignored")
    assert eventually(lambda: watch.kept()[1] != generation, 1.0)
    watch.keep("read before the change", generation)
    assert watch.kept()[0] is None


def test_a_lost_watch_connection_drops_the_kept_value_and_comes_back(private_redis, version_cache):
    watch = version_cache
    settled(watch)
    other_client(private_redis.url).client_kill_filter(_type="pubsub")
    assert eventually(lambda: watch.kept()[0] is None, 1.0)
    # While it is away, every read goes to Redis, and sees every change.
    caches.create_connection("default").set(caching.VERSION_KEY, "changed", timeout=None)
    assert caching.content_version() == "changed"
    assert eventually(lambda: watch.live, 3.0)
    assert caching.content_version() == "changed"


def test_a_redis_that_stops_answering_drops_the_kept_value(private_redis, version_cache):
    watch = version_cache
    settled(watch)
    private_redis.pause()
    try:
        limit = WatchedKey.PING_EVERY_SECONDS + WatchedKey.PONG_WITHIN_SECONDS + 1.0
        assert eventually(lambda: not watch.live, limit)
        assert watch.kept()[0] is None
    finally:
        private_redis.resume()
    assert eventually(lambda: watch.live, 5.0)


def test_where_tracking_is_refused_every_read_goes_to_redis(private_redis):
    private_redis.start()
    admin = other_client(private_redis.url)
    admin.execute_command(
        "ACL", "SETUSER", "reader", "on", "nopass", "~*", "&*", "+@all", "-client|tracking"
    )
    url = f"redis://reader@127.0.0.1:{private_redis.port}/0"
    backend = {"BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache", "LOCATION": url}
    with override_settings(CACHES={"default": backend}):
        watch = caches["default"].watched(caching.VERSION_KEY)
        assert eventually(lambda: watch.ended is not None, 3.0)
        assert not watch.live
        assert "tracking" in watch.ended.lower() or "permission" in watch.ended.lower()
        first = caching.content_version()
        before = gets(private_redis.url)
        assert caching.content_version() == first
        assert gets(private_redis.url) > before
        caches.create_connection("default").set(caching.VERSION_KEY, "moved", timeout=None)
        assert caching.content_version() == "moved"


def test_one_watch_per_key_for_every_thread_of_a_process(private_redis):
    private_redis.start()
    first = watched_key(private_redis.url, ":1:some-key")
    try:
        assert watched_key(private_redis.url, ":1:some-key") is first
        assert watched_key(private_redis.url, ":1:other-key") is not first
    finally:
        first.stop()
        watched_key(private_redis.url, ":1:other-key").stop()


def test_a_watch_that_ends_keeps_nothing(private_redis, version_cache):
    watch = version_cache
    settled(watch)
    watch.stop()
    assert watch.kept()[0] is None
    assert caching.content_version() == "1700000000000000000.0badcafe"  # read from Redis


def test_with_replicas_the_version_is_read_from_redis_every_time(private_redis):
    """A read may go to a replica that lags behind a change heard from the primary: keeping
    what it returned could keep an older version, so nothing is kept."""
    private_redis.start()
    backend = {
        "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
        "LOCATION": [private_redis.url, private_redis.url],  # a primary and a "replica"
    }
    with override_settings(CACHES={"default": backend}):
        assert caches["default"].watched(caching.VERSION_KEY) is None
        first = caching.content_version()
        before = gets(private_redis.url)
        assert caching.content_version() == first
        assert gets(private_redis.url) > before
        assert caching.bump_content_version() != first
