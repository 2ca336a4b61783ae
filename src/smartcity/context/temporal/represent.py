"""Temporal entities as clients see them: the temporal representation (4.5.7, every instance in
full), the simplified one (4.5.9, `temporalValues`: [value, time] pairs per attribute and
datasetId) and the aggregated one (4.5.19: [value, startAt, endAt] per method).

Documents are built in the stored form with instance lists, compacted against the client's
@context, then reshaped, so that names are compacted exactly as for entities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smartcity.context.jsonld import ActiveContext
from smartcity.context.models import ContextEntity
from smartcity.context.render import in_language
from smartcity.context.temporal.aggregate import Result
from smartcity.context.temporal.params import AGGREGATED, TEMPORAL_VALUES, format_datetime

# Simplified representation (4.5.9): the list member and how each value is shown, by type.
_SIMPLIFIED = {
    "Property": ("values", "value", False),
    "GeoProperty": ("values", "value", False),
    "Relationship": ("objects", "object", False),
    "ListProperty": ("valueLists", "valueList", False),
    "ListRelationship": ("objectLists", "objectList", False),
    "LanguageProperty": ("languageMaps", "languageMap", True),
    "JsonProperty": ("jsons", "json", True),
    "VocabProperty": ("vocabs", "vocab", True),
}
_ENTITY_MEMBERS = ("id", "type", "scope", "createdAt", "modifiedAt")
_SYSTEM = ("createdAt", "modifiedAt")


@dataclass(frozen=True)
class Shape:
    """How a temporal answer is shown."""

    representation: str
    timeproperty: str = "observedAt"
    sys_attrs: bool = False
    lang: tuple[str, ...] | None = None
    pick: frozenset[str] | None = None  # stored names, and "id"/"type"
    omit: frozenset[str] = frozenset()
    datasets: frozenset[str | None] | None = None  # datasetId filter; None is the default


def head(row: ContextEntity, shape: Shape) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": row.entity_id,
        "type": row.types[0] if len(row.types) == 1 else list(row.types),
    }
    if row.scope:
        document["scope"] = row.scope
    if shape.sys_attrs:
        document["createdAt"] = format_datetime(row.created_at)
        document["modifiedAt"] = format_datetime(row.modified_at)
    return document


def _visible(name: str, shape: Shape) -> bool:
    return name not in shape.omit and (shape.pick is None or name in shape.pick)


def _finish(document: dict[str, Any], shape: Shape) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in ("id", "type") or _visible(k, shape)}


def _in_datasets(instance: dict[str, Any], shape: Shape) -> bool:
    return shape.datasets is None or instance.get("datasetId") in shape.datasets


def temporal_entity(
    row: ContextEntity,
    attributes: dict[str, list[dict[str, Any]]],
    recorded: dict[str, datetime],
    shape: Shape,
    ctx: ActiveContext,
) -> dict[str, Any]:
    """One entity in the temporal (or simplified temporal) representation."""
    document = head(row, shape)
    system = shape.sys_attrs or shape.timeproperty in ("createdAt", "modifiedAt")
    for name, instances in attributes.items():
        kept = [i for i in instances if _in_datasets(i, shape)]
        if not kept or not _visible(name, shape):
            continue
        if system:
            kept = [_with_system(i, recorded) for i in kept]
        else:  # instances written through the entity API carry them
            kept = [{k: v for k, v in i.items() if k not in _SYSTEM} for i in kept]
        document[name] = kept
    if shape.lang:
        document = in_language(document, shape.lang)
    compact = ctx.compact_entity(document)
    if shape.representation == TEMPORAL_VALUES:
        compact = {
            k: v if k in _ENTITY_MEMBERS else _simplified(v, shape.timeproperty)
            for k, v in compact.items()
        }
    return _finish(compact, shape)


def _with_system(instance: dict[str, Any], recorded: dict[str, datetime]) -> dict[str, Any]:
    when = recorded.get(instance.get("instanceId", ""))
    if when is None:
        return instance
    stamp = format_datetime(when)
    return {**instance, "createdAt": stamp, "modifiedAt": stamp}


def _time_of(instance: dict[str, Any], timeproperty: str) -> Any:
    if timeproperty in instance:
        return instance[timeproperty]
    for member in ("observedAt", "modifiedAt", "createdAt", "deletedAt"):
        if member in instance:
            return instance[member]
    return None


def _simplified(instances: list[dict[str, Any]], timeproperty: str) -> Any:
    """[value, time] pairs, one object per datasetId (a list when there are several)."""
    groups: dict[str | None, dict[str, Any]] = {}
    for instance in instances:
        kind = instance.get("type", "Property")
        member, source, wrapped = _SIMPLIFIED.get(kind, _SIMPLIFIED["Property"])
        dataset = instance.get("datasetId")
        group = groups.setdefault(dataset, {"type": kind, member: []})
        if dataset is not None:
            group["datasetId"] = dataset
        value = instance.get(source)
        group.setdefault(member, []).append(
            [{source: value} if wrapped else value, _time_of(instance, timeproperty)]
        )
    shown = list(groups.values())
    return shown[0] if len(shown) == 1 else shown


class Names:
    """Stored names as the client's context shows them, each worked out once per request."""

    def __init__(self, ctx: ActiveContext) -> None:
        self.ctx = ctx
        self._shown: dict[str, str] = {}

    def __call__(self, stored: str) -> str:
        shown = self._shown.get(stored)
        if shown is None:
            shown = self._shown[stored] = self.ctx.present_name(stored)
        return shown

    def types(self, value: Any) -> Any:
        return [self(t) for t in value] if isinstance(value, list) else self(value)


def aggregated_entity(
    row: ContextEntity,
    result: dict[str, dict[str | None, dict[str, list[list[Any]]]]],
    shape: Shape,
    names: Names,
) -> dict[str, Any]:
    """One entity in the aggregated temporal representation. Its members are NGSI-LD names
    and method arrays only, so names are compacted one by one rather than as a document."""
    document = head(row, shape)
    document["type"] = names.types(document["type"])
    for name, series in result.items():
        if not _visible(name, shape):
            continue
        groups = [
            {
                "type": names(_attribute_type(row, name, dataset)),
                **({"datasetId": dataset} if dataset else {}),
                **methods,
            }
            for dataset, methods in series.items()
            if shape.datasets is None or dataset in shape.datasets
        ]
        if groups:
            document[names(name)] = groups[0] if len(groups) == 1 else groups
    return _finish(document, shape)


def _attribute_type(row: ContextEntity, name: str, dataset: str | None) -> str:
    current = row.attrs.get(name)
    for instance in current if isinstance(current, list) else [current]:
        if isinstance(instance, dict) and instance.get("datasetId") == dataset:
            return str(instance.get("type", "Property"))
    return "Property"


def entity_answer(
    row: ContextEntity,
    attributes: dict[str, list[dict[str, Any]]] | None,
    recorded: dict[str, datetime],
    aggregated: Result | None,
    shape: Shape,
    names: Names,
) -> dict[str, Any]:
    """The entity in whichever temporal representation `shape` asks for."""
    if shape.representation == AGGREGATED:
        return aggregated_entity(row, (aggregated or {}).get(row.entity_id, {}), shape, names)
    return temporal_entity(row, attributes or {}, recorded, shape, names.ctx)
