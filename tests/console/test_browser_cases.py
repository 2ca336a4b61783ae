"""The case loop and alerts in a real headless Chromium: a citizen reports a problem on a phone
(category, a point picked on the map, description, photo), the 12345 operator registers it, the
dispatcher dispatches it, the department accepts and handles it, the supervisor verifies it, and
the citizen tracks and rates it; an alert is acknowledged and the overview's live feed shows it
by itself. Any error in a page fails the test; each new page is saved as a screenshot."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from PIL import Image

from tests.console.case_fixtures import active_alerts, alert_status, case_status, raise_alert
from tests.console.conftest import Browser, DemoCity

PHONE = {"width": 390, "height": 844}
DEPARTMENT = "SHLRB"  # the demo handler's department


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def _pick_a_point(page: Any) -> None:
    """Tap the map until the tap lands inside the city (its outline is not a rectangle)."""
    page.wait_for_selector('#pick-map[data-ready="1"]')
    box = page.locator("#pick-map").bounding_box()
    for fx, fy in ((0.5, 0.5), (0.45, 0.55), (0.55, 0.45), (0.4, 0.4), (0.6, 0.6)):
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        if page.locator("#pick-map").get_attribute("data-picked") == "1":
            return
    raise AssertionError("no tap landed inside the city")


def _open_case(b: Browser, queue: str, case_id: str) -> Any:
    page = b.go(f"/cases?queue={queue}")
    page.click(f'#case-list a[href="/cases/{case_id}"]')
    page.wait_for_selector("#case-status")
    return page


def _take(page: Any, action: str, fill: Callable[[Any], None] | None = None) -> None:
    form = page.locator(f'form[data-action="{action}"]')
    if not form.is_visible():
        page.click(f'details:has(form[data-action="{action}"]) summary')
    if fill is not None:
        fill(form)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#case-error").count() == 0, page.locator("#case-error").inner_text()


def test_a_citizen_report_goes_the_whole_loop_to_a_rating(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    platform, passwords = demo_city.platform, demo_city.passwords

    citizen = browser()
    citizen.page.set_viewport_size(PHONE)
    page = citizen.go("/report")
    page.select_option("select[name=category]", "C0101")
    _pick_a_point(page)
    page.fill("textarea[name=description]", "人行道上的上水井盖缺失，有行人绊倒的危险。")
    page.fill("input[name=address]", "南京西路 100 号附近")
    page.set_input_files(
        "input[name=photo]",
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": _photo()}],
    )
    citizen.screenshot("report-phone-zh")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-done")
    case_id = page.locator("#case-number").inner_text().strip()
    token = page.locator("#case-token").inner_text().strip()
    assert re.fullmatch(r"SH\d{8}-\d{6}", case_id) and token
    citizen.screenshot("report-done-phone-zh")
    assert case_status(platform, case_id) == "reported"

    hotline = browser()
    hotline.log_in("hotline", passwords["hotline"])
    page = hotline.go("/cases")
    assert page.locator(".queues a.active").get_attribute("data-queue") == "to_register"
    hotline.screenshot("cases-zh")
    page = _open_case(hotline, "to_register", case_id)
    assert page.locator("#photos img").count() == 1
    hotline.screenshot("case-reported-zh")
    _take(page, "register")
    assert case_status(platform, case_id) == "registered"

    dispatcher = browser()
    dispatcher.log_in("dispatcher", passwords["dispatcher"])
    page = _open_case(dispatcher, "to_dispatch", case_id)
    _take(
        page, "dispatch", lambda f: f.locator("select[name=department]").select_option(DEPARTMENT)
    )
    assert case_status(platform, case_id) == "dispatched"
    assert page.locator("#case-department").inner_text() != "—"
    page = dispatcher.go("/map")
    page.wait_for_selector('#map[data-ready="1"]')
    page.select_option("#cell-measure", "cases")
    page.wait_for_selector('#map[data-measure="cases"]')
    assert page.locator("#legend-max").inner_text() != "0"
    dispatcher.screenshot("map-cases-zh")

    handler = browser()
    handler.log_in("handler", passwords["handler"])
    page = _open_case(handler, "department", case_id)
    assert page.locator("#countdown").get_attribute("data-overdue") in ("0", "1")
    _take(page, "accept")
    page.set_input_files(
        "#photo-upload input[name=file]",
        files=[{"name": "fixed.png", "mimeType": "image/png", "buffer": _photo()}],
    )
    page.click("#photo-upload button")
    page.wait_for_load_state("load")
    assert page.locator("#photos img").count() == 2
    handler.screenshot("case-in-progress-zh")
    _take(page, "handle", lambda f: f.locator("textarea[name=evidence]").fill("已更换新井盖"))
    assert case_status(platform, case_id) == "handled"

    supervisor = browser()
    supervisor.log_in("supervisor", passwords["supervisor"])
    page = _open_case(supervisor, "to_verify", case_id)
    offered = page.eval_on_selector_all("form[data-action]", "f => f.map(x => x.dataset.action)")
    assert offered == ["verify", "send_back"]
    _take(page, "verify")
    assert case_status(platform, case_id) == "closed"
    assert page.locator("#timeline > li").count() == 6  # the report and five transitions
    supervisor.screenshot("case-closed-zh")

    page = citizen.go("/report/track")
    page.fill("input[name=case_id]", case_id)
    page.fill("input[name=token]", token)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#rating-form")
    citizen.screenshot("track-phone-zh")
    page.check('input[name=rating][value="5"]')
    page.click("#rating-form button[type=submit]")
    page.wait_for_selector('#tracked-rating[data-rating="5"]')
    assert case_status(platform, case_id) == "evaluated"
    page.click('a[data-lang="en"]')
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Track a request"
    citizen.screenshot("track-phone-en")


def test_an_alert_is_acknowledged_and_the_overview_feed_shows_it_by_itself(
    browser: Callable[[], Browser], demo_city: DemoCity
):
    alert_id = raise_alert(demo_city.platform)
    watcher = browser()
    page = watcher.log_in("analyst", demo_city.passwords["analyst"])
    page.wait_for_selector('#feed-state[data-state="open"]')
    assert page.locator(f'#alert-feed li[data-alert="{alert_id}"]').count() == 1
    tile = page.locator('[data-tile="alerts.active"] .tile-value').inner_text()
    assert tile.startswith(str(active_alerts(demo_city.platform))), tile

    dispatcher = browser()
    dispatcher.log_in("dispatcher", demo_city.passwords["dispatcher"])
    alerts = dispatcher.go("/alerts")
    dispatcher.screenshot("alerts-zh")
    alerts.click(f'tr[data-alert="{alert_id}"] button[data-action="acknowledge"]')
    alerts.wait_for_selector(f'tr[data-alert="{alert_id}"][data-status="acknowledged"]')
    assert alert_status(demo_city.platform, alert_id) == "acknowledged"

    page.wait_for_selector(f'#alert-feed li[data-alert="{alert_id}"][data-event="acknowledged"]')
    watcher.screenshot("overview-feed-zh")
