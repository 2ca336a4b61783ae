"""The /api/geo routes over the real app: JSON and GeoJSON, locate, import, departments."""

from __future__ import annotations

import orjson
import pytest

from tests.geo.factories import collection, feature, square


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers("admin")


def test_districts_list_as_json_and_as_geojson(client, admin_headers, loaded_city):
    page = client.get("/api/geo/districts", headers=admin_headers).json()
    assert page["total"] == 16
    huangpu = page["items"][0]
    assert (huangpu["code"], huangpu["name_zh"], huangpu["approximate"]) == (
        "310101",
        "黄浦区",
        True,
    )
    assert len(huangpu["bbox"]) == 4 and "geometry" not in huangpu
    for params, headers in (({"format": "geojson"}, {}), ({}, {"Accept": "application/geo+json"})):
        reply = client.get(
            "/api/geo/districts", params=params, headers={**admin_headers, **headers}
        )
        assert reply.headers["content-type"].startswith("application/geo+json")
        body = reply.json()
        assert body["type"] == "FeatureCollection" and len(body["features"]) == 16
        first = body["features"][0]
        assert first["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert first["properties"]["code"] == "310101"


def test_a_district_detail_has_geometry_and_children(client, admin_headers, loaded_city):
    body = client.get("/api/geo/districts/310115", headers=admin_headers).json()
    assert body["name_en"] == "Pudong New Area"
    assert body["children"] == sum(s.code.startswith("310115") for s in loaded_city.streets)
    cell = loaded_city.cells[-1].code
    body = client.get(f"/api/geo/cells/{cell}", headers=admin_headers).json()
    assert [p["code"] for p in body["parents"]] == [cell[:6], cell[:9], cell[:12]]
    assert body["geometry"]["type"] == "Polygon"


def test_cells_are_paged_and_filtered(client, admin_headers, loaded_city):
    street = loaded_city.streets[3].code
    body = client.get(
        "/api/geo/cells", params={"street": street, "limit": 2, "offset": 1}, headers=admin_headers
    ).json()
    assert body["total"] == sum(c.code.startswith(street) for c in loaded_city.cells)
    assert len(body["items"]) == 2 and body["offset"] == 1
    too_many = client.get("/api/geo/cells", params={"limit": 5000}, headers=admin_headers)
    assert too_many.status_code == 422
    too_far = client.get("/api/geo/districts", params={"offset": 2**70}, headers=admin_headers)
    assert too_far.status_code == 422
    bad = client.get("/api/geo/cells", params={"district": "31"}, headers=admin_headers)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "district"


def test_locate_one_point_and_a_batch(client, auth_headers, loaded_city):
    headers = auth_headers("citizen")
    seat = next(d for d in loaded_city.districts if d.code == "310151").properties["seat"]
    body = client.get("/api/geo/locate", params={"lon": seat[0], "lat": seat[1]}, headers=headers)
    assert body.status_code == 200
    assert body.json()["district"] == {
        "code": "310151",
        "name_zh": "崇明区",
        "name_en": "Chongming",
    }
    outside = client.get("/api/geo/locate", params={"lon": 0, "lat": 0}, headers=headers)
    assert outside.status_code == 404
    assert "no unit grid cell" in outside.json()["error"]["message"]
    for params in ({"lon": 200, "lat": 31}, {"lon": 121, "lat": -91}, {"lon": "x", "lat": 31}):
        assert client.get("/api/geo/locate", params=params, headers=headers).status_code == 422
    batch = client.post(
        "/api/geo/locate",
        json={"points": [{"lon": seat[0], "lat": seat[1]}, {"lon": 0, "lat": 0}]},
        headers=headers,
    ).json()
    assert (batch["found"], batch["not_found"]) == (1, 1)
    assert batch["results"][0]["district_code"] == "310151"
    assert batch["results"][1]["cell_code"] is None
    huge = {"points": [{"lon": 121, "lat": 31}] * 10_001}
    assert client.post("/api/geo/locate", json=huge, headers=headers).status_code == 422


def test_import_needs_geo_write_and_reports_repairs(client, auth_headers):
    data = collection(
        feature(
            "310101",
            [[[121.4, 31.2], [121.41, 31.21], [121.41, 31.2], [121.4, 31.21], [121.4, 31.2]]],
        )
    )
    denied = client.post(
        "/api/geo/import", params={"level": "district"}, json=data, headers=auth_headers("analyst")
    )
    assert denied.status_code == 403
    reply = client.post(
        "/api/geo/import", params={"level": "district"}, json=data, headers=auth_headers("admin")
    )
    assert reply.status_code == 200
    body = reply.json()
    assert body["created"] == ["310101"]
    assert body["repaired"][0]["reason"].startswith("Self-intersection")


def test_a_bad_import_is_a_clear_422_and_changes_nothing(client, admin_headers):
    not_json = client.post(
        "/api/geo/import",
        params={"level": "district"},
        content=b"{oops",
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert not_json.json()["error"]["field"] == "body"
    bad = collection(feature("310101", square(121.4, 31.2)), feature("310104", square(181, 31.2)))
    reply = client.post(
        "/api/geo/import", params={"level": "district"}, json=bad, headers=admin_headers
    )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["field"] == "features[1].geometry.coordinates"
    assert error["details"][0]["index"] == 1
    assert client.get("/api/geo/districts", headers=admin_headers).json()["total"] == 0
    wrong_level = client.post(
        "/api/geo/import", params={"level": "county"}, json=bad, headers=admin_headers
    )
    assert wrong_level.status_code == 422


def test_departments_over_http(client, auth_headers, loaded_city):
    admin = auth_headers("admin")
    created = client.post(
        "/api/geo/departments",
        json={
            "code": "SHSWJ",
            "name_zh": "市水务局",
            "name_en": "Water Authority",
            "kind": "bureau",
        },
        headers=admin,
    )
    assert created.status_code == 201
    assert created.json()["kind_name_zh"] == "委办局"
    dup = client.post(
        "/api/geo/departments",
        json={"code": "SHSWJ", "name_zh": "市水务局", "kind": "bureau"},
        headers=admin,
    )
    assert dup.status_code == 409
    areas = client.put(
        "/api/geo/departments/SHSWJ/areas",
        json={"areas": [{"code": "310101", "category": "公用设施"}]},
        headers=admin,
    ).json()["areas"]
    assert areas == [
        {
            "code": "310101",
            "level": "district",
            "category": "公用设施",
            "name_zh": "黄浦区",
            "name_en": "Huangpu",
        }
    ]
    patched = client.patch("/api/geo/departments/SHSWJ", json={"phone": "962424"}, headers=admin)
    assert patched.json()["phone"] == "962424"
    staff = auth_headers("dispatcher")
    listed = client.get("/api/geo/departments", params={"area": "310101"}, headers=staff).json()
    assert [d["code"] for d in listed["items"]] == ["SHSWJ"]
    assert client.get("/api/geo/departments", headers=auth_headers("citizen")).status_code == 403
    assert client.patch("/api/geo/departments/SHSWJ", json={}, headers=staff).status_code == 403
    assert client.delete("/api/geo/departments/SHSWJ", headers=admin).status_code == 204
    assert client.get("/api/geo/departments/SHSWJ", headers=admin).status_code == 404


def test_suzhou_sees_none_of_shanghai_and_gets_404_not_403(client, auth_headers, loaded_city):
    suzhou = auth_headers("admin", tenant="suzhou")
    assert client.get("/api/geo/districts", headers=suzhou).json()["total"] == 0
    assert client.get("/api/geo/cells", headers=suzhou).json()["total"] == 0
    geojson = client.get("/api/geo/cells", params={"format": "geojson"}, headers=suzhou)
    assert orjson.loads(geojson.content)["features"] == []
    cell = loaded_city.cells[0].code
    for path in (
        "/api/geo/districts/310101",
        f"/api/geo/streets/{cell[:9]}",
        f"/api/geo/communities/{cell[:12]}",
        f"/api/geo/cells/{cell}",
        "/api/geo/departments/office-310101001",
    ):
        assert client.get(path, headers=suzhou).status_code == 404, path
    seat = loaded_city.districts[0].properties["seat"]
    located = client.get("/api/geo/locate", params={"lon": seat[0], "lat": seat[1]}, headers=suzhou)
    assert located.status_code == 404


def test_the_openapi_document_describes_geojson_and_the_import_body(client):
    spec = client.get("/openapi.json").json()
    districts = spec["paths"]["/api/geo/districts"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "application/geo+json"} <= set(districts)
    assert (
        "application/geo+json" in spec["paths"]["/api/geo/import"]["post"]["requestBody"]["content"]
    )
