"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity/QueryTemporalEvolutionOfEntities
021_12 and 021_27 (clauses 5.7.4, 5.2.21, 5.2.23): a query naming no entities is refused, and
POST /temporal/entityOperations/query checks the JSON TemporalQuery it carries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, problem
from tests.context.conformance.temporal.conftest import Temporal
from tests.context.conformance.temporal.payloads import VEHICLE_2020_08


@pytest.fixture(scope="module")
def vehicle_id(suite) -> Iterator[str]:
    keywords = Temporal(suite)
    yield keywords.created(VEHICLE_2020_08)
    keywords.delete(keywords.ids[0])


def test_021_12_01_a_query_without_entities_or_attrs_is_bad_request_data(temporal, vehicle_id):
    params = {"timerel": "after", "timeAt": "2020-07-01T12:05:00Z"}
    problem(temporal.query(context=SUITE_CONTEXT, params=params), 400, "BadRequestData")


def query(**temporal_q: Any) -> dict[str, Any]:
    """temporalQ-json-*-query.jsonld: the vehicles after 2020-08-01T12:00:00Z, and more."""
    return {
        "type": "Query",
        "entities": [{"type": "Vehicle"}],
        "temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z", **temporal_q},
    }


@pytest.mark.parametrize(
    ("body", "status", "contains", "lacks"),
    [
        pytest.param(
            query(lastN=1), 200, "2020-08-01T12:07:00Z", "2020-08-01T12:03:00Z", id="021_27_01"
        ),
        pytest.param(query(lastN=0), 400, "BadRequestData", None, id="021_27_02"),
        pytest.param(query(lastN=1.5), 400, "BadRequestData", None, id="021_27_03"),
        pytest.param(query(timerel="during"), 400, "BadRequestData", None, id="021_27_04"),
        pytest.param(query(timerel="between"), 400, "BadRequestData", None, id="021_27_05"),
        pytest.param(query(timeproperty="bogus"), 400, "BadRequestData", None, id="021_27_06"),
        pytest.param(query(aggrMethods=["avg"]), 200, "avg", "instanceId", id="021_27_07"),
        pytest.param(query(aggrMethods="avg"), 200, "avg", "instanceId", id="021_27_08"),
        pytest.param(
            query(aggrMethods=["avg"], aggrPeriodDuration="bogus"),
            400,
            "aggrPeriodDuration",
            None,
            id="021_27_09",
        ),
    ],
)
def test_021_27_the_json_temporal_query_is_checked(
    temporal, vehicle_id, body, status, contains, lacks
):
    response = temporal.query_post(body, context=SUITE_CONTEXT)
    assert response.status_code == status, response.text
    assert contains in response.text
    if lacks is not None:
        assert lacks not in response.text


def aggregation(**params: Any) -> dict[str, Any]:
    """aggrParams-*-query.jsonld: the vehicles after 2020-08-01T12:00:00Z, aggregated."""
    return {
        "type": "Query",
        "entities": [{"type": "Vehicle"}],
        "temporalQ": {"timerel": "after", "timeAt": "2020-08-01T12:00:00Z"},
        "aggrParams": params,
    }


@pytest.mark.parametrize(
    ("body", "status", "contains", "lacks"),
    [
        pytest.param(
            aggregation(aggrMethods=["avg"], aggrPeriodDuration="PT0S"),
            200,
            "avg",
            "instanceId",
            id="5244_01_01",
        ),
        pytest.param(aggregation(aggrMethods=["bogus"]), 400, "aggrMethods", None, id="5244_01_02"),
        pytest.param(
            aggregation(aggrMethods=["avg"], aggrPeriodDuration="bogus"),
            400,
            "aggrPeriodDuration",
            None,
            id="5244_01_03",
        ),
    ],
)
def test_5244_01_the_aggregation_params_are_checked(
    temporal, vehicle_id, body, status, contains, lacks
):
    response = temporal.query_post(body, context=SUITE_CONTEXT)
    assert response.status_code == status, response.text
    assert contains in response.text
    if lacks is not None:
        assert lacks not in response.text
