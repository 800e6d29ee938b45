"""A failing source keeps when its run of failures began, until a good read ends the run."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.utils import formats, timezone

from clipdesk.ingest import Poller, poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.sources.models import Source
from tests.sources.conftest import Reply, SeenRequest

TAG = '"harbour-1"'
FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title></channel></rss>'
)


class Feed:
    """A feed that answers 304 to the ETag it gives, or 503 while it is `down`."""

    def __init__(self) -> None:
        self.down = False

    def __call__(self, request: SeenRequest) -> Reply:
        if self.down:
            return Reply(503, b"down for maintenance")
        if request.headers.get("if-none-match") == TAG:
            return Reply(304, b"", {"ETag": TAG})
        return Reply(200, FEED, {"ETag": TAG, "Content-Type": "application/rss+xml"})


def source_list(*args: str) -> str:
    out = io.StringIO()
    call_command("source", "list", *args, stdout=out)
    return out.getvalue()


def an_hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_a_source_failing_again_keeps_when_its_failures_began(server):
    url = server.route("/feed.xml", b"down for maintenance", status=503)
    add_source(url, kind="feed")

    poll_sources(due_only=False)
    first = Source.objects.get()
    assert first.error_count == 1
    assert first.failing_since == first.last_checked_at

    began = an_hour_ago()  # as if the first failure were an hour back
    Source.objects.update(failing_since=began)
    poll_sources(due_only=False)

    again = Source.objects.get()
    assert again.error_count == 2 and "503" in again.last_error
    assert again.failing_since == began


@pytest.mark.django_db(transaction=True)
def test_a_good_read_ends_the_run(server):
    feed = Feed()
    feed.down = True
    add_source(server.handle("/feed.xml", feed), kind="feed")
    poll_sources(due_only=False)
    assert Source.objects.get().failing_since is not None

    feed.down = False
    summary = poll_sources(due_only=False)

    source = Source.objects.get()
    assert summary.failed == [] and summary.not_modified == 0
    assert (source.error_count, source.failing_since) == (0, None)


@pytest.mark.django_db(transaction=True)
def test_a_304_to_the_sources_validators_ends_the_run_too(server):
    """A 304 is a good read (the feed answered, unchanged), as it resets the error count;
    a 304 to a request without validators stays a failure (test_poll_failures)."""
    feed = Feed()
    add_source(server.handle("/feed.xml", feed), kind="feed")
    poll_sources(due_only=False)  # read in full: its ETag kept
    feed.down = True
    poll_sources(due_only=False)
    assert Source.objects.get().failing_since is not None

    feed.down = False
    summary = poll_sources(due_only=False)

    assert summary.not_modified == 1
    assert server.requests_for("/feed.xml")[-1].headers["if-none-match"] == TAG
    source = Source.objects.get()
    assert (source.error_count, source.last_error, source.failing_since) == (0, "", None)


@pytest.mark.django_db(transaction=True)
def test_the_start_of_the_run_is_written_beside_what_an_editor_changes_meanwhile(
    server, monkeypatch
):
    feed = Feed()
    feed.down = True
    source = add_source(server.handle("/feed.xml", feed), kind="feed", name="Harbor").source
    read_source = Poller.read_source

    def editor_renames_meanwhile(self, polled, *args, **kwargs):
        Source.objects.filter(pk=source.pk).update(name="Harbour Gazette")
        return read_source(self, polled, *args, **kwargs)

    monkeypatch.setattr(Poller, "read_source", editor_renames_meanwhile)

    poll_sources(due_only=False)
    failing = Source.objects.get()
    assert failing.name == "Harbour Gazette"
    assert failing.failing_since is not None and failing.error_count == 1

    feed.down = False
    Source.objects.update(name="Harbor")
    poll_sources(due_only=False)
    read = Source.objects.get()
    assert read.name == "Harbour Gazette" and read.failing_since is None


@pytest.mark.django_db(transaction=True)
def test_source_list_says_since_when_a_source_fails(server):
    failing = add_source(server.route("/down.xml", b"down", status=503), kind="feed").source
    add_source(server.route("/up.xml", FEED, headers={"Content-Type": "application/rss+xml"}))
    poll_sources(due_only=False)
    began = an_hour_ago()
    Source.objects.filter(pk=failing.pk).update(failing_since=began)

    lines = {line.split()[0]: line for line in source_list().splitlines()}
    shown = timezone.localtime(began).strftime("%Y-%m-%d %H:%M %Z")
    assert f"failing since {shown}" in lines[str(failing.pk)]
    assert "failing since" not in "".join(v for k, v in lines.items() if k != str(failing.pk))

    rows = {row["id"]: row for row in json.loads(source_list("--json"))}
    assert rows[failing.pk]["failing_since"] == began.isoformat()
    assert [row["failing_since"] for k, row in rows.items() if k != failing.pk] == [None]


@pytest.mark.django_db(transaction=True)
def test_the_admin_shows_since_when_a_source_fails_and_does_not_let_it_be_changed(
    server, admin_client
):
    add_source(server.route("/down.xml", b"down", status=503), kind="feed")
    poll_sources(due_only=False)
    source = Source.objects.get()
    shown = formats.localize(timezone.template_localtime(source.failing_since))

    listing = admin_client.get("/admin/sources/source/").content.decode()
    assert "Failing since" in listing and shown in listing
    page = admin_client.get(f"/admin/sources/source/{source.pk}/change/")
    assert "Failing since" in page.content.decode() and shown in page.content.decode()
    assert "failing_since" not in page.context["adminform"].form.fields
