"""Under /ngsi-ld/ every error is ProblemDetails (RFC 7807) with the NGSI-LD error types."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from smartcity.context.errors import ERROR_BASE, LengthRequired, NgsiLdError
from smartcity.web.errors import add_error_format

PREFIX = "/ngsi-ld/"
PROBLEM_JSON = "application/json"  # the spec answers errors as application/json

# The platform's error codes (core/errors.py, web/errors.py) as NGSI-LD error types and statuses.
_TYPES: dict[str, tuple[str, int]] = {
    "bad_request": ("BadRequestData", 400),
    "validation_error": ("BadRequestData", 400),  # the spec answers bad data with 400, not 422
    "not_found": ("ResourceNotFound", 404),
    "conflict": ("AlreadyExists", 409),
    "method_not_allowed": ("OperationNotSupported", 405),
    "unsupported_media_type": ("InvalidRequest", 415),
    "not_acceptable": ("InvalidRequest", 406),
}


def problem_response(
    request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    kind, status = _TYPES.get(body.get("code", ""), (None, status))
    problem = {
        "type": ERROR_BASE + kind if kind else "about:blank",
        "title": (kind or body.get("code", "error")).replace("_", " "),
        "status": status,
        "detail": body.get("message", ""),
    }
    echo = _tenant_echo(request)
    if echo:
        headers = {**(headers or {}), **echo}
    return JSONResponse(problem, status, headers=headers, media_type=PROBLEM_JSON)


async def _ngsi_ld_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NgsiLdError)
    headers = _tenant_echo(request)
    if isinstance(exc, LengthRequired):
        return Response(status_code=exc.status, headers=headers)  # no body (clause 6.3.4)
    return JSONResponse(exc.problem(), exc.status, headers=headers, media_type=PROBLEM_JSON)


def _tenant_echo(request: Request) -> dict[str, str] | None:
    """Clause 6.3.14: the NGSILD-Tenant of the request goes back in the answer, errors too."""
    tenant = request.headers.get("ngsild-tenant")
    return {"NGSILD-Tenant": tenant} if tenant is not None else None


def install(app: FastAPI) -> None:
    add_error_format(app, PREFIX, problem_response)
    app.add_exception_handler(NgsiLdError, _ngsi_ld_error)
