"""A failed index update is kept and done later: the index catches up without a rebuild.

The tantivy engine is chosen on either database (the table of pending updates is what
differs), and its writer lock is held the way another process holds it during a rebuild.
"""

from __future__ import annotations

import datetime
import logging

import pytest
import tantivy
from django.db import connection, transaction

from clipdesk.articles.models import Article
from clipdesk.search import indexing
from clipdesk.search.backends import reset_backends, tantivy_backend
from clipdesk.search.models import PendingIndexUpdate
from clipdesk.search.service import search
from tests.search.conftest import make_article

pytestmark = pytest.mark.django_db(transaction=True)  # indexing runs when a write commits


@pytest.fixture(autouse=True)
def tantivy_engine(settings, search_home, monkeypatch):
    settings.CLIPDESK_SEARCH_ENGINE = "tantivy"
    monkeypatch.setattr(tantivy_backend, "WRITER_WAIT_S", 0.2)
    reset_backends()
    yield
    reset_backends()


def found(word: str) -> set[str]:
    return {result.title for result in search(word, type="article").results}


class HeldIndex:
    """The article index's writer lock, held as another process's writer holds it."""

    def __init__(self, home):
        self.index = tantivy.Index.open(str(home / "search-index" / "article"))

    def __enter__(self):
        self.writer = self.index.writer(heap_size=15_000_000, num_threads=1)
        return self

    def __exit__(self, *exc):
        self.writer.rollback()
        self.writer.wait_merging_threads()


def test_an_update_that_failed_is_kept_and_done_by_the_next_write(search_home, caplog):
    make_article("Harbour reopens", "The harbour reopened to ships on Monday.")
    assert found("harbour") == {"Harbour reopens"}

    with HeldIndex(search_home), caplog.at_level(logging.WARNING):
        late = make_article("Bridge closes", "The old bridge closed for repairs.")
    assert "search_index_busy" in caplog.text
    assert found("bridge") == set()
    assert list(PendingIndexUpdate.objects.values_list("kind", "object_id")) == [
        ("article", late.pk)
    ]

    make_article("Ferry returns", "A ferry returned to the island route.")
    assert found("bridge") == {"Bridge closes"}
    assert found("ferry") == {"Ferry returns"}
    assert not PendingIndexUpdate.objects.exists()


def test_a_batch_that_failed_is_kept_whole(search_home):
    make_article("First", "An opening article so that the index exists.")
    with HeldIndex(search_home), indexing.batched():
        titles = [f"Round {n}" for n in range(5)]
        for title in titles:
            make_article(title, f"{title} text about canals and locks.")
    assert PendingIndexUpdate.objects.count() == 5
    assert found("canals") == set()

    with indexing.batched():
        pass  # a poll round that stored nothing still retries what is pending
    assert found("canals") == set(titles)
    assert not PendingIndexUpdate.objects.exists()


def test_a_row_noted_again_while_it_is_retried_stays_pending(search_home):
    article = make_article("Tram line", "A tram line opened downtown.")
    noted = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
    PendingIndexUpdate.objects.create(kind="article", object_id=article.pk, noted_at=noted)
    retried = indexing._pending_updates()
    # Meanwhile another process's update of the same article failed too.
    indexing._keep_pending([("article", article.pk)])

    indexing._forget_pending(retried)
    assert PendingIndexUpdate.objects.filter(object_id=article.pk).exists()


def test_a_rebuild_clears_what_it_covered(search_home):
    article = make_article("Canal walk", "A walk along the canal.")
    PendingIndexUpdate.objects.create(
        kind="article",
        object_id=article.pk,
        noted_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
    )
    indexing.reindex_all()
    assert not PendingIndexUpdate.objects.exists()
    assert found("canal") == {"Canal walk"}


def test_pending_rows_of_rows_since_deleted_leave_the_index(search_home):
    article = make_article("Pier", "The pier was repainted.")
    assert found("pier") == {"Pier"}
    with HeldIndex(search_home), transaction.atomic():
        article.delete()
    assert PendingIndexUpdate.objects.exists()
    make_article("Lighthouse", "The lighthouse was repainted.")
    assert found("repainted") == {"Lighthouse"}


def test_the_admin_lists_pending_rows_and_indexes_them_on_request(search_home, admin_client):
    make_article("Opening", "An opening article so that the index exists.")
    with HeldIndex(search_home):
        late = make_article("Quay works", "Works on the quay begin.")
    page = admin_client.get("/admin/search/pendingindexupdate/")
    assert page.status_code == 200
    assert str(late.pk) in page.content.decode()

    def index_all_now():
        selected = [p.pk for p in PendingIndexUpdate.objects.all()]
        return admin_client.post(
            "/admin/search/pendingindexupdate/",
            {"action": "index_now", "_selected_action": selected},
            follow=True,
        ).content.decode()

    with HeldIndex(search_home):
        assert "could not be updated" in index_all_now()
    assert PendingIndexUpdate.objects.exists()

    assert "1 row(s) indexed" in index_all_now()
    assert found("quay") == {"Quay works"}
    assert not PendingIndexUpdate.objects.exists()


REFUSED_ID = 2**32 + 5  # does not fit the tantivy engine's sort key: it refuses the document
# While that article is stored, new rows would be given ids after it: the tests give theirs.
GIVEN_IDS = 1_000_000


def refused_article(title: str) -> Article:
    return make_article(title, f"{title}: harbour news.", pk=REFUSED_ID)


@pytest.fixture
def ids_restored():
    """Puts the article id sequence back after a test that stored ids this high: SQLite's
    would go on from them, and the tests after it be given ids that the engine refuses."""
    yield
    Article.objects.filter(pk__gte=GIVEN_IDS).delete()
    if connection.vendor == "sqlite":  # PostgreSQL's sequence does not follow explicit ids
        table = Article._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX(id), 0) FROM {table}) "  # noqa: S608
                "WHERE name = %s",
                [table],
            )


def test_a_document_the_engine_refuses_does_not_hold_back_its_batch(
    search_home, caplog, ids_restored
):
    make_article("Opening", "An opening article so that the index exists.")
    with indexing.batched():
        make_article("Tug one", "A tug left the harbour.")
        refused = refused_article("Tug two")
        make_article("Tug three", "Another tug left the harbour.", pk=GIVEN_IDS)
    assert found("tug") == {"Tug one", "Tug three"}
    assert list(PendingIndexUpdate.objects.values_list("object_id", flat=True)) == [refused.pk]
    assert f"search_index_failed kind=article id={refused.pk}" in caplog.text


def test_a_refused_document_is_given_up_only_while_others_are_indexed(
    search_home, caplog, ids_restored
):
    make_article("Opening", "An opening article so that the index exists.")
    refused = refused_article("Barge")
    for _ in range(indexing.MAX_ATTEMPTS + 2):
        with indexing.batched():
            pass  # nothing else indexed: a cause that may pass, not the row's fault
    assert PendingIndexUpdate.objects.get().attempts == 0

    for n in range(indexing.MAX_ATTEMPTS - 1):
        make_article(f"Buoy {n}", "A buoy was placed.", pk=GIVEN_IDS + 1 + n)
    assert PendingIndexUpdate.objects.get().attempts == indexing.MAX_ATTEMPTS - 1
    make_article("Last buoy", "The last buoy was placed.", pk=GIVEN_IDS)
    assert not PendingIndexUpdate.objects.exists()
    assert f"search_index_gave_up kind=article id={refused.pk}" in caplog.text
    assert len(found("buoy")) == indexing.MAX_ATTEMPTS


def test_pending_rows_are_told_apart_even_when_nothing_new_is_indexed(search_home, ids_restored):
    make_article("Opening", "An opening article so that the index exists.")
    with HeldIndex(search_home):
        waiting = make_article("Jetty", "A jetty was rebuilt.")
    refused = refused_article("Slipway")
    assert set(PendingIndexUpdate.objects.values_list("object_id", flat=True)) == {
        waiting.pk,
        refused.pk,
    }

    with indexing.batched():
        pass  # the two fail together; halved, one is indexed, so the other is to blame
    assert found("jetty") == {"Jetty"}
    assert list(PendingIndexUpdate.objects.values_list("object_id", "attempts")) == [
        (refused.pk, 1)
    ]


def test_failures_are_counted_for_many_rows_at_once(search_home):
    noted = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    PendingIndexUpdate.objects.bulk_create(
        PendingIndexUpdate(kind=kind, object_id=n, noted_at=noted)
        for kind in ("post", "article")
        for n in range(1, 1201)
    )
    indexing._count_failure({("article", n) for n in range(1, 1201)} | {("post", 7)})
    assert PendingIndexUpdate.objects.filter(attempts=1).count() == 1201
    assert PendingIndexUpdate.objects.get(kind="post", object_id=7).attempts == 1
    assert PendingIndexUpdate.objects.get(kind="post", object_id=8).attempts == 0
