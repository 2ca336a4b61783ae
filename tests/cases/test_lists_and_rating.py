"""Lists with filters and paging, workbench queues per role, hotline intake and the citizen's
rating by tracking token after closure."""

from __future__ import annotations

from tests.cases.conftest import case_body, office_of


def _close(caller, city, case_id):
    office = office_of(city.cells[0])
    dispatcher, handler = caller("dispatcher"), caller("handler", office)
    dispatcher.ok(dispatcher.act(case_id, "register"))
    dispatcher.ok(dispatcher.act(case_id, "dispatch", department=office))
    handler.ok(handler.act(case_id, "accept"))
    handler.ok(handler.act(case_id, "handle", evidence=["photo:1"]))
    caller("supervisor").ok(caller("supervisor").act(case_id, "verify"))


def test_lists_filter_and_page(city, caller):
    citizen, supervisor = caller("citizen"), caller("supervisor")
    a = citizen.ok(citizen.report(case_body(city.cells[0], description="路灯不亮")), 201)
    b = supervisor.ok(
        supervisor.report(case_body(city.cells[-1], category="C0102", source="patrol")), 201
    )
    staff = caller("analyst")

    def ids(**params):
        return [c["id"] for c in staff.ok(staff.request("GET", "", params=params))["items"]]

    assert ids() == [b["id"], a["id"]]
    assert ids(category="C0102") == [b["id"]]
    assert ids(source="patrol") == [b["id"]]
    assert ids(district=city.cells[0].code[:6]) == [a["id"]]
    assert ids(street=city.cells[-1].code[:9]) == [b["id"]]
    assert ids(q="路灯") == [a["id"]]
    assert ids(status="reported", limit=1, offset=1) == [a["id"]]
    page = staff.ok(staff.request("GET", "", params={"limit": 1}))
    assert page["total"] == 2 and len(page["items"]) == 1
    assert staff.request("GET", "", params={"district": "31"}).status_code == 422


def test_queues_show_each_role_its_work(city, caller):
    citizen, dispatcher = caller("citizen"), caller("dispatcher")
    office = office_of(city.cells[0])
    case_id = citizen.ok(citizen.report(case_body(city.cells[0])), 201)["id"]

    def queue(who, name):
        return [c["id"] for c in who.ok(who.request("GET", f"/queues/{name}"))["items"]]

    assert queue(dispatcher, "to_register") == [case_id]
    dispatcher.ok(dispatcher.act(case_id, "register"))
    assert queue(dispatcher, "to_dispatch") == [case_id]
    dispatcher.ok(dispatcher.act(case_id, "dispatch", department=office))
    mine, theirs = caller("handler", office), caller("handler", office_of(city.cells[-1]))
    assert queue(mine, "department") == [case_id]
    assert queue(theirs, "department") == []
    mine.ok(mine.act(case_id, "accept"))
    mine.ok(mine.act(case_id, "handle", evidence=["photo:1"]))
    assert queue(caller("supervisor"), "to_verify") == [case_id]
    assert dispatcher.request("GET", "/queues/elsewhere").status_code == 422


def test_the_reporter_rates_a_closed_case_by_token_once(city, caller, client):
    operator = caller("hotline_operator")
    body = case_body(city.cells[0], source="hotline", contact={"phone": "13900001111"})
    created = operator.ok(operator.report(body), 201)
    case_id, token = created["id"], created["tracking_token"]
    url = f"/api/cases/track/{case_id}/rating"
    early = client.post(url, json={"token": token, "rating": 5})
    assert early.status_code == 409  # not closed yet
    _close(caller, city, case_id)
    assert client.post(url, json={"token": "wrong", "rating": 5}).status_code == 404
    assert client.post(url, json={"token": token, "rating": 9}).status_code == 422
    rated = client.post(url, json={"token": token, "rating": 4, "note": "很快"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["status"] == "evaluated" and rated.json()["rating"] == 4
    assert client.post(url, json={"token": token, "rating": 1}).status_code == 409
