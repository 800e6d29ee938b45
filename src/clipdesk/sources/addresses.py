"""Where the fetcher may connect: vetted on the resolved address, at the moment of connecting.

Feed and page URLs come from editors and from other people's servers (redirects, discovered
links), so any of them may point at the machine itself or its private network. Checking the
URL's host before the request is not enough: a name can resolve to 127.0.0.1, or resolve
to a public address for the check and a private one for the connection (DNS rebinding).
So the check lives in the network backend: it resolves the host itself, vets every address,
and connects only to an address it vetted. TLS still verifies the certificate against the
hostname, because httpcore passes the URL's host as SNI, not the address we dialled.

The allow list (CLIPDESK_FETCH_ALLOW) is matched on the URL's host as written, with or
without a port, and nothing near an allowed entry is allowed with it:

* ``127.0.0.1`` permits ``http://127.0.0.1:<any port>/`` and nothing else; the connection
  must go to exactly that address, so 127.0.0.2, ``localhost`` and ``[::ffff:127.0.0.1]``
  stay refused.
* ``localhost`` (a name) permits whatever that name resolves to, because the administrator
  vouched for the name, not for an address.
* ``example.org:8080`` permits only that port; IPv6 entries are written ``::1`` or
  ``[::1]:8080``.

Also here, because they wrap the same sockets: the per-fetch deadline that bounds every
socket operation, and VettedTransport, which plugs the backend into httpx.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# IANA special-purpose registries (RFC 6890 and successors), narrowed to what a fetcher must
# never reach. Kept explicit rather than leaning on ipaddress.is_global, whose lists changed
# between Python releases.
_IPV4_SPECIAL: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/8"), "this-network (unspecified)"),
    (_V4("10.0.0.0/8"), "private (RFC 1918)"),
    (_V4("100.64.0.0/10"), "shared carrier-grade NAT"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local"),
    (_V4("172.16.0.0/12"), "private (RFC 1918)"),
    (_V4("192.0.0.0/24"), "IETF protocol assignment"),
    (_V4("192.0.2.0/24"), "documentation"),
    (_V4("192.88.99.0/24"), "6to4 relay anycast"),
    (_V4("192.168.0.0/16"), "private (RFC 1918)"),
    (_V4("198.18.0.0/15"), "benchmarking"),
    (_V4("198.51.100.0/24"), "documentation"),
    (_V4("203.0.113.0/24"), "documentation"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("240.0.0.0/4"), "reserved (or broadcast)"),
)
_IPV6_SPECIAL: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("64:ff9b:1::/48"), "local-use NAT64"),
    (_V6("100::/64"), "discard-only"),
    (_V6("2001::/23"), "IETF protocol assignment (Teredo, ORCHID…)"),
    (_V6("2001:db8::/32"), "documentation"),
    (_V6("3fff::/20"), "documentation"),
    (_V6("fc00::/7"), "unique local (ULA)"),
    (_V6("fe80::/10"), "link-local"),
    (_V6("fec0::/10"), "site-local"),
    (_V6("ff00::/8"), "multicast"),
)
_GLOBAL_UNICAST = _V6("2000::/3")
_NAT64 = _V6("64:ff9b::/96")


def address_category(ip: IPAddress) -> str | None:
    """Name the special-purpose range ``ip`` is in, or None when it is publicly routable.

    IPv6 forms that carry an IPv4 address (mapped, NAT64, 6to4) are judged by that address, so
    ``::ffff:127.0.0.1`` is loopback like ``127.0.0.1``.
    """
    if isinstance(ip, ipaddress.IPv4Address):
        return next((label for net, label in _IPV4_SPECIAL if ip in net), None)
    if ip.scope_id:
        return "scoped (zone index)"
    if ip == ipaddress.IPv6Address("::"):
        return "unspecified"
    if ip == ipaddress.IPv6Address("::1"):
        return "loopback"
    embedded = ip.ipv4_mapped or ip.sixtofour
    if embedded is None and ip in _NAT64:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if embedded is not None:
        inner = address_category(embedded)
        return None if inner is None else f"{inner}, inside IPv6"
    for net, label in _IPV6_SPECIAL:
        if ip in net:
            return label
    return None if ip in _GLOBAL_UNICAST else "reserved"


def is_public_address(ip: IPAddress) -> bool:
    """True when a connection to ``ip`` leaves for the public Internet (no special range)."""
    return address_category(ip) is None


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _canonical_host(host: str) -> str:
    """Lower-case, IDNA-encoded like httpx does, IP literals in their canonical spelling."""
    host = host.strip().strip("[]").lower()
    literal = _ip_literal(host)
    if literal is not None:
        return str(literal)
    if not host.isascii():
        host = httpx.URL(f"http://{host}/").raw_host.decode("ascii")
    return host.rstrip(".")


@dataclass(frozen=True)
class AllowList:
    """Hosts (optionally host:port) exempt from the address ban; see the module docstring."""

    entries: frozenset[tuple[str, int | None]] = frozenset()

    @classmethod
    def parse(cls, items: Iterable[str]) -> AllowList:
        """Read entries like ``127.0.0.1``, ``example.org:8080``, ``::1`` or ``[::1]:8080``."""
        entries: set[tuple[str, int | None]] = set()
        for item in items:
            item = item.strip()
            if not item:
                continue
            host, port = item, None
            if item.startswith("["):
                host, _, rest = item[1:].partition("]")
                port = rest.removeprefix(":") or None
            elif item.count(":") == 1:
                host, port = item.split(":")
            if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
                raise ValueError(f"fetcher: allow-list entry {item!r} has a bad port")
            entries.add((_canonical_host(host), int(port) if port else None))
        return cls(frozenset(entries))

    def permits(self, host: str, port: int | None) -> bool:
        host = _canonical_host(host)
        return (host, None) in self.entries or (host, port) in self.entries


class BlockedAddress(Exception):
    """Raised by the backend instead of connecting; the fetcher turns it into a FetchError."""

    def __init__(self, host: str, ip: IPAddress, category: str) -> None:
        if _ip_literal(host) == ip:
            what = f"{host} ({category} address)"
        else:
            what = f"{host}: it resolves to {ip} ({category} address)"
        super().__init__(f"fetcher: refused to connect to {what}")
        self.host, self.ip, self.category = host, ip, category


# The request's absolute deadline (time.monotonic()), set by the fetcher around one fetch.
# httpcore only knows per-operation timeouts; clamping each of them to what is left of the
# deadline turns them into one total limit, so a server trickling a byte a second is cut off.
# A ContextVar is per thread here, so pooled connections shared by threads stay correct.
_deadline: ContextVar[float | None] = ContextVar("clipdesk_fetch_deadline", default=None)


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Bound every connect, TLS handshake, read and write in this block by ``at``."""
    token = _deadline.set(at)
    try:
        yield
    finally:
        _deadline.reset(token)


def _time_left(timeout: float | None, expired: type[Exception]) -> float | None:
    at = _deadline.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("fetcher: deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every operation waits at most until the fetch deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        left = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class VettingBackend(httpcore.SyncBackend):
    """httpcore's socket backend, but it resolves and vets the host before dialling an IP."""

    def __init__(self, allow: AllowList) -> None:
        super().__init__()
        self.allow = allow

    def vetted_addresses(self, host: str, port: int) -> list[IPAddress]:
        """Resolve ``host`` and keep the addresses we may dial; raise if none is left."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"fetcher: cannot resolve {host}: {exc}") from exc
        resolved = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
        if not resolved:
            raise httpcore.ConnectError(f"fetcher: {host} resolves to no address")
        if self.allow.permits(host, port):
            literal = _ip_literal(host)
            # An allowed IP literal permits exactly that address, nothing it might map to.
            vetted = [ip for ip in resolved if literal is None or ip == literal]
            if vetted:
                return vetted
        vetted = [ip for ip in resolved if is_public_address(ip)]
        if not vetted:
            first = resolved[0]
            raise BlockedAddress(host, first, address_category(first) or "refused")
        return vetted

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last_error: Exception | None = None
        for ip in self.vetted_addresses(host, port):
            try:
                stream = super().connect_tcp(
                    str(ip),  # the vetted address itself: no second lookup to rebind
                    port,
                    timeout=_time_left(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream)
        assert last_error is not None  # vetted_addresses never returns an empty list
        raise last_error


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, stream: object) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream  # type: ignore[attr-defined]

    def close(self) -> None:
        if hasattr(self._stream, "close"):
            self._stream.close()


class VettedTransport(httpx.BaseTransport):
    """httpx's HTTPTransport, minus proxies, over a pool that dials through VettingBackend.

    httpx 0.28 takes no network backend, so this passes requests to an httpcore pool built
    with one; httpcore's exceptions are left as they are and mapped by the fetcher.
    """

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=30.0,
            network_backend=backend,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        response = self._pool.handle_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_CoreStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()
