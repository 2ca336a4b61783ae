"""ETSI TP/NGSI-LD/ContextInformation/Consumption/TemporalEntity 020_13, 020_14, 021_15, 021_16
(clause 6.3.10): temporal pagination. The suite expects the broker to cut answers of 20 to 60
instances (206 Partial Content, a `Content-Range: date-time <start>-<end>/<size>` header); our
instance limit is 10,000 per request (temporal/history.py MAX_INSTANCES), so they are answered
whole. The cut itself is tested with a lowered limit in tests/context/temporal/test_history.py."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.conformance.conftest import SUITE_CONTEXT, gap
from tests.context.conformance.temporal.payloads import VEHICLE_2020_09, ld, series, vehicle

LIMIT = "the instance limit (10,000) is far above the suite's 20-60 instances"
BEFORE, AFTER = "2019-01-01T01:01:00Z", "2021-01-01T01:01:00Z"
# pagination/2020-01-vehicule-temporal-representation-twenty-instances.jsonld
TWENTY = ld(
    vehicle(
        speed=series(*((i, f"2020-01-01T01:{i:02d}:00Z") for i in range(1, 21))),
        fuelLevel=series(*((i, f"2020-01-01T01:{i + 2:02d}:00Z") for i in range(1, 21))),
    )
)


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, marks=gap(f"020_13_01: {LIMIT}"), id="020_13_01"),
        pytest.param({"lastN": 20}, marks=gap(f"020_13_02: {LIMIT}"), id="020_13_02"),
        pytest.param(
            {"timerel": "after", "timeAt": BEFORE}, marks=gap(f"020_13_08: {LIMIT}"), id="020_13_08"
        ),
    ],
)
def test_020_13_a_long_evolution_is_partial_content(temporal, params: dict[str, Any]):
    entity_id = temporal.created(TWENTY)
    response = temporal.retrieve(entity_id, context=SUITE_CONTEXT, params=params)
    assert response.status_code == 206, response.text
    assert response.headers["Content-Range"].startswith("date-time ")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(
            {"lastN": 20, "timerel": "before", "timeAt": AFTER},
            marks=gap(f"021_15_01: {LIMIT}"),
            id="021_15_01",
        ),
        pytest.param(
            {"timerel": "after", "timeAt": BEFORE}, marks=gap(f"021_15_06: {LIMIT}"), id="021_15_06"
        ),
    ],
)
def test_021_15_a_long_query_answer_is_partial_content(temporal, params: dict[str, Any]):
    temporal.created(TWENTY)
    temporal.created(VEHICLE_2020_09)
    response = temporal.query(context=SUITE_CONTEXT, params={"type": "Vehicle", **params})
    assert response.status_code == 206, response.text
    assert response.headers["Content-Range"].startswith("date-time ")
