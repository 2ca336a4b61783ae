"""The `smartcity` command: run, migrate, administer and demonstrate the platform."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from smartcity.core.errors import SmartCityError
from smartcity.core.settings import Settings, describe, load_settings
from smartcity.plan.cli import plan_app
from smartcity.platform import Platform
from smartcity.simulate.cli import simulate_app

app = typer.Typer(
    help="smartcity — 城市运行管理平台 / urban operations platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for devices and applications.", no_args_is_help=True)
geo_app = typer.Typer(help="The city model: districts, streets, grid cells.", no_args_is_help=True)
config_app = typer.Typer(help="Settings in force.", no_args_is_help=True)
tenants_app = typer.Typer(help="Tenants (one per jurisdiction).", no_args_is_help=True)
devices_app = typer.Typer(help="The device registry (sensing).", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (users_app, "users"),
    (keys_app, "apikeys"),
    (geo_app, "geo"),
    (config_app, "config"),
    (tenants_app, "tenants"),
    (devices_app, "devices"),
    (plan_app, "plan"),
    (simulate_app, "simulate"),
):
    app.add_typer(sub, name=name)

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])
TenantOpt = Annotated[
    str | None, typer.Option("--tenant", help="Tenant slug (default: the default tenant).")
]


class State:
    config: Path | None = None
    overrides: dict[str, Any] = {}  # noqa: RUF012 - set once per process by the callback


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def cli_errors(func: F) -> F:
    """Every failure becomes one readable line and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SmartCityError as exc:
            where = f" ({exc.field})" if exc.field else ""
            fail(f"{exc.message}{where}")
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "settings"
            fail(f"invalid setting {field}: {first['msg']}")
        except OperationalError as exc:
            fail(f"the database cannot be used: {str(exc.orig).strip().splitlines()[0]}")
        except (ValueError, OSError) as exc:
            fail(str(exc))

    return wrapper  # type: ignore[return-value]


def settings() -> Settings:
    return load_settings(State.config, **State.overrides)


@contextmanager
def platform_session() -> Iterator[tuple[Platform, Session]]:
    platform = Platform.from_settings(settings())
    try:
        with platform.db.session() as session:
            yield platform, session
    finally:
        platform.close()


def cli_principal(session: Session, platform: Platform, tenant: str | None) -> Any:
    from smartcity.security import service

    found = service.get_tenant(session, slug=tenant or platform.settings.default_tenant)
    return service.system_principal(found, f"cli:{getpass.getuser()}")


@app.callback()
def root(
    config: Annotated[Path | None, typer.Option("--config", help="A TOML settings file.")] = None,
) -> None:
    """Settings come from SMARTCITY_* variables, then the TOML file, then defaults."""
    State.config = config
    State.overrides = {}


@app.command()
@cli_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Server processes (default: 1).")
    ] = None,
) -> None:
    """Run the API (and, later, the console) on the configured database."""
    from smartcity.web.server import run

    current = settings()
    run(
        current,
        host=host or current.host,
        port=port or current.port,
        workers=workers or current.workers,
    )


@db_app.command("upgrade")
@cli_errors
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from smartcity.core import migrate

    platform = Platform.from_settings(settings())
    try:
        migrate.upgrade(platform.db, revision)
        out.print(f"database at {', '.join(sorted(migrate.current_revisions(platform.db)))}")
    finally:
        platform.close()


@db_app.command("downgrade")
@cli_errors
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target, e.g. base or -1.")]) -> None:
    """Undo migrations down to REVISION."""
    from smartcity.core import migrate

    platform = Platform.from_settings(settings())
    try:
        migrate.downgrade(platform.db, revision)
        now = ", ".join(sorted(migrate.current_revisions(platform.db))) or "base (empty)"
        out.print(f"database at {now}")
    finally:
        platform.close()


@db_app.command("current")
@cli_errors
def db_current() -> None:
    """Show the database's migration revision."""
    from smartcity.core import migrate

    platform = Platform.from_settings(settings())
    try:
        current = migrate.current_revisions(platform.db)
        state = "up to date" if migrate.is_current(platform.db) else "needs `smartcity db upgrade`"
        out.print(f"{', '.join(sorted(current)) or 'base (empty)'} — {state}")
    finally:
        platform.close()


@tenants_app.command("create")
@cli_errors
def tenants_create(
    slug: str,
    name_zh: Annotated[str, typer.Option("--name-zh")],
    name_en: Annotated[str, typer.Option("--name-en")],
) -> None:
    """Create a tenant (idempotent)."""
    from smartcity.security import service

    with platform_session() as (platform, session):
        tenant = service.ensure_tenant(
            session, platform.clock, slug=slug, name_zh=name_zh, name_en=name_en
        )
        out.print(f"tenant {tenant.slug} (id {tenant.id})")


@users_app.command("create")
@cli_errors
def users_create(
    name: str,
    role: Annotated[
        str,
        typer.Option(
            help="admin, supervisor, dispatcher, handler, analyst, hotline_operator or citizen."
        ),
    ],
    password: Annotated[str | None, typer.Option(help="Generated and printed if omitted.")] = None,
    display_name: Annotated[str, typer.Option("--display-name")] = "",
    department: Annotated[str | None, typer.Option(help="Department code (for handlers).")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Create a user with a role."""
    from smartcity.geo import service as geo
    from smartcity.security import service
    from smartcity.security.passwords import generate_password

    generated = password is None
    password = password or generate_password()
    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        department_id = None
        if department:
            department_id = geo.get_department(session, principal, code=department).id
        user = service.create_user(
            session,
            platform.clock,
            principal,
            username=name,
            role=role,
            password=password,
            display_name=display_name,
            department_id=department_id,
        )
        out.print(f"user {user.username} ({user.role}) created, id {user.id}")
        if generated:
            out.print(f"password (shown once): {password}", highlight=False)


@users_app.command("list")
@cli_errors
def users_list(tenant: TenantOpt = None) -> None:
    """List users and roles."""
    from smartcity.security import service

    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        users, _ = service.list_users(session, principal, limit=1000)
        table = Table("id", "username", "role", "active")
        for u in users:
            table.add_row(str(u.id), u.username, u.role, "yes" if u.active else "no")
        out.print(table)


@users_app.command("roles")
def users_roles() -> None:
    """Print which role holds which permission (the table the platform enforces)."""
    from smartcity.security.roles import permission_matrix_markdown

    print(permission_matrix_markdown())


@keys_app.command("create")
@cli_errors
def apikeys_create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. a device or an app.")],
    scope: Annotated[list[str], typer.Option(help="A permission, e.g. geo:read; repeatable.")],
    rate_limit: Annotated[str | None, typer.Option("--rate-limit", help="e.g. 600/minute")] = None,
    tenant: TenantOpt = None,
) -> None:
    """Issue an API key; the key is printed once and only its hash is kept."""
    from smartcity.security import service

    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        issued = service.create_api_key(
            session, platform.clock, principal, name=name, scopes=scope, rate_limit=rate_limit
        )
        out.print(f"API key {issued.key.id} ({', '.join(issued.key.scopes)}), shown once:")
        print(issued.secret)


@keys_app.command("revoke")
@cli_errors
def apikeys_revoke(key_id: int, tenant: TenantOpt = None) -> None:
    """Revoke an API key."""
    from smartcity.security import service

    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        service.revoke_api_key(session, platform.clock, principal, key_id=key_id)
        out.print(f"API key {key_id} revoked")


@geo_app.command("import")
@cli_errors
def geo_import(
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection.")],
    level: Annotated[str, typer.Option(help="district, community, street or grid.")],
    tenant: TenantOpt = None,
) -> None:
    """Import boundaries; invalid polygons are repaired where safe, and the report says so."""
    from smartcity.geo import service as geo

    if not file.is_file():
        fail(f"{file} does not exist")
    try:
        data = json.loads(file.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail(f"{file} is not JSON: {exc}")
    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        report = geo.import_geojson(
            session, platform.clock, principal, data=data, level=level, grids=platform.grids
        )
        out.print(report.summary())


@devices_app.command("import")
@cli_errors
def devices_import(
    file: Annotated[Path, typer.Argument(help="A CSV file, one device a row, with a header.")],
    credentials_out: Annotated[
        Path | None,
        typer.Option(
            "--credentials-out",
            help="Write the new devices' credentials here (mode 0600) instead of printing them.",
        ),
    ] = None,
    tenant: TenantOpt = None,
) -> None:
    """Register or update devices from CSV by device id; bad rows are reported, good ones kept.

    Columns: device_id, type, lon, lat (required), name, model, department, entity_id, status,
    credentials. Devices the file creates get credentials, shown once.
    """
    from smartcity.sensing import csv_import

    if not file.is_file():
        fail(f"{file} does not exist")
    with platform_session() as (platform, session):
        principal = cli_principal(session, platform, tenant)
        with platform.serialized_writes():
            report = csv_import.import_devices(session, platform, principal, file.read_bytes())
    out.print(report.summary(), highlight=False)
    if report.issued:
        _write_credentials(report.issued, credentials_out)
    if report.errors:
        raise typer.Exit(2)


def _write_credentials(issued: list[Any], path: Path | None) -> None:
    import csv
    import io
    import os

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["device_id", "api_key", "mqtt_username", "mqtt_password"])
    for i in issued:
        writer.writerow(
            [i.device_id, i.api_key or "", i.mqtt_username or "", i.mqtt_password or ""]
        )
    if path is None:
        out.print("credentials of the new devices (shown once):")
        print(buffer.getvalue(), end="")
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was there before
    with os.fdopen(fd, "w") as fh:
        fh.write(buffer.getvalue())
    out.print(f"credentials of {len(issued)} new devices written to {path} (shown once)")


@config_app.command("show")
@cli_errors
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print the settings in force, secrets hidden."""
    shown = describe(settings())
    if as_json:
        print(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("setting", "value")
    for key, value in shown.items():
        table.add_row(
            key,
            json.dumps(value, ensure_ascii=False, default=str)
            if isinstance(value, dict | list)
            else str(value),
        )
    out.print(table)


@app.command()
@cli_errors
def ingest(
    mqtt_url: Annotated[
        str | None,
        typer.Option("--mqtt-url", help="Broker, mqtt://user:pass@host:1883 (default: settings)."),
    ] = None,
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="Client id: the persistent session.")
    ] = None,
    share_group: Annotated[
        str | None,
        typer.Option("--share-group", help="Share the stream with the group's other workers."),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option(
            "--batch", min=1, max=20_000, help="Messages stored and acknowledged together."
        ),
    ] = None,
) -> None:
    """Store device readings from MQTT (city/{tenant}/{type}/{device}/attrs) until stopped.

    SIGTERM or Ctrl-C finishes and acknowledges the current batch, then exits.
    """
    import signal

    from smartcity.core import migrate
    from smartcity.sensing.mqtt.worker import IngestWorker, WorkerConfig
    from smartcity.web.observe import configure_logging

    current = settings()
    configure_logging(current.log_level, current.log_json)
    config = WorkerConfig.from_settings(
        current, url=mqtt_url, client_id=client_id, share_group=share_group, batch_messages=batch
    )
    platform = Platform.from_settings(current)
    try:
        if not migrate.is_current(platform.db):
            raise ValueError("the database is not migrated; run `smartcity db upgrade` first")
        worker = IngestWorker(platform, config)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        worker.start()
        out.print(
            f"ingesting {config.subscription} from {config.address.url()} "
            f"as {config.client_id} (MQTT {config.protocol}, QoS 1)",
            highlight=False,
        )
        worker.run()
        m = worker.metrics
        out.print(
            f"stopped: {m.value('smartcity_mqtt_messages_received'):.0f} messages, "
            f"{m.value('smartcity_mqtt_readings_stored'):.0f} readings stored",
            highlight=False,
        )
    finally:
        platform.close()


@app.command()
@cli_errors
def demo(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Default: ./var")] = None,
    load_only: Annotated[
        bool, typer.Option("--load-only", help="Load the demo data and exit.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated city.")] = 2014,
    simulate: Annotated[
        bool, typer.Option("--simulate/--no-simulate", help="Run the city simulator.")
    ] = True,
) -> None:
    """Run the platform on its embedded defaults with a generated Shanghai and demo users.

    Beside the web server: an MQTT broker on a free loopback port (or SMARTCITY_MQTT_URL's) and
    an ingestion worker storing what devices publish to it.
    """
    from smartcity import demo as demo_city

    if data_dir is not None:
        State.overrides["data_dir"] = data_dir
    current = settings()
    platform = Platform.from_settings(current)
    try:
        credentials = demo_city.prepare(platform, seed=seed, echo=out.print)
    finally:
        platform.close()
    demo_city.print_logins(credentials, host=host, port=port, echo=out.print)
    if load_only:
        return
    from smartcity.web.server import run

    with demo_city.DemoSensing(current) as sensing:
        broker_url = sensing.start()
        demo_city.print_mqtt(broker_url, echo=out.print)
        stop_simulator = None
        if simulate:
            stop_simulator = demo_city.start_simulator(sensing, broker_url)
            out.print(
                "simulating one district's devices (registering them takes half a minute on "
                "first start; 模拟黄浦区设备), an hour a minute until the present",
                highlight=False,
            )
        try:
            run(current, host=host, port=port)
        finally:
            if stop_simulator is not None:
                stop_simulator()


@app.command()
@cli_errors
def bench(
    args: Annotated[
        list[str] | None,
        typer.Argument(help="Passed on: --quick, --only NAME,NAME, --skip NAME,NAME."),
    ] = None,
) -> None:
    """Run every benchmark beside its baseline and print one table (from a source checkout)."""
    import subprocess

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "run_all.py"
    if not script.exists():
        raise ValueError(f"the benchmarks live in a source checkout; {script} is not there")
    done = subprocess.run([sys.executable, str(script), *(args or [])], check=False)
    raise typer.Exit(done.returncode)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
