"""The citizen portal (public, phone-sized): report a problem with a category, a point picked on
the city's map, a description and a photo; get a request number and tracking token (shown once);
follow it by number and token; rate it after closure. Logged out, a report is filed as a citizen
of the default city through the case service, as `POST /api/cases` files a citizen's."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smartcity.cases import photos, service
from smartcity.cases.catalogue import category_set
from smartcity.cases.contacts import clean_contact
from smartcity.cases.views import track_out
from smartcity.console import csrf
from smartcity.console.deps import OptionalViewer
from smartcity.console.i18n import translator
from smartcity.console.map_layers import AREA_LAYERS
from smartcity.console.route import PageRoute
from smartcity.console.session import Viewer
from smartcity.console.templating import language, render
from smartcity.core.errors import NotFound, SmartCityError, ValidationFailed
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.principal import Principal
from smartcity.security.roles import Role, permissions_of
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Form(max_length=200)]
GEOJSON = "application/geo+json"
FORM_FIELDS = ("key", "category", "lon", "lat", "address", "description", "name", "phone")


def default_tenant(session: Session, platform: Platform) -> int:
    slug = platform.settings.default_tenant
    if slug not in platform.tenant_ids:
        platform.tenant_ids[slug] = security.get_tenant(session, slug=slug).id
    return platform.tenant_ids[slug]


def reporter(session: Session, platform: Platform, viewer: Viewer | None, key: str) -> Principal:
    """Who files a portal report: a logged-in citizen as themself; anyone else as a citizen of
    the default city known by the form's own key (so a resubmitted form finds its case)."""
    if viewer is not None and viewer.principal.role is Role.CITIZEN:
        return viewer.principal
    return Principal(
        tenant_id=default_tenant(session, platform),
        kind="portal",
        name=key,
        permissions=permissions_of(Role.CITIZEN),
        role=Role.CITIZEN,
    )


def _limit(request: Request, platform: Platform) -> None:
    assert platform.limiter is not None
    platform.limiter.hit(f"ip:{request.client.host if request.client else 'unknown'}")


def _form(
    request: Request,
    platform: Platform,
    session: Session,
    viewer: Viewer | None,
    *,
    status: int = 200,
    error: SmartCityError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    tenant_id = viewer.principal.tenant_id if viewer else default_tenant(session, platform)
    categories = category_set(session, tenant_id)
    t = translator(language(request))
    groups: dict[str, list[tuple[str, str]]] = {}
    for c in sorted(categories.assignable(), key=lambda c: c.code):
        parent = categories.categories.get(c.parent) if c.parent else None
        group = t.pick(parent.name_zh, parent.name_en) if parent else ""
        groups.setdefault(group, []).append((c.code, t.pick(c.name_zh, c.name_en)))
    page_data = {
        "messages": {k: t(k) for k in ("report.picked", "report.pick_hint", "map.loading")},
    }
    return render(
        request,
        platform,
        "report.html",
        viewer=viewer,
        status=status,
        groups=groups,
        error=error,
        values={k: "" for k in FORM_FIELDS} | (values or {}),
        form_key=(values or {}).get("key") or secrets.token_urlsafe(18),
        page_data=page_data,
    )


@router.get("/report")
def report_page(
    request: Request, platform: PlatformDep, session: SessionDep, viewer: OptionalViewer
) -> Response:
    return _form(request, platform, session, viewer)


@router.get("/report/areas.geojson")
def report_areas(request: Request, platform: PlatformDep, session: SessionDep) -> Response:
    """The default city's districts for the portal's map (public, like the city's shape)."""
    token, body, packed = AREA_LAYERS.get(session, default_tenant(session, platform), "district")
    headers = {"ETag": f'"district-{token}"', "Cache-Control": "public, no-cache"}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        body = packed
    return Response(body, media_type=GEOJSON, headers=headers)


def _number(value: str, field: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed("pick the place of the problem on the map", field=field) from None
    return number


@router.post("/report")
async def submit_report(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: OptionalViewer,
    csrf_token: Short = "",
    key: Annotated[str, Form(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = "",
    category: Short = "",
    lon: Short = "",
    lat: Short = "",
    address: Annotated[str, Form(max_length=500)] = "",
    description: Text = "",
    name: Short = "",
    phone: Short = "",
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    csrf.check(request, platform, csrf_token)
    _limit(request, platform)
    data = await photo.read(photos.MAX_PHOTO_BYTES + 1) if photo is not None else b""
    declared = photo.content_type if photo is not None else None
    values = {
        "key": key,
        "category": category,
        "lon": lon,
        "lat": lat,
        "address": address,
        "description": description,
        "name": name,
        "phone": phone,
    }

    def work() -> Response:
        try:
            if not category:
                raise ValidationFailed("choose the kind of problem", field="category")
            if not description.strip():
                raise ValidationFailed("describe the problem", field="description")
            spec = service.CaseReport(
                category=category,
                lon=_number(lon, "lon"),
                lat=_number(lat, "lat"),
                address=address.strip(),
                description=description.strip(),
                contact=clean_contact(name or None, phone or None),
                idempotency_key=f"portal:{key}" if key else None,
            )
            media = None
            if data:  # checked before anything is stored: a bad photo files no case
                media = photos.check_declared_type(declared)
                photos.inspect_image(data, media)
            principal = reporter(session, platform, viewer, key or secrets.token_urlsafe(18))
            with platform.serialized_writes():
                reported = service.report_case(session, platform, principal, spec)
                if media is not None and reported.created:
                    photos.add_photo(
                        session, platform, principal, reported.case.public_id, data, media
                    )
        except SmartCityError as exc:
            session.rollback()
            return _form(
                request, platform, session, viewer, status=exc.status_code, error=exc, values=values
            )
        return render(
            request,
            platform,
            "report_done.html",
            viewer=viewer,
            status=201 if reported.created else 200,
            case_id=reported.case.public_id,
            token=reported.token,
        )

    return await run_in_threadpool(work)


def _track_page(
    request: Request,
    platform: Platform,
    session: Session,
    viewer: Viewer | None,
    case_id: str = "",
    token: str = "",
    *,
    status: int = 200,
    error: SmartCityError | None = None,
) -> Response:
    found = None
    if case_id and token:
        case = service.track_case(session, case_id, token)
        found = track_out(
            case, category_set(session, case.tenant_id), service.tracked_events(session, case)
        )
    return render(
        request,
        platform,
        "track.html",
        viewer=viewer,
        status=status,
        case_id=case_id,
        token=token,
        found=found,
        error=error,
    )


@router.get("/report/track")
def track_page(
    request: Request, platform: PlatformDep, session: SessionDep, viewer: OptionalViewer
) -> Response:
    return _track_page(request, platform, session, viewer)


Ident = Annotated[str, Form(max_length=32)]
Token = Annotated[str, Form(max_length=64)]


@router.post("/report/track")
def track_lookup(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: OptionalViewer,
    case_id: Ident = "",
    token: Token = "",
    csrf_token: Short = "",
) -> Response:
    """Look a request up by its number and token (a POST keeps the token out of addresses)."""
    csrf.check(request, platform, csrf_token)
    _limit(request, platform)
    case_id, token = case_id.strip().upper(), token.strip()
    try:
        if not case_id or not token:
            raise ValidationFailed("give the request number and its token", field="case_id")
        return _track_page(request, platform, session, viewer, case_id, token)
    except (NotFound, ValidationFailed) as exc:
        return _track_page(
            request, platform, session, viewer, case_id, status=exc.status_code, error=exc
        )


@router.post("/report/track/rating")
def rate(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: OptionalViewer,
    case_id: Ident = "",
    token: Token = "",
    rating: Annotated[str, Form(max_length=4)] = "",
    note: Text = "",
    csrf_token: Short = "",
) -> Response:
    """The reporter's rating (1–5) after closure, through the same service as the API's."""
    csrf.check(request, platform, csrf_token)
    _limit(request, platform)
    try:
        if not rating.isdigit():
            raise ValidationFailed("choose a rating from 1 to 5", field="rating")
        with platform.serialized_writes():
            service.rate_by_token(
                session, platform, case_id, token, int(rating), note.strip() or None
            )
    except NotFound as exc:
        return _track_page(
            request, platform, session, viewer, case_id, status=exc.status_code, error=exc
        )
    except SmartCityError as exc:
        session.rollback()
        return _track_page(
            request, platform, session, viewer, case_id, token, status=exc.status_code, error=exc
        )
    return _track_page(request, platform, session, viewer, case_id, token)


@router.get("/report/track/rating")
def rating_address(request: Request) -> Response:
    """The address a rating was posted to, opened again (a language switch): the tracking form."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/report/track{query}", status_code=303)
