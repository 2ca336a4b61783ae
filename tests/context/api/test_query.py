"""GET /entities (clause 5.7.2, 6.4.3.2): filters, pages, counts and representations."""

from __future__ import annotations

import pytest

from tests.context.api.conftest import problem, streetlight


@pytest.fixture
def city(ngsi):
    """Twelve streetlights along a line eastwards, three air-quality stations."""
    ngsi.post("/entityOperations/create", [streetlight(n) for n in range(1, 13)])
    stations = [
        {
            "id": f"urn:ngsi-ld:AirQualityObserved:{n}",
            "type": ["AirQualityObserved", "Device"],
            "NO2": {"type": "Property", "value": 20 * n},
            "location": {
                "type": "GeoProperty",
                "value": {"type": "Point", "coordinates": [121.5, 31.2]},
            },
        }
        for n in range(1, 4)
    ]
    assert ngsi.post("/entityOperations/create", stations).status_code == 201
    return ngsi


def ids(response):
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


def test_a_query_needs_at_least_one_filter(city):
    problem(city.get("/entities"), 400, "BadRequestData")


def test_type_expressions(city):
    assert len(ids(city.get("/entities", params={"type": "Streetlight"}))) == 12
    assert (
        len(
            ids(
                city.get(
                    "/entities", params={"type": "Streetlight,AirQualityObserved", "limit": 100}
                )
            )
        )
        == 15
    )
    assert (
        len(ids(city.get("/entities", params={"type": "Streetlight|Device", "limit": 100}))) == 15
    )
    assert len(ids(city.get("/entities", params={"type": "AirQualityObserved;Device"}))) == 3
    assert ids(city.get("/entities", params={"type": "Streetlight;Device"})) == []
    problem(city.get("/entities", params={"type": "(Streetlight"}), 400, "BadRequestData")


def test_ids_and_id_pattern(city):
    wanted = "urn:ngsi-ld:Streetlight:002,urn:ngsi-ld:Streetlight:005"
    assert ids(city.get("/entities", params={"id": wanted, "type": "Streetlight"})) == wanted.split(
        ","
    )
    problem(city.get("/entities", params={"id": wanted}), 400, "BadRequestData")  # ids alone
    pattern = {"idPattern": "^urn:ngsi-ld:Streetlight:01", "type": "Streetlight"}
    found = ids(city.get("/entities", params=pattern))
    assert found == [
        "urn:ngsi-ld:Streetlight:010",
        "urn:ngsi-ld:Streetlight:011",
        "urn:ngsi-ld:Streetlight:012",
    ]
    problem(city.get("/entities", params={"idPattern": "([", "type": "T"}), 400, "BadRequestData")
    problem(city.get("/entities", params={"id": "no uri", "type": "T"}), 400, "BadRequestData")


def test_q_filters_with_the_query_language(city):
    found = ids(city.get("/entities", params={"type": "Streetlight", "q": "illuminanceLevel>9"}))
    assert found == [f"urn:ngsi-ld:Streetlight:{n:03d}" for n in (10, 11, 12)]
    ranged = ids(city.get("/entities", params={"q": "illuminanceLevel==3..4"}))
    assert ranged == ["urn:ngsi-ld:Streetlight:003", "urn:ngsi-ld:Streetlight:004"]
    both = ids(city.get("/entities", params={"q": "(NO2>30|illuminanceLevel==1);location"}))
    assert both == [
        "urn:ngsi-ld:Streetlight:001",
        "urn:ngsi-ld:AirQualityObserved:2",
        "urn:ngsi-ld:AirQualityObserved:3",
    ]
    unit = ids(
        city.get("/entities", params={"q": 'illuminanceLevel.unitCode=="LUX"', "limit": 100})
    )
    assert len(unit) == 12
    problem(city.get("/entities", params={"q": "illuminanceLevel>>3"}), 400, "BadRequestData")


def test_attrs_keeps_only_entities_having_one_of_them(city):
    response = city.get("/entities", params={"attrs": "NO2"})
    assert len(ids(response)) == 3
    assert all(set(e) == {"id", "type", "NO2"} for e in response.json())


def test_near_and_within(city):
    # Streetlight n sits at lon 121.47 + n/1000: about 95 m apart at this latitude.
    near = city.get(
        "/entities",
        params={
            "type": "Streetlight",
            "georel": "near;maxDistance==150",
            "geometry": "Point",
            "coordinates": "[121.475,31.23]",
        },
    )
    assert ids(near) == [f"urn:ngsi-ld:Streetlight:{n:03d}" for n in (4, 5, 6)]
    box = "[[[121.4795,31.2],[121.4825,31.2],[121.4825,31.3],[121.4795,31.3],[121.4795,31.2]]]"
    within = city.get(
        "/entities", params={"georel": "within", "geometry": "Polygon", "coordinates": box}
    )
    assert ids(within) == [
        "urn:ngsi-ld:Streetlight:010",
        "urn:ngsi-ld:Streetlight:011",
        "urn:ngsi-ld:Streetlight:012",
    ]
    problem(
        city.get(
            "/entities", params={"georel": "near", "geometry": "Point", "coordinates": "[1,2]"}
        ),
        400,
        "BadRequestData",
    )
    problem(
        city.get("/entities", params={"georel": "within", "geometry": "Point"}),
        400,
        "BadRequestData",
    )
    problem(
        city.get(
            "/entities", params={"georel": "within", "geometry": "Polygon", "coordinates": "[1"}
        ),
        400,
        "BadRequestData",
    )


def test_pages_are_stable_and_counted(city):
    pages = []
    for offset in range(0, 15, 4):
        response = city.get(
            "/entities",
            params={"type": "Streetlight", "limit": 4, "offset": offset, "count": "true"},
        )
        assert response.headers["ngsild-results-count"] == "12"
        pages.extend(ids(response))
    assert pages == [f"urn:ngsi-ld:Streetlight:{n:03d}" for n in range(1, 13)]
    beyond = city.get("/entities", params={"type": "Streetlight", "offset": 500})
    assert ids(beyond) == []
    only_count = city.get("/entities", params={"type": "Streetlight", "limit": 0, "count": "true"})
    assert ids(only_count) == [] and only_count.headers["ngsild-results-count"] == "12"
    assert (
        "ngsild-results-count" not in city.get("/entities", params={"type": "Streetlight"}).headers
    )


def test_limits(city):
    problem(
        city.get("/entities", params={"type": "Streetlight", "limit": 0}), 400, "BadRequestData"
    )
    problem(
        city.get("/entities", params={"type": "Streetlight", "limit": 5000}), 403, "TooManyResults"
    )
    problem(
        city.get("/entities", params={"type": "Streetlight", "offset": -1}), 400, "BadRequestData"
    )
    problem(
        city.get("/entities", params={"type": "Streetlight", "limit": "many"}),
        400,
        "BadRequestData",
    )
    assert len(ids(city.get("/entities", params={"type": "Streetlight"}))) == 12  # default 20


def test_geojson_feature_collection(city):
    response = city.get(
        "/entities",
        params={"type": "AirQualityObserved", "options": "keyValues"},
        headers={"Accept": "application/geo+json"},
    )
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 3
    first = body["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["properties"]["NO2"] == 20


def test_unacceptable_media_type(city):
    response = city.get("/entities", params={"type": "Streetlight"}, headers={"Accept": "text/csv"})
    problem(response, 406, "InvalidRequest")
