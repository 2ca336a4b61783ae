"""The demo loader: a generated Shanghai, departments and a user for every role, loaded once."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity import demo
from smartcity.security.models import User
from smartcity.security.roles import Role


def test_demo_loads_the_city_and_users_once_and_they_can_log_in(platform, client):
    quiet: list[str] = []
    logins = demo.prepare(platform, echo=quiet.append)
    assert {login.role for login in logins} == set(Role)
    again = demo.prepare(platform, echo=quiet.append)
    assert [x.password for x in again] == [x.password for x in logins]
    with platform.db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == len(Role)
    admin = next(x for x in logins if x.role is Role.ADMIN)
    token = client.post(
        "/api/auth/token", data={"username": admin.username, "password": admin.password}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    districts = client.get("/api/geo/districts", headers=headers).json()
    items = districts["items"] if isinstance(districts, dict) else districts
    by_code = {d["code"]: d for d in items}
    assert len(by_code) == 16
    assert by_code["310101"]["name_zh"] == "黄浦区"
    assert by_code["310151"]["name_en"] == "Chongming"
    located = client.get(
        "/api/geo/locate", params={"lon": 121.4903, "lat": 31.2228}, headers=headers
    )
    assert located.status_code == 200
    assert "310101" in str(located.json())
    assert any("city ready" in line for line in quiet)


def test_the_demo_broker_and_worker_store_what_a_device_publishes_with_its_login(platform):
    import orjson
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from smartcity.security import service as security
    from smartcity.sensing import service as sensing
    from smartcity.sensing.device_types import DeviceKind
    from smartcity.sensing.ingest.models import ReadingReceipt
    from smartcity.sensing.mqtt.address import parse_broker_url
    from smartcity.sensing.schemas import DeviceCreate
    from tests.sensing.mqtt.helpers import iso, wait_until

    with platform.db.session() as s:
        actor = security.system_principal(security.get_tenant(s, slug="shanghai"), "test")
        spec = DeviceCreate(
            device_id="AQ-DEMO", type=DeviceKind.AIR_QUALITY_STATION, lon=121.47, lat=31.23
        )
        _, issued = sensing.create_device(s, platform, actor, spec)
    with demo.DemoSensing(platform.settings) as stream:
        address = parse_broker_url(stream.start())
        answers: list = []
        device = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="AQ-DEMO")
        device.on_connect = lambda *a: answers.append(a[3])
        device.username_pw_set(issued.mqtt_username, issued.mqtt_password)
        device.connect(address.host, address.port)
        device.loop_start()
        payload = orjson.dumps({"pm25": 42, "observedAt": iso(platform.clock.now())})
        device.publish("city/shanghai/air_quality_station/AQ-DEMO/attrs", payload, qos=1)

        def stored() -> int:
            with platform.db.session() as s:
                return s.scalar(select(func.count()).select_from(ReadingReceipt))

        wait_until(lambda: stored() == 1, "the device's reading")
        device.disconnect()
        device.loop_stop()
        assert not answers[0].is_failure
        assert stream.worker.metrics.value("smartcity_mqtt_readings_stored") == 1
