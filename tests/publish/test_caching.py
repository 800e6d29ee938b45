"""The public pages' cache: served without queries, fresh on the next request after a change."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils.http import http_date

from clipdesk.digest.actions import set_status
from clipdesk.digest.models import Post, SiteProfile
from clipdesk.publish import caching
from tests.factories import make_outlet, make_post, make_tag

# The page cache serves what other connections committed: these tests commit their data.
committed = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Nothing cached before or after: flushed rows must not live on in cached pages."""
    cache.clear()
    caching.bump_content_version()
    yield
    cache.clear()
    caching.bump_content_version()


@pytest.fixture
def story() -> Post:
    SiteProfile.load()  # the first request of an instance would create it (a change)
    tag = make_tag("Hearings")
    outlet = make_outlet("Valley Times")
    return make_post(
        "Harbour inquiry opens",
        posted_on=datetime.date(2021, 3, 2),
        credits=[{"outlet": outlet, "date": datetime.date(2021, 3, 2)}],
        tags=[tag],
    )


PUBLIC = ("/", "/archive/", "/archive/2021/03/", "/tag/hearings/", "/outlet/valley-times/")
PUBLIC += ("/about/", "/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-posts.xml")
PUBLIC += ("/robots.txt", "/?page=1", "/tag/hearings/?page=1")


@committed
def test_cached_pages_are_served_without_queries(client, story, django_assert_num_queries):
    for url in (*PUBLIC, story.get_absolute_url()):
        first = client.get(url)
        assert first.status_code == 200, url
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200
        assert again.content == first.content, url
        assert again["ETag"] == first["ETag"]


@committed
def test_an_edit_shows_on_the_next_request(client, story):
    assert "Harbour inquiry opens" in client.get("/").text
    story.headline = "Harbour inquiry adjourns"
    story.save()
    assert "Harbour inquiry adjourns" in client.get("/").text
    assert "Harbour inquiry adjourns" in client.get(story.get_absolute_url()).text


@committed
def test_publish_and_unpublish_show_on_the_next_request(client, story):
    draft = make_post("Second witness heard", status=Post.Status.DRAFT)
    assert "Second witness heard" not in client.get("/").text
    assert "Second witness heard" not in client.get("/feed/").text
    set_status(Post.objects.filter(pk=draft.pk), Post.Status.PUBLISHED)
    assert "Second witness heard" in client.get("/").text
    assert "Second witness heard" in client.get("/feed/").text
    assert draft.get_absolute_url() in client.get("/sitemap-posts.xml").text
    set_status(Post.objects.filter(pk=draft.pk), Post.Status.DRAFT)
    assert "Second witness heard" not in client.get("/").text
    assert client.get(draft.get_absolute_url()).status_code == 404


@committed
def test_an_outlet_no_post_credits_yet_changes_no_page():
    before = caching.content_version()
    make_outlet("Brand New Ledger")  # as a poll makes one for an article from a new site
    assert caching.content_version() == before
    outlet = make_outlet("Valley Evening Times")
    make_post("Quay", credits=[{"outlet": outlet}])
    assert caching.content_version() != before


@committed
def test_changes_to_tags_outlets_and_the_profile_show(client, story):
    post_url = story.get_absolute_url()
    assert "Hearings" in client.get(post_url).text
    story.tags.add(make_tag("Licences"))
    assert "Licences" in client.get(post_url).text
    outlet = story.credits.get().outlet
    outlet.name = "Valley Evening Times"
    outlet.save()
    assert "Valley Evening Times" in client.get("/").text
    profile = SiteProfile.load()
    profile.name = "Harbour Watch"
    profile.save()
    assert "Harbour Watch" in client.get("/").text


def _version_made(seconds_ago: float) -> None:
    """The content version, as if made `seconds_ago` (the page cache is keyed by it)."""
    caching._write_version_file(f"{time.time_ns() - int(seconds_ago * 1e9)}.{os.urandom(4).hex()}")


@committed
def test_etag_and_last_modified_answer_304(client, story):
    _version_made(5)
    first = client.get("/")
    assert first["ETag"] and first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    assert client.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = first["Last-Modified"]
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    earlier = http_date(caching.version_time(caching.content_version()) - 3600)
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@committed
def test_two_versions_in_one_second_are_told_apart_by_a_reader_asking_by_date(client, story):
    # An HTTP date has whole seconds: a version under a second old gets none, and a date of
    # its second (a version made just before it in that second had that date) is no answer.
    _version_made(0.2)
    young = client.get("/")
    assert young["ETag"] and not young.has_header("Last-Modified")
    same_second = http_date(int(caching.version_time(caching.content_version())))
    assert client.get("/", HTTP_IF_MODIFIED_SINCE=same_second).status_code == 200
    # Dated once its second is over; a change after that is a later second.
    _version_made(3)
    dated = client.get("/")
    story.headline = "Harbour inquiry adjourns"
    story.save()
    again = client.get("/", HTTP_IF_MODIFIED_SINCE=dated["Last-Modified"])
    assert again.status_code == 200 and "Harbour inquiry adjourns" in again.text


@committed
def test_after_a_change_the_old_etag_gets_the_new_page(client, story):
    first = client.get("/")
    story.headline = "Harbour inquiry adjourns"
    story.save()
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Harbour inquiry adjourns" in again.text


@committed
def test_logged_in_editors_bypass_the_cache(client, story):
    client.get("/")  # cached for readers
    editor = User.objects.create_user("editor", password="pw-for-tests")
    client.force_login(editor)
    response = client.get("/")
    assert response.status_code == 200
    assert not response.has_header("Last-Modified")  # rendered for the editor, not stored


@committed
def test_other_query_parameters_share_the_cached_page(client, story, django_assert_num_queries):
    client.get("/")
    with django_assert_num_queries(0):
        assert client.get("/?utm_source=newsletter").status_code == 200


@pytest.mark.django_db
def test_uncommitted_changes_bypass_the_cache(client, django_assert_max_num_queries):
    """The writer's own connection sees its writes; what it renders may never commit."""
    make_post("Pending item")  # the test's transaction never commits
    assert "Pending item" in client.get("/").text
    with django_assert_max_num_queries(10) as captured:
        client.get("/")
    assert len(captured) > 0


@committed
def test_with_redis_the_version_lives_in_the_shared_cache(client, story, redis_server):
    redis = {
        "default": {
            "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"clipdesk-test-{datetime.datetime.now().timestamp()}",
        }
    }
    with override_settings(CACHES=redis):
        assert not caching._uses_version_file()
        version = caching.content_version()
        assert cache.get(caching.VERSION_KEY) == version
        assert "Harbour inquiry opens" in client.get("/").text
        story.headline = "Harbour inquiry adjourns"
        story.save()
        assert caching.content_version() != version
        assert "Harbour inquiry adjourns" in client.get("/").text
        cache.clear()


@committed
def test_with_redis_a_process_keeps_pages_but_reads_the_version_every_time(
    client, story, django_assert_num_queries, redis_server
):
    redis = {
        "default": {
            "BACKEND": "clipdesk.publish.redis_cache.PooledRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"clipdesk-test-local-{datetime.datetime.now().timestamp()}",
        }
    }
    caching.local_pages.clear()
    with override_settings(CACHES=redis):
        first = client.get("/")
        version = caching.content_version()
        key = caching.page_key(first.wsgi_request, version)
        assert cache.get(key) is not None  # shared with the other processes
        cache.delete(key)  # gone from Redis: this process still has it
        with django_assert_num_queries(0):
            again = client.get("/")
        assert again.content == first.content and again["ETag"] == first["ETag"]

        caching.local_pages.clear()  # as another process, which has never seen the page
        client.get("/archive/")  # stored in Redis by this one
        caching.local_pages.clear()
        with django_assert_num_queries(0):
            assert client.get("/archive/").status_code == 200  # from Redis
        assert caching.local_pages.get(caching.page_key(first.wsgi_request, version)) is None

        story.headline = "Harbour inquiry adjourns"  # another process's edit: a new version
        story.save()
        assert "Harbour inquiry adjourns" in client.get("/").text
        assert "Harbour inquiry opens" not in client.get("/").text
        cache.clear()
    caching.local_pages.clear()


def test_local_pages_keep_the_recently_used_within_their_budget():
    pages = caching.LocalPages(budget_bytes=1000)
    page = lambda size: (200, b"x" * size, [])  # noqa: E731 - a frozen response, as stored
    pages.put("a", page(400))
    pages.put("b", page(400))
    assert pages.get("a") is not None  # "a" is now the more recently used
    pages.put("c", page(400))  # over budget: the least recently used goes
    assert pages.get("b") is None
    assert pages.get("a") is not None and pages.get("c") is not None
    pages.put("huge", page(1001))  # more than the whole budget: not kept, nothing evicted
    assert pages.get("huge") is None
    assert pages.get("a") is not None and pages.get("c") is not None


def _without_early_answer():
    from django.conf import settings

    stack = [m for m in settings.MIDDLEWARE if not m.endswith("CachedPageMiddleware")]
    return override_settings(MIDDLEWARE=stack)


@committed
def test_stored_pages_are_answered_before_the_session_middleware_with_the_same_headers(
    client, story
):
    """A hit skips the rest of the stack, and reads as the same response it would be when
    `public_page`, at the bottom of the stack, answers it."""
    for url in (*PUBLIC, story.get_absolute_url()):
        client.get(url)  # rendered and stored
        with _without_early_answer():
            full_stack = Client()  # a client loads the middleware at its first request
            reference = full_stack.get(url)
            reference_304 = full_stack.get(url, HTTP_IF_NONE_MATCH=reference["ETag"])
        early = client.get(url)
        early_304 = client.get(url, HTTP_IF_NONE_MATCH=reference["ETag"])
        assert hasattr(reference.wsgi_request, "session"), url  # went all the way down
        assert not hasattr(early.wsgi_request, "session"), url  # answered early
        assert early.status_code == 200 and early.content == reference.content, url
        assert dict(early.headers) == dict(reference.headers), url
        assert early_304.status_code == reference_304.status_code == 304, url
        assert dict(early_304.headers) == dict(reference_304.headers), url


@committed
def test_a_reader_with_a_session_and_a_post_go_down_the_whole_stack(client, story):
    client.get("/")  # stored
    client.cookies["sessionid"] = "not-a-session-of-anyone"
    with_cookie = client.get("/")
    assert with_cookie.status_code == 200
    assert hasattr(with_cookie.wsgi_request, "session")  # no early answer with a session
    del client.cookies["sessionid"]
    posted = client.post("/")
    assert posted.status_code == 405  # the view's own answer, not the stored page
