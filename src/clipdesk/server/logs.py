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
