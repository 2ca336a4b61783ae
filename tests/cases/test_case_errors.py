"""Bad input gets a clear 4xx in the platform's error format, and the case stays as it was."""

from __future__ import annotations

from tests.cases.conftest import case_body, office_of


def _report(caller, city):
    citizen = caller("citizen")
    return citizen, citizen.ok(citizen.report(case_body(city.cells[0])), 201)["id"]


def test_an_unknown_category_is_refused_with_422(city, caller):
    citizen = caller("citizen")
    response = citizen.report(case_body(city.cells[0], category="C9999"))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "category"
    parent = citizen.report(case_body(city.cells[0], category="C01"))
    assert parent.status_code == 422  # a category with subcategories is not assignable


def test_a_point_outside_the_city_is_refused_with_422(city, caller):
    citizen = caller("citizen")
    response = citizen.report({**case_body(city.cells[0]), "lon": 100.0, "lat": 10.0})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "lon"
    assert caller("dispatcher").ok(caller("dispatcher").request("GET"))["total"] == 0


def test_an_impossible_transition_is_a_409_and_changes_nothing(city, caller):
    _, case_id = _report(caller, city)
    dispatcher = caller("dispatcher")
    before = dispatcher.ok(dispatcher.get(case_id))
    response = dispatcher.act(case_id, "dispatch", department=office_of(city.cells[0]))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    assert dispatcher.ok(dispatcher.get(case_id)) == before
    events = dispatcher.ok(dispatcher.request("GET", f"/{case_id}/timeline"))
    assert len(events) == 1


def test_a_handler_of_another_department_is_refused_with_403(city, caller):
    _, case_id = _report(caller, city)
    dispatcher = caller("dispatcher")
    dispatcher.ok(dispatcher.act(case_id, "register"))
    dispatcher.ok(dispatcher.act(case_id, "dispatch", department=office_of(city.cells[0])))
    stranger = caller("handler", office_of(city.cells[-1]))
    assert office_of(city.cells[-1]) != office_of(city.cells[0])
    before = dispatcher.ok(dispatcher.get(case_id))
    response = stranger.act(case_id, "accept")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "outside_department"
    assert stranger.get(case_id).status_code == 404  # it is not in the handler's view either
    assert dispatcher.ok(dispatcher.get(case_id)) == before


def test_transition_data_is_checked_before_anything_changes(city, caller):
    _, case_id = _report(caller, city)
    dispatcher = caller("dispatcher")
    before = dispatcher.ok(dispatcher.get(case_id))
    for action, data, field in [
        ("register", {"category": "C9999"}, "category"),
        ("reject", {}, "reason"),
        ("register", {"colour": "red"}, "colour"),
        ("merge", {"into": "SH20260105-999999"}, "into"),
        ("fly", {}, "action"),
    ]:
        response = dispatcher.act(case_id, action, **data)
        assert response.status_code == 422, (action, response.text)
        assert response.json()["error"]["field"] == field
    dispatcher.ok(dispatcher.act(case_id, "register"))
    response = dispatcher.act(case_id, "dispatch", department="no-such-office")
    assert response.status_code == 422
    assert dispatcher.ok(dispatcher.get(case_id))["status"] == "registered"
    assert before["status"] == "reported"


def test_a_repeated_idempotency_key_answers_200_with_the_same_case(city, caller):
    citizen = caller("citizen")
    body = case_body(city.cells[0], idempotency_key="app-7f3a")
    first = citizen.ok(citizen.report(body), 201)
    again = citizen.ok(citizen.report({**body, "description": "changed"}), 200)
    assert again["id"] == first["id"] and again["description"] == first["description"]
    assert again["tracking_token"] == first["tracking_token"]
    by_header = citizen.report(case_body(city.cells[0]), headers={"Idempotency-Key": "hdr-1"})
    repeat = citizen.report(case_body(city.cells[0]), headers={"Idempotency-Key": "hdr-1"})
    assert (by_header.status_code, repeat.status_code) == (201, 200)
    assert by_header.json()["id"] == repeat.json()["id"]
    dispatcher = caller("dispatcher")
    assert dispatcher.ok(dispatcher.request("GET"))["total"] == 2


def test_other_tenants_cases_are_not_found(city, caller):
    _, case_id = _report(caller, city)
    outsider = caller("dispatcher", tenant="suzhou")
    assert outsider.get(case_id).status_code == 404
    assert outsider.act(case_id, "register").status_code == 404


def test_citizens_file_only_citizen_reports_and_see_only_their_own(city, caller):
    citizen, case_id = _report(caller, city)
    hotline = citizen.report(case_body(city.cells[0], source="hotline"))
    assert hotline.status_code == 403
    other = caller("citizen")
    assert other.get(case_id).status_code == 404
    assert other.act(case_id, "evaluate", rating=1).status_code == 404
    assert citizen.request("GET").status_code == 403  # lists are for staff
