"""Whether an address is free to listen on, checked before a server starts."""

from __future__ import annotations

import errno
import ipaddress
import socket

from clipdesk.arguments import whole_number


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
            raise PortInUse(f"{address(host, port)} is already in use by another program") from exc
        raise
    finally:
        probe.close()


# An argparse type: a TCP port a server can listen on. Not 0 ("any port"), which would give
# each worker a port of its own, none of them the one announced.
port_number = whole_number(1, 65535)


def listen_host(text: str) -> str:
    """An argparse type: the address to listen on, an IPv6 one with or without its brackets
    ("::1" or "[::1]"); sockets and gunicorn's bind string want it without."""
    return text.strip().removeprefix("[").removesuffix("]")


def url_host(host: str) -> str:
    """The host as a URL (and a Host header) writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


def address(host: str, port: int) -> str:
    """`host:port` as a URL writes it ("[::1]:8000"); gunicorn read "::1:8000" as host ""
    and port "::1"."""
    return f"{url_host(host)}:{port}"


def is_loopback(host: str) -> bool:
    """Whether `host` (as `listen_host` gives it) is reached from this machine only: a
    loopback address, or "localhost". A name is resolved by whoever connects, so any other
    name, like "0.0.0.0" and "::", may be reached from elsewhere."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
