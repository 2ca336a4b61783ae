"""A stored subscription as a client sees it: names compacted against the client's @context, with
the members the system maintains (status, and timesSent … in notification)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smartcity.context.jsonld import ActiveContext
from smartcity.context.query import parse_q
from smartcity.context.subscriptions.matching import iso
from smartcity.context.subscriptions.models import Subscription
from smartcity.context.subscriptions.validate import DEFAULT_TRIGGERS, map_type_expression


def status_of(row: Subscription, now: datetime) -> str:
    """active, paused (isActive false) or expired (expiresAt passed) — clause 5.2.12."""
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active" if row.is_active else "paused"


def _query(text: str, ctx: ActiveContext) -> str:
    return str(parse_q(text).map_attributes(ctx.present_name))


def _names(values: list[str], ctx: ActiveContext) -> list[str]:
    return [v if v in ("id", "type") else ctx.present_name(v) for v in values]


def _notification(row: Subscription, ctx: ActiveContext) -> dict[str, Any]:
    stored = row.document["notification"]
    out: dict[str, Any] = {}
    for key, value in stored.items():
        out[key] = _names(value, ctx) if key in ("attributes", "pick", "omit") else value
    if row.times_sent:  # like the last* members, shown once a notification was attempted
        out["timesSent"] = row.times_sent
        out["timesFailed"] = row.times_failed
    for key, moment in (
        ("lastNotification", row.last_notification),
        ("lastSuccess", row.last_success),
        ("lastFailure", row.last_failure),
    ):
        if moment is not None:
            out[key] = iso(moment)
    if row.last_status is not None:
        out["status"] = row.last_status
    return out


def present(
    row: Subscription, ctx: ActiveContext, now: datetime, *, sys_attrs: bool = False
) -> dict[str, Any]:
    """The Subscription data type (clause 5.2.12) of a stored subscription."""
    doc = row.document
    out: dict[str, Any] = {"id": row.subscription_id, "type": "Subscription"}
    for key, value in doc.items():
        if key in ("id", "type"):
            continue
        if key == "entities":
            value = [{**s, "type": map_type_expression(s["type"], ctx.present_name)} for s in value]
        elif key == "watchedAttributes":
            value = _names(value, ctx)
        elif key in ("q", "csf"):
            value = _query(value, ctx)
        elif key == "geoQ" and "geoproperty" in value:
            value = {**value, "geoproperty": ctx.present_name(value["geoproperty"])}
        elif key == "notification":
            value = _notification(row, ctx)
        out[key] = value
    out.setdefault("notificationTrigger", list(DEFAULT_TRIGGERS))
    out["status"] = status_of(row, now)
    if sys_attrs:
        out["createdAt"] = iso(row.created_at)
        out["modifiedAt"] = iso(row.modified_at)
    return out
