"""Remote @context documents: fetched once from allowed hosts, limited in size and time, cached."""

from __future__ import annotations

import threading

import pytest

from smartcity.context.jsonld import (
    ContextNotAvailable,
    ContextResolver,
    InvalidContext,
    parse_allowed_hosts,
)
from tests.context.jsonld.conftest import ContextServer, Route

DOC = {"@context": {"ex": "https://example.org/", "speed": "ex:speed"}}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_user_context_is_fetched_once_then_cached(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    url = context_server.serve_json("/ctx.jsonld", DOC)
    first = resolver.resolve(url)
    assert first.expand_term("speed") == "https://example.org/speed"
    assert resolver.resolve(url) is first
    assert resolver.resolve([url, {"x": "ex:x"}]).expand_term("x") == "https://example.org/x"
    assert context_server.hits["/ctx.jsonld"] == 1


def test_concurrent_requests_for_one_url_download_it_once(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    url = context_server.serve_json("/ctx.jsonld", DOC)
    results = []
    threads = [
        threading.Thread(
            target=lambda i=i: results.append(resolver.resolve([url, {f"t{i}": f"ex:t{i}"}]))
        )
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    assert context_server.hits["/ctx.jsonld"] == 1


def test_cached_contexts_expire_after_their_time_to_live(context_server: ContextServer) -> None:
    clock = FakeClock()
    url = context_server.serve_json("/ctx.jsonld", DOC)
    with ContextResolver(allowed_hosts=["127.0.0.1"], ttl=60, clock=clock) as resolver:
        resolver.resolve(url)
        clock.now += 59
        resolver.resolve(url)
        assert context_server.hits["/ctx.jsonld"] == 1
        clock.now += 2
        resolver.resolve(url)
        assert context_server.hits["/ctx.jsonld"] == 2


def test_the_cache_keeps_only_the_most_recently_used_contexts(
    context_server: ContextServer,
) -> None:
    urls = [context_server.serve_json(f"/c{i}.jsonld", DOC) for i in range(3)]
    with ContextResolver(allowed_hosts=["127.0.0.1"], cache_size=2) as resolver:
        for url in urls:
            resolver.resolve(url)
        resolver.resolve(urls[2])
        resolver.resolve(urls[0])
    assert [context_server.hits[f"/c{i}.jsonld"] for i in range(3)] == [2, 1, 1]


def test_a_host_not_in_the_allow_list_is_refused_without_a_request(
    context_server: ContextServer,
) -> None:
    url = context_server.serve_json("/ctx.jsonld", DOC)
    with (
        ContextResolver(allowed_hosts=["contexts.example.org"]) as resolver,
        pytest.raises(ContextNotAvailable, match="not in SMARTCITY_CONTEXT_ALLOWED_HOSTS"),
    ):
        resolver.resolve(url)
    assert context_server.hits["/ctx.jsonld"] == 0


def test_an_allow_list_entry_may_name_a_port(context_server: ContextServer) -> None:
    url = context_server.serve_json("/ctx.jsonld", DOC)
    with ContextResolver(allowed_hosts=[f"127.0.0.1:{context_server.port}"]) as resolver:
        resolver.resolve(url)
    with (
        ContextResolver(allowed_hosts=["127.0.0.1:1"]) as resolver,
        pytest.raises(ContextNotAvailable),
    ):
        resolver.resolve(url)


def test_allowed_hosts_setting_is_comma_separated() -> None:
    assert parse_allowed_hosts(" a.org, B.org:8080 ,,") == {"a.org", "b.org:8080"}
    assert parse_allowed_hosts(None) == frozenset()


def test_only_http_and_https_are_fetched(resolver: ContextResolver) -> None:
    with pytest.raises(ContextNotAvailable, match="only http"):
        resolver.resolve("ftp://127.0.0.1/ctx.jsonld")


def test_an_unavailable_context_is_ld_context_not_available(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    with pytest.raises(ContextNotAvailable, match="HTTP 404") as caught:
        resolver.resolve(context_server.url("/missing.jsonld"))
    problem = caught.value.problem()
    assert problem["type"] == "https://uri.etsi.org/ngsi-ld/errors/LdContextNotAvailable"
    assert problem["status"] == 503


def test_an_unreachable_host_is_ld_context_not_available(resolver: ContextResolver) -> None:
    with pytest.raises(ContextNotAvailable, match="could not be fetched"):
        resolver.resolve("http://127.0.0.1:9/ctx.jsonld")  # discard port: connection refused


def test_a_context_larger_than_the_limit_is_refused(context_server: ContextServer) -> None:
    big = {"@context": {f"t{i}": f"https://example.org/{i}" for i in range(200)}}
    url = context_server.serve_json("/big.jsonld", big)
    with (
        ContextResolver(allowed_hosts=["127.0.0.1"], max_bytes=1024) as resolver,
        pytest.raises(ContextNotAvailable, match="larger than 1024 bytes"),
    ):
        resolver.resolve(url)


def test_a_context_without_content_length_is_cut_at_the_limit(
    context_server: ContextServer,
) -> None:
    context_server.routes["/big.jsonld"] = Route(b"{" + b" " * 4000 + b"}", drip=False)
    context_server.routes["/big.jsonld"].headers["Content-Length"] = "999999999"
    with (
        ContextResolver(allowed_hosts=["127.0.0.1"], max_bytes=1024) as resolver,
        pytest.raises(ContextNotAvailable, match="larger than"),
    ):
        resolver.resolve(context_server.url("/big.jsonld"))


def test_a_server_that_does_not_answer_times_out(context_server: ContextServer) -> None:
    context_server.routes["/slow.jsonld"] = Route(stall=True)
    with (
        ContextResolver(allowed_hosts=["127.0.0.1"], timeout=0.3) as resolver,
        pytest.raises(ContextNotAvailable, match="timed out"),
    ):
        resolver.resolve(context_server.url("/slow.jsonld"))


def test_a_server_that_trickles_its_body_times_out(context_server: ContextServer) -> None:
    context_server.routes["/drip.jsonld"] = Route(b'{"@context": {}}' * 20, drip=True)
    with (
        ContextResolver(allowed_hosts=["127.0.0.1"], timeout=0.3) as resolver,
        pytest.raises(ContextNotAvailable, match="timed out"),
    ):
        resolver.resolve(context_server.url("/drip.jsonld"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>not json</html>", "not JSON"),
        (b'{"terms": {}}', "no @context|with an @context"),
        (b"[1, 2]", "with an @context"),
        (b'{"@context": {"a": 5}}', "must be a string"),
    ],
)
def test_a_fetched_document_that_is_not_a_json_ld_context_is_invalid(
    context_server: ContextServer, resolver: ContextResolver, body: bytes, message: str
) -> None:
    context_server.routes["/bad.jsonld"] = Route(body)
    with pytest.raises(InvalidContext, match=message):
        resolver.resolve(context_server.url("/bad.jsonld"))


def test_redirects_are_followed_to_allowed_hosts_only(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    target = context_server.serve_json("/real.jsonld", DOC)
    context_server.routes["/moved.jsonld"] = Route(status=301, headers={"Location": target})
    ctx = resolver.resolve(context_server.url("/moved.jsonld"))
    assert ctx.expand_term("speed") == "https://example.org/speed"
    context_server.routes["/away.jsonld"] = Route(
        status=302, headers={"Location": "http://elsewhere.example.org/c.jsonld"}
    )
    with pytest.raises(ContextNotAvailable, match=r"elsewhere\.example\.org"):
        resolver.resolve(context_server.url("/away.jsonld"))


def test_too_many_redirects_are_refused(context_server: ContextServer) -> None:
    context_server.routes["/loop.jsonld"] = Route(status=302, headers={"Location": "/loop.jsonld"})
    with (
        ContextResolver(allowed_hosts=["127.0.0.1"], max_redirects=2) as resolver,
        pytest.raises(ContextNotAvailable, match="more than 2 times"),
    ):
        resolver.resolve(context_server.url("/loop.jsonld"))
    assert context_server.hits["/loop.jsonld"] == 3


def test_a_remote_context_may_reference_other_contexts(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    inner = context_server.serve_json("/inner.jsonld", DOC)
    outer = context_server.serve_json(
        "/outer.jsonld", {"@context": [inner, {"height": "ex:height"}]}
    )
    assert resolver.resolve(outer).expand_term("height") == "https://example.org/height"


def test_a_context_that_includes_itself_is_invalid(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    url = context_server.url("/self.jsonld")
    context_server.serve_json("/self.jsonld", {"@context": [url]})
    with pytest.raises(InvalidContext, match="includes itself"):
        resolver.resolve(url)


def test_failed_fetches_are_not_cached(
    context_server: ContextServer, resolver: ContextResolver
) -> None:
    url = context_server.url("/later.jsonld")
    with pytest.raises(ContextNotAvailable):
        resolver.resolve(url)
    context_server.serve_json("/later.jsonld", DOC)
    assert resolver.resolve(url).expand_term("speed") == "https://example.org/speed"
