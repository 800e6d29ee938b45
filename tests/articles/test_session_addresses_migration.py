"""Articles stored before sessions were dropped from canonical addresses keep a session in
theirs (`%3Bjsessionid=`, `?PHPSESSID=`, a cookieless `/(S(...))/` segment), so the page
listed again is not found under it and is stored once more: the migration rewrites them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("articles", "0006_entry_addresses_pending_index")
REWRITE = ("articles", "0007_canonical_addresses_without_sessions")
TOKEN = "0A1B2C3D4E5F60718293A4B5C6D7E8F9"

# As stored by the canonical form of the time, and as they are once rewritten.
REWRITTEN = {
    f"https://a.example/news/pier.html%3Bjsessionid={TOKEN}.node1": (
        "https://a.example/news/pier.html"
    ),
    f"https://a.example/news/quay.html%3BJSESSIONID={TOKEN}?id=5": (
        "https://a.example/news/quay.html?id=5"
    ),
    "https://a.example/a%3Bv=2%3Bjsessionid=9/b": "https://a.example/a%3Bv=2/b",
    f"https://a.example/story.php?PHPSESSID={TOKEN}&id=7": "https://a.example/story.php?id=7",
    f"https://a.example/topic.php?t=3&sid={TOKEN.lower()}": "https://a.example/topic.php?t=3",
    f"https://a.example/read.php?s={TOKEN}": "https://a.example/read.php",
    "http://site.example/%28S%28lit3py55t21z5v55vlm25s55%29%29/news/item.aspx?id=4": (
        "http://site.example/news/item.aspx?id=4"
    ),
    "http://site.example/%28X%281%29S%28lit3py55t21z5v55vlm25s55%29%29/": ("http://site.example/"),
}
# What names the page, not a session: left as it is.
UNTOUCHED = [
    "https://a.example/ferry.html",
    "https://a.example/modules.php?name=News&sid=123",
    "https://a.example/?s=harbour",
    "https://en.example/wiki/Mercury_%28planet%29",
    "https://en.example/list/%28S%29/a",
]
# Its address without the session is another article's: it stays as it is.
COLLIDING = f"https://a.example/ferry.html%3Bjsessionid={TOKEN}"
# Two spellings of one page, both stored: the older takes the address, the other stays.
TWINS = [
    f"https://a.example/dock.html%3Bjsessionid={TOKEN}",
    "https://a.example/dock.html%3Bjsessionid=F00D",
]


def _migrate(executor: MigrationExecutor, target: tuple[str, str]):
    """Migrate to `target`; the Article model as it is there."""
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state(target).apps.get_model("articles", "Article")


def _canonical_by_url(article_model) -> dict[str, str]:
    return dict(article_model.objects.values_list("url", "canonical_url"))


def test_canonical_addresses_lose_their_session_unless_another_article_has_that_address():
    executor = MigrationExecutor(connection)
    try:
        article_model = _migrate(executor, BEFORE)
        stored = [*REWRITTEN, *UNTOUCHED, COLLIDING, *TWINS]
        for n, address in enumerate(stored):
            # `url` is the address as fetched: the migration leaves it as it is.
            article_model.objects.create(
                url=address, canonical_url=address, text_sha256=f"{n:064x}"
            )

        article_model = _migrate(executor, REWRITE)
        after = _canonical_by_url(article_model)
        assert {url: after[url] for url in REWRITTEN} == REWRITTEN
        assert {url: after[url] for url in UNTOUCHED} == {url: url for url in UNTOUCHED}
        assert after[COLLIDING] == COLLIDING
        assert [after[url] for url in TWINS] == ["https://a.example/dock.html", TWINS[1]]
        assert article_model.objects.count() == len(stored)

        # Back is a no-op: the session is not put back, and nothing fails.
        article_model = _migrate(executor, BEFORE)
        assert _canonical_by_url(article_model) == after
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
