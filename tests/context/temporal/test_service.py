"""Temporal writes without HTTP: instances stored, the current state kept in step, changes
announced to listeners (subscriptions) inside the writing transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.context import events, service, store
from smartcity.context.events import EntityChange
from smartcity.context.models import AttributeInstance
from smartcity.context.temporal import instances
from smartcity.context.temporal import service as temporal

SPEED = "https://uri.etsi.org/ngsi-ld/default-context/speed"
HEAD = {
    "id": "urn:ngsi-ld:Vehicle:A",
    "type": "https://uri.etsi.org/ngsi-ld/default-context/Vehicle",
}


def speed(value: Any, at: str, **extra: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, "observedAt": at, **extra}


def current(session: Session, tenant_id: int) -> Any:
    return store.get_entity(session, tenant_id, HEAD["id"]).attrs[SPEED]


def count(session: Session, tenant_id: int) -> int:
    return session.scalar(select(func.count()).where(AttributeInstance.tenant_id == tenant_id)) or 0


@pytest.fixture
def heard() -> Iterator[list[EntityChange]]:
    changes: list[EntityChange] = []

    def listener(_session: Session, batch: Sequence[EntityChange]) -> None:
        changes.extend(batch)

    events.listen(listener)
    yield changes
    events.unlisten(listener)


def test_the_current_value_is_the_latest_observed_one(
    session: Session, tenant_id: int, clock: Any
) -> None:
    late, early = speed(2, "2020-08-01T12:05:00Z"), speed(1, "2020-08-01T12:03:00Z")
    temporal.upsert_temporal_entity(session, tenant_id, HEAD, {SPEED: [late, early]}, clock.now())
    assert current(session, tenant_id)["value"] == 2
    older = speed(0, "2020-08-01T11:00:00Z")
    temporal.append_instances(session, tenant_id, HEAD["id"], {SPEED: [older]}, clock.now())
    assert current(session, tenant_id)["value"] == 2
    assert count(session, tenant_id) == 3


def test_a_value_set_through_the_entity_api_is_not_overwritten_by_history(
    session: Session, tenant_id: int, clock: Any
) -> None:
    temporal.upsert_temporal_entity(
        session, tenant_id, HEAD, {SPEED: [speed(1, "2020-08-01T12:03:00Z")]}, clock.now()
    )
    service.update_attributes(
        session, tenant_id, HEAD["id"], {SPEED: {"type": "Property", "value": 9}}, clock.now()
    )
    temporal.append_instances(
        session, tenant_id, HEAD["id"], {SPEED: [speed(5, "2020-08-01T13:00:00Z")]}, clock.now()
    )
    shown = current(session, tenant_id)
    assert (shown["value"], "observedAt" in shown) == (9, False)


def test_the_same_instant_replaces_the_stored_instance(
    session: Session, tenant_id: int, clock: Any
) -> None:
    at = "2020-08-01T12:03:00Z"
    temporal.upsert_temporal_entity(session, tenant_id, HEAD, {SPEED: [speed(1, at)]}, clock.now())
    before = count(session, tenant_id)
    temporal.upsert_temporal_entity(
        session, tenant_id, HEAD, {SPEED: [speed(7, "2020-08-01T14:03:00+02:00")]}, clock.now()
    )
    assert count(session, tenant_id) == before
    stored = session.scalar(select(AttributeInstance.instance))
    assert stored is not None and (stored["value"], stored["observedAt"]) == (7, at)


def test_deleting_the_latest_instance_shows_the_one_before(
    session: Session, tenant_id: int, clock: Any
) -> None:
    first, last = speed(1, "2020-08-01T12:03:00Z"), speed(2, "2020-08-01T12:05:00Z")
    temporal.upsert_temporal_entity(session, tenant_id, HEAD, {SPEED: [first, last]}, clock.now())
    newest = session.scalars(
        select(AttributeInstance.instance_id).order_by(AttributeInstance.observed_at.desc())
    ).first()
    assert newest is not None
    instances.delete_instance(session, tenant_id, HEAD["id"], SPEED, newest, clock.now())
    assert current(session, tenant_id)["value"] == 1


def test_writes_are_announced_as_entity_changes(
    session: Session, tenant_id: int, clock: Any, heard: list[EntityChange]
) -> None:
    now: datetime = clock.now()
    temporal.upsert_temporal_entity(
        session, tenant_id, HEAD, {SPEED: [speed(1, "2020-08-01T12:03:00Z")]}, now
    )
    temporal.delete_temporal_entity(session, tenant_id, HEAD["id"], now)
    assert [(c.kind, c.attributes) for c in heard] == [
        ("created", frozenset({SPEED})),
        ("deleted", frozenset({SPEED})),
    ]
    assert heard[0].after is not None and heard[0].after[SPEED]["value"] == 1
    assert count(session, tenant_id) == 0
