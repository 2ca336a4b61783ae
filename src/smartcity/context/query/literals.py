"""Reading the values of a query: typed literals, temporal strings and guarded regular expressions.

The same readers type the values found in entities, so a query literal and a target value agree on
what counts as a DateTime, a Date or a Time.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from datetime import UTC, date, datetime, time
from functools import lru_cache

from smartcity.context.query.ast import Literal, ValueKind, utc

MAX_PATTERN_LENGTH = 256

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?")
_DATETIME = re.compile(_DATE.pattern + "T" + _TIME.pattern)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\"]+")
_TERM = re.compile(r"[^\W\d_][\w.\-]*")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class LiteralError(ValueError):
    """A value that is not a literal of the query language; the parser adds the position."""


def _trim_fraction(text: str, match: re.Match[str]) -> str:
    fraction = match.group(1)
    if fraction and len(fraction) > 6:  # Python keeps microseconds; finer digits cannot matter
        start = match.start(1)
        return text[: start + 6] + text[start + len(fraction) :]
    return text


@lru_cache(maxsize=4096)
def read_datetime(text: str) -> datetime | None:
    """The instant a DateTime string names (naive means UTC), or None if it is not one."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    try:
        return utc(datetime.fromisoformat(_trim_fraction(text, match)))
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def read_date(text: str) -> date | None:
    """The calendar day a Date string names, or None if it is not one."""
    if _DATE.fullmatch(text) is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def read_time(text: str) -> time | None:
    """The time of day a Time string names (timezone-aware, naive means UTC), or None."""
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    try:
        value = time.fromisoformat(_trim_fraction(text, match))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_number(text: str) -> int | float | None:
    """The number a JSON number (RFC 8259 section 6) names, or None; infinities are refused."""
    if _NUMBER.fullmatch(text) is None:
        return None
    if _INTEGER.fullmatch(text):
        return int(text)
    value = float(text)
    if math.isinf(value):
        raise LiteralError(f"number {text} is out of range")
    return value


def read_unquoted(text: str) -> Literal:
    """Type an unquoted value: boolean, number, DateTime, Date, Time, IRI or bare term."""
    if text in ("true", "false"):
        return Literal(ValueKind.BOOLEAN, text == "true")
    number = read_number(text)
    if number is not None:
        return Literal(ValueKind.NUMBER, number)
    for kind, reader, shape in (
        (ValueKind.DATETIME, read_datetime, _DATETIME),
        (ValueKind.DATE, read_date, _DATE),
        (ValueKind.TIME, read_time, _TIME),
    ):
        value = reader(text)
        if value is not None:
            return Literal(kind, value)
        if shape.fullmatch(text):
            raise LiteralError(f"{text!r} is not a valid {kind.value}")
    if _URI.fullmatch(text):
        return Literal(ValueKind.URI, text)
    if _TERM.fullmatch(text):
        return Literal(ValueKind.TERM, text)
    raise LiteralError(
        f'{text!r} is not a value: quote strings, e.g. "{text}"; numbers, booleans, '
        "dates and IRIs go unquoted"
    )


def read_quoted(raw: str) -> Literal:
    """A quoted string, ``raw`` including its quotes, decoded as a JSON string (RFC 8259 s. 7)."""
    try:
        return Literal(ValueKind.STRING, json.loads(raw))
    except ValueError as error:
        reason = str(error).split(":")[0]
        raise LiteralError(f"invalid string literal ({reason})") from None


def check_pattern(pattern: str) -> str:
    """The pattern, if it compiles and cannot backtrack catastrophically; else a LiteralError.

    Patterns are capped in length, and back-references and nested unbounded quantifiers such as
    ``(a+)+`` are refused: they are what makes a backtracking engine take exponential time.
    """
    if not pattern:
        raise LiteralError("empty regular expression")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise LiteralError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
    if _BACKREFERENCE.search(pattern):
        raise LiteralError("back-references are not allowed in a regular expression")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. "possible nested set": ambiguous in POSIX terms
            re.compile(pattern)
    except (re.error, OverflowError, RecursionError, Warning) as error:
        raise LiteralError(f"invalid regular expression: {error}") from None
    if _has_nested_quantifier(pattern):
        raise LiteralError("nested quantifiers like (a+)+ are not allowed in a regular expression")
    return pattern


def _quantifier_at(pattern: str, i: int) -> bool:
    """Whether an unbounded (or large) quantifier starts at ``i``."""
    if i >= len(pattern):
        return False
    if pattern[i] in "*+":
        return True
    match = re.match(r"\{(\d*)(,?)(\d*)\}", pattern[i:])
    if match is None:
        return False
    low, comma, high = match.groups()
    return (bool(comma) and (not high or int(high) > 1)) or (not comma and int(low or 0) > 1)


def _has_nested_quantifier(pattern: str) -> bool:
    """Whether a quantified group holds a quantifier itself, e.g. ``(a+)+`` or ``(\\w*x)*``."""
    stack = [False]  # per open group: does it hold a quantifier?
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":  # skip a character class, where quantifier characters are literal
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            stack.append(False)
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()
            if inner and _quantifier_at(pattern, i + 1):
                return True
            stack[-1] = stack[-1] or inner
        elif _quantifier_at(pattern, i):
            stack[-1] = True
        i += 1
    return False
