"""NGSI-LD errors as ProblemDetails (RFC 7807) with the error types of GS CIM 009 clause 5.5.2."""

from __future__ import annotations

from typing import Any

ERROR_BASE = "https://uri.etsi.org/ngsi-ld/errors/"


class NgsiLdError(Exception):
    """A failure reported to an NGSI-LD client as `application/json` ProblemDetails."""

    error_type = "InternalError"
    status = 500
    title = "Internal error"

    def __init__(self, detail: str, *, instance: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.instance = instance

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": ERROR_BASE + self.error_type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.instance:
            body["instance"] = self.instance
        return body


class InvalidRequest(NgsiLdError):
    error_type, status, title = "InvalidRequest", 400, "Invalid request"


class BadRequestData(NgsiLdError):
    error_type, status, title = "BadRequestData", 400, "Bad request data"


class AlreadyExists(NgsiLdError):
    error_type, status, title = "AlreadyExists", 409, "Already exists"


class OperationNotSupported(NgsiLdError):
    error_type, status, title = "OperationNotSupported", 422, "Operation not supported"


class ResourceNotFound(NgsiLdError):
    error_type, status, title = "ResourceNotFound", 404, "Resource not found"


class NonexistentTenant(NgsiLdError):
    error_type, status, title = "NonexistentTenant", 404, "Nonexistent tenant"


class TooComplexQuery(NgsiLdError):
    error_type, status, title = "TooComplexQuery", 403, "Too complex query"


class TooManyResults(NgsiLdError):
    error_type, status, title = "TooManyResults", 403, "Too many results"


class LdContextNotAvailable(NgsiLdError):
    error_type, status, title = "LdContextNotAvailable", 503, "@context not available"


class LengthRequired(NgsiLdError):
    """Clause 6.3.4: a POST, PATCH or PUT without Content-Length is answered by a bare 411."""

    error_type, status, title = "InvalidRequest", 411, "Length required"
