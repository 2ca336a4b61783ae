"""API shapes of ingestion: what a bulk ingest answers, and dead letters as operators see them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from smartcity.sensing.ingest.dead_letters import Reason


class ItemRefusal(BaseModel):
    """One dead letter of a request: which item (0-based: JSON array position or CSV data row),
    and why."""

    index: int | None
    device_id: str | None
    attribute: str | None
    reason: Reason
    message: str


class IngestReport(BaseModel):
    stored: int = Field(description="readings stored now")
    duplicates: int = Field(description="readings stored before (redelivered), not stored again")
    dead_lettered: int = Field(description="dead letters written (items or single readings)")
    reasons: dict[str, int] = Field(description="dead letters by reason")
    errors: list[ItemRefusal] = Field(description="the dead letters, at most 10,000 listed")


class DeadLetterOut(BaseModel):
    id: int
    received_at: datetime
    transport: str
    route: str
    device_id: str | None
    attribute: str | None
    reason: Reason
    message: str
    payload: str = Field(description="the payload as received, cut at 4 KiB")
    payload_size: int = Field(description="the payload's full size in bytes")


class DeadLetterPage(BaseModel):
    items: list[DeadLetterOut]
    total: int
    limit: int
    offset: int
