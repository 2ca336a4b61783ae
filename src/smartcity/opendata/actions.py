"""The CKAN Action API's actions: each takes the caller's context and the data dict and returns
the action's result; errors are the platform's, mapped to CKAN's envelope by the route."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smartcity import __version__
from smartcity.core.errors import ValidationFailed
from smartcity.opendata import access, files, organisations, service
from smartcity.opendata.datastore import query, sql
from smartcity.opendata.datastore import service as datastore
from smartcity.opendata.models import Dataset, DatasetGroup, DatasetTag, Group, Organisation
from smartcity.opendata.package import (
    group_dict,
    organisation_dict,
    package_dict,
    package_dicts,
    resource_dict,
)
from smartcity.opendata.schemas import as_bool, as_int, invalid, read_package, read_resource
from smartcity.opendata.search import package_search
from smartcity.opendata.vocab import LICENCES
from smartcity.platform import Platform
from smartcity.security.principal import Principal

CKAN_VERSION = "2.10.4"  # the API generation the answers follow
MAX_LIST = 1000


@dataclass
class Context:
    session: Session
    platform: Platform
    principal: Principal
    site_url: str


@dataclass(frozen=True)
class Action:
    run: Callable[[Context, dict[str, Any]], Any]
    writes: bool = False


def _ref(data: dict[str, Any], key: str = "id") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise invalid(key, "Missing value")
    return value


def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "site_title": "政府数据服务网 Government data service",
        "site_description": "Open data of the city, 城市开放数据",
        "site_url": ctx.site_url.rstrip("/"),
        "ckan_version": CKAN_VERSION,
        "smartcity_version": __version__,
        "locale_default": "zh_Hans_CN",
        "extensions": ["dcat", "datastore"],
    }


def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    limit = as_int(data.get("limit"), "limit", default=MAX_LIST, maximum=MAX_LIST)
    offset = as_int(data.get("offset"), "offset", default=0, maximum=10**9)
    private = as_bool(data.get("include_private"), "include_private")
    where = access.visible(ctx.session, ctx.principal, include_private=private)
    stmt = select(Dataset.name).where(where).order_by(Dataset.name).limit(limit).offset(offset)
    return list(ctx.session.scalars(stmt))


def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return package_dict(ctx.session, service.get_dataset(ctx.session, ctx.principal, _ref(data)))


def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    resource = service.get_resource(ctx.session, ctx.principal, _ref(data))
    dataset = ctx.session.get(Dataset, resource.dataset_id)
    assert dataset is not None
    return resource_dict(resource, dataset.uid)


def _counts(ctx: Context, kind: str) -> dict[int, int]:
    """Public datasets per organisation or group."""
    public = access.visible(ctx.session, ctx.principal, include_private=False)
    if kind == "organization":
        stmt = (
            select(Dataset.organisation_id, func.count())
            .where(public)
            .group_by(Dataset.organisation_id)
        )
    else:
        stmt = (
            select(DatasetGroup.group_id, func.count())
            .join(Dataset, Dataset.id == DatasetGroup.dataset_id)
            .where(public)
            .group_by(DatasetGroup.group_id)
        )
    return {k: int(n) for k, n in ctx.session.execute(stmt)}


def _publisher_list(ctx: Context, data: dict[str, Any], kind: str) -> list[Any]:
    model = Organisation if kind == "organization" else Group
    limit = as_int(data.get("limit"), "limit", default=MAX_LIST, maximum=MAX_LIST)
    offset = as_int(data.get("offset"), "offset", default=0, maximum=10**9)
    all_fields = as_bool(data.get("all_fields"), "all_fields")
    sort = str(data.get("sort") or "name asc").split()
    if sort[0] not in ("name", "title", "package_count") or sort[-1] not in (
        "asc",
        "desc",
        sort[0],
    ):
        raise invalid("sort", "sort by name, title or package_count, asc or desc")
    rows = list(
        ctx.session.scalars(select(model).where(model.tenant_id == ctx.principal.tenant_id))
    )
    counts = _counts(ctx, kind)
    key: Callable[[Any], Any] = {
        "name": lambda r: r.name,
        "title": lambda r: r.title_zh,
        "package_count": lambda r: (counts.get(r.id, 0), r.name),
    }[sort[0]]
    rows.sort(key=key, reverse=sort[-1] == "desc")
    rows = rows[offset : offset + limit]
    if not all_fields:
        return [r.name for r in rows]
    shape = organisation_dict if kind == "organization" else group_dict
    return [shape(r, counts.get(r.id, 0)) for r in rows]


def _publisher_show(ctx: Context, data: dict[str, Any], kind: str) -> dict[str, Any]:
    if kind == "organization":
        row: Any = organisations.get_organisation(ctx.session, ctx.principal, _ref(data))
        condition = Dataset.organisation_id == row.id
    else:
        row = organisations.get_group(ctx.session, ctx.principal, _ref(data))
        condition = Dataset.id.in_(
            select(DatasetGroup.dataset_id).where(DatasetGroup.group_id == row.id)
        )
    visible = access.visible(ctx.session, ctx.principal, include_private=True)
    datasets = list(
        ctx.session.scalars(select(Dataset).where(visible, condition).order_by(Dataset.name))
    )
    shape = organisation_dict if kind == "organization" else group_dict
    out = shape(row, len(datasets))
    if as_bool(data.get("include_datasets"), "include_datasets"):
        out["packages"] = package_dicts(ctx.session, datasets[:MAX_LIST])
    out["users"] = []
    out["extras"] = []
    return out


def tag_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    public = access.visible(ctx.session, ctx.principal, include_private=False)
    stmt = (
        select(DatasetTag.name)
        .join(Dataset, Dataset.id == DatasetTag.dataset_id)
        .where(public)
        .distinct()
    )
    query = data.get("query") or data.get("q")
    if isinstance(query, str) and query:
        stmt = stmt.where(DatasetTag.name.ilike(f"%{query}%"))
    names = sorted(ctx.session.scalars(stmt))
    if as_bool(data.get("all_fields"), "all_fields"):
        return [{"name": n, "display_name": n, "id": n, "vocabulary_id": None} for n in names]
    return names


def license_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": lic.id, "title": lic.title, "url": lic.url, "od_conformance": "approved"}
        for lic in LICENCES.values()
    ]


def package_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    fields = read_package(data, creating=True)
    dataset = service.create_dataset(ctx.session, ctx.platform.clock, ctx.principal, fields)
    return package_dict(ctx.session, dataset)


def package_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = data.get("id") or data.get("name")
    if not isinstance(ref, str) or not ref:
        raise invalid("id", "Missing value")
    fields = read_package({k: v for k, v in data.items() if k != "id"}, creating=False)
    dataset = service.update_dataset(ctx.session, ctx.platform.clock, ctx.principal, ref, fields)
    return package_dict(ctx.session, dataset)


def resource_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """A link (`url`) or an uploaded file (`upload`, multipart), stored under data_dir/opendata
    and served by the download route."""
    package_ref = _ref(data, "package_id")
    upload = data.get("upload")
    if upload is not None and not hasattr(upload, "file"):
        raise invalid("upload", "send the file as multipart/form-data")
    given = {k: v for k, v in data.items() if k not in ("package_id", "upload")}
    if upload is not None:
        given.setdefault("format", (upload.filename or "").rsplit(".", 1)[-1])
        given.setdefault("name", upload.filename or "")
    fields = read_resource(given, creating=True)
    if upload is None:
        return _resource_out(ctx, service.add_resource(
            ctx.session, ctx.platform.clock, ctx.principal, package_ref, fields
        ))  # fmt: skip
    dataset = service.get_dataset(ctx.session, ctx.principal, package_ref)
    owner = ctx.session.get(Organisation, dataset.organisation_id)
    assert owner is not None
    access.require_editor(ctx.session, ctx.principal, owner)  # before a byte is written
    uid = str(uuid.uuid4())
    filename = files.safe_filename(upload.filename, f"resource.{fields['format'].lower()}")
    path, size, digest = files.store(ctx.platform.settings.data_dir, uid, upload.file)
    site = ctx.site_url.rstrip("/")
    fields.update(
        uid=uid,
        url=f"{site}/dataset/{dataset.uid}/resource/{uid}/download/{filename}",
        stored_path=str(path),
        size=size,
        hash=digest,
    )
    try:
        resource = service.add_resource(
            ctx.session, ctx.platform.clock, ctx.principal, package_ref, fields
        )
    except BaseException:
        files.discard(path)
        raise
    return _resource_out(ctx, resource)


def _resource_out(ctx: Context, resource: Any) -> dict[str, Any]:
    dataset = ctx.session.get(Dataset, resource.dataset_id)
    assert dataset is not None
    return resource_dict(resource, dataset.uid)


def organization_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    org = organisations.create_organisation(ctx.session, ctx.platform.clock, ctx.principal, data)
    return organisation_dict(org, 0)


def group_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    group = organisations.create_group(ctx.session, ctx.platform.clock, ctx.principal, data)
    return group_dict(group, 0)


def organization_member_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Members are named `user:<id>` or `apikey:<id>` (the platform's principals)."""
    org = organisations.get_organisation(ctx.session, ctx.principal, _ref(data))
    kind, _, ident = _ref(data, "username").partition(":")
    if kind not in ("user", "apikey") or not ident.isdigit():
        raise ValidationFailed(
            "username: name a member as user:<id> or apikey:<id>", field="username"
        )
    capacity = str(data.get("role") or "editor")
    member = organisations.add_member(
        ctx.session,
        ctx.platform.clock,
        ctx.principal,
        organisation=org,
        capacity=capacity,
        user_id=int(ident) if kind == "user" else None,
        api_key_id=int(ident) if kind == "apikey" else None,
    )
    return {
        "group_id": org.uid,
        "table_name": "user",
        "table_id": f"{kind}:{ident}",
        "capacity": member.capacity,
    }


def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    register = datastore.readable_register(ctx.session, ctx.principal, data.get("resource_id"))
    return query.search(ctx.session, register, data["resource_id"], data)


def datastore_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return datastore.create(ctx.session, ctx.platform.clock, ctx.principal, data)


def datastore_upsert(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return datastore.upsert(ctx.session, ctx.platform.clock, ctx.principal, data)


def datastore_search_sql(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    tables = sql.readable_tables(ctx.session, ctx.principal)
    prepared = sql.prepare(data.get("sql"), tables)
    ctx.session.rollback()  # the query runs on its own read-only connection
    return sql.run(ctx.platform.db, prepared, set(tables.values()))


ACTIONS: dict[str, Action] = {
    "status_show": Action(status_show),
    "package_list": Action(package_list),
    "package_search": Action(lambda c, d: package_search(c.session, c.principal, d)),
    "package_show": Action(package_show),
    "resource_show": Action(resource_show),
    "organization_list": Action(lambda c, d: _publisher_list(c, d, "organization")),
    "organization_show": Action(lambda c, d: _publisher_show(c, d, "organization")),
    "group_list": Action(lambda c, d: _publisher_list(c, d, "group")),
    "group_show": Action(lambda c, d: _publisher_show(c, d, "group")),
    "tag_list": Action(tag_list),
    "license_list": Action(license_list),
    "package_create": Action(package_create, writes=True),
    "package_update": Action(package_update, writes=True),
    "resource_create": Action(resource_create, writes=True),
    "organization_create": Action(organization_create, writes=True),
    "group_create": Action(group_create, writes=True),
    "organization_member_create": Action(organization_member_create, writes=True),
    "datastore_search": Action(datastore_search),
    "datastore_search_sql": Action(datastore_search_sql),
    "datastore_create": Action(datastore_create, writes=True),
    "datastore_upsert": Action(datastore_upsert, writes=True),
}
