"""Entity storage: current state in `ngsi_entities`, every written attribute value in history.

Entities come in the internal form (see models.py) and are written in batches: one SELECT to find
which exist, then executemany INSERTs and UPDATEs, never a transaction per entity.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shapely.geometry import shape
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smartcity.context.errors import AlreadyExists, ResourceNotFound
from smartcity.context.events import EntityChange
from smartcity.context.models import AttributeInstance, ContextEntity, ContextEntityType
from smartcity.context.normalize import ENTITY_MEMBERS, parse_datetime

_INSTANCE_PREFIX = f"urn:ngsi-ld:attribute:instance:{uuid.uuid4().hex[:16]}-"
_instance_numbers = itertools.count(1)
LOCATION = "location"  # the GeoProperty whose bounding box is kept in columns, by its core name


@dataclass
class BatchResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    changes: list[EntityChange] = field(default_factory=list)


def types_of(entity: dict[str, Any]) -> list[str]:
    kind = entity["type"]
    return list(kind) if isinstance(kind, list) else [kind]


def attributes_of(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entity.items() if k not in ENTITY_MEMBERS}


def _box(attrs: dict[str, Any]) -> dict[str, float | None]:
    location = attrs.get(LOCATION)
    if isinstance(location, list):  # several instances: the default one, else the first
        location = next((i for i in location if "datasetId" not in i), location[0])
    if not isinstance(location, dict) or not isinstance(location.get("value"), dict):
        return {"min_lon": None, "min_lat": None, "max_lon": None, "max_lat": None}
    geometry = location["value"]
    coordinates = geometry.get("coordinates")
    if geometry.get("type") == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
        x, y = float(coordinates[0]), float(coordinates[1])  # the common case, without shapely
        return {"min_lon": x, "min_lat": y, "max_lon": x, "max_lat": y}
    x0, y0, x1, y1 = shape(geometry).bounds
    return {"min_lon": x0, "min_lat": y0, "max_lon": x1, "max_lat": y1}


def new_instance_id() -> str:
    """A unique attribute instance id: a random per-process prefix and a counter (cheaper than a
    uuid4 per instance, which matters at tens of thousands of instances per second)."""
    return f"{_INSTANCE_PREFIX}{next(_instance_numbers):x}"


def _instance_list(attribute: Any) -> list[Any]:
    return attribute if isinstance(attribute, list) else [attribute]


def stamp(
    attrs: dict[str, Any], previous: dict[str, Any], written: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The attributes with `createdAt`/`modifiedAt` on each instance `written` names (clause
    4.8): createdAt kept from the instance it replaces (same datasetId), modifiedAt now."""
    stamped = dict(attrs)
    at = now.isoformat().replace("+00:00", "Z")
    for name, incoming in written.items():
        attribute = attrs.get(name)
        if attribute is None:
            continue
        old = previous.get(name)
        if isinstance(attribute, dict) and isinstance(incoming, dict):  # one instance, the usual
            dataset = attribute.get("datasetId")
            created = None
            for instance in _instance_list(old) if old is not None else ():
                if isinstance(instance, dict) and instance.get("datasetId") == dataset:
                    created = instance.get("createdAt")
            stamped[name] = {**attribute, "createdAt": created or at, "modifiedAt": at}
            continue
        touched = {i.get("datasetId") for i in _instance_list(incoming) if isinstance(i, dict)}
        before = {
            i.get("datasetId"): i.get("createdAt")
            for i in _instance_list(old if old is not None else [])
            if isinstance(i, dict)
        }
        instances = [
            {**i, "createdAt": before.get(i.get("datasetId")) or at, "modifiedAt": at}
            if isinstance(i, dict) and i.get("datasetId") in touched
            else i
            for i in _instance_list(attribute)
        ]
        stamped[name] = instances if isinstance(attribute, list) else instances[0]
    return stamped


def _written_instances(attrs: dict[str, Any], written: dict[str, Any]) -> dict[str, Any]:
    """Of the stored attributes, the instances an operation wrote (for the history)."""
    out = {}
    for name, incoming in written.items():
        touched = {i.get("datasetId") for i in _instance_list(incoming) if isinstance(i, dict)}
        found = [i for i in _instance_list(attrs.get(name, [])) if i.get("datasetId") in touched]
        if found:
            out[name] = found
    return out


def _history_rows(
    tenant_id: int, entity_id: str, attrs: dict[str, Any], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for name, attribute in attrs.items():
        for instance in attribute if isinstance(attribute, list) else [attribute]:
            observed = instance.get("observedAt")
            value = instance.get("value")
            number = (
                float(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else None
            )
            instance_id = new_instance_id()
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "entity_id": entity_id,
                    "attr": name,
                    "dataset_id": instance.get("datasetId"),
                    "instance_id": instance_id,
                    "observed_at": parse_datetime(observed, "observedAt") if observed else None,
                    "recorded_at": now,
                    "value_number": number,
                    "instance": {**instance, "instanceId": instance_id},
                }
            )
    return rows


def upsert_entities(
    session: Session,
    tenant_id: int,
    entities: Iterable[dict[str, Any]],
    now: datetime,
    *,
    replace: bool = True,
    create_only: bool = False,
) -> BatchResult:
    """Write many entities at once. `replace` swaps all attributes; otherwise they are merged."""
    batch = {e["id"]: e for e in entities}  # the last of duplicates wins, as in a sequence
    existing = (
        {
            row.entity_id: row
            for row in session.scalars(
                select(ContextEntity).where(
                    ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id.in_(list(batch))
                )
            )
        }
        if batch
        else {}
    )
    result = BatchResult()
    new_rows, history = [], []
    for entity_id, entity in batch.items():
        row = existing.get(entity_id)
        attrs = attributes_of(entity)
        attrs = stamp(attrs, row.attrs if row is not None else {}, attrs, now)
        history.extend(_history_rows(tenant_id, entity_id, attrs, now))
        if row is None:
            new_rows.append(
                {
                    "tenant_id": tenant_id,
                    "entity_id": entity_id,
                    "types": types_of(entity),
                    "attrs": attrs,
                    "scope": entity.get("scope"),
                    "created_at": now,
                    "modified_at": now,
                    **_box(attrs),
                }
            )
            result.created.append(entity_id)
            after = {k: v for k, v in entity.items() if k not in ("createdAt", "modifiedAt")}
            result.changes.append(
                EntityChange(tenant_id, entity_id, "created", None, after, frozenset(attrs), now)
            )
            continue
        if create_only:
            raise AlreadyExists(f"entity {entity_id} already exists")
        before = entity_document(row)
        merged = attrs if replace else {**row.attrs, **attrs}
        types = sorted(set(types_of(entity)) | (set() if replace else set(row.types)))
        row.attrs, row.types, row.modified_at = merged, types, now
        row.scope = entity.get("scope", None if replace else row.scope)
        for key, value in _box(merged).items():
            setattr(row, key, value)
        result.updated.append(entity_id)
        written = frozenset(attrs) | (frozenset(before) - frozenset(merged) - {"id", "type"})
        result.changes.append(
            EntityChange(
                tenant_id, entity_id, "updated", before, entity_document(row), written, now
            )
        )
    if new_rows:
        session.execute(insert(ContextEntity.__table__), new_rows)
    session.flush()
    _write_types(session, tenant_id, list(batch))
    if history:
        session.execute(insert(AttributeInstance.__table__), history)
    return result


def rewrite_types(session: Session, row: ContextEntity) -> None:
    """After changing `row.types`: rewrite its rows in the type index."""
    session.flush()
    _write_types(session, row.tenant_id, [row.entity_id])


def _write_types(session: Session, tenant_id: int, entity_ids: list[str]) -> None:
    """Rewrite the type rows of these entities from their stored types."""
    rows = session.execute(
        select(ContextEntity.id, ContextEntity.types).where(
            ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id.in_(entity_ids)
        )
    ).all()
    pks = [pk for pk, _ in rows]
    session.execute(delete(ContextEntityType).where(ContextEntityType.entity_pk.in_(pks)))
    session.execute(
        insert(ContextEntityType.__table__),
        [{"entity_pk": pk, "type": t, "tenant_id": tenant_id} for pk, ts in rows for t in ts],
    )


# The statements of the hottest paths (one entity's read-modify-write), built once: building a
# statement and its cache key costs about as much as SQLite executing it.
_GET_ENTITY = select(ContextEntity).where(
    ContextEntity.tenant_id == bindparam("tenant"), ContextEntity.entity_id == bindparam("entity")
)
_ENTITIES = ContextEntity.__table__
_UPDATE_ENTITY = update(_ENTITIES).where(_ENTITIES.c.id == bindparam("pk"))
_INSERT_INSTANCES = insert(AttributeInstance.__table__)


def get_entity(session: Session, tenant_id: int, entity_id: str) -> ContextEntity:
    row = session.scalar(_GET_ENTITY, {"tenant": tenant_id, "entity": entity_id})
    if row is None:
        raise ResourceNotFound(f"entity {entity_id} was not found", instance=entity_id)
    return row


def delete_entity(session: Session, tenant_id: int, entity_id: str) -> None:
    row = get_entity(session, tenant_id, entity_id)
    session.execute(delete(ContextEntityType).where(ContextEntityType.entity_pk == row.id))
    session.delete(row)


def entity_document(row: ContextEntity, *, sys_attrs: bool = False) -> dict[str, Any]:
    """The stored entity in the internal form, with createdAt/modifiedAt when asked."""
    document: dict[str, Any] = {
        "id": row.entity_id,
        "type": row.types[0] if len(row.types) == 1 else list(row.types),
    }
    if row.scope:  # one scope is a string, as JSON-LD compaction gives it
        document["scope"] = row.scope[0] if len(row.scope) == 1 else list(row.scope)
    document.update(row.attrs)
    if sys_attrs:
        document["createdAt"] = row.created_at.isoformat().replace("+00:00", "Z")
        document["modifiedAt"] = row.modified_at.isoformat().replace("+00:00", "Z")
    return document


def save_attributes(
    session: Session,
    row: ContextEntity,
    attrs: dict[str, Any],
    changed: dict[str, Any],
    now: datetime,
) -> None:
    """Store an entity's new attribute set; `changed` (the instances written) goes to history."""
    attrs = stamp(attrs, row.attrs, changed, now)
    changed = _written_instances(attrs, changed)
    values = {"attrs": attrs, "modified_at": now, **_box(attrs)}
    # A Core UPDATE (no unit-of-work flush for the hottest write), then the loaded row is told
    # its new committed state.
    session.execute(_UPDATE_ENTITY, {**values, "pk": row.id})
    for key, value in values.items():
        set_committed_value(row, key, value)
    history = _history_rows(row.tenant_id, row.entity_id, changed, now)
    if history:
        session.execute(_INSERT_INSTANCES, history)
