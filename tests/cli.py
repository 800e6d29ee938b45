"""Running `clipdesk` as a user does: a real process on a real instance home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The test process's own settings must not leak into the command's: it reads the instance.
_NOT_INHERITED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}


def clipdesk(
    home: Path, *args: str, check: bool = True, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess:
    """Run `python -m clipdesk ARGS` on `home`; a failure shows the command's output."""
    environment = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    environment.update(CLIPDESK_HOME=str(home), **env)
    result = subprocess.run(
        [sys.executable, "-m", "clipdesk", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
