"""Politeness toward one site: robots.txt within the per-host limit, a server's Retry-After
within the bounds every wait keeps."""

from __future__ import annotations

import datetime
import threading
import time
from http import HTTPStatus

import pytest
from django.utils import timezone

from clipdesk.ingest import MAX_RETRY_AFTER_SECONDS, poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source
from tests.ingest.test_poll_failures import ARTICLE, feed
from tests.sources.conftest import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def test_robots_txt_is_asked_for_within_the_per_host_limit(server):
    in_flight, most = 0, 0
    lock = threading.Lock()

    def slow_robots(_request) -> Reply:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.3)
        with lock:
            in_flight -= 1
        return Reply(body=b"User-agent: *\nDisallow:\n")

    server.handle("/robots.txt", slow_robots)
    for n in range(8):  # eight feeds of one site, none known yet
        add_source(server.route(f"/feed-{n}.xml", feed()), kind="feed")

    summary = poll_sources(due_only=False, per_host=2)

    assert summary.polled == 8 and summary.failed == []
    assert most <= 2


def test_a_retry_after_past_a_day_waits_a_day(server):
    url = server.route("/busy.xml", b"", status=429, headers={"Retry-After": "10000000"})
    add_source(url, kind="feed")
    before = timezone.now()

    poll_sources(due_only=False)

    wait = Source.objects.get(url=url).next_check_at - before
    assert datetime.timedelta(hours=23) < wait
    assert wait <= datetime.timedelta(seconds=MAX_RETRY_AFTER_SECONDS + 60)


def test_a_feeds_ttl_still_sets_the_next_check_when_it_answers_304(server):
    body = feed().replace(b"<channel>", b"<channel><ttl>120</ttl>")
    url = server.conditional("/ttl.xml", body, etag='"v1"')
    add_source(url, kind="feed")

    waits = []
    for _ in range(2):  # a full answer, then a 304
        before = timezone.now()
        poll_sources(due_only=False)
        waits.append(Source.objects.get(url=url).next_check_at - before)

    assert all(
        datetime.timedelta(minutes=119) < wait < datetime.timedelta(minutes=121) for wait in waits
    )


def test_a_ttl_past_any_wait_is_kept_as_a_day():
    from clipdesk.sources.feeds import parse_feed

    body = feed().replace(b"<channel>", b"<channel><ttl>99999999999999</ttl>")
    assert parse_feed(body, "https://quay.example/feed.xml").ttl_minutes == 24 * 60


def test_an_unnamed_feed_is_named_as_it_names_itself_and_credits_its_pages_so(server):
    from clipdesk.articles.models import Article
    from tests.ingest.test_poll_failures import ARTICLE

    page = server.route("/ferry.html", ARTICLE, headers={"Content-Type": "text/html"})
    body = feed(page).replace(b"<title>Harbour news</title>", b"<title>Shore  Herald</title>")
    url = server.route("/feed.xml", body)
    add_source(url, kind="feed")

    poll_sources(due_only=False)

    assert Source.objects.get(url=url).name == "Shore Herald"
    assert Article.objects.get().outlet_name == "Shore Herald"  # not "127.0.0.1:PORT"


def test_an_unnamed_listing_page_added_as_a_page_is_named_as_it_names_its_site(server):
    """`source add URL --kind page` reads nothing when added, so the page named no outlet:
    its articles were credited to the host ("127.0.0.1:PORT") in posts' source lines."""
    from clipdesk.articles.models import Article
    from tests.ingest.test_poll_failures import ARTICLE

    address = "/2025/03/winter-ferry-timetable-changes.html"
    page = server.route(address, ARTICLE, headers={"Content-Type": "text/html"})
    listing = server.route(
        "/",
        f'<html><head><title>Shore  Herald</title></head><body><main><a href="{page}">Ferry'
        "</a></main></body></html>".encode(),
        headers={"Content-Type": "text/html"},
    )
    add_source(listing, kind="page")

    poll_sources(due_only=False)

    assert Source.objects.get(url=listing).name == "Shore Herald"
    assert Article.objects.get().outlet_name == "Shore Herald"
    Source.objects.filter(url=listing).update(name="Our name")  # an editor's name is kept
    poll_sources(due_only=False)
    assert Source.objects.get(url=listing).name == "Our name"


@pytest.mark.parametrize(
    ("status", "header", "value"),
    [
        (200, "Cache-Control", "max-age=" + "9" * 5000),  # past int()'s 4,300 digits
        (200, "Cache-Control", "max-age=\xb2"),  # "²": a digit to str.isdigit, not to int()
        (429, "Retry-After", "9" * 400),  # a float of it is infinity
        (503, "Retry-After", "\xb2"),
    ],
)
def test_a_servers_outlandish_wait_leaves_the_round_and_the_others_alone(
    server, status, header, value
):
    odd = server.route(
        "/odd.xml", feed() if status == 200 else b"", status=status, headers={header: value}
    )
    page = server.route("/ferry.html", ARTICLE, headers={"Content-Type": "text/html"})
    fine = server.route("/feed.xml", feed(page))
    add_source(odd, kind="feed")
    add_source(fine, kind="feed")
    before = timezone.now()

    summary = poll_sources(due_only=False)

    assert summary.polled == 2 and summary.articles_new == 1
    odd_source = Source.objects.get(url=odd)
    assert odd_source.next_check_at - before <= datetime.timedelta(seconds=86400 + 60)
    if status == 200:
        assert odd_source.last_error == "" and odd_source.last_success_at is not None
    else:
        assert (
            odd_source.last_error
            == f"fetcher: HTTP {status} {HTTPStatus(status).phrase} from {odd}"
        )


@pytest.mark.parametrize(
    "channel",
    [
        "<ttl>" + "9" * 5000 + "</ttl>",
        "<ttl>\u0662</ttl>",  # an Arabic-Indic two: a digit to str.isdigit
        "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>"
        + "9" * 5000
        + "</sy:updateFrequency>",
        "<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>\xb2</sy:updateFrequency>",
    ],
)
def test_a_feeds_outlandish_ttl_is_no_reason_to_refuse_the_feed(channel):
    from clipdesk.sources.feeds import parse_feed

    body = feed("https://quay.example/ferry").replace(
        b'<rss version="2.0">',
        b'<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">',
    )
    body = body.replace(b"<channel>", b"<channel>" + channel.encode())
    parsed = parse_feed(body, "https://quay.example/feed.xml")
    assert len(parsed.entries) == 1
    assert parsed.ttl_minutes is None or 1 <= parsed.ttl_minutes <= 24 * 60
