"""Routes of the device registry under /api/sensing: devices, their credentials, CSV import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from smartcity.core.errors import PayloadTooLarge, SmartCityError, ValidationFailed
from smartcity.geo.schemas import DEPARTMENT_CODE, MAX_OFFSET
from smartcity.security.principal import Principal
from smartcity.sensing import csv_import, health, service
from smartcity.sensing.credentials import IssuedCredentials
from smartcity.sensing.device_types import DEVICE_TYPES, DeviceKind, device_entity_id
from smartcity.sensing.health import FleetHealthOut, HealthGroupOut
from smartcity.sensing.models import Device
from smartcity.sensing.schemas import (
    DEVICE_ID,
    CredentialsIn,
    CredentialsOut,
    DeviceCreate,
    DeviceCreated,
    DeviceOut,
    DevicePage,
    DeviceTypeOut,
    DeviceUpdate,
    ImportErrorOut,
    ImportReportOut,
    Status,
)
from smartcity.web.deps import PlatformDep, SessionDep, require

router = APIRouter(prefix="/api/sensing", tags=["sensing"])

ReadDevices = Annotated[Principal, require("devices:read")]
WriteDevices = Annotated[Principal, require("devices:write")]
DeviceId = Annotated[str, Path(pattern=DEVICE_ID, description="the device's code")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
MAX_IMPORT_BYTES = 16 * 1024 * 1024
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


class UnsupportedMediaType(SmartCityError):
    status_code = 415
    code = "unsupported_media_type"


def device_out(device: Device) -> DeviceOut:
    kind = DEVICE_TYPES[DeviceKind(device.device_type)]
    return DeviceOut(
        device_id=device.device_id,
        name=device.name,
        type=kind.kind,
        type_name_zh=kind.name_zh,
        type_name_en=kind.name_en,
        sdm_type=kind.sdm_type,
        model=device.model,
        department=device.department_code,
        lon=device.lon,
        lat=device.lat,
        cell_code=device.cell_code,
        community_code=device.community_code,
        street_code=device.street_code,
        district_code=device.district_code,
        entity_id=device.entity_id,
        device_entity_id=device_entity_id(device.device_id),
        status=device.status,  # type: ignore[arg-type]
        last_seen_at=device.last_seen_at,
        battery_level=device.battery_level,
        rssi_dbm=device.rssi_dbm,
        credentials=device.credential_kinds,  # type: ignore[arg-type]
        api_key_prefix=device.api_key_prefix,
        mqtt_username=device.mqtt_username,
        credentials_issued_at=device.credentials_issued_at,
        created_at=device.created_at,
        updated_at=device.updated_at,
    )


def credentials_out(issued: IssuedCredentials) -> CredentialsOut:
    return CredentialsOut(
        device_id=issued.device_id,
        issued_at=issued.issued_at,
        api_key=issued.api_key,
        mqtt_username=issued.mqtt_username,
        mqtt_password=issued.mqtt_password,
    )


@router.get("/device-types", response_model=list[DeviceTypeOut])
def list_device_types(principal: ReadDevices) -> list[DeviceTypeOut]:
    """The kinds of device, each with the Smart Data Model of the entity it feeds."""
    return [
        DeviceTypeOut(
            type=t.kind,
            name_zh=t.name_zh,
            name_en=t.name_en,
            sdm_type=t.sdm_type,
            device_category=list(t.categories),
            controlled_property=list(t.controlled),
        )
        for t in service.device_types()
    ]


@router.get("/devices", response_model=DevicePage)
def list_devices(
    session: SessionDep,
    principal: ReadDevices,
    type: DeviceKind | None = None,
    status: Status | None = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    street: Annotated[str | None, Query(pattern=r"^\d{9}$")] = None,
    community: Annotated[str | None, Query(pattern=r"^\d{12}$")] = None,
    cell: Annotated[str | None, Query(pattern=r"^\d{15}$")] = None,
    department: Annotated[str | None, Query(pattern=DEPARTMENT_CODE.pattern)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DevicePage:
    """The city's devices by device id, narrowed by type, status, area or owner department."""
    filters = service.Filters(
        type=type.value if type else None,
        status=status,
        district=district,
        street=street,
        community=community,
        cell=cell,
        department=department,
    )
    rows, total = service.list_devices(
        session, principal.tenant_id, filters, limit=limit, offset=offset
    )
    return DevicePage(items=[device_out(d) for d in rows], total=total, limit=limit, offset=offset)


@router.post("/devices", response_model=DeviceCreated, status_code=status.HTTP_201_CREATED)
def create_device(
    platform: PlatformDep, session: SessionDep, principal: WriteDevices, body: DeviceCreate
) -> DeviceCreated:
    """Register a device; its credentials are in `issued`, shown only in this answer."""
    with platform.serialized_writes():
        device, issued = service.create_device(session, platform, principal, body)
    return DeviceCreated(**device_out(device).model_dump(), issued=credentials_out(issued))


@router.post(
    "/devices/import",
    response_model=ImportReportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "columns: "
            + ", ".join(csv_import.COLUMNS)
            + f" (required: {', '.join(csv_import.REQUIRED)})",
        }
    },
)
async def import_devices(
    request: Request, platform: PlatformDep, session: SessionDep, principal: WriteDevices
) -> ImportReportOut:
    """Create or update devices from CSV by device id; bad rows are reported, good rows kept."""
    media = request.headers.get("content-type", "text/csv").split(";")[0].strip().lower()
    if media not in CSV_TYPES:
        raise UnsupportedMediaType("send the file as text/csv")
    body = await request.body()
    if len(body) > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"an import may be at most {MAX_IMPORT_BYTES // 2**20} MiB")
    if not body.strip():
        raise ValidationFailed("the file is empty", field="file")

    def work() -> csv_import.ImportReport:
        with platform.serialized_writes():
            return csv_import.import_devices(session, platform, principal, body)

    report = await run_in_threadpool(work)
    return ImportReportOut(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        errors=[
            ImportErrorOut(row=e.row, device_id=e.device_id, field=e.field, message=e.message)
            for e in report.errors
        ],
        issued=[credentials_out(i) for i in report.issued],
    )


@router.get("/health", response_model=FleetHealthOut)
def fleet_health(
    platform: PlatformDep,
    session: SessionDep,
    principal: ReadDevices,
    type: DeviceKind | None = None,
    district: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> FleetHealthOut:
    """The fleet per device type and district: devices active, silent, faulty and retired,
    never reported, and the mean time since the last reading of those in service."""
    now = platform.clock.now()
    groups = health.fleet_health(
        session,
        principal.tenant_id,
        now,
        device_type=type.value if type else None,
        district=district,
    )
    items = [
        HealthGroupOut(
            device_type=g.device_type,
            type_name_zh=DEVICE_TYPES[DeviceKind(g.device_type)].name_zh,
            type_name_en=DEVICE_TYPES[DeviceKind(g.device_type)].name_en,
            district_code=g.district_code,
            district_name_zh=g.district_name_zh,
            district_name_en=g.district_name_en,
            total=g.total,
            never_reported=g.never_reported,
            mean_seconds_since_last_reading=g.mean_seconds_since_last_reading,
            **g.counts,
        )
        for g in groups
    ]
    return FleetHealthOut(at=now, items=items)


@router.get("/devices/{device_id}", response_model=DeviceOut)
def get_device(session: SessionDep, principal: ReadDevices, device_id: DeviceId) -> DeviceOut:
    return device_out(service.get_device(session, principal.tenant_id, device_id))


@router.patch("/devices/{device_id}", response_model=DeviceOut)
def update_device(
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteDevices,
    device_id: DeviceId,
    body: DeviceUpdate,
) -> DeviceOut:
    """Change what is sent; `status: retired` retires the device (its credentials stop)."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    with platform.serialized_writes():
        device, _ = service.update_device(
            session, platform, principal, device_id=device_id, changes=changes
        )
    return device_out(device)


@router.post("/devices/{device_id}/retire", response_model=DeviceOut)
def retire_device(
    platform: PlatformDep, session: SessionDep, principal: WriteDevices, device_id: DeviceId
) -> DeviceOut:
    """Take a device out of service: record and entity stay, credentials stop working."""
    with platform.serialized_writes():
        device = service.retire_device(session, platform, principal, device_id=device_id)
    return device_out(device)


@router.post("/devices/{device_id}/credentials", response_model=CredentialsOut)
def rotate_credentials(
    platform: PlatformDep,
    session: SessionDep,
    principal: WriteDevices,
    device_id: DeviceId,
    body: CredentialsIn | None = None,
) -> CredentialsOut:
    """Issue new credentials (shown only now); the old ones stop working at once."""
    kinds = body.kinds if body is not None else None
    with platform.serialized_writes():
        issued = service.rotate_credentials(
            session, platform, principal, device_id=device_id, kinds=kinds
        )
    return credentials_out(issued)


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_device(
    platform: PlatformDep, session: SessionDep, principal: WriteDevices, device_id: DeviceId
) -> Response:
    """Remove a device and its Device entity (to take one out of service, retire it)."""
    with platform.serialized_writes():
        service.delete_device(session, platform, principal, device_id=device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Ingestion's routes, already under /api/sensing, are added as they are: including the router
# would nest it, and the metrics label a nested route by its path inside that router.
from smartcity.sensing.ingest.api import router as ingest_router  # noqa: E402

router.routes.extend(ingest_router.routes)
