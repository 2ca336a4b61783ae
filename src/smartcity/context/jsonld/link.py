"""The HTTP `Link` header that carries a JSON-LD @context for `application/json` bodies."""

from __future__ import annotations

import re

from smartcity.context.jsonld.errors import InvalidLinkHeader
from smartcity.context.jsonld.terms import is_absolute_iri

CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
JSONLD_TYPE = "application/ld+json"

_LINK = re.compile(
    r'\s*<([^>]*)>((?:\s*;\s*[^\s=;,]+(?:\s*=\s*(?:"[^"]*"|[^";,\s]*))?)*)\s*(?:,|$)'
)
_PARAM = re.compile(r';\s*([^\s=;,]+)(?:\s*=\s*(?:"([^"]*)"|([^";,\s]*)))?')


def link_header(url: str) -> str:
    """A `Link` header value pointing at the JSON-LD context `url`."""
    return f'<{url}>; rel="{CONTEXT_REL}"; type="{JSONLD_TYPE}"'


def parse_link_header(value: str | None) -> str | None:
    """The @context URL of a `Link` header, None if it names none; malformed or ambiguous: error."""
    if value is None or not value.strip():
        return None
    found: list[str] = []
    pos = 0
    while pos < len(value):
        match = _LINK.match(value, pos)
        if match is None or match.end() == pos:
            raise InvalidLinkHeader(f"malformed Link header: {value!r:.200}")
        pos = match.end()
        params = {
            m.group(1).lower(): m.group(2) if m.group(2) is not None else (m.group(3) or "")
            for m in _PARAM.finditer(match.group(2))
        }
        if CONTEXT_REL in params.get("rel", "").split():
            found.append(_checked(match.group(1).strip(), params.get("type")))
    if len(found) > 1:
        raise InvalidLinkHeader("more than one JSON-LD context in the Link header")
    return found[0] if found else None


def _checked(url: str, media_type: str | None) -> str:
    if media_type is not None and media_type.lower() != JSONLD_TYPE:
        raise InvalidLinkHeader(f"the @context link must have type={JSONLD_TYPE!r}")
    if not is_absolute_iri(url) or not url.lower().startswith(("http://", "https://")):
        raise InvalidLinkHeader(f"the @context link must be an absolute http(s) URL, not {url!r}")
    return url
