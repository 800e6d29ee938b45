"""Entry addresses as they are kept and found again: without a visitor's session, and with the
pending 404s that each poll round prunes found by an index rather than by reading the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from clipdesk.articles.canonical import canonical_url, entry_key, without_session
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
        # Escaped by a feed's generator (or an earlier canonical form): the same session.
        f"https://a.example/news/pier.html%3Bjsessionid={token}.node1": "/news/pier.html",
        f"https://a.example/news/pier.html%3bJSESSIONID={token}?id=5": "/news/pier.html?id=5",
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
        "https://a.example/a%3Bv=2/b",
    ]:
        assert without_session(url) == url


def test_cookieless_session_segments_are_dropped_and_parenthesised_names_kept():
    # ASP.NET's cookieless sessions: a path segment of one or more `Letter(value)` groups in
    # parentheses, as listed and as stored (percent-encoded by the canonical form).
    session = "lit3py55t21z5v55vlm25s55"
    sessions = {
        f"http://site.example/(S({session}))/news/item.aspx?id=4": "/news/item.aspx?id=4",
        f"http://site.example/(X(1)S({session}))/news/item.aspx?id=4": "/news/item.aspx?id=4",
        "http://site.example/(A(Zm9vYmFyLWFub24))/news/item.aspx?id=4": "/news/item.aspx?id=4",
        "http://site.example/(F(8A4C77E9FD01))/news/item.aspx?id=4": "/news/item.aspx?id=4",
        f"http://site.example/app/(S({session}))/news/": "/app/news/",
        f"http://site.example/%28S%28{session}%29%29/news/item.aspx?id=4": "/news/item.aspx?id=4",
        f"http://site.example/(S({session}))/": "/",
    }
    for url, kept in sessions.items():
        assert without_session(url) == "http://site.example" + kept, url
        assert canonical_url(url) == "http://site.example" + kept, url
    assert entry_key(f"http://site.example/(S({session}))/news/") == entry_key(
        "http://site.example/news"
    )
    # Parentheses that are part of a page's name, or hold more than letter groups, stay.
    for url in [
        "https://en.example/wiki/Mercury_(planet)",
        "https://en.example/wiki/(planet)",
        "https://en.example/files/(2024)/report",
        "https://en.example/list/(S)/a",
        "https://en.example/x/(S(a)b)/y",
        "https://en.example/x/(S(a))b/y",
    ]:
        assert without_session(url) == url
        assert canonical_url(url) == canonical_url(url.replace("(", "%28").replace(")", "%29"))
    assert canonical_url("https://en.example/wiki/Mercury_(planet)").endswith(
        "/wiki/Mercury_%28planet%29"
    )


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
