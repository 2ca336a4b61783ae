"""Silence rules on the timer: a quiet device becomes silent with one alert, wakes on its next
reading, and the thread that runs the passes starts and stops cleanly."""

from __future__ import annotations

from smartcity.context.models import ContextEntity
from smartcity.rules.jobs import SilenceWatch
from smartcity.rules.silence import check_silence
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.models import Device
from tests.rules.conftest import alerts_of

DEVICE_STATE = "https://uri.etsi.org/ngsi-ld/default-context/deviceState"


def _status(platform, device_id):
    with platform.db.session() as session:
        return session.query(Device).filter_by(device_id=device_id).one().status


def _device_state(platform, device_id):
    with platform.db.session() as session:
        row = session.query(ContextEntity).filter_by(entity_id=f"urn:ngsi-ld:Device:{device_id}")
        return row.one().attrs[DEVICE_STATE]["value"]


def test_a_quiet_device_goes_silent_once_and_wakes_on_its_next_reading(
    platform, clock, add_device, make_rule, send
):
    add_device("S1", DeviceKind.SMOKE_DETECTOR)
    add_device("S2", DeviceKind.SMOKE_DETECTOR)
    add_device("A1")  # not watched by the rule
    make_rule(kind="silence", device_type="smoke_detector", params={"minutes": 15}, severity="high")
    send("S1", (clock.now(), {"smoke": 0}))
    send("S2", (clock.now(), {"smoke": 0}))
    clock.advance(minutes=10)
    send("S2", (clock.now(), {"smoke": 0}))
    assert check_silence(platform) == 0
    clock.advance(minutes=6)  # S1 quiet 16 minutes, S2 6
    assert check_silence(platform) == 1
    [alert] = alerts_of(platform)
    assert (alert.device_id, alert.kind, alert.severity) == ("S1", "silence", "high")
    assert alert.evidence[0]["silent_minutes"] == 15
    assert _status(platform, "S1") == "silent" and _status(platform, "A1") == "active"
    assert _device_state(platform, "S1") == "silent"
    clock.advance(minutes=5)
    assert check_silence(platform) == 0  # still quiet: the same alert, not another
    send("S1", (clock.now(), {"smoke": 0}))
    assert _status(platform, "S1") == "active"
    [alert] = alerts_of(platform)
    assert (alert.status, alert.resolution) == ("resolved", "auto")


def test_a_device_that_never_reported_goes_silent_after_the_minutes(
    platform, clock, add_device, make_rule
):
    add_device("S1", DeviceKind.SMOKE_DETECTOR)
    make_rule(kind="silence", entity_type="DeviceMeasurement", params={"minutes": 30})
    clock.advance(minutes=29)
    assert check_silence(platform) == 0
    clock.advance(minutes=2)
    assert check_silence(platform) == 1
    assert _status(platform, "S1") == "silent"


def test_the_silence_watch_runs_a_pass_and_stops_without_leaving_its_thread(
    platform, clock, add_device, make_rule
):
    add_device("S1", DeviceKind.SMOKE_DETECTOR)
    make_rule(kind="silence", device_type="smoke_detector", params={"minutes": 5})
    clock.advance(minutes=6)
    watch = SilenceWatch(platform, interval=3600).start()
    assert watch.running
    watch.stop()
    assert not watch.running
    assert [a.kind for a in alerts_of(platform)] == ["silence"]  # its first pass ran at start
