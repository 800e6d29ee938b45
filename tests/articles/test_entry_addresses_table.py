"""Entry addresses as they are kept and found again: without a visitor's session, and with the
pending 404s that each poll round prunes found by an index rather than by reading the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clipdesk.articles.canonical import canonical_url, without_session
from clipdesk.articles.models import EntryAddress

PENDING_INDEX = "0006_entry_addresses_pending_index"


def test_session_parameters_are_dropped_and_what_selects_the_page_is_kept():
    token = "0A1B2C3D4E5F60718293A4B5C6D7E8F9"
    sessions = {
        f"https://a.example/news/pier.html;jsessionid={token}.node1": "/news/pier.html",
        f"https://a.example/news/pier.html;JSESSIONID={token}?id=5": "/news/pier.html?id=5",
        f"https://a.example/story.php?PHPSESSID={token}&id=7": "/story.php?id=7",
        f"https://a.example/topic.php?t=3&sid={token.lower()}": "/topic.php?t=3",
        f"https://a.example/read.php?s={token}&p=42": "/read.php?p=42",
        "https://a.example/x?sessionid=9&session_id=9&sessid=9": "/x",
    }
    for url, kept in sessions.items():
        assert canonical_url(url) == "https://a.example" + kept, url
        assert without_session(url) == "https://a.example" + kept, url
    # These name the article (PHP-Nuke's story number, WordPress's search and post).
    for url in [
        "https://a.example/modules.php?name=News&sid=123",
        "https://a.example/?s=harbour",
        "https://a.example/?p=42",
        "https://a.example/view?story=ferry&id=123",
        "https://a.example/a;v=2/b",
    ]:
        assert without_session(url) == url


def _pending_index_columns() -> list[list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, EntryAddress._meta.db_table)
    return [c["columns"] for c in found.values() if c["index"] and not c["unique"]]


@pytest.mark.django_db(transaction=True)
def test_the_migration_indexes_the_columns_stale_404s_are_pruned_by():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("articles", "0005_entries_not_found_yet")])
        assert ["reason", "seen_at"] not in _pending_index_columns()
        executor.loader.build_graph()
        executor.migrate([("articles", PENDING_INDEX)])
        assert ["reason", "seen_at"] in _pending_index_columns()
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
