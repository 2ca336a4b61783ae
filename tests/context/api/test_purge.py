"""Purge Entities: DELETE /entities with a query (clause 5.6.21 of v1.9), with keep and drop."""

from __future__ import annotations

from tests.context.api.conftest import problem, streetlight

SL = "urn:ngsi-ld:Streetlight:"


def _ids(ngsi, **params):
    response = ngsi.get("/entities", params={"type": "Streetlight,Bench", "limit": 100, **params})
    return sorted(e["id"] for e in response.json())


def _bench(number):
    return {"id": f"urn:ngsi-ld:Bench:{number}", "type": "Bench", "seats": {"value": number}}


def test_purge_deletes_exactly_the_entities_a_query_matches(ngsi):
    for n in range(1, 6):
        ngsi.create(streetlight(n))
    ngsi.create(_bench(1))
    assert ngsi.delete("/entities", params={"type": "Streetlight", "q": "illuminanceLevel>2"})
    assert _ids(ngsi) == ["urn:ngsi-ld:Bench:1", f"{SL}001", f"{SL}002"]
    response = ngsi.delete("/entities", params={"idPattern": ".*Streetlight.*"})
    assert response.status_code == 204
    assert _ids(ngsi) == ["urn:ngsi-ld:Bench:1"]


def test_purge_of_more_entities_than_one_page_deletes_them_all(ngsi):
    ngsi.post(
        "/entityOperations/create", [streetlight(n) for n in range(1, 1101)]
    ).raise_for_status()
    assert ngsi.delete("/entities", params={"type": "Streetlight"}).status_code == 204
    count = ngsi.get("/entities", params={"type": "Streetlight", "count": "true", "limit": 0})
    assert count.headers["ngsild-results-count"] == "0"


def test_drop_removes_attributes_and_keep_keeps_only_the_named_ones(ngsi):
    for n in (1, 2):
        ngsi.create(streetlight(n))
    ngsi.create(_bench(1))
    dropped = ngsi.delete("/entities", params={"id": f"{SL}001", "drop": "powerState"})
    assert dropped.status_code == 204
    first = ngsi.get(f"/entities/{SL}001").json()
    assert "powerState" not in first and "illuminanceLevel" in first
    kept = ngsi.delete("/entities", params={"type": "Streetlight", "keep": "location"})
    assert kept.status_code == 204
    for n in (1, 2):
        body = ngsi.get(f"/entities/{SL}00{n}").json()
        assert set(body) == {"id", "type", "location"}
    assert ngsi.get("/entities/urn:ngsi-ld:Bench:1").json()["seats"]["value"] == 1


def test_a_purge_without_a_filter_or_with_keep_and_drop_changes_nothing(ngsi):
    ngsi.create(streetlight(1))
    problem(ngsi.delete("/entities"), 400, "BadRequestData")
    problem(
        ngsi.delete("/entities", params={"type": "Streetlight", "keep": "a", "drop": "b"}),
        400,
        "BadRequestData",
    )
    problem(ngsi.delete("/entities", params={"id": "not-a-uri"}), 400, "BadRequestData")
    assert _ids(ngsi) == [f"{SL}001"]
    assert "powerState" in ngsi.get(f"/entities/{SL}001").json()


def test_purge_needs_write_permission(ngsi, client, auth_headers):
    ngsi.create(streetlight(1))
    response = client.delete(
        "/ngsi-ld/v1/entities", params={"type": "Streetlight"}, headers=auth_headers("analyst")
    )
    assert response.status_code == 403
    assert _ids(ngsi) == [f"{SL}001"]
