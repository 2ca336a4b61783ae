"""JSON-LD @context failures, raised as NGSI-LD errors so the API edge answers ProblemDetails."""

from __future__ import annotations

from smartcity.context.errors import NgsiLdError


class ContextError(NgsiLdError):
    """Any failure to obtain or understand a JSON-LD @context."""

    error_type, status, title = "BadRequestData", 400, "Invalid @context"


class ContextNotAvailable(ContextError):
    """A remote @context was not retrieved: host not allowed, unreachable, too big or too slow."""

    error_type, status, title = "LdContextNotAvailable", 503, "LD context not available"


class InvalidContext(ContextError):
    """An @context (inline or fetched) that is not a valid JSON-LD context."""

    error_type, status, title = "BadRequestData", 400, "Invalid @context"


class InvalidLinkHeader(InvalidContext):
    """A `Link` header that does not name a JSON-LD context the way GS CIM 009 asks."""

    error_type, status, title = "InvalidRequest", 400, "Invalid Link header"
