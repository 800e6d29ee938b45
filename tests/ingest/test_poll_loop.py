"""`clipdesk poll` as it runs beside the server: a round that fails as a whole (here, the
database locked by another program for longer than the poller waits) is logged, and polling
goes on with the next round instead of ending until someone restarts it."""

from __future__ import annotations

import sqlite3

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
