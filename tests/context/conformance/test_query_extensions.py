"""Antares-extension QueryEntities tests (not ETSI-official): type wildcard (019_26),
geometryProperty (019_27), q lists/ranges/patterns (019_28), attribute paths (019_29), geo-query
grammar and semantics (019_30), pagination (019_31) and the too-wide guard (5722_01)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem, random_id
from tests.context.conformance.samples import (
    GEO,
    JSON,
    building,
    ld,
    point,
    prop,
    rel,
    second_building,
    simple_attributes,
    vehicle,
)


def count(suite, **params: Any) -> Any:
    response = suite.query(
        params={"type": "Building", "count": "true", **params}, context=SUITE_CONTEXT
    )
    return response, response.headers.get("NGSILD-Results-Count")


def test_019_26_01_the_type_wildcard_matches_every_type(suite):
    house = suite.created(ld(simple_attributes(random_id())))
    car = suite.created(ld(vehicle(random_id("urn:ngsi-ld:Vehicle:"), brandName=prop("Mercedes"))))
    got = suite.query(params={"type": "*"}, context=SUITE_CONTEXT)
    assert {house, car} <= {e["id"] for e in got.json()}


def test_019_26_02_the_type_wildcard_with_local_false_is_refused(suite):
    got = suite.query(params={"type": "*", "local": "false"}, context=SUITE_CONTEXT)
    problem(got, 400, "BadRequestData")


def test_019_27_01_geometry_property_needs_geojson(suite):
    suite.created(ld(simple_attributes(random_id())))
    params = {"type": "Building", "geometryProperty": "location"}
    problem(suite.query(params=params, accept=JSON, context=SUITE_CONTEXT), 400, "BadRequestData")
    assert suite.query(params=params, accept=GEO, context=SUITE_CONTEXT).status_code == 200


class TestListsRanges019x28:
    @pytest.mark.parametrize(
        ("q", "status", "expected"),
        [
            pytest.param("airQualityLevel==4..5", 200, "1", id="019_28_01"),
            pytest.param("airQualityLevel!=4..5", 200, "1", id="019_28_02"),
            pytest.param('name=="Eiffel Tower","Pisa Tower"', 200, "2", id="019_28_03"),
            pytest.param('name!="Eiffel Tower","Big Ben"', 200, "1", id="019_28_04"),
            pytest.param('name!~="^Eiffel"', 200, "1", id="019_28_05"),
            pytest.param("airQualityLevel>4..5", 400, None, id="019_28_06"),
        ],
    )
    def test_019_28_lists_ranges_and_patterns(self, suite, two_towers, q, status, expected):
        response, total = count(suite, q=q)
        assert response.status_code == status, response.text
        assert total == expected or expected is None


@pytest.fixture(scope="class")
def two_towers(suite) -> Iterator[list[str]]:
    yield from suite.sharing([ld(simple_attributes(random_id())), ld(second_building(random_id()))])


@pytest.fixture(scope="class")
def features(suite) -> Iterator[list[str]]:
    target = "urn:ngsi-ld:Building:qlTarget019x29"
    color = {"type": "LanguageProperty", "languageMap": {"fr": "rouge", "en": "red", "de": "rot"}}
    features = building(
        "urn:ngsi-ld:Building:qlFeatures019x29",
        address=prop({"city": "Berlin", "street": "Ulrich Strasse"}),
        color=color,
        category={"type": "VocabProperty", "vocab": "commercial"},
        managedBy=rel(target),
    )
    yield from suite.sharing([ld(features), ld(building(target, name=prop("Pisa Tower")))])


class TestAttributePaths019x29:
    @pytest.mark.parametrize(
        ("q", "expected"),
        [
            pytest.param('address[city]=="Berlin"', "1", id="019_29_01"),
            pytest.param('address[postcode]=="Berlin"', "0", id="019_29_02"),
            pytest.param("address[city]", "1", id="019_29_03"),
            pytest.param('color[en]=="red"', "1", id="019_29_04"),
            pytest.param('color[en]=="rouge"', "0", id="019_29_05"),
            pytest.param('color[*]=="rouge"', "1", id="019_29_06"),
            pytest.param('color[*]!="red"', "0", id="019_29_07"),
            pytest.param('managedBy>"urn:a"', "0", id="019_29_11"),
        ],
    )
    def test_019_29_attribute_paths_in_q(self, suite, features, q, expected):
        response, total = count(suite, q=q)
        assert response.status_code == 200, response.text
        assert total == expected


HOLED = "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]"


@pytest.fixture(scope="class")
def probes(suite) -> Iterator[list[str]]:
    line = {
        "type": "GeoProperty",
        "value": {"type": "LineString", "coordinates": [[0.0, 85.6], [1.0, 85.0]]},
    }
    shapes = (
        {"location": point(5, 5), "observationSpace": point(8, 40)},
        {"location": point(2, 2)},
        {"location": line},
        {"location": point(10.0, 60.009)},
    )
    yield from suite.sharing([ld(building(random_id(), name=prop("probe"), **a)) for a in shapes])


class TestGeoQueries019x30:
    @pytest.mark.parametrize(
        ("georel", "geometry", "coordinates", "status", "expected", "geoproperty"),
        [
            pytest.param("near;maxDistance==0", "Point", "[8,40]", 400, None, None, id="019_30_01"),
            pytest.param(
                "near;maxDistance==-100", "Point", "[8,40]", 400, None, None, id="019_30_02"
            ),
            pytest.param(
                "near;maxDistance==5;minDistance==1",
                "Point",
                "[8,40]",
                400,
                None,
                None,
                id="019_30_03",
            ),
            pytest.param("near", "Point", "[8,40]", 400, None, None, id="019_30_04"),
            pytest.param("touches", "Point", "[8,40]", 400, None, None, id="019_30_05"),
            pytest.param("within", "Polygon", HOLED, 200, "1", None, id="019_30_06"),
            pytest.param(
                "near;maxDistance==2000",
                "Point",
                "[8,40]",
                200,
                "1",
                "observationSpace",
                id="019_30_07",
            ),
            pytest.param(
                "near;maxDistance==2000", "Point", "[8,40]", 200, "0", None, id="019_30_08"
            ),
            pytest.param(
                "near;maxDistance==2000",
                "LineString",
                "[[0,60],[10,60]]",
                200,
                "1",
                None,
                id="019_30_09",
            ),
            pytest.param(
                "near;maxDistance==2000",
                "LineString",
                "[[0,61],[10,61]]",
                200,
                "0",
                None,
                id="019_30_10",
            ),
            pytest.param(
                "near;maxDistance==20000", "Point", "[0,85]", 200, "1", None, id="019_30_11"
            ),
            pytest.param(
                "near;maxDistance==5000", "Point", "[0,85]", 200, "0", None, id="019_30_12"
            ),
            pytest.param(
                "near;maxDistance==inf", "Point", "[8,40]", 400, None, None, id="019_30_13"
            ),
            pytest.param(
                "near;maxDistance==1e400", "Point", "[8,40]", 400, None, None, id="019_30_14"
            ),
        ],
    )
    def test_019_30_geo_query_grammar_and_semantics(
        self, suite, probes, georel, geometry, coordinates, status, expected, geoproperty
    ):
        params = {"georel": georel, "geometry": geometry, "coordinates": coordinates}
        params |= {"geoproperty": geoproperty} if geoproperty else {}
        response, total = count(suite, **params)
        assert response.status_code == status, response.text
        assert total == expected or expected is None


PATTERN = "urn:ngsi-ld:Building:01931.*"


@pytest.fixture(scope="class")
def pages(suite) -> Iterator[list[str]]:
    suffixes = "ABC"
    yield from suite.sharing(
        [ld(simple_attributes(f"urn:ngsi-ld:Building:01931{s}")) for s in suffixes]
    )


def page_link(limit: int, offset: int, rel_: str) -> str:
    query = f"count=true&idPattern={PATTERN}&limit={limit}&offset={offset}&type=Building"
    return f'</ngsi-ld/v1/entities?{query}>; rel="{rel_}";type="application/json"'


class TestPagination019x31:
    @pytest.mark.parametrize(
        ("limit", "offset", "size", "links"),
        [
            pytest.param(1, 0, 1, [page_link(1, 1, "next")], id="019_31_01"),
            pytest.param(
                1,
                1,
                1,
                [page_link(1, 0, "prev"), page_link(1, 2, "next")],
                id="019_31_02",
            ),
            pytest.param(1, 2, 1, [page_link(1, 1, "prev")], id="019_31_03"),
            pytest.param(2, 0, 2, [page_link(2, 2, "next")], id="019_31_04"),
            pytest.param(0, 0, 0, [], id="019_31_05"),
        ],
    )
    def test_019_31_pagination(self, suite, pages, limit, offset, size, links):
        params = {"idPattern": PATTERN, "limit": limit, "offset": offset}
        response, total = count(suite, **params)
        assert response.status_code == 200 and total == "3" and len(response.json()) == size
        # The Link header also carries the @context (a JSON response); its page links are these.
        got = response.headers.get("Link", "").replace(" ", "").split(",")
        paging = [link for link in got if 'rel="prev"' in link or 'rel="next"' in link]
        assert sorted(paging) == sorted(link.replace(" ", "") for link in links)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"attrs": "createdAt"}, id="5722_01_01"),
        pytest.param({"q": 'modifiedAt>"2020-01-01T00:00:00Z"'}, id="5722_01_02"),
    ],
)
def test_5722_01_system_attributes_alone_are_too_wide(suite, params):
    problem(suite.query(params=params, accept="application/ld+json"), 400, "BadRequestData")
