"""The demo city: a generated Shanghai, its departments and one user for every role; and its
sensing stream (an MQTT broker and an ingestion worker beside the web server)."""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select

from smartcity.core import migrate
from smartcity.core.settings import Settings
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.security.models import User
from smartcity.security.roles import ROLE_NAMES, Role
from smartcity.sensing.mqtt.broker import EmbeddedBroker, Logins
from smartcity.sensing.mqtt.worker import IngestWorker, WorkerConfig

TENANT = ("shanghai", "上海市", "Shanghai")

# City-level departments that act on grid-management cases; each is responsible city-wide.
DEPARTMENTS = [
    ("SHLRB", "市绿化和市容管理局", "Municipal Landscaping & City Appearance Bureau", "bureau"),
    ("SHCGZF", "市城市管理行政执法局", "Municipal Urban Management Enforcement Bureau", "bureau"),
    ("SHSWJ", "市水务局", "Municipal Water Authority", "bureau"),
    ("SHJTW", "市交通委员会", "Municipal Transportation Commission", "commission"),
    ("SHSTHJ", "市生态环境局", "Municipal Ecology & Environment Bureau", "bureau"),
    ("SHSCJG", "市市场监督管理局", "Municipal Market Supervision Administration", "bureau"),
    (
        "SHZJW",
        "市住房和城乡建设管理委员会",
        "Municipal Housing & Urban-Rural Development Commission",
        "commission",
    ),
    ("SHGAJ", "市公安局", "Municipal Public Security Bureau", "bureau"),
]
HANDLER_DEPARTMENT = "SHLRB"
CREDENTIALS_FILE = "demo-users.json"


@dataclass(frozen=True)
class Login:
    username: str
    role: Role
    password: str


def _passwords(data_dir: Path) -> dict[str, str]:
    """Random on first load, kept in data_dir (mode 0600) so that restarts can print them."""
    path = data_dir / CREDENTIALS_FILE
    if path.exists():
        return json.loads(path.read_text())
    passwords = {role.value: f"{role.value[:4]}-{secrets.token_urlsafe(9)}" for role in Role}
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(passwords, fh, indent=2)
    return passwords


def prepare(
    platform: Platform, *, seed: int = 2014, echo: Callable[[str], None] = print
) -> list[Login]:
    """Migrate, then load the city, departments and users unless they are there (idempotent)."""
    from smartcity.geo import layout
    from smartcity.geo import service as geo
    from smartcity.plan.loader import install_seed
    from smartcity.rules.defaults import install_default_rules

    migrate.upgrade(platform.db)
    clock = platform.clock
    with platform.db.session() as session:
        slug, zh, en = TENANT
        tenant = security.ensure_tenant(session, clock, slug=slug, name_zh=zh, name_en=en)
        actor = security.system_principal(tenant, "demo")
        if geo.city_summary(session, tenant_id=tenant.id).get("cells", 0) == 0:
            echo("generating the demo city (approximate layout, not official boundaries)…")
            city = layout.generate_shanghai(seed=seed)
            geo.load_demo_city(session, clock, actor, city)
        district_codes = [d.code for d in geo.list_districts(session, actor)]
        for code, name_zh, name_en, kind in DEPARTMENTS:
            if geo.find_department(session, actor, code=code) is None:
                geo.create_department(
                    session, clock, actor, code=code, name_zh=name_zh, name_en=name_en, kind=kind
                )
                geo.set_department_areas(
                    session,
                    clock,
                    actor,
                    code=code,
                    areas=[{"level": "district", "code": c} for c in district_codes],
                )
        handler_department = geo.get_department(session, actor, code=HANDLER_DEPARTMENT)
        passwords = _passwords(platform.settings.data_dir)
        logins = []
        for role in Role:
            username = role.value if role is not Role.HOTLINE_OPERATOR else "hotline"
            exists = session.scalar(
                select(User.id).where(User.tenant_id == tenant.id, User.username == username)
            )
            if exists is None:
                security.create_user(
                    session,
                    clock,
                    actor,
                    username=username,
                    role=role.value,
                    password=passwords[role.value],
                    display_name=f"演示{ROLE_NAMES[role][0]}",
                    department_id=handler_department.id if role is Role.HANDLER else None,
                )
            logins.append(Login(username, role, passwords[role.value]))
        summary = geo.city_summary(session, tenant_id=tenant.id)
        install_seed(session, platform, actor)  # the LIVED programme (idempotent)
        install_default_rules(session, platform, actor)  # GB 3095 / GB 3096 (idempotent)
    echo(
        f"city ready: {summary.get('districts', 0)} districts, "
        f"{summary.get('streets', 0)} streets, {summary.get('communities', 0)} communities, "
        f"{summary.get('cells', 0)} grid cells"
    )
    return logins


def print_logins(logins: list[Login], *, host: str, port: int, echo: Callable[[str], None]) -> None:
    base = f"http://{host}:{port}"
    echo(f"smartcity on {base}  (API docs: {base}/docs)")
    echo(f"console (控制台): {base}/login with one of the users below")
    echo(f"log in: POST {base}/api/auth/token with one of these demo users (用户名 / 密码):")
    for login in logins:
        zh, en = ROLE_NAMES[login.role]
        echo(f"  {login.username:<12} {login.password:<20} {zh} / {en}")


class DemoSensing:
    """The demo's MQTT side: the embedded broker (unless SMARTCITY_MQTT_URL names another) and
    one ingestion worker in a thread beside the web server."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broker: EmbeddedBroker | None = None
        self.platform: Platform | None = None
        self.worker: IngestWorker | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start the broker and the worker; the URL devices publish to."""
        config = self._worker_config()
        self.platform = Platform.from_settings(self.settings)
        self.worker = IngestWorker(self.platform, config)
        self.worker.start()
        self._thread = threading.Thread(target=self.worker.run, name="mqtt-ingest", daemon=True)
        self._thread.start()
        if self.broker is not None:
            return self.broker.device_url
        return config.address.url()

    def _worker_config(self) -> WorkerConfig:
        if self.settings.mqtt_url:
            return WorkerConfig.from_settings(self.settings)
        self.broker = EmbeddedBroker(Logins(Platform.from_settings(self.settings)))
        self.broker.start()
        # amqtt speaks MQTT 3.1.1 only and has no shared subscriptions
        return replace(
            WorkerConfig.from_settings(self.settings, url=self.broker.worker_url, share_group=""),
            protocol="3.1.1",
        )

    def stop(self) -> None:
        """Finish the worker's current batch, then stop the worker and the broker."""
        if self.worker is not None and self._thread is not None:
            self.worker.stop()
            self._thread.join(30)
        if self.broker is not None:
            self.broker.stop()
            if self.broker.logins.platform is not None:
                self.broker.logins.platform.close()
        if self.platform is not None:
            self.platform.close()

    def __enter__(self) -> DemoSensing:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_simulator(sensing: DemoSensing, broker_url: str) -> Callable[[], None]:
    """The simulated city publishing to the demo's broker: one district's devices, an hour a
    minute until the present, with episodes about daily so that alerts fire while people
    watch. Returns the function that stops it."""
    from smartcity.simulate.runner import start_background

    assert sensing.platform is not None, "start the sensing side first"
    return start_background(
        sensing.platform, broker_url, speed=60, pollution_per_year=365, storms_per_year=100
    )


def print_mqtt(url: str, *, echo: Callable[[str], None]) -> None:
    echo(f"MQTT broker: {url}  (QoS 1 to city/shanghai/<deviceType>/<deviceId>/attrs)")
    echo("  devices log in with their MQTT username and password (设备 MQTT 用户名 / 密码),")
    echo("  issued when they are registered (`smartcity devices import`).")
