"""Subscription operations (clause 5.8): create, retrieve, query, update, delete. No HTTP here.

Each operation commits, then invalidates the tenant's cached rules so the next entity write sees
the change. A subscription belongs to one tenant and only ever sees that tenant's entities.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from smartcity.context.errors import AlreadyExists, BadRequestData, ResourceNotFound
from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import is_uri, parse_datetime
from smartcity.context.subscriptions import cache
from smartcity.context.subscriptions.models import Subscription
from smartcity.context.subscriptions.present import present
from smartcity.context.subscriptions.validate import MANDATORY, parse_subscription

ContextCheck = Callable[[str], object]


def _apply(row: Subscription, doc: dict[str, Any], now: datetime) -> None:
    """Copy what the worker reads from the stored document into the row's columns."""
    interval = doc.get("timeInterval")
    if interval is None:
        row.next_periodic_at = None
    elif row.time_interval != interval or row.next_periodic_at is None:
        row.next_periodic_at = now + timedelta(seconds=interval)
    row.document = doc
    row.is_active = doc.get("isActive", True)
    row.expires_at = parse_datetime(doc["expiresAt"], "expiresAt") if "expiresAt" in doc else None
    row.throttling = doc.get("throttling")
    row.time_interval = interval
    row.modified_at = now


def checked_id(subscription_id: str) -> str:
    if not is_uri(subscription_id):
        raise BadRequestData(f"subscription id {subscription_id!r} is not a URI")
    return subscription_id


def create_subscription(
    session: Session,
    tenant_id: int,
    payload: Any,
    *,
    ctx: ActiveContext,
    context: Any,
    now: datetime,
    allow_private: bool,
    check_context: ContextCheck,
) -> str:
    """Store a new subscription; its id (generated unless given)."""
    doc = parse_subscription(
        payload, ctx, now, allow_private=allow_private, check_context=check_context
    )
    subscription_id = doc.pop("id", None) or f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
    if _find(session, tenant_id, subscription_id) is not None:
        raise AlreadyExists(f"subscription {subscription_id} already exists")
    row = Subscription(
        tenant_id=tenant_id,
        subscription_id=subscription_id,
        context=context,
        times_sent=0,
        times_failed=0,
        created_at=now,
    )
    _apply(row, doc, now)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadyExists(f"subscription {subscription_id} already exists") from None
    cache.invalidate(session, tenant_id)
    return subscription_id


def _find(session: Session, tenant_id: int, subscription_id: str) -> Subscription | None:
    return session.scalar(
        select(Subscription).where(
            Subscription.tenant_id == tenant_id, Subscription.subscription_id == subscription_id
        )
    )


def get_subscription(session: Session, tenant_id: int, subscription_id: str) -> Subscription:
    row = _find(session, tenant_id, checked_id(subscription_id))
    if row is None:
        raise ResourceNotFound(f"subscription {subscription_id} was not found")
    return row


def list_subscriptions(
    session: Session, tenant_id: int, *, limit: int, offset: int, count: bool = False
) -> tuple[list[Subscription], int | None]:
    """One page of a tenant's subscriptions in creation order, and the total when asked."""
    where = Subscription.tenant_id == tenant_id
    rows = session.scalars(
        select(Subscription).where(where).order_by(Subscription.id).limit(limit).offset(offset)
    ).all()
    total = session.scalar(select(func.count()).where(where)) if count else None
    return list(rows), total


def update_subscription(
    session: Session,
    tenant_id: int,
    subscription_id: str,
    fragment: Any,
    *,
    ctx: ActiveContext,
    now: datetime,
    allow_private: bool,
    check_context: ContextCheck,
) -> None:
    """Clause 5.8.2: each member of the fragment replaces the subscription's; null removes it."""
    row = get_subscription(session, tenant_id, subscription_id)
    if not isinstance(fragment, dict) or not fragment:
        raise BadRequestData("the body must be a non-empty JSON object")
    if fragment.get("id", row.subscription_id) != row.subscription_id:
        raise BadRequestData("the id of a subscription cannot change")
    if fragment.get("type", "Subscription") != "Subscription":
        raise BadRequestData('a subscription has "type": "Subscription"')
    current = present(row, ctx, now)
    merged = {k: v for k, v in current.items() if k != "status"}
    for key, value in fragment.items():
        if key == "@context":
            continue
        if value is None:
            if key in MANDATORY:
                raise BadRequestData(f"{key} is mandatory and cannot be removed")
            merged.pop(key, None)
        elif key == "notification" and isinstance(value, dict):
            merged[key] = _merge_notification(merged[key], value)
        else:
            merged[key] = value
    if "expiresAt" not in fragment:
        merged.pop("expiresAt", None)  # an unchanged expiry is not checked against now again
    doc = parse_subscription(
        merged, ctx, now, allow_private=allow_private, check_context=check_context
    )
    if "expiresAt" not in fragment and "expiresAt" in row.document:
        doc["expiresAt"] = row.document["expiresAt"]
    doc.pop("id", None)
    _apply(row, doc, now)
    session.commit()
    cache.invalidate(session, tenant_id)


def _merge_notification(current: dict[str, Any], fragment: dict[str, Any]) -> dict[str, Any]:
    """notification members replace the current ones one by one; null removes one."""
    merged = {**current, **fragment}
    return {k: v for k, v in merged.items() if v is not None or k == "endpoint"}


def delete_subscription(session: Session, tenant_id: int, subscription_id: str) -> None:
    """Remove a subscription and the notifications it still owed."""
    row = get_subscription(session, tenant_id, subscription_id)
    session.delete(row)
    session.commit()
    cache.invalidate(session, tenant_id)
