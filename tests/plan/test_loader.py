"""Installing the seed: the whole programme once per tenant, again without changing anything."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity.plan import service
from smartcity.plan.loader import install_seed
from smartcity.plan.models import PlanIndicator, PlanObservation, PlanProject
from smartcity.security.models import AuditEntry


def _count(platform, model, tenant_id):
    with platform.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant_id))


def test_installing_the_seed_creates_the_whole_programme_and_audits_it(platform, admin, tenant_id):
    with platform.db.session() as session:
        report = install_seed(session, platform, admin)
    assert report.created == {
        "pillars": 8,
        "projects": 50,
        "milestones": 5,
        "safeguards": 7,
        "indicators": 25,
        "observations": 2,
    }
    with platform.db.session() as session:
        tree = service.programme(session, tenant_id)
        assert [len(tree.projects[p.id]) for p in tree.pillars] == [8, 5, 5, 5, 5, 6, 8, 8]
        assert len(tree.safeguards) == 7
        fibre = service.get_indicator(session, tenant_id, "household-fibre-take-up")
        assert (fibre.baseline_year, fibre.baseline_value) == (2013, 42)
        assert (fibre.target_year, fibre.target_value, fibre.target_comparator) == (
            2016,
            60,
            "equal",
        )
        wifi = service.get_indicator(session, tenant_id, "public-wifi-access-points")
        assert (wifi.target_value, wifi.target_comparator) == (200_000, "over")
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "plan.install_seed")
        ).all()
        assert len(entries) == 1 and entries[0].after["created"]["projects"] == 50


def test_installing_again_changes_nothing_and_keeps_staff_edits(platform, admin, tenant_id):
    with platform.db.session() as session:
        install_seed(session, platform, admin)
        service.update_project(
            session, platform, admin, code="viable-1", changes={"status": "on_track"}
        )
    with platform.db.session() as session:
        again = install_seed(session, platform, admin)
    assert not again.changed
    assert _count(platform, PlanProject, tenant_id) == 50
    assert _count(platform, PlanIndicator, tenant_id) == 25
    assert _count(platform, PlanObservation, tenant_id) == 2
    with platform.db.session() as session:
        assert service.get_project(session, tenant_id, "viable-1").status == "on_track"
        audits = session.scalar(
            select(func.count()).where(AuditEntry.action == "plan.install_seed")
        )
    assert audits == 1


def test_each_tenant_gets_its_own_programme(platform, admin, other_tenant_admin):
    with platform.db.session() as session:
        install_seed(session, platform, admin)
    with platform.db.session() as session:
        report = install_seed(session, platform, other_tenant_admin)
    assert report.created["projects"] == 50
    assert _count(platform, PlanProject, other_tenant_admin.tenant_id) == 50
