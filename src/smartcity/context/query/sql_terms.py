"""The terms of an NGSI-LD query in SQL: comparisons, patterns and existence, element by element.

Numbers (below 2**53 in magnitude), strings, booleans, IRIs, ranges and lists of those, existence,
literal patterns (``~="text"``, ``~="^text"``) are exact; DateTime, Date and Time literals and other
regular expressions only narrow (the row is unknown wherever the attribute has a value).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Text, false, func, literal

from smartcity.context.query.ast import (
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    PatternMatch,
    QueryValue,
    Range,
    Term,
    ValueKind,
    ValueList,
)
from smartcity.context.query.sql_json import (
    NUMBER,
    STRING,
    JsonDialect,
    JsonNode,
    Predicate,
)
from smartcity.context.query.sql_paths import PathReader
from smartcity.context.query.sql_targets import Target, TargetTest, temporal
from smartcity.context.query.sql_verdict import (
    FALSE,
    NO,
    UNKNOWN,
    Tri,
    Untranslatable,
    Verdict,
    conj,
    const,
    disj,
    neg,
)

Bind = Callable[[Literal, Any], ColumnElement[Any]]


def bind_value(item: Literal, value: Any) -> ColumnElement[Any]:
    """A literal's value as an anonymous bound parameter (``value`` is what SQL compares)."""
    return literal(value, Text) if isinstance(value, str) else literal(value)


EXACT_NUMBER_LIMIT = 2**53  # beyond it int/float comparisons may differ between SQL and Python
Compare = Callable[[Any, Any], Any]
_ORDER: dict[Operator, Compare] = {
    Operator.GT: operator.gt,
    Operator.GE: operator.ge,
    Operator.LT: operator.lt,
    Operator.LE: operator.le,
}
_STRING_KINDS = (ValueKind.STRING, ValueKind.URI, ValueKind.TERM)
_PATTERN = re.compile(r"(\^?)([^.^$*+?{}\[\]\\|()]+)")


def literal_pattern(pattern: str) -> tuple[bool, str] | None:
    """``(anchored, text)`` when ``re.search(pattern, s)`` means just "s starts with / contains
    text", else None."""
    match = _PATTERN.fullmatch(pattern)
    return None if match is None else (bool(match.group(1)), match.group(2))


def text_matches(backend: str, text: ColumnElement[str], pattern: tuple[bool, str]) -> Predicate:
    anchored, needle = pattern
    if anchored:
        return func.substr(text, const(1), const(len(needle))) == const(needle)
    if backend == "sqlite":
        return func.instr(text, const(needle)) > const(0)
    return func.strpos(text, const(needle)) > const(0)


def exact_literal(item: Literal) -> bool:
    """Whether SQL compares values with this literal exactly as the evaluator does."""
    if item.kind is ValueKind.NUMBER:
        return abs(item.value) < EXACT_NUMBER_LIMIT  # type: ignore[arg-type]
    return item.kind in (*_STRING_KINDS, ValueKind.BOOLEAN)


@dataclass(frozen=True)
class _Equals:
    """``scalar(element) <op> literal`` for any of ``items`` (the evaluator's ``scalar``)."""

    json: JsonDialect
    bind: Bind
    items: tuple[Literal, ...]
    compare: Compare

    def scalar(self, node: JsonNode) -> Predicate:
        return disj(*(self._one(node, item) for item in self.items))

    def typed(self, node: JsonNode, plained: bool) -> Predicate:
        return self.scalar(self.json.child(node, "@value"))

    def _one(self, x: JsonNode, item: Literal) -> Predicate:
        json, compare = self.json, self.compare
        if item.kind is ValueKind.NUMBER:
            return conj(
                json.is_type(x, NUMBER), compare(json.number(x), self.bind(item, item.value))
            )
        if item.kind is ValueKind.BOOLEAN:
            if compare is not operator.eq:
                raise Untranslatable("booleans are not ordered")
            return json.is_type(x, "true" if item.value else "false")
        text = self.bind(item, item.value)
        return conj(json.is_type(x, STRING), compare(json.text(x), text))


@dataclass(frozen=True)
class _Within:
    json: JsonDialect
    bind: Bind
    bounds: Range

    def scalar(self, x: JsonNode) -> Predicate:
        json, low, high = self.json, self.bounds.low, self.bounds.high
        if low.kind is ValueKind.NUMBER:
            number = json.number(x)
            return conj(
                json.is_type(x, NUMBER),
                number >= self.bind(low, low.value),
                number <= self.bind(high, high.value),
            )
        text = json.text(x)
        low_text, high_text = self.bind(low, low.value), self.bind(high, high.value)
        return conj(json.is_type(x, STRING), text >= low_text, text <= high_text)

    def typed(self, node: JsonNode, plained: bool) -> Predicate:
        return self.scalar(self.json.child(node, "@value"))


@dataclass(frozen=True)
class _Text:
    """The element is a string to the evaluator (``plain`` unwraps non-temporal value objects),
    and, with ``pattern``, one that matches it."""

    json: JsonDialect
    pattern: tuple[bool, str] | None = None

    def scalar(self, x: JsonNode) -> Predicate:
        json = self.json
        is_text = json.is_type(x, STRING)
        if self.pattern is None:
            return is_text
        return conj(is_text, text_matches(json.name, json.text(x), self.pattern))  # type: ignore[attr-defined]

    def typed(self, node: JsonNode, plained: bool) -> Predicate:
        if not plained:
            return false()
        return conj(neg(temporal(self.json, node)), self.scalar(self.json.child(node, "@value")))


class TermTranslator:
    def __init__(self, json: JsonDialect, bind: Bind) -> None:
        self.json = json
        self.bind = bind
        self.paths = PathReader(json)

    def term(self, node: Term, root: JsonNode) -> Tri:
        """The three-valued SQL of one term of the query on the entity ``root``."""
        if isinstance(node, NotExists):
            return self.term(Exists(node.path), root).negated()
        if isinstance(node.path, LinkedPath):
            return Tri.of(NO)  # find_entities resolves no links: such terms have no target
        try:
            return self.paths.holds(root, node.path, self._test(node))
        except Untranslatable:
            return Tri.of(UNKNOWN)

    def _test(self, node: Term) -> TargetTest:
        match node:
            case Exists():
                return lambda target: Verdict.exact(target.exists)
            case Comparison(_, op, value):
                return self._comparison(op, value)
            case PatternMatch(_, pattern, negated):
                return self._pattern(pattern, negated)
        raise TypeError(f"not a query term: {node!r}")

    def _comparison(self, op: Operator, value: QueryValue) -> TargetTest:
        element, strings = self._element_test(op, value)

        def test(target: Target) -> Verdict:
            if element is None:
                return Verdict.unknown(target.exists)
            if op is Operator.NE:
                if target.strings_only and not strings:
                    return Verdict.exact(target.exists)
                return Verdict.exact(conj(target.exists, neg(target.any_element(element))))
            if (target.relationship and op is not Operator.EQ) or (
                target.strings_only and not strings
            ):
                return FALSE
            return Verdict.exact(target.any_element(element))

        return test

    def _element_test(self, op: Operator, value: QueryValue) -> tuple[Any, bool]:
        """The element test of a comparison (None when SQL cannot compare as the evaluator
        does), and whether a string can pass it."""
        match value:
            case Range(low, high):
                exact = exact_literal(low) and exact_literal(high)
                return (
                    _Within(self.json, self.bind, value) if exact else None
                ), low.kind in _STRING_KINDS
            case ValueList(values):
                items = values
            case _:
                items = (value,)
        strings = any(item.kind in _STRING_KINDS for item in items)
        if not all(exact_literal(item) for item in items):
            return None, strings
        return _Equals(self.json, self.bind, items, _ORDER.get(op, operator.eq)), strings

    def _pattern(self, pattern: str, negated: bool) -> TargetTest:
        exact = literal_pattern(pattern)

        def test(target: Target) -> Verdict:
            if target.relationship:
                return FALSE
            has_text = target.any_element(_Text(self.json))
            if exact is None:
                return Verdict.unknown(has_text)
            found = target.any_element(_Text(self.json, exact))
            return Verdict.exact(conj(has_text, neg(found)) if negated else found)

        return test
