"""Open311 GeoReport v2 under /open311/v2, in JSON and XML (the `.json` / `.xml` suffix), with
the specification's error format: a list of {code, description}."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smartcity.cases import open311
from smartcity.cases.catalogue import category_set
from smartcity.core.errors import Forbidden, NotFound, SmartCityError, ValidationFailed
from smartcity.platform import Platform
from smartcity.security import service as security

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00Z"
MEDIA = {"json": "application/json", "xml": "text/xml"}
ITEMS = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        node.extend(_element(k, v) for k, v in value.items())
    elif isinstance(value, list):
        node.extend(_element(ITEMS.get(tag, "item"), v) for v in value)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
    return node


def render(fmt: str, body: Any, root: str, item: str | None, status: int = 200) -> Response:
    """JSON as it is; XML as <root><item>…</item></root> (or <root>… for one object)."""
    if fmt == "json":
        return JSONResponse(body, status)
    if item is None:
        tree = _element(root, body)
    else:
        tree = ET.Element(root)
        tree.extend(_element(item, row) for row in body)
    text = ET.tostring(tree, encoding="unicode", xml_declaration=True)
    return Response(text, status, media_type="text/xml; charset=utf-8")


def _error(fmt: str, exc: SmartCityError) -> Response:
    status = {401: 403, 422: 400}.get(exc.status_code, exc.status_code)
    body = [{"code": status, "description": exc.message}]
    return render(fmt if fmt in MEDIA else "json", body, "errors", "error", status)


async def _answer(
    request: Request, fmt: str, work: Callable[[Session, Platform], Response]
) -> Response:
    platform: Platform = request.app.state.platform
    try:
        if fmt not in MEDIA:
            raise NotFound("use the .json or .xml format")
        assert platform.limiter is not None
        platform.limiter.hit(f"ip:{request.client.host if request.client else 'unknown'}")

        def run() -> Response:
            session = platform.db.new_session()
            try:
                return work(session, platform)
            finally:
                session.rollback()
                session.close()

        return await run_in_threadpool(run)
    except SmartCityError as exc:
        return _error(fmt, exc)


def _tenant(session: Session, platform: Platform, request: Request) -> int:
    slug = request.query_params.get("jurisdiction_id") or platform.settings.default_tenant
    try:
        return security.get_tenant(session, slug=slug).id
    except SmartCityError:
        raise NotFound(f"no jurisdiction {slug}") from None


@router.get("/discovery.{fmt}")
async def discovery(request: Request, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"

    def work(session: Session, platform: Platform) -> Response:
        body = {
            "changeset": CHANGESET,
            "contact": "12345 市民服务热线 / Citizen service hotline 12345",
            "key_service": "Ask the city's administrators for an API key with cases:report",
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": list(MEDIA.values()),
                }
            ],
        }
        return render(fmt, body, "discovery", None)

    return await _answer(request, fmt, work)


@router.get("/services.{fmt}")
async def services(request: Request, fmt: str) -> Response:
    lang = "zh" if request.query_params.get("locale", "").startswith("zh") else "en"

    def work(session: Session, platform: Platform) -> Response:
        rows = open311.services(session, _tenant(session, platform, request), lang)
        return render(fmt, rows, "services", "service")

    return await _answer(request, fmt, work)


@router.get("/services/{code}.{fmt}")
async def service_definition(request: Request, code: str, fmt: str) -> Response:
    def work(session: Session, platform: Platform) -> Response:
        body = open311.service_definition(session, _tenant(session, platform, request), code)
        return render(fmt, body, "service_definition", None)

    return await _answer(request, fmt, work)


@router.post("/requests.{fmt}")
async def create_request(request: Request, fmt: str) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def work(session: Session, platform: Platform) -> Response:
        raw = form.get("api_key") or request.query_params.get("api_key")
        if not raw:
            raise Forbidden("api_key is required")
        key, principal = security.authenticate_api_key(session, platform.clock, raw)
        assert platform.limiter is not None
        platform.limiter.hit(principal.rate_key, key.rate_limit)
        if not principal.can("cases:report"):
            raise Forbidden("this api_key may not report problems (cases:report)")
        with platform.serialized_writes():
            reported = open311.create_request(session, platform, principal, form)
        row = {
            "service_request_id": reported.case.public_id,
            "token": reported.token or "",
            "service_notice": "",
            "account_id": "",
        }
        return render(fmt, [row], "service_requests", "request", 201)

    return await _answer(request, fmt, work)


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be a W3C date and time", field=name) from None
    if parsed.tzinfo is None:
        raise ValidationFailed(f"{name} needs a time zone", field=name)
    return parsed


def _listed(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


@router.get("/requests.{fmt}")
async def list_requests(request: Request, fmt: str) -> Response:
    params = request.query_params

    def work(session: Session, platform: Platform) -> Response:
        statuses = _listed(params.get("status"))
        if statuses and not set(statuses) <= {"open", "closed"}:
            raise ValidationFailed("status is open or closed", field="status")
        query = open311.RequestQuery(
            ids=_listed(params.get("service_request_id")),
            service_codes=_listed(params.get("service_code")),
            start=_when(params.get("start_date"), "start_date"),
            end=_when(params.get("end_date"), "end_date"),
            statuses=statuses,
        )
        tenant_id = _tenant(session, platform, request)
        cases = open311.find_requests(session, tenant_id, query, platform.clock.now())
        return render(fmt, _rows(session, tenant_id, cases), "service_requests", "request")

    return await _answer(request, fmt, work)


def _rows(session: Session, tenant_id: int, cases: list) -> list[dict[str, Any]]:
    categories = category_set(session, tenant_id)
    return [open311.request_of(c, categories, session, "en") for c in cases]


@router.get("/requests/{request_id}.{fmt}")
async def get_request(request: Request, request_id: str, fmt: str) -> Response:
    def work(session: Session, platform: Platform) -> Response:
        tenant_id = _tenant(session, platform, request)
        found = open311.find_requests(
            session, tenant_id, open311.RequestQuery(ids=[request_id]), platform.clock.now()
        )
        if not found:
            raise NotFound(f"no service request {request_id}")
        return render(fmt, _rows(session, tenant_id, found), "service_requests", "request")

    return await _answer(request, fmt, work)


@router.get("/tokens/{token}.{fmt}")
async def token(request: Request, token: str, fmt: str) -> Response:
    def work(session: Session, platform: Platform) -> Response:
        case = open311.by_token(session, _tenant(session, platform, request), token)
        row = {"service_request_id": case.public_id, "token": token}
        return render(fmt, [row], "service_requests", "request")

    return await _answer(request, fmt, work)
