"""ETSI TP/NGSI-LD/ContextInformation/Consumption/Entity/RetrieveEntity 018_xx (clauses 5.7.1, 6.3):
attrs, keyValues/format, GeoJSON, @context by Link header, languages, pick/omit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import (
    CORE_V18,
    SUITE_CONTEXT,
    SUITE_NS,
    problem,
    random_id,
    same,
)
from tests.context.conformance.samples import (
    GEO,
    JSON,
    LD,
    building,
    ld,
    point,
    prop,
    simple_attributes,
)


def expanded(entity_id: str, *names: str, key_values: bool = False) -> dict[str, Any]:
    """building-simple-attributes as seen without the suite's context (full IRIs)."""
    attrs = {k: v for k, v in simple_attributes(entity_id).items() if k not in ("id", "type")}
    kept = {SUITE_NS + k: (v["value"] if key_values else v) for k, v in attrs.items()}
    if names:
        kept = {k: v for k, v in kept.items() if k.removeprefix(SUITE_NS) in names}
    return {"id": entity_id, "type": SUITE_NS + "Building", **kept}


@pytest.fixture(scope="module")
def building_id(suite) -> str:
    return suite.created(ld(simple_attributes(random_id())))


def test_018_01_01_an_entity_is_retrieved_by_id(suite, building_id):
    got = suite.retrieve(building_id, accept=LD)
    assert got.status_code == 200
    body = got.json()
    assert body.pop("@context") in (CORE_V18, [CORE_V18]) or "core-context" in str(body)
    same(expanded(building_id), body)


def test_018_01_02_attrs_selects_attributes(suite, building_id):
    attrs = f"{SUITE_NS}airQualityLevel,{SUITE_NS}subCategory"
    got = suite.retrieve(building_id, accept=LD, params={"attrs": attrs})
    body = got.json()
    body.pop("@context")
    same(expanded(building_id, "airQualityLevel", "subCategory"), body)


def test_018_02_01_an_id_that_is_not_a_uri_is_bad_request_data(suite):
    problem(suite.retrieve("thisisaninvaliduri", accept=LD), 400, "BadRequestData")


def test_018_03_01_an_unknown_id_is_not_found(suite):
    problem(suite.retrieve(random_id(), accept=LD), 404, "ResourceNotFound")


def test_018_03_02_attrs_matching_nothing_is_not_found(suite, building_id):
    response = suite.retrieve(building_id, accept=LD, params={"attrs": "property_not_found"})
    problem(response, 404, "ResourceNotFound")


@pytest.mark.parametrize(
    ("params", "key_values"),
    [
        pytest.param({"options": "keyValues"}, True, id="018_04_01"),
        pytest.param({"format": "keyValues"}, True, id="018_15_01"),
        pytest.param({"format": "simplified"}, True, id="018_15_02"),
        pytest.param({"format": "normalized"}, False, id="018_15_03"),
        pytest.param({"options": "keyValues"}, True, id="018_15_04"),
        pytest.param({"options": "simplified"}, True, id="018_15_05"),
        pytest.param({"options": "normalized"}, False, id="018_15_06"),
        pytest.param({"format": "keyValues", "options": "normalized"}, True, id="018_15_07"),
    ],
)
def test_018_15_format_and_options_choose_the_representation(
    suite, building_id, params: dict[str, str], key_values: bool
):
    body = suite.retrieve(building_id, accept=LD, params=params).json()
    body.pop("@context")
    same(expanded(building_id, key_values=key_values), body)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"format": "invalidFormat"}, id="018_16_01"),
        pytest.param({"options": "invalidOptions"}, id="018_16_02"),
        pytest.param({"options": "keyValues,invalid"}, id="018_16_03"),
        pytest.param({"format": "keyValues", "options": "invalid"}, id="018_16_04"),
    ],
)
def test_018_16_unknown_format_or_options_are_invalid_requests(suite, params: dict[str, str]):
    problem(suite.retrieve(random_id(), accept=LD, params=params), 400, "InvalidRequest")


TWO_GEOMETRIES = {
    "name": prop("Eiffel Tower"),
    "subCategory": prop("tourism"),
    "location": point(13.3986, 52.5547),
    "observationSpace": point(11.1111, 11.1111),
}


@pytest.fixture(scope="class")
def two_geometries(suite) -> Iterator[list[str]]:
    yield from suite.sharing([ld(building(random_id(), **TWO_GEOMETRIES))])


def feature(entity_id: str, geometry: Any, key_values: bool = False) -> dict[str, Any]:
    attrs = {k: (v["value"] if key_values else v) for k, v in TWO_GEOMETRIES.items()}
    return {
        "id": entity_id,
        "type": "Feature",
        "geometry": geometry,
        "properties": {"type": "Building", **attrs},
        "@context": [SUITE_CONTEXT],
    }


class TestGeoJson018x05:
    @pytest.mark.parametrize(
        ("params", "geometry", "key_values"),
        [
            pytest.param({"options": "keyValues"}, [13.3986, 52.5547], True, id="018_05_01"),
            pytest.param({}, [13.3986, 52.5547], False, id="018_05_02"),
            pytest.param(
                {"geometryProperty": "observationSpace"}, [11.1111, 11.1111], False, id="018_05_03"
            ),
            pytest.param({"geometryProperty": "operationSpace"}, None, False, id="018_05_04"),
        ],
    )
    def test_018_05_an_entity_as_a_geojson_feature(
        self, suite, two_geometries, params, geometry, key_values: bool
    ):
        (entity_id,) = two_geometries
        got = suite.retrieve(entity_id, accept=GEO, context=SUITE_CONTEXT, params=params)
        assert got.status_code == 200
        point_geometry = geometry and {"type": "Point", "coordinates": geometry}
        same(feature(entity_id, point_geometry, key_values), got.json())


def test_018_06_the_link_header_gives_the_context_of_a_retrieve(suite):
    entity_id = random_id()
    suite.create(simple_attributes(entity_id), JSON, context=SUITE_CONTEXT)
    same(expanded(entity_id), suite.retrieve(entity_id, accept=JSON).json())
    compacted = suite.retrieve(entity_id, accept=JSON, context=SUITE_CONTEXT).json()
    same(simple_attributes(entity_id), compacted)
