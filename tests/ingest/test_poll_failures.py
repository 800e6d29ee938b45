"""A page that is fetched but cannot be read as an article is reported, and kept as evidence."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.utils import timezone

from clipdesk.articles.models import Article, EntryAddress, Snapshot
from clipdesk.ingest import (
    DOWNLOAD_AHEAD_PER_WORKER,
    NOT_FOUND_SPACING,
    NOT_FOUND_TRIES,
    PENDING_NOT_FOUND_KEPT,
    PageNotNow,
    Poller,
    StoreContext,
    entry_from_data,
    ingest_entry,
    poll_source,
    poll_sources,
)
from clipdesk.sources.actions import add_source
from clipdesk.sources.fetching import Fetcher, FetchPolicy
from clipdesk.sources.models import Source
from clipdesk.sources.politeness import HostBusy, host_of
from tests.sources.conftest import Reply, SeenRequest

ARTICLE = b"""<!doctype html><html lang="en"><head><title>Ferry timetable changes</title></head>
<body><article><h1>Ferry timetable changes</h1>
<p>The harbour authority moved the first winter crossing to a quarter past six, citing the
fog that has delayed the early boat on most mornings this month.</p>
<p>Commuters said the later start would cost them the connecting train, and asked the
council to add a second boat on weekdays until the spring timetable begins.</p>
</article></body></html>"""


def feed(*links: str) -> bytes:
    items = "".join(f"<item><title>{n}</title><link>{u}</link></item>" for n, u in enumerate(links))
    channel = f"<channel><title>Harbour news</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_page_is_reported_with_its_reason_and_its_snapshot_kept(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    good = server.route("/ferry.html", ARTICLE, headers=html)
    data = server.route("/api/item.html", b'{"id": 7, "title": "not a page"}', headers=html)
    add_source(server.route("/feed.xml", feed(good, data)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 1
    assert summary.pages_failed == [{"url": data, "reason": "extraction: JSON, not an HTML page"}]
    assert list(Article.objects.values_list("url", flat=True)) == [good]
    assert Snapshot.objects.filter(url=data).count() == 1


def page(n: int) -> bytes:
    """A distinct article: its number changes the text."""
    return ARTICLE.replace(b"quarter past six", f"quarter past six on pier {n}".encode())


@pytest.mark.django_db(transaction=True)
def test_pages_prepared_ahead_are_stored_in_feed_order_with_each_failure_reported(server):
    # More pages than are prepared ahead, with a copy, a missing page and an unreadable one
    # among them: the first copy wins, failures are reported in the feed's order.
    html = {"Content-Type": "text/html; charset=utf-8"}
    urls = [server.route(f"/p{n}.html", page(n), headers=html) for n in range(6)]
    copy = server.route("/copy-of-p1.html", page(1), headers=html)
    gone = server.route("/gone.html", b"", status=404)
    data = server.route("/api/item.html", b'{"id": 7}', headers=html)
    links = [urls[0], urls[1], copy, gone, urls[2], data, *urls[3:]]
    add_source(server.route("/feed.xml", feed(*links)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 6
    assert [f["url"] for f in summary.pages_failed] == [gone, data]
    assert set(Article.objects.values_list("url", flat=True)) == set(urls)
    assert Snapshot.objects.count() == 8  # every fetched page, the copy and the unreadable too


def feed_with_etag(server, path: str, body: bytes) -> str:
    """A feed that answers 304 to the ETag it gave; its URL."""
    tag = '"harbour-1"'

    def answer(request: SeenRequest) -> Reply:
        if request.headers.get("if-none-match") == tag:
            return Reply(304, b"", {"ETag": tag})
        return Reply(200, body, {"ETag": tag, "Content-Type": "application/rss+xml"})

    return server.handle(path, answer)


def feed_requests(server, path: str) -> list[SeenRequest]:
    return [r for r in server.requests if r.path == path]


@pytest.mark.django_db(transaction=True)
def test_a_page_that_fails_for_now_is_asked_for_again_next_round(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    steady = server.route("/steady.html", page(1), headers=html)
    answers = iter([Reply(503, b"busy", {"Retry-After": "1"})])
    flaky = server.handle("/flaky.html", lambda _r: next(answers, Reply(200, page(2), html)))
    add_source(feed_with_etag(server, "/feed.xml", feed(steady, flaky)), kind="feed")

    first = poll_sources(due_only=False)
    assert first.articles_new == 1
    assert [f["url"] for f in first.pages_failed] == [flaky]

    second = poll_sources(due_only=False)
    assert "if-none-match" not in feed_requests(server, "/feed.xml")[-1].headers
    assert second.articles_new == 1  # the page that failed, and only it
    assert set(Article.objects.values_list("url", flat=True)) == {steady, flaky}

    third = poll_sources(due_only=False)  # nothing failed last time: the feed answers 304
    assert third.not_modified == 1
    assert feed_requests(server, "/feed.xml")[-1].headers["if-none-match"] == '"harbour-1"'


@pytest.mark.django_db(transaction=True)
def test_an_empty_answer_is_asked_for_again_though_the_feed_has_not_changed(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    answers = iter([Reply(200, b"", html)])
    late = server.handle("/late.html", lambda _r: next(answers, Reply(200, page(2), html)))
    add_source(feed_with_etag(server, "/feed.xml", feed(late)), kind="feed")

    first = poll_sources(due_only=False)
    assert first.articles_new == 0 and [f["url"] for f in first.pages_failed] == [late]

    second = poll_sources(due_only=False)
    assert "if-none-match" not in feed_requests(server, "/feed.xml")[-1].headers
    assert second.articles_new == 1
    assert poll_sources(due_only=False).not_modified == 1


def counted_ago(url: str, spacing: datetime.timedelta = NOT_FOUND_SPACING) -> None:
    """As if the last counted 404 of the page was that long ago (tests do not wait)."""
    EntryAddress.objects.filter(url=url).update(seen_at=timezone.now() - spacing)


def failed(summary) -> list[str]:
    return [f["url"] for f in summary.pages_failed]


@pytest.mark.django_db(transaction=True)
def test_a_page_not_found_is_asked_for_again_a_few_times_then_no_more(server):
    """A feed may list a page a minute before it is published: its 404 kept the feed's
    validators, the feed answered 304 from then on, and the page was never asked for again.
    It is asked for NOT_FOUND_TRIES times in all, NOT_FOUND_SPACING apart; a dead link then
    no longer makes the feed be read in full, nor is it fetched again when the feed changes."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    steady = server.route("/steady.html", page(1), headers=html)
    gone = server.route("/gone.html", b"", status=404)
    add_source(feed_with_etag(server, "/feed.xml", feed(steady, gone)), kind="feed")

    rounds = []
    for _ in range(NOT_FOUND_TRIES + 1):
        rounds.append(poll_sources(due_only=False))
        counted_ago(gone)

    assert [failed(r) for r in rounds[:-1]] == [[gone]] * NOT_FOUND_TRIES
    assert rounds[-1].not_modified == 1 and rounds[-1].pages_failed == []
    assert len(server.requests_for("/gone.html")) == NOT_FOUND_TRIES
    assert len(server.requests_for("/steady.html")) == 1
    Source.objects.update(etag="")  # the feed is read in full: the dead link is not fetched
    assert poll_sources(due_only=False).pages_failed == []
    assert len(server.requests_for("/gone.html")) == NOT_FOUND_TRIES


@pytest.mark.django_db(transaction=True)
def test_a_page_not_found_has_its_tries_spaced_in_time_not_in_polls(server):
    """A source polled every minute used up its tries in three minutes, and a page listed
    a little longer before it was published was never stored. A 404 within
    NOT_FOUND_SPACING of the last one counted is asked for, but is not one more try."""
    gone = server.route("/late.html", b"", status=404)
    add_source(feed_with_etag(server, "/feed.xml", feed(gone)), kind="feed")

    for _ in range(NOT_FOUND_TRIES + 2):  # a poll a minute
        assert failed(poll_sources(due_only=False)) == [gone]
    assert EntryAddress.objects.get(url=gone).not_found == 1
    counted_ago(gone)
    for _ in range(NOT_FOUND_TRIES + 2):
        assert failed(poll_sources(due_only=False)) == [gone]
    assert EntryAddress.objects.get(url=gone).not_found == 2
    counted_ago(gone, NOT_FOUND_SPACING - datetime.timedelta(minutes=1))
    assert failed(poll_sources(due_only=False)) == [gone]
    assert len(server.requests_for("/late.html")) == 2 * (NOT_FOUND_TRIES + 2) + 1

    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/late.html", page(5), headers=html)  # published half an hour later
    assert poll_sources(due_only=False).articles_new == 1
    assert list(Article.objects.values_list("url", flat=True)) == [gone]
    assert not EntryAddress.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_entry_dropped_from_its_feed_while_not_found_yet_is_forgotten_in_time(server):
    """A page not found, then dropped from its feed before its tries were used up, kept its
    pending record in Entry addresses for ever; a round forgets those not counted for
    PENDING_NOT_FOUND_KEPT. Addresses remembered for good stay."""
    now = timezone.now()
    old = now - PENDING_NOT_FOUND_KEPT - datetime.timedelta(minutes=1)
    pending = EntryAddress.NOT_FOUND_YET
    EntryAddress.objects.create(url="http://a.example/dropped", reason=pending, seen_at=old)
    EntryAddress.objects.create(url="http://a.example/recent", reason=pending, seen_at=now)
    EntryAddress.objects.create(url="http://a.example/pdf", reason="no article", seen_at=old)
    add_source(server.route("/feed.xml", feed()), kind="feed")

    poll_sources(due_only=False)

    assert set(EntryAddress.objects.values_list("url", flat=True)) == {
        "http://a.example/recent",
        "http://a.example/pdf",
    }


@pytest.mark.django_db(transaction=True)
def test_the_schedulers_round_forgets_entries_not_found_yet_long_ago_too():
    from clipdesk.sources.tasks import poll_due_sources

    old = timezone.now() - PENDING_NOT_FOUND_KEPT - datetime.timedelta(minutes=1)
    pending = EntryAddress.NOT_FOUND_YET
    EntryAddress.objects.create(url="http://a.example/dropped", reason=pending, seen_at=old)

    assert poll_due_sources() == 0  # no source due: nothing handed to the broker

    assert not EntryAddress.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_page_published_after_its_feed_listed_it_is_stored(server):
    html = {"Content-Type": "text/html; charset=utf-8"}
    early = server.route("/early.html", b"", status=404)
    add_source(feed_with_etag(server, "/feed.xml", feed(early)), kind="feed")

    first = poll_sources(due_only=False)
    assert [f["url"] for f in first.pages_failed] == [early]
    server.route("/early.html", page(4), headers=html)  # published a minute later
    second = poll_sources(due_only=False)  # the feed has not changed

    assert second.articles_new == 1
    assert list(Article.objects.values_list("url", flat=True)) == [early]
    assert not EntryAddress.objects.exists()
    assert poll_sources(due_only=False).not_modified == 1


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_whose_page_is_not_found_has_its_source_read_in_full_again(server):
    """The broker's path: the source's state is saved before its entries' tasks run, so a
    404 clears the validators the source kept, and the next poll lists the entry again."""
    gone = server.route("/gone.html", b"", status=404)
    source = add_source(feed_with_etag(server, "/feed.xml", feed(gone)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')
    poller = Poller(Fetcher(FetchPolicy.from_env()))
    for tries in range(1, NOT_FOUND_TRIES + 2):
        assert ingest_entry(source, entry_from_data({"url": gone}), poller=poller) is None
        asked = len(server.requests_for("/gone.html"))
        assert asked == min(tries, NOT_FOUND_TRIES)
        left = tries < NOT_FOUND_TRIES  # the last try settles it: the validators are kept
        assert Source.objects.get(pk=source.pk).etag == ("" if left else '"harbour-1"')
        Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')
        counted_ago(gone)
    # A 404 within the spacing is not counted, and the validators are forgotten again.
    EntryAddress.objects.all().delete()
    for _ in range(NOT_FOUND_TRIES + 1):
        assert ingest_entry(source, entry_from_data({"url": gone}), poller=poller) is None
        assert Source.objects.get(pk=source.pk).etag == ""
        Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')
    assert EntryAddress.objects.get(url=gone).not_found == 1


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_whose_page_fails_for_now_is_told_to_try_again(server):
    """The broker's path (articles/tasks.py retries on PageNotNow): a 503 is for later, a 404
    is an answer."""
    busy = server.route("/busy.html", b"busy", status=503)
    gone = server.route("/gone.html", b"", status=404)
    poller = Poller(Fetcher(FetchPolicy.from_env()))
    with pytest.raises(PageNotNow, match="HTTP 503"):
        ingest_entry(None, entry_from_data({"url": busy}), poller=poller, group=None)
    assert ingest_entry(None, entry_from_data({"url": gone}), poller=poller, group=None) is None
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.route("/busy.html", page(3), headers=html)  # the server has recovered
    stored = ingest_entry(None, entry_from_data({"url": busy}), poller=poller, group=None)
    assert stored is not None and stored.article.url == busy


def page_requests(server) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/pier/")]


def test_a_round_downloads_a_bounded_number_of_pages_ahead_in_order(server):
    # A round holds only the pages downloaded ahead of the one being stored, however many
    # entries it has; they come in the feed's order, and a round cut short asks for no more.
    urls = [server.route(f"/pier/{n}.html", page(n)) for n in range(30)]
    entries = [entry_from_data({"url": url}) for url in urls]
    window = 2 * DOWNLOAD_AHEAD_PER_WORKER
    with Fetcher(FetchPolicy.from_env()) as fetcher:
        poller = Poller(fetcher, workers=2)

        pages = poller.download_ahead([(None, entry) for entry in entries])
        first = next(pages)
        assert first[1].url == urls[0]
        assert len(page_requests(server)) <= window
        pages.close()
        asked = len(page_requests(server))
        assert asked <= window

        pages = poller.download_ahead([(None, entry) for entry in entries])
        downloads = [download for _, download in pages]
    assert [d.url for d in downloads] == urls
    assert all(d.result is not None and d.result.status == 200 for d in downloads)
    assert len(page_requests(server)) == asked + len(urls)  # each page once


@pytest.mark.django_db(transaction=True)
def test_an_entry_on_a_host_no_registry_allows_fails_alone(server):
    # Reading such a host's name raised from inside the download pool and ended the round.
    html = {"Content-Type": "text/html; charset=utf-8"}
    good = server.route("/ferry.html", ARTICLE, headers=html)
    bad = "http://xn--ls8h.la/story.html"
    add_source(server.route("/feed.xml", feed(bad, good)), kind="feed")

    summary = poll_sources(due_only=False)

    assert summary.articles_new == 1
    assert summary.pages_failed == [
        {"url": bad, "reason": f"fetcher: not a URL that can be fetched: {bad}"}
    ]


@pytest.mark.django_db(transaction=True)
def test_a_site_that_does_not_answer_is_said_to_so_not_blamed_on_its_robots_txt(server):
    from tests.cli import free_port

    source = add_source(f"http://127.0.0.1:{free_port()}/feed.xml", kind="feed").source

    summary = poll_sources(due_only=False)

    (failure,) = summary.failed
    assert "robots.txt could not be read" in failure["reason"]
    assert "Connection refused" in failure["reason"]
    assert "disallowed" not in failure["reason"]
    source.refresh_from_db()
    assert source.last_error == failure["reason"]


@pytest.mark.django_db(transaction=True)
def test_a_page_refused_for_good_is_not_downloaded_again_when_its_feed_changes(server):
    """Over the size limit, or gone (410), a page is refused the same way every time: it
    was downloaded again, up to the limit, whenever its feed changed. A 404 is asked for
    again: a feed may list a page a moment before it is published."""
    huge = server.gzip_bomb("/huge.html")  # 16 MiB unpacked, over the 10 MB limit
    gone = server.route("/gone.html", b"", status=410)
    early = server.route("/early.html", b"", status=404)
    listed = [huge, gone, early]
    server.handle("/feed.xml", lambda _r: Reply(200, feed(*listed), {"Content-Type": "text/xml"}))
    add_source(server.url("/feed.xml"), kind="feed")

    first = poll_sources(due_only=False)
    assert sorted(f["url"] for f in first.pages_failed) == sorted(listed)
    server.route("/early.html", page(1), headers={"Content-Type": "text/html; charset=utf-8"})
    listed.append(server.route("/new.html", page(2), headers={"Content-Type": "text/html"}))

    second = poll_sources(due_only=False)  # the feed changed: a new entry

    assert second.articles_new == 2 and second.pages_failed == []
    asked = [r.path for r in server.requests]
    assert asked.count("/huge.html") == 1 and asked.count("/gone.html") == 1
    assert asked.count("/early.html") == 2


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_whose_page_is_refused_for_good_does_not_ask_again(server):
    huge = server.gzip_bomb("/huge.html")
    poller = Poller(Fetcher(FetchPolicy.from_env()))
    for _ in range(2):
        assert ingest_entry(None, entry_from_data({"url": huge}), poller=poller, group=None) is None
    assert [r.path for r in server.requests].count("/huge.html") == 1


@pytest.mark.django_db(transaction=True)
def test_a_feed_that_answers_304_to_a_plain_request_is_shown_as_failing(server):
    url = server.route("/feed.xml", status=304)
    add_source(url, kind="feed")

    summary = poll_sources(due_only=False)

    source = Source.objects.get(url=url)
    assert summary.not_modified == 0 and len(summary.failed) == 1
    assert source.last_success_at is None and source.error_count == 1
    assert source.last_error.startswith(f"fetcher: HTTP 304 Not Modified from {url}")


@pytest.mark.django_db(transaction=True)
def test_a_source_removed_or_changed_during_a_round_stays_as_the_editor_left_it(
    server, monkeypatch
):
    # `run` polls beside the editor: a source removed while its round was under way came back
    # when the round saved its state, and one renamed or disabled got its old values back.
    removed = add_source(server.route("/a.xml", feed()), kind="feed").source
    changed = add_source(server.route("/b.xml", feed()), kind="feed", name="Harbor").source
    read_source = Poller.read_source

    def editor_acts_meanwhile(self, source, *args, **kwargs):
        Source.objects.filter(pk=removed.pk).delete()
        Source.objects.filter(pk=changed.pk).update(name="Harbour Gazette", enabled=False)
        return read_source(self, source, *args, **kwargs)

    monkeypatch.setattr(Poller, "read_source", editor_acts_meanwhile)

    summary = poll_sources(due_only=False)

    assert summary.polled == 2
    assert list(Source.objects.values_list("pk", flat=True)) == [changed.pk]
    changed.refresh_from_db()
    assert (changed.name, changed.enabled, changed.format) == ("Harbour Gazette", False, "rss")
    assert changed.last_success_at is not None


class BusyLimiter:
    """A shared per-host limit whose slots never come free (every worker's taken)."""

    def __call__(self, url: str):
        raise HostBusy(f"politeness: no free request slot for {host_of(url)} within 10 s")

    def close(self) -> None:
        pass


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_that_finds_no_free_slot_for_its_host_is_told_to_try_again(server):
    """The broker's path: a host busy with other workers' requests is for later. The task
    was told the page failed for good (a traceback in the log, the entry never fetched while
    its feed answered 304) and never retried."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    url = server.route("/ferry.html", ARTICLE, headers=html)
    poller = Poller(Fetcher(FetchPolicy.from_env()), limit=BusyLimiter())
    with pytest.raises(PageNotNow, match="no free request slot"):
        ingest_entry(None, entry_from_data({"url": url}), poller=poller, group=None)
    assert server.requests_for("/ferry.html") == []

    source = add_source(server.route("/feed.xml", feed(url)), kind="feed").source
    with pytest.raises(HostBusy):  # the source's task retries too; the source is not blamed
        poll_source(source, poller=poller)
    source.refresh_from_db()
    assert source.error_count == 0 and source.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_a_page_whose_host_has_no_free_slot_is_asked_for_again_next_round(server, monkeypatch):
    html = {"Content-Type": "text/html; charset=utf-8"}
    url = server.route("/ferry.html", ARTICLE, headers=html)
    add_source(feed_with_etag(server, "/feed.xml", feed(url)), kind="feed")
    busy = BusyLimiter()

    class BusyForPages(BusyLimiter):
        """Busy for the article pages; the feed is read."""

        def __init__(self, per_host: int) -> None:
            self.per_host = per_host

        def __call__(self, url: str):
            return busy(url) if url.endswith(".html") else threading.Semaphore(self.per_host)

    def busy_for_pages(per_host: int, *, fetch_timeout: float):
        return BusyForPages(per_host)

    with monkeypatch.context() as patch:
        patch.setattr("clipdesk.ingest.host_limiter", busy_for_pages)
        first = poll_sources(due_only=False)
    assert [f["url"] for f in first.pages_failed] == [url]

    second = poll_sources(due_only=False)  # the feed has not changed
    assert "if-none-match" not in feed_requests(server, "/feed.xml")[-1].headers
    assert second.articles_new == 1


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_whose_page_answers_empty_has_its_source_read_in_full_again(server):
    """The broker's path, as in a round: an empty answer may pass (a page not filled in
    yet), so the validators its source saved before the task ran are forgotten."""
    html = {"Content-Type": "text/html; charset=utf-8"}
    late = server.route("/late.html", b"", headers=html)
    source = add_source(feed_with_etag(server, "/feed.xml", feed(late)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')
    poller = Poller(Fetcher(FetchPolicy.from_env()))

    assert ingest_entry(source, entry_from_data({"url": late}), poller=poller) is None

    assert Source.objects.get(pk=source.pk).etag == ""
    assert not EntryAddress.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_whose_page_is_no_article_keeps_its_source_validators(server):
    data = server.route("/item.html", b'{"id": 7}', headers={"Content-Type": "text/html"})
    source = add_source(feed_with_etag(server, "/feed.xml", feed(data)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')
    poller = Poller(Fetcher(FetchPolicy.from_env()))

    assert ingest_entry(source, entry_from_data({"url": data}), poller=poller) is None

    assert Source.objects.get(pk=source.pk).etag == '"harbour-1"'  # remembered instead
    assert EntryAddress.objects.filter(url=data).exists()


@pytest.mark.django_db(transaction=True)
def test_a_source_deleted_while_it_is_polled_stays_deleted(server):
    """Saving the polled source's state wrote its row back: a source deleted in the admin
    while its task fetched it (or during a round) came back, with its old address."""
    url = server.route("/ferry.html", ARTICLE, headers={"Content-Type": "text/html"})
    source = add_source(server.route("/feed.xml", feed(url)), kind="feed").source
    Source.objects.filter(pk=source.pk).delete()

    poller = Poller(Fetcher(FetchPolicy.from_env()))
    assert poll_source(source, poller=poller, hand_off=lambda _entries: None) != []

    assert not Source.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_what_an_editor_changes_while_a_source_is_polled_is_kept(server):
    url = server.route("/ferry.html", ARTICLE, headers={"Content-Type": "text/html"})
    source = add_source(server.route("/feed.xml", feed(url)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(enabled=False, name="Harbour desk")

    poll_source(source, poller=Poller(Fetcher(FetchPolicy.from_env())))

    kept = Source.objects.get(pk=source.pk)
    assert not kept.enabled and kept.name == "Harbour desk"
    assert kept.last_success_at is not None and kept.format == "rss"


@pytest.mark.django_db(transaction=True)
def test_a_source_deleted_during_a_round_stays_deleted(server, monkeypatch):
    url = server.route("/ferry.html", ARTICLE, headers={"Content-Type": "text/html"})
    add_source(server.route("/feed.xml", feed(url)), kind="feed")
    load = StoreContext.load

    def delete_then_load():  # between reading the sources and storing their pages
        Source.objects.all().delete()
        return load()

    monkeypatch.setattr(StoreContext, "load", delete_then_load)
    summary = poll_sources(due_only=False)

    assert summary.articles_new == 0 and summary.failed == []  # its entries went with it
    assert not Source.objects.exists() and not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_out_of_retries_has_its_source_read_in_full_again(server):
    """The broker's path: a page that fails for now on every try (a site down longer than
    the retries last) is asked for again through its feed, which the source's validators
    would keep answering 304."""
    from clipdesk.articles.tasks import ingest_entry as ingest_entry_task

    busy = server.route("/busy.html", b"busy", status=503)
    source = add_source(feed_with_etag(server, "/feed.xml", feed(busy)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(etag='"harbour-1"')

    # Run by Celery itself, in this process, as a worker runs the task's last try.
    last = ingest_entry_task.apply(
        args=(source.pk, {"url": busy}), retries=ingest_entry_task.max_retries
    )

    assert last.state == "FAILURE" and isinstance(last.result, PageNotNow)
    assert len(server.requests_for("/busy.html")) == 1
    assert Source.objects.get(pk=source.pk).etag == ""


@pytest.mark.django_db(transaction=True)
def test_an_entry_task_of_a_source_disabled_since_it_was_polled_fetches_nothing(server):
    from clipdesk.articles.tasks import ingest_entry as ingest_entry_task

    html = {"Content-Type": "text/html; charset=utf-8"}
    story = server.route("/pier/story.html", page(1), headers=html)
    source = add_source(server.route("/feed.xml", feed(story)), kind="feed").source
    Source.objects.filter(pk=source.pk).update(enabled=False)

    ingest_entry_task.apply(args=(source.pk, {"url": story}))

    assert page_requests(server) == [] and not Article.objects.exists()
