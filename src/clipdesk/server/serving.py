"""Serving an instance with gunicorn, started from Python so one command does it all."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from gunicorn.app.base import BaseApplication


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
) -> None:
    """Serve the WSGI app until interrupted.

    Threads per worker keep slow clients from blocking the site; workers default to the
    machine's two cores. `on_ready` runs once the socket is bound (the demo prints there).
    `background` is a command (the poller) that runs beside the server and stops with it:
    a process of its own, so polling never competes with requests for a worker.
    """
    from clipdesk.wsgi import application

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
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
            helper.append(subprocess.Popen(background))  # noqa: S603 - our own command
        if on_ready is not None:
            on_ready()

    def on_exit(server) -> None:
        for process in helper:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    options["when_ready"] = when_ready
    options["on_exit"] = on_exit
    _Gunicorn(application, options).run()
