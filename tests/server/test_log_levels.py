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
