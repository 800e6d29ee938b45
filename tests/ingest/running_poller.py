"""`clipdesk poll` left running, as beside the server, watched from a test."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tests.cli import clipdesk, started


class RunningPoller:
    """The poller's process and the lines of its log (stderr), read as they come."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.process = started(home, "poll", CLIPDESK_FETCH_ALLOW="127.0.0.1")
        self.lines: list[str] = []
        reader = threading.Thread(target=lambda: self.lines.extend(self.process.stderr))
        reader.daemon = True
        reader.start()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_for_failed_round(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any("the round failed" in line for line in self.lines):
            assert time.monotonic() < deadline, "the poller never reported the failure"
            assert self.process.poll() is None, f"the poller stopped: {self.log}"
            time.sleep(0.2)

    def wait_for_articles(self, count: int, timeout: float) -> list[dict]:
        """The stored articles, once there are at least `count` of them."""
        deadline = time.monotonic() + timeout
        while len(stored := json.loads(clipdesk(self.home, "articles", "--json").stdout)) < count:
            assert time.monotonic() < deadline, f"not {count} articles stored: {self.log}"
            time.sleep(0.5)
        return stored


@contextlib.contextmanager
def running_poller(home: Path) -> Iterator[RunningPoller]:
    poller = RunningPoller(home)
    try:
        yield poller
    finally:
        poller.process.terminate()
        poller.process.wait(30)
