"""The address a request came from, as sign-in throttling counts it.

Behind a reverse proxy (nginx, Caddy: docs/scaling.md) every request reaches the server from
the proxy's address, so failed sign-ins counted by it were everyone's: one guesser's five
wrong passwords locked every editor out. A proxy named in CLIPDESK_TRUSTED_PROXIES is
believed about the address it was reached from (X-Forwarded-For); nothing else is, since
anyone can send that header.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:  # read by settings.py: nothing of the request machinery loaded for it
    from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_proxies(setting: str) -> tuple[Network, ...]:
    """CLIPDESK_TRUSTED_PROXIES read: comma-separated addresses or networks (CIDR), empty for
    none. Anything else is ImproperlyConfigured, said in one line at start-up."""
    networks = []
    for item in setting.split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"settings: CLIPDESK_TRUSTED_PROXIES {item.strip()!r} is no address or network; "
                "give the addresses of the proxies in front, e.g. 127.0.0.1,10.0.0.0/8"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # A dual-stack socket gives IPv4 peers as ::ffff:a.b.c.d; the networks name them as IPv4.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy: then X-Forwarded-For read from its end, each
    trusted proxy passed over, and the first address that is not one taken. Addresses to the
    left of it are the client's to write, and never read. An entry that is no address (a
    proxy that passed on what the client sent, without adding its own) stops the reading at
    the last proxy known."""
    connected = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CLIPDESK_TRUSTED_PROXIES
    hop = _address(connected)
    if not proxies or hop is None or not _is_trusted(hop, proxies):
        return connected
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        earlier = _address(entry)
        if earlier is None:
            break
        hop = earlier
        if not _is_trusted(hop, proxies):
            break
    return str(hop)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the request reached the server from a proxy named in CLIPDESK_TRUSTED_PROXIES."""
    hop = _address(request.META.get("REMOTE_ADDR", ""))
    return hop is not None and _is_trusted(hop, settings.CLIPDESK_TRUSTED_PROXIES)
