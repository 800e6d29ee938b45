from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.cli import free_port
from tests.conftest import require_service, skip_or_fail


@pytest.fixture
def redis_server() -> None:
    """Redis on 127.0.0.1:6379, or a skip (a failure in CI) that says it is absent."""
    require_service("Redis", 6379)


class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start again with the data
    it held (saved to its folder when stopped, read back when started)."""

    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--dir", str(self.folder), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def pause(self) -> None:
        """Stop it answering, connections left open: what a network that drops packets does."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Save what it holds, then stop: nothing sent meanwhile reaches it."""
        if self.process is not None:
            self.resume()
            redis.Redis(port=self.port).save()
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        skip_or_fail("redis-server (Debian's redis-server package) is not installed")
    server = PrivateRedis(free_port(), tmp_path)
    yield server
    server.stop()
