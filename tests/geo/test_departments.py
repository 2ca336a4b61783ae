"""Departments and their areas: audited CRUD, validation, and who answers for a place."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.geo import service
from smartcity.security.models import AuditEntry


def _create(platform, session, admin, code="SHLRB", **extra):
    return service.create_department(
        session,
        platform.clock,
        admin,
        code=code,
        name_zh="市绿化和市容管理局",
        name_en="Landscaping & City Appearance Bureau",
        kind="bureau",
        **extra,
    )


def _audit(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_department_is_created_updated_and_deleted_with_audit(platform, session, admin):
    _create(platform, session, admin, phone="12345")
    updated = service.update_department(
        session, platform.clock, admin, code="SHLRB", name_en="Greening Bureau", phone=None
    )
    assert (updated.name_en, updated.phone) == ("Greening Bureau", None)
    (entry,) = _audit(session, "department.update")
    assert entry.before["phone"] == "12345" and entry.after["phone"] is None
    service.delete_department(session, platform.clock, admin, code="SHLRB")
    assert service.find_department(session, admin, code="SHLRB") is None
    assert [e.entity_id for e in _audit(session, "department.delete")] == ["SHLRB"]
    assert len(_audit(session, "department.create")) == 1


def test_codes_are_unique_per_tenant_and_input_is_checked(
    platform, session, admin, other_tenant_admin
):
    _create(platform, session, admin)
    with pytest.raises(Conflict):
        _create(platform, session, admin)
    _create(platform, session, other_tenant_admin)  # the same code in another city is fine
    with pytest.raises(ValidationFailed) as caught:
        _create(platform, session, admin, code="has space")
    assert caught.value.field == "code"
    with pytest.raises(ValidationFailed) as caught:
        service.update_department(session, platform.clock, admin, code="SHLRB", kind="army")
    assert caught.value.field == "kind"
    with pytest.raises(ValidationFailed) as caught:
        service.update_department(session, platform.clock, admin, code="SHLRB", name_zh="a\x00")
    assert caught.value.field == "name_zh"


def test_areas_are_replaced_checked_and_audited(platform, session, admin, loaded_city):
    _create(platform, session, admin)
    cell = loaded_city.cells[0].code
    areas = service.set_department_areas(
        session,
        platform.clock,
        admin,
        code="SHLRB",
        areas=[
            {"level": "district", "code": "310101"},
            {"code": cell, "category": "市容环境"},
            {"code": cell, "category": "市容环境"},
        ],
    )
    assert [(a.level, a.area_code, a.category) for a in areas] == [
        ("district", "310101", None),
        ("cell", cell, "市容环境"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        service.set_department_areas(
            session,
            platform.clock,
            admin,
            code="SHLRB",
            areas=[{"code": "310101"}, {"code": "310199"}],
        )
    assert caught.value.field == "areas[1].code"
    with pytest.raises(ValidationFailed):
        service.set_department_areas(
            session,
            platform.clock,
            admin,
            code="SHLRB",
            areas=[{"level": "street", "code": "310101"}],
        )
    (entry,) = _audit(session, "department.set_areas")
    assert entry.before["areas"] == []
    assert len(entry.after["areas"]) == 2


def test_the_most_local_responsible_department_comes_first(platform, session, admin, loaded_city):
    _create(platform, session, admin)
    cell = next(c.code for c in loaded_city.cells if c.code.startswith("310101"))
    service.set_department_areas(
        session,
        platform.clock,
        admin,
        code="SHLRB",
        areas=[{"code": "310101", "category": "市容环境"}],
    )
    office = f"office-{cell[:9]}"  # the demo city's street office answers for everything there
    found = service.responsible_departments(session, admin, area_code=cell, category="市容环境")
    assert [d.code for d in found] == [office, "SHLRB"]
    found = service.responsible_departments(session, admin, area_code=cell)
    assert [d.code for d in found] == [office]
    service.update_department(session, platform.clock, admin, code=office, active=False)
    found = service.responsible_departments(session, admin, area_code=cell, category="市容环境")
    assert [d.code for d in found] == ["SHLRB"]


def test_another_tenant_cannot_reach_the_departments(platform, session, admin, other_tenant_admin):
    _create(platform, session, admin)
    with pytest.raises(NotFound):
        service.get_department(session, other_tenant_admin, code="SHLRB")
    with pytest.raises(NotFound):
        service.delete_department(session, platform.clock, other_tenant_admin, code="SHLRB")
    assert service.list_departments(session, other_tenant_admin) == ([], 0)
