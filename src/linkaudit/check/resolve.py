"""Name resolution seams for the checker: a guard against private targets, and a mapping for simulated webs.

A cited URL must not make the auditor probe the machine's own network (SSRF), so real lookups pass through a
guard; tests and the demo instead map cited host names onto loopback servers, so nothing is resolved for real.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

PRIVATE_DETAIL = "resolves to a private address (use --allow-private)"


class PrivateAddressError(OSError):
    """The host resolves to an address the auditor must not reach (loopback, private, link-local…)."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} {PRIVATE_DETAIL}: {address}")
        self.host = host
        self.address = address


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix: the last 32 bits are an IPv4 address


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and would reach: mapped (``::ffff:a.b.c.d``), 6to4
    (``2002:aabb:ccdd::``), NAT64 (``64:ff9b::a.b.c.d``) or IPv4-compatible (``::a.b.c.d``)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local, multicast, reserved and unspecified addresses, also when an
    IPv6 address embeds one (mapped, 6to4, NAT64: a gateway would forward it there)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None and (not inner.is_global or inner.is_multicast):
            return True
        if inner is not None and ip.ipv4_mapped is not None:
            return False
    return not ip.is_global or ip.is_multicast


def _clean(host: str) -> str:
    return host.rstrip(".").lower()


class MappingResolver(AbstractResolver):
    """Resolves only the host names it is given, each onto an (address, port); any other name fails.

    Unmapped names raise ``OSError`` (aiohttp reports a DNS failure): the system resolver is never asked.
    """

    def __init__(
        self, mapping: Mapping[str, tuple[str, int]], *, fallback: tuple[str, int] | None = None
    ) -> None:
        self._mapping = {_clean(host): target for host, target in mapping.items()}
        self._fallback = fallback

    def add(self, host: str, target: tuple[str, int]) -> None:
        self._mapping[_clean(host)] = target

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(self._mapping)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        target = self._mapping.get(_clean(host), self._fallback)
        if target is None:
            raise OSError(socket.EAI_NONAME, f"unknown host {host}")
        address, mapped_port = target
        address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [
            {
                "hostname": host,
                "host": address,
                "port": mapped_port,
                "family": address_family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


class GuardedResolver(AbstractResolver):
    """Wraps a real resolver and refuses names that resolve to a non-public address.

    ``trusted`` names (the configured proxies) are resolved without the check: the user chose them.
    """

    def __init__(self, inner: AbstractResolver | None = None, *, trusted: Iterable[str] = ()) -> None:
        self._inner = inner if inner is not None else DefaultResolver()
        self._trusted = frozenset(_clean(host) for host in trusted)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if _clean(host) in self._trusted:
            return results
        for result in results:
            if is_private_address(result["host"]):
                raise PrivateAddressError(host, result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()
