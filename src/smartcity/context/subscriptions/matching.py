"""Does an entity change trigger a subscription (clause 5.8.6)? If so, with which entity content.

A subscription is compiled once into a `Rule`: its entity selectors, watched attributes, triggers,
q and geoQ, datasetId filter. `match` reads an `EntityChange` (stored form, before and after) and
answers the trigger that fired and the entity to notify: the entity after the change, deleted
attributes shown with the value `urn:ngsi-ld:null`, previous values when showChanges asks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smartcity.context.events import EntityChange
from smartcity.context.normalize import ATTRIBUTE_TYPES, ENTITY_MEMBERS
from smartcity.context.query import (
    EntityResolver,
    GeoQuery,
    QueryNode,
    evaluate,
    parse_geoquery,
    parse_q,
)
from smartcity.context.search import TypeSelector, parse_types
from smartcity.context.subscriptions.models import Subscription
from smartcity.context.subscriptions.validate import DEFAULT_TRIGGERS, TRIGGERS

log = logging.getLogger(__name__)
NULL = "urn:ngsi-ld:null"
SYSTEM_STAMPS = ("createdAt", "modifiedAt")
ENTITY_TRIGGER = {
    "created": "entityCreated",
    "updated": "entityUpdated",
    "deleted": "entityDeleted",
}


@dataclass(frozen=True, slots=True)
class Selector:
    entity_id: str | None
    pattern: re.Pattern[str] | None
    types: TypeSelector

    def accepts(self, entity_id: str, types: list[str]) -> bool:
        if self.entity_id is not None and entity_id != self.entity_id:
            return False
        if self.pattern is not None and not self.pattern.search(entity_id):
            return False
        return self.types.accepts(types)


@dataclass(frozen=True, slots=True)
class Rule:
    """What one subscription listens for, ready to test changes against."""

    pk: int
    selectors: tuple[Selector, ...]
    watched: frozenset[str] | None
    triggers: frozenset[str]
    q: QueryNode | None
    geo: GeoQuery | None
    datasets: frozenset[str | None] | None
    expires_at: datetime | None
    show_changes: bool
    sys_attrs: bool

    def accepts(self, entity_id: str, types: list[str]) -> bool:
        return not self.selectors or any(s.accepts(entity_id, types) for s in self.selectors)


@dataclass(frozen=True, slots=True)
class AttributeEvent:
    name: str
    dataset: str | None
    trigger: str


@dataclass(frozen=True, slots=True)
class Fired:
    trigger: str
    entity: dict[str, Any]


def datasets_of(document: dict[str, Any]) -> frozenset[str | None] | None:
    if "datasetId" not in document:
        return None
    return frozenset(None if d == "@none" else d for d in document["datasetId"])


def selectors_of(document: dict[str, Any]) -> tuple[Selector, ...]:
    return tuple(
        Selector(
            s.get("id"),
            re.compile(s["idPattern"]) if "idPattern" in s else None,
            parse_types(s["type"]),
        )
        for s in document.get("entities", ())
    )


def geo_of(document: dict[str, Any]) -> GeoQuery | None:
    geo = document.get("geoQ")
    if geo is None:
        return None
    return parse_geoquery(
        geo["georel"], geo["geometry"], geo["coordinates"], geo.get("geoproperty")
    )


def compile_rule(row: Subscription) -> Rule | None:
    """The rule of an active, change-driven subscription (None for periodic or broken ones)."""
    doc = row.document
    if row.time_interval is not None or not row.is_active:
        return None
    try:
        return Rule(
            pk=row.id,
            selectors=selectors_of(doc),
            watched=frozenset(doc["watchedAttributes"]) if "watchedAttributes" in doc else None,
            triggers=frozenset(doc.get("notificationTrigger", DEFAULT_TRIGGERS)),
            q=parse_q(doc["q"]) if "q" in doc else None,
            geo=geo_of(doc),
            datasets=datasets_of(doc),
            expires_at=row.expires_at,
            show_changes=bool(doc["notification"].get("showChanges")),
            sys_attrs=bool(doc["notification"].get("sysAttrs")),
        )
    except Exception:  # a subscription stored by an older version must not stop every write
        log.exception("subscription %s cannot be compiled", row.subscription_id)
        return None


def instances(attribute: Any) -> dict[str | None, dict[str, Any]]:
    if attribute is None:
        return {}
    items = attribute if isinstance(attribute, list) else [attribute]
    return {item.get("datasetId"): item for item in items if isinstance(item, dict)}


def attribute_events(change: EntityChange) -> list[AttributeEvent]:
    """Which attribute instances this change created, updated or deleted."""
    before, after = change.before or {}, change.after or {}
    names: Iterable[str] = change.attributes
    if change.kind != "updated" and not names:
        names = set(before) | set(after)
    events = []
    for name in names:
        if name in ENTITY_MEMBERS:
            continue
        old, new = instances(before.get(name)), instances(after.get(name))
        touched = [d for d in new if d in old and old[d] != new[d]] or [d for d in new if d in old]
        events += [AttributeEvent(name, d, "attributeCreated") for d in new if d not in old]
        events += [AttributeEvent(name, d, "attributeUpdated") for d in touched]
        events += [AttributeEvent(name, d, "attributeDeleted") for d in old if d not in new]
    return events


def match(
    rule: Rule,
    change: EntityChange,
    events: list[AttributeEvent],
    *,
    now: datetime,
    resolve: EntityResolver | None = None,
) -> Fired | None:
    """The trigger this change fires for `rule` and the entity to notify, or None."""
    document = change.after if change.after is not None else change.before
    if document is None or (rule.expires_at is not None and rule.expires_at <= now):
        return None
    types = document.get("type", [])
    if not rule.accepts(change.entity_id, types if isinstance(types, list) else [types]):
        return None
    relevant = [
        e
        for e in events
        if (rule.watched is None or e.name in rule.watched)
        and (rule.datasets is None or e.dataset in rule.datasets)
    ]
    fired = [e for e in relevant if e.trigger in rule.triggers]
    entity_trigger = ENTITY_TRIGGER[change.kind]
    entity_fired = entity_trigger in rule.triggers and (
        change.kind != "updated" or rule.watched is None or bool(rule.watched & change.attributes)
    )
    if not fired and not entity_fired:
        return None
    if rule.q is not None and not evaluate(rule.q, document, resolve_entity=resolve):
        return None
    if rule.geo is not None and not rule.geo.matches_entity(document):
        return None
    trigger = (
        entity_trigger if entity_fired else min((e.trigger for e in fired), key=TRIGGERS.index)
    )
    return Fired(trigger, shape_entity(rule, change, trigger, relevant))


def _member(instance: dict[str, Any]) -> str:
    return ATTRIBUTE_TYPES.get(instance.get("type", "Property"), "value")


def _previous(member: str) -> str:
    return "previous" + member[0].upper() + member[1:]


def null_instance(
    instance: dict[str, Any], *, show_changes: bool, deleted_at: str | None = None
) -> dict[str, Any]:
    """A deleted attribute instance as notified: its type, datasetId and the null value; with
    sysAttrs (`deleted_at` given) also its createdAt, modifiedAt and deletedAt."""
    member = _member(instance)
    out: dict[str, Any] = {"type": instance.get("type", "Property")}
    if "datasetId" in instance:
        out["datasetId"] = instance["datasetId"]
    if show_changes and member in instance:
        out[_previous(member)] = instance[member]
    out[member] = {"@none": NULL} if member == "languageMap" else NULL  # clause 4.5.18
    if deleted_at is not None:
        out.update({k: instance[k] for k in SYSTEM_STAMPS if k in instance})
        out["deletedAt"] = deleted_at
    return out


def _put(entity: dict[str, Any], name: str, dataset: str | None, instance: dict[str, Any]) -> None:
    current = instances(entity.get(name))
    current[dataset] = instance
    values = list(current.values())
    entity[name] = values[0] if len(values) == 1 else values


def shape_entity(
    rule: Rule, change: EntityChange, trigger: str, events: list[AttributeEvent]
) -> dict[str, Any]:
    """The entity as notified: deleted instances as null, previous values with showChanges."""
    before = change.before or {}
    deleted_at = iso(change.at or datetime.now(UTC))
    if change.kind == "deleted":
        entity = {"id": change.entity_id, "type": before.get("type")}
        entity.update({k: before[k] for k in SYSTEM_STAMPS if k in before})  # kept by sysAttrs
        entity["deletedAt"] = deleted_at
        if trigger == "entityDeleted":
            return _with_previous_values(entity, before) if rule.show_changes else entity
    else:
        entity = dict(change.after or {})
    stamp = deleted_at if rule.sys_attrs else None
    for event in events:
        old = instances(before.get(event.name)).get(event.dataset)
        if event.trigger == "attributeDeleted" and old is not None:
            null = null_instance(old, show_changes=rule.show_changes, deleted_at=stamp)
            _put(entity, event.name, event.dataset, null)
        elif event.trigger == "attributeUpdated" and rule.show_changes and old is not None:
            new = dict(instances(entity.get(event.name))[event.dataset])
            member = _member(old)
            if member in old:
                new[_previous(member)] = old[member]
            _put(entity, event.name, event.dataset, new)
    if rule.datasets is not None:
        return only_datasets(entity, rule.datasets)
    return _whole_attributes_deleted(entity, change, events)


def _with_previous_values(entity: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """A deleted entity under showChanges: every attribute it had, null with its last value."""
    for name, value in before.items():
        if name not in ENTITY_MEMBERS:
            for dataset, old in instances(value).items():
                _put(entity, name, dataset, null_instance(old, show_changes=True))
    return entity


def _whole_attributes_deleted(
    entity: dict[str, Any], change: EntityChange, events: list[AttributeEvent]
) -> dict[str, Any]:
    """An attribute that lost every instance is notified as one null instance (its default one
    when it had it): the attribute as a whole was deleted."""
    after = change.after or {}
    deleted = {e.name for e in events if e.trigger == "attributeDeleted" and e.name not in after}
    for name in deleted:
        nulls = instances(entity.get(name))
        if len(nulls) > 1:
            entity[name] = nulls.get(None) or next(iter(nulls.values()))
    return entity


def only_datasets(entity: dict[str, Any], datasets: frozenset[str | None]) -> dict[str, Any]:
    """The entity with only the attribute instances of these datasetIds (None: the default)."""
    out: dict[str, Any] = {}
    for name, value in entity.items():
        if name in ENTITY_MEMBERS:
            out[name] = value
            continue
        kept = [i for d, i in instances(value).items() if d in datasets]
        if kept:
            out[name] = kept[0] if len(kept) == 1 else kept
    return out


def iso(moment: datetime) -> str:
    """An NGSI-LD DateTime in UTC with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
