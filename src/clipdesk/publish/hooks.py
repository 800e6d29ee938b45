"""What a change to the public site sets off here: the static copy's refresh.

Kept apart from export.py so publish.caching can import it without loading the exporter.
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)


def refresh_static_copy_now() -> None:
    """Bring the static copy up to date after a change to what the site shows has committed.

    publish.caching calls it once per transaction that changed a post, credit, tag, outlet or
    the site profile (whatever made the change: the desk, the admin, a command), so no action
    asks for it itself. Does nothing unless settings.CLIPDESK_STATIC_TARGET names the export's
    folder. The incremental export runs on a thread of this process (`refresher`), so the
    editor who published does not wait for it, nor for an export already running (a nightly
    full export of a large archive takes tens of seconds). A failure is logged, not raised:
    the change itself has committed, and the next export catches up.
    """
    if target := getattr(settings, "CLIPDESK_STATIC_TARGET", ""):
        refresher.request(str(target))


class StaticRefresher:
    """One export at a time in this process; publishes made while it runs are merged into
    one more export after it, which reads the database when it starts and so includes them.

    The thread is not a daemon: a command that publishes (`clipdesk publish`) waits for its
    export before the process exits, and a server's worker finishes it before stopping.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._guard = threading.Lock()
        self._wanted: set[str] = set()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def request(self, target: str) -> None:
        if self._pid != os.getpid():  # a forked child: the parent's thread is not here
            self._reset()
        with self._guard:
            self._wanted.add(target)
            self._idle.clear()
            if self._thread is None:
                self._start()

    def wait(self, timeout: float | None = None) -> bool:
        """Whether every requested export has finished (within `timeout` seconds)."""
        return self._idle.wait(timeout)

    def _start(self) -> None:  # with the guard held
        self._thread = threading.Thread(target=self._run, name="static-refresh")
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                with self._guard:
                    targets, self._wanted = sorted(self._wanted), set()
                if not targets:
                    break
                for target in targets:
                    _export(target)
        finally:
            connections.close_all()  # this thread's own connections
            with self._guard:
                self._thread = None
                if self._wanted:  # asked for since the last look, or left by a failure
                    self._start()
                else:
                    self._idle.set()


refresher = StaticRefresher()


def _export(target: str) -> None:
    from clipdesk.publish.export import export_site

    try:
        report = export_site(target, incremental=True)
    except Exception:
        log.exception("publish: static export failed target=%s", target)
        return
    log.info(
        "publish: static export target=%s mode=%s rendered=%d removed=%d seconds=%.3f",
        target,
        report.mode,
        report.rendered,
        report.removed,
        report.seconds,
    )
