"""A simulation run put together: the city's map, the fleet placed and registered, a broker
connection, and the publisher — in the foreground (the CLI) or in a background thread (the demo).

The publisher is one connection speaking for the whole fleet, as a field gateway does. A broker
that wants device logins (the embedded one) gets the MQTT credential of the fleet's first
device, issued afresh for the run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt

from smartcity.geo.layout import generate_shanghai
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.sensing.mqtt.address import parse_broker_url
from smartcity.simulate.model import FaultRates, Simulation
from smartcity.simulate.placement import CityMap, Scale, SimDevice, place_fleet
from smartcity.simulate.publisher import BrokerRefused, FleetPublisher, connect
from smartcity.simulate.registry import Registration, gateway_login, register_fleet
from smartcity.simulate.shards import ShardedPublisher
from smartcity.simulate.weather import Weather

DEMO_CITY_SEED = 2014  # the seed `smartcity demo` generates its city with
DEFAULT_REPLAY = 86_400.0  # without a duration, a run starts a day in the past


@dataclass
class SimulationConfig:
    mqtt_url: str
    tenant: str = "shanghai"
    seed: int = 2014
    speed: float = 60.0
    scale: Scale = Scale.DISTRICT
    area: str | None = None  # the district or street of those scales (default: Huangpu)
    rate: float | None = None  # messages per second, at most
    duration: float | None = None  # wall-clock seconds
    register: bool = True
    processes: int = 1  # publishing processes, each with its own connection
    start: float | None = None  # simulated start, epoch seconds
    faults: FaultRates = field(default_factory=FaultRates)
    pollution_per_year: float = 20.0
    storms_per_year: float = 10.0

    def __post_init__(self) -> None:
        self.scale = Scale(self.scale)
        if self.speed <= 0:
            raise ValueError("--speed must be above 0")
        if self.rate is not None and self.rate <= 0:
            raise ValueError("--rate must be above 0")
        if not 1 <= self.processes <= 64:
            raise ValueError("--processes must be between 1 and 64")
        if self.duration is not None and self.duration <= 0:
            raise ValueError("--duration must be above 0")
        parse_broker_url(self.mqtt_url)  # a bad URL fails before anything is registered

    def start_time(self, now: float) -> float:
        """Where simulated time begins: far enough back to reach the present at the end of the
        run (the ingestion refuses the future); a day back for a run without an end."""
        if self.start is not None:
            return self.start
        if self.duration is not None:
            return now - self.duration * (self.speed - 1) if self.speed > 1 else now
        return now - DEFAULT_REPLAY


def city_map(platform: Platform | None, tenant: str) -> CityMap:
    """The tenant's loaded city, or (without a database) the demo city as generated."""
    if platform is None:
        return CityMap.from_layout(generate_shanghai(seed=DEMO_CITY_SEED))
    with platform.db.session() as session:
        found = security.get_tenant(session, slug=tenant)
        return CityMap.from_database(session, found.id)


def plan(config: SimulationConfig, platform: Platform | None) -> tuple[Simulation, list[SimDevice]]:
    """The simulation and its placed fleet (nothing written)."""
    city = city_map(platform, config.tenant)
    devices = place_fleet(city, config.scale, config.seed, config.area)
    weather = Weather(
        config.seed,
        tuple(sorted(city.land_km2)),
        pollution_per_year=config.pollution_per_year,
        storms_per_year=config.storms_per_year,
    )
    return Simulation(config.seed, weather, config.faults), devices


def open_client(
    config: SimulationConfig, platform: Platform | None, devices: list[SimDevice]
) -> tuple[mqtt.Client, tuple[str, str] | None]:
    """A connected client, and the gateway login it needed (None: the URL's own, or none)."""
    address = parse_broker_url(config.mqtt_url)
    try:
        return connect(address), None
    except BrokerRefused as refused:
        if not refused.not_authorised or platform is None or address.username is not None:
            raise
    login = gateway_login(platform, config.tenant, devices[0].device_id)
    return connect(address, login), login


@dataclass
class PreparedRun:
    publisher: FleetPublisher | ShardedPublisher
    registration: Registration | None
    client: mqtt.Client | None  # the one connection of a single-process run

    def close(self) -> None:
        if self.client is not None:
            self.client.disconnect()
            self.client.loop_stop()


def prepare_run(
    config: SimulationConfig,
    platform: Platform | None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> PreparedRun:
    """Place (and register) the fleet, connect, and make the publisher ready to run."""
    if config.register and platform is None:
        raise ValueError("registering the fleet needs the platform's database")
    # Without registering, the demo city as generated: the device ids are the same.
    simulation, devices = plan(config, platform if config.register else None)
    registration = None
    if config.register and platform is not None:
        registration = register_fleet(platform, config.tenant, devices, progress=progress)
    client, login = open_client(config, platform, devices)
    start = config.start_time(time.time())
    if config.processes > 1:  # the connection only proved the broker takes us
        client.disconnect()
        client.loop_stop()
        sharded = ShardedPublisher(
            simulation,
            devices,
            parse_broker_url(config.mqtt_url),
            login,
            processes=config.processes,
            tenant=config.tenant,
            start=start,
            speed=config.speed,
            rate=config.rate,
        )
        return PreparedRun(sharded, registration, None)
    publisher = FleetPublisher(
        simulation,
        devices,
        client,
        tenant=config.tenant,
        start=start,
        speed=config.speed,
        rate=config.rate,
    )
    return PreparedRun(publisher, registration, client)


def start_background(
    platform: Platform,
    mqtt_url: str,
    *,
    tenant: str = "shanghai",
    scale: Scale | str = Scale.DISTRICT,
    speed: float = 60.0,
    rate: float | None = 500.0,
    seed: int = 2014,
    register: bool = True,
    replay: float = 3_600.0,
    pollution_per_year: float = 20.0,
    storms_per_year: float = 10.0,
) -> Callable[[], None]:
    """Run the simulator in a daemon thread (for the demo); returns the function that stops it.

    Simulated time starts `replay` seconds in the past (an hour: at speed 60 the city reaches
    the present within a minute, then lives in real time). Registration happens in the thread
    too, so the caller is not held up; a failure is logged. A demo that wants episodes while
    it is watched raises their yearly counts (365: about one a day).
    """
    config = SimulationConfig(
        mqtt_url,
        tenant=tenant,
        seed=seed,
        speed=speed,
        scale=Scale(scale),
        rate=rate,
        register=register,
        start=time.time() - replay,
        pollution_per_year=pollution_per_year,
        storms_per_year=storms_per_year,
    )
    stopping = threading.Event()
    running: list[PreparedRun] = []
    log = logging.getLogger("smartcity.simulate")

    def work() -> None:
        try:
            prepared = prepare_run(config, platform)
        except Exception:
            log.exception("the simulator could not start")
            return
        running.append(prepared)
        if stopping.is_set():
            prepared.close()
            return
        try:
            prepared.publisher.run()
        finally:
            prepared.close()

    thread = threading.Thread(target=work, name="smartcity-simulate", daemon=True)
    thread.start()

    def stop(timeout: float = 60.0) -> None:
        stopping.set()
        if running:
            running[0].publisher.stop()
        thread.join(timeout)

    return stop
