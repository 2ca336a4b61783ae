"""What a query term is tested against in SQL: the target values of one attribute instance.

A :class:`Target` says whether an instance has a target and builds "some element passes this
test"; the builders here cover Relationships (their objects) and LanguageProperties (their texts);
values are read in ``sql_paths``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import false, true

from smartcity.context.query.entity import CORE
from smartcity.context.query.sql_json import ARRAY, OBJECT, STRING, JsonDialect, JsonNode, Predicate
from smartcity.context.query.sql_verdict import Verdict, conj, const, disj, neg

TEMPORAL_TYPES = ("DateTime", "Date", "Time")


class ElementTest(Protocol):
    """A test of one target element, as the evaluator reads it."""

    def scalar(self, node: JsonNode) -> Predicate:
        """The element itself (false unless a scalar of the right type)."""

    def typed(self, node: JsonNode, plained: bool) -> Predicate:
        """The element as a value object: its ``@value`` (``plained``: unwrapped by ``plain``)."""


@dataclass(frozen=True)
class Target:
    """The target of one instance: whether it exists, and "some element passes the test".

    ``strings_only`` targets (relationships, language maps, vocabularies) hold nothing else.
    """

    exists: Predicate
    any_element: Callable[[ElementTest], Predicate]
    relationship: bool = False
    strings_only: bool = False


TargetTest = Callable[[Target], Verdict]
NONE = Target(false(), lambda _: false())


def either(node: JsonNode, test: ElementTest, plained: bool) -> Predicate:
    """The element as itself or as a value object."""
    return disj(test.scalar(node), test.typed(node, plained))


def elements(json: JsonDialect, node: JsonNode, test: ElementTest, plained: bool) -> Predicate:
    """Some element of the value at ``node`` (its items when an array) passes ``test``."""
    return disj(
        conj(neg(json.is_type(node, ARRAY)), either(node, test, plained)),
        json.any_item(node, lambda e: either(e, test, plained)),
    )


def objects_target(json: JsonDialect, objects: JsonNode) -> Target:
    """A Relationship's object(s), or a ListRelationship's objects (URIs or ``{"object": …}``)."""

    def unwrapped(item: JsonNode, test: ElementTest) -> Predicate:
        is_object = json.is_type(item, OBJECT)
        return disj(
            conj(is_object, either(json.child(item, "object"), test, False)),
            conj(neg(is_object), either(item, test, False)),
        )

    def any_element(test: ElementTest) -> Predicate:
        alone = conj(neg(json.is_type(objects, ARRAY)), unwrapped(objects, test))
        return disj(alone, json.any_item(objects, lambda item: unwrapped(item, test)))

    return Target(exists=true(), any_element=any_element, relationship=True, strings_only=True)


def language_target(json: JsonDialect, by_tag: JsonNode, member: tuple[str, ...]) -> Target:
    """The texts of a LanguageProperty: all of them, or those of the tag ``[tag]`` names."""

    def has_texts(texts: JsonNode) -> Predicate:
        return conj(
            json.present(texts),
            disj(neg(json.is_type(texts, ARRAY)), json.length(texts) > const(0)),
        )

    if not member or member == ("*",):
        return Target(
            exists=json.any_member(by_tag, has_texts),
            any_element=lambda t: json.any_member(by_tag, lambda x: elements(json, x, t, False)),
            strings_only=True,
        )
    if len(member) > 1:
        return NONE
    texts = json.child(by_tag, member[0])
    return Target(
        exists=has_texts(texts),
        any_element=lambda t: conj(json.present(texts), elements(json, texts, t, False)),
        strings_only=True,
    )


def temporal(json: JsonDialect, node: JsonNode) -> Predicate:
    """Whether ``node`` is a value object typed DateTime, Date or Time (kept whole by plain)."""
    kind = json.child(node, "@type")
    names = [*TEMPORAL_TYPES, *(CORE + name for name in TEMPORAL_TYPES)]
    return conj(json.is_type(kind, STRING), json.text(kind).in_([const(n) for n in names]))
