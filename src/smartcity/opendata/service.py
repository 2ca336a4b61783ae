"""The catalogue's rules for datasets and their resources (organisations: organisations.py).

Every change is audited and, for a public dataset, recorded as a new published version.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import Forbidden, NotFound, ValidationFailed
from smartcity.opendata import access, files
from smartcity.opendata.datastore import tables
from smartcity.opendata.models import (
    Dataset,
    DatasetGroup,
    DatasetTag,
    DatasetVersion,
    Group,
    Organisation,
    Resource,
)
from smartcity.opendata.package import package_dict
from smartcity.opendata.schemas import invalid
from smartcity.security import audit
from smartcity.security.principal import Principal

NAME_IN_USE = "That URL is already in use."


def by_ref(session: Session, model: Any, tenant_id: int, ref: str) -> Any:
    """A row of the tenant found by its public id or its name."""
    stmt = select(model).where(
        model.tenant_id == tenant_id, or_(model.uid == ref, model.name == ref)
    )
    return session.scalars(stmt).first()


def get_dataset(session: Session, principal: Principal, ref: str) -> Dataset:
    """A dataset the principal may read; private ones of others raise Forbidden, as CKAN does."""
    dataset = by_ref(session, Dataset, principal.tenant_id, ref)
    if dataset is None:
        raise NotFound("Dataset not found")
    if not access.may_read(session, principal, dataset):
        raise Forbidden(f"User {principal.name} not authorized to read package {ref}")
    return dataset


def get_resource(session: Session, principal: Principal, ref: str) -> Resource:
    row = session.execute(
        select(Resource, Dataset)
        .join(Dataset, Dataset.id == Resource.dataset_id)
        .where(Resource.uid == ref, Dataset.tenant_id == principal.tenant_id)
    ).first()
    if row is None:
        raise NotFound("Resource was not found.")
    if not access.may_read(session, principal, row.Dataset):
        raise Forbidden(f"User {principal.name} not authorized to read resource {ref}")
    return row.Resource


def audit_change(
    session: Session,
    clock: Clock,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    def plain(d: dict[str, Any] | None) -> dict[str, Any] | None:
        return (
            None
            if d is None
            else {
                k: v if isinstance(v, str | int | float | bool | list | dict | None) else str(v)
                for k, v in d.items()
            }
        )

    audit.record(
        session,
        clock,
        principal,
        action=f"opendata.{action}",
        entity_type=f"opendata.{entity_type}",
        entity_id=entity_id,
        before=plain(before),
        after=plain(after),
    )


# -- datasets ----------------------------------------------------------------------------------


def create_dataset(
    session: Session, clock: Clock, principal: Principal, fields: dict[str, Any]
) -> Dataset:
    """package_create: the caller must edit the owning organisation; the name must be free."""
    org = _owner(session, principal, fields.pop("owner_org"))
    if by_ref(session, Dataset, principal.tenant_id, fields["name"]) is not None:
        raise invalid("name", NAME_IN_USE)
    tags, groups = fields.pop("tags", []), fields.pop("groups", [])
    resources = fields.pop("resources", [])
    now = clock.now()
    fields.setdefault("title_en", "")
    dataset = Dataset(
        tenant_id=principal.tenant_id,
        uid=str(uuid.uuid4()),
        organisation_id=org.id,
        revision=1,
        created_at=now,
        modified_at=now,
        created_by=principal.name,
        **fields,
    )
    session.add(dataset)
    session.flush()
    _set_tags(session, dataset, tags)
    _set_groups(session, principal, dataset, groups)
    _set_resources(session, clock, dataset, resources)
    _published(session, clock, principal, dataset, "package_create", before=None)
    session.commit()
    return dataset


def update_dataset(
    session: Session, clock: Clock, principal: Principal, ref: str, fields: dict[str, Any]
) -> Dataset:
    """package_update: the fields sent replace the stored ones; the others stay."""
    dataset = get_dataset(session, principal, ref)
    access.require_editor(session, principal, session.get(Organisation, dataset.organisation_id))
    before = package_dict(session, dataset)
    if "owner_org" in fields:
        dataset.organisation_id = _owner(session, principal, fields.pop("owner_org")).id
    name = fields.get("name")
    if name and name != dataset.name and by_ref(session, Dataset, principal.tenant_id, name):
        raise invalid("name", NAME_IN_USE)
    if "tags" in fields:
        _set_tags(session, dataset, fields.pop("tags"))
    if "groups" in fields:
        _set_groups(session, principal, dataset, fields.pop("groups"))
    removed: list[str] = []
    if "resources" in fields:
        removed = _set_resources(session, clock, dataset, fields.pop("resources"))
    for key, value in fields.items():
        setattr(dataset, key, value)
    dataset.revision += 1
    dataset.modified_at = clock.now()
    session.flush()
    _published(session, clock, principal, dataset, "package_update", before=before)
    session.commit()
    for path in removed:  # the files of removed resources, once their removal is committed
        files.discard(Path(path))
    return dataset


def add_resource(
    session: Session,
    clock: Clock,
    principal: Principal,
    package_ref: str,
    fields: dict[str, Any],
    *,
    commit: bool = True,
) -> Resource:
    """resource_create: a resource appended to a dataset the caller edits (committed unless the
    caller finishes the transaction itself)."""
    dataset = get_dataset(session, principal, package_ref)
    access.require_editor(session, principal, session.get(Organisation, dataset.organisation_id))
    before = package_dict(session, dataset)
    resource = _new_resource(session, clock, dataset, fields, _next_position(session, dataset))
    dataset.revision += 1
    dataset.modified_at = clock.now()
    session.flush()
    _published(session, clock, principal, dataset, "resource_create", before=before)
    if commit:
        session.commit()
    return resource


def _owner(session: Session, principal: Principal, ref: str) -> Organisation:
    org = by_ref(session, Organisation, principal.tenant_id, ref)
    if org is None:
        raise invalid("owner_org", "Organization does not exist")
    access.require_editor(session, principal, org)
    return org


def _set_tags(session: Session, dataset: Dataset, names: list[str]) -> None:
    session.execute(delete(DatasetTag).where(DatasetTag.dataset_id == dataset.id))
    session.add_all(DatasetTag(dataset_id=dataset.id, name=name) for name in names)


def _set_groups(session: Session, principal: Principal, dataset: Dataset, refs: list[str]) -> None:
    groups = []
    for ref in refs:
        group = by_ref(session, Group, principal.tenant_id, ref)
        if group is None:
            raise invalid("groups", f"Group {ref!r} does not exist")
        groups.append(group)
    session.execute(delete(DatasetGroup).where(DatasetGroup.dataset_id == dataset.id))
    session.add_all(DatasetGroup(dataset_id=dataset.id, group_id=g.id) for g in groups)


def _set_resources(
    session: Session, clock: Clock, dataset: Dataset, items: list[dict[str, Any]]
) -> list[str]:
    """Replace the resources: those sent with a known id are kept (and updated), others removed
    with their datastore tables; the stored files of the removed ones are returned."""
    existing = {
        r.uid: r for r in session.scalars(select(Resource).where(Resource.dataset_id == dataset.id))
    }
    kept: set[str] = set()
    removed: list[str] = []
    for position, item in enumerate(items):
        resource = existing.get(item.get("uid", ""))
        if resource is None:
            _new_resource(session, clock, dataset, item, position)
            continue
        for key, value in item.items():
            setattr(resource, key, value)
        resource.position = position
        resource.modified_at = clock.now()
        kept.add(resource.uid)
    for uid, resource in existing.items():
        if uid not in kept:
            register = tables.get_register(session, resource)
            if register is not None:
                tables.drop_table(session, register)
            if resource.stored_path:
                removed.append(resource.stored_path)
            session.delete(resource)
    session.flush()
    return removed


def _new_resource(
    session: Session, clock: Clock, dataset: Dataset, fields: dict[str, Any], position: int
) -> Resource:
    if "format" not in fields:
        raise ValidationFailed("format: Missing value", field="format")
    uid = fields.pop("uid", None)
    if uid is not None and session.scalar(select(Resource.id).where(Resource.uid == uid)):
        raise invalid("id", "a resource with this id already exists")
    now = clock.now()
    resource = Resource(
        dataset_id=dataset.id,
        uid=uid or str(uuid.uuid4()),
        position=position,
        created_at=now,
        modified_at=now,
        datastore_active=False,
        **{"name": "", "description": "", "url": "", **fields},
    )
    session.add(resource)
    session.flush()
    return resource


def _next_position(session: Session, dataset: Dataset) -> int:
    last = session.scalar(
        select(func.max(Resource.position)).where(Resource.dataset_id == dataset.id)
    )
    return 0 if last is None else last + 1


def _published(
    session: Session,
    clock: Clock,
    principal: Principal,
    dataset: Dataset,
    action: str,
    *,
    before: dict[str, Any] | None,
) -> None:
    """Audit the change; a public dataset also gets a version row with what clients now see."""
    session.expire_all()
    after = package_dict(session, dataset)
    audit_change(
        session, clock, principal, action, "dataset", dataset.uid, before=before, after=after
    )
    if not dataset.private:
        session.add(
            DatasetVersion(
                dataset_id=dataset.id,
                revision=dataset.revision,
                published_at=clock.now(),
                published_by=principal.name,
                action=action,
                snapshot=after,
            )
        )
    session.flush()
