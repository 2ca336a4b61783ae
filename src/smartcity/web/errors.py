"""Every failure leaves as JSON of one stable shape: {"error": {code, message, field?, details?}}.

Unexpected errors are caught, logged and answered by the ObserveMiddleware (web/observe.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DisconnectionError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartcity.core.errors import RateLimited, SmartCityError

log = structlog.get_logger("smartcity.web")

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


ErrorFormat = Callable[[Request, int, dict[str, Any], dict[str, str] | None], Response]


def add_error_format(app: FastAPI, prefix: str, formatter: ErrorFormat) -> None:
    """Answer errors under `prefix` in that API's own format (NGSI-LD ProblemDetails, CKAN …)."""
    app.state.error_formats = [*getattr(app.state, "error_formats", []), (prefix, formatter)]


def error_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    for prefix, formatter in getattr(request.app.state, "error_formats", []):
        if request.url.path.startswith(prefix):
            return formatter(request, status, body, headers)
    request_id = getattr(request.state, "request_id", None)
    return JSONResponse({"error": body, "request_id": request_id}, status, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = (
        [str(p) for p in loc[1:]]
        if loc and loc[0] in ("body", "query", "path", "header", "form", "cookie")
        else list(map(str, loc))
    )
    return ".".join(parts) or str(loc[0] if loc else "body")


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "field": _field_of(tuple(e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type", ""),
        }
        for e in errors
    ]


async def _smartcity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SmartCityError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    if exc.status_code == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(request, exc.status_code, exc.to_dict(), headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = validation_details(list(exc.errors()))
    first = details[0] if details else {"field": "body", "message": "invalid request"}
    body = {
        "code": "validation_error",
        "message": f"{first['field']}: {first['message']}",
        "field": first["field"],
        "details": details,
    }
    return error_response(request, 422, body)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such resource: {request.url.path}"
    return error_response(
        request, exc.status_code, {"code": code, "message": message}, dict(exc.headers or {})
    )


async def _database_down(request: Request, exc: Exception) -> Response:
    log.error("database_unavailable", path=request.url.path, error=type(exc).__name__)
    body = {"code": "unavailable", "message": "the database is unavailable; try again shortly"}
    return error_response(request, 503, body, {"Retry-After": "5"})


async def _unstorable_value(request: Request, exc: Exception) -> Response:
    # e.g. a NUL character or a number out of range that validation let through
    body = {
        "code": "validation_error",
        "message": "a value in the request cannot be stored (invalid characters or out of range)",
    }
    return error_response(request, 422, body)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SmartCityError, _smartcity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _unstorable_value)
    app.add_exception_handler(OperationalError, _database_down)
    app.add_exception_handler(DisconnectionError, _database_down)
