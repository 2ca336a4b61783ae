"""A client that behaves like ETSI's NGSI-LD test suite (TP/NGSI-LD, Robot Framework) towards our
broker: anonymous (SMARTCITY_AUTH_NGSILD=off, as in a conformance run), with the suite's own
@context served offline under its real URL, and the suite's way of comparing bodies."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
import structlog
from fastapi.testclient import TestClient

from smartcity.context.jsonld import ContextResolver
from smartcity.core.clock import FixedClock
from smartcity.core.settings import load_settings
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.web.app import create_app
from smartcity.web.observe import configure_logging
from tests.conftest import SECRET, START, TENANTS, _truncate_postgres

BASE = "/ngsi-ld/v1"
ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
CORE_V18 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
SUITE_HOST = "forge.etsi.org"
SUITE_RAW = (
    f"https://{SUITE_HOST}/rep/cim/ngsi-ld-test-suite/-/raw/develop/resources/jsonld-contexts"
)
# `ngsild_test_suite_context` of the suite's variables.py: its own terms, then the core context.
SUITE_CONTEXT = f"{SUITE_RAW}/ngsi-ld-test-suite-compound.jsonld"
SUITE_TERMS_URL = f"{SUITE_RAW}/ngsi-ld-test-suite.jsonld"
SUITE_NS = "https://ngsi-ld-test-suite/context#"
DEFAULT_NS = "https://uri.etsi.org/ngsi-ld/default-context/"
# The terms its payloads use that its context defines (isParked, providedBy, reliability,
# availableSpotNumber … are not defined there: its expectations show them in the default
# vocabulary).
SUITE_TERMS = [
    *("Building", "Vehicle", "OffStreetParking", "City", "Country", "name", "subCategory"),
    *("airQualityLevel", "almostFull", "hasWeatherObserved", "customLocation", "street"),
    *("jsonProperty", "vocabProperty", "locatedAt", "brandName", "speed"),
]


def suite_document(url: str) -> dict[str, Any]:
    if url == SUITE_CONTEXT:
        return {"@context": [SUITE_TERMS_URL, CORE_V18]}
    terms: dict[str, Any] = {term: SUITE_NS + term for term in SUITE_TERMS}
    terms["vocabProperty"] = {"@id": SUITE_NS + "vocabProperty", "@type": "@vocab"}
    terms["jsonProperty"] = {"@id": SUITE_NS + "jsonProperty", "@type": "@json"}
    return {"@context": terms}


def _serve_suite_context(request: httpx.Request) -> httpx.Response:
    url = str(request.url)
    if url not in (SUITE_CONTEXT, SUITE_TERMS_URL):
        return httpx.Response(404)
    return httpx.Response(
        200,
        content=orjson.dumps(suite_document(url)),
        headers={"Content-Type": "application/ld+json"},
    )


def link(url: str) -> str:
    """The suite's `Build Context Link`."""
    return f'<{url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


class Suite:
    """Requests shaped like the suite's keywords (ApiUtils/*.resource)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.ids: list[str] = []  # created by `created`, deleted after the test that made them

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        context: str | None = None,
        params: dict[str, Any] | None = None,
        raw: bytes | None = None,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        if context:
            headers["Link"] = link(context)
        content = raw if raw is not None else (None if body is None else orjson.dumps(body))
        return self.client.request(
            method, BASE + path, headers=headers, params=params, content=content
        )

    def create(self, entity: dict[str, Any], content_type: str = "application/ld+json", **kw: Any):
        return self.request("POST", "/entities/", body=entity, content_type=content_type, **kw)

    def created(
        self, entity: dict[str, Any], content_type: str = "application/ld+json", **kw: Any
    ) -> str:
        response = self.create(entity, content_type, **kw)
        assert response.status_code == 201, response.text
        self.ids.append(entity["id"])
        return entity["id"]

    def sharing(self, entities: list[dict[str, Any]], **kw: Any) -> Iterator[list[str]]:
        """Entities for a whole group of tests (the suite's `Suite Setup`), deleted afterwards."""
        ids = []
        try:
            for entity in entities:
                response = self.create(
                    entity, kw.get("content_type", "application/ld+json"), context=kw.get("context")
                )
                assert response.status_code == 201, response.text
                ids.append(entity["id"])
            yield ids
        finally:
            for entity_id in ids:
                self.request("DELETE", f"/entities/{entity_id}")

    def retrieve(self, entity_id: str, **kw: Any) -> httpx.Response:
        return self.request("GET", f"/entities/{entity_id}", **kw)

    def query(self, **kw: Any) -> httpx.Response:
        return self.request("GET", "/entities/", **kw)

    def batch(self, operation: str, body: Any, *, params: dict[str, Any] | None = None, **kw: Any):
        kw.setdefault("content_type", "application/ld+json")
        return self.request(
            "POST", f"/entityOperations/{operation}", body=body, params=params, **kw
        )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]
)
def suite_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """One server per test module and backend, as the ETSI suite runs against one long-lived
    broker (every test uses fresh random ids); it keeps the whole conformance run fast."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("etsi") / "smartcity.db"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("migrated_postgres")
        _truncate_postgres(url)
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("etsi-var"),
        database_url=url,
        secret_key=SECRET,
        rate_limit="100000/minute",
        log_json=True,
        auth={"ngsild": False},  # conformance runs are anonymous (SMARTCITY_AUTH_NGSILD=off)
    )
    contexts = ContextResolver(
        allowed_hosts=[SUITE_HOST], transport=httpx.MockTransport(_serve_suite_context)
    )
    platform = Platform.from_settings(settings, clock=FixedClock(START))
    platform.contexts.close()
    platform.contexts = contexts
    with platform.db.session() as session:
        for slug, (zh, en) in TENANTS.items():
            security.ensure_tenant(session, platform.clock, slug=slug, name_zh=zh, name_en=en)
    saved_logging = structlog.get_config()
    configure_logging(json=True)  # plain JSON lines: the default console renderer is slow on 500s
    yield platform
    structlog.configure(**saved_logging)
    platform.close()


@pytest.fixture(scope="module")
def suite(suite_platform: Platform) -> Iterator[Suite]:
    app = create_app(suite_platform)
    app.state.background = False
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Suite(client)


@pytest.fixture(autouse=True)
def _delete_what_the_test_created(suite: Suite) -> Iterator[None]:
    """As the suite's teardowns do: queries see only the entities of their own test."""
    mark = len(suite.ids)
    yield
    for entity_id in suite.ids[mark:]:
        suite.request("DELETE", f"/entities/{entity_id}")
    del suite.ids[mark:]


def random_id(prefix: str = "urn:ngsi-ld:Building:") -> str:
    """The suite's `Generate Random Id`: the prefix and 16 digits."""
    return prefix + "".join(random.choices("0123456789", k=16))


def with_id(sample: dict[str, Any], entity_id: str) -> dict[str, Any]:
    return {**sample, "id": entity_id}


def problem(response: httpx.Response, status: int, kind: str) -> dict[str, Any]:
    """The suite's ProblemDetails checks: status, `type` and a non-empty `title`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == ERRORS + kind, body
    assert body["title"], body
    return body


def _is_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _context_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def same(expected: Any, actual: Any, path: str = "$", ignore: tuple[str, ...] = ()) -> None:
    """The suite's `Compare Dictionaries Ignoring Keys` (DeepDiff, ignore_order): `instanceId` is
    ignored, createdAt/modifiedAt/deletedAt only need to be DateTimes, observedAt compares as an
    instant, and an @context string equals a one-element list holding it. `ignore` names members
    skipped at any depth (the suite's `ignored_keys`)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        keys = (set(expected) | set(actual)) - {"instanceId", *ignore}
        for key in sorted(keys):
            where = f"{path}.{key}"
            assert key in expected, f"{where}: unexpected member {actual[key]!r}"
            assert key in actual, f"{where}: missing (expected {expected[key]!r})"
            if key in ("createdAt", "modifiedAt", "deletedAt"):
                assert _is_datetime(actual[key]), f"{where}: {actual[key]!r} is not a DateTime"
            elif key == "observedAt":
                got = datetime.fromisoformat(str(actual[key]).replace("Z", "+00:00"))
                want = datetime.fromisoformat(str(expected[key]).replace("Z", "+00:00"))
                assert got == want, f"{where}: {actual[key]!r} != {expected[key]!r}"
            elif key == "@context":
                assert _context_list(expected[key]) == _context_list(actual[key]), where
            else:
                same(expected[key], actual[key], where, ignore)
    elif isinstance(expected, list) and isinstance(actual, list):
        assert len(expected) == len(actual), (
            f"{path}: {len(actual)} items, expected {len(expected)}"
        )
        if all(isinstance(e, dict) and "id" in e for e in expected):
            by_id = {a.get("id"): a for a in actual if isinstance(a, dict)}
            for item in expected:
                assert item["id"] in by_id, f"{path}: no item with id {item['id']}"
                same(item, by_id[item["id"]], f"{path}[{item['id']}]", ignore)
        else:
            remaining = list(actual)
            for item in expected:
                match = next((a for a in remaining if _matches(item, a, ignore)), None)
                assert match is not None, f"{path}: {item!r} not found in {actual!r}"
                remaining.remove(match)
    else:
        assert (expected == actual and type(expected) is type(actual)) or (
            isinstance(expected, int | float)
            and isinstance(actual, int | float)
            and not isinstance(expected, bool)
            and expected == actual
        ), f"{path}: {actual!r} != {expected!r}"


def _matches(expected: Any, actual: Any, ignore: tuple[str, ...] = ()) -> bool:
    try:
        same(expected, actual, ignore=ignore)
    except AssertionError:
        return False
    return True


def gap(reason: str) -> pytest.MarkDecorator:
    """A known difference between the ETSI suite and our broker: `<test id>: <what differs>`."""
    return pytest.mark.xfail(strict=True, reason=reason)
