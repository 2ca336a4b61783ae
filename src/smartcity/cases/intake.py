"""Opening a case (信息收集): category check, grid lookup, idempotency, duplicate detection and
the routing proposal, written with its first timeline line in one transaction."""

from __future__ import annotations

import hashlib
import hmac
import math
import weakref
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.cases import contacts
from smartcity.cases.actors import actor_of
from smartcity.cases.calendar import SHANGHAI
from smartcity.cases.catalogue import assignable, category_set, propose_department
from smartcity.cases.contacts import Contact
from smartcity.cases.errors import RoleNotAllowed
from smartcity.cases.models import Case, CaseContact, CaseEvent
from smartcity.cases.states import CaseSource, CaseStatus
from smartcity.cases.workflow import Actor, report
from smartcity.core.errors import ValidationFailed
from smartcity.core.ids import new_token
from smartcity.geo import service as geo
from smartcity.geo.features import km_per_degree
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.models import Tenant
from smartcity.security.principal import Principal
from smartcity.security.roles import Role

OPEN = frozenset(
    s.value
    for s in (
        CaseStatus.REPORTED,
        CaseStatus.REGISTERED,
        CaseStatus.DISPATCHED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.HANDLED,
        CaseStatus.RETURNED,
        CaseStatus.SUSPENDED,
        CaseStatus.REOPENED,
    )
)
PRIORITIES = ("low", "normal", "high", "urgent")
# Who may file a case under each source (citizens file only their own reports).
SOURCE_ROLES: dict[CaseSource, frozenset[Role]] = {
    CaseSource.CITIZEN: frozenset(
        {Role.CITIZEN, Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMIN}
    ),
    CaseSource.HOTLINE: frozenset({Role.HOTLINE_OPERATOR, Role.ADMIN}),
    CaseSource.PATROL: frozenset({Role.SUPERVISOR, Role.DISPATCHER, Role.ADMIN}),
    CaseSource.SENSOR: frozenset({Role.DISPATCHER, Role.ADMIN}),
    CaseSource.REFERRAL: frozenset({Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.ADMIN}),
}


@dataclass(frozen=True)
class DuplicatePolicy:
    """An open case of the same category this close, reported this recently, is proposed as
    the one a new report duplicates."""

    distance_m: float = 100.0
    window: timedelta = timedelta(hours=72)


@dataclass(frozen=True)
class CaseReport:
    category: str
    lon: float
    lat: float
    address: str = ""
    description: str = ""
    source: CaseSource = CaseSource.CITIZEN
    priority: str = "normal"
    contact: Contact = field(default_factory=Contact)
    idempotency_key: str | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class Reported:
    case: Case
    created: bool  # False: the idempotency key named a case reported before
    token: str | None  # the citizen's tracking token, for the reporter only


def tracking_token(platform: Platform, public_id: str) -> str:
    """The case's tracking token, derived from the platform's secret so a retried report gets
    the same one; only its hash is stored."""
    key = contacts.tracking_key(platform.settings.signing_key())
    mac = hmac.new(key, public_id.encode(), hashlib.sha256).digest()[:18]
    return urlsafe_b64encode(mac).decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_prefixes: weakref.WeakKeyDictionary[Any, dict[int, str]] = weakref.WeakKeyDictionary()


def _prefix(session: Session, tenant_id: int) -> str:
    """Two letters of the tenant's slug (SH for shanghai), kept per database."""
    known = _prefixes.setdefault(session.get_bind(), {})
    if tenant_id not in known:
        tenant = session.get(Tenant, tenant_id)
        known[tenant_id] = (tenant.slug if tenant else "xx")[:2].upper()
    return known[tenant_id]


def public_id_of(prefix: str, created_at: datetime, row_id: int) -> str:
    """SH20260105-000123: tenant, the day in Shanghai, the row id."""
    return f"{prefix}{created_at.astimezone(SHANGHAI):%Y%m%d}-{row_id:06d}"


def _existing(session: Session, tenant_id: int, key: str | None) -> Case | None:
    if key is None:
        return None
    return session.scalar(
        select(Case).where(Case.tenant_id == tenant_id, Case.idempotency_key == key)
    )


def _check_source(actor: Actor, source: CaseSource) -> None:
    if actor.role not in SOURCE_ROLES[source]:
        raise RoleNotAllowed(f"the {actor.role} role cannot file {source} cases", field="source")


def _cell(session: Session, platform: Platform, tenant_id: int, lon: float, lat: float) -> str:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValidationFailed("lon and lat must be numbers", field="lon")
    [cell] = geo.locate_many(session, platform.grids, tenant_id, [lon], [lat])
    if cell is None:
        raise ValidationFailed(
            f"({lon}, {lat}) lies outside every unit grid cell of this city", field="lon"
        )
    return cell


# Built once: composing a statement costs more than running it at intake rates.
_NEARBY = select(Case.public_id, Case.lon, Case.lat).where(
    Case.tenant_id == bindparam("tenant"),
    Case.category == bindparam("category"),
    Case.created_at >= bindparam("since"),
    Case.status.in_(sorted(OPEN)),
    Case.lon.between(bindparam("lon0"), bindparam("lon1")),
    Case.lat.between(bindparam("lat0"), bindparam("lat1")),
)


def find_duplicate(
    session: Session,
    tenant_id: int,
    category: str,
    lon: float,
    lat: float,
    now: datetime,
    policy: DuplicatePolicy,
) -> str | None:
    """The nearest open case of the category within the policy's distance and time."""
    km_lon, km_lat = km_per_degree(lat)
    d_lon = policy.distance_m / 1000 / km_lon
    d_lat = policy.distance_m / 1000 / km_lat
    rows = session.execute(
        _NEARBY,
        {
            "tenant": tenant_id,
            "category": category,
            "since": now - policy.window,
            "lon0": lon - d_lon,
            "lon1": lon + d_lon,
            "lat0": lat - d_lat,
            "lat1": lat + d_lat,
        },
    ).all()
    best: tuple[float, str] | None = None
    for public_id, c_lon, c_lat in rows:
        metres = 1000 * math.hypot((c_lon - lon) * km_lon, (c_lat - lat) * km_lat)
        if metres <= policy.distance_m and (best is None or metres < best[0]):
            best = (metres, public_id)
    return best[1] if best else None


def report_case(
    session: Session,
    platform: Platform,
    principal: Principal,
    spec: CaseReport,
    *,
    duplicates: DuplicatePolicy = DuplicatePolicy(),
) -> Reported:
    """Open a case, or return the one its idempotency key opened before (unchanged)."""
    tenant_id = principal.tenant_id
    actor = actor_of(session, principal)
    found = _existing(session, tenant_id, spec.idempotency_key)
    if found is not None:
        return _again(platform, found, actor)
    _check_source(actor, spec.source)
    if spec.priority not in PRIORITIES:
        raise ValidationFailed(f"priority must be one of {', '.join(PRIORITIES)}", field="priority")
    if spec.source == CaseSource.HOTLINE and not spec.contact.phone:
        raise ValidationFailed("a hotline case needs the caller's phone", field="contact.phone")
    categories = category_set(session, tenant_id)
    category = assignable(categories, spec.category)
    deadline = categories.deadline_of(category.code)
    cell = _cell(session, platform, tenant_id, spec.lon, spec.lat)
    now = platform.clock.now()
    state, event = report(actor, now, source=spec.source)
    case = Case(
        tenant_id=tenant_id,
        public_id=f"new-{new_token(12)}",  # replaced by the row id's once flushed
        source=state.source.value,
        category=category.code,
        status=state.status.value,
        priority=spec.priority,
        lon=spec.lon,
        lat=spec.lat,
        address=spec.address,
        cell_code=cell,
        community_code=cell[:12],
        street_code=cell[:9],
        district_code=cell[:6],
        description=spec.description,
        proposed_department=propose_department(session, categories, tenant_id, category.code, cell),
        duplicate_of=find_duplicate(
            session, tenant_id, category.code, spec.lon, spec.lat, now, duplicates
        ),
        deadline_amount=deadline.amount,
        deadline_unit=deadline.unit.value,
        clock_pauses=[],
        returns=0,
        reopens=0,
        idempotency_key=spec.idempotency_key,
        reporter_user_id=principal.id if principal.kind == "user" else None,
        reporter=actor.id,
        token_hash="",
        alert_id=spec.alert_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    try:
        session.flush()
    except IntegrityError:  # the same idempotency key, reported meanwhile by another request
        session.rollback()
        again = _existing(session, tenant_id, spec.idempotency_key)
        if again is None:
            raise
        return _again(platform, again, actor)
    case.public_id = public_id_of(_prefix(session, tenant_id), now, case.id)
    token = tracking_token(platform, case.public_id)
    case.token_hash = token_hash(token)
    _store_contact(session, platform, case, spec.contact)
    session.add(
        CaseEvent(
            case_id=case.id,
            action="report",
            from_status=None,
            to_status=event.to_status.value,
            actor_id=actor.id,
            actor_role=actor.role.value,
            at=now,
            data={"source": case.source, "category": case.category, "cell": cell},
        )
    )
    audit.record(
        session,
        platform.clock,
        principal,
        action="case.report",
        entity_type="case",
        entity_id=case.public_id,
        after={"status": case.status, "category": case.category, "cell": cell},
    )
    session.commit()
    return Reported(case, True, token)


def _again(platform: Platform, case: Case, actor: Actor) -> Reported:
    token = tracking_token(platform, case.public_id) if case.reporter == actor.id else None
    return Reported(case, False, token)


def _store_contact(session: Session, platform: Platform, case: Case, contact: Contact) -> None:
    if contact.name is None and contact.phone is None:
        return
    key = contacts.contact_key(platform.settings.signing_key())
    session.add(
        CaseContact(
            case_id=case.id,
            name_cipher=contacts.encrypt(key, contact.name, f"{case.id}:name"),
            phone_cipher=contacts.encrypt(key, contact.phone, f"{case.id}:phone"),
            name_masked=contacts.mask_name(contact.name),
            phone_masked=contacts.mask_phone(contact.phone),
        )
    )


def read_contact(session: Session, platform: Platform, case: Case, *, clear: bool) -> dict | None:
    """The contact as a dict of name and phone, in clear or masked; None when none was given."""
    row = session.get(CaseContact, case.id)
    if row is None:
        return None
    if not clear:
        return {"name": row.name_masked, "phone": row.phone_masked, "masked": True}
    key = contacts.contact_key(platform.settings.signing_key())
    return {
        "name": contacts.decrypt(key, row.name_cipher, f"{case.id}:name"),
        "phone": contacts.decrypt(key, row.phone_cipher, f"{case.id}:phone"),
        "masked": False,
    }
