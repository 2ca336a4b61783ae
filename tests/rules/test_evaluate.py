"""Rules judged inside ingestion: each kind fires and clears as it should, one active alert per
rule and device, evidence, exactly-once judging, state that outlives the process."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from smartcity.rules import index
from smartcity.rules.models import RuleState
from smartcity.sensing.device_types import DeviceKind
from tests.rules.conftest import alerts_of, threshold


def test_threshold_raises_counts_and_clears_with_hysteresis_without_flapping(
    platform, clock, add_device, make_rule, send
):
    add_device("A1")
    rule = make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
    )
    t = clock.now() - timedelta(minutes=30)
    send("A1", (t, {"pm25": 50}))
    assert alerts_of(platform) == []
    send("A1", (t + timedelta(minutes=1), {"pm25": 80}))
    [alert] = alerts_of(platform)
    assert (alert.status, alert.count, alert.last_value, alert.rule_id) == (
        "raised",
        1,
        80,
        rule.id,
    )
    # between the clear level and the raise level: still the same alert, nothing new
    send("A1", (t + timedelta(minutes=2), {"pm25": 70}), (t + timedelta(minutes=3), {"pm25": 65}))
    send("A1", (t + timedelta(minutes=4), {"pm25": 90}))
    [alert] = alerts_of(platform)
    assert (alert.status, alert.count, alert.last_value) == ("raised", 2, 90)
    send("A1", (t + timedelta(minutes=5), {"pm25": 59}))
    [alert] = alerts_of(platform)
    assert (alert.status, alert.resolution, alert.resolved_by) == ("resolved", "auto", "rules")
    assert alert.active_key is None
    send("A1", (t + timedelta(minutes=6), {"pm25": 76}))
    first, second = alerts_of(platform)
    assert (first.status, second.status, second.count) == ("resolved", "raised", 1)


def test_a_below_threshold_fires_under_its_level(platform, clock, add_device, make_rule, send):
    add_device("W1", DeviceKind.WATER_QUALITY_BUOY)
    make_rule(
        kind="threshold",
        device_type="water_quality_buoy",
        attribute="O2",
        params={"direction": "below", "raise_at": 2, "clear_at": 3},
    )
    t = clock.now() - timedelta(minutes=10)
    send("W1", (t, {"O2": 2.5}))
    assert alerts_of(platform) == []
    send("W1", (t + timedelta(minutes=1), {"O2": 1.5}))
    assert [a.status for a in alerts_of(platform)] == ["raised"]
    send("W1", (t + timedelta(minutes=2), {"O2": 3.2}))
    assert [a.status for a in alerts_of(platform)] == ["resolved"]


def test_a_window_mean_fires_on_the_mean_not_on_one_peak(
    platform, clock, add_device, make_rule, send
):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 67.5, window_minutes=1440, aggregate="mean"),
    )
    t = clock.now() - timedelta(hours=5)
    send("A1", *[(t + timedelta(hours=h), {"pm25": 40}) for h in range(3)])
    send("A1", (t + timedelta(hours=3), {"pm25": 150}))  # mean (40*3+150)/4 = 67.5
    assert alerts_of(platform) == []
    send("A1", (t + timedelta(hours=4), {"pm25": 130}))  # mean 80
    [alert] = alerts_of(platform)
    assert alert.last_value == 130
    assert alert.evidence[-1]["aggregate"] == "mean"
    assert alert.evidence[-1]["window_minutes"] == 1440


def test_rate_of_change_fires_on_a_fast_rise(platform, clock, add_device, make_rule, send):
    add_device("P1", DeviceKind.PIPE_PRESSURE_SENSOR)
    make_rule(
        kind="rate_of_change",
        device_type="pipe_pressure_sensor",
        attribute="pressure",
        params={"direction": "fall", "raise_at": 0.5, "clear_at": 0.1, "window_minutes": 10},
    )
    t = clock.now() - timedelta(minutes=30)
    send("P1", *[(t + timedelta(minutes=m), {"pressure": 5.0 - 0.05 * m}) for m in range(6)])
    assert alerts_of(platform) == []
    send("P1", (t + timedelta(minutes=7), {"pressure": 1.0}))  # fell ~3.75 in 7 min
    [alert] = alerts_of(platform)
    assert alert.kind == "rate_of_change"
    assert alert.evidence[0]["rate_per_minute"] < -0.5


def test_anomaly_robust_z_fires_on_a_spike_and_names_its_method(
    platform, clock, add_device, make_rule, send
):
    add_device("N1", DeviceKind.NOISE_MONITOR)
    make_rule(
        kind="anomaly",
        entity_type="NoiseLevelObserved",
        attribute="LAeq",
        params={"method": "robust_z", "raise_at": 6, "clear_at": 3, "min_samples": 10},
    )
    t = clock.now() - timedelta(hours=2)
    calm = [55, 56, 54, 55, 57, 55, 56, 54, 55, 56, 55, 54]
    send("N1", *[(t + timedelta(minutes=m), {"LAeq": v}) for m, v in enumerate(calm)])
    assert alerts_of(platform) == []
    send("N1", (t + timedelta(minutes=20), {"LAeq": 95}))
    [alert] = alerts_of(platform)
    assert alert.method == "robust_z"
    assert alert.evidence[0]["z"] > 6
    send("N1", (t + timedelta(minutes=21), {"LAeq": 55}))
    assert alerts_of(platform)[0].status == "resolved"


def test_anomaly_ewma_fires_on_a_spike(platform, clock, add_device, make_rule, send):
    add_device("T1", DeviceKind.TRAFFIC_COUNTER)
    make_rule(
        kind="anomaly",
        device_type="traffic_counter",
        attribute="intensity",
        params={"method": "ewma", "alpha": 0.2, "raise_at": 4, "clear_at": 2},
    )
    t = clock.now() - timedelta(hours=2)
    normal = [100 + (m % 5) * 3 for m in range(15)]
    send("T1", *[(t + timedelta(minutes=m), {"intensity": v}) for m, v in enumerate(normal)])
    assert alerts_of(platform) == []
    send("T1", (t + timedelta(minutes=30), {"intensity": 400}))
    [alert] = alerts_of(platform)
    assert (alert.kind, alert.method) == ("anomaly", "ewma")


def test_evidence_holds_the_readings_that_fired_it(platform, clock, add_device, make_rule, send):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="no2",
        params=threshold(80, 70),
    )
    t = clock.now() - timedelta(minutes=5)
    send("A1", (t, {"no2": 85, "pm25": 10}), (t + timedelta(minutes=1), {"no2": 95}))
    [alert] = alerts_of(platform)
    assert alert.count == 2
    assert alert.evidence == [
        {"attribute": "no2", "value": 85, "observed_at": (t).isoformat().replace("+00:00", "Z")},
        {
            "attribute": "no2",
            "value": 95,
            "observed_at": (t + timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
        },
    ]


def test_a_redelivered_reading_is_judged_once(platform, clock, add_device, make_rule, send):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
    )
    t = clock.now() - timedelta(minutes=5)
    send("A1", (t, {"pm25": 99}))
    outcome = send("A1", (t, {"pm25": 99}))
    assert outcome.duplicates == 1
    [alert] = alerts_of(platform)
    assert alert.count == 1


def test_rules_judge_only_their_area_and_kind(platform, clock, places, add_device, make_rule, send):
    add_device("A1", place=0)
    add_device("A2", place=1)
    add_device("N1", DeviceKind.NOISE_MONITOR, place=0)
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        area_level="district",
        area_code=places[1].district,
        params=threshold(75, 60),
    )
    t = clock.now() - timedelta(minutes=5)
    send("A1", (t, {"pm25": 99}))
    send("A2", (t, {"pm25": 99}))
    assert [a.device_id for a in alerts_of(platform)] == ["A2"]
    assert alerts_of(platform)[0].district_code == places[1].district


def test_hysteresis_state_survives_a_restart(platform, clock, add_device, make_rule, send):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60, window_minutes=60),
    )
    t = clock.now() - timedelta(minutes=30)
    send("A1", (t, {"pm25": 99}))
    index._indexes.clear()  # a new process: nothing in memory
    send("A1", (t + timedelta(minutes=1), {"pm25": 70}))  # window mean 84.5: still active
    [alert] = alerts_of(platform)
    assert (alert.status, alert.count) == ("raised", 2)
    with platform.db.session() as session:
        [state] = session.scalars(select(RuleState.state)).all()
    assert state["active"] is True and len(state["b"]) >= 1


def test_a_changed_rule_is_used_at_once(platform, admin, clock, add_device, make_rule, send):
    from smartcity.rules import service

    add_device("A1")
    rule = make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60),
    )
    t = clock.now() - timedelta(minutes=5)
    send("A1", (t, {"pm25": 50}))
    with platform.db.session() as session:
        service.update_rule(session, platform, admin, rule.id, {"params": threshold(40, 30)})
    send("A1", (t + timedelta(minutes=1), {"pm25": 50}))
    assert len(alerts_of(platform)) == 1
    with platform.db.session() as session:
        service.update_rule(session, platform, admin, rule.id, {"enabled": False})
    send("A1", (t + timedelta(minutes=2), {"pm25": 10}))
    assert alerts_of(platform)[0].status == "raised"  # a disabled rule judges nothing


def test_without_auto_resolve_the_alert_waits_for_a_person(
    platform, clock, add_device, make_rule, send
):
    add_device("A1")
    make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        auto_resolve=False,
        params=threshold(75, 60),
    )
    t = clock.now() - timedelta(minutes=5)
    send("A1", (t, {"pm25": 80}), (t + timedelta(minutes=1), {"pm25": 10}))
    send("A1", (t + timedelta(minutes=2), {"pm25": 85}))
    [alert] = alerts_of(platform)
    assert (alert.status, alert.count) == ("raised", 2)


def test_a_rule_that_cannot_judge_costs_the_batch_nothing(
    platform, clock, add_device, make_rule, send
):
    device = add_device("A1")
    rule = make_rule(
        kind="threshold",
        entity_type="AirQualityObserved",
        attribute="pm25",
        params=threshold(75, 60, window_minutes=60),
    )
    with platform.db.session() as session:  # a state no judge can read
        session.add(
            RuleState(
                rule_id=rule.id, device_pk=device.id, state={"b": "??"}, updated_at=clock.now()
            )
        )
    outcome = send("A1", (clock.now() - timedelta(minutes=1), {"pm25": 99, "no2": 5}))
    assert outcome.stored == 2
    assert alerts_of(platform) == []
    with platform.db.session() as session:
        assert session.scalar(select(RuleState.state)) == {"b": "??"}  # undone, not half-done
