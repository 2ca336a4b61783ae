"""Case rows as the API shows them: labels in Chinese and English, the deadline's standing now,
the actions this caller may take next; contacts only where the service decided to show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcity.cases.categories import CategorySet
from smartcity.cases.clockstate import deadline_of, status_of
from smartcity.cases.models import Case, CaseEvent, CasePhoto
from smartcity.cases.schemas import (
    CaseOut,
    CategoryOut,
    ContactOut,
    DeadlineOut,
    EventOut,
    PhotoOut,
    TrackOut,
)
from smartcity.cases.states import Action, CaseStatus, label
from smartcity.cases.workflow import Actor, allowed
from smartcity.security.roles import Role

EVENT_LABELS = {
    "report": ("上报", "Report"),
    "deadline_warning": ("临期预警", "Deadline warning (80 % of the time used)"),
    "overdue_escalation": ("超期督办", "Overdue: escalated"),
}


def _category_names(categories: CategorySet, code: str) -> tuple[str, str]:
    found = categories.categories.get(code)
    return (found.name_zh, found.name_en) if found else (code, code)


def deadline_out(case: Case, now: datetime) -> DeadlineOut:
    deadline = deadline_of(case)
    status = status_of(case, now)
    return DeadlineOut(
        amount=deadline.amount,
        unit=deadline.unit.value,
        label_zh=deadline.label("zh"),
        label_en=deadline.label("en"),
        level=status.level.value,
        due_at=status.due_at,
        warn_at=status.warning_at,
        fraction_used=round(status.fraction_used, 4),
        closed_on_time=case.closed_on_time,
    )


def next_actions(case: Case, actor: Actor | None) -> list[str]:
    if actor is None:
        return []
    if actor.role == Role.HANDLER and actor.department != case.department:
        return []
    if actor.role == Role.CITIZEN and actor.id != case.reporter:
        return []
    return [t.action.value for t in allowed(CaseStatus(case.status), actor.role)]


def case_out(
    case: Case,
    categories: CategorySet,
    now: datetime,
    *,
    actor: Actor | None = None,
    contact: dict[str, Any] | None = None,
) -> CaseOut:
    status = CaseStatus(case.status)
    name_zh, name_en = _category_names(categories, case.category)
    return CaseOut(
        id=case.public_id,
        source=case.source,
        category=case.category,
        category_name_zh=name_zh,
        category_name_en=name_en,
        status=case.status,
        status_zh=label(status),
        status_en=label(status, "en"),
        priority=case.priority,
        lon=case.lon,
        lat=case.lat,
        address=case.address,
        cell_code=case.cell_code,
        community_code=case.community_code,
        street_code=case.street_code,
        district_code=case.district_code,
        description=case.description,
        department=case.department,
        proposed_department=case.proposed_department,
        duplicate_of=case.duplicate_of,
        merged_into=case.merged_into,
        deadline=deadline_out(case, now),
        rating=case.rating,
        returns=case.returns,
        reopens=case.reopens,
        alert_id=case.alert_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
        contact=ContactOut(**contact) if contact else None,
        actions=next_actions(case, actor),
    )


def event_out(event: CaseEvent, *, public: bool = False) -> EventOut:
    if event.action in EVENT_LABELS:
        zh, en = EVENT_LABELS[event.action]
    else:
        action = Action(event.action)
        zh, en = label(action), label(action, "en")
    return EventOut(
        action=event.action,
        action_zh=zh,
        action_en=en,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=None if public else event.actor_id,
        role=event.actor_role,
        at=event.at,
        data={} if public else dict(event.data or {}),
    )


def photo_out(case: Case, photo: CasePhoto) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        media_type=photo.media_type,
        size_bytes=photo.size_bytes,
        width=photo.width,
        height=photo.height,
        sha256=photo.sha256,
        uploaded_at=photo.uploaded_at,
        url=f"/api/cases/{case.public_id}/photos/{photo.id}",
    )


def track_out(case: Case, categories: CategorySet, events: list[CaseEvent]) -> TrackOut:
    status = CaseStatus(case.status)
    name_zh, name_en = _category_names(categories, case.category)
    return TrackOut(
        id=case.public_id,
        category=case.category,
        category_name_zh=name_zh,
        category_name_en=name_en,
        status=case.status,
        status_zh=label(status),
        status_en=label(status, "en"),
        created_at=case.created_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
        rating=case.rating,
        timeline=[event_out(e, public=True) for e in events],
    )


def categories_out(categories: CategorySet) -> list[CategoryOut]:
    parents = {c.parent for c in categories.categories.values()}
    return [
        CategoryOut(
            code=c.code,
            kind=c.kind.value,
            parent=c.parent,
            name_zh=c.name_zh,
            name_en=c.name_en,
            deadline={"amount": c.deadline.amount, "unit": c.deadline.unit.value}
            if c.deadline
            else None,
            handler_kind=c.handler_kind,
            assignable=c.code not in parents,
        )
        for c in categories.categories.values()
    ]
