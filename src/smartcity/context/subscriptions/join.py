"""Linked entities in notifications (clause 4.5.23, notification.join): the entities the notified
entities' Relationships point at, one level deep, either added to the data (`flat`) or placed in
the Relationship that names them (`inline`; in keyValues the Relationship becomes that entity)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from smartcity.context import render, store
from smartcity.context.errors import ResourceNotFound
from smartcity.context.jsonld import ActiveContext
from smartcity.context.normalize import ENTITY_MEMBERS
from smartcity.context.params import View

JOINS = ("flat", "inline", "@none")


def _relationships(document: dict[str, Any], view: View) -> dict[str, list[str]]:
    """The objects of the Relationships the view keeps, by stored attribute name."""
    out: dict[str, list[str]] = {}
    for name, value in document.items():
        if name in ENTITY_MEMBERS or name in view.omit:
            continue
        if view.attrs is not None and name not in view.attrs:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and item.get("type") == "Relationship":
                objects = item.get("object")
                ids = objects if isinstance(objects, list) else [objects]
                out.setdefault(name, []).extend(i for i in ids if isinstance(i, str))
    return out


def linked_documents(
    session: Session, tenant_id: int, documents: list[dict[str, Any]], view: View
) -> dict[str, dict[str, Any]]:
    """The stored documents of the entities the notified ones link to (missing ones skipped)."""
    found: dict[str, dict[str, Any]] = {}
    for document in documents:
        for ids in _relationships(document, view).values():
            for entity_id in ids:
                if entity_id in found:
                    continue
                try:
                    row = store.get_entity(session, tenant_id, entity_id)
                except ResourceNotFound:
                    continue
                found[entity_id] = store.entity_document(row, sys_attrs=True)
    return found


def joined(
    shown: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    linked: dict[str, dict[str, Any]],
    how: str,
    view: View,
    ctx: ActiveContext,
) -> list[dict[str, Any]]:
    """The notified entities with their linked entities, flat or inline."""
    whole = replace(view, attrs=None, pick_members=None, omit=frozenset())

    def show(entity_id: str) -> dict[str, Any]:
        return render.entity(linked[entity_id], whole, ctx)

    if how == "flat":
        present = {entity.get("id") for entity in shown}
        extra = [i for d in documents for ids in _relationships(d, view).values() for i in ids]
        ordered = [i for i in dict.fromkeys(extra) if i in linked and i not in present]
        return [*shown, *(show(i) for i in ordered)]
    for entity, document in zip(shown, documents, strict=True):
        for name, ids in _relationships(document, view).items():
            key = ctx.present_name(name)
            targets = [show(i) for i in ids if i in linked]
            if not targets or key not in entity:
                continue
            inline = targets[0] if len(targets) == 1 else targets
            if view.fmt == "keyValues":
                entity[key] = inline
            elif isinstance(entity[key], dict):  # one instance; multi-instance stays as it is
                entity[key] = {**entity[key], "entity": inline}
    return shown
