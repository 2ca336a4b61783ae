"""Finding entities: type expressions, ids, idPattern, q, geo-queries, stable pages and counts."""

from __future__ import annotations

import re

import pytest

from smartcity.context import store
from smartcity.context.errors import BadRequestData
from smartcity.context.query import parse_geoquery, parse_q
from smartcity.context.search import EntityQuery, find_entities, parse_types

SENSOR, STATION, LAMP = "urn:t:Sensor", "urn:t:Station", "urn:t:Lamp"
NO2 = "urn:a:NO2"
PEOPLES_SQUARE = (121.4737, 31.2304)


def entity(n: int) -> dict:
    kinds = [[SENSOR], [SENSOR, STATION], [LAMP]][n % 3]
    lon = PEOPLES_SQUARE[0] + (n % 10) * 0.001  # about 95 m apart in longitude
    return {
        "id": f"urn:ngsi-ld:Thing:{n:04d}",
        "type": kinds if len(kinds) > 1 else kinds[0],
        NO2: {"type": "Property", "value": n},
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [lon, PEOPLES_SQUARE[1]]},
        },
    }


@pytest.fixture
def city(session, tenant_id, clock):
    store.upsert_entities(session, tenant_id, [entity(n) for n in range(120)], clock.now())
    session.commit()
    return lambda **kw: find_entities(
        session, tenant_id, EntityQuery(**kw), now=clock.now(), count=True
    )


def ids(rows):
    return [r.entity_id for r in rows]


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("A", [{"A"}]),
        ("A,B", [{"A"}, {"B"}]),
        ("A|B", [{"A"}, {"B"}]),
        ("A;B", [{"A", "B"}]),
        ("(A;B)|C", [{"A", "B"}, {"C"}]),
        ("A;(B|C)", [{"A", "B"}, {"A", "C"}]),
    ],
)
def test_type_expressions(text, clauses):
    assert [set(c) for c in parse_types(text).clauses] == clauses


@pytest.mark.parametrize("text", ["", "A,", "(A", "A)", ";A", "A;;B"])
def test_bad_type_expressions_are_bad_request_data(text):
    with pytest.raises(BadRequestData):
        parse_types(text)


def test_type_selection_with_or_and_and(city):
    sensors, total = city(types=parse_types(SENSOR), limit=1000)
    assert total == 80 and len(sensors) == 80
    both, total = city(types=parse_types(f"{SENSOR};{STATION}"), limit=1000)
    assert total == 40 and all(STATION in r.types for r in both)
    _, total = city(types=parse_types(f"{STATION},{LAMP}"), limit=1000)
    assert total == 80


def test_ids_and_id_pattern(city):
    rows, total = city(ids=("urn:ngsi-ld:Thing:0001", "urn:ngsi-ld:Thing:0099", "urn:x:none"))
    assert ids(rows) == ["urn:ngsi-ld:Thing:0001", "urn:ngsi-ld:Thing:0099"] and total == 2
    rows, total = city(id_pattern=re.compile(r"Thing:00[0-4]\d$"), limit=100)
    assert total == 50


def test_q_filters_on_values(city):
    rows, total = city(q=parse_q(f"{NO2}>=100;{NO2}<110"), limit=100)
    assert total == 10 and {r.attrs[NO2]["value"] for r in rows} == set(range(100, 110))
    rows, total = city(types=parse_types(LAMP), q=parse_q(f"{NO2}==2,5,8"), limit=100)
    assert ids(rows) == [
        "urn:ngsi-ld:Thing:0002",
        "urn:ngsi-ld:Thing:0005",
        "urn:ngsi-ld:Thing:0008",
    ]


def test_near_with_max_and_min_distance(city):
    point = f"[{PEOPLES_SQUARE[0]}, {PEOPLES_SQUARE[1]}]"
    near = parse_geoquery("near;maxDistance==250", "Point", point)
    _, total = city(geo=near, limit=1000)
    assert total == 36  # offsets 0, 1 and 2 (0 m, ~95 m, ~190 m), 12 entities each
    far = parse_geoquery("near;minDistance==250", "Point", point)
    assert city(geo=far, limit=1000)[1] == 84


def test_within_a_polygon(city):
    lon, lat = PEOPLES_SQUARE
    west, east, south, north = lon - 0.0005, lon + 0.0015, lat - 0.001, lat + 0.001
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    _, total = city(geo=parse_geoquery("within", "Polygon", [ring]), limit=1000)
    assert total == 24


@pytest.mark.parametrize("with_q", [False, True])
def test_pages_are_stable_and_complete_at_any_offset(city, with_q):
    q = parse_q(f"{NO2}>=0") if with_q else None
    seen = []
    for offset in range(0, 130, 25):
        rows, total = city(q=q, limit=25, offset=offset)
        assert total == 120
        seen.extend(ids(rows))
    assert len(seen) == 120 and len(set(seen)) == 120
    assert seen == sorted(seen)  # inserted in id order, read back in the same order


def test_limits_are_checked(city):
    with pytest.raises(BadRequestData):
        city(limit=5000)
    with pytest.raises(BadRequestData):
        city(offset=-1)
