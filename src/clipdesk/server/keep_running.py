"""Run a command and start it again whenever it stops: the poller beside `clipdesk run`.

    python -m clipdesk.server.keep_running COMMAND [ARGS...]

A process of its own, not a thread of the web server's: the server's master process reaps
every child that exits (gunicorn waits on any child), and a thread waiting there for its own
child could miss it, and never start it again. SIGTERM (the server stopping) stops the command
and this; Ctrl-C, which reaches the whole process group, stops both without a restart. A server
killed outright (SIGKILL, the OOM killer) can send neither: on Linux the kernel then sends this
process SIGTERM, and this process's command the same when this one goes (`_die_with_parent`);
else both polled on for ever, adopted by init.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time

_PR_SET_PDEATHSIG = 1  # prctl(2)


def _die_with_parent() -> None:
    """Ask the kernel for SIGTERM when this process's parent ends (Linux; elsewhere nothing),
    and stop now if it has ended already. Written by hand: no maintained library wraps this
    one system call, and the process needs nothing else from one."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if parent == 1 or os.getppid() != parent:  # it died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


# Waits before a command that stopped is started again: doubling from the first, up to the
# last, and back to the first once it has run for a while.
RESTART_WAITS = (5.0, 60.0)
RAN_LONG_ENOUGH = 300.0
# Exit statuses of a command stopped by Ctrl-C: its own (`clipdesk`'s 130), or the signal's.
INTERRUPTED = {130, -signal.SIGINT}


def keep_running(command: list[str], label: str = "background poller") -> int:
    child: subprocess.Popen | None = None
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None and signum == signal.SIGTERM:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # the command gets its own Ctrl-C and stops
    _die_with_parent()
    wait = RESTART_WAITS[0]
    while not stopping:
        started = time.monotonic()
        # A single thread: preexec_fn is safe here.
        child = subprocess.Popen(command, preexec_fn=_die_with_parent)  # noqa: S603
        code = child.wait()
        if stopping or code in INTERRUPTED:
            break
        if time.monotonic() - started > RAN_LONG_ENOUGH:
            wait = RESTART_WAITS[0]
        sys.stderr.write(
            f"clipdesk: the {label} stopped (exit status {code}); started again in {wait:g} s\n"
        )
        sys.stderr.flush()
        resume = time.monotonic() + wait
        while not stopping and time.monotonic() < resume:
            time.sleep(0.2)
        wait = min(wait * 2, RESTART_WAITS[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(keep_running(sys.argv[1:]))
