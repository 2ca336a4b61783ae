"""综合评价 over a hand-checked set of cases driven through the case workflow, on both databases.

The day (Monday 5 January 2026, Beijing time; working hours 09:00-12:00 and 13:30-18:00):
  c1-c4, c6, c7 reported by a citizen in street A, c5 in street B, c8 (food safety, 13 working
  days) taken by the 12345 hotline in street A, all at 09:00; c7 rejected, the rest registered;
  c1-c4 and c8 dispatched to office A, c5 to office B, c6 left undispatched; office A returns c4
  once and gets it again. c1 (4 working hours) is handled and closed at 10:00 and rated 5, c2 at
  11:00 rated 3; c3 is closed late at 15:30 (5 working hours), reopened and dispatched again
  (due Tuesday 10:30); office B handles c5 at 15:30 (5 h, awaiting verification); c4 stays open
  (due 14:30). Wednesday 10:00: c8 handled and closed (16 working hours, on time).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from smartcity.cases.evaluation import EvaluationQuery, GroupBy, evaluate
from smartcity.cases.models import Case
from smartcity.cases.rates import closure_rates
from tests.cases.conftest import Caller, case_body, office_of

MONDAY = datetime(2026, 1, 4, 16, 0, tzinfo=UTC)  # 00:00 Monday in Beijing
PERIOD = {"from": "2026-01-05", "to": "2026-01-08"}  # Monday to Wednesday, Beijing days
H = 3600.0


@pytest.fixture
def day(city: Any, caller: Callable[..., Caller], clock: Any) -> dict[str, Any]:
    """Run the day described above; answer the callers, the offices and the case ids."""
    cell_a = city.cells[0]
    cell_b = next(c for c in city.cells if c.code[:9] != cell_a.code[:9])
    a, b = office_of(cell_a), office_of(cell_b)
    citizen, dispatcher, supervisor = caller("citizen"), caller("dispatcher"), caller("supervisor")
    hotline = caller("hotline_operator")
    handler_a, handler_b = caller("handler", a), caller("handler", b)
    ids = {}
    for name in ("c1", "c2", "c3", "c4", "c6", "c7"):
        ids[name] = citizen.ok(citizen.report(case_body(cell_a)), 201)["id"]
    ids["c5"] = citizen.ok(citizen.report(case_body(cell_b)), 201)["id"]
    food = case_body(cell_a, category="H0102", source="hotline", description="过期食品")
    food["contact"] = {"name": "王女士", "phone": "13800138000"}
    ids["c8"] = hotline.ok(hotline.report(food), 201)["id"]
    dispatcher.ok(dispatcher.act(ids["c7"], "reject", reason="不属于受理范围"))
    for name in ("c1", "c2", "c3", "c4", "c5", "c6", "c8"):
        dispatcher.ok(dispatcher.act(ids[name], "register"))
    for name in ("c1", "c2", "c3", "c4", "c8"):
        dispatcher.ok(dispatcher.act(ids[name], "dispatch", department=a))
        handler_a.ok(handler_a.act(ids[name], "accept"))
    dispatcher.ok(dispatcher.act(ids["c5"], "dispatch", department=b))
    handler_b.ok(handler_b.act(ids["c5"], "accept"))
    handler_a.ok(handler_a.act(ids["c4"], "return", reason="不属于本单位"))
    dispatcher.ok(dispatcher.act(ids["c4"], "dispatch", department=a))
    handler_a.ok(handler_a.act(ids["c4"], "accept"))

    def close(handler: Caller, verifier: Caller, name: str) -> None:
        handler.ok(handler.act(ids[name], "handle", evidence=["photo:1"]))
        verifier.ok(verifier.act(ids[name], "verify"))

    clock.advance(hours=1)  # 10:00
    close(handler_a, supervisor, "c1")
    citizen.ok(citizen.act(ids["c1"], "evaluate", rating=5))
    clock.advance(hours=1)  # 11:00
    close(handler_a, supervisor, "c2")
    citizen.ok(citizen.act(ids["c2"], "evaluate", rating=3))
    clock.advance(hours=4, minutes=30)  # 15:30
    close(handler_a, supervisor, "c3")
    supervisor.ok(supervisor.act(ids["c3"], "reopen", reason="市民反映问题仍在"))
    dispatcher.ok(dispatcher.act(ids["c3"], "dispatch", department=a))
    handler_b.ok(handler_b.act(ids["c5"], "handle", evidence=["photo:2"]))
    clock.advance(days=1, hours=18, minutes=30)  # Wednesday 10:00
    close(handler_a, hotline, "c8")
    clock.advance(minutes=1)  # so that "until now" includes the last closure
    return {"a": a, "b": b, "ids": ids, "dispatcher": dispatcher, "citizen": citizen}


def _report(platform: Any, admin: Any, by: GroupBy, **extra: Any) -> Any:
    q = EvaluationQuery(by, MONDAY, MONDAY + timedelta(days=3), **extra)
    with platform.db.session() as session:
        return evaluate(session, platform, admin, q)


def test_the_department_report_matches_the_hand_checked_figures(platform, admin, day):
    report = _report(platform, admin, GroupBy.DEPARTMENT)
    rows = {r.key: r for r in report.rows}
    assert set(rows) == {day["a"], day["b"], None}
    a = rows[day["a"]]
    assert (a.registered, a.due, a.closed, a.closed_on_time) == (5, 5, 3, 3)
    assert a.closure_rate == pytest.approx(0.6) and a.on_time_closure_rate == pytest.approx(0.6)
    assert a.handled == 3
    assert a.handling_seconds_mean == pytest.approx((1 + 2 + 16) * H / 3)
    assert a.handling_seconds_p90 == pytest.approx(16 * H)
    assert (a.dispatched, a.returned, a.return_rate) == (5, 1, pytest.approx(0.2))
    assert (a.ever_closed, a.reopened, a.reopen_rate) == (4, 1, pytest.approx(0.25))
    assert (a.rated, a.rating_mean, a.satisfied_share) == (2, pytest.approx(4.0), 0.5)
    b = rows[day["b"]]
    assert (b.registered, b.due, b.closed, b.closure_rate) == (1, 0, 0, None)
    assert b.handling_seconds_mean == pytest.approx(5 * H) and b.rated == 0
    assert rows[None].registered == 1 and rows[None].dispatched == 0  # c6, not dispatched
    assert a.name_zh and rows[None].name_zh is None


def test_the_city_total_agrees_with_the_standards_formulas_in_rates(platform, admin, day):
    total = _report(platform, admin, GroupBy.CITY).total
    assert (total.registered, total.due, total.closed, total.closed_on_time) == (7, 5, 3, 3)
    assert total.handling_seconds_mean == pytest.approx((1 + 2 + 5 + 16) * H / 4)
    assert total.handling_seconds_p90 == pytest.approx(16 * H)
    with platform.db.session() as session:
        cases = session.scalars(select(Case).where(Case.public_id != day["ids"]["c7"])).all()
        by_hand = closure_rates(cases, platform.clock.now())
    assert (by_hand.due, by_hand.closed, by_hand.closed_on_time) == (5, 3, 3)


def test_streets_and_districts_split_the_same_cases(platform, admin, day):
    streets = _report(platform, admin, GroupBy.STREET).rows
    districts = _report(platform, admin, GroupBy.DISTRICT).rows
    assert sorted(r.registered for r in streets) == [1, 6]
    assert sum(r.registered for r in districts) == 7
    assert all(r.name_zh for r in streets)


def test_category_and_source_narrow_the_cases_counted(platform, admin, day):
    food = _report(platform, admin, GroupBy.CITY, category="H01").total
    assert (food.registered, food.due, food.closed_on_time) == (1, 1, 1)
    hotline = _report(platform, admin, GroupBy.CITY, source="hotline").total
    assert hotline.registered == 1 and hotline.on_time_closure_rate == 1.0


def test_a_later_change_to_a_case_shows_in_the_next_report(platform, admin, day, caller):
    caller("citizen")  # another user, unrelated: the report must not change for that
    before = _report(platform, admin, GroupBy.CITY).total
    handler = caller("handler", day["a"])
    handler.ok(handler.act(day["ids"]["c4"], "handle", evidence=["photo:3"]))
    after = _report(platform, admin, GroupBy.CITY).total
    assert before.handled == 4 and after.handled == 5
    assert after.due == before.due - 1  # handled and awaiting verification: its clock is paused


def test_the_cut_off_is_the_end_of_the_period_when_that_has_passed(platform, admin, day):
    q = EvaluationQuery(GroupBy.CITY, MONDAY, MONDAY + timedelta(days=1))  # Monday only
    with platform.db.session() as session:
        monday = evaluate(session, platform, admin, q)
    total = monday.total
    # At Monday midnight: c1, c2 closed on time; c3 reopened (due Tuesday); c4 overdue.
    assert monday.as_of == MONDAY + timedelta(days=1)
    assert (total.registered, total.due, total.closed, total.closed_on_time) == (7, 3, 2, 2)
