"""Links to the previous and next page of a query's results (clause 5.5.9): the request's own
URL with only `offset` changed, parameters in a stable (sorted) order."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request

# Characters a query value may carry unescaped (RFC 3986 pchar, less the separators & = + #
# and the comma, which separates the links of a Link header).
_SAFE = ":/@!$'()*;~"


def page_links(
    request: Request, *, size: int, start: int, returned: int, total: int | None, media: str
) -> list[str]:
    """`rel="prev"` when the page does not start at 0; `rel="next"` when more remain (known from
    `total` when counted, else assumed while pages come back full)."""
    if size <= 0:
        return []
    links = []
    if start > 0:
        links.append(_link(request, size, max(start - size, 0), "prev", media))
    more = start + size < total if total is not None else returned >= size
    if more:
        links.append(_link(request, size, start + size, "next", media))
    return links


def _link(request: Request, size: int, offset: int, rel: str, media: str) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in ("limit", "offset")]
    items += [("limit", str(size)), ("offset", str(offset))]
    query = "&".join(f"{quote(k, safe=_SAFE)}={quote(v, safe=_SAFE)}" for k, v in sorted(items))
    return f'<{request.url.path}?{query}>; rel="{rel}"; type="{media}"'
