"""Broker addresses: `mqtt://user:password@host:1883` (or `mqtts://` for TLS) read into parts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"mqtt": 1883, "tcp": 1883, "mqtts": 8883, "ssl": 8883}


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: bool = False

    def url(self, *, hide_password: bool = True) -> str:
        """The address as a URL, its password masked unless asked otherwise."""
        scheme = "mqtts" if self.tls else "mqtt"
        login = ""
        if self.username is not None:
            secret = "***" if hide_password else (self.password or "")
            login = (
                f"{self.username}:{secret}@" if self.password is not None else f"{self.username}@"
            )
        return f"{scheme}://{login}{self.host}:{self.port}"


def parse_broker_url(url: str) -> BrokerAddress:
    """A broker URL's parts; ValueError naming what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, not {url!r}")
    if not parts.hostname:
        raise ValueError(f"MQTT URL names no host: {url!r}")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError(f"MQTT URL has a bad port: {url!r}") from None
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        tls=parts.scheme in ("mqtts", "ssl"),
    )
