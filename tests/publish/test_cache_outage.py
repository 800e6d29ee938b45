"""A shared cache that stops answering: the site stays up (pages rendered uncached), signing in
pauses, and once Redis is back no page stored before a change made meanwhile is served."""

from __future__ import annotations

import datetime
import logging
import select
import time
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.test import override_settings

from clipdesk.digest.models import Post, SiteProfile
from clipdesk.publish import caching
from clipdesk.publish.redis_cache import stop_watches
from tests.cli import clipdesk, free_port, started
from tests.factories import make_outlet, make_post

committed = pytest.mark.django_db(transaction=True)
ARCHIVE = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "harbour-watch.txt"


@pytest.fixture
def redis_settings(private_redis, monkeypatch):
    """The instance's cache on the private server, retried after 0.2 s instead of 5 s."""
    monkeypatch.setattr(caching, "RETRY_AFTER_SECONDS", 0.2)
    monkeypatch.setattr(caching, "outage", caching.CacheOutage())
    caching.local_pages.clear()
    backend = {
        "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
        "LOCATION": private_redis.url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    with override_settings(CACHES={"default": backend}):
        yield
        caches["default"].close()
    stop_watches()
    caching.local_pages.clear()


@pytest.fixture
def story() -> Post:
    SiteProfile.load()
    outlet = make_outlet("Valley Times")
    return make_post(
        "Harbour inquiry opens",
        posted_on=datetime.date(2021, 3, 2),
        credits=[{"outlet": outlet, "date": datetime.date(2021, 3, 2)}],
    )


PUBLIC = ("/", "/archive/", "/archive/2021/03/", "/outlet/valley-times/", "/about/", "/feed/")
PUBLIC += ("/sitemap.xml", "/robots.txt")


@committed
def test_with_redis_down_every_public_page_is_rendered(client, story, redis_settings, caplog):
    with caplog.at_level(logging.ERROR, logger="clipdesk.publish.caching"):
        for url in (*PUBLIC, story.get_absolute_url()):
            response = client.get(url)
            assert response.status_code == 200, url
        assert "Harbour inquiry opens" in client.get("/").text
    errors = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(errors) == 1  # once per outage, not once per request


@committed
def test_a_change_made_while_redis_is_away_is_never_hidden_by_an_older_page(
    client, story, private_redis, redis_settings, caplog
):
    private_redis.start()
    assert "Harbour inquiry opens" in client.get("/").text
    assert "Harbour inquiry opens" in client.get("/").text  # now a stored page

    private_redis.stop()  # it keeps that page and its version for when it is back
    story.headline = "Harbour inquiry adjourns"
    with caplog.at_level(logging.ERROR, logger="clipdesk.publish.caching"):
        story.save()  # committed; its version bump cannot reach Redis, and raises nothing
    assert any("could not move the content version" in r.getMessage() for r in caplog.records)
    assert "Harbour inquiry adjourns" in client.get("/").text  # rendered, uncached

    private_redis.start()  # back, with the page stored before the change
    time.sleep(0.3)  # past the retry time
    for _ in range(3):
        page = client.get("/").text
        assert "Harbour inquiry adjourns" in page
        assert "Harbour inquiry opens" not in page
    assert caching.outage.active is False
    caching.local_pages.clear()  # as another process would, with nothing of its own kept
    assert "Harbour inquiry adjourns" in client.get("/").text


@committed
def test_redis_coming_back_brings_the_cache_back(
    client, story, private_redis, redis_settings, django_assert_num_queries
):
    assert client.get("/").status_code == 200  # down: rendered
    private_redis.start()
    time.sleep(0.3)
    client.get("/")  # the outage ends, the page is stored
    with django_assert_num_queries(0):
        assert "Harbour inquiry opens" in client.get("/").text


@committed
def test_signing_in_pauses_while_the_attempt_counter_is_away(client, redis_settings):
    User.objects.create_user("editor", password="a long passphrase of words")
    response = client.post(
        "/login/", {"username": "editor", "password": "a long passphrase of words"}
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Signing in is paused for a moment" in response.text
    assert "_auth_user_id" not in client.session


@committed
def test_signing_in_works_with_redis_up(client, private_redis, redis_settings):
    private_redis.start()
    User.objects.create_user("editor", password="a long passphrase of words")
    response = client.post(
        "/login/", {"username": "editor", "password": "a long passphrase of words"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_served_site_says_at_start_that_its_cache_is_down_and_serves(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    clipdesk(home, "import-archive", str(ARCHIVE))
    port, nothing_there = free_port(), f"redis://127.0.0.1:{free_port()}/0"
    server = started(
        home, "run", "--port", str(port), "--no-poll", CLIPDESK_CACHE_URL=nothing_there
    )
    try:
        assert select.select([server.stdout], [], [], 60)[0], "the server did not start"
        assert "Serving" in server.stdout.readline()
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                assert response.status == 200
                assert "Dredging contract goes to a second vote" in response.read().decode()
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "run: the page cache (CLIPDESK_CACHE_URL) does not answer" in errors
    assert "Traceback" not in errors


def test_a_cache_url_that_is_not_redis_is_refused(tmp_path):
    result = clipdesk(
        tmp_path / "home", "init", check=False, CLIPDESK_CACHE_URL="memcached://127.0.0.1:11211"
    )
    assert result.returncode == 2
    assert "clipdesk init: CLIPDESK_CACHE_URL must be a Redis address" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture
def not_redis():
    """A server on the cache's address that is no Redis: an HTTP server, as a port reused by
    another service would be."""
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"redis://127.0.0.1:{server.server_address[1]}/0"
    server.shutdown()


@committed
def test_signing_in_pauses_when_the_cache_address_answers_as_no_redis(
    client, not_redis, monkeypatch
):
    """Redis's "Protocol error" was no error the counter knew: signing in answered 500."""
    # The outage this causes is the test's own, as with the private Redis above.
    monkeypatch.setattr(caching, "outage", caching.CacheOutage())
    backend = {
        "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
        "LOCATION": not_redis,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    User.objects.create_user("editor", password="a long passphrase of words")
    with override_settings(CACHES={"default": backend}):
        response = client.post(
            "/login/", {"username": "editor", "password": "a long passphrase of words"}
        )
        caches["default"].close()
    stop_watches()
    caching.local_pages.clear()
    assert response.status_code == 503
    assert "Signing in is paused for a moment" in response.text
    assert "_auth_user_id" not in client.session
