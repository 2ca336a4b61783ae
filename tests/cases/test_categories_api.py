"""Categories through the API: the shipped set for everyone, edits by administrators only,
checked whole; cases keep the deadline they were registered with."""

from __future__ import annotations

from tests.cases.conftest import case_body


def test_everyone_reads_the_shipped_categories_with_deadlines(city, caller):
    rows = caller("citizen").ok(caller("citizen").request("GET", "/categories"))
    by_code = {r["code"]: r for r in rows}
    assert by_code["C0101"]["deadline"] == {"amount": 4, "unit": "working_hours"}
    assert by_code["C01"]["assignable"] is False and by_code["C0101"]["assignable"] is True
    assert {r["kind"] for r in rows} == {"component", "event", "hotline"}


def test_an_admin_adds_a_category_and_cases_can_use_it(city, caller):
    admin = caller("admin")
    body = {
        "kind": "component",
        "parent": "C01",
        "name_zh": "智能井盖",
        "name_en": "Smart manhole cover",
        "deadline": {"amount": 2, "unit": "working_hours"},
        "handler_kind": "water_supply",
    }
    saved = admin.ok(admin.request("PUT", "/categories/C0199", json=body))
    assert saved["name_en"] == "Smart manhole cover"
    citizen = caller("citizen")
    case = citizen.ok(citizen.report(case_body(city.cells[0], category="C0199")), 201)
    assert case["deadline"]["amount"] == 2 and case["category_name_zh"] == "智能井盖"


def test_category_edits_are_for_admins_and_must_keep_the_set_valid(city, caller):
    body = {"kind": "event", "name_zh": "x", "name_en": "x"}
    assert caller("dispatcher").request("PUT", "/categories/C0199", json=body).status_code == 403
    admin = caller("admin")
    wrong_kind = admin.request("PUT", "/categories/C0199", json={**body, "parent": "C01"})
    assert wrong_kind.status_code == 422
    in_use_parent = admin.request("DELETE", "/categories/C01")
    assert in_use_parent.status_code == 422  # it still has subcategories
    assert admin.request("DELETE", "/categories/C0108").status_code == 204
    codes = {r["code"] for r in admin.ok(admin.request("GET", "/categories"))}
    assert "C0108" not in codes and "C0107" in codes
