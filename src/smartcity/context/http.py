"""The HTTP edge of the broker: body and media types, content negotiation, and the tenant."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import orjson
from fastapi import Request
from sqlalchemy.orm import Session

from smartcity.context.errors import BadRequestData, InvalidRequest, NgsiLdError, NonexistentTenant
from smartcity.core.clock import Clock
from smartcity.core.errors import Forbidden, NotFound, ValidationFailed
from smartcity.security import service as security
from smartcity.security.models import Tenant
from smartcity.security.principal import Principal

JSON, JSON_LD, GEO_JSON = "application/json", "application/ld+json", "application/geo+json"
MERGE_PATCH = "application/merge-patch+json"  # clause 6.3.4: PATCH bodies, read as JSON
TENANT_HEADER = "ngsild-tenant"


class UnsupportedMediaType(NgsiLdError):
    error_type, status, title = "InvalidRequest", 415, "Unsupported media type"


class NotAcceptable(NgsiLdError):
    error_type, status, title = "InvalidRequest", 406, "Not acceptable"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json_body(request: Request) -> tuple[Any, str]:
    """The parsed body and its media type (application/json or application/ld+json)."""
    kind = media_type(request)
    if kind == MERGE_PATCH and request.method == "PATCH":
        kind = JSON
    if kind not in (JSON, JSON_LD):
        raise UnsupportedMediaType(f"send {JSON} or {JSON_LD}, not {kind or 'no Content-Type'}")
    raw = await request.body()
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not valid JSON: {exc}") from None
    if kind == JSON_LD and isinstance(payload, dict) and "@context" not in payload:
        raise BadRequestData("an application/ld+json body must carry its @context")
    if kind == JSON and isinstance(payload, dict) and "@context" in payload:
        raise BadRequestData("with application/json, send the @context in a Link header")
    return payload, kind


def negotiate(request: Request, *, geo: bool = False) -> str:
    """The representation the client accepts (clause 6.3.4): the highest weight wins, equal
    weights go by the order application/json, application/ld+json, application/geo+json."""
    accept = request.headers.get("accept", "")
    chosen = _choose(accept, geo)
    if chosen is None:
        offered = ", ".join(OFFERED[geo])
        raise NotAcceptable(f"this resource is available as {offered}, not {accept!r}")
    return chosen


OFFERED = {False: (JSON, JSON_LD), True: (JSON, JSON_LD, GEO_JSON)}


@lru_cache(maxsize=512)
def _choose(accept: str, geo: bool) -> str | None:
    """RFC 9110 clause 12.5.1: each offered type takes the weight of the most specific range
    that matches it; a weight of 0 refuses it; a malformed weight counts as 1."""
    ranges = _ranges(accept)
    if not ranges:
        return JSON
    best, best_q = None, 0.0
    for offered in OFFERED[geo]:
        kind = offered.split("/")[0]
        matches = [
            (specificity, q)
            for (wanted, specificity, q) in ranges
            if wanted in (offered, f"{kind}/*", "*/*")
        ]
        if not matches:
            continue
        q = max(matches)[1]
        if q > best_q:
            best, best_q = offered, q
    return best


def _ranges(accept: str) -> list[tuple[str, int, float]]:
    """(media range, specificity, weight) for each element of an Accept header."""
    out = []
    for element in accept.lower().split(","):
        wanted, *parameters = (part.strip() for part in element.split(";"))
        if not wanted:
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    parsed = float(value.strip())
                except ValueError:
                    continue
                q = parsed if 0.0 <= parsed <= 1.0 else 1.0
        specificity = 0 if wanted == "*/*" else 1 if wanted.endswith("/*") else 2
        out.append((wanted, specificity, q))
    return out


def tenant_id(
    request: Request,
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    create: bool = False,
    known: dict[str, int] | None = None,
) -> int:
    """The tenant named by NGSILD-Tenant (or the caller's own); created on first write."""
    name = request.headers.get(TENANT_HEADER)
    if name is None:
        return principal.tenant_id
    slug = name.strip().lower()
    if principal.kind != "anonymous":
        own = session.get(Tenant, principal.tenant_id)
        if own is None or own.slug != slug:
            raise Forbidden(f"your credentials are not valid for tenant {name!r}")
        return principal.tenant_id
    if known is not None and slug in known:
        return known[slug]
    try:
        found = security.get_tenant(session, slug=slug).id
        if known is not None:
            known[slug] = found
        return found
    except NotFound:
        if not create:
            raise NonexistentTenant(f"tenant {name!r} does not exist") from None
    try:
        tenant = security.ensure_tenant(session, clock, slug=slug, name_zh=name, name_en=name)
    except ValidationFailed:
        raise BadRequestData(f"tenant name {name!r} must be letters, digits, - or _") from None
    session.commit()
    return tenant.id
