"""The page cache on Redis: Django's backend with one client per pool, and pages kept in each
server process that never outlive a change made by any other process."""

from __future__ import annotations

import datetime
import select
import threading
import urllib.request
from pathlib import Path

import pytest

from clipdesk.publish.redis_cache import PooledRedisCache
from tests.cli import clipdesk, free_port, started

ARCHIVE = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "harbour-watch.txt"
SERVED_DB = "redis://127.0.0.1:6379/9"  # a database no other test or bench uses


@pytest.fixture
def backend(redis_server) -> PooledRedisCache:
    prefix = f"clipdesk-test-pooled-{datetime.datetime.now().timestamp()}"
    cache = PooledRedisCache("redis://127.0.0.1:6379/14", {"KEY_PREFIX": prefix})
    yield cache
    cache.delete_many(["a", "b", "n"] + [f"t{i}-{j}" for i in range(8) for j in range(50)])


def test_the_backend_keeps_djangos_behaviour(backend):
    assert backend.get("a") is None
    backend.set("a", ("page", b"\x00bytes", [("ETag", '"x"')]), 60)
    assert backend.get("a") == ("page", b"\x00bytes", [("ETag", '"x"')])
    assert backend.add("a", "other") is False
    assert backend.add("b", "first") is True
    assert backend.get_many(["a", "b", "missing"]) == {
        "a": ("page", b"\x00bytes", [("ETag", '"x"')]),
        "b": "first",
    }
    backend.set("n", 1)
    assert backend.incr("n", 2) == 3
    backend.delete("a")
    assert backend.get("a", "gone") == "gone"


def test_one_client_serves_every_call_and_every_thread(backend):
    client = backend._cache.get_client("a")
    assert backend._cache.get_client("b") is client
    errors: list[str] = []

    def work(i: int) -> None:
        for j in range(50):
            backend.set(f"t{i}-{j}", f"value {i} {j}", 60)
            if backend.get(f"t{i}-{j}") != f"value {i} {j}":
                errors.append(f"t{i}-{j}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_an_instance_with_a_cache_url_uses_the_pooled_backend(tmp_path, redis_server):
    script = "from django.core.cache import caches; print(type(caches['default']).__name__)"
    result = clipdesk(tmp_path, "manage", "shell", "-c", script, CLIPDESK_CACHE_URL=SERVED_DB)
    assert result.stdout.strip().splitlines()[-1] == "PooledRedisCache"


def _flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _front_page(port: int) -> str:
    # A new connection each time: the kernel spreads them over both workers' sockets.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
        return response.read().decode()


def test_an_edit_by_another_process_shows_on_every_worker_at_once(tmp_path, redis_server):
    """Each worker keeps the pages it served; none serves one after the version moved on."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    clipdesk(home, "import-archive", str(ARCHIVE))
    _flush(SERVED_DB)
    port = free_port()
    server = started(home, "run", "--port", str(port), "--no-poll", CLIPDESK_CACHE_URL=SERVED_DB)
    try:
        assert select.select([server.stdout], [], [], 60)[0], "the server did not start"
        server.stdout.readline()
        before = [_front_page(port) for _ in range(12)]
        assert all("Dredging contract goes to a second vote" in page for page in before)
        edit = (
            "from clipdesk.digest.models import Post\n"
            "post = Post.objects.get(headline='Dredging contract goes to a second vote')\n"
            "post.headline = 'Dredging contract passes on the second vote'\n"
            "post.save()\n"
        )
        clipdesk(home, "manage", "shell", "-c", edit, CLIPDESK_CACHE_URL=SERVED_DB)
        after = [_front_page(port) for _ in range(12)]
        assert all("Dredging contract passes on the second vote" in page for page in after)
        assert not any("goes to a second vote" in page for page in after)
    finally:
        server.terminate()
        server.wait(timeout=20)
        _flush(SERVED_DB)


def test_a_cache_that_refuses_its_database_stops_run_in_one_line(tmp_path, redis_server):
    clipdesk(tmp_path, "init")
    result = clipdesk(
        tmp_path,
        "run",
        "--port",
        str(free_port()),
        check=False,
        timeout=60,
        CLIPDESK_CACHE_URL="redis://127.0.0.1:6379/999",  # no server has that many
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "run: the page cache (CLIPDESK_CACHE_URL) refuses to serve" in result.stderr
