"""The Link header that carries the @context of application/json requests."""

from __future__ import annotations

import pytest

from smartcity.context.jsonld import (
    ContextError,
    InvalidLinkHeader,
    link_header,
    parse_link_header,
)

URL = "https://example.org/ctx/context.jsonld"


def test_link_header_round_trips() -> None:
    value = link_header(URL)
    assert value == (
        f'<{URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    )
    assert parse_link_header(value) == URL


@pytest.mark.parametrize("value", [None, "", "   "])
def test_no_link_header_gives_none(value: str | None) -> None:
    assert parse_link_header(value) is None


def test_other_links_are_ignored() -> None:
    value = f'<https://example.org/next>; rel="next", {link_header(URL)}'
    assert parse_link_header(value) == URL
    assert parse_link_header('<https://example.org/next>; rel="next"') is None


def test_type_parameter_is_optional_and_rel_may_list_several_relations() -> None:
    value = f'<{URL}>;rel="alternate http://www.w3.org/ns/json-ld#context"'
    assert parse_link_header(value) == URL


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/ctx.jsonld",  # no angle brackets
        f'<{URL}; rel="http://www.w3.org/ns/json-ld#context"',  # unclosed
        f'<{URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="text/html"',
        '<ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"',  # relative
        '<ftp://example.org/c>; rel="http://www.w3.org/ns/json-ld#context"',
        f"{link_header(URL)}, {link_header('https://example.org/other.jsonld')}",
    ],
)
def test_malformed_or_ambiguous_link_headers_are_invalid_requests(value: str) -> None:
    with pytest.raises(InvalidLinkHeader) as caught:
        parse_link_header(value)
    assert isinstance(caught.value, ContextError)
    assert caught.value.problem()["type"].endswith("/InvalidRequest")
    assert caught.value.status == 400
