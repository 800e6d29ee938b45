"""The per-host limit between processes that fetch side by side without Redis: two
`clipdesk poll --shard` processes on one instance, on SQLite and on PostgreSQL, never have
more requests in flight to one host than the limit, and a process killed while it holds the
host's slots frees them for the others.

Everything here runs in other processes on an instance of the test's own (a home, and on
PostgreSQL a database of its own), as a deployment runs; the host is a loopback server in the
test process that counts the requests it is answering at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tests.cli import instance_env
from tests.conftest import skip_or_fail
from tests.ingest.test_poll_failures import feed
from tests.sources.conftest import Reply, SeenRequest

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
FEEDS = 12
PER_HOST = 2  # the default CLIPDESK_FETCH_PER_HOST

# `clipdesk init`, then one feed source per address given.
ADD_SOURCES = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
django.setup()
from django.core.management import call_command
call_command("init")
from clipdesk.sources.actions import add_source
for url in sys.argv[1:]:
    add_source(url, kind="feed")
"""

# argv: hold URL | probe URL SECONDS. `hold` takes every slot of the URL's host, says so and
# sleeps (never freeing them: it is killed); `probe` says whether it got one within SECONDS.
SLOTS = """
import os, sys, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clipdesk.settings")
django.setup()
from clipdesk.sources.politeness import HostBusy, host_limiter
limit = host_limiter(2, fetch_timeout=5)
limit.max_wait = float(sys.argv[3]) if sys.argv[1] == "probe" else 1
if sys.argv[1] == "hold":
    held = [limit(sys.argv[2]), limit(sys.argv[2])]
    for slot in held:
        slot.__enter__()
    print("held", flush=True)
    time.sleep(300)
try:
    with limit(sys.argv[2]):
        print("taken")
except HostBusy as exc:
    print("busy:", exc)
"""


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request, tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a command on a fresh instance: a home, and on PostgreSQL a
    database named for this run (dropped afterwards). No Redis: the database is the count."""
    env = instance_env(tmp_path / "home", CLIPDESK_REDIS_URL="", CLIPDESK_BROKER_URL="")
    if request.param == "sqlite":
        yield env
        return
    import psycopg

    name = f"clipdesk_host_limit_{os.getpid()}"
    try:
        admin = psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        skip_or_fail(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({exc})")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield {**env, "DATABASE_URL": f"{PG_SERVER}/{name}"}
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def script(env: dict[str, str], code: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    return result


def test_two_poll_shards_keep_to_the_per_host_limit_together(server, instance):
    guard, counts = threading.Lock(), {"now": 0, "most": 0}

    def slow_feed(_request: SeenRequest) -> Reply:
        with guard:
            counts["now"] += 1
            counts["most"] = max(counts["most"], counts["now"])
        time.sleep(0.3)
        with guard:
            counts["now"] -= 1
        return Reply(body=feed(), headers={"Content-Type": "application/rss+xml"})

    urls = [server.handle(f"/feed-{n}.xml", slow_feed) for n in range(FEEDS)]
    script(instance, ADD_SOURCES, *urls)

    # Each shard alone keeps its own requests to the limit; together they used to send twice
    # as many.
    shards = [
        subprocess.Popen(
            [sys.executable, "-m", "clipdesk", "poll", "--once", "--shard", f"{i}/2"],
            env=instance,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for shard in shards:
        out, err = shard.communicate(timeout=120)
        assert shard.returncode == 0, f"{out}\n{err}"
        assert "0 failed" in out, out

    assert sorted(r.path for r in server.requests if r.path.startswith("/feed-")) == sorted(
        f"/feed-{n}.xml" for n in range(FEEDS)
    )
    assert counts["most"] <= PER_HOST


def test_the_slots_of_a_killed_holder_come_back_at_once(server, instance):
    script(instance, ADD_SOURCES)  # the instance set up, no sources
    url = server.url("/page.html")
    holder = subprocess.Popen(
        [sys.executable, "-c", SLOTS, "hold", url],
        env=instance,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()
        busy = script(instance, SLOTS, "probe", url, "1").stdout
        assert busy.startswith("busy:") and "127.0.0.1" in busy
    finally:
        holder.send_signal(signal.SIGKILL)  # as the out-of-memory killer would: no clean-up
        holder.wait(30)

    assert script(instance, SLOTS, "probe", url, "10").stdout.strip() == "taken"
