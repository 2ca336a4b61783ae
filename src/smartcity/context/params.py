"""Query parameters of the entity routes (clause 6.3 and 6.4): parsed, checked and expanded against
the request's @context into an `EntityQuery` (which entities) and a `View` (how to show them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query

from smartcity.context.errors import BadRequestData, InvalidRequest, TooManyResults
from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import is_uri, valid_name
from smartcity.context.query import (
    GeoQuerySyntaxError,
    QuerySyntaxError,
    iter_paths,
    parse_geoquery,
    parse_q,
)
from smartcity.context.search import MAX_LIMIT, EntityQuery, parse_scope_q, parse_types

FORMATS = {
    "normalized": "normalized",
    "concise": "concise",
    "keyValues": "keyValues",
    "simplified": "keyValues",
}
OPTIONS = {*FORMATS, "sysAttrs", "noOverwrite", "replace", "update"}
DEFAULT_LIMIT = 20
_LANG = re.compile(r"^(?:\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|@none)$")


@dataclass(frozen=True)
class View:
    """How entities are shown: format, system attributes, projection, language, geometry."""

    fmt: str = "normalized"
    sys_attrs: bool = False
    attrs: frozenset[str] | None = None  # stored names; `attrs` and `pick` (attributes part)
    pick_members: frozenset[str] | None = None  # "id"/"type" when `pick` names them
    omit: frozenset[str] = frozenset()
    lang: tuple[str, ...] | None = None
    geometry_property: str = "location"
    datasets: frozenset[str] | None = None  # `datasetId`: instances shown ("@none": the default)


@dataclass(frozen=True)
class Options:
    fmt: str
    flags: frozenset[str]

    @property
    def sys_attrs(self) -> bool:
        return "sysAttrs" in self.flags


def split(value: str | None, what: str) -> list[str]:
    """A comma-separated parameter as a list; empty items are an error."""
    if value is None:
        return []
    items = [item.strip() for item in value.split(",")]
    if not all(items):
        raise BadRequestData(f"{what} must be a comma-separated list without empty items")
    return items


def projection(value: str | None, what: str) -> list[str] | None:
    """A pick/omit expression (clause 4.21): members joined by ',' or '|' (either means "or").
    Linked-entity projections (`owner{name}`) belong to join, which is not offered."""
    if value is None:
        return None
    if "{" in value or "}" in value:
        raise BadRequestData(f"{what}: linked-entity projections ({{…}}) are not supported")
    items = [item.strip() for item in re.split(r"[,|]", value)]
    if not all(items):
        raise BadRequestData(f"{what} must list members separated by ',' or '|', none empty")
    bad = next((item for item in items if not valid_name(item)), None)
    if bad is not None:
        raise BadRequestData(f"{what}: {bad!r} is not a member name")
    return items


def parse_options(options: str | None, fmt: str | None = None) -> Options:
    flags = set(split(options, "options"))
    unknown = flags - OPTIONS
    if unknown:  # an unknown option or format is a malformed request (the suite's 018_16)
        raise InvalidRequest(f"unknown option(s): {', '.join(sorted(unknown))}")
    formats = {FORMATS[f] for f in flags if f in FORMATS}
    if fmt is not None:
        if fmt not in FORMATS:
            raise InvalidRequest(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        formats = {FORMATS[fmt]}
    if len(formats) > 1:
        raise BadRequestData("options names more than one representation")
    return Options(formats.pop() if formats else "normalized", frozenset(flags))


def parse_lang(value: str | None) -> tuple[str, ...] | None:
    """`lang=zh,en;q=0.8,*` as tags in order of preference."""
    if value is None:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(value.split(",")):
        tag, _, weight = part.strip().partition(";")
        quality = 1.0
        if weight:
            match = re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", weight)
            if match is None:
                raise BadRequestData(f"lang: bad quality value in {part!r}")
            quality = float(match.group(1))
        if not _LANG.match(tag):
            raise BadRequestData(f"lang: {tag!r} is not a language tag")
        ranked.append((-quality, position, tag))
    return tuple(tag for _, _, tag in sorted(ranked))


def names(ctx: ActiveContext, value: str | None, what: str) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(ctx.stored_name(name) for name in split(value, what))


def make_view(
    ctx: ActiveContext,
    *,
    options: Options,
    attrs: str | None = None,
    pick: str | None = None,
    omit: str | None = None,
    lang: str | None = None,
    geometry_property: str | None = None,
    dataset_id: str | None = None,
) -> View:
    picked = projection(pick, "pick")
    left_out = projection(omit, "omit") or []
    if attrs is not None and (picked is not None or omit is not None):
        raise BadRequestData("attrs cannot be combined with pick or omit")
    if picked is not None and not set(picked).isdisjoint(left_out):
        raise BadRequestData("a member cannot be both in pick and in omit")
    selected = names(ctx, attrs, "attrs")
    members = None
    if picked is not None:
        members = frozenset(p for p in picked if p in ("id", "type"))
        selected = frozenset(ctx.stored_name(p) for p in picked if p not in ("id", "type"))
    omitted = frozenset(o if o in ("id", "type") else ctx.stored_name(o) for o in left_out)
    geometry = ctx.stored_name(geometry_property) if geometry_property else "location"
    return View(
        fmt=options.fmt,
        sys_attrs=options.sys_attrs,
        attrs=selected,
        pick_members=members,
        omit=omitted,
        lang=parse_lang(lang),
        geometry_property=geometry,
        datasets=datasets(dataset_id),
    )


def datasets(value: str | None) -> frozenset[str] | None:
    """The `datasetId` parameter: dataset URIs, or `@none` for the default instance."""
    if value is None:
        return None
    items = split(value, "datasetId")
    bad = next((d for d in items if d != "@none" and not is_uri(d)), None)
    if bad is not None:
        raise BadRequestData(f"datasetId {bad!r} is neither a URI nor @none")
    return frozenset(items)


JOINS = ("flat", "inline", "@none")


def parse_join(join: str | None, level: int | None) -> tuple[str | None, int]:
    """`join` and `joinLevel` (clause 4.5.23): how linked entities are added, and how deep."""
    if join is not None and join not in JOINS:
        raise BadRequestData(f"join must be one of {', '.join(JOINS)}, not {join!r}")
    if level is not None and level < 1:
        raise BadRequestData("joinLevel must be a positive integer")
    return (None if join == "@none" else join), (1 if level is None else level)


def page(limit: int | None, offset: int | None, count: bool) -> tuple[int, int]:
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 0 or offset < 0:
        raise BadRequestData("limit and offset must not be negative")
    if limit == 0 and not count:
        raise BadRequestData("limit=0 is only allowed with count=true")
    if limit > MAX_LIMIT:
        raise TooManyResults(f"limit may be at most {MAX_LIMIT}")
    return limit, offset


def entity_query(
    ctx: ActiveContext,
    *,
    ids: str | list[str] | None = None,
    types: str | None = None,
    id_pattern: str | None = None,
    attrs: str | None = None,
    q: str | None = None,
    georel: str | None = None,
    geometry: str | None = None,
    coordinates: str | list[Any] | None = None,
    geoproperty: str | None = None,
    local: bool | None = None,
    scope_q: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    require_filter: bool = True,
) -> EntityQuery:
    """Which entities a query asks for; at least one filter is needed (clause 5.7.2), unless
    `local=true` asks for everything this broker holds. `type=*` is every type."""
    id_list = split(ids, "id") if isinstance(ids, str) else list(ids or [])
    bad = [i for i in id_list if not is_uri(i)]
    if bad:
        raise BadRequestData(f"id {bad[0]!r} is not a URI")
    geo = _geo(ctx, georel, geometry, coordinates, geoproperty)
    if types is not None and types.strip() == "*":
        if local is False:
            raise BadRequestData("type=* (every type) is only answered locally: local=true")
        types, local = None, True
    parsed_q = _q(ctx, q)
    narrows = types or _narrows(attrs, parsed_q) or geo or local or scope_q
    if require_filter and not narrows:
        raise BadRequestData(
            "give at least one of type, attrs, q, scopeQ or a geo-query (clause 5.7.2); "
            "system attributes alone do not narrow a query"
        )
    if attrs is not None and {"id", "type"} & set(split(attrs, "attrs")):
        raise BadRequestData("id and type are entity members, not attributes: use pick")
    return EntityQuery(
        types=parse_types(types).map(ctx.stored_name) if types else None,
        ids=tuple(id_list),
        id_pattern=_pattern(id_pattern),
        q=parsed_q,
        geo=geo,
        attrs=names(ctx, attrs, "attrs"),
        scope=parse_scope_q(scope_q) if scope_q is not None else None,
        limit=limit,
        offset=offset,
    )


_SYSTEM_ATTRIBUTES = {"createdAt", "modifiedAt", "deletedAt"}


def _narrows(attrs: str | None, q: Any) -> bool:
    """Whether attrs or q name an attribute that is not a system one (createdAt …): every entity
    has those, so they alone do not narrow a query (clause 5.7.2)."""
    if attrs and not set(split(attrs, "attrs")) <= _SYSTEM_ATTRIBUTES:
        return True
    return q is not None and any(p.attribute not in _SYSTEM_ATTRIBUTES for p in iter_paths(q))


def _pattern(text: str | None) -> re.Pattern[str] | None:
    if text is None:
        return None
    try:
        return re.compile(text)
    except re.error as exc:
        raise BadRequestData(f"idPattern is not a valid regular expression: {exc}") from None


def _q(ctx: ActiveContext, text: str | None) -> Any:
    if text is None:
        return None
    try:
        return parse_q(text).map_attributes(ctx.stored_name)
    except QuerySyntaxError as exc:
        raise BadRequestData(f"q: {exc}") from None


def _geo(
    ctx: ActiveContext,
    georel: str | None,
    geometry: str | None,
    coordinates: str | list[Any] | None,
    geoproperty: str | None,
) -> Any:
    given = [p is not None for p in (georel, geometry, coordinates)]
    if not any(given):
        if geoproperty is not None:
            raise BadRequestData("geoproperty needs georel, geometry and coordinates")
        return None
    if not all(given):
        raise BadRequestData("a geo-query needs georel, geometry and coordinates together")
    try:
        geo = parse_geoquery(georel, geometry, coordinates, geoproperty)  # type: ignore[arg-type]
    except GeoQuerySyntaxError as exc:
        raise BadRequestData(str(exc)) from None
    return geo.map_attributes(ctx.stored_name)


# Query parameters as FastAPI declares them, so the OpenAPI document lists them.
IdParam = Annotated[str | None, Query(alias="id", description="Entity ids, comma-separated.")]
TypeParam = Annotated[str | None, Query(alias="type", description="Type expression: , | ; ( ).")]
IdPatternParam = Annotated[str | None, Query(alias="idPattern")]
AttrsParam = Annotated[str | None, Query(description="Attribute names, comma-separated.")]
PickParam = Annotated[str | None, Query(description="Members to keep (attributes, id, type).")]
OmitParam = Annotated[str | None, Query(description="Members to leave out.")]
QParam = Annotated[str | None, Query(description="NGSI-LD query language.")]
OptionsParam = Annotated[str | None, Query(description="keyValues, concise, sysAttrs …")]
FormatParam = Annotated[str | None, Query(alias="format")]
LangParam = Annotated[str | None, Query(description="Preferred languages, e.g. zh,en;q=0.5")]
LocalParam = Annotated[bool | None, Query(description="Only this broker's own entities.")]
DatasetIdParam = Annotated[
    str | None, Query(alias="datasetId", description="Instances to show; @none: the default.")
]
ScopeQParam = Annotated[str | None, Query(alias="scopeQ", description="e.g. /Madrid/#")]
JoinParam = Annotated[str | None, Query(description="flat, inline or @none: linked entities")]
JoinLevelParam = Annotated[int | None, Query(alias="joinLevel", ge=-(2**31), le=2**31)]
LimitParam = Annotated[int | None, Query(ge=-(2**31), le=2**31)]
OffsetParam = Annotated[int | None, Query(ge=-(2**31), le=2**31)]
