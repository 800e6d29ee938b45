"""Logging helpers for the server."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


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


class RefusalWithoutTraceback(logging.Filter):
    """A request refused for want of permission (PermissionDenied: an editor opening an admin
    page their role does not allow, a reader the desk) is logged as Django logs it, a
    warning with the address, without the stack of the refusal: thirty lines for every 403,
    saying nothing the first line does not. Any other error keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
