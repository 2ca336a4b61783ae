"""MQTT messages into ingestion batches: a worker hands over (topic, payload bytes) pairs as it
received them, and gets back what was stored; it acknowledges the messages after this returns.

Topics are `city/{tenant}/{deviceType}/{deviceId}/attrs`; the device type may be the kind
(`air_quality_station`) or its Smart Data Model (`AirQualityObserved`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from smartcity.core.errors import NotFound
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.sensing.device_types import DEVICE_TYPES
from smartcity.sensing.ingest import dead_letters
from smartcity.sensing.ingest.dead_letters import Letter, Reason
from smartcity.sensing.ingest.parse import (
    Measurement,
    TimeParser,
    Unparseable,
    decode,
    read_payload,
)
from smartcity.sensing.ingest.service import IngestOutcome, Source, ingest

TYPE_NAMES = frozenset(
    {k.value for k in DEVICE_TYPES} | {t.sdm_type for t in DEVICE_TYPES.values()}
)


def parse_topic(topic: str) -> tuple[str, str, str] | None:
    """(tenant slug, device type, device id) of an ingestion topic, or None."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "city" or parts[4] != "attrs":
        return None
    _, tenant, kind, device_id, _ = parts
    if not tenant or not device_id or kind not in TYPE_NAMES:
        return None
    return tenant, kind, device_id


def _tenant_id(platform: Platform, slug: str) -> int | None:
    found = platform.tenant_ids.get(slug)
    if found is None:
        try:
            with platform.db.session() as session:
                found = security.get_tenant(session, slug=slug).id
        except NotFound:
            return None
        platform.tenant_ids[slug] = found
    return found


def ingest_messages(
    platform: Platform, messages: Sequence[tuple[str, bytes]], received_at: datetime
) -> IngestOutcome:
    """Store a batch of MQTT messages: one transaction per tenant in the batch."""
    by_tenant: dict[int, tuple[list[Measurement], list[Letter]]] = {}
    orphans: list[tuple[str, Letter]] = []
    times = TimeParser()
    for topic, payload in messages:
        place = parse_topic(topic)
        tenant_id = _tenant_id(platform, place[0]) if place else None
        if place is None or tenant_id is None:
            why = "not city/{tenant}/{deviceType}/{deviceId}/attrs of a known tenant and type"
            orphans.append((topic, Letter(Reason.BAD_TOPIC, why, payload=payload, route=topic)))
            continue
        measurements, letters = by_tenant.setdefault(tenant_id, ([], []))
        device_id = place[2]
        try:
            decoded = decode(payload)
        except Unparseable as exc:
            letter = Letter(Reason.UNPARSEABLE, str(exc), device_id, payload=payload, route=topic)
            letters.append(letter)
            continue
        measurements.extend(
            read_payload(decoded, received_at, times, device_id=device_id, route=topic, raw=payload)
        )
    outcome = IngestOutcome()
    source = Source("mqtt", "city/+/+/+/attrs")
    for tenant_id, (measurements, letters) in by_tenant.items():
        with platform.db.session() as session:
            outcome.merge(
                ingest(
                    session,
                    platform,
                    tenant_id,
                    measurements,
                    source=source,
                    received_at=received_at,
                    letters=letters,
                )
            )
    if orphans:
        with platform.serialized_writes(), platform.db.session() as session:
            for topic, letter in orphans:
                dead_letters.record(
                    session, None, [letter], transport="mqtt", route=topic, now=received_at
                )
        outcome.letters.extend(letter for _, letter in orphans)
    return outcome
