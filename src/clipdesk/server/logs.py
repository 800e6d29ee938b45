"""Logging helpers for the server."""

from __future__ import annotations

import logging


class WithoutTraceback(logging.Filter):
    """Keep a record's message and drop its traceback: for refusals that are expected of a
    public site (a bot's Host header), where the stack says nothing the message does not."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


class FirstLineOnly(logging.Filter):
    """An error's first line, without the stack: Celery's scheduler logs a failed send (the
    broker away) with the whole stack in the message and a traceback after it, about a
    hundred lines every interval for as long as the broker is down."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            record.msg, record.args = record.getMessage().split("\n", 1)[0], None
            record.exc_info = None
            record.exc_text = None
        return True
