"""Open311 GeoReport v2 over the case system: services are assignable categories, service
requests are cases. Public answers carry no personal data; status is open or closed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.cases.catalogue import category_set
from smartcity.cases.categories import Category, CategorySet
from smartcity.cases.contacts import clean_contact
from smartcity.cases.intake import CaseReport, Reported, report_case, token_hash
from smartcity.cases.models import Case, CaseEvent
from smartcity.cases.states import CaseSource, CaseStatus, label
from smartcity.core.errors import NotFound, ValidationFailed
from smartcity.platform import Platform
from smartcity.security.principal import Principal

S = CaseStatus
CLOSED = frozenset(s.value for s in (S.CLOSED, S.EVALUATED, S.REJECTED, S.MERGED))
DEFAULT_DAYS = 90
MAX_RECORDS = 1000
PRIORITY_ATTRIBUTE = {
    "variable": True,
    "code": "priority",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": "How urgent the problem is",
    "order": 1,
    "description": "Priority / 紧急程度",
    "values": [
        {"key": "low", "name": "Low / 低"},
        {"key": "normal", "name": "Normal / 一般"},
        {"key": "high", "name": "High / 较高"},
        {"key": "urgent", "name": "Urgent / 紧急"},
    ],
}


def service_of(category: Category, categories: CategorySet, lang: str) -> dict[str, Any]:
    parent = categories.categories.get(category.parent) if category.parent else None
    return {
        "service_code": category.code,
        "service_name": category.name(lang),
        "description": f"{category.name_zh} / {category.name_en}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(sorted({category.name_en, category.kind.value})),
        "group": parent.name(lang) if parent else category.kind.value,
    }


def services(session: Session, tenant_id: int, lang: str = "en") -> list[dict[str, Any]]:
    categories = category_set(session, tenant_id)
    return [service_of(c, categories, lang) for c in categories.assignable()]


def service_definition(session: Session, tenant_id: int, code: str) -> dict[str, Any]:
    categories = category_set(session, tenant_id)
    if code not in categories or categories.children(code):
        raise NotFound(f"no service {code}")
    return {"service_code": code, "attributes": [PRIORITY_ATTRIBUTE]}


def _float(form: Mapping[str, str], name: str) -> float:
    try:
        return float(form[name])
    except (KeyError, ValueError):
        raise ValidationFailed(f"{name} must be a number", field=name) from None


def create_request(
    session: Session, platform: Platform, principal: Principal, form: Mapping[str, str]
) -> Reported:
    """POST requests: a citizen report through an app holding an API key."""
    code = form.get("service_code")
    if not code:
        raise ValidationFailed("service_code is required", field="service_code")
    if "lat" not in form or "long" not in form:
        raise ValidationFailed(
            "lat and long are required (an address alone is not supported)", field="lat"
        )
    priority = form.get("attribute[priority]", "normal")
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    spec = CaseReport(
        category=code,
        lon=_float(form, "long"),
        lat=_float(form, "lat"),
        address=form.get("address_string", "")[:500],
        description=form.get("description", "")[:4000],
        source=CaseSource.CITIZEN,
        priority=priority,
        contact=clean_contact(name, form.get("phone") or None),
        idempotency_key=None,
    )
    return report_case(session, platform, principal, spec)


def _notes(case: Case, session: Session) -> str:
    status = CaseStatus(case.status)
    notes = f"{label(status)} / {label(status, 'en')}"
    if status == CaseStatus.MERGED and case.merged_into:
        return f"{notes}: {case.merged_into}"
    if status == CaseStatus.REJECTED:
        reason = session.scalar(
            select(CaseEvent.data)
            .where(CaseEvent.case_id == case.id, CaseEvent.action == "reject")
            .order_by(CaseEvent.id.desc())
        )
        return f"{notes}: {(reason or {}).get('reason', '')}".rstrip(": ")
    return notes


def request_of(case: Case, categories: CategorySet, session: Session, lang: str) -> dict:
    category = categories.categories.get(case.category)
    return {
        "service_request_id": case.public_id,
        "status": "closed" if case.status in CLOSED else "open",
        "status_notes": _notes(case, session),
        "service_name": category.name(lang) if category else case.category,
        "service_code": case.category,
        "description": case.description,
        "agency_responsible": case.department or "",
        "service_notice": "",
        "requested_datetime": case.created_at.isoformat(),
        "updated_datetime": case.updated_at.isoformat(),
        "expected_datetime": case.due_at.isoformat() if case.due_at else "",
        "address": case.address,
        "address_id": case.cell_code,
        "zipcode": "",
        "lat": case.lat,
        "long": case.lon,
        "media_url": "",
    }


@dataclass(frozen=True)
class RequestQuery:
    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None


def find_requests(
    session: Session, tenant_id: int, query: RequestQuery, now: datetime
) -> list[Case]:
    """GET requests: by ids alone when given; otherwise filtered, by default the last 90 days,
    at most 1,000 records, newest first."""
    stmt = select(Case).where(Case.tenant_id == tenant_id)
    if query.ids:
        return list(session.scalars(stmt.where(Case.public_id.in_(query.ids[:MAX_RECORDS]))))
    end = query.end or now
    start = query.start or end - timedelta(days=DEFAULT_DAYS)
    stmt = stmt.where(Case.created_at >= start, Case.created_at <= end)
    if query.service_codes:
        stmt = stmt.where(Case.category.in_(query.service_codes))
    if query.statuses:
        wanted = set(query.statuses)
        if wanted == {"open"}:
            stmt = stmt.where(Case.status.not_in(CLOSED))
        elif wanted == {"closed"}:
            stmt = stmt.where(Case.status.in_(CLOSED))
    return list(session.scalars(stmt.order_by(Case.created_at.desc()).limit(MAX_RECORDS)))


def by_token(session: Session, tenant_id: int, token: str) -> Case:
    case = session.scalar(
        select(Case).where(Case.tenant_id == tenant_id, Case.token_hash == token_hash(token))
    )
    if case is None:
        raise NotFound("no request with this token")
    return case
