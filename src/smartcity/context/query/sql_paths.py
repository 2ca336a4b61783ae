"""Where an attribute path leads in stored ``attrs``, in SQL: instances, liveness, target values.

This mirrors ``evaluate.targets`` on entities in the stored form (``normalize.py``, ``store.py``):
an attribute is an instance object or an array of them, and every instance holds exactly one value
member, the one its ``type`` names (``value``, ``object``, ``languageMap`` …), so the member
present tells the kind. Objects, relationships and language maps are as ``normalize`` checks them;
value contents are opaque JSON. The JSON-LD value objects the evaluator unwraps are read alike
when they hold a scalar (``{"@type": "DateTime", "@value": "…"}``); any other keyword object
(``@id``, ``@list``, a ``@value`` holding a structure or the NGSI-LD Null) and an instance carrying
``deletedAt`` make the instance *odd*: its rows are left to the evaluator.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import false, true

from smartcity.context.query.ast import AttrPath
from smartcity.context.query.entity import CORE, NGSI_LD_NULL, meta_member
from smartcity.context.query.sql_json import ARRAY, OBJECT, STRING, JsonDialect, JsonNode, Predicate
from smartcity.context.query.sql_targets import (
    Target,
    TargetTest,
    either,
    elements,
    language_target,
    objects_target,
    temporal,
)
from smartcity.context.query.sql_verdict import NO, Tri, conj, const, disj, neg, switch

VALUE_MEMBERS = {
    "Property": "value",
    "GeoProperty": "value",
    "ListProperty": "valueList",
    "JsonProperty": "json",
    "VocabProperty": "vocab",
}
OBJECT_MEMBERS = {"Relationship": "object", "ListRelationship": "objectList"}
LANGUAGE = "LanguageProperty"
ALL_MEMBERS = (*dict.fromkeys(VALUE_MEMBERS.values()), *OBJECT_MEMBERS.values(), "languageMap")


class PathReader:
    def __init__(self, json: JsonDialect) -> None:
        self.json = json

    def holds(self, root: JsonNode, path: AttrPath, test: TargetTest) -> Tri:
        """Whether some target of ``path`` in the entity ``root`` passes ``test``."""
        return self._instances(root, path, 0, test)

    # Instances.

    def _instances(self, container: JsonNode, path: AttrPath, depth: int, test: TargetTest) -> Tri:
        json = self.json
        node = json.child(container, path.attrs[depth])
        last = depth == len(path.attrs) - 1

        def one(instance: JsonNode) -> Tri:
            if last:
                return self._final(instance, path, test)
            inner = self._level(instance, path, depth + 1, test)
            if inner.constant == NO:
                return inner
            dead = disj(*(self._dead(json.child(instance, m)) for m in ALL_MEMBERS))
            values = dict.fromkeys(VALUE_MEMBERS.values())
            odd = disj(
                self._deleted(instance),
                *(self._unusual(json.child(instance, m)) for m in values),
            )
            return inner.guarded(odd, dead)

        single = one(node)
        if single.constant == NO:
            return single
        many = Tri(json.best_object(node, lambda item: one(item).sql))
        return switch(json.type_name(node), {OBJECT: single, ARRAY: many}, Tri.of(NO))

    def _level(self, instance: JsonNode, path: AttrPath, depth: int, test: TargetTest) -> Tri:
        meta = meta_member(path.attrs[depth])
        if meta is None:
            return self._instances(instance, path, depth, test)
        if depth == len(path.attrs) - 1 and not path.member:
            return Tri.from_verdict(test(self._meta_target(instance, meta)))
        return Tri.of(NO)

    def _final(self, instance: JsonNode, path: AttrPath, test: TargetTest) -> Tri:
        """The last instance on the path, by kind (the member it holds)."""
        json = self.json
        branches: dict[str, Tri] = {}
        if json.name == "sqlite":  # a known path is much cheaper there than a computed one
            branches["Property"] = self._value(json.child(instance, "value"), path.member, test)
        if not path.member:
            objects = json.pick(instance, OBJECT_MEMBERS)
            verdict = test(objects_target(json, objects))
            relationship = Tri.from_verdict(verdict).guarded(false(), self._dead(objects))
            branches |= dict.fromkeys(OBJECT_MEMBERS, relationship)
        by_tag = json.child(instance, "languageMap")
        verdict = test(language_target(json, by_tag, path.member))
        branches[LANGUAGE] = Tri.from_verdict(verdict).guarded(false(), self._dead(by_tag))
        others = self._value(json.pick(instance, VALUE_MEMBERS), path.member, test)
        kind = json.text(json.child(instance, "type"))
        return switch(kind, branches, others).guarded(self._deleted(instance), false())

    # Liveness and odd shapes.

    def _deleted(self, instance: JsonNode) -> Predicate:
        json = self.json
        return disj(
            json.present(json.child(instance, "deletedAt")),
            json.present(json.child(instance, CORE + "deletedAt")),
        )

    def _is_null(self, node: JsonNode) -> Predicate:
        json = self.json
        return conj(json.is_type(node, STRING), json.text(node) == const(NGSI_LD_NULL))

    def _dead(self, value: JsonNode) -> Predicate:
        """``_is_null(plain(value))`` for a value that is not odd."""
        json = self.json
        return disj(
            self._is_null(value),
            conj(json.length(value) == const(1), json.any_item(value, self._is_null)),
            conj(json.is_type(value, OBJECT), self._is_null(json.child(value, "@none"))),
        )

    def _keyword_object(self, node: JsonNode) -> Predicate:
        """A JSON-LD keyword object SQL does not read as ``plain`` does."""
        json = self.json
        typed = json.child(node, "@value")
        unusual = disj(json.is_type(typed, OBJECT, ARRAY), self._is_null(typed))
        return conj(
            json.is_type(node, OBJECT),
            disj(
                json.present(json.child(node, "@id")),
                json.present(json.child(node, "@list")),
                conj(json.present(typed), unusual),
            ),
        )

    def _unusual(self, value: JsonNode) -> Predicate:
        return disj(self._keyword_object(value), self.json.any_item(value, self._keyword_object))

    def _unwrapped(self, node: JsonNode) -> Predicate:
        """Whether ``plain`` turns the object at ``node`` into its ``@value``."""
        json = self.json
        return conj(json.present(json.child(node, "@value")), neg(temporal(json, node)))

    # Targets.

    def _value(self, value: JsonNode, member: tuple[str, ...], test: TargetTest) -> Tri:
        """A value member's verdict, by the JSON type of the value."""
        json = self.json

        def target(shape: str) -> Target:
            if member:
                return self._dug(value, member)
            if shape == ARRAY:
                return Target(true(), lambda t: json.any_item(value, lambda e: either(e, t, True)))
            if shape == OBJECT:
                return Target(true(), lambda t: t.typed(value, True))
            return Target(json.present(value), lambda t: t.scalar(value))

        array = Tri.from_verdict(test(target(ARRAY))).guarded(
            json.any_item(value, self._keyword_object),
            conj(json.length(value) == const(1), json.any_item(value, self._is_null)),
        )
        obj = Tri.from_verdict(test(target(OBJECT))).guarded(
            self._keyword_object(value), self._is_null(json.child(value, "@none"))
        )
        scalar = Tri.of(NO) if member else Tri.from_verdict(test(target("scalar")))
        scalar = scalar.guarded(false(), self._is_null(value))
        return switch(json.type_name(value), {ARRAY: array, OBJECT: obj}, scalar)

    def _meta_target(self, instance: JsonNode, meta: str) -> Target:
        json = self.json
        short, long = json.child(instance, meta), json.child(instance, CORE + meta)
        has_short = json.present(short)
        return Target(
            exists=disj(has_short, json.present(long)),
            any_element=lambda t: disj(
                conj(has_short, elements(json, short, t, True)),
                conj(neg(has_short), json.present(long), elements(json, long, t, True)),
            ),
        )

    def _dug(self, value: JsonNode, members: tuple[str, ...]) -> Target:
        """``dig(plain(value), members)``: objects are entered member by member; once an array is
        met, each of its objects is followed and what that yields is one element, arrays
        included. ``plain`` has made the value objects of ``value`` (or of its items) scalars."""
        json = self.json
        chain = [value]
        for name in members:
            chain.append(json.child(chain[-1], name))
        entered = neg(self._unwrapped(value))

        def tail(node: JsonNode, start: int) -> JsonNode:
            for name in members[start:]:
                node = json.child(node, name)
            return node

        def through_arrays(test: Callable[[JsonNode], Predicate]) -> list[Predicate]:
            def follow(e: JsonNode, k: int) -> Predicate:
                kept = neg(self._unwrapped(e)) if k == 0 else true()
                return conj(kept, json.present(tail(e, k)), test(tail(e, k)))

            return [
                json.any_item(chain[k], lambda e, k=k: follow(e, k))
                if k == 0
                else conj(entered, json.any_item(chain[k], lambda e, k=k: follow(e, k)))
                for k in range(len(members))
            ]

        return Target(
            exists=disj(*through_arrays(lambda _: true()), conj(entered, json.present(chain[-1]))),
            any_element=lambda t: disj(
                *through_arrays(lambda x: either(x, t, False)),
                conj(entered, json.present(chain[-1]), elements(json, chain[-1], t, False)),
            ),
        )
