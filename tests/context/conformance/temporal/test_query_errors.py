"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity 5741_01 and 5743_01 (clauses
5.7.4.3, 5.7.4.4): the validation edges of a temporal query, and `expandValues` on its q."""

from __future__ import annotations

import pytest

from tests.context.conformance.conftest import gap, problem, random_id

WINDOW = {"timerel": "after", "timeAt": "2020-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"attrs": "createdAt"}, id="5741_01_01"),
        pytest.param({"type": "Building", "pick": "owner{name}"}, id="5741_01_02"),
        pytest.param({"type": "Building", "q": 'owner{name}=="x"'}, id="5741_01_03"),
        pytest.param({"type": "Building", "id": "not a uri"}, id="5741_01_04"),
        pytest.param(
            {"type": "Building", "csf": "))bad(("},
            marks=gap("5741_01_05: csf (context source filters) is not read by the temporal API"),
            id="5741_01_05",
        ),
        pytest.param(
            {"type": "Building", "orderBy": "name"},
            marks=gap(
                "5741_01_06: orderBy is not read by the temporal API (and 021_23 expects "
                "orderBy=name to order, where this case expects it refused)"
            ),
            id="5741_01_06",
        ),
    ],
)
def test_5741_01_a_bad_temporal_query_is_bad_request_data(temporal, params):
    response = temporal.query(accept="application/ld+json", params={**WINDOW, **params})
    problem(response, 400, "BadRequestData")


@pytest.mark.parametrize(
    ("extra", "found"),
    [
        pytest.param(
            {"expandValues": "category"},
            True,
            marks=gap("5743_01_01: expandValues is not wired into the temporal query's q"),
            id="5743_01_01",
        ),
        pytest.param({}, False, id="5743_01_02"),
    ],
)
def test_5743_01_expand_values_coerces_the_query_term(temporal, extra, found):
    shop = random_id("urn:ngsi-ld:Shop:")
    entity = {
        "id": shop,
        "type": "Shop",
        "category": {"type": "VocabProperty", "vocab": "commercial"},
    }
    temporal.suite.created(entity, content_type="application/json")
    params = {"type": "Shop", "q": "category==commercial", "timeproperty": "createdAt"}
    params |= {"timerel": "after", "timeAt": "2000-01-01T00:00:00Z", **extra}
    response = temporal.query(params=params)
    assert response.status_code == 200, response.text
    assert (shop in response.text) is found
