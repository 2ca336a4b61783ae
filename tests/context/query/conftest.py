"""Fixtures for the query tests: Smart Data Models examples (CC BY 4.0, see examples.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.context.query.examples import load_example


@pytest.fixture
def air_quality() -> dict[str, Any]:
    return load_example("AirQualityObserved")


@pytest.fixture
def streetlight() -> dict[str, Any]:
    return load_example("Streetlight")


@pytest.fixture
def parking_spot() -> dict[str, Any]:
    return load_example("ParkingSpot")
