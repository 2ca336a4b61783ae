"""Console fixtures: a demo city with devices and a day of readings, a real server, a browser."""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from smartcity import demo
from smartcity.geo.layout import generate_shanghai
from smartcity.platform import Platform
from smartcity.security import service as security
from smartcity.sensing import service as sensing
from smartcity.sensing.device_types import DeviceKind
from smartcity.sensing.schemas import DeviceCreate
from tests.conftest import free_port
from tests.sensing.ingest_fixtures import ingest_items, iso

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).parents[2] / "var" / "screenshots"
STAFF = ["admin", "supervisor", "dispatcher", "handler", "analyst", "hotline", "programme"]
# (device id, kind, status): stations with a day of PM2.5, a noise monitor, one silent device
DEVICES = [
    ("AQ-01", DeviceKind.AIR_QUALITY_STATION, "active"),
    ("AQ-02", DeviceKind.AIR_QUALITY_STATION, "active"),
    ("NOISE-01", DeviceKind.NOISE_MONITOR, "active"),
    ("LIGHT-01", DeviceKind.STREETLIGHT, "silent"),
]


@dataclass
class DemoCity:
    platform: Platform
    passwords: dict[str, str]  # username → password
    readings: int
    devices: list[str] = field(default_factory=list)

    def entity_of(self, device_id: str) -> str:
        kind = {d: k for d, k, _ in DEVICES}[device_id]
        return {
            DeviceKind.AIR_QUALITY_STATION: f"urn:ngsi-ld:AirQualityObserved:{device_id}",
            DeviceKind.NOISE_MONITOR: f"urn:ngsi-ld:NoiseLevelObserved:{device_id}",
            DeviceKind.STREETLIGHT: f"urn:ngsi-ld:Streetlight:{device_id}",
        }[kind]


def _register_devices(platform: Platform, cells: list[Any]) -> list[str]:
    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        actor = security.system_principal(tenant, "test")
        for n, (device_id, kind, status) in enumerate(DEVICES):
            point = cells[n * 37 % len(cells)].geometry.representative_point()
            spec = DeviceCreate(
                device_id=device_id,
                type=kind,
                lon=point.x,
                lat=point.y,
                status=status,
                name=f"测试设备 {device_id}",
            )
            sensing.create_device(session, platform, actor, spec)
    return [d for d, _, _ in DEVICES]


def _day_of_readings(platform: Platform, tenant_id: int) -> int:
    now = platform.clock.now()
    items: list[dict[str, Any]] = []
    for step in range(48):  # every 30 minutes over the last day
        at = iso(now - timedelta(minutes=30 * (47 - step)))
        wave = math.sin(step / 6)
        items.append({"device_id": "AQ-01", "observedAt": at, "pm25": round(40 + 25 * wave, 1)})
        items.append({"device_id": "AQ-02", "observedAt": at, "pm25": round(30 + 10 * wave, 1)})
        items.append({"device_id": "NOISE-01", "observedAt": at, "LAeq": round(55 + 8 * wave, 1)})
    outcome = ingest_items(platform, tenant_id, items)
    assert not outcome.letters, [letter.message for letter in outcome.letters]
    return outcome.stored


@pytest.fixture
def demo_city(platform: Platform) -> DemoCity:
    """A small generated Shanghai with the demo's departments and users, four devices, and a day
    of readings from three of them."""
    from smartcity.geo import service as geo

    layout = generate_shanghai(cells=300, streets=32, seed=11)
    with platform.db.session() as session:
        tenant = security.get_tenant(session, slug="shanghai")
        geo.load_demo_city(session, platform.clock, security.system_principal(tenant), layout)
        tenant_id = tenant.id
    logins = demo.prepare(platform, echo=lambda _line: None)
    devices = _register_devices(platform, layout.cells)
    stored = _day_of_readings(platform, tenant_id)
    return DemoCity(platform, {x.username: x.password for x in logins}, stored, devices)


@pytest.fixture
def console_server(demo_city: DemoCity) -> Iterator[str]:
    """The real app (background jobs off) in uvicorn on a free loopback port."""
    import uvicorn

    from smartcity.web.app import create_app

    app = create_app(demo_city.platform)
    app.state.background = False
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("console test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium through Playwright; missing it fails under CI and skips elsewhere."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/ensure-services)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Browser:
    """One browser context against the console server, failing on any error in its pages."""

    def __init__(self, chromium: Any, base: str) -> None:
        self.base = base
        self.context = chromium.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def log_in(self, username: str, password: str) -> Any:
        page = self.go("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        return page

    def nav_keys(self) -> list[str]:
        return self.page.eval_on_selector_all("nav.mainnav a", "els => els.map(e => e.dataset.nav)")

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def browser(chromium: Any, console_server: str) -> Iterator[Callable[[], Browser]]:
    opened: list[Browser] = []

    def open_browser() -> Browser:
        opened.append(Browser(chromium, console_server))
        return opened[-1]

    yield open_browser
    for b in opened:
        b.close()
    for b in opened:
        assert b.errors == [], f"errors in the page: {b.errors}"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
def console(client: TestClient, demo_city: DemoCity) -> TestClient:
    return client


def log_in(client: TestClient, city: DemoCity, username: str) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": city.passwords[username], "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
