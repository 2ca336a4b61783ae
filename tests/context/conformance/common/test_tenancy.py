"""ETSI TP/NGSI-LD/CommonBehaviours/Tenancy 414 and 5510: tenants are isolated, created by their
first write, NonexistentTenant before that, and echoed in every answer (clauses 4.14, 5.5.10,
6.3.14)."""

from __future__ import annotations

from tests.context.conformance.common.conftest import random_tenant
from tests.context.conformance.conftest import SUITE_CONTEXT, gap, link, problem, random_id
from tests.context.conformance.samples import JSON, prop, vehicle

TENANT = "NGSILD-Tenant"


def in_tenant(suite, method: str, path: str, tenant: str | None, **kw):
    headers = {"Link": link(SUITE_CONTEXT)}
    if tenant is not None:
        headers[TENANT] = tenant
    if "json" in kw:
        headers["Content-Type"] = JSON
    return suite.client.request(method, "/ngsi-ld/v1" + path, headers=headers, **kw)


def speeding(entity_id: str) -> dict:
    """vehicle-speed-attribute.json."""
    return vehicle(entity_id, speed=prop(55))


def test_414_01_01_a_tenant_is_isolated_and_echoed(suite):
    tenant = random_tenant("tp414a")
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    created = in_tenant(suite, "POST", "/entities/", tenant, json=speeding(entity_id))
    assert created.status_code == 201, created.text
    assert created.headers[TENANT] == tenant
    got = in_tenant(suite, "GET", f"/entities/{entity_id}", tenant)
    assert got.status_code == 200
    assert got.headers[TENANT] == tenant
    problem(in_tenant(suite, "GET", f"/entities/{entity_id}", None), 404, "ResourceNotFound")
    in_tenant(suite, "DELETE", f"/entities/{entity_id}", tenant)


def test_414_01_02_another_tenant_cannot_see_the_entity(suite):
    first, second = random_tenant("tp414a"), random_tenant("tp414b")
    mine, theirs = random_id("urn:ngsi-ld:Vehicle:"), random_id("urn:ngsi-ld:Vehicle:")
    assert in_tenant(suite, "POST", "/entities/", first, json=speeding(mine)).status_code == 201
    assert in_tenant(suite, "POST", "/entities/", second, json=speeding(theirs)).status_code == 201
    problem(in_tenant(suite, "GET", f"/entities/{mine}", second), 404, "ResourceNotFound")
    in_tenant(suite, "DELETE", f"/entities/{mine}", first)
    in_tenant(suite, "DELETE", f"/entities/{theirs}", second)


@gap("414_01_03: no context source registrations, so no distributed operations (clause 4.14)")
def test_414_01_03_a_tenantless_registration_targets_the_default_tenant(suite):
    registered = suite.request("POST", "/csourceRegistrations", body={}, content_type=JSON)
    assert registered.status_code == 201


def test_5510_01_01_an_unknown_tenant_exists_after_its_first_create(suite):
    tenant = random_tenant("tp5510")
    query = {"type": "Building"}
    unknown = in_tenant(suite, "GET", "/entities", tenant, params=query)
    problem(unknown, 404, "NonexistentTenant")
    assert unknown.headers[TENANT] == tenant
    entity_id = random_id("urn:ngsi-ld:Vehicle:")
    body = {"id": entity_id, "type": "Building"}
    created = in_tenant(suite, "POST", "/entities/", tenant, json=body)
    assert created.status_code == 201
    assert created.headers[TENANT] == tenant
    found = in_tenant(suite, "GET", "/entities", tenant, params=query)
    assert found.status_code == 200
    assert [entity["id"] for entity in found.json()] == [entity_id]
    in_tenant(suite, "DELETE", f"/entities/{entity_id}", tenant)


def test_5510_01_02_the_default_tenant_always_exists(suite):
    found = suite.query(params={"type": "Building"})
    assert found.status_code == 200
    assert "NonexistentTenant" not in found.text


def test_an_unknown_tenant_is_echoed_on_a_404_for_a_delete(suite):
    tenant = random_tenant("tpdel")
    deleted = in_tenant(suite, "DELETE", f"/entities/{random_id()}", tenant)
    problem(deleted, 404, "NonexistentTenant")
    assert deleted.headers[TENANT] == tenant
