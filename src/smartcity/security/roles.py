"""Roles and permissions as data: which roles may do what, and which API each permission belongs to.

The table is the single place authorization is decided; docs and tests read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"  # 监督员
    DISPATCHER = "dispatcher"  # 派遣员
    HANDLER = "handler"  # department handler (处置部门)
    ANALYST = "analyst"
    HOTLINE_OPERATOR = "hotline_operator"  # 12345 话务员
    PROGRAMME = "programme"  # staff of the smart-city programme office (推进办)
    CITIZEN = "citizen"


ROLE_NAMES: dict[Role, tuple[str, str]] = {
    Role.ADMIN: ("系统管理员", "Administrator"),
    Role.SUPERVISOR: ("监督员", "Supervisor"),
    Role.DISPATCHER: ("派遣员", "Dispatcher"),
    Role.HANDLER: ("处置部门人员", "Department handler"),
    Role.ANALYST: ("分析员", "Analyst"),
    Role.HOTLINE_OPERATOR: ("热线话务员", "Hotline operator"),
    Role.PROGRAMME: ("智慧城市推进办人员", "Programme officer"),
    Role.CITIZEN: ("市民", "Citizen"),
}

STAFF = frozenset(Role) - {Role.CITIZEN}
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Permission:
    name: str
    api: str  # the API whose SMARTCITY_AUTH_<API> switch governs it
    roles: frozenset[Role]
    description: str


_PERMISSIONS = [
    Permission("geo:read", "geo", EVERYONE, "Read the city model and locate points."),
    Permission("geo:write", "geo", frozenset({Role.ADMIN}), "Import and edit the city model."),
    Permission("departments:read", "geo", STAFF, "Read departments and their areas."),
    Permission("departments:write", "geo", frozenset({Role.ADMIN}), "Edit departments."),
    Permission("context:read", "ngsild", STAFF, "Read entities and history (NGSI-LD)."),
    Permission("context:write", "ngsild", frozenset({Role.ADMIN}), "Write entities (NGSI-LD)."),
    Permission("devices:read", "sensing", STAFF, "Read the device registry."),
    Permission(
        "devices:write",
        "sensing",
        frozenset({Role.ADMIN}),
        "Register, change, retire and remove devices; issue their credentials.",
    ),
    Permission(
        "readings:write",
        "sensing",
        frozenset({Role.ADMIN}),
        "Send readings of any device in bulk (HTTP ingest); devices use their own keys.",
    ),
    Permission(
        "deadletters:read",
        "sensing",
        frozenset({Role.ADMIN}),
        "List what ingestion could not store (dead letters), with their payloads.",
    ),
    Permission("rules:read", "sensing", STAFF, "Read alert rules."),
    Permission("rules:write", "sensing", frozenset({Role.ADMIN}), "Create, change, remove rules."),
    Permission("alerts:read", "sensing", STAFF, "Read alerts and follow them live."),
    Permission(
        "alerts:write",
        "sensing",
        frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR}),
        "Acknowledge and resolve alerts.",
    ),
    Permission("cases:read", "cases", STAFF, "Read case files and their timelines."),
    Permission(
        "cases:report",
        "cases",
        frozenset(
            {Role.CITIZEN, Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMIN}
        ),
        "Report a problem (open a case).",
    ),
    Permission(
        "cases:act",
        "cases",
        EVERYONE,
        "Take workflow transitions; the workflow table decides which, per role and department.",
    ),
    Permission(
        "cases:contact",
        "cases",
        frozenset({Role.ADMIN, Role.HOTLINE_OPERATOR, Role.DISPATCHER}),
        "See a reporter's contact details unmasked (personal data).",
    ),
    Permission(
        "categories:write", "cases", frozenset({Role.ADMIN}), "Edit case categories and deadlines."
    ),
    Permission("evaluation:read", "cases", STAFF, "Read the 综合评价 figures and export them."),
    Permission("plan:read", "plan", EVERYONE, "Read the LIVED programme and its indicators."),
    Permission(
        "plan:write",
        "plan",
        frozenset({Role.ADMIN, Role.PROGRAMME}),
        "Edit projects and milestones; enter indicator observations.",
    ),
    Permission(
        "opendata:read", "opendata", EVERYONE, "Search and download the open data catalogue."
    ),
    Permission(
        "opendata:write",
        "opendata",
        frozenset({Role.ADMIN, Role.ANALYST}),
        "Edit datasets and resources of one's organisations; run publishing jobs.",
    ),
    Permission("users:read", "admin", frozenset({Role.ADMIN}), "List and read users."),
    Permission("users:write", "admin", frozenset({Role.ADMIN}), "Create, edit, disable users."),
    Permission("apikeys:manage", "admin", frozenset({Role.ADMIN}), "Issue and revoke API keys."),
    Permission("audit:read", "admin", frozenset({Role.ADMIN}), "Query the audit log."),
]

PERMISSIONS: dict[str, Permission] = {p.name: p for p in _PERMISSIONS}


def permissions_of(role: Role) -> frozenset[str]:
    return frozenset(p.name for p in _PERMISSIONS if role in p.roles)


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; choose one of {names}") from None


def parse_scopes(scopes: list[str]) -> list[str]:
    """Validate API-key scopes: each must name a permission (or end in ':*' for a whole area)."""
    result: list[str] = []
    for scope in scopes:
        scope = scope.strip()
        if scope.endswith(":*"):
            area = scope[:-1]
            if not any(name.startswith(area) for name in PERMISSIONS):
                raise ValueError(f"unknown scope {scope!r}")
        elif scope not in PERMISSIONS:
            known = ", ".join(sorted(PERMISSIONS))
            raise ValueError(f"unknown scope {scope!r}; known scopes: {known}")
        if scope not in result:
            result.append(scope)
    if not result:
        raise ValueError("an API key needs at least one scope")
    return result


def expand_scopes(scopes: list[str]) -> frozenset[str]:
    granted: set[str] = set()
    for scope in scopes:
        if scope.endswith(":*"):
            granted.update(n for n in PERMISSIONS if n.startswith(scope[:-1]))
        elif scope in PERMISSIONS:
            granted.add(scope)
    return frozenset(granted)


def permission_matrix_markdown() -> str:
    """The permission table as Markdown: one row a permission, one column a role."""
    roles = list(Role)
    lines = [
        "| permission | API | " + " | ".join(r.value for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for p in _PERMISSIONS:
        marks = " | ".join("✓" if r in p.roles else "" for r in roles)
        lines.append(f"| `{p.name}` | {p.api} | {marks} |")
    return "\n".join(lines)
