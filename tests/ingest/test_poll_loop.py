"""`clipdesk poll` as it runs beside the server: a round that fails as a whole (here, the
database locked by another program for longer than the poller waits) is logged, and polling
goes on with the next round instead of ending until someone restarts it."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

from clipdesk.demo.corpus_server import EXPECTED, CorpusServer
from tests.cli import clipdesk, started

FEED = "/harbour-gazette/feed.xml"


def test_a_failed_round_is_logged_and_the_next_one_polls(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url(FEED), "--kind", "feed")
        lock = sqlite3.connect(home / "clipdesk.sqlite3", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # no writer gets in until it ends
        poller = started(home, "poll", CLIPDESK_FETCH_ALLOW="127.0.0.1")
        errors: list[str] = []
        reader = threading.Thread(target=lambda: errors.extend(poller.stderr), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 60
            while not any("the round failed" in line for line in errors):
                assert time.monotonic() < deadline, "the poller never reported the failure"
                assert poller.poll() is None, f"the poller stopped: {''.join(errors)}"
                time.sleep(0.2)
            lock.execute("COMMIT")
            deadline = time.monotonic() + 30
            while True:
                stored = json.loads(clipdesk(home, "articles", "--json").stdout)
                if len(stored) == len(EXPECTED["by_feed"][FEED]):
                    break
                assert time.monotonic() < deadline, f"nothing stored: {''.join(errors)}"
                time.sleep(0.5)
            assert poller.poll() is None  # still polling
        finally:
            lock.close()
            poller.terminate()
            poller.wait(30)
    log = "".join(errors)
    assert "database is locked" in log
    assert log.count("the round failed") >= 1
