"""The plan API: reading the programme, programme staff changing it, bad input refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from smartcity.plan.models import PlanObservation, PlanProject
from smartcity.security.models import AuditEntry

pytestmark = pytest.mark.usefixtures("programme")


def _audits(platform, action):
    with platform.db.session() as s:
        return s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _observations(platform):
    with platform.db.session() as s:
        return s.scalar(select(func.count()).select_from(PlanObservation))


def test_everyone_reads_the_programme_tree(plan_as):
    tree = plan_as("citizen").get()
    assert [p["code"] for p in tree["pillars"]][:5] == [
        "livable",
        "innovative",
        "viable",
        "efficient",
        "district",
    ]
    assert sum(len(p["projects"]) for p in tree["pillars"]) == 50
    assert len(tree["safeguards"]) == 7
    infrastructure = next(p for p in tree["pillars"] if p["code"] == "infrastructure")
    internet = next(p for p in infrastructure["projects"] if p["seed_name"] == "下一代互联网")
    assert internet["milestones"][0]["due_on"] == "2016-12-31"


def test_projects_filter_by_action_and_status(plan_as, platform, admin):
    api = plan_as("programme")
    viable = api.get("/projects", action="viable")
    assert [p["name_zh"] for p in viable][:2] == ["城市综合管理信息化", "食品安全信息化"]
    assert len(viable) == 5
    api.request("PATCH", "/projects/viable-2", json={"status": "late"})
    late = api.get("/projects", status="late")
    assert [p["code"] for p in late] == ["viable-2"]
    assert api.get("/projects", action="livable", status="late") == []
    unknown = api.request("GET", "/projects", params={"action": "nowhere"})
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "action"


def test_programme_staff_update_a_project_and_the_change_is_audited(plan_as, platform):
    api = plan_as("programme")
    body = {
        "status": "on_track",
        "progress_note": "网格化平台已覆盖16个区",
        "evidence": [{"url": "https://example.org/report.pdf", "title": "Q3 report"}],
    }
    response = api.request("PATCH", "/projects/viable-1", json=body)
    assert response.status_code == 200, response.text
    project = response.json()
    assert project["status"] == "on_track"
    assert project["evidence"][0]["url"] == "https://example.org/report.pdf"
    assert project["updated_by"].startswith("programme-")
    [entry] = _audits(platform, "plan.project.update")
    assert entry.before["status"] == "planned" and entry.after["status"] == "on_track"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "finished"},
        {"status": None},
        {"evidence": [{"url": "not a link"}]},
        {"name_zh": "改名"},
        {"progress_note": "x" * 5000},
    ],
)
def test_bad_project_changes_are_refused_and_nothing_changes(plan_as, platform, body):
    response = plan_as("programme").request("PATCH", "/projects/viable-1", json=body)
    assert response.status_code == 422, response.text
    assert "error" in response.json()
    with platform.db.session() as s:
        project = s.scalar(select(PlanProject).where(PlanProject.code == "viable-1"))
        assert (project.status, project.progress_note) == ("planned", "")
    assert _audits(platform, "plan.project.update") == []


def test_roles_without_plan_write_cannot_edit(plan_as):
    for role in ("analyst", "citizen", "dispatcher"):
        api = plan_as(role)
        assert (
            api.request("PATCH", "/projects/viable-1", json={"status": "done"}).status_code == 403
        )
        assert (
            api.request(
                "POST",
                "/indicators/household-fibre-take-up/observations",
                json={"value": 50, "unit": "percent", "observed_on": "2015-12-31", "source": "x"},
            ).status_code
            == 403
        )


def test_unknown_project_and_milestone_are_not_found(plan_as):
    api = plan_as("programme")
    assert api.request("PATCH", "/projects/viable-99", json={"status": "done"}).status_code == 404
    assert api.request("GET", "/projects/viable-99").status_code == 404
    assert api.request("PATCH", "/milestones/nope", json={"status": "done"}).status_code == 404


def test_marking_a_milestone_done_dates_it_today(plan_as, platform):
    api = plan_as("programme")
    response = api.request(
        "PATCH", "/milestones/next-generation-internet-deployed", json={"status": "done"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["done_on"] == "2026-01-05"  # the test clock's day in Shanghai
    assert _audits(platform, "plan.milestone.update")[0].after["status"] == "done"


@pytest.mark.parametrize(
    "body",
    [
        {"status": "done", "done_on": "2013-05-01"},
        {"status": "done", "done_on": "2030-01-01"},
        {"due_on": "2012-12-31"},
        {"due_on": None},
    ],
)
def test_milestone_dates_outside_the_programme_are_refused(plan_as, platform, body):
    response = plan_as("programme").request(
        "PATCH", "/milestones/grid-platform-citywide", json=body
    )
    assert response.status_code == 422, response.text
    assert plan_as("programme").get("/projects/viable-1")["milestones"][0]["status"] == "planned"


def test_programme_staff_record_an_observation_and_read_it_back(plan_as, platform):
    api = plan_as("programme")
    body = {
        "value": 55.5,
        "unit": "percent",
        "observed_on": "2015-12-31",
        "source": "市通信管理局 2015 年统计公报",
    }
    response = api.request("POST", "/indicators/household-fibre-take-up/observations", json=body)
    assert response.status_code == 201, response.text
    indicator = api.get("/indicators/household-fibre-take-up")
    assert indicator["entry"] == "hand"
    assert indicator["baseline"]["value"] == 42 and indicator["target"]["value"] == 60
    [seen] = indicator["observations"]
    assert (seen["value"], seen["observed_on"]) == (55.5, "2015-12-31")
    assert seen["entered_by"].startswith("programme-")  # the user who sent it
    assert _audits(platform, "plan.observation.create")[0].after["value"] == 55.5


@pytest.mark.parametrize(
    ("code", "body", "status", "field"),
    [
        ("household-fibre-take-up", {"unit": "days"}, 422, "unit"),
        ("household-fibre-take-up", {"value": 120}, 422, "value"),
        ("household-fibre-take-up", {"value": -1}, 422, "value"),
        ("household-fibre-take-up", {"observed_on": "2013-12-31"}, 422, "observed_on"),
        ("household-fibre-take-up", {"observed_on": "2027-01-01"}, 422, "observed_on"),
        ("household-fibre-take-up", {"source": "   "}, 422, None),
        ("household-fibre-take-up", {"value": "NaN"}, 422, None),
        ("public-wifi-access-points", {"unit": "access_points", "value": 5}, 409, "code"),
        ("grid-management-coverage", {}, 409, "code"),
        ("no-such-indicator", {}, 404, "code"),
    ],
)
def test_bad_observations_are_refused_and_nothing_is_stored(
    plan_as, platform, code, body, status, field
):
    payload = {"value": 50, "unit": "percent", "observed_on": "2015-12-31", "source": "x", **body}
    before = _observations(platform)
    response = plan_as("programme").request(
        "POST", f"/indicators/{code}/observations", json=payload
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    if field:
        assert error["field"] == field
    assert _observations(platform) == before
    assert _audits(platform, "plan.observation.create") == []


def test_indicators_list_says_which_are_live_and_maps_to_u4ssc(plan_as):
    indicators = plan_as("citizen").get("/indicators")
    by_code = {i["code"]: i for i in indicators}
    assert len(indicators) == 25
    wifi = by_code["public-wifi-access-points"]
    assert wifi["entry"] == "live" and wifi["measured"]["available"] is True
    assert wifi["u4ssc"] == "Availability of WIFI in Public Areas"
    assert "wifi_access_point" in wifi["measured"]["method"]
    food = by_code["food-safety-complaint-handling-days"]
    assert food["measured"]["available"] is True  # computed by the case system
    assert "H01" in food["measured"]["method"] or "food" in food["measured"]["method"].lower()
    seeds = plan_as("citizen").get("/indicators", origin="seed")
    assert len(seeds) == 22 and all(i["baseline"] or i["target"] for i in seeds)
    assert {i["action"] for i in plan_as("citizen").get("/indicators", action="industry")} == {
        "industry"
    }


def test_measures_registry_lists_live_and_declared_measures(plan_as):
    measures = {m["key"]: m for m in plan_as("analyst").get("/measures")}
    assert measures["public_wifi_access_points"]["indicators"] == ["public-wifi-access-points"]
    assert measures["air_quality_standard_days"]["u4ssc"] == "Air Pollution"
    assert measures["open_datasets_published"]["available"] is True
    assert measures["on_time_closure_rate"]["available"] is True


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-01-05", "until": "2026-01-01"},
        {"since": "2030-01-01"},
        {"since": "0001-01-01"},
    ],
)
def test_bad_measure_periods_are_refused(plan_as, params):
    response = plan_as("citizen").request(
        "GET", "/indicators/air-quality-standard-days", params=params
    )
    assert response.status_code == 422, response.text


def test_anonymous_callers_are_refused(client):
    assert client.get("/api/plan").status_code == 401
    assert client.patch("/api/plan/projects/viable-1", json={"status": "done"}).status_code == 401
