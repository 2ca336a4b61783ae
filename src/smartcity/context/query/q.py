"""The parser of the NGSI-LD query language (GS CIM 009 clause 4.9): ``q`` text in, syntax tree out.

A hand-written recursive descent over the text, following the clause's ABNF: ``;`` (AND) binds
tighter than ``|`` (OR), parentheses group, a term is an attribute path alone (existence) or
followed by an operator and a value. Beyond the ABNF it accepts ``!attr`` (non-existence, as
Orion-LD and Stellio do), unquoted bare terms after ``==``/``!=`` (for ``expandValues``) and
unquoted regular expressions. Every malformed input raises :class:`QuerySyntaxError`.
"""

from __future__ import annotations

import re
from typing import NoReturn

from smartcity.context.query.ast import (
    ORDERED_KINDS,
    AttrPath,
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    Path,
    PatternMatch,
    QueryNode,
    QueryValue,
    Range,
    ValueList,
    conjunction,
    disjunction,
)
from smartcity.context.query.literals import (
    LiteralError,
    check_pattern,
    read_quoted,
    read_unquoted,
)

MAX_QUERY_LENGTH = 4000
MAX_NESTING = 32

_OPERATORS = ("==", "!~=", "!=", "~=", ">=", "<=", ">", "<")
_TERM_END = frozenset(";|)")
_VALUE_END = frozenset(';|)(,"')
# A compact or absolute IRI: the prefix or scheme, ':', then IRI characters (dots included).
_IRI_NAME = re.compile(r"[^\W\d_][\w+\-]*:[\w\-.:/#%@+]+")
_IRI_START = re.compile(r"[^\W\d_][\w+\-]*:(?://|[^\W\d_])")
_TERM_NAME = re.compile(r"[^\W\d_]\w*")
_TYPE_HINT = re.compile(r"([^\W\d_]\w*(?:,[^\W\d_]\w*)*):(?=[^\W\d_])")
_MEMBER = re.compile(r"[\w\-]+")  # JSON member names and language tags such as zh-Hans


class QuerySyntaxError(ValueError):
    """A malformed ``q``: ``message`` says what is wrong, ``position`` where (0-based offset)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


def parse_q(text: str) -> QueryNode:
    """The syntax tree of a ``q`` query string (already percent-decoded)."""
    return _Parser(text).parse()


class _Parser:
    __slots__ = ("depth", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def parse(self) -> QueryNode:
        if len(self.text) > MAX_QUERY_LENGTH:
            self._fail(f"query longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH)
        if not self.text:
            self._fail("empty query", 0)
        node = self._disjunction()
        if self.pos < len(self.text):
            char = self.text[self.pos]
            self._fail("unmatched ')'" if char == ")" else self._unexpected(char))
        return node

    def _fail(self, message: str, position: int | None = None) -> NoReturn:
        raise QuerySyntaxError(message, self.pos if position is None else position)

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    @staticmethod
    def _unexpected(char: str) -> str:
        if char.isspace():
            return "spaces are not allowed outside quoted strings"
        return f"unexpected {char!r}"

    def _enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self._fail(f"nesting deeper than {MAX_NESTING} levels", position)

    # Logical structure: Query = term *(LogicalOp term), with ';' before '|'.

    def _disjunction(self) -> QueryNode:
        terms = [self._conjunction()]
        while self._peek() == "|":
            self.pos += 1
            terms.append(self._conjunction())
        return disjunction(terms)

    def _conjunction(self) -> QueryNode:
        terms = [self._operand()]
        while self._peek() == ";":
            self.pos += 1
            terms.append(self._operand())
        return conjunction(terms)

    def _operand(self) -> QueryNode:
        char = self._peek()
        if char == "(":
            start = self.pos
            self._enter(start)
            self.pos += 1
            if self._peek() == ")":
                self._fail("empty parentheses", start)
            node = self._disjunction()
            if self._peek() != ")":
                if self.pos < len(self.text):
                    self._fail(self._unexpected(self._peek()))
                self._fail(f"missing ')' to close the '(' at position {start}")
            self.pos += 1
            self.depth -= 1
            return node
        if char == "" or char in ";|)":
            before = self.text[self.pos - 1] if self.pos else ""
            if before in (";", "|"):
                where = "at the end" if char == "" else f"before {char!r}"
                self._fail(f"empty term after {before!r} {where}")
            if char == "":
                self._fail("missing term")
            self._fail(f"empty term before {char!r}")
        return self._term()

    # Query terms: [!]Attribute [Operator Value].

    def _term(self) -> QueryNode:
        start = self.pos
        negated = self._peek() == "!"
        if negated:
            self.pos += 1
            if self._peek() == "(":
                self._fail("'!' negates an attribute, not a group")
        path = self._path()
        char = self._peek()
        if char == "" or char in _TERM_END:
            return NotExists(path) if negated else Exists(path)
        if negated:
            self._fail("'!' can only negate an existence test, e.g. !temperature", start)
        symbol = self._operator(path)
        if symbol in ("~=", "!~="):
            return PatternMatch(path, self._pattern(symbol), negated=symbol == "!~=")
        operator = Operator(symbol)
        return Comparison(path, operator, self._value(operator))

    def _operator(self, path: Path) -> str:
        for symbol in _OPERATORS:
            if self.text.startswith(symbol, self.pos):
                self.pos += len(symbol)
                return symbol
        char = self._peek()
        if char == "=":
            self._fail("'=' is not an operator: use '=='")
        if char == "!":
            self._fail("'!' must be followed by '=' or '~='")
        if char == "~":
            self._fail("'~' must be followed by '='")
        if char.isspace():
            self._fail(self._unexpected(char))
        if char not in '"(,[]{}':
            self._fail(f"invalid character {char!r} in the attribute name after {str(path)!r}")
        self._fail(
            f"unexpected {char!r} after the attribute path {str(path)!r}: expected an operator "
            "(== != > >= < <= ~= !~=), ';', '|' or ')'"
        )

    # Attribute paths: name(.name)*([member(.member)*])? or name{[Type(,Type)*:]path}.

    def _path(self) -> Path:
        name = self._name()
        if self._peek() == "{":
            return self._linked(name)
        attrs = [name]
        while self._peek() == ".":
            self.pos += 1
            attrs.append(self._name())
        member: tuple[str, ...] = ()
        if self._peek() == "[":
            member = self._member()
        return AttrPath(tuple(attrs), member)

    def _name(self) -> str:
        start = self.pos
        match = _IRI_NAME.match(self.text, start)
        if match is not None:
            # Dots inside an IRI's authority or path belong to it; after its last '/' or '#'
            # (or anywhere in a compact IRI) they separate names, as before another IRI does.
            segments = match.group().split(".")
            limit = next(
                (j for j in range(1, len(segments)) if _IRI_START.match(segments[j])),
                len(segments),
            )
            last = max(
                (j for j in range(limit) if "/" in segments[j] or "#" in segments[j]), default=0
            )
            name = ".".join(segments[: last + 1])
            self.pos = start + len(name)
            return name
        match = _TERM_NAME.match(self.text, start)
        if match is None or not self.text[start].isalpha():
            char = self._peek()
            if char == "" or char in ";|)(.[]{}=<>~,":
                self._fail("missing attribute name")
            if char.isspace():
                self._fail(self._unexpected(char))
            self._fail(f"attribute names start with a letter, not {char!r}")
        self.pos = match.end()
        return match.group()

    def _member(self) -> tuple[str, ...]:
        start = self.pos
        close = self.text.find("]", start)
        if close == -1:
            self._fail("missing ']' to close the '['", start)
        body = self.text[start + 1 : close]
        if body == "*":
            self.pos = close + 1
            return ("*",)
        offset = start + 1
        parts = body.split(".")
        for part in parts:
            if not _MEMBER.fullmatch(part):
                what = f"invalid member name {part!r}" if part else "empty member name"
                self._fail(f"{what} in '[...]'", offset)
            offset += len(part) + 1
        self.pos = close + 1
        return tuple(parts)

    def _linked(self, relationship: str) -> LinkedPath:
        start = self.pos
        self._enter(start)
        self.pos += 1
        entity_types: tuple[str, ...] = ()
        hint = _TYPE_HINT.match(self.text, self.pos)
        if hint is not None:
            entity_types = tuple(hint.group(1).split(","))
            self.pos = hint.end()
        target = self._path()
        if self._peek() != "}":
            self._fail(f"missing '}}' to close the '{{' at position {start}")
        self.pos += 1
        self.depth -= 1
        return LinkedPath(relationship, target, entity_types)

    # Values.

    def _value(self, operator: Operator) -> QueryValue:
        start = self.pos
        first = self._literal(operator)
        value: QueryValue = first
        if self.text.startswith("..", self.pos):
            self.pos += 2
            value = self._range(first, self._literal(operator), start)
            if self._peek() == ",":
                self._fail("a range cannot be part of a value list")
        elif self._peek() == ",":
            items = [first]
            while self._peek() == ",":
                self.pos += 1
                items.append(self._literal(operator))
                if self.text.startswith("..", self.pos):
                    self._fail("a range cannot be part of a value list")
            value = ValueList(tuple(items))
        if operator in (Operator.EQ, Operator.NE):
            return value
        if isinstance(value, ValueList | Range):
            what = "list" if isinstance(value, ValueList) else "range"
            self._fail(f"a value {what} is only allowed after '==' or '!='", start)
        if first.kind not in ORDERED_KINDS:
            self._fail(
                f"a {first.kind.value} cannot be compared with {operator.value!r}: only numbers, "
                "strings, dates and times are ordered",
                start,
            )
        return value

    def _range(self, low: Literal, high: Literal, start: int) -> Range:
        if low.kind not in ORDERED_KINDS:
            self._fail(f"a range of {low.kind.value} values makes no sense", start)
        if low.kind != high.kind:
            self._fail(
                f"the bounds of a range differ in type ({low.kind.value}, {high.kind.value})",
                start,
            )
        if low.value > high.value:  # type: ignore[operator]
            self._fail(f"empty range: {low} is greater than {high}", start)
        return Range(low, high)

    def _literal(self, operator: Operator) -> Literal:
        start = self.pos
        if self._peek() == '"':
            self.pos = self._string_end(start)
            try:
                return read_quoted(self.text[start : self.pos])
            except LiteralError as error:
                self._fail(str(error), start)
        end, text = start, self.text
        while end < len(text) and text[end] not in _VALUE_END and not text.startswith("..", end):
            if text[end].isspace():
                self._fail(self._unexpected(text[end]), end)
            end += 1
        if end == start:
            before = text[start - 1]
            if before == ".":
                self._fail("missing range bound")
            self._fail(f"missing value after {',' if before == ',' else operator.value!r}")
        self.pos = end
        try:
            return read_unquoted(text[start:end])
        except LiteralError as error:
            self._fail(str(error), start)

    def _string_end(self, start: int) -> int:
        """The position just after the closing quote of the string opening at ``start``."""
        i, text = start + 1, self.text
        while i < len(text):
            if text[i] == "\\":
                i += 2
            elif text[i] == '"':
                return i + 1
            else:
                i += 1
        self._fail("unterminated string", start)

    def _pattern(self, symbol: str) -> str:
        start, text = self.pos, self.text
        if self._peek() == '"':
            self.pos = self._string_end(start)
            pattern = text[start + 1 : self.pos - 1]
        else:  # unquoted: up to ';', '|' or a ')' the pattern did not open
            end, depth = start, 0
            while end < len(text) and text[end] not in ';|"':
                if text[end] == "\\":
                    end += 1
                elif text[end] == "(":
                    depth += 1
                elif text[end] == ")":
                    if depth == 0:
                        break
                    depth -= 1
                end += 1
            self.pos = min(end, len(text))
            pattern = text[start : self.pos]
        if not pattern:
            self._fail(f"missing regular expression after {symbol!r}", start)
        try:
            return check_pattern(pattern)
        except LiteralError as error:
            self._fail(str(error), start)
