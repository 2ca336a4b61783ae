"""The reporter's contact: encrypted at rest, clear only to cases:contact holders and the
reporter, masked for every other role, never in lists."""

from __future__ import annotations

from sqlalchemy import text

from smartcity.cases.contacts import mask_name, mask_phone
from tests.cases.conftest import case_body, office_of

PHONE = "13812345678"


def _hotline_case(caller, city):
    operator = caller("hotline_operator")
    body = case_body(city.cells[0], source="hotline", contact={"name": "张三", "phone": PHONE})
    return operator, operator.ok(operator.report(body), 201)


def test_masks_keep_only_what_identifies_nobody():
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_the_contact_is_clear_for_contact_holders_and_masked_for_other_roles(city, caller):
    _, created = _hotline_case(caller, city)
    case_id = created["id"]
    assert created["contact"] == {"name": "张三", "phone": PHONE, "masked": False}
    dispatcher = caller("dispatcher")
    dispatcher.ok(dispatcher.act(case_id, "register"))
    dispatcher.ok(dispatcher.act(case_id, "dispatch", department=office_of(city.cells[0])))
    for role in ("admin", "dispatcher", "hotline_operator"):
        seen = caller(role).ok(caller(role).get(case_id))["contact"]
        assert seen["phone"] == PHONE and seen["masked"] is False, role
    for who in (
        caller("supervisor"),
        caller("analyst"),
        caller("handler", office_of(city.cells[0])),
    ):
        seen = who.ok(who.get(case_id))["contact"]
        assert seen == {"name": "张*", "phone": "138****5678", "masked": True}, who.role


def test_a_citizen_reporter_sees_their_own_contact(city, caller):
    citizen = caller("citizen")
    body = case_body(city.cells[0], contact={"name": "李四", "phone": "021-5555-0101"})
    created = citizen.ok(citizen.report(body), 201)
    assert citizen.ok(citizen.get(created["id"]))["contact"]["phone"] == "021-5555-0101"


def test_lists_and_queues_never_carry_a_contact(city, caller):
    _hotline_case(caller, city)
    dispatcher = caller("dispatcher")
    for path in ("", "/queues/to_register"):
        page = dispatcher.ok(dispatcher.request("GET", path))
        assert page["total"] == 1
        assert page["items"][0]["contact"] is None
        assert PHONE not in str(page) and "张三" not in str(page)


def test_the_stored_columns_hold_no_phone_or_name(city, caller, platform):
    _hotline_case(caller, city)
    with platform.db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM case_contacts")).mappings().one()
    assert PHONE.encode() not in bytes(row["phone_cipher"])
    assert "张三".encode() not in bytes(row["name_cipher"])
    assert row["phone_masked"] == "138****5678"


def test_a_hotline_case_needs_the_callers_phone_and_a_valid_one(city, caller):
    operator = caller("hotline_operator")
    missing = operator.report(case_body(city.cells[0], source="hotline"))
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "contact.phone"
    bad = operator.report(
        case_body(city.cells[0], source="hotline", contact={"phone": "call me maybe"})
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "contact.phone"
