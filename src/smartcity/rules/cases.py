"""Alerts open cases and closed cases resolve their alerts: the rules part's link to cases.

When: raising an alert whose rule has a case category only marks it `case_status="pending"`,
a column of the row ingestion inserts anyway, so readings never wait on the case system and a
case that cannot be opened never rolls a batch back. After commit the rules job calls
`open_pending_cases`, which opens each case through the case service in its own transaction.
The idempotency key `alert:<id>` makes a pass that died between opening a case and marking its
alert, a retried batch, or two processes working at once all end with one case per alert. An
unknown or retired category, or a point outside the city, marks the alert `failed` with the
reason in `case_note`; a database that is away leaves it pending for the next pass.

Back: the case service calls `resolve_alert_of_case` (registered below through `cases.hooks`)
when a case is closed (结案), inside the closing transaction; cases never import rules.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.cases import hooks
from smartcity.cases import service as cases
from smartcity.cases.models import Case
from smartcity.cases.states import CaseSource
from smartcity.core.errors import SmartCityError
from smartcity.platform import Platform
from smartcity.rules.alerts import (
    ACTIVE,
    CASE_PENDING,
    _audit,
    _close,
    _device_type,
    _event,
    rules_principal,
)
from smartcity.rules.models import Alert, Rule
from smartcity.rules.publish import publish_alerts

log = logging.getLogger(__name__)
CASE_OPENED = "opened"
CASE_FAILED = "failed"
BATCH = 200  # alerts per pass; the rest wait for the next one
BEIJING = ZoneInfo("Asia/Shanghai")
# An alert's severity → the case's priority.
PRIORITIES: dict[str, str] = {
    "informational": "low",
    "low": "low",
    "medium": "normal",
    "high": "high",
    "critical": "urgent",
}


def idempotency_key(alert_id: int) -> str:
    return f"alert:{alert_id}"


def _limit(rule: Rule | None) -> tuple[float | None, str, str]:
    """The rule's limit and what it measures, in Chinese and English."""
    params: dict[str, Any] = rule.params if rule is not None else {}
    if rule is not None and rule.kind == "silence":
        return params.get("minutes"), "分钟无读数", " minutes without a reading"
    if rule is not None and rule.kind == "anomaly":
        return params.get("raise_at"), "（|z| 异常分数）", " (|z| anomaly score)"
    return params.get("raise_at"), "", ""


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def describe_case(alert: Alert, rule: Rule | None) -> str:
    """The case's description, in Chinese then English: rule, device, value, limit and time."""
    limit, unit_zh, unit_en = _limit(rule)
    at = alert.raised_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    what = alert.attribute or "—"
    zh = (
        f"{alert.name_zh}：设备 {alert.device_id} 的 {what} 测得 {_figure(alert.last_value)}，"
        f"限值 {_figure(limit)}{unit_zh}，时间 {at}（北京时间）。"
    )
    en = (
        f"{alert.name_en}: device {alert.device_id} measured {what} = "
        f"{_figure(alert.last_value)} against a limit of {_figure(limit)}{unit_en}, "
        f"at {at} (Beijing time)."
    )
    return f"{zh}\n{en}"


def case_report(alert: Alert, rule: Rule | None) -> cases.CaseReport:
    """What the alert reports as a sensor case at the device's point."""
    return cases.CaseReport(
        category=alert.case_category or "",
        lon=alert.lon,
        lat=alert.lat,
        address=f"设备 device {alert.device_id}",
        description=describe_case(alert, rule),
        source=CaseSource.SENSOR,
        priority=PRIORITIES.get(alert.severity, "normal"),
        idempotency_key=idempotency_key(alert.id),
        alert_id=alert.id,
    )


def open_case(session: Session, platform: Platform, alert_id: int) -> str | None:
    """Open the case of one pending alert (committed); its public id, or None when the alert
    is not pending or the case service refused it (the reason then on the alert)."""
    alert = session.get(Alert, alert_id)
    if alert is None or alert.case_status != CASE_PENDING:
        return None
    rule = session.get(Rule, alert.rule_id) if alert.rule_id is not None else None
    spec = case_report(alert, rule)
    try:
        reported = cases.report_case(session, platform, rules_principal(alert.tenant_id), spec)
    except SmartCityError as exc:  # an unknown category, a point outside the city …
        session.rollback()
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.case_status = CASE_FAILED
        alert.case_note = f"{exc.code}: {exc.message}"[:300]
        session.commit()
        return None
    public_id = reported.case.public_id
    alert = session.get(Alert, alert_id)
    assert alert is not None
    alert.case_id, alert.case_status, alert.case_note = public_id, CASE_OPENED, None
    session.commit()
    return public_id


def open_pending_cases(platform: Platform, *, limit: int = BATCH) -> int:
    """One pass of the outbox: open the cases of up to `limit` pending alerts, oldest first;
    how many were opened. An alert that fails for another reason stays pending."""
    with platform.db.session() as session:
        pending = session.scalars(
            select(Alert.id)
            .where(Alert.case_status == CASE_PENDING)
            .order_by(Alert.id)
            .limit(limit)
        ).all()
    opened = 0
    for alert_id in pending:
        try:
            with platform.serialized_writes(), platform.db.session() as session:
                opened += open_case(session, platform, alert_id) is not None
        except Exception:  # one alert must not hold up the others; it is tried again next pass
            log.exception("opening the case of alert %s failed", alert_id)
    return opened


@hooks.on_case_closed
def resolve_alert_of_case(session: Session, platform: Platform, case: Case, now: datetime) -> None:
    """A closed case resolves the alert that opened it, if still active (not committed)."""
    if case.alert_id is None:
        return
    alert = session.scalar(
        select(Alert).where(Alert.tenant_id == case.tenant_id, Alert.id == case.alert_id)
    )
    if alert is None or alert.status not in ACTIVE:
        return
    before = {"status": alert.status, "case_id": alert.case_id}
    _close(alert, f"case:{case.public_id}", "case", now)
    session.flush()
    _event(session, alert, "resolved", now)
    _audit(session, platform, rules_principal(alert.tenant_id), alert, "alert.case_close", before)
    publish_alerts(session, platform, [(alert, _device_type(session, alert))])
