"""Routing by the responsibility matrix (fallback: the dispatcher's queue) and duplicate
proposals for open cases of the same category nearby."""

from __future__ import annotations

from smartcity.cases.intake import DuplicatePolicy, find_duplicate
from tests.cases.conftest import case_body, inside, office_of


def test_the_matrix_proposes_the_department_and_dispatch_uses_it(city, caller):
    cell = city.cells[0]
    admin, dispatcher = caller("admin"), caller("dispatcher")
    office = office_of(cell)
    route = {"category": "C01", "area_code": cell.code[:6], "department": office}
    admin.ok(admin.request("POST", "/routes", json=route), 201)
    assert admin.request("POST", "/routes", json=route).status_code == 409
    case = caller("citizen").ok(caller("citizen").report(case_body(cell)), 201)
    assert case["proposed_department"] == office
    dispatcher.ok(dispatcher.act(case["id"], "register"))
    dispatched = dispatcher.ok(dispatcher.act(case["id"], "dispatch"))
    assert dispatched["department"] == office


def test_the_most_local_route_wins(city, caller):
    cell = city.cells[0]
    admin = caller("admin")
    other_office = office_of(city.cells[-1])
    for area, department in ((cell.code[:6], other_office), (cell.code[:9], office_of(cell))):
        admin.ok(
            admin.request(
                "POST",
                "/routes",
                json={"category": "C0101", "area_code": area, "department": department},
            ),
            201,
        )
    case = caller("citizen").ok(caller("citizen").report(case_body(cell)), 201)
    assert case["proposed_department"] == office_of(cell)


def test_without_a_route_the_case_waits_in_the_dispatchers_queue(city, caller):
    dispatcher = caller("dispatcher")
    case = caller("citizen").ok(caller("citizen").report(case_body(city.cells[0])), 201)
    assert case["proposed_department"] is None
    dispatcher.ok(dispatcher.act(case["id"], "register"))
    queue = dispatcher.ok(dispatcher.request("GET", "/queues/to_dispatch"))
    assert [c["id"] for c in queue["items"]] == [case["id"]]
    refused = dispatcher.act(case["id"], "dispatch")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "department"


def test_routes_are_edited_by_admins_only_and_checked(city, caller):
    dispatcher, admin = caller("dispatcher"), caller("admin")
    body = {"category": "C01", "area_code": city.cells[0].code[:6], "department": "nowhere"}
    assert dispatcher.request("POST", "/routes", json=body).status_code == 403
    assert admin.request("POST", "/routes", json=body).status_code == 422
    assert admin.request("POST", "/routes", json={**body, "category": "C99999"}).status_code == 422


def test_a_report_near_an_open_case_of_its_category_is_proposed_as_its_duplicate(city, caller):
    citizen = caller("citizen")
    cell = city.cells[0]
    first = citizen.ok(citizen.report(case_body(cell)), 201)
    second = citizen.ok(citizen.report(case_body(cell)), 201)
    assert second["duplicate_of"] == first["id"]
    other_kind = citizen.ok(citizen.report(case_body(cell, category="C0102")), 201)
    assert other_kind["duplicate_of"] is None
    far = citizen.ok(citizen.report(case_body(city.cells[-1])), 201)
    assert far["duplicate_of"] is None
    dispatcher = caller("dispatcher")
    merged = dispatcher.ok(dispatcher.act(second["id"], "merge", into=first["id"]))
    assert merged["status"] == "merged" and merged["merged_into"] == first["id"]


def test_duplicates_are_looked_for_within_the_policys_distance_and_time(
    city, caller, platform, clock, tenant_id
):
    citizen = caller("citizen")
    first = citizen.ok(citizen.report(case_body(city.cells[0])), 201)
    lon, lat = inside(city.cells[0])
    near = DuplicatePolicy(distance_m=50)
    with platform.db.session() as s:
        assert (
            find_duplicate(s, tenant_id, "C0101", lon, lat + 0.0002, clock.now(), near)
            == (first["id"])
        )
        assert find_duplicate(s, tenant_id, "C0101", lon, lat + 0.001, clock.now(), near) is None
        later = clock.now() + near.window + near.window
        assert find_duplicate(s, tenant_id, "C0101", lon, lat, later, near) is None
