"""The console in a real headless Chromium against a real server: log in as each staff role, see
only the navigation the role may see, switch map layers and language, open a device and an
entity with its chart. Any error in a page fails the test; each main page is saved as a
screenshot under var/screenshots/."""

from __future__ import annotations

from collections.abc import Callable

from smartcity.console.nav import nav_entries
from smartcity.security.principal import Principal
from smartcity.security.roles import Role, permissions_of
from tests.console.conftest import STAFF, Browser, DemoCity


def expected_nav(role: Role) -> list[str]:
    principal = Principal(1, "user", "x", permissions_of(role), role=role)
    return [e.key for e in nav_entries() if e.visible_to(principal)]


def test_each_staff_role_sees_only_the_navigation_its_permissions_allow(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    for username in STAFF:
        role = Role.HOTLINE_OPERATOR if username == "hotline" else Role(username)
        b = browser()
        page = b.log_in(username, demo_city.passwords[username])
        assert page.url == b.base + "/"
        assert b.nav_keys() == expected_nav(role), username
        assert page.locator(".who").get_attribute("data-role") == role.value
        if role is Role.ADMIN:
            assert "dead_letters" in b.nav_keys()
            b.screenshot("overview-zh")
        page.click("form.logout button")
        page.wait_for_url(b.base + "/login")
        b.close()
    assert "dead_letters" not in expected_nav(Role.DISPATCHER)


def test_the_overview_shows_todays_tiles(browser: Callable[[], Browser], demo_city: DemoCity):
    b = browser()
    page = b.log_in("dispatcher", demo_city.passwords["dispatcher"])
    tiles = page.eval_on_selector_all(".tile", "els => els.map(e => e.dataset.tile)")
    assert tiles == [
        "alerts.active",
        "cases.open",
        "cases.overdue",
        "cases.hotline_today",
        "cases.on_time",
        "devices.active",
        "devices.silent",
        "air.pm25",
        "readings.hour",
    ]
    silent = page.locator('[data-tile="devices.silent"] .tile-value').inner_text()
    readings = page.locator('[data-tile="readings.hour"] .tile-value').inner_text()
    assert silent.startswith("1")
    assert readings.replace(",", "").startswith(str(demo_city.readings))


def test_map_layers_switch_and_a_click_opens_details(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    b = browser()
    b.log_in("supervisor", demo_city.passwords["supervisor"])
    page = b.go("/map")
    page.wait_for_selector('#map[data-ready="1"]')
    map_el = page.locator("#map")
    assert map_el.get_attribute("data-layers") == "cell,devices,district"
    assert map_el.get_attribute("data-devices") == "4"
    assert page.locator(".district-label").count() == 16
    b.screenshot("map-zh")
    page.uncheck("#layer-cell")
    assert map_el.get_attribute("data-layers") == "devices,district"
    page.check("#layer-street")
    assert map_el.get_attribute("data-layers") == "devices,district,street"
    page.uncheck("#layer-devices")
    assert map_el.get_attribute("data-layers") == "district,street"
    box = map_el.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
    page.wait_for_selector(".leaflet-popup-content h3")
    b.screenshot("map-popup-zh")


def test_language_switch_is_remembered_across_pages(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    b = browser()
    page = b.log_in("analyst", demo_city.passwords["analyst"])
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "城市运行体征"
    page.click('a[data-lang="en"]')
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "City overview"
    b.screenshot("overview-en")
    page = b.go("/map")
    page.wait_for_selector('#map[data-ready="1"]')
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".map-panel h2").inner_text() == "Layers"
    b.screenshot("map-en")
    page.click('a[data-lang="zh"]')
    page.wait_for_selector('#map[data-ready="1"]')
    assert page.locator(".map-panel h2").inner_text() == "图层"


def test_a_device_and_its_entity_with_a_chart_of_a_chosen_period(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    b = browser()
    b.log_in("handler", demo_city.passwords["handler"])
    page = b.go("/sensing/devices")
    assert page.locator("#device-list tbody tr").count() == 4
    b.screenshot("devices-zh")
    page.select_option("select[name=status]", "silent")
    page.click("#device-filters button")
    page.wait_for_load_state("load")
    assert page.locator("#device-list tbody tr").count() == 1
    page = b.go("/sensing/devices")
    page.click('a[href="/sensing/devices/AQ-01"]')
    page.wait_for_load_state("load")
    assert page.locator('tr[data-attr="pm25"]').count() == 1
    b.screenshot("device-zh")
    page.click("#entity-link")
    page.wait_for_selector('#series-chart[data-ready="1"]')
    assert page.url.startswith(b.base + "/sensing/entities/" + demo_city.entity_of("AQ-01"))
    assert page.locator("#series-chart").get_attribute("data-points") == "48"
    page.select_option("#series-period", "1h")
    page.wait_for_selector('#series-chart[data-ready="1"][data-points="3"]')
    page.select_option("#series-period", "7d")
    page.wait_for_selector('#series-chart[data-ready="1"][data-points="48"]')
    b.screenshot("entity-zh")


def test_a_citizen_lands_on_the_portal_placeholder(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    b = browser()
    page = b.log_in("citizen", demo_city.passwords["citizen"])
    assert page.url == b.base + "/report"
    assert b.nav_keys() == []
    b.screenshot("report-zh")
    page.click('a[data-lang="en"]')
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Report a problem"
