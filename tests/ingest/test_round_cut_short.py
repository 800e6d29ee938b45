"""A poll that ends before its pages are stored (here the disk is full) loses no entry: the
sources' validators are saved only after their entries, so the next poll reads the feed in
full instead of being answered 304, and stores what is missing; and the sources it claimed
are due again at once, not after the claim's lease."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from clipdesk.demo.corpus_server import EXPECTED, CorpusServer
from clipdesk.ingest import claim_due_sources, release_claims
from clipdesk.sources.models import Source
from tests.cli import clipdesk
from tests.ingest.running_poller import running_poller

FEED = "/harbour-gazette/feed.xml"


def full_disk(home) -> list:
    """Today's snapshot file, and tomorrow's (the poll may begin past midnight), made places
    where every write fails: No space left on device."""
    now = datetime.datetime.now(datetime.UTC)
    warcs = []
    for when in (now, now + datetime.timedelta(days=1)):
        warc = home / "snapshots" / f"{when:%Y-%m-%d}.warc.gz"
        warc.parent.mkdir(parents=True, exist_ok=True)
        warc.symlink_to("/dev/full")
        warcs.append(warc)
    return warcs


def test_a_round_cut_short_by_a_full_disk_loses_no_entry(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init")
    env = {"CLIPDESK_FETCH_ALLOW": "127.0.0.1"}
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url(FEED), "--kind", "feed", **env)
        warcs = full_disk(home)

        failed = clipdesk(home, "poll", "--once", "--json", check=False, **env)
        assert failed.returncode == 1
        assert "Traceback" not in failed.stderr
        assert failed.stderr.strip() in {
            f"clipdesk poll: cannot write {warc} (No space left on device); free space on that "
            "disk (or raise the quota), then run the command again"
            for warc in warcs
        }
        assert json.loads(clipdesk(home, "articles", "--json").stdout) == []

        for warc in warcs:
            warc.unlink()  # space again
        summary = json.loads(clipdesk(home, "poll", "--once", "--json", **env).stdout)
    assert summary["not_modified"] == 0  # read in full, not answered 304
    expected = len(EXPECTED["by_feed"][FEED])
    assert summary["articles_new"] == expected
    stored = json.loads(clipdesk(home, "articles", "--json").stdout)
    assert len(stored) == expected and all(a["snapshot"] for a in stored)


def test_the_poller_beside_the_server_polls_a_round_cut_short_again_at_once(tmp_path):
    # The failed round had claimed its sources for a quarter of an hour; it gives them back,
    # so the next round, seconds later, reads them again.
    home = tmp_path / "home"
    clipdesk(home, "init")
    with CorpusServer() as corpus:
        clipdesk(home, "source", "add", corpus.url(FEED), "--kind", "feed")
        warcs = full_disk(home)
        with running_poller(home) as poller:
            poller.wait_for_failed_round()
            for warc in warcs:
                warc.unlink()  # space again
            expected = len(EXPECTED["by_feed"][FEED])
            assert len(poller.wait_for_articles(expected, timeout=45)) == expected
    assert "No space left on device" in poller.log


@pytest.mark.django_db
def test_released_claims_are_due_again_and_a_saved_source_keeps_its_next_check():
    now = timezone.now()
    due = now - datetime.timedelta(minutes=1)
    first, second = (
        Source.objects.create(url=f"https://news.example/{n}.xml", kind="feed", next_check_at=due)
        for n in range(2)
    )
    claimed = claim_due_sources(now=now)
    assert sorted(claimed) == sorted([first.pk, second.pk])
    assert claim_due_sources(now=now) == []  # leased: no second claim
    later = now + datetime.timedelta(minutes=30)
    Source.objects.filter(pk=second.pk).update(next_check_at=later)  # its round saved it

    release_claims(claimed, now)

    assert Source.objects.get(pk=first.pk).next_check_at == now
    assert Source.objects.get(pk=second.pk).next_check_at == later
    assert claim_due_sources(now=now) == [first.pk]
