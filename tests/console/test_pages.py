"""The console without a browser: login failures, CSRF refusals, role checks, bad input as a 4xx,
the session cookie's flags, languages and their catalogues, static files."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from smartcity.console import i18n, readings
from smartcity.console.series import PERIODS
from smartcity.console.session import SESSION_COOKIE
from tests.console.conftest import DemoCity, csrf_of, log_in

TEMPLATES = Path(__file__).parents[2] / "src/smartcity/console/templates"


def _login(console: TestClient, city: DemoCity, username: str, password: str, **extra: str):
    token = csrf_of(console.get("/login").text)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return console.post("/login", data=data, follow_redirects=False)


def test_a_wrong_password_or_unknown_city_shows_the_form_again_with_401(
    console: TestClient, demo_city: DemoCity
):
    for username in ("dispatcher", "dispatcher@nowhere", "nobody"):
        response = _login(console, demo_city, username, "wrong-password")
        assert response.status_code == 401
        assert "用户名或密码不正确" in response.text
        assert SESSION_COOKIE not in response.cookies


def test_an_empty_login_form_is_refused_with_422(console: TestClient, demo_city: DemoCity):
    response = _login(console, demo_city, " ", "")
    assert response.status_code == 422
    assert "请输入用户名和密码" in response.text


def test_login_sets_an_httponly_samesite_session_cookie_and_goes_where_asked(
    console: TestClient, demo_city: DemoCity
):
    password = demo_city.passwords["analyst"]
    response = _login(console, demo_city, "analyst", password, next="/map")
    assert response.status_code == 303
    assert response.headers["location"] == "/map"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_login_never_redirects_off_site(console: TestClient, demo_city: DemoCity):
    password = demo_city.passwords["analyst"]
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = _login(console, demo_city, "analyst", password, next=target)
        assert response.headers["location"] == "/"


def test_a_citizen_is_sent_to_the_portal(console: TestClient, demo_city: DemoCity):
    response = _login(console, demo_city, "citizen", demo_city.passwords["citizen"])
    assert response.headers["location"] == "/report"
    assert console.get("/", follow_redirects=False).headers["location"] == "/report"
    assert console.get("/map").status_code == 403


def test_a_post_without_or_with_a_forged_csrf_token_is_refused(
    console: TestClient, demo_city: DemoCity
):
    password = demo_city.passwords["admin"]
    form = {"username": "admin", "password": password}
    assert console.post("/login", data=form, follow_redirects=False).status_code == 403
    csrf_of(console.get("/login").text)  # the browser now holds a signed cookie
    forged = {**form, "csrf_token": "abc.def"}
    response = console.post("/login", data=forged, follow_redirects=False)
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies
    console.cookies.set("sc_csrf", "abc.def")  # an unsigned cookie matching the field
    assert console.post("/login", data=forged, follow_redirects=False).status_code == 403


def test_logout_needs_the_csrf_token_and_ends_the_session(console: TestClient, demo_city: DemoCity):
    log_in(console, demo_city, "admin")
    assert console.post("/logout", follow_redirects=False).status_code == 403
    assert console.get("/", follow_redirects=False).status_code == 200
    token = csrf_of(console.get("/").text)
    response = console.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert console.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_pages_without_a_session_redirect_to_login_and_data_answers_401_json(
    console: TestClient, demo_city: DemoCity
):
    for path in ("/", "/map", "/sensing/devices", "/sensing/devices/AQ-01"):
        response = console.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    response = console.get("/console/api/map/devices")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert console.get("/report").status_code == 200


def test_a_forged_session_cookie_is_no_session(console: TestClient, demo_city: DemoCity):
    console.cookies.set(SESSION_COOKIE, "eyJhbGciOiJIUzI1NiJ9.e30.forged")
    assert console.get("/", follow_redirects=False).status_code == 303


def test_dead_letters_are_for_admins_only(console: TestClient, demo_city: DemoCity):
    log_in(console, demo_city, "dispatcher")
    assert 'data-nav="dead_letters"' not in console.get("/").text
    response = console.get("/sensing/dead-letters")
    assert response.status_code == 403
    assert "无权访问" in response.text
    log_in(console, demo_city, "admin")
    assert 'data-nav="dead_letters"' in console.get("/").text
    assert console.get("/sensing/dead-letters").status_code == 200


def test_bad_filters_and_unknown_things_are_4xx_pages_or_json(
    console: TestClient, demo_city: DemoCity
):
    log_in(console, demo_city, "analyst")
    assert console.get("/sensing/devices?type=rocket").status_code == 422
    assert console.get("/sensing/devices?district=999999").status_code == 422
    assert console.get("/sensing/devices?offset=-1").status_code == 400
    assert console.get("/sensing/devices/NOPE").status_code == 404
    assert console.get("/sensing/entities/urn:ngsi-ld:X:nope").status_code == 404
    entity = demo_city.entity_of("AQ-01")
    bad = console.get(
        "/console/api/series", params={"entity": entity, "attr": "pm25", "period": "9y"}
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    missing = console.get("/console/api/series", params={"entity": "urn:x:y", "attr": "pm25"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert console.get("/console/api/map/measures/nothing").status_code == 404
    assert console.get("/console/api/map/areas/planet").status_code == 422


def test_the_series_holds_the_day_of_readings(console: TestClient, demo_city: DemoCity):
    log_in(console, demo_city, "analyst")
    params = {"entity": demo_city.entity_of("AQ-01"), "attr": "pm25", "period": "24h"}
    body = console.get("/console/api/series", params=params).json()
    assert len(body["points"]) == 48 and body["unit"] == "μg/m³" and not body["partial"]
    assert body["points"] == sorted(body["points"])


def test_the_map_layers_are_geojson_with_an_etag(console: TestClient, demo_city: DemoCity):
    log_in(console, demo_city, "supervisor")
    districts = console.get("/console/api/map/areas/district")
    assert districts.headers["content-type"] == "application/geo+json"
    assert districts.headers["content-encoding"] == "gzip"  # the client asked for it
    assert len(districts.json()["features"]) == 16
    again = console.get(
        "/console/api/map/areas/district", headers={"If-None-Match": districts.headers["etag"]}
    )
    assert again.status_code == 304
    counts = console.get("/console/api/map/measures/devices").json()
    assert sum(counts["values"].values()) == 4
    devices = console.get("/console/api/map/devices").json()["features"]
    aq = next(f for f in devices if f["id"] == "AQ-01")
    assert aq["properties"]["readings"][0]["name"] == "pm25"


def test_the_language_switch_is_kept_in_a_cookie(console: TestClient, demo_city: DemoCity):
    page = console.get("/login?lang=en")
    assert '<html lang="en">' in page.text and "Log in" in page.text
    assert console.cookies.get("sc_lang") == "en"
    assert '<html lang="en">' in console.get("/report").text
    assert "我要反映问题" in console.get("/report?lang=zh").text
    assert "我要反映问题" in console.get("/report?lang=xx").text


def test_both_catalogues_have_the_same_messages_and_every_template_key_exists():
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert set(zh) == set(en)
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r't\("([a-z_.0-9]+)"\s*[),]', template.read_text()))
    assert used and used <= set(zh), sorted(used - set(zh))
    # keys the templates build from a value
    built = {f"status.{s}" for s in readings.STATUSES} | {f"lang.{x}" for x in i18n.LANGUAGES}
    built |= {f"entity.period_{p}" for p in PERIODS}
    assert built <= set(zh), sorted(built - set(zh))
    for lang in ("zh", "en"):
        assert json.loads((TEMPLATES.parent / "messages" / f"{lang}.json").read_text())


def test_static_files_are_served_and_nothing_outside_them(console: TestClient, demo_city: DemoCity):
    css = console.get("/console/static/console.css")
    assert css.status_code == 200 and "immutable" in css.headers["cache-control"]
    assert console.get("/console/vendor/leaflet/leaflet.js").status_code == 200
    assert console.get("/console/vendor/chart.js/chart.umd.min.js").status_code == 200
    for path in (
        "/console/static/../pages/auth.py",
        "/console/static/%2e%2e/api.py",
        "/console/vendor/leaflet/../package.json",
        "/console/vendor/left-pad/index.js",
    ):
        assert console.get(path).status_code == 404, path
