"""The case system's live measures for the plan, driven through the case workflow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from smartcity.cases.measures import register_case_measures
from smartcity.plan import measures as plan_measures
from smartcity.plan.measures import MEASURES, Period
from tests.cases.conftest import case_body
from tests.cases.test_evaluation import MONDAY, day  # noqa: F401  (the day's cases)


@pytest.fixture
def registered() -> Iterator[None]:
    """The case measures registered for this test only; the declared ones come back after."""
    saved = dict(MEASURES)
    register_case_measures()
    yield
    plan_measures.MEASURES.clear()
    plan_measures.MEASURES.update(saved)


def _measure(platform, admin, key, period=None):
    with platform.db.session() as session:
        return MEASURES[key].measure(session, platform, admin.tenant_id, period)


def test_the_case_measures_replace_the_declared_ones(registered):
    for key in ("food_safety_complaint_handling_days", "on_time_closure_rate"):
        assert MEASURES[key].available and MEASURES[key].source == "cases"
    assert MEASURES["hotline_on_time_closure_rate"].available


def test_food_safety_handling_days_follow_the_cases_closed(
    registered,
    platform,
    admin,
    day,  # noqa: F811
):
    found = _measure(platform, admin, "food_safety_complaint_handling_days")
    # c8: reported Monday 09:00, closed Wednesday 10:00 (Beijing): 2 days and 1 hour.
    assert found.value == pytest.approx(2.04) and found.details["cases_closed"] == 1
    assert found.period.start == MONDAY - timedelta(days=4)  # 1 January, Beijing midnight
    assert "H01" in found.method
    monday = Period(MONDAY, MONDAY + timedelta(days=1))
    assert _measure(platform, admin, "food_safety_complaint_handling_days", monday).value is None


def test_on_time_closure_rates_for_all_cases_and_for_the_hotline(
    registered,
    platform,
    admin,
    day,  # noqa: F811
):
    everything = _measure(platform, admin, "on_time_closure_rate")
    assert everything.value == 60.0 and everything.details["due"] == 5
    hotline = _measure(platform, admin, "hotline_on_time_closure_rate")
    assert hotline.value == 100.0 and hotline.details["source"] == "hotline"
    assert "按期结案率" in everything.method


def test_another_food_safety_case_closed_moves_both_measures(
    registered,
    platform,
    admin,
    day,  # noqa: F811
    caller,
    city,
    clock,
):
    hotline, dispatcher = caller("hotline_operator"), day["dispatcher"]
    handler = caller("handler", day["a"])
    body = case_body(city.cells[0], category="H0104", source="hotline", description="后厨不洁")
    body["contact"] = {"phone": "13900139000"}
    case_id = hotline.ok(hotline.report(body), 201)["id"]  # Wednesday 10:00
    dispatcher.ok(dispatcher.act(case_id, "register"))
    dispatcher.ok(dispatcher.act(case_id, "dispatch", department=day["a"]))
    handler.ok(handler.act(case_id, "accept"))
    clock.advance(days=1)  # Thursday 10:00
    handler.ok(handler.act(case_id, "handle", evidence=["photo:9"]))
    hotline.ok(hotline.act(case_id, "verify"))
    clock.advance(minutes=1)
    days = _measure(platform, admin, "food_safety_complaint_handling_days")
    assert days.value == pytest.approx((2 + 1 / 24 + 1) / 2, abs=0.005)
    rate = _measure(platform, admin, "on_time_closure_rate")
    assert rate.details["due"] == 6 and rate.value == pytest.approx(66.67)
