"""The server's worker told to quit twice at once, as Ctrl-C in a terminal tells it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# A real worker with a real thread pool; the second signal is timed to land where the first
# quit's handler holds the pool's shutdown lock (the pool wakes its threads by putting into
# its queue under that lock): the moment that made a worker outlive Ctrl-C by ten seconds.
# The test's one seam is that queue, a stand-in for the timing of the terminal's signal.
_QUIT_TWICE = textwrap.dedent(
    """
    import os, queue, signal, sys
    from gunicorn.config import Config
    from gunicorn.glogging import Logger
    from clipdesk.server.workers import QuitOnceThreadWorker

    cfg = Config()
    worker = QuitOnceThreadWorker(1, os.getppid(), [], None, 30, cfg, Logger(cfg))
    worker.tpool = worker.get_thread_pool()
    worker.tpool.submit(lambda: None).result()  # a thread started, as a worker has

    class SignalledQueue(queue.SimpleQueue):
        def put(self, item, block=True, timeout=None):
            os.kill(os.getpid(), signal.SIGINT)  # the terminal's Ctrl-C, run right here
            super().put(item, block, timeout)

    worker.tpool._work_queue = SignalledQueue()
    signal.signal(signal.SIGINT, worker.handle_quit)
    try:
        worker.handle_quit(signal.SIGQUIT, None)  # the arbiter's
    except SystemExit as exc:
        print("stopped", exc.code)
    """
)


def test_a_worker_told_to_quit_twice_at_once_stops_at_once():
    try:
        done = subprocess.run(
            [sys.executable, "-c", _QUIT_TWICE],
            capture_output=True,
            text=True,
            timeout=20,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("the worker waited for itself and never stopped") from None
    assert done.stdout.strip() == "stopped 0", done.stderr
