"""Writes of the temporal API (clauses 5.6.11–5.6.16): attribute instances added, replaced,
modified and deleted, with the entity's current state kept in step. No HTTP; names are stored.

An instance is identified by (attribute, datasetId, observedAt): writing one at the same instant
replaces it. The current state of an attribute (`ngsi_entities.attrs`) follows its most recently
observed instance; a newer current value written without observedAt is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, delete, insert, or_, select
from sqlalchemy.orm import Session

from smartcity.context import events, store
from smartcity.context.errors import BadRequestData, ResourceNotFound
from smartcity.context.events import EntityChange
from smartcity.context.models import AttributeInstance, ContextEntity
from smartcity.context.normalize import ENTITY_MEMBERS, parse_datetime
from smartcity.context.temporal.params import format_datetime

Instances = dict[str, list[dict[str, Any]]]  # stored attribute name → its instances
AI = AttributeInstance


def numeric(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def observed(instance: dict[str, Any], where: str) -> datetime:
    """The instance's observedAt as UTC; the temporal API needs one on every instance."""
    if "observedAt" not in instance:
        raise BadRequestData(f"{where}: every temporal attribute instance needs observedAt")
    return parse_datetime(instance["observedAt"], f"{where}.observedAt").astimezone(UTC)


def instance_row(
    tenant_id: int,
    entity_id: str,
    name: str,
    instance: dict[str, Any],
    now: datetime,
    iid: str | None = None,
) -> dict[str, Any]:
    """One `ngsi_attribute_instances` row; observedAt is kept in the canonical UTC form."""
    moment = observed(instance, name)
    iid = iid or store.new_instance_id()
    body = {**instance, "observedAt": format_datetime(moment), "instanceId": iid}
    return {
        "tenant_id": tenant_id,
        "entity_id": entity_id,
        "attr": name,
        "dataset_id": instance.get("datasetId"),
        "instance_id": iid,
        "observed_at": moment,
        "recorded_at": now,
        "value_number": numeric(instance.get("value")),
        "instance": body,
    }


def _same_instants(rows: list[dict[str, Any]]) -> Any:
    """SQL matching stored instances that the new rows replace (same attr, dataset, instant)."""
    return or_(
        *(
            and_(
                AI.attr == row["attr"],
                AI.dataset_id.is_(None)
                if row["dataset_id"] is None
                else AI.dataset_id == row["dataset_id"],
                AI.observed_at == row["observed_at"],
            )
            for row in rows
        )
    )


def write_instances(
    session: Session, row: ContextEntity, instances: Instances, now: datetime
) -> None:
    """Store the instances (replacing same-instant ones) and move the current state forward."""
    rows = [
        instance_row(row.tenant_id, row.entity_id, name, instance, now)
        for name, items in instances.items()
        for instance in items
    ]
    if not rows:
        return
    for start in range(0, len(rows), 200):  # bounded OR-lists
        session.execute(
            delete(AI).where(
                AI.tenant_id == row.tenant_id,
                AI.entity_id == row.entity_id,
                _same_instants(rows[start : start + 200]),
            )
        )
    session.execute(insert(AI.__table__), rows)
    attrs = dict(row.attrs)
    for name, items in instances.items():
        attrs[name] = _advance(attrs.get(name), items)
    save_current(session, row, attrs, now)


def save_current(
    session: Session, row: ContextEntity, attrs: dict[str, Any], now: datetime
) -> None:
    """Store the entity's current attributes, stamping createdAt/modifiedAt (clause 4.8) on the
    instances that changed; the history is written apart, so none is added here."""
    written = {}
    for name, attribute in attrs.items():
        before = as_list(row.attrs.get(name))
        changed = [i for i in as_list(attribute) if _shown(i) not in map(_shown, before)]
        if changed:
            written[name] = changed
    store.save_attributes(session, row, store.stamp(attrs, row.attrs, written, now), {}, now)


def _shown(instance: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in instance.items() if k not in ("createdAt", "modifiedAt")}


def _advance(current: Any, incoming: list[dict[str, Any]]) -> Any:
    """The attribute's current instances after `incoming`: per datasetId, the latest observed."""
    by_dataset = {i.get("datasetId"): i for i in as_list(current)}
    for instance in sorted(incoming, key=lambda i: observed(i, "instance")):
        dataset = instance.get("datasetId")
        now_shown = by_dataset.get(dataset)
        if now_shown is None or _not_later(now_shown, instance):
            by_dataset[dataset] = {k: v for k, v in instance.items() if k != "instanceId"}
    values = list(by_dataset.values())
    return values[0] if len(values) == 1 else values


def _not_later(shown: dict[str, Any], instance: dict[str, Any]) -> bool:
    if "observedAt" not in shown:
        return False  # written through the entity API without observedAt: newer by definition
    return observed(shown, "current") <= observed(instance, "instance")


def as_list(attribute: Any) -> list[dict[str, Any]]:
    if attribute is None:
        return []
    return attribute if isinstance(attribute, list) else [attribute]


def upsert_temporal_entity(
    session: Session,
    tenant_id: int,
    entity: dict[str, Any],
    instances: Instances,
    now: datetime,
) -> bool:
    """POST /temporal/entities: create the entity or add to it (types are unioned). True when
    the entity was created."""
    head = {k: entity[k] for k in ("id", "type", "scope") if k in entity}
    before_row = session.scalar(_entity(tenant_id, entity["id"]))
    before = store.entity_document(before_row) if before_row is not None else None
    result = store.upsert_entities(session, tenant_id, [head], now, replace=False)
    row = store.get_entity(session, tenant_id, entity["id"])
    write_instances(session, row, instances, now)
    announce(session, row, before, set(instances), now)
    session.commit()
    return bool(result.created)


def append_instances(
    session: Session, tenant_id: int, entity_id: str, instances: Instances, now: datetime
) -> None:
    """POST /temporal/entities/{id}/attrs."""
    if not instances:
        raise BadRequestData("the request names no attribute")
    row = store.get_entity(session, tenant_id, entity_id)
    before = store.entity_document(row)
    write_instances(session, row, instances, now)
    announce(session, row, before, set(instances), now)
    session.commit()


def delete_temporal_entity(session: Session, tenant_id: int, entity_id: str, now: datetime) -> None:
    """DELETE /temporal/entities/{id}: the entity and its whole history."""
    row = store.get_entity(session, tenant_id, entity_id)
    before = store.entity_document(row, sys_attrs=True)
    session.execute(delete(AI).where(AI.tenant_id == tenant_id, AI.entity_id == entity_id))
    store.delete_entity(session, tenant_id, entity_id)
    written = frozenset(k for k in before if k not in ENTITY_MEMBERS)
    events.emit(
        session, [EntityChange(tenant_id, entity_id, "deleted", before, None, written, now)]
    )
    session.commit()


def delete_attribute(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    now: datetime,
    *,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """DELETE /temporal/entities/{id}/attrs/{attr}: the default instances, one datasetId's, or
    all of them; the attribute leaves the current state the same way."""
    row = store.get_entity(session, tenant_id, entity_id)
    where = [AI.tenant_id == tenant_id, AI.entity_id == entity_id, AI.attr == name]
    if not delete_all:
        where.append(AI.dataset_id.is_(None) if dataset_id is None else AI.dataset_id == dataset_id)
    gone = session.execute(delete(AI).where(*where)).rowcount
    current = as_list(row.attrs.get(name))
    kept = [] if delete_all else [i for i in current if i.get("datasetId") != dataset_id]
    if not gone and len(kept) == len(current):
        raise ResourceNotFound(f"entity {entity_id} has no such instances of {name}")
    before = store.entity_document(row)
    attrs = {k: v for k, v in row.attrs.items() if k != name}
    if kept:
        attrs[name] = kept[0] if len(kept) == 1 else kept
    save_current(session, row, attrs, now)
    announce(session, row, before, {name}, now)
    session.commit()


def _entity(tenant_id: int, entity_id: str) -> Select[tuple[ContextEntity]]:
    return select(ContextEntity).where(
        ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id == entity_id
    )


def announce(
    session: Session,
    row: ContextEntity,
    before: dict[str, Any] | None,
    written: Iterable[str],
    now: datetime,
) -> None:
    kind = "created" if before is None else "updated"
    after = store.entity_document(row)
    change = EntityChange(
        row.tenant_id, row.entity_id, kind, before, after, frozenset(written), now
    )
    events.emit(session, [change])
