"""ETSI TP/NGSI-LD/CommonBehaviours/ContextSourceIdentity 061: GET /info/sourceIdentity answers
the members of clause 5.2.40, with an alias per tenant (clauses 4.14, 5.15.1)."""

from __future__ import annotations

import re

from tests.context.conformance.common.conftest import random_tenant

DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
UTC_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")


def identity(suite, tenant: str | None = None) -> dict:
    headers = {"Accept": "application/json"}
    if tenant is not None:
        headers["NGSILD-Tenant"] = tenant
    response = suite.client.get("/ngsi-ld/v1/info/sourceIdentity", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_061_01_01_the_identity_is_a_context_source_identity(suite):
    body = identity(suite)
    assert body["type"] == "ContextSourceIdentity"
    assert body["id"].startswith("urn:")


def test_061_01_02_the_mandatory_members_are_there(suite):
    body = identity(suite)
    assert body["contextSourceAlias"]
    assert {"contextSourceUptime", "contextSourceTimeAt"} <= set(body)


def test_061_01_03_the_uptime_is_an_iso_8601_duration(suite):
    assert DURATION.match(identity(suite)["contextSourceUptime"])


def test_061_01_04_the_time_is_a_utc_datetime(suite):
    assert UTC_DATETIME.match(identity(suite)["contextSourceTimeAt"])


def test_061_01_05_each_tenant_has_its_own_stable_alias(suite):
    first, second = random_tenant("urnalias-a"), random_tenant("urnalias-b")
    default = identity(suite)["contextSourceAlias"]
    alias_a = identity(suite, first)["contextSourceAlias"]
    assert alias_a != default
    assert alias_a != identity(suite, second)["contextSourceAlias"]
    assert identity(suite, first)["contextSourceAlias"] == alias_a
