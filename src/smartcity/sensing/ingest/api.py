"""Routes of ingestion under /api/sensing: HTTP bulk ingest of readings, and the dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smartcity.core.errors import PayloadTooLarge, SmartCityError, ValidationFailed
from smartcity.geo.schemas import MAX_OFFSET
from smartcity.platform import Platform
from smartcity.security.authn import authorize_request, credentials
from smartcity.security.principal import Principal
from smartcity.sensing.credentials import DEVICE_KEY_MARK, authenticate_api_key
from smartcity.sensing.ingest import csv_readings, dead_letters
from smartcity.sensing.ingest.dead_letters import Letter, Reason
from smartcity.sensing.ingest.parse import TimeParser, Unparseable, decode, read_item
from smartcity.sensing.ingest.schemas import (
    DeadLetterOut,
    DeadLetterPage,
    IngestReport,
    ItemRefusal,
)
from smartcity.sensing.ingest.service import IngestOutcome, Source, describe, ingest
from smartcity.sensing.schemas import DEVICE_ID
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/sensing", tags=["sensing"])

ROUTE = "/api/sensing/readings"
MAX_ITEMS = 100_000
MAX_LISTED = 10_000
JSON_TYPES = ("application/json", "application/ld+json")
CSV_TYPES = ("text/csv", "application/csv", "text/plain")
ReadDeadLetters = Annotated[Principal, require("deadletters:read")]


class UnsupportedMediaType(SmartCityError):
    status_code = 415
    code = "unsupported_media_type"


class Sender:
    """Who sends readings: a platform principal with `readings:write`, or one device by its own
    key (then only its own readings are taken)."""

    def __init__(self, tenant_id: int, device_id: str | None) -> None:
        self.tenant_id, self.device_id = tenant_id, device_id


def sender(request: Request, platform: PlatformDep, session: SessionDep) -> Sender:
    found = credentials(request)
    if found is not None and found[0] == "apikey" and found[1].startswith(DEVICE_KEY_MARK + "_"):
        device = authenticate_api_key(session, found[1])
        assert platform.limiter is not None
        platform.limiter.hit(f"device:{device.id}")
        return Sender(device.tenant_id, device.device_id)
    principal = authorize_request(request, platform, session, "readings:write")
    return Sender(principal.tenant_id, None)


def _items(body: bytes, media: str) -> list[Any]:
    if media in CSV_TYPES:
        return csv_readings.read_csv(body)
    try:
        decoded = decode(body)
    except Unparseable as exc:
        raise ValidationFailed(str(exc), field="body") from None
    if not isinstance(decoded, list):
        decoded = [decoded]  # one object is a batch of one
    return decoded


def _store(session: Session, platform: Platform, who: Sender, items: list[Any]) -> IngestOutcome:
    received = platform.clock.now()
    times = TimeParser()
    measurements = [
        read_item(item, received, times, device_id=who.device_id, index=i)
        for i, item in enumerate(items)
    ]
    return ingest(
        session,
        platform,
        who.tenant_id,
        measurements,
        source=Source("http", ROUTE),
        received_at=received,
        only_device=who.device_id,
    )


def _refuse_body(
    session: Session, platform: Platform, who: Sender, body: bytes, error: SmartCityError
) -> None:
    """A body that is not JSON or CSV at all is a dead letter too, then a 4xx."""
    letter = Letter(Reason.UNPARSEABLE, error.message, who.device_id, payload=body)
    with platform.serialized_writes():
        dead_letters.record(
            session,
            who.tenant_id,
            [letter],
            transport="http",
            route=ROUTE,
            now=platform.clock.now(),
        )
        session.commit()


def _count(request: Request, outcome: IngestOutcome) -> None:
    metrics = request.app.state.metrics
    metrics.readings.labels("http", "stored").inc(outcome.stored)
    metrics.readings.labels("http", "duplicate").inc(outcome.duplicates)
    for reason, count in outcome.reasons().items():
        metrics.readings.labels("http", "dead_letter").inc(count)
        metrics.dead_letters.labels("http", reason).inc(count)


@router.post(
    "/readings",
    response_model=IngestReport,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "device_id": {"type": "string"},
                                "observedAt": {"type": "string", "format": "date-time"},
                            },
                            "additionalProperties": True,
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
            "description": "JSON: an array of items `{device_id, observedAt?, <attribute>: "
            "value | NGSI-LD Property}`; CSV columns: " + ", ".join(csv_readings.COLUMNS),
        }
    },
)
async def ingest_readings(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    who: Annotated[Sender, Depends(sender)],
) -> IngestReport:
    """Store many readings of many devices; bad items become dead letters, the rest is kept.

    A device's own key (`X-API-Key: scd_…`) may send only its own readings (`device_id` may be
    left out); a platform key or user needs `readings:write`."""
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media not in JSON_TYPES + CSV_TYPES:
        raise UnsupportedMediaType("send readings as application/json or text/csv")
    body = await request.body()
    if not body.strip():
        raise ValidationFailed("the body is empty", field="body")

    def work() -> IngestOutcome:
        try:
            items = _items(body, media)
        except ValidationFailed as exc:
            _refuse_body(session, platform, who, body, exc)
            raise
        if len(items) > MAX_ITEMS:
            raise PayloadTooLarge(f"send at most {MAX_ITEMS} readings per request")
        return _store(session, platform, who, items)

    outcome = await run_in_threadpool(work)
    _count(request, outcome)
    return IngestReport(
        stored=outcome.stored,
        duplicates=outcome.duplicates,
        dead_lettered=len(outcome.letters),
        reasons=outcome.reasons(),
        errors=[ItemRefusal(**describe(x)) for x in outcome.letters[:MAX_LISTED]],
    )


@router.get("/dead-letters", response_model=DeadLetterPage)
def list_dead_letters(
    session: SessionDep,
    principal: ReadDeadLetters,
    reason: Reason | None = None,
    device: Annotated[str | None, Query(pattern=DEVICE_ID)] = None,
    since: datetime | None = None,
    transport: Annotated[str | None, Query(pattern="^(http|mqtt)$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DeadLetterPage:
    """What ingestion could not store, newest first, with the reason and the payload."""
    if since is not None and since.tzinfo is None:
        raise ValidationFailed("since needs a timezone, e.g. 2026-01-05T09:00:00Z", field="since")
    filters = dead_letters.DeadLetterFilters(
        reason=reason.value if reason else None, device_id=device, since=since, transport=transport
    )
    rows, total = dead_letters.list_dead_letters(
        session, principal.tenant_id, filters, limit=limit, offset=offset
    )
    return DeadLetterPage(
        items=[DeadLetterOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
