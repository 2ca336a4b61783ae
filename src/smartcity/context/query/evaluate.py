"""Evaluating a parsed NGSI-LD query against one in-memory entity (GS CIM 009 clause 4.9).

The semantics the clause prescribes, in brief: a term holds when ANY instance of the target element
satisfies it (instances differ by datasetId); an array target satisfies ``==`` when any element
does and ``!=`` when none does; values of different data types are never equal (so ``!=`` holds)
and never ordered; Relationships only take ``==`` and ``!=``; patterns only match strings.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from smartcity.context.query.ast import (
    And,
    AttrPath,
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    Or,
    Path,
    PatternMatch,
    QueryNode,
    QueryValue,
    Range,
    ValueKind,
    ValueList,
    utc,
)
from smartcity.context.query.entity import (
    MISSING,
    VALUE_MEMBER,
    AttributeKind,
    attribute_kind,
    dig,
    entity_instances,
    entity_types,
    instances,
    language_map,
    member,
    meta_member,
    plain,
    relationship_objects,
)
from smartcity.context.query.literals import read_date, read_datetime, read_time

EntityResolver = Callable[[str], Mapping[str, Any] | None]

_ORDER = {
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
}
_RELATIONSHIPS = (AttributeKind.RELATIONSHIP, AttributeKind.LIST_RELATIONSHIP)
_compile = lru_cache(maxsize=256)(re.compile)


@dataclass(frozen=True, slots=True)
class Target:
    """One instance's target value, and whether it is a Relationship's object(s)."""

    value: Any
    relationship: bool = False


def evaluate(
    node: QueryNode,
    entity: Mapping[str, Any],
    *,
    now: datetime | None = None,
    resolve_entity: EntityResolver | None = None,
) -> bool:
    """Whether ``entity`` (normalized NGSI-LD) matches the query ``node``.

    ``now`` is the instant the entity is seen at: attribute instances deleted after it still
    count (temporal snapshots); without it any instance carrying ``deletedAt`` is gone.
    ``resolve_entity`` fetches the entity a Relationship points to, for ``rel{path}`` terms;
    without it such terms find no target.
    """
    return _Evaluator(utc(now) if now else None, resolve_entity).holds(node, entity)


@dataclass(frozen=True, slots=True)
class _Evaluator:
    now: datetime | None
    resolve_entity: EntityResolver | None

    def holds(self, node: QueryNode, entity: Mapping[str, Any]) -> bool:
        match node:
            case And(terms):
                return all(self.holds(term, entity) for term in terms)
            case Or(terms):
                return any(self.holds(term, entity) for term in terms)
            case Exists(path):
                return next(self.targets(path, entity), None) is not None
            case NotExists(path):
                return next(self.targets(path, entity), None) is None
            case Comparison(path, op, value):
                return any(compare(target, op, value) for target in self.targets(path, entity))
            case PatternMatch(path, pattern, negated):
                regex = _compile(pattern)
                return any(
                    matches_pattern(target, regex, negated) for target in self.targets(path, entity)
                )
        raise TypeError(f"not a query node: {node!r}")

    def targets(self, path: Path, entity: Mapping[str, Any]) -> Iterator[Target]:
        """The target values ``path`` addresses in ``entity``, one per attribute instance."""
        if isinstance(path, LinkedPath):
            yield from self._linked_targets(path, entity)
            return
        found = entity_instances(entity, path.attrs[0], self.now)
        for depth, name in enumerate(path.attrs[1:], start=2):
            meta = meta_member(name)
            if meta is not None:
                if depth == len(path.attrs) and not path.member:
                    yield from self._meta_targets(found, meta)
                return
            found = [sub for inst in found for sub in instances(inst, name, self.now)]
        for inst in found:
            yield from _instance_targets(inst, path)

    def _meta_targets(self, found: list[Mapping[str, Any]], meta: str) -> Iterator[Target]:
        for inst in found:
            value = member(inst, meta)
            if value is not MISSING:
                yield Target(plain(value))

    def _linked_targets(self, path: LinkedPath, entity: Mapping[str, Any]) -> Iterator[Target]:
        if self.resolve_entity is None:
            return
        for inst in entity_instances(entity, path.relationship, self.now):
            if attribute_kind(inst) not in _RELATIONSHIPS:
                continue
            for uri in relationship_objects(inst):
                linked = self.resolve_entity(uri) if isinstance(uri, str) else None
                if linked is None:
                    continue
                if path.entity_types and not set(entity_types(linked)) & set(path.entity_types):
                    continue
                yield from self.targets(path.target, linked)


def _instance_targets(inst: Mapping[str, Any], path: AttrPath) -> Iterator[Target]:
    kind = attribute_kind(inst)
    if kind in _RELATIONSHIPS:
        if not path.member:
            yield Target(relationship_objects(inst), relationship=True)
        return
    if kind is AttributeKind.LANGUAGE_PROPERTY:
        by_tag = language_map(inst)
        if not path.member or path.member == ("*",):
            texts = [text for group in by_tag.values() for text in group]
        elif len(path.member) == 1 and path.member[0] in by_tag:
            texts = by_tag[path.member[0]]
        else:
            return
        if texts:
            yield Target(texts)
        return
    value = member(inst, VALUE_MEMBER[kind])
    if value is MISSING:
        return
    value = plain(value)
    if path.member:
        value = dig(value, path.member)
        if value is MISSING:
            return
    yield Target(value)


def _elements(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def scalar(value: Any, kind: ValueKind) -> Any:
    """``value`` as a Python value comparable with a literal of ``kind``, or None if the data
    types differ (a DateTime string or typed value reads as a DateTime, and so on)."""
    if isinstance(value, Mapping):
        if "@value" not in value:
            return None
        value = value["@value"]
    match kind:
        case ValueKind.NUMBER:
            return value if isinstance(value, int | float) and not isinstance(value, bool) else None
        case ValueKind.BOOLEAN:
            return value if isinstance(value, bool) else None
        case ValueKind.DATETIME:
            return read_datetime(value) if isinstance(value, str) else None
        case ValueKind.DATE:
            return read_date(value) if isinstance(value, str) else None
        case ValueKind.TIME:
            return read_time(value) if isinstance(value, str) else None
        case _:
            return value if isinstance(value, str) else None


def _equals(element: Any, literal: Literal) -> bool:
    found = scalar(element, literal.kind)
    return found is not None and found == literal.value


def _within(element: Any, bounds: Range) -> bool:
    found = scalar(element, bounds.low.kind)
    return found is not None and bounds.low.value <= found <= bounds.high.value  # type: ignore[operator]


def _any_equal(target: Any, value: QueryValue) -> bool:
    elements = _elements(target)
    match value:
        case Range():
            return any(_within(element, value) for element in elements)
        case ValueList(items):
            return any(_equals(element, item) for element in elements for item in items)
        case _:
            return any(_equals(element, value) for element in elements)


def compare(target: Target, op: Operator, value: QueryValue) -> bool:
    """Whether one target value satisfies ``op value`` (clause 4.9's operator semantics)."""
    if op is Operator.EQ:
        return _any_equal(target.value, value)
    if op is Operator.NE:
        return not _any_equal(target.value, value)
    if target.relationship or not isinstance(value, Literal):
        return False  # Relationships only take == and != (clause 4.9)
    test = _ORDER[op]
    for element in _elements(target.value):
        found = scalar(element, value.kind)
        if found is not None and test(found, value.value):
            return True
    return False


def matches_pattern(target: Target, regex: re.Pattern[str], negated: bool) -> bool:
    """Whether one target value is (or, ``negated``, is not) in L(regex); strings only."""
    if target.relationship:
        return False
    texts = [element for element in _elements(target.value) if isinstance(element, str)]
    if not texts:
        return False
    found = any(regex.search(text) for text in texts)
    return not found if negated else found
