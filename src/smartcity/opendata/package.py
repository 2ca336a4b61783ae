"""Catalogue rows as CKAN's dictionaries: packages, resources, organisations, groups.

Lists are built with one query per related table, not one per dataset.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.opendata.models import (
    Dataset,
    DatasetGroup,
    DatasetTag,
    Group,
    Organisation,
    Resource,
)
from smartcity.opendata.vocab import FORMATS, FREQUENCY_BASE, LICENCES, THEME_BASE

_MEDIA_TYPES = {label: media for label, media in FORMATS.values()}


def ckan_time(value: datetime) -> str:
    """CKAN's timestamps: ISO 8601 in UTC without an offset, to the microsecond."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organisation_dict(org: Organisation, package_count: int | None = None) -> dict[str, Any]:
    out = _publisher_dict(org, "organization")
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(group: Group, package_count: int | None = None) -> dict[str, Any]:
    out = _publisher_dict(group, "group")
    if package_count is not None:
        out["package_count"] = package_count
    return out


def _publisher_dict(row: Organisation | Group, kind: str) -> dict[str, Any]:
    return {
        "id": row.uid,
        "name": row.name,
        "title": row.title_zh,
        "display_name": row.title_zh,
        "title_translated": {"zh": row.title_zh, "en": row.title_en},
        "description": row.description,
        "type": kind,
        "is_organization": kind == "organization",
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": ckan_time(row.created_at),
    }


def resource_dict(resource: Resource, dataset_uid: str) -> dict[str, Any]:
    return {
        "id": resource.uid,
        "package_id": dataset_uid,
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": _MEDIA_TYPES.get(resource.format),
        "url": resource.url,
        "url_type": "upload" if resource.stored_path else None,
        "size": resource.size,
        "hash": resource.hash or "",
        "datastore_active": resource.datastore_active,
        "position": resource.position,
        "state": "active",
        "created": ckan_time(resource.created_at),
        "last_modified": ckan_time(resource.modified_at),
        "metadata_modified": ckan_time(resource.modified_at),
    }


def _extras(dataset: Dataset) -> list[dict[str, str]]:
    """DCAT fields as ckanext-dcat names them, then the publisher's own extras, sorted by key."""
    dcat: dict[str, str | None] = {
        "title_en": dataset.title_en or None,
        "notes_en": dataset.notes_en or None,
        "theme": json.dumps([THEME_BASE + t for t in dataset.themes]) if dataset.themes else None,
        "frequency": FREQUENCY_BASE + dataset.frequency if dataset.frequency else None,
        "spatial_districts": ",".join(dataset.spatial_districts) or None,
        "spatial": json.dumps(bbox_polygon(dataset.spatial_bbox)) if dataset.spatial_bbox else None,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "contact_name": dataset.contact_name or None,
        "contact_email": dataset.contact_email,
        "contact_url": dataset.contact_url,
        "landing_page": dataset.landing_page,
    }
    merged = {k: v for k, v in dcat.items() if v is not None}
    merged.update({k: v for k, v in (dataset.extras or {}).items() if k not in merged})
    return [{"key": k, "value": merged[k]} for k in sorted(merged)]


def bbox_polygon(bbox: list[float]) -> dict[str, Any]:
    w, s, e, n = bbox
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def package_dicts(session: Session, datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    """Package dicts of these datasets, in their order."""
    if not datasets:
        return []
    ids = [d.id for d in datasets]
    orgs = {
        o.id: o
        for o in session.scalars(
            select(Organisation).where(Organisation.id.in_({d.organisation_id for d in datasets}))
        )
    }
    tags: dict[int, list[str]] = defaultdict(list)
    for dataset_id, name in session.execute(
        select(DatasetTag.dataset_id, DatasetTag.name)
        .where(DatasetTag.dataset_id.in_(ids))
        .order_by(DatasetTag.name)
    ):
        tags[dataset_id].append(name)
    groups: dict[int, list[Group]] = defaultdict(list)
    for dataset_id, group in session.execute(
        select(DatasetGroup.dataset_id, Group)
        .join(Group, Group.id == DatasetGroup.group_id)
        .where(DatasetGroup.dataset_id.in_(ids))
        .order_by(Group.name)
    ):
        groups[dataset_id].append(group)
    resources: dict[int, list[Resource]] = defaultdict(list)
    for resource in session.scalars(
        select(Resource).where(Resource.dataset_id.in_(ids)).order_by(Resource.position)
    ):
        resources[resource.dataset_id].append(resource)
    return [
        _package(d, orgs[d.organisation_id], tags[d.id], groups[d.id], resources[d.id])
        for d in datasets
    ]


def package_dict(session: Session, dataset: Dataset) -> dict[str, Any]:
    return package_dicts(session, [dataset])[0]


def _package(
    d: Dataset, org: Organisation, tags: list[str], groups: list[Group], resources: list[Resource]
) -> dict[str, Any]:
    licence = LICENCES.get(d.license_id)
    return {
        "id": d.uid,
        "name": d.name,
        "type": "dataset",
        "state": "active",
        "title": d.title_zh,
        "title_translated": {"zh": d.title_zh, "en": d.title_en},
        "notes": d.notes_zh,
        "notes_translated": {"zh": d.notes_zh, "en": d.notes_en},
        "owner_org": org.uid,
        "organization": organisation_dict(org),
        "private": d.private,
        "license_id": d.license_id,
        "license_title": licence.title if licence else d.license_id,
        "license_url": licence.url if licence else "",
        "isopen": bool(licence and licence.open),
        "version": d.version,
        "url": d.landing_page or "",
        "author": org.title_zh,
        "author_email": None,
        "maintainer": d.contact_name,
        "maintainer_email": d.contact_email,
        "metadata_created": ckan_time(d.created_at),
        "metadata_modified": ckan_time(d.modified_at),
        "creator_user_id": None,
        "tags": [
            {"name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in tags
        ],
        "num_tags": len(tags),
        "groups": [
            {
                "id": g.uid,
                "name": g.name,
                "title": g.title_zh,
                "display_name": g.title_zh,
                "description": g.description,
            }
            for g in groups
        ],
        "resources": [resource_dict(r, d.uid) for r in resources],
        "num_resources": len(resources),
        "extras": _extras(d),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
