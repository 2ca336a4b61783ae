"""Who is asking: the principal every service call acts for."""

from __future__ import annotations

from dataclasses import dataclass, field

from smartcity.security.roles import Role


@dataclass(frozen=True)
class Principal:
    """A user, an API key, the CLI or an anonymous caller, always inside one tenant."""

    tenant_id: int
    kind: str  # user | apikey | cli | anonymous
    name: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    id: int | None = None
    role: Role | None = None
    department_id: int | None = None
    key_id: int | None = None  # the API key or user the rate limit is counted against

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def rate_key(self) -> str:
        return f"{self.kind}:{self.id if self.id is not None else self.name}"
