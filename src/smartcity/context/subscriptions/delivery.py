"""One delivery pass over the outbox: due periodic notifications are queued, due notifications
claimed, sent outside any transaction, and their outcome recorded with retries and backoff.

A claimed notification is leased (its next attempt moved ahead), so a crash while sending only
delays it. The status members of the subscription (timesSent, lastSuccess …) change here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.context import search, store
from smartcity.context.query import parse_q
from smartcity.context.subscriptions.content import Message, build_message, view_of
from smartcity.context.subscriptions.join import linked_documents
from smartcity.context.subscriptions.matching import (
    datasets_of,
    geo_of,
    only_datasets,
    selectors_of,
)
from smartcity.context.subscriptions.models import PendingNotification, Subscription
from smartcity.context.subscriptions.present import status_of
from smartcity.context.subscriptions.send import send
from smartcity.platform import Platform
from smartcity.security.models import Tenant

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
LEASE = timedelta(seconds=60)
MAX_BACKOFF_SECONDS = 300


@dataclass
class Job:
    pending_id: int
    subscription_pk: int
    message: Message | None
    error: str | None = None


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … after the first, second, third failed attempt, at most five minutes."""
    return timedelta(seconds=min(2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def _periodic_entities(session: Session, row: Subscription, now: datetime) -> list[dict]:
    doc = row.document
    q = parse_q(doc["q"]) if "q" in doc else None
    found: dict[str, dict] = {}
    for selector in selectors_of(doc):
        query = search.EntityQuery(
            types=selector.types,
            ids=(selector.entity_id,) if selector.entity_id else (),
            id_pattern=selector.pattern,
            q=q,
            geo=geo_of(doc),
            limit=search.MAX_LIMIT,
        )
        rows, _ = search.find_entities(session, row.tenant_id, query, now=now)
        for entity in rows:
            document = store.entity_document(entity, sys_attrs=True)
            found.setdefault(entity.entity_id, document)
    datasets = datasets_of(doc)
    entities = list(found.values())
    return [only_datasets(e, datasets) for e in entities] if datasets is not None else entities


def queue_periodic(session: Session, now: datetime, *, lock: bool = False) -> None:
    """Queue a notification of the matching entities for every timeInterval that came due."""
    stmt = select(Subscription).where(Subscription.next_periodic_at <= now).limit(100)
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    for row in session.scalars(stmt).all():
        row.next_periodic_at = now + timedelta(seconds=row.time_interval or 1)
        if status_of(row, now) != "active":
            continue
        try:
            entities = _periodic_entities(session, row, now)
        except Exception:  # a subscription that cannot be evaluated skips this period
            log.exception("periodic notification of %s failed", row.subscription_id)
            continue
        if entities:
            session.add(
                PendingNotification(
                    tenant_id=row.tenant_id,
                    subscription_pk=row.id,
                    trigger=None,
                    entities=entities,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )


def _throttled(row: Subscription, now: datetime) -> bool:
    last = row.last_notification
    return (
        bool(row.throttling)
        and last is not None
        and now < last + timedelta(seconds=row.throttling or 0)
    )


def _claim(
    platform: Platform, session: Session, now: datetime, limit: int, *, lock: bool
) -> list[Job]:
    stmt = (
        select(PendingNotification)
        .where(PendingNotification.next_attempt_at <= now)
        .order_by(PendingNotification.id)
        .limit(limit)
    )
    if lock:
        stmt = stmt.with_for_update(skip_locked=True)
    jobs = []
    default_tenant = platform.settings.default_tenant
    for pending in session.scalars(stmt).all():
        row = session.get(Subscription, pending.subscription_pk)
        first = pending.attempts == 0
        if row is None or status_of(row, now) != "active" or (first and _throttled(row, now)):
            session.delete(pending)  # paused, expired or throttled: this notification is dropped
            continue
        pending.attempts += 1
        pending.next_attempt_at = now + LEASE
        row.times_sent += 1
        row.last_notification = now
        tenant = session.get(Tenant, row.tenant_id)
        slug = tenant.slug if tenant is not None and tenant.slug != default_tenant else None
        try:
            linked = _linked(session, row, pending)
            message = build_message(
                platform.contexts,  # type: ignore[arg-type]
                row,
                pending,
                now,
                tenant_header=slug,
                linked=linked,
            )
        except Exception as exc:  # e.g. the @context cannot be had any more
            jobs.append(Job(pending.id, row.id, None, f"cannot build the notification: {exc}"))
            continue
        jobs.append(Job(pending.id, row.id, message))
    return jobs


def _linked(
    session: Session, row: Subscription, pending: PendingNotification
) -> dict[str, dict] | None:
    """The entities a `join` subscription's notification links to, read now."""
    if row.document["notification"].get("join", "@none") == "@none":
        return None
    return linked_documents(session, row.tenant_id, list(pending.entities), view_of(row.document))


def _record(platform: Platform, job: Job, error: str | None) -> None:
    now = platform.clock.now()
    with platform.db.session() as session:
        pending = session.get(PendingNotification, job.pending_id)
        row = session.get(Subscription, job.subscription_pk)
        if row is not None and error is None:
            row.last_success, row.last_status = now, "ok"
        elif row is not None:
            row.times_failed += 1
            row.last_failure, row.last_status, row.last_failure_reason = now, "failed", error
            log.warning("notification for %s failed: %s", row.subscription_id, error)
        if pending is None:
            return
        periodic = pending.trigger is None  # the next period sends fresh data instead
        if error is None or periodic or pending.attempts >= MAX_ATTEMPTS:
            session.delete(pending)
        else:
            pending.last_error = error
            pending.next_attempt_at = now + backoff(pending.attempts)


def deliver_due(platform: Platform, now: datetime | None = None, *, limit: int = 50) -> int:
    """One pass: queue due periodic notifications, send what is due; how many were attempted."""
    now = now or platform.clock.now()
    locking = platform.db.backend == "postgresql"  # several workers may share the outbox
    with platform.db.session() as session:
        queue_periodic(session, now, lock=locking)
    with platform.db.session() as session:
        jobs = _claim(platform, session, now, limit, lock=locking)
    for job in jobs:
        _record(platform, job, job.error or _send(job, platform.settings.notify_allow_private))
    return len(jobs)


def _send(job: Job, allow_private: bool) -> str | None:
    try:
        return send(job.message, allow_private=allow_private)  # type: ignore[arg-type]
    except Exception as exc:  # whatever a client library raises is this attempt's failure
        log.exception("sending a notification failed")
        return f"{type(exc).__name__}: {exc}"
