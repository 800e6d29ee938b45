"""The server's worker: gunicorn's threaded worker, stopped once however often it is told."""

from __future__ import annotations

from gunicorn.workers.gthread import ThreadWorker


class QuitOnceThreadWorker(ThreadWorker):
    """A worker whose quit handler does its work once.

    Ctrl-C in a terminal signals every process of the server's group, so a worker is told to
    quit twice at once: SIGINT from the terminal, SIGQUIT from the arbiter passing it on.
    gunicorn's handler shuts the thread pool down under the pool's (non-reentrant) lock; a
    second signal landing there ran the handler again inside the first, which then waited
    for that lock for ever, until the arbiter killed the worker at its graceful timeout.
    """

    _quitting = False

    def handle_quit(self, sig, frame) -> None:
        # Signal handlers run on the main thread between bytecodes: no other handler can
        # come between this check and the assignment.
        if self._quitting:
            return
        self._quitting = True
        super().handle_quit(sig, frame)
