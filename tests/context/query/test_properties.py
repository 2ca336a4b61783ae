"""Properties of the q parser and evaluator over generated input: only QuerySyntaxError escapes the
parser, the canonical text of every tree parses back to it, and evaluation never fails."""

from __future__ import annotations

import string
from datetime import UTC, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartcity.context.query import (
    AttrPath,
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    PatternMatch,
    QueryNode,
    QuerySyntaxError,
    Range,
    ValueKind,
    ValueList,
    conjunction,
    disjunction,
    evaluate,
    parse_q,
)
from tests.context.query.examples import load_example

Q_ALPHABET = 'abxyz.;|()!=<>~",[]{}*:-_0123456789eTZ+ \\/温'
LETTERS = string.ascii_letters
WORD = string.ascii_letters + string.digits + "_"


def word(first: str, rest: str, max_size: int) -> st.SearchStrategy[str]:
    """A quick stand-in for from_regex: one character of ``first``, then some of ``rest``."""
    return st.tuples(st.sampled_from(first), st.text(rest, max_size=max_size)).map("".join)


def _parse_or_none(text: str) -> QueryNode | None:
    try:
        return parse_q(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)
        return None


@settings(max_examples=500)
@given(st.text(max_size=120))
def test_arbitrary_text_only_ever_raises_query_syntax_error(text):
    node = _parse_or_none(text)
    if node is not None:
        assert parse_q(str(node)) == node


@settings(max_examples=1500)
@given(st.text(alphabet=Q_ALPHABET, max_size=60))
def test_query_like_text_round_trips_when_it_parses(text):
    node = _parse_or_none(text)
    if node is not None:
        assert parse_q(str(node)) == node


# Generated trees.

names = st.one_of(
    word(LETTERS, WORD, 7),
    st.sampled_from(["温度", "no2", "observedAt", "ngsi-ld:name", "https://ex.org/ns#speed"]),
)
members = st.one_of(
    st.just(("*",)),
    st.lists(st.from_regex(r"[a-zA-Z0-9_-]{1,6}", fullmatch=True), min_size=1, max_size=3).map(
        tuple
    ),
)
attr_paths = st.builds(
    AttrPath, st.lists(names, min_size=1, max_size=3).map(tuple), st.one_of(st.just(()), members)
)
paths = st.recursive(
    attr_paths,
    lambda inner: st.builds(
        LinkedPath,
        names,
        inner,
        st.lists(word(string.ascii_uppercase, WORD, 6), max_size=2).map(tuple),
    ),
    max_leaves=3,
)
offsets = st.integers(-14 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))
ordered = st.one_of(
    st.integers(-(10**12), 10**12).map(lambda v: Literal(ValueKind.NUMBER, v)),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: Literal(ValueKind.NUMBER, v)),
    st.text(max_size=12).map(lambda v: Literal(ValueKind.STRING, v)),
    st.datetimes(timezones=st.one_of(st.just(UTC), offsets)).map(
        lambda v: Literal(ValueKind.DATETIME, v)
    ),
    st.dates().map(lambda v: Literal(ValueKind.DATE, v)),
    st.times(timezones=st.one_of(st.just(UTC), offsets)).map(lambda v: Literal(ValueKind.TIME, v)),
)
unordered = st.one_of(
    st.booleans().map(lambda v: Literal(ValueKind.BOOLEAN, v)),
    word(LETTERS, WORD + ":-", 10).map(lambda v: Literal(ValueKind.URI, "urn:" + v)),
    word(LETTERS, WORD + "-", 8)
    .filter(lambda v: v not in ("true", "false"))
    .map(lambda v: Literal(ValueKind.TERM, v)),
)
literals = st.one_of(ordered, unordered)


@st.composite
def ranges(draw: st.DrawFn) -> Range:
    kind = draw(st.sampled_from([ValueKind.NUMBER, ValueKind.STRING, ValueKind.DATE]))
    values = st.integers() if kind is ValueKind.NUMBER else st.text(max_size=6)
    if kind is ValueKind.DATE:
        values = st.dates()
    low, high = sorted([draw(values), draw(values)])
    return Range(Literal(kind, low), Literal(kind, high))


equality_values = st.one_of(
    literals,
    ranges(),
    st.lists(literals, min_size=2, max_size=4).map(lambda v: ValueList(tuple(v))),
)
comparisons = st.one_of(
    st.builds(Comparison, paths, st.sampled_from([Operator.EQ, Operator.NE]), equality_values),
    st.builds(
        Comparison,
        paths,
        st.sampled_from([Operator.GT, Operator.GE, Operator.LT, Operator.LE]),
        ordered,
    ),
)
patterns = st.sampled_from(["^a", "b.*c", "[0-9]+", "x|y", r"\d{2}-\w+", r"say \"hi\"", "(?i)上海"])
terms = st.one_of(
    st.builds(Exists, paths),
    st.builds(NotExists, paths),
    comparisons,
    st.builds(PatternMatch, paths, patterns, st.booleans()),
)
queries = st.recursive(
    terms,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(conjunction),
        st.lists(inner, min_size=2, max_size=3).map(disjunction),
    ),
    max_leaves=8,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_every_tree_survives_its_canonical_text(node):
    assert parse_q(str(node)) == node


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(queries)
def test_evaluation_never_fails_on_real_entities(node):
    for model in ("AirQualityObserved", "Streetlight", "ParkingSpot", "TrafficFlowObserved"):
        assert evaluate(node, load_example(model), resolve_entity=lambda _: None) in (True, False)
