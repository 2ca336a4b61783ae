"""Rules judged inside ingestion: the batch's new readings against the tenant's enabled rules,
in the batch's transaction, with one query for the states of the devices concerned and one
statement to store the states that changed. A reading delivered twice is judged once (only
readings whose receipt was new reach here).

Also the other half of silence: a silent device that reports again has its silence alerts
resolved (the registry makes it active again in the same transaction, see ingest/writer.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smartcity.platform import Platform
from smartcity.rules.alerts import Firing, apply_firings
from smartcity.rules.index import CompiledRule, RuleIndex, rule_index
from smartcity.rules.models import RuleState
from smartcity.sensing.ingest import sdm
from smartcity.sensing.ingest.writer import Accepted
from smartcity.sensing.models import Device

log = logging.getLogger(__name__)
_IN_CHUNK = 1000
Pair = tuple[int, int]  # (rule id, device pk)


def _matches(index: RuleIndex, fresh: Sequence[Accepted]) -> dict[Pair, list[Accepted]]:
    """The readings each (rule, device) pair must judge; numbers only."""
    found: dict[Pair, list[Accepted]] = {}
    for item in fresh:
        if not sdm.is_number(item.reading.value):
            continue
        rules = index.rules_for(item.reading.attr, item.device)
        if rules:
            device_pk = item.device.id
            for rule in rules:
                found.setdefault((rule.id, device_pk), []).append(item)
    return found


def load_states(session: Session, device_pks: set[int]) -> dict[Pair, dict[str, Any]]:
    wanted = sorted(device_pks)
    states: dict[Pair, dict[str, Any]] = {}
    table = RuleState.__table__
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = session.execute(
            select(table.c.rule_id, table.c.device_pk, table.c.state).where(
                table.c.device_pk.in_(wanted[start : start + _IN_CHUNK])
            )
        )
        states.update(((r, d), s) for r, d, s in rows)
    return states


# Thousands of states a batch: the statements go to the driver as they are (JSON serialized
# here once), without per-row parameter processing.
_UPSERT_SQLITE = (
    "INSERT INTO rule_states (rule_id, device_pk, state, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (rule_id, device_pk) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at"
)
_UPSERT_POSTGRESQL = text(
    "INSERT INTO rule_states (rule_id, device_pk, state, updated_at) "
    "SELECT r, d, s, :now FROM unnest("
    "CAST(:rules AS bigint[]), CAST(:devices AS bigint[]), CAST(:states AS jsonb[])"
    ") AS u(r, d, s) ON CONFLICT (rule_id, device_pk) DO UPDATE SET state = excluded.state, "
    "updated_at = excluded.updated_at"
)


def save_states(session: Session, states: dict[Pair, dict[str, Any]], now: datetime) -> None:
    """Insert or replace many states in one statement."""
    if not states:
        return
    # in key order: concurrent writers take the rows' locks in the same order (no deadlock)
    keys = sorted(states)
    documents = [orjson.dumps(states[k]).decode() for k in keys]
    if session.get_bind().dialect.name == "postgresql":
        params = {
            "now": now,
            "rules": [r for r, _ in keys],
            "devices": [d for _, d in keys],
            "states": documents,
        }
        session.execute(_UPSERT_POSTGRESQL, params)
        return
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as UTCDateTime stores it
    rows = [(r, d, doc, stamp) for (r, d), doc in zip(keys, documents, strict=True)]
    session.connection().exec_driver_sql(_UPSERT_SQLITE, rows)


def _evidence(item: Accepted) -> dict[str, Any]:
    reading = item.reading
    return {
        "attribute": reading.attr,
        "value": reading.value,
        "observed_at": reading.observed_at.isoformat().replace("+00:00", "Z"),
    }


def judge_pair(
    rule: CompiledRule, device: Device, state: dict[str, Any], items: list[Accepted]
) -> tuple[list[Firing], bool]:
    """The firings of one rule over one device's readings (oldest first); whether the state
    changed."""
    judge = rule.judge
    assert judge is not None
    firings: list[Firing] = []
    if len(items) > 1:
        items.sort(key=_observed_at)
    for item in items:
        verdict = judge(state, float(item.reading.value), item.reading.observed_at.timestamp())
        if verdict is None:
            continue
        evidence = {**_evidence(item), **verdict.detail} if verdict.fire else {}
        firings.append(
            Firing(
                rule,
                device,
                verdict.fire,
                float(item.reading.value),
                item.reading.observed_at,
                [evidence] if evidence else [],
                verdict.detail.get("method"),
            )
        )
    return firings, rule.stateful or bool(firings)


def _observed_at(item: Accepted) -> datetime:
    return item.reading.observed_at


def evaluate_readings(
    session: Session,
    platform: Platform,
    tenant_id: int,
    fresh: Sequence[Accepted],
    woken: Sequence[Device],
    now: datetime,
) -> int:
    """Judge the batch's new readings (not committed here); the number of firings. A failure
    of the rules is logged and undone on its own: it never costs the batch its readings."""
    try:
        with session.begin_nested():
            return _evaluate(session, platform, tenant_id, fresh, woken, now)
    except OperationalError:
        raise  # the database itself is away: the whole batch waits and is retried
    except Exception:
        log.exception("rules could not judge a batch of tenant %s", tenant_id)
    return 0


def _evaluate(
    session: Session,
    platform: Platform,
    tenant_id: int,
    fresh: Sequence[Accepted],
    woken: Sequence[Device],
    now: datetime,
) -> int:
    index = rule_index(session, platform.db, tenant_id)
    firings = _wake(index, woken, now) if woken and index.silence else []
    matches = _matches(index, fresh) if index.by_place else {}
    if matches:
        states = load_states(session, {d for _, d in matches})
        by_id = index.by_id
        changed: dict[Pair, dict[str, Any]] = {}
        for pair, items in matches.items():
            state = states.get(pair) or {}
            found, dirty = judge_pair(by_id[pair[0]], items[0].device, state, items)
            if found:
                firings.extend(found)
            if dirty:
                changed[pair] = state
        save_states(session, changed, now)
    if firings:
        apply_firings(session, platform, firings, now)
    return len(firings)


def _wake(index: RuleIndex, devices: Sequence[Device], now: datetime) -> list[Firing]:
    """Silence cleared: each silence rule that watches a device that reported again."""
    from smartcity.rules.silence import covers

    return [
        Firing(rule, device, False, None, now)
        for device in devices
        for rule in index.silence
        if rule.watches(device.device_type) and covers(rule, device)
    ]
