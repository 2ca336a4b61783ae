"""/api/rules and /api/alerts over the real app: CRUD, validation with the member at fault,
the alert lifecycle and its 409s, filters, roles and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from smartcity.security.models import AuditEntry
from tests.rules.conftest import threshold

RULES = "/api/rules"
ALERTS = "/api/alerts"


def pm25_rule(**extra):
    return {
        "name_zh": "PM2.5 超标",
        "name_en": "PM2.5 above limit",
        "kind": "threshold",
        "entity_type": "AirQualityObserved",
        "attribute": "pm25",
        "params": threshold(75, 60),
        "severity": "high",
        "case_category": "environment",
        **extra,
    }


@pytest.fixture
def admin_headers(auth_headers):
    return auth_headers("admin")


def test_rules_are_created_read_changed_listed_and_removed(client, admin_headers, places):
    response = client.post(RULES, json=pm25_rule(), headers=admin_headers)
    assert response.status_code == 201, response.text
    rule = response.json()
    assert rule["params"] == {"direction": "above", "raise_at": 75, "clear_at": 60}
    assert (rule["enabled"], rule["auto_resolve"], rule["area_level"]) == (True, True, "city")
    path = f"{RULES}/{rule['id']}"
    assert client.get(path, headers=admin_headers).json()["name_zh"] == "PM2.5 超标"
    changed = client.patch(
        path,
        json={"area_level": "district", "area_code": places[0].district, "enabled": False},
        headers=admin_headers,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["area_code"], changed.json()["enabled"]) == (places[0].district, False)
    page = client.get(RULES, params={"enabled": "false"}, headers=admin_headers).json()
    assert [r["id"] for r in page["items"]] == [rule["id"]] and page["total"] == 1
    assert client.delete(path, headers=admin_headers).status_code == 204
    assert client.get(path, headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attribute": "colour"}, "attribute"),
        ({"attribute": "coLevel"}, "attribute"),  # a text, not a number
        ({"params": threshold(75, 80)}, "params.clear_at"),  # hysteresis the wrong way round
        ({"params": {"direction": "below", "raise_at": 60, "clear_at": 50}}, "params.clear_at"),
        ({"params": {"direction": "below", "raise_at": 0, "clear_at": 5}}, "params.raise_at"),
        ({"attribute": "relativeHumidity", "params": threshold(1.5, 0.9)}, "params.raise_at"),
        ({"params": {"raise_at": "high", "clear_at": 1}}, "params.raise_at"),
        ({"params": {**threshold(75, 60), "colour": 1}}, "params.colour"),
        ({"params": threshold(75, 60, window_minutes=0)}, "params.window_minutes"),
        (
            {"params": threshold(75, 60, active_hours={"start": "25:00", "end": "06:00"})},
            "params.active_hours",
        ),
        ({"device_type": "noise_monitor"}, "device_type"),  # both a device and an entity type
        ({"entity_type": "Spaceship"}, "entity_type"),
        ({"area_level": "district", "area_code": "999999"}, "area_code"),
        ({"area_level": "district"}, "area_code"),
        ({"kind": "silence", "params": {"minutes": 10}}, "attribute"),
        (
            {
                "kind": "anomaly",
                "params": {"method": "ewma", "raise_at": 4, "clear_at": 2, "alpha": 1.5},
            },
            "params.alpha",
        ),
        ({"kind": "rate_of_change", "params": {"raise_at": -1, "clear_at": 0}}, "params.raise_at"),
        ({"severity": "apocalyptic"}, "severity"),
    ],
)
def test_bad_rules_are_refused_with_422_naming_the_member(
    client, admin_headers, places, change, field
):
    response = client.post(RULES, json=pm25_rule(**change), headers=admin_headers)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"].endswith(field), error
    assert client.get(RULES, headers=admin_headers).json()["total"] == 0


def test_a_bad_change_changes_nothing(client, admin_headers):
    rule = client.post(RULES, json=pm25_rule(), headers=admin_headers).json()
    path = f"{RULES}/{rule['id']}"
    response = client.patch(path, json={"params": threshold(10, 20)}, headers=admin_headers)
    assert response.status_code == 422 and response.json()["error"]["field"] == "params.clear_at"
    assert client.get(path, headers=admin_headers).json()["params"]["raise_at"] == 75
    assert client.patch(path, json={}, headers=admin_headers).status_code == 422


@pytest.fixture
def raised(client, admin_headers, add_device, send, clock):
    """One raised PM2.5 alert on device A1."""
    add_device("A1")
    client.post(RULES, json=pm25_rule(), headers=admin_headers)
    send("A1", (clock.now() - timedelta(minutes=1), {"pm25": 99}))
    [alert] = client.get(ALERTS, headers=admin_headers).json()["items"]
    return alert


def test_an_alert_is_acknowledged_then_resolved_with_who_and_when(
    client, auth_headers, raised, clock
):
    dispatcher = auth_headers("dispatcher")
    path = f"{ALERTS}/{raised['id']}"
    assert (
        raised["status"] == "raised" and raised["entity_id"] == f"urn:ngsi-ld:Alert:{raised['id']}"
    )
    ack = client.post(f"{path}/acknowledge", headers=dispatcher)
    assert ack.status_code == 200, ack.text
    assert ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_by"].startswith("dispatcher-")
    assert client.post(f"{path}/acknowledge", headers=dispatcher).status_code == 409
    clock.advance(minutes=3)
    done = client.post(f"{path}/resolve", headers=dispatcher).json()
    assert (done["status"], done["resolution"]) == ("resolved", "manual")
    assert done["resolved_at"].startswith(clock.now().isoformat()[:16])
    for action in ("acknowledge", "resolve"):
        response = client.post(f"{path}/{action}", headers=dispatcher)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
    assert client.get(path, headers=dispatcher).json()["status"] == "resolved"


def test_alert_changes_are_audited(platform, client, auth_headers, raised):
    client.post(f"{ALERTS}/{raised['id']}/resolve", headers=auth_headers("supervisor"))
    with platform.db.session() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type.in_(("rule", "alert")))
        ).all()
    assert sorted(actions) == ["alert.raise", "alert.resolve", "rule.create"]


def test_alerts_are_filtered_and_paged(client, admin_headers, raised, places, clock):
    def ids(**params):
        response = client.get(ALERTS, params=params, headers=admin_headers)
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["items"]]

    one = [raised["id"]]
    assert ids(status="raised") == one and ids(status="resolved") == []
    assert ids(active="true") == one
    assert ids(severity="high") == one and ids(severity="low") == []
    assert ids(rule=raised["rule_id"]) == one and ids(rule=999) == []
    assert ids(device="A1") == one and ids(device="B9") == []
    assert ids(area=places[0].district) == one and ids(area=places[1].district) == []
    assert ids(area=places[0].cell) == one
    since = (clock.now() - timedelta(hours=1)).isoformat()
    assert ids(since=since) == one
    assert ids(since=(clock.now() + timedelta(hours=1)).isoformat()) == []
    assert ids(limit=1, offset=1) == []
    for bad in (
        {"area": "12"},
        {"limit": 0},
        {"status": "exploded"},
        {"since": "yesterday"},
        {"since": "2026-01-05T00:00:00"},
    ):
        response = client.get(ALERTS, params=bad, headers=admin_headers)
        assert response.status_code == 422, (bad, response.text)
    assert client.get(f"{ALERTS}/999999", headers=admin_headers).status_code == 404


def test_roles_read_and_write_as_their_permissions_say(client, auth_headers, raised):
    analyst, dispatcher, citizen = (auth_headers(r) for r in ("analyst", "dispatcher", "citizen"))
    assert client.get(RULES, headers=analyst).status_code == 200
    assert client.get(ALERTS, headers=analyst).status_code == 200
    assert client.post(RULES, json=pm25_rule(), headers=analyst).status_code == 403
    assert client.post(RULES, json=pm25_rule(), headers=dispatcher).status_code == 403
    assert client.post(f"{ALERTS}/{raised['id']}/acknowledge", headers=analyst).status_code == 403
    assert client.get(ALERTS, headers=citizen).status_code == 403
    assert client.get(RULES, headers=citizen).status_code == 403
    assert client.get(ALERTS).status_code == 401


def test_another_city_sees_none_of_it(client, auth_headers, raised):
    other = auth_headers("admin", "suzhou")
    assert client.get(ALERTS, headers=other).json()["total"] == 0
    assert client.get(f"{ALERTS}/{raised['id']}", headers=other).status_code == 404
    assert client.post(f"{ALERTS}/{raised['id']}/resolve", headers=other).status_code == 404
    assert client.get(f"{RULES}/{raised['rule_id']}", headers=other).status_code == 404
