"""The long-running commands refuse to start, with exit 2 and a next step, when they cannot work."""

from __future__ import annotations

import pytest

from tests.cli import clipdesk


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
    ],
)
def test_a_setting_that_cannot_work_is_one_line_from_every_command(tmp_path, env, says):
    home = tmp_path / "home"
    clipdesk(home, "init")
    result = clipdesk(home, "source", "list", check=False, **env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("clipdesk source: ") and says in result.stderr
