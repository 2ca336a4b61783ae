"""The fleet in the registry and its messages through the ingestion core, on both databases:
every generated payload is accepted, nothing goes to the dead letters."""

from __future__ import annotations

from sqlalchemy import func, select

from smartcity.context.models import AttributeInstance
from smartcity.security import service as security
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.ingest.messages import ingest_messages
from smartcity.simulate.model import FaultRates, Simulation
from smartcity.simulate.placement import place_fleet
from smartcity.simulate.registry import gateway_login, register_fleet
from smartcity.simulate.weather import Weather


def sample_fleet(small_map, per_kind: int = 3):
    """A few devices of every kind of the Huangpu fleet (registering all is the CLI's job)."""
    fleet = place_fleet(small_map, "district", 1)
    return [d for kind in DeviceKind for d in [x for x in fleet if x.kind is kind][:per_kind]]


def test_the_fleet_is_registered_once_with_its_cells_and_credentials(
    platform, small_map, city_tenant
):
    devices = sample_fleet(small_map)
    first = register_fleet(platform, city_tenant, devices)
    again = register_fleet(platform, city_tenant, devices)
    assert (first.created, first.existing) == (len(devices), 0)
    assert (again.created, again.existing) == (0, len(devices))
    assert all(i.mqtt_password for i in first.issued)
    with platform.db.session() as session:
        tenant_id = security.get_tenant(session, slug=city_tenant).id
        for device in devices:
            stored = sensing.get_device(session, tenant_id, device.device_id)
            assert stored.cell_code == device.cell
            assert stored.device_type == device.kind.value


def test_the_gateway_logs_in_with_a_fresh_credential_of_a_fleet_device(
    platform, small_map, city_tenant
):
    devices = sample_fleet(small_map, 1)
    register_fleet(platform, city_tenant, devices)
    username, password = gateway_login(platform, city_tenant, devices[0].device_id)
    with platform.db.session() as session:
        assert (
            sensing.authenticate_mqtt(session, username, password).device_id == devices[0].device_id
        )


def test_every_generated_message_is_accepted_by_the_ingestion(platform, small_map, city_tenant):
    devices = sample_fleet(small_map)
    register_fleet(platform, city_tenant, devices)
    now = platform.clock.now().timestamp()
    # Storms and episodes often, spikes too: they must stay within what the models accept.
    weather = Weather(1, tuple(small_map.land_km2), pollution_per_year=200, storms_per_year=200)
    sim = Simulation(1, weather, FaultRates(silent=0, stuck=0.1, spike=0.05, drift=0.5))
    start = now - 2 * 3600
    messages = []
    for device in devices:
        t = sim.first_report(device, start)
        while t <= now:
            message = sim.message(device, t, city_tenant)
            if message is not None:
                messages.append(message)
            t += sim_period(device)
    outcome = ingest_messages(platform, messages, platform.clock.now())
    assert outcome.letters == []
    assert outcome.stored > 500
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AttributeInstance)) >= outcome.stored
    assert ingest_messages(platform, messages, platform.clock.now()).stored == 0  # redelivered


def sim_period(device) -> int:
    from smartcity.simulate.model import SPECS

    return SPECS[device.kind].publish_s
