"""Whether an address is free to listen on, checked before a server starts."""

from __future__ import annotations

import argparse
import errno
import socket


class PortInUse(RuntimeError):
    """Another program listens on the address: two servers must not share one port."""


def check_port_free(host: str, port: int) -> None:
    """Raise PortInUse when the address is taken (a plain bind, without SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    probe = socket.socket(family, socket.SOCK_STREAM)
    try:
        probe.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"{host}:{port} is already in use by another program") from exc
        raise
    finally:
        probe.close()


def port_number(text: str) -> int:
    """An argparse type: a TCP port a server can listen on (0, "any port", would give each
    worker a different one)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (1 to 65535)")
    return value
