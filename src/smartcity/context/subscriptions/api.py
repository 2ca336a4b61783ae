"""/ngsi-ld/v1/subscriptions (clauses 6.10 and 6.11): create, query, retrieve, update, delete."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from smartcity.context import params
from smartcity.context.edge import BASE, Call, ReadCall, WriteCall
from smartcity.context.errors import InvalidRequest
from smartcity.context.params import LimitParam, OffsetParam, OptionsParam
from smartcity.context.subscriptions import service
from smartcity.context.subscriptions.present import present

router = APIRouter(tags=["NGSI-LD"])
SUBSCRIPTIONS = BASE + "/subscriptions"
SUBSCRIPTION = SUBSCRIPTIONS + "/{subscriptionId}"
RESULTS_COUNT = "NGSILD-Results-Count"


def _only(call: Call, *allowed: str) -> None:
    unknown = sorted(set(call.request.query_params) - set(allowed))
    if unknown:
        raise InvalidRequest(f"this resource has no query parameter {', '.join(unknown)}")


def _sys_attrs(options: str | None) -> bool:
    return params.parse_options(options).sys_attrs


@router.post(SUBSCRIPTIONS, status_code=201, summary="Create subscription")
@router.post(SUBSCRIPTIONS + "/", status_code=201, include_in_schema=False)
async def create_subscription(call: WriteCall) -> Response:
    _only(call)
    payload, _kind = await call.body()
    subscription_id = service.create_subscription(
        call.session,
        call.tenant_id,
        payload,
        ctx=call.ctx,
        context=call.context_value,
        now=call.now,
        allow_private=call.platform.settings.notify_allow_private,
        check_context=call.resolve,
    )
    return call.empty(201, {"Location": f"{SUBSCRIPTIONS}/{subscription_id}"})


def _page_links(size: int, start: int, total: int, media: str) -> str | None:
    links = []
    if start > 0 and size > 0:
        previous = max(start - size, 0)
        links.append(f'<{SUBSCRIPTIONS}?limit={size}&offset={previous}>;rel="prev";type="{media}"')
    if size > 0 and start + size < total:
        links.append(
            f'<{SUBSCRIPTIONS}?limit={size}&offset={start + size}>;rel="next";type="{media}"'
        )
    return ",".join(links) or None


@router.get(SUBSCRIPTIONS, summary="Query subscriptions")
@router.get(SUBSCRIPTIONS + "/", include_in_schema=False)
def query_subscriptions(
    call: ReadCall,
    limit: LimitParam = None,
    offset: OffsetParam = None,
    count: bool = False,
    options: OptionsParam = None,
) -> Response:
    _only(call, "limit", "offset", "count", "options")
    media = call.accept()
    size, start = params.page(limit, offset, count)
    rows, total = service.list_subscriptions(
        call.session, call.tenant_id, limit=size, offset=start, count=True
    )
    sys_attrs = _sys_attrs(options)
    body = [present(row, call.ctx, call.now, sys_attrs=sys_attrs) for row in rows]
    headers = {RESULTS_COUNT: str(total)} if count else {}
    response = call.respond(body, media=media, headers=headers)
    pages = _page_links(size, start, total or 0, media)
    if pages:
        existing = response.headers.get("Link")
        response.headers["Link"] = f"{existing},{pages}" if existing else pages
    return response


@router.get(SUBSCRIPTION, summary="Retrieve subscription")
def retrieve_subscription(
    call: ReadCall, subscriptionId: str, options: OptionsParam = None
) -> Response:
    _only(call, "options")
    media = call.accept()
    row = service.get_subscription(call.session, call.tenant_id, subscriptionId)
    body = present(row, call.ctx, call.now, sys_attrs=_sys_attrs(options))
    return call.respond(body, media=media)


@router.patch(SUBSCRIPTION, status_code=204, summary="Update subscription")
async def update_subscription(call: WriteCall, subscriptionId: str) -> Response:
    _only(call)
    service.checked_id(subscriptionId)
    fragment, _kind = await call.body()
    service.update_subscription(
        call.session,
        call.tenant_id,
        subscriptionId,
        fragment,
        ctx=call.ctx,
        now=call.now,
        allow_private=call.platform.settings.notify_allow_private,
        check_context=call.resolve,
    )
    return call.empty(204)


@router.delete(SUBSCRIPTION, status_code=204, summary="Delete subscription")
def delete_subscription(call: WriteCall, subscriptionId: str) -> Response:
    _only(call)
    service.delete_subscription(call.session, call.tenant_id, subscriptionId)
    return call.empty(204)
