"""Rendering a console page: one Jinja2 environment built at first use, the viewer's language,
navigation and CSRF token in every page, and the headers every page carries."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from smartcity.console import csrf
from smartcity.console.assets import asset_url, vendor_url
from smartcity.console.i18n import HTML_LANG, LANGUAGES, choose_language, translator
from smartcity.console.nav import active_key, nav_for
from smartcity.console.session import LANG_COOKIE, LANG_MAX_AGE, Viewer
from smartcity.platform import Platform
from smartcity.security.roles import ROLE_NAMES

# The city's clock for people: times are kept in UTC and shown in Beijing time.
CITY_ZONE = ZoneInfo("Asia/Shanghai")
TEMPLATES = __file__.rsplit("/", 1)[0] + "/templates"
# Scripts and styles come from this site only; styles may be inline (Leaflet positions by style).
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(asset=asset_url, vendor=vendor_url)
    env.filters["local"] = local_time
    return env


def local_time(moment: datetime | None, seconds: bool = False) -> str:
    """A stored (UTC) time as the city reads it: `2026-01-05 09:00` Beijing time."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CITY_ZONE).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def _url_with(request: Request, **changes: str) -> str:
    params = dict(request.query_params)
    params.update(changes)
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request,
    platform: Platform,
    template: str,
    *,
    viewer: Viewer | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = language(request)
    t = translator(lang)
    role = viewer.principal.role if viewer else None
    page = (
        environment()
        .get_template(template)
        .render(
            t=t,
            lang=lang,
            html_lang=HTML_LANG[lang],
            languages=[(code, _url_with(request, lang=code)) for code in LANGUAGES],
            viewer=viewer,
            role_name=t.pick(*ROLE_NAMES[role]) if role else "",
            nav=nav_for(viewer.principal) if viewer and viewer.is_staff else [],
            active=active_key(request.url.path),
            csrf_field=csrf.CSRF_FIELD,
            csrf_token=csrf.csrf_token(request, platform),
            path=request.url.path,
            **context,
        )
    )
    response = HTMLResponse(page, status_code=status)
    csrf.remember(request, response)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=LANG_MAX_AGE, path="/", samesite="lax")
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
