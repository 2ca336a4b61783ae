"""Finding entities: type expressions, ids, idPattern, q, geo-queries, stable pages and counts."""

from __future__ import annotations

import re

import pytest

from smartcity.context import store
from smartcity.context.errors import BadRequestData
from smartcity.context.query import (
    AttrPath,
    Comparison,
    Literal,
    NotExists,
    Operator,
    ValueKind,
    evaluate,
    parse_geoquery,
    parse_q,
)
from smartcity.context.search import (
    EntityQuery,
    find_entities,
    parse_scope_q,
    parse_types,
    scopes_match,
)

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


# Pages over SQL, Python and mixed decisions (users of other brokers report empty or duplicated
# pages past 50,000): 1,200 entities read 100 at a time from every offset.

AQ = "urn:t:AirQuality"
TEMPERATURE = "urn:a:temperature"


def reading(n: int) -> dict:
    value = (
        {"@id": f"urn:x:{n % 7}"} if n % 11 == 0 else n % 50
    )  # only Python reads @id (n=66+77k: x:3)
    return {
        "id": f"urn:ngsi-ld:AirQuality:{n:05d}",
        "type": AQ,
        NO2: {"type": "Property", "value": value},
        TEMPERATURE: [
            {"type": "Property", "value": n % 30},
            {"type": "Property", "value": (n * 7) % 40, "datasetId": "urn:ds:b"},
        ],
        "location": {
            "type": "GeoProperty",
            "value": {"type": "Point", "coordinates": [121.0 + (n % 40) * 0.001, 31.2]},
        },
    }


@pytest.fixture
def readings(session, tenant_id, clock):
    documents = [reading(n) for n in range(1200)]
    store.upsert_entities(session, tenant_id, documents, clock.now())
    session.commit()
    return documents


QUERIES = {
    "types only": {"types": parse_types(AQ)},
    "q decided in SQL": {"q": parse_q(f"{TEMPERATURE}>=20|{TEMPERATURE}==3")},
    "q with undecided rows": {"q": parse_q(f"{NO2}<25|{NO2}==urn:x:3")},
    "near": {"geo": parse_geoquery("near;maxDistance==1000", "Point", "[121.0, 31.2]")},
}


@pytest.mark.parametrize("name", QUERIES)
def test_every_page_of_1200_entities_is_complete_and_stable(
    session, tenant_id, clock, readings, name
):
    options = QUERIES[name]
    expected = [
        d["id"]
        for d in readings
        if "q" not in options or evaluate(options["q"], d, now=clock.now())
        if "geo" not in options or options["geo"].matches_entity(d)
    ]
    assert 0 < len(expected) < 1200 or name == "types only"
    for offset in [*range(0, 1300, 100), 1, 99, 1150, len(expected) - 1, len(expected), 5000]:
        query = EntityQuery(**options, limit=100, offset=offset)
        rows, total = find_entities(session, tenant_id, query, now=clock.now(), count=True)
        assert ids(rows) == expected[offset : offset + 100], offset
        assert total == len(expected)


def test_a_page_stops_at_its_limit_when_rows_need_python(session, tenant_id, clock, readings):
    query = EntityQuery(q=parse_q(f"{NO2}==urn:x:3"), limit=3, offset=1)
    rows, _ = find_entities(session, tenant_id, query, now=clock.now())
    assert ids(rows) == [f"urn:ngsi-ld:AirQuality:{n:05d}" for n in (143, 220, 297)]


def test_any_instance_of_a_multi_attribute_matches(city, session, tenant_id, clock):
    both = {
        "id": "urn:ngsi-ld:Thing:multi",
        "type": SENSOR,
        NO2: [
            {"type": "Property", "value": 1},
            {"type": "Property", "value": 500, "datasetId": "urn:ds:raw"},
        ],
    }
    store.upsert_entities(session, tenant_id, [both], clock.now())
    assert ids(city(q=parse_q(f"{NO2}>=400"))[0]) == ["urn:ngsi-ld:Thing:multi"]
    assert "urn:ngsi-ld:Thing:multi" in ids(city(q=parse_q(f"{NO2}<2"), limit=1000)[0])
    datasets = city(q=parse_q(f'{NO2}.datasetId=="urn:ds:raw"'))[0]
    assert ids(datasets) == ["urn:ngsi-ld:Thing:multi"]


def test_literal_and_regular_id_patterns_agree(city):
    literal, total = city(id_pattern=re.compile(r"^urn:ngsi-ld:Thing:01"), limit=100)
    assert total == 20 and ids(literal) == [f"urn:ngsi-ld:Thing:{n:04d}" for n in range(100, 120)]
    regular, total = city(id_pattern=re.compile(r"Thing:01\d\d$"), limit=100)
    assert ids(regular) == ids(literal) and total == 20


def test_attrs_keeps_entities_having_one_of_them(city, session, tenant_id, clock):
    bare = {"id": "urn:ngsi-ld:Thing:bare", "type": LAMP, "urn:a:other": {"value": 1}}
    store.upsert_entities(session, tenant_id, [bare], clock.now())
    rows, total = city(attrs=frozenset({"urn:a:other", "urn:a:none"}))
    assert ids(rows) == ["urn:ngsi-ld:Thing:bare"] and total == 1
    assert city(types=parse_types(LAMP), attrs=frozenset({NO2}), limit=0)[1] == 40


def test_type_conjunction_with_q(city):
    rows, total = city(types=parse_types(f"{SENSOR};{STATION}"), q=parse_q(f"{NO2}<10"))
    assert ids(rows) == [
        "urn:ngsi-ld:Thing:0001",
        "urn:ngsi-ld:Thing:0004",
        "urn:ngsi-ld:Thing:0007",
    ]
    assert total == 3


def test_paths_too_deep_for_sql_are_still_answered(city, session, tenant_id, clock):
    nested = {
        "id": "urn:ngsi-ld:Thing:nested",
        "type": LAMP,
        NO2: {
            "type": "Property",
            "value": 1,
            "urn:a:s": {"value": 2, "urn:a:t": {"value": {"m": {"n": "deep"}}}},
        },
    }
    store.upsert_entities(session, tenant_id, [nested], clock.now())
    q = Comparison(
        AttrPath((NO2, "urn:a:s", "urn:a:t"), ("m", "n")),
        Operator.EQ,
        Literal(ValueKind.STRING, "deep"),
    )
    rows, total = city(q=q)
    assert ids(rows) == ["urn:ngsi-ld:Thing:nested"] and total == 1
    assert city(q=NotExists(q.path), limit=0)[1] == 120


@pytest.mark.parametrize(
    ("scope_q", "scopes", "matches"),
    [
        ("/Madrid/Gardens", ["/Madrid/Gardens"], True),
        ("/Madrid/Gardens", ["/Madrid/Gardens/North"], False),
        ("/Madrid/+/North", ["/Madrid/Gardens/North"], True),
        ("/Madrid/+", ["/Madrid/Gardens/North"], False),
        ("/Madrid/#", ["/Madrid"], True),
        ("/Madrid/#", ["/Madrid/Gardens/North"], True),
        ("/Madrid/#", ["/Madridx"], False),
        ("/#", ["/anything/at/all"], True),
        ("/#", None, False),
        ("/A;/B", ["/A"], False),
        ("/A;/B", ["/B", "/A"], True),
        ("(/A;/B)|/C", ["/C"], True),
        ("/A,/B", ["/B"], True),
    ],
)
def test_scope_queries(scope_q, scopes, matches):
    assert scopes_match(parse_scope_q(scope_q), scopes) is matches


@pytest.mark.parametrize("scope_q", ["Madrid", "/Madrid/#/x", "/a//b", "/", "/a#"])
def test_bad_scope_queries_are_bad_request_data(scope_q):
    with pytest.raises(BadRequestData):
        parse_scope_q(scope_q)
