"""`clipdesk poll` as it runs beside the server: a round that fails as a whole (here, the
database locked by another program for longer than the poller waits) is logged, and polling
goes on with the next round instead of ending until someone restarts it."""

from __future__ import annotations

import sqlite3

import pytest

from clipdesk.demo.corpus_server import EXPECTED, CorpusServer
from tests.cli import clipdesk
from tests.ingest.running_poller import running_poller

FEED = "/harbour-gazette/feed.xml"


def test_a_failed_round_is_logged_and_the_next_one_polls(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url(FEED), "--kind", "feed")
        lock = sqlite3.connect(home / "clipdesk.sqlite3", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # no writer gets in until it ends
        try:
            with running_poller(home) as poller:
                poller.wait_for_failed_round()
                lock.execute("COMMIT")
                expected = len(EXPECTED["by_feed"][FEED])
                assert len(poller.wait_for_articles(expected, timeout=30)) == expected
                assert poller.process.poll() is None  # still polling
        finally:
            lock.close()
    log = poller.log
    assert "database is locked" in log
    assert log.count("the round failed") >= 1


@pytest.mark.django_db
def test_a_poller_of_one_shard_sleeps_until_its_own_next_source():
    from datetime import timedelta

    from django.utils import timezone

    from clipdesk.sources.management.commands.poll import MAX_SLEEP, _seconds_to_next_due
    from clipdesk.sources.models import Source

    now = timezone.now()
    due = Source.objects.create(url="https://a.example/feed", next_check_at=now)
    later = Source.objects.create(url="https://b.example/feed", next_check_at=now + timedelta(30))
    own = (later.pk % 2, 2)
    assert due.pk % 2 != own[0]  # the due source is the other shard's
    assert _seconds_to_next_due(own) == MAX_SLEEP  # its own is a month away: sleep long
    assert _seconds_to_next_due((due.pk % 2, 2)) <= 5
    assert MAX_SLEEP <= 60  # a source added meanwhile waits a minute at most
