"""The open data part's HTTP routes; `ROUTERS` are mounted by the app factory.

The CKAN Action API answers at `/api/3/action/{name}` and `/api/action/{name}`, by GET with a
query string or POST with a JSON body, always in CKAN's envelope (see envelope.py); the DCAT
routes are in dcat_api.py, file downloads in downloads.py.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from starlette.concurrency import run_in_threadpool

from smartcity.core.errors import BadRequest, SmartCityError, ValidationFailed
from smartcity.opendata import access
from smartcity.opendata.actions import ACTIONS, Context
from smartcity.opendata.dcat_api import router as dcat_router
from smartcity.opendata.downloads import router as download_router
from smartcity.opendata.envelope import failure, help_url, success
from smartcity.platform import Platform

ckan_router = APIRouter(tags=["open data (CKAN)"])


async def _data_dict(request: Request) -> dict[str, Any]:
    """The action's parameters: the query string of a GET, the JSON (or form) body of a POST."""
    if request.method == "GET":
        data: dict[str, Any] = {}
        for key, value in request.query_params.multi_items():
            data[key] = (
                [*data[key], value]
                if isinstance(data.get(key), list)
                else ([data[key], value] if key in data else value)
            )
        return data
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()  # files are spooled to disk by Starlette, not kept in memory
        return dict(form.items())
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"JSON Error: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequest("JSON Error: the body must be a JSON object")
    return data


def _run(platform: Platform, request: Request, name: str, data: dict[str, Any]) -> Any:
    action = ACTIONS[name]
    session = platform.db.new_session()
    try:
        principal = access.catalogue_principal(request, platform, session)
        context = Context(session, platform, principal, str(request.base_url))
        if not action.writes:
            return action.run(context, data)
        with platform.serialized_writes():
            return action.run(context, data)
    except (IntegrityError, DataError) as exc:
        # a race on a unique name, or a value the database cannot store (NUL, out of range)
        raise ValidationFailed(
            "a value cannot be stored: it is already in use or invalid", field="name"
        ) from exc
    finally:
        session.rollback()
        session.close()


async def action(name: str, request: Request) -> JSONResponse:
    help_ = help_url(str(request.base_url), name)
    try:
        if name not in ACTIONS:
            raise BadRequest(f"Action name not known: {name}")
        data = await _data_dict(request)
        platform: Platform = request.app.state.platform
        return success(help_, await run_in_threadpool(_run, platform, request, name, data))
    except SmartCityError as exc:
        return failure(help_, exc)


for _prefix, _version in (("/api/3/action", "v3"), ("/api/action", "unversioned")):
    for _method in ("GET", "POST"):
        ckan_router.add_api_route(
            _prefix + "/{name}",
            action,
            methods=[_method],
            operation_id=f"ckan_action_{_version}_{_method.lower()}",
            summary=f"Call a CKAN action ({_method}; {_version} path)",
        )

ROUTERS: list[APIRouter] = [ckan_router, dcat_router, download_router]
