"""Entity and attribute operations (clause 5.6) on stored entities, on both backends."""

from __future__ import annotations

import pytest

from smartcity.context import render, service, store
from smartcity.context.errors import AlreadyExists, BadRequestData, ResourceNotFound
from smartcity.context.params import View

LAMP = "urn:ngsi-ld:Streetlight:guiding-001"
POWER = "https://smartdatamodels.org/powerState"
LEVEL = "https://smartdatamodels.org/illuminanceLevel"
SOURCE_A, SOURCE_B = "urn:ngsi-ld:Dataset:meter", "urn:ngsi-ld:Dataset:camera"


def lamp() -> dict:
    return {
        "id": LAMP,
        "type": "https://smartdatamodels.org/dataModel.Streetlighting/Streetlight",
        POWER: {"type": "Property", "value": "on"},
        LEVEL: [
            {"type": "Property", "value": 0.8},
            {"type": "Property", "value": 0.7, "datasetId": SOURCE_A},
        ],
    }


@pytest.fixture
def stored(session, tenant_id, clock):
    service.create_entity(session, tenant_id, lamp(), clock.now())
    return lambda: render.project(store.get_entity(session, tenant_id, LAMP).attrs, View())


def test_every_written_instance_carries_its_creation_and_modification_time(
    session, tenant_id, clock, stored
):
    created = store.get_entity(session, tenant_id, LAMP).attrs[LEVEL]
    created = created if isinstance(created, dict) else created[0]
    assert created["createdAt"] == created["modifiedAt"] == "2026-01-05T01:00:00Z"
    clock.advance(minutes=1)
    service.partial_update_attribute(session, tenant_id, LAMP, LEVEL, {"value": 0.1}, clock.now())
    after = store.get_entity(session, tenant_id, LAMP).attrs[LEVEL]
    after = after if isinstance(after, dict) else after[0]
    assert after["createdAt"] == "2026-01-05T01:00:00Z"
    assert after["modifiedAt"] == "2026-01-05T01:01:00Z"


def test_create_twice_is_already_exists(session, tenant_id, clock, stored):
    with pytest.raises(AlreadyExists):
        service.create_entity(session, tenant_id, lamp(), clock.now())


def test_append_adds_and_overwrites_unless_no_overwrite(session, tenant_id, clock, stored):
    fragment = {
        POWER: {"type": "Property", "value": "off"},
        LEVEL: {"type": "Property", "value": 0.2, "datasetId": SOURCE_B},
    }
    result = service.append_attributes(session, tenant_id, LAMP, fragment, clock.now())
    assert result.complete and sorted(result.updated) == sorted([POWER, LEVEL])
    assert stored()[POWER]["value"] == "off"
    assert {i.get("datasetId") for i in stored()[LEVEL]} == {None, SOURCE_A, SOURCE_B}
    again = service.append_attributes(
        session,
        tenant_id,
        LAMP,
        {POWER: {"type": "Property", "value": "on"}},
        clock.now(),
        no_overwrite=True,
    )
    assert not again.complete and again.not_updated[0]["attributeName"] == POWER
    assert stored()[POWER]["value"] == "off"


def test_update_touches_only_existing_attributes_and_reports_the_rest(
    session, tenant_id, clock, stored
):
    fragment = {
        POWER: {"type": "Property", "value": "off"},
        "https://example.org/unknown": {"type": "Property", "value": 1},
        LEVEL: {"type": "Property", "value": 0.1, "datasetId": SOURCE_B},
    }
    result = service.update_attributes(session, tenant_id, LAMP, fragment, clock.now())
    assert result.updated == [POWER]
    assert sorted(n["attributeName"] for n in result.not_updated) == sorted(
        ["https://example.org/unknown", LEVEL]
    )
    assert result.body()["notUpdated"][0]["reason"]
    assert "https://example.org/unknown" not in stored()


def test_partial_update_merges_into_the_chosen_instance(session, tenant_id, clock, stored):
    service.partial_update_attribute(
        session, tenant_id, LAMP, LEVEL, {"value": 0.9, "datasetId": SOURCE_A}, clock.now()
    )
    by_dataset = {i.get("datasetId"): i["value"] for i in stored()[LEVEL]}
    assert by_dataset == {None: 0.8, SOURCE_A: 0.9}
    with pytest.raises(ResourceNotFound):
        service.partial_update_attribute(
            session, tenant_id, LAMP, "urn:x:none", {"value": 1}, clock.now()
        )
    with pytest.raises(ResourceNotFound):
        service.partial_update_attribute(
            session, tenant_id, LAMP, LEVEL, {"value": 1, "datasetId": SOURCE_B}, clock.now()
        )
    with pytest.raises(BadRequestData):
        service.partial_update_attribute(
            session,
            tenant_id,
            LAMP,
            POWER,
            {"type": "Relationship", "object": "urn:x:1"},
            clock.now(),
        )


def test_delete_attribute_by_default_instance_dataset_or_all(session, tenant_id, clock, stored):
    service.delete_attribute(session, tenant_id, LAMP, LEVEL, clock.now(), dataset_id=SOURCE_A)
    assert stored()[LEVEL] == {"type": "Property", "value": 0.8}
    with pytest.raises(ResourceNotFound):
        service.delete_attribute(session, tenant_id, LAMP, LEVEL, clock.now(), dataset_id=SOURCE_A)
    service.delete_attribute(session, tenant_id, LAMP, LEVEL, clock.now())
    assert LEVEL not in stored()
    service.append_attributes(session, tenant_id, LAMP, {LEVEL: lamp()[LEVEL]}, clock.now())
    service.delete_attribute(session, tenant_id, LAMP, LEVEL, clock.now(), delete_all=True)
    assert LEVEL not in stored()


def test_replace_keeps_the_id_and_swaps_every_attribute(session, tenant_id, clock, stored):
    service.replace_entity(
        session, tenant_id, LAMP, {POWER: {"type": "Property", "value": "x"}}, clock.now()
    )
    assert set(stored()) == {POWER}
    with pytest.raises(BadRequestData):
        service.replace_entity(session, tenant_id, LAMP, {"id": "urn:x:other"}, clock.now())


def test_operations_on_a_missing_entity_are_resource_not_found(session, tenant_id, clock):
    for call in (
        lambda: service.append_attributes(session, tenant_id, "urn:x:no", {POWER: 1}, clock.now()),
        lambda: service.update_attributes(session, tenant_id, "urn:x:no", {POWER: 1}, clock.now()),
        lambda: service.delete_attribute(session, tenant_id, "urn:x:no", POWER, clock.now()),
        lambda: service.delete_entity(session, tenant_id, "urn:x:no"),
    ):
        with pytest.raises(ResourceNotFound):
            call()
