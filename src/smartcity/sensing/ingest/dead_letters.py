"""Dead letters: what ingestion could not store, why, and the payload as it came (size-capped);
written in the batch's own transaction and listed for operators."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from smartcity.sensing.ingest.models import DeadLetter

PAYLOAD_CAP = 4096  # bytes of a payload kept with its dead letter


class Reason(StrEnum):
    """Why a payload, or one reading of it, was not stored."""

    UNPARSEABLE = "unparseable"  # not JSON (or not CSV)
    INVALID_PAYLOAD = "invalid_payload"  # JSON, but not measurements or an NGSI-LD fragment
    BAD_TOPIC = "bad_topic"  # an MQTT topic not shaped city/{tenant}/{type}/{device}/attrs
    UNKNOWN_DEVICE = "unknown_device"
    RETIRED_DEVICE = "retired_device"
    FOREIGN_DEVICE = "foreign_device"  # a device key sending another device's readings
    UNKNOWN_ATTRIBUTE = "unknown_attribute"  # not an attribute of the device's model
    SCHEMA_VIOLATION = "schema_violation"  # the value breaks the model's JSON Schema
    NOT_FINITE = "not_finite"  # NaN or ±Infinity
    BAD_TIME = "bad_time"  # an observation time that is not a DateTime with a timezone
    FUTURE_TIME = "future_time"  # observed too far in the future


@dataclass(frozen=True, slots=True)
class Letter:
    """A dead letter before it is written."""

    reason: Reason
    message: str
    device_id: str | None = None
    attribute: str | None = None
    payload: Any = None  # bytes as received, or the parsed item it concerns
    index: int | None = None  # the item's position in an HTTP request
    route: str | None = None  # its own MQTT topic, when the batch mixes topics


def payload_text(payload: Any) -> tuple[str, int]:
    """(the payload as text, cut at PAYLOAD_CAP bytes; its full size in bytes)."""
    if isinstance(payload, bytes | bytearray):
        raw = bytes(payload)
    elif isinstance(payload, str):
        raw = payload.encode()
    else:  # the standard library writes NaN as NaN (orjson would write null)
        raw = json.dumps(payload, ensure_ascii=False, default=repr).encode()
    return _text(raw[:PAYLOAD_CAP].decode("utf-8", errors="backslashreplace")), len(raw)


def _text(value: str) -> str:
    """PostgreSQL text cannot hold NUL: it is kept visible, escaped."""
    return value.replace("\x00", "\\x00") if "\x00" in value else value


def _row(
    letter: Letter, tenant_id: int | None, transport: str, route: str, now: datetime
) -> dict[str, Any]:
    text, size = payload_text(letter.payload)
    return {
        "tenant_id": tenant_id,
        "received_at": now,
        "transport": transport,
        "route": (letter.route or route)[:512],
        "device_id": _text(letter.device_id[:64]) if letter.device_id else None,
        "attribute": _text(letter.attribute[:128]) if letter.attribute else None,
        "reason": letter.reason.value,
        "message": _text(letter.message[:1000]),
        "payload": text,
        "payload_size": size,
    }


def record(
    session: Session,
    tenant_id: int | None,
    letters: Sequence[Letter],
    *,
    transport: str,
    route: str,
    now: datetime,
) -> None:
    """Add the letters to the session's transaction (the caller commits)."""
    if letters:
        rows = [_row(letter, tenant_id, transport, route, now) for letter in letters]
        session.execute(insert(DeadLetter.__table__), rows)


@dataclass(frozen=True)
class DeadLetterFilters:
    reason: str | None = None
    device_id: str | None = None
    since: datetime | None = None
    transport: str | None = None


def list_dead_letters(
    session: Session,
    tenant_id: int,
    filters: DeadLetterFilters,
    *,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[DeadLetter], int]:
    """The tenant's dead letters, newest first, and how many match."""
    where = [DeadLetter.tenant_id == tenant_id]
    if filters.reason is not None:
        where.append(DeadLetter.reason == filters.reason)
    if filters.device_id is not None:
        where.append(DeadLetter.device_id == filters.device_id)
    if filters.since is not None:
        where.append(DeadLetter.received_at >= filters.since)
    if filters.transport is not None:
        where.append(DeadLetter.transport == filters.transport)
    total = session.scalar(select(func.count()).select_from(DeadLetter).where(*where)) or 0
    rows = session.scalars(
        select(DeadLetter)
        .where(*where)
        .order_by(DeadLetter.received_at.desc(), DeadLetter.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total
