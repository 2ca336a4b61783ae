"""ETSI QueryEntities 019_08–019_12, 019_17, 019_18 and 019_25 (clauses 4.9, 4.10, 4.17, 4.21,
4.5.5, 5.7.2): type selection, q, geo-queries, datasetId, pick/omit and local=true."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import (
    SUITE_CONTEXT,
    random_id,
)
from tests.context.conformance.samples import (
    building,
    ld,
    location_attribute,
    point,
    prop,
    second_building,
    simple_attributes,
    third_building,
)


def ids_of(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(e["id"] for e in response.json())


@pytest.fixture(scope="class")
def multi_types(suite) -> Iterator[list[str]]:
    prefix = "urn:ngsi-ld:MultiTypes:"
    entities = [
        simple_attributes(random_id(prefix)),
        {"id": random_id(prefix), "type": ["Parking"]},
        {"id": random_id(prefix), "type": ["Building", "TouristDestination"]},
    ]
    yield from suite.sharing([ld(e) for e in entities])


@pytest.fixture(scope="class")
def towers(suite) -> Iterator[list[str]]:
    samples = (simple_attributes, second_building, third_building)
    yield from suite.sharing([ld(sample(random_id())) for sample in samples])


@pytest.fixture(scope="class")
def berlin_points(suite) -> Iterator[list[str]]:
    yield from suite.sharing(
        [
            ld(location_attribute(random_id())),
            ld(building(random_id(), name=prop("BER"), location=point(13.509818, 52.363457))),
            ld(building(random_id(), name=prop("Grunewald"), location=point(13.215983, 52.470441))),
        ]
    )


@pytest.fixture(scope="class")
def berlin_polygons(suite) -> Iterator[list[str]]:
    shapes = (FIRST, SECOND)
    yield from suite.sharing(
        [ld(building(random_id(), name=prop("Eiffel Tower"), location=s)) for s in shapes]
    )


class TestTypeSelection019x08:
    @pytest.mark.parametrize(
        ("selection", "expected"),
        [
            pytest.param("Building", (0, 2), id="019_08_01"),
            pytest.param("(Building;TouristDestination)", (2,), id="019_08_02"),
            pytest.param("Building,Parking", (0, 1, 2), id="019_08_03"),
            pytest.param("Parking,TouristDestination", (1, 2), id="019_08_04"),
            pytest.param("(Building;Parking),TouristDestination", (2,), id="019_08_05"),
        ],
    )
    def test_019_08_entity_type_selection_language(self, suite, multi_types, selection, expected):
        ids = multi_types
        response = suite.query(params={"type": selection}, context=SUITE_CONTEXT)
        assert ids_of(response) == sorted(ids[i] for i in expected)


class TestQueryLanguage019x09:
    @pytest.mark.parametrize(
        ("q", "count"),
        [
            pytest.param('name=="Eiffel Tower"', "1", id="019_09_01"),
            pytest.param('name=="Pisa Tower";almostFull==false', "1", id="019_09_02"),
            pytest.param('name=="Pisa Tower"|almostFull==false', "3", id="019_09_04"),
            pytest.param(
                '(name=="Pisa Tower"|name=="Eiffel Tower");almostFull==false', "2", id="019_09_05"
            ),
            pytest.param("airQualityLevel==4", "1", id="019_09_06"),
            pytest.param("airQualityLevel>=4;airQualityLevel<7", "2", id="019_09_07"),
            pytest.param("locatedIn==urn:ngsi-ld:City:Pisa", "1", id="019_09_08"),
            pytest.param("locatedIn==urn:ngsi-ld:City:Paris", "0", id="019_09_09"),
            pytest.param(
                "locatedIn==urn:ngsi-ld:City:Pisa|locatedIn==urn:ngsi-ld:City:Paris",
                "1",
                id="019_09_10",
            ),
        ],
    )
    def test_019_09_query_language(self, suite, towers, q: str, count: str):
        response = suite.query(params={"q": q, "count": "true"}, context=SUITE_CONTEXT)
        assert response.status_code == 200, response.text
        assert response.headers["NGSILD-Results-Count"] == count


BERLIN = (
    "[[[13.1616211,52.5438124],[13.597641,52.4840224],[13.5948944,52.3402782],"
    "[13.142395,52.386428],[13.1616211,52.5438124]]]"
)


class TestGeoPoints019x10:
    @pytest.mark.parametrize(
        ("georel", "geometry", "coordinates", "count"),
        [
            pytest.param("equals", "Point", "[13.3986, 52.5547]", "1", id="019_10_01"),
            pytest.param(
                "near;maxDistance==15000", "Point", "[13.388930, 52.534473]", "2", id="019_10_02"
            ),
            pytest.param(
                "near;minDistance==15000", "Point", "[13.388930, 52.534473]", "1", id="019_10_03"
            ),
            pytest.param("within", "Polygon", BERLIN, "2", id="019_10_04"),
            pytest.param("disjoint", "Polygon", BERLIN, "1", id="019_10_05"),
            pytest.param("disjoint", "Point", "[13.3986, 52.5547]", "2", id="019_10_06"),
            pytest.param("contains", "Point", "[13.3986, 52.5547]", "1", id="019_10_07"),
            pytest.param("intersects", "Point", "[13.3986, 52.5547]", "1", id="019_10_08"),
        ],
    )
    def test_019_10_geo_queries_on_points(
        self, suite, berlin_points, georel, geometry, coordinates, count
    ):
        params = {"type": "Building", "georel": georel, "geometry": geometry}
        params |= {"coordinates": coordinates, "count": "true"}
        response = suite.query(params=params, context=SUITE_CONTEXT)
        assert response.status_code == 200, response.text
        assert response.headers["NGSILD-Results-Count"] == count


def polygon(*ring: tuple[float, float]) -> dict[str, Any]:
    return {
        "type": "GeoProperty",
        "value": {"type": "Polygon", "coordinates": [[list(p) for p in ring]]},
    }


FIRST = polygon(
    (13.2865906, 52.5648645),
    (13.2879639, 52.5648645),
    (13.2797241, 52.4988679),
    (13.477478, 52.4712703),
    (13.5049438, 52.5373084),
    (13.2865906, 52.5648645),
)
SECOND = polygon(
    (13.315773, 52.4757209),
    (13.339119, 52.4443421),
    (13.3892441, 52.4669371),
    (13.315773, 52.4757209),
)
TRIANGLE = (
    "[[[13.3456421,52.4794848],[13.3641815,52.4428773],[13.4177399,52.4730023],"
    "[13.3459854,52.479903],[13.3456421,52.4794848]]]"
)
FAR = (
    "[[[13.1369019,52.5198225],[13.1365585,52.5200314],[13.131752,52.4980907],"
    "[13.1832504,52.5026887],[13.1369019,52.5198225]]]"
)


class TestGeoPolygons019x11:
    @pytest.mark.parametrize(
        ("georel", "geometry", "coordinates", "count"),
        [
            pytest.param(
                "equals",
                "Polygon",
                str(FIRST["value"]["coordinates"]),
                "1",
                id="019_11_01",
            ),
            pytest.param("intersects", "Polygon", TRIANGLE, "1", id="019_11_02"),
            pytest.param(
                "contains",
                "Polygon",
                "[[[13.3844376,52.5356966],[13.3844376,52.5356966],[13.381691,52.5123012],[13.4235764,52.5100027],[13.4331894,52.5273425],[13.3844376,52.5356966]]]",
                "1",
                id="019_11_03",
            ),
            pytest.param("contains", "Polygon", FAR, "0", id="019_11_04"),
            pytest.param("disjoint", "Polygon", FAR, "2", id="019_11_05"),
            pytest.param(
                "within",
                "Polygon",
                "[[[13.3023834,52.4903066],[13.3027267,52.4905156],[13.2745743,52.465632],[13.3343124,52.4185447],[13.4311295,52.47107],[13.3023834,52.4903066]]]",
                "1",
                id="019_11_06",
            ),
            pytest.param("overlaps", "Polygon", TRIANGLE, "1", id="019_11_07"),
            pytest.param("contains", "Point", "[13.3442688,52.4650045]", "1", id="019_11_08"),
        ],
    )
    def test_019_11_geo_queries_on_polygons(
        self, suite, berlin_polygons, georel, geometry, coordinates, count
    ):
        params = {"type": "Building", "georel": georel, "geometry": geometry}
        params |= {"coordinates": coordinates, "count": "true"}
        response = suite.query(params=params, context=SUITE_CONTEXT)
        assert response.status_code == 200, response.text
        assert response.headers["NGSILD-Results-Count"] == count
