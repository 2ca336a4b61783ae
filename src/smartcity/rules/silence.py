"""Silence rules, judged on a timer rather than on readings: a device that has sent nothing for
the rule's minutes becomes `silent` in the registry (and its Device entity says so) and gets an
alert. Nothing is kept in memory: each pass compares last-seen times with the clock, so a pass
after a restart finds exactly what the one before it would have."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from smartcity.platform import Platform
from smartcity.rules.alerts import Firing, _active, active_key, apply_firings
from smartcity.rules.index import AREA_COLUMNS, CompiledRule, rule_index
from smartcity.rules.models import Rule
from smartcity.rules.publish import publish_devices
from smartcity.sensing.device_types import DEVICE_TYPES
from smartcity.sensing.models import Device


def covers(rule: CompiledRule, device: Device) -> bool:
    """Whether the rule's area holds the device."""
    level, code = rule.area
    if level == "city":
        return True
    return getattr(device, dict(AREA_COLUMNS)[level]) == code


def _watched(rule: CompiledRule) -> ColumnElement[bool]:
    if rule.device_type is not None:
        return Device.device_type == rule.device_type
    kinds = [k.value for k, t in DEVICE_TYPES.items() if t.sdm_type == rule.entity_type]
    return Device.device_type.in_(kinds)


def _quiet_devices(
    session: Session, tenant_id: int, rule: CompiledRule, now: datetime
) -> list[Device]:
    """Devices the rule watches that have been quiet longer than its minutes."""
    since = now - timedelta(minutes=rule.params["minutes"])
    conditions = [
        Device.tenant_id == tenant_id,
        Device.status.in_(("active", "silent")),
        _watched(rule),
        or_(
            Device.last_seen_at < since,
            and_(Device.last_seen_at.is_(None), Device.created_at < since),
        ),
    ]
    level, code = rule.area
    if level != "city":
        conditions.append(getattr(Device, dict(AREA_COLUMNS)[level]) == code)
    return list(session.scalars(select(Device).where(*conditions).order_by(Device.id)))


def _firing(rule: CompiledRule, device: Device, now: datetime) -> Firing:
    seen = device.last_seen_at
    evidence = {
        "attribute": None,
        "value": None,
        "observed_at": seen.isoformat().replace("+00:00", "Z") if seen else None,
        "silent_minutes": rule.params["minutes"],
    }
    return Firing(rule, device, True, None, now, [evidence])


def check_tenant(session: Session, platform: Platform, tenant_id: int, now: datetime) -> int:
    """One pass over one tenant's silence rules (not committed); alerts raised."""
    index = rule_index(session, platform.db, tenant_id)
    firings: list[Firing] = []
    for rule in index.silence:
        quiet = _quiet_devices(session, tenant_id, rule, now)
        known = _active(session, [active_key(rule.id, d.id) for d in quiet])
        firings.extend(
            _firing(rule, d, now) for d in quiet if active_key(rule.id, d.id) not in known
        )
    if not firings:
        return 0
    newly = {f.device.id: f.device for f in firings if f.device.status == "active"}
    if newly:
        session.execute(
            update(Device)
            .where(Device.id.in_(list(newly)), Device.status == "active")
            .values(status="silent", updated_at=now)
            .execution_options(synchronize_session=False)
        )
        for device in newly.values():
            device.status, device.updated_at = "silent", now
        publish_devices(session, platform, list(newly.values()))
    apply_firings(session, platform, firings, now)
    return len(firings)


def check_silence(platform: Platform, now: datetime | None = None) -> int:
    """One pass over every tenant with enabled silence rules (committed); alerts raised."""
    now = now or platform.clock.now()
    raised = 0
    with platform.db.session() as session:
        tenants = session.scalars(
            select(Rule.tenant_id).where(Rule.kind == "silence", Rule.enabled.is_(True)).distinct()
        ).all()
    for tenant_id in tenants:
        with platform.serialized_writes(), platform.db.session() as session:
            raised += check_tenant(session, platform, tenant_id, now)
    return raised
