"""The watchlists are matched before an article's write transaction opens, once per page.

On SQLite a write transaction holds the database's single write lock from its start, so
whatever runs inside it keeps every other writer (a second poller, an editor publishing)
waiting; matching the text needs no row, so it belongs before.
"""

from __future__ import annotations

import pytest
from django.db import connection

from clipdesk.articles.models import Article
from clipdesk.ingest import poll_sources
from clipdesk.sources.actions import add_source
from clipdesk.watch.models import Match
from clipdesk.watch.store import WatchMatcher, add_entity
from tests.ingest.test_poll_failures import ARTICLE, feed


@pytest.mark.django_db(transaction=True)
def test_matching_runs_outside_the_write_transaction_and_its_matches_are_stored(
    server, monkeypatch
):
    add_entity("Harbour authority", ["harbour authority"])
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages = [
        server.route("/ferry.html", ARTICLE, headers=html),
        server.route(
            "/fog.html",
            ARTICLE.replace(b"harbour authority", b"port office").replace(b"fog", b"mist"),
            headers=html,
        ),
    ]
    add_source(server.route("/feed.xml", feed(*pages)), kind="feed")
    in_transaction: list[bool] = []
    find = WatchMatcher.find

    def observed(self, headline: str, text: str):
        in_transaction.append(connection.in_atomic_block)
        return find(self, headline, text)

    monkeypatch.setattr(WatchMatcher, "find", observed)

    summary = poll_sources(due_only=False)

    assert (summary.articles_new, summary.articles_matched) == (2, 1)
    assert in_transaction == [False, False]  # each page once, neither under the write lock
    matched = Article.objects.get(url=pages[0])
    match = Match.objects.get()
    assert (match.article_id, match.alias, match.field) == (matched.pk, "harbour authority", "text")
    assert matched.text[match.start : match.end].lower() == "harbour authority"
