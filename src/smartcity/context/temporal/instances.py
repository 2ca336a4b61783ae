"""Changing one attribute instance of a temporal evolution (clauses 5.6.14 and 5.6.15), and
bringing the attribute's current value back in line with its latest observed instance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.errors import BadRequestData, ResourceNotFound
from smartcity.context.models import AttributeInstance
from smartcity.context.normalize import normalize_attribute
from smartcity.context.temporal.service import announce, as_list, instance_row, save_current

AI = AttributeInstance


def _stored_instance(
    session: Session, tenant_id: int, entity_id: str, name: str, iid: str
) -> AttributeInstance:
    store.get_entity(session, tenant_id, entity_id)
    found = session.scalar(
        select(AI).where(
            AI.tenant_id == tenant_id,
            AI.entity_id == entity_id,
            AI.attr == name,
            AI.instance_id == iid,
        )
    )
    if found is None:
        raise ResourceNotFound(f"attribute {name} of {entity_id} has no instance {iid}")
    return found


def modify_instance(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    iid: str,
    fragment: dict[str, Any],
    now: datetime,
) -> None:
    """PATCH /temporal/entities/{id}/attrs/{attr}/{instanceId}: merge members into one instance;
    its instanceId stays, it is recorded anew."""
    found = _stored_instance(session, tenant_id, entity_id, name, iid)
    old = dict(found.instance)
    if fragment.get("type", old.get("type")) != old.get("type"):
        raise BadRequestData(f"{name}: an instance's attribute type cannot change")
    if fragment.get("datasetId", old.get("datasetId")) != old.get("datasetId"):
        raise BadRequestData(f"{name}: an instance's datasetId cannot change")
    merged = normalize_attribute(name, {**old, **fragment}, path=name)
    if not isinstance(merged, dict):
        raise BadRequestData(f"{name}: the fragment must be one attribute instance")
    rewritten = instance_row(tenant_id, entity_id, name, merged, now, iid)
    for key in ("observed_at", "recorded_at", "value_number", "instance"):
        setattr(found, key, rewritten[key])
    session.flush()
    refresh_current(session, tenant_id, entity_id, name, old.get("datasetId"), now)
    session.commit()


def delete_instance(
    session: Session, tenant_id: int, entity_id: str, name: str, iid: str, now: datetime
) -> None:
    """DELETE /temporal/entities/{id}/attrs/{attr}/{instanceId}."""
    found = _stored_instance(session, tenant_id, entity_id, name, iid)
    dataset = found.dataset_id
    session.delete(found)
    session.flush()
    refresh_current(session, tenant_id, entity_id, name, dataset, now)
    session.commit()


def refresh_current(
    session: Session, tenant_id: int, entity_id: str, name: str, dataset: str | None, now: datetime
) -> None:
    """After an instance changed: an observed current value shows the latest instance again."""
    row = store.get_entity(session, tenant_id, entity_id)
    current = as_list(row.attrs.get(name))
    shown = next((i for i in current if i.get("datasetId") == dataset), None)
    if shown is not None and "observedAt" not in shown:
        return
    latest = session.scalar(
        select(AI.instance)
        .where(
            AI.tenant_id == tenant_id,
            AI.entity_id == entity_id,
            AI.attr == name,
            AI.dataset_id.is_(None) if dataset is None else AI.dataset_id == dataset,
            AI.observed_at.is_not(None),
        )
        .order_by(AI.observed_at.desc())
        .limit(1)
    )
    others = [i for i in current if i.get("datasetId") != dataset]
    if latest is not None:
        others.append({k: v for k, v in latest.items() if k != "instanceId"})
    attrs = {k: v for k, v in row.attrs.items() if k != name}
    if others:
        attrs[name] = others[0] if len(others) == 1 else others
    before = store.entity_document(row)
    save_current(session, row, attrs, now)
    announce(session, row, before, {name}, now)
