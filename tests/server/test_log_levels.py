"""What `clipdesk` logs by default: warnings and errors of its own, the extractors' errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "import django, logging; django.setup(); "
    "print(logging.getLogger('trafilatura.core').isEnabledFor(logging.WARNING), "
    "logging.getLogger('trafilatura.core').isEnabledFor(logging.ERROR), "
    "logging.getLogger('clipdesk.ingest').isEnabledFor(logging.WARNING))"
)


@pytest.mark.parametrize(
    ("level", "expected"),
    [("", "False True True"), ("INFO", "True True True"), ("ERROR", "False True False")],
)
def test_the_extractors_step_warnings_are_shown_only_when_more_is_asked_for(level, expected):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clipdesk.settings"}
    env.pop("CLIPDESK_LOG_LEVEL", None)
    if level:
        env["CLIPDESK_LOG_LEVEL"] = level
    shown = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == expected


SCHEDULER_SEND_FAILED = (
    "import django, logging; django.setup(); "
    "log = logging.getLogger('celery.beat'); "
    "log.error('Message Error: %s\\n%s', 'cannot reach the broker', 'File x, line 1\\n  stack', "
    "exc_info=(ValueError, ValueError('deep'), None))"
)


def test_a_schedulers_failed_send_is_one_line_in_the_log():
    """Celery's scheduler logs a send that failed (the broker away) with the stack in the
    message and a traceback after: about a hundred lines every interval of an outage."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clipdesk.settings"}
    shown = subprocess.run(
        [sys.executable, "-c", SCHEDULER_SEND_FAILED], env=env, capture_output=True, text=True
    )
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith("ERROR celery.beat Message Error: cannot reach the broker")


def test_the_periodic_poll_says_in_one_line_that_the_database_is_away(tmp_path):
    probe = (
        "import django; django.setup(); "
        "from clipdesk.sources.tasks import poll_due_sources; print(poll_due_sources())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clipdesk.settings",
        "CLIPDESK_HOME": str(tmp_path),
        "DATABASE_URL": "postgres://clipdesk@127.0.0.1:1/nowhere",  # nothing listens there
        "CLIPDESK_BROKER_URL": "redis://127.0.0.1:1/0",  # never reached: nothing is sent
    }
    shown = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert shown.stdout.strip() == "0"
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "poll: the database did not answer (" in lines[0]
    assert "the next interval asks again" in lines[0]
