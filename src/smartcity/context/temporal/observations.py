"""Many observed attribute instances of many entities in one unit of work (for ingestion): each
instance goes to the history, each attribute's current value follows its latest observation,
and an entity observed for the first time is created from the head it comes with.

The caller commits: readings, their receipts and their dead letters share one transaction.

This is the hottest write path of the platform (tens of thousands of instances a second), so the
history and the current values go through the database driver's own cursor in the session's
transaction: statements written once, values converted once (each distinct observedAt parsed
once a batch, JSON through orjson), a COPY into the history on PostgreSQL. SQLAlchemy's
per-parameter processing cost more than the database's work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from smartcity.context import events, store
from smartcity.context.events import EntityChange
from smartcity.context.models import ContextEntity
from smartcity.context.temporal.params import format_datetime
from smartcity.context.temporal.service import Instances, _advance, numeric, observed

CHUNK = 1000
HISTORY_COLUMNS = (
    "tenant_id",
    "entity_id",
    "attr",
    "dataset_id",
    "instance_id",
    "observed_at",
    "recorded_at",
    "value_number",
    "instance",
)
_INSERT_HISTORY = (
    f"INSERT INTO ngsi_attribute_instances ({', '.join(HISTORY_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(HISTORY_COLUMNS))})"
)
_COPY_HISTORY = f"COPY ngsi_attribute_instances ({', '.join(HISTORY_COLUMNS)}) FROM STDIN"
_UPDATE_ENTITY = {
    "sqlite": "UPDATE ngsi_entities SET attrs = ?, modified_at = ? WHERE id = ?",
    "postgresql": (
        "UPDATE ngsi_entities SET attrs = CAST(%s AS jsonb), modified_at = %s WHERE id = %s"
    ),
}


@dataclass
class Observed:
    """What a batch observed of one entity: the entity to create when it does not exist yet
    (stored form: id, type, location …), and new instances by stored attribute name, each with
    observedAt."""

    head: dict[str, Any]
    instances: Instances


def dumps_json(value: Any) -> str:
    """JSON text as the engine writes it (orjson; the standard library for what orjson refuses,
    e.g. integers beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False)


def sqlite_time(moment: datetime) -> str:
    """An aware datetime as SQLAlchemy stores a UTC timestamp in SQLite (naive UTC, microseconds
    always written), so that raw and ORM writes compare and sort alike."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def driver_cursor(session: Session) -> Any:
    """A cursor of the database driver's own connection, inside the session's transaction."""
    return session.connection().connection.cursor()


class Moments:
    """observedAt strings parsed (and written back in the canonical form) once per batch: a
    message's readings share their few observation times."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[datetime, str]] = {}

    def of(self, instance: dict[str, Any], where: str) -> tuple[datetime, str]:
        text = instance.get("observedAt")
        found = self._seen.get(text) if isinstance(text, str) else None
        if found is None:
            moment = observed(instance, where)  # raises when observedAt is missing or bad
            found = (moment, format_datetime(moment))
            if isinstance(text, str):
                self._seen[text] = found
        return found


def _rows(session: Session, tenant_id: int, ids: list[str]) -> dict[str, ContextEntity]:
    found: dict[str, ContextEntity] = {}
    for start in range(0, len(ids), CHUNK):
        stmt = select(ContextEntity).where(
            ContextEntity.tenant_id == tenant_id,
            ContextEntity.entity_id.in_(ids[start : start + CHUNK]),
        )
        found.update((row.entity_id, row) for row in session.scalars(stmt))
    return found


def _latest(current: Any, incoming: list[dict[str, Any]], moments: Moments) -> Any:
    """The attribute's current instances after `incoming` (as `service._advance`: per datasetId
    the latest observed, the later of equal ones, never over a current value without
    observedAt), without sorting or copying for the usual one instance of one dataset."""
    if not incoming:
        return _advance(current, incoming)
    dataset = incoming[0].get("datasetId")
    if any(i.get("datasetId") != dataset for i in incoming) or isinstance(current, list):
        return _advance(current, incoming)
    best, best_at = incoming[0], moments.of(incoming[0], "instance")[0]
    for instance in incoming[1:]:
        at = moments.of(instance, "instance")[0]
        if at >= best_at:
            best, best_at = instance, at
    if isinstance(current, dict) and current.get("datasetId") == dataset:
        if "observedAt" not in current or moments.of(current, "current")[0] > best_at:
            return current
    elif current is not None:  # another dataset's instance stays beside the new one
        return _advance(current, incoming)
    return {k: v for k, v in best.items() if k != "instanceId"}


def write_observations(
    session: Session, tenant_id: int, batch: Mapping[str, Observed], now: datetime
) -> list[str]:
    """Store the batch (without committing); the ids of the entities it created."""
    dialect = session.get_bind().dialect.name
    if dialect not in _UPDATE_ENTITY:
        raise NotImplementedError(f"no observation writer for {dialect}")
    ids = list(batch)
    rows = _rows(session, tenant_id, ids)
    missing = [batch[i].head for i in ids if i not in rows]
    created: list[str] = []
    if missing:
        result = store.upsert_entities(session, tenant_id, missing, now, create_only=True)
        events.emit(session, result.changes)
        created = result.created
        rows.update(_rows(session, tenant_id, created))
    moments = Moments()
    new_id = store.new_instance_id
    history: list[tuple[Any, ...]] = []
    updates: list[tuple[ContextEntity, dict[str, Any]]] = []
    changes: list[EntityChange] = []
    for entity_id, observed_now in batch.items():
        row = rows[entity_id]
        previous = row.attrs
        attrs = dict(previous)
        for name, items in observed_now.instances.items():
            for instance in items:
                moment, canonical = moments.of(instance, name)
                iid = new_id()
                body = {**instance, "observedAt": canonical, "instanceId": iid}
                value = instance.get("value")
                dataset = instance.get("datasetId")
                history.append(
                    (tenant_id, entity_id, name, dataset, iid, moment, numeric(value), body)
                )
            attrs[name] = _latest(attrs.get(name), items, moments)
        written = {n: attrs[n] for n in observed_now.instances if attrs[n] != previous.get(n)}
        stamped = store.stamp(attrs, previous, written, now)
        before = store.entity_document(row)
        updates.append((row, stamped))
        set_committed_value(row, "attrs", stamped)
        set_committed_value(row, "modified_at", now)
        after = store.entity_document(row)
        changes.append(
            EntityChange(
                tenant_id,
                entity_id,
                "updated",
                before,
                after,
                frozenset(observed_now.instances),
                now,
            )
        )
    session.flush()  # nothing the ORM holds may land after (and over) the raw writes
    cursor = driver_cursor(session)
    try:
        if history:
            _insert_history(dialect, cursor, history, now)
        if updates:
            cursor.executemany(
                _UPDATE_ENTITY[dialect],
                [(dumps_json(a), _time(dialect, now), row.id) for row, a in updates],
            )
    finally:
        cursor.close()
    events.emit(session, changes)
    return created


def _time(dialect: str, moment: datetime) -> Any:
    return sqlite_time(moment) if dialect == "sqlite" else moment


def _insert_history(
    dialect: str, cursor: Any, history: Sequence[tuple[Any, ...]], now: datetime
) -> None:
    """Rows of (tenant, entity, attr, dataset, instance id, observed at, value number, body)."""
    if dialect == "postgresql":
        with cursor.copy(_COPY_HISTORY) as copy:
            copy.write(_copy_text(history, now))
        return
    times: dict[datetime, str] = {}
    recorded = sqlite_time(now)
    rows = []
    for t, e, a, d, i, at, number, body in history:
        text = times.get(at)
        if text is None:
            text = times[at] = sqlite_time(at)
        rows.append((t, e, a, d, i, text, recorded, number, dumps_json(body)))
    cursor.executemany(_INSERT_HISTORY, rows)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_field(text: str) -> str:
    """A string as a field of COPY's text format (backslash, newline, CR and tab escaped)."""
    if "\\" in text or "\n" in text or "\r" in text or "\t" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_text(history: Sequence[tuple[Any, ...]], now: datetime) -> str:
    """The history rows as COPY text, built in one pass (the driver's row by row encoding cost
    more than the server's insert)."""
    times: dict[datetime, str] = {}
    recorded = now.isoformat()
    lines = []
    for t, e, a, d, i, at, number, body in history:
        moment = times.get(at)
        if moment is None:
            if at.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            moment = times[at] = at.isoformat()
        fields = (
            str(t),
            _copy_field(e),
            _copy_field(a),
            "\\N" if d is None else _copy_field(d),
            _copy_field(i),
            moment,
            recorded,
            "\\N" if number is None else repr(number),
            _copy_field(dumps_json(body)),
        )
        lines.append("\t".join(fields))
    lines.append("")
    return "\n".join(lines)
