"""Many observed attribute instances of many entities in one unit of work (for ingestion): each
instance goes to the history, each attribute's current value follows its latest observation,
and an entity observed for the first time is created from the head it comes with.

The caller commits: readings, their receipts and their dead letters share one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smartcity.context import events, store
from smartcity.context.events import EntityChange
from smartcity.context.models import AttributeInstance, ContextEntity
from smartcity.context.temporal.service import Instances, _advance, instance_row

CHUNK = 1000


@dataclass
class Observed:
    """What a batch observed of one entity: the entity to create when it does not exist yet
    (stored form: id, type, location …), and new instances by stored attribute name, each with
    observedAt."""

    head: dict[str, Any]
    instances: Instances


def _rows(session: Session, tenant_id: int, ids: list[str]) -> dict[str, ContextEntity]:
    found: dict[str, ContextEntity] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(ContextEntity).where(
            ContextEntity.tenant_id == tenant_id,
            ContextEntity.entity_id.in_(ids[start : start + CHUNK]),
        )
        found.update((row.entity_id, row) for row in session.scalars(stmt))
    return found


def write_observations(
    session: Session, tenant_id: int, batch: Mapping[str, Observed], now: datetime
) -> list[str]:
    """Store the batch (without committing); the ids of the entities it created."""
    ids = list(batch)
    rows = _rows(session, tenant_id, ids)
    missing = [batch[i].head for i in ids if i not in rows]
    created: list[str] = []
    if missing:
        result = store.upsert_entities(session, tenant_id, missing, now, create_only=True)
        events.emit(session, result.changes)
        created = result.created
        rows.update(_rows(session, tenant_id, created))
    history: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[EntityChange] = []
    for entity_id, observed in batch.items():
        row = rows[entity_id]
        attrs = dict(row.attrs)
        for name, items in observed.instances.items():
            history.extend(instance_row(tenant_id, entity_id, name, i, now) for i in items)
            attrs[name] = _advance(attrs.get(name), items)
        written = {n: attrs[n] for n in observed.instances if attrs[n] != row.attrs.get(n)}
        stamped = store.stamp(attrs, row.attrs, written, now)
        before = store.entity_document(row)
        updates.append({"b_id": row.id, "b_attrs": stamped, "b_modified": now})
        set_committed_value(row, "attrs", stamped)
        set_committed_value(row, "modified_at", now)
        after = store.entity_document(row)
        changes.append(
            EntityChange(
                tenant_id, entity_id, "updated", before, after, frozenset(observed.instances), now
            )
        )
    if history:
        session.execute(insert(AttributeInstance.__table__), history)
    if updates:
        table = ContextEntity.__table__
        stmt = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(attrs=bindparam("b_attrs"), modified_at=bindparam("b_modified"))
        )
        session.execute(stmt, updates)
    events.emit(session, changes)
    return created
