"""Serving an instance with gunicorn, started from Python so one command does it all."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable

from django.db import connections
from gunicorn.app.base import BaseApplication

from clipdesk.server.guards import require_free_port

# Waits before a background command that stopped is started again: doubling from the first,
# up to the last, and back to the first once it has run for a while.
RESTART_WAITS = (5.0, 60.0)
RAN_LONG_ENOUGH = 300.0
# Exit statuses of a command stopped by Ctrl-C: its own (`clipdesk`'s 130), or the signal's.
INTERRUPTED = {130, -2}


class Background:
    """A command beside the server (the poller), started again whenever it stops.

    It used to be started once: killed (out of memory, by hand) or crashed, it was gone for
    good, the site served on, and no source was polled again until the server restarted.
    """

    def __init__(self, command: list[str], label: str) -> None:
        self.command, self.label = command, label
        self.process: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._keep_running, name=label, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _keep_running(self) -> None:
        wait = RESTART_WAITS[0]
        while not self._stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(self.command)  # noqa: S603 - our own command
            code = self.process.wait()
            if self._stopping.is_set() or code in INTERRUPTED:
                return  # the server stops (Ctrl-C reaches its whole process group)
            if time.monotonic() - started > RAN_LONG_ENOUGH:
                wait = RESTART_WAITS[0]
            sys.stderr.write(
                f"clipdesk: the {self.label} stopped (exit status {code}); "
                f"started again in {wait:g} s\n"
            )
            sys.stderr.flush()
            self._stopping.wait(wait)
            wait = min(wait * 2, RESTART_WAITS[1])

    def stop(self) -> None:
        self._stopping.set()
        if (process := self.process) is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


class _Gunicorn(BaseApplication):
    def __init__(self, app: Callable, options: dict) -> None:
        self._app = app
        self._options = options
        super().__init__()

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
    started again when it stops (`Background`). `command` names the caller in messages.

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
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "reuse_port": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 10,
        "limit_request_line": 8190,
    }
    helper = Background(background, "background poller") if background else None

    def when_ready(server) -> None:
        if helper is not None:
            helper.start()

    def on_exit(server) -> None:
        if helper is not None:
            helper.stop()

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
