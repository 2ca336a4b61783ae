"""Three-valued SQL conditions: a row surely matches, may match, or surely does not.

The evaluator stays the reference: where SQL cannot reproduce it for some row (a value shape or a
literal it cannot read), that row is *unknown* and Python decides it. A :class:`Verdict` is a
pair of predicates (``sure`` implies the evaluator says true; a false ``maybe`` that it says
false); a :class:`Tri` is the same as one integer, 0 (false), 1 (unknown) or 2 (true), which keeps
a term's SQL in one piece. The helpers fold constants so statically decided branches vanish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    case,
    false,
    literal_column,
    not_,
    or_,
    true,
)
from sqlalchemy.sql.elements import False_, True_

Predicate = ColumnElement[bool]
NO, UNKNOWN, YES = 0, 1, 2


class Untranslatable(ValueError):
    """A name or value SQL cannot hold exactly; the caller falls back to Python."""


def const(value: str | int) -> ColumnElement[Any]:
    """A constant written into the SQL text (not a bound parameter): translations are cached and
    executed many times, and a statement with few parameters is cheaper to run."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"not a SQL constant: {value!r}")
    if isinstance(value, int):
        return literal_column(str(value), Integer)
    if "\x00" in value:
        raise Untranslatable("SQL text cannot hold NUL characters")
    return literal_column("'" + value.replace("'", "''") + "'", Text)


def is_false(predicate: Predicate) -> bool:
    return isinstance(predicate, False_)


def is_true(predicate: Predicate) -> bool:
    return isinstance(predicate, True_)


def conj(*predicates: Predicate) -> Predicate:
    kept = []
    for p in predicates:
        if is_false(p):
            return false()
        if not is_true(p):
            kept.append(p)
    return kept[0] if len(kept) == 1 else and_(*kept) if kept else true()


def disj(*predicates: Predicate) -> Predicate:
    kept = []
    for p in predicates:
        if is_true(p):
            return true()
        if not is_false(p):
            kept.append(p)
    return kept[0] if len(kept) == 1 else or_(*kept) if kept else false()


def neg(predicate: Predicate) -> Predicate:
    if is_true(predicate):
        return false()
    if is_false(predicate):
        return true()
    return not_(predicate)


@dataclass(frozen=True)
class Verdict:
    sure: Predicate
    maybe: Predicate

    @classmethod
    def exact(cls, predicate: Predicate) -> Verdict:
        return cls(predicate, predicate)

    @classmethod
    def unknown(cls, narrowed: Predicate | None = None) -> Verdict:
        """Only Python can tell; ``narrowed`` holds for every row that may match."""
        return cls(false(), true() if narrowed is None else narrowed)

    def __invert__(self) -> Verdict:
        return Verdict(neg(self.maybe), neg(self.sure))


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    items = list(verdicts)
    return Verdict(conj(*(v.sure for v in items)), conj(*(v.maybe for v in items)))


def any_of(verdicts: Iterable[Verdict]) -> Verdict:
    items = list(verdicts)
    return Verdict(disj(*(v.sure for v in items)), disj(*(v.maybe for v in items)))


TRUE = Verdict.exact(true())
FALSE = Verdict.exact(false())


@dataclass(frozen=True)
class Tri:
    """A three-valued SQL integer, or a constant when known without looking at the row."""

    expr: ColumnElement[Any] | None = None
    constant: int | None = None

    @classmethod
    def of(cls, value: int) -> Tri:
        return cls(constant=value)

    @classmethod
    def from_verdict(cls, verdict: Verdict) -> Tri:
        sure, maybe = verdict.sure, verdict.maybe
        if is_false(maybe):
            return cls.of(NO)
        if is_true(sure):
            return cls.of(YES)
        if sure is maybe or is_false(sure):
            level = YES if sure is maybe else UNKNOWN
            return (
                cls.of(level)
                if is_true(maybe)
                else cls(case((maybe, const(level)), else_=const(NO)))
            )
        return cls(case((sure, const(YES)), (maybe, const(UNKNOWN)), else_=const(NO)))

    @property
    def sql(self) -> ColumnElement[Any]:
        return const(self.constant) if self.expr is None else self.expr  # type: ignore[arg-type]

    def verdict(self) -> Verdict:
        if self.expr is not None:
            return Verdict(self.expr == const(YES), self.expr >= const(UNKNOWN))
        if self.constant == UNKNOWN:
            return Verdict.unknown()
        return TRUE if self.constant == YES else FALSE

    def negated(self) -> Tri:
        if self.expr is None:
            return Tri.of(YES - self.constant)  # type: ignore[operator]
        return Tri(const(YES) - self.expr)

    def guarded(self, odd: Predicate, dead: Predicate) -> Tri:
        """This value for a live instance: unknown for an ``odd`` one (a shape SQL cannot read),
        false for a ``dead`` one."""
        whens = [(w, v) for w, v in ((odd, UNKNOWN), (dead, NO)) if not is_false(w)]
        if not whens or (self.constant == NO and is_false(odd)):
            return self
        return Tri(case(*((w, const(v)) for w, v in whens), else_=self.sql))


def switch(base: ColumnElement[Any], branches: Mapping[str, Tri], otherwise: Tri) -> Tri:
    """``CASE base WHEN key THEN branch … ELSE otherwise END``, folded when all agree."""
    values = [*branches.values(), otherwise]
    if all(v.expr is None for v in values) and len({v.constant for v in values}) == 1:
        return otherwise
    whens = {const(k): v.sql for k, v in branches.items()}
    return Tri(case(whens, value=base, else_=otherwise.sql))
