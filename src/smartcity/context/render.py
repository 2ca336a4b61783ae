"""Stored entities as a client asked to see them: projected (attrs/pick/omit), in a language,
compacted against the client's @context, as normalized, concise or keyValues, or as GeoJSON."""

from __future__ import annotations

from typing import Any

from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import ENTITY_MEMBERS
from smartcity.context.params import View
from smartcity.context.represent import to_concise, to_key_values

_ENTITY_KEYS = ("id", "type", "scope", "createdAt", "modifiedAt")
_SYSTEM = ("createdAt", "modifiedAt")


def project(document: dict[str, Any], view: View) -> dict[str, Any]:
    """Keep what attrs/pick name, drop what omit names (stored names)."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in _ENTITY_KEYS:
            keep = key not in view.omit and (
                view.pick_members is None or key in view.pick_members or key in _SYSTEM
            )
        else:
            keep = key not in view.omit and (view.attrs is None or key in view.attrs)
        if keep:
            out[key] = value
    if view.datasets is not None:
        out = _in_datasets(out, view.datasets)
    if not view.sys_attrs:
        out = {k: _without_system(v) for k, v in out.items() if k not in _SYSTEM}
    return out


def _in_datasets(document: dict[str, Any], datasets: frozenset[str]) -> dict[str, Any]:
    """Only the attribute instances of the given datasets; attributes left without any go."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key in _ENTITY_KEYS:
            out[key] = value
            continue
        kept = [
            instance
            for instance in (value if isinstance(value, list) else [value])
            if isinstance(instance, dict) and instance.get("datasetId", "@none") in datasets
        ]
        if kept:
            out[key] = kept if len(kept) > 1 else kept[0]
    return out


def _without_system(value: Any) -> Any:
    if isinstance(value, list):
        return [_without_system(v) for v in value]
    if isinstance(value, dict) and "type" in value:
        return {
            k: _without_system(v) for k, v in value.items() if k not in (*_SYSTEM, "instanceId")
        }
    return value


def in_language(document: dict[str, Any], tags: tuple[str, ...]) -> dict[str, Any]:
    """LanguageProperties as Properties holding the best-matching string (clause 4.15)."""
    out: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, list):
            out[key] = [_one_language(v, tags) for v in value]
        else:
            out[key] = _one_language(value, tags)
    return out


def _one_language(attribute: Any, tags: tuple[str, ...]) -> Any:
    if not isinstance(attribute, dict) or attribute.get("type") != "LanguageProperty":
        return attribute
    texts = attribute.get("languageMap") or {}
    chosen = _choose(texts, tags)
    out = {k: v for k, v in attribute.items() if k != "languageMap"}
    out["type"] = "Property"
    if chosen is None:  # no language matches: any one, saying which (clause 4.15)
        chosen = next(iter(texts), None)
    out["value"] = texts.get(chosen) if chosen is not None else None
    if chosen is not None and chosen != "@none":
        out["lang"] = chosen
    return out


def _choose(texts: dict[str, Any], tags: tuple[str, ...]) -> str | None:
    """The entry for the most preferred tag: RFC 4647 lookup (`nl-BE` falls back to `nl`), and a
    tag also accepts its regional variants (`zh` accepts `zh-CN`)."""
    lower = {k.lower(): k for k in texts}
    for tag in tags:
        if tag == "*":
            return next((k for k in texts if k != "@none"), next(iter(texts), None))
        wanted = tag.lower()
        for key in lower:  # `zh` accepts `zh-CN`
            if key == wanted or key.startswith(wanted + "-"):
                return lower[wanted] if wanted in lower else lower[key]
        while "-" in wanted:
            wanted = wanted.rsplit("-", 1)[0]
            if wanted in lower:
                return lower[wanted]
    return "@none" if "@none" in texts else None


def _object_items(document: dict[str, Any]) -> dict[str, Any]:
    """A ListRelationship's objectList as {"object": URI} items (clause 4.5.22)."""
    out = document
    for key, value in document.items():
        instances = value if isinstance(value, list) else [value]
        if not any(isinstance(i, dict) and i.get("type") == "ListRelationship" for i in instances):
            continue
        if out is document:
            out = dict(document)
        items = [_as_objects(i) for i in instances]
        out[key] = items if isinstance(value, list) else items[0]
    return out


def _as_objects(attribute: Any) -> Any:
    if not isinstance(attribute, dict) or attribute.get("type") != "ListRelationship":
        return attribute
    objects = [{"object": o} if isinstance(o, str) else o for o in attribute["objectList"]]
    return {**attribute, "objectList": objects}


def entity(document: dict[str, Any], view: View, ctx: ActiveContext) -> dict[str, Any]:
    """One stored entity document in the client's representation (without @context)."""
    shown = project(document, view)
    if view.fmt != "keyValues":
        shown = _object_items(shown)
    if view.lang:
        shown = in_language(shown, view.lang)
    compact = ctx.compact_entity(shown)
    if view.fmt == "keyValues":
        return _by_dataset(compact, to_key_values(compact))
    if view.fmt == "concise":
        return to_concise(compact)
    return compact


def empty(body: dict[str, Any]) -> bool:
    """Whether a projection left nothing of an entity (it is then not found, clause 4.21)."""
    return not body.keys() - _SYSTEM


def entities(documents: list[dict[str, Any]], view: View, ctx: ActiveContext) -> list[Any]:
    """Entities of a query answer; those the projection empties are left out."""
    return [body for d in documents if not empty(body := entity(d, view, ctx))]


def _by_dataset(compact: dict[str, Any], simple: dict[str, Any]) -> dict[str, Any]:
    """keyValues of a multi-attribute: its values by datasetId, "@none" for the default
    instance (clause 4.5.4)."""
    for name, attribute in compact.items():
        if name in ENTITY_MEMBERS or not isinstance(attribute, list):
            continue
        if isinstance(simple.get(name), list) and all(isinstance(a, dict) for a in attribute):
            simple[name] = {
                "dataset": {
                    instance.get("datasetId", "@none"): value
                    for instance, value in zip(attribute, simple[name], strict=True)
                }
            }
    return simple


def relationship_targets(document: dict[str, Any]) -> list[str]:
    """The entity ids a (projected, stored) entity's Relationships and ListRelationships name."""
    found: list[str] = []
    for key, value in document.items():
        if key in _ENTITY_KEYS:
            continue
        for instance in value if isinstance(value, list) else [value]:
            found.extend(_objects(instance))
    return list(dict.fromkeys(found))


def _objects(instance: Any) -> list[str]:
    if not isinstance(instance, dict):
        return []
    if instance.get("type") == "Relationship":
        target = instance.get("object")
        targets = target if isinstance(target, list) else [target]
    elif instance.get("type") == "ListRelationship":
        targets = [o.get("object") if isinstance(o, dict) else o for o in instance["objectList"]]
    else:
        return []
    return [t for t in targets if isinstance(t, str)]


def inline(
    body: dict[str, Any],
    document: dict[str, Any],
    linked: dict[str, Any],
    view: View,
    ctx: ActiveContext,
) -> dict[str, Any]:
    """`join=inline` (clause 4.5.23): each Relationship of a rendered entity carries the entity it
    names (`entity`, `entityList`); in keyValues the linked entity stands for the relationship."""
    out = dict(body)
    for key, value in document.items():
        name = ctx.present_name(key)
        if key in _ENTITY_KEYS or name not in out:
            continue
        instances = value if isinstance(value, list) else [value]
        targets = [_objects(i) for i in instances]
        if not any(targets):
            continue
        if view.fmt == "keyValues":
            if not isinstance(value, list):
                out[name] = _linked_value(value, targets[0], linked)
            continue
        shown = out[name] if isinstance(out[name], list) else [out[name]]
        joined = [
            _with_entity(i, s, t, linked) for i, s, t in zip(instances, shown, targets, strict=True)
        ]
        out[name] = joined if isinstance(out[name], list) else joined[0]
    return out


def _linked_value(instance: dict[str, Any], targets: list[str], linked: dict[str, Any]) -> Any:
    if instance.get("type") == "ListRelationship":
        return [linked.get(t, t) for t in targets]
    return linked.get(targets[0], targets[0]) if len(targets) == 1 else targets


def _with_entity(
    instance: dict[str, Any], shown: Any, targets: list[str], linked: dict[str, Any]
) -> Any:
    if not isinstance(shown, dict) or not any(t in linked for t in targets):
        return shown
    if instance.get("type") == "ListRelationship":
        return {**shown, "entityList": [linked[t] for t in targets if t in linked]}
    if len(targets) == 1:
        return {**shown, "entity": linked[targets[0]]}
    return {**shown, "entityList": [linked[t] for t in targets if t in linked]}


def feature(document: dict[str, Any], view: View, ctx: ActiveContext) -> dict[str, Any]:
    """One stored entity as a GeoJSON Feature (clause 4.5.16): geometry from the chosen
    GeoProperty, the rest (entity type included) in `properties`; empty when the projection
    leaves nothing."""
    body = entity(document, view, ctx)
    if empty(body):
        return {}
    geometry = _geometry(document.get(view.geometry_property))
    properties = {k: v for k, v in body.items() if k != "id"}
    return {"id": document["id"], "type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(
    documents: list[dict[str, Any]], view: View, ctx: ActiveContext
) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [f for d in documents if (f := feature(d, view, ctx))],
    }


def _geometry(attribute: Any) -> Any:
    if isinstance(attribute, list):
        attribute = next((a for a in attribute if "datasetId" not in a), attribute[0])
    if isinstance(attribute, dict) and isinstance(attribute.get("value"), dict):
        return attribute["value"]
    return None
