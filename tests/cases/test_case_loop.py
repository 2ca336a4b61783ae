"""The whole loop through the API, on both databases: report → register → dispatch → accept →
handle → verify → evaluate, with the timeline, deadline clock and tracking token along the way."""

from __future__ import annotations

from tests.cases.conftest import case_body, office_of


def test_a_citizen_report_runs_the_whole_loop_to_evaluation(city, caller, clock):
    cell = city.cells[0]
    office = office_of(cell)
    citizen, dispatcher = caller("citizen"), caller("dispatcher")
    handler, supervisor = caller("handler", office), caller("supervisor")

    created = citizen.ok(citizen.report(case_body(cell)), 201)
    case_id = created["id"]
    assert created["status"] == "reported"
    assert created["cell_code"] == cell.code and created["street_code"] == cell.code[:9]
    assert created["tracking_token"]

    dispatcher.ok(dispatcher.act(case_id, "register"))
    dispatched = dispatcher.ok(dispatcher.act(case_id, "dispatch", department=office))
    assert dispatched["department"] == office
    assert dispatched["deadline"]["level"] == "on_track"
    assert dispatched["deadline"]["due_at"] is not None

    clock.advance(hours=1)
    assert "accept" in handler.ok(handler.get(case_id))["actions"]
    handler.ok(handler.act(case_id, "accept"))
    handler.ok(handler.act(case_id, "handle", evidence=["photo:1"], note="已更换井盖"))
    closed = supervisor.ok(supervisor.act(case_id, "verify"))
    assert closed["status"] == "closed"
    assert closed["deadline"]["closed_on_time"] is True

    evaluated = citizen.ok(citizen.act(case_id, "evaluate", rating=5))
    assert evaluated["status"] == "evaluated" and evaluated["rating"] == 5

    events = dispatcher.ok(dispatcher.request("GET", f"/{case_id}/timeline"))
    assert [e["action"] for e in events] == [
        "report", "register", "dispatch", "accept", "handle", "verify", "evaluate",
    ]  # fmt: skip
    assert events[4]["data"]["evidence"] == ["photo:1"]
    assert events[1]["action_zh"] == "立案"


def test_the_reporter_tracks_the_case_with_its_token_and_no_login(city, caller, client):
    citizen = caller("citizen")
    created = citizen.ok(citizen.report(case_body(city.cells[1])), 201)
    url = f"/api/cases/track/{created['id']}"
    found = client.get(url, params={"token": created["tracking_token"]})
    assert found.status_code == 200, found.text
    assert found.json()["status"] == "reported"
    assert found.json()["timeline"][0]["actor"] is None  # staff ids are not shown publicly
    wrong = client.get(url, params={"token": "not-the-token"})
    assert wrong.status_code == 404
    assert wrong.json()["error"]["code"] == "not_found"
