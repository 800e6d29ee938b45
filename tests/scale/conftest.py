"""Real workers on a real broker and PostgreSQL, against the demo corpus over loopback.

Nothing here uses pytest-django's database: the workers are other processes, so each test
gets a PostgreSQL database of its own (copied from a template made once with `clipdesk init`),
its own instance home and a clean broker, and reads the outcome with plain SQL.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from clipdesk.demo import corpus_server
from clipdesk.demo.corpus_server import CorpusServer
from tests.conftest import require_service, skip_or_fail

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
# A database of this run's own (emptied before and after each test), or the one given.
REDIS_URL = os.environ.get("CLIPDESK_TEST_REDIS_URL") or (
    f"redis://127.0.0.1:6379/{10 + os.getpid() % 6}"
)
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
DB_PREFIX = f"clipdesk_celery_test_{os.getpid()}"
# Modules an instance without a broker must never import. (Not redis: other installed
# packages may import it whatever the configuration.)
CELERY_MODULES = {"celery", "kombu", "billiard", "amqp", "vine"}

# Run in a subprocess: `clipdesk init`, then the corpus's sources and the watchlist (one
# process instead of three: each start costs seconds).
ADD_CORPUS = """
import json, os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
django.setup()
from django.core.management import call_command
call_command("init")
from clipdesk.demo.corpus_server import FEEDS, WATCHLIST
from clipdesk.sources.actions import add_source
from clipdesk.watch.store import add_entity
for path, kind in FEEDS:
    add_source(sys.argv[1] + path, kind=kind)
for name, aliases in WATCHLIST.items():
    add_entity(name, aliases)
if len(sys.argv) > 2:  # the reference: poll in this process, then say what it imported
    call_command("poll", "--once", "--json")
    loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
    print(json.dumps({"celery_modules": loaded}))
"""


class PausingHandler(corpus_server._Handler):
    """The corpus handler, counting requests and, when asked, slow to answer article pages."""

    pause = 0.0
    requests: Counter = Counter()

    def do_GET(self) -> None:
        PausingHandler.requests[self.path] += 1
        if self.pause and not self.path.endswith((".txt", ".xml", ".json")):
            time.sleep(self.pause)
        super().do_GET()


@pytest.fixture(scope="session")
def corpus() -> Iterator[CorpusServer]:
    patch = pytest.MonkeyPatch()
    patch.setattr(corpus_server, "_Handler", PausingHandler)  # read once, by start()
    try:
        server = CorpusServer().start()
    finally:
        patch.undo()
    yield server
    server.stop()


def clipdesk_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLIPDESK_", "CELERY_"))
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(CLIPDESK_FETCH_ALLOW="127.0.0.1", CLIPDESK_LOG_LEVEL="INFO", **extra)
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise AssertionError(
            f"{args[:3]} exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


# -- the outcome, read with SQL -----------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    articles: frozenset[str]  # canonical URLs
    matched: frozenset[str]
    stories: frozenset[frozenset[str]]  # each story as its articles' canonical URLs
    snapshots: int
    members: int
    matches: int
    empty_stories: int

    @classmethod
    def read(cls, conn) -> Outcome:
        def rows(sql: str) -> list[tuple]:
            return list(conn.execute(sql).fetchall())

        grouped: dict[int, set[str]] = {}
        for story, url in rows(
            "SELECT m.story_id, a.canonical_url FROM stories_storymember m "
            "JOIN articles_article a ON a.id = m.article_id"
        ):
            grouped.setdefault(story, set()).add(url)
        return cls(
            articles=frozenset(r[0] for r in rows("SELECT canonical_url FROM articles_article")),
            matched=frozenset(
                r[0]
                for r in rows(
                    "SELECT DISTINCT a.canonical_url FROM articles_article a "
                    "JOIN watch_match m ON m.article_id = a.id"
                )
            ),
            stories=frozenset(frozenset(urls) for urls in grouped.values()),
            snapshots=rows("SELECT count(*) FROM articles_snapshot")[0][0],
            members=rows("SELECT count(*) FROM stories_storymember")[0][0],
            matches=rows("SELECT count(*) FROM watch_match")[0][0],
            empty_stories=rows(
                "SELECT count(*) FROM stories_story s WHERE NOT EXISTS "
                "(SELECT 1 FROM stories_storymember m WHERE m.story_id = s.id)"
            )[0][0],
        )


@dataclass(frozen=True)
class Reference:
    outcome: Outcome
    celery_modules: list[str]


@pytest.fixture(scope="session")
def reference(corpus, tmp_path_factory) -> Reference:
    """`clipdesk poll --once` on SQLite, in process: what the workers must arrive at."""
    home = tmp_path_factory.mktemp("sqlite-home")
    env = clipdesk_env(CLIPDESK_HOME=str(home))
    done = run(env, "-c", ADD_CORPUS, corpus.base_url, json.dumps(sorted(CELERY_MODULES)))
    report = json.loads(done.stdout.strip().splitlines()[-1])
    with sqlite3.connect(home / "clipdesk.sqlite3") as conn:
        outcome = Outcome.read(conn)
    return Reference(outcome, report["celery_modules"])


# -- PostgreSQL: a template made once, a copy per test ---------------------------------------


def _pg_admin():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)


def pg_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


@pytest.fixture(scope="session")
def pg_template(corpus, tmp_path_factory) -> Iterator[str]:
    try:
        admin = _pg_admin()
    except Exception as exc:
        skip_or_fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({exc})")
    name = f"{DB_PREFIX}_template"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            home = tmp_path_factory.mktemp("template-home")
            env = clipdesk_env(DATABASE_URL=pg_url(name), CLIPDESK_HOME=str(home))
            run(env, "-c", ADD_CORPUS, corpus.base_url)
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_copies = itertools.count(1)


@pytest.fixture
def database(pg_template) -> Iterator[str]:
    """A fresh copy of the template (sources and watchlist added, nothing polled); its URL."""
    name = f"{DB_PREFIX}_{next(_copies)}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield pg_url(name)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def read_outcome(url: str) -> Outcome:
    import psycopg

    with psycopg.connect(url) as conn:
        return Outcome.read(conn)


# -- brokers -----------------------------------------------------------------------------------


class Broker:
    """One broker, emptied before and after each test; how busy its queues are."""

    def __init__(self, url: str) -> None:
        self.url = url

    def clear(self) -> None:
        raise NotImplementedError

    def pending(self) -> int:
        """Tasks waiting or taken but not acknowledged (as far as the broker tells)."""
        raise NotImplementedError

    def unacked(self) -> int:
        return 0


class RedisBroker(Broker):
    def __init__(self, url: str) -> None:
        import redis

        super().__init__(url)
        self.client = redis.Redis.from_url(url, socket_timeout=5)

    def clear(self) -> None:
        self.client.flushdb()

    def pending(self) -> int:
        lists = [k for k in self.client.keys("*") if self.client.type(k) == b"list"]
        return sum(self.client.llen(k) for k in lists) + self.unacked()

    def unacked(self) -> int:
        return self.client.hlen("unacked")


class AmqpBroker(Broker):
    def clear(self) -> None:
        from kombu import Connection

        with Connection(self.url, connect_timeout=3) as conn:
            for queue in ("default", "grouping"):
                channel = conn.channel()
                with contextlib.suppress(*conn.channel_errors):  # not declared yet: empty
                    channel.queue_purge(queue)

    def pending(self) -> int:
        # Ready messages only; unacknowledged ones show in the database not settling yet.
        from kombu import Connection

        total = 0
        with Connection(self.url, connect_timeout=3) as conn:
            for queue in ("default", "grouping"):
                channel = conn.channel()
                with contextlib.suppress(*conn.channel_errors):  # not declared yet: empty
                    total += channel.queue_declare(queue, passive=True).message_count
        return total


@pytest.fixture(params=["redis", "amqp"])
def broker(request) -> Iterator[Broker]:
    yield from _broker(request.param)


@pytest.fixture
def redis_broker() -> Iterator[Broker]:
    yield from _broker("redis")


@pytest.fixture
def rabbitmq_alone() -> Iterator[Broker]:
    """RabbitMQ with no Redis beside it, in a virtual host of this test's own (made and
    deleted with rabbitmqctl): its `default` queue is nobody else's."""
    require_service("RabbitMQ", 5672)
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    vhost = f"clipdesk_test_{os.getpid()}"

    def rabbitmqctl(*args: str) -> str | None:
        """None when done, else what went wrong."""
        try:
            done = subprocess.run(
                [ctl, *args], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"rabbitmqctl {args[0]}: {exc}"
        if done.returncode != 0:
            return f"rabbitmqctl {args[0]}: {(done.stderr or done.stdout).strip()}"
        return None

    problem = rabbitmqctl("add_vhost", vhost) or rabbitmqctl(
        "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"
    )
    try:
        if problem:
            skip_or_fail(f"no RabbitMQ virtual host of our own ({problem})")
        yield AmqpBroker(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
    finally:
        rabbitmqctl("delete_vhost", vhost)


def _broker(kind: str) -> Iterator[Broker]:
    if kind == "redis":
        require_service("Redis", 6379)
        found: Broker = RedisBroker(REDIS_URL)
    else:
        require_service("RabbitMQ", 5672)
        found = AmqpBroker(AMQP_URL)
    found.clear()
    yield found
    found.clear()


# -- the processes ---------------------------------------------------------------------------


class Cluster:
    """`python -m clipdesk worker|scheduler` processes, each in its own process group."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, code: str | None = None) -> subprocess.Popen:
        """`python -m clipdesk ARGS`, or with `code`: `python -c CODE ARGS` (a script that
        changes something in the process and then runs the command itself)."""
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        command = ["-c", code] if code is not None else ["-m", "clipdesk"]
        proc = subprocess.Popen(
            [sys.executable, *command, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its pool children die with it when the group is killed
        )
        log.close()
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=20)

    def stop_all(self) -> None:
        # The outcome is read already; a warm shutdown would only cost seconds per test.
        for name in list(self.procs):
            self.kill(name)

    def log_tails(self, lines: int = 25) -> str:
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {path.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited ({proc.returncode})\n{self.log_tails()}")


@pytest.fixture
def cluster_for(tmp_path) -> Iterator[Callable[..., Cluster]]:
    made: list[Cluster] = []

    def make(database_url: str, broker: Broker, **extra: str) -> Cluster:
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        logs = tmp_path / "logs"
        logs.mkdir(exist_ok=True)
        env = clipdesk_env(
            DATABASE_URL=database_url,
            CLIPDESK_HOME=str(home),
            CLIPDESK_BROKER_URL=broker.url,
            CLIPDESK_SCHEDULER_INTERVAL="1",
            # A killed worker's tasks come back after this; no task here runs near as long.
            CLIPDESK_BROKER_VISIBILITY_TIMEOUT="4",
            CLIPDESK_FETCH_TIMEOUT="5",
            **extra,
        )
        cluster = Cluster(env, logs)
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.stop_all()


def wait_until(
    condition: Callable[[], bool], *, timeout: float, cluster: Cluster, what: str
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        cluster.check_alive()
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{cluster.log_tails()}")


def settle(url: str, broker: Broker, cluster: Cluster, *, timeout: float, quiet: float = 1.5):
    """Wait until the broker has nothing pending and the database stopped changing."""
    state: dict = {"last": None, "since": time.monotonic()}

    def settled() -> bool:
        outcome = read_outcome(url)
        if outcome != state["last"] or broker.pending():
            state["last"], state["since"] = outcome, time.monotonic()
            return False
        return time.monotonic() - state["since"] >= quiet

    wait_until(settled, timeout=timeout, cluster=cluster, what="the work to settle")
    return state["last"]


def warc_records(home: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for path in sorted((home / "snapshots").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            count += sum(1 for r in ArchiveIterator(fh) if r.rec_type == "response")
    return count


class Producer:
    """Sends tasks by name, as the workers' own code does, from the test process."""

    def __init__(self, broker_url: str) -> None:
        from celery import Celery

        self.app = Celery("clipdesk-tests", broker=broker_url)
        self.app.conf.update(task_serializer="json", accept_content=["json"])

    def send(self, name: str, *args: object, queue: str = "default") -> None:
        self.app.send_task(name, args=list(args), queue=queue)

    def close(self) -> None:
        self.app.close()


def finish(url: str, broker: Broker, cluster: Cluster, expected: Outcome, timeout: float = 45):
    """Wait for as many articles as expected, every candidate grouped, then for quiet."""

    def done() -> bool:
        outcome = read_outcome(url)
        return len(outcome.articles) >= len(expected.articles) and outcome.members >= len(
            outcome.matched
        )

    wait_until(done, timeout=timeout, cluster=cluster, what="every article stored and grouped")
    return settle(url, broker, cluster, timeout=timeout)


def source_ids(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT url, id FROM sources_source").fetchall())


def matched_article_ids(url: str) -> list[int]:
    import psycopg

    sql = "SELECT DISTINCT article_id FROM watch_match ORDER BY article_id"
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(sql)]


TASK_LINE = re.compile(r"Task (clipdesk\.[\w.]+)\[([0-9a-f-]+)\] (received|succeeded)")


def tasks_in_log(path: Path, state: str, *, skip: tuple[str, ...] = ()) -> set[str]:
    """IDs of the tasks a worker's log says it received (or finished), from its INFO lines."""
    return {
        task_id
        for name, task_id, said in TASK_LINE.findall(path.read_text(errors="replace"))
        if said == state and not name.endswith(skip)
    }
