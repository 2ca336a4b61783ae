"""The console's navigation: a registry of entries, each shown only to roles whose permissions
(security/roles.py) allow it. Parts that add pages (alerts, cases, programme, open data) register
their entries here instead of editing the layout."""

from __future__ import annotations

from dataclasses import dataclass

from smartcity.security.principal import Principal
from smartcity.security.roles import PERMISSIONS, Role


@dataclass(frozen=True)
class NavEntry:
    """One link of the navigation; its label is the catalogue message `nav.<key>`."""

    key: str
    href: str
    permission: str  # the permission (roles.py) a role needs to see the entry
    order: int = 100
    staff_only: bool = True

    @property
    def label_key(self) -> str:
        return f"nav.{self.key}"

    def visible_to(self, principal: Principal) -> bool:
        if self.staff_only and principal.role in (None, Role.CITIZEN):
            return False
        return principal.can(self.permission)


_ENTRIES: dict[str, NavEntry] = {}


def register_nav(entry: NavEntry) -> None:
    """Add or replace an entry (by key)."""
    if entry.permission not in PERMISSIONS:
        raise ValueError(f"navigation entry {entry.key!r} names unknown permission")
    _ENTRIES[entry.key] = entry


def nav_entries() -> list[NavEntry]:
    return sorted(_ENTRIES.values(), key=lambda e: (e.order, e.key))


def nav_for(principal: Principal) -> list[NavEntry]:
    """The entries this principal may see, in order."""
    return [e for e in nav_entries() if e.visible_to(principal)]


def active_key(path: str) -> str | None:
    """The entry a page belongs to: the longest href that prefixes its path."""
    best: NavEntry | None = None
    for entry in _ENTRIES.values():
        matches = path == entry.href or (entry.href != "/" and path.startswith(entry.href + "/"))
        if matches and (best is None or len(entry.href) > len(best.href)):
            best = entry
    return best.key if best else None
