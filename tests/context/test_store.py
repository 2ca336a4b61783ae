"""Entity storage on both backends: batches, replace and merge, types, history, tenants."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from smartcity.context import store
from smartcity.context.errors import AlreadyExists, ResourceNotFound
from smartcity.context.models import AttributeInstance, ContextEntityType
from tests.conftest import tenant_id_of

TEMP = "https://smartdatamodels.org/dataModel.Environment/temperature"
LEVEL = "https://smartdatamodels.org/dataModel.Environment/airQualityLevel"


def station(n: int, temperature: float = 20.5, **extra) -> dict:
    return {
        "id": f"urn:ngsi-ld:AirQualityObserved:{n:05d}",
        "type": "https://smartdatamodels.org/dataModel.Environment/AirQualityObserved",
        TEMP: {"type": "Property", "value": temperature, "observedAt": "2026-01-05T01:00:00Z"},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [121.47 + n / 1000, 31.23]},
        },
        **extra,
    }


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_batch_is_created_and_read_back_with_system_attributes(session, tenant_id, clock):
    result = store.upsert_entities(session, tenant_id, [station(i) for i in range(50)], clock.now())
    session.commit()
    assert len(result.created) == 50 and result.updated == []
    document = store.entity_document(
        store.get_entity(session, tenant_id, station(7)["id"]), sys_attrs=True
    )
    assert document[TEMP]["value"] == 20.5
    assert document["createdAt"] == "2026-01-05T01:00:00Z"
    row = store.get_entity(session, tenant_id, station(7)["id"])
    assert row.min_lon == pytest.approx(121.477) and row.max_lat == pytest.approx(31.23)
    assert count(session, AttributeInstance) == 100  # two attributes a station


def test_create_only_refuses_an_existing_entity(session, tenant_id, clock):
    store.upsert_entities(session, tenant_id, [station(1)], clock.now())
    with pytest.raises(AlreadyExists):
        store.upsert_entities(session, tenant_id, [station(1)], clock.now(), create_only=True)


def test_replace_drops_old_attributes_and_merge_keeps_them(session, tenant_id, clock):
    level = {LEVEL: {"type": "Property", "value": "moderate"}}
    store.upsert_entities(session, tenant_id, [station(1, **level)], clock.now())
    clock.advance(minutes=5)
    store.upsert_entities(session, tenant_id, [station(1, 22.0)], clock.now(), replace=False)
    row = store.get_entity(session, tenant_id, station(1)["id"])
    assert row.attrs[TEMP]["value"] == 22.0 and LEVEL in row.attrs
    assert row.modified_at > row.created_at
    store.upsert_entities(session, tenant_id, [station(1, 23.0)], clock.now(), replace=True)
    assert LEVEL not in store.get_entity(session, tenant_id, station(1)["id"]).attrs


def test_every_type_of_an_entity_is_indexed(session, tenant_id, clock):
    entity = {**station(1), "type": ["urn:t:Sensor", "urn:t:Station"]}
    store.upsert_entities(session, tenant_id, [entity], clock.now())
    types = session.scalars(select(ContextEntityType.type).order_by(ContextEntityType.type)).all()
    assert types == ["urn:t:Sensor", "urn:t:Station"]
    assert store.entity_document(store.get_entity(session, tenant_id, entity["id"]))["type"] == [
        "urn:t:Sensor",
        "urn:t:Station",
    ]


def test_history_keeps_every_value_with_its_observation_time(session, tenant_id, clock):
    for value in (20.0, 21.0, 22.5):
        clock.advance(minutes=1)
        store.upsert_entities(session, tenant_id, [station(1, value)], clock.now(), replace=False)
    values = session.scalars(
        select(AttributeInstance.value_number)
        .where(AttributeInstance.attr == TEMP)
        .order_by(AttributeInstance.recorded_at)
    ).all()
    assert values == [20.0, 21.0, 22.5]
    ids = session.scalars(select(AttributeInstance.instance_id)).all()
    assert len(set(ids)) == len(ids) and all(
        i.startswith("urn:ngsi-ld:attribute:instance:") for i in ids
    )


def test_delete_removes_the_entity_and_its_types(session, tenant_id, clock):
    store.upsert_entities(session, tenant_id, [station(1)], clock.now())
    store.delete_entity(session, tenant_id, station(1)["id"])
    with pytest.raises(ResourceNotFound):
        store.get_entity(session, tenant_id, station(1)["id"])
    assert count(session, ContextEntityType) == 0
    with pytest.raises(ResourceNotFound):
        store.delete_entity(session, tenant_id, station(1)["id"])


def test_the_same_entity_id_lives_separately_in_each_tenant(session, platform, clock):
    shanghai, suzhou = tenant_id_of(platform, "shanghai"), tenant_id_of(platform, "suzhou")
    store.upsert_entities(session, shanghai, [station(1, 10.0)], clock.now())
    with pytest.raises(ResourceNotFound):
        store.get_entity(session, suzhou, station(1)["id"])
    store.upsert_entities(session, suzhou, [station(1, 30.0)], clock.now())
    assert store.get_entity(session, shanghai, station(1)["id"]).attrs[TEMP]["value"] == 10.0
    assert store.get_entity(session, suzhou, station(1)["id"]).attrs[TEMP]["value"] == 30.0


def test_integers_beyond_64_bits_are_stored_and_read_back_as_numbers(session, tenant_id, clock):
    # As for JavaScript clients, they come back as doubles (precision past 2**53 is lost).
    big = 10**30
    entity = {**station(1), "https://example.org/huge": {"type": "Property", "value": big}}
    store.upsert_entities(session, tenant_id, [entity], clock.now())
    session.commit()
    session.expire_all()
    row = store.get_entity(session, tenant_id, entity["id"])
    assert row.attrs["https://example.org/huge"]["value"] == pytest.approx(big)
