"""A poll that ends before its pages are stored (here the disk is full) loses no entry: the
sources' validators are saved only after their entries, so the next poll reads the feed in
full instead of being answered 304, and stores what is missing."""

from __future__ import annotations

import datetime
import json

from clipdesk.demo.corpus_server import EXPECTED, CorpusServer
from tests.cli import clipdesk

FEED = "/harbour-gazette/feed.xml"


def test_a_round_cut_short_by_a_full_disk_loses_no_entry(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    env = {"CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url(FEED), "--kind", "feed", **env)
        day = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
        warc = home / "snapshots" / f"{day}.warc.gz"
        warc.parent.mkdir(parents=True, exist_ok=True)
        warc.symlink_to("/dev/full")  # every write there fails: No space left on device

        failed = clipdesk(home, "poll", "--once", "--json", check=False, **env)
        assert failed.returncode == 1
        assert "Traceback" not in failed.stderr
        assert failed.stderr.strip() == (
            f"clipdesk poll: cannot write {warc} (No space left on device)"
        )
        assert json.loads(clipdesk(home, "articles", "--json").stdout) == []

        warc.unlink()  # space again
        summary = json.loads(clipdesk(home, "poll", "--once", "--json", **env).stdout)
    assert summary["not_modified"] == 0  # read in full, not answered 304
    expected = len(EXPECTED["by_feed"][FEED])
    assert summary["articles_new"] == expected
    stored = json.loads(clipdesk(home, "articles", "--json").stdout)
    assert len(stored) == expected and all(a["snapshot"] for a in stored)
