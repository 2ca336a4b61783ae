"""CKAN's answer envelope (`help`, `success`, `result` | `error`) and its error types and codes.

The platform's errors are mapped here, at the edge: Not Found Error 404, Validation Error 409
(with the messages by field), Authorization Error 403, Search Query Error and bad requests 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from smartcity.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    SmartCityError,
    Unauthenticated,
    ValidationFailed,
)
from smartcity.opendata.search import SearchQueryError
from smartcity.web.errors import add_error_format

JSON_TYPE = "application/json;charset=utf-8"


def help_url(site_url: str, action: str) -> str:
    return f"{site_url.rstrip('/')}/api/3/action/help_show?name={action}"


def success(help_: str, result: Any) -> JSONResponse:
    body = {"help": help_, "success": True, "result": result}
    return JSONResponse(body, 200, media_type=JSON_TYPE)


def failure(help_: str, exc: SmartCityError) -> JSONResponse:
    status, error = ckan_error(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    body = {"help": help_, "success": False, "error": error}
    return JSONResponse(body, status, headers=headers, media_type=JSON_TYPE)


def ckan_error(exc: SmartCityError) -> tuple[int, dict[str, Any]]:
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"}
    if isinstance(exc, Forbidden | Unauthenticated):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
    if isinstance(exc, ValidationFailed | Conflict):
        error: dict[str, Any] = {"__type": "Validation Error", "message": exc.message}
        for detail in exc.details or [{"field": exc.field or "message", "message": exc.message}]:
            if detail["field"] != "message":
                error.setdefault(detail["field"], []).append(detail["message"])
        return 409, error
    if isinstance(exc, SearchQueryError):
        return 400, {"__type": "Search Query Error", "message": exc.message}
    if isinstance(exc, RateLimited):
        return 429, {"__type": "Rate Limit Error", "message": exc.message}
    if exc.status_code == 413:
        return 413, {"__type": "Bad Request", "message": exc.message}
    return 400, {"__type": "Bad Request", "message": f"Bad request - {exc.message}"}


PREFIXES = ("/api/3/action", "/api/action")
_TYPES = {
    401: "Authorization Error",
    403: "Authorization Error",
    404: "Not Found Error",
    409: "Validation Error",
    422: "Validation Error",
}


def error_format(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None
) -> Response:
    """Errors raised outside the action route (body too large, wrong method …) in CKAN's
    envelope, for web.errors.add_error_format."""
    action = request.url.path.rstrip("/").rsplit("/", 1)[-1]
    help_ = help_url(str(request.base_url), action)
    status = 409 if status == 422 else 403 if status == 401 else status
    error = {"__type": _TYPES.get(status, "Bad Request"), "message": body.get("message", "")}
    envelope = {"help": help_, "success": False, "error": error}
    return JSONResponse(envelope, status, headers=headers, media_type=JSON_TYPE)


def install(app: FastAPI) -> None:
    """Answer every error under the CKAN paths in CKAN's envelope (called by the app factory)."""
    for prefix in PREFIXES:
        add_error_format(app, prefix, error_format)
