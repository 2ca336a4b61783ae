"""The datastore's rules: who may create and write a resource's table, and reading it back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import Forbidden, NotFound
from smartcity.opendata import access, service
from smartcity.opendata.datastore import tables
from smartcity.opendata.models import Dataset, DatastoreTable, Organisation, Resource
from smartcity.opendata.schemas import invalid, read_resource
from smartcity.security.principal import Principal


def _editable_resource(session: Session, principal: Principal, ref: str) -> Resource:
    resource = service.get_resource(session, principal, ref)
    dataset = session.get(Dataset, resource.dataset_id)
    assert dataset is not None
    access.require_editor(session, principal, session.get(Organisation, dataset.organisation_id))
    return resource


def readable_register(session: Session, principal: Principal, ref: Any) -> DatastoreTable:
    """The datastore of a resource the principal may read (one query), or NotFound."""
    if not isinstance(ref, str) or not ref:
        raise invalid("resource_id", "Missing value")
    row = session.execute(
        select(Dataset, DatastoreTable)
        .join(Resource, Resource.dataset_id == Dataset.id)
        .outerjoin(DatastoreTable, DatastoreTable.resource_id == Resource.id)
        .where(Resource.uid == ref, Dataset.tenant_id == principal.tenant_id)
    ).first()
    if row is None:
        raise NotFound("Resource was not found.")
    if not access.may_read(session, principal, row.Dataset):
        raise Forbidden(f"User {principal.name} not authorized to read resource {ref}")
    if row.DatastoreTable is None:
        raise NotFound(f"Resource {ref!r} has no datastore table")
    return row.DatastoreTable


def create(
    session: Session, clock: Clock, principal: Principal, data: dict[str, Any]
) -> dict[str, Any]:
    """datastore_create: a table for a resource (or a new resource of `resource.package_id`).

    Everything is checked before anything is written, and written in one transaction."""
    fields = tables.read_fields(data.get("fields")) if data.get("fields") else None
    names = [f["id"] for f in fields or []]
    primary_key = tables.names_in(data.get("primary_key"), "primary_key", names)
    indexes = tables.read_indexes(data.get("indexes"), names)
    if fields is not None:
        tables.read_records(data.get("records"), _draft(fields, primary_key))
    resource = _resource_to_create(session, clock, principal, data)
    register = tables.get_register(session, resource)
    if register is None:
        if fields is None:
            raise invalid("fields", "Missing value")
        register = DatastoreTable(
            resource_id=resource.id,
            table_name=tables.table_name(resource),
            fields=fields,
            primary_key=primary_key,
            indexes=indexes,
            created_at=clock.now(),
            modified_at=clock.now(),
        )
        session.add(register)
        session.flush()
        tables.create_table(session, register)
        resource.datastore_active = True
    elif fields is not None and fields != register.fields:
        raise invalid("fields", "the table exists with other fields")
    rows = tables.read_records(data.get("records"), register)
    tables.write_records(session, register, rows, "upsert" if register.primary_key else "insert")
    register.modified_at = resource.modified_at = clock.now()
    session.commit()
    return {
        "resource_id": resource.uid,
        "fields": register.fields,
        "primary_key": register.primary_key,
        "indexes": register.indexes,
        "method": "insert",
    }


def _draft(fields: list[dict[str, str]], primary_key: list[str]) -> DatastoreTable:
    return DatastoreTable(table_name="", fields=fields, primary_key=primary_key, indexes=[])


def _resource_to_create(
    session: Session, clock: Clock, principal: Principal, data: dict[str, Any]
) -> Resource:
    ref = data.get("resource_id")
    if isinstance(ref, str) and ref:
        return _editable_resource(session, principal, ref)
    new = data.get("resource")
    if not isinstance(new, dict) or not isinstance(new.get("package_id"), str):
        raise invalid("resource_id", "Missing value")
    fields = read_resource({"format": "CSV", **new}, creating=True)
    fields.pop("package_id", None)
    return service.add_resource(session, clock, principal, new["package_id"], fields, commit=False)


def upsert(
    session: Session, clock: Clock, principal: Principal, data: dict[str, Any]
) -> dict[str, Any]:
    """datastore_upsert: insert, update or upsert records of a table the principal edits."""
    ref = data.get("resource_id")
    if not isinstance(ref, str) or not ref:
        raise invalid("resource_id", "Missing value")
    resource = _editable_resource(session, principal, ref)
    register = tables.get_register(session, resource)
    if register is None:
        raise NotFound(f"Resource {ref!r} has no datastore table")
    method = str(data.get("method") or "upsert")
    rows = tables.read_records(data.get("records"), register)
    tables.write_records(session, register, rows, method)
    register.modified_at = resource.modified_at = clock.now()
    session.commit()
    return {"resource_id": resource.uid, "method": method, "records": len(rows)}


def drop(session: Session, resource: Resource) -> None:
    """Drop a resource's table with the resource (called before the resource is deleted)."""
    register = tables.get_register(session, resource)
    if register is not None:
        tables.drop_table(session, register)
