"""The typed syntax tree of an NGSI-LD query (GS CIM 009 clause 4.9), with a canonical text form.

Every node is an immutable dataclass, so trees compare and hash by value. ``str(node)`` prints the
canonical query text, and ``parse_q(str(node)) == node`` holds for every tree the parser returns.
Attribute paths keep names as written (short terms or IRIs); ``map_attributes`` rewrites them, for
instance to expand terms with the requester's @context before a query is evaluated or translated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

NameMap = Callable[[str], str]
LiteralValue = int | float | str | bool | datetime | date | time


class ValueKind(StrEnum):
    """The data type of a literal: comparisons only match a target value of the same type."""

    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = "dateTime"
    DATE = "date"
    TIME = "time"
    URI = "uri"  # unquoted IRI, e.g. the object of a Relationship
    TERM = "term"  # unquoted bare word, e.g. a vocabulary term to expand (clause 4.9 EXAMPLE 12)


ORDERED_KINDS = frozenset(
    {ValueKind.NUMBER, ValueKind.STRING, ValueKind.DATETIME, ValueKind.DATE, ValueKind.TIME}
)


class Operator(StrEnum):
    """Comparison operators of clause 4.9; the pattern operators have their own node."""

    EQ = "=="
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


def _format_offset(value: datetime | time) -> str:
    offset = value.utcoffset()
    if offset is None or offset == timedelta(0):
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Literal:
    """One typed value: numbers are int or float, temporal values are timezone-aware."""

    kind: ValueKind
    value: LiteralValue

    def __str__(self) -> str:
        match self.kind:
            case ValueKind.NUMBER:
                return repr(self.value)
            case ValueKind.STRING:
                return json.dumps(self.value, ensure_ascii=False)
            case ValueKind.BOOLEAN:
                return "true" if self.value else "false"
            case ValueKind.DATETIME | ValueKind.TIME:
                assert isinstance(self.value, datetime | time)
                text = self.value.replace(tzinfo=None).isoformat()
                return text + _format_offset(self.value)
            case ValueKind.DATE:
                assert isinstance(self.value, date)
                return self.value.isoformat()
            case _:
                return str(self.value)


@dataclass(frozen=True, slots=True)
class ValueList:
    """``a,b,c`` after ``==`` or ``!=``: any of the values."""

    items: tuple[Literal, ...]

    def __str__(self) -> str:
        return ",".join(str(item) for item in self.items)


@dataclass(frozen=True, slots=True)
class Range:
    """``low..high`` after ``==`` or ``!=``: both bounds included, both of the same kind."""

    low: Literal
    high: Literal

    def __str__(self) -> str:
        return f"{self.low}..{self.high}"


QueryValue = Literal | ValueList | Range


@dataclass(frozen=True, slots=True)
class AttrPath:
    """``attr.sub.sub[member.member]``: an attribute, its sub-attributes, then a trailing path.

    The trailing path (``member``) addresses a member of a compound JSON value, or, on a
    LanguageProperty, a language tag; ``("*",)`` means any language.
    """

    attrs: tuple[str, ...]
    member: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = ".".join(self.attrs)
        return f"{text}[{'.'.join(self.member)}]" if self.member else text

    def map_attributes(self, fn: NameMap) -> AttrPath:
        return replace(self, attrs=tuple(fn(name) for name in self.attrs))

    @property
    def attribute(self) -> str:
        """The top-level attribute the path starts from."""
        return self.attrs[0]


@dataclass(frozen=True, slots=True)
class LinkedPath:
    """``rel{Type1,Type2:path}``: follow a Relationship and evaluate ``target`` on the linked
    Entity, considering only Entities of the hinted types when any are given (clause 4.9 EX. 13)."""

    relationship: str
    target: AttrPath | LinkedPath
    entity_types: tuple[str, ...] = ()

    def __str__(self) -> str:
        hint = f"{','.join(self.entity_types)}:" if self.entity_types else ""
        return f"{self.relationship}{{{hint}{self.target}}}"

    def map_attributes(self, fn: NameMap) -> LinkedPath:
        return LinkedPath(
            fn(self.relationship),
            self.target.map_attributes(fn),
            tuple(fn(name) for name in self.entity_types),
        )

    @property
    def attribute(self) -> str:
        return self.relationship


Path = AttrPath | LinkedPath


class _Node:
    """Methods every query node shares; the work is done by the module functions below."""

    __slots__ = ()

    def map_attributes(self, fn: NameMap) -> QueryNode:
        """See :func:`map_attributes`."""
        return map_attributes(self, fn)  # type: ignore[arg-type]

    def expand_values(self, fn: NameMap, attributes: Collection[str]) -> QueryNode:
        """See :func:`expand_values`."""
        return expand_values(self, fn, attributes)  # type: ignore[arg-type]

    def paths(self) -> list[Path]:
        """Every attribute path the query reads, left to right."""
        return list(iter_paths(self))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Exists(_Node):
    """A bare attribute path: the Entity holds the target element."""

    path: Path

    def __str__(self) -> str:
        return str(self.path)


@dataclass(frozen=True, slots=True)
class NotExists(_Node):
    """``!path`` (an Orion-LD and Stellio extension): the Entity lacks the target element."""

    path: Path

    def __str__(self) -> str:
        return f"!{self.path}"


@dataclass(frozen=True, slots=True)
class Comparison(_Node):
    """``path op value``; lists and ranges only ever come with ``==`` and ``!=``."""

    path: Path
    op: Operator
    value: QueryValue

    def __str__(self) -> str:
        return f"{self.path}{self.op.value}{self.value}"


@dataclass(frozen=True, slots=True)
class PatternMatch(_Node):
    """``path~="regex"`` (or ``!~=`` when ``negated``): the target string is in L(regex)."""

    path: Path
    pattern: str
    negated: bool = False

    def __str__(self) -> str:
        return f'{self.path}{"!~=" if self.negated else "~="}"{self.pattern}"'


@dataclass(frozen=True, slots=True)
class And(_Node):
    """``a;b;c``: all terms hold. Never nests a direct And; always at least two terms."""

    terms: tuple[QueryNode, ...]

    def __str__(self) -> str:
        return ";".join(f"({term})" if isinstance(term, Or) else str(term) for term in self.terms)


@dataclass(frozen=True, slots=True)
class Or(_Node):
    """``a|b|c``: any term holds. Never nests a direct Or; always at least two terms."""

    terms: tuple[QueryNode, ...]

    def __str__(self) -> str:
        return "|".join(str(term) for term in self.terms)


Term = Exists | NotExists | Comparison | PatternMatch
QueryNode = Exists | NotExists | Comparison | PatternMatch | And | Or


def conjunction(terms: Collection[QueryNode]) -> QueryNode:
    """``And`` of the terms, flattening nested ``And``s; a single term stands alone."""
    return _combine(And, terms)


def disjunction(terms: Collection[QueryNode]) -> QueryNode:
    """``Or`` of the terms, flattening nested ``Or``s; a single term stands alone."""
    return _combine(Or, terms)


def _combine(kind: type[And] | type[Or], terms: Collection[QueryNode]) -> QueryNode:
    flat: list[QueryNode] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    if not flat:
        raise ValueError("a logical combination needs at least one term")
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def map_attributes(node: QueryNode, fn: NameMap) -> QueryNode:
    """The same query with every attribute and entity-type name passed through ``fn``.

    JSON member names and language tags in trailing ``[...]`` paths are data, not terms, so they
    are kept as written.
    """
    match node:
        case And(terms) | Or(terms):
            return type(node)(tuple(map_attributes(term, fn) for term in terms))
        case _:
            return replace(node, path=node.path.map_attributes(fn))


def expand_values(node: QueryNode, fn: NameMap, attributes: Collection[str]) -> QueryNode:
    """Apply ``expandValues`` (clause 4.9 EXAMPLE 12): in comparisons on the named top-level
    attributes, bare terms and quoted strings become the IRIs ``fn`` gives for them."""

    def expand(value: QueryValue) -> QueryValue:
        match value:
            case Literal(ValueKind.TERM | ValueKind.STRING, str() as text):
                return Literal(ValueKind.URI, fn(text))
            case ValueList(items):
                return ValueList(tuple(expand(item) for item in items))  # type: ignore[misc]
            case _:
                return value

    match node:
        case And(terms) | Or(terms):
            return type(node)(tuple(expand_values(t, fn, attributes) for t in terms))
        case Comparison(path, op, value) if path.attribute in attributes:
            return Comparison(path, op, expand(value))
        case _:
            return node


def iter_paths(node: QueryNode) -> Iterator[Path]:
    """Every attribute path the query reads, left to right."""
    match node:
        case And(terms) | Or(terms):
            for term in terms:
                yield from iter_paths(term)
        case _:
            yield node.path


def utc(value: datetime) -> datetime:
    """A timezone-aware datetime; naive values are read as UTC, as clause 4.6.3 prescribes."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
