"""Test data for the alert and case pages: an alert as the rules part stores one, and a case
reported through the case service."""

from __future__ import annotations

from smartcity.cases import service as cases
from smartcity.platform import Platform
from smartcity.rules.models import Alert, AlertEvent
from smartcity.security import service as security
from smartcity.security.principal import Principal
from smartcity.security.roles import Role, permissions_of
from smartcity.sensing import service as sensing

CATEGORY = "C0101"  # 上水井盖: a component of the default catalogue


def raise_alert(platform: Platform, device_id: str = "AQ-01", severity: str = "high") -> int:
    """An active alert on a demo device, with its `raised` event (as `apply_firings` writes)."""
    now = platform.clock.now()
    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        device = sensing.get_device(session, tenant.id, device_id)
        alert = Alert(
            tenant_id=tenant.id,
            rule_id=None,
            device_pk=device.id,
            active_key=f"test:{device.id}:{severity}",
            device_id=device.device_id,
            entity_id=device.entity_id,
            attribute="pm25",
            kind="threshold",
            severity=severity,
            status="raised",
            name_zh="PM2.5 超标",
            name_en="PM2.5 above the limit",
            district_code=device.district_code,
            street_code=device.street_code,
            cell_code=device.cell_code,
            lon=device.lon,
            lat=device.lat,
            count=1,
            last_value=88.0,
            evidence=[],
            raised_at=now,
            last_fired_at=now,
            updated_at=now,
        )
        session.add(alert)
        session.flush()
        session.add(AlertEvent(tenant_id=tenant.id, alert_id=alert.id, event="raised", at=now))
        session.commit()
        return alert.id


def alert_status(platform: Platform, alert_id: int) -> str:
    with platform.db.session() as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert.status


def report_case(platform: Platform, lon: float, lat: float) -> str:
    """A citizen's report through the case service; its public id."""
    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        citizen = Principal(
            tenant.id, "portal", "test", permissions_of(Role.CITIZEN), role=Role.CITIZEN
        )
        spec = cases.CaseReport(category=CATEGORY, lon=lon, lat=lat, description="井盖缺失")
        return cases.report_case(session, platform, citizen, spec).case.public_id


def case_status(platform: Platform, public_id: str) -> str:
    from sqlalchemy import select

    from smartcity.cases.models import Case

    with platform.db.session() as session:
        status = session.scalar(select(Case.status).where(Case.public_id == public_id))
        assert status is not None
        return status


def device_point(platform: Platform, device_id: str = "AQ-01") -> tuple[float, float]:
    """A point inside the demo city: where a demo device stands."""
    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        device = sensing.get_device(session, tenant.id, device_id)
        return device.lon, device.lat


def active_alerts(platform: Platform) -> int:
    from smartcity.rules import alerts

    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        filters = alerts.AlertFilters(status="active")
        return alerts.list_alerts(session, tenant.id, filters, limit=1)[1]
