"""What every /ngsi-ld/v1 route starts from: who asks, for which tenant, with which @context, and
how the answer goes back (clause 6.3: Link header for application/json, `@context` in the body
for application/ld+json).

Use `ReadCall` or `WriteCall` as a route parameter; they authenticate and authorize
(`context:read` / `context:write`), resolve the `NGSILD-Tenant` (created on first write) and the
`Link` header's context. Read bodies with `await call.body()`, answer with `call.respond(...)`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from smartcity.context.errors import BadRequestData, InvalidRequest, LengthRequired
from smartcity.context.http import (
    GEO_JSON,
    JSON,
    JSON_LD,
    TENANT_HEADER,
    negotiate,
    read_json_body,
    tenant_id,
)
from smartcity.context.jsonld import CORE_CONTEXT_URL, ActiveContext, link_header, parse_link_header
from smartcity.platform import Platform
from smartcity.security.authn import authorize_request
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep

BASE = "/ngsi-ld/v1"
T = TypeVar("T")


class Call:
    """One NGSI-LD request: platform, caller, tenant, session and the request's @context.

    Nothing touches the database until it is needed: the first use of `session`, `principal` or
    `tenant_id` authenticates and authorizes the caller and resolves the tenant, in whatever
    thread does the work. Async routes do their work in one worker thread with `await
    call.run(fn)`; sync routes simply use the call (FastAPI runs them in a worker thread).
    """

    def __init__(
        self,
        request: Request,
        platform: Platform,
        permission: str,
        *,
        create_tenant: bool,
        context_value: Any = None,
    ) -> None:
        self.request, self.platform, self.permission = request, platform, permission
        self.create_tenant = create_tenant
        # The @context the client gave: the Link header's URL, or the body's @context once read.
        self.context_value = context_value

    @cached_property
    def session(self) -> Session:
        session = self.platform.db.new_session()
        self.__dict__["session"] = session
        try:
            self.__dict__["principal"] = authorize_request(
                self.request, self.platform, session, self.permission
            )
            if self.context_value is not None:
                _ = self.ctx  # an unavailable or invalid @context fails the request up front
        except BaseException:
            self.close()
            raise
        return session

    @cached_property
    def principal(self) -> Principal:
        _ = self.session
        return self.__dict__["principal"]

    @cached_property
    def tenant_id(self) -> int:
        return tenant_id(
            self.request,
            self.session,
            self.platform.clock,
            self.principal,
            create=self.create_tenant,
            known=self.platform.tenant_ids,
        )

    def authorize(self) -> None:
        """Authenticate, authorize and resolve the tenant now."""
        _ = self.tenant_id

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in a worker thread, after authorizing there (one thread hop per request)."""

        def work() -> T:
            self.authorize()
            if self.permission != "context:write":
                return fn(*args)
            with self.platform.serialized_writes():
                return fn(*args)

        return await run_in_threadpool(work)

    def close(self) -> None:
        session = self.__dict__.pop("session", None)
        if session is None:
            return
        try:
            if self.permission != "context:write" and not (
                session.new or session.dirty or session.deleted
            ):
                # A read ends with COMMIT: psycopg forgets every prepared statement on ROLLBACK,
                # and planning a query's statement again costs several times running it.
                session.commit()
            else:  # writes commit in their service; what is left of a failed one goes
                session.rollback()
        except SQLAlchemyError:
            session.rollback()
        finally:
            session.close()

    @property
    def now(self) -> datetime:
        return self.platform.clock.now()

    @cached_property
    def ctx(self) -> ActiveContext:
        """The active context of this request (the Link header's, or the core context)."""
        assert self.platform.contexts is not None
        return self.platform.contexts.resolve(self.context_value)

    def resolve(self, context_value: Any) -> ActiveContext:
        assert self.platform.contexts is not None
        return self.platform.contexts.resolve(context_value)

    async def body(self) -> tuple[Any, str]:
        """The parsed JSON body and its media type. With application/ld+json and a single object,
        the body's `@context` becomes this call's context (a Link header then is an error)."""
        payload, kind = await read_json_body(self.request)
        if kind == JSON_LD:
            if self.request.headers.get("link") is not None and _has_context_link(self.request):
                raise BadRequestData("with application/ld+json the @context goes in the body only")
            if isinstance(payload, dict):
                self.context_value = payload.get("@context")
                self.__dict__.pop("ctx", None)
        return payload, kind

    def entity_context(self, item: Any, kind: str) -> ActiveContext:
        """The context for one element of an array body (batch operations): with ld+json each
        element carries its own @context."""
        if kind == JSON_LD:
            if not isinstance(item, dict) or "@context" not in item:
                raise BadRequestData("with application/ld+json every entity must carry @context")
            return self.resolve(item["@context"])
        return self.ctx

    def accept(self, *, geo: bool = False) -> str:
        """The negotiated response media type (406 when none is acceptable)."""
        return negotiate(self.request, geo=geo)

    def response_context(self) -> Any:
        """The @context to put in answers: the client's own, else the core context URL."""
        return self.context_value if self.context_value is not None else CORE_CONTEXT_URL

    def respond(
        self,
        body: Any,
        *,
        media: str = JSON,
        status: int = 200,
        headers: dict[str, str] | None = None,
        links: list[str] | None = None,
    ) -> Response:
        """Serialize `body` (compacted already) with the @context where the media type wants it;
        `links` (e.g. page links) join the @context link in the Link header."""
        out_headers = dict(headers or {})
        self._tenant_header(out_headers)
        context = self.response_context()
        if media == JSON_LD:
            body = _with_context(body, context)
        elif media == GEO_JSON and isinstance(body, dict) and not _prefers_json_body(self.request):
            body = {**body, "@context": context}  # clause 4.5.16: in the Feature(Collection)
        elif isinstance(context, str):
            out_headers["Link"] = link_header(context)
        elif media in (JSON, GEO_JSON):
            out_headers["Link"] = link_header(CORE_CONTEXT_URL)
        if links:
            out_headers["Link"] = ", ".join(
                [out_headers["Link"], *links] if "Link" in out_headers else links
            )
        return Response(
            orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS),
            status_code=status,
            headers=out_headers,
            media_type=media,
        )

    def empty(self, status: int = 204, headers: dict[str, str] | None = None) -> Response:
        out_headers = dict(headers or {})
        self._tenant_header(out_headers)
        return Response(status_code=status, headers=out_headers)

    def _tenant_header(self, headers: dict[str, str]) -> None:
        tenant = self.request.headers.get(TENANT_HEADER)
        if tenant is not None:
            headers["NGSILD-Tenant"] = tenant


def _prefers_json_body(request: Request) -> bool:
    """`Prefer: body=json` (clause 6.3.6): GeoJSON without @context, which the Link header gives."""
    prefer = request.headers.get("prefer")
    if prefer is None:
        return False
    tokens = (token.split(";")[0].replace(" ", "") for token in prefer.lower().split(","))
    return "body=json" in tokens


def _has_context_link(request: Request) -> bool:
    return parse_link_header(request.headers.get("link")) is not None


def _with_context(body: Any, context: Any) -> Any:
    if isinstance(body, dict):
        return {"@context": context, **body}
    if isinstance(body, list):
        return [_with_context(item, context) for item in body]
    return body


_BODY_METHODS = frozenset({"POST", "PATCH", "PUT"})
# Every query parameter some NGSI-LD operation defines (clause 6, GS CIM 009 v1.8–v1.9). A route
# refuses names that neither it declares nor any operation defines; routes that refuse more
# (discovery, subscriptions) check their own list.
_NGSI_LD_PARAMETERS = frozenset(
    {
        *("id", "type", "idPattern", "attrs", "pick", "omit", "q", "csf", "scopeQ"),
        *("georel", "geometry", "coordinates", "geoproperty", "geometryProperty"),
        *("lang", "options", "format", "local", "datasetId", "deleteAll", "details"),
        *("limit", "offset", "count", "timerel", "timeAt", "endTimeAt", "timeproperty"),
        *("lastN", "aggrMethods", "aggrPeriodDuration", "join", "joinLevel", "containedBy"),
        *("entityMap", "expandValues", "observedAt", "collect", "via"),
    }
)


def _preconditions(request: Request) -> None:
    """What every request must satisfy before anything else is looked at (clauses 6.3.4 and
    6.3.20): a body's Content-Length, and only the query parameters the operation defines."""
    if request.method in _BODY_METHODS and "content-length" not in request.headers:
        raise LengthRequired("a POST, PATCH or PUT request must carry Content-Length")
    if request.query_params:
        route = request.scope.get("route")
        if isinstance(route, APIRoute):
            unknown = set(request.query_params) - _query_names(route) - _NGSI_LD_PARAMETERS
            if unknown:
                names = ", ".join(sorted(unknown))
                raise InvalidRequest(f"this operation has no query parameter {names}")


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included (kept on the route)."""
    names: frozenset[str] | None = getattr(route, "_ngsi_ld_query_names", None)
    if names is None:
        found: set[str] = set()
        pending = [route.dependant]
        while pending:
            dependant = pending.pop()
            found.update(field.alias for field in dependant.query_params)
            pending.extend(dependant.dependencies)
        names = frozenset(found)
        route._ngsi_ld_query_names = names  # type: ignore[attr-defined]
    return names


def _call(permission: str, *, create_tenant: bool) -> Any:
    async def dependency(request: Request, platform: PlatformDep) -> AsyncIterator[Call]:
        _preconditions(request)
        link = parse_link_header(request.headers.get("link"))
        # Clause 5.5.10: only creations (POST) bring a tenant into being.
        creates = create_tenant and request.method == "POST"
        call = Call(request, platform, permission, create_tenant=creates, context_value=link)
        try:
            yield call
        finally:
            call.close()

    return Depends(dependency)


ReadCall = Annotated[Call, _call("context:read", create_tenant=False)]
WriteCall = Annotated[Call, _call("context:write", create_tenant=True)]
