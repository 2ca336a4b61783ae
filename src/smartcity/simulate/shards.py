"""Publishing from several processes: one MQTT client publishes a few thousand QoS 1 messages a
second in Python (paho's per-message work holds the GIL), so large runs split the fleet into
shards, each sent by its own process and connection with its share of the rate cap.

The parent keeps the simulation and the display; the children report their counts through
shared memory and stop when the parent says so.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.sharedctypes import SynchronizedArray
from multiprocessing.synchronize import Event

from smartcity.sensing.mqtt.address import BrokerAddress
from smartcity.simulate.model import Simulation
from smartcity.simulate.placement import SimDevice
from smartcity.simulate.publisher import FleetPublisher, PublishStats, connect, snapshot

# The counters each shard shares: sent, acknowledged, measurements, readings, silent skips,
# simulated time.
_FIELDS = ("sent", "acknowledged", "measurements", "readings", "silent_skips", "sim_time")


def _shard(
    simulation: Simulation,
    devices: Sequence[SimDevice],
    address: BrokerAddress,
    login: tuple[str, str] | None,
    options: dict,
    counters: SynchronizedArray,
    stopping: Event,
) -> None:
    """A child process: publish its devices until the parent stops it or the duration ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    client = connect(address, login)
    publisher = FleetPublisher(
        simulation,
        devices,
        client,
        tenant=options["tenant"],
        start=options["start"],
        speed=options["speed"],
        rate=options["rate"],
    )
    done = threading.Event()

    def report() -> None:
        while not done.wait(0.25):
            if stopping.is_set():
                publisher.stop()
            _write(counters, publisher.stats)

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    try:
        publisher.run(options["duration"])
    finally:
        done.set()
        reporter.join()
        _write(counters, publisher.stats)
        client.disconnect()
        client.loop_stop()


def _write(counters: SynchronizedArray, stats: PublishStats) -> None:
    with counters.get_lock():
        counters[:] = [float(getattr(stats, name)) for name in _FIELDS]


class ShardedPublisher:
    """The fleet split over `processes` child processes; reads like one FleetPublisher."""

    def __init__(
        self,
        simulation: Simulation,
        devices: Sequence[SimDevice],
        address: BrokerAddress,
        login: tuple[str, str] | None,
        *,
        processes: int,
        tenant: str,
        start: float,
        speed: float,
        rate: float | None,
    ) -> None:
        if processes < 2:
            raise ValueError("a sharded run needs at least 2 processes")
        self.simulation, self.devices = simulation, list(devices)
        self.stats = PublishStats(devices=len(self.devices), sim_time=start)
        self._context = mp.get_context("spawn")
        self._stopping = self._context.Event()
        self._counters = [self._context.Array("d", len(_FIELDS)) for _ in range(processes)]
        self._args = [
            (
                simulation,
                self.devices[n::processes],
                address,
                login,
                {
                    "tenant": tenant,
                    "start": start,
                    "speed": speed,
                    "duration": None,
                    "rate": rate / processes if rate else None,
                },
                self._counters[n],
                self._stopping,
            )
            for n in range(processes)
        ]

    def stop(self) -> None:
        self._stopping.set()

    def run(self, duration: float | None = None) -> PublishStats:
        children = []
        for args in self._args:
            args[4]["duration"] = duration
            child = self._context.Process(target=_shard, args=args, daemon=True)
            child.start()
            children.append(child)
        began = time.monotonic()
        self.stats.started = began
        try:
            while any(c.is_alive() for c in children):
                for child in children:
                    child.join(0.1)
                self._gather()
        except KeyboardInterrupt:
            self.stop()
            for child in children:
                child.join(60)
        self._gather()
        failed = [c.exitcode for c in children if c.exitcode not in (0, None)]
        if failed:
            raise RuntimeError(f"{len(failed)} publishing process(es) failed")
        return self.stats

    def _gather(self) -> None:
        totals = dict.fromkeys(_FIELDS, 0.0)
        for counters in self._counters:
            with counters.get_lock():
                values = list(counters)
            for name, value in zip(_FIELDS, values, strict=True):
                totals[name] = (
                    max(totals[name], value) if name == "sim_time" else (totals[name] + value)
                )
        for name in _FIELDS[:-1]:
            setattr(self.stats, name, int(totals[name]))
        self.stats.sim_time = max(totals["sim_time"], self.stats.sim_time)

    def snapshot(self) -> PublishStats:
        return snapshot(self.stats, self.simulation, self.devices)
