"""The batched observation writer (ingestion's path into history and current values), on both
backends: what its driver-level writes store must read back exactly as the ORM would have it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from smartcity.context.models import AttributeInstance, ContextEntity
from smartcity.context.temporal.observations import Observed, write_observations
from smartcity.platform import Platform

SPEED = "https://example.org/speed"
NOTE = "https://example.org/note"
ODD = 'tab\there, new\nline, back\\slash, quote " and 中文'


def _observed(entity_id: str, instances: dict[str, list[dict[str, Any]]]) -> Observed:
    return Observed({"id": entity_id, "type": "https://example.org/Probe"}, instances)


def _write(platform: Platform, tenant_id: int, batch: dict[str, Observed]) -> list[str]:
    with platform.db.session() as session:
        created = write_observations(session, tenant_id, batch, platform.clock.now())
        session.commit()
    return created


def _entity(platform: Platform, tenant_id: int, entity_id: str) -> ContextEntity:
    with platform.db.session() as session:
        return session.scalars(
            select(ContextEntity).where(
                ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id == entity_id
            )
        ).one()


def _history(platform: Platform, tenant_id: int, attr: str) -> list[AttributeInstance]:
    with platform.db.session() as session:
        stmt = (
            select(AttributeInstance)
            .where(AttributeInstance.tenant_id == tenant_id, AttributeInstance.attr == attr)
            .order_by(AttributeInstance.observed_at, AttributeInstance.id)
        )
        return list(session.scalars(stmt))


def test_awkward_text_round_trips(platform: Platform, tenant_id: int) -> None:
    entity_id = "urn:ngsi-ld:Probe:tab\tand\\back"
    note = {"type": "Property", "value": ODD, "observedAt": "2026-01-05T08:00:00+08:00"}
    noted = {**note, "datasetId": "urn:ngsi-ld:Dataset:odd\\one"}
    created = _write(platform, tenant_id, {entity_id: _observed(entity_id, {NOTE: [noted]})})
    assert created == [entity_id]
    [row] = _history(platform, tenant_id, NOTE)
    assert row.entity_id == entity_id
    assert row.dataset_id == "urn:ngsi-ld:Dataset:odd\\one"
    assert row.value_number is None
    assert row.observed_at.isoformat() == "2026-01-05T00:00:00+00:00"
    assert row.recorded_at == platform.clock.now()
    assert row.instance["value"] == ODD
    assert row.instance["observedAt"] == "2026-01-05T00:00:00Z"  # the canonical UTC form
    assert row.instance["instanceId"] == row.instance_id
    current = _entity(platform, tenant_id, entity_id).attrs[NOTE]
    assert current["value"] == ODD and "instanceId" not in current


def test_latest_observation_wins_and_history_keeps_all(platform: Platform, tenant_id: int) -> None:
    entity_id = "urn:ngsi-ld:Probe:1"

    def speed(value: float, at: str) -> dict[str, Any]:
        return {"type": "Property", "value": value, "observedAt": at}

    first = [speed(1, "2026-01-05T00:02:00Z"), speed(2, "2026-01-05T00:03:00Z")]
    _write(platform, tenant_id, {entity_id: _observed(entity_id, {SPEED: first})})
    assert _entity(platform, tenant_id, entity_id).attrs[SPEED]["value"] == 2
    # Older than the current value: history only. Equal times: the later in the batch wins.
    _write(
        platform,
        tenant_id,
        {entity_id: _observed(entity_id, {SPEED: [speed(3, "2026-01-05T00:01:00Z")]})},
    )
    assert _entity(platform, tenant_id, entity_id).attrs[SPEED]["value"] == 2
    ties = [speed(4, "2026-01-05T00:03:00Z"), speed(5, "2026-01-05T00:03:00Z")]
    _write(platform, tenant_id, {entity_id: _observed(entity_id, {SPEED: ties})})
    current = _entity(platform, tenant_id, entity_id).attrs[SPEED]
    assert current["value"] == 5
    assert current["observedAt"] == "2026-01-05T00:03:00Z"
    assert [r.value_number for r in _history(platform, tenant_id, SPEED)] == [3, 1, 2, 4, 5]


def test_datasets_keep_their_own_latest(platform: Platform, tenant_id: int) -> None:
    entity_id = "urn:ngsi-ld:Probe:2"
    a, b = "urn:ngsi-ld:Dataset:a", "urn:ngsi-ld:Dataset:b"
    items = [
        {"type": "Property", "value": 1, "observedAt": "2026-01-05T00:05:00Z", "datasetId": a},
        {"type": "Property", "value": 2, "observedAt": "2026-01-05T00:01:00Z", "datasetId": b},
        {"type": "Property", "value": 3, "observedAt": "2026-01-05T00:02:00Z", "datasetId": b},
    ]
    _write(platform, tenant_id, {entity_id: _observed(entity_id, {SPEED: items})})
    current = _entity(platform, tenant_id, entity_id).attrs[SPEED]
    assert sorted((i["datasetId"], i["value"]) for i in current) == [(a, 1), (b, 3)]
