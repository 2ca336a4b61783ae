"""The rules of NGSI-LD entity operations (clause 5.6): create, retrieve, replace, delete, and the
attribute operations with their 204/207 outcomes. No HTTP here; names arrive already expanded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from smartcity.context import events, store
from smartcity.context.errors import BadRequestData, ResourceNotFound
from smartcity.context.events import EntityChange
from smartcity.context.models import ContextEntity
from smartcity.context.normalize import ATTRIBUTE_TYPES, ENTITY_MEMBERS, NULL, null_attribute
from smartcity.context.search import TypeSelector
from smartcity.context.temporal import deletions


@dataclass
class UpdateResult:
    """What an attribute operation did: all updated is a 204, anything not updated is a 207."""

    updated: list[str] = field(default_factory=list)
    not_updated: list[dict[str, str]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.not_updated

    def body(self, compact: Any = lambda name: name) -> dict[str, Any]:
        return {
            "updated": [compact(n) for n in self.updated],
            "notUpdated": [
                {"attributeName": compact(n["attributeName"]), "reason": n["reason"]}
                for n in self.not_updated
            ],
        }


def _instances(attribute: Any) -> dict[str | None, dict[str, Any]]:
    items = attribute if isinstance(attribute, list) else [attribute]
    return {item.get("datasetId"): item for item in items}


def _collapse(instances: dict[str | None, dict[str, Any]]) -> Any:
    values = list(instances.values())
    return values[0] if len(values) == 1 else values


def _fragment_attributes(fragment: dict[str, Any], *, allow_empty: bool = False) -> dict[str, Any]:
    attrs = {k: v for k, v in fragment.items() if k not in ENTITY_MEMBERS and k != "type"}
    if not attrs and not allow_empty:
        raise BadRequestData("the request names no attribute")
    return attrs


def _save(
    session: Session,
    row: ContextEntity,
    attrs: dict[str, Any],
    changed: dict[str, Any],
    now: datetime,
    written: set[str],
) -> None:
    """Store the new attributes, keep in the history which instances went, announce the
    change, commit."""
    for name, gone in _removed_instances(row.attrs, attrs).items():
        deletions.record_deletions(session, row.tenant_id, row.entity_id, name, gone, now)
    before = store.entity_document(row)
    store.save_attributes(session, row, attrs, changed, now)
    after = store.entity_document(row)
    change = EntityChange(
        row.tenant_id, row.entity_id, "updated", before, after, frozenset(written), now
    )
    events.emit(session, [change])
    session.commit()


def _removed_instances(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The attribute instances (by datasetId) in `old` that `new` no longer has."""
    removed = {}
    for name, value in old.items():
        remaining = _instances(new[name]) if name in new else {}
        gone = [i for d, i in _instances(value).items() if d not in remaining]
        if gone:
            removed[name] = gone
    return removed


def refuse_nulls(entity: dict[str, Any]) -> None:
    name = null_attribute(entity)
    if name is not None:
        raise BadRequestData(f"{name}: NGSI-LD Null only deletes, it cannot be stored")


def create_entity(session: Session, tenant_id: int, entity: dict[str, Any], now: datetime) -> None:
    refuse_nulls(entity)
    result = store.upsert_entities(session, tenant_id, [entity], now, create_only=True)
    events.emit(session, result.changes)
    session.commit()


def replace_entity(
    session: Session, tenant_id: int, entity_id: str, entity: dict[str, Any], now: datetime
) -> None:
    if entity.get("id", entity_id) != entity_id:
        raise BadRequestData("the id in the body differs from the id in the path")
    refuse_nulls(entity)
    row = store.get_entity(session, tenant_id, entity_id)
    types = entity.get("type") or row.types
    result = store.upsert_entities(
        session, tenant_id, [{**entity, "id": entity_id, "type": types}], now, replace=True
    )
    events.emit(session, result.changes)
    session.commit()


def delete_entity(
    session: Session, tenant_id: int, entity_id: str, now: datetime | None = None
) -> None:
    row = store.get_entity(session, tenant_id, entity_id)
    # with its system stamps: a notification with sysAttrs shows them on the deleted entity
    before = store.entity_document(row, sys_attrs=True)
    store.delete_entity(session, tenant_id, entity_id)
    written = frozenset(k for k in before if k not in ENTITY_MEMBERS)
    events.emit(
        session, [EntityChange(tenant_id, entity_id, "deleted", before, None, written, now)]
    )
    session.commit()


def merge_entity(
    session: Session, tenant_id: int, entity_id: str, fragment: dict[str, Any], now: datetime
) -> None:
    """PATCH /entities/{id} (clause 5.6.17): add new attributes, merge existing instances member
    by member (sub-attributes too), delete those set to urn:ngsi-ld:null; types are added."""
    if fragment.get("id", entity_id) != entity_id:
        raise BadRequestData("the id in the body differs from the id in the path")
    row = store.get_entity(session, tenant_id, entity_id)
    attrs, changed, written = dict(row.attrs), {}, set()
    for name, attribute in _fragment_attributes(fragment, allow_empty=True).items():
        written.add(name)
        current = _instances(attrs.get(name, []))
        for dataset, instance in _instances(attribute).items():
            if _is_null(instance):
                current.pop(dataset, None)
                continue
            merged = _merge_members(current.get(dataset, {}), instance)
            current[dataset] = merged
            changed.setdefault(name, []).append(merged)
        if current:
            attrs[name] = _collapse(current)
        else:
            attrs.pop(name, None)
    if "type" in fragment:
        new_types = fragment["type"] if isinstance(fragment["type"], list) else [fragment["type"]]
        row.types = list(dict.fromkeys([*row.types, *new_types]))
        store.rewrite_types(session, row)
    if "scope" in fragment:
        row.scope = fragment["scope"]
    _save(session, row, attrs, changed, now, written)


def _is_null(instance: Any) -> bool:
    if not isinstance(instance, dict):
        return instance == NULL
    values = [instance.get(m) for m in ATTRIBUTE_TYPES.values()]
    return NULL in values or {"@none": NULL} in values


def _merge_members(current: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    out = dict(current)
    for key, value in incoming.items():
        if (isinstance(value, dict) and value.get("value") == NULL) or value == NULL:
            out.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(out.get(key), dict)
            and "type" in value
            and key not in ("value", "json", "languageMap")
        ):
            out[key] = _merge_members(out[key], value)
        else:
            out[key] = value
    if "type" in incoming and current and incoming["type"] != current.get("type"):
        raise BadRequestData("a merge cannot change an attribute's type")
    return out


def replace_attribute(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    attribute: Any,
    now: datetime,
) -> None:
    """PUT /entities/{id}/attrs/{attr} (clause 5.6.19): the attribute replaced as a whole."""
    row = store.get_entity(session, tenant_id, entity_id)
    if name not in row.attrs:
        raise ResourceNotFound(f"entity {entity_id} has no attribute {name}", instance=entity_id)
    current = _instances(row.attrs[name])
    for dataset, instance in _instances(attribute).items():
        current[dataset] = instance
    attrs = {**row.attrs, name: _collapse(current)}
    _save(session, row, attrs, {name: attribute}, now, {name})


def append_attributes(
    session: Session,
    tenant_id: int,
    entity_id: str,
    fragment: dict[str, Any],
    now: datetime,
    *,
    no_overwrite: bool = False,
    types: TypeSelector | None = None,
) -> UpdateResult:
    """POST /entities/{id}/attrs: add attributes, replacing same-datasetId instances unless told;
    a scope replaces the entity's (is added to it with noOverwrite)."""
    row = _typed_entity(session, tenant_id, entity_id, types)
    attrs, changed, result = dict(row.attrs), {}, UpdateResult()
    entity_changed = "scope" in fragment
    if entity_changed:
        given = fragment["scope"]
        row.scope = list(dict.fromkeys([*(row.scope or []), *given])) if no_overwrite else given
    for name, attribute in _fragment_attributes(fragment, allow_empty=entity_changed).items():
        current = _instances(attrs[name]) if name in attrs else {}
        incoming = _instances(attribute)
        if no_overwrite and set(incoming) & set(current):
            result.not_updated.append({"attributeName": name, "reason": "attribute exists"})
            continue
        current.update(incoming)
        attrs[name], changed[name] = _collapse(current), attribute
        result.updated.append(name)
    if changed or entity_changed:
        _save(session, row, attrs, changed, now, set(changed))
    return result


def _typed_entity(
    session: Session, tenant_id: int, entity_id: str, types: TypeSelector | None
) -> ContextEntity:
    """The entity, when it is of the types a `type` selector names (clause 6.6.3.1)."""
    row = store.get_entity(session, tenant_id, entity_id)
    if types is not None and not types.accepts(row.types):
        raise ResourceNotFound(f"entity {entity_id} is not of the given type", instance=entity_id)
    return row


def update_attributes(
    session: Session,
    tenant_id: int,
    entity_id: str,
    fragment: dict[str, Any],
    now: datetime,
    *,
    types: TypeSelector | None = None,
) -> UpdateResult:
    """PATCH /entities/{id}/attrs: replace only the attribute instances that exist; an instance
    set to NGSI-LD Null is deleted. Types are added; a scope replaces an existing one."""
    row = _typed_entity(session, tenant_id, entity_id, types)
    attrs, changed, result = dict(row.attrs), {}, UpdateResult()
    written: set[str] = set()
    entity_changed = _update_entity_members(session, row, fragment, result)
    only_members = "scope" in fragment or "type" in fragment
    for name, attribute in _fragment_attributes(fragment, allow_empty=only_members).items():
        current = _instances(attrs.get(name, []))
        incoming = _instances(attribute)
        missing = [d for d in incoming if d not in current]
        if name not in attrs or missing:
            result.not_updated.append(
                {"attributeName": name, "reason": "attribute (or its datasetId) does not exist"}
            )
            continue
        deleted = {d for d, instance in incoming.items() if _is_null(instance)}
        current.update({d: i for d, i in incoming.items() if d not in deleted})
        for dataset in deleted:
            current.pop(dataset, None)
        if current:
            attrs[name] = _collapse(current)
        else:
            attrs.pop(name)
        written.add(name)
        if len(deleted) < len(incoming):
            changed[name] = [i for d, i in incoming.items() if d not in deleted]
        result.updated.append(name)
    if written or entity_changed:
        _save(session, row, attrs, changed, now, written)
    return result


def _update_entity_members(
    session: Session, row: ContextEntity, fragment: dict[str, Any], result: UpdateResult
) -> bool:
    """An update's type(s) and scope: types are added, an existing scope is replaced."""
    changed = False
    if "type" in fragment:
        given = fragment["type"] if isinstance(fragment["type"], list) else [fragment["type"]]
        types = list(dict.fromkeys([*row.types, *given]))
        if types != row.types:
            row.types = types
            store.rewrite_types(session, row)
            changed = True
    if "scope" in fragment:
        if row.scope:
            row.scope, changed = fragment["scope"], True
            result.updated.append("scope")
        else:
            result.not_updated.append(
                {"attributeName": "scope", "reason": "the entity has no scope"}
            )
    return changed


def partial_update_attribute(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    members: dict[str, Any],
    now: datetime,
) -> None:
    """PATCH /entities/{id}/attrs/{attr}: merge the given members into one existing instance."""
    row = store.get_entity(session, tenant_id, entity_id)
    if name not in row.attrs:
        raise ResourceNotFound(f"entity {entity_id} has no attribute {name}", instance=entity_id)
    current = _instances(row.attrs[name])
    dataset = members.get("datasetId")
    if dataset not in current:
        raise ResourceNotFound(f"attribute {name} has no instance with datasetId {dataset}")
    if _is_null(members):
        del current[dataset]
        attrs = dict(row.attrs)
        if current:
            attrs[name] = _collapse(current)
        else:
            del attrs[name]
        _save(session, row, attrs, {}, now, {name})
        return
    instance = {**current[dataset], **members}
    if members.get("type", instance["type"]) != current[dataset]["type"]:
        raise BadRequestData(f"{name}: a partial update cannot change the attribute's type")
    current[dataset] = instance
    attrs = {**row.attrs, name: _collapse(current)}
    _save(session, row, attrs, {name: instance}, now, {name})


def drop_attributes(
    session: Session, tenant_id: int, entity_id: str, names: set[str], now: datetime
) -> bool:
    """Remove every instance of the named attributes the entity has, in one change (Purge
    Entities with drop/keep); False when it had none of them."""
    row = store.get_entity(session, tenant_id, entity_id)
    gone = names & set(row.attrs)
    if not gone:
        return False
    attrs = {k: v for k, v in row.attrs.items() if k not in gone}
    _save(session, row, attrs, {}, now, gone)
    return True


def delete_attribute(
    session: Session,
    tenant_id: int,
    entity_id: str,
    name: str,
    now: datetime,
    *,
    dataset_id: str | None = None,
    delete_all: bool = False,
) -> None:
    """DELETE /entities/{id}/attrs/{attr}: the default instance, one datasetId, or all of them;
    `scope` removes the entity's scopes."""
    row = store.get_entity(session, tenant_id, entity_id)
    if name == "scope" and row.scope:
        row.scope = None
        _save(session, row, dict(row.attrs), {}, now, set())
        return
    if name not in row.attrs:
        raise ResourceNotFound(f"entity {entity_id} has no attribute {name}", instance=entity_id)
    current = _instances(row.attrs[name])
    if delete_all:
        current = {}
    elif dataset_id not in current:
        which = "the default instance" if dataset_id is None else f"datasetId {dataset_id}"
        raise ResourceNotFound(f"attribute {name} has no {which}")
    else:
        del current[dataset_id]
    attrs = dict(row.attrs)
    if current:
        attrs[name] = _collapse(current)
    else:
        del attrs[name]
    _save(session, row, attrs, {}, now, {name})
