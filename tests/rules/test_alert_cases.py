"""Alerts open cases through the case service, linked both ways, on both databases: one case per
raised alert (not per firing, not per retried batch), closing the case resolves the alert, and
a case the service refuses leaves the alert standing with the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from smartcity.cases import service as cases
from smartcity.cases.models import Case
from smartcity.geo import service as geo
from smartcity.rules.cases import idempotency_key, open_pending_cases
from smartcity.rules.defaults import air_rules, noise_rules
from smartcity.rules.models import Alert
from tests.rules.conftest import alerts_of, threshold


def _air_rule(make_rule, category: str = "H0601"):
    return make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
        severity="high",
        name_zh="PM2.5 超标",
        name_en="PM2.5 above limit",
        case_category=category,
    )


def _cases(platform) -> list[Case]:
    with platform.db.session() as session:
        return list(session.scalars(select(Case).order_by(Case.id)))


def _exceed(clock, send, device: str = "A1", value: float = 80.0) -> None:
    send(device, (clock.now() - timedelta(minutes=5), {"pm25": value}))


def test_an_exceedance_opens_a_sensor_case_linked_both_ways(
    platform, clock, add_device, make_rule, send, places
):
    device = add_device("A1")
    rule = _air_rule(make_rule)
    _exceed(clock, send)
    [alert] = alerts_of(platform)
    assert (alert.case_status, alert.case_id) == ("pending", None)  # nothing opened in ingestion
    assert _cases(platform) == []

    assert open_pending_cases(platform) == 1
    [alert] = alerts_of(platform)
    [case] = _cases(platform)
    assert (alert.case_status, alert.case_id, alert.case_note) == ("opened", case.public_id, None)
    assert (case.alert_id, case.source, case.category) == (alert.id, "sensor", "H0601")
    assert (case.lon, case.lat, case.cell_code) == (device.lon, device.lat, places[0].cell)
    assert (case.priority, case.idempotency_key) == ("high", idempotency_key(alert.id))
    assert "PM2.5 超标" in case.description and "PM2.5 above limit" in case.description
    assert "80" in case.description and "75" in case.description
    assert rule.case_category == case.category


def test_a_repeated_firing_opens_no_second_case(platform, clock, add_device, make_rule, send):
    add_device("A1")
    _air_rule(make_rule)
    _exceed(clock, send, value=80)
    open_pending_cases(platform)
    send("A1", (clock.now() - timedelta(minutes=4), {"pm25": 95}))
    [alert] = alerts_of(platform)
    assert (alert.count, alert.case_status) == (2, "opened")
    assert open_pending_cases(platform) == 0
    assert len(_cases(platform)) == 1


def test_a_retried_batch_or_pass_opens_no_second_case(platform, clock, add_device, make_rule, send):
    add_device("A1")
    _air_rule(make_rule)
    _exceed(clock, send)
    _exceed(clock, send)  # the same batch delivered again
    [alert] = alerts_of(platform)
    assert open_pending_cases(platform) == 1
    # a pass that died after opening the case but before marking its alert
    with platform.db.session() as session:
        session.get(Alert, alert.id).case_status = "pending"
        session.commit()
    open_pending_cases(platform)
    [case] = _cases(platform)
    [alert] = alerts_of(platform)
    assert (alert.case_status, alert.case_id) == ("opened", case.public_id)


def _close_case(platform, principal_for, case_id: str, cell: str) -> Case:
    office = f"office-{cell[:9]}"
    with platform.db.session() as session:
        department = geo.find_department(session, principal_for("admin").tenant_id, code=office)
        assert department is not None
        handler = replace(principal_for("handler"), department_id=department.id)
    steps = [
        ("dispatcher", "register", {}),
        ("dispatcher", "dispatch", {"department": office}),
        ("handler", "accept", {}),
        ("handler", "handle", {"evidence": ["photo:1"], "note": "已处置"}),
        ("supervisor", "verify", {}),
    ]
    for role, action, data in steps:
        principal = handler if role == "handler" else principal_for(role)
        with platform.db.session() as session:
            case = cases.transition_case(session, platform, principal, case_id, action, data)
    return case


def test_closing_the_case_resolves_the_alert_by_the_system(
    platform, clock, add_device, make_rule, send, places, principal_for
):
    add_device("A1")
    _air_rule(make_rule)
    _exceed(clock, send)
    open_pending_cases(platform)
    [alert] = alerts_of(platform)
    assert alert.status == "raised"
    closed = _close_case(platform, principal_for, alert.case_id, places[0].cell)
    assert closed.status == "closed"
    [alert] = alerts_of(platform)
    assert (alert.status, alert.resolution) == ("resolved", "case")
    assert alert.resolved_by == f"case:{closed.public_id}" and alert.active_key is None


def test_a_case_closed_after_the_alert_cleared_leaves_it_as_it_was(
    platform, clock, add_device, make_rule, send, places, principal_for
):
    add_device("A1")
    _air_rule(make_rule)
    _exceed(clock, send)
    open_pending_cases(platform)
    send("A1", (clock.now() - timedelta(minutes=1), {"pm25": 40}))
    [alert] = alerts_of(platform)
    assert (alert.status, alert.resolution) == ("resolved", "auto")
    _close_case(platform, principal_for, alert.case_id, places[0].cell)
    [alert] = alerts_of(platform)
    assert (alert.resolution, alert.resolved_by) == ("auto", "rules")


def test_an_unknown_category_leaves_the_alert_without_a_case_and_says_why(
    platform, clock, add_device, make_rule, send
):
    add_device("A1")
    add_device("A2")
    _air_rule(make_rule, category="environment")  # no such category code
    _exceed(clock, send, "A1")
    _exceed(clock, send, "A2")
    assert open_pending_cases(platform) == 0
    assert _cases(platform) == []
    for alert in alerts_of(platform):
        assert (alert.status, alert.case_status, alert.case_id) == ("raised", "failed", None)
        assert "environment" in alert.case_note
    assert open_pending_cases(platform) == 0  # failed alerts are not tried again


def test_a_category_with_subcategories_is_refused_with_the_reason(
    platform, clock, add_device, make_rule, send
):
    add_device("A1")
    _air_rule(make_rule, category="H06")  # a group, not a category a case can be filed under
    _exceed(clock, send)
    open_pending_cases(platform)
    [alert] = alerts_of(platform)
    assert alert.case_status == "failed" and "subcategories" in alert.case_note


def test_a_rule_without_a_category_opens_no_case(platform, clock, add_device, make_rule, send):
    add_device("A1")
    make_rule(kind="threshold", entity_type="AirQualityObserved", attribute="pm25",
              params=threshold(75, 60))  # fmt: skip
    _exceed(clock, send)
    [alert] = alerts_of(platform)
    assert alert.case_status is None
    assert open_pending_cases(platform) == 0 and _cases(platform) == []


def test_the_default_rules_name_real_case_categories(platform, tenant_id):
    from smartcity.cases.catalogue import assignable, category_set

    zones = {zone: [("city", None)] for zone in ("0", "1", "2", "3", "4a", "4b")}
    with platform.db.session() as session:
        categories = category_set(session, tenant_id)
    for rule in [*air_rules(), *noise_rules(zones)]:
        assignable(categories, rule["case_category"])


def test_the_alert_json_shows_the_case_and_the_case_json_the_alert(
    platform, clock, add_device, make_rule, send, client, auth_headers
):
    add_device("A1")
    _air_rule(make_rule)
    _exceed(clock, send)
    open_pending_cases(platform)
    [alert] = alerts_of(platform)
    headers = auth_headers("admin")
    shown = client.get(f"/api/alerts/{alert.id}", headers=headers)
    assert shown.status_code == 200, shown.text
    assert (shown.json()["case_id"], shown.json()["case_status"]) == (alert.case_id, "opened")
    case = client.get(f"/api/cases/{alert.case_id}", headers=headers)
    assert case.status_code == 200, case.text
    assert case.json()["alert_id"] == alert.id


def test_a_device_outside_the_city_leaves_the_alert_without_a_case(
    platform, clock, admin, make_rule, send, small_city
):
    """A device registered before the city had cells (so nothing checked its point)."""
    from smartcity.sensing import service as sensing
    from smartcity.sensing.device_types import DeviceKind
    from smartcity.sensing.schemas import DeviceCreate

    spec = DeviceCreate(device_id="FAR", type=DeviceKind.AIR_QUALITY_STATION, lon=100.0, lat=20.0)
    with platform.db.session() as session:
        sensing.create_device(session, platform, admin, spec)
    with platform.db.session() as session:
        geo.load_demo_city(session, platform.clock, admin, small_city)
    _air_rule(make_rule)
    _exceed(clock, send, "FAR")
    assert open_pending_cases(platform) == 0
    [alert] = alerts_of(platform)
    assert (alert.status, alert.case_status, alert.case_id) == ("raised", "failed", None)
    assert "outside" in alert.case_note and _cases(platform) == []


def test_fixing_the_rules_category_opens_the_refused_alerts_case(
    platform, clock, add_device, make_rule, send, admin
):
    from smartcity.rules import service

    add_device("A1")
    rule = _air_rule(make_rule, category="environment")
    _exceed(clock, send)
    open_pending_cases(platform)
    assert alerts_of(platform)[0].case_status == "failed"
    with platform.db.session() as session:
        service.update_rule(session, platform, admin, rule.id, {"case_category": "H0601"})
    assert open_pending_cases(platform) == 1
    [alert] = alerts_of(platform)
    [case] = _cases(platform)
    assert (alert.case_status, alert.case_id, alert.case_note) == ("opened", case.public_id, None)
    assert (alert.case_category, case.category) == ("H0601", "H0601")
