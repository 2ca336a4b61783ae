"""Stored entities as a client asked to see them: projected (attrs/pick/omit), in a language,
compacted against the client's @context, as normalized, concise or keyValues, or as GeoJSON."""

from __future__ import annotations

from typing import Any

from smartcity.context.jsonld import ActiveContext
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
    if not view.sys_attrs:
        out = {k: _without_system(v) for k, v in out.items() if k not in _SYSTEM}
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
    if chosen is None:
        out["value"] = next(iter(texts.values()), None)
        return out
    out["value"] = texts[chosen]
    if chosen != "@none":
        out["lang"] = chosen
    return out


def _choose(texts: dict[str, Any], tags: tuple[str, ...]) -> str | None:
    lower = {k.lower(): k for k in texts}
    for tag in tags:
        if tag == "*":
            return next(iter(texts), None)
        if tag.lower() in lower:
            return lower[tag.lower()]
        for key in texts:  # `zh` accepts `zh-CN`
            if key.lower().startswith(tag.lower() + "-"):
                return key
    return "@none" if "@none" in texts else None


def entity(document: dict[str, Any], view: View, ctx: ActiveContext) -> dict[str, Any]:
    """One stored entity document in the client's representation (without @context)."""
    shown = project(document, view)
    if view.lang:
        shown = in_language(shown, view.lang)
    compact = ctx.compact_entity(shown)
    if view.fmt == "keyValues":
        return to_key_values(compact)
    if view.fmt == "concise":
        return to_concise(compact)
    return compact


def feature(document: dict[str, Any], view: View, ctx: ActiveContext) -> dict[str, Any]:
    """One stored entity as a GeoJSON Feature (clause 4.5.16): geometry from the chosen
    GeoProperty, the rest (entity type included) in `properties`."""
    body = entity(document, view, ctx)
    geometry = _geometry(document.get(view.geometry_property))
    properties = {k: v for k, v in body.items() if k != "id"}
    return {"id": document["id"], "type": "Feature", "geometry": geometry, "properties": properties}


def feature_collection(
    documents: list[dict[str, Any]], view: View, ctx: ActiveContext
) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [feature(d, view, ctx) for d in documents],
    }


def _geometry(attribute: Any) -> Any:
    if isinstance(attribute, list):
        attribute = next((a for a in attribute if "datasetId" not in a), attribute[0])
    if isinstance(attribute, dict) and isinstance(attribute.get("value"), dict):
        return attribute["value"]
    return None
