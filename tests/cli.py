"""Running `clipdesk` as a user does: a real process on a real instance home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

# The test process's own settings must not leak into the command's: it reads the instance.
_NOT_INHERITED = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}


def instance_env(home: Path, **env: str) -> dict[str, str]:
    """This process's environment for a command on `home`, with `env` added."""
    environment = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    environment.update(CLIPDESK_HOME=str(home), **env)
    return environment


def clipdesk(
    home: Path, *args: str, check: bool = True, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess:
    """Run `python -m clipdesk ARGS` on `home`; a failure shows the command's output."""
    result = subprocess.run(
        [sys.executable, "-m", "clipdesk", *args],
        capture_output=True,
        text=True,
        env=instance_env(home, **env),
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def started(home: Path, *args: str, new_session: bool = False, **env: str) -> subprocess.Popen:
    """`python -m clipdesk ARGS` on `home`, left running, its output piped. `new_session`
    runs it in a group of its own, as a terminal does (Ctrl-C reaches the whole group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "clipdesk", *args],
        env=instance_env(home, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=new_session,
    )


def free_port() -> int:
    """A loopback port nothing listens on (the system's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
