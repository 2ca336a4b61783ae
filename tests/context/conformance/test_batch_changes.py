"""ETSI BatchEntities upsert 004, update 005, delete 006 and merge 057 (clauses 5.6.8–5.6.10,
5.6.20, 5.5.11)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import random_id, same
from tests.context.conformance.samples import (
    building,
    ld,
    location_attribute,
    prop,
    relationship_of_property,
    second_building,
    simple_attributes,
)
from tests.context.conformance.test_batch import RELATIONSHIP, SAMPLES, remember, result, stored

SAMPLE_IDS = list(SAMPLES)


def upsert(suite, entities: list[dict[str, Any]], option: str = "replace") -> Any:
    return suite.batch("upsert", entities, params={"options": option})


@pytest.mark.parametrize("sample", SAMPLE_IDS, ids=["004_01_01", "004_01_02", "004_01_03"])
def test_004_01_upsert_creates_new_entities(suite, sample):
    entities = [ld(SAMPLES[sample](random_id())) for _ in range(2)]
    ids = [e["id"] for e in entities]
    remember(suite, *ids)
    got = upsert(suite, entities)
    assert got.status_code == 201 and sorted(got.json()) == sorted(ids), got.text
    same(entities, stored(suite, *ids))


@pytest.mark.parametrize("sample", SAMPLE_IDS, ids=["004_02_01", "004_02_02", "004_02_03"])
def test_004_02_upsert_creates_and_replaces(suite, sample):
    existing = [suite.created(ld(building(random_id()))) for _ in range(2)]
    new_id = random_id()
    remember(suite, new_id)
    entities = [ld(SAMPLES[sample](i)) for i in (new_id, *existing)]
    got = upsert(suite, entities)
    assert got.status_code == 201 and got.json() == [new_id], got.text
    same(entities, stored(suite, new_id, *existing))


@pytest.mark.parametrize(
    "sample",
    [
        *[pytest.param(SAMPLES[s], id=f"004_03_0{n}") for n, s in enumerate(SAMPLE_IDS, 1)],
        pytest.param(
            lambda i: building(i, scope="/Madrid/Gardens/ParqueNorte"),
            id="004_03_04",
        ),
        pytest.param(
            lambda i: {"id": i, "type": ["Building", "TouristDestination"]}, id="004_03_05"
        ),
    ],
)
def test_004_03_upsert_replaces_existing_entities(suite, sample):
    existing = [suite.created(ld(building(random_id()))) for _ in range(2)]
    entities = [ld(sample(i)) for i in existing]
    got = upsert(suite, entities)
    assert got.status_code == 204 and got.content == b"", got.text
    same(entities, stored(suite, *existing))


@pytest.mark.parametrize("sample", SAMPLE_IDS, ids=["004_04_01", "004_04_02", "004_04_03"])
def test_004_04_upsert_with_update_adds_to_existing_entities(suite, sample):
    existing = suite.created(ld(building(random_id())))
    new_id = random_id()
    remember(suite, new_id)
    entities = [ld(SAMPLES[sample](new_id)), ld(SAMPLES[sample](existing))]
    got = upsert(suite, entities, "update")
    assert got.status_code == 201 and got.json() == [new_id], got.text
    same(entities, stored(suite, new_id, existing))


def test_004_05_upsert_reports_an_entity_without_type(suite):
    good = [ld(building(random_id())) for _ in range(2)]
    bad = ld(building(random_id()))
    del bad["type"]
    remember(suite, *(e["id"] for e in good))
    result(upsert(suite, [*good, bad]), [e["id"] for e in good], [bad["id"]])
    same(good, stored(suite, *(e["id"] for e in good)))


def test_004_07_upsert_with_a_repeated_id(suite):
    first, second = (ld(building(random_id())) for _ in range(2))
    remember(suite, first["id"], second["id"])
    got = upsert(suite, [first, second, first])
    assert got.status_code == 201 and sorted(got.json()) == sorted([first["id"], second["id"]]), (
        got.text
    )


def updated(entity_id: str, sample: str) -> dict[str, Any]:
    """The stored simple-attributes Building with the sample's attributes upserted into it."""
    return ld({**simple_attributes(entity_id), **SAMPLES[sample](entity_id)})


@pytest.mark.parametrize("sample", SAMPLE_IDS, ids=["005_01_01", "005_01_02", "005_01_03"])
def test_005_01_update_a_batch(suite, sample):
    ids = [suite.created(ld(simple_attributes(random_id()))) for _ in range(2)]
    got = suite.batch("update", [ld(SAMPLES[sample](i)) for i in ids])
    assert got.status_code == 204 and got.content == b"", got.text
    same([updated(i, sample) for i in ids], stored(suite, *ids))


@pytest.mark.parametrize(
    ("sample", "status"),
    [
        pytest.param(simple_attributes, 207, id="005_02_01"),
        pytest.param(RELATIONSHIP, 204, id="005_02_02"),
        pytest.param(location_attribute, 207, id="005_02_03"),
    ],
)
def test_005_02_update_a_batch_without_overwriting(suite, sample, status):
    ids = [suite.created(ld(simple_attributes(random_id()))) for _ in range(2)]
    got = suite.batch("update", [ld(sample(i)) for i in ids], params={"options": "noOverwrite"})
    assert got.status_code == status, got.text
    expected = [ld({**sample(i), **simple_attributes(i)}) for i in ids]
    same(expected, stored(suite, *ids))


def test_005_03_update_a_batch_with_an_unknown_entity(suite):
    ids = [suite.created(ld(simple_attributes(random_id()))) for _ in range(2)]
    new_id = random_id()
    got = suite.batch("update", [ld(relationship_of_property(i)) for i in (*ids, new_id)])
    result(got, ids, [new_id])
    same([ld(relationship_of_property(i)) for i in ids], stored(suite, *ids))


def test_006_01_delete_a_batch(suite):
    ids = [random_id() for _ in range(2)]
    for entity_id in ids:
        suite.create(ld(simple_attributes(entity_id)))
    got = suite.batch("delete", ids)
    assert got.status_code == 204 and got.content == b"", got.text
    assert stored(suite, *ids) == []


def test_006_02_delete_a_batch_with_an_unknown_entity(suite):
    existing, unknown = random_id(), random_id()
    suite.create(ld(simple_attributes(existing)))
    result(suite.batch("delete", [existing, unknown]), [existing], [unknown])
    assert stored(suite, existing) == []


def test_006_04_delete_a_batch_with_a_repeated_id(suite):
    entity_id = random_id()
    suite.create(ld(simple_attributes(entity_id)))
    result(suite.batch("delete", [entity_id, entity_id]), [entity_id], [entity_id])


MERGE_DATA = simple_attributes


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        pytest.param(lambda i: building(i), simple_attributes, id="057_01_01"),
        pytest.param(second_building, second_building, id="057_01_02"),
        pytest.param(
            RELATIONSHIP, lambda i: {**simple_attributes(i), **RELATIONSHIP(i)}, id="057_01_03"
        ),
        pytest.param(
            lambda i: building(i, airQualityLevel=prop(1, observedAt="2024-01-01T00:00:00.000Z")),
            lambda i: {
                **simple_attributes(i),
                "airQualityLevel": prop(1, unitCode="C62", observedAt="2024-01-01T00:00:00.000Z"),
            },
            id="057_01_04",
        ),
    ],
)
def test_057_01_merge_a_batch(suite, fragment, expected):
    ids = [suite.created(ld(MERGE_DATA(random_id()))) for _ in range(2)]
    got = suite.batch("merge", [ld(fragment(i)) for i in ids])
    assert got.status_code == 204 and got.content == b"", got.text
    body = stored(suite, *ids)
    for entity in body:
        assert "@context" in entity
    same([ld(expected(i)) for i in ids], body)


def test_057_02_merge_a_batch_with_an_unknown_entity(suite):
    ids = [suite.created(ld(simple_attributes(random_id()))) for _ in range(2)]
    new_id = random_id()
    got = suite.batch("merge", [ld(relationship_of_property(i)) for i in (*ids, new_id)])
    result(got, ids, [new_id])
    same([ld(relationship_of_property(i)) for i in ids], stored(suite, *ids))
