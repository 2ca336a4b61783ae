"""Which entity types and attributes a tenant's entities use (clauses 5.7.5–5.7.10).

Everything is counted inside the database: the type index answers type questions, and the JSON
functions of each backend (`json_each` on SQLite, `jsonb_each` on PostgreSQL) unfold the stored
`attrs` into attribute names and instances, so no entity row is loaded into Python. Names are
returned in the stored form (see `context.jsonld`); the routes compact them for the client.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, func, select, text
from sqlalchemy.orm import Session

from smartcity.context.errors import ResourceNotFound
from smartcity.context.models import ContextEntityType

# Joins onto `ngsi_entities e` that expose each attribute name as `a.key` ...
_KEYS = {
    "postgresql": "CROSS JOIN LATERAL jsonb_object_keys(e.attrs) AS a(key)",
    "sqlite": "JOIN json_each(e.attrs) AS a",
}
# ... and each attribute instance (a multi-attribute has several) as `i.value`, with its type.
_INSTANCES = {
    "postgresql": (
        "CROSS JOIN LATERAL jsonb_each(e.attrs) AS a(key, value) "
        "CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(a.value) = 'array' "
        "THEN a.value ELSE jsonb_build_array(a.value) END) AS i(value)"
    ),
    "sqlite": (
        "JOIN json_each(e.attrs) AS a "
        "JOIN json_each(CASE WHEN a.type = 'array' THEN a.value "
        "ELSE json_array(json(a.value)) END) AS i"
    ),
}
_KIND = {"postgresql": "i.value ->> 'type'", "sqlite": "json_extract(i.value, '$.type')"}
_TYPED = "FROM ngsi_entity_types t JOIN ngsi_entities e ON e.id = t.entity_pk"


@dataclass(frozen=True)
class TypeInfo:
    """One entity type: how many entities have it, and each attribute's types among them."""

    name: str
    entity_count: int
    attributes: dict[str, list[str]]


@dataclass(frozen=True)
class AttributeInfo:
    """One attribute name: its instances, the attribute types they have, the entity types."""

    name: str
    attribute_count: int
    attribute_types: list[str]
    type_names: list[str]


def _sql(session: Session, template: str) -> TextClause:
    dialect = session.get_bind().dialect.name
    if dialect not in _KEYS:
        raise NotImplementedError(f"discovery does not support the {dialect} backend")
    return text(
        template.format(keys=_KEYS[dialect], instances=_INSTANCES[dialect], kind=_KIND[dialect])
    )


def _rows(session: Session, template: str, **params: Any) -> list[Any]:
    return list(session.execute(_sql(session, template), params).all())


def entity_types(session: Session, tenant_id: int) -> list[str]:
    """Every entity type at least one of the tenant's entities has (clause 5.7.5)."""
    query = (
        select(ContextEntityType.type).where(ContextEntityType.tenant_id == tenant_id).distinct()
    )
    return sorted(session.scalars(query))


def _type_attribute_pairs(
    session: Session, tenant_id: int, *, attribute: str | None = None
) -> list[tuple[str, str]]:
    template = f"SELECT DISTINCT t.type, a.key {_TYPED} {{keys}} WHERE t.tenant_id = :tenant"
    if attribute is None:
        rows = _rows(session, template, tenant=tenant_id)
    else:
        rows = _rows(session, template + " AND a.key = :name", tenant=tenant_id, name=attribute)
    return [(kind, name) for kind, name in rows]


def entity_type_details(session: Session, tenant_id: int) -> dict[str, list[str]]:
    """Every entity type with the attribute names its entities have (clause 5.7.6)."""
    details: dict[str, set[str]] = {kind: set() for kind in entity_types(session, tenant_id)}
    for kind, name in _type_attribute_pairs(session, tenant_id):
        details.setdefault(kind, set()).add(name)
    return {kind: sorted(names) for kind, names in details.items()}


def entity_type_info(session: Session, tenant_id: int, type_name: str) -> TypeInfo:
    """One entity type (stored name): its entity count and attributes (clause 5.7.7)."""
    count = session.scalar(
        select(func.count()).where(
            ContextEntityType.tenant_id == tenant_id, ContextEntityType.type == type_name
        )
    )
    if not count:
        raise ResourceNotFound(f"no entity has the type {type_name}", instance=type_name)
    rows = _rows(
        session,
        f"SELECT DISTINCT a.key, {{kind}} {_TYPED} {{instances}} "
        "WHERE t.tenant_id = :tenant AND t.type = :type",
        tenant=tenant_id,
        type=type_name,
    )
    attributes: dict[str, set[str]] = defaultdict(set)
    for name, kind in rows:
        attributes[name].update([kind] if kind is not None else [])
    return TypeInfo(type_name, count, {n: sorted(k) for n, k in sorted(attributes.items())})


def attribute_names(session: Session, tenant_id: int) -> list[str]:
    """Every attribute name at least one of the tenant's entities has (clause 5.7.8)."""
    rows = _rows(
        session,
        "SELECT DISTINCT a.key FROM ngsi_entities e {keys} WHERE e.tenant_id = :tenant",
        tenant=tenant_id,
    )
    return sorted(name for (name,) in rows)


def attribute_details(session: Session, tenant_id: int) -> dict[str, list[str]]:
    """Every attribute name with the entity types that have it (clause 5.7.9)."""
    details: dict[str, set[str]] = {name: set() for name in attribute_names(session, tenant_id)}
    for kind, name in _type_attribute_pairs(session, tenant_id):
        details.setdefault(name, set()).add(kind)
    return {name: sorted(kinds) for name, kinds in details.items()}


def attribute_info(session: Session, tenant_id: int, name: str) -> AttributeInfo:
    """One attribute (stored name): instance count, attribute types, entity types (5.7.10)."""
    rows = _rows(
        session,
        "SELECT {kind}, count(*) FROM ngsi_entities e {instances} "
        "WHERE e.tenant_id = :tenant AND a.key = :attribute GROUP BY {kind}",
        tenant=tenant_id,
        attribute=name,
    )
    if not rows:
        raise ResourceNotFound(f"no entity has the attribute {name}", instance=name)
    types = sorted(kind for kind, _ in rows if kind is not None)
    type_names = sorted(
        {kind for kind, _ in _type_attribute_pairs(session, tenant_id, attribute=name)}
    )
    return AttributeInfo(name, sum(n for _, n in rows), types, type_names)
