"""What a notification says (clause 5.3.1) and the headers it travels with (clause 6.3.*).

Entities are projected (notification.attributes, pick, omit), put in the asked format and
compacted against the subscription's @context (its jsonldContext when given). As application/json
the @context goes in a Link header, as application/ld+json into every entity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from smartcity.context import render
from smartcity.context.jsonld import CORE_CONTEXT_URL, ContextResolver, is_core_url, link_header
from smartcity.context.params import View, parse_lang
from smartcity.context.subscriptions.join import joined
from smartcity.context.subscriptions.matching import iso
from smartcity.context.subscriptions.models import PendingNotification, Subscription
from smartcity.context.subscriptions.validate import FORMATS

JSON, JSON_LD, GEO_JSON = "application/json", "application/ld+json", "application/geo+json"


@dataclass
class Message:
    """One notification ready to send to one endpoint."""

    uri: str
    body: dict[str, Any]
    headers: dict[str, str]
    timeout: float
    options: dict[str, str] = field(default_factory=dict)  # endpoint.notifierInfo

    def payload(self) -> bytes:
        return orjson.dumps(self.body, option=orjson.OPT_NON_STR_KEYS)


def link_url(context: Any) -> str:
    """The one URL a Link header can carry for this @context (the core context when none fits)."""
    items = context if isinstance(context, list) else [context]
    if not all(isinstance(item, str) for item in items):
        return CORE_CONTEXT_URL
    users = [item for item in items if not is_core_url(item)]
    return users[0] if len(users) == 1 else CORE_CONTEXT_URL


def view_of(document: dict[str, Any]) -> View:
    params = document["notification"]
    pick = params.get("pick")
    attrs = params.get("attributes")
    if pick is not None:
        attrs = [p for p in pick if p not in ("id", "type")]
    return View(
        fmt=FORMATS[params.get("format", "normalized")],
        sys_attrs=bool(params.get("sysAttrs")),
        attrs=frozenset(attrs) if attrs is not None else None,
        pick_members=frozenset(p for p in pick if p in ("id", "type")) if pick else None,
        omit=frozenset(params.get("omit", ())),
        lang=parse_lang(document["lang"]) if "lang" in document else None,
    )


def _entity(stored: dict[str, Any], view: View, ctx: Any, context: Any, ld: bool) -> Any:
    stored = dict(stored)
    deleted_at = stored.pop("deletedAt", None)
    shown = render.entity(stored, view, ctx)
    if deleted_at is not None:
        if view.sys_attrs:  # a deleted entity keeps its stamps in every format
            shown.update({k: stored[k] for k in ("createdAt", "modifiedAt") if k in stored})
        shown["deletedAt"] = deleted_at
    if ld:
        shown["@context"] = context
    return shown


def build_message(
    contexts: ContextResolver,
    subscription: Subscription,
    pending: PendingNotification,
    now: datetime,
    *,
    tenant_header: str | None = None,
    linked: dict[str, dict[str, Any]] | None = None,
) -> Message:
    document = subscription.document
    endpoint = document["notification"]["endpoint"]
    context = document.get("jsonldContext") or subscription.context or CORE_CONTEXT_URL
    ctx = contexts.resolve(context)
    accept = endpoint.get("accept", JSON)
    view = view_of(document)
    if accept == GEO_JSON:
        data: Any = render.feature_collection(list(pending.entities), view, ctx)
    else:
        data = [_entity(e, view, ctx, context, accept == JSON_LD) for e in pending.entities]
        how = document["notification"].get("join", "@none")
        if linked is not None and how != "@none":
            data = joined(data, list(pending.entities), linked, how, view, ctx)
            if accept == JSON_LD:
                data = [{**entity, "@context": context} for entity in data]
    body: dict[str, Any] = {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": subscription.subscription_id,
        "notifiedAt": iso(now),
        "data": data,
    }
    if pending.trigger is not None:
        body["triggerReason"] = pending.trigger
    headers = {"Content-Type": accept}
    if accept != JSON_LD:
        headers["Link"] = link_header(link_url(context))
    if tenant_header:
        headers["NGSILD-Tenant"] = tenant_header
    for pair in endpoint.get("receiverInfo", ()):
        headers[pair["key"]] = pair["value"]
    timeout = endpoint.get("timeout")
    return Message(
        uri=endpoint["uri"],
        body=body,
        headers=headers,
        timeout=min(float(timeout) / 1000, 30.0) if timeout else 5.0,
        options={p["key"]: p["value"] for p in endpoint.get("notifierInfo", ())},
    )
