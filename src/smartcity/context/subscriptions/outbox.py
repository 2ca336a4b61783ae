"""The listener that turns entity changes into pending notifications, in the writer's transaction.

It runs before the writer commits (see events.py): the notifications it records are committed
with the change or rolled back with it. After a commit that recorded some, the delivery workers
of this process are woken.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from smartcity.context import events, store
from smartcity.context.events import EntityChange
from smartcity.context.models import ContextEntity
from smartcity.context.subscriptions import cache
from smartcity.context.subscriptions.matching import Rule, attribute_events, iso, match
from smartcity.context.subscriptions.models import PendingNotification

log = logging.getLogger(__name__)
_WAKE = "smartcity.notifications.recorded"
_wakers: set[threading.Event] = set()


def add_waker(flag: threading.Event) -> None:
    _wakers.add(flag)


def remove_waker(flag: threading.Event) -> None:
    _wakers.discard(flag)


def wake_workers() -> None:
    for flag in tuple(_wakers):
        flag.set()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_WAKE, False):
        wake_workers()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WAKE, None)


def _resolver(session: Session, tenant_id: int) -> Any:
    def resolve(entity_id: str) -> dict[str, Any] | None:
        row = session.scalar(
            select(ContextEntity).where(
                ContextEntity.tenant_id == tenant_id, ContextEntity.entity_id == entity_id
            )
        )
        return None if row is None else store.entity_document(row)

    return resolve


def _with_system(session: Session, change: EntityChange, entity: dict[str, Any]) -> None:
    """createdAt/modifiedAt for subscriptions that ask for sysAttrs."""
    at = iso(change.at or datetime.now(UTC))
    if change.kind == "deleted":
        return
    created = at
    if change.kind == "updated":
        found = session.scalar(
            select(ContextEntity.created_at).where(
                ContextEntity.tenant_id == change.tenant_id,
                ContextEntity.entity_id == change.entity_id,
            )
        )
        created = iso(found) if found is not None else at
    entity["createdAt"], entity["modifiedAt"] = created, at


def _owed(
    session: Session, rules: tuple[Rule, ...], changes: list[EntityChange]
) -> dict[tuple[int, str], list[dict[str, Any]]]:
    owed: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    resolve = _resolver(session, changes[0].tenant_id)
    for change in changes:
        now = change.at or datetime.now(UTC)
        attribute_changes = attribute_events(change)
        for rule in rules:
            try:
                fired = match(rule, change, attribute_changes, now=now, resolve=resolve)
            except Exception:  # one broken subscription must not fail the entity write
                log.exception("matching subscription %s failed", rule.pk)
                continue
            if fired is None:
                continue
            if rule.sys_attrs:
                _with_system(session, change, fired.entity)
            owed[(rule.pk, fired.trigger)].append(fired.entity)
    return owed


def record_changes(session: Session, changes: Sequence[EntityChange]) -> None:
    """Write the notifications these changes owe (events.py listener; does not commit)."""
    by_tenant: dict[int, list[EntityChange]] = defaultdict(list)
    for change in changes:
        by_tenant[change.tenant_id].append(change)
    rows = []
    for tenant_id, tenant_changes in by_tenant.items():
        rules = cache.rules_for(session, tenant_id)
        if not rules:
            continue
        at = tenant_changes[0].at or datetime.now(UTC)
        for (pk, trigger), entities in _owed(session, rules, tenant_changes).items():
            rows.append(
                {
                    "tenant_id": tenant_id,
                    "subscription_pk": pk,
                    "trigger": trigger,
                    "entities": entities,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                }
            )
    if rows:
        session.execute(insert(PendingNotification.__table__), rows)
        session.info[_WAKE] = True


events.listen(record_changes)
