"""The HTTP edge (clause 6.3): media types, @context headers, tenants and who may do what."""

from __future__ import annotations

import pytest

from tests.context.api.conftest import BASE, CORE, link, problem, streetlight

SL1 = "urn:ngsi-ld:Streetlight:001"


def test_malformed_and_mistyped_bodies(ngsi):
    bad = ngsi.request(
        "POST", "/entities", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    problem(bad, 400, "InvalidRequest")
    text = ngsi.request("POST", "/entities", content=b"{}", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    with_context = {
        **streetlight(1),
        "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    }
    problem(ngsi.post("/entities", with_context), 400, "BadRequestData")
    no_context = ngsi.post(
        "/entities", streetlight(1), headers={"Content-Type": "application/ld+json"}
    )
    problem(no_context, 400, "BadRequestData")
    problem(ngsi.post("/entities", [streetlight(1)]), 400, "BadRequestData")


def test_ld_json_with_a_link_header_is_refused(ngsi):
    entity = {**streetlight(1), "@context": CORE}
    headers = {"Content-Type": "application/ld+json", "Link": link(CORE)}
    response = ngsi.post("/entities", entity, headers=headers)
    problem(response, 400, "BadRequestData")


def test_a_link_header_to_an_unlisted_host_is_not_fetched(ngsi):
    response = ngsi.get(f"/entities/{SL1}", headers={"Link": link("https://example.org/c.jsonld")})
    problem(response, 503, "LdContextNotAvailable")
    problem(ngsi.get(f"/entities/{SL1}", headers={"Link": "<nonsense"}), 400, "InvalidRequest")


def test_the_core_context_by_link_is_the_default(ngsi):
    ngsi.create(streetlight(1))
    v16 = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld"
    response = ngsi.get(f"/entities/{SL1}", headers={"Link": link(v16)})
    assert response.status_code == 200
    assert "ngsi-ld-core-context-v1.6.jsonld" in response.headers["link"]


def test_errors_are_problem_details_as_json(ngsi):
    response = ngsi.get("/entities/urn:ngsi-ld:S:404")
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) >= {"type", "title", "status", "detail"}


def test_oversized_bodies_are_refused(ngsi, platform):
    big = {
        "id": SL1,
        "type": "T",
        "blob": {"type": "Property", "value": "x" * (platform.settings.max_body_bytes + 1)},
    }
    response = ngsi.post("/entities", big)
    assert response.status_code == 413
    assert response.json()["status"] == 413 and "larger than" in response.json()["detail"]


@pytest.mark.parametrize(
    "role", ["supervisor", "dispatcher", "handler", "analyst", "hotline_operator"]
)
def test_staff_read_only_administrators_write(client, auth_headers, ngsi, role):
    ngsi.create(streetlight(1))
    headers = auth_headers(role)
    assert client.get(f"{BASE}/entities/{SL1}", headers=headers).status_code == 200
    refused = client.post(f"{BASE}/entities", json=streetlight(2), headers=headers)
    assert refused.status_code == 403
    assert (
        refused.json()["type"].startswith("https://uri.etsi.org/ngsi-ld/errors/")
        or "title" in refused.json()
    )


def test_citizens_and_anonymous_callers_are_refused(client, auth_headers):
    assert (
        client.get(
            f"{BASE}/entities", params={"type": "T"}, headers=auth_headers("citizen")
        ).status_code
        == 403
    )
    assert client.get(f"{BASE}/entities", params={"type": "T"}).status_code == 401


def test_tenants_are_isolated(client, platform):
    platform.settings.auth["ngsild"] = False  # conformance runs: anonymous callers, any tenant
    try:
        a = {"NGSILD-Tenant": "district-a"}
        assert client.post(f"{BASE}/entities", json=streetlight(1), headers=a).status_code == 201
        got = client.get(f"{BASE}/entities/{SL1}", headers=a)
        assert got.status_code == 200 and got.headers["ngsild-tenant"] == "district-a"
        problem(
            client.get(f"{BASE}/entities/{SL1}", headers={"NGSILD-Tenant": "nowhere"}),
            404,
            "NonexistentTenant",
        )
        assert (
            client.post(
                f"{BASE}/entities", json=streetlight(2), headers={"NGSILD-Tenant": "district-b"}
            ).status_code
            == 201
        )
        problem(
            client.get(f"{BASE}/entities/{SL1}", headers={"NGSILD-Tenant": "district-b"}),
            404,
            "ResourceNotFound",
        )
        problem(client.get(f"{BASE}/entities/{SL1}"), 404, "ResourceNotFound")  # the default tenant
    finally:
        platform.settings.auth.pop("ngsild")


def test_a_user_may_not_reach_another_tenant(client, auth_headers):
    response = client.get(
        f"{BASE}/entities/{SL1}", headers={**auth_headers("admin"), "NGSILD-Tenant": "suzhou"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("", "application/json"),
        ("application/ld+json, application/json", "application/json"),
        ("application/json;q=0.5, application/ld+json", "application/ld+json"),
        ("application/json;q=0, */*", "application/ld+json"),
        ("application/*;q=0.2, application/geo+json;q=0.3", "application/geo+json"),
        ("application/ld+json;q=2", "application/ld+json"),  # out of range: the default weight
    ],
)
def test_accept_weights_then_the_list_order_decide(ngsi, accept, expected):
    ngsi.create(streetlight(1))
    got = ngsi.get(f"/entities/{SL1}", headers={"Accept": accept})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith(expected)


def test_an_accept_refusing_every_offer_is_406(ngsi):
    ngsi.create(streetlight(1))
    refused = ngsi.get(f"/entities/{SL1}", headers={"Accept": "application/json;q=0, text/*"})
    problem(refused, 406, "InvalidRequest")


def test_a_body_without_content_length_is_a_bare_411(ngsi):
    def chunks():
        yield b'{"id": "urn:ngsi-ld:Streetlight:001", "type": "Streetlight"}'

    response = ngsi.request(
        "POST", "/entities", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert (response.status_code, response.content) == (411, b"")


def test_merge_patch_json_is_read_as_json_on_patch(ngsi):
    ngsi.create(streetlight(1))
    patched = ngsi.request(
        "PATCH",
        f"/entities/{SL1}/attrs/powerState",
        content=b'{"value": "off"}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 204, patched.text
    assert ngsi.get(f"/entities/{SL1}").json()["powerState"]["value"] == "off"


def test_an_undefined_query_parameter_is_invalid_request(ngsi):
    problem(ngsi.get("/entities", params={"type": "T", "colour": "red"}), 400, "InvalidRequest")
    assert ngsi.get("/entities", params={"type": "T", "limit": "5"}).status_code == 200


def test_prefer_body_json_leaves_the_context_out_of_geojson(ngsi):
    ngsi.create(streetlight(1))
    geo = {"Accept": "application/geo+json"}
    assert "@context" in ngsi.get(f"/entities/{SL1}", headers=geo).json()
    plain = ngsi.get(f"/entities/{SL1}", headers={**geo, "Prefer": "body=json"})
    assert "@context" not in plain.json()
    assert "rel=" in plain.headers["link"]


def test_the_tenant_is_echoed_on_errors(client, platform):
    platform.settings.auth["ngsild"] = False
    try:
        missing = client.get(f"{BASE}/entities/{SL1}", headers={"NGSILD-Tenant": "nowhere"})
        problem(missing, 404, "NonexistentTenant")
        assert missing.headers["ngsild-tenant"] == "nowhere"
        deleted = client.delete(f"{BASE}/entities/{SL1}", headers={"NGSILD-Tenant": "nowhere"})
        problem(deleted, 404, "NonexistentTenant")  # only a creation brings a tenant into being
    finally:
        platform.settings.auth.pop("ngsild")
