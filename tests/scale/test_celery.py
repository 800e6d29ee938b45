"""The ingest path as Celery tasks on real worker processes, a real broker and PostgreSQL.

The same service functions as `clipdesk poll` (ingest.py), so the workers must arrive at what
one in-process poll arrives at on SQLite; and since every task may be delivered twice (late
acknowledgement) or die with its worker, doing a task twice must store nothing twice.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from clipdesk.demo.corpus_server import EXPECTED, FEEDS
from clipdesk.sources.politeness import HostBusy, RedisHostLimiter
from tests.scale.conftest import (
    PausingHandler,
    Producer,
    RedisBroker,
    finish,
    matched_article_ids,
    read_outcome,
    settle,
    source_ids,
    tasks_in_log,
    wait_until,
    warc_records,
)

POLL_SOURCE = "clipdesk.sources.tasks.poll_source"
INGEST_ENTRY = "clipdesk.articles.tasks.ingest_entry"
GROUP_ARTICLE = "clipdesk.stories.tasks.group_article"


def test_without_a_broker_polling_imports_nothing_of_celery(reference):
    assert len(reference.outcome.articles) == EXPECTED["articles"]
    assert reference.celery_modules == []


def test_workers_and_two_schedulers_reach_what_poll_once_reaches_on_sqlite(
    reference, database, broker, cluster_for, tmp_path
):
    cluster = cluster_for(database, broker)
    PausingHandler.requests.clear()
    cluster.start("grouping", "worker", "--queues", "grouping")
    cluster.start("worker", "worker", "--concurrency", "2")
    # Two schedulers on purpose: claiming a source first means it is still polled once.
    cluster.start("scheduler-1", "scheduler", "--schedule", str(tmp_path / "beat-1"))
    cluster.start("scheduler-2", "scheduler", "--schedule", str(tmp_path / "beat-2"))

    outcome = finish(database, broker, cluster, reference.outcome)

    expected = reference.outcome
    assert outcome.articles == expected.articles
    assert outcome.matched == expected.matched
    assert outcome.stories == expected.stories
    assert outcome.matches == expected.matches
    assert outcome.snapshots == expected.snapshots == len(expected.articles)
    assert outcome.empty_stories == 0
    polls = {path: PausingHandler.requests[path] for path, _ in FEEDS}
    assert set(polls.values()) == {1}, polls


def test_every_task_delivered_twice_stores_nothing_twice(
    reference, database, redis_broker, cluster_for, corpus, tmp_path
):
    cluster = cluster_for(database, redis_broker)
    sources = source_ids(database)
    producer = Producer(redis_broker.url)

    def deliver_everything_twice() -> None:
        for source_id in sources.values():
            producer.send(POLL_SOURCE, source_id)
            producer.send(POLL_SOURCE, source_id)
        for feed, paths in EXPECTED["by_feed"].items():
            for path in paths:
                entry = {"url": corpus.url(path)}
                producer.send(INGEST_ENTRY, sources[corpus.url(feed)], entry)
                producer.send(INGEST_ENTRY, sources[corpus.url(feed)], entry)

    # Queued before any worker runs, so each pair is taken at once by two worker processes.
    deliver_everything_twice()
    cluster.start("grouping", "worker", "--queues", "grouping")
    cluster.start("worker", "worker", "--concurrency", "4")
    first = finish(database, redis_broker, cluster, reference.outcome)

    # And all of it again, once everything is stored: grouping too, twice per candidate.
    deliver_everything_twice()
    for article_id in matched_article_ids(database):
        producer.send(GROUP_ARTICLE, article_id, queue="grouping")
        producer.send(GROUP_ARTICLE, article_id, queue="grouping")
    producer.close()
    again = settle(database, redis_broker, cluster, timeout=30)

    assert again == first
    assert first.articles == reference.outcome.articles
    assert first.matched == reference.outcome.matched
    assert first.stories == reference.outcome.stories
    assert first.snapshots == len(first.articles) == warc_records(tmp_path / "home")
    assert first.members == len(first.matched) and first.empty_stories == 0


def test_a_worker_killed_mid_run_loses_nothing_and_doubles_nothing(
    reference, database, redis_broker, cluster_for, tmp_path
):
    cluster = cluster_for(database, redis_broker, CLIPDESK_FETCH_PER_HOST="4")
    PausingHandler.pause = 0.3  # article pages answer slowly: the kill lands mid-fetch
    try:
        cluster.start("grouping", "worker", "--queues", "grouping")
        cluster.start("doomed", "worker", "--concurrency", "2")
        cluster.start("scheduler", "scheduler", "--schedule", str(tmp_path / "beat"))

        def mid_run() -> bool:
            stored = len(read_outcome(database).articles)
            return stored >= 2 and redis_broker.unacked() > 0

        wait_until(mid_run, timeout=40, cluster=cluster, what="the first articles")
        cluster.kill("doomed")  # SIGKILL to its process group: pool children die with it
        at_kill = read_outcome(database)
        cluster.start("rescuer", "worker", "--concurrency", "2")
        outcome = finish(database, redis_broker, cluster, reference.outcome)
    finally:
        PausingHandler.pause = 0.0

    assert len(at_kill.articles) < EXPECTED["articles"]
    # What the killed worker had taken and not finished went to the other worker (the beat's
    # own ticks expire instead: the next tick replaces them).
    logs = tmp_path / "logs"
    taken = tasks_in_log(logs / "doomed.log", "received", skip=("poll_due_sources",))
    in_flight = taken - tasks_in_log(logs / "doomed.log", "succeeded")
    assert in_flight, "the kill was meant to land while the worker had tasks in hand"
    assert in_flight <= tasks_in_log(logs / "rescuer.log", "received")
    expected = reference.outcome
    assert outcome.articles == expected.articles
    assert outcome.matched == expected.matched
    assert outcome.stories == expected.stories
    assert outcome.snapshots == len(outcome.articles)
    assert outcome.members == len(outcome.matched) and outcome.empty_stories == 0


def test_the_shared_host_limit_holds_across_processes_and_outlives_a_dead_holder(redis_broker):
    import redis

    def limiter(**kwargs) -> RedisHostLimiter:  # one per worker process, each its own client
        kwargs.setdefault("lease_seconds", 1.0)
        return RedisHostLimiter(redis.Redis.from_url(redis_broker.url), 2, **kwargs)

    limiters = [limiter(max_wait=5) for _ in range(3)]
    guard, state = threading.Lock(), {"now": 0, "peak": 0}

    def fetch(n: int) -> None:
        with limiters[n % 3](f"http://news.example/{n}"):
            with guard:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.05)
            with guard:
                state["now"] -= 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fetch, range(16)))
    assert state["peak"] == 2

    # A worker killed while holding both slots never releases them; their leases run out.
    dead = limiter()
    held = [dead("http://news.example/x"), dead("http://news.example/y")]
    taken = time.monotonic()
    for slot in held:  # entered, never left (kept referenced: collecting one would leave it)
        slot.__enter__()
    with (
        pytest.raises(HostBusy, match=r"news\.example"),
        limiter(max_wait=0.3)("http://news.example/z"),
    ):
        pass
    with limiters[0]("http://news.example/z"):
        # Free once the dead holder's lease (1 s from when it took the slots) ran out: not
        # before, and not long after (max_wait is 5 s).
        freed = time.monotonic() - taken
    assert 0.9 < freed < 3.0


def test_an_entry_whose_host_has_no_free_slot_is_retried_until_it_is_stored(
    database, redis_broker, cluster_for, corpus, tmp_path
):
    """Every slot for the host held elsewhere longer than a task waits: the task retries
    later, and stores the article once the slot is free (it was reported failed, for good)."""
    import redis

    cluster = cluster_for(database, redis_broker, CLIPDESK_FETCH_PER_HOST="1")
    other = RedisHostLimiter(redis.Redis.from_url(redis_broker.url), 1, lease_seconds=13)
    held = other(corpus.base_url)
    held.__enter__()  # another worker's request, never released: its lease runs out
    feed, (path, *_) = next(iter(EXPECTED["by_feed"].items()))
    producer = Producer(redis_broker.url)
    producer.send(INGEST_ENTRY, source_ids(database)[corpus.url(feed)], {"url": corpus.url(path)})
    producer.close()
    cluster.start("worker", "worker", "--concurrency", "1")

    wait_until(
        lambda: len(read_outcome(database).articles) == 1,
        timeout=40,
        cluster=cluster,
        what="the article stored after the slot came free",
    )
    log = (tmp_path / "logs" / "worker.log").read_text(errors="replace")
    assert "Retry in" in log and "no free request slot" in log


# A worker whose pool process dies on one page (argv[1]) as the kernel's out-of-memory killer
# would kill it, mid-task; every other page it reads as usual. Then the worker command.
DIES_ON_PAGE = """
import os, signal, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
django.setup()
from clipdesk import ingest
from clipdesk.cli import main
fatal, read_entry = sys.argv[1], ingest.ingest_entry
def dies_on_page(source, entry, **kwargs):
    if entry.url == fatal:
        os.kill(os.getpid(), signal.SIGKILL)
    return read_entry(source, entry, **kwargs)
ingest.ingest_entry = dies_on_page
raise SystemExit(main(sys.argv[2:]))
"""


def test_deliveries_are_counted_per_task_and_attempt(redis_broker):
    import redis

    from clipdesk.celery import DELIVERIES_KEPT, count_delivery

    client = redis.Redis.from_url(redis_broker.url)
    assert [count_delivery(client, "task-a") for _ in range(3)] == [1, 2, 3]
    assert count_delivery(client, "task-b") == 1
    # A retry is a new attempt of the same task: counted from one again.
    assert count_delivery(client, "task-a", retries=1) == 1
    assert 0 < client.ttl("clipdesk:deliveries:task-a:0") <= DELIVERIES_KEPT


@pytest.fixture(params=["redis", "rabbitmq-alone"])
def counting_broker(request):
    """Redis, which counts deliveries itself; or RabbitMQ with no Redis, where the database
    counts them."""
    return request.getfixturevalue("redis_broker" if request.param == "redis" else "rabbitmq_alone")


def test_a_page_that_kills_its_worker_process_is_dropped_after_a_few_deliveries(
    database, counting_broker, cluster_for, corpus, tmp_path
):
    """Handed back each time its pool process died, the task went round for ever, killing a
    worker process each time (with RabbitMQ and no Redis, nothing counted its deliveries). It
    is dropped after MAX_DELIVERIES, said in the log, and its address is remembered as
    refused; the worker reads the other pages."""
    import psycopg

    from clipdesk.celery import MAX_DELIVERIES

    cluster = cluster_for(database, counting_broker)
    feed, (fatal_path, fine_path, *_) = next(iter(EXPECTED["by_feed"].items()))
    fatal, fine = corpus.url(fatal_path), corpus.url(fine_path)
    source_id = source_ids(database)[corpus.url(feed)]
    producer = Producer(counting_broker.url)
    producer.send(INGEST_ENTRY, source_id, {"url": fatal})
    producer.send(INGEST_ENTRY, source_id, {"url": fine})
    producer.close()
    cluster.start("worker", fatal, "worker", "--concurrency", "1", code=DIES_ON_PAGE)

    def refused() -> str | None:
        with psycopg.connect(database) as conn:
            row = conn.execute(
                "SELECT reason FROM articles_entryaddress WHERE url = %s", (fatal,)
            ).fetchone()
        return row[0] if row else None

    wait_until(
        lambda: refused() is not None and not counting_broker.pending(),
        timeout=60,
        cluster=cluster,
        what="the page that kills its worker dropped",
    )
    assert "worker process died" in refused()
    outcome = settle(database, counting_broker, cluster, timeout=30)
    assert len(outcome.articles) == 1  # the fine page
    log = (tmp_path / "logs" / "worker.log").read_text(errors="replace")
    received = [line for line in log.splitlines() if "ingest_entry[" in line and "received" in line]
    assert len(received) == MAX_DELIVERIES + 2  # the fatal task's deliveries, the fine page
    dropped = [line for line in log.splitlines() if "dropped" in line]
    assert len(dropped) == 1 and fatal in dropped[0], dropped
    with psycopg.connect(database) as conn:
        counted = sorted(r[0] for r in conn.execute("SELECT deliveries FROM sources_taskdelivery"))
    # Redis counts where there is one; without it, the database: the fine page once, the
    # fatal one each time it was delivered.
    assert counted == ([] if isinstance(counting_broker, RedisBroker) else [1, MAX_DELIVERIES + 1])


def test_the_watchlists_asked_for_in_the_admin_are_re_applied_by_a_worker(
    database, redis_broker, cluster_for, tmp_path
):
    """With a broker nothing runs `clipdesk poll`: the scheduler's look for due sources sends
    the job waiting to a worker (watch/tasks.py)."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO watch_rematchjob (requested_at, done, total, error, attempts) "
            "VALUES (now(), 0, 0, '', 0)"
        )
    cluster = cluster_for(database, redis_broker)
    cluster.start("worker", "worker", "--concurrency", "1")
    cluster.start("scheduler", "scheduler")

    def finished() -> tuple | None:
        with psycopg.connect(database) as conn:
            return conn.execute(
                "SELECT error, articles_changed FROM watch_rematchjob WHERE finished_at IS NOT NULL"
            ).fetchone()

    wait_until(lambda: finished() is not None, timeout=45, cluster=cluster, what="the job")
    assert finished() == ("", 0)
    log = (tmp_path / "logs" / "worker.log").read_text(errors="replace")
    assert re.search(r"Task clipdesk\.watch\.tasks\.rematch_requested\[[^]]+\] succeeded", log)
