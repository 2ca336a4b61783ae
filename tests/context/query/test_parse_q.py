"""The q parser against GS CIM 009 clause 4.9: trees of valid queries, errors of bad ones."""

from __future__ import annotations

import timeit
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from smartcity.context.query import (
    And,
    AttrPath,
    Comparison,
    Exists,
    LinkedPath,
    Literal,
    NotExists,
    Operator,
    Or,
    PatternMatch,
    QuerySyntaxError,
    Range,
    ValueKind,
    ValueList,
    expand_values,
    map_attributes,
    parse_q,
)


def path(*attrs: str, member: tuple[str, ...] = ()) -> AttrPath:
    return AttrPath(attrs, member)


def num(value: float) -> Literal:
    return Literal(ValueKind.NUMBER, value)


def text(value: str) -> Literal:
    return Literal(ValueKind.STRING, value)


def uri(value: str) -> Literal:
    return Literal(ValueKind.URI, value)


def cmp(name: str | AttrPath | LinkedPath, op: str, value: object) -> Comparison:
    target = path(name) if isinstance(name, str) else name
    return Comparison(target, Operator(op), value)  # type: ignore[arg-type]


TRUE = Literal(ValueKind.BOOLEAN, True)
FALSE = Literal(ValueKind.BOOLEAN, False)

VALID = [
    # Clause 4.9 EXAMPLES 0-14, as the spec writes them.
    ("temperature", Exists(path("temperature"))),
    ("temperature==20", cmp("temperature", "==", num(20))),
    ('brandName!="Mercedes"', cmp("brandName", "!=", text("Mercedes"))),
    (
        'isParked=="urn:ngsi-ld:OffStreetParking:Downtown1"',
        cmp("isParked", "==", text("urn:ngsi-ld:OffStreetParking:Downtown1")),
    ),
    (
        'speed>50;brandName!="Mercedes"',
        And((cmp("speed", ">", num(50)), cmp("brandName", "!=", text("Mercedes")))),
    ),
    ("isMonitoredBy", Exists(path("isMonitoredBy"))),
    (
        '((speed>50|rpm>3000);brandName=="Mercedes")',
        And(
            (
                Or((cmp("speed", ">", num(50)), cmp("rpm", ">", num(3000)))),
                cmp("brandName", "==", text("Mercedes")),
            )
        ),
    ),
    (
        "(temperature>=20;temperature<=25)|capacity<=10",
        Or(
            (
                And((cmp("temperature", ">=", num(20)), cmp("temperature", "<=", num(25)))),
                cmp("capacity", "<=", num(10)),
            )
        ),
    ),
    (
        "temperature.observedAt>=2017-12-24T12:00:00Z",
        cmp(
            path("temperature", "observedAt"),
            ">=",
            Literal(ValueKind.DATETIME, datetime(2017, 12, 24, 12, tzinfo=UTC)),
        ),
    ),
    ('address[city]=="Berlin"', cmp(path("address", member=("city",)), "==", text("Berlin"))),
    (
        "sensor.rawdata[airquality.particulate]==40",
        cmp(path("sensor", "rawdata", member=("airquality", "particulate")), "==", num(40)),
    ),
    (
        'parkingTickets[value]=="Overstay 60 minutes"',
        cmp(path("parkingTickets", member=("value",)), "==", text("Overstay 60 minutes")),
    ),
    ("gender==Male", cmp("gender", "==", Literal(ValueKind.TERM, "Male"))),
    ("sensor{humidity}==40", cmp(LinkedPath("sensor", path("humidity")), "==", num(40))),
    (
        "sensor{Device:humidity}==40",
        cmp(LinkedPath("sensor", path("humidity"), ("Device",)), "==", num(40)),
    ),
    (
        "a{T1,T2:b{c.d}}",
        Exists(LinkedPath("a", LinkedPath("b", path("c", "d")), ("T1", "T2"))),
    ),
    # Language filters (Equal and Unequal semantics, clause 4.9).
    ('color[en]=="red"', cmp(path("color", member=("en",)), "==", text("red"))),
    ('color[*]!="red"', cmp(path("color", member=("*",)), "!=", text("red"))),
    ('name[zh-Hans]=="人民广场"', cmp(path("name", member=("zh-Hans",)), "==", text("人民广场"))),
    # Value lists, ranges and the other literal types.
    ('color=="black","red"', cmp("color", "==", ValueList((text("black"), text("red"))))),
    ("a==1,2,3", cmp("a", "==", ValueList((num(1), num(2), num(3))))),
    ("temperature==10..20", cmp("temperature", "==", Range(num(10), num(20)))),
    ("temperature!=10..20", cmp("temperature", "!=", Range(num(10), num(20)))),
    ("a==-5..-1.5", cmp("a", "==", Range(num(-5), num(-1.5)))),
    ("a>-1.5e3", cmp("a", ">", num(-1500.0))),
    ("a<=0", cmp("a", "<=", num(0))),
    ("almostFull==false", cmp("almostFull", "==", FALSE)),
    ("almostFull!=true", cmp("almostFull", "!=", TRUE)),
    ("a>2018-12-04", cmp("a", ">", Literal(ValueKind.DATE, date(2018, 12, 4)))),
    ("a<12:00:00Z", cmp("a", "<", Literal(ValueKind.TIME, time(12, tzinfo=UTC)))),
    (
        "a==2018-12-04T12:00:00+08:00",
        cmp("a", "==", Literal(ValueKind.DATETIME, datetime(2018, 12, 4, 4, tzinfo=UTC))),
    ),
    (
        "a<2018-12-04T12:00:00.123456789Z",
        cmp("a", "<", Literal(ValueKind.DATETIME, datetime(2018, 12, 4, 12, 0, 0, 123456, UTC))),
    ),
    (
        "a==2016-03-15T11:00:00",  # no offset: UTC, as clause 4.6.3 prescribes
        cmp("a", "==", Literal(ValueKind.DATETIME, datetime(2016, 3, 15, 11, tzinfo=UTC))),
    ),
    (
        "a==2020-01-01..2020-12-31",
        cmp(
            "a",
            "==",
            Range(
                Literal(ValueKind.DATE, date(2020, 1, 1)),
                Literal(ValueKind.DATE, date(2020, 12, 31)),
            ),
        ),
    ),
    ("locatedIn==urn:ngsi-ld:City:Pisa", cmp("locatedIn", "==", uri("urn:ngsi-ld:City:Pisa"))),
    (
        "ref==urn:ngsi-ld:A:1,urn:ngsi-ld:A:2",
        cmp("ref", "==", ValueList((uri("urn:ngsi-ld:A:1"), uri("urn:ngsi-ld:A:2")))),
    ),
    ('a=="say \\"hi\\""', cmp("a", "==", text('say "hi"'))),
    ('a==""', cmp("a", "==", text(""))),
    ('a=="a;b|c)"', cmp("a", "==", text("a;b|c)"))),
    # Patterns, quoted and unquoted.
    ('name~="^Eiffel"', PatternMatch(path("name"), "^Eiffel")),
    ('name!~="^Eiffel"', PatternMatch(path("name"), "^Eiffel", negated=True)),
    ("name~=Eiff.*", PatternMatch(path("name"), "Eiff.*")),
    ("name~=(?i)eiffel;a", And((PatternMatch(path("name"), "(?i)eiffel"), Exists(path("a"))))),
    ('name~="\\d{2}-\\w+"', PatternMatch(path("name"), "\\d{2}-\\w+")),
    # Non-existence (Orion-LD and Stellio extension).
    ("!temperature", NotExists(path("temperature"))),
    (
        "!temperature.observedAt|a",
        Or((NotExists(path("temperature", "observedAt")), Exists(path("a")))),
    ),
    # Logical structure: ';' binds tighter than '|'; groups of the same operator flatten.
    ("a;b|c", Or((And((Exists(path("a")), Exists(path("b")))), Exists(path("c"))))),
    ("a|b;c", Or((Exists(path("a")), And((Exists(path("b")), Exists(path("c"))))))),
    ("(a;b);c", And((Exists(path("a")), Exists(path("b")), Exists(path("c"))))),
    ("a|(b|c)", Or((Exists(path("a")), Exists(path("b")), Exists(path("c"))))),
    ("((a))", Exists(path("a"))),
    # Names: unicode terms, compact and absolute IRIs.
    ("温度>20", cmp("温度", ">", num(20))),
    ('schema:name=="x"', cmp("schema:name", "==", text("x"))),
    ("ngsi-ld:observedAt", Exists(path("ngsi-ld:observedAt"))),
    (
        "https://uri.etsi.org/ngsi-ld/default-context/temperature.observedAt>2020-01-01T00:00:00Z",
        cmp(
            path("https://uri.etsi.org/ngsi-ld/default-context/temperature", "observedAt"),
            ">",
            Literal(ValueKind.DATETIME, datetime(2020, 1, 1, tzinfo=UTC)),
        ),
    ),
    ("urn:ex:attr.unitCode", Exists(path("urn:ex:attr", "unitCode"))),
]


@pytest.mark.parametrize(("query", "expected"), VALID, ids=[q for q, _ in VALID])
def test_a_valid_query_parses_to_its_tree(query, expected):
    assert parse_q(query) == expected


@pytest.mark.parametrize(("query", "expected"), VALID, ids=[q for q, _ in VALID])
def test_the_canonical_text_parses_back_to_the_same_tree(query, expected):
    assert parse_q(str(expected)) == expected


def test_nesting_of_exactly_the_limit_is_accepted():
    assert parse_q("(" * 32 + "a" + ")" * 32) == Exists(path("a"))


INVALID = [
    ("", 0, "empty query"),
    ("a;", 2, "empty term after ';' at the end"),
    ("a|", 2, "empty term after '|'"),
    (";a", 0, "empty term before ';'"),
    ("a;;b", 2, "empty term after ';'"),
    ("a;|b", 2, "empty term after ';'"),
    ("(a", 2, "missing ')' to close the '(' at position 0"),
    ("((a)", 4, "missing ')'"),
    ("a)", 1, "unmatched ')'"),
    ("()", 0, "empty parentheses"),
    ("(a;)", 3, "empty term after ';'"),
    ("a==", 3, "missing value after '=='"),
    ("a==;b", 3, "missing value after '=='"),
    ("a==1,", 5, "missing value after ','"),
    ("a==1..", 6, "missing range bound"),
    ("a=5", 1, "'=' is not an operator"),
    ("a=>5", 1, "'=' is not an operator"),
    ("a!5", 1, "'!' must be followed by '=' or '~='"),
    ("a~5", 1, "'~' must be followed by '='"),
    ("a<>5", 2, "'>5' is not a value"),
    ("a>1..2", 2, "a value range is only allowed after '==' or '!='"),
    ("a<1,2", 2, "a value list is only allowed after '==' or '!='"),
    ("a>true", 2, "a boolean cannot be compared with '>'"),
    ("a>=urn:x:y", 3, "a uri cannot be compared"),
    ("a==5..1", 3, "empty range"),
    ('a=="x"..1', 3, "the bounds of a range differ in type"),
    ("a==true..false", 3, "a range of boolean values"),
    ("a==1..2,3", 7, "a range cannot be part of a value list"),
    ("a==1,2..3", 6, "a range cannot be part of a value list"),
    ('a=="x', 3, "unterminated string"),
    ('a=="\\q"', 3, "invalid string literal"),
    ("a==01", 3, "'01' is not a value"),
    ("a==+1", 3, "'+1' is not a value"),
    ("a==.5", 3, "'.5' is not a value"),
    ("a==2018-02-30", 3, "not a valid date"),
    ("a==2018-12-04T25:00:00Z", 3, "not a valid dateTime"),
    ("a==1e400", 3, "out of range"),
    ("temp-erature>5", 4, "invalid character '-' in the attribute name"),
    ("a$b", 1, "invalid character '$'"),
    ('a"b"', 1, "unexpected '\"' after the attribute path 'a'"),
    ("1abc==1", 0, "attribute names start with a letter, not '1'"),
    ("_a", 0, "attribute names start with a letter, not '_'"),
    ("a b", 1, "spaces are not allowed"),
    ("a== 1", 3, "spaces are not allowed"),
    ("a==1 ", 4, "spaces are not allowed"),
    ("a.==1", 2, "missing attribute name"),
    ("a..b", 2, "missing attribute name"),
    ("a[", 1, "missing ']'"),
    ("a[]", 2, "empty member name"),
    ("a[b..c]", 4, "empty member name"),
    ("a[b c]", 2, "invalid member name 'b c'"),
    ("a[b][c]", 4, "unexpected '['"),
    ("a{b", 3, "missing '}' to close the '{' at position 1"),
    ("a{}", 2, "missing attribute name"),
    ("!a==1", 0, "'!' can only negate an existence test"),
    ("!(a)", 1, "'!' negates an attribute, not a group"),
    ("!!a", 1, "attribute names start with a letter, not '!'"),
    ("a~=", 3, "missing regular expression after '~='"),
    ('a~=""', 3, "missing regular expression"),
    ('a~="(b"', 3, "invalid regular expression"),
    ('a~="(a+)+"', 3, "nested quantifiers"),
    ('a~="(x*y)*z"', 3, "nested quantifiers"),
    ('a~="(a|b\\d+){2,}"', 3, "nested quantifiers"),
    ('a~="(a)\\1"', 3, "back-references"),
    ('a~="[[a]"', 3, "invalid regular expression"),
    ('a~="' + "x" * 257 + '"', 3, "longer than 256 characters"),
    ("a" * 4001, 4000, "query longer than 4000 characters"),
    ("(" * 33 + "a" + ")" * 33, 32, "nesting deeper than 32 levels"),
    ("a{" * 33 + "b" + "}" * 33, 65, "nesting deeper than 32 levels"),
]


@pytest.mark.parametrize(
    ("query", "position", "fragment"), INVALID, ids=[q[:40] for q, *_ in INVALID]
)
def test_a_malformed_query_is_refused_with_its_position(query, position, fragment):
    with pytest.raises(QuerySyntaxError) as caught:
        parse_q(query)
    assert fragment in caught.value.message
    assert caught.value.position == position
    assert f"at position {position}" in str(caught.value)


def test_a_query_syntax_error_is_a_value_error():
    assert issubclass(QuerySyntaxError, ValueError)


def test_benign_patterns_are_accepted():
    for pattern in ("^(ab)+$", "(a|b)*", "[+*]+x", "\\(a+\\)+", "a{2}b{1,3}", "(?i)shanghai"):
        assert parse_q(f'a~="{pattern}"') == PatternMatch(path("a"), pattern)


def test_map_attributes_expands_names_and_type_hints_but_not_members():
    def expand(name: str) -> str:
        return "https://example.org/" + name

    node = parse_q('(temperature.observedAt>=2020-01-01;address[city]=="Berlin")|ref{T:name}')
    expanded = node.map_attributes(expand)
    assert expanded == map_attributes(node, expand)
    first, second, third = expanded.paths()
    assert first.attrs == ("https://example.org/temperature", "https://example.org/observedAt")
    assert second == AttrPath(("https://example.org/address",), ("city",))
    assert third == LinkedPath(
        "https://example.org/ref",
        AttrPath(("https://example.org/name",)),
        ("https://example.org/T",),
    )


def test_expand_values_turns_terms_into_iris_for_the_named_attributes_only():
    node = parse_q('category==commercial,"office";kind==commercial')
    expanded = expand_values(node, lambda term: "https://example.org/" + term, {"category"})
    assert expanded == And(
        (
            cmp(
                "category",
                "==",
                ValueList(
                    (uri("https://example.org/commercial"), uri("https://example.org/office"))
                ),
            ),
            cmp("kind", "==", Literal(ValueKind.TERM, "commercial")),
        )
    )


def test_offsets_survive_the_canonical_text():
    offset = timezone(timedelta(hours=-3, minutes=-30))
    node = cmp("a", "<", Literal(ValueKind.TIME, time(9, 15, tzinfo=offset)))
    assert str(node) == "a<09:15:00-03:30"
    assert parse_q(str(node)) == node


def test_parsing_a_typical_query_takes_microseconds():
    query = '((speed>50|rpm>3000);brandName=="Mercedes")'
    seconds = timeit.timeit(lambda: parse_q(query), number=1000) / 1000
    assert seconds < 500e-6  # about 20 µs on a laptop; the bound only catches a blow-up
