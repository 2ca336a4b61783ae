"""The case workbench: queues per role with filters and search, and a case page with its
timeline, photos, deadline countdown and the transitions the viewer may take. Every change goes
through the case service, as the API's does; a refused transition is shown on the case page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from smartcity.cases import photos, service
from smartcity.cases.actors import actor_of
from smartcity.cases.catalogue import category_set
from smartcity.cases.schemas import PUBLIC_ID
from smartcity.cases.states import CaseSource, CaseStatus
from smartcity.cases.views import case_out, event_out
from smartcity.console import csrf
from smartcity.console.case_forms import forms_for, transition_data
from smartcity.console.deps import staff
from smartcity.console.i18n import translator
from smartcity.console.route import PageRoute
from smartcity.console.session import Viewer
from smartcity.console.templating import language, render
from smartcity.core.errors import NotFound, SmartCityError, ValidationFailed
from smartcity.geo import service as geo
from smartcity.geo.departments import list_departments
from smartcity.platform import Platform
from smartcity.security.roles import Role
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ReadViewer = Annotated[Viewer, staff("cases:read")]
ActViewer = Annotated[Viewer, staff("cases:act")]
CaseId = Annotated[str, Path(pattern=PUBLIC_ID)]
Text = Annotated[str, Query(max_length=32)]
Search = Annotated[str, Query(max_length=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Field = Annotated[str, Form(max_length=2000)]
PAGE = 50
# The queue a role starts on (its first piece of work); analysts and others see all cases.
HOME_QUEUE = {
    Role.HOTLINE_OPERATOR: "to_register",
    Role.DISPATCHER: "to_dispatch",
    Role.ADMIN: "to_register",
    Role.HANDLER: "department",
    Role.SUPERVISOR: "to_verify",
}
QUEUE_CHOICES = (*service.QUEUES, "all")
FORM_FIELDS = (
    "action",
    "reason",
    "category",
    "department",
    "into",
    "approved_by",
    "evidence",
    "note",
)
RUNNING = ("on_track", "warning", "overdue")  # deadline levels whose clock is ticking
COUNTDOWN_MESSAGES = ("countdown.left", "countdown.over", "countdown.days", "countdown.hours")


def _choice(value: str, allowed: Any, field: str) -> str | None:
    if not value:
        return None
    if value not in allowed:
        raise ValidationFailed(f"unknown {field} {value!r}", field=field)
    return value


def _departments(session: Session, tenant_id: int, lang: str) -> dict[str, str]:
    rows, _ = list_departments(session, tenant_id, limit=1000)
    return {d.code: (d.name_en or d.name_zh) if lang == "en" else d.name_zh for d in rows}


@router.get("/cases")
def cases_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ReadViewer,
    queue: Text = "",
    status: Text = "",
    category: Text = "",
    district: Text = "",
    source: Text = "",
    overdue: Text = "",
    q: Search = "",
    offset: Offset = 0,
) -> Response:
    tenant_id = viewer.principal.tenant_id
    lang = language(request)
    t = translator(lang)
    categories = category_set(session, tenant_id)
    districts = geo.list_districts(session, tenant_id)
    filtering = any((status, category, district, source, overdue, q.strip()))
    chosen_queue = _choice(queue, QUEUE_CHOICES, "queue") or (
        "all" if filtering else HOME_QUEUE.get(viewer.principal.role, "all")  # type: ignore[arg-type]
    )
    filters = service.CaseFilters(
        status=_choice(status, {s.value for s in CaseStatus}, "status"),
        category=_choice(category, categories.categories, "category"),
        district=_choice(district, {d.code for d in districts}, "district"),
        source=_choice(source, {s.value for s in CaseSource}, "source"),
        overdue={"yes": True, "no": False, None: None}[_choice(overdue, ("yes", "no"), "overdue")],
        q=q.strip() or None,
        queue=None if chosen_queue == "all" else chosen_queue,
    )
    rows, total = service.list_cases(
        session, platform, viewer.principal, filters, limit=PAGE, offset=offset
    )
    now = platform.clock.now()
    items = [case_out(c, categories, now) for c in rows]
    counts = {
        name: service.list_cases(
            session, platform, viewer.principal, service.CaseFilters(queue=name), limit=1
        )[1]
        for name in service.QUEUES
    }
    chosen = {
        "queue": chosen_queue,
        "status": filters.status or "",
        "category": filters.category or "",
        "district": filters.district or "",
        "source": filters.source or "",
        "overdue": overdue if filters.overdue is not None else "",
        "q": filters.q or "",
    }
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v and k != "q")
    return render(
        request,
        platform,
        "cases.html",
        viewer=viewer,
        cases=items,
        total=total,
        offset=offset,
        page_size=PAGE,
        queues=list(service.QUEUES),
        counts=counts,
        chosen=chosen,
        pager_query=query,
        statuses=list(CaseStatus),
        sources=list(CaseSource),
        categories=sorted(categories.assignable(), key=lambda c: c.code),
        districts=districts,
        district_names={d.code: t.pick(d.name_zh, d.name_en) for d in districts},
        departments=_departments(session, tenant_id, lang),
    )


def _case_page(
    request: Request,
    platform: Platform,
    session: Session,
    viewer: Viewer,
    case_id: str,
    *,
    status: int = 200,
    error: SmartCityError | None = None,
    submitted: dict[str, str] | None = None,
) -> Response:
    principal = viewer.principal
    case = service.get_case(session, principal, case_id)
    lang = language(request)
    categories = category_set(session, principal.tenant_id)
    actor = actor_of(session, principal)
    now = platform.clock.now()
    shown = case_out(
        case,
        categories,
        now,
        actor=actor,
        contact=service.contact_for(session, platform, principal, case),
    )
    pictures = photos.list_photos(session, case)
    deadline = shown.deadline
    due = deadline.due_at
    t = translator(lang)
    return render(
        request,
        platform,
        "case.html",
        viewer=viewer,
        status=status,
        case=shown,
        deadline=deadline,
        now=now,
        events=[event_out(e) for e in service.timeline(session, principal, case_id)],
        photos=pictures,
        forms=forms_for(case, actor, lang),
        categories=sorted(categories.assignable(), key=lambda c: c.code),
        category_names={
            c.code: t.pick(c.name_zh, c.name_en) for c in categories.categories.values()
        },
        departments=_departments(session, principal.tenant_id, lang),
        error=error,
        submitted={k: "" for k in FORM_FIELDS} | (submitted or {}),
        page_data={
            "lang": lang,
            "due": due.isoformat() if due else None,
            "now": now.isoformat(),
            "running": deadline.level in RUNNING,
            "messages": {k: t(k) for k in COUNTDOWN_MESSAGES},
        },
    )


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ReadViewer,
    case_id: CaseId,
) -> Response:
    return _case_page(request, platform, session, viewer, case_id)


@router.post("/cases/{case_id}/transition")
def take_transition(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ActViewer,
    case_id: CaseId,
    action: Annotated[str, Form(max_length=32)],
    csrf_token: Field = "",
    reason: Field = "",
    category: Field = "",
    department: Field = "",
    into: Field = "",
    approved_by: Field = "",
    evidence: Field = "",
    evidence_photo: Annotated[list[str], Form(max_length=200)] = [],  # noqa: B006
    rating: Field = "",
    note: Field = "",
) -> Response:
    """Take one transition; a refusal (role, state, missing field …) renders the case page
    again with the message and the form as it was filled in."""
    csrf.check(request, platform, csrf_token)
    form = {
        "reason": reason,
        "category": category,
        "department": department,
        "into": into,
        "approved_by": approved_by,
        "evidence": evidence,
        "evidence_photo": evidence_photo,
        "rating": rating,
        "note": note,
    }
    try:
        with platform.serialized_writes():
            service.transition_case(
                session, platform, viewer.principal, case_id, action, transition_data(action, form)
            )
    except NotFound:
        raise
    except SmartCityError as exc:
        session.rollback()
        submitted = {k: v for k, v in form.items() if isinstance(v, str)} | {"action": action}
        return _case_page(
            request,
            platform,
            session,
            viewer,
            case_id,
            status=exc.status_code,
            error=exc,
            submitted=submitted,
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/photos/{photo_id}")
def case_photo(
    platform: PlatformDep,
    session: SessionDep,
    viewer: ReadViewer,
    case_id: CaseId,
    photo_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> Response:
    photo = photos.get_photo(session, viewer.principal, case_id, photo_id)
    path = photos.photo_path(platform, photo)
    if not path.is_file():
        raise NotFound("the photo's file is missing from storage")
    return FileResponse(path, media_type=photo.media_type, headers={"Cache-Control": "private"})


@router.post("/cases/{case_id}/photos")
async def upload_photo(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    viewer: ActViewer,
    case_id: CaseId,
    file: Annotated[UploadFile, File()],
    csrf_token: Field = "",
) -> Response:
    """Attach a photo (the evidence of work done, a better view of the problem)."""
    csrf.check(request, platform, csrf_token)
    data = await file.read(photos.MAX_PHOTO_BYTES + 1)

    def work() -> Response:
        try:
            declared = photos.check_declared_type(file.content_type)
            with platform.serialized_writes():
                photos.add_photo(session, platform, viewer.principal, case_id, data, declared)
        except NotFound:
            raise
        except SmartCityError as exc:
            session.rollback()
            return _case_page(
                request, platform, session, viewer, case_id, status=exc.status_code, error=exc
            )
        return RedirectResponse(f"/cases/{case_id}#photos", status_code=303)

    return await run_in_threadpool(work)


@router.get("/cases/{case_id}/transition")
@router.get("/cases/{case_id}/photos")
def form_address(request: Request, case_id: CaseId) -> Response:
    """A form's address opened again (a language switch after a refusal): the case page."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/cases/{case_id}{query}", status_code=303)
