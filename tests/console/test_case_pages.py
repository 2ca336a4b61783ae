"""The alert, case and citizen-portal pages without a browser: CSRF and role refusals on every
new form (nothing changes), refusals shown in the page as a 4xx, the tiles and the map measure."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from smartcity.cases.models import Case
from tests.console.case_fixtures import (
    CATEGORY,
    alert_status,
    case_status,
    device_point,
    raise_alert,
    report_case,
)
from tests.console.conftest import DemoCity, csrf_of, log_in


def _count_cases(city: DemoCity) -> int:
    """Citizens' cases (the rules part may open sensor cases meanwhile)."""
    stmt = select(func.count()).select_from(Case).where(Case.source == "citizen")
    with city.platform.db.session() as session:
        return session.scalar(stmt) or 0


def _cell_of(city: DemoCity, case_id: str) -> str:
    with city.platform.db.session() as session:
        return session.scalar(select(Case.cell_code).where(Case.public_id == case_id)) or ""


def test_alerts_are_acknowledged_and_resolved_by_form_only_with_csrf_and_the_role(
    console: TestClient, demo_city: DemoCity
):
    alert_id = raise_alert(demo_city.platform)
    log_in(console, demo_city, "analyst")  # alerts:read, not alerts:write
    page = console.get("/alerts")
    assert page.status_code == 200 and f'data-alert="{alert_id}"' in page.text
    assert 'data-action="acknowledge"' not in page.text
    token = csrf_of(page.text)
    refused = console.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert refused.status_code == 403 and alert_status(demo_city.platform, alert_id) == "raised"

    log_in(console, demo_city, "dispatcher")
    page = console.get("/alerts?status=active&severity=high")
    assert 'data-action="acknowledge"' in page.text
    forged = console.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": "x.y"})
    assert forged.status_code == 403 and "<html" in forged.text
    assert alert_status(demo_city.platform, alert_id) == "raised"
    token = csrf_of(page.text)
    done = console.post(
        f"/alerts/{alert_id}/acknowledge",
        data={"csrf_token": token, "back": "//evil.example/"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/alerts"
    assert alert_status(demo_city.platform, alert_id) == "acknowledged"
    again = console.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409
    console.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token})
    assert alert_status(demo_city.platform, alert_id) == "resolved"
    assert console.get("/alerts?severity=loud").status_code == 422
    overview = console.get("/")
    assert 'data-tile="alerts.active"' in overview.text and 'id="alert-feed"' in overview.text


def test_the_console_alert_stream_needs_a_session(console: TestClient, demo_city: DemoCity):
    answer = console.get("/console/api/alerts/stream")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_a_case_page_offers_only_the_roles_transitions_and_shows_refusals_in_the_page(
    console: TestClient, demo_city: DemoCity
):
    lon, lat = device_point(demo_city.platform)
    case_id = report_case(demo_city.platform, lon, lat)
    log_in(console, demo_city, "handler")  # sees only its department's cases
    assert console.get(f"/cases/{case_id}").status_code == 404
    log_in(console, demo_city, "analyst")
    page = console.get(f"/cases/{case_id}")
    assert page.status_code == 200 and 'id="no-actions"' in page.text
    token = csrf_of(page.text)
    refused = console.post(
        f"/cases/{case_id}/transition", data={"csrf_token": token, "action": "register"}
    )
    assert refused.status_code == 403 and 'id="case-error"' in refused.text
    assert case_status(demo_city.platform, case_id) == "reported"

    log_in(console, demo_city, "dispatcher")
    page = console.get(f"/cases/{case_id}")
    actions = re.findall(r'<form [^>]*data-action="([a-z_]+)"', page.text)
    assert actions == ["register", "reject", "merge"]
    no_csrf = console.post(f"/cases/{case_id}/transition", data={"action": "register"})
    assert no_csrf.status_code == 403 and case_status(demo_city.platform, case_id) == "reported"
    token = csrf_of(page.text)
    missing = console.post(
        f"/cases/{case_id}/transition", data={"csrf_token": token, "action": "reject"}
    )
    assert missing.status_code == 422 and "reject requires reason" in missing.text
    assert case_status(demo_city.platform, case_id) == "reported"
    done = console.post(
        f"/cases/{case_id}/transition",
        data={"csrf_token": token, "action": "register", "category": CATEGORY},
        follow_redirects=False,
    )
    assert done.status_code == 303 and case_status(demo_city.platform, case_id) == "registered"
    queue = console.get("/cases?queue=to_dispatch")
    assert f'data-case="{case_id}"' in queue.text
    assert f'data-case="{case_id}"' in console.get(f"/cases?q={case_id}").text
    assert console.get("/cases?status=lost").status_code == 422
    tiles = console.get("/").text
    for key in ("cases.open", "cases.overdue", "cases.hotline_today", "cases.on_time"):
        assert f'data-tile="{key}"' in tiles
    measure = console.get("/console/api/map/measures/cases").json()
    assert measure["values"][_cell_of(demo_city, case_id)] >= 1


def test_the_portal_refuses_a_forged_form_and_bad_input_without_filing_a_case(
    console: TestClient, demo_city: DemoCity
):
    lon, lat = device_point(demo_city.platform)
    page = console.get("/report")
    assert page.status_code == 200 and 'id="pick-map"' in page.text
    form = {"category": CATEGORY, "lon": str(lon), "lat": str(lat), "description": "路灯不亮"}
    assert console.post("/report", data=form).status_code == 403
    token = csrf_of(page.text)
    for bad, field in (
        ({"category": "nope"}, "category"),
        ({"lon": ""}, "lon"),
        ({"lon": "0", "lat": "0"}, "lon"),
        ({"description": " "}, "description"),
    ):
        answer = console.post("/report", data={**form, **bad, "csrf_token": token})
        assert 400 <= answer.status_code < 500 and 'id="report-error"' in answer.text, bad
        assert f'data-field="{field}"' in answer.text, bad
    fake = {"photo": ("a.jpg", b"not an image", "image/jpeg")}
    answer = console.post("/report", data={**form, "csrf_token": token}, files=fake)
    assert answer.status_code == 422 and _count_cases(demo_city) == 0
    assert console.get("/report/areas.geojson").json()["type"] == "FeatureCollection"
    done = console.post("/report", data={**form, "csrf_token": token, "key": "k1"})
    assert done.status_code == 201 and _count_cases(demo_city) == 1
    number = re.search(r'id="case-number">([^<]+)<', done.text).group(1)
    again = console.post("/report", data={**form, "csrf_token": token, "key": "k1"})
    assert again.status_code == 200 and _count_cases(demo_city) == 1
    track = console.post(
        "/report/track", data={"csrf_token": token, "case_id": number, "token": "wrong"}
    )
    assert track.status_code == 404 and 'id="track-error"' in track.text
    assert console.post("/report/track", data={"case_id": number, "token": "x"}).status_code == 403
    rating = console.post(
        "/report/track/rating",
        data={"csrf_token": token, "case_id": number, "token": "wrong", "rating": "5"},
    )
    assert rating.status_code == 404
