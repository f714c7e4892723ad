"""Outbound calls to URLs our users give: where they may go.

A webhook URL must be HTTPS (plain HTTP only where a local setting allows it) and every address
its host resolves to must be a public one: no private, loopback, link-local (the instance
metadata service at 169.254.169.254 among them), multicast, reserved or unspecified address,
IPv4 or IPv6 (IPv4-mapped IPv6 judged as the IPv4 it maps). Loopback is allowed only by a
local setting (tests receive on 127.0.0.1). The check runs at registration and again at every
send, on the addresses resolved then, and the request goes to the address that was checked, so
a DNS answer that changes between check and connect (rebinding) cannot redirect it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]


class UnsafeUrl(ValueError):
    """Why a URL may not be called (safe to show the user who gave it)."""


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    address: str  # the checked address the request connects to


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeUrl(f"the host {host!r} does not resolve") from exc
    return sorted({str(info[4][0]) for info in infos})


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local)


def check_url(
    url: str,
    *,
    allow_http: bool,
    allow_loopback: bool,
    resolve: Resolver = system_resolver,
) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not allow_http):
        raise UnsafeUrl("the URL must use https")
    if parts.username or parts.password:
        raise UnsafeUrl("the URL must not carry credentials")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl("the URL's port is not valid") from exc
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeUrl(f"the host {host!r} does not resolve")
    refused = [a for a in addresses if not _allowed(a, allow_loopback)]
    if refused:
        raise UnsafeUrl(f"the host {host!r} resolves to a non-public address ({refused[0]})")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0])
