"""The PostgreSQL engine on a large archive: sampled totals and facets past its exact limit,
a ranking window, phrases through the pair index, and a rebuild that swaps tables.

These run on a real PostgreSQL server only (the tantivy engine has no such path). The limits
are set low, so a few thousand rows take the path that 1M documents take with the defaults;
the bounded answers are checked against the exact answers of the same rows.
"""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from clipdesk.search.backends import IndexDoc, Plan
from clipdesk.search.query import AnyOf, Phrase, Term
from clipdesk.search.service import about, search
from tests.factories import make_post

pytestmark = [pytest.mark.django_db, pytest.mark.postgres_engine]

DAY = datetime.date(2020, 1, 1).toordinal()


@pytest.fixture
def postgres(db):
    assert connection.vendor == "postgresql", "collected only when DATABASE_URL is PostgreSQL"
    from clipdesk.search.backends.postgres import PostgresBackend

    return PostgresBackend


def doc(object_id: int, title: str, body: str, outlet: int) -> IndexDoc:
    return IndexDoc(
        kind="post",
        object_id=object_id,
        title=tuple(title.split()),
        body=tuple(body.split()),
        date=datetime.date.fromordinal(DAY + object_id % 1500),
        outlets=(outlet,),
    )


@pytest.fixture
def archive(postgres):
    """3,000 documents that all say "common"; "rare" in 30; "alpha beta" side by side in 5."""
    docs = []
    for i in range(1, 3001):
        title = "common headline" if i % 7 == 0 else f"story {i}"
        body = "alpha filler beta common filler " + "filler " * (i % 13)
        if i % 100 == 0:
            body += " rare"
        if i % 600 == 0:
            body += " alpha beta"
        docs.append(doc(i, title, body, outlet=1 + i % 3))
    exact = postgres(exact_limit=10**9)
    exact.upsert(docs)
    with connection.cursor() as cursor:
        # The planner's estimate decides which path a query takes; it needs statistics.
        cursor.execute("ANALYZE search_document")
    return exact


def test_a_large_result_is_counted_on_a_sample_and_says_so(postgres, archive):
    bounded = postgres(exact_limit=100, rank_window=60, sample_target=300)
    plan = Plan(kind="post", include=(Term("common"),))
    found = bounded.search(plan)
    truth = archive.search(plan)
    assert truth.total == 3000 and not truth.total_is_estimate
    assert found.total_is_estimate and found.facets_estimated
    assert 2400 <= found.total <= 3600
    for outlet, count in truth.facets["outlet"].items():
        assert abs(found.facets["outlet"][outlet] - count) <= 0.25 * count
    # The page is the exact ranking of the window, and the window holds the newest matches.
    assert found.ranked_since is not None
    window = archive.search(Plan(kind="post", include=plan.include, date_from=found.ranked_since))
    assert found.ids == window.ids
    assert window.total >= 60 / 2


def test_sorting_a_large_result_by_date_stays_exact(postgres, archive):
    bounded = postgres(exact_limit=100, rank_window=60, sample_target=300)
    for offset in (0, 40, 400):  # 400: deeper than the window, the page is read without it
        plan = Plan(kind="post", include=(Term("common"),), sort="date", offset=offset)
        found = bounded.search(plan)
        assert found.ids == archive.search(plan).ids
        assert found.ranked_since is None


def test_only_filters_on_a_large_result(postgres, archive):
    bounded = postgres(exact_limit=100, rank_window=60, sample_target=300)
    plan = Plan(kind="post", outlets=frozenset({2}))
    found = bounded.search(plan)
    assert found.ids == archive.search(plan).ids
    assert found.total_is_estimate and 700 <= found.total <= 1300


def test_small_results_stay_exact(postgres, archive):
    bounded = postgres(exact_limit=100, rank_window=60, sample_target=300)
    found = bounded.search(Plan(kind="post", include=(Term("rare"),)))
    assert found.total == 30
    assert not (found.total_is_estimate or found.facets_estimated or found.ranked_since)


def test_an_overestimate_falls_back_to_the_exact_answer(postgres, archive):
    # The planner estimates a phrase like its words together (every document); the sample
    # finds it rare, so the answer is exact after all.
    bounded = postgres(exact_limit=100, rank_window=60, sample_target=300)
    plan = Plan(kind="post", include=(Phrase(("alpha", "beta")),))
    found = bounded.search(plan)
    assert found.total == 5 and not found.total_is_estimate
    assert found.ids == archive.search(plan).ids


@pytest.mark.parametrize(
    "node",
    [
        Phrase(("alpha", "beta")),
        Phrase(("rare", "alpha", "beta")),
        Phrase(("rare", "alpha", "be"), prefix=True),
        AnyOf((Phrase(("rare", "alpha")), Phrase(("nowhere", "else")))),
    ],
)
def test_phrases_found_through_their_pairs(postgres, archive, node):
    # Every document has "alpha" and "beta" apart; these five have them side by side too.
    found = archive.search(Plan(kind="post", include=(node,)))
    assert sorted(found.ids) == [600, 1200, 1800, 2400, 3000] and found.total == 5


def test_the_page_the_api_and_the_command_say_about(postgres, settings, client):
    settings.CLIPDESK_SEARCH_POSTGRES_LIMITS = {
        "exact_limit": 20,
        "rank_window": 40,
        "sample_target": 30,
    }
    for day in range(150):
        make_post(f"Briefing {day}", posted_on=datetime.date(2022, 1, 1) + datetime.timedelta(day))
    from clipdesk.search.indexing import reindex_all

    reindex_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
    found = search("briefing")
    assert found.total_is_estimate and found.facets_estimated
    assert found.total == about(found.total) and 100 <= found.total <= 200
    assert found.ranked_since and "ranked among the newest" in found.message
    payload = client.get("/api/search", {"q": "briefing"}).json()
    assert payload["total_is_estimate"] is True
    assert payload["ranked_since"] == found.ranked_since
    html = client.get("/search/", {"q": "briefing"}).content.decode()
    assert f"about {found.total} posts" in html
    assert client.get("/api/search", {"q": "briefing 7"}).json()["total_is_estimate"] is False
    out = StringIO()
    call_command("search", "briefing", stdout=out)
    assert f"about {found.total} post(s)" in out.getvalue()
    out = StringIO()
    call_command("search", "briefing", "--json", stdout=out)
    assert json.loads(out.getvalue())["total_is_estimate"] is True


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (99, 99), (312_417, 310_000), (1_000_000, 1_000_000), (9_960, 10_000)],
)
def test_about_keeps_two_significant_digits(count, shown):
    assert about(count) == shown


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_document' "
            "ORDER BY indexname"
        )
        return cursor.fetchall()


def test_a_rebuild_swaps_in_a_table_with_the_same_indexes(postgres, archive):
    before = _indexes()
    assert {"search_document_pkey", "search_document_pairs"} <= {name for name, _ in before}
    docs = [doc(i, "fresh headline", "new text common", outlet=1) for i in range(1, 51)]
    assert archive.rebuild(iter(docs), len(docs), None) == 50
    assert _indexes() == before
    assert archive.search(Plan(kind="post", include=(Term("fresh"),))).total == 50
    assert archive.search(Plan(kind="post", include=(Term("rare"),))).total == 0
    # The primary key is back: writing a document twice replaces it.
    archive.upsert([doc(7, "changed", "text", outlet=2)])
    assert archive.search(Plan(kind="post", include=(Term("fresh"),))).total == 49
