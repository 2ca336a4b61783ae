"""Querying temporal evolutions over HTTP, by GET and POST (clauses 5.7.4, 4.11, 6.18, 6.24):
which entities qualify, paging, and the Query body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.temporal.conftest import BASE, TEMPORAL, Ngsi, vehicle

QUERY = BASE + "/temporal/entityOperations/query"
PROBLEM = "https://uri.etsi.org/ngsi-ld/errors/"
SEPTEMBER = vehicle(
    "urn:ngsi-ld:Vehicle:B",
    speed=[
        {"type": "Property", "value": 120, "observedAt": "2020-09-01T12:03:00Z"},
        {"type": "Property", "value": 80, "observedAt": "2020-09-01T12:05:00Z"},
        {"type": "Property", "value": 100, "observedAt": "2020-09-01T12:07:00Z"},
    ],
    fuelLevel=[{"type": "Property", "value": 67, "observedAt": "2020-09-01T12:03:00Z"}],
)


@pytest.fixture
def fleet(ngsi: Ngsi, created: Any) -> None:
    """Vehicle A (August), vehicle B (September) and a bus."""
    assert ngsi.post(TEMPORAL, json=SEPTEMBER).status_code == 201
    bus = vehicle("urn:ngsi-ld:Bus:C", type="Bus")
    assert ngsi.post(TEMPORAL, json=bus).status_code == 201


def observed(instances: list[dict[str, Any]]) -> list[str]:
    return [i["observedAt"] for i in instances]


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()]


def test_a_query_answers_the_entities_with_instances_in_the_window(ngsi: Ngsi, fleet: None) -> None:
    before = {"type": "Vehicle", "timerel": "before", "timeAt": "2020-08-02T12:05:00Z"}
    assert ids(ngsi.get(TEMPORAL, params=before)) == ["urn:ngsi-ld:Vehicle:A"]
    after = {"type": "Vehicle,Bus", "timerel": "after", "timeAt": "2020-08-01T12:04:00Z"}
    assert ids(ngsi.get(TEMPORAL, params=after)) == [
        "urn:ngsi-ld:Vehicle:A",
        "urn:ngsi-ld:Vehicle:B",
        "urn:ngsi-ld:Bus:C",
    ]


def test_a_query_needs_an_entity_filter(ngsi: Ngsi, fleet: None) -> None:
    response = ngsi.get(TEMPORAL, params={"timerel": "after", "timeAt": "2020-07-01T12:05:00Z"})
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "BadRequestData"


def test_q_is_judged_on_the_instances_inside_the_window(ngsi: Ngsi, fleet: None) -> None:
    window = {"type": "Vehicle", "timerel": "after", "timeAt": "2020-08-01T12:04:00Z"}
    # A's only speed above 110 (120 at 12:03) lies outside the window; B's lies inside.
    assert ids(ngsi.get(TEMPORAL, params={**window, "q": "speed>110"})) == ["urn:ngsi-ld:Vehicle:B"]
    assert ids(ngsi.get(TEMPORAL, params={**window, "q": "speed>90;fuelLevel<60"})) == [
        "urn:ngsi-ld:Vehicle:A"
    ]


def test_q_judges_a_static_attribute_by_its_current_value(ngsi: Ngsi, fleet: None) -> None:
    ngsi.post(
        BASE + "/entities/urn:ngsi-ld:Vehicle:B/attrs",
        json={"brandName": {"type": "Property", "value": "Mercedes"}},
    )
    params = {
        "type": "Vehicle",
        "q": 'brandName=="Mercedes"',
        "timerel": "after",
        "timeAt": "2020-01-01T00:00:00Z",
    }
    assert ids(ngsi.get(TEMPORAL, params=params)) == ["urn:ngsi-ld:Vehicle:B"]


def test_a_geo_query_is_judged_on_windowed_positions(ngsi: Ngsi) -> None:
    def moving(entity_id: str, near_at: str, far_at: str) -> dict[str, Any]:
        return {
            "id": entity_id,
            "type": "Vehicle",
            "location": [
                {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [2.29, 48.85]},
                    "observedAt": near_at,
                },
                {
                    "type": "GeoProperty",
                    "value": {"type": "Point", "coordinates": [10.0, 50.0]},
                    "observedAt": far_at,
                },
            ],
        }

    ngsi.post(
        TEMPORAL,
        json=moving("urn:ngsi-ld:Vehicle:in", "2026-03-01T12:00:00Z", "2026-01-05T00:00:00Z"),
    )
    ngsi.post(
        TEMPORAL,
        json=moving("urn:ngsi-ld:Vehicle:out", "2026-01-05T00:00:00Z", "2026-03-01T12:00:00Z"),
    )
    params = {
        "type": "Vehicle",
        "georel": "near;maxDistance==2000",
        "geometry": "Point",
        "coordinates": "[2.29,48.85]",
        "timerel": "between",
        "timeAt": "2026-03-01T00:00:00Z",
        "endTimeAt": "2026-03-02T00:00:00Z",
    }
    assert ids(ngsi.get(TEMPORAL, params=params)) == ["urn:ngsi-ld:Vehicle:in"]


def test_limit_offset_and_count_page_the_entities(ngsi: Ngsi, fleet: None) -> None:
    query = {"type": "Vehicle,Bus", "timerel": "after", "timeAt": "2020-07-01T00:00:00Z"}
    first = ngsi.get(TEMPORAL, params={**query, "limit": "2", "count": "true"})
    assert first.headers["NGSILD-Results-Count"] == "3"
    second = ngsi.get(TEMPORAL, params={**query, "limit": "2", "offset": "2"})
    assert ids(first) + ids(second) == [
        "urn:ngsi-ld:Vehicle:A",
        "urn:ngsi-ld:Vehicle:B",
        "urn:ngsi-ld:Bus:C",
    ]


def test_a_limit_beyond_the_maximum_is_too_many_results(ngsi: Ngsi, fleet: None) -> None:
    response = ngsi.get(TEMPORAL, params={"type": "Vehicle", "limit": "5000"})
    assert response.status_code == 403
    assert response.json()["type"] == PROBLEM + "TooManyResults"


def test_post_query_selects_by_entities_and_temporal_q(ngsi: Ngsi, fleet: None) -> None:
    body = {
        "type": "Query",
        "entities": [{"type": "Vehicle"}, {"type": "Bus"}],
        "temporalQ": {
            "timerel": "between",
            "timeAt": "2020-08-02T12:05:00Z",
            "endTimeAt": "2020-09-01T13:06:00Z",
        },
    }
    response = ngsi.post(QUERY, json=body)
    assert ids(response) == ["urn:ngsi-ld:Vehicle:B"]
    assert len(response.json()[0]["speed"]) == 3


def test_post_query_with_last_n_and_aggregation(ngsi: Ngsi, fleet: None) -> None:
    last = {"type": "Query", "entities": [{"type": "Vehicle"}], "temporalQ": {"lastN": 1}}
    shown = ngsi.post(QUERY, json=last).json()
    assert [observed(e["speed"]) for e in shown] == [
        ["2020-08-01T12:07:00Z"],
        ["2020-09-01T12:07:00Z"],
    ]
    aggregated = {
        **last,
        "temporalQ": {},
        "aggrParams": {"aggrMethods": ["max"], "aggrPeriodDuration": "PT0S"},
    }
    body = ngsi.post(QUERY, json=aggregated).json()
    assert [e["speed"]["max"][0][0] for e in body] == [120.0, 120.0]
    assert "instanceId" not in str(body)


@pytest.mark.parametrize(
    "temporal_q",
    [
        {"timerel": "during", "timeAt": "2020-08-01T12:00:00Z"},
        {"timerel": "between", "timeAt": "2020-08-01T12:00:00Z"},
        {"timeproperty": "seenAt"},
        {"lastN": 0},
        {"lastN": 2.5},
        {"aggrMethods": ["avg"], "aggrPeriodDuration": "one hour"},
        {"aggrMethods": ["median"]},
    ],
)
def test_post_query_refuses_a_bad_temporal_q(
    ngsi: Ngsi, fleet: None, temporal_q: dict[str, Any]
) -> None:
    body = {"type": "Query", "entities": [{"type": "Vehicle"}], "temporalQ": temporal_q}
    response = ngsi.post(QUERY, json=body)
    assert response.status_code == 400
    assert response.json()["type"] == PROBLEM + "BadRequestData"


def test_post_query_needs_a_query_body(ngsi: Ngsi, fleet: None) -> None:
    assert ngsi.post(QUERY, json={"entities": [{"type": "Vehicle"}]}).status_code == 400


@pytest.mark.parametrize("extra", [{}, {"count": "true"}, {"limit": "1"}])
def test_an_aggregated_query_leaves_out_entities_without_instances_in_the_window(
    ngsi: Ngsi, fleet: None, extra: dict[str, str]
) -> None:
    params = {
        "type": "Vehicle",
        "timerel": "before",
        "timeAt": "2020-08-02T12:05:00Z",
        "aggrMethods": "totalCount",
        "aggrPeriodDuration": "P1D",
        **extra,
    }
    response = ngsi.get(TEMPORAL, params=params)
    assert ids(response) == ["urn:ngsi-ld:Vehicle:A"]
    counts = response.json()[0]["speed"]["totalCount"]
    assert [c[0] for c in counts] == [1, 2]  # days counted back from timeAt: 12:03 | 12:05, 12:07
    assert counts[1][1:] == ["2020-08-01T12:05:00Z", "2020-08-02T12:05:00Z"]
