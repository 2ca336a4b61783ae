"""The category set: the shipped default loads and validates; bad edits are refused."""

from __future__ import annotations

import pytest

from smartcity.cases.categories import CategoryKind, default_categories, read_categories
from smartcity.cases.deadlines import Deadline, DeadlineUnit
from smartcity.cases.errors import InvalidCategory

DAYS = DeadlineUnit.WORKING_DAYS


def test_the_default_set_has_the_standards_major_classes_in_both_languages():
    cats = default_categories()
    majors = {c.name_zh for c in cats.children(None) if c.kind == CategoryKind.COMPONENT}
    assert {"公用设施", "道路交通", "市容环境", "园林绿化", "房屋土地"} <= majors
    events = {c.name_zh for c in cats.children(None) if c.kind == CategoryKind.EVENT}
    assert {"市容环境", "宣传广告", "施工管理", "突发事件", "街面秩序"} <= events
    assert cats.get("C0101").name_zh == "上水井盖" and cats.get("C0101").parent == "C01"
    assert all(c.name_en for c in cats.categories.values())


def test_every_assignable_category_has_a_deadline_and_a_handler():
    cats = default_categories()
    for c in cats.assignable():
        assert cats.deadline_of(c.code).amount > 0
        assert cats.handler_kind_of(c.code) is not None


def test_hotline_deadlines_are_the_12345_tiers_or_the_food_safety_target():
    cats = default_categories()
    hotline = [cats.deadline_of(c.code) for c in cats.assignable() if c.kind == "hotline"]
    assert {d.amount for d in hotline} <= {1, 5, 13, 15} and all(d.unit == DAYS for d in hotline)
    # 13 working days never exceed the plan's 19 calendar days without a holiday in between
    assert cats.deadline_of("H0102") == Deadline(13, DAYS)


def test_an_admin_edit_is_checked_with_the_same_rules():
    cats = default_categories()
    edited = cats.with_category(
        {"code": "C0127", "parent": "C01", "kind": "component", "name_zh": "充电桩",
         "name_en": "EV charger", "deadline": {"amount": 3, "unit": "working_days"},
         "handler_kind": "power"}
    )  # fmt: skip
    assert "C0127" in edited and "C0127" not in cats and len(edited) == len(cats) + 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"code": "C0101", "parent": "C99"}, "does not exist"),
        ({"code": "C0101", "deadline": {"amount": 0, "unit": "working_days"}}, "deadline"),
        ({"code": "C0101", "deadline": {"amount": 2, "unit": "fortnights"}}, "deadline"),
        ({"code": "C0101", "handler_kind": "wizards"}, "handler_kind"),
        ({"code": "C0101", "kind": "event"}, "starts with E"),
        ({"code": "C0101", "parent": "C02"}, "extends its parent"),
        ({"code": "X0101"}, "code must be"),
        ({"code": "C0101", "name_zh": " "}, "name_zh"),
        ({"code": "C0101", "colour": "red"}, "unknown fields"),
    ],
)
def test_bad_edits_are_refused(entry, message):
    cats = default_categories()
    base = {
        "code": "C0101", "parent": "C01", "kind": "component", "name_zh": "上水井盖",
        "name_en": "Water supply manhole cover",
        "deadline": {"amount": 4, "unit": "working_hours"}, "handler_kind": "water_supply",
    }  # fmt: skip
    with pytest.raises(InvalidCategory, match=message):
        cats.with_category({**base, **entry})


def test_a_leaf_without_a_deadline_anywhere_is_refused():
    cats = default_categories()
    with pytest.raises(InvalidCategory, match="needs a deadline"):
        cats.with_category(
            {"code": "C0127", "parent": "C01", "kind": "component", "name_zh": "充电桩",
             "name_en": "EV charger", "handler_kind": "power"}
        )  # fmt: skip


def test_removing_a_class_with_subcategories_is_refused_and_a_leaf_can_go():
    cats = default_categories()
    with pytest.raises(InvalidCategory, match="does not exist"):
        cats.without_category("C01")
    assert "C0126" not in cats.without_category("C0126")


def test_duplicate_codes_and_unknown_categories_are_refused():
    with pytest.raises(InvalidCategory, match="duplicate"):
        read_categories(
            '{"handler_kinds": {}, "categories": ['
            '{"code": "E01", "kind": "event", "name_zh": "a", "name_en": "a"},'
            '{"code": "E01", "kind": "event", "name_zh": "b", "name_en": "b"}]}'
        )
    with pytest.raises(InvalidCategory, match="unknown category"):
        default_categories().get("C9999")
    with pytest.raises(InvalidCategory, match="not valid JSON"):
        read_categories("{")


def test_handler_kinds_name_a_department_kind_of_the_city_model():
    with pytest.raises(InvalidCategory, match="org_kind"):
        read_categories(
            '{"handler_kinds": {"x": {"name_zh": "x", "name_en": "x", "org_kind": "guild"}},'
            ' "categories": []}'
        )
