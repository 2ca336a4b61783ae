"""The city model's rules: read areas, locate points, import GeoJSON, load the demo city.

Other parts reach geo through this module only; department functions are re-exported here.
Every read filters by tenant: an area of another tenant is simply not found.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from smartcity.core.clock import Clock
from smartcity.core.errors import Conflict, NotFound, ValidationFailed
from smartcity.geo.departments import (
    Scope,
    area_names,
    create_department,
    delete_department,
    department_areas,
    ensure_departments,
    find_department,
    get_department,
    list_departments,
    responsible_departments,
    set_department_areas,
    tenant_of,
    update_department,
)
from smartcity.geo.features import CODE_LENGTHS, LEVELS, Level, ancestor_codes, level_of_code
from smartcity.geo.importer import Repair, read_feature_collection
from smartcity.geo.index import GridIndexCache, revision_token
from smartcity.geo.layout import GENERATED_SOURCE, CityLayout, generate_shanghai
from smartcity.geo.models import (
    AREA_MODELS,
    AreaColumns,
    Community,
    Department,
    District,
    Street,
    UnitGridCell,
)
from smartcity.geo.schemas import MAX_OFFSET, AreaRef, CitySummary, Location
from smartcity.geo.store import WriteResult, bump_revision, delete_areas, write_areas
from smartcity.security import audit
from smartcity.security.principal import Principal

__all__ = [
    "ImportReport",
    "area_names",
    "area_parents",
    "city_summary",
    "count_children",
    "create_department",
    "delete_department",
    "department_areas",
    "find_department",
    "get_area",
    "get_department",
    "import_geojson",
    "list_areas",
    "list_departments",
    "list_districts",
    "load_demo_city",
    "locate",
    "locate_many",
    "responsible_departments",
    "set_department_areas",
    "update_department",
]

_LABELS = {
    "district": "district",
    "street": "street / town",
    "community": "community",
    "cell": "grid cell",
}


@dataclass
class ImportReport:
    """What an import or a demo load changed, level by level when several."""

    level: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    repaired: list[Repair] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed: int = 0
    departments_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.departments_created)

    def summary(self) -> str:
        """One paragraph for a terminal: counts, then each repair and warning on its own line."""
        lines = [
            f"{self.level}: {len(self.created)} created, {len(self.updated)} updated, "
            f"{self.unchanged} unchanged"
            + (f", {self.removed} removed" if self.removed else "")
            + (
                f", {self.departments_created} departments created"
                if self.departments_created
                else ""
            )
        ]
        lines += [f"repaired feature {r.index} ({r.code}): {r.reason}" for r in self.repaired]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def add(self, result: WriteResult) -> None:
        self.created += result.created
        self.updated += result.updated
        self.unchanged += result.unchanged
        self.warnings += result.warnings


def _check_code(value: str | None, level: Level, name: str) -> str | None:
    if value is None:
        return None
    if level_of_code(value) != level:
        raise ValidationFailed(
            f"{name} must be a {CODE_LENGTHS[level]}-digit {_LABELS[level]} code", field=name
        )
    return value


def list_areas(
    session: Session,
    tenant_id: Scope,
    *,
    level: Level,
    district: str | None = None,
    street: str | None = None,
    community: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[AreaColumns], int]:
    """Areas of one level, by code, narrowed to those inside a district, street or community."""
    _check_page(limit, offset)
    model = AREA_MODELS[level]
    stmt: Select[Any] = select(model).where(model.tenant_id == tenant_of(tenant_id))
    for value, parent, column in (
        (district, "district", "district_code"),
        (street, "street", "street_code"),
        (community, "community", "community_code"),
    ):
        if _check_code(value, parent, parent) is None:
            continue
        if LEVELS.index(parent) >= LEVELS.index(level):
            raise ValidationFailed(
                f"{_LABELS[level]}s cannot be filtered by {parent}", field=parent
            )
        stmt = stmt.where(getattr(model, column) == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(model.code).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt)), total


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and not 0 < limit <= MAX_OFFSET:
        raise ValidationFailed("limit is out of range", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationFailed(f"offset must be between 0 and {MAX_OFFSET}", field="offset")


def list_districts(session: Session, tenant_id: Scope) -> list[District]:
    """Every district of the tenant, by code."""
    rows, _ = list_areas(session, tenant_id, level="district")
    return rows  # type: ignore[return-value]


def get_area(session: Session, tenant_id: Scope, *, level: Level, code: str) -> AreaColumns:
    """One area by code; NotFound when the tenant has none (whoever else may have it)."""
    model = AREA_MODELS[level]
    row = None
    if level_of_code(code) == level:
        row = session.scalar(
            select(model).where(model.tenant_id == tenant_of(tenant_id), model.code == code)
        )
    if row is None:
        raise NotFound(f"no {_LABELS[level]} {code} in this city")
    return row


def area_parents(session: Session, tenant_id: Scope, code: str) -> list[AreaColumns]:
    """The areas enclosing `code`, district first."""
    tenant_id = tenant_of(tenant_id)
    parents = []
    for parent_code in ancestor_codes(code)[:-1]:
        model = AREA_MODELS[level_of_code(parent_code) or "district"]
        row = session.scalar(
            select(model).where(model.tenant_id == tenant_id, model.code == parent_code)
        )
        if row is not None:
            parents.append(row)
    return parents


def count_children(session: Session, tenant_id: Scope, code: str) -> int:
    """Streets of a district, communities of a street, cells of a community (0 for a cell)."""
    tenant_id = tenant_of(tenant_id)
    level = level_of_code(code)
    if level is None or level == "cell":
        return 0
    child = LEVELS[LEVELS.index(level) + 1]
    model = AREA_MODELS[child]
    column = getattr(model, f"{level}_code")
    stmt = select(func.count()).where(model.tenant_id == tenant_id, column == code)
    return session.scalar(stmt) or 0


def _check_point(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise ValidationFailed("lon must be a longitude between -180 and 180", field="lon")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise ValidationFailed("lat must be a latitude between -90 and 90", field="lat")


def locate(
    session: Session, grids: GridIndexCache, tenant_id: Scope, lon: float, lat: float
) -> Location:
    """The unit grid cell holding the point with its community, street and district."""
    _check_point(lon, lat)
    tenant_id = tenant_of(tenant_id)
    code = grids.get(session, tenant_id).locate(lon, lat)
    if code is None:
        raise NotFound(f"no unit grid cell of this city contains the point ({lon}, {lat})")
    names = (UnitGridCell, Community, Street, District)
    stmt = (
        select(*[getattr(m, c) for m in names for c in ("code", "name_zh", "name_en")])
        .join(Community, Community.id == UnitGridCell.community_id)
        .join(Street, Street.id == Community.street_id)
        .join(District, District.id == Street.district_id)
        .where(UnitGridCell.tenant_id == tenant_id, UnitGridCell.code == code)
    )
    row = session.execute(stmt).one_or_none()
    if row is None:  # the cell went away between the index build and now
        raise NotFound(f"no unit grid cell of this city contains the point ({lon}, {lat})")
    refs = [AreaRef(code=row[i], name_zh=row[i + 1], name_en=row[i + 2]) for i in range(0, 12, 3)]
    return Location(
        lon=lon, lat=lat, cell=refs[0], community=refs[1], street=refs[2], district=refs[3]
    )


def locate_many(
    session: Session,
    grids: GridIndexCache,
    tenant_id: Scope,
    lons: np.ndarray,
    lats: np.ndarray,
) -> list[str | None]:
    """The cell code of each point (None outside every cell)."""
    index = grids.get(session, tenant_of(tenant_id))
    found = index.locate_many(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return [index.codes[i] if i >= 0 else None for i in found.tolist()]


def import_geojson(
    session: Session,
    clock: Clock,
    principal: Principal,
    *,
    data: bytes | str | Mapping[str, Any],
    level: str,
    grids: GridIndexCache | None = None,
) -> ImportReport:
    """Upsert one level of areas from a GeoJSON FeatureCollection, all or nothing; audited.

    `grids`, when given, drops the tenant's cached index at once (it would rebuild anyway).
    """
    parsed = read_feature_collection(data, level=level)
    report = ImportReport(level=parsed.level, repaired=parsed.repaired, warnings=parsed.warnings)
    try:
        report.add(
            write_areas(
                session,
                tenant_id=principal.tenant_id,
                level=parsed.level,
                features=parsed.features,
                indexes=parsed.indexes,
                now=clock.now(),
            )
        )
        if report.changed:
            bump_revision(session, clock, principal.tenant_id)
            audit.record(
                session,
                clock,
                principal,
                action="geo.import",
                entity_type="geo_import",
                entity_id=parsed.level,
                after=_audit_summary(report),
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if grids is not None and report.changed:
        grids.invalidate(principal.tenant_id)
    return report


def _audit_summary(report: ImportReport, limit: int = 1000) -> dict[str, Any]:
    return {
        "level": report.level,
        "created": len(report.created),
        "updated": len(report.updated),
        "removed": report.removed,
        "created_codes": report.created[:limit],
        "updated_codes": report.updated[:limit],
        "repaired": [
            {"index": r.index, "code": r.code, "reason": r.reason} for r in report.repaired
        ],
    }


def load_demo_city(
    session: Session, clock: Clock, principal: Principal, layout: CityLayout | None = None
) -> ImportReport:
    """Load (or refresh) the generated demo Shanghai; running it again changes nothing."""
    tenant_id = principal.tenant_id
    for model in AREA_MODELS.values():
        foreign = session.scalar(
            select(model.code).where(model.tenant_id == tenant_id, model.source != GENERATED_SOURCE)
        )
        if foreign is not None:
            raise Conflict(
                f"this city already has imported areas (e.g. {foreign}); the demo city would "
                "overwrite them",
            )
    layout = layout or generate_shanghai()
    report = ImportReport(level="all")
    now = clock.now()
    try:
        for level in LEVELS:
            report.add(
                write_areas(
                    session,
                    tenant_id=tenant_id,
                    level=level,
                    features=layout.features(level),
                    now=now,
                )
            )
        report.removed = _remove_stale(session, tenant_id, layout)
        report.departments_created = ensure_departments(session, tenant_id, layout.departments, now)
        if report.changed:
            bump_revision(session, clock, tenant_id)
            audit.record(
                session,
                clock,
                principal,
                action="geo.load_demo",
                entity_type="geo_import",
                entity_id="demo",
                after={**_audit_summary(report, limit=0), "seed": layout.seed},
            )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _remove_stale(session: Session, tenant_id: int, layout: CityLayout) -> int:
    """Delete generated areas a different earlier layout left behind, finest level first."""
    removed = 0
    for level in reversed(LEVELS):
        model = AREA_MODELS[level]
        keep = {f.code for f in layout.features(level)}
        rows = session.execute(select(model.id, model.code).where(model.tenant_id == tenant_id))
        stale = [id_ for id_, code in rows if code not in keep]
        delete_areas(session, tenant_id=tenant_id, level=level, ids=stale)
        removed += len(stale)
    return removed


def city_summary(session: Session, tenant_id: Scope) -> dict[str, Any]:
    """Counts of each level and of departments, total area and revision (CitySummary keys)."""
    tenant_id = tenant_of(tenant_id)

    def count(model: type) -> int:
        return session.scalar(select(func.count()).where(model.tenant_id == tenant_id)) or 0

    area = session.scalar(
        select(func.coalesce(func.sum(District.area_m2), 0.0)).where(
            District.tenant_id == tenant_id
        )
    )
    approximate = session.scalar(
        select(District.code).where(District.tenant_id == tenant_id, District.approximate)
    )
    revision = revision_token(session, tenant_id)
    return CitySummary(
        districts=count(District),
        streets=count(Street),
        communities=count(Community),
        cells=count(UnitGridCell),
        departments=count(Department),
        area_km2=round(float(area or 0.0) / 1e6, 2),
        approximate=approximate is not None,
        revision=revision,
    ).model_dump()
