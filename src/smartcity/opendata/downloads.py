"""Downloads of stored resource files, streamed from disk in chunks (never read whole)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from smartcity.core.errors import NotFound
from smartcity.opendata import access, service
from smartcity.opendata.models import Dataset
from smartcity.opendata.vocab import FORMATS
from smartcity.web.deps import PlatformDep, SessionDep

router = APIRouter(tags=["open data (downloads)"])

Ref = Annotated[str, PathParam(max_length=100)]
_MEDIA = {label: media for label, media in FORMATS.values()}


@router.get(
    "/dataset/{ref}/resource/{resource_id}/download/{filename}",
    summary="Download a stored resource file",
    response_class=FileResponse,
)
def download(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    ref: Ref,
    resource_id: Ref,
    filename: Ref,
) -> FileResponse:
    principal = access.catalogue_principal(request, platform, session)
    resource = service.get_resource(session, principal, resource_id)
    dataset = session.get(Dataset, resource.dataset_id)
    if dataset is None or ref not in (dataset.uid, dataset.name) or not resource.stored_path:
        raise NotFound(f"no stored file {filename!r} for this dataset and resource")
    path = Path(resource.stored_path)
    if not path.is_file():
        raise NotFound("the stored file is missing")
    return FileResponse(
        path,
        media_type=_MEDIA.get(resource.format, "application/octet-stream"),
        filename=filename,
    )
