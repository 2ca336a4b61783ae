"""Batch entity operations (clause 5.6.7–5.6.10, 5.6.20): many entities per request, the good ones
stored and each bad one reported with its own ProblemDetails (a BatchOperationResult)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.context import events, service, store
from smartcity.context.errors import AlreadyExists, BadRequestData, NgsiLdError, ResourceNotFound
from smartcity.context.models import ContextEntity

CHUNK = 1000


@dataclass
class BatchOutcome:
    """What a batch did: ids that succeeded (and which were created), and per-entity errors."""

    success: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, entity_id: Any, error: NgsiLdError) -> None:
        self.errors.append({"entityId": entity_id, "error": error.problem()})

    def body(self) -> dict[str, Any]:
        return {"success": self.success, "errors": self.errors}


def existing_ids(session: Session, tenant_id: int, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found.update(
            session.scalars(
                select(ContextEntity.entity_id).where(
                    ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id.in_(chunk)
                )
            )
        )
    return found


def _unique(entities: list[dict[str, Any]], outcome: BatchOutcome) -> list[dict[str, Any]]:
    """Each id once: a later duplicate in the same batch is reported, not applied."""
    seen: set[str] = set()
    unique = []
    for entity in entities:
        if entity["id"] in seen:
            outcome.fail(entity["id"], BadRequestData("this id appears twice in the batch"))
            continue
        seen.add(entity["id"])
        unique.append(entity)
    return unique


def _write(session: Session, tenant_id: int, entities: list[dict[str, Any]], **kwargs: Any) -> Any:
    result = store.upsert_entities(session, tenant_id, entities, kwargs.pop("now"), **kwargs)
    events.emit(session, result.changes)
    session.commit()
    return result


def create_many(
    session: Session, tenant_id: int, entities: list[dict[str, Any]], now: datetime
) -> BatchOutcome:
    outcome = BatchOutcome()
    entities = _unique(entities, outcome)
    present = existing_ids(session, tenant_id, [e["id"] for e in entities])
    fresh = []
    for entity in entities:
        if entity["id"] in present:
            outcome.fail(entity["id"], AlreadyExists(f"entity {entity['id']} already exists"))
        else:
            fresh.append(entity)
    for start in range(0, len(fresh), CHUNK):
        result = _write(session, tenant_id, fresh[start : start + CHUNK], now=now, create_only=True)
        outcome.success.extend(result.created)
        outcome.created.extend(result.created)
    return outcome


def upsert_many(
    session: Session,
    tenant_id: int,
    entities: list[dict[str, Any]],
    now: datetime,
    *,
    replace: bool = True,
) -> BatchOutcome:
    """Create what is new; replace (or, with `replace=False`, update) what exists. An id given
    twice is written once, the later entity winning (as if applied in order)."""
    outcome = BatchOutcome()
    for start in range(0, len(entities), CHUNK):
        result = _write(
            session, tenant_id, entities[start : start + CHUNK], now=now, replace=replace
        )
        outcome.created.extend(result.created)
        outcome.success.extend([*result.created, *result.updated])
    return outcome


def update_many(
    session: Session,
    tenant_id: int,
    entities: list[dict[str, Any]],
    now: datetime,
    *,
    no_overwrite: bool = False,
) -> BatchOutcome:
    """Append attributes to existing entities (clause 5.6.9); unknown entities are errors."""
    outcome = BatchOutcome()
    for entity in _unique(entities, outcome):
        try:
            result = service.append_attributes(
                session, tenant_id, entity["id"], entity, now, no_overwrite=no_overwrite
            )
        except NgsiLdError as exc:
            session.rollback()
            outcome.fail(entity["id"], exc)
            continue
        if result.complete:
            outcome.success.append(entity["id"])
        else:
            reasons = "; ".join(f"{n['attributeName']}: {n['reason']}" for n in result.not_updated)
            outcome.fail(entity["id"], BadRequestData(f"not updated: {reasons}"))
    return outcome


def merge_many(
    session: Session, tenant_id: int, entities: list[dict[str, Any]], now: datetime
) -> BatchOutcome:
    outcome = BatchOutcome()
    for entity in _unique(entities, outcome):
        try:
            service.merge_entity(session, tenant_id, entity["id"], entity, now)
        except NgsiLdError as exc:
            session.rollback()
            outcome.fail(entity["id"], exc)
            continue
        outcome.success.append(entity["id"])
    return outcome


def delete_many(session: Session, tenant_id: int, ids: list[str], now: datetime) -> BatchOutcome:
    outcome = BatchOutcome()
    for entity_id in ids:  # an id given twice: its second deletion finds nothing (an error)
        try:
            service.delete_entity(session, tenant_id, entity_id, now)
        except ResourceNotFound as exc:
            session.rollback()
            outcome.fail(entity_id, exc)
            continue
        outcome.success.append(entity_id)
    return outcome
