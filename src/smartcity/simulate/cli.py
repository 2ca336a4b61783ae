"""`smartcity simulate`: the simulated Shanghai's devices publishing over MQTT."""

from __future__ import annotations

import signal
from typing import Annotated

import typer
from rich.console import Console

from smartcity.platform import Platform
from smartcity.simulate.model import SPECS
from smartcity.simulate.placement import Scale
from smartcity.simulate.progress import live_display
from smartcity.simulate.runner import SimulationConfig, prepare_run

simulate_app = typer.Typer(
    help="A simulated Shanghai: devices publishing over MQTT.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _settings_mqtt_url() -> str:
    from smartcity import cli as main_cli

    return main_cli.settings().mqtt_url


def _platform() -> Platform:
    from smartcity import cli as main_cli
    from smartcity.core import migrate

    platform = Platform.from_settings(main_cli.settings())
    if not migrate.is_current(platform.db):
        platform.close()
        raise ValueError("the database is not migrated; run `smartcity db upgrade` first")
    return platform


@simulate_app.callback()
def simulate(
    mqtt_url: Annotated[
        str | None,
        typer.Option("--mqtt-url", help="Broker, mqtt://user:pass@host:1883 (default: settings)."),
    ] = None,
    tenant: Annotated[str, typer.Option(help="Tenant slug: the topics' city/{tenant}/…")] = (
        "shanghai"
    ),
    seed: Annotated[int, typer.Option(help="Seed: the same seed, the same city.")] = 2014,
    speed: Annotated[
        float, typer.Option(min=0.001, help="Simulated seconds per second (60: an hour a minute).")
    ] = 60.0,
    scale: Annotated[Scale, typer.Option(help="One street, one district or the whole city.")] = (
        Scale.DISTRICT
    ),
    area: Annotated[
        str | None,
        typer.Option(help="Code of the street or district to simulate (default: in Huangpu)."),
    ] = None,
    rate: Annotated[
        float | None, typer.Option(min=0.001, help="At most this many messages per second.")
    ] = None,
    duration: Annotated[
        float | None, typer.Option(min=0.001, help="Stop after this many seconds.")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Publishing processes (one MQTT connection each) for high rates."
        ),
    ] = 1,
    register: Annotated[
        bool,
        typer.Option(
            "--register/--no-register",
            help="Register the fleet in the device registry first (needs the database).",
        ),
    ] = True,
) -> None:
    """Place devices over the city model and publish their readings until stopped (Ctrl-C).

    Simulated time never runs ahead of the wall clock (the ingestion refuses future readings):
    a run with --duration replays the past that ends now; without it, the last day, then live.
    """
    try:
        url = mqtt_url or _settings_mqtt_url()
        if not url:
            raise ValueError("no broker: give --mqtt-url or set SMARTCITY_MQTT_URL")
        config = SimulationConfig(
            url,
            tenant=tenant,
            seed=seed,
            speed=speed,
            scale=scale,
            area=area,
            rate=rate,
            duration=duration,
            register=register,
            processes=processes,
        )
        platform = _platform() if register else None
    except (ValueError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    try:
        _run(config, platform)
    except Exception as exc:  # one readable line, as the main CLI gives
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        if platform is not None:
            platform.close()


def _run(config: SimulationConfig, platform: Platform | None) -> None:
    def registering(done: int, total: int) -> None:
        if done % 1_000 == 0 or done == total:
            out.print(f"registering devices: {done:,} of {total:,}", highlight=False)

    prepared = prepare_run(config, platform, progress=registering)
    publisher = prepared.publisher
    if prepared.registration is not None:
        r = prepared.registration
        out.print(f"fleet: {r.created:,} devices registered, {r.existing:,} already there")
    out.print(
        f"publishing {len(publisher.devices):,} devices ({config.scale.value}) to "
        f"city/{config.tenant}/…/attrs, speed {config.speed:g}"
        + (f", at most {config.rate:g} messages/s" if config.rate else ""),
        highlight=False,
    )
    previous = signal.signal(signal.SIGTERM, lambda *_: publisher.stop())
    try:
        with live_display(publisher, out):
            try:
                stats = publisher.run(config.duration)
            except KeyboardInterrupt:
                publisher.stop()
                stats = publisher.stats
    finally:
        signal.signal(signal.SIGTERM, previous)
        prepared.close()
    kinds = len({d.kind for d in publisher.devices})
    out.print(
        f"sent {stats.sent:,} messages ({stats.acknowledged:,} acknowledged) carrying "
        f"{stats.readings:,} readings from {stats.devices:,} devices of {kinds} of "
        f"{len(SPECS)} kinds; {stats.silent_skips:,} reports withheld by silent devices",
        highlight=False,
    )
