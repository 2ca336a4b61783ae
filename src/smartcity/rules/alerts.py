"""The rules of alerts: raised once per rule and device while active (a repeated firing counts
and keeps its evidence), acknowledged and resolved by people or resolved by the rule clearing,
each change of status an alert event (the live stream), an Alert entity (NGSI-LD) and an audit
entry.

The lifecycle is the table `TRANSITIONS`: (status, action) → next status; anything else is 409.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.platform import Platform
from smartcity.rules.index import CompiledRule
from smartcity.rules.models import Alert, AlertEvent
from smartcity.rules.publish import publish_alerts
from smartcity.security import audit
from smartcity.security.principal import Principal
from smartcity.sensing.models import Device

MAX_EVIDENCE = 20
CASE_PENDING = "pending"  # the rules job opens its case after commit (rules/cases.py)
MAX_PAGE = 1000
ACTIVE = ("raised", "acknowledged")
TRANSITIONS: dict[tuple[str, str], str] = {
    ("raised", "acknowledge"): "acknowledged",
    ("raised", "resolve"): "resolved",
    ("acknowledged", "resolve"): "resolved",
}


def rules_principal(tenant_id: int) -> Principal:
    """Who the audit log names for what the rules do by themselves."""
    return Principal(tenant_id=tenant_id, kind="cli", name="rules")


@dataclass(slots=True)
class Firing:
    """A rule firing (or clearing, `fire=False`) for one device, with the readings behind it."""

    rule: CompiledRule
    device: Device
    fire: bool
    value: float | None
    at: datetime
    evidence: list[dict[str, Any]] = field(default_factory=list)
    method: str | None = None


def active_key(rule_id: int, device_pk: int) -> str:
    return f"{rule_id}:{device_pk}"


def alert_view(alert: Alert) -> dict[str, Any]:
    return {
        "rule_id": alert.rule_id,
        "device_id": alert.device_id,
        "status": alert.status,
        "severity": alert.severity,
        "count": alert.count,
        "last_value": alert.last_value,
        "case_id": alert.case_id,
    }


def _event(session: Session, alert: Alert, event: str, at: datetime) -> None:
    session.add(AlertEvent(tenant_id=alert.tenant_id, alert_id=alert.id, event=event, at=at))


def _new_alert(firing: Firing, now: datetime) -> Alert:
    rule, device = firing.rule, firing.device
    return Alert(
        tenant_id=device.tenant_id,
        rule_id=rule.id,
        device_pk=device.id,
        active_key=active_key(rule.id, device.id),
        device_id=device.device_id,
        entity_id=device.entity_id,
        attribute=rule.attribute,
        kind=rule.kind,
        method=firing.method,
        severity=rule.severity,
        status="raised",
        name_zh=rule.name_zh,
        name_en=rule.name_en,
        district_code=device.district_code,
        street_code=device.street_code,
        cell_code=device.cell_code,
        lon=device.lon,
        lat=device.lat,
        count=1,
        last_value=firing.value,
        evidence=firing.evidence[-MAX_EVIDENCE:],
        case_category=rule.case_category,
        case_status=CASE_PENDING if rule.case_category else None,
        raised_at=firing.at,
        last_fired_at=firing.at,
        updated_at=now,
    )


def _insert(session: Session, alert: Alert) -> bool:
    """Insert a new active alert; False when another writer raised the same one first."""
    try:
        with session.begin_nested():
            session.add(alert)
            session.flush()
    except IntegrityError:
        return False
    return True


def _fired_again(alert: Alert, firing: Firing, now: datetime) -> None:
    alert.count += 1
    alert.last_value = firing.value
    alert.last_fired_at = max(alert.last_fired_at, firing.at)
    alert.evidence = [*alert.evidence, *firing.evidence][-MAX_EVIDENCE:]
    alert.updated_at = now


def _close(alert: Alert, by: str, resolution: str, now: datetime) -> None:
    alert.status = "resolved"
    alert.active_key = None
    alert.resolved_at = now
    alert.resolved_by = by
    alert.resolution = resolution
    alert.updated_at = now


def _active(session: Session, keys: list[str]) -> dict[str, Alert]:
    if not keys:
        return {}
    rows = session.scalars(select(Alert).where(Alert.active_key.in_(keys)))
    return {a.active_key: a for a in rows if a.active_key is not None}


Change = tuple[Alert, str, Firing]


def _apply(
    session: Session, firings: Sequence[Firing], now: datetime, *, careful: bool
) -> list[Change]:
    """The alerts' changes in memory; new alerts are inserted together, or (`careful`) one at a
    time, each in a savepoint, counting into the alert another writer raised first."""
    keys = [active_key(f.rule.id, f.device.id) for f in firings]
    active = _active(session, keys)
    changed: list[Change] = []
    for firing, key in zip(firings, keys, strict=True):
        alert = active.get(key)
        if firing.fire and alert is None:
            alert = _new_alert(firing, now)
            if not careful or _insert(session, alert):
                session.add(alert)
                active[key] = alert
                changed.append((alert, "raised", firing))
                continue
            alert = _active(session, [key])[key]
        if alert is None:
            continue
        if firing.fire:
            _fired_again(alert, firing, now)
            changed.append((alert, "fired", firing))
        elif firing.rule.auto_resolve:
            _close(alert, "rules", "auto", now)
            del active[key]
            changed.append((alert, "resolved", firing))
    session.flush()
    return changed


def apply_firings(
    session: Session, platform: Platform, firings: Sequence[Firing], now: datetime
) -> list[Alert]:
    """Raise, count or auto-resolve alerts for `firings` (in the caller's transaction); the
    alerts changed."""
    try:
        with session.begin_nested():
            changed = _apply(session, firings, now, careful=False)
    except IntegrityError:  # another writer raised one of them first: again, one at a time
        changed = _apply(session, firings, now, careful=True)
    # A repeated firing only counts (see the alert's count, last value and evidence): the
    # stream, the Alert entity and the audit log hear of raising and resolving.
    moved = [(a, e, f) for a, e, f in changed if e != "fired"]
    for alert, event, _firing in moved:
        _event(session, alert, event, now)
        principal = rules_principal(alert.tenant_id)
        action = "alert.raise" if event == "raised" else "alert.auto_resolve"
        _audit(session, platform, principal, alert, action)
    latest = {a.id: (a, f.device.device_type) for a, _, f in moved}
    publish_alerts(session, platform, list(latest.values()))
    return [a for a, _ in latest.values()]


def _audit(
    session: Session,
    platform: Platform,
    principal: Principal,
    alert: Alert,
    action: str,
    before: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        platform.clock,
        principal,
        action=action,
        entity_type="alert",
        entity_id=alert.id,
        before=before,
        after=alert_view(alert),
    )


# -- people and the lifecycle -----------------------------------------------------------------


def get_alert(session: Session, tenant_id: int, alert_id: int) -> Alert:
    alert = session.scalar(select(Alert).where(Alert.tenant_id == tenant_id, Alert.id == alert_id))
    if alert is None:
        raise NotFound(f"no alert {alert_id} in this city")
    return alert


def _device_type(session: Session, alert: Alert) -> str:
    if alert.device_pk is not None:
        found = session.scalar(select(Device.device_type).where(Device.id == alert.device_pk))
        if found is not None:
            return found
    return ""


def change_status(
    session: Session, platform: Platform, principal: Principal, alert_id: int, action: str
) -> Alert:
    """Acknowledge or resolve an alert (committed here); 409 when its status does not allow it."""
    alert = get_alert(session, principal.tenant_id, alert_id)
    target = TRANSITIONS.get((alert.status, action))
    if target is None:
        raise Conflict(f"a {alert.status} alert cannot be {action}d", field="status")
    before = alert_view(alert)
    now = platform.clock.now()
    if target == "acknowledged":
        alert.status = "acknowledged"
        alert.acknowledged_at = now
        alert.acknowledged_by = principal.name
        alert.updated_at = now
    else:
        _close(alert, principal.name, "manual", now)
    session.flush()
    _event(session, alert, target, now)
    _audit(session, platform, principal, alert, f"alert.{action}", before)
    publish_alerts(session, platform, [(alert, _device_type(session, alert))])
    session.commit()
    return alert


@dataclass(frozen=True)
class AlertFilters:
    status: str | None = None
    severity: str | None = None
    rule_id: int | None = None
    device_id: str | None = None
    area: str | None = None  # a district, street or cell code
    since: datetime | None = None


AREA_COLUMNS = {6: Alert.district_code, 9: Alert.street_code, 15: Alert.cell_code}


def _conditions(tenant_id: int, filters: AlertFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Alert.tenant_id == tenant_id]
    if filters.status == "active":
        conditions.append(Alert.status.in_(ACTIVE))
    elif filters.status is not None:
        conditions.append(Alert.status == filters.status)
    if filters.severity is not None:
        conditions.append(Alert.severity == filters.severity)
    if filters.rule_id is not None:
        conditions.append(Alert.rule_id == filters.rule_id)
    if filters.device_id is not None:
        conditions.append(Alert.device_id == filters.device_id)
    if filters.area is not None:
        column = AREA_COLUMNS.get(len(filters.area))
        if column is None or not filters.area.isdigit():
            raise ValidationFailed("area must be a district, street or cell code", field="area")
        conditions.append(column == filters.area)
    if filters.since is not None:
        conditions.append(Alert.last_fired_at >= filters.since)
    return conditions


def list_alerts(
    session: Session,
    tenant_id: int,
    filters: AlertFilters,
    *,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """A page of the tenant's alerts, newest first, and how many match in all."""
    if not 0 < limit <= MAX_PAGE or offset < 0:
        raise ValidationFailed("limit or offset is out of range", field="limit")
    conditions = _conditions(tenant_id, filters)
    total = session.scalar(select(func.count()).select_from(Alert).where(*conditions)) or 0
    rows = session.scalars(
        select(Alert)
        .where(*conditions)
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def events_after(
    session: Session, tenant_id: int, after_id: int, limit: int = 100
) -> list[tuple[AlertEvent, Alert]]:
    """Alert events of the tenant after `after_id`, oldest first, with their alerts."""
    rows = session.execute(
        select(AlertEvent, Alert)
        .join(Alert, Alert.id == AlertEvent.alert_id)
        .where(AlertEvent.tenant_id == tenant_id, AlertEvent.id > after_id)
        .order_by(AlertEvent.id)
        .limit(limit)
    )
    return [(event, alert) for event, alert in rows]


def last_event_id(session: Session, tenant_id: int) -> int:
    found = session.scalar(select(func.max(AlertEvent.id)).where(AlertEvent.tenant_id == tenant_id))
    return found or 0
