"""The long-running commands refuse to start, with exit 2 and a next step, when they cannot work."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time

import pytest

from tests.cli import clipdesk, free_port, started
from tests.conftest import require_service, skip_or_fail


def test_run_on_an_instance_never_set_up_says_to_run_init(tmp_path):
    (tmp_path / "home").mkdir()
    result = clipdesk(tmp_path / "home", "run", "--no-poll", check=False, timeout=60)
    assert result.returncode == 2
    assert "run: the instance is not set up or needs migrating" in result.stderr
    assert "clipdesk init" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_worker_and_scheduler_without_a_broker_say_how_to_run_without_one(tmp_path, command):
    (tmp_path / "home").mkdir()
    result = clipdesk(tmp_path / "home", command, check=False, timeout=60, CLIPDESK_BROKER_URL="")
    assert result.returncode == 2
    assert f"{command}: CLIPDESK_BROKER_URL is not set" in result.stderr
    assert "clipdesk poll" in result.stderr


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CLIPDESK_SCHEDULER_INTERVAL": "abc"}, "CLIPDESK_SCHEDULER_INTERVAL must be a positive"),
        ({"CLIPDESK_BROKER_VISIBILITY_TIMEOUT": "inf"}, "VISIBILITY_TIMEOUT must be a positive"),
        ({"CLIPDESK_FETCH_PER_HOST": "-1"}, "CLIPDESK_FETCH_PER_HOST must be a positive"),
        ({"CLIPDESK_BROKER_URL": "nonsense"}, "CLIPDESK_BROKER_URL must be a Redis or RabbitMQ"),
        ({"CLIPDESK_BROKER_URL": "http://broker.example/"}, "must be a Redis or RabbitMQ"),
        (
            {"CLIPDESK_CACHE_URL": "redis://127.0.0.1:6379/notanumber"},
            "CLIPDESK_CACHE_URL: the database in redis://127.0.0.1/notanumber must be a number",
        ),
        (
            {"CLIPDESK_BROKER_URL": "redis://127.0.0.1:6379/11/"},
            "CLIPDESK_BROKER_URL: the database in redis://127.0.0.1/11/ must be a number",
        ),
        (
            {"CLIPDESK_BROKER_URL": "redis://127.0.0.1:abc/11"},
            "CLIPDESK_BROKER_URL: the port in redis://127.0.0.1:abc is no port number",
        ),
        (
            {"CLIPDESK_BROKER_URL": "amqp://guest:secret@127.0.0.1:56x2/"},
            "the port in amqp://127.0.0.1:56x2 is no port number",
        ),
        ({"CLIPDESK_TIME_ZONE": "Nowhere/Else"}, "CLIPDESK_TIME_ZONE 'Nowhere/Else' is no"),
        ({"CLIPDESK_TIME_ZONE": "../../etc/passwd"}, "give an IANA name such as Europe/Paris"),
        ({"CLIPDESK_SEARCH_ENGINE": "lucene"}, "CLIPDESK_SEARCH_ENGINE 'lucene' is no search"),
        ({"CLIPDESK_SEARCH_ENGINE": "postgres"}, "postgres needs a PostgreSQL database"),
        (
            {"CLIPDESK_TRUSTED_PROXIES": "127.0.0.1,nginx"},
            "CLIPDESK_TRUSTED_PROXIES 'nginx' is no address or network",
        ),
        ({"CLIPDESK_TRUSTED_PROXIES": "10.0.0.0/33"}, "CLIPDESK_TRUSTED_PROXIES '10.0.0.0/33'"),
    ],
)
def test_a_setting_that_cannot_work_is_one_line_from_every_command(tmp_path, env, says):
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = clipdesk(home, "source", "list", check=False, **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("clipdesk source: ") and says in result.stderr


@pytest.mark.parametrize(
    ("broker", "says"),
    [
        ("amqp://guest:not-the-password@127.0.0.1:5672//", "ACCESS_REFUSED"),
        ("amqp://guest:guest@127.0.0.1:5672/no-such-vhost", "vhost no-such-vhost not found"),
        ("redis://127.0.0.1:6379/99999", "DB index is out of range"),
    ],
)
def test_a_broker_that_refuses_the_scheduler_is_one_line_and_exit_2(tmp_path, broker, says):
    """Celery stopped on these with a traceback and exit status 0, or retried for ever."""
    require_service(*(("RabbitMQ", 5672) if broker.startswith("amqp") else ("Redis", 6379)))
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = clipdesk(home, "scheduler", check=False, timeout=60, CLIPDESK_BROKER_URL=broker)
    assert result.returncode == 2
    assert result.stderr.startswith("scheduler: the broker at ")
    assert says in result.stderr and "refused to connect" in result.stderr
    assert "not-the-password" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broker_that_is_down_is_waited_for(tmp_path):
    """Not a refusal: a broker restarting comes back, and the scheduler goes on then."""
    home = tmp_path / "home"
    clipdesk(home, "init")
    server = started(home, "scheduler", CLIPDESK_BROKER_URL="redis://127.0.0.1:1/0")
    try:
        time.sleep(8)
        assert server.poll() is None, server.stderr.read()
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("password", ["", ":not-the-password@"])
def test_a_redis_broker_that_refuses_the_password_is_one_line_and_exit_2(tmp_path, password):
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server (Debian's redis-server package) is not installed")
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    server = subprocess.Popen([*command, "--requirepass", "s3cret"], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.05)
        home = tmp_path / "home"
        clipdesk(home, "init")
        broker = f"redis://{password}127.0.0.1:{port}/0"
        result = clipdesk(home, "scheduler", check=False, timeout=60, CLIPDESK_BROKER_URL=broker)
    finally:
        server.terminate()
        server.wait(10)
    assert result.returncode == 2
    assert "refused to connect" in result.stderr and "Traceback" not in result.stderr
    assert "not-the-password" not in result.stderr


def test_an_empty_home_is_refused_not_taken_for_the_default(tmp_path):
    result = clipdesk(tmp_path / "home", "--home", "", "init", check=False)
    assert result.returncode != 0
    assert "--home needs a folder, not an empty value" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_emptied_signing_key_file_is_said_to_be_so(tmp_path):
    home = tmp_path / "home"
    clipdesk(home, "init", CLIPDESK_SECRET_KEY="")
    (home / "secret_key").write_text("\n")
    result = clipdesk(home, "source", "list", check=False, CLIPDESK_SECRET_KEY="")
    assert result.returncode == 2
    assert "secret_key is empty; delete it and a new signing key is made" in result.stderr
    assert "Traceback" not in result.stderr
