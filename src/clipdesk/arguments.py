"""argparse types for the commands' numbers: a value that cannot work is refused at once,
with the reason and exit status 2, instead of failing further in with a traceback. And the
name a command's usage line shows."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """A type accepting whole numbers from `minimum` to `maximum` (no upper bound if None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"{value} is out of range ({bounds})")
        return value

    return parse


# The largest id or count a database's 64-bit integer holds; one past it made SQLite's
# driver fail with an OverflowError (a traceback) where any other unknown id is refused.
MAX_ROW_ID = 2**63 - 1


def row_id(text: str) -> int:
    """A row id: a whole number from 1 to MAX_ROW_ID."""
    return whole_number(1, MAX_ROW_ID)(text)


def usage_name(prog_name: str, subcommand: str) -> str:
    """The command's name as its usage line shows it: `clipdesk import-archive`, as typed
    (cli.py maps the hyphen to Django's underscore), not `clipdesk import_archive`, which the
    `clipdesk` front does not know; `clipdesk manage import_archive` keeps Django's."""
    return subcommand.replace("_", "-") if prog_name == "clipdesk" else subcommand
