"""The CKAN Action API: envelope, read actions, writes by organisation editors, errors."""

from __future__ import annotations

import pytest


def ok(response):
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    return body["result"]


def err(response, status, kind):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["__type"] == kind
    assert body["help"].startswith("http")
    return body["error"]


def editor(catalogue):
    return {"Authorization": catalogue.editor_token}  # CKAN clients send the token bare


def test_status_show_answers_in_the_envelope_on_both_paths(client, catalogue):
    for path in ("/api/3/action/status_show", "/api/action/status_show"):
        body = client.get(path).json()
        assert body["success"] is True
        assert body["help"].endswith("/api/3/action/help_show?name=status_show")
        assert body["result"]["ckan_version"].startswith("2.")


def test_package_list_shows_public_datasets_only(call, catalogue):
    assert ok(call("package_list", get=True)) == ["air-quality-hourly", "bus-stops", "noise-daily"]


def test_package_list_with_include_private_shows_an_editors_own_drafts(call, catalogue):
    names = ok(call("package_list", {"include_private": True}, headers=editor(catalogue)))
    assert "draft-emissions" in names and "draft-roadworks" not in names


def test_package_show_has_ckans_shape_and_the_dcat_extras(call, catalogue):
    pkg = ok(call("package_show", {"id": "air-quality-hourly"}, get=True))
    assert pkg["title"] == "air-quality-hourly 数据"
    assert pkg["title_translated"]["en"] == "air-quality-hourly data"
    assert pkg["organization"]["name"] == "environment"
    assert [t["name"] for t in pkg["tags"]] == ["air", "pm25"]
    assert [g["name"] for g in pkg["groups"]] == ["air"]
    assert pkg["resources"][0]["format"] == "CSV" and pkg["num_resources"] == 1
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["frequency"].endswith("/frequency/HOURLY")
    assert extras["spatial_districts"] == "310101,310104"
    assert extras["contact_email"] == "opendata@sthj.example.gov.cn"
    assert pkg["license_id"] == "cc-by-4.0" and pkg["private"] is False
    assert pkg["metadata_created"].startswith("2026-01-05T01:00:00")
    by_id = ok(call("package_show", {"id": pkg["id"]}))
    assert by_id["name"] == "air-quality-hourly"


def test_package_show_of_an_unknown_dataset_is_not_found(call, catalogue):
    err(call("package_show", {"id": "nothing-here"}), 404, "Not Found Error")


def test_a_private_dataset_is_forbidden_without_rights_and_shown_to_its_editor(
    call, catalogue, auth_headers
):
    err(call("package_show", {"id": "draft-emissions"}), 403, "Authorization Error")
    err(
        call("package_show", {"id": "draft-emissions"}, headers=auth_headers("analyst")),
        403,
        "Authorization Error",
    )
    assert ok(call("package_show", {"id": "draft-emissions"}, headers=editor(catalogue)))["private"]
    err(
        call("package_show", {"id": "draft-roadworks"}, headers=editor(catalogue)),
        403,
        "Authorization Error",
    )
    assert ok(call("package_show", {"id": "draft-roadworks"}, headers=auth_headers("admin")))


def test_missing_id_is_a_validation_error(call, catalogue):
    error = err(call("package_show", {}), 409, "Validation Error")
    assert error["id"] == ["Missing value"]


def test_unknown_action_is_a_bad_request(call, catalogue):
    error = err(call("package_destroy_everything"), 400, "Bad Request")
    assert "Action name not known" in error["message"]


def test_bad_json_is_a_bad_request(client, catalogue):
    r = client.post(
        "/api/3/action/package_show", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    err(r, 400, "Bad Request")
    r = client.post("/api/action/package_show", content=b"[1, 2]")
    err(r, 400, "Bad Request")


def test_a_wrong_token_is_an_authorization_error(call, catalogue):
    err(
        call("package_list", headers={"Authorization": "sck_nope_nope"}), 403, "Authorization Error"
    )


def test_organization_and_group_lists_and_shows(call, catalogue):
    assert ok(call("organization_list", get=True)) == ["environment", "transport"]
    orgs = ok(call("organization_list", {"all_fields": True}))
    assert {o["name"]: o["package_count"] for o in orgs} == {"environment": 2, "transport": 1}
    env = ok(call("organization_show", {"id": "environment", "include_datasets": True}))
    assert env["is_organization"] is True
    assert env["title_translated"]["en"] == "Ecology and Environment Bureau"
    assert [p["name"] for p in env["packages"]] == ["air-quality-hourly", "noise-daily"]
    assert ok(call("group_list")) == ["air"]
    air = ok(call("group_show", {"id": "air", "include_datasets": "true"}, get=True))
    assert [p["name"] for p in air["packages"]] == ["air-quality-hourly"]
    err(call("organization_show", {"id": "nope"}), 404, "Not Found Error")
    err(call("group_show", {"id": "nope"}), 404, "Not Found Error")


def test_tag_list_names_the_tags_of_public_datasets(call, catalogue):
    assert ok(call("tag_list")) == ["air", "city", "noise", "pm25"]


def test_resource_show_and_its_errors(call, catalogue):
    pkg = ok(call("package_show", {"id": "bus-stops"}))
    resource = ok(call("resource_show", {"id": pkg["resources"][0]["id"]}))
    assert resource["format"] == "GeoJSON" and resource["package_id"] == pkg["id"]
    err(call("resource_show", {"id": "0000"}), 404, "Not Found Error")


def test_an_editor_creates_updates_and_adds_a_resource(call, catalogue, platform):
    data = {
        "name": "air-stations",
        "title": "空气质量监测站",
        "title_translated": {"en": "Air quality stations"},
        "owner_org": "environment",
        "tags": [{"name": "air"}],
        "extras": [{"key": "frequency", "value": "ANNUAL"}, {"key": "source", "value": "registry"}],
    }
    created = ok(call("package_create", data, headers=editor(catalogue)))
    assert created["title_translated"]["en"] == "Air quality stations"
    extras = {e["key"]: e["value"] for e in created["extras"]}
    assert extras["source"] == "registry" and extras["frequency"].endswith("ANNUAL")
    bearer = {"Authorization": f"Bearer {catalogue.editor_token}"}
    updated = ok(call("package_update", {"id": "air-stations", "notes": "新说明"}, headers=bearer))
    assert updated["notes"] == "新说明" and updated["title"] == "空气质量监测站"
    resource = ok(
        call(
            "resource_create",
            {
                "package_id": created["id"],
                "name": "list",
                "format": "json",
                "url": "https://x.test/a",
            },
            headers=editor(catalogue),
        )
    )
    assert resource["format"] == "JSON"
    shown = ok(call("package_show", {"id": "air-stations"}))
    assert [r["id"] for r in shown["resources"]] == [resource["id"]]


def test_each_published_change_records_a_version(call, catalogue, platform):
    from sqlalchemy import select

    from smartcity.opendata.models import Dataset, DatasetVersion

    ok(call("package_update", {"id": "noise-daily", "version": "2"}, headers=editor(catalogue)))
    with platform.db.session() as s:
        dataset = s.scalars(select(Dataset).where(Dataset.name == "noise-daily")).one()
        versions = s.scalars(
            select(DatasetVersion).where(DatasetVersion.dataset_id == dataset.id)
        ).all()
        assert [v.revision for v in versions] == [1, 2]
        assert versions[-1].snapshot["version"] == "2"


def test_writes_need_an_editor_of_the_organisation(call, catalogue, auth_headers):
    data = {"name": "x-data", "title": "X", "owner_org": "transport"}
    err(call("package_create", data), 403, "Authorization Error")
    err(call("package_create", data, headers=editor(catalogue)), 403, "Authorization Error")
    err(call("package_create", data, headers=auth_headers("analyst")), 403, "Authorization Error")
    err(call("package_create", data, headers=auth_headers("citizen")), 403, "Authorization Error")
    assert ok(call("package_create", data, headers=auth_headers("admin")))["name"] == "x-data"
    err(
        call("package_update", {"id": "bus-stops", "title": "Y"}, headers=editor(catalogue)),
        403,
        "Authorization Error",
    )
    assert ok(call("package_show", {"id": "bus-stops"}))["title"] == "bus-stops 数据"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "Bad Name!", "title": "t", "owner_org": "environment"}, "name"),
        ({"name": "air-quality-hourly", "title": "t", "owner_org": "environment"}, "name"),
        ({"name": "ok-name", "owner_org": "environment"}, "title"),
        ({"name": "ok-name", "title": "t", "owner_org": "nowhere"}, "owner_org"),
        (
            {"name": "ok-name", "title": "t", "owner_org": "environment", "license_id": "x"},
            "license_id",
        ),
        (
            {"name": "ok-name", "title": "t", "owner_org": "environment", "frequency": "SOMETIMES"},
            "frequency",
        ),
        (
            {
                "name": "ok-name",
                "title": "t",
                "owner_org": "environment",
                "contact_name": "张三 13812345678",
            },
            "contact_name",
        ),
        (
            {
                "name": "ok-name",
                "title": "t",
                "owner_org": "environment",
                "spatial_bbox": [1, 2, 3],
            },
            "spatial_bbox",
        ),
        (
            {
                "name": "ok-name",
                "title": "t",
                "owner_org": "environment",
                "temporal_start": "2026-13-01",
            },
            "temporal_start",
        ),
        (
            {
                "name": "ok-name",
                "title": "t",
                "owner_org": "environment",
                "resources": [{"format": "XLS"}],
            },
            "resources.0.format",
        ),
        ({"name": "ok-name", "title": "t\x00", "owner_org": "environment"}, "title"),
    ],
)
def test_invalid_packages_are_validation_errors_and_change_nothing(call, catalogue, data, field):
    error = err(call("package_create", data, headers=editor(catalogue)), 409, "Validation Error")
    assert field in error, error
    names = ok(call("package_list", {"include_private": True}, headers=editor(catalogue)))
    assert "ok-name" not in names


def test_a_token_without_the_read_scope_is_refused(call, catalogue, platform):
    from smartcity.security import service as security

    with platform.db.session() as s:
        admin = security.system_principal(security.get_tenant(s, slug="shanghai"))
        key = security.create_api_key(s, platform.clock, admin, name="geo", scopes=["geo:read"])
    err(call("package_list", headers={"Authorization": key.secret}), 403, "Authorization Error")


def test_another_tenants_reader_sees_nothing_of_this_catalogue(call, catalogue, auth_headers):
    headers = auth_headers("admin", "suzhou")
    assert ok(call("package_list", {"include_private": True}, headers=headers)) == []
    err(call("package_show", {"id": "air-quality-hourly"}, headers=headers), 404, "Not Found Error")


def user_headers(platform, user_id: int, role: str) -> dict[str, str]:
    from smartcity.security.tokens import issue_token
    from tests.conftest import SECRET, tenant_id_of

    token, _ = issue_token(
        key=SECRET,
        user_id=user_id,
        tenant_id=tenant_id_of(platform, "shanghai"),
        role=role,
        now=platform.clock.now(),
        ttl_minutes=60,
    )
    return {"Authorization": token}  # a JWT, sent bare as CKAN clients do


def test_an_analyst_made_editor_by_an_admin_publishes_for_that_organisation(
    call, catalogue, platform, auth_headers
):
    analyst = user_headers(platform, catalogue.editor_user_id, "analyst")
    data = {"name": "bus-lines", "title": "公交线路", "owner_org": "transport"}
    err(call("package_create", data, headers=analyst), 403, "Authorization Error")
    member = {"id": "transport", "username": f"user:{catalogue.editor_user_id}", "role": "editor"}
    err(call("organization_member_create", member, headers=analyst), 403, "Authorization Error")
    ok(call("organization_member_create", member, headers=auth_headers("admin")))
    assert ok(call("package_create", data, headers=analyst))["organization"]["name"] == "transport"
    assert ok(call("package_show", {"id": "draft-roadworks"}, headers=analyst))["private"] is True


def test_a_citizen_made_editor_still_cannot_write(call, catalogue, platform, auth_headers):
    from tests.conftest import make_user

    citizen = make_user(platform, "citizen")
    member = {"id": "transport", "username": f"user:{citizen}", "role": "editor"}
    ok(call("organization_member_create", member, headers=auth_headers("admin")))
    data = {"name": "bus-lines", "title": "公交线路", "owner_org": "transport"}
    err(
        call("package_create", data, headers=user_headers(platform, citizen, "citizen")),
        403,
        "Authorization Error",
    )


def test_only_administrators_create_organisations_and_groups(call, catalogue, auth_headers):
    org = {"name": "housing", "title": "住房城乡建设管理委", "title_en": "Housing Commission"}
    err(
        call("organization_create", org, headers=auth_headers("analyst")),
        403,
        "Authorization Error",
    )
    created = ok(call("organization_create", org, headers=auth_headers("admin")))
    assert created["name"] == "housing" and created["package_count"] == 0
    err(call("organization_create", org, headers=auth_headers("admin")), 409, "Validation Error")
    group = {"name": "traffic", "title": "交通出行"}
    assert ok(call("group_create", group, headers=auth_headers("admin")))["type"] == "group"
    assert ok(call("group_list")) == ["air", "traffic"]


def test_errors_outside_the_action_route_can_use_ckans_envelope(platform):
    """With envelope.install(app) (one line in the app factory), a wrong method or an oversized
    body under the CKAN paths is answered in CKAN's envelope too."""
    from fastapi.testclient import TestClient

    from smartcity.opendata import envelope
    from smartcity.web.app import create_app

    app = create_app(platform)
    envelope.install(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        error = err(client.put("/api/3/action/package_show"), 405, "Bad Request")
        assert error["message"]
        big = b'{"q": "' + b"x" * (platform.settings.max_body_bytes + 10) + b'"}'
        err(client.post("/api/action/package_search", content=big), 413, "Bad Request")
        assert client.get("/api/geo/nothing").json()["error"]["code"] == "not_found"
