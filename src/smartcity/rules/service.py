"""The rules of rules: create, change, list and remove them, each change checked, audited and
announced to every evaluator by bumping the tenant's rules revision."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.orm import Session

from smartcity.core.errors import NotFound, ValidationFailed
from smartcity.geo import service as geo
from smartcity.platform import Platform
from smartcity.rules.alerts import ACTIVE, CASE_PENDING
from smartcity.rules.models import Alert, Rule, RuleRevision, RuleState
from smartcity.rules.params import check_params
from smartcity.security import audit
from smartcity.security.principal import Principal
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind
from smartcity.sensing.ingest import sdm

MAX_PAGE = 1000
CODE_LENGTHS = {"district": 6, "street": 9, "community": 12, "cell": 15}
FIELDS = (
    "name_zh",
    "name_en",
    "kind",
    "device_type",
    "entity_type",
    "attribute",
    "area_level",
    "area_code",
    "params",
    "severity",
    "enabled",
    "auto_resolve",
    "case_category",
    "source",
)


def rule_view(rule: Rule) -> dict[str, Any]:
    """What the audit log keeps of a rule."""
    return {name: getattr(rule, name) for name in FIELDS}


def bump_revision(session: Session, tenant_id: int) -> None:
    """Tell every evaluator (in any process) that the tenant's rules changed."""
    moved = session.execute(
        update(RuleRevision)
        .where(RuleRevision.tenant_id == tenant_id)
        .values(revision=RuleRevision.revision + 1)
    )
    if moved.rowcount == 0:  # type: ignore[attr-defined]
        session.add(RuleRevision(tenant_id=tenant_id, revision=1))
        session.flush()


def _kinds_of(device_type: str | None, entity_type: str | None) -> list[DeviceKind]:
    if (device_type is None) == (entity_type is None):
        raise ValidationFailed("name either device_type or entity_type", field="device_type")
    if device_type is not None:
        return [DeviceKind(device_type)]
    kinds = [k for k, t in DEVICE_TYPES.items() if t.sdm_type == entity_type]
    if not kinds:
        known = sorted({t.sdm_type for t in DEVICE_TYPES.values()})
        raise ValidationFailed(
            f"no device feeds entities of type {entity_type}; known: {', '.join(known)}",
            field="entity_type",
        )
    return kinds


def _bounds(specs: list[sdm.AttributeSpec]) -> tuple[float | None, float | None]:
    """The range the attribute's schema allows (when every model declaring it bounds it)."""
    lows = [s.schema.get("minimum", s.schema.get("exclusiveMinimum")) for s in specs]
    highs = [s.schema.get("maximum", s.schema.get("exclusiveMaximum")) for s in specs]
    low = min(lows) if lows and None not in lows else None
    high = max(highs) if highs and None not in highs else None
    return low, high


def _attribute(
    kind: str, kinds: list[DeviceKind], attribute: str | None
) -> list[sdm.AttributeSpec]:
    if kind == "silence":
        if attribute is not None:
            raise ValidationFailed(
                "a silence rule watches devices, not an attribute", field="attribute"
            )
        return []
    if attribute is None:
        raise ValidationFailed(f"a {kind} rule needs an attribute", field="attribute")
    specs = [s for k in kinds if (s := sdm.kind_attributes(k).get(attribute)) is not None]
    if not specs:
        raise ValidationFailed(
            f"{attribute} is not an attribute of what this rule watches", field="attribute"
        )
    if any(s.schema.get("type") in ("string", "boolean", "object", "array") for s in specs):
        raise ValidationFailed(
            f"{attribute} is not a number: rules judge numeric attributes", field="attribute"
        )
    return specs


def _area(session: Session, tenant_id: int, level: str, code: str | None) -> None:
    if level == "city":
        if code is not None:
            raise ValidationFailed("a city-wide rule takes no area_code", field="area_code")
        return
    if code is None or len(code) != CODE_LENGTHS[level]:
        raise ValidationFailed(
            f"area_code must be a {CODE_LENGTHS[level]}-digit {level} code", field="area_code"
        )
    try:
        geo.get_area(session, tenant_id, level=level, code=code)  # type: ignore[arg-type]
    except NotFound as exc:
        raise ValidationFailed(exc.message, field="area_code") from None


def _check(session: Session, tenant_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """The rule's values, checked as a whole; params in their stored form."""
    kinds = _kinds_of(values.get("device_type"), values.get("entity_type"))
    specs = _attribute(values["kind"], kinds, values.get("attribute"))
    _area(session, tenant_id, values.get("area_level", "city"), values.get("area_code"))
    params = values.get("params")
    if not isinstance(params, dict):
        raise ValidationFailed("params must be an object", field="params")
    values["params"] = check_params(values["kind"], params, _bounds(specs))
    return values


def create_rule(
    session: Session, platform: Platform, principal: Principal, values: dict[str, Any]
) -> Rule:
    """Check, store, audit and announce a rule (committed here)."""
    values = _check(session, principal.tenant_id, dict(values))
    now = platform.clock.now()
    rule = Rule(tenant_id=principal.tenant_id, created_at=now, updated_at=now, **values)
    session.add(rule)
    session.flush()
    bump_revision(session, principal.tenant_id)
    audit.record(
        session,
        platform.clock,
        principal,
        action="rule.create",
        entity_type="rule",
        entity_id=rule.id,
        after=rule_view(rule),
    )
    session.commit()
    return rule


def get_rule(session: Session, tenant_id: int, rule_id: int) -> Rule:
    rule = session.scalar(select(Rule).where(Rule.tenant_id == tenant_id, Rule.id == rule_id))
    if rule is None:
        raise NotFound(f"no rule {rule_id} in this city")
    return rule


def update_rule(
    session: Session,
    platform: Platform,
    principal: Principal,
    rule_id: int,
    changes: dict[str, Any],
) -> Rule:
    rule = get_rule(session, principal.tenant_id, rule_id)
    before = rule_view(rule)
    values = {**before, **changes}
    if "device_type" in changes and "entity_type" not in changes:
        values["entity_type"] = None  # naming one target replaces the other
    if "entity_type" in changes and "device_type" not in changes:
        values["device_type"] = None
    if changes.get("area_level") == "city" and "area_code" not in changes:
        values["area_code"] = None
    values = _check(session, principal.tenant_id, values)
    if values["params"] != before["params"] or values["kind"] != before["kind"]:
        # what it remembered was learned under other params: start again
        session.execute(delete(RuleState).where(RuleState.rule_id == rule.id))
    if values["case_category"] != before["case_category"]:
        _recategorise_standing_alerts(session, rule.id, values["case_category"])
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_at = platform.clock.now()
    bump_revision(session, principal.tenant_id)
    audit.record(
        session,
        platform.clock,
        principal,
        action="rule.update",
        entity_type="rule",
        entity_id=rule.id,
        before=before,
        after=rule_view(rule),
    )
    session.commit()
    return rule


def _recategorise_standing_alerts(session: Session, rule_id: int, category: str | None) -> None:
    """The rule's active alerts without a case (refused, pending or never asked) take its new
    category; the rules job then opens their cases (rules/cases.py)."""
    session.execute(
        update(Alert)
        .where(Alert.rule_id == rule_id, Alert.status.in_(ACTIVE), Alert.case_id.is_(None))
        .values(
            case_category=category,
            case_status=CASE_PENDING if category else None,
            case_note=None,
        )
        .execution_options(synchronize_session=False)
    )


def delete_rule(session: Session, platform: Platform, principal: Principal, rule_id: int) -> None:
    """Remove a rule; its alerts stay (without their rule), its states go with it."""
    rule = get_rule(session, principal.tenant_id, rule_id)
    before = rule_view(rule)
    session.delete(rule)
    bump_revision(session, principal.tenant_id)
    audit.record(
        session,
        platform.clock,
        principal,
        action="rule.delete",
        entity_type="rule",
        entity_id=rule_id,
        before=before,
    )
    session.commit()


def list_rules(
    session: Session,
    tenant_id: int,
    *,
    kind: str | None = None,
    attribute: str | None = None,
    enabled: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Rule], int]:
    if not 0 < limit <= MAX_PAGE or offset < 0:
        raise ValidationFailed("limit or offset is out of range", field="limit")
    conditions: list[ColumnElement[bool]] = [Rule.tenant_id == tenant_id]
    if kind is not None:
        conditions.append(Rule.kind == kind)
    if attribute is not None:
        conditions.append(Rule.attribute == attribute)
    if enabled is not None:
        conditions.append(Rule.enabled.is_(enabled))
    total = session.scalar(select(func.count()).select_from(Rule).where(*conditions)) or 0
    rows = session.scalars(
        select(Rule).where(*conditions).order_by(Rule.id).limit(limit).offset(offset)
    )
    return list(rows), total
