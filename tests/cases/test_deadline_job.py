"""The deadline watch: a warning at 80 % of the time and a 督办 escalation when overdue, each
once per deadline period, from state kept in the database; paused clocks are left alone."""

from __future__ import annotations

from smartcity.cases import jobs
from smartcity.cases.deadline_job import run_deadline_step
from tests.cases.conftest import case_body, office_of


def _dispatched(caller, city):
    dispatcher = caller("dispatcher")
    case = caller("citizen").ok(caller("citizen").report(case_body(city.cells[0])), 201)
    dispatcher.ok(dispatcher.act(case["id"], "register"))
    dispatcher.ok(dispatcher.act(case["id"], "dispatch", department=office_of(city.cells[0])))
    return dispatcher, case["id"]


def _deadline_events(caller_, case_id):
    events = caller_.ok(caller_.request("GET", f"/{case_id}/timeline"))
    return [e for e in events if e["action"] in ("deadline_warning", "overdue_escalation")]


def test_a_case_is_warned_at_80_percent_and_escalated_when_overdue_once_each(
    city, caller, platform, clock
):
    dispatcher, case_id = _dispatched(caller, city)  # 4 working hours from Monday 09:00
    assert run_deadline_step(platform).warned == 0
    clock.advance(hours=4, minutes=30)  # 13:30: 3 of 4 working hours used (lunch 12:00-13:30)
    assert run_deadline_step(platform).warned == 0
    clock.advance(minutes=15)  # 13:45: 3.25 h = 81 %
    assert run_deadline_step(platform).warned == 1
    assert run_deadline_step(platform).warned == 0
    assert dispatcher.ok(dispatcher.get(case_id))["deadline"]["level"] == "warning"
    clock.advance(hours=1)  # 14:45: 4.25 h used
    step = run_deadline_step(platform)
    assert (step.warned, step.escalated) == (0, 1)
    assert run_deadline_step(platform).escalated == 0
    events = _deadline_events(dispatcher, case_id)
    assert [e["action"] for e in events] == ["deadline_warning", "overdue_escalation"]
    assert events[1]["data"]["escalated_to"] == {
        "level": "district",
        "area_code": city.cells[0].code[:6],
    }
    overdue = dispatcher.ok(dispatcher.request("GET", "", params={"overdue": "true"}))
    assert [c["id"] for c in overdue["items"]] == [case_id]


def test_a_paused_clock_is_neither_warned_nor_escalated(city, caller, platform, clock):
    dispatcher, case_id = _dispatched(caller, city)
    handler = caller("handler", office_of(city.cells[0]))
    handler.ok(handler.act(case_id, "accept"))
    handler.ok(handler.act(case_id, "handle", evidence=["photo:1"]))
    clock.advance(days=3)
    assert run_deadline_step(platform) == run_deadline_step(platform)
    assert run_deadline_step(platform).warned == 0
    assert _deadline_events(dispatcher, case_id) == []


def test_the_job_thread_starts_and_stops_cleanly(platform):
    stop = jobs.start(platform, interval=3600)
    assert stop is not None
    stop()
