"""Serving an instance with gunicorn, started from Python so one command does it all."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from django.db import connections
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from clipdesk.server.guards import require_free_port
from clipdesk.server.ports import address
from clipdesk.server.workers import QuitOnceThreadWorker

# Runs the background command and starts it again when it stops (keep_running.py).
KEEP_RUNNING = [sys.executable, "-m", "clipdesk.server.keep_running"]


# The exit status of a server stopped by Ctrl-C: 128 + SIGINT, as shells report it and as
# clipdesk's other commands exit; gunicorn's master exits 0 whatever stopped it.
INTERRUPTED_STATUS = 130


class _Arbiter(Arbiter):
    interrupted = False

    def handle_int(self) -> None:
        self.interrupted = True
        super().handle_int()


class _Gunicorn(BaseApplication):
    def __init__(self, app: Callable, options: dict) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def run(self) -> None:
        arbiter = _Arbiter(self)
        try:
            arbiter.run()
        except RuntimeError as exc:  # as gunicorn's own run says it
            print(f"\nError: {exc}\n", file=sys.stderr)
            sys.exit(1)
        except SystemExit as exc:
            # Halted cleanly by Ctrl-C: the status says so, and the master's log line stays
            # "Shutting down" at its own level (a halt with another status logs an error).
            if arbiter.interrupted and exc.code in (0, None):
                raise SystemExit(INTERRUPTED_STATUS) from None
            raise

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self._app


def serve(
    host: str,
    port: int,
    workers: int = 2,
    threads: int = 4,
    on_ready=None,
    background: list[str] | None = None,
    command: str = "run",
) -> None:
    """Serve the WSGI app until interrupted.

    Threads per worker keep slow clients from blocking the site; workers default to the
    machine's two cores. `on_ready` runs once, in the first worker, when it listens (the demo
    prints there). `background` is a command (the poller) that runs beside the server and
    stops with it: a process of its own, so polling never competes with requests for a worker;
    started again when it stops (keep_running.py). `command` names the caller in messages.

    Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel spreads new
    connections over them. With one socket shared by every worker, whichever worker woke
    first took the connections: a few long-lived keep-alive connections (a reverse proxy's,
    a CDN's, a load generator's) could all land on one worker while the other stood idle,
    which cut the site's rate by three fifths in two runs of ten (docs/scaling.md). SO_REUSEPORT
    would also let a second server on the same port share the traffic unnoticed, so the
    port is first checked free with an ordinary bind, which such a server would fail.
    """
    from clipdesk.wsgi import application

    # Checked again as the server starts: the command's own check came before minutes of
    # setup (the demo's), and a program may have taken the port meanwhile.
    require_free_port(command, host, port)
    options = {
        "bind": address(host, port),
        "workers": workers,
        "threads": threads,
        "worker_class": QuitOnceThreadWorker,
        "reuse_port": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
    }
    helper: list[subprocess.Popen] = []

    def when_ready(server) -> None:
        if background:
            helper.append(subprocess.Popen([*KEEP_RUNNING, *background]))  # noqa: S603

    def on_exit(server) -> None:
        for process in helper:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def post_worker_init(worker) -> None:
        # Each worker opens its own socket after forking, so the arbiter's "ready" would come
        # too early; the first worker (age 1; a replacement is older) says it once it listens.
        if on_ready is not None and worker.age == 1:
            on_ready()

    # The commands that start the server have read the database on this thread; a connection
    # must not be shared by the processes about to be forked (SQLite forbids it outright, and
    # a PostgreSQL session ended by one worker's exit would be the others' too).
    connections.close_all()
    options["when_ready"] = when_ready
    options["post_worker_init"] = post_worker_init
    options["on_exit"] = on_exit
    _Gunicorn(application, options).run()
