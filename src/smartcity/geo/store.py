"""Writing areas: upsert by code under an existing parent, and the tenant's geo revision token."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.ids import new_token
from smartcity.geo.features import CODE_LENGTHS, PARENT_LEVEL, AreaFeature, Level, geometry_to_wkb
from smartcity.geo.importer import refusal
from smartcity.geo.models import AREA_MODELS, GeoRevision

_CHUNK = 500
_PARENT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "street": ("district_id", ("district_code",)),
    "community": ("street_id", ("district_code", "street_code")),
    "cell": ("community_id", ("district_code", "street_code", "community_code")),
}
_COMPARED = ("name_zh", "name_en", "geometry", "approximate", "source", "properties")


@dataclass
class WriteResult:
    """What an upsert did, by code."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_areas(
    session: Session,
    *,
    tenant_id: int,
    level: Level,
    features: Sequence[AreaFeature],
    now: datetime,
    indexes: Sequence[int] | None = None,
) -> WriteResult:
    """Insert new codes and update changed ones; every parent must exist already.

    `indexes` are the features' positions in the caller's file, for error messages.
    """
    indexes = list(indexes) if indexes is not None else list(range(len(features)))
    parents = _parents(session, tenant_id, level, features, indexes)
    model = AREA_MODELS[level]
    existing = _existing(session, level, tenant_id, [f.code for f in features])
    result = WriteResult()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for feature in features:
        values = _values(feature, level, parents)
        old = existing.get(feature.code)
        if old is None:
            inserts.append({**values, "tenant_id": tenant_id, "created_at": now, "updated_at": now})
            result.created.append(feature.code)
        elif any(old[k] != values[k] for k in old if k != "id"):
            updates.append({**values, "id": old["id"], "updated_at": now})
            result.updated.append(feature.code)
        else:
            result.unchanged += 1
    for part in chunks(inserts, 2000):
        session.execute(insert(model), list(part))
    for part in chunks(updates, 2000):
        session.execute(update(model), list(part))
    result.warnings = _outside_parent_warnings(level, features, indexes, parents)
    return result


def _existing(
    session: Session, level: Level, tenant_id: int, codes: list[str]
) -> dict[str, dict[str, Any]]:
    model = AREA_MODELS[level]
    columns = [model.id, model.code, *(getattr(model, c) for c in _COMPARED)]
    if level in _PARENT_COLUMNS:
        columns.append(getattr(model, _PARENT_COLUMNS[level][0]))
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(codes):
        rows = session.execute(
            select(*columns).where(model.tenant_id == tenant_id, model.code.in_(part))
        ).mappings()
        for row in rows:
            found[row["code"]] = {k: (bytes(v) if k == "geometry" else v) for k, v in row.items()}
    return found


@dataclass(frozen=True)
class _Parent:
    id: int
    geometry: bytes


def _parents(
    session: Session,
    tenant_id: int,
    level: Level,
    features: Sequence[AreaFeature],
    indexes: Sequence[int],
) -> dict[str, _Parent]:
    """The parent row of every feature; one refusal naming each feature whose parent is missing."""
    parent_level = PARENT_LEVEL[level]
    if parent_level is None:
        return {}
    model = AREA_MODELS[parent_level]
    wanted = sorted({f.parent_code for f in features if f.parent_code})
    found: dict[str, _Parent] = {}
    for part in chunks(wanted):
        rows = session.execute(
            select(model.id, model.code, model.geometry).where(
                model.tenant_id == tenant_id, model.code.in_(part)
            )
        )
        found.update({code: _Parent(id_, bytes(wkb)) for id_, code, wkb in rows})
    label = "street / town" if parent_level == "street" else parent_level
    problems = [
        {
            "index": index,
            "code": f.code,
            "field": "properties.code",
            "message": f"its {label} {f.parent_code} does not exist; import the {label}s first",
        }
        for f, index in zip(features, indexes, strict=True)
        if f.parent_code not in found
    ]
    if problems:
        raise refusal(problems, len(features))
    return found


def _values(feature: AreaFeature, level: Level, parents: dict[str, _Parent]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": feature.code,
        "name_zh": feature.name_zh,
        "name_en": feature.name_en,
        "geometry": geometry_to_wkb(feature.geometry),
        "approximate": feature.approximate,
        "source": feature.source,
        "properties": feature.properties,
        **feature.measures(),
    }
    if level in _PARENT_COLUMNS:
        id_column, code_columns = _PARENT_COLUMNS[level]
        values[id_column] = parents[feature.code[: len(feature.code) - 3]].id
        for name in code_columns:
            values[name] = feature.code[: CODE_LENGTHS[name.removesuffix("_code")]]
    return values


def _outside_parent_warnings(
    level: Level,
    features: Sequence[AreaFeature],
    indexes: Sequence[int],
    parents: dict[str, _Parent],
    limit: int = 20,
) -> list[str]:
    """Features that lie mostly outside their parent's shape (a wrong code, or swapped axes)."""
    if not parents:
        return []
    children = [f.geometry for f in features]
    outer = shapely.from_wkb([parents[str(f.parent_code)].geometry for f in features])
    inside = shapely.area(shapely.intersection(children, outer)) / shapely.area(children)
    warnings = [
        f"feature {index} ({f.code}): only {share:.0%} of it lies inside its {PARENT_LEVEL[level]} "
        f"{f.parent_code}"
        for f, index, share in zip(features, indexes, inside, strict=True)
        if share < 0.5
    ]
    if len(warnings) > limit:
        warnings = [*warnings[:limit], f"… and {len(warnings) - limit} more such features"]
    return warnings


def delete_areas(session: Session, *, tenant_id: int, level: Level, ids: Sequence[int]) -> None:
    """Delete areas by id (their children go with them)."""
    model = AREA_MODELS[level]
    for part in chunks(list(ids)):
        session.execute(delete(model).where(model.tenant_id == tenant_id, model.id.in_(part)))


def bump_revision(session: Session, clock: Clock, tenant_id: int) -> str:
    """Give the tenant's city model a new revision token, so cached indexes rebuild."""
    token = new_token(12)
    values = {"tenant_id": tenant_id, "token": token, "changed_at": clock.now()}
    upsert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(
        session.get_bind().dialect.name
    )
    if upsert is None:  # pragma: no cover - other dialects
        session.merge(GeoRevision(**values))
        return token
    session.execute(
        upsert(GeoRevision)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[GeoRevision.tenant_id],
            set_={"token": token, "changed_at": values["changed_at"]},
        )
    )
    return token
