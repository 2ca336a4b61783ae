"""Deletion records (clauses 4.5.21, 6.19.3.1 `timeproperty=deletedAt`): when attribute
instances are deleted, the history keeps one instance per deletion, its value NGSI-LD Null and
its `deletedAt` the instant of deletion, so the temporal API can tell when an attribute went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from smartcity.context import store
from smartcity.context.models import AttributeInstance
from smartcity.context.normalize import NULL
from smartcity.context.temporal.params import format_datetime

# The member that holds an attribute's value, by attribute type, and its Null (clause 4.5.21).
_NULL_MEMBERS: dict[str, tuple[str, Any]] = {
    "Property": ("value", NULL),
    "GeoProperty": ("value", NULL),
    "Relationship": ("object", NULL),
    "ListProperty": ("valueList", [NULL]),
    "ListRelationship": ("objectList", [NULL]),
    "LanguageProperty": ("languageMap", {"@none": NULL}),
    "JsonProperty": ("json", NULL),
    "VocabProperty": ("vocab", NULL),
}


def deletion_record(instance: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The history's record of deleting `instance` (stored form) at `now`."""
    kind = str(instance.get("type", "Property"))
    member, null = _NULL_MEMBERS.get(kind, _NULL_MEMBERS["Property"])
    record: dict[str, Any] = {"type": kind, member: null, "deletedAt": format_datetime(now)}
    if instance.get("datasetId") is not None:
        record["datasetId"] = instance["datasetId"]
    return record


def deletion_rows(
    tenant_id: int, entity_id: str, name: str, removed: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """`ngsi_attribute_instances` rows recording the deletion of `removed` instances of `name`;
    they have no observedAt, so only `timeproperty=deletedAt` reads them (by `recorded_at`)."""
    rows = []
    for instance in removed:
        iid = store.new_instance_id()
        rows.append(
            {
                "tenant_id": tenant_id,
                "entity_id": entity_id,
                "attr": name,
                "dataset_id": instance.get("datasetId"),
                "instance_id": iid,
                "observed_at": None,
                "recorded_at": now,
                "value_number": None,
                "instance": {**deletion_record(instance, now), "instanceId": iid},
            }
        )
    return rows


def record_deletions(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    removed: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Keep in the history that these instances of attribute `name` were deleted at `now`."""
    rows = deletion_rows(tenant_id, entity_id, name, removed, now)
    if rows:
        session.execute(insert(AttributeInstance.__table__), rows)
