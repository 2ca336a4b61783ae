"""The cases part's HTTP routes under /api/cases; `ROUTERS` are mounted by the app factory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Header, Path, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from smartcity.cases import photos, service
from smartcity.cases.actors import actor_of
from smartcity.cases.catalogue import category_set
from smartcity.cases.catalogue_api import router as catalogue_router
from smartcity.cases.contacts import Contact, clean_contact
from smartcity.cases.evaluation_api import router as evaluation_router
from smartcity.cases.models import Case
from smartcity.cases.open311_api import router as open311_router
from smartcity.cases.schemas import (
    PUBLIC_ID,
    CaseCreated,
    CaseIn,
    CaseOut,
    CasePage,
    EventOut,
    PhotoOut,
    RatingIn,
    TrackOut,
    TransitionIn,
)
from smartcity.cases.states import CaseSource
from smartcity.cases.views import case_out, event_out, photo_out, track_out
from smartcity.core.errors import ValidationFailed
from smartcity.geo.schemas import MAX_OFFSET
from smartcity.platform import Platform
from smartcity.security.principal import Principal
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/cases", tags=["cases"])

Report = Annotated[Principal, require("cases:report")]
Read = Annotated[Principal, require("cases:read")]
Act = Annotated[Principal, require("cases:act")]
CaseId = Annotated[str, Path(pattern=PUBLIC_ID, description="e.g. SH20260105-000123")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
Queue = Annotated[str, Path(pattern="^(" + "|".join(service.QUEUES) + ")$")]


def _show(session: SessionDep, platform: Platform, principal: Principal, case: Case) -> CaseOut:
    """One case for its detail view, with the contact as this principal may see it."""
    return case_out(
        case,
        category_set(session, case.tenant_id),
        platform.clock.now(),
        actor=actor_of(session, principal),
        contact=service.contact_for(session, platform, principal, case),
    )


@router.post("", response_model=CaseCreated, status_code=status.HTTP_201_CREATED)
def report_case(
    response: Response,
    platform: PlatformDep,
    session: SessionDep,
    principal: Report,
    body: CaseIn,
    idempotency_key: Annotated[
        str | None, Header(max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    ] = None,
) -> CaseCreated:
    """Report a problem (citizens, supervisors) or take a 12345 call (`source: hotline`, with
    the caller's contact). A repeated idempotency key answers 200 with the case it opened."""
    contact = body.contact or None
    spec = service.CaseReport(
        category=body.category,
        lon=body.lon,
        lat=body.lat,
        address=body.address,
        description=body.description,
        source=CaseSource(body.source),
        priority=body.priority,
        contact=clean_contact(contact.name, contact.phone) if contact else Contact(),
        idempotency_key=body.idempotency_key or idempotency_key,
    )
    with platform.serialized_writes():
        reported = service.report_case(session, platform, principal, spec)
    if not reported.created:
        response.status_code = status.HTTP_200_OK
    shown = _show(session, platform, principal, reported.case)
    return CaseCreated(**shown.model_dump(), tracking_token=reported.token)


@router.get("", response_model=CasePage)
def list_cases(
    platform: PlatformDep,
    session: SessionDep,
    principal: Read,
    status: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[str | None, Query(max_length=16)] = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    street: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
    source: CaseSource | None = None,
    overdue: bool | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CasePage:
    """The cases this caller may see, newest first. Contacts never appear in lists."""
    filters = service.CaseFilters(
        status=status,
        category=category,
        district=district,
        street=street,
        department=department,
        source=source.value if source else None,
        overdue=overdue,
        q=q,
    )
    return _page(session, platform, principal, filters, limit, offset)


def _page(
    session: SessionDep,
    platform: Platform,
    principal: Principal,
    filters: service.CaseFilters,
    limit: int,
    offset: int,
) -> CasePage:
    rows, total = service.list_cases(
        session, platform, principal, filters, limit=limit, offset=offset
    )
    actor = actor_of(session, principal)
    categories = category_set(session, principal.tenant_id)
    now = platform.clock.now()
    items = [case_out(c, categories, now, actor=actor) for c in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


@router.get("/queues/{queue}", response_model=CasePage)
def queue(
    platform: PlatformDep,
    session: SessionDep,
    principal: Read,
    queue: Queue,
    limit: Limit = 50,
    offset: Offset = 0,
) -> CasePage:
    """A workbench queue: to_register, to_dispatch, department (a handler's own), to_verify."""
    filters = service.CaseFilters(queue=queue)
    return _page(session, platform, principal, filters, limit, offset)


@router.get("/track/{case_id}", response_model=TrackOut)
def track(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    case_id: CaseId,
    token: Annotated[str, Query(min_length=1, max_length=64)],
) -> TrackOut:
    """Citizens follow their case by its id and tracking token, without logging in."""
    _limit_by_address(request, platform)
    case = service.track_case(session, case_id, token)
    events = service.tracked_events(session, case)
    return track_out(case, category_set(session, case.tenant_id), events)


@router.post("/track/{case_id}/rating", response_model=TrackOut)
def rate(
    request: Request, platform: PlatformDep, session: SessionDep, case_id: CaseId, body: RatingIn
) -> TrackOut:
    """The reporter's satisfaction rating (1–5) once the case is closed."""
    _limit_by_address(request, platform)
    with platform.serialized_writes():
        case = service.rate_by_token(session, platform, case_id, body.token, body.rating, body.note)
    events = service.tracked_events(session, case)
    return track_out(case, category_set(session, case.tenant_id), events)


def _limit_by_address(request: Request, platform: Platform) -> None:
    assert platform.limiter is not None
    platform.limiter.hit(f"ip:{request.client.host if request.client else 'unknown'}")


@router.get("/{case_id}", response_model=CaseOut)
def get_case(
    platform: PlatformDep, session: SessionDep, principal: Act, case_id: CaseId
) -> CaseOut:
    """One case; the reporter's contact in clear only for cases:contact holders and the
    reporter, masked for everyone else."""
    return _show(session, platform, principal, service.get_case(session, principal, case_id))


@router.get("/{case_id}/timeline", response_model=list[EventOut])
def timeline(session: SessionDep, principal: Act, case_id: CaseId) -> list[EventOut]:
    return [event_out(e) for e in service.timeline(session, principal, case_id)]


@router.post("/{case_id}/transitions", response_model=CaseOut)
def transition(
    platform: PlatformDep, session: SessionDep, principal: Act, case_id: CaseId, body: TransitionIn
) -> CaseOut:
    """Take a workflow transition (`register`, `dispatch`, `accept`, `handle`, `verify` …)."""
    with platform.serialized_writes():
        case = service.transition_case(
            session, platform, principal, case_id, body.action, body.data
        )
    return _show(session, platform, principal, case)


@router.post("/{case_id}/photos", response_model=PhotoOut, status_code=status.HTTP_201_CREATED)
async def upload_photo(
    platform: PlatformDep,
    session: SessionDep,
    principal: Act,
    case_id: CaseId,
    file: Annotated[UploadFile, File(description="a JPEG, PNG or WebP image")],
) -> PhotoOut:
    """Attach a photo (JPEG, PNG or WebP, at most 8 MiB), checked as a real image."""
    declared = photos.check_declared_type(file.content_type)
    data = await file.read(photos.MAX_PHOTO_BYTES + 1)

    def work() -> PhotoOut:
        with platform.serialized_writes():
            photo = photos.add_photo(session, platform, principal, case_id, data, declared)
        return photo_out(service.get_case(session, principal, case_id), photo)

    return await run_in_threadpool(work)


@router.get("/{case_id}/photos", response_model=list[PhotoOut])
def list_photos(session: SessionDep, principal: Act, case_id: CaseId) -> list[PhotoOut]:
    case = service.get_case(session, principal, case_id)
    return [photo_out(case, p) for p in photos.list_photos(session, case)]


@router.get("/{case_id}/photos/{photo_id}", response_class=FileResponse)
def download_photo(
    platform: PlatformDep,
    session: SessionDep,
    principal: Act,
    case_id: CaseId,
    photo_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> FileResponse:
    photo = photos.get_photo(session, principal, case_id, photo_id)
    path = photos.photo_path(platform, photo)
    if not path.is_file():
        raise ValidationFailed("the photo's file is missing from storage", field="photo_id")
    return FileResponse(path, media_type=photo.media_type)


ROUTERS: list[APIRouter] = [catalogue_router, evaluation_router, router, open311_router]
