"""Case photos: checked as real JPEG, PNG or WebP images, stored once under data_dir/photos by
their SHA-256, described in `case_photos`."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity.cases.actors import actor_id
from smartcity.cases.models import Case, CasePhoto
from smartcity.cases.service import get_case
from smartcity.core.errors import NotFound, PayloadTooLarge, SmartCityError, ValidationFailed
from smartcity.platform import Platform
from smartcity.security import audit
from smartcity.security.principal import Principal

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 20
MAX_PIXELS = 40_000_000  # beyond this an image is a decompression bomb, not a photo
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class UnsupportedMediaType(SmartCityError):
    status_code = 415
    code = "unsupported_media_type"


def check_declared_type(content_type: str | None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "image/jpg":
        media = "image/jpeg"
    if media not in EXTENSIONS:
        raise UnsupportedMediaType("a photo must be JPEG, PNG or WebP", field="file")
    return media


def inspect_image(data: bytes, declared: str) -> tuple[str, int, int]:
    """The image's real media type and size in pixels; anything else is refused."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(f"a photo may be at most {MAX_PHOTO_BYTES // 2**20} MiB")
    if not data:
        raise ValidationFailed("the file is empty", field="file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise ValidationFailed("the image has too many pixels", field="file")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed("the file is not a readable image", field="file") from None
    media = FORMATS.get(kind or "")
    if media is None:
        raise UnsupportedMediaType("a photo must be JPEG, PNG or WebP", field="file")
    if media != declared:
        raise ValidationFailed(f"the file is {media}, not {declared}", field="file")
    return media, width, height


def photo_path(platform: Platform, photo: CasePhoto) -> Path:
    ext = EXTENSIONS[photo.media_type]
    return platform.settings.data_dir / "photos" / photo.sha256[:2] / f"{photo.sha256}.{ext}"


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return  # the same content is already stored
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def add_photo(
    session: Session,
    platform: Platform,
    principal: Principal,
    public_id: str,
    data: bytes,
    content_type: str | None,
) -> CasePhoto:
    """Attach a photo to a case the principal may see."""
    declared = check_declared_type(content_type)
    case = get_case(session, principal, public_id)
    media, width, height = inspect_image(data, declared)
    count = session.scalar(select(func.count()).where(CasePhoto.case_id == case.id)) or 0
    if count >= MAX_PHOTOS:
        raise ValidationFailed(f"a case holds at most {MAX_PHOTOS} photos", field="file")
    photo = CasePhoto(
        case_id=case.id,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media,
        size_bytes=len(data),
        width=width,
        height=height,
        uploaded_by=actor_id(principal),
        uploaded_at=platform.clock.now(),
    )
    _write_once(photo_path(platform, photo), data)
    session.add(photo)
    session.flush()
    audit.record(
        session,
        platform.clock,
        principal,
        action="case.photo",
        entity_type="case",
        entity_id=case.public_id,
        after={"photo": photo.id, "sha256": photo.sha256, "size": photo.size_bytes},
    )
    session.commit()
    return photo


def list_photos(session: Session, case: Case) -> list[CasePhoto]:
    return list(
        session.scalars(
            select(CasePhoto).where(CasePhoto.case_id == case.id).order_by(CasePhoto.id)
        )
    )


def get_photo(session: Session, principal: Principal, public_id: str, photo_id: int) -> CasePhoto:
    case = get_case(session, principal, public_id)
    photo = session.get(CasePhoto, photo_id)
    if photo is None or photo.case_id != case.id:
        raise NotFound(f"no photo {photo_id} on case {public_id}")
    return photo
