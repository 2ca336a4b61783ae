"""Geo-only fixtures: small generated cities (the default 4,000 cells is too slow to repeat)."""

from __future__ import annotations

from typing import Any

import pytest

from smartcity.geo.layout import CityLayout, generate_shanghai


@pytest.fixture(scope="session")
def small_city() -> CityLayout:
    """All 16 districts, 32 streets, about 700 cells."""
    return generate_shanghai(cells=600, streets=32, seed=7)


@pytest.fixture
def loaded_city(platform: Any, admin: Any, small_city: CityLayout) -> CityLayout:
    """The small city loaded into the `shanghai` tenant."""
    from smartcity.geo import service

    with platform.db.session() as session:
        service.load_demo_city(session, platform.clock, admin, small_city)
    return small_city
