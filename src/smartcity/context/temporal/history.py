"""Reading attribute instances back: which entities have some in a time window, and the
instances themselves (optionally only the last N per attribute), in time order.

The time a window reads (clause 4.11 `timeproperty`): `observedAt` is the instance's observation
time; `createdAt` and `modifiedAt` are both the instant the broker recorded the instance (an
instance rewritten by PATCH is recorded anew, so the two coincide); `deletedAt` reads the
deletion records (instances carrying `deletedAt`) by the time they were recorded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from smartcity.context.models import AttributeInstance, ContextEntity
from smartcity.context.temporal.params import Window

AI = AttributeInstance
CE = ContextEntity
MAX_INSTANCES = 10_000  # per request; beyond it the answer is cut and marked partial (6.3.10)
_IN_CHUNK = 500


def time_column(window: Window) -> Any:
    return AI.observed_at if window.timeproperty == "observedAt" else AI.recorded_at


def window_clauses(window: Window) -> list[ColumnElement[bool]]:
    column = time_column(window)
    clauses: list[ColumnElement[bool]] = [column.is_not(None)]
    if window.lower is not None:
        clauses.append(column >= window.lower)
    if window.upper is not None:
        clauses.append(column < window.upper)
    return clauses


def _keeps(window: Window, instance: dict[str, Any]) -> bool:
    """Deletion records belong to `deletedAt` only."""
    deletion = "deletedAt" in instance
    return deletion if window.timeproperty == "deletedAt" else not deletion


def _selected(
    stmt: Select[Any], tenant_id: int, entity_ids: Collection[str], names: Collection[str] | None
) -> Select[Any]:
    stmt = stmt.where(AI.tenant_id == tenant_id, AI.entity_id.in_(list(entity_ids)))
    return stmt.where(AI.attr.in_(sorted(names))) if names else stmt


def _chunks(items: Collection[str]) -> Iterable[list[str]]:
    ordered = list(items)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def entities_with_instances(
    session: Session,
    tenant_id: int,
    entity_ids: Collection[str],
    names: Collection[str] | None,
    window: Window,
) -> set[str]:
    """The entities that have at least one instance (of `names`, when given) in the window."""
    found: set[str] = set()
    for chunk in _chunks(entity_ids):
        if window.timeproperty == "observedAt":  # one index probe per entity, first hit wins
            some = select(AI.id).where(
                AI.tenant_id == CE.tenant_id, AI.entity_id == CE.entity_id, *window_clauses(window)
            )
            if names:
                some = some.where(AI.attr.in_(sorted(names)))
            stmt = select(CE.entity_id).where(
                CE.tenant_id == tenant_id, CE.entity_id.in_(chunk), exists(some)
            )
            found.update(session.scalars(stmt))
        else:  # deletion records are told apart by their JSON, so read them
            rows = session.execute(
                _selected(select(AI.entity_id, AI.instance), tenant_id, chunk, names).where(
                    *window_clauses(window)
                )
            )
            found.update(e for e, instance in rows if _keeps(window, instance))
    return found


def has_attributes(
    session: Session, tenant_id: int, entity_id: str, names: Collection[str]
) -> bool:
    """Whether the entity ever had an instance of one of `names` (any time)."""
    stmt = _selected(select(AI.id), tenant_id, [entity_id], names).limit(1)
    return session.scalar(stmt) is not None


@dataclass
class History:
    """Instances per entity, then per attribute, in ascending time; `cut` when partial."""

    instances: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    recorded: dict[str, datetime] = field(default_factory=dict)  # instanceId → recorded_at
    cut: datetime | None = None
    first: datetime | None = None
    last: datetime | None = None


def read(
    session: Session,
    tenant_id: int,
    entity_ids: Collection[str],
    names: Collection[str] | None,
    window: Window,
    *,
    last_n: int | None = None,
    limit: int = MAX_INSTANCES,
) -> History:
    """The instances in the window; with `last_n` only the newest N per attribute and datasetId.
    More than `limit` instances are cut at one instant, so the answer covers a whole range."""
    column = time_column(window)
    columns = (
        AI.entity_id,
        AI.attr,
        AI.dataset_id,
        column.label("at"),
        AI.recorded_at.label("rec"),
        AI.instance,
    )
    descending = last_n is not None
    rows: list[Any] = []
    for chunk in _chunks(entity_ids):
        stmt = _selected(select(*columns), tenant_id, chunk, names).where(*window_clauses(window))
        if last_n is not None:
            rank = func.row_number().over(
                partition_by=(AI.entity_id, AI.attr, AI.dataset_id), order_by=column.desc()
            )
            ranked = stmt.add_columns(rank.label("rank")).subquery()
            stmt = select(
                *(ranked.c[c] for c in ("entity_id", "attr", "dataset_id", "at", "rec", "instance"))
            )
            stmt = stmt.where(ranked.c.rank <= last_n)
            order = ranked.c.at.desc()
        else:
            order = column.asc()
        rows.extend(session.execute(stmt.order_by(order).limit(limit + 1)).all())
    rows = [r for r in rows if _keeps(window, r.instance)]
    rows.sort(key=lambda r: r.at, reverse=descending)
    history = History()
    if len(rows) > limit:
        history.cut = rows[limit].at
        rows = [r for r in rows if (r.at > history.cut if descending else r.at < history.cut)]
    for r in sorted(rows, key=lambda r: (r.entity_id, r.attr, r.dataset_id or "", r.at)):
        history.instances.setdefault(r.entity_id, {}).setdefault(r.attr, []).append(r.instance)
        history.recorded[r.instance.get("instanceId", "")] = r.rec
    if rows:
        history.first = min(r.at for r in rows)
        history.last = max(r.at for r in rows)
    return history
