"""One error hierarchy for the whole platform; each API maps it to its own format at the edge."""

from __future__ import annotations

from typing import Any


class SmartCityError(Exception):
    """A failure the client can understand and act on; never a stack trace."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(SmartCityError):
    status_code = 400
    code = "bad_request"


class ValidationFailed(SmartCityError):
    status_code = 422
    code = "validation_error"


class Unauthenticated(SmartCityError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(SmartCityError):
    status_code = 403
    code = "forbidden"


class NotFound(SmartCityError):
    status_code = 404
    code = "not_found"


class Conflict(SmartCityError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(SmartCityError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(SmartCityError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(SmartCityError):
    status_code = 503
    code = "unavailable"
