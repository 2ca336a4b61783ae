"""Where notifications may go: the guard against server-side request forgery.

Unless `SMARTCITY_NOTIFY_ALLOW_PRIVATE` is on, a notification never reaches a loopback, private,
link-local, multicast, reserved or unspecified address. A literal address is refused when the
subscription is written; a host name is resolved at delivery and every address it resolves to
is checked, then the connection is made to the checked address (no second lookup to rebind).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

SCHEMES = {"http": 80, "https": 443, "mqtt": 1883, "mqtts": 8883}


class RefusedTarget(Exception):
    """An endpoint a notification must not be sent to; the message says why."""


@dataclass(frozen=True)
class Target:
    """A checked endpoint: its parsed URI and the address to connect to."""

    uri: SplitResult
    host: str
    port: int
    address: str


def split_endpoint(uri: str) -> SplitResult:
    """The parsed URI of a notification endpoint; ValueError when it cannot be one."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError(f"the scheme must be one of {', '.join(SCHEMES)}")
    if not parts.hostname:
        raise ValueError("the URI names no host")
    parts.port  # noqa: B018 - raises ValueError on a port out of range
    return parts


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _forbidden(address.ipv4_mapped)
    for label, flag in (
        ("loopback", address.is_loopback),
        ("private", address.is_private),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("unspecified", address.is_unspecified),
    ):
        if flag:
            return label
    if not address.is_global:
        return "non-public"
    return None


def literal_refusal(uri: str, *, allow_private: bool) -> str | None:
    """Why an endpoint given as a literal address is refused (None: acceptable or a name)."""
    if allow_private:
        return None
    host = urlsplit(uri).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    kind = _forbidden(address)
    return f"notifications may not go to the {kind} address {host}" if kind else None


def resolve(uri: str, *, allow_private: bool) -> Target:
    """Resolve the endpoint's host and check every address it has; RefusedTarget otherwise."""
    try:
        parts = split_endpoint(uri)
    except ValueError as exc:
        raise RefusedTarget(f"invalid endpoint {uri!r}: {exc}") from None
    host = parts.hostname or ""
    port = parts.port or SCHEMES[parts.scheme.lower()]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedTarget(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise RefusedTarget(f"{host} resolves to no address")
    if not allow_private:
        for text in addresses:
            kind = _forbidden(ipaddress.ip_address(text.split("%")[0]))
            if kind:
                raise RefusedTarget(
                    f"refused: {host} resolves to the {kind} address {text} "
                    "(set SMARTCITY_NOTIFY_ALLOW_PRIVATE=1 to allow)"
                )
    return Target(parts, host, port, addresses[0])
